/**
 * Officers sign in, in Debian Chromium against `civic start`, with CDP virtual authenticators
 * on http://localhost (WebAuthn refuses IP addresses): the first supervisor enrols from the
 * link `civic start` printed, signs out and in again with the passkey, enrols a clerk (another
 * browser, its own authenticator), the clerk issues, is offered no revoke and is refused one
 * by the server (403 ERR_ISSUER_ROLE), the supervisor revokes, and the audit trail names both.
 * A page served on another localhost port receives the session cookie (cookies ignore ports)
 * but not the session's secret, and the cookie replayed without it is refused (401).
 * Screens are captured at 360×740 and 1280×800 in en and zh-CN (OFFICERS_SHOTS, default
 * /tmp/officers-shots); each must not scroll sideways and must have no serious or critical
 * axe-core violation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { axeViolations, startSystem, type RunningSystem } from './support/system.ts'
import { launchBrowser, type BrowserSession } from './support/browser.ts'
import { addVirtualAuthenticator, enrolFromLink, firstSupervisorLinks } from './support/passkeys.ts'

const SHOTS = process.env.OFFICERS_SHOTS ?? join(tmpdir(), 'officers-shots')
let system: RunningSystem | undefined
let supervisorBrowser: BrowserSession | undefined
let clerkBrowser: BrowserSession | undefined
let port = 0

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true })
  system = await startSystem('civic-e2e-officers-')
  port = system.port
  supervisorBrowser = await launchBrowser({ locale: 'en-US' })
  clerkBrowser = await launchBrowser({ locale: 'en-US' })
}, 240_000)

afterAll(async () => {
  await supervisorBrowser?.close()
  await clerkBrowser?.close()
  await system?.stop()
})

const SIZES = [{ width: 360, height: 740, name: 'phone' }, { width: 1280, height: 800, name: 'desktop' }] as const

/** Screenshots of the page as it stands, both sizes, both languages; each must fit without sideways scroll. */
async function shoot(page: Page, name: string): Promise<void> {
  for (const lang of ['en', 'zh-CN'] as const) {
    const current = await page.evaluate(() => document.documentElement.lang)
    if (!current.startsWith(lang === 'en' ? 'en' : 'zh')) await page.getByTestId('language-toggle').click()
    for (const s of SIZES) {
      await page.setViewportSize({ width: s.width, height: s.height })
      await page.waitForTimeout(150)
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
      expect(overflow, `${name} ${lang} ${s.name} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0)
      await page.screenshot({ path: join(SHOTS, `${name}-${lang}-${s.name}.png`), fullPage: true })
      expect(await axeViolations(page), `${name} ${lang} ${s.name}`).toEqual([])
    }
  }
  // back to English at desktop size for the test's own steps
  if (!(await page.evaluate(() => document.documentElement.lang)).startsWith('en')) await page.getByTestId('language-toggle').click()
  await page.setViewportSize({ width: 1280, height: 800 })
}

async function issueOne(page: Page): Promise<string> {
  await page.getByTestId('offer-form').waitFor()
  if ((await page.getByTestId('offer-type').count()) > 0) await page.getByTestId('offer-type').selectOption('resident-id')
  await page.getByTestId('claim-name').fill('李伟')
  await page.getByTestId('claim-birth_date').fill('1990-05-01')
  await page.getByTestId('claim-city').fill('成都')
  await page.getByTestId('claim-district').fill('武侯')
  await page.getByTestId('offer-officer').fill('王警官')
  await page.getByTestId('issue').click()
  await page.getByTestId('offer-qr').waitFor()
  return (await page.getByTestId('offer-credential-id').textContent())!.trim()
}

describe('officers sign in with passkeys', () => {
  it('first supervisor from the link → sign in → enrol a clerk → the clerk issues, may not revoke → the supervisor revokes → the audit trail names both', async () => {
    const origin = `http://localhost:${port}`
    const links = firstSupervisorLinks(system!.output())
    const link = links.get('Municipal Public Security Bureau')
    expect(link, system!.output()).toMatch(new RegExp(`^${origin}/#/issuer/enrol\\?issuer=psb&code=[A-Za-z0-9_-]{43}$`))

    // ── the first supervisor ──
    const sup = supervisorBrowser!.page
    const errors: string[] = []
    sup.on('pageerror', (e) => errors.push(e.message))
    const supKey = await addVirtualAuthenticator(sup)
    await sup.goto(link!)
    await sup.getByTestId('enrol-lead').waitFor()
    expect(sup.url()).not.toContain('code=') // the code leaves the address bar at once
    await shoot(sup, 'enrol')
    await sup.getByTestId('enrol-button').click()
    await sup.getByTestId('officer-bar').waitFor()
    // the button pressed is gone: focus is on who is signed in now, not lost to the page
    await sup.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'officer-bar')
    expect(await supKey.count()).toBe(1)
    expect(await sup.getByTestId('officer-bar').getAttribute('data-role')).toBe('supervisor')
    expect((await sup.getByTestId('officer-name').textContent())?.trim()).toBe('Supervisor')
    // the link is used up
    const again = await supervisorBrowser!.context.newPage()
    await again.goto(link!)
    await again.locator('[data-testid="enrol"] [data-testid="problem"][data-code="ERR_ISSUER_ENROLMENT"]').waitFor()
    await again.close()

    // sign out, and in again with the passkey
    await sup.getByTestId('signout').click()
    await sup.getByTestId('signin-button').waitFor()
    await sup.waitForFunction(() => document.activeElement?.id === 'signin-title')
    expect(await sup.getByTestId('issuer-info').count()).toBe(0)
    await shoot(sup, 'signin')
    // the officer does not confirm on the device: named by code, still signed out
    await supKey.cdp.send('WebAuthn.setUserVerified', { authenticatorId: supKey.authenticatorId, isUserVerified: false })
    await sup.getByTestId('signin-button').click()
    await sup.locator('[data-testid="signin"] [data-testid="problem"][data-code="ERR_ISSUER_PASSKEY"]').waitFor()
    expect(await sup.getByTestId('officer-bar').count()).toBe(0)
    await supKey.cdp.send('WebAuthn.setUserVerified', { authenticatorId: supKey.authenticatorId, isUserVerified: true })
    await sup.getByTestId('signin-button').click()
    await sup.getByTestId('officer-bar').waitFor()
    await sup.getByTestId('officers-panel').waitFor()

    // ── enrol a clerk ──
    await sup.getByTestId('officer-name-input').fill('王警官')
    await sup.getByTestId('officer-role-select').selectOption('clerk')
    await sup.getByTestId('create-enrolment').click()
    const clerkLink = (await sup.getByTestId('enrolment-link-text').textContent())!.trim()
    expect(clerkLink).toMatch(new RegExp(`^${origin}/#/issuer/enrol\\?issuer=psb&code=[A-Za-z0-9_-]{43}$`))
    await shoot(sup, 'supervisor-officers')

    const clerk = clerkBrowser!.page
    clerk.on('pageerror', (e) => errors.push(e.message))
    await addVirtualAuthenticator(clerk)
    await enrolFromLink(clerk, clerkLink)
    expect(await clerk.getByTestId('officer-bar').getAttribute('data-role')).toBe('clerk')
    expect((await clerk.getByTestId('officer-name').textContent())?.trim()).toBe('王警官')

    // ── the clerk issues; no supervisor action is offered; the server refuses one anyway ──
    const credentialId = await issueOne(clerk)
    await clerk.getByTestId('offer-done').click()
    const card = clerk.locator(`[data-id="${credentialId}"]`).first()
    await card.waitFor()
    expect(await card.getByTestId('revoke').count()).toBe(0)
    expect(await clerk.getByTestId('publish').count()).toBe(0)
    expect(await clerk.getByTestId('officers-panel').count()).toBe(0)
    expect(await clerk.getByTestId('audit-panel').count()).toBe(0)
    await shoot(clerk, 'clerk')
    const adminUrl = await clerk.evaluate(async () => {
      const c = (await (await fetch('/civic-config.json')).json()) as { issuers: { id: string; adminUrl: string }[] }
      return c.issuers.find((i) => i.id === 'psb')!.adminUrl
    })
    // the console's own origin holds the session's secret (sessionStorage); with cookie and header the server sees the clerk
    const revoke = async (withSecret: boolean) => clerk.evaluate(async ({ adminUrl, id, withSecret }) => {
      const base = adminUrl.replace(/\/$/, '')
      const secret = Object.keys(sessionStorage).filter((k) => k.startsWith('civic.issuer.session:')).map((k) => sessionStorage.getItem(k))[0]
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      if (withSecret && secret) headers['x-civic-session'] = secret
      const r = await fetch(`${base}/admin/credentials/${id}/revoke`, { method: 'POST', credentials: 'include', headers, body: '{}' })
      return { status: r.status, body: (await r.json()) as { error?: { code?: string } } }
    }, { adminUrl, id: credentialId, withSecret })
    expect(await revoke(true)).toMatchObject({ status: 403, body: { error: { code: 'ERR_ISSUER_ROLE' } } })
    // the cookie alone (the browser sends it, the header is missing): not a session
    expect(await revoke(false)).toMatchObject({ status: 401, body: { error: { code: 'ERR_ISSUER_UNAUTHENTICATED' } } })
    // without the cookie (another site's script, curl): not even authenticated
    const anonymous = await fetch(`${adminUrl.replace(/\/$/, '')}/admin/credentials`)
    expect(anonymous.status).toBe(401)

    // ── another local user's server on another localhost port collects the cookie, not the secret ──
    const seen: IncomingHttpHeaders[] = []
    const thief = createServer((req, res) => {
      seen.push(req.headers)
      res.writeHead(200, { 'content-type': 'text/html' }).end(req.url === '/' ? '<!doctype html><title>x</title>' : '{}')
    })
    await new Promise<void>((resolve) => thief.listen(0, '127.0.0.1', resolve))
    try {
      const thiefPort = (thief.address() as AddressInfo).port
      const lure = await clerk.context().newPage()
      await lure.goto(`http://localhost:${thiefPort}/`)
      const stolenStorage = await lure.evaluate(async () => {
        await fetch('/admin/x', { credentials: 'include' })
        return Object.keys(sessionStorage).length
      })
      await lure.close()
      expect(stolenStorage).toBe(0)
      const cookie = seen.map((h) => h.cookie).find((c) => typeof c === 'string' && c.includes('civic_officer_'))
      expect(cookie, 'the browser sends the cookie to any localhost port').toBeTruthy()
      // replayed with curl's manners (no Origin), on loopback: refused
      const replay = await fetch(`${adminUrl.replace(/\/$/, '')}/admin/credentials`, { headers: { cookie: cookie! } })
      expect(replay.status).toBe(401)
      expect(((await replay.json()) as { error: { code: string } }).error.code).toBe('ERR_ISSUER_UNAUTHENTICATED')
    } finally {
      await new Promise<void>((resolve) => thief.close(() => resolve()))
    }

    // ── the supervisor revokes it ──
    await sup.getByTestId('refresh').click()
    const row = sup.locator(`[data-id="${credentialId}"]`).first()
    await row.getByTestId('revoke').click()
    await sup.getByTestId('confirm-dialog').waitFor()
    await sup.getByTestId('confirm').click()
    await sup.locator(`[data-id="${credentialId}"][data-status="revoked"]`).first().waitFor()

    // ── the audit trail names both, and holds no claims ──
    await sup.getByTestId('audit-refresh').click()
    const trail = sup.getByTestId('audit-table')
    await trail.locator('[data-action="credential.revoke"][data-outcome="ok"][data-officer="Supervisor"]').waitFor()
    expect(await trail.locator('[data-action="offer.create"][data-outcome="ok"][data-officer="王警官"]').count()).toBe(1)
    expect(await trail.locator('[data-action="credential.revoke"][data-outcome="ERR_ISSUER_ROLE"][data-officer="王警官"]').count()).toBe(1)
    expect(await trail.locator('[data-action="officer.enrol"][data-officer="王警官"]').count()).toBe(1)
    expect(await trail.textContent()).toContain(credentialId)
    expect(await trail.textContent()).not.toMatch(/李伟|1990-05-01|成都|武侯/)
    await shoot(sup, 'supervisor-audit')

    // ── the supervisor disables the clerk: the clerk's console is signed out and stays out ──
    const clerkRow = sup.locator('[data-testid="officer-row"]').filter({ hasText: '王警官' })
    await clerkRow.getByTestId('disable-officer').click()
    await clerkRow.getByTestId('disable-officer-confirm').click()
    await sup.locator('[data-testid="audit-row"][data-action="officer.disable"][data-outcome="ok"]').waitFor()
    await clerk.getByTestId('refresh').click()
    await clerk.getByTestId('session-expired').waitFor()
    await clerk.getByTestId('signin-button').click()
    await clerk.locator('[data-testid="signin"] [data-testid="problem"][data-code="ERR_ISSUER_UNAUTHENTICATED"]').waitFor()
    expect(await clerk.getByTestId('issuer-info').count()).toBe(0)

    expect(errors).toEqual([])
  })
})
