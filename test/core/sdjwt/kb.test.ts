// Key Binding JWT (RFC 9901 §4.3): verifyKbJwt and holderKeyOf answer with verdicts.
import { describe, expect, it } from 'vitest'
import { createKbJwt, holderKeyOf, verifyKbJwt } from '../../../src/core/sdjwt/kb.ts'
import { publicJwkOf } from '../../../src/core/crypto/jwk.ts'
import { testKey } from '../../support/keys.ts'

const NOW = 1_800_000_000
const holder = testKey('ES256')
const other = testKey('ES256')
const SD = 'eyJhbGciOiJFUzI1NiJ9.e30.sig~WyJzYWx0IiwibmFtZSIsIngiXQ~'
const expect_ = { nonce: 'n-1', aud: 'did:web:hall.example' }
const check = { expect: expect_, now: NOW, skewSeconds: 60, maxAgeSeconds: 300 }

describe('verifyKbJwt: a verdict, never a bare payload or a throw', () => {
  it('holds: { ok: true, value: payload }', async () => {
    const kb = await createKbJwt(SD, holder.signer, { ...expect_, iat: NOW })
    const v = await verifyKbJwt(kb, SD, holder.publicKey, check)
    expect(v).toEqual({ ok: true, value: { iat: NOW, aud: expect_.aud, nonce: expect_.nonce, sd_hash: expect.any(String) } })
  })

  it.each([
    ['another key', async () => [await createKbJwt(SD, other.signer, { ...expect_, iat: NOW }), SD] as const, 'ERR_KB_SIGNATURE_INVALID'],
    ['another presentation', async () => [await createKbJwt(SD, holder.signer, { ...expect_, iat: NOW }), `${SD}x~`] as const, 'ERR_KB_SD_HASH_MISMATCH'],
    ['another nonce', async () => [await createKbJwt(SD, holder.signer, { ...expect_, nonce: 'n-2', iat: NOW }), SD] as const, 'ERR_KB_NONCE_MISMATCH'],
    ['another audience', async () => [await createKbJwt(SD, holder.signer, { ...expect_, aud: 'did:web:x.example', iat: NOW }), SD] as const, 'ERR_KB_AUD_MISMATCH'],
    ['too old', async () => [await createKbJwt(SD, holder.signer, { ...expect_, iat: NOW - 1000 }), SD] as const, 'ERR_KB_IAT_OUT_OF_WINDOW'],
    ['not a JWS', async () => ['x.y', SD] as const, 'ERR_JWS_MALFORMED'],
  ] as const)('%s → %s', async (_, make, code) => {
    const [kb, sd] = await make()
    expect(await verifyKbJwt(kb, sd, holder.publicKey, check)).toMatchObject({ ok: false, code })
  })
})

describe('holderKeyOf', () => {
  it('reads cnf.jwk into a verdict', () => {
    const v = holderKeyOf({ cnf: { jwk: { ...publicJwkOf(holder.jwk) } } })
    expect(v.ok && v.value.alg).toBe('ES256')
    expect(holderKeyOf({})).toMatchObject({ ok: false, code: 'ERR_KB_NO_CNF' })
    expect(holderKeyOf({ cnf: { jwk: { kty: 'EC' } } })).toMatchObject({ ok: false })
  })
})
