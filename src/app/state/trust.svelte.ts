/**
 * The app's one trust engine, as reactive state: opened once from civic-config.json (through the
 * config state) and shared by every role that reads the ledger — the explorer now, the wallet
 * and the counter later. What the engine knows is copied into `$state.raw` after each change
 * (opening, a sync, its progress), so components re-render from plain values and never hold
 * the engine itself.
 *
 * Offline: civic-config.json is never precached (it is the running system's), so the ledger
 * part of the last file that was read is remembered in localStorage; with the file unreachable
 * the engine opens from that and from IndexedDB, with no network, and shows what it verified
 * before. A file that is there always wins over the remembered copy.
 */
import { parseJson } from '../../core/bytes/json.ts'
import type { ErrorCode, Verdict } from '../../core/errors.ts'
import { civicConfig, type ConfigState } from './config.svelte.ts'
import { CivicError, fail } from '../../core/errors.ts'
import type { JwsKeyResolver } from '../../core/jose/jws.ts'
import type { IssuerRecord, RegistryEntryView, StapledList, StatusListView, StatusVerdict, SyncProgressView, TrustSnapshot, VerifierRecord } from '../../trust/index.ts'

export type { CheckpointView, IssuerRecord, RegistryEntryView, StatusListView, StatusVerdict, SyncProgressView, TrustSnapshot } from '../../trust/index.ts'

/** The local, synchronous reads of the verified fold the wallet and the counter make (no network), and one status refresh. */
export interface TrustReads {
  credentialKeys(o: { now: number }): JwsKeyResolver
  issuerStanding(did: string, o: { now: number; vct?: string }): Verdict<IssuerRecord>
  status(uri: string, index: number, o: { now: number }): StatusVerdict
  statusLists(): StatusListView[]
  refreshStatus(uri: string, o?: { now?: number }): Promise<Verdict<StatusListView>>
  verifierRegistration(did: string, o: { now: number }): Verdict<VerifierRecord>
  /** What a wallet staples for `uri` (the held list with its proof), null when none is held. */
  staple(uri: string): StapledList | null
  /** A stapled list, proven with no network. */
  judgeStaple(staple: StapledList, uri: string, index: number, o: { now: number }): Promise<StatusVerdict>
}

/** What the app reads of a trust engine (src/trust's TrustEngine has all of it). */
export interface TrustEngineLike extends TrustReads {
  snapshot(): TrustSnapshot
  entries(): Promise<readonly RegistryEntryView[]>
  sync(o?: { onProgress?: (p: SyncProgressView) => void; now?: number }): Promise<Verdict<unknown>>
  verifyInclusion(index: number, entryBytes: Uint8Array): Promise<Verdict<{ index: number; size: number }>>
  exportEvidence(): string
  close(): void
}

/** Opens an engine from the trust part of civic-config.json (its `ledger` and `statusMirrors`); a bad one is a verdict. */
export type TrustOpener = (trustConfig: unknown) => Promise<Verdict<TrustEngineLike>>

/** What the trust state reads of the config state (the file's status and value). */
export type ConfigSource = Pick<ConfigState, 'status' | 'value' | 'detail' | 'load'>

export type TrustStatus = 'idle' | 'opening' | 'ready' | 'missing' | 'invalid' | 'unreachable' | 'failed'

export interface TrustProblem {
  code: ErrorCode | null
  detail: string
}

export const TRUST_CONFIG_STORAGE_KEY = 'civic-wallet.trust-config'

function defaultStorage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage
  } catch {
    return undefined
  }
}

export class TrustState {
  readonly #config: ConfigSource
  readonly #open: TrustOpener
  readonly #storage: Storage | undefined
  #engine: TrustEngineLike | null = null
  #opening: Promise<void> | null = null
  #syncing: Promise<void> | null = null

  #status = $state<TrustStatus>('idle')
  #problem = $state.raw<TrustProblem | null>(null)
  #snapshot = $state.raw<TrustSnapshot | null>(null)
  #entries = $state.raw<readonly RegistryEntryView[]>([])
  #entriesRead: Promise<void> = Promise.resolve()
  #progress = $state.raw<Partial<Record<'registry' | 'status', SyncProgressView>>>({})
  #busy = $state(false)
  #syncProblem = $state.raw<TrustProblem | null>(null)
  #syncedOnce = $state(false)
  #quorum = $state<number | null>(null)
  #fromMemory = $state(false)

  constructor(o: { config: ConfigSource; open: TrustOpener; storage?: Storage }) {
    this.#config = o.config
    this.#open = o.open
    this.#storage = o.storage ?? defaultStorage()
  }

  get status(): TrustStatus {
    return this.#status
  }
  /** Why the engine is not ready (missing, invalid, unreachable, failed). */
  get problem(): TrustProblem | null {
    return this.#problem
  }
  get snapshot(): TrustSnapshot | null {
    return this.#snapshot
  }
  /** The registry log's entries, in order (read after the snapshot: empty until they are). */
  get entries(): readonly RegistryEntryView[] {
    return this.#entries
  }
  /** The latest progress of each log while a sync runs (empty otherwise). */
  get progress(): Partial<Record<'registry' | 'status', SyncProgressView>> {
    return this.#progress
  }
  get syncing(): boolean {
    return this.#busy
  }
  /** Why the last sync failed, or null. */
  get syncProblem(): TrustProblem | null {
    return this.#syncProblem
  }
  /** A sync has succeeded since the engine opened. */
  get synced(): boolean {
    return this.#syncedOnce
  }
  /** The witness quorum of the configuration. */
  get quorum(): number | null {
    return this.#quorum
  }
  /** Opened from the remembered configuration (the file could not be read). */
  get fromMemory(): boolean {
    return this.#fromMemory
  }

  /** Open the engine once (config, then IndexedDB); then sync in the background. */
  open(): Promise<void> {
    if (this.#opening && this.#status !== 'unreachable' && this.#status !== 'failed') return this.#opening
    this.#opening = this.#doOpen()
    return this.#opening
  }

  async #doOpen(): Promise<void> {
    this.#status = 'opening'
    await this.#config.load({ reload: this.#config.status === 'unreachable' })
    let source: unknown = null
    const cs = this.#config.status
    if (cs === 'ready') {
      source = trustPart(this.#config.value)
      this.#remember(source)
      this.#fromMemory = false
    } else {
      source = this.#recalled()
      this.#fromMemory = source !== null
      if (source === null) {
        this.#problem = { code: null, detail: this.#config.detail }
        this.#status = cs === 'missing' ? 'missing' : cs === 'invalid' ? 'invalid' : 'unreachable'
        return
      }
    }
    this.#quorum = quorumOf(source)
    this.#engine?.close()
    this.#engine = null
    let opened: Verdict<TrustEngineLike>
    try {
      opened = await this.#open(source)
    } catch (e) {
      opened = { ok: false, code: 'ERR_LOG_STATE_INVALID', detail: e instanceof Error ? e.message : String(e) }
    }
    if (!opened.ok) {
      this.#problem = { code: opened.code, detail: opened.detail }
      this.#status = opened.code === 'ERR_TRUST_CONFIG' ? 'invalid' : 'failed'
      return
    }
    this.#engine = opened.value
    this.#problem = null
    this.#refresh()
    this.#status = 'ready'
    void this.sync()
  }

  /** Sync both logs (one at a time); progress shows while it runs. A failure keeps what was verified. */
  sync(): Promise<void> {
    if (this.#syncing) return this.#syncing
    const engine = this.#engine
    if (!engine) return Promise.resolve()
    this.#syncing = (async () => {
      this.#busy = true
      this.#progress = {}
      try {
        let r: Verdict<unknown>
        try {
          r = await engine.sync({ onProgress: (p) => (this.#progress = { ...this.#progress, [p.log]: p }) })
        } catch (e) {
          r = { ok: false, code: 'ERR_LOG_FETCH_FAILED', detail: e instanceof Error ? e.message : String(e) }
        }
        if (engine !== this.#engine) return
        this.#syncProblem = r.ok ? null : { code: r.code, detail: r.detail }
        if (r.ok) this.#syncedOnce = true
        this.#refresh()
      } finally {
        this.#busy = false
        this.#progress = {}
        this.#syncing = null
      }
    })()
    return this.#syncing
  }

  /** Is `bytes` the registry entry at `index` under the trusted checkpoint? Offline. */
  async verifyInclusion(index: number, bytes: Uint8Array): Promise<Verdict<{ index: number; size: number }>> {
    if (!this.#engine) return { ok: false, code: 'ERR_PROOF_OUT_OF_RANGE', detail: 'no trusted registry checkpoint yet' }
    return this.#engine.verifyInclusion(index, bytes)
  }

  /** The engine's local reads, once it is open (null before). Changes after a sync show in `snapshot`. */
  get reads(): TrustReads | null {
    void this.#snapshot
    return this.#engine
  }

  /** The evidence file (`civic log verify --evidence` checks it). */
  exportEvidence(): string {
    return this.#engine?.exportEvidence() ?? ''
  }

  close(): void {
    this.#engine?.close()
    this.#engine = null
    this.#status = 'idle'
    this.#opening = null
  }

  #refresh(): void {
    const e = this.#engine
    if (!e) return
    this.#snapshot = e.snapshot()
    this.#entriesRead = e.entries().then(
      (entries) => {
        if (this.#engine === e) this.#entries = entries
      },
      () => {
        // The store could not give them: the charts keep what they had; a check says why.
      },
    )
  }

  /** Settles once the entries of the latest snapshot are read (or could not be). */
  entriesRead(): Promise<void> {
    return this.#entriesRead
  }

  #remember(source: unknown): void {
    try {
      this.#storage?.setItem(TRUST_CONFIG_STORAGE_KEY, JSON.stringify(source))
    } catch {
      // Storage refused: offline opening then needs the file.
    }
  }

  #recalled(): unknown {
    try {
      const text = this.#storage?.getItem(TRUST_CONFIG_STORAGE_KEY)
      return text ? parseJson(text, { maxLength: 256 * 1024, maxDepth: 16 }, TRUST_CONFIG_STORAGE_KEY) : null
    } catch {
      return null
    }
  }
}

/** The members of civic-config.json the trust engine reads (parseTrustConfig checks them strictly). */
export function trustPart(config: unknown): unknown {
  if (typeof config !== 'object' || config === null) return null
  const c = config as Record<string, unknown>
  return { ledger: c.ledger, statusMirrors: c.statusMirrors ?? {} }
}

function quorumOf(source: unknown): number | null {
  const l = (source as { ledger?: { quorum?: unknown } } | null)?.ledger
  return typeof l?.quorum === 'number' ? l.quorum : null
}

/**
 * The trust engine over this device's IndexedDB, from the configuration read strictly
 * (parseTrustConfig). The engine (src/trust: the light client, the registry fold, the status
 * checks) is its own chunk, loaded here: a screen draws before it arrives.
 */
export async function openTrustEngine(source: unknown): Promise<Verdict<TrustEngineLike>> {
  const { parseTrustConfig, TrustEngine } = await import('../../trust/index.ts')
  const config = parseTrustConfig(source)
  if (!config.ok) return config
  try {
    return { ok: true, value: await TrustEngine.open(config.value) }
  } catch (e) {
    if (e instanceof CivicError) return fail(e.code, e.detail)
    throw e
  }
}

/** The app's one trust engine. */
export const trust = new TrustState({ config: civicConfig, open: openTrustEngine })
