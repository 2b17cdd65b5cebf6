/**
 * The trust engine every role reads (design §3 src/trust): a verified copy of the
 * ledger on the device, opened from IndexedDB with no network, moved forward by `sync` (in a
 * Web Worker in the browser) and read synchronously.
 *
 * Reads never touch the network: issuer keys, standing and verifier registrations come from
 * the local registry fold; a status comes from a status list fetched earlier by
 * `refreshStatus` (anchor + inclusion proof + token), judged again at every read against the
 * fold and the clock (status.ts). Syncs and status refreshes run one at a time, so the stored
 * checkpoints only move forward.
 */
import { CivicError, fail, InputError, ok, type ErrorCode, type Verdict } from '../core/errors.ts'
import type { PublicJwk } from '../core/crypto/jwk.ts'
import type { JwsKeyResolver } from '../core/jose/jws.ts'
import { sdJwtIssuerKeyResolver } from '../core/registry/resolvers.ts'
import { decodeBase64 } from '../core/log/_encoding.ts'
import { LightClient } from '../core/log/light-client.ts'
import { hashLeaf } from '../core/log/merkle.ts'
import { formatVerifierKey } from '../core/log/note.ts'
import {
  checkIssuer, checkVerifier, createRegistryState, entityRecord, registryClock,
  type IssuerRecord, type RegistryState, type VerifierRecord,
} from '../core/registry/state.ts'
import { TRUST_DB_NAME, TrustRepository, type StoredStatusList, type StoredTrust } from '../store/trust.ts'
import { ledgerIdentity, statusListUrl, type TrustConfig } from './config.ts'
import { defaultFetch, ledgerGetter, type FetchLike } from './fetch.ts'
import { checkEntryInclusion, LeafTree } from './inclusion.ts'
import { judgeStapled, judgeStatus, listView, liveList, proveAnchor, type LiveList, type StapledList } from './status.ts'
import { evidenceKey, runSync } from './sync.ts'
import type { RegistryEntryView, StatusListView, StatusVerdict, SyncProgressView, SyncReport, TrustSnapshot } from './types.ts'
import { entriesOf, restore, snapshotOf, stamped } from './view.ts'

export const EVIDENCE_FORMAT = 'civic-trust-evidence/v1'

export interface TrustEngineOptions {
  /** IndexedDB database name (default `civic-trust`). */
  dbName?: string
  /** For the network (default: the global fetch). A custom fetch keeps sync in this thread. */
  fetch?: typeof fetch
  /** Sync in a Web Worker (default: where Worker exists and no custom fetch is given). */
  worker?: boolean
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000)

function storeFailure(e: unknown): { ok: false; code: ErrorCode; detail: string } {
  if (e instanceof CivicError) return fail(e.code, e.detail)
  throw e
}

export class TrustEngine {
  readonly #config: TrustConfig
  readonly #repo: TrustRepository
  readonly #dbName: string
  readonly #fetch: FetchLike | undefined
  readonly #worker: boolean
  #stored!: StoredTrust
  #fold!: RegistryState
  #snapshot!: TrustSnapshot
  /** The registry entries of the trusted size, read from storage on first use. */
  #entries: Promise<readonly RegistryEntryView[]> | null = null
  #tree: LeafTree | null = null
  #lists = new Map<string, LiveList>()
  /** Syncs and refreshes, one after another. */
  #queue: Promise<unknown> = Promise.resolve()
  #closed = false

  private constructor(config: TrustConfig, repo: TrustRepository, o: TrustEngineOptions) {
    this.#config = config
    this.#repo = repo
    this.#dbName = o.dbName ?? TRUST_DB_NAME
    this.#fetch = o.fetch
    this.#worker = o.worker ?? (o.fetch === undefined && typeof Worker === 'function')
  }

  /**
   * Open from IndexedDB only (no network). A store of another ledger (root or log keys), or
   * one whose records disagree, is emptied and the engine starts as not ready. Throws
   * CivicError ERR_STORE_UNAVAILABLE / ERR_STORE_QUOTA when the device cannot keep it.
   */
  static async open(config: TrustConfig, o: TrustEngineOptions = {}): Promise<TrustEngine> {
    const repo = await TrustRepository.open(o.dbName ?? TRUST_DB_NAME)
    const engine = new TrustEngine(config, repo, o)
    try {
      await engine.#reload()
    } catch (e) {
      repo.close()
      throw e
    }
    return engine
  }

  async #reload(): Promise<void> {
    const identity = ledgerIdentity(this.#config)
    let s = await this.#repo.load()
    let fold: RegistryState
    try {
      if (s.ledger !== identity) throw new InputError('ERR_LOG_STATE_INVALID', 'another ledger')
      fold = restore(this.#config, s, false).fold
    } catch (e) {
      if (!(e instanceof InputError)) throw e
      await this.#repo.reset(identity)
      s = await this.#repo.load()
      fold = createRegistryState(this.#config.root)
    }
    const lists = new Map<string, LiveList>()
    for (const rec of s.statusLists) {
      const held = this.#lists.get(rec.uri)
      const live = held && sameList(held.rec, rec) ? held : await liveList(rec)
      if (live) lists.set(rec.uri, live)
    }
    // The same registry size is the same tree (the light client holds to one): entries and tree stay.
    const sameRegistry = (this.#stored as StoredTrust | undefined)?.checkpoints.registry?.size === s.checkpoints.registry?.size
    this.#stored = s
    this.#fold = fold
    this.#lists = lists
    this.#snapshot = snapshotOf(this.#config, s, fold)
    if (!sameRegistry) {
      this.#tree = null
      this.#entries = null
    }
  }

  #serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(job, job)
    this.#queue = run.catch(() => {})
    return run
  }

  #assertOpen(): void {
    if (this.#closed) throw new TypeError('the trust engine is closed')
  }

  /** The configuration it trusts. */
  get config(): TrustConfig {
    return this.#config
  }

  /** Synchronous; the same object until the next sync or refresh changes something. */
  snapshot(): TrustSnapshot {
    return this.#snapshot
  }

  /**
   * The registry log's entries at the trusted size, in order. Read from IndexedDB on the first
   * call after the size changed, not at open: only the explorer needs the raw entries, and at
   * national scale they are megabytes. Rejects with CivicError ERR_STORE_UNAVAILABLE, or
   * ERR_REG_STATE_INVALID when the store does not hold them all.
   */
  entries(): Promise<readonly RegistryEntryView[]> {
    this.#assertOpen()
    if (!this.#entries) {
      const size = this.#stored.checkpoints.registry?.size ?? 0
      const p = (size === 0 ? Promise.resolve([]) : this.#repo.loadBundles()).then((bundles) => {
        try {
          return entriesOf(bundles, size)
        } catch (e) {
          throw e instanceof InputError ? new CivicError(e.code, e.detail) : e
        }
      })
      this.#entries = p
      p.catch(() => {
        if (this.#entries === p) this.#entries = null
      })
    }
    return this.#entries
  }

  /** Held status lists (latest anchor each). */
  statusLists(): StatusListView[] {
    return [...this.#lists.values()].map(listView)
  }

  /**
   * Move both logs forward. Never throws on what the network says: a verdict, with evidence
   * of misbehaviour kept in the snapshot either way. `now` (seconds) defaults to the clock.
   */
  sync(o: { onProgress?: (p: SyncProgressView) => void; now?: number } = {}): Promise<Verdict<SyncReport>> {
    this.#assertOpen()
    const now = o.now ?? nowSeconds()
    registryClock({ now })
    return this.#serial(async () => {
      let v: Verdict<SyncReport>
      try {
        v = this.#worker
          ? await this.#syncInWorker(now, o.onProgress)
          : await runSync(this.#repo, this.#config, { fetch: this.#fetch ?? defaultFetch(), now, ...(o.onProgress ? { onProgress: o.onProgress } : {}) })
      } catch (e) {
        v = storeFailure(e)
      }
      try {
        // Stored records that do not hold are dropped; the next sync starts cold.
        if (!v.ok && (v.code === 'ERR_REG_STATE_INVALID' || v.code === 'ERR_LOG_STATE_INVALID') && v.detail.startsWith('the stored view')) {
          await this.#repo.reset(ledgerIdentity(this.#config))
        }
        await this.#reload()
      } catch (e) {
        return storeFailure(e)
      }
      return v
    })
  }

  #syncInWorker(now: number, onProgress?: (p: SyncProgressView) => void): Promise<Verdict<SyncReport>> {
    return new Promise((resolve) => {
      const w = new Worker(new URL('./sync.worker.ts', import.meta.url), { type: 'module' })
      const done = (v: Verdict<SyncReport>): void => {
        w.terminate()
        resolve(v)
      }
      w.onmessage = (ev: MessageEvent) => {
        const m = ev.data as { type: 'progress'; progress: SyncProgressView } | { type: 'done'; verdict: Verdict<SyncReport> }
        if (m.type === 'progress') onProgress?.(m.progress)
        else done(m.verdict)
      }
      w.onerror = (ev) => {
        ev.preventDefault()
        done(fail('ERR_LOG_FETCH_FAILED', `the sync worker failed: ${ev.message}`))
      }
      w.postMessage({ dbName: this.#dbName, source: this.#config.source, now })
    })
  }

  /**
   * Offline: whether `entryBytes` is entry `index` of the registry log under the trusted
   * registry checkpoint. Codes: ERR_PROOF_OUT_OF_RANGE, ERR_LOG_INCLUSION_INVALID.
   */
  async verifyInclusion(index: number, entryBytes: Uint8Array): Promise<Verdict<{ index: number; size: number }>> {
    const cp = this.#stored.checkpoints.registry
    if (!cp) return fail('ERR_PROOF_OUT_OF_RANGE', 'no registry checkpoint is trusted yet')
    let entries: readonly RegistryEntryView[]
    try {
      entries = await this.entries()
    } catch (e) {
      return storeFailure(e)
    }
    // The trusted view may have moved while the entries were read: build the tree it names.
    const now = this.#stored.checkpoints.registry!
    if (now.size !== entries.length) return this.verifyInclusion(index, entryBytes)
    this.#tree ??= new LeafTree(entries.map((e) => hashLeaf(e.bytes)))
    return checkEntryInclusion(this.#tree, decodeBase64(now.rootHash)!, now.size, index, entryBytes)
  }

  /** The evidence held, as the file `civic log verify --evidence <file>` checks. */
  exportEvidence(): string {
    const policies: Record<string, { logKeys: string[]; witnessKeys: string[]; quorum: number }> = {}
    for (const p of [this.#config.registry, this.#config.status]) {
      policies[p.origin] = { logKeys: p.logKeys.map(formatVerifierKey), witnessKeys: p.witnesses.map(formatVerifierKey), quorum: p.quorum }
    }
    const evidence = this.#stored.evidence.map((e) => {
      const { log: _log, ...item } = e
      return item
    })
    return JSON.stringify({ format: EVIDENCE_FORMAT, policies, evidence }, null, 2) + '\n'
  }

  /**
   * The public key `kid` (a fragment or the DID URL `<did>#<fragment>`) of an accredited issuer
   * or registered verifier, for something it signed at `at` (seconds): the key must be current
   * (a revoked key voids everything it signed, before or after), the entity not suspended and
   * `at` inside its validity. Codes: ERR_REG_UNKNOWN_ISSUER, ERR_REG_KEY_REVOKED,
   * ERR_JWS_KEY_UNKNOWN, ERR_REG_ISSUER_SUSPENDED / ERR_REG_VERIFIER_SUSPENDED, ERR_REG_EXPIRED.
   */
  issuerKey(did: string, kid: string, at: number): Verdict<PublicJwk> {
    const { now: t, skew } = registryClock({ now: at })
    const rec = entityRecord(this.#fold, did)
    if (!rec) return fail('ERR_REG_UNKNOWN_ISSUER', `${String(did).slice(0, 80)} is neither accredited nor registered`)
    const fragment = typeof kid === 'string' && kid.startsWith(`${did}#`) ? kid.slice(did.length + 1) : kid
    const key = rec.keys.find((k) => k.kid === fragment)
    if (!key) {
      if (rec.keyHistory.some((h) => h.kid === fragment && h.revokedAt !== null)) return fail('ERR_REG_KEY_REVOKED', `key ${String(fragment).slice(0, 64)} of ${did} is revoked`)
      return fail('ERR_JWS_KEY_UNKNOWN', `${did} holds no key ${String(fragment).slice(0, 64)}`)
    }
    if (rec.suspended) return fail(rec.role === 'issuer' ? 'ERR_REG_ISSUER_SUSPENDED' : 'ERR_REG_VERIFIER_SUSPENDED', `${did} is suspended since ${rec.suspended.at}`)
    if (t + skew < rec.validFrom || t - skew >= rec.validUntil) return fail('ERR_REG_EXPIRED', `${did} is not accredited at ${t}`)
    return ok({ ...key.jwk })
  }

  /**
   * The issuer keys for verifying a credential (verifySdJwt) under the local fold as it is now:
   * the `iss` accredited and not suspended at `now`, the `vct` among its allowed types, the
   * key current (core/registry/resolvers.ts says the codes). No network.
   */
  credentialKeys(o: { now: number }): JwsKeyResolver {
    return sdJwtIssuerKeyResolver(this.#fold, { now: o.now })
  }

  issuerStanding(did: string, o: { now: number; vct?: string }): Verdict<IssuerRecord> {
    return checkIssuer(this.#fold, did, o.vct === undefined ? { now: o.now } : { now: o.now, vct: o.vct })
  }

  verifierRegistration(did: string, o: { now: number }): Verdict<VerifierRecord> {
    return checkVerifier(this.#fold, did, { now: o.now })
  }

  /** Synchronous, local only (status.ts says when it is not unknown). */
  status(uri: string, index: number, o: { now: number }): StatusVerdict {
    const { now } = registryClock(o)
    return judgeStatus(this.#lists.get(uri), this.#fold, this.#snapshot.registry?.witnessedAt ?? null, uri, index, now)
  }

  /** What a wallet staples to an answer for `uri`: the held anchor, its proof and token (null when none is held). */
  staple(uri: string): StapledList | null {
    const rec = this.#stored.statusLists.find((x) => x.uri === uri)
    return rec ? { index: rec.index, entry: rec.entry, proof: rec.proof, token: rec.token } : null
  }

  /** The status of `index` on `uri` from a stapled list, proven with no network (status.ts `judgeStapled`). */
  judgeStaple(staple: StapledList, uri: string, index: number, o: { now: number }): Promise<StatusVerdict> {
    this.#assertOpen()
    registryClock({ now: o.now })
    return judgeStapled(staple, { config: this.#config, fold: this.#fold, registryAt: this.#snapshot.registry?.witnessedAt ?? null, uri, idx: index, now: o.now })
  }

  /**
   * Network: fetch the latest anchor of `uri` with its inclusion proof against the status log,
   * check it is consistent with the trusted status checkpoint, verify it against the fold, and
   * fetch (from its mirror) and verify the anchored token. Keeps the newest version held.
   */
  refreshStatus(uri: string, o: { now?: number } = {}): Promise<Verdict<StatusListView>> {
    this.#assertOpen()
    const now = o.now ?? nowSeconds()
    registryClock({ now })
    return this.#serial(async () => {
      const f = this.#fetch ?? defaultFetch()
      const counter = { requests: 0, bytes: 0 }
      const client = new LightClient([this.#config.registry, this.#config.status], restore(this.#config, this.#stored, false).client)
      const held: StoredStatusList | undefined = this.#stored.statusLists.find((x) => x.uri === uri)
      const r = await proveAnchor({
        config: this.#config, client, fold: this.#fold, uri, now, held,
        getStatus: ledgerGetter(f, `${this.#config.url}status/`, counter),
        getToken: (u) => ledgerGetter(f, '', counter)(statusListUrl(this.#config, u)),
      })
      const known = new Set(this.#stored.evidence.map(evidenceKey))
      const evidence = (r.ok ? r.value.evidence : r.evidence ?? []).map((e) => ({ ...e, log: 'status' as const })).filter((e) => !known.has(evidenceKey(e)))
      try {
        if (!r.ok) {
          await this.#repo.addEvidence(evidence)
          if (evidence.length) await this.#reload()
          return fail(r.code, r.detail)
        }
        const trusted = client.trusted(this.#config.status.origin)!
        await this.#repo.putStatusList(r.value.rec, stamped(this.#config, 'status', trusted, now), evidence)
        await this.#reload()
      } catch (e) {
        return storeFailure(e)
      }
      const live = this.#lists.get(uri)
      return live ? ok(listView(live)) : fail('ERR_STATUS_TOKEN_INVALID', `the token of ${uri.slice(0, 120)} does not decode`)
    })
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#repo.close()
  }
}

function sameList(a: StoredStatusList, b: StoredStatusList): boolean {
  return a.version === b.version && a.fetchedAt === b.fetchedAt && a.index === b.index && a.token.length === b.token.length
}
