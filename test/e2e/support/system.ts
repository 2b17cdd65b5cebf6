/**
 * The whole system as a newcomer starts it, for end-to-end tests: `civic start` as a real
 * process on a free block of ports with its own data directory, stopped with SIGINT (as
 * Ctrl-C would) and its directory removed afterwards; where its ledger is (both logs under one
 * URL) and the civic-config.json it wrote. And axe-core, run on a page as it stands.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { inject } from 'vitest'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { PROJECT_ROOT } from './app-server.ts'

/** Ports `civic start --port P` takes: P (app) … P + 12 (the second verifier's admin listener). */
const PORTS_ABOVE_BASE = 12

/** A base port with the ports above it free too; a bounded number of random tries. */
export async function freeBasePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 30000)
    const ok = await Promise.all(Array.from({ length: PORTS_ABOVE_BASE + 1 }, (_, d) => new Promise<boolean>((r) => {
      const s = createServer().once('error', () => r(false))
      s.listen(base + d, '127.0.0.1', () => s.close(() => r(true)))
    })))
    if (ok.every(Boolean)) return base
  }
  throw new Error('no free block of ports')
}

/** civic-config.json as `civic start` writes it (src/cli/start.ts). */
export interface CivicConfigJson {
  ledger: {
    /** The ledger's base URL, ending in `/`: the logs are at `<url>registry/` and `<url>status/`. */
    url: string
    root: string
    registry: { origin: string; vkey: string }
    status: { origin: string; vkey: string }
    witnesses: string[]
    quorum: number
  }
  issuers: { id: string; did: string; name: { 'zh-CN': string; en: string }; adminUrl: string }[]
  statusMirrors: Record<string, string>
  /** The verifiers' counter enrolment services (public URL, no trailing slash). */
  verifiers: { id: string; did: string; name: { 'zh-CN': string; en: string }; url: string }[]
}

export interface RunningSystem {
  /** The app's port (`--port`). */
  readonly port: number
  /** The ledger's base URL (`http://localhost:<port + 1>/`). */
  readonly ledgerUrl: string
  /** The civic-config.json the app is served with. */
  config(): Promise<CivicConfigJson>
  /** The data directory. */
  readonly data: string
  /** Everything it printed so far (stdout and stderr). */
  output(): string
  /** SIGINT, wait for the exit, remove the data directory. */
  stop(): Promise<void>
}

/** Starts `civic start` and resolves once it printed its URLs (the hook's timeout bounds the wait). */
export async function startSystem(prefix: string): Promise<RunningSystem> {
  const data = mkdtempSync(join(tmpdir(), prefix))
  const port = await freeBasePort()
  // The app is built once for the whole e2e run (build-once.ts), each system copying it.
  const prebuilt = inject('civicAppBuild')
  const args = ['start', '--data', data, '--port', String(port), ...(prebuilt ? ['--prebuilt', prebuilt] : [])]
  const child: ChildProcess = spawn(process.execPath, [join(PROJECT_ROOT, 'src/cli/bin.mjs'), ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGINT')
      await exited
    }
    rmSync(data, { recursive: true, force: true })
  }
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = () => output.includes('Ctrl-C stops it.') && (child.stdout!.off('data', onData), resolve())
      child.stdout!.on('data', onData)
      child.once('exit', (code) => reject(new Error(`civic start exited ${code}: ${output}`)))
    })
  } catch (e) {
    await stop()
    throw e
  }
  const config = async (): Promise<CivicConfigJson> => (await (await fetch(`http://localhost:${port}/civic-config.json`)).json()) as CivicConfigJson
  return { port, data, ledgerUrl: `http://localhost:${port + 1}/`, config, output: () => output, stop }
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: { target: string[] }[]
}

/** axe-core's serious and critical violations on the page as it stands, one line each. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol rather than added as a <script>: the app's CSP
  // (script-src 'self') rightly refuses inline scripts, and the test must not weaken it.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE)
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: AxeViolation[] }> } }).axe
    const r = await axe.run(document, { resultTypes: ['violations'] })
    return r.violations
  })
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`)
}
