/**
 * The wallet's records on the device (database `civic-wallet`):
 *
 * | store     | key               | holds                                                             |
 * |-----------|-------------------|-------------------------------------------------------------------|
 * | `meta`    | 'vault'           | the vault record (the data key wrapped; src/wallet/vault.ts)      |
 * |           | 'unlock'          | { failures, lastFailureAt }: the throttle survives a reload        |
 * |           | 'wallet'          | { id, createdAt }: which wallet this database holds                |
 * |           | 'settings'        | the citizen's settings (their own disclosure rules), sealed        |
 * | `keys`    | key id            | a holder key pair: non-extractable CryptoKeys, and the public JWK  |
 * | `copies`  | copy id           | one one-time copy of a credential: index `batch` (the issuance     |
 * |           |                   | it came in), its key id, used or not                               |
 * | `sealed`  | copy id           | (v3) the copy's body, sealed under the data key                    |
 * | `activity`| entry id          | one activity entry, sealed; index `batch` (v2): the batch whose   |
 * |           |                   | copy it used, so a batch's log goes when the batch goes            |
 *
 * Versions: v1 (the stores), v2 (the activity log's `batch` index: the log of a copy lives as
 * long as the copy; a v1 entry has no batch and so is in no batch's index: it stays until the
 * wallet goes, which is what v1 promised), v3 (a copy's sealed body in its own store, so that
 * listing the cards reads the copies' small records and opens one body a batch, not all ten:
 * the migration moves every body across inside the upgrade transaction).
 *
 * Nothing in a value is a claim in the clear or key material that can leave the browser:
 * credentials and activity are sealed before they get here (crypto before the transaction,
 * never inside it), private keys are CryptoKey objects IndexedDB keeps as they are.
 *
 * Durable-write order: a batch (its keys and its copies) is ONE readwrite transaction with
 * strict durability: after a crash either every copy of the batch and its keys is there, or
 * none. Creating the wallet writes the vault and the wallet record in one transaction too.
 *
 * A database can vanish (Chromium's default backend wipes an origin's IndexedDB after some
 * crashes: stack notes, part E). `open` says whether it just created the database; the caller
 * compares that with a marker it keeps outside IndexedDB to tell "new here" from "was here and
 * is gone".
 */
import type { IDBPTransaction } from 'idb'
import { openDatabase, storeError, type Database, type Migration, type OpenOptions } from './db.ts'

export const WALLET_DB_NAME = 'civic-wallet'

export interface StoredWallet {
  id: string
  createdAt: number
}

export interface StoredUnlock {
  failures: number
  lastFailureAt: number | null
}

export interface StoredKey {
  id: string
  privateKey: CryptoKey
  publicKey: CryptoKey
  /** The public half as a JWK (what the issuer's key proof carried). */
  publicJwk: Record<string, unknown>
}

export interface StoredSealed {
  iv: string
  ct: string
}

export interface StoredCopy {
  id: string
  batch: string
  keyId: string
  used: boolean
  sealed: StoredSealed
}

/** A copy as listed: everything but its sealed body. */
export type CopyState = Omit<StoredCopy, 'sealed'>

export interface StoredActivity {
  id: string
  /** The batch whose copy the entry used (from v2; absent in entries v1 wrote). */
  batch?: string
  sealed: StoredSealed
}

/** Numbered migrations: index v upgrades from version v to v + 1. Never edit one that shipped. */
const MIGRATIONS: readonly Migration[] = [
  (db) => {
    db.createObjectStore('meta')
    db.createObjectStore('keys', { keyPath: 'id' })
    db.createObjectStore('copies', { keyPath: 'id' }).createIndex('batch', 'batch')
    db.createObjectStore('activity', { keyPath: 'id' })
  },
  (_db, tx) => {
    tx.objectStore('activity').createIndex('batch', 'batch')
  },
  (db, tx) => {
    db.createObjectStore('sealed', { keyPath: 'id' })
    const copies = tx.objectStore('copies')
    const bodies = tx.objectStore('sealed')
    // Requests chain inside the upgrade transaction; one that fails aborts it, and with it the upgrade.
    const move = async (): Promise<void> => {
      for (let cursor = await copies.openCursor(); cursor; cursor = await cursor.continue()) {
        const { sealed, ...state } = cursor.value as StoredCopy
        await bodies.put({ id: state.id, sealed })
        await cursor.update(state)
      }
    }
    move().catch(() => tx.abort())
  },
]

/** The schema's migrations (their count is the database version). */
export const WALLET_MIGRATIONS: readonly Migration[] = MIGRATIONS

function quiet(p: Promise<unknown>): void {
  p.catch(() => {})
}

type WriteTx = IDBPTransaction<unknown, string[], 'readwrite'>
type ReadTx = IDBPTransaction<unknown, string[], 'readonly'>

/** The wallet's record, its vault and a fresh unlock count; refused where a wallet already is. */
async function putNewWallet(tx: WriteTx, wallet: StoredWallet, vault: unknown): Promise<void> {
  const meta = tx.objectStore('meta')
  if ((await meta.get('wallet')) !== undefined) throw new TypeError('a wallet already exists in this database')
  quiet(meta.put(wallet, 'wallet'))
  quiet(meta.put(vault, 'vault'))
  quiet(meta.put({ failures: 0, lastFailureAt: null } satisfies StoredUnlock, 'unlock'))
}

/** Each copy's record and, apart, its sealed body (v3). */
function addCopies(tx: WriteTx, copies: readonly StoredCopy[]): void {
  for (const { sealed, ...state } of copies) {
    quiet(tx.objectStore('copies').add(state))
    quiet(tx.objectStore('sealed').add({ id: state.id, sealed }))
  }
}

/** Every copy joined with its sealed body, read in `tx`. */
async function joinedCopies(tx: ReadTx): Promise<StoredCopy[]> {
  const [states, bodies] = await Promise.all([
    tx.objectStore('copies').getAll() as Promise<CopyState[]>, tx.objectStore('sealed').getAll() as Promise<{ id: string; sealed: StoredSealed }[]>,
  ])
  const byId = new Map(bodies.map((b) => [b.id, b.sealed]))
  return states.map((c) => ({ ...c, sealed: byId.get(c.id)! }))
}

export class WalletRepository {
  readonly #db: Database

  private constructor(db: Database) {
    this.#db = db
  }

  /** Opens (creating or migrating) the database. ERR_STORE_UNAVAILABLE. */
  static async open(name = WALLET_DB_NAME, o: Pick<OpenOptions, 'onClosed'> = {}): Promise<WalletRepository> {
    return new WalletRepository(await openDatabase(name, MIGRATIONS, o))
  }

  /** This open created the database: nothing was here by this name. */
  get created(): boolean {
    return this.#db.created
  }

  close(): void {
    this.#db.close()
  }

  #live(): Database['db'] {
    if (!this.#db.open) throw storeError(new Error('the database was closed (another tab upgraded it, or the wallet was closed)'), 'wallet store')
    return this.#db.db
  }

  async #read<T>(what: string, run: (db: Database['db']) => Promise<T>): Promise<T> {
    try {
      return await run(this.#live())
    } catch (e) {
      throw storeError(e, what)
    }
  }

  async #write(stores: string[], fill: (tx: WriteTx) => void | Promise<void>, what: string): Promise<void> {
    try {
      const tx = this.#live().transaction(stores, 'readwrite', { durability: 'strict' })
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
      if (e instanceof TypeError) throw e // our caller's mistake, not the device's
      throw storeError(e, what)
    }
  }

  /** The wallet and its vault record, or null for an empty database. */
  async load(): Promise<{ wallet: StoredWallet; vault: unknown; unlock: StoredUnlock } | null> {
    return this.#read('reading the wallet', async (db) => {
      const tx = db.transaction('meta', 'readonly')
      const [wallet, vault, unlock] = await Promise.all([tx.store.get('wallet'), tx.store.get('vault'), tx.store.get('unlock'), tx.done])
      if (wallet === undefined) return null
      return { wallet: wallet as StoredWallet, vault, unlock: (unlock as StoredUnlock | undefined) ?? { failures: 0, lastFailureAt: null } }
    })
  }

  /** Creates the wallet: its record and its vault together. Refused if one is already here. */
  async create(wallet: StoredWallet, vault: unknown): Promise<void> {
    await this.#write(['meta'], (tx) => putNewWallet(tx, wallet, vault), 'creating the wallet')
  }

  /**
   * Creates the wallet from a backup: its record, its vault, the copies (whose keys did not
   * come with them) and the activity log, in one transaction — a restore that stops half-way
   * leaves nothing. Refused if a wallet is already here.
   */
  async restore(wallet: StoredWallet, vault: unknown, copies: readonly StoredCopy[], activity: readonly StoredActivity[], settings: StoredSealed | null = null): Promise<void> {
    await this.#write(['meta', 'copies', 'sealed', 'activity'], async (tx) => {
      await putNewWallet(tx, wallet, vault)
      if (settings) quiet(tx.objectStore('meta').put({ iv: settings.iv, ct: settings.ct }, 'settings'))
      addCopies(tx, copies)
      for (const a of activity) quiet(tx.objectStore('activity').add(a))
    }, 'restoring the wallet')
  }

  /** The sealed settings, or null before any were saved. */
  async settings(): Promise<StoredSealed | null> {
    return this.#read('reading the settings', async (db) => ((await db.get('meta', 'settings')) as StoredSealed | undefined) ?? null)
  }

  async putSettings(sealed: StoredSealed): Promise<void> {
    await this.#write(['meta'], (tx) => quiet(tx.objectStore('meta').put({ iv: sealed.iv, ct: sealed.ct }, 'settings')), 'saving the settings')
  }

  /** Replaces the vault record (a passkey added or removed). */
  async putVault(vault: unknown): Promise<void> {
    await this.#write(['meta'], (tx) => quiet(tx.objectStore('meta').put(vault, 'vault')), 'saving the vault')
  }

  async putUnlock(u: StoredUnlock): Promise<void> {
    await this.#write(['meta'], (tx) => quiet(tx.objectStore('meta').put({ failures: u.failures, lastFailureAt: u.lastFailureAt }, 'unlock')), 'saving the unlock state')
  }

  /** A batch of one-time copies with their holder keys: all of them, or none. */
  async putBatch(keys: readonly StoredKey[], copies: readonly StoredCopy[]): Promise<void> {
    const ids = new Set(keys.map((k) => k.id))
    for (const c of copies) if (!ids.has(c.keyId)) throw new TypeError(`copy ${c.id} names key ${c.keyId}, not one of the batch's`)
    await this.#write(['keys', 'copies', 'sealed'], (tx) => {
      for (const k of keys) quiet(tx.objectStore('keys').add(k))
      addCopies(tx, copies)
    }, 'saving a batch of credentials')
  }

  /** Every copy's record, without its body (what listing needs); of one batch when given. */
  async copyStates(batch?: string): Promise<CopyState[]> {
    return this.#read('reading the credentials', (db) => (batch === undefined ? db.getAll('copies') : db.getAllFromIndex('copies', 'batch', batch)) as Promise<CopyState[]>)
  }

  /** One copy's record, or null. */
  async copyState(id: string): Promise<CopyState | null> {
    return this.#read('reading a credential', async (db) => ((await db.get('copies', id)) as CopyState | undefined) ?? null)
  }

  /** The sealed bodies of the copies `ids`, by id (a copy with none is left out). */
  async sealedOf(ids: readonly string[]): Promise<Map<string, StoredSealed>> {
    return this.#read('reading credentials', async (db) => {
      const tx = db.transaction('sealed', 'readonly')
      const got = await Promise.all(ids.map((id) => tx.store.get(id) as Promise<{ id: string; sealed: StoredSealed } | undefined>))
      await tx.done
      return new Map(got.filter((g) => g !== undefined).map((g) => [g.id, g.sealed]))
    })
  }

  /** Every copy with its sealed body. */
  async copies(): Promise<StoredCopy[]> {
    return this.#read('reading the credentials', async (db) => {
      const tx = db.transaction(['copies', 'sealed'], 'readonly')
      const [copies] = await Promise.all([joinedCopies(tx), tx.done])
      return copies
    })
  }

  async key(id: string): Promise<StoredKey | null> {
    return this.#read('reading a holder key', async (db) => ((await db.get('keys', id)) as StoredKey | undefined) ?? null)
  }

  async keyIds(): Promise<string[]> {
    return this.#read('reading the holder keys', (db) => db.getAllKeys('keys') as Promise<string[]>)
  }

  /** Removes a batch: its copies, their keys and its activity entries, together. */
  async deleteBatch(batch: string): Promise<void> {
    await this.#write(['keys', 'copies', 'sealed', 'activity'], async (tx) => {
      const copies = (await tx.objectStore('copies').index('batch').getAll(batch)) as CopyState[]
      for (const c of copies) {
        quiet(tx.objectStore('copies').delete(c.id))
        quiet(tx.objectStore('sealed').delete(c.id))
        quiet(tx.objectStore('keys').delete(c.keyId))
      }
      for (const id of await tx.objectStore('activity').index('batch').getAllKeys(batch)) quiet(tx.objectStore('activity').delete(id))
    }, 'removing a credential')
  }

  /**
   * A copy answered a request: it is marked used and the activity entry saved, in one
   * transaction (a used copy always has its entry; an entry never names an unused copy).
   * False, and nothing written, if there is no such unused copy.
   */
  async useCopyWithActivity(id: string, a: StoredActivity): Promise<boolean> {
    let used = false
    await this.#write(['copies', 'activity'], async (tx) => {
      const c = (await tx.objectStore('copies').get(id)) as CopyState | undefined
      if (!c || c.used) return
      quiet(tx.objectStore('copies').put({ ...c, used: true }))
      quiet(tx.objectStore('activity').add({ ...a, batch: c.batch }))
      used = true
    }, 'recording a presentation')
    return used
  }

  /** Re-seals an existing activity entry (a receipt joined it). False when it is not here (nothing written). */
  async replaceActivity(id: string, sealed: StoredSealed): Promise<boolean> {
    let done = false
    await this.#write(['activity'], async (tx) => {
      const a = (await tx.objectStore('activity').get(id)) as StoredActivity | undefined
      if (!a) return
      quiet(tx.objectStore('activity').put({ ...a, sealed }))
      done = true
    }, 'updating the activity log')
    return done
  }

  async activity(): Promise<StoredActivity[]> {
    return this.#read('reading the activity log', (db) => db.getAll('activity') as Promise<StoredActivity[]>)
  }

  /** Everything but the keys, as stored (for the encrypted backup: never a private key). */
  async dump(): Promise<{ meta: Record<string, unknown>; copies: StoredCopy[]; activity: StoredActivity[] }> {
    return this.#read('reading the wallet for a backup', async (db) => {
      const tx = db.transaction(['meta', 'copies', 'sealed', 'activity'], 'readonly')
      const meta = tx.objectStore('meta')
      const [names, values, copies, activity] = await Promise.all([meta.getAllKeys(), meta.getAll(), joinedCopies(tx), tx.objectStore('activity').getAll(), tx.done])
      return { meta: Object.fromEntries(names.map((k, i) => [String(k), values[i]])), copies, activity: activity as StoredActivity[] }
    })
  }
}
