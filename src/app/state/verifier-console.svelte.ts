/**
 * The verifier console's state: which verifier's admin API the console talks to (`at`, from
 * the link `civic start` prints: `#/verifier?at=<admin URL>`), who is signed in there, the
 * verifier as registered (name, DID, purposes), its counters, the counter enrolment just made
 * (its link and QR, shown once), and for supervisors the officers and the audit trail.
 *
 * Components read this and call its methods; it talks to the verifier's admin API through
 * src/verifier/console-client.ts. Every failure is kept as a code (and a detail for people)
 * per section, for the UI to name in zh-CN or en; a section's failure never hides the others.
 *
 * Officers sign in exactly as at the issuer console: a passkey; the session is the admin
 * listener's HttpOnly cookie plus its secret, kept in this tab's sessionStorage and sent as a
 * header. A call refused as unauthenticated (idle, too old, disabled, signed out elsewhere)
 * signs the console out. An officer enrolment link (`#/verifier/enrol?at=…&code=…`) is read once
 * and dropped from the address bar and history; the code lives only in memory, as does a
 * counter enrolment code until the officer is done with it. Nothing here is stored on the device
 * but the session's secret.
 */
import type { ErrorCode } from '../../core/errors.ts'
import type { LocalizedText } from '../../core/registry/entry.ts'
import type { AuditRecord, OfficersView, SessionView } from '../../office/wire.ts'
import { errorCodeOf, type Fetch, type SessionSecrets } from '../../office/client.ts'
import { browserPasskeyDoor, type PasskeyDoor } from '../../office/webauthn.ts'
import { parseAdminUrl, VerifierConsoleClient, type ConsoleInfo, type CreatedEnrolment } from '../../verifier/console-client.ts'
import { officerEnrolmentLink, type VerifierRole } from '../../verifier/wire.ts'
import { browserSessionSecrets } from './session-secrets.ts'

export type { ConsoleInfo, CreatedEnrolment, VerifierRole }
export type VerifierSession = SessionView<VerifierRole>
export type VerifierOfficers = OfficersView<VerifierRole>
export type VerifierAuditRecord = AuditRecord<VerifierRole>

export type Section = 'info' | 'session' | 'enrol' | 'counter' | 'officers' | 'audit'

/** Where the console stands with the verifier: not asked yet, asking, signed out, signed in. */
export type AuthState = 'unknown' | 'checking' | 'signed-out' | 'signed-in'

export interface Problem {
  code: ErrorCode
  detail: string
}

/** An officer enrolment link being used: the code (memory only), what it enrols as once the server said. */
export interface EnrolmentState {
  code: string
  name: string | null
  role: VerifierRole | null
  done: boolean
}

/** What a verifier console link says: the admin URL (`at`), and an officer enrolment code when it is an enrolment link. */
export interface ConsoleLink {
  adminUrl: string | null
  code: string | null
}

/** `#/verifier?at=…` or `#/verifier/enrol?at=…&code=…`; never throws. */
export function parseConsoleHash(hash: string): ConsoleLink {
  const m = /^#\/verifier(\/enrol)?(?:\?(.*))?$/.exec(hash)
  if (!m) return { adminUrl: null, code: null }
  const q = new URLSearchParams(m[2] ?? '')
  const code = m[1] ? q.get('code') : null
  return { adminUrl: parseAdminUrl(q.get('at')), code: code !== null && /^[A-Za-z0-9_-]{43}$/.test(code) ? code : null }
}

/** The session secrets' prefix in sessionStorage (session-secrets.ts). */
const SECRET_PREFIX = 'civic.verifier.session:'

export class VerifierConsoleState {
  readonly #fetch: Fetch | undefined
  readonly #secrets: SessionSecrets
  readonly #passkeys: PasskeyDoor
  readonly #appOrigin: () => string
  #client: VerifierConsoleClient | null = null
  /** Bumped on every change of verifier: answers for an earlier one are dropped. */
  #generation = 0

  #adminUrl = $state<string | null>(null)
  #auth = $state<AuthState>('unknown')
  #session = $state.raw<VerifierSession | null>(null)
  #expired = $state(false)
  #info = $state.raw<ConsoleInfo | null>(null)
  #created = $state.raw<CreatedEnrolment | null>(null)
  #enrolment = $state.raw<EnrolmentState | null>(null)
  #officers = $state.raw<VerifierOfficers | null>(null)
  #audit = $state.raw<VerifierAuditRecord[] | null>(null)
  #newLink = $state.raw<{ name: string; role: VerifierRole; link: string } | null>(null)
  #problems = $state.raw<Partial<Record<Section, Problem>>>({})
  #busy = $state.raw<ReadonlySet<Section>>(new Set())
  #focusNext: 'officer' | 'signin' | null = null

  constructor(o: { fetch?: Fetch; passkeys?: PasskeyDoor; appOrigin?: () => string; secrets?: SessionSecrets } = {}) {
    this.#fetch = o.fetch
    this.#secrets = o.secrets ?? browserSessionSecrets(SECRET_PREFIX)
    this.#passkeys = o.passkeys ?? browserPasskeyDoor('ERR_VERIFIER_PASSKEY')
    this.#appOrigin = o.appOrigin ?? (() => (typeof location === 'undefined' ? '' : location.origin))
  }

  // ── reading ────────────────────────────────────────────────────────────────────────────

  get adminUrl(): string | null {
    return this.#adminUrl
  }

  get auth(): AuthState {
    return this.#auth
  }

  get session(): VerifierSession | null {
    return this.#session
  }

  /** The session ended on the server's side (not by signing out here). */
  get expired(): boolean {
    return this.#expired
  }

  get isSupervisor(): boolean {
    return this.#session?.officer.role === 'supervisor'
  }

  get info(): ConsoleInfo | null {
    return this.#info
  }

  /** The counter enrolment just made: its link and QR, until the officer is done with it. */
  get created(): CreatedEnrolment | null {
    return this.#created
  }

  get enrolment(): EnrolmentState | null {
    return this.#enrolment
  }

  get officers(): VerifierOfficers | null {
    return this.#officers
  }

  get audit(): VerifierAuditRecord[] | null {
    return this.#audit
  }

  get newLink(): { name: string; role: VerifierRole; link: string } | null {
    return this.#newLink
  }

  problem(section: Section): Problem | null {
    return this.#problems[section] ?? null
  }

  busy(section: Section): boolean {
    return this.#busy.has(section)
  }

  /** Whether the component `what` should take focus now (asked once, by the component that just appeared). */
  takeFocus(what: 'officer' | 'signin'): boolean {
    if (this.#focusNext !== what) return false
    this.#focusNext = null
    return true
  }

  // ── acting ─────────────────────────────────────────────────────────────────────────────

  /** The screen opens on a console link: the verifier it names, and an officer enrolment when the link is one. */
  async open(link: ConsoleLink): Promise<void> {
    if (link.adminUrl === null) {
      this.#generation++
      this.#adminUrl = null
      this.#client = null
      return
    }
    if (link.adminUrl !== this.#adminUrl || !this.#client) this.#select(link.adminUrl)
    if (link.code) {
      this.#enrolment = { code: link.code, name: null, role: null, done: false }
      await this.checkEnrolment()
      return
    }
    await this.refresh()
  }

  #select(adminUrl: string): void {
    this.#generation++
    this.#adminUrl = adminUrl
    this.#auth = 'unknown'
    this.#session = null
    this.#expired = false
    this.#enrolment = null
    this.#clearOffice()
    this.#problems = {}
    try {
      this.#client = new VerifierConsoleClient(adminUrl, { fetch: this.#fetch ?? ((input, init) => fetch(input, init)), secrets: this.#secrets })
    } catch (e) {
      this.#client = null
      this.#setProblem('info', errorCodeOf(e))
    }
  }

  #clearOffice(): void {
    this.#info = null
    this.#created = null
    this.#officers = null
    this.#audit = null
    this.#newLink = null
  }

  /** Ask who is signed in (a 401 is the plain answer "nobody"). */
  async checkSession(): Promise<void> {
    this.#auth = 'checking'
    await this.#run('info', async (c) => {
      try {
        const s = await c.session()
        return () => this.#signedIn(s)
      } catch (e) {
        if (errorCodeOf(e).code !== 'ERR_VERIFIER_UNAUTHENTICATED') throw e
        return () => this.#signedOut(false)
      }
    }, 'session')
    if (this.#auth === 'checking') this.#auth = 'unknown'
  }

  /** Read everything again (after asking who is signed in, when nobody is yet). */
  async refresh(): Promise<void> {
    if (this.#auth !== 'signed-in') {
      await this.checkSession()
      if ((this.#auth as AuthState) !== 'signed-in') return
    }
    await this.loadInfo()
    if (this.#problems.info || this.#auth !== 'signed-in') return
    if (this.isSupervisor) await Promise.all([this.loadOfficers(), this.loadAudit()])
  }

  loadInfo(): Promise<void> {
    return this.#run('info', async (c) => {
      const info = await c.info()
      return () => (this.#info = info)
    })
  }

  async signIn(): Promise<boolean> {
    let ok = false
    await this.#run('session', async (c) => {
      const options = await c.signInOptions()
      const response = await this.#passkeys.get(options)
      const s = await c.signIn(response)
      return () => {
        ok = true
        this.#focusNext = 'officer'
        this.#signedIn(s)
      }
    })
    if (ok) await this.refresh()
    return ok
  }

  async signOut(): Promise<void> {
    await this.#run('session', async (c) => {
      await c.signOut()
      return () => {
        this.#focusNext = 'signin'
        this.#signedOut(false)
      }
    })
  }

  /** What the enrolment link would make (the code is not used up by asking). */
  async checkEnrolment(): Promise<void> {
    const e = this.#enrolment
    if (!e) return
    await this.#run('enrol', async (c) => {
      const o = await c.enrolOptions(e.code)
      return () => (this.#enrolment = { ...e, name: o.name, role: o.role })
    })
  }

  /** Create the passkey and use up the link; signed in afterwards. */
  async enrol(): Promise<boolean> {
    const e = this.#enrolment
    if (!e || e.done) return false
    let ok = false
    await this.#run('enrol', async (c) => {
      const o = await c.enrolOptions(e.code)
      const response = await this.#passkeys.create(o.options)
      const s = await c.enrol(e.code, response)
      return () => {
        ok = true
        this.#enrolment = { ...e, name: o.name, role: o.role, done: true }
        this.#focusNext = 'officer'
        this.#signedIn(s)
      }
    })
    if (ok) await this.refresh()
    return ok
  }

  /** Leave the enrolment (the link stays unused); the console asks who is signed in instead. */
  async dismissEnrolment(): Promise<void> {
    this.#enrolment = null
    this.#setProblem('enrol', null)
    await this.refresh()
  }

  /** A one-time enrolment code for a counter named `name`, for `purposes`: its link and QR are shown until dismissed. */
  async createCounter(name: LocalizedText, purposes: string[]): Promise<boolean> {
    let ok = false
    await this.#run('counter', async (c) => {
      const made = await c.createCounterEnrolment(name, purposes)
      return () => {
        ok = true
        this.#created = made
      }
    })
    if (ok) await Promise.all([this.loadInfo(), ...(this.isSupervisor ? [this.loadAudit()] : [])])
    return ok
  }

  /** Done with the counter link on screen: the code leaves memory (the counter enrolled, or it is not wanted). */
  async dismissCounter(): Promise<void> {
    this.#created = null
    await this.loadInfo()
  }

  loadOfficers(): Promise<void> {
    return this.#run('officers', async (c) => {
      const o = await c.officers()
      return () => (this.#officers = o)
    })
  }

  loadAudit(): Promise<void> {
    return this.#run('audit', async (c) => {
      const a = await c.audit()
      return () => (this.#audit = a)
    })
  }

  /** A one-time enrolment link for a new officer of this verifier (supervisors). */
  async createOfficerEnrolment(role: VerifierRole, name: string): Promise<boolean> {
    const at = this.#adminUrl
    if (!at) return false
    let ok = false
    await this.#run('officers', async (c) => {
      const e = await c.createEnrolment(role, name)
      return () => {
        ok = true
        this.#newLink = { name: e.name, role: e.role, link: officerEnrolmentLink(this.#appOrigin(), at, e.code) }
      }
    })
    if (ok) await Promise.all([this.loadOfficers(), this.loadAudit()])
    return ok
  }

  async disableOfficer(id: string): Promise<boolean> {
    let ok = false
    await this.#run('officers', async (c) => {
      await c.disableOfficer(id)
      return () => (ok = true)
    })
    if (ok) await Promise.all([this.loadOfficers(), this.loadAudit()])
    return ok
  }

  async cancelEnrolment(id: string): Promise<boolean> {
    let ok = false
    await this.#run('officers', async (c) => {
      ok = await c.cancelEnrolment(id)
      return () => {}
    })
    await Promise.all([this.loadOfficers(), this.loadAudit()])
    return ok
  }

  dismissNewLink(): void {
    this.#newLink = null
  }

  #signedIn(s: VerifierSession): void {
    this.#session = s
    this.#auth = 'signed-in'
    this.#expired = false
  }

  /** Signed out: nothing of the verifier stays on screen. */
  #signedOut(expired: boolean): void {
    this.#session = null
    this.#auth = 'signed-out'
    this.#expired = expired
    // "Enrolled and signed in" is said once: not again after signing out.
    if (this.#enrolment?.done) this.#enrolment = null
    this.#clearOffice()
    const keep = this.#problems.session
    this.#problems = keep ? { session: keep } : {}
  }

  // ── plumbing ───────────────────────────────────────────────────────────────────────────

  /** One call for the current verifier: `section` busy, its problem cleared, the answer applied only if the verifier is still the same. */
  async #run(section: Section, call: (c: VerifierConsoleClient) => Promise<() => void>, busy: Section = section): Promise<void> {
    const client = this.#client
    if (!client) return
    const generation = this.#generation
    this.#setBusy(busy, true)
    this.#setProblem(section, null)
    try {
      const apply = await call(client)
      if (generation === this.#generation) apply()
    } catch (e) {
      if (generation !== this.#generation) return
      // The session ended on the server (idle, too old, the officer disabled): signed out here too.
      if (errorCodeOf(e).code === 'ERR_VERIFIER_UNAUTHENTICATED' && this.#auth === 'signed-in') {
        this.#focusNext = 'signin'
        this.#signedOut(true)
      } else this.#setProblem(section, errorCodeOf(e))
    } finally {
      if (generation === this.#generation) this.#setBusy(busy, false)
    }
  }

  #setProblem(section: Section, p: Problem | null): void {
    const next = { ...this.#problems }
    if (p) next[section] = p
    else delete next[section]
    this.#problems = next
  }

  #setBusy(section: Section, on: boolean): void {
    const next = new Set(this.#busy)
    if (on) next.add(section)
    else next.delete(section)
    this.#busy = next
  }
}

export const verifierConsole = new VerifierConsoleState()
