/**
 * Disclosures (RFC 9901 §4.2.1–4.2.2): base64url(UTF-8(JSON array)), either
 * [salt, claim name, value] for an object property or [salt, value] for an array element.
 * The digest is base64url(SHA-256(ASCII of the disclosure as sent)) (§4.2.3), so the text is
 * hashed exactly as received and never re-encoded.
 */
import { decodeBase64url, encodeBase64url } from '../bytes/base64url.ts'
import { parseJson, type JsonValue } from '../bytes/json.ts'
import { decodeUtf8, encodeUtf8 } from '../bytes/utf8.ts'
import { InputError } from '../errors.ts'
import { sha256B64, type RandomSource } from '../crypto/hash.ts'

export type Disclosure =
  | { kind: 'property'; encoded: string; digest: string; salt: string; name: string; value: JsonValue }
  | { kind: 'element'; encoded: string; digest: string; salt: string; value: JsonValue }

/** Names a disclosure may never carry (§4.2.1). */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(['_sd', '...'])

export function parseDisclosure(encoded: string, maxDepth: number): Disclosure {
  let arr: JsonValue
  try {
    arr = parseJson(decodeUtf8(decodeBase64url(encoded, 'disclosure'), 'disclosure'), { maxLength: encoded.length, maxDepth }, 'disclosure')
  } catch (e) {
    if (e instanceof InputError && e.code !== 'ERR_JSON_TOO_DEEP') throw new InputError('ERR_SDJWT_DISCLOSURE_MALFORMED', e.detail, { cause: e })
    if (e instanceof InputError) throw new InputError('ERR_SDJWT_TOO_DEEP', e.detail, { cause: e })
    throw e
  }
  if (!Array.isArray(arr)) throw new InputError('ERR_SDJWT_DISCLOSURE_MALFORMED', 'disclosure is not a JSON array')
  const salt = arr[0]
  if (typeof salt !== 'string') throw new InputError('ERR_SDJWT_DISCLOSURE_MALFORMED', 'disclosure salt is not a string')
  const digest = sha256B64(encoded)
  if (arr.length === 3) {
    const name = arr[1]
    if (typeof name !== 'string') throw new InputError('ERR_SDJWT_DISCLOSURE_MALFORMED', 'disclosure claim name is not a string')
    if (RESERVED_NAMES.has(name)) throw new InputError('ERR_SDJWT_RESERVED_NAME', `disclosure names the reserved claim ${JSON.stringify(name)}`)
    return { kind: 'property', encoded, digest, salt, name, value: arr[2]! }
  }
  if (arr.length === 2) return { kind: 'element', encoded, digest, salt, value: arr[1]! }
  throw new InputError('ERR_SDJWT_DISCLOSURE_MALFORMED', `disclosure has ${arr.length} elements`)
}

/** A new disclosure with a 128-bit random salt (§4.2.1 recommends at least 128 bits). */
export function makeDisclosure(random: RandomSource, value: JsonValue, name?: string): Disclosure {
  const salt = encodeBase64url(random(16))
  const json = name === undefined ? JSON.stringify([salt, value]) : JSON.stringify([salt, name, value])
  const encoded = encodeBase64url(encodeUtf8(json))
  const digest = sha256B64(encoded)
  return name === undefined
    ? { kind: 'element', encoded, digest, salt, value }
    : { kind: 'property', encoded, digest, salt, name, value }
}

/** A decoy digest (§4.2.5): the digest of random bytes, indistinguishable from a real one. */
export function decoyDigest(random: RandomSource): string {
  return sha256B64(encodeBase64url(random(16)))
}
