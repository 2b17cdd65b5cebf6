/**
 * The ledger explorer in Chromium against the real system (`civic start`), its registry log
 * grown past a thousand entries by the governance root over HTTP (support/seed-registry.ts):
 * the browser's trust engine syncs it (in its Worker, into IndexedDB), the explorer draws its
 * pictures from it, the inclusion check passes for an entry as the log holds it and fails, with
 * its reason, once the entry is changed; after an offline reload the registry and the age of the
 * checkpoint still show. Every view is photographed at 360×740 and 1280×800 in zh-CN and en
 * (to $CIVIC_SHOTS, default /tmp/civic-shots, as explorer-<lang>-<size>-<view>.png), fits the
 * width and has no serious or critical axe-core violation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { LOCALES, type Locale } from '../../src/app/i18n/strings.ts'
import { explorerStrings } from '../../src/app/i18n/explorer.ts'
import { LOCALE_STORAGE_KEY } from '../../src/app/state/locale.svelte.ts'
import { launchBrowser, type BrowserSession } from './support/browser.ts'
import { axeViolations, startSystem, type RunningSystem } from './support/system.ts'
import { seedRegistry, type Seeded } from './support/seed-registry.ts'

const SHOTS = process.env.CIVIC_SHOTS ?? join(tmpdir(), 'civic-shots')
const VIEWPORTS = [
  { name: 'phone', width: 360, height: 740 },
  { name: 'desktop', width: 1280, height: 800 },
] as const
const VIEWS = [
  { name: 'overview', hash: '#/explorer', ready: '[data-testid="overview"]' },
  { name: 'directory', hash: '#/explorer/directory', ready: '[data-testid="directory"]' },
  { name: 'check', hash: '#/explorer/check', ready: '[data-testid="check"]' },
] as const

let system: RunningSystem | undefined
let browser: BrowserSession | undefined
let base = ''
let seeded: Seeded
const pageErrors: string[] = []

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true })
  system = await startSystem('civic-e2e-explorer-')
  const wallet = /(https?:\/\/\S+?)\/?#\/wallet/.exec(system.output())
  if (!wallet) throw new Error(`civic start printed no app URL: ${system.output()}`)
  base = wallet[1]!
  seeded = await seedRegistry({ ledgerUrl: `http://localhost:${system.port + 1}/`, dataDir: system.data })
  browser = await launchBrowser({ locale: 'en-US' })
  browser.page.on('pageerror', (e) => pageErrors.push(`${browser!.page.url()}: ${e.message}`))
}, 300_000)

afterAll(async () => {
  await browser?.close()
  await system?.stop()
})

const size = async (page: Page, log: 'registry' | 'status'): Promise<number> =>
  Number(((await page.getByTestId(`size-${log}`).textContent()) ?? '').replace(/[^\d]/g, ''))

/** Opens the explorer in `lang` at `hash` and waits until its copy holds the whole registry. */
async function open(page: Page, lang: Locale, hash: string): Promise<void> {
  await page.goto(`${base}/${hash}`)
  if ((await page.evaluate((k) => localStorage.getItem(k), LOCALE_STORAGE_KEY)) !== lang) {
    await page.evaluate(([k, v]) => localStorage.setItem(k!, v!), [LOCALE_STORAGE_KEY, lang])
    await page.reload()
  }
  await page.locator('[data-testid="explorer"][data-trust="ready"]').waitFor()
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="size-registry"]')?.textContent?.replace(/[^\d]/g, '') ?? 0) >= n, seeded.size, { timeout: 60_000 })
}

async function fits(page: Page): Promise<string | null> {
  const o = await page.evaluate(() => {
    const culprits: string[] = []
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('body *'))) {
      const r = el.getBoundingClientRect()
      if (r.width > 0 && r.right > window.innerWidth + 0.5 && culprits.length < 5) culprits.push(`${el.tagName.toLowerCase()}.${String(el.className).trim().replace(/\s+/g, '.')} right=${Math.round(r.right)}`)
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, culprits }
  })
  return o.scrollWidth > o.innerWidth ? `${o.scrollWidth}px wide in ${o.innerWidth}px: ${o.culprits.join(', ')}` : null
}

/** Type into the check form: pick entry `index` and show it. */
async function pick(page: Page, index: number): Promise<void> {
  await page.getByTestId('entry-index').fill(String(index))
  await page.getByTestId('entry-show').click()
  await page.locator(`[data-testid="entry"][data-index="${index}"]`).waitFor()
}

describe('the explorer over a registry of more than a thousand entries', () => {
  it('was seeded through the ledger: ≥ 1,000 registry entries', () => {
    expect(seeded.size).toBeGreaterThanOrEqual(1000)
    expect(seeded.posted).toBeGreaterThanOrEqual(1000)
  })

  it('syncs it and draws its pictures from it', async () => {
    const page = browser!.page
    await page.setViewportSize({ width: 1280, height: 800 })
    await open(page, 'en', '#/explorer')
    expect(await size(page, 'registry')).toBe(seeded.size)
    expect(await page.getByTestId('age-registry').textContent()).toMatch(/^witnessed \d+ (second|seconds|minute|minutes) ago$/)
    // The registry's size over time, a line of many points ending at the whole log.
    const line = page.getByTestId('chart-registry-size').locator('svg[role="img"]')
    expect(Number(await line.getAttribute('data-points'))).toBeGreaterThan(50)
    expect(await line.getAttribute('aria-label')).toContain(`${seeded.size.toLocaleString('en')} entries`)
    // Key changes: five rollovers (an add and a revoke) of each of the hundred seeded issuers.
    const keyChanges = Number((await page.getByTestId('chart-by-type').locator('[data-key="key-change"] .value').textContent())!.replace(/[^\d]/g, ''))
    expect(keyChanges).toBe(1000)
    expect(await page.getByTestId('chart-by-type').locator('[data-key="suspension"] .value').textContent()).toBe('5')
    expect(await page.getByTestId('chart-by-party').locator('.row').count()).toBe(7)
    expect(await page.getByTestId('chart-by-party').getByTestId('bar-rest').textContent()).toMatch(/^\d+ more, with [\d,]+ entries between them\.$/)
    expect(await page.getByTestId('chart-timeline').locator('rect.mark').count()).toBeGreaterThan(20)
    // Checkpoints with their cosigners (quorum 2 of 3), each witness's last cosignature.
    expect(await page.getByTestId('checkpoint-registry').getByTestId('cosigner').count()).toBeGreaterThanOrEqual(2)
    expect(await page.getByTestId('witness').count()).toBe(3)
    // Who is registered: every seeded issuer and verifier, the suspended ones so marked.
    await page.getByTestId('view-directory').click()
    await page.getByTestId('directory').waitFor()
    await page.getByTestId('all-issuers').click()
    await page.getByTestId('all-verifiers').click()
    expect(await page.getByTestId('issuer').count()).toBe(seeded.issuers.length + 2)
    expect(await page.getByTestId('verifier').count()).toBe(seeded.verifiers.length + 2)
    for (const did of seeded.suspended) expect(await page.locator(`[data-testid="issuer"][data-did="${did}"]`).getAttribute('data-standing')).toBe('suspended')
    const pharmacy = page.locator('[data-testid="verifier"][data-did="did:web:kangjian-pharmacy.example"]')
    expect(await pharmacy.locator('[data-testid="purpose"] .claims code').allTextContents()).toEqual(['age_over_18'])
  })

  it('the inclusion check passes for an entry as the log holds it and fails, with its reason, for a changed one', async () => {
    const page = browser!.page
    await open(page, 'en', '#/explorer/check')
    const chosen = 777
    await pick(page, chosen)
    await page.getByTestId('check-run').click()
    const result = page.getByTestId('check-result')
    await result.waitFor()
    expect(await result.getAttribute('data-ok')).toBe('true')
    expect(await result.textContent()).toContain(`entry #${chosen} is in the registry log of size ${seeded.size.toLocaleString('en')}`)

    // One character of the signature changed.
    const bytes = page.getByTestId('entry-bytes')
    const text = await bytes.inputValue()
    const at = text.length - 3
    await bytes.fill(text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1))
    await page.getByTestId('entry-changed').waitFor()
    await page.getByTestId('check-run').click()
    await page.locator('[data-testid="check-result"][data-ok="false"]').waitFor()
    expect(await result.getAttribute('data-code')).toBe('ERR_LOG_INCLUSION_INVALID')
    expect(await result.getByTestId('problem-text').textContent()).toBe(explorerStrings['error.ERR_LOG_INCLUSION_INVALID'].en)

    await page.getByTestId('check-restore').click()
    await page.getByTestId('check-run').click()
    await page.locator('[data-testid="check-result"][data-ok="true"]').waitFor()
  })

  it('after an offline reload the registry and the age of the checkpoint still show', async () => {
    const page = browser!.page
    await open(page, 'en', '#/explorer')
    await page.evaluate(() => navigator.serviceWorker.ready)
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null)
    const before = await size(page, 'registry')
    await browser!.context.setOffline(true)
    try {
      await page.reload()
      await page.locator('[data-testid="explorer"][data-trust="ready"]').waitFor()
      expect(await size(page, 'registry')).toBe(before)
      expect(await page.getByTestId('age-registry').textContent()).toMatch(/^witnessed \d+ (second|seconds|minute|minutes) ago$/)
      await page.getByTestId('offline-note').waitFor()
      expect(Number(await page.getByTestId('chart-registry-size').locator('svg[role="img"]').getAttribute('data-points'))).toBeGreaterThan(50)
      await page.getByTestId('view-directory').click()
      expect(await page.getByTestId('issuer').count()).toBe(10)
      await page.getByTestId('view-check').click()
      await pick(page, 12)
      await page.getByTestId('check-run').click()
      await page.locator('[data-testid="check-result"][data-ok="true"]').waitFor()
    } finally {
      await browser!.context.setOffline(false)
    }
  })
})

describe('every explorer view at phone and desktop size, in zh-CN and en', () => {
  for (const lang of LOCALES) {
    for (const vp of VIEWPORTS) {
      it(`${lang} ${vp.name}: fits the width, no serious axe violation`, async () => {
        const page = browser!.page
        await page.setViewportSize({ width: vp.width, height: vp.height })
        const problems: string[] = []
        for (const view of VIEWS) {
          await open(page, lang, view.hash)
          await page.locator(view.ready).waitFor()
          if (view.name === 'check') {
            // The view with a failed check: the state that has the most to show.
            await pick(page, 3)
            const bytes = page.getByTestId('entry-bytes')
            await bytes.fill(`${(await bytes.inputValue()).slice(0, -2)}xx`)
            await page.getByTestId('check-run').click()
            await page.locator('[data-testid="check-result"][data-ok="false"]').waitFor()
          }
          const what = `${lang} ${vp.name} ${view.name}`
          // From the top: a sticky bar photographed after a scroll would float mid-page.
          await page.evaluate(() => window.scrollTo(0, 0))
          await page.screenshot({ path: join(SHOTS, `explorer-${lang}-${vp.name}-${view.name}.png`), fullPage: true })
          const wide = await fits(page)
          if (wide) problems.push(`${what}: ${wide}`)
          for (const v of await axeViolations(page)) problems.push(`${what}: ${v}`)
        }
        expect(problems).toEqual([])
      })
    }
  }
})

describe('pages', () => {
  it('raised no uncaught errors', () => {
    expect(pageErrors).toEqual([])
  })
})
