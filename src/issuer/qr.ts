/** Offer QR codes as SVG: the kernel's QR module (src/core/exchange/qr.ts) makes them. */
export { qrSvg } from '../core/exchange/qr.ts'
