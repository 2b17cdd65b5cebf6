// The wallet's JWTs at the issuer (OpenID4VCI key proofs, RFC 9449 DPoP, c_nonces) answer with
// verdicts: { ok: true, value } or { ok: false, code, detail }, never a throw on what was sent.
import { describe, expect, it } from 'vitest'
import { DpopReplayCache, DPOP_TYP, KEY_PROOF_TYP, NonceBook, orThrow, verifyDpop, verifyKeyProof } from '../../src/issuer/proofs.ts'
import { signCompactJws } from '../../src/core/jose/jws.ts'
import { jwkThumbprint, publicJwkOf } from '../../src/core/crypto/jwk.ts'
import { CivicError } from '../../src/core/errors.ts'
import { testKey } from '../support/keys.ts'

const NOW = 1_800_000_000
const AUD = 'https://issuer.example'
const holder = testKey('ES256')
const jwk = publicJwkOf(holder.jwk)
const proof = (payload: Record<string, unknown>, header: Record<string, unknown> = {}) =>
  signCompactJws({ typ: KEY_PROOF_TYP, jwk, ...header }, { aud: AUD, iat: NOW, nonce: 'n', ...payload }, holder.signer)
const dpop = (payload: Record<string, unknown>) =>
  signCompactJws({ typ: DPOP_TYP, jwk }, { htm: 'POST', htu: `${AUD}/token`, iat: NOW, jti: 'jti-0001', ...payload }, holder.signer)

describe('verifyKeyProof', () => {
  it('holds with the key, its thumbprint and the nonce', async () => {
    expect(await verifyKeyProof(await proof({}), { audience: AUD, now: NOW })).toEqual({ ok: true, value: { jwk, thumbprint: jwkThumbprint(jwk), nonce: 'n' } })
  })

  it.each([
    ['not a string', async (): Promise<unknown> => 42, 'ERR_VCI_PROOF_INVALID'],
    ['another audience', () => proof({ aud: 'https://other.example' }), 'ERR_VCI_PROOF_AUD_MISMATCH'],
    ['stale', () => proof({ iat: NOW - 3600 }), 'ERR_VCI_PROOF_INVALID'],
    ['no nonce', () => proof({ nonce: undefined }), 'ERR_VCI_NONCE_MISSING'],
    ['a number as nonce', () => proof({ nonce: 7 }), 'ERR_VCI_NONCE_INVALID'],
    ['kid beside jwk', () => proof({}, { kid: 'k' }), 'ERR_VCI_PROOF_INVALID'],
    ['another typ', () => proof({}, { typ: 'JWT' }), 'ERR_VCI_PROOF_INVALID'],
  ] as const)('%s → %s', async (_, make, code) => {
    expect(await verifyKeyProof(await make(), { audience: AUD, now: NOW })).toMatchObject({ ok: false, code })
  })
})

describe('verifyDpop', () => {
  it('holds once per jti, with the key thumbprint', async () => {
    const replay = new DpopReplayCache()
    const h = await dpop({})
    expect(await verifyDpop(h, { method: 'POST', url: `${AUD}/token`, now: NOW, replay })).toEqual({ ok: true, value: jwkThumbprint(jwk) })
    expect(await verifyDpop(h, { method: 'POST', url: `${AUD}/token`, now: NOW, replay })).toMatchObject({ ok: false, code: 'ERR_VCI_DPOP_INVALID', detail: expect.stringContaining('replayed') })
  })

  it.each([
    ['another method', () => dpop({ htm: 'GET' })],
    ['another endpoint', () => dpop({ htu: `${AUD}/credential` })],
    ['htu not a URL', () => dpop({ htu: 'not a url' })],
    ['dated in the future', () => dpop({ iat: NOW + 3600 })],
    ['short jti', () => dpop({ jti: 'x' })],
    ['two proofs', async () => `${await dpop({})},${await dpop({})}`],
  ] as const)('%s → ERR_VCI_DPOP_INVALID', async (_, make) => {
    expect(await verifyDpop(await make(), { method: 'POST', url: `${AUD}/token`, now: NOW, replay: new DpopReplayCache() })).toMatchObject({ ok: false, code: 'ERR_VCI_DPOP_INVALID' })
  })

  it('checks ath against the access token', async () => {
    const h = await dpop({ ath: 'not-the-hash' })
    expect(await verifyDpop(h, { method: 'POST', url: `${AUD}/token`, now: NOW, replay: new DpopReplayCache(), accessToken: 'tok' })).toMatchObject({ ok: false, code: 'ERR_VCI_DPOP_INVALID' })
  })
})

describe('NonceBook.verify', () => {
  it('accepts its own nonce until used or expired', () => {
    const book = new NonceBook(60)
    const n = book.issue(NOW)
    expect(book.verify(n, NOW)).toEqual({ ok: true, value: true })
    expect(book.verify(n, NOW + 60)).toMatchObject({ ok: false, code: 'ERR_VCI_NONCE_INVALID' })
    expect(book.verify('AAAA', NOW)).toMatchObject({ ok: false, code: 'ERR_VCI_NONCE_INVALID' })
    expect(book.verify('not base64url!', NOW)).toMatchObject({ ok: false, code: 'ERR_VCI_NONCE_INVALID' })
    book.consume([n], NOW)
    expect(book.verify(n, NOW)).toMatchObject({ ok: false, code: 'ERR_VCI_NONCE_REPLAYED' })
  })
})

describe('orThrow', () => {
  it('hands the value on, or throws the failure as a CivicError with its code', () => {
    expect(orThrow({ ok: true, value: 3 })).toBe(3)
    expect(() => orThrow({ ok: false, code: 'ERR_VCI_PROOF_INVALID', detail: 'd' }, 'proofs.jwt[1]')).toThrow(expect.objectContaining({ code: 'ERR_VCI_PROOF_INVALID', detail: 'proofs.jwt[1]: d' }))
    expect(() => orThrow({ ok: false, code: 'ERR_VCI_PROOF_INVALID', detail: 'd' })).toThrow(CivicError)
  })
})
