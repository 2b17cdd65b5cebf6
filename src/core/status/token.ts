/**
 * The Status List Token in JWT format (draft-ietf-oauth-status-list §5.1): a compact JWS with
 * header `typ: statuslist+jwt` and claims `sub` (the list's URI, equal to the Referenced
 * Token's `status.status_list.uri`), `iat`, optional `exp` and `ttl` (seconds a copy may be
 * used before a fresh one is needed), optional `iss`, and `status_list` (list.ts, §4.2).
 *
 * Owns: making the token (issuers) and verifying one (wallets, counters). Verification follows
 * §8.3 steps 3–5 and returns a verdict, never throwing on attacker data; in order: the JWS
 * (length cap first, strict parse, typ, allow-listed alg, signature: jose/jws.ts), the claims'
 * shape, `sub` against the expected URI, time (`iat` required and not in the future, `exp`,
 * then freshness: stale once iat + ttl is past — §13.7's "check for updates at iat + ttl", the
 * stricter reading, because a verifier here may be offline), and only then the list is
 * decoded, so an unsigned or stale token costs no inflate.
 */
import type { JsonObject } from '../bytes/json.ts'
import { fail, failFrom, ok, type Verdict } from '../errors.ts'
import type { PublicKey, Signer } from '../crypto/keys.ts'
import { signCompactJws, verifyCompactJws, type JwsKeyResolver } from '../jose/jws.ts'
import { MAX_NUMERIC_DATE, checkTimeClaims, isNumericDate } from '../jose/time.ts'
import { StatusList, decodeStatusList, encodeStatusList, maxLstLength, statusListCap } from './list.ts'

export const STATUS_LIST_TYP = 'statuslist+jwt'
/** Default clock skew for iat, exp and ttl, in seconds. */
export const DEFAULT_STATUS_SKEW_SECONDS = 60
/** Room in a token for its header, the other claims and the signature, besides `lst`. */
const TOKEN_OVERHEAD = 16 * 1024

export interface StatusListTokenInput {
  list: StatusList
  /** The list's URI: becomes `sub`, and every credential on the list names it as status_list.uri. */
  uri: string
  /** Seconds. */
  iat: number
  /** Seconds; after iat. */
  exp?: number
  /** Seconds, > 0. */
  ttl?: number
  signer: Signer
  /** Header kid: the verification method that signs (for a did:web issuer `<did>#<fragment>`). */
  kid?: string
  iss?: string
}

const isPositiveSeconds = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0 && v <= MAX_NUMERIC_DATE

/** Sign a status list token. Bad arguments are our caller's bug: TypeError / RangeError. */
export async function createStatusListToken(o: StatusListTokenInput): Promise<string> {
  if (!(o.list instanceof StatusList)) throw new TypeError('list must be a StatusList')
  if (typeof o.uri !== 'string' || o.uri.length === 0) throw new TypeError('uri must be a non-empty string')
  if (!isNumericDate(o.iat) || !Number.isInteger(o.iat)) throw new RangeError('iat must be whole seconds since the epoch')
  if (o.exp !== undefined && (!isNumericDate(o.exp) || !Number.isInteger(o.exp) || o.exp <= o.iat)) throw new RangeError('exp must be whole seconds after iat')
  if (o.ttl !== undefined && !isPositiveSeconds(o.ttl)) throw new RangeError('ttl must be a positive whole number of seconds')
  if (o.kid !== undefined && typeof o.kid !== 'string') throw new TypeError('kid must be a string')
  if (o.iss !== undefined && typeof o.iss !== 'string') throw new TypeError('iss must be a string')
  const payload: Record<string, unknown> = {}
  if (o.iss !== undefined) payload.iss = o.iss
  payload.sub = o.uri
  payload.iat = o.iat
  if (o.exp !== undefined) payload.exp = o.exp
  if (o.ttl !== undefined) payload.ttl = o.ttl
  payload.status_list = await encodeStatusList(o.list)
  const header: Record<string, unknown> = { typ: STATUS_LIST_TYP }
  if (o.kid !== undefined) header.kid = o.kid
  return signCompactJws(header, payload, o.signer)
}

export interface VerifyStatusListTokenOptions {
  /** The Status Issuer's key, or a resolver that picks it from the (unverified) header and payload. */
  key: PublicKey | JwsKeyResolver
  /** The URI the Referenced Token names (status.status_list.uri); `sub` must equal it exactly. */
  uri: string
  /** Now, in seconds. */
  now: number
  /** Default 60 s. */
  skewSeconds?: number
  /** Cap on the inflated list; default 16 MiB (list.ts). The token's length is capped to match. */
  maxBytes?: number
}

export interface VerifiedStatusListToken {
  list: StatusList
  iat: number
  exp?: number
  ttl?: number
  sub: string
  /** The token's `iss`, when it has one. */
  iss?: string
  header: JsonObject
}

/**
 * Verify a statuslist+jwt and decode its list. Failure codes: ERR_JWS_* (shape, size, typ,
 * alg, key, signature), ERR_STATUS_TOKEN_INVALID, ERR_STATUS_URI_MISMATCH,
 * ERR_TIME_CLAIM_INVALID / ERR_TIME_EXPIRED / ERR_TIME_NOT_YET_VALID, ERR_STATUS_STALE,
 * and list.ts's codes for `status_list`.
 */
export async function verifyStatusListToken(token: string, o: VerifyStatusListTokenOptions): Promise<Verdict<VerifiedStatusListToken>> {
  if (typeof o.now !== 'number' || !Number.isFinite(o.now) || o.now < 0 || o.now > MAX_NUMERIC_DATE) throw new TypeError('now must be seconds since the epoch')
  const skew = o.skewSeconds ?? DEFAULT_STATUS_SKEW_SECONDS
  if (typeof skew !== 'number' || !Number.isFinite(skew) || skew < 0) throw new TypeError('skewSeconds must be a finite number ≥ 0')
  if (typeof o.uri !== 'string') throw new TypeError('uri must be a string')
  const cap = statusListCap({ maxBytes: o.maxBytes })
  if (typeof token !== 'string') return fail('ERR_JWS_MALFORMED', 'the status list token is not text')

  const jws = await verifyCompactJws(token, o.key, { typ: STATUS_LIST_TYP, maxLength: maxLstLength(cap) + TOKEN_OVERHEAD })
  if (!jws.ok) return jws
  const { header, payload: p } = jws.value

  if (typeof p.sub !== 'string' || p.sub.length === 0) return fail('ERR_STATUS_TOKEN_INVALID', 'sub is missing or not a string')
  if (p.iss !== undefined && typeof p.iss !== 'string') return fail('ERR_STATUS_TOKEN_INVALID', 'iss is not a string')
  if (p.status_list === undefined) return fail('ERR_STATUS_TOKEN_INVALID', 'status_list is missing')
  if (p.ttl !== undefined && !isPositiveSeconds(p.ttl)) return fail('ERR_STATUS_TOKEN_INVALID', 'ttl is not a positive whole number of seconds')
  // §8.3 step 4a: simple string comparison (RFC 3986 §6.2.1).
  if (p.sub !== o.uri) return fail('ERR_STATUS_URI_MISMATCH', `the token is for ${p.sub.slice(0, 120)}, not ${o.uri.slice(0, 120)}`)
  const time = checkTimeClaims(p, { now: o.now, skewSeconds: skew, require: ['iat'] })
  if (!time.ok) return time
  const iat = p.iat as number
  const ttl = p.ttl as number | undefined
  if (ttl !== undefined && iat + ttl < o.now - skew) return fail('ERR_STATUS_STALE', `the list was issued at ${iat} and went stale ${ttl} s later`)

  let list: StatusList
  try {
    list = await decodeStatusList(p.status_list, { maxBytes: cap })
  } catch (e) {
    return failFrom(e)
  }
  const value: VerifiedStatusListToken = { list, iat, sub: p.sub, header }
  if (p.exp !== undefined) value.exp = p.exp as number
  if (ttl !== undefined) value.ttl = ttl
  if (p.iss !== undefined) value.iss = p.iss
  return ok(value)
}
