/**
 * The bench page: the trust engine (src/trust) and nothing else, driven by test/bench/trust.ts
 * through `window.civicBench`. Each call takes civic-config.json's values and the IndexedDB
 * database to use, so every cold sync starts from an empty store and every warm open reads one
 * a sync filled.
 */
import { parseTrustConfig, TrustEngine, type TrustConfig } from '../../../src/trust/index.ts'

export interface ColdSyncResult {
  ok: boolean
  code?: string
  detail?: string
  /** Milliseconds from open to a finished registry + status sync. */
  syncMs: number
  /** The engine's own byte count of the sync. */
  reportedBytes: number | null
  registrySize: number | null
  statusSize: number | null
  /** Per list URI: 'ok' or the refresh's failure code, then the status of index 0. */
  lists: { uri: string; refresh: string; status: string }[]
}

export interface WarmOpenResult {
  /** Milliseconds from the config to a ready engine. */
  ms: number
  /** Of which reading the config (parseTrustConfig). */
  configMs: number
  ready: boolean
  issuers: number
  /** After ready: reading the registry's raw entries (what only the explorer needs), ms, and how many. */
  entriesMs: number
  entries: number
}

function config(source: unknown): TrustConfig {
  const c = parseTrustConfig(source)
  if (!c.ok) throw new Error(`${c.code}: ${c.detail}`)
  return c.value
}

const open = (source: unknown, dbName: string): Promise<TrustEngine> => TrustEngine.open(config(source), { dbName })

const bench = {
  async coldSync(source: unknown, dbName: string, uris: string[]): Promise<ColdSyncResult> {
    const t0 = performance.now()
    const engine = await open(source, dbName)
    try {
      const report = await engine.sync()
      const syncMs = performance.now() - t0
      if (!report.ok) return { ok: false, code: report.code, detail: report.detail, syncMs, reportedBytes: null, registrySize: null, statusSize: null, lists: [] }
      const lists: ColdSyncResult['lists'] = []
      for (const uri of uris) {
        const r = await engine.refreshStatus(uri)
        const s = engine.status(uri, 0, { now: Math.floor(Date.now() / 1000) })
        lists.push({ uri, refresh: r.ok ? 'ok' : r.code, status: s.state === 'unknown' ? `unknown (${s.code})` : s.state })
      }
      const snap = engine.snapshot()
      const bytes = (report.value as { bytes?: unknown }).bytes
      return {
        ok: true, syncMs, reportedBytes: typeof bytes === 'number' ? bytes : null,
        registrySize: snap.registry?.size ?? null, statusSize: snap.status?.size ?? null, lists,
      }
    } finally {
      engine.close()
    }
  },

  async warmOpen(source: unknown, dbName: string): Promise<WarmOpenResult> {
    const t0 = performance.now()
    const c = config(source)
    const configMs = performance.now() - t0
    const engine = await TrustEngine.open(c, { dbName })
    const snap = engine.snapshot()
    const ms = performance.now() - t0
    try {
      const t1 = performance.now()
      const entries = (await engine.entries()).length
      return { ms, configMs, ready: snap.ready, issuers: snap.issuers.length, entriesMs: performance.now() - t1, entries }
    } finally {
      engine.close()
    }
  },
}

declare global {
  interface Window {
    civicBench: typeof bench
  }
}

window.civicBench = bench
