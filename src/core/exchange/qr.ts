/**
 * QR codes made here (uqr, the one importer): error correction M and a quiet zone of 4
 * modules (ISO/IEC 18004 §7.3.8), so a camera reads them off a screen or a printout.
 *
 * - `qrSvg(text)`: an SVG for the issuer's offer page.
 * - `qrModules(data)`: the module matrix (true = dark, quiet zone included) for a canvas — the
 *   exchange's codes are drawn, not written as SVG (one element per module is 300 kB at v40).
 *   Binary data goes in byte mode byte for byte: uqr takes it as an array of numbers (a string
 *   would be sent as UTF-8, doubling every byte ≥ 0x80).
 */
import { encode, renderSVG } from 'uqr'

export function qrSvg(text: string): string {
  return renderSVG(text, { ecc: 'M', border: 4, pixelSize: 6 })
}

export function qrModules(data: string | Uint8Array): { version: number; modules: boolean[][] } {
  const r = encode(typeof data === 'string' ? data : Array.from(data), { ecc: 'M', border: 4, boostEcc: false })
  return { version: r.version, modules: r.data }
}
