/**
 * An office's admin API, the part every office shares (Node): who may call it, who is calling,
 * the ways in (enrolment with a code, sign-in with a passkey), the officers and the audit
 * trail. The issuer (src/issuer/admin.ts) and a verifier (src/verifier/http.ts) each hand it
 * their own routes and say which of them a non-supervisor may use; everything here is the
 * same for both, with each office's own codes.
 *
 * Who may call it, first: only a client on loopback (socket address 127.0.0.1 / ::1),
 * addressing the server by a loopback name (the Host header, so a DNS-rebinding page is
 * refused), and — when a browser says where it comes from (Origin) — only the configured
 * console origin, which also gets CORS with credentials (the console sends its session
 * cookie). A POST must be application/json, which a cross-site form cannot send without a
 * preflight. Everything else: 403 with the office's forbidden code. That gate is defence in
 * depth, not authentication:
 *
 * Who is calling: an officer's session — the cookie `civic_officer_<office>` (HttpOnly,
 * SameSite=Strict, Path=/admin, Secure on https; idle 15 min, at most 8 h; officers.ts) AND its
 * secret in the `x-civic-session` header, which the sign-in answer gives and the console keeps
 * in sessionStorage. The cookie alone is no session: browsers send it to any server on any
 * localhost port, so another local user's server can collect and replay it. Or the directory's
 * admin token (`Authorization: Bearer …`, supervisor rights). Without either: 401 with the
 * office's unauthenticated code. A supervisor may do everything; other roles what the office
 * allows them (403 with its role code otherwise); managing officers and reading the audit trail
 * are for supervisors only, in every office.
 *
 * The audit trail: every officer action (each POST, and each refusal of an officer's role) is
 * appended with the officer who did it, never with claims or codes; an action is recorded
 * before it is taken ("started"), so one the trail cannot hold is refused. Views (GET) are not
 * recorded. Refusals of anonymous callers (a bad token, a cookie without its secret, a sign-in
 * or enrolment that did not verify) are nobody's action: they go to the service log (when one
 * is given), and to the trail as at most one summary record per client network a minute with
 * their count (`refused.unauthenticated`), so a flood neither fills the disk with fsynced
 * records nor pushes the officers' actions out of the console's view.
 *
 * Rate limits (per client network, rate-limit.ts): the ways in (sign-in and enrolment options
 * and verify) and failed credentials; over the limit: 429 with the office's rate-limited code.
 * Pending WebAuthn challenges are bounded per network (officers.ts), so one client cannot evict
 * the challenges of others. Every admin client is on loopback, which is one network: these
 * bound what a flood costs, they do not tell a local attacker from the officer beside them.
 *
 * Without a session (the way in):
 *   POST /admin/enrol/options   {code}               → EnrolOptions (WebAuthn creation options)
 *   POST /admin/enrol/verify    {code, response}     → 201 SignedIn + Set-Cookie (the code is used up)
 *   POST /admin/session/options {}                   → SignInOptions
 *   POST /admin/session/verify  {response}           → SignedIn + Set-Cookie
 *   GET  /admin/session                              → SessionView (401 when signed out)
 *   POST /admin/session/end     {}                   → {ok} (the cookie cleared; the session ended when cookie and header match)
 * Supervisor:
 *   GET  /admin/officers                               → OfficersView
 *   POST /admin/officers/enrolments {role, name, first?} → 201 CreatedEnrolment (the code, once)
 *   POST /admin/officers/enrolments/<id>/cancel        → {cancelled}
 *   POST /admin/officers/<id>/disable                  → OfficerView (its sessions end, the enrolments it made are voided)
 *   GET  /admin/audit                                  → AuditView (newest first)
 * and the office's own routes.
 *
 * Errors: `{"error":{"code","message"}}`; a refused request changes nothing.
 */
import { randomBytes } from 'node:crypto'
import { CivicError, InputError, type ErrorCode } from '../core/errors.ts'
import { parseJson } from '../core/bytes/json.ts'
import { readMembers } from '../core/bytes/shape.ts'
import { statusOf } from '../node/http.ts'
import { networkKey, RateLimiter } from '../node/rate-limit.ts'
import { ADMIN_TOKEN_OFFICER, OfficerStore, SESSION_MAX_SECONDS, sessionCookieName, type OfficeKind } from './officers.ts'
import { OFFICE_SECRET, SESSION_HEADER, SUPERVISOR, type AuditRecord, type OfficerView, type SessionView, type SignedIn } from './wire.ts'

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
/** The ways in that need no session: enrolment with a code, sign-in with a passkey. */
const OPEN = new Set(['POST /admin/enrol/options', 'POST /admin/enrol/verify', 'POST /admin/session/options', 'POST /admin/session/verify', 'GET /admin/session', 'POST /admin/session/end'])
/** The routes the open-route rate limit counts. */
const RATE_LIMITED_OPEN = new Set(['POST /admin/enrol/options', 'POST /admin/enrol/verify', 'POST /admin/session/options', 'POST /admin/session/verify'])
const ENROLMENT_PATH = /^\/admin\/officers\/enrolments\/([A-Za-z0-9_-]{22})\/cancel$/
const DISABLE_PATH = /^\/admin\/officers\/([A-Za-z0-9_-]{22})\/disable$/

/**
 * Why the gate refuses a caller (see the module comment), or null: a client not on loopback, a
 * Host that is no loopback name, a browser Origin other than the console's (`appOrigin`).
 */
export function gateRefusal(r: Pick<AdminRequest, 'remoteAddress' | 'host' | 'origin'>, appOrigin: string | null, consoleName: string): string | null {
  if (!r.remoteAddress || !LOOPBACK_ADDRESS.has(r.remoteAddress)) return 'the admin API answers loopback clients only'
  if (!r.host || !LOOPBACK_HOST.test(r.host)) return 'the admin API must be addressed by a loopback host name'
  if (r.origin !== undefined && r.origin !== appOrigin) return `origin ${r.origin.slice(0, 80)} is not ${consoleName}`
  return null
}

/** CORS headers for the console's origin (none for anyone else). */
export function corsHeaders(appOrigin: string | null, origin: string | undefined): Record<string, string> {
  if (!appOrigin || origin !== appOrigin) return { vary: 'Origin' }
  return { 'access-control-allow-origin': appOrigin, 'access-control-allow-credentials': 'true', vary: 'Origin' }
}

/** The request's JSON object body (an empty body is `{}`): strict JSON (no member twice), else `code`. */
export function jsonBody(r: AdminRequest, code: ErrorCode): Record<string, unknown> {
  const bad = (detail: string): never => {
    throw new CivicError(code, detail)
  }
  if (r.body.length === 0) return {}
  if (r.contentType !== 'application/json') bad('send application/json')
  let v: unknown
  try {
    v = parseJson(new TextDecoder('utf-8', { fatal: true }).decode(r.body), { maxLength: 256 * 1024, maxDepth: 8 }, 'the body')
  } catch (e) {
    bad(e instanceof InputError ? e.detail : 'the body is not UTF-8 JSON')
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad('the body is not a JSON object')
  return v as Record<string, unknown>
}

/** A body with no member but `keys` (the kernel's one shape reader), else `code`. */
export function allowedKeys(o: Record<string, unknown>, keys: string[], code: ErrorCode): void {
  readMembers(o, 'body', [], keys, { code, error: (c, detail) => new CivicError(c, detail) })
}

function sessionHeader(r: AdminRequest): string | null {
  const h = r.headers[SESSION_HEADER]
  return typeof h === 'string' && OFFICE_SECRET.test(h) ? h : null
}

function cookie(r: AdminRequest, name: string): string | null {
  const h = r.headers.cookie
  const all = Array.isArray(h) ? h.join('; ') : h ?? ''
  for (const part of all.split(';')) {
    const i = part.indexOf('=')
    if (i > 0 && part.slice(0, i).trim() === name) {
      const v = part.slice(i + 1).trim()
      return OFFICE_SECRET.test(v) ? v : null
    }
  }
  return null
}

/** The bearer token sent, '' for an Authorization header that is no bearer token, null for none. */
export function bearer(r: Pick<AdminRequest, 'headers'>): string | null {
  const h = r.headers.authorization
  if (typeof h !== 'string') return null
  const m = /^Bearer ([A-Za-z0-9_-]{1,200})$/.exec(h)
  return m ? m[1]! : ''
}

/** What an office's own route is handed: the caller, the store, the audit target to fill, and helpers bound to the office's codes. */
export interface RouteContext<R extends string> {
  officer: OfficerView<R>
  store: OfficerStore<R>
  /** Ids and names the action touched, as its audit record will name them (fill it in). */
  target: Record<string, string>
  /** The JSON body, with no member but `keys`. */
  body(keys: string[]): Record<string, unknown>
  /** An answer with the console's CORS headers and no-store. */
  reply(status: number, body: unknown): AdminReply
}

export interface OfficeAdminOptions<R extends string> {
  office: OfficeKind<R>
  /** The codes of a caller the gate refuses and of a role that may not do what it asks. */
  forbidden: ErrorCode
  role: ErrorCode
  /** What the console is called in a refusal of another origin ("the issuer console"). */
  consoleName: string
  /** The office's DID: its session cookie's name derives from it (officers.ts). */
  did: string
  /** Where officers.json, the audit trail and the admin token are. */
  dataDir: string
  /** The office's display name for the authenticator's prompt. */
  rpName: string
  /** Seconds since the epoch. */
  now: () => number
  /** The console's origin (CORS, and the WebAuthn origin); null: no browser is admitted. */
  appOrigin: string | null
  /** The admin listener's own origin: Secure cookies when it is https. Default: https when the console is. */
  adminOrigin?: string
  /** An officer store already open (tests); default: opened from `dataDir` on first use. */
  officers?: OfficerStore<R>
  /** The service log: anonymous refusals are written here, one line each. */
  log?: (line: string) => void
  /** Whether an officer whose role is not supervisor may make this request (the office's own routes). */
  officerMay(role: R, method: string, path: string): boolean
  /** The office's own routes, once the caller is known and allowed; null when it has no such route. */
  route(r: AdminRequest, ctx: RouteContext<R>): Promise<AdminReply | null>
  /** The audit trail's name of one of the office's own actions, or null. */
  actionName?(method: string, path: string): string | null
  /** Ids the office's own paths name, recorded with a refusal too. */
  pathTargets?(path: string): Record<string, string>
  /** The outcome recorded for an answered action (default `ok`). */
  outcomeOf?(reply: AdminReply): string
}

/** Who is calling: an officer with their session, or the admin token (no session). */
interface Who<R extends string> {
  officer: OfficerView<R>
  sid: string | null
  session: SessionView<R> | null
}

export class OfficeAdmin<R extends string> {
  readonly appOrigin: string | null
  readonly #o: OfficeAdminOptions<R>
  readonly #secure: boolean
  readonly #cookie: string
  #officers: Promise<OfficerStore<R>> | null
  readonly #log: (line: string) => void
  /** The rate limits' clock in seconds: the monotonic clock (a test may set its own). */
  rateClock: () => number = () => performance.now() / 1000
  readonly #openLimit: RateLimiter
  readonly #failureLimit: RateLimiter
  /** Anonymous refusals not yet in a summary record, per client network (least recently seen first). */
  readonly #refusals = new Map<string, { count: number; writtenAt: number | null }>()

  constructor(o: OfficeAdminOptions<R>) {
    this.#o = o
    this.appOrigin = o.appOrigin
    this.#secure = (o.adminOrigin ?? o.appOrigin ?? '').startsWith('https:')
    this.#cookie = sessionCookieName(o.did)
    this.#officers = o.officers ? Promise.resolve(o.officers) : null
    this.#log = o.log ?? (() => {})
    this.#openLimit = new RateLimiter(OPEN_RATE, () => this.rateClock())
    this.#failureLimit = new RateLimiter(FAILURE_RATE, () => this.rateClock())
  }

  get #codes() {
    return this.#o.office.codes
  }

  #bad(detail: string): never {
    throw new CivicError(this.#codes.badRequest, detail)
  }

  #forbidden(detail: string): never {
    throw new CivicError(this.#o.forbidden, detail)
  }

  #rateLimited(detail: string): never {
    throw new CivicError(this.#codes.rateLimited, detail)
  }

  /** The office's officers, sessions and audit trail (opened once). */
  officers(): Promise<OfficerStore<R>> {
    this.#officers ??= OfficerStore.open(this.#o.dataDir, { appOrigin: this.appOrigin, rpName: this.#o.rpName, now: this.#o.now, office: this.#o.office }).catch((e) => {
      this.#officers = null
      throw e
    })
    return this.#officers
  }

  /** Who may call: throws the office's forbidden code. */
  gate(r: AdminRequest): void {
    const refused = gateRefusal(r, this.appOrigin, this.#o.consoleName)
    if (refused !== null) this.#forbidden(refused)
    if (r.method === 'POST' && r.body.length > 0 && r.contentType !== 'application/json') this.#bad('send application/json')
  }

  /** A CORS preflight (OPTIONS) for the console. */
  preflight(r: AdminRequest): AdminReply {
    this.gate({ ...r, method: 'OPTIONS' })
    if (!this.appOrigin || r.origin !== this.appOrigin) this.#forbidden('no CORS for this origin')
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
  async #who(r: AdminRequest, store: OfficerStore<R>): Promise<{ who: Who<R> | null; presented: boolean }> {
    const token = bearer(r)
    if (token !== null) {
      // The admin token has supervisor rights, which every office's roles include.
      if (token !== '' && (await store.isAdminToken(token))) return { who: { officer: ADMIN_TOKEN_OFFICER as OfficerView<R>, sid: null, session: null }, presented: true }
      throw new CivicError(this.#codes.unauthenticated, 'this is not the admin token')
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
  async #refuse(store: OfficerStore<R>, r: AdminRequest, e: CivicError): Promise<never> {
    const net = networkKey(r.remoteAddress)
    const limited = !this.#failureLimit.take(net)
    this.#log(`refused ${r.method} ${r.path.slice(0, 80)} from ${net}: ${e.code}${limited ? ' (rate limited)' : ''}`)
    const now = this.#o.now()
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
    if (limited) this.#rateLimited('too many failed sign-ins or credentials from this network; retry later')
    throw e
  }

  /** Whether `role` may make this request: supervisors everything; others the office's routes it allows them, never the officers' or the audit trail. */
  #may(role: R, method: string, path: string): boolean {
    if (role === SUPERVISOR) return true
    if (path === '/admin/officers' || path === '/admin/audit' || path.startsWith('/admin/officers/')) return false
    return this.#o.officerMay(role, method, path)
  }

  async handle(r: AdminRequest): Promise<AdminReply> {
    this.gate(r)
    const store = await this.officers()
    const key = `${r.method} ${r.path}`
    if (RATE_LIMITED_OPEN.has(key) && !this.#openLimit.take(networkKey(r.remoteAddress))) {
      this.#log(`rate limited ${key} from ${networkKey(r.remoteAddress)}`)
      this.#rateLimited('too many sign-in or enrolment requests from this network; retry later')
    }
    let found: { who: Who<R> | null; presented: boolean }
    try {
      found = await this.#who(r, store)
    } catch (e) {
      if (e instanceof CivicError && e.code === this.#codes.unauthenticated) return this.#refuse(store, r, e)
      throw e
    }
    const who = found.who
    if (OPEN.has(key)) return this.#open(r, store, who)
    if (!who) {
      const e = new CivicError(this.#codes.unauthenticated, found.presented ? `this is no live session (the console sends its cookie with the ${SESSION_HEADER} header)` : 'sign in with a passkey (or use the admin token)')
      if (found.presented) return this.#refuse(store, r, e)
      throw e
    }
    // The ids named in the path, so that a refusal is recorded with what it was refused on.
    const target = this.#pathTargets(r.path)
    if (!this.#may(who.officer.role, r.method, r.path)) {
      const e = new CivicError(this.#o.role, `a ${who.officer.role} may not ${r.method} ${r.path.slice(0, 80)}`)
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
    await this.#audit(store, who.officer, r, target, null, this.#o.outcomeOf?.(reply) ?? 'ok', id).catch(() => {})
    return reply
  }

  async #audit(store: OfficerStore<R>, officer: OfficerView<R> | null, r: AdminRequest, target: Record<string, string>, e: unknown, outcome = 'ok', id?: string): Promise<void> {
    const rec: AuditRecord<R> = {
      ...(id ? { id } : {}), at: this.#o.now(), officer, action: this.#actionName(r.method, r.path), target: { ...target },
      outcome: e instanceof CivicError ? e.code : e ? 'error' : outcome,
    }
    await store.audit(rec)
  }

  #reply(r: AdminRequest, status: number, body: unknown, extra: Record<string, string> = {}): AdminReply {
    return { status, headers: { ...corsHeaders(this.appOrigin, r.origin), 'cache-control': 'no-store', ...extra }, body }
  }

  /** Enrolment and sign-in. */
  async #open(r: AdminRequest, store: OfficerStore<R>, who: Who<R> | null): Promise<AdminReply> {
    const key = `${r.method} ${r.path}`
    const codes = this.#codes
    if (key === 'GET /admin/session') {
      if (!who) throw new CivicError(codes.unauthenticated, 'not signed in')
      const s: SessionView<R> = who.session ?? { officer: who.officer, expiresAt: this.#o.now() + SESSION_MAX_SECONDS, idleSeconds: 0 }
      return this.#reply(r, 200, s)
    }
    const network = networkKey(r.remoteAddress)
    const body = jsonBody(r, codes.badRequest)
    if (key === 'POST /admin/session/end') {
      allowedKeys(body, [], codes.badRequest)
      if (who?.sid) {
        store.endSession(who.sid)
        await this.#audit(store, who.officer, r, {}, null)
      }
      return this.#reply(r, 200, { ok: true }, { 'set-cookie': this.#setCookie(null) })
    }
    if (key === 'POST /admin/enrol/options') {
      allowedKeys(body, ['code'], codes.badRequest)
      let got: Awaited<ReturnType<OfficerStore<R>['enrolOptions']>>
      try {
        got = await store.enrolOptions(body.code, network)
      } catch (e) {
        if (e instanceof CivicError && e.code === codes.enrolment) return this.#refuse(store, r, e)
        throw e
      }
      const { enrolment, options } = got
      return this.#reply(r, 200, { name: enrolment.name, role: enrolment.role, options })
    }
    if (key === 'POST /admin/session/options') {
      allowedKeys(body, [], codes.badRequest)
      return this.#reply(r, 200, { options: await store.signInOptions(network) })
    }
    if (key === 'POST /admin/enrol/verify' || key === 'POST /admin/session/verify') {
      const enrol = key === 'POST /admin/enrol/verify'
      allowedKeys(body, enrol ? ['code', 'response'] : ['response'], codes.badRequest)
      let officer: OfficerView<R>
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
          if (e instanceof CivicError && e.code === codes.unauthenticated) return this.#refuse(store, r, e)
          throw e
        }
        await this.#audit(store, officer, r, { officer: officer.id }, null)
      }
      const { sid, secret, session } = store.startSession(officer.id)
      const answer: SignedIn<R> = { ...session, secret }
      return this.#reply(r, enrol ? 201 : 200, answer, { 'set-cookie': this.#setCookie(sid) })
    }
    throw new CivicError(codes.notFound, `no admin endpoint ${key.slice(0, 80)}`)
  }

  /** The officers' routes, then the office's own. */
  async #route(r: AdminRequest, officer: OfficerView<R>, store: OfficerStore<R>, target: Record<string, string>): Promise<AdminReply> {
    const codes = this.#codes
    const reply = (status: number, body: unknown): AdminReply => this.#reply(r, status, body)
    const p = r.path
    if (r.method === 'GET') {
      if (p === '/admin/officers') return reply(200, store.list())
      if (p === '/admin/audit') return reply(200, { records: await store.auditTrail() })
    }
    if (r.method === 'POST') {
      if (p === '/admin/officers/enrolments') {
        const body = jsonBody(r, codes.badRequest)
        allowedKeys(body, ['role', 'name', 'first'], codes.badRequest)
        if (body.first !== undefined && typeof body.first !== 'boolean') this.#bad('first must be a boolean')
        const e = await store.createEnrolment({ role: body.role, name: body.name, first: body.first === true, createdBy: officer.id })
        if (!e) return reply(409, { error: { code: codes.enrolment, message: 'the office already has a supervisor' } })
        target.enrolment = e.id
        target.role = e.role
        return reply(201, e)
      }
      const cancel = ENROLMENT_PATH.exec(p)
      if (cancel) {
        allowedKeys(jsonBody(r, codes.badRequest), [], codes.badRequest)
        target.enrolment = cancel[1]!
        return reply(200, { cancelled: await store.cancelEnrolment(cancel[1]!) })
      }
      const disable = DISABLE_PATH.exec(p)
      if (disable) {
        allowedKeys(jsonBody(r, codes.badRequest), [], codes.badRequest)
        target.officer = disable[1]!
        if (disable[1] === officer.id) this.#bad('an officer cannot disable themself')
        const { officer: disabled, voided } = await store.disableOfficer(disable[1]!)
        // The enrolments voided with the officer are named in the action's record.
        voided.forEach((v, i) => (target[`voided${i + 1}`] = v))
        return reply(200, disabled)
      }
    }
    const own = await this.#o.route(r, {
      officer, store, target, reply,
      body: (keys) => {
        const b = jsonBody(r, codes.badRequest)
        allowedKeys(b, keys, codes.badRequest)
        return b
      },
    })
    if (own) return own
    throw new CivicError(codes.notFound, `no admin endpoint ${r.method} ${p.slice(0, 80)}`)
  }

  errorReply(e: CivicError, origin: string | undefined): AdminReply {
    return { status: statusOf(e.code), headers: { ...corsHeaders(this.appOrigin, origin), 'cache-control': 'no-store' }, body: { error: { code: e.code, message: e.detail } } }
  }

  /** Ids a path names (the office's, and officer and enrolment), as the audit trail records them. */
  #pathTargets(path: string): Record<string, string> {
    const t: Record<string, string> = { ...this.#o.pathTargets?.(path) }
    let m = ENROLMENT_PATH.exec(path)
    if (m) t.enrolment = m[1]!
    m = DISABLE_PATH.exec(path)
    if (m) t.officer = m[1]!
    return t
  }

  /** The audit trail's name of a request: the office's own, `enrolment.create`, `session.start`, … (ids go to `target`). */
  #actionName(method: string, path: string): string {
    const own = this.#o.actionName?.(method, path)
    if (own) return own
    const p = path.replace(/^\/admin\/?/, '')
    if (p === 'officers/enrolments') return 'enrolment.create'
    if (/^officers\/enrolments\/[^/]+\/cancel$/.test(p)) return 'enrolment.cancel'
    if (/^officers\/[^/]+\/disable$/.test(p)) return 'officer.disable'
    if (p === 'enrol/verify') return 'officer.enrol'
    if (p === 'session/verify') return 'session.start'
    if (p === 'session/end') return 'session.end'
    return `${method.toLowerCase()} ${p.slice(0, 60)}`
  }
}
