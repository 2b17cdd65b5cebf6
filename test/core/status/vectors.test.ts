// Every example of draft-ietf-oauth-status-list in ../shared/vectors/token-status-list decodes
// to the statuses the draft states (§4.1 for the short ones, Appendix C for the 2^20-entry
// ones). JSON examples go to decodeStatusList as they are. CBOR examples are read with the
// test-only CBOR reader in _vectors.ts: their `lst` byte string (the compressed bytes) is
// base64url-encoded into the JSON shape and decoded the same way. Annotated-hex ("diag") files
// must carry the same bytes as the example they annotate.
import { describe, expect, it } from 'vitest'
import { decodeBase64url, encodeBase64url } from '../../../src/core/bytes/base64url.ts'
import { parseJsonObject } from '../../../src/core/bytes/json.ts'
import { signCompactJws, parseCompactJws } from '../../../src/core/jose/jws.ts'
import { parseStatusReference } from '../../../src/core/status/check.ts'
import { decodeStatusList, type StatusList } from '../../../src/core/status/list.ts'
import { STATUS_LIST_TYP, verifyStatusListToken } from '../../../src/core/status/token.ts'
import { listVectors, readVector } from '../../support/vectors.ts'
import { testKey } from '../../support/keys.ts'
import {
  APPENDIX_C1, APPENDIX_C2, APPENDIX_C3, APPENDIX_C4, DIR, SECTION_4_1_BITS_1, SECTION_4_1_BITS_2, cborToJson, readCbor,
  readCborHexExample, readDiagExample, readExample, readJsonExample, type Cbor, type StatedStatuses,
} from './_vectors.ts'

function expectStatuses(list: StatusList, stated: StatedStatuses): void {
  expect(list.bits).toBe(stated.bits)
  expect(list.size).toBe(stated.size)
  const want = new Map(stated.entries)
  const wrong: string[] = []
  for (let i = 0; i < list.size; i++) {
    const got = list.get(i)
    if (got !== (want.get(i) ?? 0)) wrong.push(`status[${i}] is ${got}, the draft says ${want.get(i) ?? 0}`)
  }
  expect(wrong).toEqual([])
}

const ENCODINGS: [json: string, cbor: string, stated: StatedStatuses][] = [
  ['status_list_encoding_json.md', 'status_list_encoding_cbor.md', SECTION_4_1_BITS_1],
  ['status_list_encoding2_json.md', 'status_list_encoding2_cbor.md', SECTION_4_1_BITS_2],
  ['status_list_encoding1_long_json.md', 'status_list_encoding1_long_cbor.md', APPENDIX_C1],
  ['status_list_encoding2_long_json.md', 'status_list_encoding2_long_cbor.md', APPENDIX_C2],
  ['status_list_encoding4_json.md', 'status_list_encoding4_cbor.md', APPENDIX_C3],
  ['status_list_encoding8_json.md', 'status_list_encoding8_cbor.md', APPENDIX_C4],
]
const DIAGS: [diag: string, of: string][] = [
  ['status_list_encoding_cbor_diag.md', 'status_list_encoding_cbor.md'],
  ['status_list_encoding2_cbor_diag.md', 'status_list_encoding2_cbor.md'],
  ['status_list_cwt_diag.md', 'status_list_cwt.md'],
  ['referenced_token_cwt_diag.md', 'referenced_token_cwt.md'],
]
const TOKENS = ['status_list_jwt.md', 'status_list_jwt_raw.md', 'status_list_cwt.md', 'referenced_token_cwt.md']

/** The CBOR StatusList map {bits, lst} as the JSON shape: lst bytes → base64url. */
function cborStatusList(v: Cbor): { bits: unknown; lst: string } {
  if (!(v instanceof Map)) throw new Error('StatusList is not a CBOR map')
  const lst = v.get('lst')
  if (!(lst instanceof Uint8Array)) throw new Error('lst is not a byte string')
  expect([...v.keys()].sort()).toEqual(['bits', 'lst'])
  return { bits: v.get('bits'), lst: encodeBase64url(lst) }
}

/** COSE_Sign1 (tag 18, RFC 9052 §4.2): protected header and claims, both CBOR in byte strings. */
function coseSign1(bytes: Uint8Array): { protectedHeader: Map<Cbor, Cbor>; claims: Map<Cbor, Cbor> } {
  const v = readCbor(bytes)
  if (typeof v !== 'object' || v === null || !('tag' in v) || v.tag !== 18 || !Array.isArray(v.value) || v.value.length !== 4) throw new Error('not a tagged COSE_Sign1')
  const [p, , payload] = v.value
  const protectedHeader = readCbor(p as Uint8Array)
  const claims = readCbor(payload as Uint8Array)
  if (!(protectedHeader instanceof Map) || !(claims instanceof Map)) throw new Error('COSE_Sign1 header or payload is not a map')
  return { protectedHeader, claims }
}

describe('draft-ietf-oauth-status-list examples', () => {
  it('every vector file is covered by a test below', () => {
    const covered = [...ENCODINGS.flatMap(([j, c]) => [j, c]), ...DIAGS.map(([d]) => d), ...TOKENS].sort()
    expect(listVectors(DIR)).toEqual(covered)
  })

  it.each(ENCODINGS)('%s decodes to the statuses the draft states', async (json, _cbor, stated) => {
    const ex = readJsonExample(json)
    expect(Object.keys(ex.json).sort()).toEqual(['bits', 'lst'])
    const list = await decodeStatusList(ex.json)
    expectStatuses(list, stated)
    if (ex.byteArray) expect(list.toBytes()).toEqual(ex.byteArray)
  })

  it.each(ENCODINGS)('%s has a CBOR twin %s that decodes the same (lst bytes read with the test CBOR reader)', async (json, cbor, stated) => {
    const ex = readCborHexExample(cbor)
    const asJson = cborStatusList(readCbor(ex.bytes))
    // The two encodings carry the very same compressed bytes.
    expect(decodeBase64url(asJson.lst)).toEqual(decodeBase64url(readJsonExample(json).json.lst as string))
    const list = await decodeStatusList(asJson)
    expectStatuses(list, stated)
    if (ex.byteArray) expect(list.toBytes()).toEqual(ex.byteArray)
  })

  it.each(DIAGS)('%s annotates exactly the bytes of %s', (diag, of) => {
    expect(readDiagExample(diag)).toEqual(readCborHexExample(of).bytes)
  })

  it('status_list_jwt: the example payload decodes to b9 a3', async () => {
    const [header, payload] = readExample('status_list_jwt.md').body.split(/\n\.\n/).map((t) => parseJsonObject(t))
    expect(header).toEqual({ alg: 'ES256', kid: '12', typ: STATUS_LIST_TYP })
    expect(payload!.sub).toBe('https://example.com/statuslists/1')
    const list = await decodeStatusList(payload!.status_list)
    expect(list.toBytes()).toEqual(Uint8Array.of(0xb9, 0xa3))
    expectStatuses(list, SECTION_4_1_BITS_1)
  })

  it('status_list_jwt_raw: the compact token parses as statuslist+jwt, its list decodes, and its claims verify when signed by a key we hold', async () => {
    const raw = readVector(DIR, 'status_list_jwt_raw.md').replace(/\s+/g, '')
    const jws = parseCompactJws(raw, { typ: STATUS_LIST_TYP })
    expect(jws.header).toEqual({ alg: 'ES256', kid: '12', typ: STATUS_LIST_TYP })
    const [, shown] = readExample('status_list_jwt.md').body.split(/\n\.\n/).map((t) => parseJsonObject(t))
    expect(jws.payload).toEqual({ ...shown, iss: 'https://example.com' })
    expectStatuses(await decodeStatusList(jws.payload.status_list), SECTION_4_1_BITS_1)

    // The draft does not publish its signing key: under any other key the signature fails...
    const key = testKey('ES256')
    const uri = 'https://example.com/statuslists/1'
    const now = 1686920170 + 3600
    const asIs = await verifyStatusListToken(raw, { key: key.publicKey, uri, now })
    expect(asIs).toMatchObject({ ok: false, code: 'ERR_JWS_SIGNATURE_INVALID' })
    // ...and the same header and claims signed by our key verify in full.
    const resigned = await signCompactJws(jws.header, jws.payload, key.signer)
    const v = await verifyStatusListToken(resigned, { key: key.publicKey, uri, now })
    if (!v.ok) throw new Error(`${v.code}: ${v.detail}`)
    expect(v.value).toMatchObject({ sub: uri, iat: 1686920170, exp: 2291720170, ttl: 43200, iss: 'https://example.com' })
    expect(v.value.list.toBytes()).toEqual(Uint8Array.of(0xb9, 0xa3))
  })

  it('status_list_cwt: the CWT claim 65533 holds the same list, sub 2 and ttl 65534 as the JWT', async () => {
    const { protectedHeader, claims } = coseSign1(readCborHexExample('status_list_cwt.md').bytes)
    expect(protectedHeader.get(16)).toBe('application/statuslist+cwt')
    expect(claims.get(2)).toBe('https://example.com/statuslists/1')
    expect(claims.get(6)).toBe(1686920170)
    expect(claims.get(4)).toBe(2291720170)
    expect(claims.get(65534)).toBe(43200)
    const list = await decodeStatusList(cborStatusList(claims.get(65533)!))
    expectStatuses(list, SECTION_4_1_BITS_1)
  })

  it('referenced_token_cwt: its status claim (65535) is a reference to idx 0 of statuslists/1, which is INVALID', async () => {
    const { claims } = coseSign1(readCborHexExample('referenced_token_cwt.md').bytes)
    const ref = parseStatusReference(cborToJson(claims.get(65535)!))
    expect(ref).toEqual({ idx: 0, uri: 'https://example.com/statuslists/1' })
    const { claims: listClaims } = coseSign1(readCborHexExample('status_list_cwt.md').bytes)
    expect(listClaims.get(2)).toBe(ref.uri)
    const list = await decodeStatusList(cborStatusList(listClaims.get(65533)!))
    expect(list.get(ref.idx)).toBe(1)
  })
})
