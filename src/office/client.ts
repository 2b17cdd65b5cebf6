/**
 * The officers' half of a console's client, for the browser: every office's console (the
 * issuer's, src/issuer/console-client.ts; a verifier's, src/verifier/console-client.ts) extends
 * it with its own calls. No node:*, the fetch function is passed in, and every failure is a
 * CivicError with a stable code — the server's own (`{"error":{"code","message"}}`), or the
 * office's unreachable code when the server cannot be reached or answers with something that is
 * not the admin API's JSON. Callers branch on `code` (design §8 rule 4); `detail` is for people.
 *
 * Answers are read at the edge, once (`readers`): each view is checked for the members the
 * console uses and copied into a plain object, so nothing the server sends beyond them travels
 * further.
 *
 * Officers: the session is a cookie the browser keeps for the admin listener (HttpOnly, never
 * seen here), so every call is made with `credentials: 'include'` — and the session's second
 * secret, which the sign-in (or enrolment) answer gives, sent in the `x-civic-session` header.
 * The cookie alone is no session: browsers send it to any server on any localhost port, where
 * another local user's server could collect it; the secret lives in a `SessionSecrets` store the
 * caller passes (a console's is sessionStorage: per origin, so no page on another port reads it,
 * and it survives a reload of the tab). Sign-in and enrolment take their WebAuthn options from
 * the server and hand the browser's answer back (the passkey step itself is webauthn.ts).
 */
import { CivicError, isErrorCode, type ErrorCode } from '../core/errors.ts'
import { parseJson } from '../core/bytes/json.ts'
import {
  OFFICE_ID, OFFICE_SECRET, SESSION_HEADER, type AuditRecord, type CreatedEnrolment, type OfficersView, type OfficerView, type SessionView,
} from './wire.ts'

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

/** The largest answer a console reads (a few hundred records fit many times). */
const MAX_ANSWER_BYTES = 8 << 20

type Obj = Record<string, unknown>

/** The readers of an admin API's answers, each failing with `code` and naming what did not fit. */
export function readers(code: ErrorCode) {
  const malformed = (what: string): never => {
    throw new CivicError(code, `the admin API answered ${what} in an unexpected shape`)
  }
  const obj = (v: unknown, what: string): Obj => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) malformed(what)
    return v as Obj
  }
  const str = (o: Obj, k: string, what: string): string => {
    const v = o[k]
    if (typeof v !== 'string') malformed(`${what}.${k}`)
    return v as string
  }
  const nullableStr = (o: Obj, k: string, what: string): string | null => (o[k] === null ? null : str(o, k, what))
  const int = (o: Obj, k: string, what: string): number => {
    const v = o[k]
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) malformed(`${what}.${k}`)
    return v as number
  }
  const nullableInt = (o: Obj, k: string, what: string): number | null => (o[k] === null ? null : int(o, k, what))
  const bool = (o: Obj, k: string, what: string): boolean => {
    const v = o[k]
    if (typeof v !== 'boolean') malformed(`${what}.${k}`)
    return v as boolean
  }
  const arr = <T>(o: Obj, k: string, what: string, each: (v: unknown, what: string) => T): T[] => {
    const v = o[k]
    if (!Array.isArray(v)) malformed(`${what}.${k}`)
    return (v as unknown[]).map((x, i) => each(x, `${what}.${k}[${i}]`))
  }
  const oneOf = <T extends string>(o: Obj, k: string, what: string, allowed: readonly T[]): T => {
    const v = str(o, k, what)
    if (!(allowed as readonly string[]).includes(v)) malformed(`${what}.${k}`)
    return v as T
  }
  return { malformed, obj, str, nullableStr, int, nullableInt, bool, arr, oneOf }
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

/** An office's base URL (where /admin/… lives), from a configured admin URL: no trailing `/` or `/admin`. */
export function officeBase(adminUrl: string, code: ErrorCode): string {
  let u: URL
  try {
    u = new URL(adminUrl)
  } catch {
    throw new CivicError(code, `${adminUrl.slice(0, 80)} is not a URL`)
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new CivicError(code, `${adminUrl.slice(0, 80)} is not an http(s) URL`)
  const path = u.pathname.replace(/\/+$/, '').replace(/\/admin$/, '')
  return `${u.origin}${path}`
}

function timeoutSignal(ms: number): AbortSignal | undefined {
  return typeof AbortSignal !== 'undefined' && typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(ms) : undefined
}

/** What an office's client is told about its office: its roles and the codes its answers are judged by. */
export interface OfficeClientKind<R extends string> {
  roles: readonly R[]
  /** The server cannot be reached, or answered with something that is not its JSON. */
  unreachable: ErrorCode
  /** No live session. */
  unauthenticated: ErrorCode
  /** No such officer or enrolment (an id of the wrong form, refused before it is sent). */
  notFound: ErrorCode
}

export class OfficeClient<R extends string> {
  readonly base: string
  readonly #fetch: Fetch
  readonly #timeoutMs: number
  readonly #secrets: SessionSecrets
  readonly #kind: OfficeClientKind<R>
  protected readonly read: ReturnType<typeof readers>

  /**
   * `adminUrl`: the office's base URL (or its /admin); `fetch`: the browser's, or a test's real
   * one; `secrets`: where the session's header secret is kept (default: memory).
   */
  constructor(kind: OfficeClientKind<R>, adminUrl: string, o: { fetch: Fetch; timeoutMs?: number; secrets?: SessionSecrets }) {
    this.#kind = kind
    this.read = readers(kind.unreachable)
    this.base = officeBase(adminUrl, kind.unreachable)
    this.#fetch = o.fetch
    this.#timeoutMs = o.timeoutMs ?? 60_000
    this.#secrets = o.secrets ?? memorySessionSecrets()
  }

  /** One call to `<base>/admin/<path>`: the answer's JSON when `accept` takes it, else the server's coded error. */
  protected async call(method: 'GET' | 'POST', path: string, body?: unknown, accept: (status: number, body: unknown) => boolean = (s) => s >= 200 && s < 300): Promise<unknown> {
    const unreachable = this.#kind.unreachable
    const url = `${this.base}/admin/${path}`
    // The officer's session is an HttpOnly cookie of the admin listener (same site, another port).
    const init: RequestInit = { method, redirect: 'error', credentials: 'include', cache: 'no-store', signal: timeoutSignal(this.#timeoutMs) }
    const headers: Record<string, string> = {}
    // The cookie needs its secret: without the header the server sees no session.
    const secret = this.#secrets.get(this.base)
    if (secret !== null) headers[SESSION_HEADER] = secret
    // A POST always carries a JSON body: the admin API refuses any other content type.
    if (method === 'POST') {
      headers['content-type'] = 'application/json'
      init.body = JSON.stringify(body ?? {})
    }
    if (Object.keys(headers).length > 0) init.headers = headers
    let r: Response
    try {
      r = await this.#fetch(url, init)
    } catch (e) {
      throw new CivicError(unreachable, `${method} ${url}: ${e instanceof Error ? e.message : String(e)}`.slice(0, 500))
    }
    let parsed: unknown
    try {
      const text = await r.text()
      if (text.length > MAX_ANSWER_BYTES) throw new Error('too large')
      parsed = text === '' ? null : parseJson(text, { maxLength: MAX_ANSWER_BYTES, maxDepth: 32 }, 'the admin API answer')
    } catch {
      throw new CivicError(unreachable, `${method} ${url}: HTTP ${r.status} without a JSON body`)
    }
    if (accept(r.status, parsed)) return parsed
    throw serverError(parsed) ?? new CivicError(unreachable, `${method} ${url}: HTTP ${r.status} without a coded error`)
  }

  protected officerView(o: Obj, what: string): OfficerView<R> {
    const { str, oneOf } = this.read
    return { id: str(o, 'id', what), name: str(o, 'name', what), role: oneOf(o, 'role', what, this.#kind.roles) }
  }

  #sessionView(v: unknown): SessionView<R> {
    const { obj, int } = this.read
    const o = obj(v, 'session')
    return { officer: this.officerView(obj(o.officer, 'session.officer'), 'session.officer'), expiresAt: int(o, 'expiresAt', 'session'), idleSeconds: int(o, 'idleSeconds', 'session') }
  }

  #enrolmentView(v: unknown, what: string) {
    const { obj, str, int, oneOf } = this.read
    const o = obj(v, what)
    return { id: str(o, 'id', what), name: str(o, 'name', what), role: oneOf(o, 'role', what, this.#kind.roles), createdAt: int(o, 'createdAt', what), expiresAt: int(o, 'expiresAt', what) }
  }

  /** A sign-in or enrolment answer: the session kept, its header secret remembered. */
  #keep(v: unknown): SessionView<R> {
    const secret = this.read.str(this.read.obj(v, 'session'), 'secret', 'session')
    if (!OFFICE_SECRET.test(secret)) this.read.malformed('session.secret')
    const s = this.#sessionView(v)
    this.#secrets.set(this.base, secret)
    return s
  }

  /** The signed-in officer (the unauthenticated code when signed out). */
  async session(): Promise<SessionView<R>> {
    try {
      return this.#sessionView(await this.call('GET', 'session'))
    } catch (e) {
      if (e instanceof CivicError && e.code === this.#kind.unauthenticated) this.#secrets.set(this.base, null)
      throw e
    }
  }

  async signInOptions(): Promise<Record<string, unknown>> {
    const { obj } = this.read
    return obj(obj(await this.call('POST', 'session/options'), 'sign-in').options, 'sign-in.options')
  }

  async signIn(response: unknown): Promise<SessionView<R>> {
    return this.#keep(await this.call('POST', 'session/verify', { response }))
  }

  /** End the session on the server (cookie and header) and forget its secret here, whatever the answer. */
  async signOut(): Promise<void> {
    try {
      await this.call('POST', 'session/end')
    } finally {
      this.#secrets.set(this.base, null)
    }
  }

  async enrolOptions(code: string): Promise<{ name: string; role: R; options: Record<string, unknown> }> {
    const { obj, str, oneOf } = this.read
    const o = obj(await this.call('POST', 'enrol/options', { code }), 'enrolment')
    return { name: str(o, 'name', 'enrolment'), role: oneOf(o, 'role', 'enrolment', this.#kind.roles), options: obj(o.options, 'enrolment.options') }
  }

  async enrol(code: string, response: unknown): Promise<SessionView<R>> {
    return this.#keep(await this.call('POST', 'enrol/verify', { code, response }))
  }

  async officers(): Promise<OfficersView<R>> {
    const { obj, arr, int, bool } = this.read
    const o = obj(await this.call('GET', 'officers'), 'officers')
    return {
      officers: arr(o, 'officers', 'officers', (v, w) => {
        const x = obj(v, w)
        return { ...this.officerView(x, w), createdAt: int(x, 'createdAt', w), passkeys: int(x, 'passkeys', w), disabled: bool(x, 'disabled', w) }
      }),
      enrolments: arr(o, 'enrolments', 'officers', (v, w) => this.#enrolmentView(v, w)),
    }
  }

  async createEnrolment(role: R, name: string): Promise<CreatedEnrolment<R>> {
    const { obj, str, malformed } = this.read
    const o = obj(await this.call('POST', 'officers/enrolments', { role, name }), 'enrolment')
    const code = str(o, 'code', 'enrolment')
    if (!OFFICE_SECRET.test(code)) malformed('enrolment.code')
    return { ...this.#enrolmentView(o, 'enrolment'), code }
  }

  async cancelEnrolment(id: string): Promise<boolean> {
    if (!OFFICE_ID.test(id)) throw new CivicError(this.#kind.notFound, 'no such enrolment')
    const { obj, bool } = this.read
    return bool(obj(await this.call('POST', `officers/enrolments/${id}/cancel`), 'cancel'), 'cancelled', 'cancel')
  }

  async disableOfficer(id: string): Promise<OfficerView<R>> {
    if (!OFFICE_ID.test(id)) throw new CivicError(this.#kind.notFound, 'no such officer')
    return this.officerView(this.read.obj(await this.call('POST', `officers/${id}/disable`), 'officer'), 'officer')
  }

  async audit(): Promise<AuditRecord<R>[]> {
    const { obj, arr, int, str } = this.read
    return arr(obj(await this.call('GET', 'audit'), 'audit'), 'records', 'audit', (v, w) => {
      const x = obj(v, w)
      const target = obj(x.target, `${w}.target`)
      const t: Record<string, string> = {}
      for (const [k, val] of Object.entries(target)) if (typeof val === 'string') t[k] = val
      return { at: int(x, 'at', w), officer: x.officer === null ? null : this.officerView(obj(x.officer, `${w}.officer`), `${w}.officer`), action: str(x, 'action', w), target: t, outcome: str(x, 'outcome', w) }
    })
  }
}

/** The code of a failure: a CivicError's own; anything else is our bug and rethrows. */
export function errorCodeOf(e: unknown): { code: ErrorCode; detail: string } {
  if (e instanceof CivicError) return { code: e.code, detail: e.detail }
  throw e
}
