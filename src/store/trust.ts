/**
 * The trust engine's records on the device (one IndexedDB database per ledger view):
 *
 * | store         | key                  | holds                                                          |
 * |---------------|----------------------|----------------------------------------------------------------|
 * | `state`       | 'ledger'             | which ledger this is (root + both logs' origins and keys)      |
 * |               | 'checkpoints'        | the trusted checkpoint note of each log, and when it was verified |
 * |               | 'registry'           | the registry fold (RegistryState) at the trusted registry size |
 * |               | 'edge'               | the registry tree's right edge (what the next sync extends)    |
 * |               | 'sync'               | when the last sync finished                                    |
 * | `bundles`     | bundle number        | the registry log's raw entries, 256 a record, with their views (read only when asked: loadBundles) |
 * | `history`     | auto                 | { at, registrySize, statusSize } after each sync that moved    |
 * | `evidence`    | auto                 | misbehaviour evidence (both signed notes + proof)              |
 * | `statusLists` | list URI             | the latest anchor (entry + tlog-proof) and its status list token |
 *
 * Durable-write order: one sync is ONE readwrite transaction over every store it touches
 * (checkpoints, fold, edge, new bundles, history, evidence), so a crash leaves either the old
 * view or the new one, never a fold that disagrees with its checkpoint. All verification is
 * done before the transaction opens; nothing but IndexedDB requests happens inside it.
 * Values are plain data made here (strings, numbers, Uint8Array), never UI proxies.
 */
import type { MisbehaviourEvidence, TrustedLogState } from '../core/log/light-client.ts'
import type { SyncEdge } from '../core/log/sync.ts'
import type { RegistryEntryType } from '../core/registry/entry.ts'
import type { RegistryState } from '../core/registry/state.ts'
import type { IDBPTransaction } from 'idb'
import { openDatabase, storeError, type Database, type Migration } from './db.ts'

export const TRUST_DB_NAME = 'civic-trust'

export type LogName = 'registry' | 'status'

export interface StoredCheckpoint extends TrustedLogState {
  /** Seconds: when this client last verified this checkpoint as the log's current one. */
  verifiedAt: number
  /** The configured witnesses whose cosignatures verified then, with their timestamps. */
  cosigners: { name: string; keyId: number; time: number }[]
  /** checkpointTime of that verification (null: quorum 0). */
  witnessedAt: number | null
}

export interface StoredEntryView {
  type: RegistryEntryType
  iss: string
  sub: string | null
  time: number
}

export interface StoredBundle {
  /** Bundle number: entries [256·n, 256·n + entries.length). */
  n: number
  entries: Uint8Array[]
  views: StoredEntryView[]
}

export interface StoredHistoryPoint {
  at: number
  registrySize: number
  statusSize: number
}

export interface StoredEvidence extends MisbehaviourEvidence {
  log: LogName
}

export interface StoredStatusList {
  uri: string
  /** Status log index of the anchor entry. */
  index: number
  /** The anchor entry's bytes. */
  entry: Uint8Array
  /** c2sp.org/tlog-proof of the entry against a status checkpoint the client verified. */
  proof: string
  /** The status list token, exactly as fetched (its SHA-256 is the anchor's digest). */
  token: Uint8Array
  version: number
  fetchedAt: number
}

export interface StoredTrust {
  ledger: string | null
  checkpoints: Partial<Record<LogName, StoredCheckpoint>>
  registry: RegistryState | null
  edge: SyncEdge | null
  lastSyncAt: number | null
  /** Keys of the stored bundles, ascending (their entries are read by loadBundles only). */
  bundleKeys: number[]
  history: StoredHistoryPoint[]
  evidence: StoredEvidence[]
  statusLists: StoredStatusList[]
}

export interface SyncWrite {
  checkpoints: Partial<Record<LogName, StoredCheckpoint>>
  registry?: RegistryState
  edge?: SyncEdge
  /** Bundles written whole (a partial last bundle is rewritten as it grows). */
  bundles: StoredBundle[]
  history?: StoredHistoryPoint
  evidence: StoredEvidence[]
  lastSyncAt: number
}

/** Evidence kept at most (oldest dropped first). */
export const MAX_STORED_EVIDENCE = 256
/** History points kept at most (oldest dropped first): years of syncs that moved a log. */
export const MAX_HISTORY = 4096

const STORES = ['state', 'bundles', 'history', 'evidence', 'statusLists'] as const

/** Numbered migrations: index v upgrades from version v to v + 1. Never edit one that shipped. */
const MIGRATIONS: readonly Migration[] = [
  (db) => {
    db.createObjectStore('state')
    db.createObjectStore('bundles', { keyPath: 'n' })
    db.createObjectStore('history', { autoIncrement: true })
    db.createObjectStore('evidence', { autoIncrement: true })
    db.createObjectStore('statusLists', { keyPath: 'uri' })
  },
]

/** A request's own promise; its failure surfaces through the transaction (tx.done), not here. */
function quiet(p: Promise<unknown>): void {
  p.catch(() => {})
}

export class TrustRepository {
  readonly #db: Database

  private constructor(db: Database) {
    this.#db = db
  }

  /** Opens (creating or migrating) the database. ERR_STORE_UNAVAILABLE. No network. */
  static async open(name = TRUST_DB_NAME): Promise<TrustRepository> {
    return new TrustRepository(await openDatabase(name, MIGRATIONS))
  }

  get open(): boolean {
    return this.#db.open
  }

  close(): void {
    this.#db.close()
  }

  #live(): Database['db'] {
    if (!this.#db.open) throw storeError(new Error('the database was closed (another tab upgraded it, or the engine was closed)'), 'trust store')
    return this.#db.db
  }

  /**
   * Everything but the bundles' entries (their keys only), in one read-only transaction: a
   * national registry's raw entries are megabytes that opening and reading the fold never need.
   */
  async load(): Promise<StoredTrust> {
    try {
      const tx = this.#live().transaction([...STORES], 'readonly')
      const state = tx.objectStore('state')
      const [ledger, checkpoints, registry, edge, sync, bundles, history, evidence, statusLists] = await Promise.all([
        state.get('ledger'), state.get('checkpoints'), state.get('registry'), state.get('edge'), state.get('sync'),
        tx.objectStore('bundles').getAllKeys(), tx.objectStore('history').getAll(), tx.objectStore('evidence').getAll(),
        tx.objectStore('statusLists').getAll(),
        tx.done,
      ])
      return {
        ledger: typeof ledger === 'string' ? ledger : null,
        checkpoints: (checkpoints ?? {}) as StoredTrust['checkpoints'],
        registry: (registry ?? null) as RegistryState | null,
        edge: (edge ?? null) as SyncEdge | null,
        lastSyncAt: typeof (sync as { lastSyncAt?: unknown } | undefined)?.lastSyncAt === 'number' ? (sync as { lastSyncAt: number }).lastSyncAt : null,
        bundleKeys: bundles as number[],
        history: history as StoredHistoryPoint[],
        evidence: evidence as StoredEvidence[],
        statusLists: statusLists as StoredStatusList[],
      }
    } catch (e) {
      throw storeError(e, 'reading the trust store')
    }
  }

  /** The stored bundles numbered `from` and up, ascending. */
  async loadBundles(from = 0): Promise<StoredBundle[]> {
    if (!Number.isSafeInteger(from) || from < 0) throw new TypeError('from must be a non-negative integer')
    try {
      return (await this.#live().getAll('bundles', IDBKeyRange.lowerBound(from))) as StoredBundle[]
    } catch (e) {
      throw storeError(e, 'reading the registry entries')
    }
  }

  /** Forget everything and name the ledger this store now belongs to. */
  async reset(ledger: string): Promise<void> {
    await this.#write([...STORES], (tx) => {
      for (const s of STORES) quiet(tx.objectStore(s).clear())
      quiet(tx.objectStore('state').put(ledger, 'ledger'))
    }, 'resetting the trust store')
  }

  /**
   * One sync's results, all or nothing. A log another tab moved further meanwhile keeps that
   * tab's view (checked inside the transaction): the stored view only moves forward.
   */
  async commitSync(w: SyncWrite): Promise<void> {
    await this.#write(['state', 'bundles', 'history', 'evidence'], async (tx) => {
      const state = tx.objectStore('state')
      const now = ((await state.get('checkpoints')) ?? {}) as SyncWrite['checkpoints']
      const checkpoints = { ...w.checkpoints }
      const behind = (log: LogName): boolean => (now[log]?.size ?? 0) > (w.checkpoints[log]?.size ?? 0)
      for (const log of ['registry', 'status'] as const) if (behind(log)) checkpoints[log] = now[log]!
      quiet(state.put(checkpoints, 'checkpoints'))
      const registry = !behind('registry')
      if (w.registry && registry) quiet(state.put(w.registry, 'registry'))
      if (w.edge && registry) quiet(state.put(w.edge, 'edge'))
      quiet(state.put({ lastSyncAt: w.lastSyncAt }, 'sync'))
      if (registry) for (const b of w.bundles) quiet(tx.objectStore('bundles').put(b))
      if (w.history) quiet(tx.objectStore('history').add(w.history))
      for (const e of w.evidence) quiet(tx.objectStore('evidence').add(e))
    }, 'saving a sync')
    if (w.evidence.length > 0) await this.#trimEvidence()
    if (w.history) await this.#trim('history', MAX_HISTORY)
  }

  /** A status list's latest anchor and token; the status checkpoint it was proven under, with it. */
  async putStatusList(rec: StoredStatusList, status: StoredCheckpoint, evidence: readonly StoredEvidence[] = []): Promise<void> {
    await this.#write(['state', 'statusLists', 'evidence'], async (tx) => {
      const state = tx.objectStore('state')
      const now = ((await state.get('checkpoints')) ?? {}) as SyncWrite['checkpoints']
      const held = ((await tx.objectStore('statusLists').get(rec.uri)) ?? null) as StoredStatusList | null
      // Never back: a newer list or status checkpoint another tab stored meanwhile stays.
      if (!held || held.version <= rec.version) quiet(tx.objectStore('statusLists').put(rec))
      if ((now.status?.size ?? -1) <= status.size) quiet(state.put({ ...now, status }, 'checkpoints'))
      for (const e of evidence) quiet(tx.objectStore('evidence').add(e))
    }, 'saving a status list')
  }

  /** Evidence seen outside a sync (a status proof that contradicts the trusted checkpoint). */
  async addEvidence(evidence: readonly StoredEvidence[]): Promise<void> {
    if (evidence.length === 0) return
    await this.#write(['evidence'], (tx) => {
      for (const e of evidence) quiet(tx.objectStore('evidence').add(e))
    }, 'saving evidence')
    await this.#trimEvidence()
  }

  #trimEvidence(): Promise<void> {
    return this.#trim('evidence', MAX_STORED_EVIDENCE)
  }

  async #trim(name: 'evidence' | 'history', max: number): Promise<void> {
    await this.#write([name], async (tx) => {
      const store = tx.objectStore(name)
      if ((await store.count()) <= max) return
      const keys = await store.getAllKeys()
      for (const k of keys.slice(0, Math.max(0, keys.length - max))) quiet(store.delete(k))
    }, `trimming ${name}`)
  }

  async #write(stores: string[], fill: (tx: IDBPTransaction<unknown, string[], 'readwrite'>) => void | Promise<void>, what: string): Promise<void> {
    try {
      const tx = this.#live().transaction(stores, 'readwrite', { durability: 'strict' })
      // Only IndexedDB requests inside: the caller did its verification before. A request that
      // cannot even be made (a value that does not clone) aborts the whole transaction, so the
      // requests already made are not committed without it.
      const done = tx.done
      try {
        await fill(tx)
      } catch (e) {
        tx.abort()
        await done.catch(() => {})
        throw e
      }
      await done
    } catch (e) {
      throw storeError(e, what)
    }
  }
}
