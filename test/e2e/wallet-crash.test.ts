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
