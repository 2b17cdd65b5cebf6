// @vitest-environment node
/**
 * Receiving from our issuer over real HTTP (the issuer service and its ledger, as the issuer's
 * own tests run them): the console's offer link → issuer and AS metadata → DPoP-bound token
 * with the transaction code → c_nonce → one request with one proof per copy → every copy
 * verified under the registry and bound to its own non-extractable key. And what is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sameJwk } from '../../src/core/crypto/jwk.ts'
import { sdJwtIssuerKeyResolver } from '../../src/core/registry/resolvers.ts'
import type { RegistryState } from '../../src/core/registry/state.ts'
import { credentialDisplay, readOffer, receive } from '../../src/wallet/vci.ts'
import { CITIZEN, consoleOffer, makeIssuerWorld, PSB, syncRegistry, type IssuerWorld } from '../issuer/_world.ts'

let iw: IssuerWorld
let registry: RegistryState
beforeAll(async () => {
  iw = await makeIssuerWorld()
  registry = await syncRegistry(iw)
})
afterAll(async () => iw?.cleanup())

const makeOffer = () => consoleOffer(iw)
const resolver = () => sdJwtIssuerKeyResolver(registry, { now: iw.clock.now })

describe('receiving a batch from the issuer', () => {
  it('takes the console\'s offer with its transaction code: ten copies, each verified and bound to its own key', async () => {
    const made = await makeOffer()
    const offer = await readOffer(made.offerUri)
    if (!offer.ok) throw new Error(offer.detail)
    expect(offer.value).toMatchObject({ issuer: iw.base, configurationId: 'resident-id', txCode: { length: 6, inputMode: 'numeric' } })
    const r = await receive(offer.value, { txCode: made.txCode, issuerKey: resolver(), now: () => iw.clock.now })
    if (!r.ok) throw new Error(`${r.code}: ${r.detail}`)
    expect(r.value.copies).toHaveLength(10)
    for (const c of r.value.copies) {
      expect(c.verified.claims).toMatchObject({ iss: PSB, vct: 'urn:civic:resident-id', name: CITIZEN.name, city: CITIZEN.city })
      expect(sameJwk((c.verified.claims.cnf as any).jwk, c.publicJwk)).toBe(true)
      expect(c.keyPair.privateKey.extractable).toBe(false)
    }
    expect(new Set(r.value.copies.map((c) => c.publicJwk.x)).size).toBe(10)
    // the labels the issuer's metadata gives, in both languages
    expect(r.value.display.name).toEqual({ 'zh-CN': '居民身份凭证', en: 'Resident ID' })
    expect(r.value.display.claims.birth_date).toEqual({ 'zh-CN': '出生日期', en: 'Date of birth' })
    expect(r.value.display.claims.age_over_18).toEqual({ 'zh-CN': '年满18周岁', en: 'Aged 18 or over' })
    // the offer is used up: a second try is the issuer's refusal, with its code in the detail
    const again = await receive(offer.value, { txCode: made.txCode, issuerKey: resolver(), now: () => iw.clock.now })
    expect(again).toMatchObject({ ok: false, code: 'ERR_WALLET_ISSUANCE_REFUSED', detail: expect.stringMatching(/invalid_grant ERR_VCI_OFFER_USED/) })
  }, 60_000)

  it('asks for fewer copies when told to', async () => {
    const made = await makeOffer()
    const offer = await readOffer(made.offerUri)
    const r = offer.ok ? await receive(offer.value, { txCode: made.txCode, count: 3, issuerKey: resolver(), now: () => iw.clock.now }) : offer
    expect(r.ok && r.value.copies.length).toBe(3)
  }, 60_000)

  it('a wrong or missing transaction code, and a registry that does not know the issuer, are refused', async () => {
    const made = await makeOffer()
    const offer = await readOffer(made.offerUri)
    if (!offer.ok) throw new Error(offer.detail)
    expect(await receive(offer.value, { issuerKey: resolver(), now: () => iw.clock.now })).toMatchObject({ ok: false, code: 'ERR_WALLET_TX_CODE_NEEDED' })
    const wrong = made.txCode === '000000' ? '111111' : '000000'
    expect(await receive(offer.value, { txCode: wrong, issuerKey: resolver(), now: () => iw.clock.now })).toMatchObject({ ok: false, code: 'ERR_WALLET_ISSUANCE_REFUSED', detail: expect.stringMatching(/ERR_VCI_TX_CODE_INVALID/) })
    const made2 = await makeOffer()
    const offer2 = await readOffer(made2.offerUri)
    if (!offer2.ok) throw new Error(offer2.detail)
    const nobody = await receive(offer2.value, { txCode: made2.txCode, issuerKey: () => null, now: () => iw.clock.now })
    expect(nobody).toMatchObject({ ok: false, code: 'ERR_WALLET_CREDENTIAL_INVALID' })
  }, 60_000)

  it('an issuer that cannot be reached is its own code', async () => {
    const offer = { issuer: 'http://127.0.0.1:9', configurationId: 'resident-id', preAuthorizedCode: 'x', txCode: null }
    expect(await receive(offer, { issuerKey: resolver(), now: () => iw.clock.now })).toMatchObject({ ok: false, code: 'ERR_WALLET_ISSUER_UNREACHABLE' })
  })
})

describe('reading offer links', () => {
  const value = (o: unknown) => `openid-credential-offer://?credential_offer=${encodeURIComponent(JSON.stringify(o))}`
  const good = { credential_issuer: 'https://issuer.example', credential_configuration_ids: ['pid'], grants: { 'urn:ietf:params:oauth:grant-type:pre-authorized_code': { 'pre-authorized_code': 'abc' } } }
  it('reads an offer by value', async () => {
    expect(await readOffer(value(good))).toEqual({ ok: true, value: { issuer: 'https://issuer.example', configurationId: 'pid', preAuthorizedCode: 'abc', txCode: null } })
  })
  it.each([
    ['not an offer link', 'https://example.com/?credential_offer=1'],
    ['both forms', `${value(good)}&credential_offer_uri=https%3A%2F%2Fx.example%2Fo`],
    ['neither form', 'openid-credential-offer://?x=1'],
    ['JSON that is not', 'openid-credential-offer://?credential_offer=%7Bnope'],
    ['an http issuer', value({ ...good, credential_issuer: 'http://issuer.example' })],
    ['two configurations', value({ ...good, credential_configuration_ids: ['a', 'b'] })],
    ['no pre-authorized grant', value({ ...good, grants: { authorization_code: {} } })],
    ['a bad tx_code', value({ ...good, grants: { 'urn:ietf:params:oauth:grant-type:pre-authorized_code': { 'pre-authorized_code': 'abc', tx_code: { length: 0 } } } })],
    ['an offer URI over http', 'openid-credential-offer://?credential_offer_uri=http%3A%2F%2Fx.example%2Fo'],
    ['duplicate members', 'openid-credential-offer://?credential_offer=' + encodeURIComponent('{"credential_issuer":"https://a.example","credential_issuer":"https://b.example"}')],
  ])('refuses %s with ERR_WALLET_OFFER_INVALID', async (_n, link) => {
    expect(await readOffer(link)).toMatchObject({ ok: false, code: 'ERR_WALLET_OFFER_INVALID' })
  })
})

describe('the display an issuer gives', () => {
  it('keeps names by locale, drops what is not a label, and never takes a nested path or __proto__', () => {
    const d = credentialDisplay({
      credential_metadata: {
        display: [{ name: 'Licence', locale: 'en' }, { name: 'x'.repeat(500), locale: 'zh-CN' }, { name: 7, locale: 'fr' }, 'junk'],
        claims: [
          { path: ['class'], display: [{ name: 'Class', locale: 'en' }, { name: 'Other', locale: 'en' }] },
          { path: ['address', 'city'], display: [{ name: 'City', locale: 'en' }] },
          { path: ['__proto__'], display: [{ name: 'P', locale: 'en' }] },
          { path: ['plain'], display: [{ name: 'Plain' }] },
        ],
      },
    } as any)
    expect(d.name).toEqual({ en: 'Licence', 'zh-CN': 'x'.repeat(120) })
    expect(d.claims).toEqual({ class: { en: 'Class' }, plain: { und: 'Plain' } })
    expect(Object.getPrototypeOf(d.claims)).toBe(Object.prototype)
    expect(credentialDisplay({} as any)).toEqual({ name: {}, claims: {} })
  })
})

