/**
 * Opening the ledger's storage, and the argument checks every backend shares.
 *
 * `openStorage({ dataDir })` is the embedded default (fs, under `<dataDir>/log/`);
 * `openStorage({ dataDir, postgresUrl })` is the scale-out backend (PostgreSQL). Each backend
 * is loaded only when chosen, so an fs deployment never loads `pg`.
 *
 * Argument checks (programmer errors, house convention: TypeError, never a code):
 * - An object path must be a canonical tlog-tiles path (`parseTilePath` accepts it). The HTTP
 *   layer parses request paths at the edge (→ 400 ERR_LOG_TILE_PATH_INVALID), so a bad path
 *   reaching storage is a bug in our code, not a client condition. For the fs backend this
 *   check is also the path-traversal guard (`..`, absolute paths, `checkpoint`,
 *   `sequencer.lock`, temp-file names all fail it).
 * - A batch holds each path at most once, bytes are Uint8Array, a checkpoint note is non-empty.
 */
import { CivicError } from '../../core/errors.ts'
import { parseTilePath } from '../../core/log/tiles.ts'
import type { LogStorage, StageBatch } from './types.ts'

export interface OpenStorageOptions {
  /** The ledger's data directory; it must exist. The fs backend keeps the log in `<dataDir>/log/`. */
  dataDir: string
  /** `postgres://…` or `postgresql://…`: use the PostgreSQL backend instead of fs. */
  postgresUrl?: string
}

/** Throws CivicError ERR_LEDGER_CONFIG (bad directory or URL) or ERR_LEDGER_STORAGE (cannot connect / create tables). */
export async function openStorage(opts: OpenStorageOptions): Promise<LogStorage> {
  if (opts.postgresUrl !== undefined) {
    const { openPostgresStorage } = await import('./postgres.ts')
    return openPostgresStorage({ url: opts.postgresUrl })
  }
  const { openFsStorage } = await import('./fs.ts')
  return openFsStorage({ dataDir: opts.dataDir })
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
