/**
 * The issuer console's client of the admin API (admin.ts), for the browser: no node:*, the
 * fetch function is passed in, and every failure is a CivicError with a stable code — the
 * server's own (`{"error":{"code","message"}}`), or ERR_ISSUER_UNREACHABLE when the server
 * cannot be reached or answers with something that is not the admin API's JSON. Callers branch
 * on `code` (design §8 rule 4); `detail` is for people.
 *
 * Answers are read at the edge, once: each view is checked for the members the console uses
 * and copied into a plain object, so nothing the server sends beyond them travels further.
 * The offer QR is the server's SVG; `svgDataUri` turns it into an `<img src>` so it is shown as
 * an image and never inserted into the page as markup.
 *
 * Also here: the checks an officer's input meets before it is sent (`claimProblem`,
 * `officerProblem`), with the limits the service applies (admin-wire.ts, shared with schema.ts
 * `validateClaims` and service.ts); the server stays the authority and refuses what slips
 * through.
 *
 * Officers: signing in, enrolling, the officers and the audit trail are every office's
 * (src/office/client.ts: the session cookie with its secret in the `x-civic-session` header);
 * this client extends that with the issuer's calls and its codes.
 */
import { CivicError } from '../core/errors.ts'
import { errorCodeOf, memorySessionSecrets, OfficeClient, officeBase, readers, type Fetch, type SessionSecrets } from '../office/client.ts'
import type { LogWitnessView, WitnessView } from './ledger-client.ts'
import type { AgePredicate, ClaimSchema, CredentialSchema, Localized } from './schema.ts'
import type { KeyState } from './state.ts'
import {
  isOfficerReference, MAX_CLAIM_LENGTH, OFFICER_ROLES, UNSAFE_TEXT,
  type AnchorsView, type AnchorView, type AuditRecord, type CreatedEnrolment, type CredentialView, type EnrolmentView, type IssuerInfo, type KeyView,
  type LedgerRecord, type OfferRequest, type OfferView, type OfficerRole, type OfficersView, type OfficerView, type PublishReport, type SessionView,
  type StatusAction, type StatusChange,
} from './admin-wire.ts'

export type {
  AnchorsView, AnchorView, AuditRecord, CreatedEnrolment, CredentialView, EnrolmentView, IssuerInfo, KeyView, LedgerRecord, OfferRequest, OfferView,
  OfficerRole, OfficersView, OfficerView, PublishReport, SessionView, StatusAction, StatusChange, WitnessView, LogWitnessView, ClaimSchema, CredentialSchema, Localized,
}
export { MAX_CLAIM_LENGTH, errorCodeOf, memorySessionSecrets, type Fetch, type SessionSecrets }

const CREDENTIAL_STATUSES: readonly CredentialView['status'][] = ['offered', 'valid', 'suspended', 'revoked', 'lapsed']
const KEY_STATES: readonly KeyState[] = ['pending', 'active', 'retired', 'revoked']
const RECORD_TYPES: readonly LedgerRecord['type'][] = ['status-anchor', 'key-add', 'key-revoke']
/** The ledger's two logs, in the order the witnesses view lists them (config.ts LEDGER_LOGS). */
const LEDGER_LOGS: readonly LogWitnessView['log'][] = ['registry', 'status']
/** Credential ids: 16 random bytes, base64url (state.ts RECORD_ID). */
const RECORD_ID = /^[A-Za-z0-9_-]{22}$/
const MAX_SVG_CHARS = 512 * 1024

// ── reading answers ──────────────────────────────────────────────────────────────────────

type Obj = Record<string, unknown>

const { malformed, obj, str, nullableStr, int, nullableInt, bool, arr, oneOf } = readers('ERR_ISSUER_UNREACHABLE')

function localized(v: unknown, what: string): Localized {
  const o = obj(v, what)
  return { 'zh-CN': str(o, 'zh-CN', what), en: str(o, 'en', what) }
}

function claimSchema(v: unknown, what: string): ClaimSchema {
  const o = obj(v, what)
  return { name: str(o, 'name', what), type: oneOf(o, 'type', what, ['string', 'date'] as const), required: bool(o, 'required', what), sd: bool(o, 'sd', what), display: localized(o.display, `${what}.display`) }
}

function predicate(v: unknown, what: string): AgePredicate {
  const o = obj(v, what)
  return { name: str(o, 'name', what), from: str(o, 'from', what), years: int(o, 'years', what), sd: bool(o, 'sd', what), display: localized(o.display, `${what}.display`) }
}

function credentialSchema(v: unknown, what: string): CredentialSchema {
  const o = obj(v, what)
  return {
    id: str(o, 'id', what), vct: str(o, 'vct', what), display: localized(o.display, `${what}.display`), validityDays: int(o, 'validityDays', what),
    claims: arr(o, 'claims', what, claimSchema), predicates: arr(o, 'predicates', what, predicate),
  }
}

function keyView(v: unknown, what: string): KeyView {
  const o = obj(v, what)
  return {
    kid: str(o, 'kid', what), createdAt: int(o, 'createdAt', what), state: oneOf(o, 'state', what, KEY_STATES),
    addedIndex: nullableInt(o, 'addedIndex', what), revokedIndex: nullableInt(o, 'revokedIndex', what), current: bool(o, 'current', what),
  }
}

export function readInfo(v: unknown): IssuerInfo {
  const o = obj(v, 'info')
  return {
    did: str(o, 'did', 'info'), name: localized(o.name, 'info.name'), issuer: str(o, 'issuer', 'info'), statusListBase: str(o, 'statusListBase', 'info'),
    ledger: str(o, 'ledger', 'info'), batchSize: int(o, 'batchSize', 'info'), currentKid: str(o, 'currentKid', 'info'),
    keys: arr(o, 'keys', 'info', keyView), credentialTypes: arr(o, 'credentialTypes', 'info', credentialSchema),
  }
}

function credentialView(v: unknown, what: string): CredentialView {
  const o = obj(v, what)
  const id = str(o, 'id', what)
  if (!RECORD_ID.test(id)) malformed(`${what}.id`)
  return {
    id, vct: str(o, 'vct', what), configurationId: str(o, 'configurationId', what), officer: nullableStr(o, 'officer', what),
    status: oneOf(o, 'status', what, CREDENTIAL_STATUSES), createdAt: int(o, 'createdAt', what), issuedAt: nullableInt(o, 'issuedAt', what),
    statusChangedAt: int(o, 'statusChangedAt', what),
    copies: arr(o, 'copies', what, (c, w) => {
      const x = obj(c, w)
      return { uri: str(x, 'uri', w), idx: int(x, 'idx', w) }
    }),
    offerExpiresAt: nullableInt(o, 'offerExpiresAt', what),
  }
}

function anchorView(v: unknown, what: string): AnchorView {
  const o = obj(v, what)
  return {
    uri: str(o, 'uri', what), version: int(o, 'version', what), digest: str(o, 'digest', what), iat: int(o, 'iat', what), ttl: int(o, 'ttl', what),
    index: int(o, 'index', what), inclusionVerified: bool(o, 'inclusionVerified', what), inclusionError: nullableStr(o, 'inclusionError', what),
    checkpointSize: nullableInt(o, 'checkpointSize', what), signedBy: str(o, 'signedBy', what),
  }
}

function ledgerRecord(v: unknown, what: string): LedgerRecord {
  const o = obj(v, what)
  return {
    type: oneOf(o, 'type', what, RECORD_TYPES), subject: str(o, 'subject', what), version: nullableInt(o, 'version', what), digest: nullableStr(o, 'digest', what),
    signedBy: str(o, 'signedBy', what), iat: int(o, 'iat', what), ttl: nullableInt(o, 'ttl', what), index: int(o, 'index', what),
    inclusionVerified: bool(o, 'inclusionVerified', what), inclusionError: nullableStr(o, 'inclusionError', what), checkpointSize: nullableInt(o, 'checkpointSize', what),
  }
}

function logWitnessView(v: unknown, what: string): LogWitnessView {
  const o = obj(v, what)
  return {
    log: oneOf(o, 'log', what, LEDGER_LOGS), ...checkpointMembers(o, what),
  }
}

function checkpointMembers(o: Obj, what: string): Omit<LogWitnessView, 'log'> {
  return {
    origin: str(o, 'origin', what), size: int(o, 'size', what), rootHash: str(o, 'rootHash', what),
    cosigners: arr(o, 'cosigners', what, (c, w) => {
      const x = obj(c, w)
      return { name: str(x, 'name', w), keyId: int(x, 'keyId', w), timestamp: int(x, 'timestamp', w) }
    }),
    witnesses: arr(o, 'witnesses', what, (c, w) => {
      const x = obj(c, w)
      return { key: str(x, 'key', w), name: str(x, 'name', w), cosigned: bool(x, 'cosigned', w) }
    }),
  }
}

/** Both logs' checkpoints, registry then status; the top-level members are the status log's. */
function witnessView(v: unknown): WitnessView {
  const o = obj(v, 'witnesses')
  const logs = arr(o, 'logs', 'witnesses', logWitnessView)
  if (logs.length !== LEDGER_LOGS.length || logs.some((l, i) => l.log !== LEDGER_LOGS[i])) malformed('witnesses.logs')
  return { ...checkpointMembers(o, 'witnesses'), quorum: int(o, 'quorum', 'witnesses'), logs }
}

function offerView(v: unknown): OfferView {
  const o = obj(v, 'offer')
  const qrSvg = str(o, 'qrSvg', 'offer')
  if (qrSvg.length > MAX_SVG_CHARS || !/^\s*<svg[\s>]/.test(qrSvg)) malformed('offer.qrSvg')
  const offerUri = str(o, 'offerUri', 'offer')
  if (!offerUri.startsWith('openid-credential-offer://')) malformed('offer.offerUri')
  const txCode = nullableStr(o, 'txCode', 'offer')
  if (txCode !== null && !/^[0-9]{1,12}$/.test(txCode)) malformed('offer.txCode')
  return {
    credentialId: str(o, 'credentialId', 'offer'), offerId: str(o, 'offerId', 'offer'), configurationId: str(o, 'configurationId', 'offer'),
    offerUri, offerUriByValue: str(o, 'offerUriByValue', 'offer'), qrSvg, txCode, expiresAt: int(o, 'expiresAt', 'offer'),
  }
}

function publishReport(v: unknown): PublishReport {
  const o = obj(v, 'publish')
  return {
    published: arr(o, 'published', 'publish', anchorView),
    failed: arr(o, 'failed', 'publish', (f, w) => {
      const x = obj(f, w)
      return { uri: str(x, 'uri', w), code: str(x, 'code', w), detail: str(x, 'detail', w) }
    }),
  }
}

// ── the client ───────────────────────────────────────────────────────────────────────────

/** The issuer's base URL (where /admin/… lives), from a configured `adminUrl`: no trailing `/` or `/admin`. */
export function adminBase(adminUrl: string): string {
  return officeBase(adminUrl, 'ERR_ISSUER_UNREACHABLE')
}

/** The issuer among offices, as its console's client judges answers. */
const ISSUER_CLIENT = { roles: OFFICER_ROLES, unreachable: 'ERR_ISSUER_UNREACHABLE', unauthenticated: 'ERR_ISSUER_UNAUTHENTICATED', notFound: 'ERR_ISSUER_NOT_FOUND' } as const

export class ConsoleClient extends OfficeClient<OfficerRole> {
  /**
   * `adminUrl`: the issuer's base URL (or its /admin); `fetch`: the browser's, or a test's real
   * one; `secrets`: where the session's header secret is kept (default: memory).
   */
  constructor(adminUrl: string, o: { fetch: Fetch; timeoutMs?: number; secrets?: SessionSecrets }) {
    super(ISSUER_CLIENT, adminUrl, o)
  }

  async info(): Promise<IssuerInfo> {
    return readInfo(await this.call('GET', 'info'))
  }

  async createOffer(req: OfferRequest): Promise<OfferView> {
    const body: Record<string, unknown> = { configurationId: req.configurationId, claims: req.claims }
    if (req.officer !== undefined && req.officer !== '') body.officer = req.officer
    if (req.txCode !== undefined) body.txCode = req.txCode
    return offerView(await this.call('POST', 'offers', body))
  }

  async credentials(): Promise<CredentialView[]> {
    return arr(obj(await this.call('GET', 'credentials'), 'credentials'), 'credentials', 'credentials', credentialView)
  }

  async setStatus(id: string, action: StatusAction): Promise<StatusChange> {
    if (!RECORD_ID.test(id)) throw new CivicError('ERR_ISSUER_UNKNOWN_CREDENTIAL', `no credential ${id.slice(0, 40)}`)
    const o = obj(await this.call('POST', `credentials/${id}/${action}`), 'status change')
    return { credential: credentialView(o.credential, 'status change.credential'), changed: bool(o, 'changed', 'status change') }
  }

  /**
   * Publish the changed status lists. A 502 that carries the report (some lists failed) is
   * returned as the report, so the caller sees which were published and why others were not.
   */
  async publish(o: { force?: boolean } = {}): Promise<PublishReport> {
    const hasReport = (status: number, body: unknown) =>
      (status >= 200 && status < 300) || (status === 502 && typeof body === 'object' && body !== null && Array.isArray((body as Obj).failed))
    return publishReport(await this.call('POST', 'publish', o.force ? { force: true } : {}, hasReport))
  }

  async anchors(): Promise<AnchorsView> {
    const o = obj(await this.call('GET', 'anchors'), 'anchors')
    return { anchors: arr(o, 'anchors', 'anchors', anchorView), ledger: arr(o, 'ledger', 'anchors', ledgerRecord) }
  }

  async witnesses(): Promise<WitnessView> {
    return witnessView(await this.call('GET', 'witnesses'))
  }
}

/** The offer QR as an image URL: the SVG is shown by <img>, never inserted as markup. */
export function svgDataUri(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`
}

// ── an officer's input, checked before it is sent ────────────────────────────────────────

// MAX_CLAIM_LENGTH, UNSAFE_TEXT and the officer reference rule are the server's own (admin-wire.ts).
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/

export type ClaimProblem = 'required' | 'date' | 'future' | 'long' | 'space' | 'unsafe'
export type OfficerProblem = 'officer'

/** Why a value does not fit its claim (schema.ts validateClaims), or null. `now` in seconds. */
export function claimProblem(claim: ClaimSchema, value: string, now: number): ClaimProblem | null {
  if (value === '') return claim.required ? 'required' : null
  if (claim.type === 'date') {
    const m = DATE.exec(value)
    if (!m) return 'date'
    const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3])
    const t = new Date(Date.UTC(y, mo - 1, d))
    if (y < 1850 || mo < 1 || mo > 12 || d < 1 || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return 'date'
    return Math.floor(t.getTime() / 1000) > now ? 'future' : null
  }
  if (value.length > MAX_CLAIM_LENGTH) return 'long'
  if (value.trim() !== value) return 'space'
  if (UNSAFE_TEXT.test(value)) return 'unsafe'
  return null
}

/** Why an officer reference would be refused, or null (empty: none given). */
export function officerProblem(value: string): OfficerProblem | null {
  return value === '' || isOfficerReference(value) ? null : 'officer'
}

/** The claims to send: every non-empty value of the schema's claims, nothing else. */
export function offerClaims(schema: CredentialSchema, values: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const c of schema.claims) {
    const v = values[c.name] ?? ''
    if (v !== '') out[c.name] = v
  }
  return out
}
