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
 */
import { isErrorCode, type ErrorCode } from '../../core/errors.ts'
import {
  claimProblem, ConsoleClient, errorCodeOf, offerClaims, officerProblem,
  type AnchorView, type ClaimProblem, type CredentialSchema, type CredentialView, type Fetch, type IssuerInfo,
  type LedgerRecord, type OfferView, type OfficerProblem, type PublishReport, type StatusAction, type WitnessView,
} from '../../issuer/console-client.ts'
import { civicConfig, type ConfigState, type IssuerEntry } from './config.svelte.ts'
import { rememberOffice, rememberedOffice } from './office-memory.ts'

export type { AnchorView, ClaimProblem, CredentialSchema, CredentialView, IssuerInfo, LedgerRecord, OfferView, OfficerProblem, PublishReport, StatusAction, WitnessView }

export type Section = 'info' | 'issue' | 'credentials' | 'status' | 'publish' | 'anchors' | 'witnesses'

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

export class IssuerConsoleState {
  readonly config: ConfigState
  readonly #fetch: Fetch | undefined
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
  /** The offer form; components bind to its members. */
  form = $state<OfferForm>(emptyForm())
  /** Whether the officer tried to submit: from then on every field shows its problem. */
  attempted = $state(false)

  constructor(o: { config?: ConfigState; fetch?: Fetch; now?: () => number } = {}) {
    this.config = o.config ?? civicConfig
    this.#fetch = o.fetch
    this.#now = o.now ?? (() => Math.floor(Date.now() / 1000))
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

  /** The ledger record of an anchor (it carries the size of the checkpoint the inclusion was checked against). */
  recordOf(a: AnchorView): LedgerRecord | null {
    return this.#ledger?.find((r) => r.type === 'status-anchor' && r.subject === a.uri && r.version === a.version) ?? null
  }

  // ── acting ─────────────────────────────────────────────────────────────────────────────

  /**
   * The screen opens: read civic-config.json (once), then pick the issuer when there is only
   * one, or read the one picked before afresh (the service may have published meanwhile).
   */
  async open(): Promise<void> {
    await this.config.load()
    const issuers = this.config.issuers
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
    try {
      this.#client = new ConsoleClient(entry.adminUrl, { fetch: this.#fetch ?? ((input, init) => fetch(input, init)) })
    } catch (e) {
      this.#client = null
      this.#fail('info', e)
      return
    }
    await this.refresh()
  }

  /** Read everything again: the issuer, its credentials, its anchors, the witnesses. */
  async refresh(): Promise<void> {
    await this.#run('info', async (c) => {
      const info = await c.info()
      return () => {
        this.#info = info
        if (!info.credentialTypes.some((t) => t.id === this.form.configurationId)) this.chooseType(info.credentialTypes[0]?.id ?? '')
      }
    })
    // An office that cannot tell who it is will not list anything either: one problem, not four.
    if (this.#problems.info) return
    await Promise.all([this.loadCredentials(), this.loadAnchors(), this.loadWitnesses()])
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
    if (made) await this.loadCredentials()
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
    if (done) await this.loadCredentials()
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
    await Promise.all([this.loadAnchors(), this.loadWitnesses()])
  }

  // ── plumbing ───────────────────────────────────────────────────────────────────────────

  /**
   * Run one call for the current issuer: mark `key` busy, clear the section's problem, apply
   * the answer only if the issuer is still the same, record a failure by its code.
   */
  async #run(key: Section | `status:${string}`, call: (c: ConsoleClient) => Promise<() => void>, section: Section = key as Section): Promise<void> {
    const client = this.#client
    if (!client) return
    const generation = this.#generation
    this.#setBusy(key, true)
    this.#setProblem(section, null)
    try {
      const apply = await call(client)
      if (generation === this.#generation) apply()
    } catch (e) {
      if (generation === this.#generation) this.#fail(section, e)
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
