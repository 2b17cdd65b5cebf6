/**
 * Strict base64url (RFC 4648 §5, as JOSE uses it per RFC 7515 §2): no padding, no `+` or `/`,
 * no white space, and canonical trailing bits (the unused low bits of the last character are
 * zero), so every byte string has exactly one accepted text form.
 *
 * Written here rather than taken from a library: @scure/base and atob both accept
 * non-canonical trailing bits, which lets one signature or digest have several spellings.
 */
import { InputError } from '../errors.ts'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const DECODE = new Int16Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i

export function encodeBase64url(bytes: Uint8Array): string {
  let out = ''
  const n = bytes.length
  let i = 0
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! + ALPHABET[(v >> 6) & 63]! + ALPHABET[v & 63]!
  }
  if (n - i === 1) {
    const v = bytes[i]! << 16
    out += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]!
  } else if (n - i === 2) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8)
    out += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! + ALPHABET[(v >> 6) & 63]!
  }
  return out
}

/** Decode strict base64url; throws InputError ERR_B64_INVALID on any non-canonical input. */
export function decodeBase64url(text: string, what = 'base64url'): Uint8Array<ArrayBuffer> {
  const len = text.length
  const rem = len & 3
  if (rem === 1) throw new InputError('ERR_B64_INVALID', `${what}: impossible length ${len}`)
  const out = new Uint8Array(((len >> 2) * 3) + (rem === 0 ? 0 : rem - 1))
  let o = 0
  let i = 0
  const full = len - rem
  for (; i < full; i += 4) {
    const a = sextet(text, i, what), b = sextet(text, i + 1, what), c = sextet(text, i + 2, what), d = sextet(text, i + 3, what)
    const v = (a << 18) | (b << 12) | (c << 6) | d
    out[o++] = v >> 16
    out[o++] = (v >> 8) & 255
    out[o++] = v & 255
  }
  if (rem === 2) {
    const a = sextet(text, i, what), b = sextet(text, i + 1, what)
    if (b & 15) throw new InputError('ERR_B64_INVALID', `${what}: non-zero trailing bits`)
    out[o++] = (a << 2) | (b >> 4)
  } else if (rem === 3) {
    const a = sextet(text, i, what), b = sextet(text, i + 1, what), c = sextet(text, i + 2, what)
    if (c & 3) throw new InputError('ERR_B64_INVALID', `${what}: non-zero trailing bits`)
    const v = (a << 12) | (b << 6) | c
    out[o++] = v >> 10
    out[o++] = (v >> 2) & 255
  }
  return out
}

function sextet(text: string, i: number, what: string): number {
  const c = text.charCodeAt(i)
  const v = c < 128 ? DECODE[c]! : -1
  if (v < 0) throw new InputError('ERR_B64_INVALID', `${what}: character ${JSON.stringify(text[i])} at ${i}`)
  return v
}

/** True when `text` is canonical base64url; never throws. */
export function isBase64url(text: unknown): text is string {
  if (typeof text !== 'string') return false
  try {
    decodeBase64url(text)
    return true
  } catch {
    return false
  }
}
