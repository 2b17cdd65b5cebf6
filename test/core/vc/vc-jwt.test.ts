import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { verifyCredential } from 'did-jwt-vc'
import { encodeBase64url } from '../../../src/core/bytes/base64url.ts'
import { isErrorCode, type ErrorCode } from '../../../src/core/errors.ts'
import { issueVcJwt, verifyVcJwt, type IssueVcInput } from '../../../src/core/vc/vc-jwt.ts'
import { createResolver, defaultResolver } from '../../../src/core/vc/resolver.ts'
import { didDocumentOf, resolveDidKey } from '../../../src/core/crypto/did.ts'
import {
  NOW, P256_N, makeIdentity, truncatedDidKey, parts, resignWith, signRaw, tamperSignature, unsigned, vcPayload,
  type DidKind, type KeyKind,
} from './helpers.ts'

const COMBOS: [KeyKind, DidKind][] = [
  ['ES256 noble', 'key'], ['ES256 noble', 'jwk'],
  ['ES256 WebCrypto', 'key'], ['ES256 WebCrypto', 'jwk'],
  ['EdDSA noble', 'key'], ['EdDSA noble', 'jwk'],
]

async function fixture(kind: KeyKind = 'ES256 noble', didKind: DidKind = 'key') {
  const issuer = await makeIdentity(kind, didKind)
  const holder = await makeIdentity('ES256 WebCrypto', 'jwk')
  const input: IssueVcInput = {
    issuer: { did: issuer.did, signer: issuer.signer },
    subjectDid: holder.did,
    type: ['ResidencePermit'],
    credentialSubject: { name: 'Li Wei', district: 'Haidian' },
    validUntil: NOW + 86_400,
    id: 'urn:uuid:6a4b1c1e-0000-4000-8000-000000000001',
    now: NOW,
  }
  return { issuer, holder, input, jwt: await issueVcJwt(input) }
}

describe('VC-JWT round trips', () => {
  it.each(COMBOS)('%s issuer with did:%s', async (kind, didKind) => {
    const { issuer, holder, jwt } = await fixture(kind, didKind)
    const v = await verifyVcJwt(jwt, { now: NOW })
    if (!v.ok) throw new Error(`${v.code}: ${v.detail}`)
    expect(v.value.issuer).toBe(issuer.did)
    expect(v.value.subject).toBe(holder.did)
    expect(v.value.kid).toBe(issuer.kid)
    expect(v.value.alg).toBe(kind === 'EdDSA noble' ? 'EdDSA' : 'ES256')
    expect(v.value.type).toEqual(['VerifiableCredential', 'ResidencePermit'])
    expect(v.value.credentialSubject).toEqual({ name: 'Li Wei', district: 'Haidian', id: holder.did })
    expect(v.value.validFrom).toBe(NOW)
    expect(v.value.validUntil).toBe(NOW + 86_400)
    expect(v.value.id).toBe('urn:uuid:6a4b1c1e-0000-4000-8000-000000000001')
    expect(v.value.header).toEqual({ alg: v.value.alg, kid: issuer.kid, typ: 'JWT' })
  })

  it('writes the VCDM 1.1 JWT encoding: sub/nbf/exp/jti claims, no id inside credentialSubject', async () => {
    const { issuer, holder, jwt } = await fixture()
    expect(parts(jwt).payload).toEqual({
      iss: issuer.did,
      sub: holder.did,
      nbf: NOW,
      exp: NOW + 86_400,
      jti: 'urn:uuid:6a4b1c1e-0000-4000-8000-000000000001',
      vc: {
        '@context': ['https://www.w3.org/2018/credentials/v1'],
        type: ['VerifiableCredential', 'ResidencePermit'],
        credentialSubject: { name: 'Li Wei', district: 'Haidian' },
      },
    })
  })

  it('interoperates: did-jwt-vc alone verifies what we issue', async () => {
    const { issuer, jwt } = await fixture('EdDSA noble', 'jwk')
    const r = await verifyCredential(jwt, defaultResolver(), { policies: { now: NOW } })
    expect(r.verified).toBe(true)
    expect(r.issuer).toBe(issuer.did)
  })

  it('accepts high-S ES256 signatures from WebCrypto (and so does did-jwt)', async () => {
    const issuer = await makeIdentity('ES256 WebCrypto', 'key')
    const holder = await makeIdentity('ES256 noble', 'key')
    let highS = 0
    for (let i = 0; i < 24; i++) {
      const jwt = await issueVcJwt({ issuer, subjectDid: holder.did, type: ['T'], credentialSubject: { n: i }, now: NOW })
      const s = parts(jwt).signature.subarray(32)
      // s > n/2 ⇔ s > 0x7fffffff80000000 7fffffffffffffff de737d56d38bcf42 79dce5617e3192a8
      if (s[0]! > 0x7f || (s[0] === 0x7f && s[1]! === 0xff && s[2]! === 0xff && s[3]! === 0xff && s[4]! >= 0x80)) highS++
      const v = await verifyVcJwt(jwt, { now: NOW })
      expect(v.ok, `credential ${i}`).toBe(true)
    }
    expect(highS).toBeGreaterThan(0) // 2^-24 chance of a false failure
  })

  it('runs did-jwt-vc after its own checks: a resolver that changes its answer is caught by the library step', async () => {
    const real = await makeIdentity('ES256 noble', 'key')
    const other = await makeIdentity('ES256 noble', 'key')
    const did = 'did:example:flaky'
    let calls = 0
    const docFor = (jwkSource: typeof real) => {
      const r = resolveDidKey(jwkSource.did)
      return { ...didDocumentOf({ did, kid: `${did}#k1`, jwk: r.jwk }) }
    }
    const resolver = createResolver({
      example: async () => ({
        didResolutionMetadata: {},
        didDocumentMetadata: {},
        didDocument: (calls++ === 0 ? docFor(real) : docFor(other)) as never,
      }),
    })
    const jwt = await issueVcJwt({ issuer: { did, kid: `${did}#k1`, signer: real.signer }, subjectDid: other.did, type: ['T'], credentialSubject: { a: 1 }, now: NOW })
    const v = await verifyVcJwt(jwt, { now: NOW, resolver })
    expect(calls).toBe(2)
    expect(v).toMatchObject({ ok: false, code: 'ERR_VC_SIGNATURE_INVALID' })
    expect(v.ok || v.detail).toMatch(/^did-jwt-vc \(vc\): invalid_signature/)
  })

  it('refuses a tampered signature with its own check, before did-jwt-vc resolves anything', async () => {
    const { jwt } = await fixture()
    let calls = 0
    const counting = { resolve: (did: string) => { calls++; return defaultResolver().resolve(did) } }
    expect((await verifyVcJwt(jwt, { now: NOW, resolver: counting })).ok).toBe(true)
    expect(calls).toBe(2) // ours, then did-jwt's
    calls = 0
    expect(await verifyVcJwt(tamperSignature(jwt), { now: NOW, resolver: counting })).toMatchObject({ ok: false, code: 'ERR_VC_SIGNATURE_INVALID' })
    expect(calls).toBe(1)
  })
})

describe('VC-JWT refusals (each with its exact code)', () => {
  type Case = [name: string, code: ErrorCode, make: (f: Awaited<ReturnType<typeof fixture>>) => Promise<unknown> | unknown]
  const hs256 = (input: string) => encodeBase64url(createHmac('sha256', 'public-key-as-secret').update(input).digest())
  const cases: Case[] = [
    ['tampered signature', 'ERR_VC_SIGNATURE_INVALID', (f) => tamperSignature(f.jwt)],
    ['alg none with a dummy signature', 'ERR_JWS_ALG_NOT_ALLOWED', (f) => unsigned({ alg: 'none', typ: 'JWT' }, parts(f.jwt).payload, 'AA')],
    ['alg none, empty signature', 'ERR_JWS_ALG_NOT_ALLOWED', (f) => unsigned({ alg: 'none' }, parts(f.jwt).payload, '')],
    ['alg NONE (casing)', 'ERR_JWS_ALG_NOT_ALLOWED', (f) => unsigned({ alg: 'NONE' }, parts(f.jwt).payload, 'AA')],
    ['HS256 with the public key as secret', 'ERR_JWS_ALG_NOT_ALLOWED', (f) => {
      const input = `${encodeBase64url(new TextEncoder().encode('{"alg":"HS256","typ":"JWT"}'))}.${f.jwt.split('.')[1]}`
      return `${input}.${hs256(input)}`
    }],
    ['ES256K (did-jwt would accept it)', 'ERR_JWS_ALG_NOT_ALLOWED', (f) => signRaw({ alg: 'ES256K', typ: 'JWT' }, parts(f.jwt).payload, f.issuer.signer)],
    ['alg "Ed25519" (did-jwt alias)', 'ERR_JWS_ALG_NOT_ALLOWED', (f) => signRaw({ alg: 'Ed25519', typ: 'JWT' }, parts(f.jwt).payload, f.issuer.signer)],
    ['crit header', 'ERR_JWS_CRIT_UNSUPPORTED', (f) => signRaw({ alg: 'ES256', typ: 'JWT', crit: ['exp'] }, parts(f.jwt).payload, f.issuer.signer)],
    ['cty JWT (nested token)', 'ERR_JWS_HEADER_INVALID', (f) => signRaw({ alg: 'ES256', typ: 'JWT', cty: 'JWT' }, parts(f.jwt).payload, f.issuer.signer)],
    ['typ of another use', 'ERR_JWS_TYP_MISMATCH', (f) => signRaw({ alg: 'ES256', typ: 'dc+sd-jwt' }, parts(f.jwt).payload, f.issuer.signer)],
    ['duplicate JSON member in the payload (signed)', 'ERR_JSON_DUPLICATE_KEY', (f) => {
      const p = JSON.stringify(parts(f.jwt).payload)
      return signRaw({ alg: 'ES256', typ: 'JWT' }, `${p.slice(0, -1)},"sub":"did:key:zAttacker"}`, f.issuer.signer)
    }],
    ['duplicate JSON member in the header', 'ERR_JSON_DUPLICATE_KEY', (f) => signRaw('{"alg":"ES256","alg":"ES256","typ":"JWT"}', parts(f.jwt).payload, f.issuer.signer)],
    ['padded base64url signature', 'ERR_B64_INVALID', (f) => `${f.jwt}=`],
    ['non-canonical trailing bits in the signature', 'ERR_B64_INVALID', (f) => {
      // 64 bytes → 86 chars, the last carries 4 unused bits
      const last = f.jwt.at(-1)!
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
      return f.jwt.slice(0, -1) + alphabet[alphabet.indexOf(last) | 1]
    }],
    ['signature s = n (out of range)', 'ERR_JWS_SIGNATURE_MALFORMED', (f) => {
      const sig = new Uint8Array(64)
      sig.set(parts(f.jwt).signature.subarray(0, 32))
      sig.set(P256_N, 32)
      return `${f.jwt.slice(0, f.jwt.lastIndexOf('.'))}.${encodeBase64url(sig)}`
    }],
    ['expired VC', 'ERR_VC_EXPIRED', async (f) => issueVcJwt({ ...f.input, validFrom: NOW - 1000, validUntil: NOW - 61, now: NOW - 1000 })],
    ['VC not yet valid', 'ERR_VC_EXPIRED', async (f) => issueVcJwt({ ...f.input, validFrom: NOW + 61, validUntil: NOW + 1000 })],
    ['iat in the future', 'ERR_VC_EXPIRED', (f) => resignWith(f.jwt, (p) => { p.iat = NOW + 3600 }, f.issuer.signer)],
    ['exp = 0 (did-jwt skips falsy exp)', 'ERR_TIME_CLAIM_INVALID', (f) => resignWith(f.jwt, (p) => { p.exp = 0; p.nbf = 0 }, f.issuer.signer)],
    ['exp as a string', 'ERR_TIME_CLAIM_INVALID', (f) => resignWith(f.jwt, (p) => { p.exp = String(NOW - 5000) }, f.issuer.signer)],
    ['nbf in milliseconds', 'ERR_TIME_CLAIM_INVALID', (f) => resignWith(f.jwt, (p) => { p.nbf = NOW * 1000; delete p.exp }, f.issuer.signer)],
    ['unknown DID method as issuer', 'ERR_DID_UNSUPPORTED', async (f) => signRaw({ alg: 'ES256', typ: 'JWT' }, vcPayload('did:web:issuer.example', f.holder.did), f.issuer.signer)],
    ['did:constructor (prototype name) as issuer', 'ERR_DID_UNSUPPORTED', async (f) => signRaw({ alg: 'ES256', typ: 'JWT' }, vcPayload('did:constructor:x', f.holder.did), f.issuer.signer)],
    ['malformed did:key (not base58btc)', 'ERR_DID_INVALID', async (f) => signRaw({ alg: 'ES256', typ: 'JWT' }, vcPayload('did:key:z0OIl0OIl', f.holder.did), f.issuer.signer)],
    ['malformed did:key (truncated)', 'ERR_DID_INVALID', async (f) => signRaw({ alg: 'ES256', typ: 'JWT' }, vcPayload(truncatedDidKey(), f.holder.did), f.issuer.signer)],
    ['issuer that is not a DID', 'ERR_VC_INVALID', async (f) => signRaw({ alg: 'ES256', typ: 'JWT' }, vcPayload('https://self-issued.me/v2', f.holder.did), f.issuer.signer)],
    ['issuer DID URL with fragment', 'ERR_VC_INVALID', async (f) => signRaw({ alg: 'ES256', typ: 'JWT' }, vcPayload(f.issuer.kid, f.holder.did), f.issuer.signer)],
    ['signed by another key than iss', 'ERR_VC_SIGNATURE_INVALID', async (f) => signRaw({ alg: 'ES256', typ: 'JWT' }, vcPayload(f.issuer.did, f.holder.did), (await makeIdentity('ES256 noble')).signer)],
    ['ES256 header, Ed25519 issuer DID', 'ERR_KEY_ALG_MISMATCH', async (f) => {
      const ed = await makeIdentity('EdDSA noble')
      return signRaw({ alg: 'ES256', typ: 'JWT' }, vcPayload(ed.did, f.holder.did), f.issuer.signer)
    }],
    ['kid of another DID', 'ERR_JWS_HEADER_INVALID', async (f) => signRaw({ alg: 'ES256', typ: 'JWT', kid: f.holder.kid }, vcPayload(f.issuer.did, f.holder.did), f.issuer.signer)],
    ['kid naming no key of the issuer', 'ERR_DID_NOT_FOUND', async (f) => signRaw({ alg: 'ES256', typ: 'JWT', kid: `${f.issuer.did}#nope` }, vcPayload(f.issuer.did, f.holder.did), f.issuer.signer)],
    ['sub and credentialSubject.id disagree', 'ERR_VC_INVALID', (f) => resignWith(f.jwt, (p) => { (p.vc as { credentialSubject: Record<string, unknown> }).credentialSubject.id = f.issuer.did }, f.issuer.signer)],
    ['top-level credentialSubject merged by did-jwt-vc', 'ERR_VC_INVALID', (f) => resignWith(f.jwt, (p) => { p.credentialSubject = { name: 'Mallory' } }, f.issuer.signer)],
    ['legacy attestation claim', 'ERR_VC_INVALID', (f) => resignWith(f.jwt, (p) => { p.claim = { name: 'Mallory' }; p.iat = NOW }, f.issuer.signer)],
    ['vc.issuer beside iss', 'ERR_VC_INVALID', (f) => resignWith(f.jwt, (p) => { (p.vc as Record<string, unknown>).issuer = 'did:key:zOther' }, f.issuer.signer)],
    ['no sub', 'ERR_VC_INVALID', (f) => resignWith(f.jwt, (p) => { delete p.sub }, f.issuer.signer)],
    ['no vc member', 'ERR_VC_INVALID', (f) => resignWith(f.jwt, (p) => { delete p.vc }, f.issuer.signer)],
    ['VCDM 2.0 context only', 'ERR_VC_INVALID', (f) => resignWith(f.jwt, (p) => { (p.vc as Record<string, unknown>)['@context'] = ['https://www.w3.org/ns/credentials/v2'] }, f.issuer.signer)],
    ['type without VerifiableCredential', 'ERR_VC_INVALID', (f) => resignWith(f.jwt, (p) => { (p.vc as Record<string, unknown>).type = ['ResidencePermit'] }, f.issuer.signer)],
    ['credentialSubject as an array', 'ERR_VC_INVALID', (f) => resignWith(f.jwt, (p) => { (p.vc as Record<string, unknown>).credentialSubject = [{ name: 'a' }] }, f.issuer.signer)],
    ['no nbf (issuanceDate)', 'ERR_VC_INVALID', (f) => resignWith(f.jwt, (p) => { delete p.nbf }, f.issuer.signer)],
    ['aud on a VC', 'ERR_VC_INVALID', (f) => resignWith(f.jwt, (p) => { p.aud = 'did:web:counter' }, f.issuer.signer)],
    ['payload that is not an object', 'ERR_JSON_NOT_OBJECT', (f) => signRaw({ alg: 'ES256', typ: 'JWT' }, '[1,2]', f.issuer.signer)],
    ['two parts only', 'ERR_JWS_MALFORMED', (f) => f.jwt.slice(0, f.jwt.lastIndexOf('.'))],
    ['not a string', 'ERR_JWS_MALFORMED', () => 12345],
    ['SD-JWT combined form', 'ERR_B64_INVALID', (f) => `${f.jwt}~WyJzYWx0IiwibmFtZSIsIngiXQ~`],
  ]

  it.each(cases)('%s → %s', async (_name, code, make) => {
    const f = await fixture()
    const token = await make(f)
    const v = await verifyVcJwt(token, { now: NOW })
    expect(v.ok ? 'ok' : `${v.code}: ${v.detail}`).toMatch(new RegExp(`^${code}: `))
  })

  it('too long for the cap → ERR_JWS_TOO_LARGE', async () => {
    const f = await fixture()
    const v = await verifyVcJwt(f.jwt, { now: NOW, maxLength: f.jwt.length - 1 })
    expect(v).toMatchObject({ ok: false, code: 'ERR_JWS_TOO_LARGE' })
    expect((await verifyVcJwt(f.jwt, { now: NOW, maxLength: f.jwt.length })).ok).toBe(true)
  })

  it('skew: exp within the default 60 s passes, beyond fails; skewSeconds widens it', async () => {
    const f = await fixture()
    const jwt = await issueVcJwt({ ...f.input, validFrom: NOW - 1000, validUntil: NOW - 59, now: NOW - 1000 })
    expect((await verifyVcJwt(jwt, { now: NOW })).ok).toBe(true)
    expect(await verifyVcJwt(jwt, { now: NOW + 2 })).toMatchObject({ ok: false, code: 'ERR_VC_EXPIRED' })
    expect((await verifyVcJwt(jwt, { now: NOW + 2, skewSeconds: 120 })).ok).toBe(true)
  })

  it('documents the gap: did-jwt-vc alone accepts exp = 0 and duplicate members, which we refuse', async () => {
    const f = await fixture()
    const zeroExp = await resignWith(f.jwt, (p) => { p.exp = 0 }, f.issuer.signer)
    expect((await verifyCredential(zeroExp, defaultResolver(), { policies: { now: NOW } })).verified).toBe(true)
    expect(await verifyVcJwt(zeroExp, { now: NOW })).toMatchObject({ ok: false, code: 'ERR_TIME_CLAIM_INVALID' })
    const p = JSON.stringify(parts(f.jwt).payload)
    const dup = await signRaw({ alg: 'ES256', typ: 'JWT' }, `${p.slice(0, -1)},"jti":"urn:second"}`, f.issuer.signer)
    expect((await verifyCredential(dup, defaultResolver(), { policies: { now: NOW } })).verified).toBe(true)
  })

  it('never throws on attacker data: every one-character mutation is refused with a catalogued code', async () => {
    const f = await fixture('EdDSA noble', 'jwk')
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~='
    for (let i = 0; i < f.jwt.length; i += 5) {
      const c = alphabet[(alphabet.indexOf(f.jwt[i]!) + 7) % alphabet.length]!
      const token = f.jwt.slice(0, i) + c + f.jwt.slice(i + 1)
      const v = await verifyVcJwt(token, { now: NOW })
      expect(v.ok, `mutation at ${i}`).toBe(false)
      if (!v.ok) expect(isErrorCode(v.code), v.code).toBe(true)
    }
  })
})

describe('VC-JWT programmer errors throw TypeError', () => {
  it('verify without now, or with milliseconds', async () => {
    const f = await fixture()
    await expect(verifyVcJwt(f.jwt, {} as never)).rejects.toThrow(TypeError)
    await expect(verifyVcJwt(f.jwt, { now: NOW * 1000 })).rejects.toThrow(/seconds/)
    await expect(verifyVcJwt(f.jwt, { now: NOW, skewSeconds: -1 })).rejects.toThrow(TypeError)
  })

  it('issue with a signer whose key is not the DID key', async () => {
    const f = await fixture()
    const other = await makeIdentity('ES256 noble')
    await expect(issueVcJwt({ ...f.input, issuer: { did: f.issuer.did, signer: other.signer } })).rejects.toThrow(/not the key of the signer did/)
  })

  it('issue with inconsistent subject, times, or an empty subject', async () => {
    const f = await fixture()
    await expect(issueVcJwt({ ...f.input, credentialSubject: { id: f.issuer.did, a: 1 } })).rejects.toThrow(TypeError)
    await expect(issueVcJwt({ ...f.input, validUntil: NOW })).rejects.toThrow(TypeError)
    await expect(issueVcJwt({ ...f.input, now: Date.now() })).rejects.toThrow(TypeError)
    await expect(issueVcJwt({ ...f.input, credentialSubject: {} })).rejects.toThrow(TypeError)
    await expect(issueVcJwt({ ...f.input, subjectDid: 'alice' })).rejects.toThrow(TypeError)
  })
})
