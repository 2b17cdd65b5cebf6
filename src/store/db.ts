/**
 * Opening a device database (design §8.6): numbered migrations, and the ways IndexedDB fails
 * turned into the catalogue's codes.
 *
 * - A database is opened at the version its migrations reach; each migration runs once, in
 *   order, inside the upgrade transaction (which IndexedDB makes all-or-nothing).
 * - `blocked`: another tab still holds an older version open. It is asked to close (its
 *   `blocking` handler below closes it); if the open is not through within BLOCKED_MS, the
 *   open fails with ERR_STORE_UNAVAILABLE instead of hanging.
 * - `versionchange` (`blocking`): a newer version wants in; this connection closes at once
 *   (IndexedDB lets the transactions already running finish first, so nothing written is cut
 *   short), every later use fails with ERR_STORE_UNAVAILABLE, so the newer app can migrate, and
 *   `onClosed` tells the screen to ask for a reload.
 * - A database of a newer version than the migrations (the app was downgraded) is refused.
 * - QuotaExceededError → ERR_STORE_QUOTA: the transaction wrote nothing; the caller says so.
 * Persistence is asked for once (`navigator.storage.persist()`), without waiting on it inside
 * anything: a browser may still evict the origin's data; the engine can always sync again.
 */
import { openDB, type IDBPDatabase, type IDBPTransaction } from 'idb'
import { CivicError } from '../core/errors.ts'

export type Migration = (db: IDBPDatabase<unknown>, tx: IDBPTransaction<unknown, string[], 'versionchange'>) => void

const BLOCKED_MS = 5000

export interface Database {
  readonly db: IDBPDatabase<unknown>
  /** False once closed, by us or for a newer version. */
  readonly open: boolean
  /** This open created the database (there was none by this name on the device). */
  readonly created: boolean
  close(): void
}

/** IndexedDB failures → the catalogue; our own coded errors pass as they are. */
export function storeError(e: unknown, what: string): CivicError {
  if (e instanceof CivicError) return e
  const name = e instanceof Error || (typeof e === 'object' && e !== null && 'name' in e) ? String((e as { name: unknown }).name) : ''
  const message = e instanceof Error ? e.message : String(e)
  if (name === 'QuotaExceededError') return new CivicError('ERR_STORE_QUOTA', `${what}: ${message}`, { cause: e })
  return new CivicError('ERR_STORE_UNAVAILABLE', `${what}: ${name ? `${name}: ` : ''}${message}`, { cause: e })
}

export interface OpenOptions {
  blockedMs?: number
  /** Told once when the connection closes without our asking: a newer version wants in, or the browser ended it. */
  onClosed?: (why: 'versionchange' | 'terminated') => void
}

export async function openDatabase(name: string, migrations: readonly Migration[], o: OpenOptions = {}): Promise<Database> {
  const factory = (globalThis as { indexedDB?: unknown }).indexedDB
  if (!factory) throw new CivicError('ERR_STORE_UNAVAILABLE', 'this environment has no IndexedDB')
  const version = migrations.length
  let state = { open: true }
  let created = false
  let timer: ReturnType<typeof setTimeout> | undefined
  let giveUp: ((e: CivicError) => void) | undefined
  const blockedTimeout = new Promise<never>((_, reject) => {
    giveUp = reject
  })
  const opening = openDB(name, version, {
    upgrade(db, oldVersion, _newVersion, tx) {
      created = oldVersion === 0
      for (let v = oldVersion; v < version; v++) migrations[v]!(db, tx as unknown as IDBPTransaction<unknown, string[], 'versionchange'>)
    },
    blocked() {
      timer ??= setTimeout(() => giveUp?.(new CivicError('ERR_STORE_UNAVAILABLE', `${name}: another tab keeps an older version open`)), o.blockedMs ?? BLOCKED_MS)
    },
    blocking() {
      const wasOpen = state.open
      state.open = false
      db?.close()
      if (wasOpen) o.onClosed?.('versionchange')
    },
    terminated() {
      const wasOpen = state.open
      state.open = false
      if (wasOpen) o.onClosed?.('terminated')
    },
  })
  let db: IDBPDatabase<unknown> | undefined
  try {
    db = await Promise.race([opening, blockedTimeout])
  } catch (e) {
    // An open that gets through after we gave up must not keep a connection nobody closes.
    opening.then((late) => late.close(), () => {})
    if (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'VersionError') throw new CivicError('ERR_STORE_UNAVAILABLE', `${name}: a newer version of the app owns this database`, { cause: e })
    throw storeError(e, `opening ${name}`)
  } finally {
    if (timer) clearTimeout(timer)
  }
  askPersistence()
  const opened = db
  return {
    db: opened,
    get open() {
      return state.open
    },
    created,
    close() {
      state = { open: false }
      opened.close()
    },
  }
}

let asked = false
/** Ask once that the origin's storage not be evicted under pressure; the answer is not waited for. */
function askPersistence(): void {
  if (asked) return
  asked = true
  const storage = (globalThis as { navigator?: { storage?: { persist?: () => Promise<boolean> } } }).navigator?.storage
  storage?.persist?.().catch(() => false)
}
