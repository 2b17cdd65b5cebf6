/**
 * The wallet survives the browser being killed while it stores a batch. Against `civic start`:
 * a wallet with one batch; then, several times, an offer is received and Chromium (every
 * process of its profile) is SIGKILLed at a different moment after the issuer has answered —
 * while the copies are verified, sealed, or written. After each restart on the same profile the
 * wallet is consistent (the page's CPU is slowed while it receives, so that the moments spread
 * over the work after the answer): every batch has all its copies or is not there at all, the first batch
 * is intact, and the wallet unlocks; or — as Chromium's IndexedDB backend sometimes does after
 * a kill (stack notes, part E) — the whole database is gone, and the wallet says so and offers
 * restore instead of starting empty. Offers come from the issuer's admin API (its token), as
 * the console would make them.
 *
 * And when the device is full: the origin's quota is set small through CDP before the page
 * writes anything, the rest of it is filled by another database of the same origin, and a
 * batch then aborts with QuotaExceededError — the wallet names ERR_STORE_QUOTA, writes no key,
 * copy or sealed record, and goes on working; with room again, the next offer is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { killBrowser, launchBrowser, type BrowserSession } from './support/browser.ts'
import { startSystem, type RunningSystem } from './support/system.ts'

const PASSPHRASE = 'lantern over the quiet lake'
const CITIZEN = { name: '王芳', birth_date: '1985-11-20', city: '杭州', district: '西湖' }
/** Milliseconds after the credential answer arrives at which the browser is killed. */
const KILL_AFTER_MS = [0, 150, 200, 250, 300, 600]
/** The page's CPU slowed this many times while it receives, so that the kills spread over verifying, sealing and writing. */
const CPU_SLOWDOWN = 20
const BATCH = 10

let system: RunningSystem | undefined
let profile = ''
let base = ''
let session: BrowserSession | undefined

beforeAll(async () => {
  system = await startSystem('civic-e2e-wallet-crash-')
  base = `http://localhost:${system.port}`
  profile = mkdtempSync(join(tmpdir(), 'civic-e2e-crash-profile-'))
}, 300_000)

afterAll(async () => {
  await session?.close().catch(() => {})
  killBrowser(profile)
  rmSync(profile, { recursive: true, force: true })
  await system?.stop()
})

async function offer(): Promise<{ offerUri: string; txCode: string }> {
  const config = await system!.config()
  const psb = config.issuers.find((i) => i.id === 'psb')!
  const token = readFileSync(join(system!.data, 'issuer-psb', 'admin-token'), 'utf8').trim()
  const r = await fetch(`${psb.adminUrl.replace(/\/+$/, '').replace(/\/admin$/, '')}/admin/offers`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ vct: 'urn:civic:resident-id', claims: CITIZEN, officer: 'PSB-0042' }),
  })
  if (r.status !== 201 && r.status !== 200) throw new Error(`offer: HTTP ${r.status} ${await r.text()}`)
  return (await r.json()) as { offerUri: string; txCode: string }
}

async function open(): Promise<Page> {
  session = await launchBrowser({ profile })
  const page = session.page
  await page.goto(`${base}/#/wallet`)
  await page.locator('[data-testid="wallet"]:not([data-state="opening"]):not([data-state="idle"])').waitFor({ timeout: 30_000 })
  return page
}

async function unlock(page: Page): Promise<void> {
  await page.getByTestId('unlock-passphrase').fill(PASSPHRASE)
  await page.getByTestId('unlock-submit').click()
  await page.locator('[data-testid="wallet"][data-state="unlocked"]').waitFor({ timeout: 30_000 })
}

/** Copies per batch as the wallet lists them. */
async function batches(page: Page): Promise<Map<string, number>> {
  await page.evaluate(() => (location.hash = '#/wallet'))
  await page.getByTestId('wallet-cards').waitFor()
  const out = new Map<string, number>()
  for (const card of await page.getByTestId('card').all()) {
    const text = (await card.textContent()) ?? ''
    const m = /(\d+) of (\d+) one-time copies left/.exec(text)
    out.set((await card.getAttribute('data-batch'))!, m ? Number(m[2]) : -1)
  }
  return out
}

async function receive(page: Page): Promise<void> {
  const o = await offer()
  await page.evaluate(() => (location.hash = '#/wallet/receive'))
  await page.getByTestId('offer-link').fill(o.offerUri)
  await page.getByTestId('offer-read').click()
  await page.getByTestId('tx-code').fill(o.txCode)
  return void (await page.getByTestId('offer-accept').click())
}

describe('the wallet when the browser is killed while it stores a batch', () => {
  it('is consistent after every kill: each batch whole or absent, nothing else lost; a vanished database is detected', async () => {
    let page = await open()
    expect(await page.locator('[data-testid="wallet"]').getAttribute('data-state')).toBe('new')
    await page.getByTestId('create-passphrase').fill(PASSPHRASE)
    await page.getByTestId('create-repeat').fill(PASSPHRASE)
    await page.getByTestId('create-submit').click()
    await page.locator('[data-testid="wallet"][data-state="unlocked"]').waitFor({ timeout: 30_000 })
    await page.locator('[data-testid="wallet-sync"]').waitFor({ timeout: 30_000 })
    await receive(page)
    await page.getByTestId('receive-done').waitFor({ timeout: 60_000 })
    const first = [...(await batches(page)).entries()]
    expect(first).toHaveLength(1)
    expect(first[0]![1]).toBe(BATCH)
    const firstBatch = first[0]![0]
    await session!.close()

    const outcomes: string[] = []
    for (const delay of KILL_AFTER_MS) {
      page = await open()
      const state = await page.locator('[data-testid="wallet"]').getAttribute('data-state')
      if (state === 'vanished') {
        outcomes.push(`${delay} ms: vanished before the kill`)
        break
      }
      await unlock(page)
      const known = await batches(page)
      const cdp = await page.context().newCDPSession(page)
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN })
      const answered = page.waitForResponse((r) => r.url().endsWith('/credential') && r.request().method() === 'POST', { timeout: 60_000 })
      await receive(page)
      await answered
      await new Promise((r) => setTimeout(r, delay))
      expect(killBrowser(profile)).toBeGreaterThan(0)
      await session!.close().catch(() => {})
      session = undefined

      page = await open()
      const after = await page.locator('[data-testid="wallet"]').getAttribute('data-state')
      if (after === 'vanished') {
        // the database went with the crash: the wallet says so and offers restore, it does not start empty
        await page.getByTestId('wallet-vanished').waitFor()
        await page.getByTestId('wallet-restore').waitFor()
        outcomes.push(`${delay} ms: database vanished, detected`)
        break
      }
      expect(after).toBe('locked')
      await unlock(page)
      const now = await batches(page)
      for (const [b, copies] of now) expect(copies, `batch ${b} after a kill at ${delay} ms`).toBe(BATCH)
      for (const b of known.keys()) expect(now.has(b), `batch ${b} was there before the kill`).toBe(true)
      expect(now.has(firstBatch)).toBe(true)
      expect(now.size - known.size).toBeLessThanOrEqual(1)
      outcomes.push(`${delay} ms: ${now.size > known.size ? 'stored whole' : 'not stored'}`)
      await session!.close()
      session = undefined
    }
    expect(outcomes.length).toBeGreaterThan(0)
    console.log(`kills: ${outcomes.join('; ')}`)
  })
})

/** Store counts of the wallet's database, read by the page through its own connection. */
const COUNTS = `new Promise((done, fail) => {
  const open = indexedDB.open('civic-wallet')
  open.onerror = () => fail(open.error)
  open.onsuccess = () => {
    const db = open.result
    const names = [...db.objectStoreNames]
    const tx = db.transaction(names, 'readonly')
    const out = {}
    for (const n of names) { const r = tx.objectStore(n).count(); r.onsuccess = () => { out[n] = r.result } }
    tx.oncomplete = () => { db.close(); done(out) }
    tx.onerror = () => fail(tx.error)
  }
})`

/**
 * Fills what is left of the origin's quota with random records in a database of its own,
 * halving the record size at each refusal down to 256 bytes (random: the profile compresses
 * what it stores). Returns the bytes written and the name of the refusal.
 */
const FILL = `(async () => {
  const db = await new Promise((done, fail) => {
    const o = indexedDB.open('quota-filler', 1)
    o.onupgradeneeded = () => o.result.createObjectStore('junk')
    o.onsuccess = () => done(o.result)
    o.onerror = () => fail(o.error)
  })
  let written = 0, refusal = '', n = 0
  for (let size = 262144; size >= 256; size = size / 2) {
    for (let tries = 0; tries < 400; tries++) {
      const bytes = new Uint8Array(size)
      for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)))
      const ok = await new Promise((done) => {
        const tx = db.transaction('junk', 'readwrite')
        tx.objectStore('junk').put(bytes, n++)
        tx.oncomplete = () => done(true)
        tx.onabort = () => { refusal = tx.error ? tx.error.name : 'abort'; done(false) }
      })
      if (!ok) break
      written += size
    }
  }
  db.close()
  return { written, refusal }
})()`

describe('the wallet on a full device', () => {
  it('refuses a batch whole with ERR_STORE_QUOTA, keeps everything else, and stores the next one once there is room', async () => {
    const full = await launchBrowser()
    try {
      const page = full.page
      const cdp = await full.context.newCDPSession(page)
      // before the origin's first write: Chromium caches the space it was granted for 30 s
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: base, quotaSize: 4_000_000 })
      await page.goto(`${base}/#/wallet`)
      await page.locator('[data-testid="wallet"][data-state="new"]').waitFor({ timeout: 30_000 })
      await page.getByTestId('create-passphrase').fill(PASSPHRASE)
      await page.getByTestId('create-repeat').fill(PASSPHRASE)
      await page.getByTestId('create-submit').click()
      await page.locator('[data-testid="wallet"][data-state="unlocked"]').waitFor({ timeout: 30_000 })
      await page.locator('[data-testid="ledger-line"][data-syncing="false"]').waitFor({ timeout: 30_000 })
      const before = (await page.evaluate(COUNTS)) as Record<string, number>
      expect(before).toMatchObject({ keys: 0, copies: 0, sealed: 0 })
      const filled = (await page.evaluate(FILL)) as { written: number; refusal: string }
      expect(filled.refusal).toBe('QuotaExceededError')
      expect(filled.written).toBeGreaterThan(1_000_000)

      await receive(page)
      const problem = page.locator('[data-testid="wallet-receive"] [data-testid="wallet-problem"]')
      await problem.waitFor({ timeout: 60_000 })
      expect(await problem.getAttribute('data-code')).toBe('ERR_STORE_QUOTA')
      expect(await problem.textContent()).toContain('nothing was written')
      // the whole batch went nowhere: no key, no copy, no sealed record; the rest as it was
      expect(await page.evaluate(COUNTS)).toEqual(before)
      expect(await page.locator('[data-testid="wallet"]').getAttribute('data-state')).toBe('unlocked')
      expect((await batches(page)).size).toBe(0)

      // room again (the filler goes): the next offer is stored whole
      await page.evaluate(`new Promise((done, fail) => { const r = indexedDB.deleteDatabase('quota-filler'); r.onsuccess = () => done(true); r.onerror = () => fail(r.error) })`)
      await page.evaluate(() => (location.hash = '#/wallet/receive'))
      await page.getByRole('button', { name: 'Cancel' }).click()
      await receive(page)
      await page.getByTestId('receive-done').waitFor({ timeout: 60_000 })
      expect([...(await batches(page)).values()]).toEqual([BATCH])
    } finally {
      await full.close()
    }
  })
})
