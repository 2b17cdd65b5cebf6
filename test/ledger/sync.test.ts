// A wallet's or counter's incremental sync from the ledger's tiles over HTTP: it moves only on
// a witnessed, consistent checkpoint, downloads only what is new, checks every entry against
// the root, reports progress, and refuses a rollback or doctored bundles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LightClient } from '../../src/core/log/light-client.ts'
import { syncLog, type SyncEdge, type SyncProgress } from '../../src/core/log/sync.ts'
import { get, makeWorld, nowSeconds, post, type World } from './_ledger.ts'
import type { LedgerService } from '../../src/ledger/service.ts'
import { bytesEqual } from '../../src/core/bytes/compare.ts'

let world: World
let ledger: LedgerService
const entries: Uint8Array[] = []

const fetcher = (url: string, tamper?: (path: string, b: Uint8Array) => Uint8Array) => async (path: string) => {
  const r = await get(url, path)
  if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status}`)
  return tamper ? tamper(path, r.bytes) : r.bytes
}

async function append(n: number, from: number) {
  const es = await Promise.all(Array.from({ length: n }, (_, i) => world.anchor(`https://psb.gov.example/status/s${from + i}`, 1)))
  const r = await Promise.all(es.map((e) => post(ledger.url, e)))
  r.forEach((x, i) => (entries[x.json.index] = es[i]!))
}

beforeAll(async () => {
  world = await makeWorld({ witnesses: 2, quorum: 2 })
  ledger = await world.start()
  entries[0] = world.accreditation
  await post(ledger.url, world.accreditation)
  await append(300, 0)
})
afterAll(async () => world.cleanup())

describe('syncLog', () => {
  it('syncs from nothing, then only what is new, with progress', async () => {
    const client = new LightClient([world.policy])
    let edge: SyncEdge = { size: 0, hashes: [] }
    const progress: SyncProgress[] = []
    const first = await syncLog({ origin: world.config.origin, now: nowSeconds(), client, edge, fetch: fetcher(ledger.url), onProgress: (p) => progress.push(p) })
    if (!first.ok) throw new Error(`${first.code}: ${first.detail}`)
    expect(first.value.size).toBe(301)
    expect(first.value.entries.every((e, i) => bytesEqual(e, entries[i]!))).toBe(true)
    expect(progress.at(-1)).toMatchObject({ entries: 301, totalEntries: 301 })
    expect(progress.length).toBe(2) // one full bundle, one partial
    edge = first.value.edge

    await append(20, 300)
    const second = await syncLog({ origin: world.config.origin, now: nowSeconds(), client, edge, fetch: fetcher(ledger.url) })
    if (!second.ok) throw new Error(`${second.code}: ${second.detail}`)
    expect(second.value.entries.length).toBe(20)
    expect(second.value.entries.every((e, i) => bytesEqual(e, entries[301 + i]!))).toBe(true)
    // it downloaded the partial bundle again (45 known + 20 new), not the whole log
    expect(second.value.bytes).toBeLessThan(first.value.bytes / 2)

    const again = await syncLog({ origin: world.config.origin, now: nowSeconds(), client, edge: second.value.edge, fetch: fetcher(ledger.url) })
    expect(again).toMatchObject({ ok: true, value: { entries: [] } })
  })

  it('refuses bundles that are not the entries the checkpoint commits to', async () => {
    const client = new LightClient([world.policy])
    const doctored = fetcher(ledger.url, (path, b) => {
      if (!path.startsWith('tile/entries/')) return b
      const c = b.slice()
      c[c.length - 1] = c[c.length - 1]! ^ 1
      return c
    })
    const r = await syncLog({ origin: world.config.origin, now: nowSeconds(), client, edge: { size: 0, hashes: [] }, fetch: doctored })
    expect(r).toMatchObject({ ok: false, code: 'ERR_LOG_TILE_MISMATCH' })
  })

  it('refuses a rollback to an older checkpoint and keeps evidence', async () => {
    const client = new LightClient([world.policy])
    const old = (await get(ledger.url, 'checkpoint')).bytes
    const first = await syncLog({ origin: world.config.origin, now: nowSeconds(), client, edge: { size: 0, hashes: [] }, fetch: fetcher(ledger.url) })
    if (!first.ok) throw new Error(first.code)
    await append(3, 400)
    const newer = await syncLog({ origin: world.config.origin, now: nowSeconds(), client, edge: first.value.edge, fetch: fetcher(ledger.url) })
    if (!newer.ok) throw new Error(newer.code)
    const stale = fetcher(ledger.url, (path, b) => (path === 'checkpoint' ? old : b))
    const r = await syncLog({ origin: world.config.origin, now: nowSeconds(), client, edge: newer.value.edge, fetch: stale })
    expect(r).toMatchObject({ ok: false, code: 'ERR_LOG_MISBEHAVIOUR' })
    expect(client.evidence.at(-1)).toMatchObject({ kind: 'rollback' })
  })

  it('refuses a stored edge that does not match the light client', async () => {
    const client = new LightClient([world.policy])
    const r = await syncLog({ origin: world.config.origin, now: nowSeconds(), client, edge: { size: 5, hashes: [] }, fetch: fetcher(ledger.url) })
    expect(r).toMatchObject({ ok: false, code: 'ERR_LOG_STATE_INVALID' })
  })
})
