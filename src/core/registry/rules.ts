/**
 * The registry's rules for accepting an entry, as pure synchronous functions of (state, entry):
 * who must have signed it (`signingAuthority`) and whether it fits what the registry already
 * holds (`stateProblem`). verify.ts adds the clock and the signature; fold.ts applies an entry
 * that passed. Keeping the rules here, apart from crypto, lets foldEntry re-assert them cheaply
 * and keeps the server (before sequencing) and every reader (after) on one rule book.
 *
 * Every rule depends only on the state and the entry, never on the reader's clock, so every
 * honest reader folds the same log into the same registry: an entity-signed entry is checked
 * against the accreditation window with its OWN iat, not with "now".
 *
 * Authority (design §5):
 * - accreditation, registration, suspension: the governance root only;
 * - status anchor: a current key of an accredited issuer that is not suspended, dated inside
 *   its accreditation, for a URI under its statusListBase that no other issuer has anchored;
 * - key change: the root, or the entity itself with a current key, dated inside its validity,
 *   not suspended; the entity's last key can be revoked only by the root.
 * State (replay and monotonicity):
 * - accreditation/registration: id (jti) never seen for that DID; validFrom later than the
 *   record it supersedes and than any suspension of it; one DID, one role; its keys must not
 *   bring back a revoked key or rebind a kid;
 * - status anchor: version strictly greater than the last for the URI (equal: replay);
 * - key change: add a kid (and key) never held before; revoke a kid currently held;
 * - suspension: names the record in force; once.
 */
import { fail, type Failure, type Verdict } from '../errors.ts'
import { jwkThumbprint, type PublicJwk } from '../crypto/jwk.ts'
import { LIMITS, type RegistryKey } from './_schema.ts'
import type { IssuerAccreditationEntry, KeyChangeEntry, RegistryEntry, VerifierRegistrationEntry } from './entry.ts'
import { entityRecord, type EntityRecordOf, type KeyHistoryItem, type RegistryState } from './state.ts'

export interface SigningKey {
  /** Verification method id. */
  kid: string
  jwk: PublicJwk
}

function rootKey(state: RegistryState, entry: RegistryEntry): Verdict<SigningKey> {
  if (entry.iss !== state.root.did) return fail('ERR_REG_NOT_AUTHORIZED', `${entry.type} must be signed by the governance root, not ${entry.iss.slice(0, 80)}`)
  if (entry.signedBy !== state.root.kid) return fail('ERR_JWS_KEY_UNKNOWN', 'header kid is not the root key')
  return { ok: true, value: { kid: state.root.kid, jwk: state.root.jwk } }
}

function suspendedCode(rec: EntityRecordOf): Failure {
  return rec.role === 'issuer'
    ? fail('ERR_REG_ISSUER_SUSPENDED', `issuer ${rec.did} is suspended`)
    : fail('ERR_REG_VERIFIER_SUSPENDED', `verifier ${rec.did} is suspended`)
}

/** The current key of `rec` that the header kid names (a DID URL under rec.did). */
export function entityKey(rec: EntityRecordOf, signedBy: string): Verdict<SigningKey> {
  if (!signedBy.startsWith(`${rec.did}#`)) return fail('ERR_JWS_HEADER_INVALID', 'kid names a key outside the signer DID')
  const fragment = signedBy.slice(rec.did.length + 1)
  const key = rec.keys.find((k) => k.kid === fragment)
  if (key) return { ok: true, value: { kid: signedBy, jwk: key.jwk } }
  if (rec.keyHistory.some((h) => h.kid === fragment && h.revokedAt !== null)) return fail('ERR_REG_KEY_REVOKED', `key ${fragment} of ${rec.did} is revoked`)
  return fail('ERR_JWS_KEY_UNKNOWN', `${rec.did} holds no key ${fragment.slice(0, 64)}`)
}

/** An entity-signed entry must be dated inside the signer's validity (its own iat: clock-free). */
function withinValidity(rec: EntityRecordOf, iat: number): Failure | null {
  if (iat < rec.validFrom || iat >= rec.validUntil) return fail('ERR_REG_EXPIRED', `${rec.did} signed at ${iat}, outside [${rec.validFrom}, ${rec.validUntil})`)
  return null
}

/**
 * The key that must have signed `entry`, per the registry as it stands, or why nobody with
 * authority could have. Never throws.
 */
export function signingAuthority(state: RegistryState, entry: RegistryEntry): Verdict<SigningKey> {
  switch (entry.type) {
    case 'issuer-accreditation':
    case 'verifier-registration':
    case 'suspension':
      return rootKey(state, entry)
    case 'status-anchor': {
      const rec = Object.hasOwn(state.issuers, entry.iss) ? state.issuers[entry.iss]! : null
      if (!rec) {
        return Object.hasOwn(state.verifiers, entry.iss)
          ? fail('ERR_REG_NOT_AUTHORIZED', `${entry.iss} is a verifier; only issuers anchor status lists`)
          : fail('ERR_REG_UNKNOWN_ISSUER', `${entry.iss.slice(0, 80)} is not an accredited issuer`)
      }
      if (rec.suspended) return suspendedCode(rec)
      const key = entityKey(rec, entry.signedBy)
      if (!key.ok) return key
      const dated = withinValidity(rec, entry.iat)
      if (dated) return dated
      if (rec.statusListBase === null || !entry.uri.startsWith(rec.statusListBase)) {
        return fail('ERR_REG_NOT_AUTHORIZED', `${entry.uri.slice(0, 120)} is not under ${rec.did}'s status list base`)
      }
      const last = Object.hasOwn(state.anchors, entry.uri) ? state.anchors[entry.uri]! : null
      if (last && last.iss !== entry.iss) return fail('ERR_REG_NOT_AUTHORIZED', `${entry.uri.slice(0, 120)} is anchored by ${last.iss}`)
      return key
    }
    case 'key-change': {
      if (entry.iss !== state.root.did && entry.iss !== entry.sub) return fail('ERR_REG_NOT_AUTHORIZED', `a key change for ${entry.sub} signed by ${entry.iss.slice(0, 80)}`)
      const rec = entityRecord(state, entry.sub)
      if (!rec) return fail('ERR_REG_UNKNOWN_ENTITY', `${entry.sub} is neither accredited nor registered`)
      if (entry.iss === state.root.did) return rootKey(state, entry)
      if (rec.suspended) return suspendedCode(rec)
      const key = entityKey(rec, entry.signedBy)
      if (!key.ok) return key
      const dated = withinValidity(rec, entry.iat)
      if (dated) return dated
      if (entry.action === 'revoke' && rec.keys.length === 1 && rec.keys[0]!.kid === entry.kid) {
        return fail('ERR_REG_NOT_AUTHORIZED', `only the root may revoke the last key of ${rec.did}`)
      }
      return key
    }
  }
}

function historyByKid(history: readonly KeyHistoryItem[], kid: string): KeyHistoryItem | undefined {
  return history.find((h) => h.kid === kid)
}

/** Keys listed by an accreditation / registration against the entity's key history. */
function listedKeysProblem(history: readonly KeyHistoryItem[], keys: readonly RegistryKey[]): Failure | null {
  let added = 0
  for (const k of keys) {
    const tp = jwkThumbprint(k.jwk)
    const byKid = historyByKid(history, k.kid)
    const byKey = history.find((h) => h.thumbprint === tp)
    if (byKid?.revokedAt != null || byKey?.revokedAt != null) return fail('ERR_REG_KEY_REVOKED', `key ${k.kid} was revoked and cannot return`)
    if ((byKid && byKid.thumbprint !== tp) || (byKey && byKey.kid !== k.kid)) return fail('ERR_REG_KID_REUSED', `kid ${k.kid} or its key was bound differently before`)
    if (!byKid) added++
  }
  if (history.length + added > LIMITS.keyHistory) return fail('ERR_REG_LIMIT', `more than ${LIMITS.keyHistory} kids in the key history`)
  return null
}

function credentialProblem(state: RegistryState, entry: IssuerAccreditationEntry | VerifierRegistrationEntry): Failure | null {
  const [mine, other] = entry.type === 'issuer-accreditation' ? [state.issuers, state.verifiers] : [state.verifiers, state.issuers]
  if (Object.hasOwn(other, entry.sub)) return fail('ERR_REG_ROLE_CONFLICT', `${entry.sub} already has the other role`)
  const rec = Object.hasOwn(mine, entry.sub) ? mine[entry.sub]! : null
  if (!rec) return listedKeysProblem([], entry.keys)
  if (rec.credentialIds.includes(entry.id)) return fail('ERR_REG_REPLAY', `${entry.id} was already folded for ${entry.sub}`)
  if (entry.validFrom <= rec.validFrom) return fail('ERR_REG_STALE', `validFrom ${entry.validFrom} is not after the record in force (${rec.validFrom})`)
  if (rec.suspended && entry.validFrom <= rec.suspended.at) return fail('ERR_REG_STALE', `validFrom ${entry.validFrom} is not after the suspension at ${rec.suspended.at}`)
  if (rec.credentialIds.length >= LIMITS.credentialIds) return fail('ERR_REG_LIMIT', `more than ${LIMITS.credentialIds} credentials for ${entry.sub}`)
  return listedKeysProblem(rec.keyHistory, entry.keys)
}

function keyChangeProblem(rec: EntityRecordOf, entry: KeyChangeEntry): Failure | null {
  const byKid = historyByKid(rec.keyHistory, entry.kid)
  if (entry.action === 'revoke') {
    if (byKid && byKid.revokedAt !== null) return fail('ERR_REG_REPLAY', `key ${entry.kid} is already revoked`)
    if (!rec.keys.some((k) => k.kid === entry.kid)) return fail('ERR_REG_KEY_UNKNOWN', `${rec.did} holds no key ${entry.kid}`)
    return null
  }
  const tp = jwkThumbprint(entry.jwk!)
  const byKey = rec.keyHistory.find((h) => h.thumbprint === tp)
  if (byKid?.revokedAt != null || byKey?.revokedAt != null) return fail('ERR_REG_KEY_REVOKED', `key ${entry.kid} was revoked and cannot return`)
  if (byKid && byKey === byKid && rec.keys.some((k) => k.kid === entry.kid)) return fail('ERR_REG_REPLAY', `key ${entry.kid} is already held`)
  if (byKid || byKey) return fail('ERR_REG_KID_REUSED', `kid ${entry.kid} or its key was used before by ${rec.did}`)
  if (rec.keys.length >= LIMITS.keys) return fail('ERR_REG_LIMIT', `${rec.did} already holds ${LIMITS.keys} keys`)
  if (rec.keyHistory.length >= LIMITS.keyHistory) return fail('ERR_REG_LIMIT', `more than ${LIMITS.keyHistory} kids in the key history`)
  return null
}

/** Whether `entry` fits what the registry holds (replay, versions, key rules); null when it does. Never throws. */
export function stateProblem(state: RegistryState, entry: RegistryEntry): Failure | null {
  switch (entry.type) {
    case 'issuer-accreditation':
    case 'verifier-registration':
      return credentialProblem(state, entry)
    case 'status-anchor': {
      const last = Object.hasOwn(state.anchors, entry.uri) ? state.anchors[entry.uri]! : null
      if (!last) return null
      if (entry.version === last.version) return fail('ERR_REG_REPLAY', `version ${entry.version} of ${entry.uri.slice(0, 120)} is already anchored`)
      if (entry.version < last.version) return fail('ERR_REG_VERSION_NOT_INCREASING', `version ${entry.version} < ${last.version} for ${entry.uri.slice(0, 120)}`)
      return null
    }
    case 'key-change': {
      const rec = entityRecord(state, entry.sub)
      if (!rec) return fail('ERR_REG_UNKNOWN_ENTITY', `${entry.sub} is neither accredited nor registered`)
      return keyChangeProblem(rec, entry)
    }
    case 'suspension': {
      const rec = entityRecord(state, entry.sub)
      if (!rec) return fail('ERR_REG_UNKNOWN_ENTITY', `${entry.sub} is neither accredited nor registered`)
      if (rec.suspended && rec.suspended.credentialId === entry.revokes) return fail('ERR_REG_REPLAY', `${entry.revokes} is already revoked`)
      if (entry.revokes !== rec.credentialId) return fail('ERR_REG_STALE', `${entry.revokes.slice(0, 80)} is not the record in force for ${rec.did}`)
      return null
    }
  }
}
