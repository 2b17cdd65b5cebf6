/**
 * The digest a status anchor carries: base64url SHA-256 of the status list token's exact
 * bytes (a string token is taken as its UTF-8). Kept apart from create.ts so that checking a
 * status (status/check.ts) does not pull the VC-JWT issuing code into a wallet's bundle.
 */
import { encodeBase64url } from '../bytes/base64url.ts'
import { encodeUtf8 } from '../bytes/utf8.ts'
import { sha256 } from '../crypto/hash.ts'

export function statusListDigest(token: Uint8Array | string): string {
  return encodeBase64url(sha256(typeof token === 'string' ? encodeUtf8(token) : token))
}
