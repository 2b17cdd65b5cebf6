/**
 * The built app in real Chromium: it renders every role, its service worker takes control,
 * and it keeps working offline (emulated, then with the server gone — each role's lazily
 * loaded screen then comes from the precache) without ever asking anything of an origin other
 * than its own.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Page } from 'playwright-core'
import { strings, type StringKey } from '../../src/app/i18n/strings.ts'
import { serveApp, type AppServer } from './support/app-server.ts'
import { foreignRequests, launchBrowser, recordRequests, type BrowserSession } from './support/browser.ts'

const ROLE_TITLES = {
  wallet: 'wallet.title',
  counter: 'counter.title',
  issuer: 'issuer.title',
  explorer: 'explorer.title',
} as const satisfies Record<string, StringKey>

const en = (key: StringKey): string => strings[key].en
const zh = (key: StringKey): string => strings[key]['zh-CN']

let server: AppServer | undefined
let browser: BrowserSession | undefined
let origin = ''
let requests: string[] = []
const pageErrors: string[] = []

function session(): BrowserSession {
  if (!browser) throw new Error('browser did not start')
  return browser
}

function watchErrors(page: Page): void {
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`))
}

async function heading(page: Page): Promise<string> {
  return (await page.locator('main h1').textContent())?.trim() ?? ''
}

async function expectReady(page: Page): Promise<void> {
  await page.locator('[data-testid="app-status"][data-state="ready"]').waitFor()
  expect((await page.getByTestId('app-status').textContent())?.trim()).toBe(en('status.ready'))
}

async function expectRole(page: Page, role: keyof typeof ROLE_TITLES): Promise<void> {
  await page.getByTestId(`route-${role}`).waitFor()
  expect(await heading(page)).toBe(en(ROLE_TITLES[role]))
}

beforeAll(async () => {
  server = await serveApp(inject('civicAppBuild'))
  origin = server.origin
  browser = await launchBrowser({ locale: 'en-US' })
  requests = recordRequests(browser.context)
  watchErrors(browser.page)
  browser.context.on('page', watchErrors)
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

describe('the built app in Chromium', () => {
  it('loads, shows ready, and renders each role route', async () => {
    const { page } = session()
    await page.goto(`${origin}/`)
    await expectReady(page)
    await page.getByTestId('route-home').waitFor()
    expect(await heading(page)).toBe(en('home.title'))
    expect(await page.locator('[data-testid^="role-card-"]').count()).toBe(4)

    for (const role of ['wallet', 'counter', 'issuer', 'explorer'] as const) {
      await page.getByRole('navigation').getByRole('link', { name: en(ROLE_TITLES[role]), exact: true }).click()
      await expectRole(page, role)
      expect(new URL(page.url()).hash).toBe(`#/${role}`)
      expect(await page.title()).toContain(en(ROLE_TITLES[role]))
      // the focus moves to the screen's heading once the (lazily loaded) screen is there
      await page.waitForFunction(() => document.activeElement?.tagName === 'H1')
    }

    await page.goto(`${origin}/#/no-such-screen`)
    await page.getByTestId('route-not-found').waitFor()
    expect(await heading(page)).toBe(en('notFound.title'))

    await page.getByRole('main').getByRole('link', { name: en('role.back') }).click()
    await page.getByTestId('route-home').waitFor()
    expect(new URL(page.url()).hash).toBe('#/')
  })

  it('switches language and remembers the choice across a reload', async () => {
    const { page } = session()
    await page.goto(`${origin}/#/counter`)
    await expectRole(page, 'counter')
    await page.getByTestId('language-toggle').click()
    await page.getByRole('heading', { level: 1, name: zh('counter.title') }).waitFor()
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN')
    await page.reload()
    await page.locator('[data-testid="app-status"][data-state="ready"]').waitFor()
    expect(await heading(page)).toBe(zh('counter.title'))
    await page.getByTestId('language-toggle').click()
    await expectRole(page, 'counter')
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en')
  })

  it('is controlled by its service worker and shows offline-ready', async () => {
    const { page } = session()
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null)
    const scriptURL = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)
    expect(scriptURL).toBe(`${origin}/sw.js`)
    // Shown once the precache is complete (every chunk, the camera's reader and its .wasm): on
    // a busy two-core host that can take longer than the default wait.
    await page.getByTestId('offline-ready').waitFor({ timeout: 60_000 })
    expect((await page.getByTestId('offline-ready').textContent())?.trim()).toBe(en('offline.ready'))
  })

  it('publishes an installable web app manifest', async () => {
    const { context, page } = session()
    const cdp = await context.newCDPSession(page)
    try {
      const result = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] }
      expect(result.installabilityErrors.map((e) => e.errorId)).toEqual([])
    } finally {
      await cdp.detach()
    }
  })

  it('still renders after a reload while the browser is offline', async () => {
    const { context, page } = session()
    await page.goto(`${origin}/#/wallet`)
    await expectRole(page, 'wallet')
    await context.setOffline(true)
    try {
      const response = await page.reload()
      expect(response?.fromServiceWorker()).toBe(true)
      await expectReady(page)
      await expectRole(page, 'wallet')
      expect(await page.evaluate(() => navigator.onLine)).toBe(false)
      await page.locator('[data-testid="network"][data-state="offline"]').waitFor()
      await page.getByTestId('offline-ready').waitFor()
    } finally {
      await context.setOffline(false)
    }
  })

  it('still renders, and opens a deep link, after the server has gone', async () => {
    const { context, page } = session()
    await server?.close()
    await expect(fetch(`${origin}/`)).rejects.toThrow()

    const response = await page.reload()
    expect(response?.fromServiceWorker()).toBe(true)
    await expectReady(page)
    await expectRole(page, 'wallet')

    const deep = await context.newPage()
    // Each role's screen is its own chunk: with the server gone they come from the precache.
    const chunks: { url: string; fromServiceWorker: boolean }[] = []
    deep.on('response', (r) => {
      if (/\/assets\/[A-Za-z]+Screen-[\w-]+\.js$/.test(r.url())) chunks.push({ url: r.url(), fromServiceWorker: r.fromServiceWorker() })
    })
    try {
      await deep.goto(`${origin}/#/counter`)
      await expectReady(deep)
      await expectRole(deep, 'counter')
      await deep.getByRole('navigation').locator('a[href="#/explorer"]').click()
      await expectRole(deep, 'explorer')
      expect(chunks.map((c) => new URL(c.url).pathname.replace(/-[\w-]+\.js$/, ''))).toEqual(['/assets/CounterScreen', '/assets/ExplorerScreen'])
      expect(chunks.every((c) => c.fromServiceWorker), JSON.stringify(chunks)).toBe(true)
    } finally {
      await deep.close()
    }
  })

  it('made requests only to its own origin', () => {
    expect(requests.length).toBeGreaterThan(0)
    expect(requests.some((url) => url.startsWith(`${origin}/sw.js`))).toBe(true)
    expect(foreignRequests(requests, origin)).toEqual([])
  })

  it('raised no uncaught errors in any page', () => {
    expect(pageErrors).toEqual([])
  })
})
