/**
 * The issuer console's state: which issuer office the officer works for, the offer form built
 * from its credential types, the credentials it issued (ids, types, statuses — nothing
 * personal: the issuer keeps nothing personal after issuance), its status anchors on the
 * ledger, and the witnesses of the ledger's latest checkpoint.
 *
 * Components read this and call its methods; it talks to the issuer's admin API through
 * src/issuer/console-client.ts. Every failure is kept as a code (and a detail for people) per
 * section, for the UI to name in zh-CN or en; a section's failure never hides the others.
 *
 * Claims typed into the form live only here, in memory, until the offer is made; then the
 * form is cleared. Nothing of it is stored on this device.
 *
 * Officers: each office is signed in to on its own, with a passkey (the session is the admin
 * listener's HttpOnly cookie plus its secret, kept in this tab's sessionStorage and sent as a
 * header — the cookie reaches every localhost port, the secret only this origin; this state
 * otherwise only knows who is signed in and with which role).
 * Picking an office asks who is signed in there; signed out, nothing but the sign-in shows.
 * A call refused as unauthenticated (the session ended: idle, too old, signed out elsewhere)
 * signs the console out of that office. A clerk's console offers no supervisor actions — the
 * server refuses them anyway. An enrolment link (#/issuer/enrol?issuer=…&code=…) is read
 * once and dropped from the address bar and history; the code lives only in memory.
 */
import { isErrorCode, type ErrorCode } from '../../core/errors.ts'
import {
  claimProblem, ConsoleClient, errorCodeOf, offerClaims, officerProblem,
  type AnchorView, type AuditRecord, type ClaimProblem, type CredentialSchema, type CredentialView, type Fetch, type IssuerInfo,
  type LedgerRecord, type OfferView, type OfficerProblem, type OfficerRole, type OfficersView, type PublishReport, type SessionSecrets, type SessionView, type StatusAction, type WitnessView,
} from '../../issuer/console-client.ts'
import { enrolmentLink } from '../../issuer/admin-wire.ts'
import { browserPasskeys, type PasskeyDoor } from '../../issuer/console-webauthn.ts'
import { civicConfig, type ConfigState, type IssuerEntry } from './config.svelte.ts'
import { rememberOffice, rememberedOffice } from './office-memory.ts'
import { browserSessionSecrets } from './session-secrets.ts'

export type {
  AnchorView, AuditRecord, ClaimProblem, CredentialSchema, CredentialView, IssuerInfo, LedgerRecord, OfferView, OfficerProblem, OfficerRole, OfficersView,
  PublishReport, SessionView, StatusAction, WitnessView,
}

export type Section = 'info' | 'issue' | 'credentials' | 'status' | 'publish' | 'anchors' | 'witnesses' | 'session' | 'enrol' | 'officers' | 'audit'

/** Where the console stands with the chosen office: not asked yet, asking, signed out, signed in. */
export type AuthState = 'unknown' | 'checking' | 'signed-out' | 'signed-in'

/** An enrolment link being used: the office, the code (memory only), what it enrols as once the server said. */
export interface EnrolmentState {
  issuerId: string
  code: string
  name: string | null
  role: OfficerRole | null
  done: boolean
}

/** The enrolment link's fields, from a location hash `#/issuer/enrol?issuer=…&code=…`, or null. */
export function parseEnrolmentHash(hash: string): { issuerId: string; code: string } | null {
  const m = /^#\/issuer\/enrol\?(.*)$/.exec(hash)
  if (!m) return null
  const q = new URLSearchParams(m[1])
  const issuerId = q.get('issuer') ?? ''
  const code = q.get('code') ?? ''
  return /^[A-Za-z0-9._-]{1,64}$/.test(issuerId) && /^[A-Za-z0-9_-]{43}$/.test(code) ? { issuerId, code } : null
}

export interface Problem {
  code: ErrorCode
  detail: string
}

export interface OfferForm {
  configurationId: string
  values: Record<string, string>
  officer: string
  txCode: boolean
}

/** The last status change, for the live region (and the highlighted row). */
export interface StatusNotice {
  id: string
  action: StatusAction
  changed: boolean
}

/** The actions the credential's state allows (service.ts setStatus). */
export function allowedActions(c: Pick<CredentialView, 'status'>): StatusAction[] {
  switch (c.status) {
    case 'offered':
      return ['revoke']
    case 'valid':
      return ['suspend', 'revoke']
    case 'suspended':
      return ['reinstate', 'revoke']
    default:
      return []
  }
}

const emptyForm = (configurationId = ''): OfferForm => ({ configurationId, values: {}, officer: '', txCode: true })

/** The console's session secrets: this tab's sessionStorage, under this prefix (session-secrets.ts). */
const SECRET_PREFIX = 'civic.issuer.session:'

export class IssuerConsoleState {
  readonly config: ConfigState
  readonly #fetch: Fetch | undefined
  readonly #secrets: SessionSecrets
  readonly #now: () => number
  #client: ConsoleClient | null = null
  /** Bumped on every change of issuer: answers for an earlier one are dropped. */
  #generation = 0

  #selectedId = $state<string | null>(null)
  #info = $state.raw<IssuerInfo | null>(null)
  #credentials = $state.raw<CredentialView[] | null>(null)
  #anchors = $state.raw<AnchorView[] | null>(null)
  #ledger = $state.raw<LedgerRecord[] | null>(null)
  #witnesses = $state.raw<WitnessView | null>(null)
  #offer = $state.raw<OfferView | null>(null)
  #lastPublish = $state.raw<PublishReport | null>(null)
  #lastStatus = $state.raw<StatusNotice | null>(null)
  #problems = $state.raw<Partial<Record<Section, Problem>>>({})
  #busy = $state.raw<ReadonlySet<string>>(new Set())
  #auth = $state<AuthState>('unknown')
  #session = $state.raw<SessionView | null>(null)
  /** Whether the last sign-out was the server's doing (the session ended), for the notice. */
  #expired = $state(false)
  /** Where focus should go once the screen changed under the officer's hands (the button they pressed is gone). */
  #focusNext: 'officer' | 'signin' | null = null
  #enrolment = $state.raw<EnrolmentState | null>(null)
  #officers = $state.raw<OfficersView | null>(null)
  #audit = $state.raw<AuditRecord[] | null>(null)
  /** The enrolment link just made (shown once to the supervisor who made it). */
  #newLink = $state.raw<{ name: string; role: OfficerRole; link: string } | null>(null)
  readonly #passkeys: PasskeyDoor
  readonly #appOrigin: () => string
  /** The offer form; components bind to its members. */
  form = $state<OfferForm>(emptyForm())
  /** Whether the officer tried to submit: from then on every field shows its problem. */
  attempted = $state(false)

  constructor(o: { config?: ConfigState; fetch?: Fetch; now?: () => number; passkeys?: PasskeyDoor; appOrigin?: () => string; secrets?: SessionSecrets } = {}) {
    this.config = o.config ?? civicConfig
    this.#fetch = o.fetch
    this.#secrets = o.secrets ?? browserSessionSecrets(SECRET_PREFIX)
    this.#now = o.now ?? (() => Math.floor(Date.now() / 1000))
    this.#passkeys = o.passkeys ?? browserPasskeys
    this.#appOrigin = o.appOrigin ?? (() => (typeof location === 'undefined' ? '' : location.origin))
  }

  // ── officers ───────────────────────────────────────────────────────────────────────────

  get auth(): AuthState {
    return this.#auth
  }

  get session(): SessionView | null {
    return this.#session
  }

  /** The session ended on the server's side (not by signing out here). */
  get expired(): boolean {
    return this.#expired
  }

  get isSupervisor(): boolean {
    return this.#session?.officer.role === 'supervisor'
  }

  get enrolment(): EnrolmentState | null {
    return this.#enrolment
  }

  get officers(): OfficersView | null {
    return this.#officers
  }

  get audit(): AuditRecord[] | null {
    return this.#audit
  }

  get newLink(): { name: string; role: OfficerRole; link: string } | null {
    return this.#newLink
  }

  // ── reading ────────────────────────────────────────────────────────────────────────────

  get issuers(): readonly IssuerEntry[] {
    return this.config.issuers
  }

  get selectedId(): string | null {
    return this.#selectedId
  }

  get selected(): IssuerEntry | null {
    return this.config.issuers.find((i) => i.id === this.#selectedId) ?? null
  }

  get info(): IssuerInfo | null {
    return this.#info
  }

  get credentials(): CredentialView[] | null {
    return this.#credentials
  }

  get anchors(): AnchorView[] | null {
    return this.#anchors
  }

  get ledger(): LedgerRecord[] | null {
    return this.#ledger
  }

  get witnesses(): WitnessView | null {
    return this.#witnesses
  }

  get offer(): OfferView | null {
    return this.#offer
  }

  get lastPublish(): PublishReport | null {
    return this.#lastPublish
  }

  get lastStatus(): StatusNotice | null {
    return this.#lastStatus
  }

  problem(section: Section): Problem | null {
    return this.#problems[section] ?? null
  }

  busy(what: Section | `status:${string}`): boolean {
    return this.#busy.has(what)
  }

  /** The credential type the form is for. */
  get schema(): CredentialSchema | null {
    return this.#info?.credentialTypes.find((t) => t.id === this.form.configurationId) ?? null
  }

  typeOf(configurationId: string): CredentialSchema | null {
    return this.#info?.credentialTypes.find((t) => t.id === configurationId) ?? null
  }

  /** Each claim's problem with what is typed now (null: fine). */
  get fieldProblems(): Record<string, ClaimProblem | null> {
    const s = this.schema
    const out: Record<string, ClaimProblem | null> = {}
    if (!s) return out
    const now = this.#now()
    for (const c of s.claims) out[c.name] = claimProblem(c, this.form.values[c.name] ?? '', now)
    return out
  }

  get officerProblem(): OfficerProblem | null {
    return officerProblem(this.form.officer)
  }

  get formValid(): boolean {
    return this.schema !== null && Object.values(this.fieldProblems).every((p) => p === null) && this.officerProblem === null
  }

  /** The status actions this officer may take on `c`: none for a clerk (the server refuses them too). */
  actionsFor(c: Pick<CredentialView, 'status'>): StatusAction[] {
    return this.isSupervisor ? allowedActions(c) : []
  }

  /** The ledger record of an anchor (it carries the size of the checkpoint the inclusion was checked against). */
  recordOf(a: AnchorView): LedgerRecord | null {
    return this.#ledger?.find((r) => r.type === 'status-anchor' && r.subject === a.uri && r.version === a.version) ?? null
  }

  // ── acting ─────────────────────────────────────────────────────────────────────────────

  /**
   * The screen opens: read civic-config.json (once), then pick the issuer when there is only
   * one, or read the one picked before afresh (the service may have published meanwhile).
   */
  async open(o: { enrolment?: { issuerId: string; code: string } | null } = {}): Promise<void> {
    await this.config.load()
    const issuers = this.config.issuers
    if (o.enrolment) {
      this.#enrolment = { ...o.enrolment, name: null, role: null, done: false }
      if (!issuers.some((i) => i.id === o.enrolment!.issuerId)) return
      await this.select(o.enrolment.issuerId)
      await this.checkEnrolment()
      return
    }
    if (this.#selectedId !== null && issuers.some((i) => i.id === this.#selectedId)) {
      if (this.#client) await this.refresh()
      else await this.select(this.#selectedId)
      return
    }
    this.#selectedId = null
    // The office chosen before on this device, else the only one there is.
    const remembered = rememberedOffice()
    if (remembered !== null && issuers.some((i) => i.id === remembered)) await this.select(remembered)
    else if (issuers.length === 1) await this.select(issuers[0]!.id)
  }

  /** Work for another issuer office: everything shown so far belongs to the previous one and goes. */
  async select(id: string): Promise<void> {
    const entry = this.config.issuers.find((i) => i.id === id)
    if (!entry) return
    this.#generation++
    this.#selectedId = id
    rememberOffice(id)
    this.#info = null
    this.#credentials = null
    this.#anchors = null
    this.#ledger = null
    this.#witnesses = null
    this.#offer = null
    this.#lastPublish = null
    this.#lastStatus = null
    this.#problems = {}
    this.form = emptyForm()
    this.attempted = false
    this.#session = null
    this.#auth = 'unknown'
    this.#expired = false
    this.#officers = null
    this.#audit = null
    this.#newLink = null
    if (this.#enrolment && this.#enrolment.issuerId !== id) this.#enrolment = null
    try {
      this.#client = new ConsoleClient(entry.adminUrl, { fetch: this.#fetch ?? ((input, init) => fetch(input, init)), secrets: this.#secrets })
    } catch (e) {
      this.#client = null
      this.#fail('info', e)
      return
    }
    await this.checkSession()
    if (this.auth === 'signed-in') await this.refresh()
  }

  /**
   * Ask the office who is signed in (a 401 is the plain answer "nobody"). An office that does
   * not answer is the office's problem ('info'): the console knows nothing of it, signed in or
   * not, until it answers.
   */
  async checkSession(): Promise<void> {
    this.#auth = 'checking'
    await this.#run('info', async (c) => {
      try {
        const s = await c.session()
        return () => this.#signedIn(s)
      } catch (e) {
        if (errorCodeOf(e).code !== 'ERR_ISSUER_UNAUTHENTICATED') throw e
        return () => this.#signedOut(false)
      }
    }, 'info', 'session')
    if (this.auth === 'checking') this.#auth = 'unknown'
  }

  /** Sign in with a passkey of this office; then read everything. */
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

  /** Whether the component `what` should take focus now (asked once, by the component that just appeared). */
  takeFocus(what: 'officer' | 'signin'): boolean {
    if (this.#focusNext !== what) return false
    this.#focusNext = null
    return true
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

  /** Leave the enrolment (the link stays unused). */
  dismissEnrolment(): void {
    this.#enrolment = null
    this.#setProblem('enrol', null)
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

  /** A one-time enrolment link for a new officer of this office (supervisors). */
  async createEnrolment(role: OfficerRole, name: string): Promise<boolean> {
    const entry = this.selected
    if (!entry) return false
    let ok = false
    await this.#run('officers', async (c) => {
      const e = await c.createEnrolment(role, name)
      return () => {
        ok = true
        this.#newLink = { name: e.name, role: e.role, link: enrolmentLink(this.#appOrigin(), entry.id, e.code) }
      }
    })
    if (ok) await Promise.all([this.loadOfficers(), this.loadAudit()])
    return ok
  }

  /** Disable an officer of this office (supervisors): their sessions end, their passkeys no longer sign in. */
  async disableOfficer(id: string): Promise<boolean> {
    let ok = false
    await this.#run('officers', async (c) => {
      await c.disableOfficer(id)
      return () => (ok = true)
    })
    if (ok) await Promise.all([this.loadOfficers(), this.loadAudit()])
    return ok
  }

  /** Void an enrolment link not used yet (supervisors). */
  async cancelEnrolment(id: string): Promise<boolean> {
    let ok = false
    await this.#run('officers', async (c) => {
      ok = await c.cancelEnrolment(id)
      return () => {
        if (this.#newLink && ok) this.#newLink = null
      }
    })
    await Promise.all([this.loadOfficers(), this.loadAudit()])
    return ok
  }

  dismissNewLink(): void {
    this.#newLink = null
  }

  #signedIn(s: SessionView): void {
    this.#session = s
    this.#auth = 'signed-in'
    this.#expired = false
  }

  /** Signed out: nothing of the office stays on screen. */
  #signedOut(expired: boolean): void {
    this.#session = null
    this.#auth = 'signed-out'
    this.#expired = expired
    this.#info = null
    this.#credentials = null
    this.#anchors = null
    this.#ledger = null
    this.#witnesses = null
    this.#offer = null
    this.#lastPublish = null
    this.#lastStatus = null
    this.#officers = null
    this.#audit = null
    this.#newLink = null
    const keep = this.#problems.session
    this.#problems = keep ? { session: keep } : {}
    this.form = emptyForm()
    this.attempted = false
  }

  /** Read everything again: the issuer, its credentials, its anchors, the witnesses. */
  async refresh(): Promise<void> {
    if (this.auth !== 'signed-in') {
      await this.checkSession()
      // (checkSession changed it; read through the getter)
      if ((this.auth as AuthState) !== 'signed-in') return
    }
    await this.#run('info', async (c) => {
      const info = await c.info()
      return () => {
        this.#info = info
        if (!info.credentialTypes.some((t) => t.id === this.form.configurationId)) this.chooseType(info.credentialTypes[0]?.id ?? '')
      }
    })
    // An office that cannot tell who it is will not list anything either: one problem, not four.
    if (this.#problems.info || this.auth !== 'signed-in') return
    const more = [this.loadCredentials(), this.loadAnchors(), this.loadWitnesses()]
    if (this.isSupervisor) more.push(this.loadOfficers(), this.loadAudit())
    await Promise.all(more)
  }

  loadCredentials(): Promise<void> {
    return this.#run('credentials', async (c) => {
      const list = await c.credentials()
      return () => (this.#credentials = list)
    })
  }

  loadAnchors(): Promise<void> {
    return this.#run('anchors', async (c) => {
      const a = await c.anchors()
      return () => {
        this.#anchors = a.anchors
        this.#ledger = a.ledger
      }
    })
  }

  loadWitnesses(): Promise<void> {
    return this.#run('witnesses', async (c) => {
      const w = await c.witnesses()
      return () => (this.#witnesses = w)
    })
  }

  /** Start a form for another credential type (what was typed goes). */
  chooseType(configurationId: string): void {
    this.form = emptyForm(configurationId)
    this.attempted = false
  }

  /** Make the offer; on success the form is emptied and the offer is shown. */
  async issue(): Promise<boolean> {
    this.attempted = true
    const schema = this.schema
    if (!schema || !this.formValid) return false
    const request = {
      configurationId: schema.id,
      claims: offerClaims(schema, $state.snapshot(this.form.values)),
      officer: this.form.officer === '' ? undefined : this.form.officer,
      txCode: this.form.txCode,
    }
    let made = false
    await this.#run('issue', async (c) => {
      const offer = await c.createOffer(request)
      return () => {
        made = true
        this.#offer = offer
        this.form = emptyForm(schema.id)
        this.attempted = false
      }
    })
    if (made) await Promise.all([this.loadCredentials(), ...(this.isSupervisor ? [this.loadAudit()] : [])])
    return made
  }

  /** Done with the offer on screen (the citizen scanned it, or it is not wanted). */
  dismissOffer(): void {
    this.#offer = null
  }

  /** Revoke, suspend or reinstate a credential: every copy of it changes at once. */
  async setStatus(id: string, action: StatusAction): Promise<boolean> {
    let done = false
    await this.#run(`status:${id}`, async (c) => {
      const r = await c.setStatus(id, action)
      return () => {
        done = true
        this.#lastStatus = { id, action, changed: r.changed }
        if (this.#credentials) this.#credentials = this.#credentials.map((x) => (x.id === id ? r.credential : x))
      }
    }, 'status')
    if (done) await Promise.all([this.loadCredentials(), ...(this.isSupervisor ? [this.loadAudit()] : [])])
    return done
  }

  /** Publish every changed status list and anchor it on the ledger; then read the anchors and witnesses again. */
  async publish(o: { force?: boolean } = {}): Promise<void> {
    await this.#run('publish', async (c) => {
      const report = await c.publish(o)
      return () => {
        this.#lastPublish = report
        const failed = report.failed[0]
        if (failed) this.#setProblem('publish', { code: codeFromText(failed.code), detail: `${failed.uri}: ${failed.detail}` })
      }
    })
    await Promise.all([this.loadAnchors(), this.loadWitnesses(), ...(this.isSupervisor ? [this.loadAudit()] : [])])
  }

  // ── plumbing ───────────────────────────────────────────────────────────────────────────

  /**
   * Run one call for the current issuer: mark `key` busy, clear the section's problem, apply
   * the answer only if the issuer is still the same, record a failure by its code.
   */
  async #run(key: Section | `status:${string}`, call: (c: ConsoleClient) => Promise<() => void>, section: Section = key as Section, busyKey: string = key): Promise<void> {
    const client = this.#client
    if (!client) return
    const generation = this.#generation
    key = busyKey as typeof key
    this.#setBusy(key, true)
    this.#setProblem(section, null)
    try {
      const apply = await call(client)
      if (generation === this.#generation) apply()
    } catch (e) {
      if (generation === this.#generation) {
        // The session ended on the server (idle, too old, the officer disabled): signed out here too.
        if (errorCodeOf(e).code === 'ERR_ISSUER_UNAUTHENTICATED' && this.#auth === 'signed-in') {
          this.#focusNext = 'signin'
          this.#signedOut(true)
        } else this.#fail(section, e)
      }
    } finally {
      if (generation === this.#generation) this.#setBusy(key, false)
    }
  }

  #fail(section: Section, e: unknown): void {
    this.#setProblem(section, errorCodeOf(e))
  }

  #setProblem(section: Section, p: Problem | null): void {
    const next = { ...this.#problems }
    if (p) next[section] = p
    else delete next[section]
    this.#problems = next
  }

  #setBusy(key: string, on: boolean): void {
    const next = new Set(this.#busy)
    if (on) next.add(key)
    else next.delete(key)
    this.#busy = next
  }
}

/** A failed list's code as the service reported it (a catalogue code, else the ledger's failure). */
function codeFromText(code: string): ErrorCode {
  return isErrorCode(code) ? code : 'ERR_ISSUER_LEDGER'
}

export const issuerConsole = new IssuerConsoleState()
