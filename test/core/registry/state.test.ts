// state.ts: the root, the lookups and standing checks, and stored state taken back strictly.
import { describe, expect, it } from 'vitest'
import { didJwkFromJwk, didKeyFromJwk, resolveDidKey } from '../../../src/core/crypto/did.ts'
import { publicJwkOf } from '../../../src/core/crypto/jwk.ts'
import { InputError } from '../../../src/core/errors.ts'
import { createSuspensionEntry } from '../../../src/core/registry/create.ts'
import {
  checkIssuer, checkVerifier, createRegistryState, issuerAccreditation, parseRegistryState, statusAnchor, verifierRegistration,
} from '../../../src/core/registry/state.ts'
import { testKey } from '../../support/keys.ts'
import { DAY, HALL, NOW, PHARMACY, PSB, PSB_LIST, RESIDENT_ID, SOCIAL_INSURANCE, SSB, YEAR, after, buildDemo } from './_demo.ts'
import { codeOf } from '../../support/codes.ts'
import { purpose } from '../../support/purposes.ts'

const demo = await buildDemo()
const { state, root } = demo

describe('createRegistryState', () => {
  it('takes the root as did:key, did:jwk or a public JWK', () => {
    const k = testKey('ES256')
    const jwk = publicJwkOf(k.jwk)
    expect(createRegistryState(didKeyFromJwk(jwk)).root.did).toBe(didKeyFromJwk(jwk))
    expect(createRegistryState(jwk).root.did).toBe(didKeyFromJwk(jwk))
    const viaJwk = createRegistryState(didJwkFromJwk(jwk)).root
    expect(viaJwk).toEqual({ did: didJwkFromJwk(jwk), kid: `${didJwkFromJwk(jwk)}#0`, jwk })
  })

  it.each([
    ['a did:web root (not self-certifying)', 'did:web:gov.example', 'ERR_DID_UNSUPPORTED'],
    ['a DID URL (its own key’s id)', resolveDidKey(didKeyFromJwk(publicJwkOf(testKey('EdDSA').jwk))).kid, 'ERR_DID_INVALID'],
    ['a DID URL naming no key', `${didKeyFromJwk(publicJwkOf(testKey('EdDSA').jwk))}#x`, 'ERR_DID_NOT_FOUND'],
    ['not a DID', 'root', 'ERR_DID_INVALID'],
    ['a private JWK', testKey('EdDSA').jwk, 'ERR_JWK_INVALID'],
  ])('refuses %s', (_n, root, code) => {
    expect(codeOf(() => createRegistryState(root as never))).toBe(code)
  })
})

describe('lookups', () => {
  it('give the raw records, or null', () => {
    expect(issuerAccreditation(state, PSB)?.vct).toEqual([RESIDENT_ID])
    expect(issuerAccreditation(state, HALL)).toBeNull()
    expect(verifierRegistration(state, PHARMACY)?.purposes).toEqual([
      purpose({ id: 'age-check', name: { 'zh-CN': '处方药购买年龄核验', en: 'Age check for restricted medicines' }, vct: RESIDENT_ID, claims: ['age_over_18'] }, {
        retention: { days: 0, promise: { 'zh-CN': '只看是否年满18岁，不保存。', en: 'Sees only whether you are over 18; keeps nothing.' } },
      }),
    ])
    expect(verifierRegistration(state, PSB)).toBeNull()
    expect(verifierRegistration(state, '__proto__')).toBeNull()
    expect(statusAnchor(state, PSB_LIST)?.version).toBe(1)
    expect(statusAnchor(state, 'https://psb.gov.example/status/none')).toBeNull()
    expect(statusAnchor(state, 'constructor')).toBeNull()
  })
})

describe('checkIssuer / checkVerifier', () => {
  type Run = () => Promise<ReturnType<typeof checkIssuer> | ReturnType<typeof checkVerifier>>
  const table: [string, Run, string][] = [
    ['an accredited issuer for its vct', async () => checkIssuer(state, PSB, { now: NOW, vct: RESIDENT_ID }), 'ok'],
    ['an accredited issuer, no vct asked', async () => checkIssuer(state, SSB, { now: NOW }), 'ok'],
    ['another vct', async () => checkIssuer(state, PSB, { now: NOW, vct: SOCIAL_INSURANCE }), 'ERR_REG_VCT_NOT_ACCREDITED'],
    ['vct asked but missing (fails closed)', async () => checkIssuer(state, PSB, { now: NOW, vct: undefined }), 'ERR_REG_VCT_NOT_ACCREDITED'],
    ['a verifier as issuer', async () => checkIssuer(state, HALL, { now: NOW }), 'ERR_REG_UNKNOWN_ISSUER'],
    ['a non-string DID', async () => checkIssuer(state, 42, { now: NOW }), 'ERR_REG_UNKNOWN_ISSUER'],
    ['an issuer after validUntil + skew', async () => checkIssuer(state, PSB, { now: NOW + 2 * YEAR + 301 }), 'ERR_REG_EXPIRED'],
    ['an issuer within the skew of validUntil', async () => checkIssuer(state, PSB, { now: NOW + 2 * YEAR + 299 }), 'ok'],
    ['a suspended issuer', async () => checkIssuer(await after(state, await createSuspensionEntry({ root, subject: PSB, revokes: 'urn:civic:accreditation:psb:2026', iat: NOW })), PSB, { now: NOW }), 'ERR_REG_ISSUER_SUSPENDED'],
    ['a registered verifier', async () => checkVerifier(state, PHARMACY, { now: NOW }), 'ok'],
    ['an issuer as verifier', async () => checkVerifier(state, PSB, { now: NOW }), 'ERR_REG_UNKNOWN_VERIFIER'],
    ['a verifier before validFrom − skew', async () => checkVerifier(state, HALL, { now: NOW - 31 * DAY }), 'ERR_REG_EXPIRED'],
    ['a suspended verifier', async () => checkVerifier(await after(state, await createSuspensionEntry({ root, subject: HALL, revokes: 'urn:civic:registration:service-hall:2026', iat: NOW })), HALL, { now: NOW }), 'ERR_REG_VERIFIER_SUSPENDED'],
  ]
  it.each(table.map(([n, run, code]) => [n, code, run] as const))('%s → %s', async (_n, code, run) => {
    const v = await run()
    expect(v.ok ? 'ok' : v.code).toBe(code)
  })

  it('takes a clock in milliseconds as our bug', () => {
    expect(() => checkIssuer(state, PSB, { now: NOW * 1000 })).toThrow(TypeError)
  })
})

describe('parseRegistryState', () => {
  const edit = (f: (s: any) => void) => {
    const copy = structuredClone(state) as any
    f(copy)
    return copy as unknown
  }
  const other = testKey('EdDSA')

  it('takes back a state of every record kind', async () => {
    const s = await after(state, await createSuspensionEntry({ root, subject: HALL, revokes: 'urn:civic:registration:service-hall:2026', iat: NOW }))
    expect(parseRegistryState(JSON.parse(JSON.stringify(s)))).toEqual(s)
  })

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', '{}'],
    ['another version', edit((s) => { s.version = 2 })],
    ['an extra top-level member', edit((s) => { s.citizens = {} })],
    ['a root whose kid does not match', edit((s) => { s.root.kid = `${s.root.did}#x` })],
    ['a root key that is not the DID’s', edit((s) => { s.root.jwk = publicJwkOf(other.jwk) })],
    ['a negative size', edit((s) => { s.size = -1 })],
    ['a record under another DID', edit((s) => { s.issuers[PSB].did = SSB })],
    ['a DID both issuer and verifier', edit((s) => { s.verifiers[PSB] = { ...s.verifiers[HALL], did: PSB } })],
    ['an issuer record with role verifier', edit((s) => { s.issuers[PSB].role = 'verifier' })],
    ['a record with a citizen member', edit((s) => { s.issuers[PSB].holders = ['did:jwk:x'] })],
    ['a current key missing from the history', edit((s) => { s.issuers[PSB].keyHistory = [] })],
    ['a current key marked revoked', edit((s) => { s.issuers[PSB].keyHistory[0].revokedAt = NOW })],
    ['a current key with another thumbprint', edit((s) => { s.issuers[PSB].keys[0].jwk = publicJwkOf(testKey('ES256').jwk) })],
    ['credentialId not among credentialIds', edit((s) => { s.issuers[PSB].credentialId = 'urn:other' })],
    ['validUntil before validFrom', edit((s) => { s.verifiers[HALL].validUntil = 0 })],
    ['a suspension of the wrong shape', edit((s) => { s.verifiers[HALL].suspended = true })],
    ['an anchor under another URI', edit((s) => { s.anchors[PSB_LIST].uri = 'https://psb.gov.example/status/x' })],
    ['an anchor signed by another DID’s key', edit((s) => { s.anchors[PSB_LIST].signedBy = `${SSB}#sig-1` })],
    ['a time in milliseconds', edit((s) => { s.anchors[PSB_LIST].iat = NOW * 1000 })],
    ['a claim path with _sd', edit((s) => { s.verifiers[PHARMACY].purposes[0].claims = ['_sd'] })],
  ])('refuses %s with ERR_REG_STATE_INVALID', (_n, v) => {
    expect(codeOf(() => parseRegistryState(v))).toBe('ERR_REG_STATE_INVALID')
  })

  it('answers every hostile leaf with ERR_REG_STATE_INVALID or a state, never another throw', () => {
    const paths: (string | number)[][] = []
    const walk = (v: unknown, path: (string | number)[]) => {
      paths.push(path)
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]))
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k])
    }
    walk(state, [])
    expect(paths.length).toBeGreaterThan(100)
    let refused = 0
    for (const path of paths.slice(1)) {
      for (const hostile of [null, 0, -1, 1.5, '', 'x'.repeat(600), [], {}, true]) {
        const copy = structuredClone(state) as any
        let at = copy
        for (const k of path.slice(0, -1)) at = at[k]
        at[path.at(-1)!] = hostile
        const code = codeOf(() => parseRegistryState(copy))
        expect([undefined, 'ERR_REG_STATE_INVALID'], path.join('.')).toContain(code)
        if (code !== undefined) refused++
      }
    }
    expect(refused).toBeGreaterThan(paths.length * 8)
  })
})
