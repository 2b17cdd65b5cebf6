/**
 * The one storage interface of each of the ledger server's logs (C2SP tlog-tiles objects plus signed
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
 *      served at /<log>/checkpoint. Entries are acknowledged only after this resolves.
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
 *
 * Argument checks every backend shares (programmer errors, house convention: TypeError, never a code):
 * - An object path must be a canonical tlog-tiles path (`parseTilePath` accepts it). The HTTP
 *   layer parses request paths at the edge (→ 400 ERR_LOG_TILE_PATH_INVALID), so a bad path
 *   reaching storage is a bug in our code, not a client condition. For the fs backend this
 *   check is also the path-traversal guard (`..`, absolute paths, `checkpoint`,
 *   `sequencer.lock`, temp-file names all fail it).
 * - A batch holds each path at most once, bytes are Uint8Array, a checkpoint note is non-empty.
 */
import { CivicError } from '../../core/errors.ts'
import { parseTilePath } from '../../core/log/tiles.ts'

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
  /** The published (cosigned) checkpoint note, as served at /<log>/checkpoint, or null. */
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

/** Throws TypeError unless `path` is a canonical tile or entry-bundle path. */
export function assertObjectPath(path: unknown): asserts path is string {
  if (typeof path !== 'string') throw new TypeError('path must be a string')
  try {
    parseTilePath(path)
  } catch (e) {
    throw new TypeError(`path ${JSON.stringify(path.slice(0, 80))} is not a tlog-tiles path`, { cause: e })
  }
}

/** Throws TypeError unless `note` is a non-empty Uint8Array (its content is not interpreted). */
export function assertNote(note: unknown, name: string): asserts note is Uint8Array {
  if (!(note instanceof Uint8Array) || note.length === 0) throw new TypeError(`${name} must be a non-empty Uint8Array`)
}

/** Throws TypeError for a batch that is not well-formed (see the file comment). */
export function assertBatch(batch: StageBatch): void {
  if (!batch || !Array.isArray(batch.objects)) throw new TypeError('batch.objects must be an array')
  assertNote(batch.checkpoint, 'batch.checkpoint')
  const seen = new Set<string>()
  for (const o of batch.objects) {
    assertObjectPath(o?.path)
    if (!(o.bytes instanceof Uint8Array)) throw new TypeError(`batch object ${o.path}: bytes must be a Uint8Array`)
    if (seen.has(o.path)) throw new TypeError(`batch holds ${o.path} twice`)
    seen.add(o.path)
  }
}

/** An environment failure of a backend, wrapped with what we were doing (Go's `%w`). */
export function storageError(what: string, cause: unknown): CivicError {
  const why = cause instanceof Error ? cause.message : String(cause)
  return new CivicError('ERR_LEDGER_STORAGE', `${what}: ${why}`, { cause })
}

/** Use after close(): the server is shutting down (503 at the HTTP layer). */
export function closedError(kind: string): CivicError {
  return new CivicError('ERR_LEDGER_UNAVAILABLE', `${kind} storage is closed`)
}
