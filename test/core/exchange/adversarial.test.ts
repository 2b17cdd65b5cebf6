// The counter exchange's hostile-input table (design §6, style-anchors §11): one place to read
// every attack on the way from the counter's request QR to the citizen's receipt, each row one
// hostile input with the exact code it must end in. Rows are built so that only the hostile
// property is under test: a hostile JWE header is validly encrypted under it (a hand-made
// ECDH-ES + A128GCM encryptor, checked against jwe.ts by its positive rows); a hostile pack is
// validly sealed to the request's response key (which anyone who sees the request QR holds); a
// hostile request or receipt is validly signed. Positive rows (code 'ok') pin what must still
// pass, so that a refusal is known to come from the property the row names.
//
// The counter-side rows run against a real Counter whose trust is a real TrustEngine synced from
// a ledger (test/trust/_world.ts) and then taken offline: the city service hall is registered
// there, the public security bureau issues the credential and anchors its status list, and the
// citizen's wallet staples that list. After a refusal that comes before the request's answer is
// opened, the genuine answer must still be accepted: the hostile bytes changed nothing.
//
// Keys and ECDSA signatures are fresh each run; salts, nonces, frame ids and IVs are seeded or
// fixed, and no row's outcome depends on which keys were drawn.
import { deflateRawSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeBase64url, encodeBase64url } from '../../../src/core/bytes/base64url.ts'
import { bytesEqual } from '../../../src/core/bytes/compare.ts'
import { encodeUtf8 } from '../../../src/core/bytes/utf8.ts'
import { sha256 } from '../../../src/core/crypto/hash.ts'
import type { EcPublicJwk, PublicJwk } from '../../../src/core/crypto/jwk.ts'
import { generateEcdhKeyPair, type Signer } from '../../../src/core/crypto/keys.ts'
import { CivicError } from '../../../src/core/errors.ts'
import { openAnswer, sealAnswer } from '../../../src/core/exchange/answer.ts'
import { PACK_DICTIONARY } from '../../../src/core/exchange/dictionary.ts'
import { FRAME_LIMITS, FrameCollector, splitFrames } from '../../../src/core/exchange/frames.ts'
import { PACK_VERSION, packAnswer } from '../../../src/core/exchange/pack.ts'
import { RECEIPT_MAX_LENGTH, RECEIPT_TYP, verifyReceipt, type ReceiptExpectation } from '../../../src/core/exchange/receipt.ts'
import {
  ATTESTATION_MAX_SECONDS, ATTESTATION_TYP, REQUEST_MAX_SECONDS, requestNonce, signCounterAttestation, signCounterRequest, verifyCounterRequest,
  type AttestationInput, type CounterRequest, type RequestInput,
} from '../../../src/core/exchange/request.ts'
import { stapleParts, STAPLE_TAG } from '../../../src/core/exchange/staple.ts'
import { decryptJwe, encryptJwe, jweFromBinary, jweToBinary, type JweEnc } from '../../../src/core/jose/jwe.ts'
import { signCompactJws } from '../../../src/core/jose/jws.ts'
import { createVerifierRegistrationEntry } from '../../../src/core/registry/create.ts'
import { presentSdJwt } from '../../../src/core/sdjwt/present.ts'
import { issueSdJwtVc } from '../../../src/core/sdjwt/vc.ts'
import { Counter, type CounterTrust, type CounterVerdict } from '../../../src/counter/counter.ts'
import { parseTrustConfig, TrustEngine, type StapledList } from '../../../src/trust/index.ts'
import { seededRandom, testKey } from '../../support/keys.ts'
import { purpose } from '../../support/purposes.ts'
import { listUri, makeWorld, PSB, type World } from '../../trust/_world.ts'

// ─── bytes, outcomes ─────────────────────────────────────────────────────────────────────────

const b64 = encodeBase64url
const b64text = (s: string): string => encodeBase64url(encodeUtf8(s))
const u8 = (...xs: (number | Uint8Array)[]): Uint8Array => Uint8Array.from(xs.flatMap((x) => (typeof x === 'number' ? [x] : [...x])))
const flip = (b: Uint8Array, at: number, mask = 1): Uint8Array => {
  const m = b.slice()
  m[at < 0 ? m.length + at : at]! ^= mask
  return m
}

/**
 * What a call ends in: 'ok', a verdict's code, or a CivicError's code. Anything else thrown (a
 * TypeError, a DOMException from WebCrypto) escapes and fails the row: hostile input must end
 * in a code.
 */
async function outcome(f: () => unknown): Promise<string> {
  try {
    const v = await f()
    if (v !== null && typeof v === 'object' && 'ok' in v) {
      const verdict = v as unknown as { ok: boolean; code: string }
      return verdict.ok ? 'ok' : verdict.code
    }
    return 'ok'
  } catch (e) {
    if (e instanceof CivicError) return e.code
    throw e
  }
}

// ─── P-256 points (SEC 2 §2.4.2 domain parameters), for the invalid-curve rows ─────────────────

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn
const GX = 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n
const GY = 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n
const modP = (a: bigint): bigint => ((a % P) + P) % P
function powP(base: bigint, e: bigint): bigint {
  let r = 1n
  for (let b = modP(base); e > 0n; e >>= 1n, b = modP(b * b)) if (e & 1n) r = modP(r * b)
  return r
}
const onCurve = (x: bigint, y: bigint): boolean => x < P && y < P && modP(y * y) === modP(x * x * x - 3n * x + B)
/** √b (p ≡ 3 mod 4): (0, √b) is on P-256, so 0 + p is an x ≥ p that reduces to a point. */
const Y_AT_0 = powP(B, (P + 1n) / 4n)
const be = (n: bigint, len = 32): Uint8Array => {
  const out = new Uint8Array(len)
  for (let i = len - 1; i >= 0; i--, n >>= 8n) out[i] = Number(n & 255n)
  return out
}

interface PointRow { name: string; x: Uint8Array; y: Uint8Array; onCurve: boolean }
const POINTS: PointRow[] = [
  { name: 'the generator G', x: be(GX), y: be(GY), onCurve: true },
  { name: '−G (the other y)', x: be(GX), y: be(P - GY), onCurve: true },
  { name: '(0, √b), a point whose x is zero', x: be(0n), y: be(Y_AT_0), onCurve: true },
  { name: 'G with y + 1: a point of y² = x³ − 3x + b′ (invalid-curve attack)', x: be(GX), y: be(GY + 1n), onCurve: false },
  { name: '(0, 0): the all-zero encoding (the point at infinity has no affine form)', x: be(0n), y: be(0n), onCurve: false },
  { name: 'x = 0 + p: a coordinate ≥ p that reduces to a point on the curve', x: be(P), y: be(Y_AT_0), onCurve: false },
  { name: 'x = p, y = p', x: be(P), y: be(P), onCurve: false },
  { name: 'y = 2²⁵⁶ − 1', x: be(GX), y: new Uint8Array(32).fill(0xff), onCurve: false },
  { name: 'x of 31 bytes', x: be(GX).subarray(1), y: be(GY), onCurve: false },
  { name: 'x of 33 bytes (a leading zero)', x: u8(0, be(GX)), y: be(GY), onCurve: false },
  { name: 'y of 64 bytes (x ‖ y again)', x: be(GX), y: u8(be(GX), be(GY)), onCurve: false },
]
const fits32 = (r: PointRow): boolean => r.x.length === 32 && r.y.length === 32

// ─── a hand-made ECDH-ES JWE (RFC 7518 §4.6), to encrypt validly under a hostile header ───────

const subtle = globalThis.crypto.subtle
const lengthPrefixed = (b: Uint8Array): Uint8Array => u8(be(BigInt(b.length), 4), b)

/** Concat KDF (NIST SP 800-56A §5.8.1, RFC 7518 §4.6.2) for direct key agreement: one SHA-256 round. */
function concatKdf(z: Uint8Array, enc: JweEnc, apu: Uint8Array, apv: Uint8Array): Uint8Array {
  const bits = enc === 'A128GCM' ? 128 : 256
  return sha256(u8(0, 0, 0, 1, z, lengthPrefixed(encodeUtf8(enc)), lengthPrefixed(apu), lengthPrefixed(apv), be(BigInt(bits), 4))).slice(0, bits / 8)
}

/**
 * A compact JWE of `plaintext` to `recipient`, its protected header whatever `header` writes
 * (given the real ephemeral key), the AES-GCM tag valid over exactly that header: a decrypter
 * that skipped a header check would decrypt it.
 */
async function handJwe(recipient: EcPublicJwk, header: (epk: EcPublicJwk) => string | Uint8Array, o: { enc?: JweEnc; apu?: Uint8Array; plaintext?: Uint8Array } = {}): Promise<string> {
  const enc = o.enc ?? 'A128GCM'
  const eph = await generateEcdhKeyPair()
  const peer = await subtle.importKey('jwk', { ...recipient, ext: true }, { name: 'ECDH', namedCurve: 'P-256' }, false, [])
  const z = new Uint8Array(await subtle.deriveBits({ name: 'ECDH', public: peer }, eph.privateKey, 256))
  const key = await subtle.importKey('raw', concatKdf(z, enc, o.apu ?? new Uint8Array(0), new Uint8Array(0)) as Uint8Array<ArrayBuffer>, 'AES-GCM', false, ['encrypt'])
  const h = header(eph.publicJwk)
  const protectedHeader = encodeBase64url(typeof h === 'string' ? encodeUtf8(h) : h)
  const iv = Uint8Array.from({ length: 12 }, (_, i) => i + 1)
  const sealed = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: encodeUtf8(protectedHeader), tagLength: 128 }, key, (o.plaintext ?? encodeUtf8('a packed answer')) as Uint8Array<ArrayBuffer>))
  return `${protectedHeader}..${b64(iv)}.${b64(sealed.subarray(0, -16))}.${b64(sealed.subarray(-16))}`
}

const epkJson = (e: { x: string; y: string }): string => `{"x":"${e.x}","crv":"P-256","kty":"EC","y":"${e.y}"}`
/** The one header form jose writes and the binary envelope rebuilds. */
const canonical = (epk: EcPublicJwk, enc = 'A128GCM'): string => `{"alg":"ECDH-ES","enc":"${enc}","epk":${epkJson(epk)}}`
const withMember = (epk: EcPublicJwk, member: string): string => `{"alg":"ECDH-ES","enc":"A128GCM","epk":${epkJson(epk)},${member}}`
const withEpk = (epk: string): string => `{"alg":"ECDH-ES","enc":"A128GCM","epk":${epk}}`

// ─── the world: a ledger, the counter's offline trust engine, the citizen's wallet ────────────

const HALL = 'did:web:service-hall.city.example'
const HALL_KID = 'counter-1'
const RESIDENT_ID = 'urn:civic:resident-id'
const ASKED = ['family_name', 'given_name', 'address.city', 'address.district']
const CITIZEN = { family_name: '李', given_name: '伟', birth_date: '1990-05-01', address: { city: '成都', district: '武侯', street: '人民南路 4 段' } }
const LIST = listUri('adversarial')
const OTHER_LIST = listUri('adversarial-other')

const hall = testKey('ES256')
const holder = testKey('ES256')
/** The device key of the counter in the request and receipt rows (made without a Counter). */
const device = testKey('ES256')
const random = seededRandom(23)

let world: World
let T = 0
let wallet: TrustEngine
let offline: TrustEngine
let staple: StapledList
let otherStaple: StapledList
let credential = ''
let db = 0

async function engine(dbName: string, fetchOff = false): Promise<TrustEngine> {
  const c = parseTrustConfig(world.source())
  if (!c.ok) throw new Error(c.detail)
  if (fetchOff) return TrustEngine.open(c.value, { dbName, fetch: async () => { throw new Error('offline') } })
  const e = await TrustEngine.open(c.value, { dbName })
  const r = await e.sync({ now: T })
  if (!r.ok) throw new Error(`${r.code}: ${r.detail}`)
  return e
}

beforeAll(async () => {
  world = await makeWorld()
  T = world.clock.t
  await world.registry(await createVerifierRegistrationEntry({
    root: world.root, subject: HALL, id: 'urn:civic:registration:service-hall:1', name: { 'zh-CN': '某市政务服务大厅', en: 'City Government Service Hall' },
    keys: [{ kid: HALL_KID, jwk: hall.signer.publicJwk }],
    purposes: [purpose({ id: 'residence-permit', name: { 'zh-CN': '办理居住证', en: 'Residence permit application' }, vct: RESIDENT_ID, claims: ASKED })],
    validFrom: T - 3600, validUntil: T + 365 * 86_400,
  }))
  await world.publishList(LIST, 1, { ttl: 3600 })
  await world.publishList(OTHER_LIST, 1, { ttl: 3600 })
  wallet = await engine('exch-adversarial-wallet')
  for (const uri of [LIST, OTHER_LIST]) {
    const r = await wallet.refreshStatus(uri, { now: T })
    if (!r.ok) throw new Error(`${r.code}: ${r.detail}`)
  }
  staple = wallet.staple(LIST)!
  otherStaple = wallet.staple(OTHER_LIST)!
  // The counter's engine synced the registry, then lost the network: it never fetched the list.
  await engine('exch-adversarial-counter').then((e) => e.close())
  offline = await engine('exch-adversarial-counter', true)
  credential = (await issueSdJwtVc({
    iss: PSB, vct: RESIDENT_ID, iat: T - 86_400, exp: T + 365 * 86_400, holderJwk: holder.signer.publicJwk,
    status: { status_list: { idx: 0, uri: LIST } }, claims: CITIZEN,
    frame: { _sd: ['family_name', 'given_name', 'birth_date', 'address'], address: { _sd: ['city', 'district', 'street'] } },
    signer: world.psb.signer, kid: `${PSB}#${world.psb.kid}`, random: seededRandom(41),
  })).sdJwt
})

afterAll(async () => {
  wallet?.close()
  offline?.close()
  await world?.cleanup()
})

const registered = (did: string) => wallet.verifierRegistration(did, { now: T })

function counterTrust(): CounterTrust {
  return {
    verifierRegistration: (did, o) => offline.verifierRegistration(did, o),
    issuerStanding: (did, o) => offline.issuerStanding(did, o),
    credentialKeys: (o) => offline.credentialKeys(o),
    status: (uri, idx, o) => offline.status(uri, idx, o),
    judgeStaple: (s, uri, idx, o) => offline.judgeStaple(s, uri, idx, o),
  }
}

/** A counter of the hall, enrolled, with one open request. */
async function openCounter(): Promise<{ counter: Counter; text: string }> {
  const counter = await Counter.open({ trust: counterTrust(), now: T, dbName: `exch-adversarial-${++db}`, random: seededRandom(db) })
  const att = await signCounterAttestation({
    verifier: HALL, counter: { id: 'hall-a-3', name: { 'zh-CN': 'A 区 3 号窗口', en: 'Hall A, counter 3' } }, counterKey: counter.publicJwk,
    purposes: ['residence-permit'], iat: T - 60, exp: T + 86_400, jti: `att-${db}`,
  }, hall.signer, HALL_KID)
  const e = await counter.enrol(att, { now: T })
  if (!e.ok) throw new Error(`${e.code}: ${e.detail}`)
  const r = await counter.request('residence-permit', { now: T })
  if (!r.ok) throw new Error(`${r.code}: ${r.detail}`)
  return { counter, text: r.value.text }
}

interface Answer { request: CounterRequest; presentation: string; bytes: Uint8Array }

/** The citizen's side: read the request, present the asked claims, staple the list, seal. */
async function answer(text: string, o: { extras?: Uint8Array[]; nonce?: string } = {}): Promise<Answer> {
  const r = await verifyCounterRequest(text, { now: T, verifier: registered })
  if (!r.ok) throw new Error(`${r.code}: ${r.detail}`)
  const presentation = await presentSdJwt(credential, { family_name: true, given_name: true, address: { city: true, district: true } }, {
    keyBinding: { signer: holder.signer, nonce: o.nonce ?? r.value.nonce, aud: r.value.clientId, iat: T },
  })
  const extras = o.extras ?? stapleParts(staple)
  return { request: r.value, presentation, bytes: await sealAnswer({ presentation, extras }, r.value) }
}

/** Bytes an attacker seals to the request's response key: a well-encrypted envelope of anything. */
const sealRaw = async (plaintext: Uint8Array, to: CounterRequest): Promise<Uint8Array> => jweToBinary(await encryptJwe(plaintext, to.responseKey, { enc: to.enc }))

const verdictOf = (v: CounterVerdict): { outcome: string; code: string | null } => ({ outcome: v.outcome, code: v.code })

// ─── sanity: the fixtures are what the rows assume ───────────────────────────────────────────

describe('the fixtures', () => {
  it('the curve constants: G and (0, √b) are on P-256', () => {
    expect(onCurve(GX, GY)).toBe(true)
    expect(onCurve(0n, Y_AT_0)).toBe(true)
    expect(POINTS.filter(fits32).every((r) => onCurve(BigInt(`0x${Buffer.from(r.x).toString('hex')}`), BigInt(`0x${Buffer.from(r.y).toString('hex')}`)) === r.onCurve)).toBe(true)
  })

  it('the hand-made JWE in the one header form decrypts, goes through the binary envelope, and opens as an answer', async () => {
    const to = await generateEcdhKeyPair()
    const pack = packAnswer({ presentation: 'YQ.Yg.Wg~' })
    const jwe = await handJwe(to.publicJwk, (epk) => canonical(epk), { plaintext: pack })
    const d = await decryptJwe(jwe, to.privateKey)
    expect(d.ok && [...d.value.plaintext]).toEqual([...pack])
    expect(jweFromBinary(jweToBinary(jwe))).toBe(jwe)
    expect(await openAnswer(jweToBinary(jwe), to.privateKey)).toEqual({ ok: true, value: { presentation: 'YQ.Yg.Wg~', extras: [] } })
    const a256 = await handJwe(to.publicJwk, (epk) => canonical(epk, 'A256GCM'), { enc: 'A256GCM' })
    expect((await decryptJwe(a256, to.privateKey)).ok).toBe(true)
  })

  it('the genuine answer is accepted on the status the wallet stapled; without the staple the offline counter cannot tell', async () => {
    const { counter, text } = await openCounter()
    const a = await answer(text)
    expect(await counter.verify(a.bytes, { now: T })).toMatchObject({ outcome: 'accepted', code: null, status: { state: 'valid', stapled: true } })
    const again = await openCounter()
    const bare = await answer(again.text, { extras: [] })
    expect(await again.counter.verify(bare.bytes, { now: T })).toMatchObject({ outcome: 'unknown', code: 'ERR_STATUS_NOT_ANCHORED' })
    counter.close()
    again.counter.close()
  })
})

// ─── 1. the JWE protected header (compact form, validly encrypted under the hostile header) ───

describe('JWE protected header: one profile (ECDH-ES, A128GCM/A256GCM, a P-256 epk), nothing else', () => {
  type HeaderRow = { name: string; header: (epk: EcPublicJwk) => string | Uint8Array; code: string; apu?: Uint8Array }
  const apu = new Uint8Array(380).fill(0x61)
  /** A header with apu (as handJwe uses it) and a kid filling it to `length` characters of JSON. */
  const padded = (e: EcPublicJwk, length: number): string => {
    const kid = 'k'.repeat(length - (canonical(e).length + 1 + 17 + b64(apu).length))
    return withMember(e, `"apu":"${b64(apu)}","kid":"${kid}"`)
  }
  const ONE_FORM = 'the one form jose writes'
  const rows: HeaderRow[] = [
    { name: ONE_FORM, header: (e) => canonical(e), code: 'ok' },
    { name: 'members in another order (a remote answer may)', header: (e) => `{"epk":${epkJson(e)},"enc":"A128GCM","alg":"ECDH-ES"}`, code: 'ok' },
    { name: 'a kid', header: (e) => withMember(e, '"kid":"answer"'), code: 'ok' },
    { name: 'apu and kid: a header of exactly 1,024 characters, the cap', header: (e) => padded(e, 768), code: 'ok', apu },
    // alg
    { name: 'alg RSA-OAEP', header: (e) => canonical(e).replace('ECDH-ES', 'RSA-OAEP'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'alg ECDH-ES+A128KW', header: (e) => canonical(e).replace('ECDH-ES', 'ECDH-ES+A128KW'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'alg dir', header: (e) => canonical(e).replace('ECDH-ES', 'dir'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'alg none', header: (e) => canonical(e).replace('ECDH-ES', 'none'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'alg ES256 (a signature algorithm)', header: (e) => canonical(e).replace('ECDH-ES', 'ES256'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'alg ecdh-es (case)', header: (e) => canonical(e).replace('ECDH-ES', 'ecdh-es'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'no alg', header: (e) => `{"enc":"A128GCM","epk":${epkJson(e)}}`, code: 'ERR_EXCH_JWE_INVALID' },
    // enc
    { name: 'enc A192GCM', header: (e) => canonical(e, 'A192GCM'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'enc A128CBC-HS256', header: (e) => canonical(e, 'A128CBC-HS256'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'enc A256CBC-HS512', header: (e) => canonical(e, 'A256CBC-HS512'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'enc a128gcm (case)', header: (e) => canonical(e, 'a128gcm'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'no enc', header: (e) => `{"alg":"ECDH-ES","epk":${epkJson(e)}}`, code: 'ERR_EXCH_JWE_INVALID' },
    // zip, crit, other members
    { name: 'zip DEF', header: (e) => withMember(e, '"zip":"DEF"'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'zip null', header: (e) => withMember(e, '"zip":null'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'crit ["exp"] with exp', header: (e) => withMember(e, '"crit":["exp"],"exp":1'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'crit [] (empty)', header: (e) => withMember(e, '"crit":[]'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'jku (a key URL)', header: (e) => withMember(e, '"jku":"https://evil.example/jwks"'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'x5u', header: (e) => withMember(e, '"x5u":"https://evil.example/cert"'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'cty JWT (a nested token)', header: (e) => withMember(e, '"cty":"JWT"'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'typ', header: (e) => withMember(e, '"typ":"JWE"'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'p2s/p2c (PBES2 members)', header: (e) => withMember(e, '"p2s":"AAAA","p2c":1000000'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'iv and tag (AES-GCMKW members)', header: (e) => withMember(e, '"iv":"AAAAAAAAAAAAAAAA","tag":"AAAAAAAAAAAAAAAAAAAAAA"'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: '__proto__ (prototype pollution)', header: (e) => withMember(e, '"__proto__":{"alg":"dir"}'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'kid a number', header: (e) => withMember(e, '"kid":7'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'kid empty', header: (e) => withMember(e, '"kid":""'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'apu that is not base64url', header: (e) => withMember(e, '"apu":"not base64url!"'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'apu that is not a string', header: (e) => withMember(e, '"apu":[1]'), code: 'ERR_EXCH_JWE_INVALID' },
    // epk
    { name: 'no epk', header: () => '{"alg":"ECDH-ES","enc":"A128GCM"}', code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'epk null', header: () => withEpk('null'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'epk a string of JSON', header: (e) => withEpk(JSON.stringify(epkJson(e))), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'epk an array', header: (e) => withEpk(`[${epkJson(e)}]`), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'epk on P-384', header: () => withEpk(`{"kty":"EC","crv":"P-384","x":"${b64(new Uint8Array(48).fill(1))}","y":"${b64(new Uint8Array(48).fill(2))}"}`), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'epk on P-521', header: () => withEpk(`{"kty":"EC","crv":"P-521","x":"${b64(new Uint8Array(66).fill(1))}","y":"${b64(new Uint8Array(66).fill(2))}"}`), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'epk secp256k1', header: (e) => withEpk(epkJson(e).replace('P-256', 'secp256k1')), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'epk an X25519 key (OKP)', header: (e) => withEpk(`{"kty":"OKP","crv":"X25519","x":"${e.x}"}`), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'epk an X25519 key with a y (the members of an EC key)', header: (e) => withEpk(`{"kty":"OKP","crv":"X25519","x":"${e.x}","y":"${e.y}"}`), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'epk an Ed25519 key (a signing key)', header: () => withEpk(`{"kty":"OKP","crv":"Ed25519","x":"${b64(new Uint8Array(32).fill(0x5a))}"}`), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'epk kty RSA', header: () => withEpk('{"kty":"RSA","n":"AQAB","e":"AQAB"}'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'epk with a private d', header: (e) => withEpk(`{"x":"${e.x}","crv":"P-256","kty":"EC","y":"${e.y}","d":"${b64(new Uint8Array(32).fill(3))}"}`), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'epk with alg, use and kid', header: (e) => withEpk(`{"x":"${e.x}","crv":"P-256","kty":"EC","y":"${e.y}","alg":"ECDH-ES","use":"enc","kid":"e"}`), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'epk with no y', header: (e) => withEpk(`{"x":"${e.x}","crv":"P-256","kty":"EC"}`), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'epk x in padded base64', header: (e) => withEpk(`{"x":"${e.x}=","crv":"P-256","kty":"EC","y":"${e.y}"}`), code: 'ERR_EXCH_JWE_INVALID' },
    // duplicates, size, encoding
    { name: 'alg twice', header: (e) => `{"alg":"ECDH-ES","alg":"ECDH-ES","enc":"A128GCM","epk":${epkJson(e)}}`, code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'enc twice, A256GCM then A128GCM (parsers disagree which wins)', header: (e) => `{"alg":"ECDH-ES","enc":"A256GCM","enc":"A128GCM","epk":${epkJson(e)}}`, code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'epk twice, another point first', header: (e) => `{"alg":"ECDH-ES","enc":"A128GCM","epk":${epkJson({ x: b64(be(GX)), y: b64(be(GY)) })},"epk":${epkJson(e)}}`, code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'x twice inside the epk', header: (e) => withEpk(`{"x":"${b64(be(GX))}","x":"${e.x}","crv":"P-256","kty":"EC","y":"${e.y}"}`), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'a header of 1,028 characters, just past the cap', header: (e) => padded(e, 771), code: 'ERR_EXCH_JWE_INVALID', apu },
    { name: 'a header of 8 KiB', header: (e) => withMember(e, `"kid":"${'k'.repeat(8192)}"`), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'a header nested 4 deep', header: (e) => withMember(e, '"kid":{"a":{"b":{"c":1}}}'), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'a header that is not UTF-8', header: (e) => u8(encodeUtf8(canonical(e).slice(0, -1)), encodeUtf8(',"kid":"'), 0xff, 0xfe, encodeUtf8('"}')), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'a header that is a JSON array', header: (e) => `[${canonical(e)}]`, code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'a header with a byte-order mark', header: (e) => `\ufeff${canonical(e)}`, code: 'ERR_EXCH_JWE_INVALID' },
  ]

  it('the 1,024-character row is at the cap and the next is past it', async () => {
    const to = await generateEcdhKeyPair()
    const at = await handJwe(to.publicJwk, (e) => padded(e, 768), { apu })
    const over = await handJwe(to.publicJwk, (e) => padded(e, 771), { apu })
    expect(at.split('.')[0]!.length).toBe(1024)
    expect(over.split('.')[0]!.length).toBe(1028)
  })

  it.each(rows)('$name → $code', async (row) => {
    const to = await generateEcdhKeyPair()
    const jwe = await handJwe(to.publicJwk, row.header, row.apu ? { apu: row.apu } : {})
    expect(await outcome(() => decryptJwe(jwe, to.privateKey))).toBe(row.code)
    // A header of any form but the one has no binary envelope: the QR answer cannot carry it.
    if (row.name !== ONE_FORM) expect(await outcome(() => jweToBinary(jwe))).toBe('ERR_EXCH_JWE_INVALID')
  })
})

// ─── 2. invalid curve points: the epk (header and envelope) and the request's response key ────

describe('curve points: the epk in the header, the epk in the envelope, the response key in the request', () => {
  const at = (r: PointRow) => ({ x: b64(r.x), y: b64(r.y) })

  it.each(POINTS.map((r) => ({ ...r, code: r.onCurve ? 'ERR_EXCH_JWE_DECRYPT' : 'ERR_EXCH_JWE_INVALID' })))('header epk: $name → $code', async (row) => {
    // Encrypted under the real ephemeral key; the header names this point instead.
    const to = await generateEcdhKeyPair()
    const jwe = await handJwe(to.publicJwk, () => canonical({ kty: 'EC', crv: 'P-256', ...at(row) }))
    expect(await outcome(() => decryptJwe(jwe, to.privateKey))).toBe(row.code)
  })

  it.each(POINTS.filter(fits32).map((r) => ({ ...r, code: r.onCurve ? 'ERR_EXCH_JWE_DECRYPT' : 'ERR_EXCH_JWE_INVALID' })))('envelope epk (bytes 2–65): $name → $code', async (row) => {
    const to = await generateEcdhKeyPair()
    const bytes = jweToBinary(await encryptJwe(encodeUtf8('a packed answer'), to.publicJwk))
    bytes.set(row.x, 2)
    bytes.set(row.y, 34)
    expect(await outcome(() => openAnswer(bytes, to.privateKey))).toBe(row.code)
  })

  it.each(POINTS.map((r) => ({ ...r, code: r.onCurve ? 'ok' : 'ERR_EXCH_REQUEST_INVALID' })))('response key: $name → $code', async (row) => {
    const text = await resigned(await requestText(), (p) => Object.assign(responseKeyOf(p), at(row)))
    expect(await outcome(() => verifyCounterRequest(text, { now: T, verifier: registered }))).toBe(row.code)
  })

  const keyRows: { name: string; change: (k: Record<string, unknown>) => void; code: string }[] = [
    { name: 'with a private d', change: (k) => { k.d = b64(new Uint8Array(32).fill(3)) }, code: 'ERR_EXCH_REQUEST_INVALID' },
    { name: 'on P-384', change: (k) => Object.assign(k, { crv: 'P-384', x: b64(new Uint8Array(48).fill(1)), y: b64(new Uint8Array(48).fill(2)) }), code: 'ERR_EXCH_REQUEST_INVALID' },
    { name: 'an X25519 key', change: (k) => { k.kty = 'OKP'; k.crv = 'X25519'; delete k.y }, code: 'ERR_EXCH_REQUEST_INVALID' },
    { name: 'an Ed25519 key (a signing key)', change: (k) => { k.kty = 'OKP'; k.crv = 'Ed25519'; k.x = b64(be(GX)); delete k.y }, code: 'ERR_EXCH_REQUEST_INVALID' },
    { name: 'alg ECDH-ES+A128KW', change: (k) => { k.alg = 'ECDH-ES+A128KW' }, code: 'ERR_EXCH_REQUEST_INVALID' },
    { name: 'no use', change: (k) => { delete k.use }, code: 'ERR_EXCH_REQUEST_INVALID' },
    { name: 'kid a number', change: (k) => { k.kid = 1 }, code: 'ERR_EXCH_REQUEST_INVALID' },
    { name: 'no kid (it is optional)', change: (k) => { delete k.kid }, code: 'ok' },
    { name: 'with key_ops ["sign"]', change: (k) => { k.key_ops = ['sign'] }, code: 'ERR_EXCH_REQUEST_INVALID' },
    { name: 'with an x5c certificate chain', change: (k) => { k.x5c = ['MIIB'] }, code: 'ERR_EXCH_REQUEST_INVALID' },
    { name: 'with jku (a key URL)', change: (k) => { k.jku = 'https://evil.example/jwks' }, code: 'ERR_EXCH_REQUEST_INVALID' },
  ]
  it.each(keyRows)('response key $name → $code', async (row) => {
    const text = await resigned(await requestText(), (p) => row.change(responseKeyOf(p)))
    expect(await outcome(() => verifyCounterRequest(text, { now: T, verifier: registered }))).toBe(row.code)
  })
})

// ─── 3. the envelope's bytes, at the counter ──────────────────────────────────────────────────

describe('the binary envelope: changed, cut or padded bytes (the request stays open)', () => {
  type EnvelopeRow = { name: string; change: (b: Uint8Array, responseKey: EcPublicJwk) => Uint8Array; open: string; counter: string }
  // A changed byte under the AEAD looks, to the counter, like an answer to a request it does not hold.
  const DECRYPT = { open: 'ERR_EXCH_JWE_DECRYPT', counter: 'ERR_EXCH_NONCE_UNKNOWN' }
  const INVALID = { open: 'ERR_EXCH_JWE_INVALID', counter: 'ERR_EXCH_JWE_INVALID' }
  const set = (b: Uint8Array, at: number, v: number): Uint8Array => {
    const m = b.slice()
    m[at] = v
    return m
  }
  const rows: EnvelopeRow[] = [
    { name: 'ciphertext: first byte changed', change: (b) => flip(b, 94), ...DECRYPT },
    { name: 'ciphertext: last byte changed', change: (b) => flip(b, -1, 0x80), ...DECRYPT },
    { name: 'tag: one bit changed', change: (b) => flip(b, 80), ...DECRYPT },
    { name: 'tag: all zero', change: (b) => { const m = b.slice(); m.fill(0, 78, 94); return m }, ...DECRYPT },
    { name: 'IV: one bit changed', change: (b) => flip(b, 66), ...DECRYPT },
    { name: 'enc byte 1 → 2: A256GCM, another key from the same agreement', change: (b) => set(b, 1, 2), ...DECRYPT },
    { name: 'epk replaced by the response key itself (reflection)', change: (b, k) => { const m = b.slice(); m.set(decodeBase64url(k.x), 2); m.set(decodeBase64url(k.y), 34); return m }, ...DECRYPT },
    { name: 'truncated by one byte', change: (b) => b.slice(0, -1), ...DECRYPT },
    { name: 'one trailing byte', change: (b) => u8(b, 0), ...DECRYPT },
    { name: 'the envelope twice over', change: (b) => u8(b, b), ...DECRYPT },
    { name: 'version 0', change: (b) => set(b, 0, 0), ...INVALID },
    { name: 'version 2', change: (b) => set(b, 0, 2), ...INVALID },
    { name: 'a QR frame handed over as an envelope (0xC1)', change: (b) => splitFrames(b, { frameBytes: FRAME_LIMITS.maxFrameBytes, id: u8(1, 2, 3, 4) })[0]!, ...INVALID },
    { name: 'enc byte 0', change: (b) => set(b, 1, 0), ...INVALID },
    { name: 'enc byte 3', change: (b) => set(b, 1, 3), ...INVALID },
    { name: 'truncated to 94 bytes (no ciphertext)', change: (b) => b.slice(0, 94), ...INVALID },
    { name: 'truncated to 66 bytes (the epk alone)', change: (b) => b.slice(0, 66), ...INVALID },
    { name: 'one byte', change: (b) => b.slice(0, 1), ...INVALID },
    { name: 'empty', change: () => new Uint8Array(0), ...INVALID },
    { name: 'over the 96 KiB cap', change: (b) => u8(b, new Uint8Array(96 * 1024)), ...INVALID },
    { name: 'the compact JWE as UTF-8 text where the bytes belong', change: (b) => encodeUtf8(jweFromBinary(b)), ...INVALID },
  ]

  it.each(rows)('$name → $open; at the counter $counter', async (row) => {
    const { counter, text } = await openCounter()
    const a = await answer(text)
    // openAnswer with a key the test holds, sealed the same way the wallet seals.
    const to = await generateEcdhKeyPair()
    const mine = await sealAnswer({ presentation: a.presentation, extras: stapleParts(staple) }, { responseKey: to.publicJwk, enc: 'A128GCM' })
    expect(await outcome(() => openAnswer(mine, to.privateKey))).toBe('ok')
    expect(await outcome(() => openAnswer(row.change(mine, to.publicJwk), to.privateKey))).toBe(row.open)
    expect(verdictOf(await counter.verify(row.change(a.bytes, a.request.responseKey), { now: T }))).toEqual({ outcome: 'refused', code: row.counter })
    expect(verdictOf(await counter.verify(a.bytes, { now: T }))).toEqual({ outcome: 'accepted', code: null })
    counter.close()
  })

  type CompactRow = { name: string; change: (parts: string[]) => string[]; code: string }
  const compact: CompactRow[] = [
    { name: 'an IV of 0 bytes', change: ([h, k, , c, t]) => [h!, k!, '', c!, t!], code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'an IV of 11 bytes', change: ([h, k, iv, c, t]) => [h!, k!, b64(decodeBase64url(iv!).subarray(1)), c!, t!], code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'an IV of 13 bytes', change: ([h, k, iv, c, t]) => [h!, k!, b64(u8(decodeBase64url(iv!), 0)), c!, t!], code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'a tag of 15 bytes', change: ([h, k, iv, c, t]) => [h!, k!, iv!, c!, b64(decodeBase64url(t!).subarray(1))], code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'no tag', change: ([h, k, iv, c]) => [h!, k!, iv!, c!, ''], code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'an encrypted key (ECDH-ES has none)', change: ([h, , iv, c, t]) => [h!, b64(new Uint8Array(16)), iv!, c!, t!], code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'an empty ciphertext under the old tag', change: ([h, k, iv, , t]) => [h!, k!, iv!, '', t!], code: 'ERR_EXCH_JWE_DECRYPT' },
    { name: 'ciphertext not canonical base64url', change: ([h, k, iv, c, t]) => [h!, k!, iv!, `${c!}=`, t!], code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'four parts', change: (p) => p.slice(0, 4), code: 'ERR_EXCH_JWE_INVALID' },
    { name: 'six parts', change: (p) => [...p, ''], code: 'ERR_EXCH_JWE_INVALID' },
  ]
  it.each(compact)('compact form: $name → $code', async (row) => {
    const to = await generateEcdhKeyPair()
    const jwe = await handJwe(to.publicJwk, (e) => canonical(e))
    expect(await outcome(() => decryptJwe(row.change(jwe.split('.')).join('.'), to.privateKey))).toBe(row.code)
  })
})

// ─── 4. QR frames ─────────────────────────────────────────────────────────────────────────────

describe('QR frames of the answer: any order, nothing foreign, checked whole', () => {
  interface Frames { genuine: Uint8Array[]; other: Uint8Array[]; tampered: Uint8Array[]; single: Uint8Array }
  type FrameRow = { name: string; feed: (f: Frames) => Uint8Array[]; code: string; counter?: string; then?: 'continue' | 'reset' }
  const edit = (b: Uint8Array, change: (m: Uint8Array) => void): Uint8Array => {
    const m = b.slice()
    change(m)
    return m
  }
  const rows: FrameRow[] = [
    { name: 'in order', feed: (f) => f.genuine, code: 'ok' },
    { name: 'reversed (the design: any order)', feed: (f) => [...f.genuine].reverse(), code: 'ok' },
    { name: 'out of order, with repeats', feed: ({ genuine: [a, b, c] }) => [c!, a!, c!, b!, a!], code: 'ok' },
    { name: 'frame 1 truncated by one byte', feed: ({ genuine: [a, b] }) => [a!, b!.slice(0, -1)], code: 'ERR_QR_FRAME_MALFORMED' },
    { name: 'frame 1 cut to its header', feed: ({ genuine: [a, b] }) => [a!, b!.slice(0, 19)], code: 'ERR_QR_FRAME_MALFORMED' },
    { name: 'frame 1 with a trailing byte', feed: ({ genuine: [a, b] }) => [a!, u8(b!, 0)], code: 'ERR_QR_FRAME_MALFORMED' },
    { name: 'a frame of another answer mixed in', feed: ({ genuine: [a], other: [, o] }) => [a!, o!], code: 'ERR_QR_FRAME_FOREIGN' },
    { name: 'another answer\'s frame seen first: this answer is foreign until reset', feed: ({ genuine: [a], other: [o] }) => [o!, a!], code: 'ERR_QR_FRAME_FOREIGN', then: 'reset' },
    { name: 'the same answer split at another frame size, among these frames', feed: (f) => [f.genuine[0]!, f.single], code: 'ERR_QR_FRAME_FOREIGN' },
    { name: 'frame 1 again with one payload byte changed', feed: ({ genuine: [a, b] }) => [a!, b!, flip(b!, 40)], code: 'ERR_QR_FRAME_FOREIGN' },
    { name: 'the only copy of frame 2 with one payload byte changed', feed: ({ genuine: [a, b, c] }) => [a!, b!, flip(c!, -1)], code: 'ERR_QR_INTEGRITY', then: 'reset' },
    { name: 'the integrity check changed in every frame', feed: (f) => f.genuine.map((g) => flip(g, 11 + 7)), code: 'ERR_QR_INTEGRITY', then: 'reset' },
    { name: 'a changed answer framed with its own integrity check: joins, and the JWE tag refuses it', feed: (f) => f.tampered, code: 'ok', counter: 'ERR_EXCH_NONCE_UNKNOWN' },
    { name: 'a frame of 2,954 bytes', feed: ({ genuine: [a, b] }) => [a!, u8(b!, new Uint8Array(2954 - b!.length))], code: 'ERR_QR_FRAME_TOO_LARGE' },
    { name: 'a count of 17', feed: ({ genuine: [a, b] }) => [a!, edit(b!, (m) => { m[8] = 17 })], code: 'ERR_QR_FRAME_TOO_LARGE' },
    { name: 'a total of 32,769 bytes', feed: ({ genuine: [a, b] }) => [a!, edit(b!, (m) => { m[9] = 0x80; m[10] = 0x01 })], code: 'ERR_QR_FRAME_TOO_LARGE' },
    { name: 'a count of 0', feed: ({ genuine: [a, b] }) => [a!, edit(b!, (m) => { m[8] = 0 })], code: 'ERR_QR_FRAME_MALFORMED' },
    { name: 'a number equal to the count', feed: ({ genuine: [a, b] }) => [a!, edit(b!, (m) => { m[7] = 3 })], code: 'ERR_QR_FRAME_MALFORMED' },
    { name: 'number 255', feed: ({ genuine: [a, b] }) => [a!, edit(b!, (m) => { m[7] = 255 })], code: 'ERR_QR_FRAME_MALFORMED' },
    { name: 'garbage magic (0x00 0x00)', feed: ({ genuine: [a, b] }) => [a!, edit(b!, (m) => { m[0] = 0; m[1] = 0 })], code: 'ERR_QR_FRAME_MALFORMED' },
    { name: 'the magic of a bare envelope (0x01)', feed: ({ genuine: [a, b] }) => [a!, edit(b!, (m) => { m[0] = 1 })], code: 'ERR_QR_FRAME_MALFORMED' },
    { name: 'text: a URL scanned in the same session', feed: ({ genuine: [a] }) => [a!, encodeUtf8('https://evil.example/'.padEnd(40, 'x'))], code: 'ERR_QR_FRAME_MALFORMED' },
    { name: 'frame version 2', feed: ({ genuine: [a, b] }) => [a!, edit(b!, (m) => { m[2] = 2 })], code: 'ERR_QR_FRAME_MALFORMED' },
    { name: 'frame 1 missing', feed: ({ genuine: [a, , c] }) => [c!, a!], code: 'ERR_QR_FRAMES_INCOMPLETE' },
    { name: 'no frame', feed: () => [], code: 'ERR_QR_FRAMES_INCOMPLETE' },
  ]

  it.each(rows)('$name → $code', async (row) => {
    const { counter, text } = await openCounter()
    const a = await answer(text)
    const other = await answer(text)
    const frameBytes = 19 + Math.ceil(a.bytes.length / 3)
    const split = (b: Uint8Array, id: number) => splitFrames(b, { frameBytes, id: u8(id, id, id, id) })
    const f: Frames = { genuine: split(a.bytes, 1), other: split(other.bytes, 2), tampered: split(flip(a.bytes, 200), 1), single: splitFrames(a.bytes, { frameBytes: FRAME_LIMITS.maxFrameBytes, id: u8(1, 1, 1, 1) })[0]! }
    expect(f.genuine).toHaveLength(3)
    const c = new FrameCollector()
    let code = 'ok'
    let joined: Uint8Array | null = null
    for (const bytes of row.feed(f)) {
      code = await outcome(() => c.add(bytes))
      if (code !== 'ok') break
    }
    if (code === 'ok') {
      try {
        joined = c.join()
      } catch (e) {
        code = await outcome(() => { throw e })
      }
    }
    expect(code).toBe(row.code)
    if (joined) {
      const v = await counter.verify(joined, { now: T })
      expect(verdictOf(v)).toEqual(row.counter ? { outcome: 'refused', code: row.counter } : { outcome: 'accepted', code: null })
      if (row.counter) expect(verdictOf(await counter.verify(a.bytes, { now: T }))).toEqual({ outcome: 'accepted', code: null })
    } else {
      // Nothing the refused frame held stays: the genuine frames still join (after reset() where the collector says so).
      if (row.then === 'reset') c.reset()
      for (const g of f.genuine) c.add(g)
      expect(bytesEqual(c.join(), a.bytes)).toBe(true)
    }
    counter.close()
  })
})

// ─── 5. the pack, validly sealed to the request's key ─────────────────────────────────────────

/** 10 MiB of zeros in a little over 10 KB of DEFLATE (with the dictionary, as a pack is). */
const BOMB = u8(PACK_VERSION, new Uint8Array(deflateRawSync(new Uint8Array(10 * 1024 * 1024), { level: 9, dictionary: PACK_DICTIONARY })))
/** A pack made by zlib of the smallest body: no disclosures, `kb` as given, header "a", payload "b", a 1-byte signature. */
const tinyPack = (kb: number): Uint8Array => u8(PACK_VERSION, new Uint8Array(deflateRawSync(u8(0, kb, 1, 0x61, 1, 0x62, 1, 0), { level: 9, dictionary: PACK_DICTIONARY })), 0x5a)

describe('the packed answer inside a well-sealed envelope', () => {
  type PackRow = { name: string; pack: (genuine: Uint8Array, a: Answer & { text: string }) => Promise<Uint8Array> | Uint8Array; seal?: JweEnc; code: string; then: 'open' | 'spent' }
  const rows: PackRow[] = [
    { name: `a DEFLATE bomb (10 MiB of zeros in ${BOMB.length} bytes)`, pack: () => BOMB, code: 'ERR_EXCH_PACK_INVALID', then: 'open' },
    { name: 'an unknown version tag (0)', pack: (g) => u8(0, g.subarray(1)), code: 'ERR_EXCH_PACK_INVALID', then: 'open' },
    { name: 'an unknown version tag (2)', pack: (g) => u8(2, g.subarray(1)), code: 'ERR_EXCH_PACK_INVALID', then: 'open' },
    { name: 'an unknown presentation kind (KB flag 2)', pack: () => tinyPack(2), code: 'ERR_EXCH_PACK_INVALID', then: 'open' },
    { name: 'truncated by one byte (a signature short)', pack: (g) => g.slice(0, -1), code: 'ERR_EXCH_PACK_INVALID', then: 'open' },
    { name: 'cut in half (inside the DEFLATE data)', pack: (g) => g.slice(0, g.length >> 1), code: 'ERR_EXCH_PACK_INVALID', then: 'open' },
    { name: 'one trailing byte', pack: (g) => u8(g, 0), code: 'ERR_EXCH_PACK_INVALID', then: 'open' },
    { name: 'the version byte alone', pack: () => u8(PACK_VERSION), code: 'ERR_EXCH_PACK_INVALID', then: 'open' },
    { name: 'empty (the envelope then has no ciphertext)', pack: () => new Uint8Array(0), code: 'ERR_EXCH_JWE_INVALID', then: 'open' },
    // Only an answer whose credential and key binding verify spends the request: junk sealed to
    // its key (anyone who saw the request QR can) leaves the citizen's turn open.
    { name: 'a well-formed pack of a presentation whose JWS header is not JSON: refused without spending the request', pack: () => tinyPack(0), code: 'ERR_JSON_SYNTAX', then: 'open' },
    { name: 'the genuine answer sealed with A256GCM, which the request did not offer', pack: (g) => g, seal: 'A256GCM', code: 'ERR_EXCH_JWE_INVALID', then: 'open' },
    { name: 'the genuine presentation with a KB-JWT for another nonce: refused without spending the request', pack: async (_g, a) => packAnswer({ presentation: (await answer(a.text, { nonce: 'A'.repeat(22) })).presentation, extras: stapleParts(staple) }), code: 'ERR_KB_NONCE_MISMATCH', then: 'open' },
  ]

  it.each(rows)('$name → $code', async (row) => {
    const { counter, text } = await openCounter()
    const a = { ...(await answer(text)), text }
    const genuine = packAnswer({ presentation: a.presentation, extras: stapleParts(staple) })
    const hostile = await sealRaw(await row.pack(genuine, a), row.seal ? { ...a.request, enc: row.seal } : a.request)
    expect(verdictOf(await counter.verify(hostile, { now: T }))).toEqual({ outcome: 'refused', code: row.code })
    expect(verdictOf(await counter.verify(a.bytes, { now: T }))).toEqual(row.then === 'open' ? { outcome: 'accepted', code: null } : { outcome: 'refused', code: 'ERR_EXCH_REPLAY' })
    counter.close()
  })
})

// ─── 6. stapled status ────────────────────────────────────────────────────────────────────────

describe('stapled status: the wire form, then the proof the offline counter checks', () => {
  type StapleRow = { name: string; extras: () => Uint8Array[]; outcome: 'accepted' | 'refused' | 'unknown'; code: string | null }
  const tag = encodeUtf8(STAPLE_TAG)
  const parts = (over: Partial<StapledList> = {}) => stapleParts({ ...staple, ...over })
  const wire = (i: number, v: Uint8Array) => { const p = parts(); p[i] = v; return p }
  const INVALID = { outcome: 'refused', code: 'ERR_EXCH_STAPLE_INVALID' } as const
  const LOG = 'civic.test/ledger/status'
  const isWitness = (name: string): boolean => name.startsWith('witness-')
  /** The proof with one base64 character (inside the signature proper) changed on each signature line `who` picks. */
  const changeSignatures = (proof: string, who: (name: string, n: number) => boolean): string => {
    let n = 0
    return proof.split('\n').map((line) => {
      if (!line.startsWith('\u2014 ')) return line
      const [dash, name, sig] = line.split(' ') as [string, string, string]
      if (!who(name, n++)) return line
      return `${dash} ${name} ${sig.slice(0, 20)}${sig[20] === 'A' ? 'B' : 'A'}${sig.slice(21)}`
    }).join('\n')
  }
  const keepSignatures = (proof: string, keep: (line: string) => boolean): string =>
    proof.split('\n').filter((line) => !line.startsWith('\u2014 ') || keep(line)).join('\n')
  const rows: StapleRow[] = [
    { name: 'the staple as the wallet holds it', extras: () => parts(), outcome: 'accepted', code: null },
    { name: 'four parts', extras: () => parts().slice(0, 4), ...INVALID },
    { name: 'six parts', extras: () => [...parts(), new Uint8Array(1)], ...INVALID },
    { name: 'an unknown tag (civic-staple/2)', extras: () => wire(0, encodeUtf8('civic-staple/2')), ...INVALID },
    { name: 'the tag with a trailing space', extras: () => wire(0, u8(tag, 0x20)), ...INVALID },
    { name: 'an index with a leading zero', extras: () => wire(1, encodeUtf8(`0${staple.index}`)), ...INVALID },
    { name: 'a negative index', extras: () => wire(1, encodeUtf8('-1')), ...INVALID },
    { name: 'an index past 2⁵³', extras: () => wire(1, encodeUtf8('9007199254740993')), ...INVALID },
    { name: 'an empty anchor entry', extras: () => wire(2, new Uint8Array(0)), ...INVALID },
    { name: 'a proof that is not UTF-8', extras: () => wire(3, u8(0xff, 0xfe)), ...INVALID },
    { name: 'an empty token', extras: () => wire(4, new Uint8Array(0)), ...INVALID },
    { name: 'the staple of another list', extras: () => stapleParts(otherStaple), outcome: 'unknown', code: 'ERR_STATUS_NOT_ANCHORED' },
    { name: 'the anchor entry changed (one byte)', extras: () => parts({ entry: flip(staple.entry, 30) }), outcome: 'unknown', code: 'ERR_PROOF_ROOT_MISMATCH' },
    { name: 'another list\'s anchor proof, with its index, for this entry', extras: () => parts({ index: otherStaple.index, proof: otherStaple.proof }), outcome: 'unknown', code: 'ERR_PROOF_ROOT_MISMATCH' },
    { name: 'a proof for another index than the staple names', extras: () => parts({ index: staple.index + 1 }), outcome: 'unknown', code: 'ERR_PROOF_MALFORMED' },
    { name: 'the log\'s signature on the proof\'s checkpoint changed', extras: () => parts({ proof: changeSignatures(staple.proof, (name) => name === LOG) }), outcome: 'unknown', code: 'ERR_NOTE_SIGNATURE_INVALID' },
    { name: 'the log\'s signature removed (three witness cosignatures left)', extras: () => parts({ proof: keepSignatures(staple.proof, (l) => !l.startsWith(`\u2014 ${LOG} `)) }), outcome: 'unknown', code: 'ERR_NOTE_UNVERIFIED' },
    { name: 'one of three witness cosignatures changed: two still make the quorum of 2', extras: () => parts({ proof: changeSignatures(staple.proof, (name) => name === 'witness-2.civic.test') }), outcome: 'accepted', code: null },
    { name: 'two of three witness cosignatures changed: one is below the quorum of 2', extras: () => parts({ proof: changeSignatures(staple.proof, (name) => isWitness(name) && name !== 'witness-0.civic.test') }), outcome: 'unknown', code: 'ERR_LOG_QUORUM_NOT_MET' },
    { name: 'the witness cosignatures removed', extras: () => parts({ proof: keepSignatures(staple.proof, (l) => l.startsWith(`\u2014 ${LOG} `)) }), outcome: 'unknown', code: 'ERR_LOG_QUORUM_NOT_MET' },
    { name: 'one witness cosignature given three times (the others removed)', extras: () => { const w0 = staple.proof.split('\n').find((l) => l.startsWith('\u2014 witness-0'))!; return parts({ proof: keepSignatures(staple.proof, (l) => !l.startsWith('\u2014 witness-')).replace(/\n$/, `\n${w0}\n${w0}\n${w0}\n`) }) }, outcome: 'unknown', code: 'ERR_LOG_QUORUM_NOT_MET' },
    { name: 'the token of another list (validly signed; not the digest anchored)', extras: () => parts({ token: otherStaple.token }), outcome: 'unknown', code: 'ERR_STATUS_NOT_ANCHORED' },
    { name: 'the token changed (one byte)', extras: () => parts({ token: flip(staple.token, 40) }), outcome: 'unknown', code: 'ERR_STATUS_NOT_ANCHORED' },
  ]

  it.each(rows)('$name → $outcome $code', async (row) => {
    const { counter, text } = await openCounter()
    const a = await answer(text, { extras: row.extras() })
    expect(verdictOf(await counter.verify(a.bytes, { now: T }))).toEqual({ outcome: row.outcome, code: row.code })
    counter.close()
  })
})

// ─── 7. the receipt ───────────────────────────────────────────────────────────────────────────

describe('the receipt the wallet keeps', () => {
  const NONCE = 'n'.repeat(22)
  const expectation: ReceiptExpectation = {
    counterKey: device.signer.publicJwk, verifier: HALL, counter: 'hall-a-3', nonce: NONCE, purpose: 'residence-permit', vct: RESIDENT_ID,
    asked: ['family_name', 'given_name', 'address.city', 'address.district'],
  }
  const base = (): Record<string, unknown> => ({
    iss: HALL, counter: 'hall-a-3', nonce: NONCE, purpose: 'residence-permit', vct: RESIDENT_ID,
    claims: ['family_name', 'given_name', 'address.city'], verdict: 'accepted', iat: 1_800_000_000,
  })
  const signed = (change: (p: Record<string, unknown>) => void = () => {}, signer: Signer = device.signer, header: Record<string, unknown> = { typ: RECEIPT_TYP }) => {
    const p = base()
    change(p)
    return signCompactJws(header, p, signer)
  }
  type ReceiptRow = { name: string; make: () => Promise<string>; code: string }
  const INVALID = 'ERR_EXCH_RECEIPT_INVALID'
  const MISMATCH = 'ERR_EXCH_RECEIPT_MISMATCH'
  const rows: ReceiptRow[] = [
    { name: 'a receipt of the request answered', make: () => signed(), code: 'ok' },
    { name: 'refused, with its code', make: () => signed((p) => { p.verdict = 'refused'; p.code = 'ERR_STATUS_REVOKED' }), code: 'ok' },
    { name: 'for another nonce', make: () => signed((p) => { p.nonce = 'm'.repeat(22) }), code: MISMATCH },
    { name: 'naming another verifier', make: () => signed((p) => { p.iss = 'did:web:kangjian-pharmacy.example' }), code: MISMATCH },
    { name: 'naming another purpose', make: () => signed((p) => { p.purpose = 'age-check' }), code: MISMATCH },
    { name: 'naming another counter of the same verifier', make: () => signed((p) => { p.counter = 'hall-b-1' }), code: MISMATCH },
    { name: 'naming another credential type', make: () => signed((p) => { p.vct = 'urn:civic:social-insurance' }), code: MISMATCH },
    { name: 'naming a claim the request did not ask for (birth_date)', make: () => signed((p) => { p.claims = ['family_name', 'birth_date'] }), code: MISMATCH },
    { name: 'naming a bare number where a claim name belongs (1990)', make: () => signed((p) => { p.claims = ['family_name', '1990'] }), code: MISMATCH },
    { name: 'signed by another counter\'s key', make: () => signed(undefined, testKey('ES256').signer), code: INVALID },
    { name: 'signed by the verifier\'s registered key, not the counter\'s', make: () => signed(undefined, hall.signer), code: INVALID },
    { name: 'signed by an Ed25519 key', make: () => signed(undefined, testKey('EdDSA').signer), code: INVALID },
    { name: 'unsigned (alg none)', make: async () => `${b64text(`{"alg":"none","typ":"${RECEIPT_TYP}"}`)}.${b64text(JSON.stringify(base()))}.`, code: INVALID },
    { name: 'its signature cut short', make: async () => (await signed()).slice(0, -4), code: INVALID },
    { name: 'claim values as { path, value }', make: () => signed((p) => { p.claims = [{ path: 'family_name', value: '李' }] }), code: INVALID },
    { name: 'a claim name carrying its value (family_name=李)', make: () => signed((p) => { p.claims = ['family_name=李'] }), code: INVALID },
    { name: 'a value where a claim name belongs (成都)', make: () => signed((p) => { p.claims = ['family_name', '成都'] }), code: INVALID },
    { name: 'a date where a claim name belongs (1990-05-01)', make: () => signed((p) => { p.claims = ['family_name', '1990-05-01'] }), code: INVALID },
    { name: 'a claim path of nine names', make: () => signed((p) => { p.claims = [Array.from({ length: 9 }, () => 'a').join('.')] }), code: INVALID },
    { name: 'a claim path of eight names: well formed, but not asked', make: () => signed((p) => { p.claims = [Array.from({ length: 8 }, () => 'a').join('.')] }), code: MISMATCH },
    { name: 'a values member beside the names', make: () => signed((p) => { p.values = { family_name: '李' } }), code: INVALID },
    { name: 'claims as an object', make: () => signed((p) => { p.claims = { family_name: true } }), code: INVALID },
    { name: 'an empty claim name', make: () => signed((p) => { p.claims = [''] }), code: INVALID },
    { name: '65 claim names', make: () => signed((p) => { p.claims = Array.from({ length: 65 }, (_, i) => `c${i}`) }), code: INVALID },
    { name: 'verdict maybe', make: () => signed((p) => { p.verdict = 'maybe' }), code: INVALID },
    { name: 'accepted, with a code', make: () => signed((p) => { p.code = 'ERR_STATUS_REVOKED' }), code: INVALID },
    { name: 'refused, without a code', make: () => signed((p) => { p.verdict = 'refused' }), code: INVALID },
    { name: 'a code not in the catalogue', make: () => signed((p) => { p.verdict = 'refused'; p.code = 'ERR_MADE_UP' }), code: INVALID },
    { name: 'no iat', make: () => signed((p) => { delete p.iat }), code: INVALID },
    { name: 'a negative iat', make: () => signed((p) => { p.iat = -1 }), code: INVALID },
    { name: 'typ jwt', make: () => signed(undefined, device.signer, { typ: 'JWT' }), code: INVALID },
    { name: 'a payload that is an array', make: async () => { const [h, , s] = (await signed()).split('.'); return `${h}.${b64text('[1]')}.${s}` }, code: INVALID },
    { name: 'not a JWS', make: async () => 'receipt: accepted', code: INVALID },
    { name: `longer than ${RECEIPT_MAX_LENGTH} characters`, make: () => signed((p) => { p.counter = 'c'.repeat(RECEIPT_MAX_LENGTH) }), code: INVALID },
  ]
  it.each(rows)('$name → $code', async (row) => {
    expect(await outcome(async () => verifyReceipt(await row.make(), expectation))).toBe(row.code)
  })

  it('the counter\'s own receipt verifies for the request it answers, and is refused for its next request (another nonce): ERR_EXCH_RECEIPT_MISMATCH', async () => {
    const { counter, text } = await openCounter()
    const next = await counter.request('residence-permit', { now: T })
    if (!next.ok) throw new Error(next.detail)
    const a = await answer(text)
    const { receipt } = await counter.finish(await counter.verify(a.bytes, { now: T }))
    const nextRequest = await verifyCounterRequest(next.value.text, { now: T, verifier: registered })
    if (!nextRequest.ok) throw new Error(nextRequest.detail)
    const expect_ = (r: CounterRequest): ReceiptExpectation => ({ counterKey: r.counterKey, verifier: r.verifier.did, counter: r.counter.id, nonce: r.nonce, purpose: r.purpose.id, vct: r.vct, asked: r.claims.map((c) => c.path) })
    expect(await outcome(() => verifyReceipt(receipt!, expect_(a.request)))).toBe('ok')
    expect(await outcome(() => verifyReceipt(receipt!, expect_(nextRequest.value)))).toBe(MISMATCH)
    counter.close()
  })
})

// ─── 8. the request ───────────────────────────────────────────────────────────────────────────

describe('the counter request the wallet reads', () => {
  type RequestRow = { name: string; make: () => Promise<string>; code: string }
  /** An attestation signed by hand: what signCounterAttestation would refuse to make. */
  const handAttestation = (change: (p: Record<string, unknown>) => void, header: Record<string, unknown> = { typ: ATTESTATION_TYP, kid: `${HALL}#${HALL_KID}` }, signer: Signer = hall.signer): Promise<string> => {
    const a = attestation()
    const p: Record<string, unknown> = { iss: a.verifier, sub: a.verifier, iat: a.iat, exp: a.exp, jti: a.jti, cnf: { jwk: a.counterKey }, counter: a.counter, purposes: [...a.purposes] }
    change(p)
    return signCompactJws(header, p, signer)
  }
  const other = testKey('ES256')
  const rows: RequestRow[] = [
    { name: 'a request as the counter makes it', make: () => requestText(), code: 'ok' },
    { name: 'exp 59 s ago (within the clock skew)', make: () => requestText({ req: { iat: T - 300, exp: T - 59 } }), code: 'ok' },
    { name: 'exp 60 s ago (expired, past the skew)', make: () => requestText({ req: { iat: T - 300, exp: T - 60 } }), code: 'ERR_EXCH_REQUEST_EXPIRED' },
    { name: 'expired an hour ago', make: () => requestText({ req: { iat: T - 3900, exp: T - 3600 } }), code: 'ERR_EXCH_REQUEST_EXPIRED' },
    { name: 'issued 61 s in the future', make: () => requestText({ req: { iat: T + 61, exp: T + 200 } }), code: 'ERR_EXCH_REQUEST_EXPIRED' },
    { name: 'exp = iat + 300 (five minutes)', make: () => requestText({ req: { iat: T - 10, exp: T - 10 + REQUEST_MAX_SECONDS } }), code: 'ok' },
    { name: 'exp = iat + 301', make: async () => resigned(await requestText(), (p) => { p.exp = (p.iat as number) + REQUEST_MAX_SECONDS + 1 }), code: 'ERR_EXCH_REQUEST_LIFETIME' },
    { name: 'exp = iat + a day', make: async () => resigned(await requestText(), (p) => { p.exp = (p.iat as number) + 86_400 }), code: 'ERR_EXCH_REQUEST_LIFETIME' },
    { name: 'exp = iat', make: async () => resigned(await requestText(), (p) => { p.exp = p.iat }), code: 'ERR_EXCH_REQUEST_LIFETIME' },
    { name: 'exp before iat', make: async () => resigned(await requestText(), (p) => { p.exp = (p.iat as number) - 1 }), code: 'ERR_EXCH_REQUEST_LIFETIME' },
    { name: 'an attestation signed by a key the verifier never registered (its kid)', make: () => requestText({ attSigner: other.signer }), code: 'ERR_EXCH_ATTESTATION_INVALID' },
    { name: 'an attestation naming a kid the verifier never registered', make: () => requestText({ attSigner: other.signer, attKid: 'counter-2' }), code: 'ERR_EXCH_ATTESTATION_INVALID' },
    { name: 'an attestation for the hall signed by the bureau\'s registered key, under the bureau\'s kid', make: () => handAttestation(() => {}, { typ: ATTESTATION_TYP, kid: `${PSB}#${world.psb.kid}` }, world.psb.signer).then((t) => requestText({ attText: t })), code: 'ERR_EXCH_ATTESTATION_INVALID' },
    { name: 'an attestation by the bureau for itself (an issuer, not a verifier)', make: () => requestText({ att: { verifier: PSB }, attSigner: world.psb.signer, attKid: world.psb.kid }), code: 'ERR_REG_UNKNOWN_VERIFIER' },
    { name: 'an attestation by a verifier never registered', make: () => requestText({ att: { verifier: 'did:web:fake-hall.example' }, attSigner: other.signer }), code: 'ERR_REG_UNKNOWN_VERIFIER' },
    { name: 'an attestation whose cnf key is not the request\'s signer', make: () => requestText({ att: { counterKey: other.signer.publicJwk } }), code: 'ERR_EXCH_COUNTER_UNENROLLED' },
    { name: 'a request signed by the verifier\'s key, not the attested device', make: () => requestText({ reqSigner: hall.signer }), code: 'ERR_EXCH_COUNTER_UNENROLLED' },
    { name: 'an attestation whose cnf key carries its private d', make: () => requestText({ att: { counterKey: device.jwk as unknown as PublicJwk } }), code: 'ERR_EXCH_ATTESTATION_INVALID' },
    { name: 'an attestation valid for a week and a second', make: () => handAttestation((p) => { p.exp = (p.iat as number) + ATTESTATION_MAX_SECONDS + 1 }).then((t) => requestText({ attText: t })), code: 'ERR_EXCH_ATTESTATION_INVALID' },
    { name: 'an attestation that expired', make: () => requestText({ att: { iat: T - 48 * 3600, exp: T - 3600 } }), code: 'ERR_EXCH_ATTESTATION_INVALID' },
    { name: 'an attestation whose sub is not its iss', make: () => handAttestation((p) => { p.sub = 'did:web:kangjian-pharmacy.example' }).then((t) => requestText({ attText: t })), code: 'ERR_EXCH_ATTESTATION_INVALID' },
    { name: 'an attestation of typ JWT', make: () => handAttestation(() => {}, { typ: 'JWT', kid: `${HALL}#${HALL_KID}` }).then((t) => requestText({ attText: t })), code: 'ERR_EXCH_ATTESTATION_INVALID' },
    { name: 'an unsigned attestation (alg none)', make: async () => { const [, p] = (await handAttestation(() => {})).split('.'); return requestText({ attText: `${b64text(`{"alg":"none","typ":"${ATTESTATION_TYP}","kid":"${HALL}#${HALL_KID}"}`)}.${p}.` }) }, code: 'ERR_EXCH_ATTESTATION_INVALID' },
    { name: 'a purpose the verifier never registered (granted by its own attestation)', make: () => requestText({ att: { purposes: ['residence-permit', 'tax-audit'] }, req: { purpose: 'tax-audit' } }), code: 'ERR_EXCH_PURPOSE_UNKNOWN' },
    { name: 'a registered purpose the attestation does not grant', make: () => requestText({ att: { purposes: ['pension-enquiry'] } }), code: 'ERR_EXCH_COUNTER_UNENROLLED' },
  ]
  it.each(rows)('$name → $code', async (row) => {
    expect(await outcome(async () => verifyCounterRequest(await row.make(), { now: T, verifier: registered }))).toBe(row.code)
  })
})
// ─── helpers for the request rows (after the tables that use them, hoisted) ───────────────────

function attestation(over: Partial<AttestationInput> = {}): AttestationInput {
  return {
    verifier: HALL, counter: { id: 'hall-a-3', name: { 'zh-CN': 'A 区 3 号窗口', en: 'Hall A, counter 3' } },
    counterKey: device.signer.publicJwk, purposes: ['residence-permit'], iat: T - 3600, exp: T + 20 * 3600, jti: 'att-1', ...over,
  }
}

async function requestText(o: { att?: Partial<AttestationInput>; attText?: string; req?: Partial<RequestInput>; attSigner?: Signer; attKid?: string; reqSigner?: Signer } = {}): Promise<string> {
  const att = o.attText ?? await signCounterAttestation(attestation(o.att), o.attSigner ?? hall.signer, o.attKid ?? HALL_KID)
  return signCounterRequest({
    attestation: att, verifier: HALL, purpose: 'residence-permit', vct: RESIDENT_ID,
    claims: ASKED.map((path) => ({ path, required: path !== 'address.district' })),
    nonce: requestNonce(random), iat: T - 10, exp: T + 170, responseKey: (await generateEcdhKeyPair()).publicJwk, ...o.req,
  }, o.reqSigner ?? device.signer)
}

function decodeJson(seg: string): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(decodeBase64url(seg))) as Record<string, unknown>
}

/** Re-sign a compact JWS after changing its payload (or header), by default with the device key. */
async function resigned(text: string, change: (p: Record<string, unknown>, h: Record<string, unknown>) => void, signer: Signer = device.signer): Promise<string> {
  const [h, p] = text.split('.') as [string, string]
  const header = decodeJson(h)
  const payload = decodeJson(p)
  change(payload, header)
  return signCompactJws(header, payload, signer)
}

const responseKeyOf = (p: Record<string, unknown>): Record<string, unknown> => ((p.client_metadata as { jwks: { keys: Record<string, unknown>[] } }).jwks.keys[0]!)
