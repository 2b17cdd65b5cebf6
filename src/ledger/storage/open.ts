/**
 * Opening the ledger's storage.
 *
 * `openStorage({ dataDir })` is the embedded default (fs, under `<dataDir>/log/`);
 * `openStorage({ dataDir, postgresUrl })` is the scale-out backend (PostgreSQL). Each backend
 * is loaded only when chosen, so an fs deployment never loads `pg`. The backends import only
 * types.ts (the interface and the checks they share), never this file: no import cycle.
 */
import type { LogStorage } from './types.ts'

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
