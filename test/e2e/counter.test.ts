/**
 * A whole counter transaction in Chromium against `civic start`, the wallet and the counter in
 * two browsers (each its own fake camera), both offline after their last sync. The counter is
 * enrolled from the link `civic start` printed; the wallet holds a resident ID from the issuer
 * (its admin API, as the console makes offers) with its status published and synced.
 *
 * Then, offline: the counter asks for the residence certificate → the wallet reads the request
 * QR through its camera → consent → the answer QR (with the stapled status, so two frames,
 * cycling) → the counter reads the frames through its camera → green verdict with the claims,
 * issuer and status → closed: the counter's IndexedDB holds no claim value → the receipt QR →
 * the wallet reads it through its camera into its log. No network request is made by either
 * page while they are offline (the app's own lazily loaded code, the camera's QR reader, comes
 * from its service worker's precache). The same answer shown again is refused as a replay.
 * Requests no counter screen shows, signed in Node by a counter enrolled like any other, are
 * refused by the wallet with their codes (expired, signed by an unbound device, from a verifier
 * on no ledger), an over-asking one is held back until the citizen allows the extra claim, and
 * one that needs what the citizen's own rule never shares cannot be answered.
 * A day later on both clocks (the wallet reading the request from a picture file this time), the
 * stapled status is past its ttl and the verdict is unknown. A
 * revoked credential, its newer list stapled by the wallet, is red at the counter. Every
 * counter screen and the wallet's present screens are photographed at 360×740 and 1280×800 in zh-CN and en (to $CIVIC_SHOTS),
 * fits the width and has no serious or critical axe-core violation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { LOCALES, type Locale } from '../../src/app/i18n/strings.ts'
import { LOCALE_STORAGE_KEY } from '../../src/app/state/locale.svelte.ts'
import { launchBrowser, type BrowserSession } from './support/browser.ts'
import { blankFrame, cameraArgs, frameOf, writeFrame, writeFrames } from './support/camera.ts'
import { axeViolations, startSystem, type RunningSystem } from './support/system.ts'
import { generateEcdhKeyPair } from '../../src/core/crypto/keys.ts'
import { requestNonce, signCounterAttestation, signCounterRequest, type RequestInput } from '../../src/core/exchange/request.ts'
import type { EnrolAnswer } from '../../src/verifier/wire.ts'
import { seededRandom, testKey, type TestKey } from '../support/keys.ts'

const SHOTS = process.env.CIVIC_SHOTS ?? join(tmpdir(), 'civic-shots')
const PASSPHRASE = 'the counter is open on tuesdays'
const CITIZEN = { name: '张敏', birth_date: '1978-03-14', city: '成都', district: '锦江' }
const VIEWPORTS = [
  { name: 'phone', width: 360, height: 740 },
  { name: 'desktop', width: 1280, height: 800 },
] as const

let system: RunningSystem | undefined
let walletBrowser: BrowserSession | undefined
let counterBrowser: BrowserSession | undefined
let wallet: Page
let counter: Page
let base = ''
let walletCamera = ''
let counterCamera = ''
const pageErrors: string[] = []
const offlineRequests: string[] = []
let offline = false
let credentialId = ''

async function admin(path: string, body: unknown): Promise<any> {
  const config = await system!.config()
  const psb = config.issuers.find((i) => i.id === 'psb')!
  const token = readFileSync(join(system!.data, 'issuer-psb', 'admin-token'), 'utf8').trim()
  const r = await fetch(`${psb.adminUrl.replace(/\/+$/, '').replace(/\/admin$/, '')}${path}`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  })
  if (r.status >= 300) throw new Error(`${path}: HTTP ${r.status} ${await r.text()}`)
  return r.json()
}

/**
 * A counter device of the service hall's in Node: a key of its own, enrolled with a code from the
 * verifier's admin API as any counter is. It signs the requests no real counter screen would
 * show (expired, over-asking, signed by another device) for the wallet to refuse or hold back.
 */
async function nodeCounter(): Promise<{ attestation: string; key: TestKey; verifier: string }> {
  const token = readFileSync(join(system!.data, 'verifier-service-hall', 'admin-token'), 'utf8').trim()
  const created = await fetch(`http://localhost:${system!.port + 11}/admin/enrolments`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: { 'zh-CN': '测试窗口', en: 'Test counter' }, purposes: ['residence-certificate'] }),
  })
  if (created.status !== 201) throw new Error(`enrolment code: HTTP ${created.status} ${await created.text()}`)
  const { code } = (await created.json()) as { code: string }
  const hall = (await system!.config()).verifiers.find((v) => v.id === 'service-hall')!
  const key = testKey('ES256')
  const enrolled = await fetch(`${hall.url}/enrol`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, jwk: key.signer.publicJwk }) })
  if (enrolled.status !== 200) throw new Error(`enrol: HTTP ${enrolled.status} ${await enrolled.text()}`)
  return { attestation: ((await enrolled.json()) as EnrolAnswer).attestation, key, verifier: hall.did }
}

const random = seededRandom(11)

async function nodeRequest(c: { attestation: string; key: TestKey; verifier: string }, over: Partial<RequestInput> = {}, signer = c.key.signer): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return signCounterRequest({
    attestation: c.attestation, verifier: c.verifier, purpose: 'residence-certificate', vct: 'urn:civic:resident-id',
    claims: [{ path: 'name', required: true }, { path: 'city', required: true }, { path: 'district', required: true }],
    nonce: requestNonce(random), iat: now, exp: now + 120, responseKey: (await generateEcdhKeyPair()).publicJwk, ...over,
  }, signer)
}

/** The wallet reads a request pasted (its camera path is the first test's); back to its first step. */
async function pasteRequest(text: string): Promise<void> {
  await wallet.bringToFront()
  await wallet.evaluate(() => (location.hash = '#/wallet'))
  await wallet.evaluate(() => (location.hash = '#/wallet/present'))
  if ((await wallet.getByTestId('wallet-present').getAttribute('data-step')) !== 'scan') await wallet.getByTestId('present-cancel').click()
  await state(wallet, 'wallet-present', 'data-step', 'scan')
  await wallet.getByTestId('present-paste').fill(text)
  await wallet.getByTestId('present-read').click()
}

async function state(page: Page, testid: string, attr: string, value: string, timeout = 30_000): Promise<void> {
  try {
    await page.locator(`[data-testid="${testid}"][${attr}="${value}"]`).waitFor({ timeout })
  } catch (e) {
    const now = await page.locator(`[data-testid="${testid}"]`).getAttribute(attr, { timeout: 1000 }).catch(() => 'absent')
    const text = ((await page.locator('main').textContent({ timeout: 1000 }).catch(() => '')) ?? '').replace(/\s+/g, ' ').slice(0, 600)
    throw new Error(`${testid} is ${attr}=${now}, not ${value} (${page.url()}): ${text}`, { cause: e })
  }
}

async function judge(page: Page, lang: Locale, screen: string): Promise<void> {
  for (const vp of VIEWPORTS) {
    await page.setViewportSize({ width: vp.width, height: vp.height })
    await page.waitForTimeout(150)
    await page.screenshot({ path: join(SHOTS, `${screen.split('/')[0]}-${lang}-${vp.name}-${screen.split('/')[1]}.png`), fullPage: true })
    const o = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, iw: window.innerWidth }))
    expect(o.sw, `${screen} ${lang} ${vp.name} fits`).toBeLessThanOrEqual(o.iw)
    expect(await axeViolations(page), `${screen} ${lang} ${vp.name}`).toEqual([])
  }
  await page.setViewportSize({ width: 1280, height: 800 })
}

/** Photographs the page in both languages (the language toggle, no reload: the state stays). */
async function judgeBoth(page: Page, screen: string): Promise<void> {
  for (const lang of LOCALES) {
    if ((await page.evaluate((k) => localStorage.getItem(k), LOCALE_STORAGE_KEY)) !== lang) await page.getByTestId('language-toggle').click()
    await judge(page, lang, screen)
  }
  if ((await page.evaluate((k) => localStorage.getItem(k), LOCALE_STORAGE_KEY)) !== 'en') await page.getByTestId('language-toggle').click()
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true })
  system = await startSystem('civic-e2e-counter-')
  base = `http://localhost:${system.port}`
  walletCamera = join(system.data, 'wallet-camera.y4m')
  counterCamera = join(system.data, 'counter-camera.y4m')
  writeFrame(walletCamera, blankFrame())
  writeFrame(counterCamera, blankFrame())
  walletBrowser = await launchBrowser({ locale: 'en-US', args: cameraArgs(walletCamera) })
  counterBrowser = await launchBrowser({ locale: 'en-US', args: cameraArgs(counterCamera) })
  for (const b of [walletBrowser, counterBrowser]) {
    await b.context.grantPermissions(['camera'], { origin: base })
    // While offline, a request the network would have to answer: one that failed, or one answered
    // by anything but the service worker's precache (the app's own code, loaded on demand).
    b.context.on('requestfailed', (r) => {
      if (offline && !/^(data|blob):/.test(r.url())) offlineRequests.push(`failed ${r.url()}`)
    })
    b.context.on('requestfinished', (r) => {
      if (!offline || /^(data|blob):/.test(r.url())) return
      void r.response().then((res) => {
        if (!res?.fromServiceWorker()) offlineRequests.push(r.url())
      })
    })
  }
  wallet = walletBrowser.page
  counter = counterBrowser.page
  wallet.on('pageerror', (e) => pageErrors.push(`wallet: ${e.message}`))
  counter.on('pageerror', (e) => pageErrors.push(`counter: ${e.message}`))

  // The wallet: created, a resident ID received, its list published and the status synced.
  await wallet.goto(`${base}/#/wallet`)
  await state(wallet, 'wallet', 'data-state', 'new')
  await wallet.getByTestId('create-passphrase').fill(PASSPHRASE)
  await wallet.getByTestId('create-repeat').fill(PASSPHRASE)
  await wallet.getByTestId('create-submit').click()
  await state(wallet, 'wallet', 'data-state', 'unlocked')
  const offer = (await admin('/admin/offers', { vct: 'urn:civic:resident-id', claims: CITIZEN, officer: 'PSB-0042' })) as { offerUri: string; txCode: string; credentialId: string }
  credentialId = offer.credentialId
  await wallet.evaluate((h) => (location.hash = h), `#/wallet/receive?offer=${encodeURIComponent(offer.offerUri)}`)
  await wallet.getByTestId('tx-code').fill(offer.txCode)
  await wallet.getByTestId('offer-accept').click()
  await wallet.getByTestId('receive-done').waitFor({ timeout: 60_000 })
  await admin('/admin/publish', { force: true })
  await wallet.evaluate(() => (location.hash = '#/wallet'))
  for (let i = 0; i < 10; i++) {
    await wallet.getByTestId('wallet-sync').click()
    await wallet.locator('[data-testid="wallet-sync"]:not([disabled])').waitFor()
    if ((await wallet.getByTestId('card-status').first().getAttribute('data-state')) === 'valid') break
    await wallet.waitForTimeout(1000)
  }
  expect(await wallet.getByTestId('card-status').first().getAttribute('data-state')).toBe('valid')

  // The counter: not enrolled yet, it says so; a link with a made-up code is refused with the
  // verifier's code; then enrolled from the link civic start printed, its ledger copy synced.
  const link = /counter enrolment \(City Government Service Hall\): (\S+)/.exec(system.output())?.[1]
  if (!link) throw new Error(`no counter enrolment link: ${system.output()}`)
  await counter.goto(`${base}/#/counter`)
  await state(counter, 'counter', 'data-state', 'unenrolled')
  await judgeBoth(counter, 'counter/unenrolled')
  await counter.goto('about:blank')
  await counter.goto(link.replace(/code=[^&]+/, `code=${'A'.repeat(22)}`))
  await counter.locator('[data-testid="counter-problem"][data-code="ERR_VERIFIER_ENROLMENT"]').waitFor({ timeout: 30_000 })
  await judgeBoth(counter, 'counter/enrol-refused')
  await counter.goto('about:blank')
  await counter.goto(link)
  await state(counter, 'counter', 'data-state', 'ready')
  await counter.locator('[data-testid="counter-ledger"][data-syncing="false"]').waitFor()
  expect(counter.url()).toBe(`${base}/#/counter`)
}, 300_000)

afterAll(async () => {
  await walletBrowser?.close()
  await counterBrowser?.close()
  await system?.stop()
})

describe('a counter transaction, both sides offline', () => {
  let answerFrames: Uint8Array[] = []

  it('request → wallet camera → consent → answer frames → counter camera → green verdict → receipt into the wallet\'s log; no network, no claim kept', async () => {
    await counter.bringToFront()
    await judgeBoth(counter, 'counter/purposes')
    await walletBrowser!.context.setOffline(true)
    await counterBrowser!.context.setOffline(true)
    offline = true

    // The counter asks.
    await counter.getByTestId('ask-residence-certificate').click()
    await counter.getByTestId('request-qr').waitFor()
    await judgeBoth(counter, 'counter/request')
    writeFrame(walletCamera, await frameOf(counter.getByTestId('request-qr'), 440))

    // The wallet reads it through its camera and asks the citizen.
    await wallet.bringToFront()
    await wallet.getByTestId('tab-present').click()
    await wallet.getByTestId('present-scan').click()
    await state(wallet, 'wallet-present', 'data-step', 'consent', 30_000)
    expect(await wallet.getByTestId('consent-who').textContent()).toContain('City Government Service Hall')
    expect(await wallet.locator('[data-testid="consent-claim"]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-claim'), e.getAttribute('data-state')]))).toEqual([['name', 'required'], ['city', 'required'], ['district', 'required']])
    await judgeBoth(wallet, 'wallet/present-consent')
    await wallet.getByTestId('consent-share').click()
    await state(wallet, 'wallet-present', 'data-step', 'answer')
    await judgeBoth(wallet, 'wallet/present-answer')
    // With the stapled status the answer takes two codes; they take turns on screen.
    const frameCount = Number(await wallet.getByTestId('answer-frame').getAttribute('data-frames'))
    expect(frameCount).toBe(2)
    answerFrames = []
    for (let i = 1; i <= frameCount; i++) {
      await wallet.getByTestId('answer-frame').filter({ hasText: `Code ${i} of ${frameCount}` }).waitFor()
      answerFrames.push(await frameOf(wallet.getByTestId('answer-qr'), 440))
    }
    writeFrames(counterCamera, answerFrames)

    // The counter reads the frames through its camera.
    await counter.bringToFront()
    await counter.getByTestId('scan-answer').click()
    await state(counter, 'verdict', 'data-outcome', 'accepted', 60_000)
    const claims = counter.getByTestId('verdict-claims')
    expect(await claims.locator('[data-claim="name"]').textContent()).toBe(CITIZEN.name)
    expect(await claims.locator('[data-claim="district"]').textContent()).toBe(CITIZEN.district)
    expect(await counter.getByTestId('verdict-issuer').textContent()).toContain('Municipal Public Security Bureau')
    expect(await counter.getByTestId('verdict-status').getAttribute('data-state')).toBe('valid')
    expect(await counter.textContent('body')).not.toContain(CITIZEN.birth_date)
    await judgeBoth(counter, 'counter/verdict')

    // Closed: the receipt shows, and nothing of the claims is kept.
    await counter.getByTestId('verdict-close').click()
    await counter.getByTestId('receipt-qr').waitFor()
    await judgeBoth(counter, 'counter/receipt')
    const stored = await counter.evaluate(`(async () => {
      const out = []
      for (const { name } of await indexedDB.databases()) {
        const db = await new Promise((ok, no) => { const r = indexedDB.open(name); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error) })
        for (const s of db.objectStoreNames) {
          const all = await new Promise((ok) => { const r = db.transaction(s).objectStore(s).getAll(); r.onsuccess = () => ok(r.result) })
          out.push(JSON.stringify(all, (k, v) => (v instanceof Uint8Array ? new TextDecoder().decode(v) : v)))
        }
        db.close()
      }
      return out.join('\\n')
    })()`)
    for (const v of Object.values(CITIZEN)) expect(String(stored).includes(v), `${v} in the counter's IndexedDB`).toBe(false)
    expect(await counter.textContent('body')).not.toContain(CITIZEN.name)

    // The wallet reads the receipt through its camera into its log.
    writeFrame(walletCamera, await frameOf(counter.getByTestId('receipt-qr'), 400))
    await wallet.bringToFront()
    await wallet.getByTestId('present-to-receipt').click()
    await wallet.getByTestId('receipt-scan').click()
    await state(wallet, 'present-receipt', 'data-verdict', 'accepted', 30_000)
    await judgeBoth(wallet, 'wallet/present-done')
    // the log entry of the copy that answered holds the receipt
    await wallet.getByTestId('present-done').click()
    await wallet.locator('[data-testid="activity-receipt"][data-verdict="accepted"]').waitFor()
    expect(await wallet.getByTestId('activity-entry').first().textContent()).toContain('City Government Service Hall')
    expect(offlineRequests).toEqual([])
    expect(pageErrors).toEqual([])
  })

  it('the same answer shown to the counter again is refused as a replay', async () => {
    await counter.bringToFront()
    await counter.getByTestId('receipt-next').click()
    await counter.getByTestId('ask-residence-certificate').click()
    await counter.getByTestId('request-qr').waitFor()
    writeFrames(counterCamera, answerFrames)
    await counter.getByTestId('scan-answer').click()
    await state(counter, 'verdict', 'data-outcome', 'refused', 60_000)
    expect(await counter.getByTestId('verdict').getAttribute('data-code')).toBe('ERR_EXCH_REPLAY')
    await judgeBoth(counter, 'counter/refused')
    await counter.getByTestId('verdict-close').click()
    expect(offlineRequests).toEqual([])
    expect(pageErrors).toEqual([])
  })

  it('requests the wallet refuses: expired, signed by a device the attestation does not bind, from an unregistered verifier; over-asking is held back until allowed claim by claim', async () => {
    const c = await nodeCounter()
    const now = Math.floor(Date.now() / 1000)
    const refused: [string, string, string][] = [
      ['expired', await nodeRequest(c, { iat: now - 400, exp: now - 100 }), 'ERR_EXCH_REQUEST_EXPIRED'],
      ['unenrolled', await nodeRequest(c, {}, testKey('ES256').signer), 'ERR_EXCH_COUNTER_UNENROLLED'],
    ]
    // A verifier of its own making: its key is on no ledger.
    const fake = testKey('ES256')
    const fakeAttestation = await signCounterAttestation({
      verifier: 'did:web:service-hall.city.example.fake', counter: { id: 'x-1', name: { 'zh-CN': '窗口', en: 'Counter' } },
      counterKey: c.key.signer.publicJwk, purposes: ['residence-certificate'], iat: now - 60, exp: now + 3600, jti: 'fake-1',
    }, fake.signer, 'counter-1')
    refused.push(['unregistered', await nodeRequest({ ...c, attestation: fakeAttestation, verifier: 'did:web:service-hall.city.example.fake' }), 'ERR_REG_UNKNOWN_VERIFIER'])
    for (const [name, text, code] of refused) {
      await pasteRequest(text)
      await wallet.locator(`[data-testid="wallet-problem"][data-code="${code}"]`).waitFor({ timeout: 30_000 })
      expect(await wallet.getByTestId('wallet-present').getAttribute('data-step'), name).toBe('scan')
      expect((await wallet.getByTestId('wallet-problem-text').textContent())!.length, name).toBeGreaterThan(20)
      if (name === 'expired') await judgeBoth(wallet, 'wallet/present-expired')
    }

    // Over-asking: the birth date is beyond the registered purpose. Shown apart, sharing blocked
    // until the citizen allows that claim; allowed, the answer is made.
    await pasteRequest(await nodeRequest(c, { claims: [{ path: 'name', required: true }, { path: 'city', required: true }, { path: 'district', required: true }, { path: 'birth_date', required: true }] }))
    await state(wallet, 'wallet-present', 'data-step', 'consent', 30_000)
    expect(await wallet.locator('[data-testid="consent-claim"]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-claim'), e.getAttribute('data-state')])))
      .toEqual([['name', 'required'], ['city', 'required'], ['district', 'required'], ['birth_date', 'overasked']])
    expect(await wallet.getByTestId('consent-blocked').getAttribute('data-code')).toBe('ERR_EXCH_OVERASKING')
    expect(await wallet.getByTestId('consent-share').isDisabled()).toBe(true)
    expect(await wallet.getByTestId('consent-contact').textContent()).toContain('privacy@service-hall.city.example')
    await judgeBoth(wallet, 'wallet/present-overasked')
    await wallet.getByTestId('consent-allow').check()
    expect(await wallet.getByTestId('consent-blocked').count()).toBe(0)
    expect(await wallet.getByTestId('consent-share').isDisabled()).toBe(false)
    await wallet.getByTestId('consent-decline').click()
    await state(wallet, 'wallet-present', 'data-step', 'scan')

    // The citizen's own rule: never share the district. A request that needs it cannot be answered.
    await wallet.getByTestId('tab-settings').click()
    await wallet.locator('[data-testid="rule"][data-claim="district"] input').check()
    await wallet.getByTestId('rules-saved').waitFor()
    await judgeBoth(wallet, 'wallet/settings-rules')
    await pasteRequest(await nodeRequest(c))
    await state(wallet, 'wallet-present', 'data-step', 'consent', 30_000)
    expect(await wallet.getByTestId('consent-ruled-out').textContent()).toContain('District')
    expect(await wallet.getByTestId('consent-blocked').getAttribute('data-code')).toBe('ERR_POLICY_HOLDER_RULE')
    expect(await wallet.getByTestId('consent-share').isDisabled()).toBe(true)
    await judgeBoth(wallet, 'wallet/present-ruled-out')
    await wallet.getByTestId('consent-decline').click()
    await wallet.getByTestId('tab-settings').click()
    await wallet.locator('[data-testid="rule"][data-claim="district"] input').uncheck()
    await wallet.getByTestId('rules-saved').waitFor()
    expect(offlineRequests).toEqual([])
    expect(pageErrors).toEqual([])
  })

  it('a stapled status older than its ttl: the counter, with no list of its own, says unknown — never green', async () => {
    // A day and an hour later on both devices (the status list lives a day): no sync in between.
    const later = Date.now() + (86_400 + 3600) * 1000
    await walletBrowser!.context.clock.setSystemTime(later)
    await counterBrowser!.context.clock.setSystemTime(later)
    try {
      await counter.bringToFront()
      await counter.getByTestId('receipt-next').click().catch(() => {})
      await counter.getByTestId('ask-residence-certificate').click()
      await counter.getByTestId('request-qr').waitFor()
      // This time the wallet reads the request from a picture of it (a screenshot, as a citizen
      // whose camera is refused would send it), not through its camera.
      const picture = await counter.getByTestId('request-qr').screenshot()
      await wallet.bringToFront()
      await wallet.evaluate(() => (location.hash = '#/wallet/present'))
      await state(wallet, 'wallet-present', 'data-step', 'scan')
      await wallet.getByTestId('present-file').setInputFiles({ name: 'request.png', mimeType: 'image/png', buffer: picture })
      await state(wallet, 'wallet-present', 'data-step', 'consent', 30_000)
      await wallet.getByTestId('consent-share').click()
      await state(wallet, 'wallet-present', 'data-step', 'answer')
      const n = Number(await wallet.getByTestId('answer-frame').getAttribute('data-frames'))
      expect(n).toBe(2)
      const frames: Uint8Array[] = []
      for (let i = 1; i <= n; i++) {
        await wallet.getByTestId('answer-frame').filter({ hasText: `Code ${i} of ${n}` }).waitFor()
        frames.push(await frameOf(wallet.getByTestId('answer-qr'), 440))
      }
      writeFrames(counterCamera, frames)
      await counter.bringToFront()
      await counter.getByTestId('scan-answer').click()
      await state(counter, 'verdict', 'data-outcome', 'unknown', 60_000)
      expect(await counter.getByTestId('verdict').getAttribute('data-code')).toBe('ERR_STATUS_STALE')
      expect(await counter.getByTestId('verdict-status').getAttribute('data-state')).toBe('unknown')
      await judgeBoth(counter, 'counter/stale')
      await counter.getByTestId('verdict-close').click()
      await wallet.bringToFront()
      await wallet.getByTestId('present-cancel').click()
    } finally {
      await walletBrowser!.context.clock.setSystemTime(Date.now())
      await counterBrowser!.context.clock.setSystemTime(Date.now())
    }
    expect(offlineRequests).toEqual([])
    expect(pageErrors).toEqual([])
  })

  it('a revoked credential: the wallet staples the newer list, and the counter — whose own copy has no list — says red, revoked', async () => {
    // The issuer revokes and publishes; the wallet, online for a moment, syncs; then both offline again.
    await admin(`/admin/credentials/${credentialId}/revoke`, {})
    await admin('/admin/publish', {})
    offline = false
    await walletBrowser!.context.setOffline(false)
    await wallet.bringToFront()
    await wallet.evaluate(() => (location.hash = '#/wallet'))
    for (let i = 0; i < 10; i++) {
      await wallet.getByTestId('wallet-sync').click()
      await wallet.locator('[data-testid="wallet-sync"]:not([disabled])').waitFor()
      if ((await wallet.getByTestId('card-status').first().getAttribute('data-state')) === 'revoked') break
      await wallet.waitForTimeout(1000)
    }
    expect(await wallet.getByTestId('card-status').first().getAttribute('data-state')).toBe('revoked')
    await walletBrowser!.context.setOffline(true)
    offline = true

    await counter.bringToFront()
    await counter.getByTestId('receipt-next').click()
    await counter.getByTestId('ask-residence-certificate').click()
    await counter.getByTestId('request-qr').waitFor()
    writeFrame(walletCamera, await frameOf(counter.getByTestId('request-qr'), 440))
    await wallet.bringToFront()
    await wallet.getByTestId('tab-present').click()
    if ((await wallet.getByTestId('wallet-present').getAttribute('data-step')) !== 'scan') await wallet.getByTestId('present-done').click().catch(() => {})
    await wallet.evaluate(() => (location.hash = '#/wallet/present'))
    await wallet.getByTestId('present-scan').click()
    await state(wallet, 'wallet-present', 'data-step', 'consent', 30_000)
    await wallet.getByTestId('consent-share').click()
    await state(wallet, 'wallet-present', 'data-step', 'answer')
    const n = Number(await wallet.getByTestId('answer-frame').getAttribute('data-frames'))
    const frames: Uint8Array[] = []
    for (let i = 1; i <= n; i++) {
      await wallet.getByTestId('answer-frame').filter({ hasText: `Code ${i} of ${n}` }).waitFor()
      frames.push(await frameOf(wallet.getByTestId('answer-qr'), 440))
    }
    writeFrames(counterCamera, frames)
    await counter.bringToFront()
    await counter.getByTestId('scan-answer').click()
    await state(counter, 'verdict', 'data-outcome', 'refused', 60_000)
    expect(await counter.getByTestId('verdict').getAttribute('data-code')).toBe('ERR_STATUS_REVOKED')
    expect(await counter.getByTestId('verdict-status').getAttribute('data-state')).toBe('invalid')
    await judgeBoth(counter, 'counter/revoked')
    await counter.getByTestId('verdict-close').click()
    expect(offlineRequests).toEqual([])
    expect(pageErrors).toEqual([])
  })
})
