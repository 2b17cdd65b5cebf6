/**
 * One sync of the device's view of the ledger, the same code in a Web Worker (browser) and in
 * process (Node, tests): read the stored view, move the registry log forward from its tiles
 * (only bundles past the trusted size; every new entry verified and folded in log order), move
 * the status log's checkpoint forward (checkpoint and the hash tiles of a consistency proof,
 * never its bundles), then write everything in one transaction. Every checkpoint is checked by
 * the light client against the configured log key and witness quorum; misbehaviour is kept as
 * evidence even when the sync fails. A log that fails keeps its stored view; the other still
 * moves.
 */
import { fail, InputError, ok, type ErrorCode, type Verdict } from '../core/errors.ts'
import { LightClient } from '../core/log/light-client.ts'
import { syncCheckpoint, syncLog } from '../core/log/sync.ts'
import { TILE_WIDTH } from '../core/log/tiles.ts'
import { RegistryFolder } from '../core/registry/fold.ts'
import type { RegistryEntry } from '../core/registry/entry.ts'
import { verifyEntry } from '../core/registry/verify.ts'
import type { StoredBundle, StoredCheckpoint, StoredEntryView, StoredEvidence, StoredTrust, SyncWrite, TrustRepository } from '../store/trust.ts'
import type { TrustConfig } from './config.ts'
import { ledgerGetter, type Counter, type FetchLike } from './fetch.ts'
import type { LogSyncReport, SyncProgressView, SyncReport } from './types.ts'
import { restore, stamped } from './view.ts'

export interface RunSyncOptions {
  fetch: FetchLike
  now: number
  onProgress?: (p: SyncProgressView) => void
}

export function entryView(e: RegistryEntry): StoredEntryView {
  switch (e.type) {
    case 'issuer-accreditation':
    case 'verifier-registration':
      return { type: e.type, iss: e.iss, sub: e.sub, time: e.validFrom }
    case 'status-anchor':
      return { type: e.type, iss: e.iss, sub: null, time: e.iat }
    default:
      return { type: e.type, iss: e.iss, sub: e.sub, time: e.iat }
  }
}

const failed = (counter: Counter, size: number, code: ErrorCode, detail: string): LogSyncReport =>
  ({ ok: false, size, newEntries: 0, bytes: counter.bytes, requests: counter.requests, changed: false, refreshed: false, code, detail })

export async function runSync(repo: TrustRepository, config: TrustConfig, o: RunSyncOptions): Promise<Verdict<SyncReport>> {
  const stored: StoredTrust = await repo.load()
  let start
  try {
    start = restore(config, stored)
  } catch (e) {
    // The engine empties a store whose records do not hold and starts over (engine.ts).
    if (e instanceof InputError) return fail(e.code, `the stored view: ${e.detail}`)
    throw e
  }
  const client = new LightClient([config.registry, config.status], start.client)
  const evidenceBefore = client.evidence.length
  const checkpoints: Partial<Record<'registry' | 'status', StoredCheckpoint>> = { ...stored.checkpoints }
  const write: SyncWrite = { checkpoints, bundles: [], evidence: [], lastSyncAt: o.now }

  // Registry: tiles past the trusted size, every entry verified and folded.
  const rc: Counter = { requests: 0, bytes: 0 }
  let registry: LogSyncReport
  const oldSize = start.edge.size
  const r = await syncLog({
    origin: config.registry.origin, client, edge: start.edge, now: o.now,
    fetch: ledgerGetter(o.fetch, `${config.url}registry/`, rc),
    onProgress: (p) => o.onProgress?.({ log: 'registry', entries: p.entries, totalEntries: p.totalEntries, bytes: p.bytes }),
  })
  if (!r.ok) registry = failed(rc, oldSize, r.code, r.detail)
  else {
    const folder = new RegistryFolder(start.fold)
    const views: StoredEntryView[] = []
    let refusal: { code: ErrorCode; detail: string } | null = null
    for (const bytes of r.value.entries) {
      const v = await verifyEntry(folder.state, bytes, { now: o.now })
      if (!v.ok) {
        refusal = { code: v.code, detail: `registry entry ${folder.state.size}: ${v.detail}` }
        break
      }
      folder.fold(v.value)
      views.push(entryView(v.value))
    }
    if (refusal) registry = failed(rc, oldSize, refusal.code, refusal.detail)
    else {
      const trusted = client.trusted(config.registry.origin)!
      checkpoints.registry = stamped(config, 'registry', trusted, o.now)
      write.registry = folder.state
      write.edge = r.value.edge
      // Only the bundle at the edge is read back (it grows); the others stay where they are.
      const edgeBundle = oldSize % TILE_WIDTH !== 0 && r.value.entries.length > 0 ? await repo.loadBundles(Math.floor(oldSize / TILE_WIDTH)) : []
      write.bundles = newBundles(edgeBundle, oldSize, r.value.entries, views)
      const moved = r.value.size !== oldSize
      registry = {
        ok: true, size: r.value.size, newEntries: r.value.entries.length, bytes: rc.bytes, requests: rc.requests,
        changed: moved || !stored.checkpoints.registry, refreshed: !moved && stored.checkpoints.registry?.checkpointNote !== trusted.checkpointNote,
      }
    }
  }

  // Status: the checkpoint and a consistency proof only.
  const sc: Counter = { requests: 0, bytes: 0 }
  let status: LogSyncReport
  const s = await syncCheckpoint({ origin: config.status.origin, client, now: o.now, fetch: ledgerGetter(o.fetch, `${config.url}status/`, sc) })
  if (!s.ok) status = failed(sc, stored.checkpoints.status?.size ?? 0, s.code, s.detail)
  else {
    checkpoints.status = stamped(config, 'status', client.trusted(config.status.origin)!, o.now)
    status = { ok: true, size: s.value.size, newEntries: 0, bytes: sc.bytes, requests: sc.requests, changed: s.value.changed, refreshed: s.value.refreshed }
  }
  o.onProgress?.({ log: 'status', entries: 0, totalEntries: 0, bytes: sc.bytes })

  // The same lie told again is the same evidence: kept once.
  const known = new Set(stored.evidence.map(evidenceKey))
  write.evidence = client.evidence.slice(evidenceBefore)
    .map((e): StoredEvidence => ({ ...e, log: e.origin === config.registry.origin ? 'registry' : 'status' }))
    .filter((e) => !known.has(evidenceKey(e)))
  const registrySize = checkpoints.registry?.size ?? 0
  const statusSize = checkpoints.status?.size ?? 0
  const last = stored.history[stored.history.length - 1]
  if ((registry.ok || status.ok) && (!last || last.registrySize !== registrySize || last.statusSize !== statusSize)) write.history = { at: o.now, registrySize, statusSize }
  await repo.commitSync(write)

  const report: SyncReport = { at: o.now, registry, status, bytes: rc.bytes + sc.bytes, requests: rc.requests + sc.requests }
  if (!registry.ok) return fail(registry.code!, `registry log: ${registry.detail}`)
  if (!status.ok) return fail(status.code!, `status log: ${status.detail}`)
  return ok(report)
}

/** The bundle records a sync writes: the stored partial bundle at the edge grows, new ones follow. */
function newBundles(stored: readonly StoredBundle[], oldSize: number, entries: readonly Uint8Array[], views: readonly StoredEntryView[]): StoredBundle[] {
  const out = new Map<number, StoredBundle>()
  for (let i = 0; i < entries.length; i++) {
    const index = oldSize + i
    const n = Math.floor(index / TILE_WIDTH)
    let b = out.get(n)
    if (!b) {
      const prev = stored.find((x) => x.n === n)
      b = { n, entries: prev ? [...prev.entries] : [], views: prev ? [...prev.views] : [] }
      out.set(n, b)
    }
    b.entries.push(entries[i]!)
    b.views.push(views[i]!)
  }
  return [...out.values()]
}

export function evidenceKey(e: { kind: string; origin: string; trustedNote: string; offeredNote: string }): string {
  return JSON.stringify([e.kind, e.origin, e.trustedNote, e.offeredNote])
}
