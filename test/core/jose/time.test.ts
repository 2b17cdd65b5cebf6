// JWT time claims (RFC 7519 §4.1.4–4.1.6): NumericDate validity and the exact skew boundaries.
import { describe, expect, it } from 'vitest'
import { assertNow, checkTimeClaims, isNumericDate, MAX_NUMERIC_DATE } from '../../../src/core/jose/time.ts'
import { verifySdJwt } from '../../../src/core/sdjwt/verify.ts'
import { testKey } from '../../support/keys.ts'

const NOW = 1_800_000_000
const SKEW = 60
const check = (p: Record<string, unknown>, require?: ('iat' | 'nbf' | 'exp')[]) =>
  checkTimeClaims(p as never, { now: NOW, skewSeconds: SKEW, require })

describe('isNumericDate', () => {
  it('MAX_NUMERIC_DATE is 9999-12-31T23:59:59Z', () => {
    expect(new Date(MAX_NUMERIC_DATE * 1000).toISOString()).toBe('9999-12-31T23:59:59.000Z')
  })

  it.each<[unknown, boolean]>([
    [0, true], [1, true], [NOW, true], [MAX_NUMERIC_DATE, true], [1.5, true], [-0, true],
    [MAX_NUMERIC_DATE + 1, false], [-1, false], [-0.5, false], [Number.NaN, false], [Infinity, false], [-Infinity, false],
    [Number.MAX_VALUE, false], ['1800000000', false], [null, false], [undefined, false], [true, false], [[NOW], false],
    [{ valueOf: () => NOW }, false], [BigInt(NOW), false],
  ])('%s → %s', (v, expected) => {
    expect(isNumericDate(v)).toBe(expected)
  })
})

describe('checkTimeClaims', () => {
  it('no claims and nothing required holds', () => {
    expect(check({})).toEqual({ ok: true, value: true })
  })

  it.each<[string, Record<string, unknown>, string | null]>([
    ['exp well ahead', { exp: NOW + 3600 }, null],
    ['exp exactly at now − skew (expired: exp is the first instant it is invalid)', { exp: NOW - SKEW }, 'ERR_TIME_EXPIRED'],
    ['exp one second later than that', { exp: NOW - SKEW + 1 }, null],
    ['exp now (inside the skew)', { exp: NOW }, null],
    ['nbf exactly at now + skew', { nbf: NOW + SKEW }, null],
    ['nbf one second later', { nbf: NOW + SKEW + 1 }, 'ERR_TIME_NOT_YET_VALID'],
    ['iat exactly at now + skew', { iat: NOW + SKEW }, null],
    ['iat one second later', { iat: NOW + SKEW + 1 }, 'ERR_TIME_NOT_YET_VALID'],
    ['iat long ago', { iat: 0 }, null],
    ['exp a string', { exp: String(NOW + 3600) }, 'ERR_TIME_CLAIM_INVALID'],
    ['exp null', { exp: null }, 'ERR_TIME_CLAIM_INVALID'],
    ['exp Infinity (1e400 in JSON)', { exp: Infinity }, 'ERR_TIME_CLAIM_INVALID'],
    ['exp NaN', { exp: Number.NaN }, 'ERR_TIME_CLAIM_INVALID'],
    ['exp negative', { exp: -1 }, 'ERR_TIME_CLAIM_INVALID'],
    ['exp beyond 9999', { exp: MAX_NUMERIC_DATE + 1 }, 'ERR_TIME_CLAIM_INVALID'],
    ['nbf an array', { nbf: [NOW] }, 'ERR_TIME_CLAIM_INVALID'],
    ['iat an object', { iat: {} }, 'ERR_TIME_CLAIM_INVALID'],
    // a bad claim is reported even when another one has already expired
    ['expired exp with a malformed nbf', { exp: NOW - 3600, nbf: 'soon' }, 'ERR_TIME_CLAIM_INVALID'],
    ['expired and not yet valid: expiry is reported', { exp: NOW - 3600, nbf: NOW + 3600 }, 'ERR_TIME_EXPIRED'],
  ])('%s', (_name, claims, code) => {
    const f = check(claims)
    if (code === null) expect(f).toEqual({ ok: true, value: true })
    else expect(f).toMatchObject({ ok: false, code })
  })

  it('required claims must be present', () => {
    expect(check({ iat: NOW }, ['iat'])).toEqual({ ok: true, value: true })
    expect(check({ iat: NOW }, ['iat', 'exp'])).toMatchObject({ ok: false, code: 'ERR_TIME_CLAIM_INVALID' })
    expect(check({}, ['nbf'])).toMatchObject({ ok: false, code: 'ERR_TIME_CLAIM_INVALID' })
  })

  it('skew 0 makes the boundaries exact', () => {
    const t = (p: Record<string, unknown>) => checkTimeClaims(p as never, { now: NOW, skewSeconds: 0 })
    expect(t({ exp: NOW })).toMatchObject({ code: 'ERR_TIME_EXPIRED' })
    expect(t({ exp: NOW + 1 })).toMatchObject({ ok: true })
    expect(t({ nbf: NOW })).toMatchObject({ ok: true })
    expect(t({ nbf: NOW + 1 })).toMatchObject({ code: 'ERR_TIME_NOT_YET_VALID' })
  })
})

describe('a missing clock fails closed (TypeError), never passes every time claim', () => {
  it.each<[string, unknown]>([['undefined', undefined], ['NaN', Number.NaN], ['milliseconds', NOW * 1000], ['a string', String(NOW)], ['negative', -1]])('now %s', (_, now) => {
    expect(() => assertNow(now, undefined, 'x')).toThrow(TypeError)
    expect(() => checkTimeClaims({ exp: 1 }, { now: now as number, skewSeconds: 0 })).toThrow(TypeError)
  })

  it('skewSeconds must be a finite number ≥ 0 when given', () => {
    expect(() => assertNow(NOW, -1, 'x')).toThrow(TypeError)
    expect(() => assertNow(NOW, Number.NaN, 'x')).toThrow(TypeError)
    expect(() => assertNow(NOW, 60, 'x')).not.toThrow()
  })

  it('verifySdJwt refuses to run without now (an expired credential would otherwise pass)', async () => {
    const options = { issuerKey: testKey('ES256').publicKey, keyBinding: 'not-required' as const }
    await expect(verifySdJwt('x~', options as never)).rejects.toThrow(TypeError)
    await expect(verifySdJwt('x~', { ...options, now: NOW * 1000 })).rejects.toThrow(TypeError)
  })
})
