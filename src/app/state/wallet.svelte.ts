/**
 * The citizen's wallet as reactive state: the wallet on this device (src/wallet/wallet.ts) and
 * what its screens show — whether there is a wallet, whether it is locked, its cards with the
 * status the trust engine establishes, and the steps of receiving an offer.
 *
 * - The passphrase KDF runs in a Worker (src/wallet/kdf-worker.ts); the page stays responsive.
 * - Nothing but plain values reaches components: cards are copied out of the wallet, status
 *   verdicts are read from the trust engine's local fold (no network) each time they are drawn.
 * - Auto-lock: `touch()` (any pointer or key activity on the wallet's screens) restarts the
 *   inactivity timer; when it runs out the key is dropped and the cards with it.
 * - Credentials are verified on receipt under the trust engine's registry: receiving needs the
 *   ledger copy open (status `ready`), which it is, offline too, once it has been synced.
 * - What only receiving needs (the OpenID4VCI client, the SD-JWT verifier) is loaded when an
 *   offer is read, not with the screen.
 * - Status: after unlocking and after every sync, the status list of each card is refreshed
 *   (network, proven against the status log); what was proven before still judges offline.
 */
import { CivicError, fail, type ErrorCode, type Verdict } from '../../core/errors.ts'
import { pickKdf } from '../../wallet/kdf-worker.ts'
import { makePasskey, passkeyPrf, passkeySupport, type PasskeySupport } from '../../wallet/passkey.ts'
import type { Offer } from '../../wallet/vci.ts'
import { herdConcern, type HerdConcern } from '../../wallet/herd.ts'
import { Wallet, type ActivityEntry, type Card, type MarkerStore, type StatusRef } from '../../wallet/wallet.ts'
import { trust, type StatusVerdict, type TrustReads, type TrustState } from './trust.svelte.ts'

export type { ActivityEntry, Card } from '../../wallet/wallet.ts'
export type { HerdConcern } from '../../wallet/herd.ts'
export { MIN_PASSPHRASE } from '../../wallet/wallet.ts'
export type { Offer } from '../../wallet/vci.ts'

/** `closed`: another tab opened a newer version of the wallet's database; this page must reload. */
export type WalletStatus = 'idle' | 'opening' | 'new' | 'locked' | 'unlocked' | 'vanished' | 'failed' | 'closed'

export interface Problem {
  code: ErrorCode | null
  detail: string
}

export type ReceiveStep = 'link' | 'reading' | 'offer' | 'receiving' | 'done'

/** A card's standing as the wallet shows it: the worst of its copies' statuses. */
export interface CardStatus {
  state: 'valid' | 'revoked' | 'suspended' | 'unknown'
  /** When the status data was anchored (the anchor's iat), if any is held. */
  anchoredAt: number | null
  /** Why it is unknown. */
  code: ErrorCode | null
  detail: string
}

/** Minutes of inactivity before the wallet locks itself. */
export const AUTO_LOCK_MINUTES = 5

const nowSeconds = (): number => Math.floor(Date.now() / 1000)

/**
 * A thrown failure of the wallet or its store as a verdict: its code when it is ours
 * (ERR_STORE_QUOTA: nothing was written), else ERR_STORE_UNAVAILABLE. A TypeError is our own
 * mistake and is thrown on.
 */
function failure(e: unknown): { ok: false; code: ErrorCode; detail: string } {
  if (e instanceof TypeError) throw e
  if (e instanceof CivicError) return fail(e.code, e.detail)
  return fail('ERR_STORE_UNAVAILABLE', e instanceof Error ? e.message : String(e))
}

function markerStore(): MarkerStore {
  try {
    if (typeof localStorage !== 'undefined') return localStorage
  } catch {
    // Storage refused (private mode): the marker then lives for this page only.
  }
  const m = new Map<string, string>()
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v) }
}

/** The standing of a card from its copies' verdicts: revoked over suspended over unknown over valid. */
export function cardStatus(verdicts: readonly StatusVerdict[]): CardStatus {
  if (verdicts.length === 0) return { state: 'unknown', anchoredAt: null, code: 'ERR_STATUS_REF_INVALID', detail: 'the credential names no status list' }
  const anchoredAt = verdicts.reduce<number | null>((a, v) => (v.anchoredAt === null ? a : a === null ? v.anchoredAt : Math.min(a, v.anchoredAt)), null)
  const revoked = verdicts.find((v) => v.state === 'invalid')
  if (revoked) return { state: 'revoked', anchoredAt, code: null, detail: '' }
  if (verdicts.some((v) => v.state === 'suspended')) return { state: 'suspended', anchoredAt, code: null, detail: '' }
  const unknown = verdicts.find((v) => v.state === 'unknown')
  if (unknown && unknown.state === 'unknown') return { state: 'unknown', anchoredAt, code: unknown.code, detail: unknown.detail }
  return { state: 'valid', anchoredAt, code: null, detail: '' }
}

/** The wallet's hash routes: #/wallet, #/wallet/receive[?offer=…], #/wallet/present, #/wallet/card/<batch>, #/wallet/settings. */
export type WalletView = { name: 'cards' } | { name: 'receive'; offer: string | null } | { name: 'present' } | { name: 'card'; batch: string } | { name: 'settings' }

export function parseWalletView(hash: string): WalletView {
  const raw = hash.replace(/^#/, '')
  const q = raw.indexOf('?')
  const path = (q === -1 ? raw : raw.slice(0, q)).split('/').filter((s) => s !== '')
  const query = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1))
  if (path[1] === 'receive') return { name: 'receive', offer: query.get('offer') }
  if (path[1] === 'card' && path[2] && /^[0-9a-f-]{36}$/.test(path[2])) return { name: 'card', batch: path[2] }
  if (path[1] === 'settings') return { name: 'settings' }
  if (path[1] === 'present') return { name: 'present' }
  return { name: 'cards' }
}

export function walletHash(v: WalletView): string {
  if (v.name === 'receive') return v.offer ? `#/wallet/receive?offer=${encodeURIComponent(v.offer)}` : '#/wallet/receive'
  if (v.name === 'card') return `#/wallet/card/${v.batch}`
  if (v.name === 'settings') return '#/wallet/settings'
  if (v.name === 'present') return '#/wallet/present'
  return '#/wallet'
}

export class WalletApp {
  readonly #trust: TrustState
  readonly #dbName: string | undefined
  #wallet: Wallet | null = null
  #opening: Promise<void> | null = null
  #lockTimer: ReturnType<typeof setTimeout> | null = null

  #status = $state<WalletStatus>('idle')
  #problem = $state.raw<Problem | null>(null)
  #cards = $state.raw<Card[]>([])
  #activity = $state.raw<ActivityEntry[]>([])
  #rules = $state.raw<readonly string[]>([])
  #busy = $state<null | 'create' | 'unlock' | 'receive' | 'passkey' | 'backup' | 'restore'>(null)
  #unlockProblem = $state.raw<Problem | null>(null)
  #waitUntil = $state(0)
  #step = $state<ReceiveStep>('link')
  #offer = $state.raw<Offer | null>(null)
  #receiveProblem = $state.raw<Problem | null>(null)
  #received = $state<string | null>(null)
  #persisted = $state<boolean | null>(null)
  #refreshing = $state(false)
  #passkeys = $state(0)
  #passkeySupport = $state<PasskeySupport>('no')

  constructor(o: { trust: TrustState; dbName?: string }) {
    this.#trust = o.trust
    this.#dbName = o.dbName
  }

  get status(): WalletStatus {
    return this.#status
  }
  get problem(): Problem | null {
    return this.#problem
  }
  get cards(): readonly Card[] {
    return this.#cards
  }
  /** The presentations a batch's copies made, newest first. */
  activityOf(batch: string): ActivityEntry[] {
    return this.#activity.filter((a) => a.batch === batch)
  }
  /** What is running: creating (the KDF), unlocking (the KDF), receiving. */
  get busy(): null | 'create' | 'unlock' | 'receive' | 'passkey' | 'backup' | 'restore' {
    return this.#busy
  }
  get unlockProblem(): Problem | null {
    return this.#unlockProblem
  }
  /** Milliseconds since the epoch before which no unlock is tried (0: none pending). */
  get waitUntil(): number {
    return this.#waitUntil
  }
  get step(): ReceiveStep {
    return this.#step
  }
  get offer(): Offer | null {
    return this.#offer
  }
  get receiveProblem(): Problem | null {
    return this.#receiveProblem
  }
  /** The batch id just received. */
  get received(): string | null {
    return this.#received
  }
  /** The browser's answer to navigator.storage.persist() (null: not asked or not offered). */
  get persisted(): boolean | null {
    return this.#persisted
  }
  /** How many passkeys unlock this wallet. */
  get passkeys(): number {
    return this.#passkeys
  }
  get passkeySupport(): PasskeySupport {
    return this.#passkeySupport
  }
  get refreshing(): boolean {
    return this.#refreshing
  }
  get trust(): TrustState {
    return this.#trust
  }

  /** Opens the wallet database and the ledger copy (both without network). */
  open(): Promise<void> {
    if (this.#opening && this.#status !== 'failed') return this.#opening
    this.#opening = this.#doOpen()
    return this.#opening
  }

  async #doOpen(): Promise<void> {
    this.#status = 'opening'
    void this.#trust.open()
    try {
      this.#wallet?.close()
      this.#wallet = await Wallet.open({ marker: markerStore(), kdf: pickKdf(), now: nowSeconds, onClosed: () => this.#closedUnder(), ...(this.#dbName ? { dbName: this.#dbName } : {}) })
    } catch (e) {
      const f = failure(e)
      this.#problem = { code: f.code, detail: f.detail }
      this.#status = 'failed'
      return
    }
    // The wait is known before the unlock form shows, so a reload never offers a free attempt.
    if (this.#wallet.state === 'locked') {
      await this.#loadWait()
      this.#passkeys = (await this.#wallet.passkeys()).length
    }
    this.#passkeySupport = await passkeySupport()
    this.#status = this.#wallet.state
    void this.#askPersistence()
  }

  async #askPersistence(): Promise<void> {
    try {
      const s = navigator.storage
      if (!s?.persist) return
      this.#persisted = (await s.persisted()) || (await s.persist())
    } catch {
      this.#persisted = null
    }
  }

  async #loadWait(): Promise<void> {
    const w = await this.#wallet!.waitSeconds()
    this.#waitUntil = w > 0 ? Date.now() + w * 1000 : 0
  }

  /** Creates the wallet (the vanished notice's "start a new wallet" too). */
  async create(passphrase: string): Promise<Verdict<void>> {
    const w = this.#ready(['new', 'vanished'])
    this.#busy = 'create'
    try {
      await w.create(passphrase)
    } catch (e) {
      return failure(e)
    } finally {
      this.#busy = null
    }
    await this.#enter()
    return { ok: true, value: undefined }
  }

  /**
   * The wallet, for an action the screens offer only in `states` and only when nothing else
   * runs (their buttons are disabled otherwise): anything else is our mistake, a TypeError.
   */
  #ready(states: readonly WalletStatus[]): Wallet {
    if (!this.#wallet || this.#busy || !states.includes(this.#status)) throw new TypeError(`the wallet cannot do that now (${this.#status}${this.#busy ? `, ${this.#busy}` : ''})`)
    return this.#wallet
  }

  /** Unlocked: the cards and the log read, the auto-lock started, the status refreshed. */
  async #enter(): Promise<void> {
    this.#status = 'unlocked'
    await this.#reloadCards()
    this.touch()
    void this.refreshStatus()
  }

  async unlock(passphrase: string): Promise<void> {
    const w = this.#wallet
    if (!w || this.#busy) return
    this.#busy = 'unlock'
    this.#unlockProblem = null
    try {
      const v = await w.unlock(passphrase)
      if (!v.ok) {
        this.#unlockProblem = { code: v.code, detail: v.detail }
        await this.#loadWait()
        return
      }
      this.#waitUntil = 0
      await this.#enter()
    } finally {
      this.#busy = null
    }
  }

  /** Unlock with one of the wallet's passkeys (WebAuthn PRF). */
  async unlockWithPasskey(): Promise<void> {
    const w = this.#wallet
    if (!w || this.#busy) return
    this.#busy = 'unlock'
    this.#unlockProblem = null
    try {
      const got = await passkeyPrf(await w.passkeys())
      const v = got.ok ? await w.unlockWithPasskey(got.value.credentialId, got.value.prfOutput) : got
      if (!v.ok) {
        this.#unlockProblem = { code: v.code, detail: v.detail }
        return
      }
      await this.#enter()
    } finally {
      this.#busy = null
    }
  }

  /** Makes a passkey and lets it unlock the wallet too (the passphrase confirms). */
  async addPasskey(passphrase: string, names: { rpName: string; userName: string; displayName: string }): Promise<Verdict<void>> {
    const w = this.#ready(['unlocked'])
    this.#busy = 'passkey'
    try {
      // The passphrase first, so that a wrong one leaves no orphan passkey on the authenticator.
      const checked = await w.checkPassphrase(passphrase)
      if (!checked.ok) return checked
      const made = await makePasskey(names)
      if (!made.ok) return made
      const v = await w.addPasskey(passphrase, made.value)
      if (v.ok) this.#passkeys = (await w.passkeys()).length
      return v
    } catch (e) {
      return failure(e)
    } finally {
      this.#busy = null
      this.touch()
    }
  }

  /** Removes a credential (all its copies, keys and log) from this device. */
  async remove(batch: string): Promise<Verdict<void>> {
    const w = this.#ready(['unlocked'])
    try {
      await w.removeBatch(batch)
      await this.#reloadCards()
      return { ok: true, value: undefined }
    } catch (e) {
      return failure(e)
    } finally {
      this.touch()
    }
  }

  /** The encrypted backup file's text (the passphrase confirms; no private key is in it). */
  async backup(passphrase: string): Promise<Verdict<string>> {
    const w = this.#ready(['unlocked'])
    this.#busy = 'backup'
    try {
      return await w.backup(passphrase)
    } catch (e) {
      return failure(e)
    } finally {
      this.#busy = null
      this.touch()
    }
  }

  /** Restores a backup file into this empty wallet; unlocked afterwards. */
  async restore(text: string, passphrase: string): Promise<Verdict<{ copies: number; activity: number }>> {
    const w = this.#ready(['new', 'vanished'])
    this.#busy = 'restore'
    try {
      const v = await w.restore(text, passphrase)
      if (v.ok) await this.#enter()
      return v
    } catch (e) {
      return failure(e)
    } finally {
      this.#busy = null
    }
  }

  /** The database went away under us (a newer version in another tab): nothing more here until a reload. */
  #closedUnder(): void {
    this.lock()
    this.#status = 'closed'
  }

  lock(): void {
    if (this.#lockTimer) clearTimeout(this.#lockTimer)
    this.#lockTimer = null
    this.#wallet?.lock()
    if (this.#status === 'unlocked') this.#status = 'locked'
    this.#cards = []
    this.#activity = []
    this.resetReceive()
  }

  /** Activity on the wallet's screens: the inactivity timer starts again. */
  touch(): void {
    if (this.#status !== 'unlocked') return
    if (this.#lockTimer) clearTimeout(this.#lockTimer)
    this.#lockTimer = setTimeout(() => this.lock(), AUTO_LOCK_MINUTES * 60_000)
  }

  async #reloadCards(): Promise<void> {
    const [v, a, s] = await Promise.all([this.#wallet!.cards(), this.#wallet!.activity(), this.#wallet!.settings()])
    if (v.ok) this.#cards = v.value
    else this.#problem = { code: v.code, detail: v.detail }
    if (a.ok) this.#activity = a.value
    else this.#problem = { code: a.code, detail: a.detail }
    if (s.ok) this.#rules = s.value.rules.never
    else this.#problem = { code: s.code, detail: s.detail }
  }

  /** The claims the citizen's own rules never share (applied before every consent screen). */
  get rules(): readonly string[] {
    return this.#rules
  }

  /** Saves the citizen's rules, sealed; the next request is planned with them. */
  async setRules(never: readonly string[]): Promise<Verdict<void>> {
    if (!this.#wallet || this.#status !== 'unlocked') return fail('ERR_TRUST_CONFIG', 'the wallet is locked')
    try {
      await this.#wallet.setRules([...never])
    } catch (e) {
      return failure(e)
    }
    this.#rules = [...never]
    return { ok: true, value: undefined }
  }

  /** The trust engine's reads, once its copy is open. */
  get #reads(): TrustReads | null {
    return this.#trust.status === 'ready' ? this.#trust.reads : null
  }

  /** What answering a request needs (present.svelte.ts): the unlocked wallet and the ledger copy's reads; null otherwise. */
  presenting(): { wallet: Wallet; reads: TrustReads } | null {
    const reads = this.#reads
    return this.#wallet && this.#status === 'unlocked' && reads ? { wallet: this.#wallet, reads } : null
  }

  /** After a presentation or a receipt: the cards' copies left and the activity log again. */
  async reload(): Promise<void> {
    if (this.#wallet && this.#status === 'unlocked') await this.#reloadCards()
  }

  /** A card's status from the local fold (reads the trust snapshot, so it redraws after a sync). */
  statusOf(card: Card, now = nowSeconds()): CardStatus {
    void this.#trust.snapshot
    void this.#refreshing
    const reads = this.#reads
    if (!reads) return { state: 'unknown', anchoredAt: null, code: 'ERR_TRUST_CONFIG', detail: 'the ledger copy is not open' }
    return cardStatus(card.status.map((r: StatusRef) => reads.status(r.uri, r.idx, { now })))
  }

  /** What weakens the herd the card's status lists hide it in (src/wallet/herd.ts), or null. */
  herdOf(card: Card): HerdConcern | null {
    void this.#trust.snapshot
    void this.#refreshing
    const reads = this.#reads
    if (!reads) return null
    const standing = reads.issuerStanding(card.iss, { now: nowSeconds() })
    const sizes = new Map(reads.statusLists().map((l) => [l.uri, l.size]))
    return herdConcern(card.status, sizes, standing.ok ? standing.value.statusListBase : null)
  }

  /** The issuer's registered name (the ledger's), or null when the registry does not know it now. */
  issuerName(card: Card): Record<string, string> | null {
    void this.#trust.snapshot
    const s = this.#reads?.issuerStanding(card.iss, { now: nowSeconds() })
    return s?.ok ? { ...s.value.name } : null
  }

  /** Fetches and proves the latest status list of every card (network). Failures leave what was held. */
  async refreshStatus(): Promise<void> {
    const reads = this.#reads
    if (!reads || this.#refreshing) return
    this.#refreshing = true
    try {
      const uris = new Set(this.#cards.flatMap((c) => c.status.map((r) => r.uri)))
      for (const uri of uris) await reads.refreshStatus(uri)
    } finally {
      this.#refreshing = false
    }
  }

  /** Syncs the ledger copy, then refreshes the cards' status. */
  async sync(): Promise<void> {
    await this.#trust.sync()
    await this.refreshStatus()
  }

  resetReceive(): void {
    this.#step = 'link'
    this.#offer = null
    this.#receiveProblem = null
    this.#received = null
  }

  /** Step 1: the offer link (pasted, scanned or from a same-device link). */
  async readOffer(link: string): Promise<void> {
    if (this.#step === 'reading' || this.#step === 'receiving') return
    this.#step = 'reading'
    this.#receiveProblem = null
    const { readOffer } = await import('../../wallet/vci.ts')
    const v = await readOffer(link)
    if (!v.ok) {
      this.#receiveProblem = { code: v.code, detail: v.detail }
      this.#step = 'link'
      return
    }
    this.#offer = v.value
    this.#step = 'offer'
  }

  /** Step 2: the transaction code; the batch is received, verified under the registry and stored. */
  async accept(txCode: string): Promise<void> {
    const offer = this.#offer
    const w = this.#wallet
    if (!offer || !w || this.#step !== 'offer' || this.#status !== 'unlocked') return
    const reads = this.#reads
    if (!reads) {
      this.#receiveProblem = { code: 'ERR_TRUST_CONFIG', detail: 'the ledger copy is not open: the credential cannot be checked' }
      return
    }
    this.#step = 'receiving'
    this.#busy = 'receive'
    this.#receiveProblem = null
    try {
      const { receive } = await import('../../wallet/vci.ts')
      const r = await receive(offer, { txCode: txCode.trim(), issuerKey: reads.credentialKeys({ now: nowSeconds() }), now: nowSeconds })
      if (!r.ok) {
        this.#receiveProblem = { code: r.code, detail: r.detail }
        this.#step = 'offer'
        return
      }
      const batch = await w.storeBatch(r.value)
      await this.#reloadCards()
      this.#received = batch
      this.#step = 'done'
      void this.refreshStatus()
    } catch (e) {
      const f = failure(e)
      this.#receiveProblem = { code: f.code, detail: f.detail }
      this.#step = 'offer'
    } finally {
      this.#busy = null
      this.touch()
    }
  }
}

/** The app's one wallet. */
export const wallet = new WalletApp({ trust })
