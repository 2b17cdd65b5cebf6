// The fs backend: the shared contract, plus what only files have (lock files, temp files, layout).
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { parseTilePath } from '../../src/core/log/tiles.ts'
import { openFsStorage } from '../../src/ledger/storage/fs.ts'
import { openStorage } from '../../src/ledger/storage/open.ts'
import type { LogStorage } from '../../src/ledger/storage/types.ts'
import { PROJECT_ROOT } from '../support/vectors.ts'
import { batchOf, bytesFor, checkpointFor, codeOf, cosigned, publishBatch, storageContract } from './storage.contract.ts'

const dirs: string[] = []
function tempDataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'civic-fs-'))
  dirs.push(d)
  return d
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

storageContract({
  kind: 'fs',
  async freshLedger() {
    const dataDir = tempDataDir()
    return (log) => openFsStorage({ dataDir, log })
  },
})

/** Every file under dir, relative to it. */
function walk(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name), base) : [relative(base, join(dir, e.name))],
  )
}

function procStart(pid: number): string {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return s.slice(s.lastIndexOf(')') + 2).split(' ')[19]!
}

function waitForLine(child: ChildProcess, re: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d) => {
      out += d
      const m = re.exec(out)
      if (m) resolve(m[0])
    })
    child.stderr!.on('data', (d) => (out += d))
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before ${re}: ${out}`)))
  })
}

const exited = (c: ChildProcess): Promise<void> => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', () => r())))

describe('fs backend specifics', () => {
  const open: LogStorage[] = []
  const children: ChildProcess[] = []
  const track = <T extends LogStorage>(s: T): T => (open.push(s), s)
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()))
    for (const c of children.splice(0)) {
      c.kill('SIGKILL')
      await exited(c)
    }
  })

  /** A process we start and own: `sleep` that stays alive until the test ends. */
  function liveProcess(): ChildProcess {
    const c = spawn('sleep', ['60'], { stdio: 'ignore' })
    children.push(c)
    return c
  }

  it('lays a log out as served: <dataDir>/<log>/checkpoint and tile paths, no temp files left', async () => {
    const dataDir = tempDataDir()
    const s = track(await openFsStorage({ dataDir, log: 'status' }))
    expect(readdirSync(dataDir)).toEqual([]) // opening creates nothing
    await s.acquireSequencerLock()
    const paths = ['tile/entries/000', 'tile/entries/001.p/7', 'tile/0/000', 'tile/0/001.p/7', 'tile/1/000.p/1', 'tile/0/x001/x002/003']
    const b = batchOf(1, paths)
    await publishBatch(s, b)
    await s.stage(batchOf(2, ['tile/0/001.p/8', 'tile/entries/001.p/8']))
    const files = walk(join(dataDir, 'status')).sort()
    expect(files).toEqual([...paths, 'tile/0/001.p/8', 'tile/entries/001.p/8', 'checkpoint', 'checkpoint.staged', 'sequencer.lock'].sort())
    for (const f of files.filter((f) => f.startsWith('tile/'))) {
      expect(() => parseTilePath(f)).not.toThrow()
      expect(readFileSync(join(dataDir, 'status', f))).toEqual(Buffer.from(bytesFor(f, f.endsWith('/8') ? 2 : 1)))
    }
    expect(readFileSync(join(dataDir, 'status', 'checkpoint'))).toEqual(Buffer.from(cosigned(b.checkpoint)))
    expect(readFileSync(join(dataDir, 'status', 'checkpoint.staged'))).toEqual(Buffer.from(batchOf(2, ['tile/0/001.p/8', 'tile/entries/001.p/8']).checkpoint))
  })

  it('the lock file holds our PID and start time, and close() removes it', async () => {
    const dataDir = tempDataDir()
    const s = await openFsStorage({ dataDir, log: 'status' })
    await s.acquireSequencerLock()
    const lock = join(dataDir, 'status', 'sequencer.lock')
    expect(readFileSync(lock, 'utf8')).toMatch(new RegExp(`^${process.pid}\\n${procStart(process.pid)}\\n[0-9a-f]{16}\\n$`))
    await s.close()
    expect(() => statSync(lock)).toThrow(/ENOENT/)
    expect(readdirSync(join(dataDir, 'status'))).toEqual([])
  })

  it('a stale lock from a dead PID is taken over', async () => {
    const dataDir = tempDataDir()
    const dead = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
    await exited(dead)
    mkdirSync(join(dataDir, 'status'))
    writeFileSync(join(dataDir, 'status', 'sequencer.lock'), `${dead.pid}\n123\n`)
    const s = track(await openFsStorage({ dataDir, log: 'status' }))
    await s.acquireSequencerLock()
    expect(readFileSync(join(dataDir, 'status', 'sequencer.lock'), 'utf8')).toMatch(new RegExp(`^${process.pid}\\n`))
    await publishBatch(s, batchOf(1, ['tile/0/000.p/1']))
  })

  it('a lock held by a zombie (exited, not yet reaped) counts as dead', async () => {
    // sh starts `sleep 0`, prints its PID, then becomes `sleep 60`, which never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'pipe'] })
    children.push(parent)
    const zombie = Number(await waitForLine(parent, /^\d+\n/))
    for (let i = 0; i < 200 && !/^Z/.test(readFileSync(`/proc/${zombie}/stat`, 'utf8').split(') ')[1]!); i++) await new Promise((r) => setTimeout(r, 10))
    expect(() => process.kill(zombie, 0)).not.toThrow() // kill(pid, 0) alone would call it alive
    const dataDir = tempDataDir()
    mkdirSync(join(dataDir, 'status'))
    writeFileSync(join(dataDir, 'status', 'sequencer.lock'), `${zombie}\n\n`)
    const s = track(await openFsStorage({ dataDir, log: 'status' }))
    await s.acquireSequencerLock()
  })

  it('a lock whose PID is alive is refused; the same PID with another start time (PID reused) is taken over', async () => {
    const other = liveProcess()
    await new Promise((r) => setTimeout(r, 50))
    const dataDir = tempDataDir()
    mkdirSync(join(dataDir, 'status'))
    const lock = join(dataDir, 'status', 'sequencer.lock')
    const s = track(await openFsStorage({ dataDir, log: 'status' }))
    for (const content of [`${other.pid}\n${procStart(other.pid!)}\n`, `${other.pid}\n\n`]) {
      writeFileSync(lock, content)
      expect(await codeOf(s.acquireSequencerLock())).toBe('ERR_LEDGER_LOCKED')
      expect(readFileSync(lock, 'utf8')).toBe(content) // untouched
    }
    writeFileSync(lock, `${other.pid}\n1\n`)
    await s.acquireSequencerLock()
  })

  it('a lock file it did not write is refused, with a hint, and left alone', async () => {
    const dataDir = tempDataDir()
    mkdirSync(join(dataDir, 'status'))
    writeFileSync(join(dataDir, 'status', 'sequencer.lock'), 'hello\n')
    const s = track(await openFsStorage({ dataDir, log: 'status' }))
    await expect(s.acquireSequencerLock()).rejects.toThrow(/not a lock file this program wrote/)
    expect(readFileSync(join(dataDir, 'status', 'sequencer.lock'), 'utf8')).toBe('hello\n')
  })

  it('the lock dies with its holder process: refused while another process holds it, taken over after it is SIGKILLed', async () => {
    const dataDir = tempDataDir()
    const script = join(dataDir, 'holder.mjs')
    writeFileSync(
      script,
      `const { openFsStorage } = await import(${JSON.stringify(pathToFileURL(join(PROJECT_ROOT, 'src/ledger/storage/fs.ts')).href)})
       const s = await openFsStorage({ dataDir: ${JSON.stringify(dataDir)}, log: 'status' })
       await s.acquireSequencerLock()
       console.log('locked')
       setInterval(() => {}, 1000)`,
    )
    const holder = spawn(process.execPath, ['--import', 'tsx', script], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    children.push(holder)
    await waitForLine(holder, /locked/)
    const s = track(await openFsStorage({ dataDir, log: 'status' }))
    expect(await codeOf(s.acquireSequencerLock())).toBe('ERR_LEDGER_LOCKED')
    holder.kill('SIGKILL')
    await exited(holder)
    await s.acquireSequencerLock()
    await publishBatch(s, batchOf(1, ['tile/0/000.p/1']))
  })

  it('a stage that fails part-way leaves the old checkpoints, no temp files, and throws ERR_LEDGER_STORAGE', async () => {
    const dataDir = tempDataDir()
    const s = track(await openFsStorage({ dataDir, log: 'status' }))
    await s.acquireSequencerLock()
    const first = batchOf(1, ['tile/0/000.p/1'])
    await publishBatch(s, first)
    // Something in the way of one final name: rename() of a file over a non-empty directory fails.
    mkdirSync(join(dataDir, 'status', 'tile/0/000.p/3/blocker'), { recursive: true })
    const paths = Array.from({ length: 30 }, (_, i) => `tile/2/${String(i).padStart(3, '0')}`).concat('tile/0/000.p/3')
    const err = await s.stage(batchOf(3, paths)).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_LEDGER_STORAGE' })
    expect((err as Error).message).toMatch(/tile\/0\/000\.p\/3/)
    expect(await s.getStagedCheckpoint()).toEqual(first.checkpoint)
    expect(await s.getCheckpoint()).toEqual(cosigned(first.checkpoint))
    expect(walk(join(dataDir, 'status')).filter((f) => f.includes('.tmp'))).toEqual([])
    // and the log goes on once the obstacle is gone
    rmSync(join(dataDir, 'status', 'tile/0/000.p/3'), { recursive: true })
    await s.stage(batchOf(3, paths))
    expect(await s.getObject('tile/0/000.p/3')).toEqual(bytesFor('tile/0/000.p/3', 3))
  })

  it('a sequencer whose lock was taken over refuses to replace either checkpoint (ERR_LEDGER_LOCKED), and close() leaves the new lock', async () => {
    const dataDir = tempDataDir()
    const s = track(await openFsStorage({ dataDir, log: 'status' }))
    await s.acquireSequencerLock()
    await publishBatch(s, batchOf(1, ['tile/0/000.p/1']))
    const other = liveProcess()
    const lock = join(dataDir, 'status', 'sequencer.lock')
    rmSync(lock)
    writeFileSync(lock, `${other.pid}\n\n`)
    expect(await codeOf(s.stage(batchOf(2, ['tile/0/000.p/2'])))).toBe('ERR_LEDGER_LOCKED')
    expect(await codeOf(s.publishCheckpoint(cosigned(batchOf(2, ['tile/0/000.p/2']).checkpoint)))).toBe('ERR_LEDGER_LOCKED')
    expect(await s.getStagedCheckpoint()).toEqual(batchOf(1, ['tile/0/000.p/1']).checkpoint)
    expect(await s.getCheckpoint()).toEqual(cosigned(batchOf(1, ['tile/0/000.p/1']).checkpoint))
    expect(await s.getObject('tile/0/000.p/2')).toBeNull() // not even the objects: the check comes first
    expect(readdirSync(join(dataDir, 'status'), { recursive: true }).filter((n) => String(n).endsWith('.tmp'))).toEqual([]) // nor temp files left behind
    // asking again: refused while the other lives; granted once it is gone
    expect(await codeOf(s.acquireSequencerLock())).toBe('ERR_LEDGER_LOCKED')
    expect(await codeOf(s.stage(batchOf(2, ['tile/0/000.p/2'])))).toBe('ERR_LEDGER_LOCKED')
    const s2 = track(await openFsStorage({ dataDir, log: 'status' }))
    await s.close()
    expect(readFileSync(lock, 'utf8')).toBe(`${other.pid}\n\n`) // close() left the other's lock alone
    other.kill('SIGKILL')
    await exited(other)
    await s2.acquireSequencerLock()
    await publishBatch(s2, batchOf(2, ['tile/0/000.p/2']))
  })

  it('a missing or non-directory data directory is ERR_LEDGER_CONFIG', async () => {
    const base = tempDataDir()
    expect(await codeOf(openFsStorage({ dataDir: join(base, 'nope'), log: 'status' }))).toBe('ERR_LEDGER_CONFIG')
    writeFileSync(join(base, 'file'), 'x')
    expect(await codeOf(openFsStorage({ dataDir: join(base, 'file'), log: 'status' }))).toBe('ERR_LEDGER_CONFIG')
    const withLogFile = tempDataDir()
    writeFileSync(join(withLogFile, 'status'), 'x')
    expect(await codeOf(openFsStorage({ dataDir: withLogFile, log: 'status' }))).toBe('ERR_LEDGER_CONFIG')
    expect(await codeOf(openStorage({ dataDir: join(base, 'nope'), log: 'registry' }))).toBe('ERR_LEDGER_CONFIG')
  })

  it('openStorage() without a PostgreSQL URL opens the fs backend', async () => {
    const dataDir = tempDataDir()
    const s = track(await openStorage({ dataDir, log: 'registry' }))
    expect(s.kind).toBe('fs')
    await s.acquireSequencerLock()
    await s.publishCheckpoint(checkpointFor(0, []))
    expect(readFileSync(join(dataDir, 'registry', 'checkpoint'))).toEqual(Buffer.from(checkpointFor(0, [])))
  })
})
