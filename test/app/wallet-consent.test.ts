// @vitest-environment happy-dom
/**
 * The consent screen and the plan behind it: who asks is the registry's name, what leaves is
 * exactly the needed claims and the optional ones the citizen ticks; a claim the verifier is
 * not registered for is over-asking — sent only if the citizen allows that one claim, and a
 * needed one blocks sharing until then; the citizen's own rules rule claims out; a request from
 * no registered verifier, for another purpose or type, or needing what the card does not hold
 * is refused before anything is drawn. In zh-CN and en.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { flushSync, mount, unmount } from 'svelte'
import { walletStrings } from '../../src/app/i18n/wallet.ts'
import { locale } from '../../src/app/state/locale.svelte.ts'
import ConsentScreen from '../../src/app/roles/wallet/ConsentScreen.svelte'
import { consentPlan, disclosedClaims, type ConsentPlan, type ConsentRequest } from '../../src/wallet/consent.ts'
import type { Card } from '../../src/wallet/wallet.ts'
import type { VerifierRecord } from '../../src/core/registry/state.ts'
import { purpose } from '../support/purposes.ts'

const card: Card = {
  batch: '00000000-0000-4000-8000-000000000001', issuer: 'https://psb.gov.example', iss: 'did:web:psb.gov.example', configurationId: 'resident-id',
  vct: 'urn:civic:resident-id',
  display: { name: { 'zh-CN': '居民身份凭证', en: 'Resident ID' }, claims: { name: { 'zh-CN': '姓名', en: 'Name' }, district: { 'zh-CN': '区县', en: 'District' }, birth_date: { 'zh-CN': '出生日期', en: 'Date of birth' }, age_over_18: { 'zh-CN': '年满18周岁', en: 'Aged 18 or over' } } },
  claims: { iss: 'did:web:psb.gov.example', vct: 'urn:civic:resident-id', name: '李伟', birth_date: '1990-05-01', city: '成都', district: '武侯', age_over_18: true },
  validFrom: 1, validUntil: 2, status: [], receivedAt: 1, copies: 10, unused: 10, usable: 10,
}

const hall: VerifierRecord = {
  role: 'verifier', did: 'did:web:service-hall.city.example', name: { 'zh-CN': '某市政务服务大厅', en: 'City Government Service Hall' },
  keys: [], keyHistory: [], credentialId: 'r1', credentialIds: ['r1'], validFrom: 0, validUntil: 10, suspended: null,
  purposes: [
    purpose({ id: 'residence', name: { 'zh-CN': '办理居住证明', en: 'Proof of residence' }, vct: 'urn:civic:resident-id', claims: ['name', 'city', 'district'] }, {
      why: { 'zh-CN': '证明上写明姓名和住址', en: 'The certificate states your name and address' },
      retention: { days: 0, promise: { 'zh-CN': '核验后立即删除', en: 'deleted once checked' } },
      contact: 'tel:+86-10-12345',
    }),
    purpose({ id: 'pension', name: { 'zh-CN': '养老金', en: 'Pension' }, vct: 'urn:civic:social-insurance', claims: ['name'] }),
  ],
}

const request = (o: Partial<ConsentRequest> = {}): ConsentRequest => ({
  verifier: { ok: true, value: hall }, purposeId: 'residence',
  claims: [{ path: 'name', required: true }, { path: 'district', required: false }, { path: 'birth_date', required: true }],
  ...o,
})

let mounted: Record<string, unknown> | undefined
let target: HTMLElement
afterEach(() => {
  if (mounted) unmount(mounted)
  mounted = undefined
  target?.remove()
})

function show(plan: ConsentPlan, lang: 'zh-CN' | 'en') {
  locale.current = lang
  target = document.createElement('div')
  document.body.append(target)
  const shared: string[][] = []
  let declined = 0
  mounted = mount(ConsentScreen, { target, props: { plan, card, onshare: (c: string[]) => shared.push(c), ondecline: () => declined++ } })
  flushSync()
  return { shared, declined: () => declined }
}

describe('the consent plan', () => {
  it('keeps needed and optional claims the purpose allows; over-asking leaves only when allowed claim by claim', () => {
    const plan = consentPlan(request(), card)
    if (!plan.ok) throw new Error(plan.detail)
    expect(plan.value.verifier).toEqual({ did: hall.did, name: hall.name })
    expect(plan.value.rows.map((r) => [r.path, r.state, r.on])).toEqual([['name', 'required', true], ['district', 'optional', false], ['birth_date', 'overasked', false]])
    // birth_date is needed and over-asked: no answer until the citizen allows it
    expect(disclosedClaims(plan.value, new Set(['district', 'birth_date']))).toMatchObject({ ok: false, code: 'ERR_EXCH_OVERASKING' })
    expect(disclosedClaims(plan.value, new Set(), new Set(['birth_date']))).toEqual({ ok: true, value: ['name', 'birth_date'] })
    const optionalOnly = consentPlan(request({ claims: [{ path: 'name', required: true }, { path: 'district', required: false }, { path: 'birth_date', required: false }] }), card)
    if (!optionalOnly.ok) throw new Error(optionalOnly.detail)
    expect(disclosedClaims(optionalOnly.value, new Set(['district', 'birth_date']))).toEqual({ ok: true, value: ['name', 'district'] })
  })

  it('never sends what the citizen\'s rules rule out; a request that needs it cannot be answered', () => {
    const plan = consentPlan(request({ claims: [{ path: 'name', required: true }, { path: 'district', required: true }] }), card, { never: ['district'] })
    if (!plan.ok) throw new Error(plan.detail)
    expect(plan.value.rows.map((r) => r.state)).toEqual(['required', 'ruled-out'])
    expect(disclosedClaims(plan.value, new Set(['district']), new Set(['district']))).toMatchObject({ ok: false, code: 'ERR_POLICY_HOLDER_RULE' })
  })

  it('refuses a request it must not answer, with its code', () => {
    expect(consentPlan(request({ verifier: { ok: false, code: 'ERR_REG_VERIFIER_SUSPENDED', detail: 'suspended' } }), card)).toMatchObject({ ok: false, code: 'ERR_REG_VERIFIER_SUSPENDED' })
    expect(consentPlan(request({ purposeId: 'marketing' }), card)).toMatchObject({ ok: false, code: 'ERR_WALLET_REQUEST_INVALID' })
    expect(consentPlan(request({ purposeId: 'pension' }), card)).toMatchObject({ ok: false, code: 'ERR_WALLET_REQUEST_INVALID', detail: expect.stringMatching(/social-insurance/) })
    const noCity = { ...card, claims: { ...card.claims, city: undefined as never } }
    delete (noCity.claims as Record<string, unknown>).city
    expect(consentPlan(request({ claims: [{ path: 'city', required: true }] }), noCity)).toMatchObject({ ok: false, code: 'ERR_WALLET_REQUEST_INVALID' })
    expect(consentPlan(request({ claims: [{ path: 'name', required: true }, { path: 'name', required: false }] }), card)).toMatchObject({ ok: false, code: 'ERR_WALLET_REQUEST_INVALID' })
  })
})

describe('the consent screen', () => {
  for (const lang of ['zh-CN', 'en'] as const) {
    it(`${lang}: names who asks and why from the registry, fixes the needed claim, leaves the optional one to the citizen, and blocks sharing until over-asking is allowed`, () => {
      const plan = consentPlan(request(), card)
      if (!plan.ok) throw new Error(plan.detail)
      const s = show(plan.value, lang)
      expect(target.querySelector('[data-testid="consent-who"]')?.textContent).toContain(hall.name[lang])
      expect(target.querySelector('[data-testid="consent-why"]')?.textContent).toBe(hall.purposes[0]!.name[lang] + hall.purposes[0]!.why[lang])
      expect(target.querySelector('[data-testid="consent-keeps"]')?.textContent).toContain(hall.purposes[0]!.retention.promise[lang])
      const contact = target.querySelector<HTMLAnchorElement>('[data-testid="consent-contact"] a')!
      expect([contact.getAttribute('href'), contact.textContent]).toEqual(['tel:+86-10-12345', '+86-10-12345'])
      const rows = [...target.querySelectorAll<HTMLElement>('[data-testid="consent-claim"]')]
      expect(rows.map((r) => [r.dataset.claim, r.dataset.state])).toEqual([['name', 'required'], ['district', 'optional'], ['birth_date', 'overasked']])
      const [name, district, birth] = rows.map((r) => r.querySelector('input')!)
      expect([name!.checked, name!.disabled, district!.checked, district!.disabled, birth!.checked]).toEqual([true, true, false, false, false])
      expect(rows[0]!.textContent).toContain('李伟')
      expect(target.querySelector('[data-testid="consent-overasked"]')?.textContent).toContain(card.display.claims.birth_date![lang])
      const share = target.querySelector<HTMLButtonElement>('[data-testid="consent-share"]')!
      expect(share.textContent).toBe(walletStrings['w.consent.share'][lang])
      // over-asked and needed: sharing is blocked, and says why
      expect(share.disabled).toBe(true)
      expect(target.querySelector('[data-testid="consent-blocked"]')?.getAttribute('data-code')).toBe('ERR_EXCH_OVERASKING')
      share.click()
      birth!.click()
      flushSync()
      expect(share.disabled).toBe(false)
      share.click()
      district!.click()
      flushSync()
      share.click()
      target.querySelector<HTMLButtonElement>('[data-testid="consent-decline"]')!.click()
      expect(s.shared).toEqual([['name', 'birth_date'], ['name', 'district', 'birth_date']])
      expect(s.declined()).toBe(1)
    })
  }
})
