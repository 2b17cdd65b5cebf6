/**
 * Officers of an office — an issuing office (src/issuer) or a verifier (src/verifier) — their
 * passkeys, sessions, enrolments and the audit trail (Node). One implementation for every
 * office: each passes its `OfficeKind` (its roles, its error codes, where its admin token and
 * console origin come from), so an issuer's refusal says ERR_ISSUER_… and a verifier's
 * ERR_VERIFIER_…, from the same code. The one module that imports @simplewebauthn/server.
 *
 *   <dir>/officers.json    officers (id, name, role, passkeys' public keys and counters) and
 *                          pending enrolments (the code's SHA-256, never the code), mode 0600,
 *                          written durably (temp file, fsync, rename, directory fsync)
 *   <dir>/audit.log        one JSON line per admin action, appended and fsynced, mode 0600;
 *                          at 4 MiB it is closed as audit.<n>.log (n = 1, 2, …) and a new one
 *                          begins; closed files are never overwritten or dropped (an audit
 *                          trail that forgets is no trail: archiving them is the operator's)
 *
 * The office's admin token (its own module: src/issuer/officers.ts, src/verifier/admin-token.ts)
 * is read when a bearer token arrives and compared by hash in constant time.
 *
 * Secrets: enrolment codes, session ids and the admin token are 256-bit random values, so an
 * unkeyed SHA-256 of each is all that is stored (no key is needed against guessing 2^256).
 * Sessions live in memory only: a restart signs everyone out, which is the safe direction.
 *
 * WebAuthn: the relying party is the console's origin (`appOrigin`); its host name is the RP
 * ID, so the console must be reached by a name (localhost), never an IP address. Passkeys are
 * discoverable (sign-in asks for no user name) and user verification is required.
 *
 * Sessions: idle 15 minutes, at most 8 hours, cookie HttpOnly; SameSite=Strict; Path=/admin
 * (+ Secure on https). Each office has its own cookie name (cookies ignore ports, and two
 * offices' admin listeners share localhost). The cookie alone never authenticates: browsers
 * send it to every port of localhost (RFC 6265 §8.5) and SameSite counts every port as the same
 * site, so any local user's server on another port receives it and can replay it. Each session
 * also has a second secret, given once in the sign-in (or enrolment) answer, that the console
 * keeps in sessionStorage (per origin, so no other port's page reads it) and sends in the
 * `x-civic-session` header; only its SHA-256 is kept, compared in constant time, and a session
 * is used only when cookie and header both match.
 *
 * Challenges: at most MAX_CHALLENGES_PER_NETWORK pending per client network (rate-limit.ts
 * `networkKey`), the oldest of that network's dropped first, so a client asking for options in
 * a loop drops its own challenges, never another's; when the whole table is full, new ones are
 * refused (the office's rate-limited code) rather than evicting pending ones.
 */
import { appendFile, chmod, link, open, readdir, readFile, stat, unlink } from 'node:fs/promises'
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { join } from 'node:path'
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type AuthenticationResponseJSON, type RegistrationResponseJSON,
} from '@simplewebauthn/server'
import { CivicError, InputError, type ErrorCode } from '../core/errors.ts'
import { parseJson } from '../core/bytes/json.ts'
import { readShape, type ShapeFailure } from '../core/bytes/shape.ts'
import { fsyncDir, writeFileDurably } from '../node/durable.ts'
import {
  isOfficerReference, OFFICE_SECRET, SUPERVISOR, type AuditRecord, type CreatedEnrolment, type EnrolmentView, type OfficersView, type OfficerView, type SessionView,
} from './wire.ts'

export const OFFICERS_FILE = 'officers.json'
export const AUDIT_FILE = 'audit.log'
export const SESSION_IDLE_SECONDS = 15 * 60
export const SESSION_MAX_SECONDS = 8 * 60 * 60
export const ENROLMENT_SECONDS = 24 * 60 * 60
const CHALLENGE_SECONDS = 5 * 60
const MAX_CHALLENGES = 1000
export const MAX_CHALLENGES_PER_NETWORK = 20
const MAX_AUDIT_BYTES = 4 << 20
const MAX_OFFICERS = 500
const MAX_ENROLMENTS = 200
/** The admin token acting: audited as such, with supervisor rights. */
export const ADMIN_TOKEN_OFFICER: OfficerView<typeof SUPERVISOR> = { id: 'admin-token', name: 'admin token', role: SUPERVISOR }

/** The codes an office's officer machinery refuses with (each office has its own). */
export interface OfficeCodes {
  /** officers.json does not fit, or passkeys are asked for while the console origin is unset. */
  config: ErrorCode
  /** officers.json or the audit trail could not be read or written; nothing changed. */
  storage: ErrorCode
  /** a request body not of the expected shape. */
  badRequest: ErrorCode
  /** no live session or admin token, or a sign-in or enrolment that did not verify. */
  unauthenticated: ErrorCode
  /** an officer enrolment code that is unknown, used or expired. */
  enrolment: ErrorCode
  /** too many officers or pending enrolments. */
  capacity: ErrorCode
  /** too many pending challenges, sign-ins or failures. */
  rateLimited: ErrorCode
  /** no such officer (or admin endpoint). */
  notFound: ErrorCode
}

/** What makes an office's officers its own: roles, codes, where its token and origin are kept. */
export interface OfficeKind<R extends string> {
  /** Its roles, `supervisor` among them. */
  roles: readonly R[]
  codes: OfficeCodes
  /** Where the console's origin is set, for the message when it is not (`issuer.json appOrigin`). */
  originSetting: string
  /** The admin token of the office's directory, or null when there is none (read at each bearer request). */
  readAdminToken(dir: string): Promise<string | null>
}

interface Passkey {
  id: string
  publicKey: string
  counter: number
  transports: string[]
  createdAt: number
}

interface Officer<R extends string> {
  id: string
  name: string
  role: R
  createdAt: number
  disabled: boolean
  passkeys: Passkey[]
}

interface Enrolment<R extends string> {
  id: string
  codeHash: string
  name: string
  role: R
  createdAt: number
  expiresAt: number
  /** Made for the office's first supervisor (`civic start`): a newer one replaces it. */
  first: boolean
  /** The officer who made it (`admin-token` for the token; null in files from before it was kept): disabling them voids it. */
  createdBy?: string | null
}

interface OfficersFile<R extends string> {
  version: 1
  officers: Officer<R>[]
  enrolments: Enrolment<R>[]
}

interface Session {
  officerId: string
  /** SHA-256 of the session's header secret (`x-civic-session`). */
  secretHash: Buffer
  createdAt: number
  lastSeen: number
}

const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url')
const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex')
const secret = (): string => b64u(randomBytes(32))
const newId = (): string => {
  for (;;) {
    const id = b64u(randomBytes(16))
    if (/^[A-Za-z0-9]/.test(id)) return id
  }
}


/** officers.json, read strictly (the kernel's JSON and shape readers): a file that does not fit stops the service. */
function parseFile<R extends string>(text: string, path: string, office: OfficeKind<R>): OfficersFile<R> {
  const how: ShapeFailure = { code: office.codes.config, error: (code, detail) => new CivicError(code, `${path}: ${detail}`) }
  const fail = (what: string): never => {
    throw new CivicError(office.codes.config, `${path}: ${what}`)
  }
  const roles = office.roles as readonly string[]
  let v: unknown
  try {
    v = parseJson(text, { maxLength: 16 << 20, maxDepth: 8 }, OFFICERS_FILE)
  } catch (e) {
    if (e instanceof InputError) fail(e.detail)
    throw e
  }
  const o = readShape(v, { version: 'uint', officers: 'array', enrolments: 'array' }, 'officers', how)
  if (o.version !== 1) fail('not an officers file of version 1')
  o.officers.forEach((x, i) => {
    const f = readShape(x, { id: 'text', name: 'text', role: 'text', createdAt: 'number', disabled: 'boolean', passkeys: 'array' }, `officers[${i}]`, how)
    if (!isOfficerReference(f.name) || !roles.includes(f.role)) fail(`officers[${i}]: an unexpected name or role`)
    f.passkeys.forEach((p, j) => {
      const k = readShape(p, { id: 'text', publicKey: 'text', counter: 'uint', transports: 'array', createdAt: 'number' }, `officers[${i}].passkeys[${j}]`, how)
      if (!k.transports.every((t) => typeof t === 'string')) fail(`officers[${i}].passkeys[${j}].transports: not a list of names`)
    })
  })
  o.enrolments.forEach((x, i) => {
    const e = readShape(x, { id: 'text', codeHash: 'text', name: 'text', role: 'text', createdAt: 'number', expiresAt: 'number', first: 'boolean', createdBy: 'json?' }, `enrolments[${i}]`, how)
    if (!/^[0-9a-f]{64}$/.test(e.codeHash) || !isOfficerReference(e.name) || !roles.includes(e.role)) fail(`enrolments[${i}]: an unexpected code hash, name or role`)
    if (e.createdBy !== undefined && e.createdBy !== null && typeof e.createdBy !== 'string') fail(`enrolments[${i}].createdBy: not an officer id`)
  })
  return o as unknown as OfficersFile<R>
}

const view = <R extends string>(f: Officer<R>): OfficerView<R> => ({ id: f.id, name: f.name, role: f.role })
const enrolmentView = <R extends string>(e: Enrolment<R>): EnrolmentView<R> => ({ id: e.id, name: e.name, role: e.role, createdAt: e.createdAt, expiresAt: e.expiresAt })

// ── the store ────────────────────────────────────────────────────────────────────────────

export interface OfficerStoreOptions {
  /** The console's origin: the WebAuthn origin, its host the RP ID. null: passkeys are off (only the admin token works). */
  appOrigin: string | null
  /** The office's display name for the authenticator's prompt. */
  rpName: string
  /** Seconds since the epoch. */
  now: () => number
}

export class OfficerStore<R extends string = string> {
  readonly dataDir: string
  readonly #o: OfficerStoreOptions
  readonly #office: OfficeKind<R>
  #file: OfficersFile<R>
  readonly #sessions = new Map<string, Session>()
  /** challenge → what it was issued for; each is used at most once. */
  readonly #challenges = new Map<string, { purpose: 'enrol' | 'sign-in'; enrolmentId: string | null; userId: string | null; network: string; expiresAt: number }>()
  #writing: Promise<void> = Promise.resolve()

  private constructor(dataDir: string, file: OfficersFile<R>, o: OfficerStoreOptions, office: OfficeKind<R>) {
    this.dataDir = dataDir
    this.#file = file
    this.#o = o
    this.#office = office
  }

  /** The office's codes: each refusal names its own office (ERR_ISSUER_…, ERR_VERIFIER_…). */
  get codes(): OfficeCodes {
    return this.#office.codes
  }

  /** The office's roles, the supervisor among them. */
  get roles(): readonly R[] {
    return this.#office.roles
  }

  #unauthenticated(detail: string): never {
    throw new CivicError(this.#office.codes.unauthenticated, detail)
  }

  #bad(detail: string): never {
    throw new CivicError(this.#office.codes.badRequest, detail)
  }

  static async open<R extends string>(dataDir: string, o: OfficerStoreOptions & { office: OfficeKind<R> }): Promise<OfficerStore<R>> {
    const { office, ...options } = o
    const path = join(dataDir, OFFICERS_FILE)
    let text: string | null = null
    try {
      text = await readFile(path, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new CivicError(office.codes.storage, `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? ''}`)
    }
    return new OfficerStore<R>(dataDir, text === null ? { version: 1, officers: [], enrolments: [] } : parseFile(text, path, office), options, office)
  }

  get webauthn(): { rpID: string; origin: string } | null {
    if (!this.#o.appOrigin) return null
    return { rpID: new URL(this.#o.appOrigin).hostname, origin: this.#o.appOrigin }
  }

  /** Change the file: `fn` edits a copy; it is written before the change is visible. Serialised. */
  async #mutate<T>(fn: (draft: OfficersFile<R>, now: number) => T): Promise<T> {
    const run = async (): Promise<T> => {
      const draft = structuredClone(this.#file)
      const now = this.#o.now()
      draft.enrolments = draft.enrolments.filter((e) => e.expiresAt > now)
      const out = fn(draft, now)
      try {
        await writeFileDurably(this.dataDir, OFFICERS_FILE, new TextEncoder().encode(`${JSON.stringify(draft, null, 1)}\n`), 0o600)
      } catch (e) {
        throw new CivicError(this.#office.codes.storage, `cannot write ${OFFICERS_FILE}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
      }
      this.#file = draft
      return out
    }
    const p = this.#writing.then(run, run)
    this.#writing = p.then(() => {}, () => {})
    return p
  }

  hasSupervisor(): boolean {
    return this.#file.officers.some((f) => f.role === SUPERVISOR && !f.disabled && f.passkeys.length > 0)
  }

  list(): OfficersView<R> {
    const now = this.#o.now()
    return {
      officers: this.#file.officers.map((f) => ({ ...view(f), createdAt: f.createdAt, passkeys: f.passkeys.length, disabled: f.disabled })),
      enrolments: this.#file.enrolments.filter((e) => e.expiresAt > now).map(enrolmentView),
    }
  }

  officer(id: string): OfficerView<R> | null {
    const f = this.#file.officers.find((x) => x.id === id && !x.disabled)
    return f ? view(f) : null
  }

  // ── enrolment ──

  /**
   * A new one-time enrolment. `first`: for the office's first supervisor — refused once the
   * office has one, and it replaces earlier first-supervisor enrolments not yet used.
   */
  createEnrolment(o: { role: unknown; name: unknown; first?: boolean; createdBy?: string | null }): Promise<CreatedEnrolment<R> | null> {
    if (!this.#office.roles.includes(o.role as R)) this.#bad(`role must be ${this.#office.roles.join(' or ')}`)
    if (!isOfficerReference(o.name)) this.#bad('name must be 1..64 letters, digits, spaces or punctuation')
    const code = secret()
    return this.#mutate((d, now) => {
      if (o.first) {
        if (this.hasSupervisor()) return null
        d.enrolments = d.enrolments.filter((e) => !e.first)
      }
      if (d.enrolments.length >= MAX_ENROLMENTS) throw new CivicError(this.#office.codes.capacity, `${MAX_ENROLMENTS} enrolments are pending`)
      const e: Enrolment<R> = { id: newId(), codeHash: sha256(code), name: o.name as string, role: o.role as R, createdAt: now, expiresAt: now + ENROLMENT_SECONDS, first: o.first === true, createdBy: o.createdBy ?? null }
      d.enrolments.push(e)
      return { ...enrolmentView(e), code }
    })
  }

  cancelEnrolment(id: string): Promise<boolean> {
    return this.#mutate((d) => {
      const before = d.enrolments.length
      d.enrolments = d.enrolments.filter((e) => e.id !== id)
      return d.enrolments.length < before
    })
  }

  #pendingEnrolment(code: unknown): Enrolment<R> {
    if (typeof code !== 'string' || !OFFICE_SECRET.test(code)) throw new CivicError(this.#office.codes.enrolment, 'not an enrolment code')
    const h = sha256(code)
    const e = this.#file.enrolments.find((x) => x.codeHash === h && x.expiresAt > this.#o.now())
    if (!e) throw new CivicError(this.#office.codes.enrolment, 'this enrolment link is unknown, already used or expired')
    return e
  }

  /** The pending enrolment of `code` (the office's enrolment code when there is none). */
  pendingEnrolment(code: unknown): EnrolmentView<R> {
    return enrolmentView(this.#pendingEnrolment(code))
  }

  #rp(): { rpID: string; origin: string } {
    const w = this.webauthn
    if (!w) throw new CivicError(this.#office.codes.config, `passkeys need the console origin (${this.#office.originSetting})`)
    return w
  }

  /** Room for one more challenge from `network`: its own oldest dropped at its cap; refused when the table is full. */
  #makeRoom(network: string): void {
    const now = this.#o.now()
    let mine: string[] = []
    for (const [k, c] of this.#challenges) {
      if (c.expiresAt <= now) this.#challenges.delete(k)
      else if (c.network === network) mine.push(k)
    }
    while (mine.length >= MAX_CHALLENGES_PER_NETWORK) {
      this.#challenges.delete(mine[0]!)
      mine = mine.slice(1)
    }
    if (this.#challenges.size >= MAX_CHALLENGES) throw new CivicError(this.#office.codes.rateLimited, `${MAX_CHALLENGES} sign-ins and enrolments are pending; retry in a few minutes`)
  }

  #remember(challenge: string, v: { purpose: 'enrol' | 'sign-in'; enrolmentId: string | null; userId: string | null; network: string }): void {
    this.#makeRoom(v.network)
    this.#challenges.set(challenge, { ...v, expiresAt: this.#o.now() + CHALLENGE_SECONDS })
  }

  /** Pending challenges of `network` (tests, and the table's bound). */
  pendingChallenges(network?: string): number {
    const now = this.#o.now()
    let n = 0
    for (const c of this.#challenges.values()) if (c.expiresAt > now && (network === undefined || c.network === network)) n++
    return n
  }

  /** The WebAuthn creation options for an enrolment code (the code is not used up yet). */
  async enrolOptions(code: unknown, network = '?'): Promise<{ enrolment: EnrolmentView<R>; options: Record<string, unknown> }> {
    const e = this.#pendingEnrolment(code)
    const rp = this.#rp()
    this.#makeRoom(network)
    const userId = newId()
    const options = await generateRegistrationOptions({
      rpName: this.#o.rpName, rpID: rp.rpID, userName: e.name, userDisplayName: e.name, userID: new Uint8Array(Buffer.from(userId, 'base64url')),
      attestationType: 'none', timeout: CHALLENGE_SECONDS * 1000,
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      excludeCredentials: this.#file.officers.flatMap((f) => f.passkeys.map((p) => ({ id: p.id }))),
    })
    this.#remember(options.challenge, { purpose: 'enrol', enrolmentId: e.id, userId, network })
    return { enrolment: enrolmentView(e), options: options as unknown as Record<string, unknown> }
  }

  /** Verify the new passkey, use up the enrolment, make the officer. */
  async enrol(code: unknown, response: unknown): Promise<OfficerView<R>> {
    const e = this.#pendingEnrolment(code)
    const rp = this.#rp()
    let challengeOf: { userId: string } | null = null
    let verified
    try {
      verified = await verifyRegistrationResponse({
        response: response as RegistrationResponseJSON, expectedOrigin: rp.origin, expectedRPID: rp.rpID, requireUserVerification: true,
        expectedChallenge: (c) => {
          const ch = this.#challenges.get(c)
          if (!ch || ch.purpose !== 'enrol' || ch.enrolmentId !== e.id || ch.expiresAt <= this.#o.now()) return false
          this.#challenges.delete(c)
          challengeOf = { userId: ch.userId! }
          return true
        },
      })
    } catch (err) {
      this.#unauthenticated(`the passkey did not verify: ${(err as Error).message.slice(0, 200)}`)
    }
    if (!verified.verified || !challengeOf) this.#unauthenticated('the passkey did not verify')
    const cred = verified.registrationInfo.credential
    const userId = (challengeOf as { userId: string }).userId
    return this.#mutate((d, now) => {
      const i = d.enrolments.findIndex((x) => x.id === e.id)
      if (i < 0) throw new CivicError(this.#office.codes.enrolment, 'this enrolment link was used meanwhile')
      if (d.officers.some((f) => f.passkeys.some((p) => p.id === cred.id))) this.#unauthenticated('this passkey already belongs to an officer')
      if (d.officers.length >= MAX_OFFICERS) throw new CivicError(this.#office.codes.capacity, `${MAX_OFFICERS} officers`)
      d.enrolments.splice(i, 1)
      const f: Officer<R> = {
        id: userId, name: e.name, role: e.role, createdAt: now, disabled: false,
        passkeys: [{ id: cred.id, publicKey: b64u(cred.publicKey), counter: cred.counter, transports: cred.transports ?? [], createdAt: now }],
      }
      d.officers.push(f)
      return view(f)
    })
  }

  // ── sign-in ──

  /** `network`: the client's network key (rate-limit.ts), which bounds its share of pending challenges. */
  async signInOptions(network = '?'): Promise<Record<string, unknown>> {
    const rp = this.#rp()
    this.#makeRoom(network)
    const options = await generateAuthenticationOptions({ rpID: rp.rpID, userVerification: 'required', timeout: CHALLENGE_SECONDS * 1000 })
    this.#remember(options.challenge, { purpose: 'sign-in', enrolmentId: null, userId: null, network })
    return options as unknown as Record<string, unknown>
  }

  /** Verify a passkey assertion: the officer it belongs to (the passkey's counter is kept). */
  async signIn(response: unknown): Promise<OfficerView<R>> {
    const rp = this.#rp()
    const r = response as AuthenticationResponseJSON
    const id = typeof r === 'object' && r !== null && typeof r.id === 'string' ? r.id : null
    const f = id === null ? undefined : this.#file.officers.find((x) => x.passkeys.some((p) => p.id === id))
    if (!f || f.disabled) this.#unauthenticated('this passkey belongs to no officer of this office')
    const pk = f.passkeys.find((p) => p.id === id)!
    let verified
    try {
      verified = await verifyAuthenticationResponse({
        response: r, expectedOrigin: rp.origin, expectedRPID: rp.rpID, requireUserVerification: true,
        credential: { id: pk.id, publicKey: new Uint8Array(Buffer.from(pk.publicKey, 'base64url')), counter: pk.counter, transports: pk.transports as never },
        expectedChallenge: (c) => {
          const ch = this.#challenges.get(c)
          if (!ch || ch.purpose !== 'sign-in' || ch.expiresAt <= this.#o.now()) return false
          this.#challenges.delete(c)
          return true
        },
      })
    } catch (err) {
      this.#unauthenticated(`the passkey did not verify: ${(err as Error).message.slice(0, 200)}`)
    }
    if (!verified.verified) this.#unauthenticated('the passkey did not verify')
    const counter = verified.authenticationInfo.newCounter
    if (counter !== pk.counter) {
      await this.#mutate((d) => {
        const p = d.officers.find((x) => x.id === f.id)?.passkeys.find((x) => x.id === pk.id)
        if (p) p.counter = counter
      })
    }
    return view(f)
  }

  /**
   * Disable an officer: their sessions end, and the enrolments they made and nobody used yet
   * are voided (a link made by someone no longer trusted enrols nobody). Returns the voided
   * enrolments' ids for the audit trail.
   */
  disableOfficer(id: string): Promise<{ officer: OfficerView<R>; voided: string[] }> {
    return this.#mutate((d) => {
      const f = d.officers.find((x) => x.id === id)
      if (!f) throw new CivicError(this.#office.codes.notFound, 'no such officer')
      f.disabled = true
      const voided = d.enrolments.filter((e) => e.createdBy === id).map((e) => e.id)
      d.enrolments = d.enrolments.filter((e) => e.createdBy !== id)
      for (const [k, s] of this.#sessions) if (s.officerId === id) this.#sessions.delete(k)
      return { officer: view(f), voided }
    })
  }

  // ── sessions ──

  /**
   * A new session for the officer: `sid` for the cookie and `secret` for the `x-civic-session`
   * header (only their hashes are kept). Both are needed to use it (`session`).
   */
  startSession(officerId: string): { sid: string; secret: string; session: SessionView<R> } {
    const now = this.#o.now()
    for (const [k, s] of this.#sessions) if (!this.#live(s, now)) this.#sessions.delete(k)
    const sid = secret()
    const headerSecret = secret()
    const s: Session = { officerId, secretHash: createHash('sha256').update(headerSecret).digest(), createdAt: now, lastSeen: now }
    this.#sessions.set(sha256(sid), s)
    return { sid, secret: headerSecret, session: this.#sessionView(s)! }
  }

  #live(s: Session, now: number): boolean {
    return now - s.lastSeen < SESSION_IDLE_SECONDS && now - s.createdAt < SESSION_MAX_SECONDS
  }

  #sessionView(s: Session): SessionView<R> | null {
    const officer = this.officer(s.officerId)
    return officer ? { officer, expiresAt: s.createdAt + SESSION_MAX_SECONDS, idleSeconds: SESSION_IDLE_SECONDS } : null
  }

  /**
   * The live session with cookie `sid` and header secret `headerSecret`, touched (its idle time
   * starts again), or null: an unknown cookie, or a known one without its secret (a replayed
   * cookie), is no session.
   */
  session(sid: string, headerSecret: string | null): SessionView<R> | null {
    const key = sha256(sid)
    const s = this.#sessions.get(key)
    const now = this.#o.now()
    if (!s) return null
    if (headerSecret === null || !timingSafeEqual(s.secretHash, createHash('sha256').update(headerSecret).digest())) return null
    if (!this.#live(s, now)) {
      this.#sessions.delete(key)
      return null
    }
    const v = this.#sessionView(s)
    if (!v) {
      this.#sessions.delete(key)
      return null
    }
    s.lastSeen = now
    return v
  }

  /** End the session (the caller has checked it with `session`). */
  endSession(sid: string): void {
    this.#sessions.delete(sha256(sid))
  }

  /** Whether `token` is this directory's admin token (read now: a command may have just made it). */
  async isAdminToken(token: string): Promise<boolean> {
    const t = await this.#office.readAdminToken(this.dataDir)
    if (!t) return false
    return timingSafeEqual(createHash('sha256').update(t).digest(), createHash('sha256').update(token).digest())
  }

  // ── audit ──

  async audit(r: AuditRecord<R>): Promise<void> {
    const path = join(this.dataDir, AUDIT_FILE)
    const run = async () => {
      const size = await stat(path).then((s) => s.size, () => 0)
      if (size > MAX_AUDIT_BYTES) await this.#closeAuditFile(path)
      await appendFile(path, `${JSON.stringify(r)}\n`, { mode: 0o600 })
      await chmod(path, 0o600)
      const fh = await open(path, 'r+')
      try {
        await fh.sync()
      } finally {
        await fh.close()
      }
    }
    const p = this.#writing.then(run, run)
    this.#writing = p.then(() => {}, () => {})
    try {
      await p
    } catch (e) {
      throw new CivicError(this.#office.codes.storage, `cannot append to ${AUDIT_FILE}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
    }
  }

  /**
   * Closes the current audit file under the next free `audit.<n>.log`. A hard link never
   * replaces an existing name, so no closed file is ever overwritten; the directory is fsynced
   * before the current name is unlinked, so a crash leaves the records under one name or both.
   */
  async #closeAuditFile(path: string): Promise<void> {
    const taken = (await readdir(this.dataDir)).map((n) => /^audit\.([1-9][0-9]{0,8})\.log$/.exec(n)?.[1]).filter((n) => n !== undefined).map(Number)
    const next = taken.length === 0 ? 1 : Math.max(...taken) + 1
    await link(path, join(this.dataDir, `audit.${next}.log`))
    await fsyncDir(this.dataDir)
    await unlink(path)
    await fsyncDir(this.dataDir)
  }

  /** The newest `limit` records, newest first; an action's "started" record is folded into its outcome. */
  async auditTrail(limit = 200): Promise<AuditRecord<R>[]> {
    await this.#writing
    let text = ''
    try {
      text = await readFile(join(this.dataDir, AUDIT_FILE), 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new CivicError(this.#office.codes.storage, `cannot read ${AUDIT_FILE}`)
    }
    const lines = text.split('\n').filter((l) => l !== '')
    const out: AuditRecord<R>[] = []
    const concluded = new Set<string>()
    for (let i = lines.length - 1; i >= 0 && out.length < limit; i--) {
      let rec: AuditRecord<R>
      try {
        rec = JSON.parse(lines[i]!) as AuditRecord<R>
      } catch {
        continue // a torn last line after a crash
      }
      if (rec.id !== undefined && rec.outcome === 'started' && concluded.has(rec.id)) continue
      if (rec.id !== undefined) concluded.add(rec.id)
      out.push(rec)
    }
    return out
  }
}

/** The session cookie's name for an office (cookies ignore ports; offices share localhost). */
export function sessionCookieName(did: string): string {
  return `civic_officer_${createHash('sha256').update(did).digest('hex').slice(0, 12)}`
}
