/**
 * Verification of an SD-JWT or SD-JWT+KB (RFC 9901 §7.1, §7.3), optionally under the SD-JWT VC
 * profile (draft-ietf-oauth-sd-jwt-vc: typ `dc+sd-jwt`, `vct`, `iss`, `cnf`, `status`, time
 * claims never selectively disclosable). Returns a verdict and never throws on attacker data.
 *
 * Order: caps → strict parse of every part → issuer signature(s) → `_sd_alg` → disclosure
 * processing → time claims → profile → key binding. Keys come only from the caller; nothing
 * here touches the network.
 */
import { isJsonObject, type JsonObject } from '../bytes/json.ts'
import { fail, failFrom, type Failure, type Verdict } from '../errors.ts'
import { checkJwsSignature, parseCompactJws, type CompactJws, type JwsKeyResolver } from '../jose/jws.ts'
import { assertNow, checkTimeClaims } from '../jose/time.ts'
import type { PublicKey } from '../crypto/keys.ts'
import { parseDisclosure } from './disclosure.ts'
import { holderKeyOf, verifyKbJwt, type KbExpectation, type KbPayload } from './kb.ts'
import { DEFAULT_SD_JWT_LIMITS, type SdJwtLimits } from './limits.ts'
import { processPayload, type DisclosedClaim } from './process.ts'
import { parseSdJwt } from './serialization.ts'

export const SD_JWT_VC_TYP = 'dc+sd-jwt'

/** Claims that SD-JWT VC never lets be selectively disclosable, nor disclosed. */
export const SD_JWT_VC_PLAIN_CLAIMS: readonly string[] = ['iss', 'iat', 'nbf', 'exp', 'cnf', 'vct', 'vct#integrity', 'status']

export type SdJwtProfile = 'sd-jwt-vc' | 'sd-jwt'

export interface VerifySdJwtOptions {
  /** The issuer's key, or a resolver that picks it from the (still unverified) header and payload. */
  issuerKey: PublicKey | JwsKeyResolver
  /**
   * Key binding: the nonce and audience this verifier expects, or the explicit opt-out
   * 'not-required' (a KB-JWT that is present is then still checked, except nonce and aud).
   */
  keyBinding: KbExpectation | 'not-required'
  /** Now, in seconds since the epoch. */
  now: number
  /** Default 'sd-jwt-vc'. */
  profile?: SdJwtProfile
  /** Required issuer JWT typ for the plain 'sd-jwt' profile (the VC profile requires dc+sd-jwt). */
  typ?: string
  /** Allowed clock skew for exp/nbf/iat and the KB-JWT, default 60 s. */
  skewSeconds?: number
  /** Oldest KB-JWT iat accepted, default 300 s. */
  kbMaxAgeSeconds?: number
  limits?: Partial<SdJwtLimits>
}

export interface VerifiedSdJwt {
  /** The processed payload: disclosed claims in place, `_sd`, `_sd_alg` and `...` removed. */
  claims: JsonObject
  header: JsonObject
  disclosed: DisclosedClaim[]
  kb: KbPayload | undefined
}

export async function verifySdJwt(input: string, options: VerifySdJwtOptions): Promise<Verdict<VerifiedSdJwt>> {
  if (typeof input !== 'string') return fail('ERR_SDJWT_MALFORMED', 'not a string')
  const limits: SdJwtLimits = { ...DEFAULT_SD_JWT_LIMITS, ...options.limits }
  const profile = options.profile ?? 'sd-jwt-vc'
  assertNow(options.now, options.skewSeconds, 'verifySdJwt')
  const skewSeconds = options.skewSeconds ?? 60
  const kbExpect = options.keyBinding === 'not-required' ? undefined : options.keyBinding
  if (options.keyBinding !== 'not-required' && (typeof kbExpect?.nonce !== 'string' || typeof kbExpect.aud !== 'string')) {
    throw new TypeError('verifySdJwt: keyBinding must be { nonce, aud } or the opt-out "not-required"')
  }

  let jwts: CompactJws[]
  let parts
  try {
    parts = parseSdJwt(input, limits)
    const typ = profile === 'sd-jwt-vc' ? SD_JWT_VC_TYP : options.typ
    jwts = parts.jwts.map((j, i) => {
      const jws = parseCompactJws(j, { typ, maxLength: limits.maxLength })
      const unprotected = parts!.unprotected[i]
      if (unprotected) jws.unprotected = unprotected
      return jws
    })
  } catch (e) {
    return failFrom(e)
  }

  const payload = jwts[0]!.payload
  const kbCheck = { expect: kbExpect, now: options.now, skewSeconds, maxAgeSeconds: options.kbMaxAgeSeconds ?? 300 }

  // Issuer signature(s). With the general JSON serialization every signature must verify.
  const sigChecks = jwts.map(async (jws): Promise<Failure | null> => {
    let key: PublicKey | null
    try {
      key = typeof options.issuerKey === 'function' ? await options.issuerKey(jws) : options.issuerKey
    } catch (e) {
      return failFrom(e)
    }
    if (!key) return fail('ERR_JWS_KEY_UNKNOWN', 'no trusted key for the issuer')
    const sig = await checkJwsSignature(jws, key)
    return sig.ok ? null : sig
  })

  // The KB-JWT check starts now, beside the issuer's (already dispatched), when the holder key sits in the clear in
  // the payload (always so under SD-JWT VC). Its outcome is read only after the issuer signature
  // has verified, i.e. once that cnf.jwk is known to be the issuer's word.
  let earlyKb: Promise<Verdict<KbPayload>> | undefined
  if (parts.kbJwt !== undefined && isJsonObject(payload.cnf)) {
    const holder = holderKeyOf(payload)
    earlyKb = holder.ok ? verifyKbJwt(parts.kbJwt, parts.sdHashInput, holder.value, kbCheck) : Promise.resolve(holder)
  }

  // Disclosures are decoded and processed while the signatures compute; a failure here is
  // reported only after the signatures, so a forged token never gets a more specific answer.
  let processed: Failure | { claims: JsonObject; disclosed: DisclosedClaim[] }
  if (payload._sd_alg !== undefined && payload._sd_alg !== 'sha-256') {
    // §7.1 step 3: the hash algorithm. Absent means sha-256; only sha-256 is supported.
    processed = fail('ERR_SDJWT_SD_ALG', typeof payload._sd_alg === 'string' ? `unsupported _sd_alg ${payload._sd_alg.slice(0, 32)}` : '_sd_alg is not a string')
  } else {
    try {
      const disclosures = parts.disclosures.map((d) => parseDisclosure(d, limits.maxDepth))
      processed = processPayload(payload, disclosures, limits.maxDepth)
    } catch (e) {
      processed = failFrom(e)
    }
  }

  // Each check is awaited in order below; none may go unobserved if an earlier one fails.
  for (const c of sigChecks) c.catch(() => undefined)
  earlyKb?.catch(() => undefined)
  for (const c of sigChecks) {
    const f = await c
    if (f) return f
  }
  if ('ok' in processed) return processed
  const { claims, disclosed } = processed

  if (profile === 'sd-jwt-vc') {
    // Neither these claims nor anything inside them (cnf.jwk, status.status_list) may come from a
    // disclosure: a holder could otherwise withhold the status reference or the binding key.
    for (const d of disclosed) {
      if (SD_JWT_VC_PLAIN_CLAIMS.includes(d.path[0] as string)) {
        return fail('ERR_SDVC_CLAIM_DISCLOSABLE', `${d.path.join('.')} must not be selectively disclosable`)
      }
    }
    if (typeof claims.iss !== 'string' || claims.iss.length === 0) return fail('ERR_SDVC_CLAIM_MISSING', 'iss is missing')
    if (typeof claims.vct !== 'string' || claims.vct.length === 0) return fail('ERR_SDVC_CLAIM_MISSING', 'vct is missing')
    if (claims.status !== undefined && !isJsonObject(claims.status)) return fail('ERR_SDVC_CLAIM_MISSING', 'status is not an object')
  }
  const time = checkTimeClaims(claims, { now: options.now, skewSeconds })
  if (!time.ok) return time

  // Key binding (§7.3): required unless the caller opted out by name.
  let kb: KbPayload | undefined
  if (parts.kbJwt === undefined) {
    if (kbExpect) return fail('ERR_KB_REQUIRED', 'key binding is required and no KB-JWT was presented')
  } else {
    let r: Verdict<KbPayload>
    if (earlyKb) r = await earlyKb
    else {
      const holder = holderKeyOf(claims)
      if (!holder.ok) return holder
      r = await verifyKbJwt(parts.kbJwt, parts.sdHashInput, holder.value, kbCheck)
    }
    if (!r.ok) return r
    kb = r.value
  }
  return { ok: true, value: { claims, header: jwts[0]!.header, disclosed, kb } }
}
