/**
 * Chromium's fake camera for end-to-end tests: it plays a Y4M file (stack notes, part B), read
 * again by each getUserMedia, so a test can change what the camera sees between scans. Frames
 * are 640×480 (both even, which the fake camera needs), 4:2:0, grey (U = V = 128), 10 fps.
 */
import { writeFileSync } from 'node:fs'
import type { Locator } from 'playwright-core'

export const FRAME = { width: 640, height: 480 } as const

/** The Chromium switches that make `file` the camera (permission is granted per origin by the test). */
export function cameraArgs(file: string): string[] {
  return ['--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${file}`]
}

/** Writes one frame of luma (width × height bytes) as a Y4M file the fake camera loops. */
export function writeFrame(file: string, luma: Uint8Array): void {
  writeFrames(file, [luma])
}

/**
 * Writes frames of luma as one Y4M file the fake camera loops, each shown `repeat` times at
 * 10 frames a second (a phone showing several codes in turn).
 */
export function writeFrames(file: string, lumas: readonly Uint8Array[], repeat = 4): void {
  const { width: w, height: h } = FRAME
  const chroma = Buffer.alloc((w / 2) * (h / 2) * 2, 128)
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${w} H${h} F10:1 Ip A1:1 C420jpeg\n`, 'latin1')]
  for (const luma of lumas) {
    if (luma.length !== w * h) throw new RangeError(`a frame is ${w * h} luma bytes, not ${luma.length}`)
    for (let i = 0; i < repeat; i++) parts.push(Buffer.from('FRAME\n', 'latin1'), Buffer.from(luma), chroma)
  }
  writeFileSync(file, Buffer.concat(parts))
}

/** A blank (white) frame. */
export function blankFrame(): Uint8Array {
  return new Uint8Array(FRAME.width * FRAME.height).fill(255)
}

/**
 * The luma of an image or canvas on the page (a QR code the page drew), drawn by the page itself at
 * `side` pixels in the middle of a white frame — what a phone held up to the screen would see.
 */
export async function frameOf(image: Locator, side = 400): Promise<Uint8Array> {
  const text = await image.evaluate(async (img: HTMLImageElement | HTMLCanvasElement, o: { w: number; h: number; side: number }) => {
    if ('decode' in img) await img.decode()
    const c = document.createElement('canvas')
    c.width = o.w
    c.height = o.h
    const ctx = c.getContext('2d')!
    ctx.fillStyle = '#fff'
    ctx.fillRect(0, 0, o.w, o.h)
    ctx.imageSmoothingEnabled = false
    ctx.drawImage(img, (o.w - o.side) / 2, (o.h - o.side) / 2, o.side, o.side)
    const px = ctx.getImageData(0, 0, o.w, o.h).data
    let s = ''
    for (let i = 0; i < px.length; i += 4) s += String.fromCharCode(Math.round(0.299 * px[i]! + 0.587 * px[i + 1]! + 0.114 * px[i + 2]!))
    return btoa(s)
  }, { w: FRAME.width, h: FRAME.height, side })
  return new Uint8Array(Buffer.from(text, 'base64'))
}
