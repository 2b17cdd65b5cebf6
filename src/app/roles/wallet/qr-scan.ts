/**
 * Reading a QR code from the camera: the platform's BarcodeDetector where it offers QR codes,
 * else zxing-wasm's reader with its .wasm served from this app (vite emits it as an asset and
 * the service worker precaches it) — never fetched from a CDN, so scanning works offline and
 * asks nothing of another origin. zxing-wasm rather than a JS decoder: in a probe on this
 * Chromium it decoded every camera-like frame that jsQR missed (stack notes, part B).
 *
 * Loaded only when the citizen opens the camera (its own chunk): the wallet's first screen does
 * not pay for it. The one importer of zxing-wasm (checked by the layering test).
 */
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader'
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url'

interface NativeDetector {
  detect(source: CanvasImageSource): Promise<{ rawValue: string }[]>
}
interface NativeDetectorClass {
  new (o: { formats: string[] }): NativeDetector
  getSupportedFormats(): Promise<string[]>
}

let prepared = false

/** A decoder of one frame at a time: the QR code's text, or null when the frame holds none. */
export type FrameDecoder = (canvas: HTMLCanvasElement) => Promise<string | null>

/** The platform detector if it reads QR codes, else zxing-wasm. Says which it is. */
export async function qrDecoder(): Promise<{ kind: 'native' | 'zxing'; decode: FrameDecoder }> {
  const Native = (globalThis as { BarcodeDetector?: NativeDetectorClass }).BarcodeDetector
  if (Native) {
    try {
      if ((await Native.getSupportedFormats()).includes('qr_code')) {
        const d = new Native({ formats: ['qr_code'] })
        return { kind: 'native', decode: async (c) => (await d.detect(c))[0]?.rawValue ?? null }
      }
    } catch {
      // fall through to zxing-wasm
    }
  }
  if (!prepared) {
    prepareZXingModule({ overrides: { locateFile: (p: string, prefix: string) => (p.endsWith('.wasm') ? new URL(wasmUrl, location.href).href : prefix + p) } })
    prepared = true
  }
  return {
    kind: 'zxing',
    decode: async (c) => {
      const ctx = c.getContext('2d', { willReadFrequently: true })
      if (!ctx) return null
      const r = await readBarcodes(ctx.getImageData(0, 0, c.width, c.height), { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 1 })
      const hit = r.find((b) => b.isValid)
      return hit ? hit.text : null
    },
  }
}
