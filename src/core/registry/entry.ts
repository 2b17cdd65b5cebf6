/**
 * Ledger entry types and their one strict parser (design §5; issue 3 "Registry").
 *
 * Every entry is the UTF-8 bytes of one compact JWS (RFC 7515 §7.1), at most 65,535 bytes
 * (c2sp.org/tlog-tiles: entries in a bundle carry a big-endian uint16 length). Five types:
 *
 * | type                    | header typ                 | signed by                         |
 * |-------------------------|----------------------------|-----------------------------------|
 * | issuer-accreditation    | `JWT` (VC-JWT, VCDM 1.1)   | the governance root               |
 * | verifier-registration   | `JWT` (VC-JWT, VCDM 1.1)   | the governance root               |
 * | status-anchor           | `civic-status-anchor+jwt`  | a current key of the issuer       |
 * | key-change              | `civic-key-change+jwt`     | the root, or a current key of sub |
 * | suspension              | `civic-suspension+jwt`     | the governance root               |
 *
 * Entries are issuer-level facts only. Every header and payload is read with its exact member
 * set (unknown members refused with ERR_REG_SCHEMA), so no entry can carry anything about a
 * citizen: the only free text is an entity's or purpose's name, a purpose's why and retention promise,
 * and its contact (mailto:, tel: or https:), all
 * written and signed by the root. The header is exactly { alg, typ, kid }; `kid` is the DID URL
 * `<iss>#<fragment>` of the signing key (DID Core §5.2), never a key itself (jwk/jku/x5c are
 * refused by the exact member set as well as by jose/jws.ts).
 *
 * This file only says what an entry IS. Whether the registry accepts it (signature, authority,
 * monotonic versions, replay) is verify.ts; what it does to the registry is fold.ts.
 */
import { isJsonObject, type JsonObject } from '../bytes/json.ts'
import { decodeUtf8, encodeUtf8 } from '../bytes/utf8.ts'
import { InputError } from '../errors.ts'
import type { PublicJwk } from '../crypto/jwk.ts'
import { parseCompactJws, type CompactJws } from '../jose/jws.ts'
import { VC_CONTEXT_V1 } from '../vc/jwt-checks.ts'
import { VC_TYPE } from '../vc/vc-jwt.ts'
import { LIMITS, TOKEN, entryReader as r, type LocalizedText, type RegistryKey, type RetentionPromise, type VerifierPurpose } from './_schema.ts'

export type { LocalizedText, RegistryKey, RetentionPromise, VerifierPurpose }

/** c2sp.org/tlog-tiles: an entry in an entry bundle is at most 2^16 − 1 bytes. */
export const MAX_ENTRY_BYTES = 65_535
export const STATUS_ANCHOR_TYP = 'civic-status-anchor+jwt'
export const KEY_CHANGE_TYP = 'civic-key-change+jwt'
export const SUSPENSION_TYP = 'civic-suspension+jwt'
/** VC-JWT header typ as did-jwt writes it (RFC 7519 §5.1). */
export const VC_JWT_TYP = 'JWT'
export const ISSUER_ACCREDITATION_TYPE = 'CivicIssuerAccreditation'
export const VERIFIER_REGISTRATION_TYPE = 'CivicVerifierRegistration'

/** The governance root is self-certifying: did:key or did:jwk (its key is in its DID). */
const ROOT_DID = /^did:(?:key|jwk):[A-Za-z0-9._-]{1,2000}$/

interface SignedEntry {
  /** The compact JWS exactly as it sits in the log. */
  jws: string
  /** Header `kid`: the DID URL `<iss>#<fragment>` of the key that signed. */
  signedBy: string
}

/** Root-signed VC-JWT: an issuer is accredited for credential types (vct). */
export interface IssuerAccreditationEntry extends SignedEntry {
  type: 'issuer-accreditation'
  /** The root DID. */
  iss: string
  /** `jti`: this accreditation's id; a suspension names it. */
  id: string
  /** The issuer DID (did:web). */
  sub: string
  name: LocalizedText
  keys: RegistryKey[]
  /** Credential types (SD-JWT VC `vct`) the issuer may issue. */
  vct: string[]
  /** https prefix ending in `/` of the status list URIs this issuer anchors; none: it anchors none. */
  statusListBase?: string
  /** `nbf`, seconds. */
  validFrom: number
  /** `exp`, seconds. */
  validUntil: number
}

/** Root-signed VC-JWT: a verifier (a counter, a pharmacy) and what it may ask for. */
export interface VerifierRegistrationEntry extends SignedEntry {
  type: 'verifier-registration'
  iss: string
  id: string
  /** The verifier DID (did:web). */
  sub: string
  name: LocalizedText
  keys: RegistryKey[]
  /** Each with its claims, why, retention and contact. */
  purposes: VerifierPurpose[]
  validFrom: number
  validUntil: number
}

/** Issuer-signed: the SHA-256 of a status list token (draft-ietf-oauth-status-list) at a version. */
export interface StatusAnchorEntry extends SignedEntry {
  type: 'status-anchor'
  /** The issuer DID. */
  iss: string
  /** The status list URI (the token's `sub`, the credentials' `status.status_list.uri`). */
  uri: string
  /** Strictly increasing per uri. */
  version: number
  /** base64url SHA-256 of the status list token's bytes. */
  digest: string
  /** Seconds. */
  iat: number
  /** Seconds the anchor may be relied on after iat. */
  ttl: number
}

export type KeyChangeAction = 'add' | 'revoke'

/** Signed by the root or by the entity itself (with one of its current keys). */
export interface KeyChangeEntry extends SignedEntry {
  type: 'key-change'
  /** The root DID, or sub. */
  iss: string
  /** The issuer or verifier whose key set changes. */
  sub: string
  action: KeyChangeAction
  kid: string
  /** The key added (action 'add' only). */
  jwk?: PublicJwk
  iat: number
}

/** Root-signed: the accreditation or registration `revokes` is revoked and its entity suspended. */
export interface SuspensionEntry extends SignedEntry {
  type: 'suspension'
  iss: string
  sub: string
  /** The id (jti) of the entity's current accreditation or registration. */
  revokes: string
  iat: number
}

export type RegistryEntry =
  | IssuerAccreditationEntry
  | VerifierRegistrationEntry
  | StatusAnchorEntry
  | KeyChangeEntry
  | SuspensionEntry

export type RegistryEntryType = RegistryEntry['type']

/** An entry with its parsed JWS, for verify.ts (the signature check needs the signing input). */
export interface ParsedEntry {
  entry: RegistryEntry
  jws: CompactJws
}

/** The verification method id of key `kid` of `did` (DID Core §5.2). */
export function verificationMethodId(did: string, kid: string): string {
  return `${did}#${kid}`
}

/**
 * Parse one ledger entry strictly. Throws InputError: ERR_REG_ENTRY_TOO_LARGE,
 * ERR_UTF8_INVALID, ERR_JWS_* / ERR_B64_INVALID / ERR_JSON_* (not a strict compact JWS; a
 * duplicate JSON member is ERR_JSON_DUPLICATE_KEY), ERR_REG_UNKNOWN_TYPE, ERR_REG_SCHEMA,
 * ERR_JWK_INVALID / ERR_KEY_WEAK / ERR_KEY_ALG_MISMATCH (a listed key). Checks nothing about
 * signatures or authority (verifyEntry does).
 */
export function parseEntry(bytes: unknown): RegistryEntry {
  return parseEntryJws(bytes).entry
}

/** The bytes of an entry as they go into the log (UTF-8 of its compact JWS). */
export function formatEntry(entry: RegistryEntry): Uint8Array<ArrayBuffer> {
  return encodeUtf8(entry.jws)
}

export function parseEntryJws(bytes: unknown): ParsedEntry {
  if (!(bytes instanceof Uint8Array)) throw new InputError('ERR_REG_SCHEMA', 'a ledger entry is bytes (a Uint8Array)')
  if (bytes.length > MAX_ENTRY_BYTES) throw new InputError('ERR_REG_ENTRY_TOO_LARGE', `entry of ${bytes.length} bytes > ${MAX_ENTRY_BYTES}`)
  const text = decodeUtf8(bytes, 'ledger entry')
  const jws = parseCompactJws(text, { maxLength: MAX_ENTRY_BYTES })
  const typ = jws.header.typ
  let entry: RegistryEntry
  if (typ === VC_JWT_TYP) entry = readVcEntry(jws, text)
  else if (typ === STATUS_ANCHOR_TYP) entry = readStatusAnchor(jws, text)
  else if (typ === KEY_CHANGE_TYP) entry = readKeyChange(jws, text)
  else if (typ === SUSPENSION_TYP) entry = readSuspension(jws, text)
  else throw new InputError('ERR_REG_UNKNOWN_TYPE', `typ ${JSON.stringify(typ ?? null).slice(0, 60)} is not a registry entry type`)
  return { entry, jws }
}

/** Header exactly { alg, typ, kid } with kid = `<iss>#<fragment>`; returns kid. */
function readHeader(jws: CompactJws, iss: string): string {
  const h = r.object(jws.header, 'header', ['alg', 'typ', 'kid'])
  const kid = h.kid
  if (typeof kid !== 'string' || !kid.startsWith(`${iss}#`)) r.fail('header.kid', 'must be the DID URL <iss>#<key id> of the signing key')
  r.kid(kid.slice(iss.length + 1), 'header.kid fragment')
  return kid
}

/** Who signed: any DID that could have authority (did:key / did:jwk for the root, did:web for entities); verify.ts decides whether it has. */
function signerDid(v: unknown, path: string): string {
  if (typeof v === 'string' && v.startsWith('did:web:')) return r.didWeb(v, path)
  return r.string(v, path, ROOT_DID)
}

/** VCDM 1.1 §6.3.1 JWT encoding as issueVcJwt writes it, and nothing else. */
function readVcEntry(jws: CompactJws, text: string): IssuerAccreditationEntry | VerifierRegistrationEntry {
  const p = jws.payload
  const vc = p.vc
  const types = isJsonObject(vc) && Array.isArray(vc.type) ? vc.type : []
  const kind = types.includes(ISSUER_ACCREDITATION_TYPE) ? ISSUER_ACCREDITATION_TYPE : types.includes(VERIFIER_REGISTRATION_TYPE) ? VERIFIER_REGISTRATION_TYPE : undefined
  if (kind === undefined) throw new InputError('ERR_REG_UNKNOWN_TYPE', `a VC-JWT that is neither ${ISSUER_ACCREDITATION_TYPE} nor ${VERIFIER_REGISTRATION_TYPE}`)

  r.object(p, 'payload', ['iss', 'sub', 'nbf', 'exp', 'jti', 'vc'])
  const iss = signerDid(p.iss, 'iss')
  const signedBy = readHeader(jws, iss)
  const sub = r.didWeb(p.sub, 'sub')
  const id = r.token(p.jti, 'jti')
  const validFrom = r.time(p.nbf, 'nbf')
  const validUntil = r.time(p.exp, 'exp')
  if (validUntil <= validFrom) r.fail('exp', 'must be after nbf')
  const v = r.object(vc, 'vc', ['@context', 'type', 'credentialSubject'])
  const ctx = r.array(v['@context'], 'vc.@context', 1, 1)
  if (ctx[0] !== VC_CONTEXT_V1) r.fail('vc.@context', `must be [${VC_CONTEXT_V1}]`)
  const type = r.array(v.type, 'vc.type', 2, 2)
  if (type[0] !== VC_TYPE || type[1] !== kind) r.fail('vc.type', `must be [${VC_TYPE}, ${kind}]`)
  const common = { jws: text, signedBy, iss, id, sub, validFrom, validUntil }

  if (kind === ISSUER_ACCREDITATION_TYPE) {
    const cs = r.object(v.credentialSubject, 'credentialSubject', ['name', 'keys', 'vct'], ['statusListBase'])
    const entry: IssuerAccreditationEntry = {
      type: 'issuer-accreditation',
      ...common,
      name: r.localized(cs.name, 'credentialSubject.name', LIMITS.nameLength),
      keys: r.keys(cs.keys, 'credentialSubject.keys'),
      vct: r.stringSet(cs.vct, 'credentialSubject.vct', TOKEN, 1, LIMITS.vct),
    }
    if (cs.statusListBase !== undefined) {
      const base = r.httpsUri(cs.statusListBase, 'credentialSubject.statusListBase')
      if (!base.endsWith('/') || base.includes('?')) r.fail('credentialSubject.statusListBase', 'must end with / and have no query')
      entry.statusListBase = base
    }
    return entry
  }

  const cs = r.object(v.credentialSubject, 'credentialSubject', ['name', 'keys', 'purposes'])
  return {
    type: 'verifier-registration',
    ...common,
    name: r.localized(cs.name, 'credentialSubject.name', LIMITS.nameLength),
    keys: r.keys(cs.keys, 'credentialSubject.keys'),
    purposes: r.purposes(cs.purposes, 'credentialSubject.purposes'),
  }
}

function readStatusAnchor(jws: CompactJws, text: string): StatusAnchorEntry {
  const p: JsonObject = r.object(jws.payload, 'payload', ['iss', 'uri', 'version', 'digest', 'iat', 'ttl'])
  const iss = r.didWeb(p.iss, 'iss')
  return {
    type: 'status-anchor',
    jws: text,
    signedBy: readHeader(jws, iss),
    iss,
    uri: r.httpsUri(p.uri, 'uri'),
    version: r.int(p.version, 'version', 0, Number.MAX_SAFE_INTEGER),
    digest: r.digest(p.digest, 'digest'),
    iat: r.time(p.iat, 'iat'),
    ttl: r.int(p.ttl, 'ttl', 1, LIMITS.ttlSeconds),
  }
}

function readKeyChange(jws: CompactJws, text: string): KeyChangeEntry {
  const p = r.object(jws.payload, 'payload', ['iss', 'sub', 'action', 'kid', 'iat'], ['jwk'])
  const sub = r.didWeb(p.sub, 'sub')
  const iss = signerDid(p.iss, 'iss')
  const action = p.action
  if (action !== 'add' && action !== 'revoke') r.fail('action', 'must be "add" or "revoke"')
  const entry: KeyChangeEntry = {
    type: 'key-change',
    jws: text,
    signedBy: readHeader(jws, iss),
    iss,
    sub,
    action,
    kid: r.kid(p.kid, 'kid'),
    iat: r.time(p.iat, 'iat'),
  }
  if (action === 'add') {
    if (p.jwk === undefined) r.fail('jwk', 'an add carries the key')
    entry.jwk = r.publicJwk(p.jwk, 'jwk')
  } else if (p.jwk !== undefined) r.fail('jwk', 'a revoke carries no key')
  return entry
}

function readSuspension(jws: CompactJws, text: string): SuspensionEntry {
  const p = r.object(jws.payload, 'payload', ['iss', 'sub', 'revokes', 'iat'])
  const iss = signerDid(p.iss, 'iss')
  return {
    type: 'suspension',
    jws: text,
    signedBy: readHeader(jws, iss),
    iss,
    sub: r.didWeb(p.sub, 'sub'),
    revokes: r.token(p.revokes, 'revokes'),
    iat: r.time(p.iat, 'iat'),
  }
}
