/** UTF-8 both ways; decoding is fatal on malformed input (no U+FFFD substitution). */
import { InputError } from '../errors.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

export function encodeUtf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text) as Uint8Array<ArrayBuffer>
}

export function decodeUtf8(bytes: Uint8Array, what = 'text'): string {
  try {
    return decoder.decode(bytes)
  } catch (e) {
    throw new InputError('ERR_UTF8_INVALID', `${what} is not UTF-8`, { cause: e })
  }
}
