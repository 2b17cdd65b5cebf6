import { describe, expect, it } from 'vitest'
import { CivicError } from '../../src/core/errors.ts'
import { openDatabase, storeError } from '../../src/store/db.ts'
import { TrustRepository, type StoredCheckpoint } from '../../src/store/trust.ts'

let n = 0
const name = () => `store-test-${++n}`
const cp = (size: number): StoredCheckpoint => ({ origin: 'o/registry', size, rootHash: 'x', checkpointNote: `note ${size}`, verifiedAt: size, cosigners: [{ name: 'w', keyId: 1, time: size }], witnessedAt: size })

function rawOpen(db: string, version: number, upgrade?: (d: IDBDatabase) => void): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(db, version)
    r.onupgradeneeded = () => upgrade?.(r.result)
    r.onsuccess = () => resolve(r.result)
    r.onerror = () => reject(r.error)
  })
}

describe('the trust store', () => {
  it('opens empty, keeps a sync, and gives it back after a reopen', async () => {
    const db = name()
    const a = await TrustRepository.open(db)
    expect(await a.load()).toEqual({ ledger: null, checkpoints: {}, registry: null, edge: null, lastSyncAt: null, bundleKeys: [], history: [], evidence: [], statusLists: [] })
    await a.reset('ledger-1')
    const bundle = { n: 0, entries: [new Uint8Array([1, 2, 3])], views: [{ type: 'suspension' as const, iss: 'did:key:x', sub: 'did:web:y', time: 5 }] }
    await a.commitSync({ checkpoints: { registry: cp(1) }, edge: { size: 1, hashes: ['h'] }, bundles: [bundle], history: { at: 9, registrySize: 1, statusSize: 0 }, evidence: [], lastSyncAt: 9 })
    a.close()
    const b = await TrustRepository.open(db)
    const s = await b.load()
    expect(s).toMatchObject({ ledger: 'ledger-1', checkpoints: { registry: cp(1) }, edge: { size: 1 }, lastSyncAt: 9, history: [{ at: 9, registrySize: 1, statusSize: 0 }] })
    // Opening reads the bundles' keys only; their entries when asked.
    expect(s.bundleKeys).toEqual([0])
    expect((await b.loadBundles())[0]!.entries[0]).toEqual(new Uint8Array([1, 2, 3]))
    expect(await b.loadBundles(1)).toEqual([])
    await b.reset('ledger-2')
    expect(await b.load()).toMatchObject({ ledger: 'ledger-2', checkpoints: {}, bundleKeys: [] })
    expect(await b.loadBundles()).toEqual([])
    b.close()
  })

  it('a sync that cannot be written writes nothing (one transaction)', async () => {
    const a = await TrustRepository.open(name())
    await a.commitSync({ checkpoints: { registry: cp(1) }, bundles: [], evidence: [], lastSyncAt: 1 })
    // A value that does not structured-clone (what a UI proxy or a function would be) after good requests.
    const bad = { checkpoints: { registry: cp(2) }, registry: { f: () => 1 } as never, bundles: [], evidence: [], lastSyncAt: 2 }
    await expect(a.commitSync(bad)).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' })
    expect(await a.load()).toMatchObject({ checkpoints: { registry: { size: 1 } }, lastSyncAt: 1 })
    a.close()
  })

  it('a sync that finishes after another tab moved the log further keeps the further view', async () => {
    const a = await TrustRepository.open(name())
    const bundle = (k: number) => ({ n: 0, entries: Array.from({ length: k }, () => new Uint8Array([k])), views: [] })
    await a.commitSync({ checkpoints: { registry: cp(5) }, edge: { size: 5, hashes: [] }, bundles: [bundle(5)], evidence: [], lastSyncAt: 5 })
    await a.commitSync({ checkpoints: { registry: cp(3) }, edge: { size: 3, hashes: [] }, bundles: [bundle(3)], evidence: [], lastSyncAt: 6 })
    const s = await a.load()
    expect(s).toMatchObject({ checkpoints: { registry: { size: 5 } }, edge: { size: 5 }, lastSyncAt: 6 })
    expect((await a.loadBundles())[0]!.entries).toHaveLength(5)
    a.close()
  })

  it('keeps at most 256 pieces of evidence, dropping the oldest', async () => {
    const a = await TrustRepository.open(name())
    const ev = (i: number) => ({ kind: 'rollback' as const, origin: 'o', trustedNote: 't', offeredNote: `${i}`, consistencyProof: [], detail: '', log: 'registry' as const })
    await a.addEvidence(Array.from({ length: 300 }, (_, i) => ev(i)))
    const s = await a.load()
    expect(s.evidence).toHaveLength(256)
    expect(s.evidence[0]!.offeredNote).toBe('44')
    a.close()
  })

  it('closes for a newer version another tab opens (versionchange), and says so on every later use', async () => {
    const db = name()
    const a = await TrustRepository.open(db)
    const newer = await rawOpen(db, 2)
    expect(a.open).toBe(false)
    await expect(a.load()).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' })
    newer.close()
  })

  it('refuses a database a newer version of the app owns', async () => {
    const db = name()
    ;(await rawOpen(db, 7)).close()
    await expect(TrustRepository.open(db)).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE', detail: expect.stringMatching(/newer version/) })
  })

  it('an upgrade blocked by a tab that will not close fails in bounded time instead of hanging', async () => {
    const db = name()
    const stubborn = await rawOpen(db, 1, (d) => d.createObjectStore('x'))
    stubborn.onversionchange = null // it ignores the request to close
    const migrations = [(d: Parameters<Parameters<typeof openDatabase>[1][0]>[0]) => void d, (d: Parameters<Parameters<typeof openDatabase>[1][0]>[0]) => void d]
    await expect(openDatabase(db, migrations, { blockedMs: 50 })).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE', detail: expect.stringMatching(/older version open/) })
    stubborn.close()
  })

  it('maps a full disk to ERR_STORE_QUOTA', () => {
    expect(storeError(new DOMException('full', 'QuotaExceededError'), 'saving')).toMatchObject({ code: 'ERR_STORE_QUOTA' })
    expect(storeError(new DOMException('gone', 'InvalidStateError'), 'saving')).toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' })
    const own = new CivicError('ERR_STORE_QUOTA', 'x')
    expect(storeError(own, 'saving')).toBe(own)
  })
})
