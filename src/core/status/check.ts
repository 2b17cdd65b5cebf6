/**
 * A credential's status, established offline from what the verifier already holds (design §4:
 * no fetch during verification): the credential's `status` claim, a status list token fetched
 * earlier from any mirror, and the trust registry folded from the ledger.
 *
 * Owns: `parseStatusReference` (the Referenced Token's `status.status_list.{idx, uri}`,
 * draft-ietf-oauth-status-list §6.2) and `checkCredentialStatus`, which runs §8.3's validation
 * with one rule the draft leaves to ecosystems (§11.3, §12): the token must be the one whose
 * SHA-256 its issuer anchored on the ledger for that URI. A status server therefore cannot show
 * different lists to different verifiers, and a mirror can only serve the anchored bytes.
 *
 * Fail closed: anything that keeps the status from being established is `unknown` with a code,
 * never `valid`. Order, cheapest first, and nothing is inflated before the token is known to be
 * the anchored, signed one:
 *  1. the reference parses (ERR_STATUS_REF_INVALID) and a token is at hand (ERR_STATUS_LIST_MISSING);
 *  2. the registry has an anchor for the URI (ERR_STATUS_NOT_ANCHORED) made by the credential's
 *     issuer (ERR_STATUS_ISSUER_MISMATCH), not older than its ttl (ERR_STATUS_STALE);
 *  3. base64url SHA-256 of the exact token bytes is the anchored digest (ERR_STATUS_NOT_ANCHORED);
 *  4. the token verifies (token.ts: signature, sub = uri, time, ttl, the list decodes) and any
 *     `iss` in it is the credential's issuer (ERR_STATUS_ISSUER_MISMATCH);
 *  5. idx is inside the list (ERR_STATUS_INDEX_OUT_OF_RANGE, §8.3 step 6) and its value is one
 *     of VALID, INVALID, SUSPENDED (ERR_STATUS_VALUE_UNSUPPORTED, §7.1: 0x03 and 0x0C–0x0F are
 *     application-specific, whose meaning this wallet does not know).
 * The credential itself (its signature, exp) is verified before this (§8.3: its processing
 * rules precede any evaluation of its status).
 */
import { isJsonObject } from '../bytes/json.ts'
import { decodeUtf8 } from '../bytes/utf8.ts'
import { InputError, type ErrorCode } from '../errors.ts'
import type { PublicKey } from '../crypto/keys.ts'
import type { JwsKeyResolver } from '../jose/jws.ts'
import { MAX_NUMERIC_DATE } from '../jose/time.ts'
import { statusListDigest } from '../registry/digest.ts'
import { statusAnchor, type RegistryState } from '../registry/state.ts'
import { STATUS_INVALID, STATUS_SUSPENDED, STATUS_VALID } from './list.ts'
import { DEFAULT_STATUS_SKEW_SECONDS, verifyStatusListToken } from './token.ts'

export type CredentialStatus =
  | { state: 'valid' }
  | { state: 'revoked' }
  | { state: 'suspended' }
  | { state: 'unknown'; code: ErrorCode; detail: string }

export interface StatusReference {
  idx: number
  uri: string
}

/** Longest status list URI accepted (the registry's URIs are far shorter). */
const MAX_URI_LENGTH = 2048
/** An absolute URI (RFC 3986 §4.3): scheme, colon, then printable ASCII without spaces. */
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[\x21-\x7e]+$/

/**
 * The credential's `status` claim (§6.2): `{ status_list: { idx, uri } }`, other members of
 * either object ignored (§6.1: other status mechanisms may add theirs). Throws InputError
 * ERR_STATUS_REF_INVALID.
 */
export function parseStatusReference(status: unknown): StatusReference {
  const bad = (why: string): never => {
    throw new InputError('ERR_STATUS_REF_INVALID', `status claim: ${why}`)
  }
  if (!isJsonObject(status)) bad('missing or not an object')
  const ref = (status as Record<string, unknown>).status_list
  if (!isJsonObject(ref)) bad('status_list is missing or not an object')
  const { idx, uri } = ref as Record<string, unknown>
  if (typeof idx !== 'number' || !Number.isSafeInteger(idx) || idx < 0) bad('idx is not a non-negative integer')
  if (typeof uri !== 'string' || uri.length > MAX_URI_LENGTH || !ABSOLUTE_URI.test(uri)) bad('uri is not an absolute URI')
  return { idx: idx as number, uri: uri as string }
}

export interface CheckCredentialStatusOptions {
  /** The credential's `status` claim as verified (status.status_list.{idx, uri}). */
  status: unknown
  /** The credential's iss: the anchor must be by this issuer. */
  issuer: string
  /** The status list token bytes as fetched, from any mirror (a string is taken as its UTF-8). */
  token: Uint8Array | string
  /** The folded ledger: the list's SHA-256 must be anchored there by that issuer. */
  registry: RegistryState
  issuerKey: PublicKey | JwsKeyResolver
  /** Now, in seconds. */
  now: number
  /** Allowed clock skew for the anchor's and the token's freshness; default 60 s. */
  skewSeconds?: number
  /** Cap on the inflated list; default 16 MiB. */
  maxBytes?: number
}

const unknown = (code: ErrorCode, detail: string): CredentialStatus => ({ state: 'unknown', code, detail })

/** The credential's status; `unknown` with a code whenever it cannot be established. Never throws on attacker data. */
export async function checkCredentialStatus(o: CheckCredentialStatusOptions): Promise<CredentialStatus> {
  if (typeof o.issuer !== 'string') throw new TypeError('issuer must be a string')
  if (typeof o.now !== 'number' || !Number.isFinite(o.now) || o.now < 0 || o.now > MAX_NUMERIC_DATE) throw new TypeError('now must be seconds since the epoch')
  if (!(o.token instanceof Uint8Array) && typeof o.token !== 'string') throw new TypeError('token must be bytes or a string')
  if (!isJsonObject(o.registry) || !isJsonObject(o.registry.anchors)) throw new TypeError('registry must be a RegistryState')
  const skew = o.skewSeconds ?? DEFAULT_STATUS_SKEW_SECONDS
  if (typeof skew !== 'number' || !Number.isFinite(skew) || skew < 0) throw new TypeError('skewSeconds must be a finite number ≥ 0')

  // 1. The reference, and a token to judge.
  let ref: StatusReference
  try {
    ref = parseStatusReference(o.status)
  } catch (e) {
    if (e instanceof InputError) return unknown(e.code, e.detail)
    throw e
  }
  if (o.token.length === 0) return unknown('ERR_STATUS_LIST_MISSING', `no status list token for ${ref.uri.slice(0, 120)}`)

  // 2. The ledger's anchor for the URI: by this issuer, fresh.
  const anchor = statusAnchor(o.registry, ref.uri)
  if (!anchor) return unknown('ERR_STATUS_NOT_ANCHORED', `no status anchor on the ledger for ${ref.uri.slice(0, 120)}`)
  if (anchor.iss !== o.issuer) return unknown('ERR_STATUS_ISSUER_MISMATCH', `${ref.uri.slice(0, 120)} is anchored by ${anchor.iss}, not the credential's issuer ${o.issuer.slice(0, 120)}`)
  if (anchor.iat + anchor.ttl < o.now - skew) return unknown('ERR_STATUS_STALE', `the ledger's anchor of ${ref.uri.slice(0, 120)} (version ${anchor.version}) went stale at ${anchor.iat + anchor.ttl}`)

  // 3. The exact bytes are the anchored ones.
  if (statusListDigest(o.token) !== anchor.digest) return unknown('ERR_STATUS_NOT_ANCHORED', `this token's SHA-256 is not the one anchored for ${ref.uri.slice(0, 120)} (version ${anchor.version})`)

  // 4. The token itself.
  let text: string
  try {
    text = typeof o.token === 'string' ? o.token : decodeUtf8(o.token, 'status list token')
  } catch (e) {
    if (e instanceof InputError) return unknown(e.code, e.detail)
    throw e
  }
  const verified = await verifyStatusListToken(text, { key: o.issuerKey, uri: ref.uri, now: o.now, skewSeconds: skew, maxBytes: o.maxBytes })
  if (!verified.ok) return unknown(verified.code, verified.detail)
  const { list, iss } = verified.value
  if (iss !== undefined && iss !== o.issuer) return unknown('ERR_STATUS_ISSUER_MISMATCH', `the token's iss is ${iss.slice(0, 120)}, not the credential's issuer`)

  // 5. The entry.
  if (ref.idx >= list.size) return unknown('ERR_STATUS_INDEX_OUT_OF_RANGE', `idx ${ref.idx} is beyond the ${list.size} entries of ${ref.uri.slice(0, 120)}`)
  const value = list.get(ref.idx)
  if (value === STATUS_VALID) return { state: 'valid' }
  if (value === STATUS_INVALID) return { state: 'revoked' }
  if (value === STATUS_SUSPENDED) return { state: 'suspended' }
  return unknown('ERR_STATUS_VALUE_UNSUPPORTED', `status 0x${value.toString(16).padStart(2, '0')} at idx ${ref.idx} is not VALID, INVALID or SUSPENDED`)
}
