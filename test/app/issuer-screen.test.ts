// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://127.0.0.1:8080/"}
/**
 * The issuer console's components mounted in a DOM (happy-dom, whose fetch is the page's own:
 * it sends the console's Origin and applies CORS) against a REAL issuing system in a child
 * process (test/app/issuer-world.ts: ledger, three witnesses, two accredited offices, and
 * the citizen's wallet behind POST /collect). The page's origin is the console origin the
 * issuers are configured for, as under `civic start`. Nothing is stubbed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { flushSync, mount, unmount } from 'svelte'
import { strings, type StringKey } from '../../src/app/i18n/strings.ts'
import { issuerStrings, type IssuerKey } from '../../src/app/i18n/issuer.ts'
import { locale } from '../../src/app/state/locale.svelte.ts'
import { ConfigState } from '../../src/app/state/config.svelte.ts'
import { IssuerConsoleState } from '../../src/app/state/issuer-console.svelte.ts'
import IssuerConsole from '../../src/app/components/issuer/IssuerConsole.svelte'
import { PROJECT_ROOT } from '../support/vectors.ts'
import { tokenFetch } from './issuer-world.ts'

const entryOf = (k: StringKey | IssuerKey) => (k in issuerStrings ? issuerStrings[k as IssuerKey] : strings[k as StringKey])
const en = (k: StringKey | IssuerKey) => entryOf(k).en
const zh = (k: StringKey | IssuerKey) => entryOf(k)['zh-CN']

interface Started {
  helperUrl: string
  configUrl: string
  /** Admin origin → that office's admin token: the page's fetch sends it (a supervisor; passkey sign-in is the e2e's). */
  tokens: Record<string, string>
}

let child: ChildProcess | undefined
let world: Started

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', 'test/app/issuer-world.ts'], { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stderr!.on('data', (d) => (err += d))
  world = await new Promise<Started>((resolve, reject) => {
    child!.stdout!.on('data', (d) => {
      out += d
      const line = out.split('\n')[0]!
      if (out.includes('\n')) resolve(JSON.parse(line) as Started)
    })
    child!.once('exit', (code) => reject(new Error(`issuer world exited ${code}: ${err}`)))
  })
}, 90_000)

afterAll(async () => {
  if (!child || child.exitCode !== null) return
  const exited = new Promise((r) => child!.once('exit', r))
  child.kill('SIGTERM')
  await exited
})

let mounted: { target: HTMLElement; destroy(): void } | undefined
afterEach(() => {
  mounted?.destroy()
  mounted = undefined
})

function show(configUrl: string, o: { signedIn?: boolean } = {}): { ic: IssuerConsoleState; target: HTMLElement } {
  locale.current = 'en'
  const pageFetch = (u: string, init?: RequestInit) => fetch(u, init)
  const ic = new IssuerConsoleState({ config: new ConfigState({ url: configUrl }), fetch: o.signedIn === false ? pageFetch : tokenFetch(world.tokens, pageFetch) })
  const target = document.createElement('div')
  document.body.append(target)
  const app = mount(IssuerConsole, { target, props: { console: ic } })
  flushSync()
  mounted = {
    target,
    destroy() {
      void unmount(app)
      target.remove()
    },
  }
  return { ic, target }
}

/** Wait until `check` holds for the DOM as it stands after pending updates. */
async function until<T>(check: () => T, timeout = 20_000): Promise<T> {
  return vi.waitFor(() => {
    flushSync()
    return check()
  }, { timeout, interval: 20 })
}

const q = <E extends Element = HTMLElement>(root: ParentNode, sel: string): E | null => root.querySelector<E>(sel)
const text = (el: Element | null | undefined) => el?.textContent?.replace(/\s+/g, ' ').trim() ?? ''

function type(input: HTMLInputElement, value: string): void {
  input.value = value
  input.dispatchEvent(new Event('input', { bubbles: true }))
  input.dispatchEvent(new Event('blur'))
}

/** A credential's row, or its card among the offers not collected yet. */
function rowOf(root: ParentNode, id: string): HTMLElement {
  const row = q<HTMLElement>(root, `[data-testid="credential-row"][data-id="${id}"], [data-testid="pending-offer"][data-id="${id}"]`)
  if (!row) throw new Error(`no row for ${id}`)
  return row
}

describe('issuer console (components, happy-dom)', () => {
  it('says plainly when civic-config.json is missing (plain vite dev)', async () => {
    const { target } = show(`${world.helperUrl}/no-such/civic-config.json`)
    const notice = await until(() => {
      const n = q(target, '[data-testid="config-missing"]')
      expect(n).not.toBeNull()
      return n
    })
    expect(text(notice)).toContain(en('issuer.config.missing'))
    expect(notice!.getAttribute('role')).toBe('alert')
    expect(q(target, '[data-testid="issuer-picker"]')).toBeNull()
  })

  it('signed out, an office shows only its sign-in, in the officer\'s language', async () => {
    const { target } = show(world.configUrl, { signedIn: false })
    await until(() => expect(q(target, '[data-testid="issuer-option-psb"]')).not.toBeNull())
    q<HTMLInputElement>(target, '[data-testid="issuer-option-psb"] input')!.click()
    const panel = await until(() => {
      const p = q(target, '[data-testid="signin"]')
      expect(p).not.toBeNull()
      return p!
    })
    expect(text(q(panel, 'h2'))).toBe(en('issuer.signin.title'))
    expect(text(q(panel, '[data-testid="signin-button"]'))).toBe(en('issuer.signin.button'))
    expect(q(panel, 'h2')!.id).toBe(panel.getAttribute('aria-labelledby'))
    for (const hidden of ['issuer-info', 'offer-form', 'officer-bar', 'officers-panel', 'audit-panel']) expect(q(target, `[data-testid="${hidden}"]`), hidden).toBeNull()
    locale.current = 'zh-CN'
    flushSync()
    expect(text(q(panel, 'h2'))).toBe(zh('issuer.signin.title'))
    expect(text(q(panel, '[data-testid="signin-button"]'))).toBe(zh('issuer.signin.button'))
  })

  it('issue → offer QR → citizen collects → revoke with confirmation → publish → anchor with inclusion verified → witnesses; zh-CN and en', async () => {
    const { target } = show(world.configUrl)

    // 1. pick the office: three are configured, none is chosen for the officer
    await until(() => expect(target.querySelectorAll('[data-testid^="issuer-option-"]')).toHaveLength(3))
    expect(text(q(target, '[data-testid="issuer-picker"] legend'))).toBe(en('issuer.pick.legend'))
    expect(text(q(target, '[data-testid="issuer-option-psb"]'))).toContain('Municipal Public Security Bureau')

    // an office whose service is down is named by its code, in words
    q<HTMLInputElement>(target, '[data-testid="issuer-option-down"] input')!.click()
    const problem = await until(() => {
      const p = q(target, '[data-testid="problem"]')
      expect(p?.getAttribute('data-code')).toBe('ERR_ISSUER_UNREACHABLE')
      return p!
    })
    expect(text(problem)).toContain(en('error.ERR_ISSUER_UNREACHABLE'))

    q<HTMLInputElement>(target, '[data-testid="issuer-option-psb"] input')!.click()
    await until(() => expect(q(target, '[data-testid="offer-form"]')).not.toBeNull())
    expect(q(target, '[data-testid="problem"]')).toBeNull()
    expect(text(q(target, '[data-testid="issuer-info"]'))).toContain('did:web:psb.gov.example')

    // 2. the form is built from the credential type's claims
    const form = q<HTMLFormElement>(target, '[data-testid="offer-form"]')!
    const typeSelect = q<HTMLSelectElement>(form, '[data-testid="offer-type"]')!
    expect([...typeSelect.options].map((o) => o.textContent)).toEqual(['Resident ID', 'Social insurance'])
    for (const name of ['name', 'birth_date', 'city', 'district']) expect(q(form, `[data-testid="claim-${name}"]`), name).not.toBeNull()
    expect(q<HTMLInputElement>(form, '[data-testid="claim-birth_date"]')!.type).toBe('date')
    expect(text(form)).toContain('Aged 18 or over')

    // sent empty: every required field says so, nothing is sent
    q<HTMLButtonElement>(form, '[data-testid="issue"]')!.click()
    await until(() => expect(q(form, '[data-testid="field-problem-name"]')).not.toBeNull())
    expect(text(q(form, '[data-testid="field-problem-name"]'))).toBe(en('issuer.field.required'))
    expect(q(form, '[data-testid="claim-name"]')!.getAttribute('aria-invalid')).toBe('true')
    expect(q(form, '[data-testid="field-problem-district"]')).toBeNull()
    expect(q(target, '[data-testid="offer"]')).toBeNull()

    type(q<HTMLInputElement>(form, '[data-testid="claim-name"]')!, '李伟')
    type(q<HTMLInputElement>(form, '[data-testid="claim-birth_date"]')!, '2999-01-01')
    type(q<HTMLInputElement>(form, '[data-testid="claim-city"]')!, '成都')
    type(q<HTMLInputElement>(form, '[data-testid="claim-district"]')!, '武侯')
    flushSync()
    expect(text(q(form, '[data-testid="field-problem-birth_date"]'))).toBe(en('issuer.field.future'))
    type(q<HTMLInputElement>(form, '[data-testid="claim-birth_date"]')!, '1990-05-01')
    type(q<HTMLInputElement>(form, '[data-testid="offer-officer"]')!, 'PSB-0042')
    flushSync()
    expect(form.querySelectorAll('[aria-invalid="true"]')).toHaveLength(0)

    // 3. the offer: QR as an image (no SVG markup in the page), link, transaction code, expiry
    q<HTMLButtonElement>(form, '[data-testid="issue"]')!.click()
    const qr = await until(() => {
      const img = q<HTMLImageElement>(target, '[data-testid="offer-qr"]')
      expect(img).not.toBeNull()
      return img!
    })
    expect(qr.tagName).toBe('IMG')
    expect(qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;charset=utf-8,%3Csvg/)
    expect(qr.getAttribute('alt')).toBe(en('issuer.offer.qrAlt'))
    expect(target.querySelector('svg')).toBeNull()
    const offerUri = q<HTMLInputElement>(target, '[data-testid="offer-uri"]')!.value
    expect(offerUri).toMatch(/^openid-credential-offer:\/\/\?credential_offer_uri=/)
    // the transaction code shows only once the QR code is put away
    expect(q(target, '[data-testid="offer-tx-code-value"]')).toBeNull()
    expect(text(q(target, '[data-testid="offer-expires"]'))).not.toBe('')
    q<HTMLButtonElement>(target, '[data-testid="offer-reveal-tx-code"]')!.click()
    const txCode = await until(() => {
      const v = text(q(target, '[data-testid="offer-tx-code-value"]'))
      expect(v).toMatch(/^[0-9]{6}$/)
      return v
    })
    expect(q(target, '[data-testid="offer-qr"]')).toBeNull()
    const credentialId = text(q(target, '[data-testid="offer-credential-id"]'))
    expect(q(target, '[data-testid="offer-form"]')).toBeNull()

    // the offer is listed at once, apart from the issued credentials (none of its copies exists
    // yet), with its expiry; nothing personal anywhere in the list
    const pending = await until(() => {
      const el = q(target, `[data-testid="pending-offer"][data-id="${credentialId}"]`)
      expect(el?.getAttribute('data-status')).toBe('offered')
      return el!
    })
    expect(q(target, `[data-testid="credential-row"][data-id="${credentialId}"]`)).toBeNull()
    expect(text(q(pending, '[data-testid="pending-expires"]'))).not.toBe('')
    expect(text(q(target, '.credentials'))).not.toMatch(/李伟|1990|成都|武侯/)

    // 4. the citizen collects 3 copies with the code the officer told them
    const collected = await fetch(`${world.helperUrl}/collect`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ offerUri, txCode, copies: 3 }) })
    expect(await collected.json()).toEqual({ credentials: 3 })
    q<HTMLButtonElement>(target, '[data-testid="offer-done"]')!.click()
    q<HTMLButtonElement>(target, '[data-testid="refresh"]')!.click()
    await until(() => expect(rowOf(target, credentialId).getAttribute('data-status')).toBe('valid'))
    let row = rowOf(target, credentialId)
    expect(text(q(row, '.num'))).toBe('3')
    expect(text(q(row, '[data-testid="credential-status"]'))).toBe(en('issuer.status.valid'))
    expect(q(target, '[data-testid="offer-form"]')).not.toBeNull()

    // a change of mind: cancel leaves the credential as it was
    q<HTMLButtonElement>(row, '[data-testid="suspend"]')!.click()
    flushSync()
    expect(q<HTMLDialogElement>(target, '[data-testid="confirm-dialog"]')!.open).toBe(true)
    q<HTMLButtonElement>(target, '[data-testid="cancel"]')!.click()
    flushSync()
    expect(q(target, '[data-testid="confirm-dialog"]')).toBeNull()
    expect(rowOf(target, credentialId).getAttribute('data-status')).toBe('valid')

    // 5. revoke: the dialog names the credential and says every copy changes
    q<HTMLButtonElement>(rowOf(target, credentialId), '[data-testid="revoke"]')!.click()
    flushSync()
    const dialog = q<HTMLDialogElement>(target, '[data-testid="confirm-dialog"]')!
    expect(dialog.open).toBe(true)
    expect(text(q(dialog, 'h2'))).toBe(en('issuer.confirm.revoke.title'))
    expect(text(q(dialog, '[data-testid="confirm-names"]'))).toBe(`Credential ${credentialId} (Resident ID)`)
    expect(text(dialog)).toContain('All 3 copies of it will be revoked')
    q<HTMLButtonElement>(dialog, '[data-testid="confirm"]')!.click()
    await until(() => expect(rowOf(target, credentialId).getAttribute('data-status')).toBe('revoked'))
    row = rowOf(target, credentialId)
    expect(text(q(row, '[data-testid="credential-status"]'))).toBe(en('issuer.status.revoked'))
    expect(q(row, '[data-testid="revoke"]')).toBeNull()
    expect(text(q(target, '[data-testid="status-notice"]'))).toContain(`Credential ${credentialId} is revoked.`)

    // 6. publish: the anchor on the ledger, with its index and the inclusion verified
    q<HTMLButtonElement>(target, '[data-testid="publish"]')!.click()
    const anchorRow = await until(() => {
      const r = q(target, '[data-testid="anchor-row"]')
      expect(r).not.toBeNull()
      expect(q(target, '[data-testid="publish"]')!.hasAttribute('disabled')).toBe(false)
      return r!
    })
    expect(text(q(target, '[data-testid="publish-report"]'))).toMatch(/^Published (1 status list|[2-9][0-9]* status lists)\.$/)
    expect(anchorRow.getAttribute('data-uri')).toMatch(/^https:\/\/psb\.gov\.example\/status\/[0-9]+$/)
    expect(Number(anchorRow.getAttribute('data-index'))).toBeGreaterThanOrEqual(0) // its index in the status log
    expect(text(q(anchorRow, '[data-testid="inclusion-verified"]'))).toBe(en('issuer.anchors.verified'))
    expect(q(anchorRow, '[data-testid="inclusion-unverified"]')).toBeNull()

    // 7. the witnesses of the latest checkpoint
    // both logs, registry then status; the anchor's index is in the status log
    expect([...target.querySelectorAll('[data-testid="witnesses-log"]')].map((s) => s.getAttribute('data-log'))).toEqual(['registry', 'status'])
    const statusLog = q(target, '[data-testid="witnesses-log"][data-log="status"]')!
    await until(() => expect(Number(text(q(statusLog, '[data-testid="checkpoint-size"]')))).toBeGreaterThan(Number(anchorRow.getAttribute('data-index'))))
    expect(Number(text(q(target, '[data-testid="witnesses-log"][data-log="registry"] [data-testid="checkpoint-size"]')))).toBeGreaterThan(0)
    for (const log of target.querySelectorAll('[data-testid="witnesses-log"]')) {
      const witnesses = log.querySelectorAll('[data-testid="witness"]')
      expect(witnesses).toHaveLength(3)
      expect(log.querySelectorAll('[data-testid="witness"][data-cosigned="true"]').length).toBeGreaterThanOrEqual(2)
      expect(text(witnesses[0])).toContain('witness-0.civic.test')
    }

    // 8. the same screen in zh-CN
    locale.current = 'zh-CN'
    flushSync()
    expect(text(q(rowOf(target, credentialId), '[data-testid="credential-status"]'))).toBe(zh('issuer.status.revoked'))
    expect(text(q(target, '[data-testid="inclusion-verified"]'))).toBe(zh('issuer.anchors.verified'))
    expect(text(q(target, '#credentials-title'))).toBe(zh('issuer.creds.title'))
    expect(text(q(target, '[data-testid="issuer-option-psb"]'))).toContain('某市公安局')
    locale.current = 'en'
  }, 60_000)
})
