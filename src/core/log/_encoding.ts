/**
 * Text encodings the C2SP log formats use, parsed strictly and canonically: standard base64
 * (bytes/base64.ts) and ASCII decimal with no leading zeroes (tlog-checkpoint tree size,
 * tlog-proof index, tlog-cosignature time line, tlog-tiles path elements), capped at 2^53 - 1.
 * Decoders return null on bad input; callers turn that into their own error code.
 */
export { decodeBase64, encodeBase64 } from '../bytes/base64.ts'
export { bytesEqual, concatBytes, toHex } from '../bytes/compare.ts'

/** Decimal text with no leading zeroes, as a number; 'too-large' above 2^53 - 1; null if malformed. */
export function parseDecimal(text: string): number | 'too-large' | null {
  if (!/^(0|[1-9][0-9]*)$/.test(text)) return null
  if (text.length > 16) return 'too-large'
  const n = Number(text)
  return Number.isSafeInteger(n) ? n : 'too-large'
}
