/**
 * The citizen's wallet in Chromium against the real system (`civic start`): the wallet is
 * created; the issuer console (an officer signed in with a passkey, in a second tab) makes an
 * offer; the wallet takes the offer link, the transaction code, receives and stores the batch
 * — every copy verified under the ledger registry its trust engine synced; the card shows the
 * claims (the issuer's labels), the issuer's registered name and the status proven from the
 * status log. Lock and unlock; wrong passphrases refused, then throttled across a reload.
 * Offline, after a reload: unlock, and the card is all there. Back online the console revokes
 * and publishes; the wallet syncs and the card says revoked. Every wallet screen is
 * photographed at 360×740 and 1280×800 in zh-CN and en (to $CIVIC_SHOTS, default
 * /tmp/civic-shots, as wallet-<lang>-<size>-<screen>.png), fits the width and has no serious or
 * critical axe-core violation. A dump of the wallet's IndexedDB holds no claim value. When
 * another tab opens a newer version of the database, this tab gives way at once and says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { walletStrings } from '../../src/app/i18n/wallet.ts'
import { LOCALES, type Locale } from '../../src/app/i18n/strings.ts'
import { LOCALE_STORAGE_KEY } from '../../src/app/state/locale.svelte.ts'
import { launchBrowser, type BrowserSession } from './support/browser.ts'
import { blankFrame, cameraArgs, frameOf, writeFrame } from './support/camera.ts'
import { addVirtualAuthenticator, enrolFromLink, firstSupervisorLinks } from './support/passkeys.ts'
import { axeViolations, startSystem, type RunningSystem } from './support/system.ts'

const SHOTS = process.env.CIVIC_SHOTS ?? join(tmpdir(), 'civic-shots')
const PASSPHRASE = 'blue river under the old bridge'
const CITIZEN = { name: '李伟', birth_date: '1990-05-01', city: '成都', district: '武侯' }
const VIEWPORTS = [
  { name: 'phone', width: 360, height: 740 },
  { name: 'desktop', width: 1280, height: 800 },
] as const

let system: RunningSystem | undefined
let browser: BrowserSession | undefined
let base = ''
let console_: Page
let wallet: Page
let offer = { uri: '', txCode: '', credentialId: '' }
let camera = ''
let batch = ''
const pageErrors: string[] = []

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true })
  system = await startSystem('civic-e2e-wallet-')
  base = `http://localhost:${system.port}`
  camera = join(system.data, 'camera.y4m')
  writeFrame(camera, blankFrame())
  browser = await launchBrowser({ locale: 'en-US', args: cameraArgs(camera) })
  await browser.context.grantPermissions(['camera'], { origin: base })
  wallet = browser.page
  wallet.on('pageerror', (e) => pageErrors.push(`wallet ${wallet.url()}: ${e.message}`))
  console_ = await browser.context.newPage()
  console_.on('pageerror', (e) => pageErrors.push(`console ${console_.url()}: ${e.message}`))
  const link = [...firstSupervisorLinks(system.output()).values()].find((l) => l.includes('issuer=psb&'))
  if (!link) throw new Error(`no first-supervisor link for psb: ${system.output()}`)
  await addVirtualAuthenticator(console_)
  await enrolFromLink(console_, link)
  await console_.getByTestId('offer-form').waitFor()
}, 300_000)

afterAll(async () => {
  await browser?.close()
  await system?.stop()
})

async function setLang(page: Page, lang: Locale): Promise<void> {
  if ((await page.evaluate((k) => localStorage.getItem(k), LOCALE_STORAGE_KEY)) === lang) return
  await page.evaluate(([k, v]) => localStorage.setItem(k!, v!), [LOCALE_STORAGE_KEY, lang])
  await page.reload()
}

async function walletState(page: Page, state: string): Promise<void> {
  try {
    await page.locator(`[data-testid="wallet"][data-state="${state}"]`).waitFor({ timeout: 30_000 })
  } catch (e) {
    const now = await page.locator('[data-testid="wallet"]').getAttribute('data-state', { timeout: 1000 }).catch(() => 'absent')
    const problem = await page.locator('[data-testid="wallet-problem"]').allTextContents().catch(() => [])
    throw new Error(`the wallet is ${now}, not ${state} (${page.url()}) ${problem.join(' | ')}`, { cause: e })
  }
}

/** The console makes an offer of a resident ID for CITIZEN; returns its link, code and credential id. */
async function makeOffer(): Promise<typeof offer> {
  const p = console_
  await p.bringToFront()
  if ((await p.getByTestId('offer-type').count()) > 0) await p.getByTestId('offer-type').selectOption('resident-id')
  for (const [k, v] of Object.entries(CITIZEN)) await p.getByTestId(`claim-${k}`).fill(v)
  await p.getByTestId('offer-officer').fill('PSB-0042')
  await p.getByTestId('issue').click()
  await p.getByTestId('offer-qr').waitFor()
  const uri = await p.getByTestId('offer-uri').inputValue()
  // what the camera will see: the QR code as the console drew it
  writeFrame(camera, await frameOf(p.getByTestId('offer-qr')))
  await p.getByTestId('offer-reveal-tx-code').click()
  const txCode = ((await p.getByTestId('offer-tx-code-value').textContent()) ?? '').trim()
  const credentialId = ((await p.getByTestId('offer-credential-id').textContent()) ?? '').trim()
  await p.getByTestId('offer-done').click()
  return { uri, txCode, credentialId }
}

/** The console publishes its status lists and waits until the anchor's inclusion is verified. */
async function publish(): Promise<void> {
  const p = console_
  await p.bringToFront()
  const before = await p.locator('[data-testid="anchor-row"]').count()
  await p.getByTestId('publish').click()
  await p.waitForFunction((n) => document.querySelectorAll('[data-testid="anchor-row"] [data-testid="inclusion-verified"]').length > 0 && document.querySelectorAll('[data-testid="anchor-row"]').length >= n, before, { timeout: 30_000 })
}

/** The wallet syncs its ledger copy and refreshes its cards' status until the card shows `state`. */
async function syncUntil(page: Page, state: string): Promise<void> {
  await page.bringToFront()
  for (let i = 0; i < 10; i++) {
    await page.getByTestId('wallet-sync').click()
    await page.locator('[data-testid="ledger-line"][data-syncing="false"]').waitFor()
    await page.locator('[data-testid="wallet-sync"]:not([disabled])').waitFor()
    if ((await page.getByTestId('card-status').first().getAttribute('data-state')) === state) return
    await page.waitForTimeout(1000)
  }
  throw new Error(`the card did not become ${state}: ${await page.getByTestId('card-status').first().getAttribute('data-state')}`)
}

async function fits(page: Page): Promise<string | null> {
  const o = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }))
  return o.scrollWidth > o.innerWidth ? `${o.scrollWidth}px wide in ${o.innerWidth}px` : null
}

/** Photographs the screen in both sizes and checks it fits and is axe clean. */
async function judge(page: Page, lang: Locale, screen: string): Promise<void> {
  for (const vp of VIEWPORTS) {
    await page.setViewportSize({ width: vp.width, height: vp.height })
    await page.waitForTimeout(150)
    await page.screenshot({ path: join(SHOTS, `wallet-${lang}-${vp.name}-${screen}.png`), fullPage: true })
    expect(await fits(page), `${screen} ${lang} ${vp.name}`).toBeNull()
    expect(await axeViolations(page), `${screen} ${lang} ${vp.name}`).toEqual([])
  }
  await page.setViewportSize({ width: 1280, height: 800 })
}

describe('the wallet on `civic start`', () => {
  it('creates the wallet: first run explained, a short passphrase refused', async () => {
    await wallet.bringToFront()
    await wallet.goto(`${base}/#/wallet`)
    await walletState(wallet, 'new')
    for (const lang of LOCALES) {
      await setLang(wallet, lang)
      await walletState(wallet, 'new')
      expect(await wallet.getByTestId('wallet-create').textContent()).toContain(walletStrings['w.create.warn'][lang])
      await judge(wallet, lang, 'create')
    }
    await setLang(wallet, 'en')
    await walletState(wallet, 'new')
    await wallet.getByTestId('create-passphrase').fill('short')
    await wallet.getByTestId('create-submit').click()
    expect(await wallet.getByTestId('create-passphrase').getAttribute('aria-invalid')).toBe('true')
    await wallet.getByTestId('create-passphrase').fill(PASSPHRASE)
    await wallet.getByTestId('create-repeat').fill(PASSPHRASE)
    await wallet.getByTestId('create-submit').click()
    await walletState(wallet, 'unlocked')
    await wallet.getByTestId('wallet-cards').waitFor()
    // the ledger copy is synced in the background
    await wallet.locator('[data-testid="wallet-sync"]').waitFor({ timeout: 30_000 })
  })

  it('refuses a pasted link that is no offer, with its code', async () => {
    await wallet.getByTestId('tab-receive').click()
    await wallet.getByTestId('offer-link').fill('https://psb.gov.example/not-an-offer')
    await wallet.getByTestId('offer-read').click()
    await wallet.locator('[data-testid="wallet-problem"][data-code="ERR_WALLET_OFFER_INVALID"]').waitFor()
    expect(await wallet.getByTestId('wallet-problem-text').textContent()).toBe(walletStrings['error.ERR_WALLET_OFFER_INVALID'].en)
  })

  it('receives the console\'s offer through the camera: QR, transaction code, ten copies verified and stored; the card shows claims, issuer and status', async () => {
    offer = await makeOffer()
    expect(offer.uri).toMatch(/^openid-credential-offer:\/\//)
    await wallet.bringToFront()
    await wallet.getByTestId('tab-receive').click()
    await wallet.getByTestId('scan-open').click()
    // the fake camera plays the console's QR; the wallet reads it (zxing-wasm from this app: Chromium here has no BarcodeDetector)
    await wallet.getByTestId('tx-code').waitFor({ timeout: 20_000 })
    const issuerHost = new URL(decodeURIComponent(offer.uri.split('credential_offer_uri=')[1]!)).host
    expect(await wallet.getByTestId('offer').textContent()).toContain(issuerHost)
    await wallet.getByTestId('offer-accept').click()
    // a missing code is named
    await wallet.locator('[data-testid="wallet-problem"][data-code="ERR_WALLET_TX_CODE_NEEDED"]').waitFor()
    await wallet.getByTestId('tx-code').fill(offer.txCode)
    await wallet.getByTestId('offer-accept').click()
    await wallet.getByTestId('receive-done').waitFor({ timeout: 60_000 })
    await wallet.getByRole('link', { name: walletStrings['w.receive.show'].en }).click()
    const card = wallet.getByTestId('wallet-card')
    await card.waitFor()
    batch = (await card.getAttribute('data-batch'))!
    expect(await card.getByTestId('card-issuer').textContent()).toContain('Municipal Public Security Bureau')
    const claims = card.getByTestId('card-claims')
    expect(await claims.locator('[data-claim="name"] dd').textContent()).toBe(CITIZEN.name)
    expect(await claims.locator('[data-claim="birth_date"] dt').textContent()).toBe('Date of birth')
    expect(await claims.locator('[data-claim="city"] dd').textContent()).toBe(CITIZEN.city)
    expect(await claims.locator('[data-claim="age_over_18"] dd').textContent()).toBe('Yes')
    expect(await card.textContent()).toContain('10 of 10 one-time copies left')
    // the status: proven once the console has anchored the list
    await publish()
    await syncUntil(wallet, 'valid')
    expect(pageErrors).toEqual([])
  })

  it('a same-device link from the console opens the wallet at the offer, ready for its code', async () => {
    const p = console_
    await p.bringToFront()
    for (const [k, v] of Object.entries(CITIZEN)) await p.getByTestId(`claim-${k}`).fill(v)
    await p.getByTestId('offer-officer').fill('PSB-0042')
    await p.getByTestId('issue').click()
    const href = await p.getByTestId('offer-wallet-link').getAttribute('href')
    const uri = await p.getByTestId('offer-uri').inputValue()
    await p.getByTestId('offer-done').click()
    expect(href).toBe(`${base}/#/wallet/receive?offer=${encodeURIComponent(uri)}`)
    await wallet.bringToFront()
    // a fresh load of the link, as a tab opened from it would be
    await wallet.goto('about:blank')
    await wallet.goto(href!)
    await walletState(wallet, 'locked')
    await wallet.getByTestId('unlock-passphrase').fill(PASSPHRASE)
    await wallet.getByTestId('unlock-submit').click()
    await wallet.locator('[data-testid="wallet-receive"][data-step="offer"]').waitFor()
    await wallet.getByTestId('tx-code').waitFor()
    await wallet.getByRole('button', { name: walletStrings['w.receive.cancel'].en }).click()
    await wallet.locator('[data-testid="wallet-receive"][data-step="link"]').waitFor()
    await wallet.getByTestId('wallet-lock').click()
  })

  it('shows every unlocked screen well in both languages and sizes', async () => {
    for (const lang of LOCALES) {
      await setLang(wallet, lang)
      await walletState(wallet, 'locked')
      await wallet.getByTestId('unlock-passphrase').fill(PASSPHRASE)
      await wallet.getByTestId('unlock-submit').click()
      await walletState(wallet, 'unlocked')
      for (const [screen, hash, ready] of [
        ['cards', '#/wallet', 'wallet-cards'],
        ['card', `#/wallet/card/${batch}`, 'wallet-card'],
        ['receive', '#/wallet/receive', 'wallet-receive'],
        ['scan', '#/wallet/receive', 'wallet-receive'],
        ['settings', '#/wallet/settings', 'wallet-settings'],
      ] as const) {
        await wallet.evaluate((h) => (location.hash = h), hash)
        await wallet.getByTestId(ready).waitFor()
        if (screen === 'scan') {
          writeFrame(camera, blankFrame())
          await wallet.getByTestId('scan-open').click()
          await wallet.locator('[data-testid="scanner"][data-state="scanning"]').waitFor()
        }
        await judge(wallet, lang, screen)
        if (screen === 'scan') await wallet.getByTestId('scan-close').click()
      }
      await wallet.getByTestId('wallet-lock').click()
      await walletState(wallet, 'locked')
      await judge(wallet, lang, 'unlock')
    }
    await setLang(wallet, 'en')
  })

  it('locks; a wrong passphrase is refused, and after three the wait grows and survives a reload', async () => {
    await walletState(wallet, 'locked')
    for (let i = 0; i < 3; i++) {
      await wallet.getByTestId('unlock-passphrase').fill(`wrong ${i}`)
      await wallet.getByTestId('unlock-submit').click()
      await wallet.locator('[data-testid="wallet-problem"][data-code="ERR_WALLET_PASSPHRASE_WRONG"]').waitFor()
      await wallet.locator('[data-testid="unlock-submit"]:not([disabled])').waitFor()
    }
    expect(await wallet.getByTestId('unlock-wait').count()).toBe(0)
    await wallet.getByTestId('unlock-passphrase').fill('wrong again')
    await wallet.getByTestId('unlock-submit').click()
    await wallet.getByTestId('unlock-wait').waitFor()
    expect(await wallet.getByTestId('unlock-submit').isDisabled()).toBe(true)
    // more wrong ones: the wait doubles (1 s, 2 s, 4 s), and a reload does not reset it
    for (const [i, seconds] of [[5, 2], [6, 4]] as const) {
      await wallet.locator('[data-testid="wallet-unlock"][data-wait="0"]').waitFor({ timeout: 10_000 })
      await wallet.getByTestId('unlock-passphrase').fill(`wrong ${i}`)
      await wallet.getByTestId('unlock-submit').click()
      await wallet.locator(`[data-testid="wallet-unlock"][data-wait="${seconds}"]`).waitFor()
    }
    await wallet.reload()
    await walletState(wallet, 'locked')
    expect(Number(await wallet.getByTestId('wallet-unlock').getAttribute('data-wait'))).toBeGreaterThan(0)
    await wallet.locator('[data-testid="wallet-unlock"][data-wait="0"]').waitFor({ timeout: 10_000 })
    await wallet.getByTestId('unlock-passphrase').fill(PASSPHRASE)
    await wallet.getByTestId('unlock-submit').click()
    await walletState(wallet, 'unlocked')
  })

  it('holds no claim value and no key material in IndexedDB', async () => {
    const dump = await wallet.evaluate(async () => {
      const names = (await indexedDB.databases()).map((d) => d.name!).filter((n) => n.startsWith('civic-wallet'))
      const out: string[] = []
      for (const name of names) {
        const db = await new Promise<IDBDatabase>((res, rej) => {
          const r = indexedDB.open(name)
          r.onsuccess = () => res(r.result)
          r.onerror = () => rej(r.error)
        })
        for (const store of Array.from(db.objectStoreNames)) {
          const all = await new Promise<unknown[]>((res, rej) => {
            const r = db.transaction(store).objectStore(store).getAll()
            r.onsuccess = () => res(r.result)
            r.onerror = () => rej(r.error)
          })
          out.push(JSON.stringify({ name, store, all }, (_k, v) => (v instanceof CryptoKey ? { cryptoKey: `${v.type}:${v.extractable ? 'extractable' : 'sealed'}` } : v instanceof Uint8Array || v instanceof ArrayBuffer ? `bytes:${(v as ArrayBuffer).byteLength}` : v)))
        }
        db.close()
      }
      return { names, text: out.join('\n') }
    })
    expect(dump.names).toContain('civic-wallet')
    expect(dump.text.length).toBeGreaterThan(1000)
    // no claim value in any store, no private key that could be exported or stored as a JWK
    for (const v of Object.values(CITIZEN)) expect(dump.text.includes(v), `a claim value (${v}) in IndexedDB`).toBe(false)
    expect(dump.text.includes('"d":'), 'a private JWK member in IndexedDB').toBe(false)
    expect(dump.text.includes('"cryptoKey":"private:extractable"'), 'an extractable private key').toBe(false)
    expect(dump.text.split('"cryptoKey":"private:sealed"').length - 1).toBe(10)
  })

  it('adds a passkey (WebAuthn PRF, CDP virtual authenticator) and unlocks with it', async () => {
    await wallet.bringToFront()
    const authenticator = await addVirtualAuthenticator(wallet, { prf: true })
    await wallet.evaluate(() => (location.hash = '#/wallet/settings'))
    const panel = wallet.getByTestId('passkey-panel')
    await panel.waitFor()
    // the passphrase confirms: a wrong one adds nothing
    await wallet.getByTestId('passkey-passphrase').fill('not the passphrase')
    await wallet.getByTestId('passkey-add').click()
    await panel.locator('[data-testid="wallet-problem"][data-code="ERR_WALLET_PASSPHRASE_WRONG"]').waitFor()
    expect(await panel.getAttribute('data-passkeys')).toBe('0')
    expect(await authenticator.count()).toBe(0)
    await wallet.getByTestId('passkey-passphrase').fill(PASSPHRASE)
    await wallet.getByTestId('passkey-add').click()
    await wallet.getByTestId('passkey-added').waitFor()
    expect(await panel.getAttribute('data-passkeys')).toBe('1')
    // one passkey was made: the refused try was stopped before the authenticator was asked
    expect(await authenticator.count()).toBe(1)
    await wallet.getByTestId('wallet-lock').click()
    await walletState(wallet, 'locked')
    await wallet.getByTestId('unlock-passkey').click()
    await walletState(wallet, 'unlocked')
    await wallet.getByTestId('tab-cards').click()
    expect(await wallet.getByTestId('card').count()).toBe(1)
  })

  it('after an offline reload it unlocks and the card shows claims, issuer and status', async () => {
    await browser!.context.setOffline(true)
    try {
      await wallet.reload()
      await walletState(wallet, 'locked')
      await wallet.getByTestId('unlock-passphrase').fill(PASSPHRASE)
      await wallet.getByTestId('unlock-submit').click()
      await walletState(wallet, 'unlocked')
      await wallet.evaluate((h) => (location.hash = h), `#/wallet/card/${batch}`)
      const card = wallet.getByTestId('wallet-card')
      await card.waitFor()
      expect(await card.getByTestId('card-claims').locator('[data-claim="name"] dd').textContent()).toBe(CITIZEN.name)
      expect(await card.getByTestId('card-issuer').textContent()).toContain('Municipal Public Security Bureau')
      await wallet.locator('[data-testid="card-status"][data-state="valid"]').waitFor({ timeout: 15_000 })
    } finally {
      await browser!.context.setOffline(false)
    }
  })

  it('revoked in the console and published: after a sync the card says revoked', async () => {
    const p = console_
    await p.bringToFront()
    await p.getByTestId('refresh').click()
    const row = p.locator(`[data-testid="credential-row"][data-id="${offer.credentialId}"]`)
    await row.waitFor()
    await row.getByTestId('revoke').click()
    await p.getByTestId('confirm-dialog').waitFor()
    await p.getByTestId('confirm').click()
    await p.locator(`[data-testid="credential-row"][data-id="${offer.credentialId}"][data-status="revoked"]`).waitFor()
    await publish()
    await syncUntil(wallet, 'revoked')
    expect(await wallet.getByTestId('card-status').first().textContent()).toBe(walletStrings['w.status.revoked'].en)
    expect(pageErrors).toEqual([])
  })

  it('backup → the browser drops the wallet\'s database → the loss is detected and restore offered → every credential back, marked for re-issue; the file holds no key and no claim', async () => {
    await wallet.bringToFront()
    await wallet.evaluate(() => (location.hash = '#/wallet/settings'))
    await wallet.getByTestId('backup-panel').waitFor()
    await wallet.getByTestId('backup-passphrase').fill(PASSPHRASE)
    await wallet.getByTestId('backup-make').click()
    const link = wallet.getByTestId('backup-download')
    await link.waitFor()
    const [download] = await Promise.all([wallet.waitForEvent('download'), link.click()])
    const file = join(system!.data, 'wallet-backup.json')
    await download.saveAs(file)
    const text = readFileSync(file, 'utf8')
    expect(Object.keys(JSON.parse(text)).sort()).toEqual(['createdAt', 'ct', 'format', 'iv', 'kdf'])
    for (const v of Object.values(CITIZEN)) expect(text.includes(v), `a claim value (${v}) in the backup`).toBe(false)
    for (const m of ['"d"', 'privateKey', '"credential"', 'did:web']) expect(text.includes(m), `${m} in the backup`).toBe(false)

    // the browser deletes the site's IndexedDB (as Chromium did after a crash in the stack notes' probe)
    const cdp = await wallet.context().newCDPSession(wallet)
    await cdp.send('Storage.clearDataForOrigin', { origin: base, storageTypes: 'indexeddb' })
    await wallet.reload()
    await walletState(wallet, 'vanished')
    await wallet.getByTestId('wallet-vanished').waitFor()
    for (const lang of LOCALES) {
      await setLang(wallet, lang)
      await walletState(wallet, 'vanished')
      await judge(wallet, lang, 'vanished')
    }
    await setLang(wallet, 'en')
    await walletState(wallet, 'vanished')
    // a file that is not a backup is refused, and nothing changes
    const junk = join(system!.data, 'not-a-backup.json')
    writeFileSync(junk, '{"hello":"world"}')
    await wallet.getByTestId('restore-file').setInputFiles(junk)
    await wallet.getByTestId('restore-passphrase').fill(PASSPHRASE)
    await wallet.getByTestId('restore-submit').click()
    await wallet.locator('[data-testid="wallet-restore"] [data-testid="wallet-problem"][data-code="ERR_WALLET_BACKUP_INVALID"]').waitFor()
    expect(await wallet.locator('[data-testid="wallet"]').getAttribute('data-state')).toBe('vanished')
    await wallet.getByTestId('restore-file').setInputFiles(file)
    await wallet.getByTestId('restore-passphrase').fill(PASSPHRASE)
    await wallet.getByTestId('restore-submit').click()
    await walletState(wallet, 'unlocked')
    await wallet.evaluate((h) => (location.hash = h), `#/wallet/card/${batch}`)
    const card = wallet.getByTestId('wallet-card')
    await card.waitFor()
    expect(await card.getByTestId('card-claims').locator('[data-claim="name"] dd').textContent()).toBe(CITIZEN.name)
    await card.getByTestId('rebind').waitFor()
    await judge(wallet, 'en', 'restored')
    // the citizen removes it: asked first, then every copy goes and the list is empty
    await card.getByTestId('remove').click()
    await card.getByTestId('remove-yes').waitFor()
    const confirmShown = async (): Promise<void> => {
      await wallet.locator('[data-testid="wallet"]:not([data-state="opening"]):not([data-state="idle"])').waitFor()
      if ((await wallet.locator('[data-testid="wallet"]').getAttribute('data-state')) === 'locked') {
        await wallet.getByTestId('unlock-passphrase').fill(PASSPHRASE)
        await wallet.getByTestId('unlock-submit').click()
        await walletState(wallet, 'unlocked')
      }
      if ((await wallet.getByTestId('remove-yes').count()) === 0) await wallet.getByTestId('remove').click()
      await wallet.getByTestId('remove-yes').waitFor()
    }
    for (const lang of LOCALES) {
      await setLang(wallet, lang)
      await confirmShown()
      expect(await wallet.getByTestId('card-remove').textContent()).toContain(walletStrings['w.remove.yes'][lang])
      await judge(wallet, lang, 'remove')
    }
    await setLang(wallet, 'en')
    await confirmShown()
    await wallet.getByTestId('remove-yes').click()
    await wallet.getByTestId('wallet-cards').waitFor()
    expect(await wallet.getByTestId('card').count()).toBe(0)
    expect(pageErrors).toEqual([])
  })

  it('another tab opens a newer version of the database: this tab locks and asks for a reload at once, and nothing is lost', async () => {
    await wallet.bringToFront()
    await setLang(wallet, 'en')
    await wallet.locator('[data-testid="wallet"]:not([data-state="opening"]):not([data-state="idle"])').waitFor()
    if ((await wallet.locator('[data-testid="wallet"]').getAttribute('data-state')) === 'locked') {
      await wallet.getByTestId('unlock-passphrase').fill(PASSPHRASE)
      await wallet.getByTestId('unlock-submit').click()
    }
    await walletState(wallet, 'unlocked')
    // something to lose: a credential received by the console's same-device link
    const fresh = await makeOffer()
    await wallet.bringToFront()
    await wallet.evaluate((h) => (location.hash = h), `#/wallet/receive?offer=${encodeURIComponent(fresh.uri)}`)
    await wallet.getByTestId('tx-code').fill(fresh.txCode)
    await wallet.getByTestId('offer-accept').click()
    await wallet.getByTestId('receive-done').waitFor({ timeout: 60_000 })
    // every record of every store, as a second tab reads them (its own connection, closed after)
    const records = `new Promise((done, fail) => {
      const open = indexedDB.open('civic-wallet')
      open.onerror = () => fail(open.error)
      open.onsuccess = () => {
        const db = open.result
        const names = [...db.objectStoreNames]
        const tx = db.transaction(names, 'readonly')
        const out = { version: db.version }
        for (const n of names) { const r = tx.objectStore(n).count(); r.onsuccess = () => { out[n] = r.result } }
        tx.oncomplete = () => { db.close(); done(out) }
        tx.onerror = () => fail(tx.error)
      }
    })`
    const other = await wallet.context().newPage()
    await other.goto(`${base}/#/explorer`)
    const before = (await other.evaluate(records)) as Record<string, number> & { version: number }
    expect(before).toMatchObject({ keys: 10, copies: 10, sealed: 10 })
    // a newer app in the other tab: an open at the next version is not blocked by this tab
    const upgraded = await other.evaluate(`new Promise((done, fail) => {
      const open = indexedDB.open('civic-wallet', ${before.version} + 1)
      const timer = setTimeout(() => fail(new Error('blocked: the older tab kept its connection')), 10000)
      open.onblocked = () => {}
      open.onerror = () => { clearTimeout(timer); fail(open.error) }
      open.onsuccess = () => { clearTimeout(timer); open.result.close(); done(open.result.version) }
    })`)
    expect(upgraded).toBe(before.version + 1)
    await wallet.bringToFront()
    await walletState(wallet, 'closed')
    expect(await wallet.getByTestId('card').count()).toBe(0)
    for (const lang of LOCALES) {
      if ((await wallet.evaluate((k) => localStorage.getItem(k), LOCALE_STORAGE_KEY)) !== lang) await wallet.getByTestId('language-toggle').click()
      await wallet.getByText(walletStrings['w.closed.title'][lang]).waitFor()
      await judge(wallet, lang, 'closed')
    }
    const after = (await other.evaluate(records)) as Record<string, number>
    expect({ ...after, version: before.version }).toEqual(before)
    // this (older) app, reloaded, refuses the newer database rather than touching it
    await wallet.getByTestId('wallet-reload').click()
    await walletState(wallet, 'failed')
    expect(await wallet.getByTestId('wallet-problem').getAttribute('data-code')).toBe('ERR_STORE_UNAVAILABLE')
    await other.close()
    expect(pageErrors).toEqual([])
  })
})
