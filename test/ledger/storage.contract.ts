/**
 * The one contract suite of LogStorage (src/ledger/storage/types.ts), run against every backend
 * by its own test file (storage-fs.test.ts, storage-pg.test.ts) — the x/mod TestStorage pattern —
 * and, in each backend, against both of the ledger's logs, plus what keeps the two logs apart:
 * neither sees the other's objects or checkpoints, and each has its own sequencer lock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CivicError } from '../../src/core/errors.ts'
import { entryBundlePath, tilePath } from '../../src/core/log/tiles.ts'
import type { LogStorage, StageBatch, StoredObject } from '../../src/ledger/storage/types.ts'

/** Opens a new storage instance on one log; every call is a separate instance (a separate "server"). */
export type LogOpener = () => Promise<LogStorage>

/** Opens a new storage instance on one of a ledger's two logs. */
export type LedgerOpener = (log: 'registry' | 'status') => Promise<LogStorage>

export interface StorageHarness {
  kind: LogStorage['kind']
  /** A new, empty ledger (both logs empty); returns the opener of instances on its logs. */
  freshLedger(): Promise<LedgerOpener>
}

/** The code of a CivicError a promise rejects with, or the error's name if it is not one. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (e) {
    return e instanceof CivicError ? e.code : e instanceof Error ? e.name : String(e)
  }
  return 'resolved'
}

const enc = new TextEncoder()
const dec = new TextDecoder()

/** Deterministic bytes for (path, version): every byte value occurs, sizes vary. */
export function bytesFor(path: string, version: number, size = 64 + ((path.length * 37 + version * 11) % 200)): Uint8Array {
  const out = new Uint8Array(size)
  let s = (version * 2654435761) ^ [...path].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7)
  for (let i = 0; i < size; i++) {
    s = (s * 1103515245 + 12345) >>> 0
    out[i] = s >>> 24
  }
  return out
}

/** A checkpoint-shaped note: origin, size, then the paths it "commits to" (opaque to storage). */
export function checkpointFor(size: number, paths: readonly string[]): Uint8Array {
  return enc.encode(`civic.test/contract\n${size}\n${paths.join(' ')}\n\n— civic.test/contract AAAA\n`)
}

function parseTestCheckpoint(bytes: Uint8Array): { size: number; paths: string[] } {
  const [, size, paths] = dec.decode(bytes).split('\n')
  return { size: Number(size), paths: paths ? paths.split(' ') : [] }
}

export function batchOf(version: number, paths: readonly string[], size = version): StageBatch {
  return { objects: paths.map((path) => ({ path, bytes: bytesFor(path, version) })), checkpoint: checkpointFor(size, paths) }
}

/** The staged note plus a witness line: what the sequencer publishes after witnessing. */
export function cosigned(note: Uint8Array): Uint8Array {
  return new Uint8Array([...note, ...enc.encode('— witness.test/w1 BBBB\n')])
}

/** The sequencer's two steps for one batch: stage it, then publish its (cosigned) checkpoint. */
export async function publishBatch(s: LogStorage, b: StageBatch): Promise<void> {
  await s.stage(b)
  await s.publishCheckpoint(cosigned(b.checkpoint))
}

export function storageContract(h: StorageHarness): void {
  for (const log of ['registry', 'status'] as const) logContract(h, log)
  apartContract(h)
}

function apartContract(h: StorageHarness): void {
  describe(`LogStorage contract: ${h.kind}, the two logs of one ledger apart`, () => {
    let openLedger: LedgerOpener
    let opened: LogStorage[] = []
    const open = async (log: 'registry' | 'status'): Promise<LogStorage> => {
      const s = await openLedger(log)
      opened.push(s)
      return s
    }
    beforeEach(async () => {
      openLedger = await h.freshLedger()
    })
    afterEach(async () => {
      await Promise.all(opened.map((s) => s.close()))
      opened = []
    })

    it('neither log sees the objects or checkpoints of the other, also at the same paths', async () => {
      const registry = await open('registry')
      const status = await open('status')
      await registry.acquireSequencerLock()
      await status.acquireSequencerLock()
      const paths = ['tile/0/000.p/2', 'tile/entries/000.p/2']
      await publishBatch(registry, batchOf(1, paths, 2))
      const readers = { registry: await open('registry'), status: await open('status') }
      for (const r of [status, readers.status]) {
        expect(await r.getCheckpoint()).toBeNull()
        expect(await r.getStagedCheckpoint()).toBeNull()
        for (const p of paths) expect(await r.getObject(p)).toBeNull()
      }
      await publishBatch(status, batchOf(7, [...paths, 'tile/1/000.p/1'], 2))
      await registry.stage(batchOf(3, ['tile/0/000.p/3'], 3))
      for (const r of [registry, readers.registry]) {
        expect(await r.getCheckpoint()).toEqual(cosigned(batchOf(1, paths, 2).checkpoint))
        expect(await r.getStagedCheckpoint()).toEqual(batchOf(3, ['tile/0/000.p/3'], 3).checkpoint)
        for (const p of paths) expect(await r.getObject(p)).toEqual(bytesFor(p, 1))
        expect(await r.getObject('tile/1/000.p/1')).toBeNull()
      }
      for (const r of [status, readers.status]) {
        expect(await r.getCheckpoint()).toEqual(cosigned(batchOf(7, [...paths, 'tile/1/000.p/1'], 2).checkpoint))
        expect(await r.getStagedCheckpoint()).toEqual(batchOf(7, [...paths, 'tile/1/000.p/1'], 2).checkpoint)
        for (const p of paths) expect(await r.getObject(p)).toEqual(bytesFor(p, 7))
        expect(await r.getObject('tile/0/000.p/3')).toBeNull()
      }
    })

    it('each log has its own sequencer lock', async () => {
      const registry = await open('registry')
      await registry.acquireSequencerLock()
      const status = await open('status')
      await status.acquireSequencerLock() // not refused: another log
      expect(await codeOf((await open('registry')).acquireSequencerLock())).toBe('ERR_LEDGER_LOCKED')
      expect(await codeOf((await open('status')).acquireSequencerLock())).toBe('ERR_LEDGER_LOCKED')
      await registry.close()
      await (await open('registry')).acquireSequencerLock()
      expect(await codeOf((await open('status')).acquireSequencerLock())).toBe('ERR_LEDGER_LOCKED')
    })
  })
}

function logContract(h: StorageHarness, log: 'registry' | 'status'): void {
  describe(`LogStorage contract: ${h.kind}, ${log} log`, () => {
    let openLog: LogOpener
    let opened: LogStorage[] = []
    const open = async (): Promise<LogStorage> => {
      const s = await openLog()
      opened.push(s)
      return s
    }
    const sequencer = async (): Promise<LogStorage> => {
      const s = await open()
      await s.acquireSequencerLock()
      return s
    }

    beforeEach(async () => {
      const ledger = await h.freshLedger()
      openLog = () => ledger(log)
    })
    afterEach(async () => {
      await Promise.all(opened.map((s) => s.close()))
      opened = []
    })

    it(`reports its kind`, async () => {
      expect((await open()).kind).toBe(h.kind)
    })

    it('an empty log has no checkpoints and no objects', async () => {
      const s = await open()
      expect(await s.getCheckpoint()).toBeNull()
      expect(await s.getStagedCheckpoint()).toBeNull()
      expect(await s.getObject('tile/0/000')).toBeNull()
      expect(await s.getObject('tile/entries/000.p/1')).toBeNull()
    })

    it('stage, then every object and the staged checkpoint read back byte for byte (from this and another instance); publishCheckpoint then sets the published one', async () => {
      const s = await sequencer()
      const objects: StoredObject[] = [
        { path: 'tile/entries/000.p/3', bytes: bytesFor('e', 1, 300) },
        { path: 'tile/0/000.p/3', bytes: bytesFor('t', 1, 96) },
        { path: 'tile/0/x001/x234/067', bytes: new Uint8Array([0, 255, 0, 10, 13, 0x5c, 0x27, 0]) }, // NUL, \n, \r, \, '
        { path: 'tile/1/000.p/1', bytes: new Uint8Array(32).fill(0xab) },
      ]
      const checkpoint = checkpointFor(3, objects.map((o) => o.path))
      await s.stage({ objects, checkpoint })
      const reader = await open()
      for (const r of [s, reader]) {
        expect(await r.getStagedCheckpoint()).toEqual(checkpoint)
        expect(await r.getCheckpoint()).toBeNull() // staged is not published
        for (const o of objects) expect(await r.getObject(o.path)).toEqual(o.bytes)
      }
      await s.publishCheckpoint(cosigned(checkpoint))
      for (const r of [s, reader]) {
        expect(await r.getCheckpoint()).toEqual(cosigned(checkpoint))
        expect(await r.getStagedCheckpoint()).toEqual(checkpoint)
      }
      // a plain Uint8Array (not a Buffer subclass), exactly the bytes
      const got = (await reader.getObject(objects[0]!.path))!
      expect(Object.getPrototypeOf(got)).toBe(Uint8Array.prototype)
      expect(got.byteLength).toBe(300)
    })

    it('later batches supersede both checkpoints; objects of earlier batches stay', async () => {
      const s = await sequencer()
      const b1 = batchOf(1, ['tile/entries/000.p/1', 'tile/0/000.p/1'])
      const b2 = batchOf(2, ['tile/entries/000.p/2', 'tile/0/000.p/2'])
      const b3 = batchOf(3, ['tile/entries/000.p/3', 'tile/0/000.p/3'])
      await publishBatch(s, b1)
      await publishBatch(s, b2)
      await s.stage(b3)
      const r = await open()
      expect(await r.getCheckpoint()).toEqual(cosigned(b2.checkpoint))
      expect(await r.getStagedCheckpoint()).toEqual(b3.checkpoint)
      await s.publishCheckpoint(cosigned(b3.checkpoint))
      expect(await r.getCheckpoint()).toEqual(cosigned(b3.checkpoint))
      for (const o of [...b1.objects, ...b2.objects, ...b3.objects]) expect(await r.getObject(o.path)).toEqual(o.bytes)
    })

    it('a missing path reads as null, also next to existing ones', async () => {
      const s = await sequencer()
      await publishBatch(s, batchOf(1, ['tile/0/000.p/1']))
      for (const p of ['tile/0/000', 'tile/0/000.p/2', 'tile/0/001', 'tile/1/000.p/1', 'tile/entries/000.p/1', 'tile/0/x001/000']) {
        expect(await s.getObject(p)).toBeNull()
      }
    })

    it('an object beyond the published tree may be overwritten by a later stage; identical rewrites are fine', async () => {
      const s = await sequencer()
      await s.stage(batchOf(1, ['tile/0/000.p/5', 'tile/entries/000.p/5']))
      await s.stage(batchOf(2, ['tile/0/000.p/5', 'tile/entries/000.p/5'], 5))
      const r = await open()
      expect(await r.getObject('tile/0/000.p/5')).toEqual(bytesFor('tile/0/000.p/5', 2))
      expect(await r.getObject('tile/entries/000.p/5')).toEqual(bytesFor('tile/entries/000.p/5', 2))
      await s.stage(batchOf(2, ['tile/0/000.p/5'], 5))
      expect(await r.getObject('tile/0/000.p/5')).toEqual(bytesFor('tile/0/000.p/5', 2))
      expect(await r.getStagedCheckpoint()).toEqual(batchOf(2, ['tile/0/000.p/5'], 5).checkpoint)
    })

    it('publishCheckpoint alone replaces just the published note (e.g. more cosignatures); a stage with no objects just the staged one', async () => {
      const s = await sequencer()
      const b = batchOf(1, ['tile/0/000.p/1'])
      await publishBatch(s, b)
      const more = new Uint8Array([...cosigned(b.checkpoint), ...new TextEncoder().encode('— witness.test/w2 CCCC\n')])
      await s.publishCheckpoint(more)
      expect(await s.getCheckpoint()).toEqual(more)
      expect(await s.getStagedCheckpoint()).toEqual(b.checkpoint)
      const restaged = checkpointFor(1, ['tile/0/000.p/1', 'again'])
      await s.stage({ objects: [], checkpoint: restaged })
      expect(await s.getStagedCheckpoint()).toEqual(restaged)
      expect(await s.getCheckpoint()).toEqual(more)
      expect(await s.getObject('tile/0/000.p/1')).toEqual(bytesFor('tile/0/000.p/1', 1))
    })

    it.each(['../checkpoint', '/etc/passwd', 'checkpoint', 'checkpoint.staged', 'sequencer.lock', 'tile/0/../../checkpoint', 'tile/0/.000.1.tmp', 'tile/0/000/', 'tile//000', 'tile/0/0', ''])(
      'a path that is not a tlog-tiles path is a programmer error (TypeError): %j',
      async (path) => {
        const s = await sequencer()
        expect(await codeOf(s.getObject(path))).toBe('TypeError')
        expect(await codeOf(s.stage({ objects: [{ path, bytes: new Uint8Array(1) }], checkpoint: checkpointFor(1, []) }))).toBe('TypeError')
        expect(await s.getStagedCheckpoint()).toBeNull()
      },
    )

    it('malformed batches and notes are programmer errors and write nothing', async () => {
      const s = await sequencer()
      const cp = checkpointFor(1, [])
      const bad: unknown[] = [
        { objects: [], checkpoint: new Uint8Array() },
        { objects: [], checkpoint: 'text' },
        { objects: [{ path: 'tile/0/000', bytes: 'x' }], checkpoint: cp },
        { objects: [{ path: 'tile/0/000', bytes: new Uint8Array(1) }, { path: 'tile/0/000', bytes: new Uint8Array(1) }], checkpoint: cp },
        { checkpoint: cp },
      ]
      for (const b of bad) expect(await codeOf(s.stage(b as StageBatch))).toBe('TypeError')
      for (const n of [new Uint8Array(), 'text', null]) expect(await codeOf(s.publishCheckpoint(n as Uint8Array))).toBe('TypeError')
      expect(await s.getStagedCheckpoint()).toBeNull()
      expect(await s.getCheckpoint()).toBeNull()
      expect(await s.getObject('tile/0/000')).toBeNull()
    })

    it('writing without the sequencer lock is a programmer error', async () => {
      const s = await open()
      expect(await codeOf(s.stage(batchOf(1, ['tile/0/000.p/1'])))).toBe('TypeError')
      expect(await codeOf(s.publishCheckpoint(checkpointFor(1, [])))).toBe('TypeError')
      expect(await s.getStagedCheckpoint()).toBeNull()
      expect(await s.getCheckpoint()).toBeNull()
    })

    it('a second sequencer is refused with ERR_LEDGER_LOCKED while the first lives, and granted after close()', async () => {
      const first = await sequencer()
      await first.acquireSequencerLock() // re-acquiring one's own lock is a no-op
      const second = await open()
      expect(await codeOf(second.acquireSequencerLock())).toBe('ERR_LEDGER_LOCKED')
      expect(await codeOf(second.acquireSequencerLock())).toBe('ERR_LEDGER_LOCKED') // still, and no side effects
      await publishBatch(first, batchOf(1, ['tile/0/000.p/1']))
      // the refused one still reads
      expect(await second.getCheckpoint()).toEqual(cosigned(batchOf(1, ['tile/0/000.p/1']).checkpoint))
      await first.close()
      await second.acquireSequencerLock()
      await publishBatch(second, batchOf(2, ['tile/0/000.p/2']))
      const third = await open()
      expect(await codeOf(third.acquireSequencerLock())).toBe('ERR_LEDGER_LOCKED')
      expect(await third.getCheckpoint()).toEqual(cosigned(batchOf(2, ['tile/0/000.p/2']).checkpoint))
    })

    it('stages a large batch (300 objects over several directories, up to 64 KiB each)', async () => {
      const s = await sequencer()
      const paths: string[] = []
      for (let i = 0; i < 150; i++) paths.push(entryBundlePath({ index: i * 7, width: 256 }))
      for (let i = 0; i < 100; i++) paths.push(tilePath({ level: 0, index: 995 + i, width: 256 }))
      for (let i = 0; i < 50; i++) paths.push(tilePath({ level: 1 + (i % 3), index: i, width: 1 + i }))
      const objects = paths.map((path, i) => ({ path, bytes: bytesFor(path, 1, i % 10 === 0 ? 64 << 10 : 100 + i) }))
      const checkpoint = checkpointFor(300, ['large'])
      await s.stage({ objects, checkpoint })
      const r = await open()
      expect(await r.getStagedCheckpoint()).toEqual(checkpoint)
      const back = await Promise.all(objects.map((o) => r.getObject(o.path)))
      // (Buffer.equals: vitest's deep equality walks typed arrays element by element, seconds for MBs)
      const wrong = objects.filter((o, i) => !back[i] || !Buffer.from(back[i]!).equals(o.bytes)).map((o) => o.path)
      expect(wrong).toEqual([])
    })

    it('readers during writes see old or new checkpoints, never one (staged or published) whose objects are missing', async () => {
      const writer = await sequencer()
      const reader = await open()
      const BATCHES = 25
      let done = false
      let seen = 0
      const problems: string[] = []
      const check = async (which: string, note: Uint8Array | null): Promise<void> => {
        if (!note) return
        const { size, paths } = parseTestCheckpoint(note)
        seen++
        const objs = await Promise.all(paths.map((p) => reader.getObject(p)))
        objs.forEach((o, i) => {
          const p = paths[i]!
          if (o === null) problems.push(`${which} checkpoint ${size}: ${p} missing`)
          else if (!Buffer.from(o).equals(bytesFor(p, size))) problems.push(`${which} checkpoint ${size}: ${p} has other bytes`)
        })
      }
      const readOnce = async (): Promise<void> => {
        const [published, staged] = await Promise.all([reader.getCheckpoint(), reader.getStagedCheckpoint()])
        await Promise.all([check('published', published), check('staged', staged)])
        await new Promise((r) => setImmediate(r))
      }
      const readLoop = async (): Promise<void> => {
        while (!done) await readOnce().catch((e: unknown) => problems.push(`read failed: ${String(e)}`))
      }
      const readers = [readLoop(), readLoop(), readLoop()]
      // the readers stop when the writes end, also when a write fails
      try {
        for (let v = 1; v <= BATCHES; v++) {
          // like a real log: new bundles, a new (wider) partial tile, and more
          const paths = [entryBundlePath({ index: v, width: 256 }), tilePath({ level: 0, index: 0, width: v }), `tile/entries/x001/${String(v).padStart(3, '0')}`]
          const objects = Array.from({ length: 12 }, (_, j) => tilePath({ level: 2, index: v * 100 + j, width: 256 })).concat(paths)
          await publishBatch(writer, { objects: objects.map((path) => ({ path, bytes: bytesFor(path, v) })), checkpoint: checkpointFor(v, objects) })
        }
      } finally {
        done = true
      }
      await Promise.all(readers)
      expect(problems).toEqual([])
      expect(seen).toBeGreaterThan(0)
      expect(parseTestCheckpoint((await reader.getCheckpoint())!).size).toBe(BATCHES)
    })

    it('close() is idempotent, releases the lock, and later calls are refused with ERR_LEDGER_UNAVAILABLE', async () => {
      const s = await sequencer()
      await publishBatch(s, batchOf(1, ['tile/0/000.p/1']))
      await Promise.all([s.close(), s.close()])
      await s.close()
      expect(await codeOf(s.getCheckpoint())).toBe('ERR_LEDGER_UNAVAILABLE')
      expect(await codeOf(s.getStagedCheckpoint())).toBe('ERR_LEDGER_UNAVAILABLE')
      expect(await codeOf(s.getObject('tile/0/000.p/1'))).toBe('ERR_LEDGER_UNAVAILABLE')
      expect(await codeOf(s.stage(batchOf(2, ['tile/0/000.p/2'])))).toBe('ERR_LEDGER_UNAVAILABLE')
      expect(await codeOf(s.publishCheckpoint(checkpointFor(2, [])))).toBe('ERR_LEDGER_UNAVAILABLE')
      expect(await codeOf(s.acquireSequencerLock())).toBe('ERR_LEDGER_UNAVAILABLE')
      const next = await sequencer() // the lock was released
      expect(await next.getCheckpoint()).toEqual(cosigned(batchOf(1, ['tile/0/000.p/1']).checkpoint))
      const idle = await open()
      await idle.close()
      await idle.close()
    })

    it('close() waits for the writes in flight, which complete', async () => {
      const s = await sequencer()
      const b = batchOf(1, Array.from({ length: 40 }, (_, i) => tilePath({ level: 0, index: i, width: 256 })))
      const staging = s.stage(b)
      const publishing = s.publishCheckpoint(cosigned(b.checkpoint))
      await s.close()
      await Promise.all([staging, publishing])
      const r = await open()
      expect(await r.getStagedCheckpoint()).toEqual(b.checkpoint)
      expect(await r.getCheckpoint()).toEqual(cosigned(b.checkpoint))
    })
  })
}
