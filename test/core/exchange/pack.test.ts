// Packed answers (src/core/exchange/pack.ts): round trips byte-exact for presentations made by
// the kernel (issue, present with KB), refusals of what our wallet never makes, and a hostile
// table for unpack where every row must end in ERR_EXCH_PACK_INVALID and nothing else. Hostile
// packs are made with node:zlib's raw DEFLATE and the same dictionary, an encoder independent
// of the one pack.ts uses: the format is RFC 1951, not fflate's.
import { createHash } from 'node:crypto'
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { decodeBase64url, encodeBase64url } from '../../../src/core/bytes/base64url.ts'
import { encodeUtf8 } from '../../../src/core/bytes/utf8.ts'
import { publicJwkOf } from '../../../src/core/crypto/jwk.ts'
import { InputError } from '../../../src/core/errors.ts'
import { PACK_DICTIONARY } from '../../../src/core/exchange/dictionary.ts'
import { PACK_LIMITS, PACK_VERSION, packAnswer, unpackAnswer } from '../../../src/core/exchange/pack.ts'
import type { DisclosureFrame, PresentationFrame } from '../../../src/core/sdjwt/frame.ts'
import { presentSdJwt } from '../../../src/core/sdjwt/present.ts'
import { verifySdJwt } from '../../../src/core/sdjwt/verify.ts'
import { issueSdJwtVc } from '../../../src/core/sdjwt/vc.ts'
import { StatusList } from '../../../src/core/status/list.ts'
import { createStatusListToken } from '../../../src/core/status/token.ts'
import { codeOf } from '../../support/codes.ts'
import { seededRandom, testKey } from '../../support/keys.ts'

// ─── a counter answer made by the kernel ─────────────────────────────────────────────────────

const NOW = 1_800_000_000
const ISS = 'did:web:psb.gov.example'
const AUD = 'verifier_attestation:did:web:service-hall.city.example'
const random = seededRandom(7)
const NONCE = encodeBase64url(random(16))
const issuer = testKey('ES256')
const holder = testKey('ES256')
const IAT = NOW - (NOW % 86_400)

/** A resident-ID credential of the demo's public security bureau, all subject claims disclosable. */
async function issue(claims: Record<string, any>, frame: DisclosureFrame = { _sd: Object.keys(claims) }): Promise<string> {
  const { sdJwt } = await issueSdJwtVc({
    iss: ISS, vct: 'urn:civic:resident-id', iat: IAT, nbf: IAT, exp: IAT + 90 * 86_400,
    holderJwk: publicJwkOf(holder.jwk), status: { status_list: { idx: 48_213, uri: 'https://psb.gov.example/status/1' } },
    claims, frame, signer: issuer.signer, kid: `${ISS}#key-1`, random,
  })
  return sdJwt
}

const present = (issued: string, frame: PresentationFrame, kb = true): Promise<string> =>
  presentSdJwt(issued, frame, kb ? { keyBinding: { signer: holder.signer, nonce: NONCE, aud: AUD, iat: NOW } } : {})

const RESIDENT = { name: '李伟', birth_date: '1990-05-01', city: '成都', district: '武侯', age_over_18: true, age_over_60: false }
const FOUR = { name: true, birth_date: true, city: true, district: true }
const resident = await issue(RESIDENT)
const TWELVE_CLAIMS = {
  ...RESIDENT, given_name: '伟', family_name: '李', nationality: 'CN', gender: 'male',
  address: { street_address: '人民南路四段1号', locality: '成都', region: '四川' }, phone_number: '+86 28 0000 0000',
}
const twelve = await issue(TWELVE_CLAIMS)
const nested = await issue(
  { name: '李伟', address: { street_address: '人民南路四段1号', locality: '成都', region: '四川' }, nationalities: ['CN', 'HK', 'MO'] },
  { _sd: ['name', 'address'], address: { _sd: ['street_address', 'locality', 'region'] }, nationalities: { _sd: [0, 1, 2] } },
)

const statusToken = encodeUtf8(await createStatusListToken({
  list: StatusList.create(131_072, 1), uri: 'https://psb.gov.example/status/1', iat: NOW - 600, exp: NOW + 86_400, ttl: 3_600,
  signer: issuer.signer, kid: `${ISS}#key-1`, iss: ISS,
}))
const b64 = (n: number): string => Buffer.from(random(n)).toString('base64')
const inclusionProof = encodeUtf8(
  `c2sp.org/tlog-proof@v1\nindex 52817\n${Array.from({ length: 16 }, () => b64(32)).join('\n')}\n\n` +
  `civic.example/ledger/status\n52818\n${b64(32)}\n\n— civic.example/ledger/status ${b64(68)}\n— witness-1.example ${b64(76)}\n`,
)

const four = await present(resident, FOUR)

const CASES: [string, string, Uint8Array[]][] = [
  ['0 disclosures, KB', await present(resident, {}), []],
  ['0 disclosures, no KB', await present(resident, {}, false), []],
  ['1 disclosure (age_over_18), KB', await present(resident, { age_over_18: true }), []],
  ['4 disclosures, KB', four, []],
  ['4 disclosures, no KB', await present(resident, FOUR, false), []],
  ['12 disclosures, KB', await present(twelve, Object.fromEntries(Object.keys(TWELVE_CLAIMS).map((k) => [k, true]))), []],
  ['nested and array-element disclosures, KB', await present(nested, { address: { locality: true, region: true }, nationalities: { 0: true, 2: true } }), []],
  ['4 disclosures with stapled status', four, [statusToken, inclusionProof]],
  ['no KB with empty and binary extras', await present(resident, FOUR, false), [new Uint8Array(0), random(300), new Uint8Array(2_000)]],
]

const disclosureCount = (p: string): number => p.split('~').length - 2

describe('packAnswer / unpackAnswer: byte-exact round trips', () => {
  it('the fixtures are what their names say', () => {
    expect(CASES.map(([, p]) => disclosureCount(p))).toEqual([0, 0, 1, 4, 4, 12, 5, 4, 4])
    expect(CASES.map(([, p]) => p.endsWith('~'))).toEqual([false, true, false, false, true, false, false, false, true])
  })

  it.each(CASES)('%s', (_, presentation, extras) => {
    const packed = packAnswer({ presentation, extras })
    expect(packed[0]).toBe(PACK_VERSION)
    const back = unpackAnswer(packed)
    expect(back.presentation).toBe(presentation)
    expect(back.extras).toEqual(extras)
    expect(packed.length).toBeLessThan(presentation.length + extras.reduce((s, x) => s + x.length, 0))
  })

  it('extras are optional and come back as an empty list', () => {
    expect(unpackAnswer(packAnswer({ presentation: four })).extras).toEqual([])
  })

  it('what comes back still verifies: issuer signature, disclosures, and the KB-JWT sd_hash over the exact string', async () => {
    const back = unpackAnswer(packAnswer({ presentation: four, extras: [statusToken] })).presentation
    const v = await verifySdJwt(back, { issuerKey: issuer.publicKey, keyBinding: { nonce: NONCE, aud: AUD }, now: NOW })
    expect(v.ok).toBe(true)
    expect(v.ok && v.value.claims).toMatchObject({ name: '李伟', birth_date: '1990-05-01', city: '成都', district: '武侯' })
  })

  it('an answer whose body is exactly the unpacked cap packs and unpacks; one byte more is refused', () => {
    // body = n, kb, 3 parts of the issuer JWS, m, one extra: its length fills the body to the cap.
    const [h, p, s] = four.split('~')[0]!.split('.').map((x) => decodeBase64url(x))
    const presentation = `${four.split('~')[0]!}~`
    const fixed = 1 + 1 + (1 + h!.length) + (2 + p!.length) + 1 + 1
    const fill = PACK_LIMITS.maxUnpackedBytes - fixed - 3
    expect(s!.length).toBe(64)
    const at = new Uint8Array(fill)
    expect(unpackAnswer(packAnswer({ presentation, extras: [at] })).extras[0]).toEqual(at)
    expect(codeOf(() => packAnswer({ presentation, extras: [new Uint8Array(fill + 1)] }))).toBe('ERR_EXCH_PACK_INVALID')
  })
})

describe('packAnswer refuses what is not a compact SD-JWT of canonical parts', () => {
  const [jws, d1] = four.split('~') as [string, string]
  const [h, p, s] = jws.split('.') as [string, string, string]
  const kb = four.slice(four.lastIndexOf('~') + 1)
  it.each([
    ['no ~ at all', jws, []],
    ['JSON serialization', JSON.stringify({ protected: h, payload: p, signature: s }), []],
    ['an issuer JWS of two segments', `${h}.${p}~${d1}~`, []],
    ['an issuer JWS of four segments', `${jws}.${s}~${d1}~`, []],
    ['an empty JWS segment', `${h}..${s}~${d1}~`, []],
    ['an empty disclosure', `${jws}~~${d1}~`, []],
    ['a disclosure with padding', `${jws}~${d1}==~`, []],
    ['a disclosure with + and /', `${jws}~${d1.replace(/-/g, '+').replace(/_/g, '/')}+/~`, []],
    ['non-zero trailing bits', `${jws}~YR~`, []],
    ['a KB-JWT of two segments', `${jws}~${d1}~${kb.slice(0, kb.lastIndexOf('.'))}`, []],
    ['a KB-JWT with a bad character', `${jws}~${d1}~${kb}!`, []],
    [`${PACK_LIMITS.maxParts + 1} disclosures`, `${jws}~${`${d1}~`.repeat(PACK_LIMITS.maxParts + 1)}`, []],
    [`${PACK_LIMITS.maxParts + 1} extras`, four, Array.from({ length: PACK_LIMITS.maxParts + 1 }, () => new Uint8Array(1))],
    ['a body above the cap', four, [new Uint8Array(PACK_LIMITS.maxUnpackedBytes)]],
    ['a pack above the cap (incompressible extras)', four, [random(PACK_LIMITS.maxPackedBytes)]],
    ['a presentation far above the cap', `${jws}~${'A'.repeat(200_000)}~`, []],
  ] as [string, string, Uint8Array[]][])('%s → ERR_EXCH_PACK_INVALID', (_, presentation, extras) => {
    expect(codeOf(() => packAnswer({ presentation, extras }))).toBe('ERR_EXCH_PACK_INVALID')
  })

  it('a caller passing the wrong types is our bug: TypeError', () => {
    expect(() => packAnswer({ presentation: 42 as unknown as string })).toThrow(TypeError)
    expect(() => packAnswer({ presentation: four, extras: ['x' as unknown as Uint8Array] })).toThrow(TypeError)
    expect(() => unpackAnswer('AQ' as unknown as Uint8Array)).toThrow(TypeError)
  })
})

// ─── hostile packs ──────────────────────────────────────────────────────────────────────────

const u8 = (...xs: (number | Uint8Array | number[])[]): Uint8Array =>
  Uint8Array.from(xs.flatMap((x) => (typeof x === 'number' ? [x] : [...x])))
const zlibDeflate = (body: Uint8Array): Uint8Array => new Uint8Array(deflateRawSync(body, { level: 9, dictionary: PACK_DICTIONARY }))
/** version ‖ DEFLATE(body) ‖ tail, made by zlib. */
const craft = (body: Uint8Array, tail: Uint8Array = u8(0x5a), version = PACK_VERSION): Uint8Array => u8(version, zlibDeflate(body), tail)
/** The smallest valid body: no disclosures, no KB, header "a", payload "b", a 1-byte signature, no extras. */
const BODY = u8(0, 0, 1, 0x61, 1, 0x62, 1, 0)
const PART_A = 'YQ.Yg.Wg~'

/** Raw DEFLATE, one stored block (RFC 1951 §3.2.4); `first` is its 3 header bits plus the 5 padding bits. */
const storedBlock = (data: Uint8Array, first = 0x01, nlen = ~data.length & 0xffff): Uint8Array =>
  u8(first, data.length & 0xff, data.length >> 8, nlen & 0xff, nlen >> 8, data)

/** Bits written least significant first (§3.1.1); Huffman codes go in most significant bit first. */
function bitWriter() {
  const out: number[] = []
  let acc = 0
  let n = 0
  const w = {
    bits(v: number, count: number) {
      for (let i = 0; i < count; i++) {
        acc |= ((v >> i) & 1) << n
        if (++n === 8) out.push(acc), (acc = 0), (n = 0)
      }
      return w
    },
    code(c: number, len: number) {
      for (let i = len - 1; i >= 0; i--) w.bits((c >> i) & 1, 1)
      return w
    },
    done: () => Uint8Array.from(n ? [...out, acc] : out),
  }
  return w
}
/** A fixed-Huffman block holding one literal, then one match of 258 at `distance` (symbols 285 and 29). */
const fixedMatch = (distance: number): Uint8Array =>
  bitWriter().bits(1, 1).bits(1, 2).code(0x30 + 0x61, 8).code(0xc5, 8).code(29, 5).bits(distance - 24_577, 13).code(0, 7).done()

const valid = craft(BODY)
const bomb = u8(PACK_VERSION, new Uint8Array(deflateRawSync(new Uint8Array(10 * 1024 * 1024), { level: 9, dictionary: PACK_DICTIONARY })))
const justOver = craft(new Uint8Array(PACK_LIMITS.maxUnpackedBytes + 1))
const deflated = zlibDeflate(BODY)

describe('unpackAnswer: hostile bytes, each refused with ERR_EXCH_PACK_INVALID', () => {
  it('the base of the hostile rows is a valid pack, made by zlib', () => {
    expect(unpackAnswer(valid)).toEqual({ presentation: PART_A, extras: [] })
    expect(unpackAnswer(u8(PACK_VERSION, storedBlock(BODY), 0x5a))).toEqual({ presentation: PART_A, extras: [] })
  })

  it.each([
    ['empty input', u8()],
    ['the version byte alone', u8(PACK_VERSION)],
    ['version 0', craft(BODY, u8(0x5a), 0)],
    ['version 2', craft(BODY, u8(0x5a), 2)],
    ['version 255', craft(BODY, u8(0x5a), 255)],
    ['above the packed cap', u8(PACK_VERSION, new Uint8Array(PACK_LIMITS.maxPackedBytes))],
    // DEFLATE
    ['a deflate bomb (10 MiB of zeros)', bomb],
    ['one byte above the unpacked cap', justOver],
    ['block type 3', u8(PACK_VERSION, 0x07, 0, 0)],
    ['a stored block whose NLEN is not ~LEN', u8(PACK_VERSION, storedBlock(BODY, 0x01, 0), 0x5a)],
    ['a stored block with non-zero padding bits', u8(PACK_VERSION, storedBlock(BODY, 0x09), 0x5a)],
    ['a stored block longer than the data', u8(PACK_VERSION, storedBlock(BODY).subarray(0, 9))],
    ['a distance reaching before the dictionary', u8(PACK_VERSION, fixedMatch(32_768), 0x5a)],
    ['the DEFLATE data cut short', u8(PACK_VERSION, deflated.subarray(0, deflated.length - 1))],
    ['random bytes after the version', u8(PACK_VERSION, seededRandom(3)(200))],
    ['zeros after the version', u8(PACK_VERSION, new Uint8Array(64))],
    ['0xff after the version', u8(PACK_VERSION, new Uint8Array(64).fill(0xff))],
    // the body
    ['an empty body', craft(u8(), u8())],
    ['a body that ends before the KB flag', craft(u8(0))],
    ['KB flag 2', craft(u8(0, 2, 1, 0x61, 1, 0x62, 1, 0))],
    ['a varint of four bytes (overflow)', craft(u8(0x80, 0x80, 0x80, 0x01, 0, 1, 0x61, 1, 0x62, 1, 0))],
    ['a varint that is not minimal', craft(u8(0x80, 0x00, 0, 1, 0x61, 1, 0x62, 1, 0))],
    ['a varint cut by the end of the body', craft(u8(0, 0, 0x81))],
    [`${PACK_LIMITS.maxParts + 1} disclosures`, craft(u8(PACK_LIMITS.maxParts + 1, 0, 1, 0x61, 1, 0x62, 1, 0))],
    ['a disclosure count beyond the parts', craft(u8(2, 0, 1, 0x61, 1, 0x62, 1, 1, 0x63, 0))],
    ['a header length beyond the body', craft(u8(0, 0, 9, 0x61, 1, 0x62, 1, 0))],
    ['a length of 0x7fff beyond the body', craft(u8(0, 0, 0xff, 0xff, 0x01, 0x61))],
    ['an empty header', craft(u8(0, 0, 0, 1, 0x62, 1, 0))],
    ['an empty disclosure', craft(u8(1, 0, 1, 0x61, 1, 0x62, 1, 0, 0))],
    ['an empty signature', craft(u8(0, 0, 1, 0x61, 1, 0x62, 0, 0), u8())],
    ['a signature beyond the end of the pack', craft(u8(0, 0, 1, 0x61, 1, 0x62, 2, 0))],
    ['no signature bytes at all', craft(BODY, u8())],
    [`${PACK_LIMITS.maxParts + 1} extras`, craft(u8(0, 0, 1, 0x61, 1, 0x62, 1, PACK_LIMITS.maxParts + 1))],
    ['an extra length beyond the body', craft(u8(0, 0, 1, 0x61, 1, 0x62, 1, 1, 5, 0x63))],
    ['a KB-JWT announced but missing', craft(u8(0, 1, 1, 0x61, 1, 0x62, 1, 0))],
    // trailing bytes
    ['a byte after the last part of the body', craft(u8(BODY, 0))],
    ['garbage after the signatures', craft(BODY, u8(0x5a, 0x5a))],
    ['a second DEFLATE stream after the first', u8(PACK_VERSION, deflated, deflated, 0x5a)],
  ])('%s', (_, bytes) => {
    expect(codeOf(() => unpackAnswer(bytes))).toBe('ERR_EXCH_PACK_INVALID')
  })

  it('a bomb is refused by the walk, before anything is inflated or allocated', () => {
    expect(bomb.length).toBeLessThan(PACK_LIMITS.maxPackedBytes)
    const before = process.memoryUsage().arrayBuffers
    let caught: unknown
    try {
      unpackAnswer(bomb)
    } catch (e) {
      caught = e
    }
    const grown = process.memoryUsage().arrayBuffers - before
    expect(caught).toBeInstanceOf(InputError)
    expect((caught as InputError).detail).toMatch(/inflates to more than 65536 bytes/)
    expect(grown).toBeLessThan(1024 * 1024)
  })

  const answer = packAnswer({ presentation: four, extras: [statusToken, inclusionProof] })
  const isSame = (a: { presentation: string; extras: Uint8Array[] }, b: { presentation: string; extras: Uint8Array[] }) =>
    a.presentation === b.presentation && a.extras.length === b.extras.length && a.extras.every((x, i) => Buffer.from(x).equals(b.extras[i]!))
  const original = unpackAnswer(answer)

  it(`every proper prefix of a real pack (${answer.length} bytes) is refused`, () => {
    for (let n = 0; n < answer.length; n++) {
      expect.soft(codeOf(() => unpackAnswer(answer.subarray(0, n))), `prefix of ${n} bytes`).toBe('ERR_EXCH_PACK_INVALID')
    }
  })

  // A flip changes the answer or is refused, with one exception DEFLATE itself makes: a
  // back-reference moved to another identical copy of the same bytes decodes to the same answer
  // (a few in ten thousand flips here; no decoder can tell). The JWE is what detects a change.
  it('any one bit flipped anywhere: ERR_EXCH_PACK_INVALID or a different answer, never another error', () => {
    const tail = answer.length - 2 * 64
    let refused = 0
    let differs = 0
    const same: string[] = []
    for (let i = 0; i < answer.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const bytes = answer.slice()
        bytes[i]! ^= 1 << bit
        try {
          const got = unpackAnswer(bytes)
          if (isSame(got, original)) same.push(`byte ${i} bit ${bit}`)
          else differs++
        } catch (e) {
          expect(e).toBeInstanceOf(InputError)
          expect((e as InputError).code).toBe('ERR_EXCH_PACK_INVALID')
          refused++
        }
      }
    }
    expect(refused + differs + same.length).toBe(answer.length * 8)
    expect(refused).toBeGreaterThan(0)
    expect(differs).toBeGreaterThan(0)
    // Only inside the DEFLATE data (not the version byte, not the signatures), and rare.
    for (const at of same) expect(Number(/byte (\d+)/.exec(at)![1])).toBeGreaterThan(0)
    for (const at of same) expect(Number(/byte (\d+)/.exec(at)![1])).toBeLessThan(tail)
    expect(same.length).toBeLessThan((answer.length * 8) / 1000)
  })

  it('random bytes after the version byte: only ever ERR_EXCH_PACK_INVALID', () => {
    const r = seededRandom(11)
    for (let i = 0; i < 2_000; i++) {
      const bytes = u8(PACK_VERSION, r(1 + (r(1)[0]! % 64)))
      const code = codeOf(() => unpackAnswer(bytes))
      expect.soft(code).toBe('ERR_EXCH_PACK_INVALID')
    }
  })
})

// ─── the dictionary and what it buys ────────────────────────────────────────────────────────

describe('PACK_DICTIONARY', () => {
  it('is pinned: changing it changes every pack, so it takes a new PACK_VERSION and a new digest here', () => {
    expect(PACK_VERSION).toBe(1)
    expect(createHash('sha256').update(PACK_DICTIONARY).digest('hex')).toBe('11835085013c05c090ae4e87ed7357a373dd99b0175f2ae3424b2e68a6de1299')
    expect(PACK_DICTIONARY.length).toBeLessThan(32 * 1024)
  })

  it('packs a 4-claim resident-ID answer with KB to well under 0.55 of its compact length', () => {
    const packed = packAnswer({ presentation: four })
    const tail = 2 * 64 // the two ES256 signatures follow the DEFLATE data as they are
    const body = inflateRawSync(packed.subarray(1, packed.length - tail), { dictionary: PACK_DICTIONARY })
    const withoutDictionary = 1 + deflateRawSync(body, { level: 9 }).length + tail
    const textDeflate = deflateRawSync(four, { level: 9 }).length
    const ratio = packed.length / four.length
    const withStatus = packAnswer({ presentation: four, extras: [statusToken, inclusionProof] }).length
    const extrasLength = statusToken.length + inclusionProof.length
    console.log(
      `4-claim answer: compact ${four.length} B; packed ${packed.length} B (${ratio.toFixed(3)}); ` +
      `same layout without the dictionary ${withoutDictionary} B (${(withoutDictionary / four.length).toFixed(3)}); ` +
      `DEFLATE of the compact text ${textDeflate} B (${(textDeflate / four.length).toFixed(3)}); ` +
      `with stapled status (${extrasLength} B of extras) ${withStatus} B (${(withStatus / (four.length + extrasLength)).toFixed(3)})`,
    )
    expect(ratio).toBeLessThanOrEqual(0.55)
    expect(packed.length).toBeLessThan(withoutDictionary)
  })
})
