/**
 * Checks shared by VC-JWT and VP-JWT that run BEFORE did-jwt sees a token, so that what the
 * libraries would let through (alg ES256K/Ed25519/none/HS256, duplicate JSON members, padded
 * or non-canonical base64url, `crit`, nested `cty: JWT`, `exp: 0` or string time claims that
 * did-jwt silently skips) is refused with our codes. Also the adapter from our Signer to a
 * did-jwt Signer.
 */
import type { Signer as DidJwtSigner } from 'did-jwt'
import { encodeBase64url } from '../bytes/base64url.ts'
import type { JsonObject } from '../bytes/json.ts'
import { encodeUtf8 } from '../bytes/utf8.ts'
import { fail, failFrom, ok, type Failure, type Verdict } from '../errors.ts'
import type { Signer } from '../crypto/keys.ts'
import { checkJwsSignature, parseCompactJws, type CompactJws } from '../jose/jws.ts'
import { keysForProof, type ProofPurpose, type Resolvable } from './resolver.ts'

/** did-jwt-vc's own bound for a timestamp in seconds (12+ digits looks like milliseconds). */
const MAX_TIME = 100_000_000_000

export const DEFAULT_SKEW_SECONDS = 60

/** A did-jwt Signer over our Signer: did-jwt wants the base64url signature string. */
export function toDidJwtSigner(signer: Signer): DidJwtSigner {
  return async (data) => encodeBase64url(await signer.sign(typeof data === 'string' ? encodeUtf8(data) : data))
}

/**
 * Strict compact JWS parse (jose/jws.ts: size cap, canonical base64url, no duplicate
 * members, alg ∈ {ES256, EdDSA}, no crit, no b64), then the JWT header profile used by
 * did-jwt-vc: `typ` absent or "JWT" (RFC 7519 §5.1), and no `cty` (RFC 7519 §5.2: did-jwt
 * would decode a nested, unsigned inner JWT and did-jwt-vc would report that one).
 */
export function parseJwt(token: unknown, maxLength: number): Verdict<CompactJws> {
  if (typeof token !== 'string') return fail('ERR_JWS_MALFORMED', 'a JWT must be a string')
  let jws: CompactJws
  try {
    jws = parseCompactJws(token, { maxLength })
  } catch (e) {
    return failFrom(e)
  }
  const typ = jws.header.typ
  if (typ !== undefined && typeof typ === 'string' && typ.toLowerCase() !== 'jwt' && typ.toLowerCase() !== 'application/jwt') {
    return fail('ERR_JWS_TYP_MISMATCH', `typ is ${JSON.stringify(typ).slice(0, 40)}, expected "JWT"`)
  }
  if (jws.header.cty !== undefined) return fail('ERR_JWS_HEADER_INVALID', 'cty is not accepted (no nested JWTs)')
  return ok(jws)
}

function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < MAX_TIME
}

/**
 * RFC 7519 §4.1.4-6 with a symmetric skew: exp must be after now − skew, nbf and iat not
 * after now + skew. Absent claims are not checked here (callers say which they require).
 */
export function checkTimes(payload: JsonObject, now: number, skew: number): Verdict<true> {
  for (const name of ['iat', 'nbf', 'exp'] as const) {
    if (payload[name] !== undefined && !isTime(payload[name])) return fail('ERR_TIME_CLAIM_INVALID', `${name} is not an integer number of seconds in range`)
  }
  const { iat, nbf, exp } = payload as { iat?: number; nbf?: number; exp?: number }
  if (exp !== undefined && nbf !== undefined && exp <= nbf) return fail('ERR_TIME_CLAIM_INVALID', 'exp is not after nbf')
  if (exp !== undefined && exp <= now - skew) return fail('ERR_VC_EXPIRED', `expired at ${exp}, now ${now}`)
  if (nbf !== undefined && nbf > now + skew) return fail('ERR_VC_EXPIRED', `not valid before ${nbf}, now ${now}`)
  if (iat !== undefined && iat > now + skew) return fail('ERR_VC_EXPIRED', `issued in the future (${iat}), now ${now}`)
  return ok(true)
}

/**
 * Verify the JWS signature with a key of `did` listed for `purpose`, found through `resolver`
 * (never the header's jwk/jku/x5c). Returns the verification method id that verified.
 * A signature that does not verify is ERR_VC_SIGNATURE_INVALID (VC and VP alike).
 */
export async function checkSignatureOf(jws: CompactJws, did: string, resolver: Resolvable, purpose: ProofPurpose): Promise<Verdict<string>> {
  const keys = await keysForProof(resolver, did, jws.header.kid as string | undefined, purpose)
  if (!keys.ok) return keys
  const usable = keys.value.filter((k) => k.key.alg === jws.alg)
  if (usable.length === 0) return fail('ERR_KEY_ALG_MISMATCH', `${jws.alg} signature but ${did.slice(0, 80)} has no ${jws.alg} key for ${purpose}`)
  let failure: Failure | undefined
  for (const { kid, key } of usable) {
    const v = await checkJwsSignature(jws, key)
    if (v.ok) return ok(kid)
    failure ??= v
  }
  if (failure!.code === 'ERR_JWS_SIGNATURE_INVALID') return fail('ERR_VC_SIGNATURE_INVALID', `signature does not verify under ${did.slice(0, 80)}`)
  return failure!
}

/** Validate the clock/skew arguments; bad values are our callers' bugs (TypeError). */
export function assertClock(now: unknown, skew: unknown): { now: number; skew: number } {
  if (typeof now !== 'number' || !Number.isFinite(now) || now < 0) throw new TypeError('now must be a finite number of seconds')
  if (now >= MAX_TIME) throw new TypeError('now looks like milliseconds; pass seconds')
  const s = skew === undefined ? DEFAULT_SKEW_SECONDS : skew
  if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) throw new TypeError('skewSeconds must be a finite number ≥ 0')
  return { now: Math.floor(now), skew: s }
}

/** An integer seconds argument at issuance (TypeError otherwise). */
export function assertIssueTime(name: string, v: unknown): number {
  if (!isTime(v)) throw new TypeError(`${name} must be an integer number of seconds`)
  return v
}

/** `@context` of a VCDM 1.1 object: an array of strings whose first item is the base context (§4.1). */
export function contextProblem(ctx: unknown): string | null {
  if (!Array.isArray(ctx) || ctx.length === 0 || !ctx.every((c) => typeof c === 'string')) return '@context must be a non-empty array of strings'
  if (ctx[0] !== VC_CONTEXT_V1) return `@context must start with ${VC_CONTEXT_V1}`
  return null
}

/** `type`: an array of strings that includes `base` (VCDM 1.1 §4.3). */
export function typeProblem(type: unknown, base: string): string | null {
  if (!Array.isArray(type) || !type.every((t) => typeof t === 'string')) return 'type must be an array of strings'
  if (!type.includes(base)) return `type must include ${base}`
  return null
}

export const VC_CONTEXT_V1 = 'https://www.w3.org/2018/credentials/v1'
