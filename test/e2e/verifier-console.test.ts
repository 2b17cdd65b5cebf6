/**
 * The verifier console in Chromium against `civic start`, with a CDP virtual authenticator on
 * http://localhost: the service hall's first supervisor enrols a passkey from the link `civic
 * start` printed (the code leaves the address bar at once), signs out and in again with it,
 * sees the hall's registered purposes, makes a new counter's enrolment link (with its QR code)
 * for two of them; the link opened in a second page enrols that page as a counter, and the
 * console then lists the counter and the audit trail names who made its code — never the code.
 * Each screen is photographed at 360×740 and 1280×800 in zh-CN and en (to $CIVIC_SHOTS, as
 * verifier-<lang>-<size>-<screen>.png), fits the width and has no serious or critical axe-core
 * violation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { LOCALES, type Locale } from '../../src/app/i18n/strings.ts'
import { LOCALE_STORAGE_KEY } from '../../src/app/state/locale.svelte.ts'
import { launchBrowser, type BrowserSession } from './support/browser.ts'
import { addVirtualAuthenticator } from './support/passkeys.ts'
import { axeViolations, startSystem, type RunningSystem } from './support/system.ts'

const SHOTS = process.env.CIVIC_SHOTS ?? join(tmpdir(), 'civic-shots')
const HALL = 'City Government Service Hall'
const VIEWPORTS = [
  { name: 'phone', width: 360, height: 740 },
  { name: 'desktop', width: 1280, height: 800 },
] as const

let system: RunningSystem | undefined
let browser: BrowserSession | undefined
const pageErrors: string[] = []

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true })
  system = await startSystem('civic-e2e-verifier-console-')
  browser = await launchBrowser({ locale: 'en-US' })
}, 240_000)

afterAll(async () => {
  await browser?.close()
  await system?.stop()
})

/** The page at both sizes in the current language: photographed, no sideways scrolling, no serious axe finding. */
async function judge(page: Page, lang: Locale, screen: string): Promise<void> {
  for (const vp of VIEWPORTS) {
    await page.setViewportSize({ width: vp.width, height: vp.height })
    await page.waitForTimeout(150)
    await page.screenshot({ path: join(SHOTS, `verifier-${lang}-${vp.name}-${screen}.png`), fullPage: true })
    const o = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, iw: window.innerWidth }))
    expect(o.sw, `${screen} ${lang} ${vp.name} fits`).toBeLessThanOrEqual(o.iw)
    expect(await axeViolations(page), `${screen} ${lang} ${vp.name}`).toEqual([])
  }
  await page.setViewportSize({ width: 1280, height: 800 })
}

/** Both languages (the language toggle, no reload: the state stays), back to English. */
async function judgeBoth(page: Page, screen: string): Promise<void> {
  for (const lang of LOCALES) {
    if ((await page.evaluate((k) => localStorage.getItem(k), LOCALE_STORAGE_KEY)) !== lang) await page.getByTestId('language-toggle').click()
    await judge(page, lang, screen)
  }
  if ((await page.evaluate((k) => localStorage.getItem(k), LOCALE_STORAGE_KEY)) !== 'en') await page.getByTestId('language-toggle').click()
}

function printed(what: string): string {
  const m = new RegExp(`${what} \\(${HALL}\\): (\\S+)`).exec(system!.output())
  if (!m) throw new Error(`no ${what} link for ${HALL}: ${system!.output()}`)
  return m[1]!
}

describe('the verifier console', () => {
  it('first supervisor from the link → sign in again → a new counter\'s link and QR → the counter enrols from it → listed, audited', async () => {
    const base = `http://localhost:${system!.port}`
    const adminUrl = `http://localhost:${system!.port + 11}/`
    expect(printed('verifier console')).toBe(`${base}/#/verifier?at=${encodeURIComponent(adminUrl)}`)
    const first = printed('first supervisor')
    expect(first).toMatch(new RegExp(`^${base}/#/verifier/enrol\\?at=${encodeURIComponent(adminUrl)}&code=[A-Za-z0-9_-]{43}$`))

    const page = browser!.page
    page.on('pageerror', (e) => pageErrors.push(e.message))
    const key = await addVirtualAuthenticator(page)

    // ── enrol the first supervisor ──
    await page.goto(first)
    await page.getByTestId('enrol-lead').waitFor()
    expect(page.url()).not.toContain('code=') // the code leaves the address bar at once
    expect(await page.title()).toContain('Verifier console')
    await judgeBoth(page, 'enrol')
    await page.getByTestId('enrol-button').click()
    await page.locator('[data-testid="officer-bar"][data-role="supervisor"]').waitFor()
    expect(await key.count()).toBe(1)
    await page.getByTestId('verifier-name').filter({ hasText: HALL }).waitFor()

    // ── sign out, and in again with the passkey ──
    await page.getByTestId('signout').click()
    await page.getByTestId('signin-button').waitFor()
    expect(await page.getByTestId('verifier-info').count()).toBe(0)
    await judgeBoth(page, 'signin')
    await page.getByTestId('signin-button').click()
    await page.getByTestId('officer-bar').waitFor()
    await page.getByTestId('officers-panel').waitFor()
    expect(await page.getByTestId('purpose').evaluateAll((els) => els.map((e) => e.getAttribute('data-purpose')))).toEqual(['residence-certificate', 'senior-card', 'insurance-transfer'])

    // ── a new counter: its one-time link and QR code ──
    await page.getByTestId('counter-name-zh').fill('B 区 7 号窗口')
    await page.getByTestId('counter-name-en').fill('Hall B, counter 7')
    await page.getByTestId('counter-purpose-insurance-transfer').uncheck()
    await page.getByTestId('new-counter-submit').click()
    await page.getByTestId('counter-link-qr').waitFor()
    const link = (await page.getByTestId('counter-link-text').textContent())!.trim()
    expect(link).toMatch(new RegExp(`^${base}/#/counter/enrol\\?verifier=${encodeURIComponent(`http://localhost:${system!.port + 9}`)}&code=[A-Za-z0-9_-]{22}$`))
    await judgeBoth(page, 'counter-link')

    // ── the counter's device opens it ──
    const counter = await browser!.context.newPage()
    counter.on('pageerror', (e) => pageErrors.push(`counter: ${e.message}`))
    await counter.goto(link)
    await counter.locator('[data-testid="counter"][data-state="ready"]').waitFor({ timeout: 60_000 })
    expect(await counter.locator('main').textContent()).toContain('Hall B, counter 7')
    await counter.close()

    // ── the console lists it; the audit trail names who made its code ──
    await page.bringToFront()
    await page.getByTestId('counter-link-done').click()
    const row = page.locator('[data-testid="counter-row"][data-name="Hall B, counter 7"]')
    await row.waitFor()
    expect(await row.textContent()).toContain('Certificate of residence')
    expect(await row.textContent()).not.toContain('Social insurance transfer')
    await page.getByTestId('audit-refresh').click()
    const made = page.locator('[data-testid="audit-row"][data-action="counter-enrolment.create"][data-officer="Supervisor"]')
    await made.waitFor()
    expect(await made.textContent()).toContain('Hall B, counter 7')
    expect(await page.getByTestId('audit-panel').textContent()).not.toContain(new URLSearchParams(link.split('?')[1]).get('code')!)
    await judgeBoth(page, 'counters')

    expect(pageErrors).toEqual([])
  })
})
