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
    expect(await a.useCopy('c1')).toBe(true)
    expect(await a.useCopy('c1')).toBe(false)
    expect(await a.useCopy('nope')).toBe(false)
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
    await a.addActivity({ id: 'a1', sealed: { iv: 'i', ct: 'c' } })
    expect(await a.activity()).toEqual([{ id: 'a1', sealed: { iv: 'i', ct: 'c' } }])
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
    await a.addActivity({ id: 'a1', batch: 'b1', sealed: { iv: 'i', ct: 'c' } })
    await a.addActivity({ id: 'a2', batch: 'b2', sealed: { iv: 'i', ct: 'c' } })
    await a.deleteBatch('b1')
    expect((await a.activity()).map((x) => x.id)).toEqual(['a2'])
    a.close()
  })

  it('data written by schema version 1 opens intact under version 2', async () => {
    const n = name()
    const v1 = await WalletRepository.open(n, WALLET_MIGRATIONS.slice(0, 1))
    await v1.create({ id: 'w', createdAt: 1 }, { v: 1 })
    await v1.putBatch([await holderKey('k1'), await holderKey('k2')], [copy('c1', 'k1'), copy('c2', 'k2')])
    await v1.useCopy('c2')
    await v1.addActivity({ id: 'a1', sealed: { iv: 'i', ct: 'c' } })
    const before = await v1.dump()
    v1.close()
    const version = () => new Promise<{ version: number; indexes: string[] }>((resolve) => {
      const r = indexedDB.open(n)
      r.onsuccess = () => {
        const db = r.result
        const indexes = [...db.transaction('activity').objectStore('activity').indexNames]
        resolve({ version: db.version, indexes })
        db.close()
      }
    })
    expect(await version()).toEqual({ version: 1, indexes: [] })

    const v2 = await WalletRepository.open(n)
    expect(v2.created).toBe(false)
    expect(await v2.dump()).toEqual(before)
    const key = await v2.key('k1')
    expect(key?.privateKey.extractable).toBe(false)
    expect(key?.privateKey.type).toBe('private')
    expect(await v2.keyIds()).toEqual(['k1', 'k2'])
    // the v1 entry is in no batch's index, so removing its batch keeps it
    await v2.deleteBatch('b1')
    expect((await v2.activity()).map((x) => x.id)).toEqual(['a1'])
    v2.close()
    expect(await version()).toEqual({ version: 2, indexes: ['batch'] })
  })

  it('fails with ERR_STORE_UNAVAILABLE once closed', async () => {
    const a = await WalletRepository.open(name())
    a.close()
    await expect(a.load()).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' })
  })
})
