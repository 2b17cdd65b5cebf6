/**
 * The trust registry: what folding the ledger's verified entries, in log order, gives (design
 * §5). Plain JSON-compatible data (strings, integers, arrays, plain objects, null), so a wallet
 * or counter stores it in IndexedDB as is and takes it back with `parseRegistryState`, which
 * checks it as strictly as the entries it came from.
 *
 * Also the lookups the verifiers use: raw records (`issuerAccreditation`,
 * `verifierRegistration`, `statusAnchor`: null when absent, whatever the record's standing) and
 * the standing checks (`checkIssuer`, `checkVerifier`: a verdict that the entity is known, not
 * suspended, inside its validity and, for issuers, accredited for a vct).
 *
 * Records are keyed by DID (always `did:web:…`) and status list URI (always `https://…`), so no
 * key can be `__proto__`; lookups still go through Object.hasOwn.
 */
import { isJsonObject } from '../bytes/json.ts'
import { fail, InputError, ok, type Verdict } from '../errors.ts'
import { didKeyFromJwk, resolveDidKey } from '../crypto/did.ts'
import { jwkThumbprint, parsePublicJwk, sameJwk, type PublicJwk } from '../crypto/jwk.ts'
import { LIMITS, TOKEN, stateReader as r, type LocalizedText, type RegistryKey } from './_schema.ts'
import type { VerifierPurpose } from './entry.ts'

export const REGISTRY_STATE_VERSION = 1
/** Default clock skew for registry checks, in seconds. */
export const DEFAULT_REGISTRY_SKEW_SECONDS = 300

/** The governance root: a did:key or did:jwk DID, or its public JWK (taken as did:key). */
export type RegistryRoot = string | PublicJwk

export interface RootRecord {
  did: string
  /** Verification method id of the root key (`<did>#<fragment>`). */
  kid: string
  jwk: PublicJwk
}

/** Every kid an entity ever held: a kid keeps one key forever, and a revoked key never returns. */
export interface KeyHistoryItem {
  kid: string
  /** RFC 7638 thumbprint of the key the kid is bound to. */
  thumbprint: string
  /** iat of the key change that revoked it, or null. */
  revokedAt: number | null
}

export interface Suspension {
  /** iat of the suspension entry. */
  at: number
  /** The accreditation / registration id it revoked. */
  credentialId: string
}

interface EntityRecord {
  did: string
  name: LocalizedText
  /** Current keys; revoked ones are removed. */
  keys: RegistryKey[]
  keyHistory: KeyHistoryItem[]
  /** Id (jti) of the accreditation / registration in force. */
  credentialId: string
  /** Every accreditation / registration id ever folded for this DID (replay guard). */
  credentialIds: string[]
  validFrom: number
  validUntil: number
  suspended: Suspension | null
}

export interface IssuerRecord extends EntityRecord {
  role: 'issuer'
  vct: string[]
  statusListBase: string | null
}

export interface VerifierRecord extends EntityRecord {
  role: 'verifier'
  purposes: VerifierPurpose[]
}

export type EntityRecordOf = IssuerRecord | VerifierRecord

export interface StatusAnchorRecord {
  uri: string
  /** The issuer that owns the list (the first to anchor it). */
  iss: string
  version: number
  digest: string
  iat: number
  ttl: number
  /** DID URL of the key that signed the anchor. */
  signedBy: string
}

export interface RegistryState {
  version: typeof REGISTRY_STATE_VERSION
  root: RootRecord
  /** Entries folded so far: the log index of the next entry. */
  size: number
  issuers: Record<string, IssuerRecord>
  verifiers: Record<string, VerifierRecord>
  anchors: Record<string, StatusAnchorRecord>
}

/** The root as a record. Throws InputError (ERR_DID_*, ERR_JWK_INVALID, ERR_KEY_WEAK) for a bad root. */
export function rootRecord(root: RegistryRoot): RootRecord {
  if (typeof root === 'string') {
    const resolved = resolveDidKey(root)
    if (resolved.did !== root) throw new InputError('ERR_DID_INVALID', 'the root must be a bare did:key or did:jwk DID')
    return { did: resolved.did, kid: resolved.kid, jwk: resolved.jwk }
  }
  const jwk = parsePublicJwk(root)
  const resolved = resolveDidKey(didKeyFromJwk(jwk))
  return { did: resolved.did, kid: resolved.kid, jwk: resolved.jwk }
}

/** An empty registry trusting `root`. Throws InputError for a bad root (configuration, not ledger data). */
export function createRegistryState(root: RegistryRoot): RegistryState {
  return { version: REGISTRY_STATE_VERSION, root: rootRecord(root), size: 0, issuers: {}, verifiers: {}, anchors: {} }
}

function own<T>(map: Record<string, T>, key: string): T | null {
  return Object.hasOwn(map, key) ? map[key]! : null
}

/** The issuer's record, suspended or not, or null. */
export function issuerAccreditation(state: RegistryState, did: string): IssuerRecord | null {
  return own(state.issuers, did)
}

/** The verifier's record, suspended or not, or null. */
export function verifierRegistration(state: RegistryState, did: string): VerifierRecord | null {
  return own(state.verifiers, did)
}

/** The latest anchor of a status list, or null. Freshness (iat + ttl) is for the caller to judge. */
export function statusAnchor(state: RegistryState, uri: string): StatusAnchorRecord | null {
  return own(state.anchors, uri)
}

/** The issuer or verifier of `did`, or null. */
export function entityRecord(state: RegistryState, did: string): EntityRecordOf | null {
  return own(state.issuers, did) ?? own(state.verifiers, did)
}

export interface StandingOptions {
  /** Seconds. */
  now: number
  /** Default 300 s. */
  skewSeconds?: number
}

/** Validate a caller's clock (TypeError: our callers' bug). */
export function registryClock(o: StandingOptions): { now: number; skew: number } {
  if (typeof o !== 'object' || o === null || typeof o.now !== 'number' || !Number.isFinite(o.now) || o.now < 0) throw new TypeError('now must be a finite number of seconds')
  if (o.now > 1e11) throw new TypeError('now looks like milliseconds; pass seconds')
  const skew = o.skewSeconds ?? DEFAULT_REGISTRY_SKEW_SECONDS
  if (typeof skew !== 'number' || !Number.isFinite(skew) || skew < 0) throw new TypeError('skewSeconds must be a finite number ≥ 0')
  return { now: o.now, skew }
}

function validityProblem(rec: EntityRecordOf, now: number, skew: number): string | null {
  if (now + skew < rec.validFrom) return `${rec.role} ${rec.did} is not accredited before ${rec.validFrom}`
  if (now - skew >= rec.validUntil) return `${rec.role} ${rec.did}: accreditation ended at ${rec.validUntil}`
  return null
}

/**
 * The issuer is accredited now: known, not suspended, inside [validFrom, validUntil) with skew,
 * and (when `vct` is given) accredited for that credential type. Codes: ERR_REG_UNKNOWN_ISSUER,
 * ERR_REG_ISSUER_SUSPENDED, ERR_REG_EXPIRED, ERR_REG_VCT_NOT_ACCREDITED.
 */
export function checkIssuer(state: RegistryState, did: unknown, options: StandingOptions & { vct?: unknown }): Verdict<IssuerRecord> {
  const { now, skew } = registryClock(options)
  const rec = typeof did === 'string' ? own(state.issuers, did) : null
  if (!rec) return fail('ERR_REG_UNKNOWN_ISSUER', `${String(did).slice(0, 80)} is not an accredited issuer`)
  if (rec.suspended) return fail('ERR_REG_ISSUER_SUSPENDED', `${rec.did}: accreditation ${rec.suspended.credentialId} revoked at ${rec.suspended.at}`)
  const v = validityProblem(rec, now, skew)
  if (v) return fail('ERR_REG_EXPIRED', v)
  if ('vct' in options && (typeof options.vct !== 'string' || !rec.vct.includes(options.vct))) {
    return fail('ERR_REG_VCT_NOT_ACCREDITED', `${rec.did} is not accredited for vct ${JSON.stringify(options.vct ?? null).slice(0, 80)}`)
  }
  return ok(rec)
}

/**
 * The verifier is registered now: known, not suspended, inside its validity with skew.
 * Codes: ERR_REG_UNKNOWN_VERIFIER, ERR_REG_VERIFIER_SUSPENDED, ERR_REG_EXPIRED.
 */
export function checkVerifier(state: RegistryState, did: unknown, options: StandingOptions): Verdict<VerifierRecord> {
  const { now, skew } = registryClock(options)
  const rec = typeof did === 'string' ? own(state.verifiers, did) : null
  if (!rec) return fail('ERR_REG_UNKNOWN_VERIFIER', `${String(did).slice(0, 80)} is not a registered verifier`)
  if (rec.suspended) return fail('ERR_REG_VERIFIER_SUSPENDED', `${rec.did}: registration ${rec.suspended.credentialId} revoked at ${rec.suspended.at}`)
  const v = validityProblem(rec, now, skew)
  if (v) return fail('ERR_REG_EXPIRED', v)
  return ok(rec)
}

// ─── stored state ──────────────────────────────────────────────────────────────────────────

/**
 * Take stored state back (from IndexedDB, a backup) strictly: exact shapes, the same bounds as
 * entries, keys re-parsed. Throws InputError ERR_REG_STATE_INVALID (nothing else).
 */
export function parseRegistryState(v: unknown): RegistryState {
  const o = r.object(v, 'state', ['version', 'root', 'size', 'issuers', 'verifiers', 'anchors'])
  if (o.version !== REGISTRY_STATE_VERSION) r.fail('state.version', `must be ${REGISTRY_STATE_VERSION}`)
  const ro = r.object(o.root, 'state.root', ['did', 'kid', 'jwk'])
  let root: RootRecord
  try {
    root = rootRecord(typeof ro.did === 'string' ? ro.did : '')
  } catch (e) {
    if (e instanceof InputError) r.fail('state.root.did', e.detail)
    throw e
  }
  if (ro.kid !== root.kid || !sameJwk(r.publicJwk(ro.jwk, 'state.root.jwk'), root.jwk)) r.fail('state.root', 'kid and jwk do not match the root DID')
  const issuers = mapOf(o.issuers, 'state.issuers', readIssuer, (x) => x.did)
  const verifiers = mapOf(o.verifiers, 'state.verifiers', readVerifier, (x) => x.did)
  for (const did of Object.keys(issuers)) if (Object.hasOwn(verifiers, did)) r.fail('state', `${did} is both issuer and verifier`)
  const anchors = mapOf(o.anchors, 'state.anchors', readAnchor, (a) => a.uri)
  return { version: REGISTRY_STATE_VERSION, root, size: r.int(o.size, 'state.size', 0, Number.MAX_SAFE_INTEGER), issuers, verifiers, anchors }
}

function mapOf<T>(v: unknown, path: string, read: (x: unknown, path: string) => T, keyOf: (x: T) => string): Record<string, T> {
  if (!isJsonObject(v)) r.fail(path, 'not an object')
  const out: Record<string, T> = {}
  for (const key of Object.keys(v)) {
    const rec = read(v[key], `${path}[${JSON.stringify(key).slice(0, 80)}]`)
    if (keyOf(rec) !== key) r.fail(path, `record under ${JSON.stringify(key).slice(0, 80)} is for another key`)
    Object.defineProperty(out, key, { value: rec, enumerable: true, writable: true, configurable: true })
  }
  return out
}

const ENTITY_MEMBERS = ['role', 'did', 'name', 'keys', 'keyHistory', 'credentialId', 'credentialIds', 'validFrom', 'validUntil', 'suspended']

function readEntity(o: Record<string, unknown>, path: string): EntityRecord {
  const did = r.didWeb(o.did, `${path}.did`)
  const keys = r.keys(o.keys, `${path}.keys`, 0)
  const keyHistory = r.array(o.keyHistory, `${path}.keyHistory`, 0, LIMITS.keyHistory).map((x, i) => {
    const h = r.object(x, `${path}.keyHistory[${i}]`, ['kid', 'thumbprint', 'revokedAt'])
    return {
      kid: r.kid(h.kid, `${path}.keyHistory[${i}].kid`),
      thumbprint: r.digest(h.thumbprint, `${path}.keyHistory[${i}].thumbprint`),
      revokedAt: h.revokedAt === null ? null : r.time(h.revokedAt, `${path}.keyHistory[${i}].revokedAt`),
    }
  })
  if (new Set(keyHistory.map((h) => h.kid)).size !== keyHistory.length) r.fail(`${path}.keyHistory`, 'a kid appears twice')
  for (const k of keys) {
    const h = keyHistory.find((x) => x.kid === k.kid)
    if (!h || h.revokedAt !== null || h.thumbprint !== jwkThumbprint(k.jwk)) r.fail(`${path}.keys`, `key ${k.kid} does not match its history`)
  }
  const credentialIds = r.stringSet(o.credentialIds, `${path}.credentialIds`, TOKEN, 1, LIMITS.credentialIds)
  const credentialId = r.token(o.credentialId, `${path}.credentialId`)
  if (!credentialIds.includes(credentialId)) r.fail(`${path}.credentialId`, 'not among credentialIds')
  const validFrom = r.time(o.validFrom, `${path}.validFrom`)
  const validUntil = r.time(o.validUntil, `${path}.validUntil`)
  if (validUntil <= validFrom) r.fail(`${path}.validUntil`, 'must be after validFrom')
  let suspended: Suspension | null = null
  if (o.suspended !== null) {
    const s = r.object(o.suspended, `${path}.suspended`, ['at', 'credentialId'])
    suspended = { at: r.time(s.at, `${path}.suspended.at`), credentialId: r.token(s.credentialId, `${path}.suspended.credentialId`) }
  }
  return { did, name: r.localized(o.name, `${path}.name`, LIMITS.nameLength), keys, keyHistory, credentialId, credentialIds, validFrom, validUntil, suspended }
}

function readIssuer(v: unknown, path: string): IssuerRecord {
  const o = r.object(v, path, [...ENTITY_MEMBERS, 'vct', 'statusListBase'])
  if (o.role !== 'issuer') r.fail(`${path}.role`, 'must be "issuer"')
  const base = o.statusListBase === null ? null : r.httpsUri(o.statusListBase, `${path}.statusListBase`)
  if (base !== null && !base.endsWith('/')) r.fail(`${path}.statusListBase`, 'must end with /')
  return { role: 'issuer', ...readEntity(o, path), vct: r.stringSet(o.vct, `${path}.vct`, TOKEN, 1, LIMITS.vct), statusListBase: base }
}

function readVerifier(v: unknown, path: string): VerifierRecord {
  const o = r.object(v, path, [...ENTITY_MEMBERS, 'purposes'])
  if (o.role !== 'verifier') r.fail(`${path}.role`, 'must be "verifier"')
  return { role: 'verifier', ...readEntity(o, path), purposes: r.purposes(o.purposes, `${path}.purposes`) }
}

function readAnchor(v: unknown, path: string): StatusAnchorRecord {
  const o = r.object(v, path, ['uri', 'iss', 'version', 'digest', 'iat', 'ttl', 'signedBy'])
  const iss = r.didWeb(o.iss, `${path}.iss`)
  const signedBy = r.string(o.signedBy, `${path}.signedBy`, /^[\x21-\x7e]{1,400}$/)
  if (!signedBy.startsWith(`${iss}#`)) r.fail(`${path}.signedBy`, 'not a key of iss')
  return {
    uri: r.httpsUri(o.uri, `${path}.uri`),
    iss,
    version: r.int(o.version, `${path}.version`, 0, Number.MAX_SAFE_INTEGER),
    digest: r.digest(o.digest, `${path}.digest`),
    iat: r.time(o.iat, `${path}.iat`),
    ttl: r.int(o.ttl, `${path}.ttl`, 1, LIMITS.ttlSeconds),
    signedBy,
  }
}
