/**
 * Verifying one ledger entry against the registry as it stands: what the log server runs
 * before it sequences an entry and what every reader runs again while folding (design §5:
 * "Each entry is checked before it is sequenced (signature, authority, monotonic versions); a
 * bad entry is refused with a code and never enters the tree").
 *
 * Order: size cap → strict parse (entry.ts) → time sanity → authority (rules.ts) → signature →
 * replay and monotonicity (rules.ts). A verdict, never a throw on attacker bytes.
 *
 * Time: only checks that get no stricter as the clock moves on are made here, so an entry the
 * server accepted stays acceptable to a reader folding the log years later: the entry's own
 * time (iat, or validFrom for a VC-JWT) must not be in the future beyond the skew
 * (ERR_TIME_NOT_YET_VALID). Expiry is never a reason to refuse a ledger entry: an accreditation
 * that has since lapsed is still history; it is judged when used (state.ts checkIssuer).
 * Root-signed VC-JWTs are therefore verified by verifyVcJwt AS OF their own validFrom (which
 * lies inside their validity by construction), so the VC layer's own checks all run without
 * the reader's clock making a historical entry fail.
 */
import { fail, failFrom, ok, type Verdict } from '../errors.ts'
import { checkJwsSignature } from '../jose/jws.ts'
import { verifyVcJwt } from '../vc/vc-jwt.ts'
import { publicKeyOf } from './_keys.ts'
import { MAX_ENTRY_BYTES, parseEntryJws, type ParsedEntry, type RegistryEntry } from './entry.ts'
import { signingAuthority, stateProblem } from './rules.ts'
import { registryClock, type RegistryState, type StandingOptions } from './state.ts'

export type VerifyEntryOptions = StandingOptions

function entryTime(entry: RegistryEntry): number {
  return entry.type === 'issuer-accreditation' || entry.type === 'verifier-registration' ? entry.validFrom : entry.iat
}

/**
 * Verify `bytes` as the next entry of the log whose registry is `state`. Codes: everything
 * parseEntry throws; ERR_TIME_NOT_YET_VALID; ERR_REG_NOT_AUTHORIZED, ERR_REG_UNKNOWN_ISSUER,
 * ERR_REG_UNKNOWN_ENTITY, ERR_REG_ISSUER_SUSPENDED, ERR_REG_VERIFIER_SUSPENDED,
 * ERR_REG_EXPIRED, ERR_REG_KEY_REVOKED, ERR_JWS_KEY_UNKNOWN, ERR_JWS_HEADER_INVALID
 * (authority); ERR_JWS_SIGNATURE_INVALID / ERR_JWS_SIGNATURE_MALFORMED / ERR_KEY_ALG_MISMATCH,
 * and for VC-JWTs ERR_VC_* (signature); ERR_REG_REPLAY, ERR_REG_VERSION_NOT_INCREASING,
 * ERR_REG_STALE, ERR_REG_ROLE_CONFLICT, ERR_REG_KEY_UNKNOWN, ERR_REG_KID_REUSED, ERR_REG_LIMIT
 * (state). Throws TypeError only for a bad clock or a non-bytes argument (our caller's bug).
 */
export async function verifyEntry(state: RegistryState, bytes: Uint8Array, options: VerifyEntryOptions): Promise<Verdict<RegistryEntry>> {
  const { now, skew } = registryClock(options)
  if (typeof state !== 'object' || state === null || typeof state.root !== 'object') throw new TypeError('state must be a RegistryState')
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array')
  if (bytes.length > MAX_ENTRY_BYTES) return fail('ERR_REG_ENTRY_TOO_LARGE', `entry of ${bytes.length} bytes > ${MAX_ENTRY_BYTES}`)

  let parsed: ParsedEntry
  try {
    parsed = parseEntryJws(bytes)
  } catch (e) {
    return failFrom(e)
  }
  const { entry, jws } = parsed

  const t = entryTime(entry)
  if (t > now + skew) return fail('ERR_TIME_NOT_YET_VALID', `${entry.type} dated ${t}, in the future (now ${Math.floor(now)})`)

  const authority = signingAuthority(state, entry)
  if (!authority.ok) return authority

  if (entry.type === 'issuer-accreditation' || entry.type === 'verifier-registration') {
    // VCDM 1.1 §6.3.1 via did-jwt-vc, with the root's did:key / did:jwk resolved locally.
    const vc = await verifyVcJwt(entry.jws, { now: entry.validFrom, skewSeconds: 0, maxLength: MAX_ENTRY_BYTES })
    if (!vc.ok) return vc
    if (vc.value.kid !== authority.value.kid) return fail('ERR_JWS_KEY_UNKNOWN', 'verified under another key than the root key')
  } else {
    let sig: Verdict<true>
    try {
      sig = await checkJwsSignature(jws, publicKeyOf(authority.value.jwk))
    } catch (e) {
      return failFrom(e)
    }
    if (!sig.ok) return sig
  }

  const problem = stateProblem(state, entry)
  if (problem) return problem
  return ok(entry)
}
