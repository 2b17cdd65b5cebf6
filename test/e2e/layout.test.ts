/**
 * Every screen as people hold it: on a phone (360×740) and on a desktop (1280×800), in zh-CN
 * and in en, against `civic start` (what `npm start` runs) so the issuer console shows a real
 * office: its sign-in screen, and — signed in as the office's first supervisor with a passkey
 * of a CDP virtual authenticator — the console itself. Each screen must fit the width (no
 * sideways scroll) and have no serious or critical axe-core violation. Screenshots of each go
 * to $CIVIC_SHOTS (default /tmp/civic-shots) for a person to look at.
 *
 * Also here: the role screens are loaded lazily — opening the wallet downloads nothing of the
 * issuer console — and a screen that cannot be fetched says so and loads on retry; the issuer
 * console's states that only show after an action (an offer with its QR, then its transaction
 * code, the pending offer and the confirmation dialog) are checked at phone width; the chosen
 * office is remembered across a reload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { LOCALES, type Locale } from '../../src/app/i18n/strings.ts'
import { issuerStrings } from '../../src/app/i18n/issuer.ts'
import { LOCALE_STORAGE_KEY } from '../../src/app/state/locale.svelte.ts'
import { launchBrowser, type BrowserSession } from './support/browser.ts'
import { axeViolations, startSystem, type RunningSystem } from './support/system.ts'
import { addVirtualAuthenticator, enrolFromLink, firstSupervisorLinks } from './support/passkeys.ts'
import { collectOffer } from '../issuer/_world.ts'

const SHOTS = process.env.CIVIC_SHOTS ?? join(tmpdir(), 'civic-shots')

const VIEWPORTS = [
  { name: 'phone', width: 360, height: 740 },
  { name: 'desktop', width: 1280, height: 800 },
] as const

/** Each route, and what shows that its screen has rendered. */
const ROUTES = [
  { name: 'home', hash: '#/', ready: '[data-testid="route-home"]' },
  { name: 'wallet', hash: '#/wallet', ready: '[data-testid="route-wallet"]' },
  { name: 'counter', hash: '#/counter', ready: '[data-testid="route-counter"]' },
  { name: 'issuer-signin', hash: '#/issuer', ready: '[data-testid="route-issuer"] [data-testid="issuer-picker"]' },
  { name: 'issuer', hash: '#/issuer', ready: '[data-testid="route-issuer"] [data-testid="issuer-picker"]' },
  { name: 'explorer', hash: '#/explorer', ready: '[data-testid="route-explorer"] [data-testid="overview"]' },
  { name: 'explorer-directory', hash: '#/explorer/directory', ready: '[data-testid="route-explorer"] [data-testid="directory"]' },
  { name: 'explorer-check', hash: '#/explorer/check', ready: '[data-testid="route-explorer"] [data-testid="check"]' },
  { name: 'not-found', hash: '#/no-such-screen', ready: '[data-testid="route-not-found"]' },
] as const

let system: RunningSystem | undefined
/** Signed in as the first supervisor of the office that issues resident IDs. */
let browser: BrowserSession | undefined
/** Signed in nowhere: the console asks for a sign-in. */
let visitor: BrowserSession | undefined
let base = ''
/** The office signed in to (its id in civic-config.json). */
const OFFICE = 'psb'
const pageErrors: string[] = []

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true })
  system = await startSystem('civic-e2e-layout-')
  const output = system.output()
  // The app's address as civic start prints it (the wallet's line).
  const wallet = /(https?:\/\/\S+?)\/?#\/wallet/.exec(output)
  if (!wallet) throw new Error(`civic start printed no wallet URL: ${output}`)
  base = wallet[1]!
  browser = await launchBrowser({ locale: 'en-US' })
  browser.page.on('pageerror', (e) => pageErrors.push(`${browser!.page.url()}: ${e.message}`))
  const link = [...firstSupervisorLinks(output).values()].find((l) => l.includes(`issuer=${OFFICE}&`))
  if (!link) throw new Error(`civic start printed no first-supervisor link for ${OFFICE}: ${output}`)
  await addVirtualAuthenticator(browser.page)
  await enrolFromLink(browser.page, link)
  visitor = await launchBrowser({ locale: 'en-US' })
  visitor.page.on('pageerror', (e) => pageErrors.push(`${visitor!.page.url()}: ${e.message}`))
})

afterAll(async () => {
  await visitor?.close()
  await browser?.close()
  await system?.stop()
})

/** What sticks out sideways: the page's width beyond the viewport, and the widest elements that cause it. */
async function overflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number; culprits: string[] }> {
  return page.evaluate(() => {
    const innerWidth = window.innerWidth
    const culprits: string[] = []
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('body *'))) {
      const r = el.getBoundingClientRect()
      if (r.width > 0 && r.right > innerWidth + 0.5 && culprits.length < 5) {
        culprits.push(`${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).trim().split(/\s+/).join('.')}` : ''} right=${Math.round(r.right)}`)
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth, culprits }
  })
}

async function expectFits(page: Page, what: string): Promise<void> {
  const o = await overflow(page)
  expect(o.scrollWidth, `${what}: sideways scroll; sticking out: ${o.culprits.join(', ')}`).toBeLessThanOrEqual(o.innerWidth)
}

async function expectAxeClean(page: Page, what: string): Promise<void> {
  expect(await axeViolations(page), what).toEqual([])
}

/** The whole page, or (a dialog open) what the screen shows. */
async function shoot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage })
}

/** Opens the app in `lang` at `hash`, with that language chosen on this device. */
async function open(page: Page, lang: Locale, hash: string): Promise<void> {
  await page.goto(`${base}/${hash}`)
  const stored = await page.evaluate((key) => localStorage.getItem(key), LOCALE_STORAGE_KEY)
  if (stored !== lang) {
    await page.evaluate(([key, value]) => localStorage.setItem(key!, value!), [LOCALE_STORAGE_KEY, lang])
    await page.reload()
  }
  await page.locator('[data-testid="app-status"][data-state="ready"]').waitFor()
  expect(await page.evaluate(() => document.documentElement.lang)).toBe(lang)
}

/** Fill the offer form (any text claim '李伟', any date 1990-05-01) and make the offer. */
async function makeOffer(page: Page): Promise<void> {
  for (const input of await page.locator('[data-testid="offer-form"] input[data-testid^="claim-"]').all()) {
    await input.fill((await input.getAttribute('type')) === 'date' ? '1990-05-01' : '李伟')
  }
  await page.getByTestId('issue').click()
  await page.getByTestId('offer-qr').waitFor()
}

/** The office chosen in the console (if it is not already); then its sign-in, or its details read from the running issuer. */
async function chooseOffice(page: Page, signedIn = true): Promise<void> {
  const option = page.getByTestId(`issuer-option-${OFFICE}`)
  if (!(await option.locator('input').isChecked())) await option.click()
  if (!signedIn) return page.getByTestId('signin').waitFor()
  await page.getByTestId('issuer-info').waitFor()
  await page.getByTestId('offer-form').waitFor()
}

describe('every route at phone and desktop size, in zh-CN and en', () => {
  for (const lang of LOCALES) {
    for (const vp of VIEWPORTS) {
      it(`${lang} ${vp.name} (${vp.width}×${vp.height}): no sideways scroll, no serious axe violation`, async () => {
        await browser!.page.setViewportSize({ width: vp.width, height: vp.height })
        await visitor!.page.setViewportSize({ width: vp.width, height: vp.height })
        const problems: string[] = []
        for (const route of ROUTES) {
          const page = route.name === 'issuer-signin' ? visitor!.page : browser!.page
          await open(page, lang, route.hash)
          await page.locator(route.ready).first().waitFor()
          if (route.name === 'issuer') await chooseOffice(page)
          if (route.name === 'issuer-signin') await chooseOffice(page, false)
          const what = `${lang} ${vp.name} ${route.name}`
          await shoot(page, `${lang}-${vp.name}-${route.name}`)
          const o = await overflow(page)
          if (o.scrollWidth > o.innerWidth) problems.push(`${what}: ${o.scrollWidth}px wide in ${o.innerWidth}px; ${o.culprits.join(', ')}`)
          for (const v of await axeViolations(page)) problems.push(`${what}: ${v}`)
        }
        expect(problems).toEqual([])
      })
    }
  }
})

describe('the issuer console after an action, at phone width', () => {
  for (const lang of LOCALES) {
    it(`${lang}: the offer, its transaction code and the confirmation dialog fit and are axe clean`, async () => {
      const page = browser!.page
      await page.setViewportSize({ width: 360, height: 740 })
      await open(page, lang, '#/issuer')
      await chooseOffice(page)
      await makeOffer(page)
      await shoot(page, `${lang}-phone-issuer-offer`)
      await expectFits(page, `${lang} offer`)
      await expectAxeClean(page, `${lang} offer`)

      // The transaction code is not on screen beside the QR: the officer reveals it once the QR is scanned.
      expect(await page.getByTestId('offer-tx-code-value').count()).toBe(0)
      await page.getByTestId('offer-reveal-tx-code').click()
      await page.getByTestId('offer-tx-code-value').waitFor()
      expect(await page.getByTestId('offer-qr').count()).toBe(0)
      expect(await page.getByTestId('offer-tx-code-value').textContent()).toMatch(/^\s*\d{6}\s*$/)
      await shoot(page, `${lang}-phone-issuer-tx-code`)
      await expectFits(page, `${lang} transaction code`)
      await expectAxeClean(page, `${lang} transaction code`)

      // The uncollected offer is listed as a pending offer with its expiry (from the service, so
      // also after a reload), not as a credential.
      const expiresAt = await page.getByTestId('offer-expires').locator('time').getAttribute('datetime')
      const madeId = (await page.getByTestId('offer-credential-id').textContent())!.trim()
      await page.reload()
      await page.getByTestId('issuer-info').waitFor()
      const pending = page.locator(`[data-testid="pending-offer"][data-id="${madeId}"]`)
      await pending.waitFor()
      expect(await page.locator(`[data-testid="credential-row"][data-id="${madeId}"]`).count()).toBe(0)
      expect(await pending.getByTestId('pending-expires').getAttribute('datetime')).toBe(expiresAt)
      await pending.getByTestId('revoke').click()
      const dialog = page.getByTestId('confirm-dialog')
      await dialog.waitFor()
      await shoot(page, `${lang}-phone-issuer-confirm`, false)
      for (const button of [dialog.getByTestId('cancel'), dialog.getByTestId('confirm')]) {
        const box = (await button.boundingBox())!
        expect(box.x, 'the dialog button starts on screen').toBeGreaterThanOrEqual(0)
        expect(box.x + box.width, 'the dialog button ends on screen').toBeLessThanOrEqual(360)
      }
      await expectFits(page, `${lang} confirmation`)
      await expectAxeClean(page, `${lang} confirmation`)
      await dialog.getByTestId('cancel').click()

      // A collected credential: a row of the credentials table (a card on a phone); then publish, and the anchors table.
      await makeOffer(page)
      const offerUri = await page.getByTestId('offer-uri').inputValue()
      const credentialId = (await page.getByTestId('offer-credential-id').textContent())!.trim()
      await page.getByTestId('offer-reveal-tx-code').click()
      await collectOffer(offerUri, (await page.getByTestId('offer-tx-code-value').textContent())!.trim(), 2)
      await page.getByTestId('offer-done').click()
      await page.getByTestId('refresh').click()
      const row = page.locator(`[data-testid="credential-row"][data-id="${credentialId}"]`)
      await page.locator(`[data-testid="credential-row"][data-id="${credentialId}"][data-status="valid"]`).waitFor()
      // Suspend it: the notice asks to publish; once published it says verifiers see it.
      await row.getByTestId('suspend').click()
      await page.getByTestId('confirm-dialog').getByTestId('confirm').click()
      const notice = page.getByTestId('status-notice')
      await page.locator(`[data-testid="credential-row"][data-id="${credentialId}"][data-status="suspended"]`).waitFor()
      expect(await notice.textContent()).toContain(issuerStrings['issuer.notice.publishNext'][lang])
      await page.getByTestId('publish').click()
      await page.locator('[data-testid="anchor-row"]').first().waitFor()
      await page.locator('[data-testid="status-notice"][data-published="true"]').waitFor()
      expect(await notice.textContent()).toContain(issuerStrings['issuer.notice.published'][lang])
      expect(await notice.textContent()).not.toContain(issuerStrings['issuer.notice.publishNext'][lang])
      await row.scrollIntoViewIfNeeded()
      await shoot(page, `${lang}-phone-issuer-tables`)
      await shoot(page, `${lang}-phone-issuer-row`, false)
      const box = (await row.boundingBox())!
      expect(box.x + box.width, 'the credential card fits the screen').toBeLessThanOrEqual(360)
      await expectFits(page, `${lang} tables`)
      await expectAxeClean(page, `${lang} tables`)
    })
  }
})

describe('lazy role screens', () => {
  it('the wallet downloads nothing of the issuer console; the issuer route does', async () => {
    const session = await launchBrowser({ locale: 'en-US' })
    try {
      // Only what the page itself asks for: the service worker precaches every chunk for offline use.
      const pageRequests: string[] = []
      session.context.on('request', (r) => {
        if (r.serviceWorker() === null) pageRequests.push(r.url())
      })
      const page = session.page
      await page.goto(`${base}/#/wallet`)
      await page.getByTestId('route-wallet').waitFor()
      await page.locator('[data-testid="app-status"][data-state="ready"]').waitFor()
      const issuerChunk = /\/assets\/IssuerScreen-[\w-]+\.js$/
      expect(pageRequests.some((u) => /\/assets\/WalletScreen-[\w-]+\.js$/.test(u)), pageRequests.join('\n')).toBe(true)
      expect(pageRequests.filter((u) => issuerChunk.test(u) || /\/assets\/IssuerScreen-[\w-]+\.css$/.test(u))).toEqual([])

      await page.getByRole('navigation').locator('a[href="#/issuer"]').click()
      await page.getByTestId('route-issuer').waitFor()
      expect(pageRequests.some((u) => issuerChunk.test(u)), pageRequests.join('\n')).toBe(true)
    } finally {
      await session.close()
    }
  })

  it('a role screen that cannot be fetched says so and loads on retry', async () => {
    const session = await launchBrowser({ locale: 'en-US' })
    try {
      const page = session.page
      await page.route(/\/assets\/CounterScreen-[\w-]+\.js$/, (route) => route.abort('internetdisconnected'))
      await page.goto(`${base}/#/counter`)
      const failed = page.getByTestId('screen-failed')
      await failed.waitFor()
      await shoot(page, 'en-desktop-screen-failed')
      await expectAxeClean(page, 'screen failed')
      await page.unroute(/\/assets\/CounterScreen-[\w-]+\.js$/)
      await failed.getByRole('button').click()
      await page.getByTestId('route-counter').waitFor()
    } finally {
      await session.close()
    }
  })
})

describe('the console remembers the office', () => {
  it('after a reload the chosen office is still chosen', async () => {
    const page = visitor!.page
    await page.setViewportSize({ width: 1280, height: 800 })
    await open(page, 'en', '#/issuer')
    const options = page.locator('[data-testid^="issuer-option-"]')
    await options.first().waitFor()
    for (const option of await options.all()) {
      const id = (await option.getAttribute('data-testid'))!
      await option.click()
      await page.getByTestId('signin').waitFor()
      await page.reload()
      await page.getByTestId('signin').waitFor()
      expect(await page.getByTestId(id).locator('input').isChecked(), id).toBe(true)
      expect(await page.locator('[data-testid^="issuer-option-"] input:checked').count()).toBe(1)
    }
  })
})

describe('pages', () => {
  it('raised no uncaught errors', () => {
    expect(pageErrors).toEqual([])
  })
})
