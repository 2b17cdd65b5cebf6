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
 * Officers: the session is a cookie the browser keeps for the admin listener (HttpOnly, never
 * seen here), so every call is made with `credentials: 'include'` — and the session's second
 * secret, which the sign-in (or enrolment) answer gives, sent in the `x-civic-session` header.
 * The cookie alone is no session: browsers send it to any server on any localhost port, where
 * another local user's server could collect it; the secret lives in a `SessionSecrets` store the
 * caller passes (the console's is sessionStorage: per origin, so no page on another port reads
 * it, and it survives a reload of the tab). Sign-in and enrolment take their WebAuthn options
 * from the server and hand the browser's answer back (the passkey step itself is
 * console-webauthn.ts).
 */
import { CivicError, isErrorCode, type ErrorCode } from '../core/errors.ts'
import { parseJson } from '../core/bytes/json.ts'
import type { LogWitnessView, WitnessView } from './ledger-client.ts'
import type { AgePredicate, ClaimSchema, CredentialSchema, Localized } from './schema.ts'
import type { KeyState } from './state.ts'
import {
  isOfficerReference, MAX_CLAIM_LENGTH, OFFICER_ROLES, SESSION_HEADER, UNSAFE_TEXT,
  type AnchorsView, type AnchorView, type AuditRecord, type CreatedEnrolment, type CredentialView, type EnrolmentView, type IssuerInfo, type KeyView,
  type LedgerRecord, type OfferRequest, type OfferView, type OfficerRole, type OfficersView, type OfficerView, type PublishReport, type SessionView,
  type StatusAction, type StatusChange,
} from './admin-wire.ts'

export type {
  AnchorsView, AnchorView, AuditRecord, CreatedEnrolment, CredentialView, EnrolmentView, IssuerInfo, KeyView, LedgerRecord, OfferRequest, OfferView,
  OfficerRole, OfficersView, OfficerView, PublishReport, SessionView, StatusAction, StatusChange, WitnessView, LogWitnessView, ClaimSchema, CredentialSchema, Localized,
}
export { MAX_CLAIM_LENGTH }

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>

/** Where the console keeps each office's session secret, by the office's admin base URL. */
export interface SessionSecrets {
  get(base: string): string | null
  set(base: string, secret: string | null): void
}

/** Session secrets in memory only (gone with the page). */
export function memorySessionSecrets(): SessionSecrets {
  const m = new Map<string, string>()
  return {
    get: (base) => m.get(base) ?? null,
    set: (base, s) => void (s === null ? m.delete(base) : m.set(base, s)),
  }
}

const SESSION_SECRET = /^[A-Za-z0-9_-]{43}$/

const CREDENTIAL_STATUSES: readonly CredentialView['status'][] = ['offered', 'valid', 'suspended', 'revoked', 'lapsed']
const KEY_STATES: readonly KeyState[] = ['pending', 'active', 'retired', 'revoked']
const RECORD_TYPES: readonly LedgerRecord['type'][] = ['status-anchor', 'key-add', 'key-revoke']
/** The ledger's two logs, in the order the witnesses view lists them (config.ts LEDGER_LOGS). */
const LEDGER_LOGS: readonly LogWitnessView['log'][] = ['registry', 'status']
/** Credential ids: 16 random bytes, base64url (state.ts RECORD_ID). */
const RECORD_ID = /^[A-Za-z0-9_-]{22}$/
/** The largest answer the console reads (a few hundred credentials and their copies fit many times). */
const MAX_ANSWER_BYTES = 8 << 20
const MAX_SVG_CHARS = 512 * 1024

// ── reading answers ──────────────────────────────────────────────────────────────────────

function malformed(what: string): never {
  throw new CivicError('ERR_ISSUER_UNREACHABLE', `the admin API answered ${what} in an unexpected shape`)
}

type Obj = Record<string, unknown>

function obj(v: unknown, what: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) malformed(what)
  return v as Obj
}

function str(o: Obj, k: string, what: string): string {
  const v = o[k]
  if (typeof v !== 'string') malformed(`${what}.${k}`)
  return v
}

function nullableStr(o: Obj, k: string, what: string): string | null {
  const v = o[k]
  if (v === null) return null
  if (typeof v !== 'string') malformed(`${what}.${k}`)
  return v
}

function int(o: Obj, k: string, what: string): number {
  const v = o[k]
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) malformed(`${what}.${k}`)
  return v
}

function nullableInt(o: Obj, k: string, what: string): number | null {
  return o[k] === null ? null : int(o, k, what)
}

function bool(o: Obj, k: string, what: string): boolean {
  const v = o[k]
  if (typeof v !== 'boolean') malformed(`${what}.${k}`)
  return v
}

function arr<T>(o: Obj, k: string, what: string, each: (v: unknown, what: string) => T): T[] {
  const v = o[k]
  if (!Array.isArray(v)) malformed(`${what}.${k}`)
  return v.map((x, i) => each(x, `${what}.${k}[${i}]`))
}

function oneOf<T extends string>(o: Obj, k: string, what: string, allowed: readonly T[]): T {
  const v = str(o, k, what)
  if (!(allowed as readonly string[]).includes(v)) malformed(`${what}.${k}`)
  return v as T
}

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

function officerView(o: Obj, what: string): OfficerView {
  return { id: str(o, 'id', what), name: str(o, 'name', what), role: oneOf(o, 'role', what, OFFICER_ROLES) }
}

function sessionView(v: unknown): SessionView {
  const o = obj(v, 'session')
  return { officer: officerView(obj(o.officer, 'session.officer'), 'session.officer'), expiresAt: int(o, 'expiresAt', 'session'), idleSeconds: int(o, 'idleSeconds', 'session') }
}

/** A sign-in or enrolment answer: the session and its header secret. */
function signedIn(v: unknown): { session: SessionView; secret: string } {
  const secret = str(obj(v, 'session'), 'secret', 'session')
  if (!SESSION_SECRET.test(secret)) malformed('session.secret')
  return { session: sessionView(v), secret }
}

function enrolmentView(v: unknown, what: string): EnrolmentView {
  const o = obj(v, what)
  return { id: str(o, 'id', what), name: str(o, 'name', what), role: oneOf(o, 'role', what, OFFICER_ROLES), createdAt: int(o, 'createdAt', what), expiresAt: int(o, 'expiresAt', what) }
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

/** The server's coded error, if the body is one. */
function serverError(body: unknown): CivicError | null {
  if (typeof body !== 'object' || body === null) return null
  const e = (body as { error?: unknown }).error
  if (typeof e !== 'object' || e === null) return null
  const { code, message } = e as { code?: unknown; message?: unknown }
  if (!isErrorCode(code)) return null
  return new CivicError(code, typeof message === 'string' ? message.slice(0, 500) : '')
}

// ── the client ───────────────────────────────────────────────────────────────────────────

/** The issuer's base URL (where /admin/… lives), from a configured `adminUrl`: no trailing `/` or `/admin`. */
export function adminBase(adminUrl: string): string {
  let u: URL
  try {
    u = new URL(adminUrl)
  } catch {
    throw new CivicError('ERR_ISSUER_UNREACHABLE', `${adminUrl.slice(0, 80)} is not a URL`)
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new CivicError('ERR_ISSUER_UNREACHABLE', `${adminUrl.slice(0, 80)} is not an http(s) URL`)
  const path = u.pathname.replace(/\/+$/, '').replace(/\/admin$/, '')
  return `${u.origin}${path}`
}

export class ConsoleClient {
  readonly base: string
  readonly #fetch: Fetch
  readonly #timeoutMs: number
  readonly #secrets: SessionSecrets

  /**
   * `adminUrl`: the issuer's base URL (or its /admin); `fetch`: the browser's, or a test's real
   * one; `secrets`: where the session's header secret is kept (default: memory).
   */
  constructor(adminUrl: string, o: { fetch: Fetch; timeoutMs?: number; secrets?: SessionSecrets }) {
    this.base = adminBase(adminUrl)
    this.#fetch = o.fetch
    this.#timeoutMs = o.timeoutMs ?? 60_000
    this.#secrets = o.secrets ?? memorySessionSecrets()
  }

  async #call(method: 'GET' | 'POST', path: string, body?: unknown, accept: (status: number, body: unknown) => boolean = (s) => s >= 200 && s < 300): Promise<unknown> {
    const url = `${this.base}/admin/${path}`
    // The officer's session is an HttpOnly cookie of the admin listener (same site, another port).
    const init: RequestInit = { method, redirect: 'error', credentials: 'include', cache: 'no-store', signal: timeoutSignal(this.#timeoutMs) }
    const headers: Record<string, string> = {}
    // The cookie needs its secret: without the header the server sees no session.
    const secret = this.#secrets.get(this.base)
    if (secret !== null) headers[SESSION_HEADER] = secret
    // A POST always carries a JSON body: admin.ts refuses any other content type.
    if (method === 'POST') {
      headers['content-type'] = 'application/json'
      init.body = JSON.stringify(body ?? {})
    }
    if (Object.keys(headers).length > 0) init.headers = headers
    let r: Response
    try {
      r = await this.#fetch(url, init)
    } catch (e) {
      throw new CivicError('ERR_ISSUER_UNREACHABLE', `${method} ${url}: ${e instanceof Error ? e.message : String(e)}`.slice(0, 500))
    }
    let parsed: unknown
    try {
      const text = await r.text()
      if (text.length > MAX_ANSWER_BYTES) throw new Error('too large')
      parsed = text === '' ? null : parseJson(text, { maxLength: MAX_ANSWER_BYTES, maxDepth: 32 }, 'the admin API answer')
    } catch {
      throw new CivicError('ERR_ISSUER_UNREACHABLE', `${method} ${url}: HTTP ${r.status} without a JSON body`)
    }
    if (accept(r.status, parsed)) return parsed
    throw serverError(parsed) ?? new CivicError('ERR_ISSUER_UNREACHABLE', `${method} ${url}: HTTP ${r.status} without a coded error`)
  }

  async info(): Promise<IssuerInfo> {
    return readInfo(await this.#call('GET', 'info'))
  }

  async createOffer(req: OfferRequest): Promise<OfferView> {
    const body: Record<string, unknown> = { configurationId: req.configurationId, claims: req.claims }
    if (req.officer !== undefined && req.officer !== '') body.officer = req.officer
    if (req.txCode !== undefined) body.txCode = req.txCode
    return offerView(await this.#call('POST', 'offers', body))
  }

  async credentials(): Promise<CredentialView[]> {
    return arr(obj(await this.#call('GET', 'credentials'), 'credentials'), 'credentials', 'credentials', credentialView)
  }

  async setStatus(id: string, action: StatusAction): Promise<StatusChange> {
    if (!RECORD_ID.test(id)) throw new CivicError('ERR_ISSUER_UNKNOWN_CREDENTIAL', `no credential ${id.slice(0, 40)}`)
    const o = obj(await this.#call('POST', `credentials/${id}/${action}`), 'status change')
    return { credential: credentialView(o.credential, 'status change.credential'), changed: bool(o, 'changed', 'status change') }
  }

  /**
   * Publish the changed status lists. A 502 that carries the report (some lists failed) is
   * returned as the report, so the caller sees which were published and why others were not.
   */
  async publish(o: { force?: boolean } = {}): Promise<PublishReport> {
    const hasReport = (status: number, body: unknown) =>
      (status >= 200 && status < 300) || (status === 502 && typeof body === 'object' && body !== null && Array.isArray((body as Obj).failed))
    return publishReport(await this.#call('POST', 'publish', o.force ? { force: true } : {}, hasReport))
  }

  async anchors(): Promise<AnchorsView> {
    const o = obj(await this.#call('GET', 'anchors'), 'anchors')
    return { anchors: arr(o, 'anchors', 'anchors', anchorView), ledger: arr(o, 'ledger', 'anchors', ledgerRecord) }
  }

  async witnesses(): Promise<WitnessView> {
    return witnessView(await this.#call('GET', 'witnesses'))
  }

  // ── officers ──

  /** The signed-in officer (ERR_ISSUER_UNAUTHENTICATED when signed out). */
  async session(): Promise<SessionView> {
    try {
      return sessionView(await this.#call('GET', 'session'))
    } catch (e) {
      if (e instanceof CivicError && e.code === 'ERR_ISSUER_UNAUTHENTICATED') this.#secrets.set(this.base, null)
      throw e
    }
  }

  #keep(v: unknown): SessionView {
    const s = signedIn(v)
    this.#secrets.set(this.base, s.secret)
    return s.session
  }

  async signInOptions(): Promise<Record<string, unknown>> {
    return obj(obj(await this.#call('POST', 'session/options'), 'sign-in').options, 'sign-in.options')
  }

  async signIn(response: unknown): Promise<SessionView> {
    return this.#keep(await this.#call('POST', 'session/verify', { response }))
  }

  /** End the session on the server (cookie and header) and forget its secret here, whatever the answer. */
  async signOut(): Promise<void> {
    try {
      await this.#call('POST', 'session/end')
    } finally {
      this.#secrets.set(this.base, null)
    }
  }

  async enrolOptions(code: string): Promise<{ name: string; role: OfficerRole; options: Record<string, unknown> }> {
    const o = obj(await this.#call('POST', 'enrol/options', { code }), 'enrolment')
    return { name: str(o, 'name', 'enrolment'), role: oneOf(o, 'role', 'enrolment', OFFICER_ROLES), options: obj(o.options, 'enrolment.options') }
  }

  async enrol(code: string, response: unknown): Promise<SessionView> {
    return this.#keep(await this.#call('POST', 'enrol/verify', { code, response }))
  }

  async officers(): Promise<OfficersView> {
    const o = obj(await this.#call('GET', 'officers'), 'officers')
    return {
      officers: arr(o, 'officers', 'officers', (v, w) => {
        const x = obj(v, w)
        return { ...officerView(x, w), createdAt: int(x, 'createdAt', w), passkeys: int(x, 'passkeys', w), disabled: bool(x, 'disabled', w) }
      }),
      enrolments: arr(o, 'enrolments', 'officers', enrolmentView),
    }
  }

  async createEnrolment(role: OfficerRole, name: string): Promise<CreatedEnrolment> {
    const o = obj(await this.#call('POST', 'officers/enrolments', { role, name }), 'enrolment')
    const code = str(o, 'code', 'enrolment')
    if (!/^[A-Za-z0-9_-]{43}$/.test(code)) malformed('enrolment.code')
    return { ...enrolmentView(o, 'enrolment'), code }
  }

  async cancelEnrolment(id: string): Promise<boolean> {
    if (!RECORD_ID.test(id)) throw new CivicError('ERR_ISSUER_NOT_FOUND', 'no such enrolment')
    return bool(obj(await this.#call('POST', `officers/enrolments/${id}/cancel`), 'cancel'), 'cancelled', 'cancel')
  }

  async disableOfficer(id: string): Promise<OfficerView> {
    if (!RECORD_ID.test(id)) throw new CivicError('ERR_ISSUER_NOT_FOUND', 'no such officer')
    return officerView(obj(await this.#call('POST', `officers/${id}/disable`), 'officer'), 'officer')
  }

  async audit(): Promise<AuditRecord[]> {
    return arr(obj(await this.#call('GET', 'audit'), 'audit'), 'records', 'audit', (v, w) => {
      const x = obj(v, w)
      const target = obj(x.target, `${w}.target`)
      const t: Record<string, string> = {}
      for (const [k, val] of Object.entries(target)) if (typeof val === 'string') t[k] = val
      return { at: int(x, 'at', w), officer: x.officer === null ? null : officerView(obj(x.officer, `${w}.officer`), `${w}.officer`), action: str(x, 'action', w), target: t, outcome: str(x, 'outcome', w) }
    })
  }
}

function timeoutSignal(ms: number): AbortSignal | undefined {
  return typeof AbortSignal !== 'undefined' && typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(ms) : undefined
}

/** The offer QR as an image URL: the SVG is shown by <img>, never inserted as markup. */
export function svgDataUri(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`
}

/** The code of a failure: a CivicError's own; anything else is our bug and rethrows. */
export function errorCodeOf(e: unknown): { code: ErrorCode; detail: string } {
  if (e instanceof CivicError) return { code: e.code, detail: e.detail }
  throw e
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
