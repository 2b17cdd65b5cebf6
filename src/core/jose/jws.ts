/**
 * Strict compact JWS (RFC 7515 §7.1) for the two algorithms the kernel allows: ES256 and EdDSA.
 *
 * - `alg: none` in any casing, HMAC, RSA and every other value: ERR_JWS_ALG_NOT_ALLOWED
 *   (an HS256 token "signed" with a public key as secret never reaches a MAC).
 * - `crit` (§4.1.11): this verifier implements no extension, so any `crit` is refused; `b64`
 *   (RFC 7797) is refused too.
 * - Keys come only from the caller (a trusted key, or a resolver over the trust registry);
 *   header `jwk`, `jku`, `x5u`, `x5c` are never used to find or trust a key.
 * - `typ` is checked per use (§4.1.9: compared case-insensitively, `application/` optional).
 * - Parsing happens once, with the length cap first: base64url and JSON are strict.
 */
import { decodeBase64url, encodeBase64url } from '../bytes/base64url.ts'
import { parseJsonObject, type JsonObject } from '../bytes/json.ts'
import { decodeUtf8, encodeUtf8 } from '../bytes/utf8.ts'
import { InputError, fail, failFrom, type Verdict } from '../errors.ts'
import { JWS_ALGS, type JwsAlg } from '../crypto/jwk.ts'
import { signatureShapeProblem, type PublicKey, type Signer } from '../crypto/keys.ts'

export const DEFAULT_MAX_JWS_LENGTH = 64 * 1024

export interface CompactJws {
  header: JsonObject
  payload: JsonObject
  alg: JwsAlg
  /** `BASE64URL(header).BASE64URL(payload)`: what the signature covers. */
  signingInput: string
  signature: Uint8Array
  /**
   * The unprotected header of a JWS JSON serialization (RFC 7515 §7.2). Not covered by the
   * signature: usable only to pick among trusted keys (`kid`), never to trust one.
   */
  unprotected?: JsonObject
}

export interface JwsParseOptions {
  maxLength?: number
  /** Required `typ`; omitted means typ is not checked (but must be a string if present). */
  typ?: string
}

function normalizeTyp(t: string): string {
  const l = t.toLowerCase()
  return l.startsWith('application/') ? l.slice(12) : l
}

/** Read a decoded protected header against the allow-list; returns its alg. Throws InputError with a code. */
export function parseProtectedHeader(header: JsonObject, typ?: string): JwsAlg {
  const alg = header.alg
  if (typeof alg !== 'string') throw new InputError('ERR_JWS_HEADER_INVALID', 'alg missing or not a string')
  if (!(JWS_ALGS as readonly string[]).includes(alg)) throw new InputError('ERR_JWS_ALG_NOT_ALLOWED', `alg ${JSON.stringify(alg).slice(0, 40)} is not allowed`)
  if (header.crit !== undefined) {
    const c = header.crit
    if (!Array.isArray(c) || c.length === 0 || !c.every((x) => typeof x === 'string')) throw new InputError('ERR_JWS_HEADER_INVALID', 'crit must be a non-empty array of names')
    throw new InputError('ERR_JWS_CRIT_UNSUPPORTED', `unsupported critical extension ${JSON.stringify(c[0])}`)
  }
  if (header.b64 !== undefined) throw new InputError('ERR_JWS_HEADER_INVALID', 'b64 (unencoded payload) is not supported')
  if (header.kid !== undefined && typeof header.kid !== 'string') throw new InputError('ERR_JWS_HEADER_INVALID', 'kid is not a string')
  if (header.typ !== undefined && typeof header.typ !== 'string') throw new InputError('ERR_JWS_HEADER_INVALID', 'typ is not a string')
  if (typ !== undefined && (typeof header.typ !== 'string' || normalizeTyp(header.typ) !== normalizeTyp(typ))) {
    throw new InputError('ERR_JWS_TYP_MISMATCH', `typ is ${JSON.stringify(header.typ ?? null)}, expected ${JSON.stringify(typ)}`)
  }
  return alg as JwsAlg
}

/** Parse a compact JWS with a JSON object payload. Throws InputError with a code. */
export function parseCompactJws(token: string, options: JwsParseOptions = {}): CompactJws {
  const maxLength = options.maxLength ?? DEFAULT_MAX_JWS_LENGTH
  if (token.length > maxLength) throw new InputError('ERR_JWS_TOO_LARGE', `JWS of ${token.length} characters > ${maxLength}`)
  const d1 = token.indexOf('.')
  const d2 = d1 < 0 ? -1 : token.indexOf('.', d1 + 1)
  if (d1 <= 0 || d2 < 0 || token.indexOf('.', d2 + 1) >= 0 || d2 === d1 + 1) {
    throw new InputError('ERR_JWS_MALFORMED', 'not three dot-separated parts')
  }
  const h = token.slice(0, d1)
  const p = token.slice(d1 + 1, d2)
  const header = parseJsonObject(decodeUtf8(decodeBase64url(h, 'JWS header'), 'JWS header'), { maxLength, maxDepth: 8 }, 'JWS header')
  // The header is judged before the signature's presence, so an unsecured JWS (`alg: none`,
  // empty signature) is refused as what it is.
  const alg = parseProtectedHeader(header, options.typ)
  if (d2 === token.length - 1) throw new InputError('ERR_JWS_MALFORMED', 'empty signature')
  const payload = parseJsonObject(decodeUtf8(decodeBase64url(p, 'JWS payload'), 'JWS payload'), { maxLength, maxDepth: 32 }, 'JWS payload')
  const signature = decodeBase64url(token.slice(d2 + 1), 'JWS signature')
  return { header, payload, alg, signingInput: token.slice(0, d2), signature }
}

/** Check a parsed JWS's signature with a trusted key. */
export async function checkJwsSignature(jws: CompactJws, key: PublicKey): Promise<Verdict<true>> {
  if (key.alg !== jws.alg) return fail('ERR_KEY_ALG_MISMATCH', `${jws.alg} signature but the trusted key is ${key.alg}`)
  const shape = signatureShapeProblem(jws.alg, jws.signature)
  if (shape) return fail('ERR_JWS_SIGNATURE_MALFORMED', shape)
  if (!(await key.verify(encodeUtf8(jws.signingInput), jws.signature))) return fail('ERR_JWS_SIGNATURE_INVALID', 'signature does not verify')
  return { ok: true, value: true }
}

/** Picks the trusted key for a JWS from its (unverified) header and payload, or null. */
export type JwsKeyResolver = (jws: CompactJws) => Promise<PublicKey | null> | PublicKey | null

/** Parse and verify a compact JWS; a verdict, never a throw on attacker data. */
export async function verifyCompactJws(
  token: string,
  key: PublicKey | JwsKeyResolver,
  options: JwsParseOptions = {},
): Promise<Verdict<CompactJws>> {
  let jws: CompactJws
  try {
    jws = parseCompactJws(token, options)
  } catch (e) {
    return failFrom(e)
  }
  let k: PublicKey | null
  try {
    k = typeof key === 'function' ? await key(jws) : key
  } catch (e) {
    return failFrom(e)
  }
  if (!k) return fail('ERR_JWS_KEY_UNKNOWN', 'no trusted key for this signer')
  const v = await checkJwsSignature(jws, k)
  return v.ok ? { ok: true, value: jws } : v
}

/** Sign a JSON payload as a compact JWS; `alg` is set from the signer. */
export async function signCompactJws(header: Record<string, unknown>, payload: unknown, signer: Signer): Promise<string> {
  const { alg: _alg, ...rest } = header
  const h = encodeBase64url(encodeUtf8(JSON.stringify({ alg: signer.alg, ...rest })))
  const p = encodeBase64url(encodeUtf8(JSON.stringify(payload)))
  const input = `${h}.${p}`
  const sig = await signer.sign(encodeUtf8(input))
  return `${input}.${encodeBase64url(sig)}`
}
