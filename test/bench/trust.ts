/**
 * T1–T3: the trust engine (src/trust) in Debian's Chromium against the real ledger.
 *
 * The ledgers are trust-world.ts's (a registry of 10,000 entries; a status log of 10^5 or
 * 10^6 anchors), each served read-only by `startLedger` (src/ledger/service.ts). The bench page
 * (test/bench/browser, built by vite) is served by the app's static server. Bytes are counted
 * on the wire by a pass-through proxy in front of each server: response body bytes, what the
 * engine downloads, whatever it reports itself.
 *
 * - T1: a cold sync (empty IndexedDB: both logs' checkpoints, the whole registry) and the
 *   anchors of the device's three lists (entry + inclusion proof each), bytes from the ledger
 *   with 10^6 anchors ÷ with 10^5. The three status list tokens come from the status mirror,
 *   the same lists whatever the log's size; they are left out of both sides and shown in the note.
 * - T2: warm open of the engine filled by that sync, offline (the context's network off), in
 *   a freshly loaded page: config → TrustEngine.open → snapshot().ready, median of several opens
 *   (the raw registry entries, read only by the explorer, are read after and timed apart).
 * - T3: the registry part of the cold sync: bytes under /registry/ ÷ (entry bytes + 32 per entry).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'
import { readLedgerConfig } from '../../src/ledger/config.ts'
import { startLedger, type LedgerService } from '../../src/ledger/service.ts'
import { closeServer, listen } from '../../src/node/http.ts'
import { createStaticServer } from '../../src/node/static.ts'
import { launchBrowser, type BrowserSession } from '../e2e/support/browser.ts'
import type { ColdSyncResult, WarmOpenResult } from './browser/main.ts'
import type { Figure } from './measure.ts'
import { trustWorld, type TrustWorld, type WorldSize } from './trust-world.ts'

const HERE = dirname(fileURLToPath(import.meta.url))
const WARM_OPENS = 7

interface Counted {
  url: string
  /** Response body bytes by path, since the last reset. */
  bytes: Map<string, number>
  reset(): void
  total(prefix?: string): number
  close(): Promise<void>
}

/** A pass-through HTTP proxy to `target` that counts the body bytes of every answer. */
async function countingProxy(target: string): Promise<Counted> {
  const to = new URL(target)
  const bytes = new Map<string, number>()
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/'
    const upstream = request({ host: to.hostname, port: to.port, method: req.method, path, headers: { ...req.headers, host: to.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers)
      up.on('data', (c: Buffer) => bytes.set(path, (bytes.get(path) ?? 0) + c.length))
      up.pipe(res)
    })
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502)
      res.end()
    })
    req.pipe(upstream)
  })
  const url = `${await listen(server, 0, '127.0.0.1')}/`
  return {
    url, bytes,
    reset: () => bytes.clear(),
    total: (prefix = '/') => [...bytes].filter(([p]) => p.startsWith(prefix)).reduce((s, [, n]) => s + n, 0),
    close: () => closeServer(server),
  }
}

/** The status mirror: `<base>/issuer-NNNN/status/<n>` answers the token the current ledger anchors for that list. */
async function tokenMirror(world: TrustWorld): Promise<{ url: string; size: WorldSize; close(): Promise<void> }> {
  const state = { size: 'e5' as WorldSize }
  const server: Server = createServer((req, res) => {
    const m = /^\/(issuer-\d{4})\/status\/(\d+)$/.exec(req.url ?? '')
    const list = m ? world.lists.find((l) => l.uri === `https://${m[1]}.gov.example/status/${m[2]}`) : undefined
    const headers = { 'access-control-allow-origin': '*', 'cache-control': 'no-cache' }
    if (!list || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, headers).end()
      return
    }
    res.writeHead(200, { ...headers, 'content-type': 'application/statuslist+jwt' }).end(list.tokens[state.size])
  })
  const url = `${await listen(server, 0, '127.0.0.1')}/`
  return {
    url,
    get size() {
      return state.size
    },
    set size(s: WorldSize) {
      state.size = s
    },
    close: () => closeServer(server),
  }
}

/** civic-config.json's ledger and statusMirrors for a ledger reached at `ledgerUrl`. */
function configFor(world: TrustWorld, ledgerUrl: string, mirrorUrl: string): unknown {
  const bases = [...new Set(world.lists.map((l) => l.uri.slice(0, l.uri.lastIndexOf('/') + 1)))]
  return {
    ledger: {
      url: ledgerUrl, root: world.root,
      registry: { origin: world.registry.origin, vkey: world.registry.vkey },
      status: { origin: world.status.origin, vkey: world.status.vkey },
      witnesses: world.witnesses.map((w) => w.vkey), quorum: world.quorum,
    },
    statusMirrors: Object.fromEntries(bases.map((b) => [b, `${mirrorUrl}${new URL(b).hostname.split('.')[0]}/status/`])),
  }
}

async function buildPage(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'civic-bench-page-'))
  await build({ configFile: join(HERE, 'browser/vite.config.ts'), mode: 'production', build: { outDir } })
  return outDir
}

type Bench = { civicBench: { coldSync(s: unknown, db: string, uris: string[]): Promise<ColdSyncResult>; warmOpen(s: unknown, db: string): Promise<WarmOpenResult> } }

export async function benchTrust(): Promise<Figure[]> {
  const started = performance.now()
  const now = Math.floor(Date.now() / 1000)
  const notes: string[] = []
  const world = await trustWorld({ now, log: (l) => process.stdout.write(`# ${l}\n`) })
  notes.push(world.cached
    ? `ledgers reused from ${dirname(world.dataDir.e5)} (${world.version}, generated in ${world.seconds} s; delete it to regenerate)`
    : `ledgers generated in ${world.seconds} s into ${dirname(world.dataDir.e5)} (${world.version}); later runs reuse them`)

  const stops: (() => Promise<unknown>)[] = []
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch(() => {})
  }
  try {
    const outDir = await buildPage()
    stops.push(async () => rmSync(outDir, { recursive: true, force: true }))
    const ledgers = {} as Record<WorldSize, { service: LedgerService; proxy: Counted; startMs: number }>
    for (const size of ['e5', 'e6'] as const) {
      const t = performance.now()
      const config = await readLedgerConfig(world.dataDir[size])
      if (!config) throw new Error(`${world.dataDir[size]} has no ledger.json`)
      const service = await startLedger({ dataDir: world.dataDir[size], config, readOnly: true })
      stops.push(() => service.close())
      const proxy = await countingProxy(service.url)
      stops.push(() => proxy.close())
      ledgers[size] = { service, proxy, startMs: performance.now() - t }
    }
    const mirror = await tokenMirror(world)
    stops.push(() => mirror.close())
    const mirrorProxy = await countingProxy(mirror.url)
    stops.push(() => mirrorProxy.close())
    const page = createStaticServer({ dir: outDir, connect: [ledgers.e5.proxy.url, ledgers.e6.proxy.url, mirrorProxy.url].map((u) => new URL(u).origin) })
    const pageOrigin = await listen(page, 0, '127.0.0.1')
    stops.push(() => closeServer(page))
    const browser: BrowserSession = await launchBrowser()
    stops.push(() => browser.close())
    browser.context.setDefaultTimeout(600_000)
    const tab = browser.page
    const load = async () => {
      await tab.goto(`${pageOrigin}/`)
      await tab.waitForFunction(() => 'civicBench' in window)
    }

    // Cold syncs: T1, T3.
    const uris = world.lists.map((l) => l.uri)
    const cold = {} as Record<WorldSize, { r: ColdSyncResult; ledger: number; registry: number; anchors: number; tokens: number }>
    for (const size of ['e5', 'e6'] as const) {
      await load()
      mirror.size = size
      ledgers[size].proxy.reset()
      mirrorProxy.reset()
      const source = configFor(world, ledgers[size].proxy.url, mirrorProxy.url)
      const r = await tab.evaluate(([s, db, u]) => (window as unknown as Bench).civicBench.coldSync(s, db, u), [source, `bench-${size}`, uris] as const)
      if (!r.ok) throw new Error(`cold sync against the ${size} ledger failed: ${r.code}: ${r.detail}`)
      const bad = r.lists.filter((l) => l.refresh !== 'ok')
      if (bad.length > 0) throw new Error(`status refresh failed: ${JSON.stringify(bad)}`)
      const p = ledgers[size].proxy
      cold[size] = { r, ledger: p.total(), registry: p.total('/registry/'), anchors: p.total('/status/anchor/'), tokens: mirrorProxy.total() }
    }

    // Warm opens, offline: T2.
    const opens: number[] = []
    const configMs: number[] = []
    let warm: WarmOpenResult | undefined
    const source = configFor(world, ledgers.e6.proxy.url, mirrorProxy.url)
    const before = ledgers.e6.proxy.total()
    for (let i = 0; i < WARM_OPENS; i++) {
      await load()
      await browser.context.setOffline(true)
      try {
        warm = await tab.evaluate(([s, db]) => (window as unknown as Bench).civicBench.warmOpen(s, db), [source, 'bench-e6'] as const)
      } finally {
        await browser.context.setOffline(false)
      }
      if (!warm.ready) throw new Error('the engine opened from IndexedDB is not ready')
      if (warm.entries !== world.registry.size) throw new Error(`the stored registry holds ${warm.entries} entries, not ${world.registry.size}`)
      opens.push(warm.ms)
      configMs.push(warm.configMs)
    }
    if (ledgers.e6.proxy.total() !== before) throw new Error('a warm open reached the ledger')
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

    const regDenominator = world.registry.entryBytes + 32 * world.registry.size
    const e5 = cold.e5
    const e6 = cold.e6
    const seconds = ((performance.now() - started) / 1000).toFixed(0)
    return [
      {
        id: 'T1', what: 'cold browser sync bytes, 10^6 status anchors / 10^5', value: e6.ledger / e5.ledger, op: '<=', goal: 1.05,
        note: `registry of ${world.registry.size} entries; ${e6.ledger} bytes from the ledger with ${world.status.sizes.e6} anchors (anchors of ${uris.length} lists ${e6.anchors}), ${e5.ledger} with ${world.status.sizes.e5} (anchors ${e5.anchors}); ` +
          `the ${uris.length} status list tokens from the mirror (${e5.tokens} / ${e6.tokens} bytes) not counted; statuses read ${e6.r.lists.map((l) => l.status).join(', ')}; sync ${(e5.r.syncMs / 1000).toFixed(1)} s / ${(e6.r.syncMs / 1000).toFixed(1)} s in Chromium; ` +
          `read-only ledger start ${ledgers.e5.startMs.toFixed(0)} / ${ledgers.e6.startMs.toFixed(0)} ms; ${notes.join('; ')}`,
      },
      {
        id: 'T2', what: `warm open, offline, to trust-ready in Chromium, ${world.registry.size} registry entries (ms)`, value: median(opens), op: '<=', goal: 100,
        note: `median of ${opens.length} opens from IndexedDB, each in a freshly loaded page with the network off (${opens.map((x) => x.toFixed(0)).join(', ')} ms; reading the config ${median(configMs).toFixed(1)} ms of it); ${warm?.issuers} issuers; after ready, the explorer's read of the ${warm?.entries} raw entries took ${warm?.entriesMs.toFixed(0)} ms more`,
      },
      {
        id: 'T3', what: 'cold registry sync in Chromium, bytes / (entry bytes + 32 per entry)', value: e5.registry / regDenominator, op: '<=', goal: 1.1,
        note: `${e5.registry} bytes under /registry/ (checkpoint, tiles, bundles) for ${world.registry.entryBytes} bytes of ${world.registry.size} entries (engine's own count ${e5.r.reportedBytes ?? 'none'}); T1–T3 took ${seconds} s`,
      },
    ]
  } finally {
    await stopAll()
  }
}
