/**
 * The one storage interface of the ledger server (C2SP tlog-tiles objects plus signed
 * checkpoints), implemented by the fs backend (embedded default) and the PostgreSQL backend
 * (scale-out). One contract test suite (test/ledger/storage.contract.ts) runs against each.
 *
 * A batch is written in two durable steps, because witnesses must see a checkpoint before the
 * world does, and a witness that has cosigned a checkpoint must never be shown a different
 * tree of that size after a crash:
 *   1. `stage`: the batch's objects (tiles, entry bundles), then the log-signed checkpoint
 *      that commits to them, as the *staged* checkpoint. Objects first, staged note last.
 *   2. (the sequencer gathers witness cosignatures for the staged checkpoint)
 *   3. `publishCheckpoint`: the cosigned note replaces the *published* checkpoint, the one
 *      served at /checkpoint. Entries are acknowledged only after this resolves.
 * After a crash the sequencer reads both: a staged checkpoint larger than the published one
 * names a tree whose objects are all durable, and it is re-witnessed and published as is.
 *
 * Contract:
 * - Objects are named by their tlog-tiles path: `tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`.
 *   A full tile or bundle never changes once published. A partial one is superseded by a wider
 *   partial or the full one under a new path. Objects beyond the published checkpoint (staged,
 *   or left by a crash) may be overwritten by a later `stage`.
 * - When `stage` or `publishCheckpoint` resolves, what it wrote is durable (fsync / COMMIT).
 *   A crash at any moment leaves each checkpoint either old or new, and never a checkpoint
 *   (staged or published) that commits to objects that are not stored.
 * - Reads return null for a missing object or checkpoint; they never throw for "not found".
 * - Failures throw CivicError ERR_LEDGER_STORAGE (with the cause). The caller does not retry
 *   blindly: it treats the log as in an unknown state and reloads from storage.
 * - At most one sequencer per log: `acquireSequencerLock` rejects with ERR_LEDGER_LOCKED while
 *   another live sequencer holds it; the lock dies with its holder (process or connection).
 *   Read-only servers never take it.
 */

export interface StoredObject {
  path: string
  bytes: Uint8Array
}

export interface StageBatch {
  objects: StoredObject[]
  /** The log-signed checkpoint note that commits to the objects (no cosignatures yet). */
  checkpoint: Uint8Array
}

export interface LogStorage {
  readonly kind: 'fs' | 'postgres'
  acquireSequencerLock(): Promise<void>
  /** The published (cosigned) checkpoint note, as served at /checkpoint, or null. */
  getCheckpoint(): Promise<Uint8Array | null>
  /** The staged (log-signed) checkpoint note, or null. */
  getStagedCheckpoint(): Promise<Uint8Array | null>
  getObject(path: string): Promise<Uint8Array | null>
  /** Objects durable first, then the staged checkpoint. */
  stage(batch: StageBatch): Promise<void>
  /** The published checkpoint, replaced durably. */
  publishCheckpoint(note: Uint8Array): Promise<void>
  /** Releases the lock (if held) and every resource. Idempotent. */
  close(): Promise<void>
}
