/**
 * The issuer console in Debian Chromium against `civic start` (what `npm start` runs), as issue 4
 * asks: issue → the offer QR is shown → (the citizen collects the credential) → revoke with
 * confirmation → publish → the status anchor is in the ledger, inclusion verified, and
 * `civic log verify` on the running ledger succeeds.
 *
 * `civic start` must seed the demo issuers and serve civic-config.json next to index.html
 * (`{ledger, issuers: [{id, did, name, adminUrl}]}`), with each issuer's admin API open to the
 * app's origin. The officer is the office's first supervisor, enrolled with a passkey (a CDP
 * virtual authenticator, on http://localhost) from the link `civic start` prints; the test's
 * own look-ups use the office's admin token. The citizen's part (collecting the offer) is played here by OpenID4VCI calls
 * from Node with fresh holder keys, until the wallet role can do it in the page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { issuerStrings } from '../../src/app/i18n/issuer.ts'
import { LightClient } from '../../src/core/log/light-client.ts'
import { parseLogPolicy } from '../../src/core/log/policy.ts'
import { syncLog } from '../../src/core/log/sync.ts'
import { parseEntry } from '../../src/core/registry/entry.ts'
import { collectOffer } from '../issuer/_world.ts'
import { PROJECT_ROOT } from './support/app-server.ts'
import { launchBrowser, type BrowserSession } from './support/browser.ts'
import { startSystem, type CivicConfigJson, type RunningSystem } from './support/system.ts'
import { addVirtualAuthenticator, enrolFromLink, firstSupervisorLinks } from './support/passkeys.ts'

let system: RunningSystem | undefined
let data = ''
let browser: BrowserSession | undefined
let port = 0

beforeAll(async () => {
  system = await startSystem('civic-e2e-issuer-')
  port = system.port
  data = system.data
  browser = await launchBrowser({ locale: 'en-US' })
})

afterAll(async () => {
  await browser?.close()
  await system?.stop()
})

type CivicConfig = CivicConfigJson

const adminBase = (u: string) => u.replace(/\/+$/, '').replace(/\/admin$/, '')

async function status(page: Page, id: string): Promise<string | null> {
  return page.locator(`[data-testid="credential-row"][data-id="${id}"]`).getAttribute('data-status')
}

describe('issuer console on `civic start`', () => {
  it('issue → offer QR → revoke → the anchor is in the ledger → civic log verify succeeds', async () => {
    const origin = `http://localhost:${port}`
    // the app learns where the services are from civic-config.json
    const served = await fetch(`${origin}/civic-config.json`)
    expect(served.status, 'civic start serves civic-config.json next to index.html').toBe(200)
    const config = (await served.json()) as CivicConfig
    expect(config.issuers.length, 'civic start seeds the two demo issuers').toBeGreaterThanOrEqual(2)
    // the office that issues the resident ID
    let psb: CivicConfig['issuers'][number] | undefined
    for (const i of config.issuers) {
      const token = readFileSync(join(data, `issuer-${i.id}`, 'admin-token'), 'utf8').trim()
      const info = (await (await fetch(`${adminBase(i.adminUrl)}/admin/info`, { headers: { authorization: `Bearer ${token}` } })).json()) as { credentialTypes: { id: string }[] }
      if (info.credentialTypes.some((t) => t.id === 'resident-id')) psb = i
    }
    expect(psb, 'an issuer of resident-id').toBeDefined()

    const page = browser!.page
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    // the office's first supervisor enrols a passkey from the link civic start printed, and is signed in
    const link = [...firstSupervisorLinks(system!.output()).values()].find((l) => l.includes(`issuer=${psb!.id}&`))
    expect(link, system!.output()).toBeDefined()
    await addVirtualAuthenticator(page)
    await enrolFromLink(page, link!)
    await page.getByTestId('route-issuer').waitFor()
    await page.getByTestId('offer-form').waitFor()
    // a type picker appears only when the office issues more than one type
    if ((await page.getByTestId('offer-type').count()) > 0) await page.getByTestId('offer-type').selectOption('resident-id')

    // issue
    await page.getByTestId('claim-name').fill('李伟')
    await page.getByTestId('claim-birth_date').fill('1990-05-01')
    await page.getByTestId('claim-city').fill('成都')
    await page.getByTestId('claim-district').fill('武侯')
    await page.getByTestId('offer-officer').fill('PSB-0042')
    await page.getByTestId('issue').click()

    // the offer QR, drawn by Chromium from the server's SVG
    const qr = page.getByTestId('offer-qr')
    await qr.waitFor()
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true)
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/)
    const offerUri = await page.getByTestId('offer-uri').inputValue()
    expect(offerUri).toMatch(/^openid-credential-offer:\/\/\?credential_offer_uri=/)
    // the transaction code is on its own step, shown once the QR code has been scanned
    expect(await page.getByTestId('offer-tx-code-value').count()).toBe(0)
    await page.getByTestId('offer-reveal-tx-code').click()
    const txCode = (await page.getByTestId('offer-tx-code-value').textContent())?.trim() ?? null
    const credentialId = (await page.getByTestId('offer-credential-id').textContent())!.trim()

    // the citizen collects three copies
    expect(await collectOffer(offerUri, txCode, 3)).toBe(3)
    await page.getByTestId('offer-done').click()
    await page.getByTestId('refresh').click()
    await page.locator(`[data-testid="credential-row"][data-id="${credentialId}"][data-status="valid"]`).waitFor()

    // revoke, behind a confirmation that names the credential and all its copies
    await page.locator(`[data-testid="credential-row"][data-id="${credentialId}"] [data-testid="revoke"]`).click()
    const dialog = page.getByTestId('confirm-dialog')
    await dialog.waitFor()
    expect(await dialog.textContent()).toContain(credentialId)
    expect(await dialog.textContent()).toContain('All 3 copies')
    await page.getByTestId('confirm').click()
    await page.locator(`[data-testid="credential-row"][data-id="${credentialId}"][data-status="revoked"]`).waitFor()
    expect(await status(page, credentialId)).toBe('revoked')

    // publish: the anchor with its ledger index, inclusion verified
    await page.getByTestId('publish').click()
    const verified = page.locator('[data-testid="anchor-row"]').filter({ has: page.getByTestId('inclusion-verified') }).first()
    await verified.waitFor({ timeout: 30_000 })
    expect((await verified.getByTestId('inclusion-verified').textContent())?.trim()).toBe(issuerStrings['issuer.anchors.verified'].en)
    const uri = (await verified.getAttribute('data-uri'))!
    const index = Number(await verified.getAttribute('data-index'))
    const version = Number(await verified.getAttribute('data-version'))

    // the anchor is in the ledger's status log, as a reader that trusts only its log key and the witnesses sees it
    const policy = parseLogPolicy({ origin: config.ledger.status.origin, logKeys: [config.ledger.status.vkey], witnessKeys: config.ledger.witnesses, quorum: config.ledger.quorum })
    const ledgerUrl = `${config.ledger.url.endsWith('/') ? config.ledger.url : `${config.ledger.url}/`}status/`
    const synced = await syncLog({
      origin: config.ledger.status.origin, now: Math.floor(Date.now() / 1000), client: new LightClient([policy]), edge: { size: 0, hashes: [] },
      fetch: async (path) => {
        const r = await fetch(new URL(path, ledgerUrl))
        if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status}`)
        return new Uint8Array(await r.arrayBuffer())
      },
    })
    if (!synced.ok) throw new Error(`${synced.code}: ${synced.detail}`)
    expect(parseEntry(synced.value.entries[index])).toMatchObject({ type: 'status-anchor', iss: psb!.did, uri, version })

    // and `civic log verify`, exactly as civic start prints it, succeeds on the running ledger
    const audit = /npx civic log verify (.+)$/m.exec(system!.output())
    expect(audit, system!.output()).not.toBeNull()
    const v = spawnSync(process.execPath, [join(PROJECT_ROOT, 'src/cli/bin.mjs'), 'log', 'verify', ...audit![1]!.trim().split(/\s+/)], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 })
    expect(v.status, `${v.stdout}${v.stderr}`).toBe(0)
    const line = JSON.parse(v.stdout.trim().split('\n').pop()!) as { ok: boolean; status: { size: number } }
    expect(line.ok).toBe(true)
    expect(line.status.size).toBeGreaterThan(index)

    expect(errors).toEqual([])
  })
})
