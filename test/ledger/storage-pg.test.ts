// The PostgreSQL backend against a real throwaway server (test/support/pg.ts): the shared
// contract, plus locks that die with their connection, atomic publishes and crash recovery.
// Without PostgreSQL binaries these tests FAIL (beforeAll throws), they never skip.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { tilePath } from '../../src/core/log/tiles.ts'
import { openStorage } from '../../src/ledger/storage/open.ts'
import { openPostgresStorage } from '../../src/ledger/storage/postgres.ts'
import type { LogStorage } from '../../src/ledger/storage/types.ts'
import { freshDatabase, withAdmin, type TestDatabase } from '../support/pg.ts'
import { batchOf, bytesFor, codeOf, cosigned, publishBatch, storageContract } from './storage.contract.ts'

let db: TestDatabase
// A missing PostgreSQL must FAIL every test with the helper's message (a throwing beforeAll
// would only mark them skipped), so the setup error is rethrown before each test.
let setupError: unknown = null
beforeAll(async () => {
  try {
    db = await freshDatabase('storage_pg')
  } catch (e) {
    setupError = e
  }
}, 60_000)
beforeEach(() => {
  if (setupError) throw setupError
})
afterAll(async () => {
  await db?.drop()
})

const sql = <T extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> =>
  withAdmin(db.server, async (c) => (await c.query<T>(text, values)).rows, db.name)

const open = (log: 'registry' | 'status' = 'status'): Promise<LogStorage> => openPostgresStorage({ url: db.url(), log })
const TABLES = ['registry_objects', 'registry_checkpoint', 'registry_staged_checkpoint', 'status_objects', 'status_checkpoint', 'status_staged_checkpoint']
const dropAll = () => sql(`DROP TABLE IF EXISTS ${TABLES.join(', ')}, objects, checkpoint, staged_checkpoint`)

storageContract({
  kind: 'postgres',
  async freshLedger() {
    await dropAll()
    return open
  },
})

/** Backend pid of the session holding the status log's sequencer lock in our database, if any. */
async function lockHolderPid(): Promise<number | null> {
  const rows = await sql<{ pid: number }>(
    `SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database
     WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = 3 AND l.objsubid = 2 AND d.datname = $2`,
    [0x43495643, db.name],
  )
  return rows[0]?.pid ?? null
}

/** f() until ok() holds or `ms` pass (then the last value, for the caller's assertion to judge). */
async function eventually<T>(f: () => Promise<T>, ok: (x: T) => boolean, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms
  let x = await f()
  while (!ok(x) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20))
    x = await f()
  }
  return x
}

describe('PostgreSQL backend specifics', () => {
  let opened: LogStorage[] = []
  const track = async (p: Promise<LogStorage>): Promise<LogStorage> => {
    const s = await p
    opened.push(s)
    return s
  }
  afterEach(async () => {
    await Promise.all(opened.map((s) => s.close()))
    opened = []
    if (db) await dropAll()
  })

  it('creates the tables of each log if absent, exactly as specified, also when servers of both logs start at once', async () => {
    await Promise.all([track(open('status')), track(open('registry')), track(open('status')), track(open('registry'))])
    const cols = await sql<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
      `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
    )
    const one = (log: string) => [
      `${log}_checkpoint.id integer not null`,
      `${log}_checkpoint.note bytea not null`,
      `${log}_checkpoint.size bigint`,
      `${log}_objects.path text not null`,
      `${log}_objects.data bytea not null`,
      `${log}_staged_checkpoint.id integer not null`,
      `${log}_staged_checkpoint.note bytea not null`,
      `${log}_staged_checkpoint.size bigint`,
    ]
    expect(cols.map((c) => `${c.table_name}.${c.column_name} ${c.data_type}${c.is_nullable === 'NO' ? ' not null' : ''}`)).toEqual([...one('registry'), ...one('status')])
    expect(await codeOf(sql('INSERT INTO status_checkpoint (id, note) VALUES (2, $1)', [Buffer.from('x')]))).toBe('error') // CHECK (id = 1)
  })

  it('refuses a database that holds a single-log ledger from before the two logs (ERR_LEDGER_CONFIG, saying what to do)', async () => {
    await sql('CREATE TABLE objects (path text PRIMARY KEY, data bytea NOT NULL)')
    for (const log of ['registry', 'status'] as const) {
      const e = await openPostgresStorage({ url: db.url(), log }).catch((x: unknown) => x)
      expect(e).toMatchObject({ code: 'ERR_LEDGER_CONFIG' })
      expect((e as Error).message).toMatch(/single-log ledger from before the registry and status logs were apart.*empty database/s)
    }
    expect((await sql<{ n: number }>("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'"))[0]!.n).toBe(1)
  })

  it('stores each checkpoint in the single row id = 1 of its table, with the tree size from its second line', async () => {
    const s = await track(open())
    await s.acquireSequencerLock()
    await publishBatch(s, batchOf(7, ['tile/0/000.p/7'], 7))
    await s.stage(batchOf(9, ['tile/0/000.p/9'], 9))
    expect(await sql('SELECT id, size FROM status_checkpoint')).toEqual([{ id: 1, size: '7' }])
    expect(await sql('SELECT id, size FROM status_staged_checkpoint')).toEqual([{ id: 1, size: '9' }])
    await s.publishCheckpoint(new TextEncoder().encode('not a checkpoint'))
    expect(await sql('SELECT id, size FROM status_checkpoint')).toEqual([{ id: 1, size: null }])
  })

  it('a read-only instance reads while another holds the lock, and never takes it', async () => {
    const seq = await track(open())
    await seq.acquireSequencerLock()
    const reader = await track(open())
    await publishBatch(seq, batchOf(1, ['tile/0/000.p/1']))
    expect(await reader.getCheckpoint()).toEqual(cosigned(batchOf(1, ['tile/0/000.p/1']).checkpoint))
    expect(await reader.getStagedCheckpoint()).toEqual(batchOf(1, ['tile/0/000.p/1']).checkpoint)
    expect(await reader.getObject('tile/0/000.p/1')).toEqual(bytesFor('tile/0/000.p/1', 1))
    expect(await sql("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'")).toEqual([{ n: 1 }])
  })

  it('the lock dies with its connection: pg_terminate_backend frees it, the old holder can no longer write', async () => {
    const first = await track(open())
    await first.acquireSequencerLock()
    await publishBatch(first, batchOf(1, ['tile/0/000.p/1']))
    const second = await track(open())
    expect(await codeOf(second.acquireSequencerLock())).toBe('ERR_LEDGER_LOCKED')

    const pid = await lockHolderPid()
    expect(pid).not.toBeNull()
    expect(await sql('SELECT pg_terminate_backend($1) AS ok', [pid])).toEqual([{ ok: true }])
    // the backend exits asynchronously; the lock goes with it
    expect(await eventually(() => lockHolderPid(), (p) => p === null)).toBeNull()
    await second.acquireSequencerLock()

    // The old holder cannot write any more (fencing: its writes run on the lock's own session,
    // which is gone): a write under way sees the dead connection (STORAGE), later ones LOCKED.
    expect(['ERR_LEDGER_LOCKED', 'ERR_LEDGER_STORAGE']).toContain(await codeOf(first.stage(batchOf(2, ['tile/0/000.p/2']))))
    expect(await codeOf(first.stage(batchOf(2, ['tile/0/000.p/2'])))).toBe('ERR_LEDGER_LOCKED')
    expect(await codeOf(first.publishCheckpoint(cosigned(batchOf(2, ['tile/0/000.p/2']).checkpoint)))).toBe('ERR_LEDGER_LOCKED')
    expect(await second.getObject('tile/0/000.p/2')).toBeNull()
    expect(await second.getStagedCheckpoint()).toEqual(batchOf(1, ['tile/0/000.p/1']).checkpoint)
    // it still reads (the pool is separate), and may ask for the lock again: refused while the new one lives
    expect(await first.getCheckpoint()).toEqual(cosigned(batchOf(1, ['tile/0/000.p/1']).checkpoint))
    expect(await codeOf(first.acquireSequencerLock())).toBe('ERR_LEDGER_LOCKED')
    expect(await codeOf(first.stage(batchOf(2, ['tile/0/000.p/2'])))).toBe('ERR_LEDGER_LOCKED') // still lost, not a TypeError
    await publishBatch(second, batchOf(3, ['tile/0/000.p/3']))
    await second.close()
    await first.acquireSequencerLock()
    await publishBatch(first, batchOf(4, ['tile/0/000.p/4']))
    expect(await first.getCheckpoint()).toEqual(cosigned(batchOf(4, ['tile/0/000.p/4']).checkpoint))
  })

  it('a stage is one transaction: a failure part-way leaves no object and the old checkpoints', async () => {
    const s = await track(open())
    await s.acquireSequencerLock()
    await publishBatch(s, batchOf(1, ['tile/0/000.p/1']))
    // a trigger that refuses one row of the batch, after many others were inserted
    await sql(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused %', NEW.path; END $$`)
    await sql(`CREATE TRIGGER refuse BEFORE INSERT ON status_objects FOR EACH ROW WHEN (NEW.path = 'tile/0/000.p/9') EXECUTE FUNCTION refuse()`)
    try {
      const paths = Array.from({ length: 600 }, (_, i) => tilePath({ level: 2, index: i, width: 256 })).concat('tile/0/000.p/9')
      const err = await s.stage(batchOf(9, paths)).catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'ERR_LEDGER_STORAGE' })
      expect((err as Error).message).toMatch(/refused tile\/0\/000\.p\/9/)
      expect(await sql('SELECT count(*)::int AS n FROM status_objects')).toEqual([{ n: 1 }])
      expect(await s.getStagedCheckpoint()).toEqual(batchOf(1, ['tile/0/000.p/1']).checkpoint)
      expect(await s.getCheckpoint()).toEqual(cosigned(batchOf(1, ['tile/0/000.p/1']).checkpoint))
      // the session is usable again for the next write
      await publishBatch(s, batchOf(2, ['tile/0/000.p/2']))
      expect(await s.getCheckpoint()).toEqual(cosigned(batchOf(2, ['tile/0/000.p/2']).checkpoint))
    } finally {
      await sql('DROP TRIGGER refuse ON status_objects')
      await sql('DROP FUNCTION refuse()')
    }
  })

  it('acknowledged writes survive kill -9 of PostgreSQL, even with synchronous_commit=off as the database default', async () => {
    await sql(`ALTER DATABASE "${db.name}" SET synchronous_commit = off`)
    try {
      const s = await track(open())
      const reader = await track(open())
      await s.acquireSequencerLock()
      let acked = 0
      let failure: unknown = null
      // writes until the kill makes one fail (bounded, should the kill not take)
      const writer = (async () => {
        for (let v = 1; v <= 100_000; v++) {
          const paths = [tilePath({ level: 0, index: v, width: 256 }), tilePath({ level: 1, index: 0, width: v % 255 + 1 })]
          try {
            await publishBatch(s, batchOf(v, paths))
          } catch (e) {
            failure = e
            return
          }
          acked = v
        }
      })()
      await eventually(async () => acked, (n) => n >= 30, 20_000)
      await db.server.kill9()
      await writer
      // the write under way fails (STORAGE); if the lock connection's death was noticed
      // between two writes, the next one is refused as no longer holding the lock (LOCKED)
      expect(['ERR_LEDGER_STORAGE', 'ERR_LEDGER_LOCKED']).toContain((failure as { code?: string } | null)?.code)
      // while the server is down, reads fail with a code (and nothing crashes on the pool's dead connections)
      expect(await codeOf(reader.getCheckpoint())).toBe('ERR_LEDGER_STORAGE')

      await db.server.launch() // crash recovery; new port
      const after = await track(open())
      const cp = new TextDecoder().decode((await after.getCheckpoint())!)
      const v = Number(cp.split('\n')[1])
      // every acknowledged batch is there; the one in flight at the kill may or may not be
      expect(v, `published ${v} after ${acked} acknowledged`).toBeGreaterThanOrEqual(acked)
      expect(v, `published ${v} after ${acked} acknowledged`).toBeLessThanOrEqual(acked + 1)
      const paths = cp.split('\n')[2]!.split(' ')
      for (const p of paths) expect(await after.getObject(p), p).toEqual(bytesFor(p, v))
      const staged = Number(new TextDecoder().decode((await after.getStagedCheckpoint())!).split('\n')[1])
      expect([v, v + 1]).toContain(staged)
      // the dead sequencer's lock died with the server; a new sequencer takes over
      await after.acquireSequencerLock()
      await publishBatch(after, batchOf(v + 2, ['tile/0/000.p/1'], v + 2))
    } finally {
      if (!db.server.isRunning()) await db.server.launch()
      await sql(`ALTER DATABASE "${db.name}" RESET synchronous_commit`)
    }
  })

  it('a malformed URL is ERR_LEDGER_CONFIG; an unreachable server is ERR_LEDGER_STORAGE', async () => {
    expect(await codeOf(openPostgresStorage({ url: 'mysql://localhost/x', log: 'status' }))).toBe('ERR_LEDGER_CONFIG')
    expect(await codeOf(openStorage({ dataDir: '/nonexistent', log: 'status', postgresUrl: 'localhost:5432' }))).toBe('ERR_LEDGER_CONFIG')
    const closedPort = await new Promise<number>((resolve) => {
      import('node:net').then(({ createServer }) => {
        const srv = createServer().listen(0, '127.0.0.1', () => {
          const { port } = srv.address() as { port: number }
          srv.close(() => resolve(port))
        })
      })
    })
    expect(await codeOf(openPostgresStorage({ url: `postgresql://postgres@127.0.0.1:${closedPort}/x`, log: 'registry', connectTimeoutMs: 2000 }))).toBe('ERR_LEDGER_STORAGE')
  })

  it('openStorage() with a PostgreSQL URL opens this backend (dataDir unused)', async () => {
    const s = await track(openStorage({ dataDir: '/nonexistent', log: 'registry', postgresUrl: db.url() }))
    expect(s.kind).toBe('postgres')
  })
})
