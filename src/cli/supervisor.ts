/**
 * A small process supervisor for `civic start`: each service runs as its own `civic …`
 * process, so one service's crash, descriptor exhaustion or stuck event loop leaves the others
 * answering.
 *
 * - A child is ready when it prints its first JSON line with a `url` on standard output (every
 *   `civic … serve` does); its later output and its standard error go to the supervisor's
 *   standard error, each line prefixed with the child's name.
 * - A child that exits without being asked to is restarted after a backoff that doubles from
 *   0.5 s up to 10 s (reset once it has stayed up for a minute); each exit and restart is logged.
 * - `stopAll` sends SIGTERM to every child and SIGKILL to those still running after a bound.
 * - Each child has an IPC channel to the supervisor and stops when that channel closes
 *   (`followSupervisor`), so killing the supervisor, even with SIGKILL, stops them all.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { CivicError } from '../core/errors.ts'

const BIN = join(import.meta.dirname, 'bin.mjs')
const MIN_BACKOFF_MS = 500
const MAX_BACKOFF_MS = 10_000
const HEALTHY_MS = 60_000
/** Set in each child's environment: only a process started by the supervisor follows it. */
const SUPERVISED_ENV = 'CIVIC_SUPERVISED'

/** In a child of `civic start`: stop (as on SIGTERM) once the supervisor's IPC channel closes. */
export function followSupervisor(): void {
  if (process.env[SUPERVISED_ENV] !== '1') return
  // Started by a supervisor that is already gone (its channel closed before this ran): stop now.
  if (!process.channel || !process.connected) process.exit(0)
  process.channel.unref()
  process.once('disconnect', () => {
    if (process.listenerCount('SIGTERM') > 0) process.emit('SIGTERM', 'SIGTERM')
    else process.exit(0)
  })
}

export interface ChildSpec {
  /** e.g. ledger, witness-1, issuer-psb, app */
  name: string
  /** Arguments of `civic` (src/cli/bin.mjs). */
  args: string[]
  /** How long to wait for the ready line (default 60 s). */
  readyTimeoutMs?: number
}

export interface Ready {
  url: string
  [k: string]: unknown
}

export class Supervised {
  readonly spec: ChildSpec
  process: ChildProcess | null = null
  /** The ready line of the latest start. */
  ready: Ready | null = null
  restarts = 0
  #stopping = false
  #backoff = MIN_BACKOFF_MS
  #timer: NodeJS.Timeout | null = null
  readonly #log: (line: string) => void

  constructor(spec: ChildSpec, log: (line: string) => void) {
    this.spec = spec
    this.#log = log
  }

  get pid(): number | undefined {
    return this.process?.pid ?? undefined
  }

  /** Start the child; resolves with its ready line. Rejects (ERR_CLI_USAGE) when it exits first. */
  start(): Promise<Ready> {
    const child = spawn(process.execPath, [BIN, ...this.spec.args], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, [SUPERVISED_ENV]: '1' } })
    this.process = child
    const startedAt = Date.now()
    let tail = ''
    const name = this.spec.name
    const err = createInterface({ input: child.stderr! })
    err.on('line', (l) => {
      tail = `${tail}${l}\n`.slice(-2000)
      this.#log(`[${name}] ${l}`)
    })
    return new Promise<Ready>((resolve, reject) => {
      let ready = false
      const out = createInterface({ input: child.stdout! })
      out.on('line', (l) => {
        if (ready) return this.#log(`[${name}] ${l}`)
        let v: unknown
        try {
          v = JSON.parse(l)
        } catch {
          return this.#log(`[${name}] ${l}`)
        }
        if (typeof v === 'object' && v !== null && typeof (v as Ready).url === 'string') {
          ready = true
          clearTimeout(timeout)
          this.ready = v as Ready
          resolve(v as Ready)
        }
      })
      const timeout = setTimeout(() => {
        if (ready) return
        child.kill('SIGKILL')
        reject(new CivicError('ERR_CLI_USAGE', `${name} was not ready within ${this.spec.readyTimeoutMs ?? 60_000} ms: ${tail}`))
      }, this.spec.readyTimeoutMs ?? 60_000)
      child.once('exit', (code, signal) => {
        clearTimeout(timeout)
        if (!ready) return reject(new CivicError('ERR_CLI_USAGE', `${name} exited (${signal ?? code}) before it was ready: ${tail.trim()}`))
        if (this.#stopping) return
        if (Date.now() - startedAt > HEALTHY_MS) this.#backoff = MIN_BACKOFF_MS
        this.#restartLater(`${name} exited (${signal ?? `code ${code}`})`)
      })
    })
  }

  /** Start again after the current backoff (doubling up to its cap); a failed start tries again. */
  #restartLater(why: string): void {
    const delay = this.#backoff
    this.#backoff = Math.min(MAX_BACKOFF_MS, this.#backoff * 2)
    this.#log(`${why}; restarting in ${delay} ms`)
    this.#timer = setTimeout(() => {
      this.#timer = null
      if (this.#stopping) return
      this.restarts++
      this.start().then(
        (r) => this.#log(`${this.spec.name} restarted (pid ${this.pid}) at ${r.url}`),
        (e) => {
          if (!this.#stopping) this.#restartLater(`${this.spec.name} did not restart: ${(e as Error).message.slice(0, 500)}`)
        },
      )
    }, delay)
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
  async stop(graceMs = 5_000): Promise<void> {
    this.#stopping = true
    if (this.#timer) clearTimeout(this.#timer)
    const child = this.process
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((r) => child.once('exit', () => r()))
    child.kill('SIGTERM')
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs)
    await exited
    clearTimeout(t)
  }
}

/** Stop every child at once (SIGTERM each, SIGKILL after the bound). */
export async function stopAll(children: readonly Supervised[], graceMs = 5_000): Promise<void> {
  await Promise.all(children.map((c) => c.stop(graceMs)))
}
