/**
 * The PostgreSQL backend (scale-out): one sequencer per log, any number of stateless read
 * servers, all pointed at one database. The ledger's two logs share the database and are kept
 * apart by table set: each `<log>` (`registry`, `status`) has its own three tables and its own
 * sequencer lock, and an instance opened for one log names only its own tables, so neither log
 * ever sees the other's objects or checkpoints. The ONLY importer of `pg`.
 *
 *   <log>_objects(path text primary key, data bytea not null)                             tiles and entry bundles
 *   <log>_checkpoint(id int primary key check (id = 1), note bytea not null, size bigint)  the published note
 *   <log>_staged_checkpoint(… the same …)                                                 the staged note
 *
 * A database holding the tables of a single-log ledger from before the two logs were apart
 * (`objects`, `checkpoint`, `staged_checkpoint`) is refused with ERR_LEDGER_CONFIG.
 *
 * Tables are created if absent (under a transaction-scoped advisory lock, so two servers
 * starting together do not race; a read-only role needs no CREATE privilege once they exist).
 * `size` is the tree size read from the note's second line, for operators' queries only;
 * nothing here relies on it.
 *
 * Sequencer lock: `pg_try_advisory_lock(CIVC, 1)` (registry) or `(CIVC, 3)` (status) on a
 * dedicated connection kept open for the sequencer's life. PostgreSQL releases it when that session ends (close(), a crash of the
 * process, a killed backend, a dropped connection). Every write runs its transaction on that
 * same connection, so a commit can only happen while the session — and therefore the lock — is
 * alive: a sequencer whose connection died cannot write over a successor (fencing for free).
 * The write under way when the connection dies fails with ERR_LEDGER_STORAGE (outcome
 * unknown); every later write fails with ERR_LEDGER_LOCKED (this instance no longer holds the
 * lock) until acquireSequencerLock() succeeds again on a new connection — after which the
 * caller must reload, since another sequencer may have written meanwhile. Advisory locks are
 * per database and do not survive transaction-pooling proxies (PgBouncer in transaction mode):
 * connect the sequencer directly or through session pooling.
 *
 * Readers use a pg.Pool and never lock. Each write is one transaction, so a reader sees a
 * checkpoint together with every object committed with or before it, never a mix.
 *
 * Every Pool and Client has an 'error' listener: an unhandled 'error' event (the server
 * restarting, a backend terminated) would otherwise kill the Node process.
 *
 * Codes: ERR_LEDGER_CONFIG (URL not postgres:// or postgresql://), ERR_LEDGER_STORAGE (any
 * database failure, cause attached), ERR_LEDGER_LOCKED (lock held elsewhere, or lost),
 * ERR_LEDGER_UNAVAILABLE (use after close()); bad arguments are TypeError (see open.ts).
 */
import pg from 'pg'
import { CivicError } from '../../core/errors.ts'
import { assertBatch, assertNote, assertObjectPath, closedError, storageError, type LogStorage, type StageBatch } from './types.ts'
import { SINGLE_LOG_REFUSAL } from '../config.ts'

export interface PostgresStorageOptions {
  /** `postgres://user:pass@host:port/db` (libpq-style query parameters such as `?host=/socket/dir` work). */
  url: string
  /** Which of the ledger's logs. */
  log: 'registry' | 'status'
  /** Reader connections (default 10). */
  poolSize?: number
  /** Connect timeout (default 10 s): a black-holed host must not hang startup forever. */
  connectTimeoutMs?: number
}

/** Advisory-lock keys, two-int form: class 'CIVC', object 1 = registry sequencer, 2 = schema creation, 3 = status sequencer. */
const LOCK_CLASS = 0x43495643
const SEQUENCER_LOCK = { registry: 1, status: 3 } as const
const SCHEMA_LOCK = 2

/** One INSERT carries at most this many rows or bytes (bind parameters are sent binary). */
const ROWS_PER_STATEMENT = 500
const BYTES_PER_STATEMENT = 8 << 20

/** Throws ERR_LEDGER_CONFIG for a malformed URL, ERR_LEDGER_STORAGE if the database cannot be reached or set up. */
export async function openPostgresStorage(opts: PostgresStorageOptions): Promise<LogStorage> {
  if (typeof opts?.url !== 'string' || !/^postgres(ql)?:\/\//.test(opts.url)) {
    throw new CivicError('ERR_LEDGER_CONFIG', 'the PostgreSQL URL must start with postgres:// or postgresql://')
  }
  if (opts.log !== 'registry' && opts.log !== 'status') throw new TypeError('log must be registry or status')
  const s = new PostgresStorage(opts)
  try {
    await s.ensureSchema()
  } catch (e) {
    await s.close().catch(() => {})
    throw e instanceof CivicError ? e : storageError('postgres: opening the log', e)
  }
  return s
}

class PostgresStorage implements LogStorage {
  readonly kind = 'postgres' as const
  private readonly pool: pg.Pool
  private readonly clientConfig: pg.ClientConfig
  private lockClient: pg.Client | null = null
  /** Why the lock connection is gone (set by its 'error'/'end' events); null while it lives. */
  private lockLost: Error | null = null
  private acquiring: Promise<void> | null = null
  private closed: Promise<void> | null = null
  private tail: Promise<unknown> = Promise.resolve()
  private readonly log: 'registry' | 'status'
  private readonly t: { objects: string; checkpoint: string; staged: string }

  constructor(opts: PostgresStorageOptions) {
    this.log = opts.log
    this.t = { objects: `${opts.log}_objects`, checkpoint: `${opts.log}_checkpoint`, staged: `${opts.log}_staged_checkpoint` }
    this.clientConfig = {
      connectionString: opts.url,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
      keepAlive: true,
    }
    this.pool = new pg.Pool({ ...this.clientConfig, max: opts.poolSize ?? 10, application_name: 'civic-ledger-reader' })
    // An idle pooled client whose connection dies is dropped by the pool and reported here;
    // the next query simply takes a new connection.
    this.pool.on('error', () => {})
  }

  async ensureSchema(): Promise<void> {
    const { t } = this
    const { rows } = await this.pool.query<{ ok: boolean; old: boolean }>(
      `SELECT to_regclass('${t.objects}') IS NOT NULL AND to_regclass('${t.checkpoint}') IS NOT NULL AND to_regclass('${t.staged}') IS NOT NULL AS ok,
              to_regclass('objects') IS NOT NULL OR to_regclass('checkpoint') IS NOT NULL OR to_regclass('staged_checkpoint') IS NOT NULL AS old`,
    )
    if (rows[0]?.old) throw new CivicError('ERR_LEDGER_CONFIG', `the database ${SINGLE_LOG_REFUSAL} (found its tables objects, checkpoint, staged_checkpoint)`)
    if (rows[0]?.ok) return // read-only roles need no CREATE privilege
    const c = await this.pool.connect()
    // A checked-out client has no pool listener: if the server dies between two statements the
    // 'error' event would be unhandled (and fatal). The failure reaches us through the query.
    const ignore = (): void => {}
    c.on('error', ignore)
    try {
      await c.query('BEGIN')
      await c.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_CLASS, SCHEMA_LOCK])
      await c.query(`CREATE TABLE IF NOT EXISTS ${t.objects} (path text PRIMARY KEY, data bytea NOT NULL)`)
      await c.query(`CREATE TABLE IF NOT EXISTS ${t.checkpoint} (id int PRIMARY KEY CHECK (id = 1), note bytea NOT NULL, size bigint)`)
      await c.query(`CREATE TABLE IF NOT EXISTS ${t.staged} (id int PRIMARY KEY CHECK (id = 1), note bytea NOT NULL, size bigint)`)
      await c.query('COMMIT')
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {})
      throw storageError('postgres: creating tables', e)
    } finally {
      c.off('error', ignore)
      c.release()
    }
  }

  async getCheckpoint(): Promise<Uint8Array | null> {
    if (this.closed) throw closedError('postgres')
    return this.readOne(`${this.log}-get-checkpoint`, `SELECT note FROM ${this.t.checkpoint} WHERE id = 1`, [], 'the published checkpoint')
  }

  async getStagedCheckpoint(): Promise<Uint8Array | null> {
    if (this.closed) throw closedError('postgres')
    return this.readOne(`${this.log}-get-staged-checkpoint`, `SELECT note FROM ${this.t.staged} WHERE id = 1`, [], 'the staged checkpoint')
  }

  async getObject(path: string): Promise<Uint8Array | null> {
    if (this.closed) throw closedError('postgres')
    assertObjectPath(path)
    return this.readOne(`${this.log}-get-object`, `SELECT data FROM ${this.t.objects} WHERE path = $1`, [path], path)
  }

  /**
   * One bytea column, in pg's default text (hex) format. Not `binary: true`: pg 8.23 decodes
   * binary result fields as UTF-8 strings, which corrupts arbitrary bytes.
   */
  private async readOne(name: string, text: string, values: unknown[], what: string): Promise<Uint8Array | null> {
    let rows: unknown[][]
    try {
      ;({ rows } = await this.pool.query<unknown[]>({ name, text, values, rowMode: 'array' }))
    } catch (e) {
      throw storageError(`postgres: reading ${what}`, e)
    }
    const v = rows[0]?.[0]
    if (v === undefined) return null
    if (!(v instanceof Uint8Array)) throw storageError(`postgres: reading ${what}`, new Error('bytea column did not come back as bytes'))
    return new Uint8Array(v)
  }

  acquireSequencerLock(): Promise<void> {
    if (this.closed) return Promise.reject(closedError('postgres'))
    if (this.lockClient && !this.lockLost) return Promise.resolve()
    this.acquiring ??= this.lockNow().finally(() => (this.acquiring = null))
    return this.acquiring
  }

  /** A new session asks for the lock; a lost session (if any) stays in place until this succeeds. */
  private async lockNow(): Promise<void> {
    const c = new pg.Client({ ...this.clientConfig, application_name: 'civic-ledger-sequencer' })
    let lost: Error | null = null
    c.on('error', (e) => {
      lost ??= e
      if (this.lockClient === c) this.lockLost ??= e
    })
    c.on('end', () => {
      lost ??= new Error('connection ended')
      if (this.lockClient === c) this.lockLost ??= lost
    })
    let got: boolean
    try {
      await c.connect()
      const { rows } = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [LOCK_CLASS, SEQUENCER_LOCK[this.log]])
      got = rows[0]?.ok === true
    } catch (e) {
      await c.end().catch(() => {})
      throw storageError('postgres: acquiring the sequencer lock', e)
    }
    const failure: Error | null = lost // read before end(), whose 'end' event sets it
    if (!got || failure) {
      await c.end().catch(() => {})
      if (failure) throw storageError('postgres: acquiring the sequencer lock', failure)
      throw new CivicError('ERR_LEDGER_LOCKED', `another sequencer holds the ${this.log} log (PostgreSQL advisory lock)`)
    }
    if (this.closed) {
      await c.end().catch(() => {})
      throw closedError('postgres')
    }
    const old = this.lockClient
    this.lockClient = c
    this.lockLost = null
    await old?.end().catch(() => {})
  }

  async stage(batch: StageBatch): Promise<void> {
    if (this.closed) throw closedError('postgres')
    assertBatch(batch)
    // Durable-write order: ONE transaction on the lock-holding session (see `write`).
    //   objects upserted (≤ 500 rows / 8 MiB per statement; identical bytes are not rewritten,
    //   other bytes replace an object beyond the published tree), then the staged checkpoint.
    // A crash before COMMIT returns rolls all of it back: the old staged checkpoint with its
    // objects. After: the new one with all of its objects. Never one without the other.
    return this.write('stage', async (c) => {
      for (const chunk of chunks(batch.objects)) {
        const values: unknown[] = []
        const rows = chunk.map((o, i) => {
          values.push(o.path, asBuffer(o.bytes))
          return `($${2 * i + 1}, $${2 * i + 2})`
        })
        await c.query(
          `INSERT INTO ${this.t.objects} (path, data) VALUES ${rows.join(', ')}
           ON CONFLICT (path) DO UPDATE SET data = EXCLUDED.data WHERE ${this.t.objects}.data IS DISTINCT FROM EXCLUDED.data`,
          values,
        )
      }
      await upsertNote(c, this.t.staged, batch.checkpoint)
    })
  }

  async publishCheckpoint(note: Uint8Array): Promise<void> {
    if (this.closed) throw closedError('postgres')
    assertNote(note, 'note')
    // One transaction on the lock-holding session: the published checkpoint replaced. A crash
    // before COMMIT returns leaves the old one; after, the new one.
    return this.write('publishCheckpoint', (c) => upsertNote(c, this.t.checkpoint, note))
  }

  /**
   * Run `body` in one transaction on the lock's own session, one write at a time:
   *   BEGIN; SET LOCAL synchronous_commit = on (whatever the server or database default:
   *   COMMIT must wait for the WAL flush); body; COMMIT.
   * When COMMIT returns, everything written is durable and becomes visible at once. If the
   * connection dies during COMMIT the outcome is unknown (committed or not): the caller reloads
   * from storage (types.ts).
   */
  private write(op: string, body: (c: pg.Client) => Promise<void>): Promise<void> {
    if (!this.lockClient) throw new TypeError(`${op} needs the sequencer lock: call acquireSequencerLock() first`)
    const run = this.tail.then(async () => {
      const c = this.lockClient
      if (!c || this.lockLost) {
        throw new CivicError('ERR_LEDGER_LOCKED', `${op}: the sequencer lock was lost with its connection; acquire it again and reload`, {
          cause: this.lockLost,
        })
      }
      try {
        await c.query('BEGIN')
        await c.query('SET LOCAL synchronous_commit = on')
        await body(c)
        await c.query('COMMIT')
      } catch (e) {
        await c.query('ROLLBACK').catch(() => {})
        throw storageError(`postgres: ${op} failed`, e)
      }
    })
    this.tail = run.catch(() => {})
    return run
  }

  /** Ends the lock connection (releasing the lock) and the pool. Idempotent; waits for a write in flight. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      await this.tail
      await this.acquiring?.catch(() => {})
      const c = this.lockClient
      this.lockClient = null
      await Promise.all([c?.end().catch(() => {}), this.pool.end().catch(() => {})])
    })()
    return this.closed
  }
}

/** `table` is one of the instance's own checkpoint tables (never input). */
async function upsertNote(c: pg.Client, table: string, note: Uint8Array): Promise<void> {
  await c.query(
    `INSERT INTO ${table} (id, note, size) VALUES (1, $1, $2)
     ON CONFLICT (id) DO UPDATE SET note = EXCLUDED.note, size = EXCLUDED.size`,
    [asBuffer(note), treeSizeOf(note)],
  )
}

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength)
}

function* chunks<T extends { bytes: Uint8Array }>(items: readonly T[]): Generator<T[]> {
  let cur: T[] = []
  let bytes = 0
  for (const it of items) {
    if (cur.length > 0 && (cur.length === ROWS_PER_STATEMENT || bytes + it.bytes.length > BYTES_PER_STATEMENT)) {
      yield cur
      cur = []
      bytes = 0
    }
    cur.push(it)
    bytes += it.bytes.length
  }
  if (cur.length > 0) yield cur
}

/** The tree size on a checkpoint note's second line (c2sp.org/tlog-checkpoint), or null. */
function treeSizeOf(note: Uint8Array): string | null {
  const head = new TextDecoder().decode(note.subarray(0, 512))
  return /^[^\n]*\n(0|[1-9][0-9]{0,17})\n/.exec(head)?.[1] ?? null
}
