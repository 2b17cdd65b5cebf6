// The counter's request and receipt against the demo registry: a request made by an enrolled
// counter verifies offline into what the consent screen needs; every way a request can be
// wrong — unsigned, signed by another device, an attestation forged, expired or for other
// purposes, a verifier unknown or suspended, a purpose not registered, a lifetime over five
// minutes, a malformed DCQL query — is refused with its code; over-asking is reported, not
// hidden. A receipt verifies under the counter key of the request answered, and one for
// another request is refused.
import { beforeAll, describe, expect, it } from 'vitest'
import { checkVerifier, type RegistryState } from '../../../src/core/registry/state.ts'
import { createSuspensionEntry, createVerifierRegistrationEntry } from '../../../src/core/registry/create.ts'
import { generateEcdhKeyPair } from '../../../src/core/crypto/keys.ts'
import { encodeBase64url, decodeBase64url } from '../../../src/core/bytes/base64url.ts'
import {
  REQUEST_MAX_SECONDS, requestNonce, signCounterAttestation, signCounterRequest, verifyCounterRequest,
  type AttestationInput, type RequestInput,
} from '../../../src/core/exchange/request.ts'
import { signReceipt, verifyReceipt, type Receipt } from '../../../src/core/exchange/receipt.ts'
import { parseCompactJws, signCompactJws } from '../../../src/core/jose/jws.ts'
import type { EcPublicJwk } from '../../../src/core/crypto/jwk.ts'
import { after, buildDemo, HALL, names, NOW, PHARMACY, RESIDENT_ID, YEAR, type Demo } from '../registry/_demo.ts'
import { purpose } from '../../support/purposes.ts'
import { seededRandom, testKey, type TestKey } from '../../support/keys.ts'

let demo: Demo
let counterKey: TestKey
let responseKey: EcPublicJwk
const random = seededRandom(7)

beforeAll(async () => {
  demo = await buildDemo()
  counterKey = testKey('ES256')
  responseKey = (await generateEcdhKeyPair()).publicJwk
})

const attestationInput = (over: Partial<AttestationInput> = {}): AttestationInput => ({
  verifier: HALL, counter: { id: 'hall-a-3', name: { 'zh-CN': 'A 区 3 号窗口', en: 'Hall A, counter 3' } },
  counterKey: counterKey.signer.publicJwk, purposes: ['residence-permit'], iat: NOW - 3600, exp: NOW + 20 * 3600, jti: 'att-1', ...over,
})

async function request(o: { att?: Partial<AttestationInput>; req?: Partial<RequestInput>; attSigner?: TestKey; attKid?: string; reqSigner?: TestKey } = {}): Promise<string> {
  const attestation = await signCounterAttestation(attestationInput(o.att), (o.attSigner ?? demo.hall.key).signer, o.attKid ?? demo.hall.kid)
  return signCounterRequest({
    attestation, verifier: HALL, purpose: 'residence-permit', vct: RESIDENT_ID,
    claims: [{ path: 'family_name', required: true }, { path: 'given_name', required: true }, { path: 'address.city', required: true }, { path: 'address.district', required: false }],
    nonce: requestNonce(random), iat: NOW - 10, exp: NOW + 170, responseKey, ...o.req,
  }, (o.reqSigner ?? counterKey).signer)
}

const verify = (text: string, state: RegistryState = demo.state, now = NOW) => verifyCounterRequest(text, { now, verifier: (did) => checkVerifier(state, did, { now }) })

/** Re-sign a request's payload (or header) after a change, with the counter's key. */
async function resigned(text: string, change: (p: Record<string, unknown>, h: Record<string, unknown>) => void, signer = counterKey): Promise<string> {
  const [h, p] = text.split('.')
  const header = JSON.parse(new TextDecoder().decode(decodeBase64url(h!)))
  const payload = JSON.parse(new TextDecoder().decode(decodeBase64url(p!)))
  change(payload, header)
  return signCompactJws(header, payload, signer.signer)
}

describe('the counter request', () => {
  it('verifies offline into the verifier, purpose, counter and claims the consent screen shows; fits one QR code', async () => {
    const text = await request()
    expect(text.length).toBeLessThan(2331) // QR version 40 at ECC M, byte mode
    const v = await verify(text)
    expect(v.ok).toBe(true)
    if (!v.ok) return
    expect(v.value.verifier.did).toBe(HALL)
    expect(v.value.purpose.id).toBe('residence-permit')
    expect(v.value.counter).toEqual({ id: 'hall-a-3', name: { 'zh-CN': 'A 区 3 号窗口', en: 'Hall A, counter 3' } })
    expect(v.value.clientId).toBe(`verifier_attestation:${HALL}`)
    expect(v.value.claims).toEqual([
      { path: 'family_name', required: true }, { path: 'given_name', required: true },
      { path: 'address.city', required: true }, { path: 'address.district', required: false },
    ])
    expect(v.value.overasked).toEqual([])
    expect(v.value.responseKey).toEqual(responseKey)
    expect(v.value.counterKey).toEqual(counterKey.signer.publicJwk)
    expect(v.value.enc).toBe('A128GCM')
  })

  it('reports claims beyond the registered purpose as over-asking', async () => {
    const v = await verify(await request({ req: { claims: [{ path: 'family_name', required: true }, { path: 'birth_date', required: true }, { path: 'nationality', required: false }] } }))
    expect(v.ok && v.value.overasked).toEqual(['birth_date', 'nationality'])
  })

  const rows: [string, () => Promise<string>, string, (() => Promise<RegistryState>)?][] = [
    ['not a JWS', async () => 'openid4vp://?request=x', 'ERR_EXCH_REQUEST_INVALID'],
    ['too long', async () => `${'a'.repeat(7000)}.b.c`, 'ERR_EXCH_REQUEST_INVALID'],
    ['another typ', async () => resigned(await request(), (_p, h) => { h.typ = 'jwt' }), 'ERR_EXCH_REQUEST_INVALID'],
    ['alg none', async () => { const t = await request(); const [, p] = t.split('.'); return `${encodeBase64url(new TextEncoder().encode('{"alg":"none","typ":"oauth-authz-req+jwt"}'))}.${p}.` }, 'ERR_EXCH_REQUEST_INVALID'],
    ['no attestation', async () => resigned(await request(), (_p, h) => { delete h.jwt }), 'ERR_EXCH_ATTESTATION_INVALID'],
    ['an attestation signed by a key the verifier never registered', async () => request({ attSigner: testKey('ES256') }), 'ERR_EXCH_ATTESTATION_INVALID'],
    ['an attestation naming an unknown kid', async () => request({ attKid: 'other' }), 'ERR_EXCH_ATTESTATION_INVALID'],
    ['an attestation signed by another registered verifier for the hall', async () => request({ attSigner: demo.pharmacy.key, attKid: demo.pharmacy.kid }), 'ERR_EXCH_ATTESTATION_INVALID'],
    ['an attestation from an unregistered verifier', async () => request({ att: { verifier: 'did:web:fake-hall.example' } }), 'ERR_REG_UNKNOWN_VERIFIER'],
    ['an attestation of a suspended verifier', async () => request(), 'ERR_REG_VERIFIER_SUSPENDED', async () => after(demo.state, await createSuspensionEntry({ root: demo.root, subject: HALL, revokes: 'urn:civic:registration:service-hall:2026', iat: NOW - 60 }))],
    ['an attestation that expired', async () => request({ att: { iat: NOW - 48 * 3600, exp: NOW - 3600 } }), 'ERR_EXCH_ATTESTATION_INVALID'],
    ['an attestation issued in the future', async () => request({ att: { iat: NOW + 3600, exp: NOW + 7200 } }), 'ERR_EXCH_ATTESTATION_INVALID'],
    ['a request signed by a device the attestation does not bind (unenrolled counter)', async () => request({ reqSigner: testKey('ES256') }), 'ERR_EXCH_COUNTER_UNENROLLED'],
    ['a purpose the attestation does not grant', async () => request({ att: { purposes: ['pension-enquiry'] } }), 'ERR_EXCH_COUNTER_UNENROLLED'],
    ['a purpose the verifier never registered', async () => request({ att: { purposes: ['residence-permit', 'tax-audit'] }, req: { purpose: 'tax-audit' } }), 'ERR_EXCH_PURPOSE_UNKNOWN'],
    ['a purpose now registered as keeping data for 30 days (a counter keeps nothing)', async () => request(), 'ERR_EXCH_PURPOSE_RETAINS', async () => after(demo.state, await createVerifierRegistrationEntry({
      root: demo.root, subject: HALL, id: 'urn:civic:registration:service-hall:2026-2', name: names.hall, keys: [{ kid: demo.hall.kid, jwk: demo.hall.key.signer.publicJwk }],
      purposes: [purpose({ id: 'residence-permit', name: names.hall, vct: RESIDENT_ID, claims: ['family_name', 'given_name', 'address.city', 'address.district'] }, { retention: { days: 30, promise: names.hall } })],
      validFrom: NOW - 60, validUntil: NOW + YEAR,
    }))],
    ['another credential type than the purpose\'s', async () => request({ req: { vct: 'urn:civic:social-insurance' } }), 'ERR_EXCH_OVERASKING'],
    ['a client_id of another verifier', async () => resigned(await request(), (p) => { p.client_id = `verifier_attestation:${PHARMACY}` }), 'ERR_EXCH_REQUEST_INVALID'],
    ['a client_id without its prefix', async () => resigned(await request(), (p) => { p.client_id = HALL }), 'ERR_EXCH_REQUEST_INVALID'],
    ['a short nonce', async () => resigned(await request(), (p) => { p.nonce = 'abc' }), 'ERR_EXCH_REQUEST_INVALID'],
    ['an unknown member', async () => resigned(await request(), (p) => { p.redirect_uri = 'https://evil.example' }), 'ERR_EXCH_REQUEST_INVALID'],
    ['response_mode direct_post', async () => resigned(await request(), (p) => { p.response_mode = 'direct_post' }), 'ERR_EXCH_REQUEST_INVALID'],
    ['a lifetime over five minutes', async () => resigned(await request(), (p) => { p.exp = (p.iat as number) + REQUEST_MAX_SECONDS + 1 }), 'ERR_EXCH_REQUEST_LIFETIME'],
    ['an expired request', async () => resigned(await request(), (p) => { p.iat = NOW - 400; p.exp = NOW - 100 }), 'ERR_EXCH_REQUEST_EXPIRED'],
    ['a request from the future', async () => resigned(await request(), (p) => { p.iat = NOW + 200; p.exp = NOW + 400 }), 'ERR_EXCH_REQUEST_EXPIRED'],
    ['a response key off the curve', async () => resigned(await request(), (p) => { ((p.client_metadata as any).jwks.keys[0]).y = encodeBase64url(new Uint8Array(32).fill(9)) }), 'ERR_EXCH_REQUEST_INVALID'],
    ['a response key for signing', async () => resigned(await request(), (p) => { ((p.client_metadata as any).jwks.keys[0]).use = 'sig' }), 'ERR_EXCH_REQUEST_INVALID'],
    ['two response keys', async () => resigned(await request(), (p) => { const k = (p.client_metadata as any).jwks.keys; k.push(k[0]) }), 'ERR_EXCH_REQUEST_INVALID'],
    ['only A192GCM offered', async () => resigned(await request(), (p) => { (p.client_metadata as any).encrypted_response_enc_values_supported = ['A192GCM'] }), 'ERR_EXCH_REQUEST_INVALID'],
    ['DCQL: two credentials', async () => resigned(await request(), (p) => { const q = p.dcql_query as any; q.credentials.push(q.credentials[0]) }), 'ERR_EXCH_DCQL_INVALID'],
    ['DCQL: format jwt_vc_json', async () => resigned(await request(), (p) => { (p.dcql_query as any).credentials[0].format = 'jwt_vc_json' }), 'ERR_EXCH_DCQL_INVALID'],
    ['DCQL: a claim asked twice', async () => resigned(await request(), (p) => { const c = (p.dcql_query as any).credentials[0].claims; c.push({ id: 'dup', path: c[0].path }) }), 'ERR_EXCH_DCQL_INVALID'],
    ['DCQL: a wildcard path', async () => resigned(await request(), (p) => { (p.dcql_query as any).credentials[0].claims[0].path = ['address', null] }), 'ERR_EXCH_DCQL_INVALID'],
    ['DCQL: claim_sets not starting with every claim', async () => resigned(await request(), (p) => { (p.dcql_query as any).credentials[0].claim_sets = [['c0'], ['c0', 'c1']] }), 'ERR_EXCH_DCQL_INVALID'],
    ['DCQL: claim_sets naming an unknown id', async () => resigned(await request(), (p) => { (p.dcql_query as any).credentials[0].claim_sets = [['c0', 'c1', 'c2', 'c3'], ['zz']] }), 'ERR_EXCH_DCQL_INVALID'],
    ['DCQL: no vct', async () => resigned(await request(), (p) => { (p.dcql_query as any).credentials[0].meta = {} }), 'ERR_EXCH_DCQL_INVALID'],
  ]
  it.each(rows)('refuses %s: %s', async (_n, make, code, state) => {
    const v = await verify(await make(), state ? await state() : demo.state)
    expect(v).toMatchObject({ ok: false, code })
  })

  it('refuses a request whose signed bytes were changed anywhere after signing', async () => {
    const text = await request()
    const [h, p, s] = text.split('.') as [string, string, string]
    for (const [part, at] of [[1, 5], [1, 200], [2, 3], [2, 40]] as const) {
      const parts = [h, p, s]
      const chars = [...parts[part]!]
      chars[at] = chars[at] === 'A' ? 'B' : 'A'
      parts[part] = chars.join('')
      const v = await verify(parts.join('.'))
      expect(v.ok, `part ${part} char ${at}`).toBe(false)
    }
  })
})

describe('the counter receipt', () => {
  const receipt = (over: Partial<Receipt> = {}): Receipt => ({
    verifier: HALL, counter: 'hall-a-3', nonce: 'n'.repeat(22), purpose: 'residence-permit', vct: RESIDENT_ID,
    claims: ['family_name', 'given_name', 'address.city'], verdict: 'accepted', iat: NOW, ...over,
  })
  const expectation = () => ({ counterKey: counterKey.signer.publicJwk, verifier: HALL, counter: 'hall-a-3', nonce: 'n'.repeat(22), purpose: 'residence-permit', vct: RESIDENT_ID, asked: ['family_name', 'given_name', 'address.city', 'address.district'] })

  it('verifies under the counter key of the request answered, with claim names and no values', async () => {
    const text = await signReceipt(receipt(), counterKey.signer)
    const v = await verifyReceipt(text, expectation())
    expect(v).toEqual({ ok: true, value: receipt() })
    const refused = await verifyReceipt(await signReceipt(receipt({ verdict: 'refused', code: 'ERR_STATUS_STALE' }), counterKey.signer), expectation())
    expect(refused.ok && refused.value.code).toBe('ERR_STATUS_STALE')
  })

  const rows: [string, () => Promise<string>, string][] = [
    ['another nonce', () => signReceipt(receipt({ nonce: 'm'.repeat(22) }), counterKey.signer), 'ERR_EXCH_RECEIPT_MISMATCH'],
    ['another verifier', () => signReceipt(receipt({ verifier: PHARMACY }), counterKey.signer), 'ERR_EXCH_RECEIPT_MISMATCH'],
    ['another purpose', () => signReceipt(receipt({ purpose: 'pension-enquiry' }), counterKey.signer), 'ERR_EXCH_RECEIPT_MISMATCH'],
    ['signed by another device', () => signReceipt(receipt(), testKey('ES256').signer), 'ERR_EXCH_RECEIPT_INVALID'],
    ['a code that is not in the catalogue', () => signCompactJws({ typ: 'civic-counter-receipt+jwt' }, { ...receipt(), verdict: 'refused', code: 'ERR_MADE_UP' }, counterKey.signer), 'ERR_EXCH_RECEIPT_INVALID'],
    ['a claim value smuggled in', async () => signCompactJws({ typ: 'civic-counter-receipt+jwt' }, { ...parseCompactJws(await signReceipt(receipt(), counterKey.signer)).payload, values: { family_name: '李' } }, counterKey.signer), 'ERR_EXCH_RECEIPT_INVALID'],
    ['another typ', () => signCompactJws({ typ: 'jwt' }, receipt(), counterKey.signer), 'ERR_EXCH_RECEIPT_INVALID'],
    ['not a JWS', async () => 'receipt', 'ERR_EXCH_RECEIPT_INVALID'],
  ]
  it.each(rows)('refuses a receipt with %s: %s', async (_n, make, code) => {
    expect(await verifyReceipt(await make(), expectation())).toMatchObject({ ok: false, code })
  })
})
