import { afterEach, describe, expect, it, vi } from 'vitest'
import { verifyPresentation } from 'did-jwt-vc'
import type { ErrorCode } from '../../../src/core/errors.ts'
import { defaultResolver } from '../../../src/core/vc/resolver.ts'
import { issueVcJwt } from '../../../src/core/vc/vc-jwt.ts'
import { issueVpJwt, verifyVpJwt, type IssueVpInput } from '../../../src/core/vc/vp-jwt.ts'
import { NOW, makeIdentity, parts, resignWith, signRaw, tamperSignature, unsigned } from './helpers.ts'

const NONCE = 'n-9f8e7d6c5b4a'
const AUD = 'did:web:counter.haidian.example'

async function fixture() {
  const edIssuer = await makeIdentity('EdDSA noble', 'key')
  const esIssuer = await makeIdentity('ES256 noble', 'jwk')
  const holder = await makeIdentity('ES256 WebCrypto', 'jwk')
  const stranger = await makeIdentity('ES256 WebCrypto', 'key')
  const vc = (issuer: typeof edIssuer, subjectDid: string, extra: Partial<Parameters<typeof issueVcJwt>[0]> = {}) =>
    issueVcJwt({ issuer, subjectDid, type: ['ResidencePermit'], credentialSubject: { district: 'Haidian' }, now: NOW - 100, validUntil: NOW + 86_400, ...extra })
  const creds = [await vc(edIssuer, holder.did), await vc(esIssuer, holder.did)]
  const base: IssueVpInput = { holder, credentials: creds, nonce: NONCE, aud: AUD, now: NOW }
  return { edIssuer, esIssuer, holder, stranger, vc, creds, base, vp: await issueVpJwt(base) }
}

describe('VP-JWT round trip', () => {
  it('WebCrypto did:jwk holder presenting an EdDSA did:key VC and an ES256 did:jwk VC', async () => {
    const f = await fixture()
    const v = await verifyVpJwt(f.vp, { nonce: NONCE, aud: AUD, now: NOW })
    if (!v.ok) throw new Error(`${v.code}: ${v.detail}`)
    expect(v.value.holder).toBe(f.holder.did)
    expect(v.value.kid).toBe(f.holder.kid)
    expect(v.value.nonce).toBe(NONCE)
    expect(v.value.aud).toEqual([AUD])
    expect(v.value.credentials.map((c) => [c.issuer, c.subject, c.alg])).toEqual([
      [f.edIssuer.did, f.holder.did, 'EdDSA'],
      [f.esIssuer.did, f.holder.did, 'ES256'],
    ])
    expect(parts(f.vp).payload).toMatchObject({ iss: f.holder.did, nonce: NONCE, aud: AUD, iat: NOW, exp: NOW + 300 })
  })

  it('a VP with no credentials proves only the holder key', async () => {
    const f = await fixture()
    const vp = await issueVpJwt({ ...f.base, credentials: [] })
    const v = await verifyVpJwt(vp, { nonce: NONCE, aud: AUD, now: NOW })
    expect(v.ok && v.value.credentials).toEqual([])
  })

  it('accepts aud as an array that names this verifier', async () => {
    const f = await fixture()
    const vp = await resignWith(f.vp, (p) => { p.aud = ['did:web:other', AUD] }, f.holder.signer)
    expect((await verifyVpJwt(vp, { nonce: NONCE, aud: AUD, now: NOW })).ok).toBe(true)
  })

  it('makes no network request while verifying', async () => {
    const f = await fixture()
    const fetchSpy = vi.fn(async () => { throw new Error('network used') })
    vi.stubGlobal('fetch', fetchSpy)
    const v = await verifyVpJwt(f.vp, { nonce: NONCE, aud: AUD, now: NOW })
    expect(v.ok).toBe(true)
    expect(fetchSpy).not.toHaveBeenCalled()
  })
  afterEach(() => { vi.unstubAllGlobals() })
})

describe('VP-JWT refusals (each with its exact code)', () => {
  type F = Awaited<ReturnType<typeof fixture>>
  const cases: [name: string, code: ErrorCode, make: (f: F) => Promise<string> | string, innerCode?: ErrorCode][] = [
    ['wrong nonce', 'ERR_VP_NONCE_MISMATCH', (f) => issueVpJwt({ ...f.base, nonce: 'replayed-nonce' })],
    ['no nonce claim', 'ERR_VP_NONCE_MISMATCH', (f) => resignWith(f.vp, (p) => { delete p.nonce }, f.holder.signer)],
    ['wrong aud', 'ERR_VP_AUD_MISMATCH', (f) => issueVpJwt({ ...f.base, aud: 'did:web:another-counter.example' })],
    ['no aud claim', 'ERR_VP_AUD_MISMATCH', (f) => resignWith(f.vp, (p) => { delete p.aud }, f.holder.signer)],
    ['tampered VP signature', 'ERR_VC_SIGNATURE_INVALID', (f) => tamperSignature(f.vp)],
    ['VP signed by a stranger for the holder', 'ERR_VC_SIGNATURE_INVALID', (f) => signRaw(parts(f.vp).header, parts(f.vp).payload, f.stranger.signer)],
    ['alg none VP', 'ERR_JWS_ALG_NOT_ALLOWED', (f) => unsigned({ alg: 'none', typ: 'JWT' }, parts(f.vp).payload, 'AA')],
    ['HS256 VP', 'ERR_JWS_ALG_NOT_ALLOWED', (f) => unsigned({ alg: 'HS256', typ: 'JWT' }, parts(f.vp).payload, 'AAAA')],
    ['duplicate nonce member', 'ERR_JSON_DUPLICATE_KEY', (f) => {
      const p = JSON.stringify(parts(f.vp).payload)
      return signRaw(parts(f.vp).header, `${p.slice(0, -1)},"nonce":"${NONCE}"}`, f.holder.signer)
    }],
    ['expired VP', 'ERR_VC_EXPIRED', (f) => issueVpJwt({ ...f.base, now: NOW - 1000, expiresIn: 300 })],
    ['VP holder of an unknown DID method', 'ERR_DID_UNSUPPORTED', (f) => resignWith(f.vp, (p) => { p.iss = 'did:web:holder.example' }, f.holder.signer)],
    ['vp.holder differs from iss', 'ERR_VP_INVALID', (f) => resignWith(f.vp, (p) => { (p.vp as Record<string, unknown>).holder = f.stranger.did }, f.holder.signer)],
    ['embedded credential that is an object', 'ERR_VP_INVALID', (f) => resignWith(f.vp, (p) => { (p.vp as Record<string, unknown>).verifiableCredential = [{ proof: {} }] }, f.holder.signer)],
    ['type without VerifiablePresentation', 'ERR_VP_INVALID', (f) => resignWith(f.vp, (p) => { (p.vp as Record<string, unknown>).type = ['VerifiableCredential'] }, f.holder.signer)],
    ['top-level verifiableCredential', 'ERR_VP_INVALID', (f) => resignWith(f.vp, (p) => { p.verifiableCredential = f.creds }, f.holder.signer)],
    ['17 credentials', 'ERR_VP_INVALID', (f) => issueVpJwt({ ...f.base, credentials: Array.from({ length: 17 }, () => f.creds[0]!) })],
    ['embedded VC with a tampered signature', 'ERR_VP_CREDENTIAL_INVALID', async (f) => issueVpJwt({ ...f.base, credentials: [f.creds[0]!, tamperSignature(f.creds[1]!)] }), 'ERR_VC_SIGNATURE_INVALID'],
    ['embedded VC that expired', 'ERR_VP_CREDENTIAL_INVALID', async (f) => issueVpJwt({ ...f.base, credentials: [await f.vc(f.edIssuer, f.holder.did, { now: NOW - 1000, validUntil: NOW - 500 })] }), 'ERR_VC_EXPIRED'],
    ['embedded VC with alg none', 'ERR_VP_CREDENTIAL_INVALID', async (f) => issueVpJwt({ ...f.base, credentials: [unsigned({ alg: 'none' }, parts(f.creds[0]!).payload, 'AA')] }), 'ERR_JWS_ALG_NOT_ALLOWED'],
    ['embedded VC for another subject', 'ERR_VP_HOLDER_MISMATCH', async (f) => issueVpJwt({ ...f.base, credentials: [f.creds[0]!, await f.vc(f.esIssuer, f.stranger.did)] })],
  ]

  it.each(cases)('%s → %s', async (_name, code, make, innerCode) => {
    const f = await fixture()
    const v = await verifyVpJwt(await make(f), { nonce: NONCE, aud: AUD, now: NOW })
    expect(v.ok ? 'ok' : `${v.code}: ${v.detail}`).toMatch(new RegExp(`^${code}: `))
    if (innerCode) expect(!v.ok && v.detail).toMatch(new RegExp(`^credential \\d+: ${innerCode}: `))
  })

  it('checks nonce and aud itself, before resolving any DID (not left to did-jwt-vc)', async () => {
    const f = await fixture()
    let calls = 0
    const counting = { resolve: (did: string) => { calls++; return defaultResolver().resolve(did) } }
    expect(await verifyVpJwt(f.vp, { nonce: 'other', aud: AUD, now: NOW, resolver: counting })).toMatchObject({ ok: false, code: 'ERR_VP_NONCE_MISMATCH' })
    expect(await verifyVpJwt(f.vp, { nonce: NONCE, aud: 'did:web:other', now: NOW, resolver: counting })).toMatchObject({ ok: false, code: 'ERR_VP_AUD_MISMATCH' })
    expect(calls).toBe(0)
    expect((await verifyVpJwt(f.vp, { nonce: NONCE, aud: AUD, now: NOW, resolver: counting })).ok).toBe(true)
    expect(calls).toBe(2 + 2 * 2) // VP: ours + did-jwt's; each of 2 VCs: ours + did-jwt's
  })

  it('documents the gap: did-jwt-vc alone verifies a VP with a forged embedded VC, and one carrying a stranger\'s VC', async () => {
    const f = await fixture()
    const forged = await issueVpJwt({ ...f.base, credentials: [tamperSignature(f.creds[0]!)] })
    const foreign = await issueVpJwt({ ...f.base, credentials: [await f.vc(f.esIssuer, f.stranger.did)] })
    for (const vp of [forged, foreign]) {
      const lib = await verifyPresentation(vp, defaultResolver(), { challenge: NONCE, domain: AUD, policies: { now: NOW } })
      expect(lib.verified).toBe(true)
    }
    expect(await verifyVpJwt(forged, { nonce: NONCE, aud: AUD, now: NOW })).toMatchObject({ ok: false, code: 'ERR_VP_CREDENTIAL_INVALID' })
    expect(await verifyVpJwt(foreign, { nonce: NONCE, aud: AUD, now: NOW })).toMatchObject({ ok: false, code: 'ERR_VP_HOLDER_MISMATCH' })
  })

  it('documents the gap: did-jwt-vc alone skips nonce and aud when not asked', async () => {
    const f = await fixture()
    const other = await issueVpJwt({ ...f.base, nonce: 'old', aud: 'did:web:elsewhere' })
    const lib = await verifyPresentation(other, defaultResolver(), { policies: { now: NOW, aud: false } })
    expect(lib.verified).toBe(true)
  })
})

describe('VP-JWT: nonce and aud are mandatory arguments', () => {
  it('verifyVpJwt throws TypeError without nonce, aud or now', async () => {
    const f = await fixture()
    await expect(verifyVpJwt(f.vp, { aud: AUD, now: NOW } as never)).rejects.toThrow(/nonce/)
    await expect(verifyVpJwt(f.vp, { nonce: NONCE, now: NOW } as never)).rejects.toThrow(/aud/)
    await expect(verifyVpJwt(f.vp, { nonce: '', aud: AUD, now: NOW })).rejects.toThrow(/nonce/)
    await expect(verifyVpJwt(f.vp, { nonce: NONCE, aud: AUD } as never)).rejects.toThrow(/now/)
    await expect(verifyVpJwt(f.vp, undefined as never)).rejects.toThrow(TypeError)
  })

  it('issueVpJwt throws TypeError without nonce or aud, or with a signer that is not the holder key', async () => {
    const f = await fixture()
    await expect(issueVpJwt({ ...f.base, nonce: undefined as never })).rejects.toThrow(/nonce/)
    await expect(issueVpJwt({ ...f.base, aud: '' })).rejects.toThrow(/aud/)
    await expect(issueVpJwt({ ...f.base, holder: { did: f.holder.did, signer: f.stranger.signer } })).rejects.toThrow(TypeError)
    await expect(issueVpJwt({ ...f.base, credentials: [42 as never] })).rejects.toThrow(TypeError)
  })
})
