/**
 * Making ledger entries (the governance root's tooling, the issuer back office, tests). Each
 * `create*Entry` signs one entry and returns its bytes, ready for `POST /add-entry`. Bad
 * arguments are our caller's bug and throw TypeError, naming the ERR_REG_* / ERR_JWK_* reason:
 * key lists are checked BEFORE signing (a private JWK is refused, never signed into a public
 * entry), and every entry is parsed back with parseEntry before it is returned, so what
 * these functions make always parses. Whether the registry will ACCEPT it (authority, versions)
 * is verifyEntry's business.
 *
 * Signers: `{ did, signer, kid? }`. For the root (did:key / did:jwk) kid is derived from the DID;
 * for an issuer or verifier (did:web) kid is the fragment of one of its registered keys.
 */
import { encodeUtf8 } from '../bytes/utf8.ts'
import { CivicError } from '../errors.ts'
import { resolveDidKey } from '../crypto/did.ts'
import { parsePublicJwk, sameJwk, type PublicJwk } from '../crypto/jwk.ts'
import type { Signer } from '../crypto/keys.ts'
import { signCompactJws } from '../jose/jws.ts'
import { statusListDigest } from './digest.ts'
import { issueVcJwt } from '../vc/vc-jwt.ts'
import {
  ISSUER_ACCREDITATION_TYPE, KEY_CHANGE_TYP, STATUS_ANCHOR_TYP, SUSPENSION_TYP, VERIFIER_REGISTRATION_TYPE,
  parseEntry, verificationMethodId, type KeyChangeAction, type LocalizedText, type RegistryEntryType, type RegistryKey,
  type VerifierPurpose,
} from './entry.ts'

export interface EntrySigner {
  did: string
  signer: Signer
  /** did:web signers: the registered key's fragment (`key-2026`). Omitted for did:key / did:jwk. */
  kid?: string
}

function bug(what: string, e: unknown): never {
  if (e instanceof CivicError) throw new TypeError(`${what}: ${e.code}: ${e.detail}`, { cause: e })
  throw e
}

/** The header kid (verification method id) of a signer; TypeError when it cannot be one. */
function headerKid(s: EntrySigner): string {
  if (typeof s !== 'object' || s === null || typeof s.did !== 'string') throw new TypeError('signer must be { did, signer, kid? }')
  if (s.did.startsWith('did:key:') || s.did.startsWith('did:jwk:')) {
    let resolved
    try {
      resolved = resolveDidKey(s.did)
    } catch (e) {
      bug('signer did', e)
    }
    if (!sameJwk(resolved.jwk, s.signer.publicJwk)) throw new TypeError('signer key is not the key of the signer did')
    return resolved.kid
  }
  if (typeof s.kid !== 'string' || s.kid.includes('#')) throw new TypeError('a did:web signer needs kid: the fragment of its registered key')
  return verificationMethodId(s.did, s.kid)
}

function publicKeys(keys: readonly RegistryKey[]): RegistryKey[] {
  if (!Array.isArray(keys)) throw new TypeError('keys must be an array of { kid, jwk }')
  return keys.map((k) => ({ kid: k.kid, jwk: publicJwk(k.jwk) }))
}

function publicJwk(jwk: PublicJwk): PublicJwk {
  try {
    return parsePublicJwk(jwk)
  } catch (e) {
    bug('jwk', e)
  }
}

function checked(text: string, type: RegistryEntryType): Uint8Array<ArrayBuffer> {
  const bytes = encodeUtf8(text)
  let parsed
  try {
    parsed = parseEntry(bytes)
  } catch (e) {
    bug(`${type} entry`, e)
  }
  if (parsed.type !== type) throw new TypeError(`made a ${parsed.type}, not a ${type}`)
  return bytes
}

interface CredentialInput {
  /** The governance root (did:key / did:jwk). */
  root: EntrySigner
  /** The entity's did:web DID. */
  subject: string
  /** Becomes jti; a later suspension names it. */
  id: string
  name: LocalizedText
  keys: RegistryKey[]
  /** Seconds. */
  validFrom: number
  /** Seconds. */
  validUntil: number
}

export interface IssuerAccreditationInput extends CredentialInput {
  vct: string[]
  statusListBase?: string
}

export interface VerifierRegistrationInput extends CredentialInput {
  purposes: VerifierPurpose[]
}

async function credentialEntry(input: CredentialInput, type: string, claims: Record<string, unknown>): Promise<string> {
  headerKid(input.root)
  return issueVcJwt({
    issuer: { did: input.root.did, signer: input.root.signer },
    subjectDid: input.subject,
    type: [type],
    credentialSubject: { name: input.name, keys: publicKeys(input.keys), ...claims },
    id: input.id,
    validFrom: input.validFrom,
    validUntil: input.validUntil,
    now: input.validFrom,
  })
}

/** A root-signed VC-JWT accrediting an issuer (entry type issuer-accreditation). */
export async function createIssuerAccreditationEntry(input: IssuerAccreditationInput): Promise<Uint8Array<ArrayBuffer>> {
  const claims: Record<string, unknown> = { vct: input.vct }
  if (input.statusListBase !== undefined) claims.statusListBase = input.statusListBase
  return checked(await credentialEntry(input, ISSUER_ACCREDITATION_TYPE, claims), 'issuer-accreditation')
}

/** A root-signed VC-JWT registering a verifier (entry type verifier-registration). */
export async function createVerifierRegistrationEntry(input: VerifierRegistrationInput): Promise<Uint8Array<ArrayBuffer>> {
  const purposes = input.purposes.map((p) => ({ id: p.id, name: p.name, vct: p.vct, claims: p.claims, why: p.why, retention: { days: p.retention.days, promise: p.retention.promise }, contact: p.contact }))
  return checked(await credentialEntry(input, VERIFIER_REGISTRATION_TYPE, { purposes }), 'verifier-registration')
}

export interface StatusAnchorInput {
  /** The issuer, signing with one of its registered keys. */
  issuer: EntrySigner
  uri: string
  version: number
  /** The status list token (statuslist+jwt) exactly as served; its SHA-256 is anchored. */
  statusListToken: Uint8Array | string
  /** Seconds. */
  iat: number
  ttl: number
}

/** An issuer-signed status anchor (typ civic-status-anchor+jwt). */
export async function createStatusAnchorEntry(input: StatusAnchorInput): Promise<Uint8Array<ArrayBuffer>> {
  const kid = headerKid(input.issuer)
  const payload = { iss: input.issuer.did, uri: input.uri, version: input.version, digest: statusListDigest(input.statusListToken), iat: input.iat, ttl: input.ttl }
  return checked(await signCompactJws({ typ: STATUS_ANCHOR_TYP, kid }, payload, input.issuer.signer), 'status-anchor')
}

export interface KeyChangeInput {
  /** The root, or the entity itself (with one of its current keys). */
  signer: EntrySigner
  /** The issuer or verifier whose keys change. */
  subject: string
  action: KeyChangeAction
  kid: string
  /** The key to add (action 'add'). */
  jwk?: PublicJwk
  /** Seconds. */
  iat: number
}

/** A key change (typ civic-key-change+jwt). */
export async function createKeyChangeEntry(input: KeyChangeInput): Promise<Uint8Array<ArrayBuffer>> {
  const kid = headerKid(input.signer)
  const payload: Record<string, unknown> = { iss: input.signer.did, sub: input.subject, action: input.action, kid: input.kid }
  if (input.jwk !== undefined) payload.jwk = publicJwk(input.jwk)
  payload.iat = input.iat
  return checked(await signCompactJws({ typ: KEY_CHANGE_TYP, kid }, payload, input.signer.signer), 'key-change')
}

export interface SuspensionInput {
  root: EntrySigner
  subject: string
  /** The id of the entity's accreditation / registration in force. */
  revokes: string
  /** Seconds. */
  iat: number
}

/** A root-signed suspension (typ civic-suspension+jwt). */
export async function createSuspensionEntry(input: SuspensionInput): Promise<Uint8Array<ArrayBuffer>> {
  const kid = headerKid(input.root)
  const payload = { iss: input.root.did, sub: input.subject, revokes: input.revokes, iat: input.iat }
  return checked(await signCompactJws({ typ: SUSPENSION_TYP, kid }, payload, input.root.signer), 'suspension')
}

export { statusListDigest }
