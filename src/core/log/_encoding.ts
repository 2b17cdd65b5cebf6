/**
 * Text encodings the C2SP log formats use, parsed strictly and canonically:
 * - standard base64 (RFC 4648 §4) with `=` padding, as signed-note, tlog-checkpoint and
 *   tlog-proof specify ("the standard Base 64 encoding specified in RFC 4648, Section 4");
 *   non-zero trailing bits and missing or extra padding are refused, so every byte string has
 *   exactly one accepted spelling (bytes/base64url is the URL-safe, unpadded JOSE form);
 * - ASCII decimal with no leading zeroes (tlog-checkpoint tree size, tlog-proof index,
 *   tlog-cosignature time line, tlog-tiles path elements), capped at 2^53 - 1.
 *
 * Decoders return null on bad input; callers turn that into their own error code.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const DECODE = new Int16Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i

export function encodeBase64(bytes: Uint8Array): string {
  let out = ''
  const n = bytes.length
  let i = 0
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! + ALPHABET[(v >> 6) & 63]! + ALPHABET[v & 63]!
  }
  if (n - i === 1) {
    const v = bytes[i]! << 16
    out += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! + '=='
  } else if (n - i === 2) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8)
    out += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! + ALPHABET[(v >> 6) & 63]! + '='
  }
  return out
}

function sextet(text: string, i: number): number {
  const c = text.charCodeAt(i)
  return c < 128 ? DECODE[c]! : -1
}

/** Canonical padded standard base64 to bytes, or null. */
export function decodeBase64(text: string): Uint8Array | null {
  const len = text.length
  if (len % 4 !== 0) return null
  let pad = 0
  if (len > 0 && text.charCodeAt(len - 1) === 61) pad = text.charCodeAt(len - 2) === 61 ? 2 : 1
  const out = new Uint8Array((len / 4) * 3 - pad)
  let o = 0
  for (let i = 0; i < len; i += 4) {
    const last = i + 4 === len
    const a = sextet(text, i)
    const b = sextet(text, i + 1)
    const c = last && pad === 2 ? 0 : sextet(text, i + 2)
    const d = last && pad >= 1 ? 0 : sextet(text, i + 3)
    if (a < 0 || b < 0 || c < 0 || d < 0) return null
    const v = (a << 18) | (b << 12) | (c << 6) | d
    if (last && pad === 2) {
      if (v & 0xffff) return null // non-zero trailing bits
      out[o++] = v >> 16
    } else if (last && pad === 1) {
      if (v & 0xff) return null
      out[o++] = v >> 16
      out[o++] = (v >> 8) & 255
    } else {
      out[o++] = v >> 16
      out[o++] = (v >> 8) & 255
      out[o++] = v & 255
    }
  }
  return out
}

/** Decimal text with no leading zeroes, as a number; 'too-large' above 2^53 - 1; null if malformed. */
export function parseDecimal(text: string): number | 'too-large' | null {
  if (!/^(0|[1-9][0-9]*)$/.test(text)) return null
  if (text.length > 16) return 'too-large'
  const n = Number(text)
  return Number.isSafeInteger(n) ? n : 'too-large'
}

export function toHex(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += b.toString(16).padStart(2, '0')
  return s
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let d = 0
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!
  return d === 0
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}
