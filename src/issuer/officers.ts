/**
 * Officers of an issuing office, their passkeys, sessions, enrolments and the audit trail
 * (Node). The one module that imports @simplewebauthn/server.
 *
 *   <data>/officers.json   officers (id, name, role, passkeys' public keys and counters) and
 *                          pending enrolments (the code's SHA-256, never the code), mode 0600,
 *                          written durably (temp file, fsync, rename, directory fsync)
 *   <data>/audit.log       one JSON line per admin action, appended and fsynced, mode 0600;
 *                          at 4 MiB it is closed as audit.<n>.log (n = 1, 2, …) and a new one
 *                          begins; closed files are never overwritten or dropped (an audit
 *                          trail that forgets is no trail: archiving them is the operator's)
 *   <data>/admin-token     the bearer token with supervisor rights for scripts and the CLI,
 *                          mode 0600, made on first need: written to a temp file, fsynced and
 *                          hard-linked to its name, so it appears whole or not at all (a crash
 *                          cannot leave an empty token that fails every later start) and two
 *                          processes making it at once agree on the one linked first. It is the
 *                          credential itself, so it is the one secret kept in clear; a token
 *                          file readable by group or others is refused (ERR_ISSUER_CONFIG), not
 *                          used. The server reads it when a bearer token arrives and compares
 *                          hashes in constant time.
 *   <data>/admin-url       the admin listener's URL, written by `civic issuer serve` once it
 *                          listens (with server.json's pid it tells the CLI where to go)
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
 * refused (ERR_ISSUER_RATE_LIMITED) rather than evicting pending ones.
 */
import { appendFile, chmod, link, open, readdir, readFile, stat, unlink } from 'node:fs/promises'
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { join } from 'node:path'
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type AuthenticationResponseJSON, type RegistrationResponseJSON,
} from '@simplewebauthn/server'
import { CivicError, InputError } from '../core/errors.ts'
import { parseJson } from '../core/bytes/json.ts'
import { readShape, type ShapeFailure } from '../core/bytes/shape.ts'
import { fsyncDir, tempName, writeFileDurably, writeSynced } from '../node/durable.ts'
import {
  isOfficerReference, OFFICER_ROLES, type AuditRecord, type CreatedEnrolment, type EnrolmentView, type OfficerRole, type OfficerView, type OfficersView, type SessionView,
} from './admin-wire.ts'

export const OFFICERS_FILE = 'officers.json'
export const AUDIT_FILE = 'audit.log'
export const ADMIN_TOKEN_FILE = 'admin-token'
export const ADMIN_URL_FILE = 'admin-url'
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
export const ADMIN_TOKEN_OFFICER: OfficerView = { id: 'admin-token', name: 'admin token', role: 'supervisor' }

interface Passkey {
  id: string
  publicKey: string
  counter: number
  transports: string[]
  createdAt: number
}

interface Officer {
  id: string
  name: string
  role: OfficerRole
  createdAt: number
  disabled: boolean
  passkeys: Passkey[]
}

interface Enrolment {
  id: string
  codeHash: string
  name: string
  role: OfficerRole
  createdAt: number
  expiresAt: number
  /** Made for the office's first supervisor (`civic start`): a newer one replaces it. */
  first: boolean
  /** The officer who made it (`admin-token` for the token; null in files from before it was kept): disabling them voids it. */
  createdBy?: string | null
}

interface OfficersFile {
  version: 1
  officers: Officer[]
  enrolments: Enrolment[]
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

function unauthenticated(detail: string): never {
  throw new CivicError('ERR_ISSUER_UNAUTHENTICATED', detail)
}

function bad(detail: string): never {
  throw new CivicError('ERR_ISSUER_BAD_REQUEST', detail)
}

/** officers.json, read strictly (the kernel's JSON and shape readers): a file that does not fit stops the service. */
function parseFile(text: string, path: string): OfficersFile {
  const how: ShapeFailure = { code: 'ERR_ISSUER_CONFIG', error: (code, detail) => new CivicError(code, `${path}: ${detail}`) }
  const fail = (what: string): never => {
    throw new CivicError('ERR_ISSUER_CONFIG', `${path}: ${what}`)
  }
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
    if (!isOfficerReference(f.name) || !(OFFICER_ROLES as readonly string[]).includes(f.role)) fail(`officers[${i}]: an unexpected name or role`)
    f.passkeys.forEach((p, j) => {
      const k = readShape(p, { id: 'text', publicKey: 'text', counter: 'uint', transports: 'array', createdAt: 'number' }, `officers[${i}].passkeys[${j}]`, how)
      if (!k.transports.every((t) => typeof t === 'string')) fail(`officers[${i}].passkeys[${j}].transports: not a list of names`)
    })
  })
  o.enrolments.forEach((x, i) => {
    const e = readShape(x, { id: 'text', codeHash: 'text', name: 'text', role: 'text', createdAt: 'number', expiresAt: 'number', first: 'boolean', createdBy: 'json?' }, `enrolments[${i}]`, how)
    if (!/^[0-9a-f]{64}$/.test(e.codeHash) || !isOfficerReference(e.name) || !(OFFICER_ROLES as readonly string[]).includes(e.role)) fail(`enrolments[${i}]: an unexpected code hash, name or role`)
    if (e.createdBy !== undefined && e.createdBy !== null && typeof e.createdBy !== 'string') fail(`enrolments[${i}].createdBy: not an officer id`)
  })
  return o as unknown as OfficersFile
}

const view = (f: Officer): OfficerView => ({ id: f.id, name: f.name, role: f.role })
const enrolmentView = (e: Enrolment): EnrolmentView => ({ id: e.id, name: e.name, role: e.role, createdAt: e.createdAt, expiresAt: e.expiresAt })

// ── the admin token ──────────────────────────────────────────────────────────────────────

/** The admin token of `dataDir`, made (mode 0600) when there is none yet. */
export async function ensureAdminToken(dataDir: string): Promise<string> {
  const existing = await readAdminToken(dataDir)
  if (existing) return existing
  const token = secret()
  const path = join(dataDir, ADMIN_TOKEN_FILE)
  const tmp = tempName(path)
  try {
    // Whole before it has its name: written and fsynced under a temp name, then hard-linked
    // (link never replaces, so two processes making it at once agree on the one linked first).
    await writeSynced(tmp, new TextEncoder().encode(`${token}\n`), 0o600)
    try {
      await link(tmp, path)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
    await fsyncDir(dataDir)
  } catch (e) {
    throw new CivicError('ERR_ISSUER_STORAGE', `cannot write ${ADMIN_TOKEN_FILE}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  } finally {
    await unlink(tmp).catch(() => {})
  }
  const t = await readAdminToken(dataDir)
  if (!t) throw new CivicError('ERR_ISSUER_STORAGE', `${ADMIN_TOKEN_FILE} could not be read back`)
  return t
}

/**
 * The admin token of `dataDir`, or null when there is none. A token file readable by group or
 * others, or one that holds no token, is refused with ERR_ISSUER_CONFIG: a leaked credential is
 * not used, and a damaged one is named rather than silently replaced.
 */
export async function readAdminToken(dataDir: string): Promise<string | null> {
  const path = join(dataDir, ADMIN_TOKEN_FILE)
  let text: string
  try {
    const fh = await open(path, 'r')
    try {
      const mode = (await fh.stat()).mode & 0o777
      if ((mode & 0o077) !== 0) throw new CivicError('ERR_ISSUER_CONFIG', `${path} is readable by group or others (mode ${mode.toString(8).padStart(4, '0')}): the token may have leaked; make a new one (remove the file) or chmod 600 it`)
      text = await fh.readFile('utf8')
    } finally {
      await fh.close()
    }
  } catch (e) {
    if (e instanceof CivicError) throw e
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new CivicError('ERR_ISSUER_STORAGE', `cannot read ${ADMIN_TOKEN_FILE}: ${(e as NodeJS.ErrnoException).code ?? ''}`)
  }
  const t = text.trim()
  if (!/^[A-Za-z0-9_-]{43}$/.test(t)) throw new CivicError('ERR_ISSUER_CONFIG', `${path} holds no admin token: remove it and a new one is made`)
  return t
}

/** Where a running server's admin listener is (`civic issuer serve` writes it). */
export async function writeAdminUrl(dataDir: string, url: string): Promise<void> {
  await writeFileDurably(dataDir, ADMIN_URL_FILE, new TextEncoder().encode(`${url}\n`), 0o644)
}

export async function readAdminUrl(dataDir: string): Promise<string | null> {
  try {
    const t = (await readFile(join(dataDir, ADMIN_URL_FILE), 'utf8')).trim()
    return /^https?:\/\/[^\s]{1,300}$/.test(t) ? t : null
  } catch {
    return null
  }
}

// ── the store ────────────────────────────────────────────────────────────────────────────

export interface OfficerStoreOptions {
  /** The console's origin: the WebAuthn origin, its host the RP ID. null: passkeys are off (only the admin token works). */
  appOrigin: string | null
  /** The office's display name for the authenticator's prompt. */
  rpName: string
  /** Seconds since the epoch. */
  now: () => number
}

export class OfficerStore {
  readonly dataDir: string
  readonly #o: OfficerStoreOptions
  #file: OfficersFile
  readonly #sessions = new Map<string, Session>()
  /** challenge → what it was issued for; each is used at most once. */
  readonly #challenges = new Map<string, { purpose: 'enrol' | 'sign-in'; enrolmentId: string | null; userId: string | null; network: string; expiresAt: number }>()
  #writing: Promise<void> = Promise.resolve()

  private constructor(dataDir: string, file: OfficersFile, o: OfficerStoreOptions) {
    this.dataDir = dataDir
    this.#file = file
    this.#o = o
  }

  static async open(dataDir: string, o: OfficerStoreOptions): Promise<OfficerStore> {
    const path = join(dataDir, OFFICERS_FILE)
    let text: string | null = null
    try {
      text = await readFile(path, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new CivicError('ERR_ISSUER_STORAGE', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? ''}`)
    }
    return new OfficerStore(dataDir, text === null ? { version: 1, officers: [], enrolments: [] } : parseFile(text, path), o)
  }

  get webauthn(): { rpID: string; origin: string } | null {
    if (!this.#o.appOrigin) return null
    return { rpID: new URL(this.#o.appOrigin).hostname, origin: this.#o.appOrigin }
  }

  /** Change the file: `fn` edits a copy; it is written before the change is visible. Serialised. */
  async #mutate<T>(fn: (draft: OfficersFile, now: number) => T): Promise<T> {
    const run = async (): Promise<T> => {
      const draft = structuredClone(this.#file)
      const now = this.#o.now()
      draft.enrolments = draft.enrolments.filter((e) => e.expiresAt > now)
      const out = fn(draft, now)
      try {
        await writeFileDurably(this.dataDir, OFFICERS_FILE, new TextEncoder().encode(`${JSON.stringify(draft, null, 1)}\n`), 0o600)
      } catch (e) {
        throw new CivicError('ERR_ISSUER_STORAGE', `cannot write ${OFFICERS_FILE}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
      }
      this.#file = draft
      return out
    }
    const p = this.#writing.then(run, run)
    this.#writing = p.then(() => {}, () => {})
    return p
  }

  hasSupervisor(): boolean {
    return this.#file.officers.some((f) => f.role === 'supervisor' && !f.disabled && f.passkeys.length > 0)
  }

  list(): OfficersView {
    const now = this.#o.now()
    return {
      officers: this.#file.officers.map((f) => ({ ...view(f), createdAt: f.createdAt, passkeys: f.passkeys.length, disabled: f.disabled })),
      enrolments: this.#file.enrolments.filter((e) => e.expiresAt > now).map(enrolmentView),
    }
  }

  officer(id: string): OfficerView | null {
    const f = this.#file.officers.find((x) => x.id === id && !x.disabled)
    return f ? view(f) : null
  }

  // ── enrolment ──

  /**
   * A new one-time enrolment. `first`: for the office's first supervisor — refused once the
   * office has one, and it replaces earlier first-supervisor enrolments not yet used.
   */
  createEnrolment(o: { role: unknown; name: unknown; first?: boolean; createdBy?: string | null }): Promise<CreatedEnrolment | null> {
    if (!OFFICER_ROLES.includes(o.role as OfficerRole)) bad('role must be clerk or supervisor')
    if (!isOfficerReference(o.name)) bad('name must be 1..64 letters, digits, spaces or punctuation')
    const code = secret()
    return this.#mutate((d, now) => {
      if (o.first) {
        if (this.hasSupervisor()) return null
        d.enrolments = d.enrolments.filter((e) => !e.first)
      }
      if (d.enrolments.length >= MAX_ENROLMENTS) throw new CivicError('ERR_ISSUER_CAPACITY', `${MAX_ENROLMENTS} enrolments are pending`)
      const e: Enrolment = { id: newId(), codeHash: sha256(code), name: o.name as string, role: o.role as OfficerRole, createdAt: now, expiresAt: now + ENROLMENT_SECONDS, first: o.first === true, createdBy: o.createdBy ?? null }
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

  #pendingEnrolment(code: unknown): Enrolment {
    if (typeof code !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(code)) throw new CivicError('ERR_ISSUER_ENROLMENT', 'not an enrolment code')
    const h = sha256(code)
    const e = this.#file.enrolments.find((x) => x.codeHash === h && x.expiresAt > this.#o.now())
    if (!e) throw new CivicError('ERR_ISSUER_ENROLMENT', 'this enrolment link is unknown, already used or expired')
    return e
  }

  /** The pending enrolment of `code` (ERR_ISSUER_ENROLMENT when there is none). */
  pendingEnrolment(code: unknown): EnrolmentView {
    return enrolmentView(this.#pendingEnrolment(code))
  }

  #rp(): { rpID: string; origin: string } {
    const w = this.webauthn
    if (!w) throw new CivicError('ERR_ISSUER_CONFIG', 'passkeys need the console origin (issuer.json appOrigin)')
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
    if (this.#challenges.size >= MAX_CHALLENGES) throw new CivicError('ERR_ISSUER_RATE_LIMITED', `${MAX_CHALLENGES} sign-ins and enrolments are pending; retry in a few minutes`)
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
  async enrolOptions(code: unknown, network = '?'): Promise<{ enrolment: EnrolmentView; options: Record<string, unknown> }> {
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
  async enrol(code: unknown, response: unknown): Promise<OfficerView> {
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
      unauthenticated(`the passkey did not verify: ${(err as Error).message.slice(0, 200)}`)
    }
    if (!verified.verified || !challengeOf) unauthenticated('the passkey did not verify')
    const cred = verified.registrationInfo.credential
    const userId = (challengeOf as { userId: string }).userId
    return this.#mutate((d, now) => {
      const i = d.enrolments.findIndex((x) => x.id === e.id)
      if (i < 0) throw new CivicError('ERR_ISSUER_ENROLMENT', 'this enrolment link was used meanwhile')
      if (d.officers.some((f) => f.passkeys.some((p) => p.id === cred.id))) unauthenticated('this passkey already belongs to an officer')
      if (d.officers.length >= MAX_OFFICERS) throw new CivicError('ERR_ISSUER_CAPACITY', `${MAX_OFFICERS} officers`)
      d.enrolments.splice(i, 1)
      const f: Officer = {
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
  async signIn(response: unknown): Promise<OfficerView> {
    const rp = this.#rp()
    const r = response as AuthenticationResponseJSON
    const id = typeof r === 'object' && r !== null && typeof r.id === 'string' ? r.id : null
    const f = id === null ? undefined : this.#file.officers.find((x) => x.passkeys.some((p) => p.id === id))
    if (!f || f.disabled) unauthenticated('this passkey belongs to no officer of this office')
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
      unauthenticated(`the passkey did not verify: ${(err as Error).message.slice(0, 200)}`)
    }
    if (!verified.verified) unauthenticated('the passkey did not verify')
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
  disableOfficer(id: string): Promise<{ officer: OfficerView; voided: string[] }> {
    return this.#mutate((d) => {
      const f = d.officers.find((x) => x.id === id)
      if (!f) throw new CivicError('ERR_ISSUER_NOT_FOUND', 'no such officer')
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
  startSession(officerId: string): { sid: string; secret: string; session: SessionView } {
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

  #sessionView(s: Session): SessionView | null {
    const officer = this.officer(s.officerId)
    return officer ? { officer, expiresAt: s.createdAt + SESSION_MAX_SECONDS, idleSeconds: SESSION_IDLE_SECONDS } : null
  }

  /**
   * The live session with cookie `sid` and header secret `headerSecret`, touched (its idle time
   * starts again), or null: an unknown cookie, or a known one without its secret (a replayed
   * cookie), is no session.
   */
  session(sid: string, headerSecret: string | null): SessionView | null {
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

  /** Whether `token` is this directory's admin token (read now: `civic issuer admin-token` may have just made it). */
  async isAdminToken(token: string): Promise<boolean> {
    const t = await readAdminToken(this.dataDir)
    if (!t) return false
    return timingSafeEqual(createHash('sha256').update(t).digest(), createHash('sha256').update(token).digest())
  }

  // ── audit ──

  async audit(r: AuditRecord): Promise<void> {
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
      throw new CivicError('ERR_ISSUER_STORAGE', `cannot append to ${AUDIT_FILE}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
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
  async auditTrail(limit = 200): Promise<AuditRecord[]> {
    await this.#writing
    let text = ''
    try {
      text = await readFile(join(this.dataDir, AUDIT_FILE), 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new CivicError('ERR_ISSUER_STORAGE', `cannot read ${AUDIT_FILE}`)
    }
    const lines = text.split('\n').filter((l) => l !== '')
    const out: AuditRecord[] = []
    const concluded = new Set<string>()
    for (let i = lines.length - 1; i >= 0 && out.length < limit; i--) {
      let rec: AuditRecord
      try {
        rec = JSON.parse(lines[i]!) as AuditRecord
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
