/**
 * A whole counter transaction in one process (fake-indexeddb for the counter's store, Node's
 * WebCrypto, the demo registry): the counter makes its key, is enrolled by the city service
 * hall, asks for the residence-permit claims; the citizen's side verifies the request offline,
 * presents the asked claims with key binding and seals the answer; the counter decrypts and
 * verifies with no network, shows the claims, and on closing keeps a signed audit record
 * without them and gives a receipt the wallet verifies. Then what must be refused: a replay,
 * a late answer, an answer to another counter, one claim too many, one too few, a revoked
 * credential (red), a status the counter cannot establish (unknown), an attestation for
 * another device.
 */
import 'fake-indexeddb/auto'
import { beforeAll, describe, expect, it } from 'vitest'
import { Counter, type CounterTrust } from '../../src/counter/counter.ts'
import { signCounterAttestation, verifyCounterRequest, type CounterRequest } from '../../src/core/exchange/request.ts'
import { sealAnswer } from '../../src/core/exchange/answer.ts'
import { verifyReceipt } from '../../src/core/exchange/receipt.ts'
import { issueSdJwtVc } from '../../src/core/sdjwt/vc.ts'
import { presentSdJwt } from '../../src/core/sdjwt/present.ts'
import { checkIssuer, checkVerifier } from '../../src/core/registry/state.ts'
import { sdJwtIssuerKeyResolver } from '../../src/core/registry/resolvers.ts'
import type { ErrorCode } from '../../src/core/errors.ts'
import { buildDemo, HALL, NOW, PSB, PSB_LIST, RESIDENT_ID, type Demo } from '../core/registry/_demo.ts'
import { seededRandom, testKey, type TestKey } from '../support/keys.ts'

const CITIZEN = { family_name: '李', given_name: '伟', birth_date: '1990-05-01', age_over_18: true, address: { city: '成都', district: '武侯', street: '人民南路 4 段' } }
let demo: Demo
let holder: TestKey
let issued: string
let db = 0
const statuses = new Map<number, { state: 'valid' | 'invalid' | 'suspended' | 'unknown'; code: ErrorCode | null }>()

function trust(): CounterTrust {
  return {
    verifierRegistration: (did, o) => checkVerifier(demo.state, did, o),
    issuerStanding: (did, o) => checkIssuer(demo.state, did, o),
    credentialKeys: (o) => sdJwtIssuerKeyResolver(demo.state, o),
    // The trust engine's cached, ledger-proven status; here a table the test sets.
    status: (uri, idx) => {
      const s = uri === PSB_LIST ? statuses.get(idx) : undefined
      return s ? { ...s, detail: s.code ? 'the status list went stale' : '', anchoredAt: NOW - 3600, version: 3 } : { state: 'unknown', code: 'ERR_STATUS_NOT_ANCHORED', detail: 'no list', anchoredAt: null, version: null }
    },
    // Stapled status is proven by the trust engine (test/trust/staple.test.ts); no answer here staples.
    judgeStaple: async () => {
      throw new Error('no answer in this test carries a staple')
    },
  }
}

async function enrolled(): Promise<Counter> {
  const counter = await Counter.open({ trust: trust(), now: NOW, dbName: `counter-test-${db++}`, random: seededRandom(db) })
  const att = await signCounterAttestation({
    verifier: HALL, counter: { id: 'hall-a-3', name: { 'zh-CN': 'A 区 3 号窗口', en: 'Hall A, counter 3' } }, counterKey: counter.publicJwk,
    purposes: ['residence-permit'], iat: NOW - 60, exp: NOW + 86_400, jti: `att-${db}`,
  }, demo.hall.key.signer, demo.hall.kid)
  const e = await counter.enrol(att, { now: NOW })
  if (!e.ok) throw new Error(`${e.code}: ${e.detail}`)
  return counter
}

async function credential(idx: number): Promise<string> {
  const c = await issueSdJwtVc({
    iss: PSB, vct: RESIDENT_ID, iat: NOW - 86_400, exp: NOW + 365 * 86_400, holderJwk: holder.signer.publicJwk,
    status: { status_list: { idx, uri: PSB_LIST } }, claims: CITIZEN,
    frame: { _sd: ['family_name', 'given_name', 'birth_date', 'age_over_18', 'address'], address: { _sd: ['city', 'district', 'street'] } },
    signer: demo.psb.key.signer, kid: `${PSB}#${demo.psb.kid}`, random: seededRandom(idx),
  })
  return c.sdJwt
}

/** The citizen's side: read the request, present `claims` (dotted) from `cred`, seal to the request's key. */
async function answer(text: string, claims: string[], cred = issued, now = NOW): Promise<{ bytes: Uint8Array; request: CounterRequest }> {
  const r = await verifyCounterRequest(text, { now, verifier: (did) => checkVerifier(demo.state, did, { now }) })
  if (!r.ok) throw new Error(`${r.code}: ${r.detail}`)
  const frame: Record<string, unknown> = {}
  for (const c of claims) {
    const [a, b] = c.split('.')
    if (b) frame[a!] = { ...(frame[a!] as object), [b]: true }
    else frame[a!] = true
  }
  const presentation = await presentSdJwt(cred, frame as never, { keyBinding: { signer: holder.signer, nonce: r.value.nonce, aud: r.value.clientId, iat: now } })
  return { bytes: await sealAnswer({ presentation }, r.value), request: r.value }
}

beforeAll(async () => {
  demo = await buildDemo()
  holder = testKey('ES256')
  issued = await credential(41)
  statuses.set(41, { state: 'valid', code: null })
})

describe('a counter transaction', () => {
  it('request → answer → verdict with the asked claims → closed: an audit record and a receipt without values', async () => {
    const counter = await enrolled()
    const req = await counter.request('residence-permit', { now: NOW, optional: ['address.district'] })
    if (!req.ok) throw new Error(req.detail)
    const { bytes, request } = await answer(req.value.text, ['family_name', 'given_name', 'address.city'])
    expect(request.claims.find((c) => c.path === 'address.district')).toEqual({ path: 'address.district', required: false })
    const v = await counter.verify(bytes, { now: NOW + 5 })
    expect(v).toMatchObject({ outcome: 'accepted', code: null, purpose: { id: 'residence-permit' }, status: { state: 'valid', anchoredAt: NOW - 3600, stapled: false } })
    expect(v.credential?.claims).toEqual([{ path: 'family_name', value: '李' }, { path: 'given_name', value: '伟' }, { path: 'address.city', value: '成都' }])
    expect(v.credential?.issuerName?.en).toBe('Municipal Public Security Bureau')
    const { receipt } = await counter.finish(v)
    expect(v.credential?.claims).toEqual([])
    const r = await verifyReceipt(receipt!, { counterKey: request.counterKey, verifier: HALL, counter: request.counter.id, nonce: request.nonce, purpose: 'residence-permit', vct: request.vct, asked: request.claims.map((c) => c.path) })
    expect(r).toMatchObject({ ok: true, value: { verdict: 'accepted', claims: ['family_name', 'given_name', 'address.city'], vct: RESIDENT_ID } })
    const stored = JSON.stringify(await counter.dump()) + (await counter.exportAudit())
    for (const value of ['李', '伟', '成都', '武侯', '1990']) expect(stored.includes(value), value).toBe(false)
    const audit = (await counter.exportAudit()).split('\n')
    expect(audit).toHaveLength(1)
    const record = JSON.parse(Buffer.from(JSON.parse(audit[0]!).record.split('.')[1], 'base64url').toString())
    expect(record).toEqual({ verifier: HALL, counter: 'hall-a-3', purpose: 'residence-permit', vct: RESIDENT_ID, outcome: 'accepted', code: null, nonce: request.nonce, at: NOW + 5 })
    counter.close()
  })

  it('refuses a replayed answer, a late one, and one to another counter', async () => {
    const counter = await enrolled()
    const other = await enrolled()
    const req = await counter.request('residence-permit', { now: NOW, lifetime: 60 })
    const otherReq = await other.request('residence-permit', { now: NOW })
    if (!req.ok || !otherReq.ok) throw new Error('no request')
    const { bytes } = await answer(req.value.text, ['family_name', 'given_name', 'address.city', 'address.district'])
    expect((await counter.verify(bytes, { now: NOW + 1 })).outcome).toBe('accepted')
    expect(await counter.verify(bytes, { now: NOW + 2 })).toMatchObject({ outcome: 'refused', code: 'ERR_EXCH_REPLAY' })
    expect(await other.verify(bytes, { now: NOW + 2 })).toMatchObject({ outcome: 'refused', code: 'ERR_EXCH_NONCE_UNKNOWN' })
    const late = await counter.request('residence-permit', { now: NOW, lifetime: 60 })
    if (!late.ok) throw new Error('no request')
    const { bytes: lateBytes } = await answer(late.value.text, ['family_name', 'given_name', 'address.city', 'address.district'])
    expect(await counter.verify(lateBytes, { now: NOW + 200 })).toMatchObject({ outcome: 'refused', code: 'ERR_EXCH_REQUEST_EXPIRED' })
    counter.close()
    other.close()
  })

  const rows: [string, string[], ErrorCode][] = [
    ['one claim more than asked (birth_date)', ['family_name', 'given_name', 'address.city', 'address.district', 'birth_date'], 'ERR_EXCH_CLAIM_UNASKED'],
    ['one required claim left out', ['family_name', 'address.city', 'address.district'], 'ERR_EXCH_CLAIM_MISSING'],
  ]
  it.each(rows)('refuses an answer with %s: %s', async (_n, claims, code) => {
    const counter = await enrolled()
    const req = await counter.request('residence-permit', { now: NOW })
    if (!req.ok) throw new Error(req.detail)
    const { bytes } = await answer(req.value.text, claims)
    expect(await counter.verify(bytes, { now: NOW })).toMatchObject({ outcome: 'refused', code })
    counter.close()
  })

  it('says red for a revoked or suspended credential and unknown for a status it cannot establish', async () => {
    const counter = await enrolled()
    for (const [idx, state, outcome, code] of [[7, 'invalid', 'refused', 'ERR_STATUS_REVOKED'], [8, 'suspended', 'refused', 'ERR_STATUS_SUSPENDED'], [9, 'unknown', 'unknown', 'ERR_STATUS_STALE']] as const) {
      statuses.set(idx, { state, code: state === 'unknown' ? 'ERR_STATUS_STALE' : null })
      const req = await counter.request('residence-permit', { now: NOW })
      if (!req.ok) throw new Error(req.detail)
      const { bytes } = await answer(req.value.text, ['family_name', 'given_name', 'address.city', 'address.district'], await credential(idx))
      const v = await counter.verify(bytes, { now: NOW })
      expect(v, `status ${state}`).toMatchObject({ outcome, code, status: { state } })
      const { receipt } = await counter.finish(v)
      expect(receipt).not.toBeNull()
    }
    counter.close()
  })

  it('will not enrol under an attestation for another device, nor ask before enrolment', async () => {
    const counter = await Counter.open({ trust: trust(), now: NOW, dbName: `counter-test-${db++}` })
    expect(await counter.request('residence-permit', { now: NOW })).toMatchObject({ ok: false, code: 'ERR_EXCH_COUNTER_UNENROLLED' })
    const att = await signCounterAttestation({
      verifier: HALL, counter: { id: 'x', name: { 'zh-CN': '某', en: 'X' } }, counterKey: testKey('ES256').signer.publicJwk,
      purposes: ['residence-permit'], iat: NOW - 60, exp: NOW + 3600, jti: 'att-x',
    }, demo.hall.key.signer, demo.hall.kid)
    expect(await counter.enrol(att, { now: NOW })).toMatchObject({ ok: false, code: 'ERR_EXCH_COUNTER_UNENROLLED' })
    expect(await counter.enrolment({ now: NOW })).toBeNull()
    counter.close()
  })
})
