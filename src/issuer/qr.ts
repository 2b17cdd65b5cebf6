/**
 * Offer QR codes as SVG (uqr). Error correction M and a quiet zone of 4 modules (ISO/IEC
 * 18004 §7.3.8), so a phone camera reads it off a counter screen or a printout. The only
 * importer of uqr.
 */
import { renderSVG } from 'uqr'

export function qrSvg(text: string): string {
  return renderSVG(text, { ecc: 'M', border: 4, pixelSize: 6 })
}
