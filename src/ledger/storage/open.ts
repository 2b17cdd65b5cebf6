/**
 * Opening the storage of one of the ledger's two logs.
 *
 * `openStorage({ dataDir, log })` is the embedded default (fs, under `<dataDir>/<log>/`);
 * `openStorage({ dataDir, log, postgresUrl })` is the scale-out backend (PostgreSQL: both logs
 * in one database, each in its own tables). Each backend is loaded only when chosen, so an fs
 * deployment never loads `pg`. The backends import only types.ts (the interface and the checks
 * they share), never this file: no import cycle.
 */
import type { LogStorage } from './types.ts'

export interface OpenStorageOptions {
  /** The ledger's data directory; it must exist. The fs backend keeps each log in `<dataDir>/<log>/`. */
  dataDir: string
  /** Which of the ledger's logs. */
  log: 'registry' | 'status'
  /** `postgres://…` or `postgresql://…`: use the PostgreSQL backend instead of fs. */
  postgresUrl?: string
}

/** Throws CivicError ERR_LEDGER_CONFIG (bad directory or URL, a single-log database) or ERR_LEDGER_STORAGE (cannot connect / create tables). */
export async function openStorage(opts: OpenStorageOptions): Promise<LogStorage> {
  if (opts.postgresUrl !== undefined) {
    const { openPostgresStorage } = await import('./postgres.ts')
    return openPostgresStorage({ url: opts.postgresUrl, log: opts.log })
  }
  const { openFsStorage } = await import('./fs.ts')
  return openFsStorage({ dataDir: opts.dataDir, log: opts.log })
}
