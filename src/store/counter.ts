/**
 * The service counter's records on the device. A counter keeps no personal data: what it holds
 * is its own key, its enrolment, and an audit trail without claims.
 *
 * | store    | key          | holds                                                                    |
 * |----------|--------------|--------------------------------------------------------------------------|
 * | `meta`   | 'device'     | the counter's non-extractable ECDSA P-256 key pair (CryptoKey objects)   |
 * |          | 'enrolment'  | the counter attestation its verifier signed (compact JWS) and its expiry |
 * | `audit`  | auto         | signed audit records: time, purpose, credential type, verdict, code      |
 *
 * Never stored: a request's ephemeral decryption key (memory only: an answer can be opened only
 * by the page that asked), the answer, any disclosed claim. Audit records are written with
 * strict durability; each is one small transaction made after its signature is computed.
 */
import { openDatabase, storeError, type Database, type Migration, type OpenOptions } from './db.ts'

export const COUNTER_DB_NAME = 'civic-counter'

export interface StoredDevice {
  privateKey: CryptoKey
  publicKey: CryptoKey
  createdAt: number
}

export interface StoredEnrolment {
  attestation: string
  verifier: string
  counterId: string
  exp: number
  enrolledAt: number
}

export interface StoredAudit {
  /** The signed record (compact JWS by the counter key). */
  jws: string
  at: number
}

const MIGRATIONS: readonly Migration[] = [
  (db) => {
    db.createObjectStore('meta')
    db.createObjectStore('audit', { autoIncrement: true })
  },
]

export class CounterRepository {
  readonly #db: Database

  private constructor(db: Database) {
    this.#db = db
  }

  static async open(name = COUNTER_DB_NAME, o: Pick<OpenOptions, 'onClosed'> = {}): Promise<CounterRepository> {
    return new CounterRepository(await openDatabase(name, MIGRATIONS, o))
  }

  close(): void {
    this.#db.close()
  }

  #live(): Database['db'] {
    if (!this.#db.open) throw storeError(new Error('the database was closed (another tab upgraded it, or the counter was closed)'), 'counter store')
    return this.#db.db
  }

  async #put(store: 'meta' | 'audit', value: unknown, key: string | undefined, what: string): Promise<void> {
    try {
      const tx = this.#live().transaction(store, 'readwrite', { durability: 'strict' })
      await Promise.all([key === undefined ? tx.store.add(value) : tx.store.put(value, key), tx.done])
    } catch (e) {
      throw storeError(e, what)
    }
  }

  async device(): Promise<StoredDevice | null> {
    try {
      return ((await this.#live().get('meta', 'device')) as StoredDevice | undefined) ?? null
    } catch (e) {
      throw storeError(e, 'reading the counter key')
    }
  }

  /** Keeps the device key; refused (ConstraintError → ERR_STORE_UNAVAILABLE) if one is there: a key is made once. */
  async putDevice(d: StoredDevice): Promise<void> {
    try {
      const tx = this.#live().transaction('meta', 'readwrite', { durability: 'strict' })
      await Promise.all([tx.store.add(d, 'device'), tx.done])
    } catch (e) {
      throw storeError(e, 'keeping the counter key')
    }
  }

  async enrolment(): Promise<StoredEnrolment | null> {
    try {
      return ((await this.#live().get('meta', 'enrolment')) as StoredEnrolment | undefined) ?? null
    } catch (e) {
      throw storeError(e, 'reading the enrolment')
    }
  }

  async putEnrolment(e: StoredEnrolment): Promise<void> {
    await this.#put('meta', { ...e }, 'enrolment', 'keeping the enrolment')
  }

  async addAudit(a: StoredAudit): Promise<void> {
    await this.#put('audit', { jws: a.jws, at: a.at }, undefined, 'keeping the audit record')
  }

  async audit(): Promise<StoredAudit[]> {
    try {
      return (await this.#live().getAll('audit')) as StoredAudit[]
    } catch (e) {
      throw storeError(e, 'reading the audit trail')
    }
  }

  /** Every record of every store, for tests that look for what must not be there. */
  async dump(): Promise<Record<string, unknown[]>> {
    const db = this.#live()
    const out: Record<string, unknown[]> = {}
    for (const name of db.objectStoreNames) out[name] = await db.getAll(name)
    return out
  }
}
