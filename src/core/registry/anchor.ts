/**
 * A status anchor judged against the registry, outside the registry log (design §5, registry
 * and status apart). Anchors live in their own log, which clients never replay: a client
 * fetches the latest anchor of one list with its inclusion proof and checks it here against
 * its own fold of the registry log. The rule is the ledger's own (rules.ts signingAuthority for
 * a status anchor), so an anchor the status log's gate refused is refused by every client too:
 * the issuer is accredited and not suspended, the anchor is signed by a CURRENT key of it (a
 * revoked key voids everything it signed, before or after its revocation), dated inside the
 * accreditation, for a URI under its statusListBase.
 *
 * - `verifyStatusAnchor` (async): strict parse, time sanity, authority, then the signature.
 * - `checkAnchorAuthority` (sync): authority alone, for an anchor whose signature was already
 *   verified, re-judged against a registry that has moved on (a key revoked since, a
 *   suspension) without WebCrypto, so reads of a local cache stay synchronous.
 * Version order per URI is the status log's business (its gate), and a client's, which keeps
 * the newest version it has seen.
 */
import { fail, failFrom, ok, type Verdict } from '../errors.ts'
import { checkJwsSignature } from '../jose/jws.ts'
import { publicKeyOf } from './_keys.ts'
import { MAX_ENTRY_BYTES, parseEntryJws, type ParsedEntry, type StatusAnchorEntry } from './entry.ts'
import { signingAuthority, type SigningKey } from './rules.ts'
import { registryClock, type RegistryState, type StandingOptions } from './state.ts'

/**
 * Whether the registry `state` authorizes `entry` (an already parsed and signature-checked
 * anchor): accredited issuer, not suspended, current key, iat inside the accreditation, URI
 * under its statusListBase. Codes: ERR_REG_UNKNOWN_ISSUER, ERR_REG_NOT_AUTHORIZED,
 * ERR_REG_ISSUER_SUSPENDED, ERR_REG_KEY_REVOKED, ERR_JWS_KEY_UNKNOWN, ERR_JWS_HEADER_INVALID,
 * ERR_REG_EXPIRED. Never throws.
 */
export function checkAnchorAuthority(state: RegistryState, entry: StatusAnchorEntry): Verdict<SigningKey> {
  // The registry log holds no anchors; an anchor map from before the split has no say here.
  return signingAuthority({ ...state, anchors: {} }, entry)
}

/**
 * Verify `entryBytes` as a status anchor against the registry `state`. Codes: parseEntry's,
 * ERR_REG_UNKNOWN_TYPE (another entry type), ERR_TIME_NOT_YET_VALID (iat beyond the skew),
 * checkAnchorAuthority's, ERR_JWS_SIGNATURE_INVALID / ERR_JWS_SIGNATURE_MALFORMED /
 * ERR_KEY_ALG_MISMATCH. Never throws on attacker bytes (TypeError for a bad clock).
 */
export async function verifyStatusAnchor(state: RegistryState, entryBytes: Uint8Array, options: StandingOptions): Promise<Verdict<StatusAnchorEntry>> {
  const { now, skew } = registryClock(options)
  if (!(entryBytes instanceof Uint8Array)) throw new TypeError('entryBytes must be a Uint8Array')
  if (entryBytes.length > MAX_ENTRY_BYTES) return fail('ERR_REG_ENTRY_TOO_LARGE', `entry of ${entryBytes.length} bytes > ${MAX_ENTRY_BYTES}`)
  let parsed: ParsedEntry
  try {
    parsed = parseEntryJws(entryBytes)
  } catch (e) {
    return failFrom(e)
  }
  const { entry, jws } = parsed
  if (entry.type !== 'status-anchor') return fail('ERR_REG_UNKNOWN_TYPE', `a ${entry.type} entry is not a status anchor`)
  if (entry.iat > now + skew) return fail('ERR_TIME_NOT_YET_VALID', `status anchor dated ${entry.iat}, in the future (now ${Math.floor(now)})`)
  const authority = checkAnchorAuthority(state, entry)
  if (!authority.ok) return authority
  let sig: Verdict<true>
  try {
    sig = await checkJwsSignature(jws, publicKeyOf(authority.value.jwk))
  } catch (e) {
    return failFrom(e)
  }
  if (!sig.ok) return sig
  return ok(entry)
}
