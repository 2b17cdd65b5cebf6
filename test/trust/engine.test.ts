import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVerifierRegistrationEntry } from '../../src/core/registry/create.ts'
import { parseTrustConfig, TrustEngine, type TrustConfig } from '../../src/trust/index.ts'
import { makeWorld, PSB, type World } from './_world.ts'
import { testKey } from '../support/keys.ts'
import { purpose } from '../support/purposes.ts'

let world: World
let config: TrustConfig
let db = 0
const dbName = () => `trust-engine-${++db}`
/** Only what goes over HTTP is counted; the fetch is the real one. */
function countingFetch() {
  const seen: { url: string; bytes: number }[] = []
  const f: typeof fetch = async (input, init) => {
    const r = await fetch(input, init)
    const body = new Uint8Array(await r.arrayBuffer())
    seen.push({ url: String(input), bytes: body.length })
    return new Response(r.status === 204 ? null : body, { status: r.status, headers: r.headers })
  }
  return { f, seen }
}

beforeAll(async () => {
  world = await makeWorld()
  const c = parseTrustConfig(world.source())
  if (!c.ok) throw new Error(c.detail)
  config = c.value
  const hall = 'did:web:service-hall.city.example'
  const k = testKey('ES256')
  await world.registry(await createVerifierRegistrationEntry({
    root: world.root, subject: hall, id: 'urn:civic:registration:hall:1', name: { 'zh-CN': '政务服务大厅', en: 'Service Hall' },
    keys: [{ kid: 'counter-1', jwk: k.signer.publicJwk }],
    purposes: [purpose({ id: 'residence', name: { 'zh-CN': '居住证', en: 'Residence permit' }, vct: 'urn:civic:resident-id', claims: ['address.city'] })],
    validFrom: world.clock.t - 60, validUntil: world.clock.t + 86400,
  }))
})
afterAll(async () => world?.cleanup())

describe('TrustEngine against the ledger', () => {
  it('opens empty with no network, syncs, and reopens from storage alone with the same snapshot', async () => {
    const noNetwork: typeof fetch = async () => { throw new Error('offline') }
    const name = dbName()
    const empty = await TrustEngine.open(config, { dbName: name, fetch: noNetwork })
    expect(empty.snapshot()).toMatchObject({ ready: false, registry: null, status: null, evidence: [] })
    expect(await empty.sync({ now: world.clock.t })).toMatchObject({ ok: false, code: 'ERR_LOG_FETCH_FAILED' })
    empty.close()

    const online = await TrustEngine.open(config, { dbName: name })
    const progress: unknown[] = []
    const r = await online.sync({ now: world.clock.t, onProgress: (p) => progress.push(p) })
    expect(r).toMatchObject({ ok: true, value: { registry: { ok: true, size: 2, newEntries: 2, changed: true }, status: { ok: true } } })
    expect(progress).toContainEqual(expect.objectContaining({ log: 'registry', entries: 2, totalEntries: 2 }))
    const snap = online.snapshot()
    expect(snap).toMatchObject({ ready: true, registry: { log: 'registry', origin: config.registry.origin, size: 2 }, lastSyncAt: world.clock.t })
    expect(snap.registry!.cosigners.length).toBeGreaterThanOrEqual(2)
    expect(snap.registry!.witnessedAt).toBeGreaterThan(0)
    expect(snap.issuers.map((i) => i.did)).toEqual([PSB])
    expect(snap.verifiers.map((v) => v.did)).toEqual(['did:web:service-hall.city.example'])
    expect(snap.witnesses).toHaveLength(3)
    expect(snap.history).toEqual([{ at: world.clock.t, registrySize: 2, statusSize: 0 }])
    const onlineEntries = await online.entries()
    expect(onlineEntries.map((e) => [e.index, e.type])).toEqual([[0, 'issuer-accreditation'], [1, 'verifier-registration']])
    online.close()

    const offline = await TrustEngine.open(config, { dbName: name, fetch: noNetwork })
    expect(offline.snapshot()).toEqual(snap)
    expect((await offline.entries()).map((e) => e.bytes)).toEqual(onlineEntries.map((e) => e.bytes))
    expect(offline.issuerStanding(PSB, { now: world.clock.t, vct: 'urn:civic:resident-id' })).toMatchObject({ ok: true, value: { did: PSB } })
    expect(offline.issuerKey(PSB, `${PSB}#key-1`, world.clock.t)).toMatchObject({ ok: true, value: { kty: 'EC' } })
    expect(offline.verifierRegistration('did:web:service-hall.city.example', { now: world.clock.t })).toMatchObject({ ok: true })
    expect(await offline.verifyInclusion(1, (await offline.entries())[1]!.bytes)).toEqual({ ok: true, value: { index: 1, size: 2 } })
    offline.close()
  })

  it('syncs incrementally: only the bundle that grew, and nothing past the checkpoint when nothing changed', async () => {
    const name = dbName()
    const { f, seen } = countingFetch()
    const e = await TrustEngine.open(config, { dbName: name, fetch: f })
    expect((await e.sync({ now: world.clock.t })).ok).toBe(true)
    const size = e.snapshot().registry!.size
    seen.length = 0
    const idle = await e.sync({ now: world.clock.t })
    expect(idle).toMatchObject({ ok: true, value: { registry: { changed: false, newEntries: 0 } } })
    expect(seen.map((s) => new URL(s.url).pathname)).toEqual(['/registry/checkpoint', '/status/checkpoint'])
    // One new registry entry: the checkpoint, the hash tiles of the consistency proof, and one bundle.
    await world.addKey(`key-extra-${name}`)
    seen.length = 0
    const grown = await e.sync({ now: world.clock.t })
    expect(grown).toMatchObject({ ok: true, value: { registry: { newEntries: 1, size: size + 1 } } })
    const paths = seen.map((s) => new URL(s.url).pathname)
    expect(paths.filter((p) => p.includes('/tile/entries/'))).toEqual(['/registry/tile/entries/000.p/' + (size + 1)])
    expect(paths.every((p) => !p.startsWith('/status/tile/entries'))).toBe(true)
    const bytes = seen.reduce((n, s) => n + s.bytes, 0)
    expect(grown.ok && grown.value.bytes).toBe(bytes)
    e.close()
  })

  it('a tampered entry fails the offline inclusion check with the reason', async () => {
    const e = await TrustEngine.open(config, { dbName: dbName() })
    await e.sync({ now: world.clock.t })
    const entry = (await e.entries())[0]!
    const tampered = entry.bytes.slice()
    tampered[40] = tampered[40]! ^ 1
    const v = await e.verifyInclusion(0, tampered)
    expect(v).toMatchObject({ ok: false, code: 'ERR_LOG_INCLUSION_INVALID' })
    expect(!v.ok && v.detail).toMatch(/not entry 0/)
    expect((await e.verifyInclusion(0, entry.bytes)).ok).toBe(true)
    expect(await e.verifyInclusion(1, entry.bytes)).toMatchObject({ ok: false, code: 'ERR_LOG_INCLUSION_INVALID' })
    expect(await e.verifyInclusion(10_000, entry.bytes)).toMatchObject({ ok: false, code: 'ERR_PROOF_OUT_OF_RANGE' })
    e.close()
  })

  it('a store of another ledger is not reused', async () => {
    const name = dbName()
    const e = await TrustEngine.open(config, { dbName: name })
    await e.sync({ now: world.clock.t })
    e.close()
    const other = parseTrustConfig({ ...world.source(), ledger: { ...world.source().ledger, root: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK' } })
    if (!other.ok) throw new Error(other.detail)
    const e2 = await TrustEngine.open(other.value, { dbName: name })
    expect(e2.snapshot()).toMatchObject({ ready: false, registry: null })
    expect(await e2.entries()).toEqual([])
    e2.close()
  })

  it('reads the raw entries only when asked; a store missing a bundle starts over, one with a bundle cut short says so', async () => {
    const name = dbName()
    const e = await TrustEngine.open(config, { dbName: name })
    await e.sync({ now: world.clock.t })
    const size = e.snapshot().registry!.size
    e.close()
    const edit = (change: (bundles: IDBObjectStore) => void) => new Promise<void>((resolve, reject) => {
      const r = indexedDB.open(name)
      r.onsuccess = () => {
        const tx = r.result.transaction('bundles', 'readwrite')
        change(tx.objectStore('bundles'))
        tx.oncomplete = () => { r.result.close(); resolve() }
        tx.onerror = () => reject(tx.error)
      }
    })
    // One entry of bundle 0 dropped: opening still works (the fold is whole), the entries do not.
    await edit((b) => {
      const g = b.get(0)
      g.onsuccess = () => b.put({ ...g.result, entries: g.result.entries.slice(1), views: g.result.views.slice(1) })
    })
    const short = await TrustEngine.open(config, { dbName: name })
    expect(short.snapshot()).toMatchObject({ ready: true, registry: { size } })
    await expect(short.entries()).rejects.toMatchObject({ code: 'ERR_REG_STATE_INVALID' })
    expect(await short.verifyInclusion(0, new Uint8Array([1]))).toMatchObject({ ok: false, code: 'ERR_REG_STATE_INVALID' })
    short.close()
    // The bundle gone: the records do not belong together, the store is emptied and synced again.
    await edit((b) => b.delete(0))
    const gone = await TrustEngine.open(config, { dbName: name })
    expect(gone.snapshot()).toMatchObject({ ready: false, registry: null })
    expect(await gone.sync({ now: world.clock.t })).toMatchObject({ ok: true })
    expect((await gone.entries()).length).toBe(size)
    gone.close()
  })

  it('a stored fold that does not parse strictly is found by the next sync, dropped, and rebuilt', async () => {
    const name = dbName()
    const e = await TrustEngine.open(config, { dbName: name })
    await e.sync({ now: world.clock.t })
    e.close()
    // Damage one record of the stored fold behind the engine's back (the shape checks on open still pass).
    await new Promise<void>((resolve, reject) => {
      const r = indexedDB.open(name)
      r.onsuccess = () => {
        const tx = r.result.transaction('state', 'readwrite')
        const st = tx.objectStore('state')
        const g = st.get('registry')
        g.onsuccess = () => {
          const fold = g.result
          fold.issuers[PSB].keys = 'not keys'
          st.put(fold, 'registry')
        }
        tx.oncomplete = () => { r.result.close(); resolve() }
        tx.onerror = () => reject(tx.error)
      }
    })
    const damaged = await TrustEngine.open(config, { dbName: name })
    expect(damaged.snapshot().ready).toBe(true)
    expect(await damaged.sync({ now: world.clock.t })).toMatchObject({ ok: false, code: 'ERR_REG_STATE_INVALID' })
    expect(damaged.snapshot()).toMatchObject({ ready: false, registry: null })
    expect(await damaged.sync({ now: world.clock.t })).toMatchObject({ ok: true })
    expect(damaged.issuerStanding(PSB, { now: world.clock.t }).ok).toBe(true)
    damaged.close()
  })
})
