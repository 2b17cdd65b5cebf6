// The statuslist+jwt token (draft-ietf-oauth-status-list §5.1): what createStatusListToken
// signs, and every way verifyStatusListToken refuses one, each with its code. Hostile tokens
// are signed by the trusted key unless the row is about the signature, so only the named
// property is under test.
import { describe, expect, it } from 'vitest'
import { encodeBase64url } from '../../../src/core/bytes/base64url.ts'
import { encodeUtf8 } from '../../../src/core/bytes/utf8.ts'
import { parseCompactJws, signCompactJws } from '../../../src/core/jose/jws.ts'
import { StatusList, encodeStatusList } from '../../../src/core/status/list.ts'
import { STATUS_LIST_TYP, createStatusListToken, verifyStatusListToken, type VerifyStatusListTokenOptions } from '../../../src/core/status/token.ts'
import { testKey } from '../../support/keys.ts'
import { rng, sameBytes } from './_zlib.ts'

const NOW = 1_780_000_000
const URI = 'https://psb.gov.example/status/resident-id/7'
const issuer = testKey('ES256')
const other = testKey('ES256')

const list = StatusList.create(131_072, 2)
list.set(0, 1)
list.set(65_537, 2)
const statusList = await encodeStatusList(list)
/** 32 KiB of noise: its lst alone is longer than a token for a 64-byte list may be. */
const noise = rng(11)
const noisy = StatusList.fromBytes(Uint8Array.from({ length: 32 * 1024 }, () => Math.floor(noise() * 256)), 8)
const noisyList = await encodeStatusList(noisy)
const OPTIONS: VerifyStatusListTokenOptions = { key: issuer.publicKey, uri: URI, now: NOW }

const sign = (payload: Record<string, unknown>, header: Record<string, unknown> = { typ: STATUS_LIST_TYP }, key = issuer): Promise<string> =>
  signCompactJws(header, payload, key.signer)
const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ sub: URI, iat: NOW - 60, exp: NOW + 86_400, ttl: 3600, status_list: statusList, ...extra })
const without = (name: string): Record<string, unknown> => {
  const c = claims()
  delete c[name]
  return c
}

describe('createStatusListToken', () => {
  it('signs header {alg, typ, kid} and claims {iss, sub, iat, exp, ttl, status_list}, and verifies back to the same list', async () => {
    const token = await createStatusListToken({ list, uri: URI, iat: NOW, exp: NOW + 86_400, ttl: 3600, signer: issuer.signer, kid: 'did:web:psb.gov.example#key-2026', iss: 'did:web:psb.gov.example' })
    const jws = parseCompactJws(token, { typ: STATUS_LIST_TYP })
    expect(jws.header).toEqual({ alg: 'ES256', typ: 'statuslist+jwt', kid: 'did:web:psb.gov.example#key-2026' })
    expect(Object.keys(jws.payload)).toEqual(['iss', 'sub', 'iat', 'exp', 'ttl', 'status_list'])
    expect(jws.payload).toMatchObject({ iss: 'did:web:psb.gov.example', sub: URI, iat: NOW, exp: NOW + 86_400, ttl: 3600, status_list: { bits: 2 } })
    const v = await verifyStatusListToken(token, OPTIONS)
    if (!v.ok) throw new Error(`${v.code}: ${v.detail}`)
    expect(v.value).toMatchObject({ sub: URI, iat: NOW, exp: NOW + 86_400, ttl: 3600, iss: 'did:web:psb.gov.example', header: jws.header })
    expect(sameBytes(v.value.list.toBytes(), list.toBytes())).toBe(true)
    expect([v.value.list.get(0), v.value.list.get(1), v.value.list.get(65_537)]).toEqual([1, 0, 2])
  })

  it('leaves out what it is not given', async () => {
    const token = await createStatusListToken({ list, uri: URI, iat: NOW, signer: issuer.signer })
    const jws = parseCompactJws(token)
    expect(jws.header).toEqual({ alg: 'ES256', typ: 'statuslist+jwt' })
    expect(Object.keys(jws.payload)).toEqual(['sub', 'iat', 'status_list'])
    const v = await verifyStatusListToken(token, OPTIONS)
    expect(v.ok && [v.value.exp, v.value.ttl, v.value.iss]).toEqual([undefined, undefined, undefined])
  })

  it('refuses impossible arguments as our bugs (TypeError / RangeError)', async () => {
    const base = { list, uri: URI, iat: NOW, signer: issuer.signer }
    await expect(createStatusListToken({ ...base, list: list.toBytes() as unknown as StatusList })).rejects.toThrow(TypeError)
    await expect(createStatusListToken({ ...base, uri: '' })).rejects.toThrow(TypeError)
    await expect(createStatusListToken({ ...base, iat: NOW + 0.5 })).rejects.toThrow(RangeError)
    await expect(createStatusListToken({ ...base, exp: NOW })).rejects.toThrow(RangeError)
    await expect(createStatusListToken({ ...base, ttl: 0 })).rejects.toThrow(RangeError)
    await expect(createStatusListToken({ ...base, ttl: 1.5 })).rejects.toThrow(RangeError)
  })
})

describe('verifyStatusListToken', () => {
  it('accepts the control token the rows below are made from', async () => {
    expect((await verifyStatusListToken(await sign(claims()), OPTIONS)).ok).toBe(true)
    // Fresh up to iat + ttl (+ skew), and up to exp (− skew).
    expect((await verifyStatusListToken(await sign(claims({ iat: NOW - 3600 - 60 })), OPTIONS)).ok).toBe(true)
    expect((await verifyStatusListToken(await sign(claims({ exp: NOW + 61 })), OPTIONS)).ok).toBe(true)
  })

  const rows: [name: string, make: () => Promise<string>, code: string, options?: Partial<VerifyStatusListTokenOptions>][] = [
    // the JWS
    ['not three parts', async () => 'eyJhbGciOiJFUzI1NiJ9.e30', 'ERR_JWS_MALFORMED'],
    ['typ jwt', () => sign(claims(), { typ: 'JWT' }), 'ERR_JWS_TYP_MISMATCH'],
    ['no typ', () => sign(claims(), {}), 'ERR_JWS_TYP_MISMATCH'],
    ['typ of an SD-JWT VC', () => sign(claims(), { typ: 'dc+sd-jwt' }), 'ERR_JWS_TYP_MISMATCH'],
    ['alg none', async () => `${encodeBase64url(encodeUtf8('{"alg":"none","typ":"statuslist+jwt"}'))}.${encodeBase64url(encodeUtf8(JSON.stringify(claims())))}.`, 'ERR_JWS_ALG_NOT_ALLOWED'],
    ['a signature by another key', () => sign(claims(), undefined, other), 'ERR_JWS_SIGNATURE_INVALID'],
    ['a token longer than a list within maxBytes can need', () => sign(claims({ status_list: noisyList })), 'ERR_JWS_TOO_LARGE', { maxBytes: 64 }],
    ['a key resolver that knows no key', () => sign(claims()), 'ERR_JWS_KEY_UNKNOWN', { key: () => null }],
    // claims
    ['sub missing', () => sign(without('sub')), 'ERR_STATUS_TOKEN_INVALID'],
    ['sub a number', () => sign(claims({ sub: 7 })), 'ERR_STATUS_TOKEN_INVALID'],
    ['status_list missing', () => sign(without('status_list')), 'ERR_STATUS_TOKEN_INVALID'],
    ['iss not a string', () => sign(claims({ iss: ['did:web:psb.gov.example'] })), 'ERR_STATUS_TOKEN_INVALID'],
    ...[0, -1, 1.5, '3600', null].map((ttl): [string, () => Promise<string>, string] => [`ttl ${JSON.stringify(ttl)}`, () => sign(claims({ ttl })), 'ERR_STATUS_TOKEN_INVALID']),
    ['sub another list', () => sign(claims({ sub: `${URI}0` })), 'ERR_STATUS_URI_MISMATCH'],
    ['sub in another case', () => sign(claims({ sub: URI.toUpperCase() })), 'ERR_STATUS_URI_MISMATCH'],
    // time
    ['iat missing', () => sign(without('iat')), 'ERR_TIME_CLAIM_INVALID'],
    ['iat a string', () => sign(claims({ iat: String(NOW) })), 'ERR_TIME_CLAIM_INVALID'],
    ['iat in the future', () => sign(claims({ iat: NOW + 120 })), 'ERR_TIME_NOT_YET_VALID'],
    ['exp past', () => sign(claims({ exp: NOW - 60 })), 'ERR_TIME_EXPIRED'],
    ['older than its ttl', () => sign(claims({ iat: NOW - 3600 - 61 })), 'ERR_STATUS_STALE'],
    // the list
    ['status_list with bits 3', () => sign(claims({ status_list: { ...statusList, bits: 3 } })), 'ERR_STATUS_BITS_INVALID'],
    ['status_list truncated', () => sign(claims({ status_list: { bits: 2, lst: statusList.lst.slice(0, -8) } })), 'ERR_STATUS_ZLIB_TRUNCATED'],
    ['status_list larger than maxBytes', () => sign(claims()), 'ERR_STATUS_LIST_TOO_LARGE', { maxBytes: 16 * 1024 }],
  ]

  it.each(rows)('refuses %s with its code', async (_name, make, code, options) => {
    const v = await verifyStatusListToken(await make(), { ...OPTIONS, ...options })
    expect(v.ok ? 'ok' : v.code).toBe(code)
  })

  it('never throws on attacker text', async () => {
    for (const t of ['', '.', '..', 'a.b.c', '\u0000', 'x'.repeat(100_000), 'eyJ9.eyJ9.AA', 42 as unknown as string]) {
      const v = await verifyStatusListToken(t, OPTIONS)
      expect(v.ok).toBe(false)
    }
  })

  it('refuses impossible options as our bugs', async () => {
    const token = await sign(claims())
    await expect(verifyStatusListToken(token, { ...OPTIONS, now: Number.NaN })).rejects.toThrow(TypeError)
    await expect(verifyStatusListToken(token, { ...OPTIONS, skewSeconds: -1 })).rejects.toThrow(TypeError)
    await expect(verifyStatusListToken(token, { ...OPTIONS, maxBytes: 0 })).rejects.toThrow(RangeError)
  })
})
