// One pid lock for every service (src/node/pid-lock.ts), as the issuer, the witness and the
// ledger's sequencer use it: a lock naming a zombie (a real one: exited, not reaped by its
// parent) or a reused pid (a live process with another start time) is taken over — a restart
// right after kill -9 is not refused — while a live holder still refuses, each service with its
// own code; a file it did not write is refused and left alone; release leaves a lock taken over.
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { acquirePidLock, pidLockHolder, pidLockStillHeld, procStat, releasePidLock } from '../../src/node/pid-lock.ts'
import { initIssuer, IssuerService } from '../../src/issuer/service.ts'
import { LOCK_FILE, lockHolder } from '../../src/issuer/store.ts'
import { WitnessState, WITNESS_LOCK_FILE } from '../../src/ledger/witness/state.ts'
import { openFsStorage } from '../../src/ledger/storage/fs.ts'
import { PSB, PSB_NAME, STATUS_BASE, unreachableTrust } from '../issuer/_world.ts'

const dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'civic-pid-lock-'))
  dirs.push(d)
  return d
}
const children: ChildProcess[] = []
const exited = (c: ChildProcess): Promise<unknown> => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)))
afterEach(async () => {
  for (const c of children.splice(0)) {
    c.kill('SIGKILL')
    await exited(c)
  }
})
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})
const codeOf = (p: Promise<unknown>) => p.then(() => 'no error', (e) => (e as { code?: string }).code)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d) => {
      out += d
      const m = /^(\d+)\n/.exec(out)
      if (m) resolve(m[1]!)
    })
    child.once('exit', (code) => reject(new Error(`exited (${code}) before printing a pid`)))
  })
}

/**
 * A real zombie: sh starts `sleep 0.1` in the background, prints its pid, then becomes
 * `sleep 5`, which never reaps it (the background sleep outlives the exec, so it always ends as
 * the child of `sleep`). kill(pid, 0) succeeds on it, as it does on a process `kill -9` just
 * ended whose parent has not yet waited for it.
 */
async function zombie(): Promise<{ pid: number; start: string }> {
  const parent = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] })
  children.push(parent)
  const pid = Number(await firstLine(parent))
  for (let i = 0; i < 200 && procStat(pid)?.state !== 'Z'; i++) await sleep(10)
  const st = procStat(pid)
  expect(st?.state).toBe('Z')
  expect(() => process.kill(pid, 0)).not.toThrow() // what the old lock took for a live holder
  return { pid, start: st!.start }
}

/** A live process we own, and its start time. */
async function live(): Promise<{ pid: number; start: string }> {
  const c = spawn('sleep', ['5'], { stdio: 'ignore' })
  children.push(c)
  for (let i = 0; i < 200 && !procStat(c.pid!); i++) await sleep(10)
  return { pid: c.pid!, start: procStat(c.pid!)!.start }
}

/** The three services' locks, each opened the way the service opens it. */
const services = [
  {
    name: 'issuer', code: 'ERR_ISSUER_LOCKED',
    async prepare() {
      const d = tempDir()
      const trust = unreachableTrust()
      await initIssuer(d, { did: PSB, name: PSB_NAME, statusListBase: STATUS_BASE, ledger: trust })
      return { lock: join(d, LOCK_FILE), open: async () => (await IssuerService.open(d)).close() }
    },
  },
  {
    name: 'witness', code: 'ERR_LEDGER_LOCKED',
    async prepare() {
      const d = tempDir()
      return { lock: join(d, WITNESS_LOCK_FILE), open: async () => (await WitnessState.open({ dataDir: d, name: 'witness.example/w1' })).close() }
    },
  },
  {
    name: 'ledger sequencer', code: 'ERR_LEDGER_LOCKED',
    async prepare() {
      const d = tempDir()
      mkdirSync(join(d, 'registry'))
      return {
        lock: join(d, 'registry', 'sequencer.lock'),
        open: async () => {
          const s = await openFsStorage({ dataDir: d, log: 'registry' })
          try {
            await s.acquireSequencerLock()
          } finally {
            await s.close()
          }
        },
      }
    },
  },
]

describe.each(services)('the $name lock', (svc) => {
  it('takes over a lock naming a zombie', async () => {
    const { lock, open } = await svc.prepare()
    const z = await zombie()
    for (const content of [`${z.pid}\n${z.start}\n0123456789abcdef\n`, `${z.pid}\n`]) {
      writeFileSync(lock, content)
      await open()
    }
  })

  it('takes over a lock naming a reused pid (a live process with another start time)', async () => {
    const { lock, open } = await svc.prepare()
    const other = await live()
    writeFileSync(lock, `${other.pid}\n${Number(other.start) - 1}\n0123456789abcdef\n`)
    await open()
  })

  it('refuses while a live holder has it, with its code, and leaves the lock alone', async () => {
    const { lock, open } = await svc.prepare()
    const other = await live()
    for (const content of [`${other.pid}\n${other.start}\n0123456789abcdef\n`, `${other.pid}\n`]) {
      writeFileSync(lock, content)
      expect(await codeOf(open())).toBe(svc.code)
      expect(readFileSync(lock, 'utf8')).toBe(content)
    }
    writeFileSync(lock, 'hello\n')
    expect(await codeOf(open())).toBe(svc.code)
    expect(readFileSync(lock, 'utf8')).toBe('hello\n')
  })
})

describe('pid lock', () => {
  it('records pid, start time and a token; is live only while held; release removes only its own', async () => {
    const path = join(tempDir(), 'x.lock')
    const lock = await acquirePidLock(path, 'x', 'ERR_ISSUER_LOCKED', 'ERR_ISSUER_STORAGE')
    expect(readFileSync(path, 'utf8')).toMatch(new RegExp(`^${process.pid}\\n${procStat(process.pid)!.start}\\n[0-9a-f]{16}\\n$`))
    expect(await pidLockHolder(path)).toBe(process.pid)
    expect(await codeOf(acquirePidLock(path, 'x', 'ERR_ISSUER_LOCKED', 'ERR_ISSUER_STORAGE'))).toBe('ERR_ISSUER_LOCKED') // held here already
    expect(await pidLockStillHeld(lock)).toBe(true)
    // taken over by another process: no longer ours, and release leaves the new holder's file
    const other = await live()
    rmSync(path)
    writeFileSync(path, `${other.pid}\n${other.start}\n`)
    expect(await pidLockStillHeld(lock)).toBe(false)
    await releasePidLock(lock)
    expect(readFileSync(path, 'utf8')).toBe(`${other.pid}\n${other.start}\n`)
    // a lock naming this process that it does not hold is stale
    writeFileSync(path, `${process.pid}\n${procStat(process.pid)!.start}\n`)
    expect(await pidLockHolder(path)).toBeNull()
    const again = await acquirePidLock(path, 'x', 'ERR_ISSUER_LOCKED', 'ERR_ISSUER_STORAGE')
    await releasePidLock(again)
    expect(() => readFileSync(path)).toThrow(/ENOENT/)
  })

  it('an issuer whose last process is a zombie starts at once, and the CLI sees no holder', async () => {
    const d = tempDir()
    const trust = unreachableTrust()
    await initIssuer(d, { did: PSB, name: PSB_NAME, statusListBase: STATUS_BASE, ledger: trust })
    // the holder's pid, ended (as by kill -9) and left unreaped by its parent
    const z = await zombie()
    writeFileSync(join(d, LOCK_FILE), `${z.pid}\n${z.start}\n0123456789abcdef\n`)
    expect(await lockHolder(d)).toBeNull()
    const svc = await IssuerService.open(d)
    expect(await lockHolder(d)).toBe(process.pid)
    await svc.close()
    expect(await lockHolder(d)).toBeNull()
  })
})
