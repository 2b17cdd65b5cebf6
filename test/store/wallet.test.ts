/**
 * The wallet store (fake-indexeddb in Node; real CryptoKeys from Node's WebCrypto): created
 * once, a batch all or nothing, keys kept non-extractable and still signing after a reopen,
 * copies used once, a removed batch takes its keys, and a fresh database is told apart.
 */
import { describe, expect, it } from 'vitest'
import { WALLET_MIGRATIONS, WalletRepository, type StoredCopy, type StoredKey } from '../../src/store/wallet.ts'

let n = 0
const name = () => `wallet-store-${++n}`

async function holderKey(id: string): Promise<StoredKey> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])
  const publicJwk = await crypto.subtle.exportKey('jwk', pair.publicKey) as unknown as Record<string, unknown>
  return { id, privateKey: pair.privateKey, publicKey: pair.publicKey, publicJwk }
}
const copy = (id: string, keyId: string, batch = 'b1'): StoredCopy => ({ id, batch, keyId, used: false, sealed: { iv: 'AAAAAAAAAAAAAAAA', ct: `ct-${id}` } })

describe('the wallet store', () => {
  it('knows a database it just created, and a wallet it holds after a reopen', async () => {
    const db = name()
    const a = await WalletRepository.open(db)
    expect(a.created).toBe(true)
    expect(await a.load()).toBeNull()
    await a.create({ id: 'w1', createdAt: 100 }, { version: 1, sealed: 'vault' })
    await expect(a.create({ id: 'w2', createdAt: 101 }, {})).rejects.toThrow(TypeError)
    a.close()
    const b = await WalletRepository.open(db)
    expect(b.created).toBe(false)
    expect(await b.load()).toEqual({ wallet: { id: 'w1', createdAt: 100 }, vault: { version: 1, sealed: 'vault' }, unlock: { failures: 0, lastFailureAt: null } })
    await b.putUnlock({ failures: 4, lastFailureAt: 120 })
    b.close()
    const c = await WalletRepository.open(db)
    expect((await c.load())!.unlock).toEqual({ failures: 4, lastFailureAt: 120 })
    c.close()
  })

  it('keeps holder keys as non-extractable CryptoKeys that still sign after a reopen', async () => {
    const db = name()
    const a = await WalletRepository.open(db)
    const k = await holderKey('k1')
    await a.putBatch([k], [copy('c1', 'k1')])
    a.close()
    const b = await WalletRepository.open(db)
    const back = (await b.key('k1'))!
    expect(back.privateKey.extractable).toBe(false)
    await expect(crypto.subtle.exportKey('jwk', back.privateKey)).rejects.toThrow()
    const msg = new TextEncoder().encode('nonce')
    const sig = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, back.privateKey, msg)
    expect(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, k.publicKey, sig, msg)).toBe(true)
    expect(back.publicJwk).toEqual(k.publicJwk)
    b.close()
  })

  it('a batch is stored whole or not at all', async () => {
    const a = await WalletRepository.open(name())
    const keys = await Promise.all(['k1', 'k2', 'k3'].map(holderKey))
    await a.putBatch(keys.slice(0, 1), [copy('c1', 'k1')])
    // c1 exists already: the add fails, and nothing of this batch (k2, k3, c2, c3) is kept
    await expect(a.putBatch(keys.slice(1), [copy('c2', 'k2', 'b2'), copy('c1', 'k3', 'b2')])).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' })
    expect((await a.copies()).map((c) => c.id)).toEqual(['c1'])
    expect(await a.keyIds()).toEqual(['k1'])
    // a value that does not clone aborts the whole batch too
    const bad = { ...keys[1]!, publicJwk: { f: () => 1 } as never }
    await expect(a.putBatch([bad], [copy('c2', 'k2', 'b2')])).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' })
    expect(await a.keyIds()).toEqual(['k1'])
    await expect(a.putBatch([keys[1]!], [copy('c9', 'k9')])).rejects.toThrow(TypeError)
    a.close()
  })

  it('uses a copy once, and removes a batch with its keys', async () => {
    const a = await WalletRepository.open(name())
    const keys = await Promise.all(['k1', 'k2', 'k3'].map(holderKey))
    await a.putBatch(keys.slice(0, 2), [copy('c1', 'k1'), copy('c2', 'k2')])
    await a.putBatch(keys.slice(2), [copy('c3', 'k3', 'b2')])
    const entry = (id: string) => ({ id, sealed: { iv: 'i', ct: 'c' } })
    expect(await a.useCopyWithActivity('c1', entry('u1'))).toBe(true)
    expect(await a.useCopyWithActivity('c1', entry('u2'))).toBe(false)
    expect(await a.useCopyWithActivity('nope', entry('u3'))).toBe(false)
    // nothing logged by the refused uses
    expect((await a.activity()).map((x) => x.id)).toEqual(['u1'])
    expect((await a.copies()).filter((c) => c.used).map((c) => c.id)).toEqual(['c1'])
    await a.deleteBatch('b1')
    expect((await a.copies()).map((c) => c.id)).toEqual(['c3'])
    expect(await a.keyIds()).toEqual(['k3'])
    a.close()
  })

  it('keeps the activity log, and a dump for backups holds no key', async () => {
    const a = await WalletRepository.open(name())
    await a.create({ id: 'w', createdAt: 1 }, { v: 1 })
    await a.putBatch([await holderKey('k1')], [copy('c1', 'k1')])
    await a.useCopyWithActivity('c1', { id: 'a1', sealed: { iv: 'i', ct: 'c' } })
    expect(await a.activity()).toEqual([{ id: 'a1', batch: 'b1', sealed: { iv: 'i', ct: 'c' } }])
    const d = await a.dump()
    expect(Object.keys(d.meta).sort()).toEqual(['unlock', 'vault', 'wallet'])
    expect(d.copies.map((c) => c.id)).toEqual(['c1'])
    expect(JSON.stringify(d)).not.toMatch(/privateKey|"d":/)
    a.close()
  })

  it('removes a batch\'s activity with the batch, and keeps the rest', async () => {
    const a = await WalletRepository.open(name())
    await a.putBatch([await holderKey('k1')], [copy('c1', 'k1', 'b1')])
    await a.putBatch([await holderKey('k2')], [copy('c2', 'k2', 'b2')])
    await a.useCopyWithActivity('c1', { id: 'a1', sealed: { iv: 'i', ct: 'c' } })
    await a.useCopyWithActivity('c2', { id: 'a2', sealed: { iv: 'i', ct: 'c' } })
    await a.deleteBatch('b1')
    expect((await a.activity()).map((x) => x.id)).toEqual(['a2'])
    a.close()
  })

  it('data written by schema version 1 opens intact under the current version (v3: bodies moved to their own store)', async () => {
    const n = name()
    // What v1 wrote, record by record, through IndexedDB itself at version 1.
    const k1 = await holderKey('k1')
    const k2 = await holderKey('k2')
    const v1copies = [copy('c1', 'k1'), { ...copy('c2', 'k2'), used: true }]
    const raw = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open(n, 1)
      r.onupgradeneeded = () => {
        const db = r.result
        db.createObjectStore('meta')
        db.createObjectStore('keys', { keyPath: 'id' })
        db.createObjectStore('copies', { keyPath: 'id' }).createIndex('batch', 'batch')
        db.createObjectStore('activity', { keyPath: 'id' })
      }
      r.onsuccess = () => resolve(r.result)
      r.onerror = () => reject(r.error)
    })
    await new Promise<void>((resolve, reject) => {
      const tx = raw.transaction(['meta', 'keys', 'copies', 'activity'], 'readwrite')
      tx.objectStore('meta').put({ id: 'w', createdAt: 1 }, 'wallet')
      tx.objectStore('meta').put({ v: 1 }, 'vault')
      tx.objectStore('meta').put({ failures: 2, lastFailureAt: 7 }, 'unlock')
      tx.objectStore('keys').put(k1)
      tx.objectStore('keys').put(k2)
      for (const c of v1copies) tx.objectStore('copies').put(c)
      tx.objectStore('activity').put({ id: 'a1', sealed: { iv: 'i', ct: 'c' } })
      tx.oncomplete = () => resolve()
      tx.onerror = () => reject(tx.error)
    })
    raw.close()
    const shape = () => new Promise<{ version: number; stores: string[]; indexes: string[] }>((resolve) => {
      const r = indexedDB.open(n)
      r.onsuccess = () => {
        const db = r.result
        resolve({ version: db.version, stores: [...db.objectStoreNames].sort(), indexes: [...db.transaction('activity').objectStore('activity').indexNames] })
        db.close()
      }
    })
    expect(await shape()).toEqual({ version: 1, stores: ['activity', 'copies', 'keys', 'meta'], indexes: [] })

    const now = await WalletRepository.open(n)
    expect(now.created).toBe(false)
    expect(await now.load()).toEqual({ wallet: { id: 'w', createdAt: 1 }, vault: { v: 1 }, unlock: { failures: 2, lastFailureAt: 7 } })
    expect(await now.copies()).toEqual(v1copies)
    expect(await now.copyStates()).toEqual(v1copies.map(({ sealed: _, ...c }) => c))
    expect(await now.sealedOf(['c2', 'nope'])).toEqual(new Map([['c2', v1copies[1]!.sealed]]))
    const key = await now.key('k1')
    expect(key?.privateKey.extractable).toBe(false)
    expect(key?.privateKey.type).toBe('private')
    expect((await now.dump()).activity).toEqual([{ id: 'a1', sealed: { iv: 'i', ct: 'c' } }])
    // the v1 entry is in no batch's index, so removing its batch keeps it; the batch's bodies go with it
    await now.deleteBatch('b1')
    expect((await now.activity()).map((x) => x.id)).toEqual(['a1'])
    expect(await now.sealedOf(['c1', 'c2'])).toEqual(new Map())
    now.close()
    expect(await shape()).toEqual({ version: WALLET_MIGRATIONS.length, stores: ['activity', 'copies', 'keys', 'meta', 'sealed'], indexes: ['batch'] })
    expect(WALLET_MIGRATIONS.length).toBe(3)
  })

  it('fails with ERR_STORE_UNAVAILABLE once closed', async () => {
    const a = await WalletRepository.open(name())
    a.close()
    await expect(a.load()).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' })
  })
})
