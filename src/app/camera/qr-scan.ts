/**
 * Reading a QR code from the camera: the platform's BarcodeDetector where it offers QR codes,
 * else zxing-wasm's reader with its .wasm served from this app (vite emits it as an asset and
 * the service worker precaches it) — never fetched from a CDN, so scanning works offline and
 * asks nothing of another origin. zxing-wasm rather than a JS decoder: in a probe on this
 * Chromium it decoded every camera-like frame that jsQR missed (stack notes, part B).
 *
 * Two kinds of code: `text` (an offer link, a request object) may come from either reader;
 * `bytes` (the counter exchange's binary frames, QR byte mode) only from zxing-wasm, which
 * returns the exact bytes — BarcodeDetector gives only a string, decoded from the bytes in a
 * charset of its choosing, which cannot be turned back into them.
 *
 * Loaded only when the camera opens (its own chunk): no role's first screen pays for it. The
 * one importer of zxing-wasm (checked by the layering test).
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

/** What one camera frame held: the QR code's text and its exact bytes (bytes only from zxing-wasm), or null. */
export interface ScannedCode {
  text: string
  bytes: Uint8Array | null
}

/** A decoder of one frame at a time. */
export type FrameDecoder = (canvas: HTMLCanvasElement) => Promise<ScannedCode | null>

/** For text: the platform detector if it reads QR codes, else zxing-wasm. For bytes: zxing-wasm. Says which it is. */
export async function qrDecoder(mode: 'text' | 'bytes' = 'text'): Promise<{ kind: 'native' | 'zxing'; decode: FrameDecoder }> {
  const Native = (globalThis as { BarcodeDetector?: NativeDetectorClass }).BarcodeDetector
  if (Native && mode === 'text') {
    try {
      if ((await Native.getSupportedFormats()).includes('qr_code')) {
        const d = new Native({ formats: ['qr_code'] })
        return {
          kind: 'native',
          decode: async (c) => {
            const hit = (await d.detect(c))[0]
            return hit ? { text: hit.rawValue, bytes: null } : null
          },
        }
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
      return hit ? { text: hit.text, bytes: new Uint8Array(hit.bytes) } : null
    },
  }
}
