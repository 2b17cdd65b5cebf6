/**
 * The one storage interface of the ledger server (C2SP tlog-tiles objects plus the signed
 * checkpoint), implemented by the fs backend (embedded default) and the PostgreSQL backend
 * (scale-out). One contract test suite (test/ledger/storage.contract.ts) runs against each.
 *
 * Contract:
 * - Objects are named by their tlog-tiles path: `tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`.
 *   A full tile or bundle never changes once published. A partial one is superseded by a
 *   wider partial or the full one, under a new path, never rewritten in place with other bytes
 *   while a published checkpoint covers it.
 * - `publish` is the only write. When it resolves, every object of the batch AND the checkpoint
 *   are durable (fsync / COMMIT). Order: objects first, checkpoint last, so a crash at any moment
 *   leaves either the previous checkpoint (perhaps with extra objects beyond it, which the next
 *   publish may overwrite) or the new checkpoint with every object it commits to. It never
 *   leaves a checkpoint that commits to data that is not stored.
 * - Reads return null for a missing object; they never throw for "not found".
 * - Failures throw CivicError ERR_LEDGER_STORAGE (with the cause). The caller does not retry a
 *   failed publish blindly: it treats the log as in an unknown state and reloads from storage.
 * - At most one sequencer per log: `acquireSequencerLock` rejects with ERR_LEDGER_LOCKED while
 *   another live sequencer holds it; the lock dies with its holder (process or connection).
 *   Read-only servers never take it.
 */

export interface StoredObject {
  path: string
  bytes: Uint8Array
}

export interface PublishBatch {
  objects: StoredObject[]
  /** The signed (and cosigned) checkpoint note, as served at /checkpoint. */
  checkpoint: Uint8Array
}

export interface LogStorage {
  readonly kind: 'fs' | 'postgres'
  acquireSequencerLock(): Promise<void>
  getCheckpoint(): Promise<Uint8Array | null>
  getObject(path: string): Promise<Uint8Array | null>
  publish(batch: PublishBatch): Promise<void>
  /** Releases the lock (if held) and every resource. Idempotent. */
  close(): Promise<void>
}
