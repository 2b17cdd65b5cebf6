/**
 * The issuer's durable state, `<data>/state.json` (mode 0600), as plain data:
 *
 * - keys: the issuer's signing keys by kid (private JWKs are in `<data>/keys/<kid>.jwk`), which
 *   one signs now, and the ledger indices of their key-change entries;
 * - offers: a pending offer holds the citizen's claims until issuance; after it (or expiry,
 *   or cancellation) only a tombstone stays (id, state, expiry) so a replayed code or offer URI
 *   — both derived from the offer id — is told apart from an unknown one; tombstones go a day
 *   after expiry;
 * - credentials: what revocation needs and nothing else (OpenID4VCI 1.0 §Privacy Considerations,
 *   "Storage of the Credentials"): id, vct, issued-at, status, an optional officer reference
 *   and the (uri, idx) of every copy — no claims, no holder keys, no signatures, nothing about
 *   presentations;
 * - lists: the status lists (lists.ts);
 * - ledger: the entries this issuer put on the ledger, with index and inclusion check.
 *
 * Secrets are kept as keyed MACs under a key outside this file (secrets.ts): the offer's public
 * handle (its `credential_offer_uri`) and the pre-authorized code are not stored at all (both
 * are derived from the offer id, which by itself opens nothing), a transaction code and an
 * access token only as their HMAC. `parseIssuerState` reads the file back strictly; a file that
 * does not fit is ERR_ISSUER_STORAGE (the service refuses to start rather than guess). No
 * stored member changed when the offer URI moved from the id to the derived handle, so the
 * version stayed 2 (an offer URI handed out before then answers 404; its by-value URI works).
 *
 * Version 1 kept the pre-authorized code in clear and the transaction code and access token as
 * plain SHA-256 (a 6-digit code falls to a million guesses). `parseStoredIssuerState` reads a
 * version 1 file just as strictly and migrates it to version 2: an offer still pending (offered,
 * or redeemed with a live access token) is voided — its claims and secrets dropped, its
 * credential lapsed — since none of its v1 secrets can be turned into a MAC without being kept
 * in clear or guessed; used, expired and void offers keep their tombstones without the old
 * hashes. The caller writes the result back and says which offers it voided.
 */
import { decodeBase64url, encodeBase64url } from '../core/bytes/base64url.ts'
import { isJsonObject, parseJson, type JsonObject } from '../core/bytes/json.ts'
import { readMembers } from '../core/bytes/shape.ts'
import { CivicError, InputError } from '../core/errors.ts'
import type { ListRecord, PublishedToken } from './lists.ts'
import type { KeyState, CredentialStatus, LedgerRecord } from './admin-wire.ts'
export type { KeyState, CredentialStatus, LedgerRecord } from './admin-wire.ts'

export const ISSUER_STATE_VERSION = 2
/** The version 1 layout `parseStoredIssuerState` still reads (and migrates). */
export const ISSUER_STATE_VERSION_1 = 1
/** Ledger entries remembered in the state (the newest; every list's latest anchor is kept in the list). */
export const MAX_LEDGER_RECORDS = 1000
/** Tombstones of used or expired offers are kept this long after the offer's expiry. */
export const TOMBSTONE_SECONDS = 86_400

/** Offer and credential ids: 16 random bytes, base64url (so never `__proto__` or a path segment trick). */
export const RECORD_ID = /^[A-Za-z0-9_-]{22}$/


export interface KeyRecord {
  kid: string
  createdAt: number
  /** pending: made, not yet on the ledger; active: signs now; retired: on the ledger, no longer signs; revoked. */
  state: KeyState
  addedIndex: number | null
  revokedIndex: number | null
}

export type OfferState = 'offered' | 'redeemed' | 'issued' | 'expired' | 'void'

export interface AccessTokenRecord {
  /** base64url HMAC of the access token (secrets.ts). */
  mac: string
  expiresAt: number
  /** RFC 7638 thumbprint of the DPoP key the token is bound to (RFC 9449 §6), or null (Bearer). */
  jkt: string | null
}

export interface OfferRecord {
  /** The random id of `credential_offer_uri`. */
  id: string
  credentialId: string
  configurationId: string
  /** base64url HMAC of offer id ‖ transaction code (secrets.ts); null when the offer has none, or after it. */
  txCodeMac: string | null
  txCodeLength: number
  txCodeFailures: number
  /** The subject claims, until the offer is issued, expires or is voided. */
  claims: JsonObject | null
  createdAt: number
  expiresAt: number
  state: OfferState
  token: AccessTokenRecord | null
}


export interface CredentialRecord {
  id: string
  vct: string
  configurationId: string
  /** The officer's reference (a staff number, a case number), or null. Never citizen data. */
  officer: string | null
  createdAt: number
  issuedAt: number | null
  /** offered: not yet redeemed; lapsed: the offer expired or was voided before issuance. */
  status: CredentialStatus
  statusChangedAt: number
  copies: { uri: string; idx: number }[]
}


export interface IssuerState {
  version: typeof ISSUER_STATE_VERSION
  currentKid: string
  keys: KeyRecord[]
  offers: Record<string, OfferRecord>
  credentials: Record<string, CredentialRecord>
  lists: ListRecord[]
  ledger: LedgerRecord[]
}

export function emptyState(kid: string, now: number): IssuerState {
  return {
    version: ISSUER_STATE_VERSION, currentKid: kid,
    keys: [{ kid, createdAt: now, state: 'active', addedIndex: null, revokedIndex: null }],
    offers: {}, credentials: {}, lists: [], ledger: [],
  }
}

// ── format / parse ───────────────────────────────────────────────────────────────────────

function listToJson(l: ListRecord): JsonObject {
  return { ...l, statuses: encodeBase64url(l.statuses), allocated: encodeBase64url(l.allocated), published: l.published as unknown as JsonObject | null }
}

export function formatIssuerState(s: IssuerState): Uint8Array {
  const json = { ...s, lists: s.lists.map(listToJson) }
  return new TextEncoder().encode(`${JSON.stringify(json)}\n`)
}

function corrupt(detail: string): never {
  throw new CivicError('ERR_ISSUER_STORAGE', `state.json: ${detail}`)
}

/** `v` with exactly `members` (the kernel's one shape reader), else ERR_ISSUER_STORAGE. */
function obj(v: unknown, path: string, members: readonly string[]): JsonObject {
  return readMembers(v, path, members, [], { code: 'ERR_ISSUER_STORAGE', error: (code, detail) => new CivicError(code, `state.json: ${detail}`) })
}
const isInt = (v: unknown, min = 0): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= 2 ** 53 - 1
const int = (v: unknown, path: string, min = 0): number => (isInt(v, min) ? v : corrupt(`${path} is not an integer`))
const intOrNull = (v: unknown, path: string): number | null => (v === null ? null : int(v, path))
const str = (v: unknown, path: string): string => (typeof v === 'string' && v.length > 0 && v.length <= 4096 ? v : corrupt(`${path} is not a string`))
/** A status list token: up to the size a 256 MiB list could compress to, base64url. */
const tokenStr = (v: unknown, path: string): string => (typeof v === 'string' && v.length > 0 && v.length <= 512 << 20 ? v : corrupt(`${path} is not a token`))
const strOrNull = (v: unknown, path: string): string | null => (v === null ? null : str(v, path))
function oneOf<T extends string>(v: unknown, path: string, values: readonly T[]): T {
  return values.includes(v as T) ? (v as T) : corrupt(`${path} is not one of ${values.join(', ')}`)
}
function bytes(v: unknown, path: string, length: number): Uint8Array {
  if (typeof v !== 'string' || v.length !== Math.ceil((length * 4) / 3)) corrupt(`${path} is not base64url of ${length} bytes`)
  try {
    const b = decodeBase64url(v, path)
    if (b.length !== length) corrupt(`${path} is ${b.length} bytes, not ${length}`)
    return b
  } catch (e) {
    if (e instanceof InputError) corrupt(`${path}: ${e.detail}`)
    throw e
  }
}

function readPublished(v: unknown, path: string): PublishedToken | null {
  if (v === null) return null
  const o = obj(v, path, ['version', 'token', 'digest', 'iat', 'exp', 'ttl', 'kid', 'seq', 'index', 'inclusionVerified', 'inclusionError', 'checkpointSize'])
  if (typeof o.inclusionVerified !== 'boolean') corrupt(`${path}.inclusionVerified is not a boolean`)
  return {
    version: int(o.version, `${path}.version`, 1), token: tokenStr(o.token, `${path}.token`), digest: str(o.digest, `${path}.digest`),
    iat: int(o.iat, `${path}.iat`), exp: int(o.exp, `${path}.exp`), ttl: int(o.ttl, `${path}.ttl`), kid: str(o.kid, `${path}.kid`),
    seq: int(o.seq, `${path}.seq`), index: int(o.index, `${path}.index`), inclusionVerified: o.inclusionVerified,
    inclusionError: strOrNull(o.inclusionError, `${path}.inclusionError`), checkpointSize: intOrNull(o.checkpointSize, `${path}.checkpointSize`),
  }
}

function readList(v: unknown, i: number): ListRecord {
  const p = `lists[${i}]`
  const o = obj(v, p, ['n', 'uri', 'size', 'bits', 'statuses', 'allocated', 'free', 'changeSeq', 'nextVersion', 'published'])
  const size = int(o.size, `${p}.size`, 1)
  const bits = o.bits
  if (bits !== 1 && bits !== 2 && bits !== 4 && bits !== 8) corrupt(`${p}.bits`)
  return {
    n: int(o.n, `${p}.n`, 1), uri: str(o.uri, `${p}.uri`), size, bits,
    statuses: bytes(o.statuses, `${p}.statuses`, Math.ceil((size * bits) / 8)),
    allocated: bytes(o.allocated, `${p}.allocated`, Math.ceil(size / 8)),
    free: int(o.free, `${p}.free`), changeSeq: int(o.changeSeq, `${p}.changeSeq`), nextVersion: int(o.nextVersion, `${p}.nextVersion`, 1),
    published: readPublished(o.published, `${p}.published`),
  }
}

/** Members of an offer record in each version (v1 kept the code and plain SHA-256 hashes). */
const OFFER_MEMBERS = {
  1: ['id', 'credentialId', 'configurationId', 'code', 'codeHash', 'txCodeHash', 'txCodeLength', 'txCodeFailures', 'claims', 'createdAt', 'expiresAt', 'state', 'token'],
  2: ['id', 'credentialId', 'configurationId', 'txCodeMac', 'txCodeLength', 'txCodeFailures', 'claims', 'createdAt', 'expiresAt', 'state', 'token'],
} as const

function readOffer(v: unknown, id: string, version: 1 | 2): OfferRecord {
  const p = `offers.${id}`
  const o = obj(v, p, OFFER_MEMBERS[version])
  if (o.id !== id || !RECORD_ID.test(id)) corrupt(`${p}.id is not its key or not an id`)
  if (o.claims !== null && !isJsonObject(o.claims)) corrupt(`${p}.claims`)
  let token: AccessTokenRecord | null = null
  if (o.token !== null) {
    const t = obj(o.token, `${p}.token`, [version === 1 ? 'hash' : 'mac', 'expiresAt', 'jkt'])
    token = { mac: str(version === 1 ? t.hash : t.mac, `${p}.token.mac`), expiresAt: int(t.expiresAt, `${p}.token.expiresAt`), jkt: strOrNull(t.jkt, `${p}.token.jkt`) }
  }
  if (version === 1) {
    strOrNull(o.code, `${p}.code`)
    str(o.codeHash, `${p}.codeHash`)
  }
  return {
    id, credentialId: str(o.credentialId, `${p}.credentialId`), configurationId: str(o.configurationId, `${p}.configurationId`),
    txCodeMac: strOrNull(version === 1 ? o.txCodeHash : o.txCodeMac, `${p}.${version === 1 ? 'txCodeHash' : 'txCodeMac'}`),
    txCodeLength: int(o.txCodeLength, `${p}.txCodeLength`), txCodeFailures: int(o.txCodeFailures, `${p}.txCodeFailures`),
    claims: o.claims as JsonObject | null, createdAt: int(o.createdAt, `${p}.createdAt`), expiresAt: int(o.expiresAt, `${p}.expiresAt`),
    state: oneOf(o.state, `${p}.state`, ['offered', 'redeemed', 'issued', 'expired', 'void'] as const), token,
  }
}

function readCredential(v: unknown, id: string): CredentialRecord {
  const p = `credentials.${id}`
  const o = obj(v, p, ['id', 'vct', 'configurationId', 'officer', 'createdAt', 'issuedAt', 'status', 'statusChangedAt', 'copies'])
  if (o.id !== id || !RECORD_ID.test(id)) corrupt(`${p}.id is not its key or not an id`)
  if (!Array.isArray(o.copies)) corrupt(`${p}.copies`)
  return {
    id, vct: str(o.vct, `${p}.vct`), configurationId: str(o.configurationId, `${p}.configurationId`), officer: strOrNull(o.officer, `${p}.officer`),
    createdAt: int(o.createdAt, `${p}.createdAt`), issuedAt: intOrNull(o.issuedAt, `${p}.issuedAt`),
    status: oneOf(o.status, `${p}.status`, ['offered', 'valid', 'suspended', 'revoked', 'lapsed'] as const),
    statusChangedAt: int(o.statusChangedAt, `${p}.statusChangedAt`),
    copies: o.copies.map((c, i) => {
      const x = obj(c, `${p}.copies[${i}]`, ['uri', 'idx'])
      return { uri: str(x.uri, `${p}.copies[${i}].uri`), idx: int(x.idx, `${p}.copies[${i}].idx`) }
    }),
  }
}

function readLedgerRecord(v: unknown, i: number): LedgerRecord {
  const p = `ledger[${i}]`
  const o = obj(v, p, ['type', 'subject', 'version', 'digest', 'signedBy', 'iat', 'ttl', 'index', 'inclusionVerified', 'inclusionError', 'checkpointSize'])
  if (typeof o.inclusionVerified !== 'boolean') corrupt(`${p}.inclusionVerified`)
  return {
    type: oneOf(o.type, `${p}.type`, ['status-anchor', 'key-add', 'key-revoke'] as const), subject: str(o.subject, `${p}.subject`),
    version: intOrNull(o.version, `${p}.version`), digest: strOrNull(o.digest, `${p}.digest`), signedBy: str(o.signedBy, `${p}.signedBy`),
    iat: int(o.iat, `${p}.iat`), ttl: intOrNull(o.ttl, `${p}.ttl`), index: int(o.index, `${p}.index`), inclusionVerified: o.inclusionVerified,
    inclusionError: strOrNull(o.inclusionError, `${p}.inclusionError`), checkpointSize: intOrNull(o.checkpointSize, `${p}.checkpointSize`),
  }
}

/** Read state.json of the current version, strictly (ERR_ISSUER_STORAGE). */
export function parseIssuerState(text: string): IssuerState {
  const { version, state } = parseAnyVersion(text)
  if (version !== ISSUER_STATE_VERSION) corrupt(`version is not ${ISSUER_STATE_VERSION}`)
  return state
}

/** End an offer without issuance: its claims and codes are forgotten, its credential lapses. */
export function endOffer(draft: IssuerState, o: OfferRecord, state: 'expired' | 'void', now: number): void {
  o.state = state
  o.claims = null
  o.txCodeMac = null
  o.token = null
  const c = Object.hasOwn(draft.credentials, o.credentialId) ? draft.credentials[o.credentialId]! : null
  if (c && c.status === 'offered') {
    c.status = 'lapsed'
    c.statusChangedAt = now
  }
}

/** What migrating a version 1 state changed. */
export interface StateMigration {
  from: typeof ISSUER_STATE_VERSION_1
  /** Offers that were pending and are now void (their codes were kept in clear or as plain hashes). */
  voided: string[]
}

/**
 * Read state.json of the current version or of version 1, strictly; a version 1 state comes
 * back migrated (module comment), with what the migration did. `now`: when voided offers end.
 */
export function parseStoredIssuerState(text: string, now: number): { state: IssuerState; migration: StateMigration | null } {
  const { version, state } = parseAnyVersion(text)
  if (version === ISSUER_STATE_VERSION) return { state, migration: null }
  const voided: string[] = []
  for (const o of Object.values(state.offers)) {
    // Every v1 secret goes: the hashes were made without a key, the pending code was in clear.
    o.txCodeMac = null
    if (o.state === 'offered' || o.state === 'redeemed') {
      voided.push(o.id)
      endOffer(state, o, 'void', now)
    } else {
      o.token = null
    }
  }
  return { state, migration: { from: ISSUER_STATE_VERSION_1, voided } }
}

function parseAnyVersion(text: string): { version: 1 | 2; state: IssuerState } {
  let v
  try {
    v = parseJson(text, { maxLength: 512 << 20, maxDepth: 16 }, 'state.json')
  } catch (e) {
    if (e instanceof InputError) corrupt(e.detail)
    throw e
  }
  const o = obj(v, 'state', ['version', 'currentKid', 'keys', 'offers', 'credentials', 'lists', 'ledger'])
  if (o.version !== ISSUER_STATE_VERSION && o.version !== ISSUER_STATE_VERSION_1) corrupt(`version is not ${ISSUER_STATE_VERSION} (or ${ISSUER_STATE_VERSION_1}, which is migrated)`)
  const version = o.version
  if (!Array.isArray(o.keys) || !Array.isArray(o.lists) || !Array.isArray(o.ledger) || !isJsonObject(o.offers) || !isJsonObject(o.credentials)) corrupt('keys, lists, ledger, offers or credentials of the wrong type')
  const keys = o.keys.map((k, i): KeyRecord => {
    const x = obj(k, `keys[${i}]`, ['kid', 'createdAt', 'state', 'addedIndex', 'revokedIndex'])
    return {
      kid: str(x.kid, `keys[${i}].kid`), createdAt: int(x.createdAt, `keys[${i}].createdAt`),
      state: oneOf(x.state, `keys[${i}].state`, ['pending', 'active', 'retired', 'revoked'] as const),
      addedIndex: intOrNull(x.addedIndex, `keys[${i}].addedIndex`), revokedIndex: intOrNull(x.revokedIndex, `keys[${i}].revokedIndex`),
    }
  })
  const currentKid = str(o.currentKid, 'currentKid')
  if (!keys.some((k) => k.kid === currentKid && k.state === 'active')) corrupt('currentKid is not an active key')
  const offers: Record<string, OfferRecord> = {}
  for (const [id, x] of Object.entries(o.offers)) offers[id] = readOffer(x, id, version)
  const credentials: Record<string, CredentialRecord> = {}
  for (const [id, x] of Object.entries(o.credentials)) credentials[id] = readCredential(x, id)
  return {
    version,
    state: { version: ISSUER_STATE_VERSION, currentKid, keys, offers, credentials, lists: o.lists.map(readList), ledger: o.ledger.map(readLedgerRecord) },
  }
}

/** A deep copy to change (Uint8Arrays copied too): a failed change leaves the original as it was. */
export function cloneState(s: IssuerState): IssuerState {
  return structuredClone(s)
}
