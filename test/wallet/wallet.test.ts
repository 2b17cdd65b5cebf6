// @vitest-environment node
/**
 * The wallet on the device (fake-indexeddb; real WebCrypto; the real KDF at its floor; the
 * real issuer over HTTP): create → receive a batch → close → reopen locked → a wrong
 * passphrase counted and throttled across a reopen → unlock → the card with its claims and
 * copies; no claim in the clear in the database; a database that vanished is told apart.
 */
import 'fake-indexeddb/auto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sdJwtIssuerKeyResolver } from '../../src/core/registry/resolvers.ts'
import { argon2idKdf, KDF_FLOOR, type Kdf } from '../../src/wallet/kdf.ts'
import { readOffer, receive } from '../../src/wallet/vci.ts'
import { WALLET_MARKER_KEY, Wallet, type MarkerStore } from '../../src/wallet/wallet.ts'
import { BACKUP_FORMAT } from '../../src/wallet/backup.ts'
import { CITIZEN, consoleOffer, makeIssuerWorld, syncRegistry, type IssuerWorld } from '../issuer/_world.ts'

// The real argon2id, at the floor so the test stays quick (the defaults are the vault test's).
const kdf: Kdf = (p, params) => argon2idKdf(p, { ...params, m: KDF_FLOOR.m, t: KDF_FLOOR.t })
let n = 0
const dbName = () => `wallet-${++n}`
class Marker implements MarkerStore {
  m = new Map<string, string>()
  getItem(k: string) { return this.m.get(k) ?? null }
  setItem(k: string, v: string) { this.m.set(k, v) }
}

let iw: IssuerWorld
beforeAll(async () => { iw = await makeIssuerWorld() })
afterAll(async () => iw?.cleanup())

async function batchFromIssuer() {
  const made = await consoleOffer(iw)
  const offer = await readOffer(made.offerUri)
  if (!offer.ok) throw new Error(offer.detail)
  const registry = await syncRegistry(iw)
  const got = await receive(offer.value, { txCode: made.txCode, issuerKey: sdJwtIssuerKeyResolver(registry, { now: iw.clock.now }), now: () => iw.clock.now })
  if (!got.ok) throw new Error(`${got.code}: ${got.detail}`)
  return got.value
}

function rawDump(name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(name)
    r.onsuccess = () => {
      const db = r.result
      const tx = db.transaction([...db.objectStoreNames], 'readonly')
      const out: unknown[] = []
      for (const s of db.objectStoreNames) {
        const g = tx.objectStore(s).getAll()
        g.onsuccess = () => out.push(g.result)
      }
      tx.oncomplete = () => { db.close(); resolve(JSON.stringify(out)) }
      tx.onerror = () => reject(tx.error)
    }
  })
}

describe('the wallet', () => {
  it('keeps a received batch sealed, reopens locked, throttles wrong passphrases, and shows the card after unlock', async () => {
    let t = 1_000_000
    const now = () => t
    const marker = new Marker()
    const name = dbName()
    const w = await Wallet.open({ marker, kdf, now, dbName: name })
    expect(w.state).toBe('new')
    await w.create('river stone 7')
    expect(w.state).toBe('unlocked')
    expect(marker.getItem(WALLET_MARKER_KEY)).toMatch(/^[0-9a-f-]{36}$/)
    const batch = await w.storeBatch(await batchFromIssuer())
    w.close()

    // Nothing in the database is a claim in the clear.
    const dump = await rawDump(name)
    for (const v of Object.values(CITIZEN)) expect(dump).not.toContain(v)
    expect(dump).not.toContain('river stone 7')

    const again = await Wallet.open({ marker, kdf, now, dbName: name })
    expect(again.state).toBe('locked')
    await expect(again.cards()).rejects.toThrow(TypeError)
    for (let i = 0; i < 3; i++) expect(await again.unlock('wrong')).toMatchObject({ ok: false, code: 'ERR_WALLET_PASSPHRASE_WRONG' })
    // the fourth attempt must wait, even with the right passphrase, and even after a reopen
    expect(await again.waitSeconds()).toBe(1)
    again.close()
    const third = await Wallet.open({ marker, kdf, now, dbName: name })
    expect(await third.unlock('river stone 7')).toMatchObject({ ok: false, code: 'ERR_WALLET_THROTTLED' })
    t += 1
    expect(await third.unlock('wrong')).toMatchObject({ ok: false, code: 'ERR_WALLET_PASSPHRASE_WRONG' })
    expect(await third.waitSeconds()).toBe(2)
    t += 2
    expect(await third.unlock('river stone 7')).toEqual({ ok: true, value: undefined })
    expect(await third.waitSeconds()).toBe(0)

    const cards = await third.cards()
    if (!cards.ok) throw new Error(cards.detail)
    expect(cards.value).toHaveLength(1)
    expect(cards.value[0]).toMatchObject({ batch, issuer: iw.base, configurationId: 'resident-id', vct: 'urn:civic:resident-id', copies: 10, unused: 10, receivedAt: 1_000_000 })
    expect(cards.value[0]!.claims).toMatchObject({ name: CITIZEN.name, city: CITIZEN.city })
    third.lock()
    expect(third.state).toBe('locked')
    await expect(third.cards()).rejects.toThrow(TypeError)
    third.close()
  }, 120_000)

  it('a database that vanished while the marker remembers a wallet is told apart from a new device', async () => {
    const marker = new Marker()
    const name = dbName()
    const w = await Wallet.open({ marker, kdf, now: () => 1, dbName: name })
    await w.create('plain passphrase')
    w.close()
    await new Promise<void>((resolve, reject) => {
      const d = indexedDB.deleteDatabase(name)
      d.onsuccess = () => resolve()
      d.onerror = () => reject(d.error)
    })
    const gone = await Wallet.open({ marker, kdf, now: () => 2, dbName: name })
    expect(gone.state).toBe('vanished')
    gone.close()
    const fresh = await Wallet.open({ marker: new Marker(), kdf, now: () => 2, dbName: dbName() })
    expect(fresh.state).toBe('new')
    fresh.close()
  }, 60_000)

  it('keeps the citizen\'s own rules sealed, across a reopen and through a backup; refuses what is not a set of claim paths, and settings changed on the disk', async () => {
    const pass = 'lanterns by the river'
    const name = dbName()
    const marker = new Marker()
    const w = await Wallet.open({ marker, kdf, now: () => 7_000, dbName: name })
    await w.create(pass)
    expect(await w.settings()).toEqual({ ok: true, value: { rules: { never: [] } } })
    await w.setRules(['birth_date', 'address.city'])
    expect(await w.settings()).toEqual({ ok: true, value: { rules: { never: ['birth_date', 'address.city'] } } })
    expect(await rawDump(name)).not.toContain('birth_date')
    await expect(w.setRules(['_sd'])).rejects.toThrow(TypeError)
    await expect(w.setRules(['a', 'a'])).rejects.toThrow(TypeError)
    await expect(w.setRules(['has space'])).rejects.toThrow(TypeError)
    expect(await w.settings()).toEqual({ ok: true, value: { rules: { never: ['birth_date', 'address.city'] } } })
    const file = await w.backup(pass)
    if (!file.ok) throw new Error(file.detail)
    w.close()

    const again = await Wallet.open({ marker, kdf, now: () => 7_100, dbName: name })
    expect(await again.unlock(pass)).toEqual({ ok: true, value: undefined })
    expect(await again.settings()).toEqual({ ok: true, value: { rules: { never: ['birth_date', 'address.city'] } } })
    // the sealed settings changed by one character: they open as nothing
    await new Promise<void>((resolve, reject) => {
      const r = indexedDB.open(name)
      r.onsuccess = () => {
        const db = r.result
        const tx = db.transaction('meta', 'readwrite')
        const g = tx.objectStore('meta').get('settings')
        g.onsuccess = () => {
          const { iv, ct } = g.result as { iv: string; ct: string }
          tx.objectStore('meta').put({ iv, ct: ct.slice(0, 5) + (ct[5] === 'A' ? 'B' : 'A') + ct.slice(6) }, 'settings')
        }
        tx.oncomplete = () => { db.close(); resolve() }
        tx.onerror = () => reject(tx.error)
      }
    })
    const moved = await again.settings()
    expect(moved.ok ? 'ok' : moved.code).toBe('ERR_WALLET_RECORD_INVALID')
    again.close()

    await new Promise<void>((resolve, reject) => {
      const d = indexedDB.deleteDatabase(name)
      d.onsuccess = () => resolve()
      d.onerror = () => reject(d.error)
    })
    const wiped = await Wallet.open({ marker, kdf, now: () => 8_000, dbName: name })
    expect(await wiped.restore(file.value, pass)).toMatchObject({ ok: true })
    expect(await wiped.settings()).toEqual({ ok: true, value: { rules: { never: ['birth_date', 'address.city'] } } })
    wiped.close()
  })

  it('backs up (encrypted, no private key, no claim in the clear) and restores into a wiped device: every copy and its claims back, none usable without its key', async () => {
    const pass = 'harbour lights 42'
    const name = dbName()
    const marker = new Marker()
    const w = await Wallet.open({ marker, kdf, now: () => 5_000, dbName: name })
    await w.create(pass)
    const batch = await w.storeBatch(await batchFromIssuer())
    // one copy answers a request: it is used, and the presentation logged with it
    const next = await w.nextCopy(batch)
    if (!next.ok || !next.value) throw new Error('no copy')
    expect(next.value.credential).toMatch(/^eyJ[^~]+~/)
    const shown = { at: 5_001, verifier: { did: 'did:web:service-hall.city.example', name: { en: 'City Government Service Hall' } }, purpose: { id: 'residence', name: { en: 'Proof of residence' } }, claims: ['name', 'district'] }
    expect(await w.recordPresentation(next.value.copyId, shown)).toMatch(/^[0-9a-f-]{36}$/)
    expect(await w.recordPresentation(next.value.copyId, shown)).toBeNull()
    expect(await w.recordPresentation('no-such-copy', shown)).toBeNull()
    const again = await w.nextCopy(batch)
    expect(again.ok && again.value?.copyId).not.toBe(next.value.copyId)
    const log = await w.activity()
    expect(log).toMatchObject({ ok: true, value: [{ ...shown, batch }] })
    expect(await rawDump(name)).not.toContain('Service Hall')
    expect(await w.backup('not it')).toMatchObject({ ok: false, code: 'ERR_WALLET_PASSPHRASE_WRONG' })
    const made = await w.backup(pass)
    if (!made.ok) throw new Error(made.detail)
    const before = await w.cards()
    w.close()
    const file = made.value
    // what the file shows: its format, a time, the KDF — no claim, no credential, no key
    const outer = JSON.parse(file)
    expect(Object.keys(outer).sort()).toEqual(['createdAt', 'ct', 'format', 'iv', 'kdf'])
    expect(outer).toMatchObject({ format: BACKUP_FORMAT, createdAt: 5_000, kdf: { alg: 'argon2id' } })
    for (const v of Object.values(CITIZEN)) expect(file.includes(v), v).toBe(false)
    for (const marker of ['"d"', 'privateKey', '"credential"', '"claims"', '~', 'urn:civic', 'did:web']) expect(file.includes(marker), marker).toBe(false)

    // the device is wiped (its database deleted); the marker still names a wallet
    await new Promise<void>((resolve, reject) => {
      const d = indexedDB.deleteDatabase(name)
      d.onsuccess = () => resolve()
      d.onerror = () => reject(d.error)
    })
    const wiped = await Wallet.open({ marker, kdf, now: () => 6_000, dbName: name })
    expect(wiped.state).toBe('vanished')
    // refusals change nothing
    expect(await wiped.restore(file, 'not it')).toMatchObject({ ok: false, code: 'ERR_WALLET_PASSPHRASE_WRONG' })
    expect(await wiped.restore('{"format":"something else"}', pass)).toMatchObject({ ok: false, code: 'ERR_WALLET_BACKUP_INVALID' })
    const flipped = JSON.stringify({ ...outer, ct: outer.ct.slice(0, 40) + (outer.ct[40] === 'A' ? 'B' : 'A') + outer.ct.slice(41) })
    expect(await wiped.restore(flipped, pass)).toMatchObject({ ok: false, code: 'ERR_WALLET_PASSPHRASE_WRONG' })
    expect(await wiped.restore(JSON.stringify({ ...outer, kdf: { ...outer.kdf, m: 1024 } }), pass)).toMatchObject({ ok: false, code: 'ERR_WALLET_BACKUP_INVALID' })
    expect(wiped.state).toBe('vanished')

    expect(await wiped.restore(file, pass)).toEqual({ ok: true, value: { copies: 10, activity: 1 } })
    expect(await wiped.activity()).toEqual(log)
    expect(wiped.state).toBe('unlocked')
    const after = await wiped.cards()
    if (!after.ok || !before.ok) throw new Error('cards')
    expect(after.value).toHaveLength(1)
    expect(after.value[0]).toMatchObject({ batch, copies: 10, unused: 9, usable: 0, claims: before.value[0]!.claims, display: before.value[0]!.display, status: before.value[0]!.status })
    expect(before.value[0]!.usable).toBe(9)
    wiped.close()
    // the restored wallet opens with the backup's passphrase
    const reopened = await Wallet.open({ marker, kdf, now: () => 7_000, dbName: name })
    expect(reopened.state).toBe('locked')
    expect(await reopened.unlock(pass)).toEqual({ ok: true, value: undefined })
    await expect(reopened.restore(file, pass)).rejects.toThrow(TypeError)
    // removing the credential takes its copies, their keys and its log with it
    await reopened.removeBatch(batch)
    expect(await reopened.cards()).toEqual({ ok: true, value: [] })
    expect(await reopened.activity()).toEqual({ ok: true, value: [] })
    reopened.close()
    const raw = await rawDump(name)
    expect(raw).not.toContain(batch)
  }, 120_000)
})
