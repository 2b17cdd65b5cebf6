/**
 * A throwaway real PostgreSQL server for the Node test suite (stack notes, part D).
 *
 * - One server per test process (`sharedPg()`), a fresh database per test file
 *   (`freshDatabase()`, CREATE DATABASE ≈ 0.1 s instead of initdb ≈ 1.3 s).
 * - initdb into a mkdtemp dir under the system temp dir (short path: the unix socket path is
 *   limited to 107 bytes), `-E UTF8 --locale=C.UTF-8`, trust auth, durable defaults (fsync and
 *   synchronous_commit on: crash tests assert "acknowledged ⇒ present").
 * - As root, initdb and postgres run as the `postgres` user (they refuse root). postgres is
 *   started through `setpriv --pdeathsig SIGINT`, which execs: the child pid IS the postmaster,
 *   and the kernel fast-shuts it down even if this process is SIGKILLed.
 * - Readiness is probed on the PRIVATE unix socket (a TCP probe could reach someone else's
 *   listener on a reused port and hang), with a connect timeout; a port collision ("could not
 *   bind") is retried on a new port.
 * - Cleanup: process 'exit' (also reached from SIGINT/SIGTERM/SIGHUP) stops every live server
 *   synchronously and removes its dir; a SIGKILLed run leaves its dir, which `sweepStale()`
 *   removes at the next run once its postmaster is gone.
 * - Crash tests: `server.kill9()` then `server.launch()` (same data dir, new port; rebuild
 *   clients from `server.url()`).
 *
 * Binaries: $PG_BIN, else the newest /usr/lib/postgresql/<v>/bin. If there are none this THROWS
 * (tests fail, never skip): CI installs postgresql.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

export function pgBinDir(): string {
  const ok = (dir: string): boolean => existsSync(join(dir, 'postgres')) && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))
  const env = process.env.PG_BIN
  if (env) {
    if (!ok(env)) throw new Error(`PG_BIN=${env} holds no postgres, initdb and pg_ctl: fix PG_BIN or apt-get install -y postgresql`)
    return env
  }
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root) ? readdirSync(root).filter((v) => ok(join(root, v, 'bin'))) : []
  if (versions.length === 0) {
    throw new Error(
      'PostgreSQL server binaries not found (no $PG_BIN, nothing in /usr/lib/postgresql/*/bin). ' +
        'The PostgreSQL storage tests need a real server: apt-get install -y postgresql (CI does this), or set PG_BIN.',
    )
  }
  versions.sort((a, b) => Number(b) - Number(a))
  return join(root, versions[0]!, 'bin')
}

export interface PgServer {
  /** The temp dir: data/, the unix socket, owner.pid. */
  readonly dir: string
  /** Current TCP port on 127.0.0.1 (changes on every launch). */
  readonly port: number
  /** Connection URL for a database on this server (TCP, user postgres, trust auth). */
  url(database?: string): string
  config(database?: string): pg.ClientConfig
  /** (Re)start postgres on the existing data dir; resolves when it accepts connections. */
  launch(): Promise<void>
  /** Clean stop (fast shutdown) and removal of the temp dir. */
  stop(): Promise<void>
  /** SIGKILL the postmaster and wait until every backend is gone (then `launch()` recovers). */
  kill9(): Promise<void>
  isRunning(): boolean
}

export interface StartPgOptions {
  /** Extra `-c name=value` settings. */
  conf?: Record<string, string>
}

const PREFIX = 'pgt-'
const live = new Set<{ killSync(): void }>()
let hooked = false

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

function hasSetpriv(): boolean {
  return spawnSync('setpriv', ['--version'], { stdio: 'ignore', timeout: 10_000 }).status === 0
}

export async function startPg(opts: StartPgOptions = {}): Promise<PgServer> {
  const bin = pgBinDir()
  const dir = mkdtempSync(join(tmpdir(), PREFIX))
  const data = join(dir, 'data')
  writeFileSync(join(dir, 'owner.pid'), String(process.pid)) // lets sweepStale() of a later run clean up
  let ids: { uid?: number; gid?: number } = {}
  if (process.getuid?.() === 0) {
    const id = (flag: string): number => {
      try {
        return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', timeout: 10_000 }).trim())
      } catch {
        throw new Error('running as root, but there is no `postgres` user to run PostgreSQL as (it comes with the postgresql package)')
      }
    }
    ids = { uid: id('-u'), gid: id('-g') }
    chownSync(dir, ids.uid!, ids.gid!) // mkdtemp makes it 0700 root
  }
  // initdb with LANG unset silently picks SQL_ASCII; an ungenerated locale makes it fail.
  const env = { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' }
  const opt = { ...ids, cwd: dir, env }
  const tool = (name: string, args: string[]): void => {
    const r = spawnSync(join(bin, name), args, { ...opt, encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL' })
    if (r.status !== 0) throw new Error(`${name} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr}${r.error ?? ''}`)
  }
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    shared_buffers: '32MB',
    // /dev/shm is 64 MB in a default Docker container; mmap segments live in the data dir.
    dynamic_shared_memory_type: 'mmap',
    ...opts.conf,
  }
  const setpriv = hasSetpriv()
  let child: (ChildProcess & { exited?: Promise<void> }) | null = null
  let log = ''
  const running = (): boolean => child !== null && child.exitCode === null && child.signalCode === null

  const server = {
    dir,
    port: 0,
    url: (database = 'postgres') => `postgresql://postgres@127.0.0.1:${server.port}/${encodeURIComponent(database)}`,
    config: (database = 'postgres'): pg.ClientConfig => ({ host: '127.0.0.1', port: server.port, user: 'postgres', database }),

    async launch(): Promise<void> {
      if (running()) throw new Error('postgres is already running')
      for (let attempt = 0; attempt < 5; attempt++) {
        server.port = await freePort() // racy: a collision makes postgres exit with "could not bind", then we retry
        const args = ['-D', data, '-p', String(server.port)]
        for (const [k, v] of Object.entries(settings)) args.push('-c', `${k}=${v}`)
        log = ''
        // detached: false (the default) keeps postgres in our process group, so a terminal ^C reaches it too.
        const c: ChildProcess & { exited?: Promise<void> } = setpriv
          ? spawn('setpriv', ['--pdeathsig', 'SIGINT', '--', join(bin, 'postgres'), ...args], { ...opt, stdio: ['ignore', 'pipe', 'pipe'] })
          : spawn(join(bin, 'postgres'), args, { ...opt, stdio: ['ignore', 'pipe', 'pipe'] })
        c.stdout!.on('data', (d) => (log += d))
        c.stderr!.on('data', (d) => (log += d))
        // 'close' fires once every holder of the pipes is gone: the postmaster AND its backends.
        c.exited = new Promise((r) => c.once('close', () => r()))
        c.on('error', (e) => (log += `\nspawn error: ${e.message}`))
        child = c
        const t0 = Date.now()
        while (running() && Date.now() - t0 < 30_000) {
          const probe = new pg.Client({ host: dir, port: server.port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 1000 })
          probe.on('error', () => {})
          try {
            await probe.connect()
            await probe.end()
            return
          } catch {
            await probe.end().catch(() => {})
            await sleep(25)
          }
        }
        if (running()) {
          c.kill('SIGKILL')
          await c.exited
          throw new Error(`postgres did not accept connections within 30 s:\n${log}`)
        }
        await c.exited
        if (/could not bind/.test(log)) continue
        throw new Error(`postgres exited at start:\n${log}`)
      }
      throw new Error(`postgres found no free port in 5 attempts:\n${log}`)
    },

    async stop(): Promise<void> {
      if (running()) {
        // fast, never smart: smart shutdown would wait for a leaked Pool's connections.
        tool('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'])
        await child!.exited
      }
      live.delete(server)
      rmSync(dir, { recursive: true, force: true })
    },

    isRunning: running,

    async kill9(): Promise<void> {
      if (!running()) throw new Error('postgres is not running')
      child!.kill('SIGKILL')
      await child!.exited
    },

    /** For process 'exit': synchronous only. */
    killSync(): void {
      if (running()) spawnSync(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], { ...opt, stdio: 'ignore', timeout: 30_000, killSignal: 'SIGKILL' })
      rmSync(dir, { recursive: true, force: true })
    },
  }

  if (!hooked) {
    hooked = true
    process.on('exit', () => {
      for (const s of live) s.killSync()
    })
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => process.exit(130))
  }
  live.add(server)
  try {
    tool('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8', '-N'])
    await server.launch()
  } catch (e) {
    live.delete(server)
    if (running()) {
      child!.kill('SIGKILL')
      await child!.exited
    }
    rmSync(dir, { recursive: true, force: true })
    throw e
  }
  return server
}

/**
 * Remove the temp dirs of earlier runs that died without cleaning up (SIGKILL): their owner
 * process is gone and so is their postmaster (pdeathsig shut it down). A dir whose postmaster
 * still runs is left alone; we never kill processes we did not start.
 */
export function sweepStale(root = tmpdir()): void {
  const alive = (pid: number): boolean => {
    if (!(pid > 0)) return false
    try {
      process.kill(pid, 0)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false
    }
    try {
      // kill(pid, 0) succeeds on a zombie, and PID 1 here reaps lazily
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      return !/^[ZXx]/.test(stat.slice(stat.lastIndexOf(')') + 2))
    } catch {
      return true
    }
  }
  const pidIn = (file: string): number => {
    try {
      return Number(readFileSync(file, 'utf8').split('\n')[0])
    } catch {
      return 0
    }
  }
  let names: string[]
  try {
    names = readdirSync(root).filter((n) => n.startsWith(PREFIX))
  } catch {
    return
  }
  for (const name of names) {
    const dir = join(root, name)
    try {
      const owner = pidIn(join(dir, 'owner.pid'))
      const young = Date.now() - statSync(dir).mtimeMs < 60_000 // owner.pid may not be written yet
      if (owner ? alive(owner) : young) continue
      if (alive(pidIn(join(dir, 'data', 'postmaster.pid')))) continue
      rmSync(dir, { recursive: true, force: true })
    } catch {
      // another process swept it first
    }
  }
}

let shared: Promise<PgServer> | null = null

/** The one server of this test process (started on first use, after sweeping dead runs' dirs). */
export function sharedPg(): Promise<PgServer> {
  shared ??= (async () => {
    sweepStale()
    return startPg()
  })()
  shared.catch(() => (shared = null))
  return shared
}

export interface TestDatabase {
  readonly name: string
  readonly server: PgServer
  /** Its URL on the server's current port. */
  url(): string
  drop(): Promise<void>
}

let dbCounter = 0

/** A new, empty database on the shared server (one per test file). */
export async function freshDatabase(label = 'test'): Promise<TestDatabase> {
  const server = await sharedPg()
  const name = `${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${process.pid}_${++dbCounter}`
  await withAdmin(server, (c) => c.query(`CREATE DATABASE "${name}"`))
  return {
    name,
    server,
    url: () => server.url(name),
    drop: () => withAdmin(server, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  }
}

/** Run `fn` with a short-lived admin client on the `postgres` database. */
export async function withAdmin<T>(server: PgServer, fn: (c: pg.Client) => Promise<T>, database = 'postgres'): Promise<T> {
  const c = new pg.Client({ ...server.config(database), connectionTimeoutMillis: 5000 })
  c.on('error', () => {})
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end().catch(() => {})
  }
}
