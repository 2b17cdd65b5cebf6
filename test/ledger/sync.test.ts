// A wallet's or counter's incremental sync of the registry log from the ledger's tiles over
// HTTP: it moves only on a witnessed, consistent checkpoint, downloads only what is new, checks
// every entry against the root, reports progress, and refuses a rollback or doctored bundles.
// (The registry log is what clients replay; the entries here are key changes, many of them.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LightClient } from '../../src/core/log/light-client.ts'
import { syncLog, type SyncEdge, type SyncProgress } from '../../src/core/log/sync.ts'
import { get, makeWorld, nowSeconds, post, registryUrl, REGISTRY_ORIGIN, type World } from './_ledger.ts'
import type { LedgerService } from '../../src/ledger/service.ts'
import { bytesEqual } from '../../src/core/bytes/compare.ts'
import { createVerifierRegistrationEntry } from '../../src/core/registry/create.ts'
import { testKey } from '../support/keys.ts'
import { purpose } from '../support/purposes.ts'

let world: World
let ledger: LedgerService
let R = ''
const entries: Uint8Array[] = []
const policy = () => world.registryPolicy
let keyIndex = 0

const fetcher = (url: string, tamper?: (path: string, b: Uint8Array) => Uint8Array) => async (path: string) => {
  const r = await get(url, path)
  if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status}`)
  return tamper ? tamper(path, r.bytes) : r.bytes
}

/** n registry entries: verifier registrations by the root, each for a new verifier. */
async function append(n: number) {
  const now = nowSeconds()
  const es = await Promise.all(Array.from({ length: n }, (_, i) => {
    const did = `did:web:v${keyIndex + i}.verifier.example`
    return createVerifierRegistrationEntry({
      root: world.root, subject: did, id: `urn:civic:registration:${keyIndex + i}`, name: { 'zh-CN': '核验点', en: 'Counter' },
      keys: [{ kid: 'key-1', jwk: verifierKey.signer.publicJwk }],
      purposes: [purpose({ id: 'age-check', name: { 'zh-CN': '年龄核验', en: 'Age check' }, vct: 'urn:civic:resident-id', claims: ['age_over_18'] })],
      validFrom: now - 60, validUntil: now + 86400,
    })
  }))
  keyIndex += n
  const r = await Promise.all(es.map((e) => post(R, e)))
  r.forEach((x, i) => {
    if (x.status !== 200) throw new Error(JSON.stringify(x.json))
    entries[x.json.index] = es[i]!
  })
}
const verifierKey = testKey('ES256')

beforeAll(async () => {
  world = await makeWorld({ witnesses: 2, quorum: 2 })
  ledger = await world.start()
  R = registryUrl(ledger)
  entries[0] = world.accreditation
  await post(R, world.accreditation)
  await append(300)
})
afterAll(async () => world.cleanup())

describe('syncLog', () => {
  it('syncs from nothing, then only what is new, with progress', async () => {
    const client = new LightClient([policy()])
    let edge: SyncEdge = { size: 0, hashes: [] }
    const progress: SyncProgress[] = []
    const first = await syncLog({ origin: REGISTRY_ORIGIN, now: nowSeconds(), client, edge, fetch: fetcher(R), onProgress: (p) => progress.push(p) })
    if (!first.ok) throw new Error(`${first.code}: ${first.detail}`)
    expect(first.value.size).toBe(301)
    expect(first.value.entries.every((e, i) => bytesEqual(e, entries[i]!))).toBe(true)
    expect(progress.at(-1)).toMatchObject({ entries: 301, totalEntries: 301 })
    expect(progress.length).toBe(2) // one full bundle, one partial
    edge = first.value.edge

    await append(20)
    const second = await syncLog({ origin: REGISTRY_ORIGIN, now: nowSeconds(), client, edge, fetch: fetcher(R) })
    if (!second.ok) throw new Error(`${second.code}: ${second.detail}`)
    expect(second.value.entries.length).toBe(20)
    expect(second.value.entries.every((e, i) => bytesEqual(e, entries[301 + i]!))).toBe(true)
    // it downloaded the partial bundle again (45 known + 20 new), not the whole log
    expect(second.value.bytes).toBeLessThan(first.value.bytes / 2)

    const again = await syncLog({ origin: REGISTRY_ORIGIN, now: nowSeconds(), client, edge: second.value.edge, fetch: fetcher(R) })
    expect(again).toMatchObject({ ok: true, value: { entries: [] } })
  })

  it('refuses bundles that are not the entries the checkpoint commits to', async () => {
    const client = new LightClient([policy()])
    const doctored = fetcher(R, (path, b) => {
      if (!path.startsWith('tile/entries/')) return b
      const c = b.slice()
      c[c.length - 1] = c[c.length - 1]! ^ 1
      return c
    })
    const r = await syncLog({ origin: REGISTRY_ORIGIN, now: nowSeconds(), client, edge: { size: 0, hashes: [] }, fetch: doctored })
    expect(r).toMatchObject({ ok: false, code: 'ERR_LOG_TILE_MISMATCH' })
  })

  it('refuses a rollback to an older checkpoint and keeps evidence', async () => {
    const client = new LightClient([policy()])
    const old = (await get(R, 'checkpoint')).bytes
    const first = await syncLog({ origin: REGISTRY_ORIGIN, now: nowSeconds(), client, edge: { size: 0, hashes: [] }, fetch: fetcher(R) })
    if (!first.ok) throw new Error(first.code)
    await append(3)
    const newer = await syncLog({ origin: REGISTRY_ORIGIN, now: nowSeconds(), client, edge: first.value.edge, fetch: fetcher(R) })
    if (!newer.ok) throw new Error(newer.code)
    const stale = fetcher(R, (path, b) => (path === 'checkpoint' ? old : b))
    const r = await syncLog({ origin: REGISTRY_ORIGIN, now: nowSeconds(), client, edge: newer.value.edge, fetch: stale })
    expect(r).toMatchObject({ ok: false, code: 'ERR_LOG_MISBEHAVIOUR' })
    expect(client.evidence.at(-1)).toMatchObject({ kind: 'rollback' })
  })

  it('refuses a stored edge that does not match the light client', async () => {
    const client = new LightClient([policy()])
    const r = await syncLog({ origin: REGISTRY_ORIGIN, now: nowSeconds(), client, edge: { size: 5, hashes: [] }, fetch: fetcher(R) })
    expect(r).toMatchObject({ ok: false, code: 'ERR_LOG_STATE_INVALID' })
  })
})
