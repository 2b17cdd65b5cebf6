// resolvers.ts: SD-JWT VCs and VC-JWTs verify with issuer keys from the registry and no
// network, and stop verifying, with the right code, when the registry says so.
import { describe, expect, it } from 'vitest'
import type { JsonObject } from '../../../src/core/bytes/json.ts'
import { encodeBase64url, decodeBase64url } from '../../../src/core/bytes/base64url.ts'
import { decodeUtf8, encodeUtf8 } from '../../../src/core/bytes/utf8.ts'
import type { Signer } from '../../../src/core/crypto/keys.ts'
import { createKeyChangeEntry, createSuspensionEntry } from '../../../src/core/registry/create.ts'
import { registryDidResolver, registryResolver, sdJwtIssuerKeyResolver } from '../../../src/core/registry/resolvers.ts'
import type { RegistryState } from '../../../src/core/registry/state.ts'
import { parseDisclosureFrame, parsePresentationFrame } from '../../../src/core/sdjwt/frame.ts'
import { presentSdJwt } from '../../../src/core/sdjwt/present.ts'
import { issueSdJwtVc } from '../../../src/core/sdjwt/vc.ts'
import { verifySdJwt } from '../../../src/core/sdjwt/verify.ts'
import { defaultResolver } from '../../../src/core/vc/resolver.ts'
import { issueVcJwt, verifyVcJwt } from '../../../src/core/vc/vc-jwt.ts'
import { seededRandom, testKey } from '../../support/keys.ts'
import { makeIdentity } from '../vc/helpers.ts'
import { DAY, HALL, NOW, PHARMACY, PSB, RESIDENT_ID, SOCIAL_INSURANCE, YEAR, after, buildDemo } from './_demo.ts'

const demo = await buildDemo()
const { root, psb, pharmacy, state } = demo
const holder = testKey('ES256')
const NONCE = 'n-7Qd2'

const psb2027 = testKey('EdDSA')
const S_rotated = await after(state,
  await createKeyChangeEntry({ signer: psb.as, subject: PSB, action: 'add', kid: 'key-2027', jwk: psb2027.signer.publicJwk, iat: NOW - 120 }),
  await createKeyChangeEntry({ signer: root, subject: PSB, action: 'revoke', kid: 'key-2026', iat: NOW - 60 }),
)
const S_suspended = await after(state, await createSuspensionEntry({ root, subject: PSB, revokes: 'urn:civic:accreditation:psb:2026', iat: NOW - 60 }))
const S_pharmacySuspended = await after(state, await createSuspensionEntry({ root, subject: PHARMACY, revokes: 'urn:civic:registration:kangjian:2026', iat: NOW - 60 }))

const RESIDENT_CLAIMS: JsonObject = {
  family_name: '李', given_name: '伟', birthdate: '1990-03-07', age_over_18: true, address: { city: '杭州', district: '西湖区' },
}

interface Issue {
  iss?: string
  vct?: string
  kid?: string | null
  signer?: Signer
}

/** A resident-id SD-JWT VC from the PSB, presented to the pharmacy with only age_over_18. */
async function presentation(o: Issue = {}): Promise<string> {
  const issued = await issueSdJwtVc({
    iss: o.iss ?? PSB,
    vct: o.vct ?? RESIDENT_ID,
    iat: NOW - DAY,
    exp: NOW + YEAR,
    holderJwk: holder.signer.publicJwk,
    claims: RESIDENT_CLAIMS,
    frame: parseDisclosureFrame({ _sd: ['family_name', 'given_name', 'birthdate', 'age_over_18', 'address'] }),
    signer: o.signer ?? psb.key.signer,
    ...(o.kid === null ? {} : { kid: o.kid ?? `${PSB}#key-2026` }),
    random: seededRandom(23),
  })
  return presentSdJwt(issued.sdJwt, parsePresentationFrame({ age_over_18: true }), {
    keyBinding: { signer: holder.signer, nonce: NONCE, aud: PHARMACY, iat: NOW },
  })
}

const verifyAt = (sdJwt: string, s: RegistryState = state, now = NOW) =>
  verifySdJwt(sdJwt, { issuerKey: sdJwtIssuerKeyResolver(s, { now }), keyBinding: { nonce: NONCE, aud: PHARMACY }, now })

describe('SD-JWT VC with sdJwtIssuerKeyResolver', () => {
  it('verifies a PSB resident id shown to the pharmacy: only age_over_18 leaves the wallet', async () => {
    const v = await verifyAt(await presentation())
    if (!v.ok) throw new Error(`${v.code}: ${v.detail}`)
    expect(v.value.claims.iss).toBe(PSB)
    expect(v.value.claims.vct).toBe(RESIDENT_ID)
    expect(v.value.claims.age_over_18).toBe(true)
    expect(v.value.claims.birthdate).toBeUndefined()
    expect(v.value.disclosed.map((d) => d.path)).toEqual([['age_over_18']])
  })

  it('verifies with the new key after a rotation', async () => {
    const v = await verifyAt(await presentation({ signer: psb2027.signer, kid: `${PSB}#key-2027` }), S_rotated)
    expect(v.ok ? 'ok' : v.code).toBe('ok')
  })

  const attacker = testKey('ES256')
  it.each<[string, () => Promise<string>, RegistryState, number, string]>([
    ['a vct the issuer is not accredited for', () => presentation({ vct: SOCIAL_INSURANCE }), state, NOW, 'ERR_REG_VCT_NOT_ACCREDITED'],
    ['a suspended issuer', () => presentation(), S_suspended, NOW, 'ERR_REG_ISSUER_SUSPENDED'],
    ['a key revoked since (whenever the credential was issued)', () => presentation(), S_rotated, NOW, 'ERR_REG_KEY_REVOKED'],
    ['an unknown issuer', () => presentation({ iss: 'did:web:fake-bureau.example', kid: 'did:web:fake-bureau.example#k1', signer: attacker.signer }), state, NOW, 'ERR_REG_UNKNOWN_ISSUER'],
    ['a registered verifier posing as issuer', () => presentation({ iss: PHARMACY, kid: `${PHARMACY}#pos-1`, signer: pharmacy.key.signer }), state, NOW, 'ERR_REG_UNKNOWN_ISSUER'],
    ['an https issuer (not a registry DID)', () => presentation({ iss: 'https://psb.gov.example', kid: 'key-2026' }), state, NOW, 'ERR_REG_UNKNOWN_ISSUER'],
    ['after the accreditation ended', () => presentation(), state, NOW + 3 * YEAR, 'ERR_REG_EXPIRED'],
    ['before the accreditation began', () => presentation(), state, NOW - 60 * DAY, 'ERR_REG_EXPIRED'],
    ['no kid in the header', () => presentation({ kid: null }), state, NOW, 'ERR_JWS_HEADER_INVALID'],
    ['a kid of another DID', () => presentation({ kid: `${demo.ssb.did}#sig-1` }), state, NOW, 'ERR_JWS_HEADER_INVALID'],
    ['a kid the issuer never held', () => presentation({ kid: `${PSB}#key-1999` }), state, NOW, 'ERR_JWS_KEY_UNKNOWN'],
    ['a forger using the PSB kid', () => presentation({ signer: attacker.signer }), state, NOW, 'ERR_JWS_SIGNATURE_INVALID'],
  ])('refuses %s → %s', async (_n, make, s, now, code) => {
    const v = await verifyAt(await make(), s, now)
    expect(v.ok ? 'accepted' : v.code).toBe(code)
  })

  it('reads vct before the signature check, safely: a vct rewritten to an accredited one fails the signature', async () => {
    const genuine = await presentation({ vct: SOCIAL_INSURANCE })
    const [jwt, ...rest] = genuine.split('~')
    const [h, p, sig] = jwt!.split('.') as [string, string, string]
    const payload = JSON.parse(decodeUtf8(decodeBase64url(p))) as JsonObject
    payload.vct = RESIDENT_ID
    const forged = [`${h}.${encodeBase64url(encodeUtf8(JSON.stringify(payload)))}.${sig}`, ...rest].join('~')
    const v = await verifyAt(forged)
    expect(v.ok ? 'accepted' : v.code).toBe('ERR_JWS_SIGNATURE_INVALID')
  })
})

describe('VC-JWT with the registry resolver', () => {
  it('verifies a VC-JWT by the root (the PSB accreditation itself) through verifyVcJwt', async () => {
    const jwt = decodeUtf8(demo.entries[0]!)
    const v = await verifyVcJwt(jwt, { now: NOW, resolver: registryResolver(state, { now: NOW }) })
    if (!v.ok) throw new Error(`${v.code}: ${v.detail}`)
    expect(v.value.issuer).toBe(demo.rootDid)
    expect(v.value.subject).toBe(PSB)
    expect(v.value.type).toEqual(['VerifiableCredential', 'CivicIssuerAccreditation'])
  })

  async function psbVcJwt(kid = `${PSB}#key-2026`, signer = psb.key.signer): Promise<string> {
    const subject = await makeIdentity('ES256 noble', 'jwk')
    return issueVcJwt({
      issuer: { did: PSB, kid, signer }, subjectDid: subject.did, type: ['ResidencePermit'],
      credentialSubject: { city: '杭州' }, validUntil: NOW + 5 * YEAR, now: NOW - DAY,
    })
  }

  it('verifies a VC-JWT by an accredited did:web issuer, keys from the registry only', async () => {
    const jwt = await psbVcJwt()
    const v = await verifyVcJwt(jwt, { now: NOW, resolver: registryResolver(state, { now: NOW }) })
    expect(v.ok ? v.value.kid : v.code).toBe(`${PSB}#key-2026`)
    // Without the registry there is nothing to resolve did:web with (and nothing is fetched).
    expect(await verifyVcJwt(jwt, { now: NOW, resolver: defaultResolver() })).toMatchObject({ ok: false, code: 'ERR_DID_UNSUPPORTED' })
  })

  it.each<[string, RegistryState, number, string]>([
    ['suspended', S_suspended, NOW, 'ERR_DID_NOT_FOUND'],
    ['its key revoked', S_rotated, NOW, 'ERR_DID_NOT_FOUND'],
    ['outside its accreditation', state, NOW + 3 * YEAR, 'ERR_DID_NOT_FOUND'],
  ])('refuses a did:web issuer that is %s', async (_n, s, now, code) => {
    const jwt = await psbVcJwt()
    const v = await verifyVcJwt(jwt, { now, resolver: registryResolver(s, { now }) })
    expect(v.ok ? 'accepted' : v.code).toBe(code)
  })
})

describe('registryDidResolver', () => {
  const resolve = (did: string, s: RegistryState = state, now = NOW) => registryDidResolver(s, { now })(did, null as never, null as never, {})

  it('gives an issuer’s current keys as assertionMethod only', async () => {
    const r = await resolve(PSB)
    expect(r.didResolutionMetadata.error).toBeUndefined()
    expect(r.didDocument).toEqual({
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/jws-2020/v1'],
      id: PSB,
      verificationMethod: [{ id: `${PSB}#key-2026`, type: 'JsonWebKey2020', controller: PSB, publicKeyJwk: psb.key.signer.publicJwk }],
      assertionMethod: [`${PSB}#key-2026`],
    })
    expect((await resolve(PSB, S_rotated)).didDocument?.assertionMethod).toEqual([`${PSB}#key-2027`])
  })

  it('gives a verifier’s keys for authentication too (it signs request objects)', async () => {
    const r = await resolve(HALL)
    expect(r.didDocument?.authentication).toEqual([`${HALL}#counter-1`])
    expect(r.didDocument?.assertionMethod).toEqual([`${HALL}#counter-1`])
  })

  it.each<[string, string, RegistryState, number, string, boolean]>([
    ['an unknown DID', 'did:web:nobody.example', state, NOW, 'ERR_REG_UNKNOWN_ENTITY', false],
    ['a suspended issuer', PSB, S_suspended, NOW, 'ERR_REG_ISSUER_SUSPENDED', true],
    ['a suspended verifier', PHARMACY, S_pharmacySuspended, NOW, 'ERR_REG_VERIFIER_SUSPENDED', true],
    ['an expired verifier', HALL, state, NOW + 3 * YEAR, 'ERR_REG_EXPIRED', false],
  ])('answers notFound for %s', async (_n, did, s, now, code, deactivated) => {
    const r = await resolve(did, s, now)
    expect(r.didDocument).toBeNull()
    expect(r.didResolutionMetadata.error).toBe('notFound')
    expect(r.didResolutionMetadata.message).toMatch(new RegExp(`^${code}:`))
    expect(r.didDocumentMetadata.deactivated === true).toBe(deactivated)
  })
})
