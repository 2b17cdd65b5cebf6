/**
 * Key Binding JWT (RFC 9901 §4.3, §7.3): header typ `kb+jwt`, payload iat, aud, nonce, sd_hash;
 * signed by the holder key named in the credential's `cnf.jwk` (RFC 7800). The verifier checks
 * every member: the signature against cnf.jwk only (never a key from the KB-JWT header), sd_hash
 * over exactly the presentation received, nonce and aud equal to its own, iat inside a window.
 */
import { isJsonObject, type JsonObject } from '../bytes/json.ts'
import { fail, failFrom, ok, type Verdict } from '../errors.ts'
import { sha256B64 } from '../crypto/hash.ts'
import { PublicKey, type Signer } from '../crypto/keys.ts'
import { checkJwsSignature, parseCompactJws, signCompactJws, type CompactJws } from '../jose/jws.ts'
import { isNumericDate } from '../jose/time.ts'

export const KB_JWT_TYP = 'kb+jwt'

export interface KbExpectation {
  nonce: string
  aud: string
}

export interface KbCheck {
  /** Expected nonce and audience; undefined only when the caller opted out of key binding. */
  expect: KbExpectation | undefined
  now: number
  skewSeconds: number
  maxAgeSeconds: number
}

export interface KbPayload {
  iat: number
  aud: string
  nonce: string
  sd_hash: string
}

export async function createKbJwt(sdHashInput: string, signer: Signer, claims: { nonce: string; aud: string; iat: number }): Promise<string> {
  const payload: KbPayload = { iat: claims.iat, aud: claims.aud, nonce: claims.nonce, sd_hash: sha256B64(sdHashInput) }
  return signCompactJws({ typ: KB_JWT_TYP }, payload, signer)
}

/** The holder key of a credential, from `cnf.jwk`; a verdict (ERR_KB_NO_CNF, or the JWK's code when it is unusable). */
export function holderKeyOf(claims: JsonObject): Verdict<PublicKey> {
  const cnf = claims.cnf
  if (!isJsonObject(cnf) || cnf.jwk === undefined) return fail('ERR_KB_NO_CNF', 'the credential has no cnf.jwk')
  try {
    return ok(PublicKey.fromJwk(cnf.jwk))
  } catch (e) {
    return failFrom(e)
  }
}

/**
 * Verify a KB-JWT against the presentation it closes and the holder key from `cnf.jwk`. A
 * verdict, never a throw on attacker data. Codes: ERR_KB_MALFORMED, ERR_KB_SIGNATURE_INVALID,
 * ERR_KB_SD_HASH_MISMATCH, ERR_KB_NONCE_MISMATCH, ERR_KB_AUD_MISMATCH, ERR_KB_IAT_OUT_OF_WINDOW,
 * and the JWS parser's codes.
 */
export async function verifyKbJwt(kbJwt: string, sdHashInput: string, holderKey: PublicKey, check: KbCheck): Promise<Verdict<KbPayload>> {
  let jws: CompactJws
  try {
    jws = parseCompactJws(kbJwt, { typ: KB_JWT_TYP, maxLength: 8192 })
  } catch (e) {
    const f = failFrom(e)
    return f.code === 'ERR_JWS_TYP_MISMATCH' ? fail('ERR_KB_MALFORMED', f.detail) : f
  }
  const p = jws.payload
  if (!isNumericDate(p.iat) || typeof p.aud !== 'string' || typeof p.nonce !== 'string' || typeof p.sd_hash !== 'string') {
    return fail('ERR_KB_MALFORMED', 'KB-JWT needs iat, aud, nonce and sd_hash of the right types')
  }
  const sig = await checkJwsSignature(jws, holderKey)
  if (!sig.ok) return sig.code === 'ERR_JWS_SIGNATURE_INVALID' || sig.code === 'ERR_KEY_ALG_MISMATCH' ? fail('ERR_KB_SIGNATURE_INVALID', sig.detail) : sig
  if (p.sd_hash !== sha256B64(sdHashInput)) return fail('ERR_KB_SD_HASH_MISMATCH', 'sd_hash does not match the presented SD-JWT')
  if (check.expect) {
    if (p.nonce !== check.expect.nonce) return fail('ERR_KB_NONCE_MISMATCH', 'nonce is not the expected one')
    if (p.aud !== check.expect.aud) return fail('ERR_KB_AUD_MISMATCH', 'aud is not this verifier')
  }
  if (p.iat > check.now + check.skewSeconds) return fail('ERR_KB_IAT_OUT_OF_WINDOW', 'KB-JWT issued in the future')
  if (p.iat < check.now - check.maxAgeSeconds - check.skewSeconds) return fail('ERR_KB_IAT_OUT_OF_WINDOW', 'KB-JWT is too old')
  return ok({ iat: p.iat, aud: p.aud, nonce: p.nonce, sd_hash: p.sd_hash })
}
