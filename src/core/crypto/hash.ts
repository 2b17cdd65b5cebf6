/** SHA-256 and the CSPRNG: the kernel's only door to hashing and randomness. */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { encodeBase64url } from '../bytes/base64url.ts'
import { encodeUtf8 } from '../bytes/utf8.ts'

export function sha256(data: Uint8Array): Uint8Array<ArrayBuffer> {
  return nobleSha256(data) as Uint8Array<ArrayBuffer>
}

/** base64url(SHA-256(UTF-8(text))): the digest form SD-JWT and RFC 7638 use. */
export function sha256B64(text: string): string {
  return encodeBase64url(nobleSha256(encodeUtf8(text)))
}

/** A source of random bytes; the kernel takes one as an argument where randomness matters. */
export type RandomSource = (length: number) => Uint8Array

export const systemRandom: RandomSource = (length) => {
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i += 65536) globalThis.crypto.getRandomValues(out.subarray(i, Math.min(length, i + 65536)))
  return out
}
