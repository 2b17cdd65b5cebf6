/**
 * The admin API the issuer console (and `civic issuer …` while a server runs) uses: JSON over
 * HTTP under /admin/.
 *
 * Who may call it, first: only a client on loopback (socket address 127.0.0.1 / ::1), addressing
 * the server by a loopback name (the Host header, so a DNS-rebinding page is refused), and — when
 * a browser says where it comes from (Origin) — only the configured console origin, which also
 * gets CORS with credentials (the console sends its session cookie). A POST must be
 * application/json, which a cross-site form cannot send without a preflight. Everything else:
 * 403 ERR_ISSUER_FORBIDDEN. That gate is defence in depth, not authentication:
 *
 * Who is calling: an officer's session — the cookie `civic_officer_<office>` (HttpOnly,
 * SameSite=Strict, Path=/admin, Secure on https; idle 15 min, at most 8 h; officers.ts) AND its
 * secret in the `x-civic-session` header, which the sign-in answer gives and the console keeps
 * in sessionStorage. The cookie alone is no session: browsers send it to any server on any
 * localhost port, so another local user's server can collect and replay it. Or the directory's
 * admin token (`Authorization: Bearer …`, supervisor rights). Without either: 401
 * ERR_ISSUER_UNAUTHENTICATED. Clerks issue and view; the rest is for supervisors (403
 * ERR_ISSUER_ROLE).
 *
 * The audit trail: every officer action (each POST, and each refusal of an officer's role) is
 * appended with the officer who did it, never with claims; an action is recorded before it is
 * taken ("started"), so one the trail cannot hold is refused. Views (GET) are not recorded.
 * Refusals of anonymous callers (a bad token, a cookie without its secret, a sign-in or
 * enrolment that did not verify) are nobody's action: they go to the service log (when one is
 * given, `AdminApiOptions.log`), and to the trail as at most one summary record per client network a minute with their count
 * (`refused.unauthenticated`), so a flood neither fills the disk with fsynced records nor
 * pushes the officers' actions out of the console's view.
 *
 * Rate limits (per client network, rate-limit.ts): the ways in (sign-in and enrolment options
 * and verify) and failed credentials; over the limit: 429 ERR_ISSUER_RATE_LIMITED. Pending
 * WebAuthn challenges are bounded per network (officers.ts), so one client cannot evict the
 * challenges of others. Every admin client is on loopback, which is one network: these bound
 * what a flood costs, they do not tell a local attacker from the officer beside them.
 *
 * Without a session (the way in):
 *   POST /admin/enrol/options   {code}               → EnrolOptions (WebAuthn creation options)
 *   POST /admin/enrol/verify    {code, response}     → 201 SignedIn + Set-Cookie (the code is used up)
 *   POST /admin/session/options {}                   → SignInOptions
 *   POST /admin/session/verify  {response}           → SignedIn + Set-Cookie
 *   GET  /admin/session                              → SessionView (401 when signed out)
 *   POST /admin/session/end     {}                   → {ok} (the cookie cleared; the session ended when cookie and header match)
 * Clerk and supervisor:
 *   GET  /admin/info                                   issuer identity, credential types, keys
 *   POST /admin/offers        {vct|configurationId, claims, officer?, txCode?}
 *                             → 201 {credentialId, offerId, offerUri, offerUriByValue, qrSvg, txCode, expiresAt}
 *   GET  /admin/credentials                            → {credentials: [CredentialView]}
 *   GET  /admin/credentials/<id>                       → CredentialView
 *   GET  /admin/anchors                                → {anchors: [AnchorView], ledger: [LedgerRecord]}
 *   GET  /admin/lists                                  → {lists: [...]}
 *   GET  /admin/witnesses                              → WitnessView (each log's latest checkpoint and its cosigners)
 * Supervisor:
 *   POST /admin/credentials/<id>/revoke|suspend|reinstate → {credential, changed}   (idempotent)
 *   POST /admin/publish       {force?}                 → {published: [AnchorView], failed: [...]}  (502 if any failed)
 *   POST /admin/rotate        {keepOld?}               → RotationReport
 *   POST /admin/keys/<kid>/revoke                      → LedgerRecord (a retired key no served list uses)
 *   GET  /admin/officers                               → OfficersView
 *   POST /admin/officers/enrolments {role, name, first?} → 201 CreatedEnrolment (the code, once)
 *   POST /admin/officers/enrolments/<id>/cancel        → {cancelled}
 *   POST /admin/officers/<id>/disable                  → OfficerView (its sessions end, the enrolments it made are voided)
 *   GET  /admin/audit                                  → AuditView (newest first)
 *
 * Errors: `{"error":{"code","message"}}`; a refused request changes nothing.
 */
import { randomBytes } from 'node:crypto'
import { CivicError, type ErrorCode } from '../core/errors.ts'
import { statusOf } from '../node/http.ts'
import { networkKey, RateLimiter } from '../node/rate-limit.ts'
import type { IssuerService, StatusAction } from './service.ts'
import { offerUris } from './vci.ts'
import { qrSvg } from './qr.ts'
import { parseJson } from '../core/bytes/json.ts'
import { readMembers } from '../core/bytes/shape.ts'
import { InputError } from '../core/errors.ts'
import { SESSION_HEADER, type AuditRecord, type OfficerRole, type OfficerView, type SessionView, type SignedIn } from './admin-wire.ts'
import { ADMIN_TOKEN_OFFICER, OfficerStore, SESSION_MAX_SECONDS, sessionCookieName } from './officers.ts'

export interface AdminRequest {
  method: string
  path: string
  /** The request's headers as node:http gives them (cookie and authorization are read from here). */
  headers: Readonly<Record<string, string | string[] | undefined>>
  remoteAddress: string | undefined
  host: string | undefined
  origin: string | undefined
  contentType: string
  body: Uint8Array
}

export interface AdminReply {
  status: number
  headers: Record<string, string>
  body: unknown
}

const LOOPBACK_ADDRESS = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])
const LOOPBACK_HOST = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::[0-9]{1,5})?$/i
/** Requests per second per client network to the ways in (sign-in, enrolment); bursts of twice that. */
export const OPEN_RATE = 10
/** Failed credentials per second per client network; bursts of twice that. */
export const FAILURE_RATE = 2
/** At most one summary record of anonymous refusals per client network in this many seconds. */
export const REFUSAL_SUMMARY_SECONDS = 60
const MAX_REFUSAL_NETWORKS = 1000
/** The routes the open-route rate limit counts. */
const RATE_LIMITED_OPEN = new Set(['POST /admin/enrol/options', 'POST /admin/enrol/verify', 'POST /admin/session/options', 'POST /admin/session/verify'])

/** The status of a refusal: the one table of the HTTP layer (src/node/http.ts). */
export function adminStatusOf(code: ErrorCode): number {
  return statusOf(code)
}

function forbidden(detail: string): never {
  throw new CivicError('ERR_ISSUER_FORBIDDEN', detail)
}

function badRequest(detail: string): never {
  throw new CivicError('ERR_ISSUER_BAD_REQUEST', detail)
}

/** CORS headers for the console's origin (none for anyone else). */
export function corsHeaders(appOrigin: string | null, origin: string | undefined): Record<string, string> {
  if (!appOrigin || origin !== appOrigin) return { vary: 'Origin' }
  return { 'access-control-allow-origin': appOrigin, 'access-control-allow-credentials': 'true', vary: 'Origin' }
}

function jsonBody(r: AdminRequest): Record<string, unknown> {
  if (r.body.length === 0) return {}
  if (r.contentType !== 'application/json') badRequest('send application/json')
  let v: unknown
  try {
    // Strict JSON: duplicate members are refused, not silently resolved.
    v = parseJson(new TextDecoder('utf-8', { fatal: true }).decode(r.body), { maxLength: 256 * 1024, maxDepth: 8 }, 'the body')
  } catch (e) {
    badRequest(e instanceof InputError ? e.detail : 'the body is not UTF-8 JSON')
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) badRequest('the body is not a JSON object')
  return v as Record<string, unknown>
}

/** A body with no member but `keys` (the kernel's one shape reader), else ERR_ISSUER_BAD_REQUEST. */
function allowedKeys(o: Record<string, unknown>, keys: string[]): void {
  readMembers(o, 'body', [], keys, { code: 'ERR_ISSUER_BAD_REQUEST', error: (code, detail) => new CivicError(code, detail) })
}

/** The ways in that need no session: enrolment with a code, sign-in with a passkey. */
const OPEN = new Set(['POST /admin/enrol/options', 'POST /admin/enrol/verify', 'POST /admin/session/options', 'POST /admin/session/verify', 'GET /admin/session', 'POST /admin/session/end'])

/** What a clerk may do; everything else needs a supervisor. */
function clerkMay(method: string, path: string): boolean {
  if (method === 'GET') return path !== '/admin/officers' && path !== '/admin/audit'
  return method === 'POST' && path === '/admin/offers'
}

function rateLimited(detail: string): never {
  throw new CivicError('ERR_ISSUER_RATE_LIMITED', detail)
}

function sessionHeader(r: AdminRequest): string | null {
  const h = r.headers[SESSION_HEADER]
  return typeof h === 'string' && /^[A-Za-z0-9_-]{43}$/.test(h) ? h : null
}

function cookie(r: AdminRequest, name: string): string | null {
  const h = r.headers.cookie
  const all = Array.isArray(h) ? h.join('; ') : h ?? ''
  for (const part of all.split(';')) {
    const i = part.indexOf('=')
    if (i > 0 && part.slice(0, i).trim() === name) {
      const v = part.slice(i + 1).trim()
      return /^[A-Za-z0-9_-]{43}$/.test(v) ? v : null
    }
  }
  return null
}

function bearer(r: AdminRequest): string | null {
  const h = r.headers.authorization
  if (typeof h !== 'string') return null
  const m = /^Bearer ([A-Za-z0-9_-]{1,200})$/.exec(h)
  return m ? m[1]! : ''
}

export interface AdminApiOptions {
  /** The admin listener's own origin: Secure cookies when it is https. Default: https when the console is. */
  adminOrigin?: string
  /** An officer store already open (tests); default: opened from the service's data directory on first use. */
  officers?: OfficerStore
  /** The service log: anonymous refusals are written here, one line each. */
  log?: (line: string) => void
}

/** Who is calling: an officer with their session, or the admin token (no session). */
interface Who {
  officer: OfficerView
  sid: string | null
  session: SessionView | null
}

export class AdminApi {
  readonly svc: IssuerService
  readonly #base: () => string
  readonly appOrigin: string | null
  readonly #secure: boolean
  readonly #cookie: string
  #officers: Promise<OfficerStore> | null
  readonly #log: (line: string) => void
  /** The rate limits' clock in seconds: the monotonic clock (a test may set its own). */
  rateClock: () => number = () => performance.now() / 1000
  readonly #openLimit: RateLimiter
  readonly #failureLimit: RateLimiter
  /** Anonymous refusals not yet in a summary record, per client network (least recently seen first). */
  readonly #refusals = new Map<string, { count: number; writtenAt: number | null }>()

  constructor(svc: IssuerService, base: () => string, appOrigin: string | null, o: AdminApiOptions = {}) {
    this.svc = svc
    this.#base = base
    this.appOrigin = appOrigin
    this.#secure = (o.adminOrigin ?? appOrigin ?? '').startsWith('https:')
    this.#cookie = sessionCookieName(svc.did)
    this.#officers = o.officers ? Promise.resolve(o.officers) : null
    this.#log = o.log ?? (() => {})
    this.#openLimit = new RateLimiter(OPEN_RATE, () => this.rateClock())
    this.#failureLimit = new RateLimiter(FAILURE_RATE, () => this.rateClock())
  }

  /** The office's officers, sessions and audit trail (opened once). */
  officers(): Promise<OfficerStore> {
    this.#officers ??= OfficerStore.open(this.svc.dataDir, { appOrigin: this.appOrigin, rpName: this.svc.config.name.en, now: () => this.svc.now() }).catch((e) => {
      this.#officers = null
      throw e
    })
    return this.#officers
  }

  /** Who may call: throws ERR_ISSUER_FORBIDDEN. */
  gate(r: AdminRequest): void {
    if (!r.remoteAddress || !LOOPBACK_ADDRESS.has(r.remoteAddress)) forbidden('the admin API answers loopback clients only')
    if (!r.host || !LOOPBACK_HOST.test(r.host)) forbidden('the admin API must be addressed by a loopback host name')
    if (r.origin !== undefined && r.origin !== this.appOrigin) forbidden(`origin ${r.origin.slice(0, 80)} is not the issuer console`)
    if (r.method === 'POST' && r.body.length > 0 && r.contentType !== 'application/json') badRequest('send application/json')
  }

  /** A CORS preflight (OPTIONS) for the console. */
  preflight(r: AdminRequest): AdminReply {
    this.gate({ ...r, method: 'OPTIONS' })
    if (!this.appOrigin || r.origin !== this.appOrigin) forbidden('no CORS for this origin')
    return {
      status: 204,
      headers: {
        ...corsHeaders(this.appOrigin, r.origin),
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': `content-type, authorization, ${SESSION_HEADER}`,
        'access-control-max-age': '600',
      },
      body: null,
    }
  }

  #setCookie(sid: string | null): string {
    const attrs = `HttpOnly; SameSite=Strict; Path=/admin${this.#secure ? '; Secure' : ''}`
    return sid === null ? `${this.#cookie}=; Max-Age=0; ${attrs}` : `${this.#cookie}=${sid}; Max-Age=${SESSION_MAX_SECONDS}; ${attrs}`
  }

  /**
   * The caller: a live session's officer (cookie and header both), the admin token, or null —
   * `presented` says whether a credential came that did not make one (a bad token is thrown).
   */
  async #who(r: AdminRequest, store: OfficerStore): Promise<{ who: Who | null; presented: boolean }> {
    const token = bearer(r)
    if (token !== null) {
      if (token !== '' && (await store.isAdminToken(token))) return { who: { officer: ADMIN_TOKEN_OFFICER, sid: null, session: null }, presented: true }
      throw new CivicError('ERR_ISSUER_UNAUTHENTICATED', 'this is not the admin token')
    }
    const sid = cookie(r, this.#cookie)
    const header = sessionHeader(r)
    if (sid === null) return { who: null, presented: header !== null }
    const s = store.session(sid, header)
    return s ? { who: { officer: s.officer, sid, session: s }, presented: true } : { who: null, presented: true }
  }

  /**
   * An anonymous refusal: counted against the client network's failure limit (429 once over
   * it), logged, and folded into at most one summary audit record per network a minute.
   */
  async #refuse(store: OfficerStore, r: AdminRequest, e: CivicError): Promise<never> {
    const net = networkKey(r.remoteAddress)
    const limited = !this.#failureLimit.take(net)
    this.#log(`refused ${r.method} ${r.path.slice(0, 80)} from ${net}: ${e.code}${limited ? ' (rate limited)' : ''}`)
    const now = this.svc.now()
    const entry = this.#refusals.get(net) ?? { count: 0, writtenAt: null }
    entry.count++
    this.#refusals.delete(net)
    this.#refusals.set(net, entry)
    if (this.#refusals.size > MAX_REFUSAL_NETWORKS) this.#refusals.delete(this.#refusals.keys().next().value!)
    if (entry.writtenAt === null || now - entry.writtenAt >= REFUSAL_SUMMARY_SECONDS) {
      const count = entry.count
      entry.count = 0
      entry.writtenAt = now
      // The refusal stands whether or not its summary could be written.
      await store.audit({ at: now, officer: null, action: 'refused.unauthenticated', target: { network: net, refusals: String(count) }, outcome: e.code }).catch(() => {})
    }
    if (limited) rateLimited('too many failed sign-ins or credentials from this network; retry later')
    throw e
  }

  async handle(r: AdminRequest): Promise<AdminReply> {
    this.gate(r)
    const store = await this.officers()
    const key = `${r.method} ${r.path}`
    if (RATE_LIMITED_OPEN.has(key) && !this.#openLimit.take(networkKey(r.remoteAddress))) {
      this.#log(`rate limited ${key} from ${networkKey(r.remoteAddress)}`)
      rateLimited('too many sign-in or enrolment requests from this network; retry later')
    }
    let found: { who: Who | null; presented: boolean }
    try {
      found = await this.#who(r, store)
    } catch (e) {
      if (e instanceof CivicError && e.code === 'ERR_ISSUER_UNAUTHENTICATED') return this.#refuse(store, r, e)
      throw e
    }
    const who = found.who
    if (OPEN.has(key)) return this.#open(r, store, who)
    if (!who) {
      const e = new CivicError('ERR_ISSUER_UNAUTHENTICATED', found.presented ? `this is no live session (the console sends its cookie with the ${SESSION_HEADER} header)` : 'sign in with a passkey (or use the admin token)')
      if (found.presented) return this.#refuse(store, r, e)
      throw e
    }
    // The ids named in the path, so that a refusal is recorded with what it was refused on.
    const target = pathTargets(r.path)
    if (who.officer.role !== 'supervisor' && !clerkMay(r.method, r.path)) {
      const e = new CivicError('ERR_ISSUER_ROLE', `a ${who.officer.role} may not ${r.method} ${r.path.slice(0, 80)}`)
      await this.#audit(store, who.officer, r, target, e)
      throw e
    }
    if (r.method !== 'POST') return this.#route(r, who.officer, store, target)
    // An action is recorded before it is taken ("started"), so one the trail cannot hold is
    // refused with nothing changed; its outcome follows under the same id. Should the outcome
    // not be written, the started record still names the officer and the action.
    const id = randomBytes(9).toString('base64url')
    await this.#audit(store, who.officer, r, target, null, 'started', id)
    let reply: AdminReply
    try {
      reply = await this.#route(r, who.officer, store, target)
    } catch (e) {
      if (e instanceof CivicError) await this.#audit(store, who.officer, r, target, e, 'ok', id).catch(() => {})
      throw e
    }
    await this.#audit(store, who.officer, r, target, null, reply.status === 502 ? 'ERR_ISSUER_LEDGER' : 'ok', id).catch(() => {})
    return reply
  }

  async #audit(store: OfficerStore, officer: OfficerView | null, r: AdminRequest, target: Record<string, string>, e: unknown, outcome = 'ok', id?: string): Promise<void> {
    const rec: AuditRecord = {
      ...(id ? { id } : {}), at: this.svc.now(), officer, action: actionName(r.method, r.path), target: { ...target },
      outcome: e instanceof CivicError ? e.code : e ? 'error' : outcome,
    }
    await store.audit(rec)
  }

  #reply(r: AdminRequest, status: number, body: unknown, extra: Record<string, string> = {}): AdminReply {
    return { status, headers: { ...corsHeaders(this.appOrigin, r.origin), 'cache-control': 'no-store', ...extra }, body }
  }

  /** Enrolment and sign-in. */
  async #open(r: AdminRequest, store: OfficerStore, who: Who | null): Promise<AdminReply> {
    const key = `${r.method} ${r.path}`
    if (key === 'GET /admin/session') {
      if (!who) throw new CivicError('ERR_ISSUER_UNAUTHENTICATED', 'not signed in')
      const s: SessionView = who.session ?? { officer: who.officer, expiresAt: this.svc.now() + SESSION_MAX_SECONDS, idleSeconds: 0 }
      return this.#reply(r, 200, s)
    }
    const network = networkKey(r.remoteAddress)
    const body = jsonBody(r)
    if (key === 'POST /admin/session/end') {
      allowedKeys(body, [])
      if (who?.sid) {
        store.endSession(who.sid)
        await this.#audit(store, who.officer, r, {}, null)
      }
      return this.#reply(r, 200, { ok: true }, { 'set-cookie': this.#setCookie(null) })
    }
    if (key === 'POST /admin/enrol/options') {
      allowedKeys(body, ['code'])
      let got: Awaited<ReturnType<OfficerStore['enrolOptions']>>
      try {
        got = await store.enrolOptions(body.code, network)
      } catch (e) {
        if (e instanceof CivicError && e.code === 'ERR_ISSUER_ENROLMENT') return this.#refuse(store, r, e)
        throw e
      }
      const { enrolment, options } = got
      return this.#reply(r, 200, { name: enrolment.name, role: enrolment.role, options })
    }
    if (key === 'POST /admin/session/options') {
      allowedKeys(body, [])
      return this.#reply(r, 200, { options: await store.signInOptions(network) })
    }
    if (key === 'POST /admin/enrol/verify' || key === 'POST /admin/session/verify') {
      const enrol = key === 'POST /admin/enrol/verify'
      allowedKeys(body, enrol ? ['code', 'response'] : ['response'])
      let officer: OfficerView
      if (enrol) {
        // A code that is no pending enrolment is an anonymous refusal; one that is, is an
        // action on the office, recorded ("started") before the officer is made.
        let enrolment
        try {
          enrolment = store.pendingEnrolment(body.code)
        } catch (e) {
          if (e instanceof CivicError) return this.#refuse(store, r, e)
          throw e
        }
        const target: Record<string, string> = { enrolment: enrolment.id, role: enrolment.role }
        const id = randomBytes(9).toString('base64url')
        await this.#audit(store, null, r, target, null, 'started', id)
        try {
          officer = await store.enrol(body.code, body.response)
        } catch (e) {
          if (e instanceof CivicError) await this.#audit(store, null, r, target, e, 'ok', id).catch(() => {})
          throw e
        }
        await this.#audit(store, officer, r, { ...target, officer: officer.id }, null, 'ok', id).catch(() => {})
      } else {
        try {
          officer = await store.signIn(body.response)
        } catch (e) {
          if (e instanceof CivicError && e.code === 'ERR_ISSUER_UNAUTHENTICATED') return this.#refuse(store, r, e)
          throw e
        }
        await this.#audit(store, officer, r, { officer: officer.id }, null)
      }
      const { sid, secret, session } = store.startSession(officer.id)
      const answer: SignedIn = { ...session, secret }
      return this.#reply(r, enrol ? 201 : 200, answer, { 'set-cookie': this.#setCookie(sid) })
    }
    throw new CivicError('ERR_ISSUER_NOT_FOUND', `no admin endpoint ${key.slice(0, 80)}`)
  }

  async #route(r: AdminRequest, officer: OfficerView, store: OfficerStore, target: Record<string, string>): Promise<AdminReply> {
    const reply = (status: number, body: unknown): AdminReply => this.#reply(r, status, body)
    const p = r.path
    const svc = this.svc
    if (r.method === 'GET') {
      if (p === '/admin/info') {
        return reply(200, {
          did: svc.did, name: svc.config.name, issuer: this.#base(), statusListBase: svc.config.statusListBase, ledger: svc.config.ledger.url,
          batchSize: svc.config.batchSize, currentKid: svc.currentKid, keys: svc.keys(), credentialTypes: svc.config.credentials,
        })
      }
      if (p === '/admin/credentials') return reply(200, { credentials: svc.listCredentials() })
      const one = /^\/admin\/credentials\/([^/]+)$/.exec(p)
      if (one) return reply(200, svc.credential(one[1]!))
      if (p === '/admin/anchors') return reply(200, { anchors: svc.anchors(), ledger: svc.ledgerRecords() })
      if (p === '/admin/lists') return reply(200, { lists: svc.lists() })
      if (p === '/admin/witnesses') return reply(200, await svc.witnesses())
      if (p === '/admin/officers') return reply(200, store.list())
      if (p === '/admin/audit') return reply(200, { records: await store.auditTrail() })
    }
    if (r.method === 'POST') {
      const body = jsonBody(r)
      if (p === '/admin/offers') {
        allowedKeys(body, ['vct', 'configurationId', 'claims', 'officer', 'txCode'])
        const created = await svc.createOffer(body as Parameters<IssuerService['createOffer']>[0])
        target.credential = created.credentialId
        target.configuration = created.configurationId
        const uris = offerUris(this.#base(), created)
        return reply(201, {
          credentialId: created.credentialId, offerId: created.offerId, configurationId: created.configurationId,
          offerUri: uris.byReference, offerUriByValue: uris.byValue, qrSvg: qrSvg(uris.byReference),
          txCode: created.txCode, expiresAt: created.expiresAt,
        })
      }
      const act = /^\/admin\/credentials\/([^/]+)\/(revoke|suspend|reinstate)$/.exec(p)
      if (act) {
        target.credential = act[1]!.slice(0, 64)
        allowedKeys(body, [])
        return reply(200, await svc.setStatus(act[1]!, act[2] as StatusAction))
      }
      if (p === '/admin/publish') {
        allowedKeys(body, ['force'])
        if (body.force !== undefined && typeof body.force !== 'boolean') badRequest('force must be a boolean')
        const report = await svc.publish({ force: body.force === true })
        report.published.forEach((a, i) => (target[`list${i + 1}`] = a.uri))
        report.failed.forEach((f, i) => (target[`failed${i + 1}`] = f.uri))
        if (report.failed.length > 0) {
          const first = report.failed[0]!
          return reply(502, { error: { code: 'ERR_ISSUER_LEDGER', message: `${report.failed.length} list(s) not published; first: ${first.detail}` }, ...report })
        }
        return reply(200, report)
      }
      const key = /^\/admin\/keys\/([A-Za-z0-9._-]{1,64})\/revoke$/.exec(p)
      if (key) {
        target.kid = key[1]!
        allowedKeys(body, [])
        return reply(200, await svc.revokeKey(key[1]!))
      }
      if (p === '/admin/rotate') {
        allowedKeys(body, ['keepOld'])
        if (body.keepOld !== undefined && typeof body.keepOld !== 'boolean') badRequest('keepOld must be a boolean')
        const old = svc.currentKid
        const report = await svc.rotateKey({ keepOld: body.keepOld === true })
        target.oldKid = old
        target.kid = svc.currentKid
        return reply(200, report)
      }
      if (p === '/admin/officers/enrolments') {
        allowedKeys(body, ['role', 'name', 'first'])
        if (body.first !== undefined && typeof body.first !== 'boolean') badRequest('first must be a boolean')
        const e = await store.createEnrolment({ role: body.role, name: body.name, first: body.first === true, createdBy: officer.id })
        if (!e) return reply(409, { error: { code: 'ERR_ISSUER_ENROLMENT', message: 'the office already has a supervisor' } })
        target.enrolment = e.id
        target.role = e.role as OfficerRole
        return reply(201, e)
      }
      const cancel = /^\/admin\/officers\/enrolments\/([A-Za-z0-9_-]{22})\/cancel$/.exec(p)
      if (cancel) {
        allowedKeys(body, [])
        target.enrolment = cancel[1]!
        return reply(200, { cancelled: await store.cancelEnrolment(cancel[1]!) })
      }
      const disable = /^\/admin\/officers\/([A-Za-z0-9_-]{22})\/disable$/.exec(p)
      if (disable) {
        allowedKeys(body, [])
        target.officer = disable[1]!
        if (disable[1] === officer.id) badRequest('an officer cannot disable themself')
        const { officer: disabled, voided } = await store.disableOfficer(disable[1]!)
        // The enrolments voided with the officer are named in the action's record.
        voided.forEach((v, i) => (target[`voided${i + 1}`] = v))
        return reply(200, disabled)
      }
    }
    throw new CivicError('ERR_ISSUER_NOT_FOUND', `no admin endpoint ${r.method} ${p.slice(0, 80)}`)
  }

  errorReply(e: CivicError, origin: string | undefined): AdminReply {
    return { status: adminStatusOf(e.code), headers: { ...corsHeaders(this.appOrigin, origin), 'cache-control': 'no-store' }, body: { error: { code: e.code, message: e.detail } } }
  }
}

/** Ids a path names: credential, kid, officer, enrolment (as the audit trail records them). */
function pathTargets(path: string): Record<string, string> {
  const t: Record<string, string> = {}
  let m = /^\/admin\/credentials\/([A-Za-z0-9_-]{1,64})\/[a-z]+$/.exec(path)
  if (m) t.credential = m[1]!
  m = /^\/admin\/keys\/([A-Za-z0-9._-]{1,64})\/revoke$/.exec(path)
  if (m) t.kid = m[1]!
  m = /^\/admin\/officers\/enrolments\/([A-Za-z0-9_-]{22})\/cancel$/.exec(path)
  if (m) t.enrolment = m[1]!
  m = /^\/admin\/officers\/([A-Za-z0-9_-]{22})\/disable$/.exec(path)
  if (m) t.officer = m[1]!
  return t
}

/** The audit trail's name of a request: `credential.revoke`, `offer.create`, … (ids go to `target`). */
function actionName(method: string, path: string): string {
  const p = path.replace(/^\/admin\/?/, '')
  if (method === 'POST' && p === 'offers') return 'offer.create'
  let m = /^credentials\/[^/]+\/(revoke|suspend|reinstate)$/.exec(p)
  if (m) return `credential.${m[1]}`
  if (/^keys\/[^/]+\/revoke$/.test(p)) return 'key.revoke'
  if (p === 'rotate') return 'key.rotate'
  if (p === 'publish') return 'lists.publish'
  if (p === 'officers/enrolments') return 'enrolment.create'
  if (/^officers\/enrolments\/[^/]+\/cancel$/.test(p)) return 'enrolment.cancel'
  m = /^officers\/[^/]+\/(disable)$/.exec(p)
  if (m) return 'officer.disable'
  if (p === 'enrol/verify') return 'officer.enrol'
  if (p === 'session/verify') return 'session.start'
  if (p === 'session/end') return 'session.end'
  return `${method.toLowerCase()} ${p.slice(0, 60)}`
}
