// Strict compact JWS (RFC 7515 §7.1): the RFC 7515 §A.3 ES256 example verifies (its signature is
// high-S), the RFC 8037 §A.4 EdDSA example's signature checks; the alg allow-list, crit, typ
// (§4.1.9), structure and size are enforced while parsing; keys come only from the caller.
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { decodeBase64url, encodeBase64url } from '../../../src/core/bytes/base64url.ts'
import { encodeUtf8 } from '../../../src/core/bytes/utf8.ts'
import { generatePrivateJwk, publicJwkOf } from '../../../src/core/crypto/jwk.ts'
import { PublicKey, signerFromPrivateJwk } from '../../../src/core/crypto/keys.ts'
import { InputError } from '../../../src/core/errors.ts'
import {
  checkJwsSignature, parseProtectedHeader, DEFAULT_MAX_JWS_LENGTH, parseCompactJws, signCompactJws, verifyCompactJws,
  type CompactJws,
} from '../../../src/core/jose/jws.ts'
import { testKey } from '../../support/keys.ts'
import { codeOf } from '../../support/codes.ts'

const enc = (s: string) => encodeBase64url(encodeUtf8(s))
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n

// RFC 7515 §A.3 (ES256).
const A3_KEY = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }
const A3_D = 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI'
const A3_JWS = 'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q'
// The low-S twin of the §A.3 signature, as another implementation published it.
const A3_LOW_S = 'DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmU69fgrc8OPGycO0lD3tat_FoFp57SETepkeks4eL_QfA'

// RFC 8037 §A.4 (EdDSA); its payload is not JSON, so only the signature is checked here.
const A4_KEY = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }
const A4_JWS = 'eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg'

const es = testKey('ES256')
const ed = testKey('EdDSA')

describe('RFC examples', () => {
  it('RFC 7515 §A.3 verifies; header and payload are as published', async () => {
    const v = await verifyCompactJws(A3_JWS, PublicKey.fromJwk(A3_KEY))
    if (!v.ok) throw new Error(`${v.code}: ${v.detail}`)
    expect(v.value.alg).toBe('ES256')
    expect(v.value.header).toStrictEqual({ alg: 'ES256' })
    expect(v.value.payload).toStrictEqual({ iss: 'joe', exp: 1300819380, 'http://example.com/is_root': true })
  })

  it('RFC 7515 §A.3: its signature is high-S, and the low-S twin n − s verifies too', async () => {
    const [h, p, s] = A3_JWS.split('.')
    const sig = decodeBase64url(s!)
    const sv = BigInt(`0x${Buffer.from(sig.subarray(32)).toString('hex')}`)
    expect(sv > P256_N / 2n).toBe(true)
    const twin = Uint8Array.from([...sig.subarray(0, 32), ...Buffer.from((P256_N - sv).toString(16).padStart(64, '0'), 'hex')])
    expect(encodeBase64url(twin)).toBe(A3_LOW_S)
    expect(await verifyCompactJws(`${h}.${p}.${A3_LOW_S}`, PublicKey.fromJwk(A3_KEY))).toMatchObject({ ok: true })
  })

  it('RFC 7515 §A.3 fails under another key and after any change to the payload', async () => {
    expect(await verifyCompactJws(A3_JWS, es.publicKey)).toMatchObject({ ok: false, code: 'ERR_JWS_SIGNATURE_INVALID' })
    const [h, , s] = A3_JWS.split('.')
    expect(await verifyCompactJws(`${h}.${enc('{"iss":"joe"}')}.${s}`, PublicKey.fromJwk(A3_KEY))).toMatchObject({ ok: false, code: 'ERR_JWS_SIGNATURE_INVALID' })
  })

  it('RFC 7515 §A.3: the example private key signs tokens the public key verifies', async () => {
    const t = await signCompactJws({}, { iss: 'joe' }, signerFromPrivateJwk({ ...A3_KEY, d: A3_D }))
    expect(await verifyCompactJws(t, PublicKey.fromJwk(A3_KEY))).toMatchObject({ ok: true })
  })

  it('RFC 8037 §A.4: the signature checks; the non-JSON payload is refused by this JSON-only parser', async () => {
    const [h, p, s] = A4_JWS.split('.')
    const jws: CompactJws = { header: { alg: 'EdDSA' }, payload: {}, alg: 'EdDSA', signingInput: `${h}.${p}`, signature: decodeBase64url(s!) }
    expect(await checkJwsSignature(jws, PublicKey.fromJwk(A4_KEY))).toStrictEqual({ ok: true, value: true })
    expect(await verifyCompactJws(A4_JWS, PublicKey.fromJwk(A4_KEY))).toMatchObject({ ok: false, code: 'ERR_JSON_SYNTAX' })
  })
})

describe('signCompactJws → verifyCompactJws', () => {
  it.each([['ES256', es], ['EdDSA', ed]] as const)('%s round-trips', async (alg, k) => {
    const t = await signCompactJws({ typ: 'JWT', kid: 'k1' }, { sub: 'ada', n: 1 }, k.signer)
    const v = await verifyCompactJws(t, k.publicKey, { typ: 'JWT' })
    if (!v.ok) throw new Error(`${v.code}: ${v.detail}`)
    expect(v.value.header).toStrictEqual({ alg, typ: 'JWT', kid: 'k1' })
    expect(v.value.payload).toStrictEqual({ sub: 'ada', n: 1 })
    expect(v.value.signingInput).toBe(t.slice(0, t.lastIndexOf('.')))
  })

  it('the signer, not the header argument, decides alg', async () => {
    const t = await signCompactJws({ alg: 'none' }, { a: 1 }, es.signer)
    expect(JSON.parse(Buffer.from(t.split('.')[0]!, 'base64url').toString())).toStrictEqual({ alg: 'ES256' })
    expect(await verifyCompactJws(t, es.publicKey)).toMatchObject({ ok: true })
  })

  it('agrees with node:crypto (raw r‖s, IEEE P1363) both ways', async () => {
    const jwk = generatePrivateJwk('ES256')
    const nodePriv = createPrivateKey({ key: { ...jwk }, format: 'jwk' })
    const nodePub = createPublicKey({ key: { ...publicJwkOf(jwk) }, format: 'jwk' })
    const ours = await signCompactJws({}, { a: 1 }, signerFromPrivateJwk(jwk))
    const [h, p, s] = ours.split('.')
    expect(nodeVerify('sha256', encodeUtf8(`${h}.${p}`), { key: nodePub, dsaEncoding: 'ieee-p1363' }, decodeBase64url(s!))).toBe(true)
    const theirs = `${h}.${p}.${encodeBase64url(nodeSign('sha256', encodeUtf8(`${h}.${p}`), { key: nodePriv, dsaEncoding: 'ieee-p1363' }))}`
    expect(await verifyCompactJws(theirs, PublicKey.fromJwk(publicJwkOf(jwk)))).toMatchObject({ ok: true })
    // the same signature DER-encoded (valid for node in that encoding) is refused by shape
    const der = nodeSign('sha256', encodeUtf8(`${h}.${p}`), { key: nodePriv, dsaEncoding: 'der' })
    expect(nodeVerify('sha256', encodeUtf8(`${h}.${p}`), { key: nodePub, dsaEncoding: 'der' }, der)).toBe(true)
    expect(await verifyCompactJws(`${h}.${p}.${encodeBase64url(der)}`, PublicKey.fromJwk(publicJwkOf(jwk)))).toMatchObject({ ok: false, code: 'ERR_JWS_SIGNATURE_MALFORMED' })
  })
})

describe('parseProtectedHeader', () => {
  it.each<[string, Record<string, unknown>, string | undefined, string | undefined]>([
    ['ES256', { alg: 'ES256' }, undefined, undefined],
    ['EdDSA', { alg: 'EdDSA' }, undefined, undefined],
    ['none', { alg: 'none' }, undefined, 'ERR_JWS_ALG_NOT_ALLOWED'],
    ['NONE', { alg: 'NONE' }, undefined, 'ERR_JWS_ALG_NOT_ALLOWED'],
    ['HS256', { alg: 'HS256' }, undefined, 'ERR_JWS_ALG_NOT_ALLOWED'],
    ['RS256', { alg: 'RS256' }, undefined, 'ERR_JWS_ALG_NOT_ALLOWED'],
    ['es256 (case matters, RFC 7515 §4.1.1)', { alg: 'es256' }, undefined, 'ERR_JWS_ALG_NOT_ALLOWED'],
    ['alg missing', {}, undefined, 'ERR_JWS_HEADER_INVALID'],
    ['alg null', { alg: null }, undefined, 'ERR_JWS_HEADER_INVALID'],
    ['crit with an extension', { alg: 'ES256', crit: ['x'], x: 1 }, undefined, 'ERR_JWS_CRIT_UNSUPPORTED'],
    ['crit b64', { alg: 'ES256', crit: ['b64'], b64: false }, undefined, 'ERR_JWS_CRIT_UNSUPPORTED'],
    ['crit empty', { alg: 'ES256', crit: [] }, undefined, 'ERR_JWS_HEADER_INVALID'],
    ['crit with a number', { alg: 'ES256', crit: [1] }, undefined, 'ERR_JWS_HEADER_INVALID'],
    ['b64 true without crit', { alg: 'ES256', b64: true }, undefined, 'ERR_JWS_HEADER_INVALID'],
    ['kid a number', { alg: 'ES256', kid: 1 }, undefined, 'ERR_JWS_HEADER_INVALID'],
    ['typ a number', { alg: 'ES256', typ: 1 }, undefined, 'ERR_JWS_HEADER_INVALID'],
    ['typ as required', { alg: 'ES256', typ: 'kb+jwt' }, 'kb+jwt', undefined],
    ['typ differing in case (§4.1.9)', { alg: 'ES256', typ: 'KB+JWT' }, 'kb+jwt', undefined],
    ['typ with application/ (§4.1.9)', { alg: 'ES256', typ: 'application/kb+jwt' }, 'kb+jwt', undefined],
    ['typ APPLICATION/ prefix', { alg: 'ES256', typ: 'Application/KB+JWT' }, 'kb+jwt', undefined],
    ['typ required, missing', { alg: 'ES256' }, 'kb+jwt', 'ERR_JWS_TYP_MISMATCH'],
    ['typ required, other', { alg: 'ES256', typ: 'JWT' }, 'kb+jwt', 'ERR_JWS_TYP_MISMATCH'],
    ['typ with a suffix', { alg: 'ES256', typ: 'kb+jwt; charset=x' }, 'kb+jwt', 'ERR_JWS_TYP_MISMATCH'],
    ['typ with another prefix', { alg: 'ES256', typ: 'text/kb+jwt' }, 'kb+jwt', 'ERR_JWS_TYP_MISMATCH'],
  ])('%s', (_name, header, typ, code) => {
    const got = codeOf(() => parseProtectedHeader(header as never, typ))
    expect(got).toBe(code)
  })

  it('returns the alg', () => {
    expect(parseProtectedHeader({ alg: 'EdDSA', typ: 'x' })).toBe('EdDSA')
  })
})

describe('parseCompactJws', () => {
  const ok = `${enc('{"alg":"ES256"}')}.${enc('{"a":1}')}.${encodeBase64url(new Uint8Array(64).fill(1))}`

  it.each<[string, string, string]>([
    ['empty', '', 'ERR_JWS_MALFORMED'],
    ['one part', 'abc', 'ERR_JWS_MALFORMED'],
    ['two parts', ok.slice(0, ok.lastIndexOf('.')), 'ERR_JWS_MALFORMED'],
    ['four parts', `${ok}.x`, 'ERR_JWS_MALFORMED'],
    ['five parts (a JWE)', `${ok}.x.y`, 'ERR_JWS_MALFORMED'],
    ['empty header', ok.slice(ok.indexOf('.')), 'ERR_JWS_MALFORMED'],
    ['empty payload (detached, RFC 7515 §F)', `${ok.split('.')[0]}..${ok.split('.')[2]}`, 'ERR_JWS_MALFORMED'],
    ['empty signature', ok.slice(0, ok.lastIndexOf('.') + 1), 'ERR_JWS_MALFORMED'],
    ['header not JSON', `${enc('alg=ES256')}.${enc('{}')}.AAAA`, 'ERR_JSON_SYNTAX'],
    ['header an array', `${enc('["ES256"]')}.${enc('{}')}.AAAA`, 'ERR_JSON_NOT_OBJECT'],
    ['header not UTF-8', `${encodeBase64url(Uint8Array.of(0x7b, 0xc0, 0x7d))}.${enc('{}')}.AAAA`, 'ERR_UTF8_INVALID'],
    ['header nested 9 deep', `${enc(`{"alg":"ES256","x":${'['.repeat(8)}${']'.repeat(8)}}`)}.${enc('{}')}.AAAA`, 'ERR_JSON_TOO_DEEP'],
    ['payload a string', `${enc('{"alg":"ES256"}')}.${enc('"x"')}.AAAA`, 'ERR_JSON_NOT_OBJECT'],
    ['payload duplicate members', `${enc('{"alg":"ES256"}')}.${enc('{"a":1,"a":2}')}.AAAA`, 'ERR_JSON_DUPLICATE_KEY'],
    ['payload nested 33 deep', `${enc('{"alg":"ES256"}')}.${enc(`{"x":${'['.repeat(32)}${']'.repeat(32)}}`)}.AAAA`, 'ERR_JSON_TOO_DEEP'],
    ['signature padded', `${ok}==`, 'ERR_B64_INVALID'],
    ['header with white space', ` ${ok}`, 'ERR_B64_INVALID'],
    ['alg checked before the payload is read', `${enc('{"alg":"none"}')}.${enc('not json')}.AAAA`, 'ERR_JWS_ALG_NOT_ALLOWED'],
  ])('%s → %s', (_name, token, code) => {
    expect(codeOf(() => parseCompactJws(token))).toBe(code)
  })

  it('checks the length first, against the default or the caller cap', () => {
    expect(DEFAULT_MAX_JWS_LENGTH).toBe(65_536)
    expect(codeOf(() => parseCompactJws('.'.repeat(DEFAULT_MAX_JWS_LENGTH + 1)))).toBe('ERR_JWS_TOO_LARGE')
    expect(codeOf(() => parseCompactJws('.'.repeat(DEFAULT_MAX_JWS_LENGTH)))).toBe('ERR_JWS_MALFORMED')
    expect(codeOf(() => parseCompactJws(ok, { maxLength: ok.length }))).toBeUndefined()
    expect(codeOf(() => parseCompactJws(ok, { maxLength: ok.length - 1 }))).toBe('ERR_JWS_TOO_LARGE')
  })

  it('keeps the signing input exactly as received', () => {
    const jws = parseCompactJws(ok)
    expect(jws.signingInput).toBe(ok.slice(0, ok.lastIndexOf('.')))
    expect(jws.signature).toStrictEqual(new Uint8Array(64).fill(1))
  })
})

describe('verifyCompactJws', () => {
  it('never uses a key from the header', async () => {
    const attacker = testKey('ES256')
    const t = await signCompactJws({ jwk: attacker.signer.publicJwk, kid: 'attacker' }, { a: 1 }, attacker.signer)
    expect(await verifyCompactJws(t, es.publicKey)).toMatchObject({ ok: false, code: 'ERR_JWS_SIGNATURE_INVALID' })
  })

  it('a resolver picks among trusted keys by the unverified header; unknown → ERR_JWS_KEY_UNKNOWN', async () => {
    const trusted: Record<string, PublicKey> = { es: es.publicKey, ed: ed.publicKey }
    const resolver = (j: CompactJws) => (typeof j.header.kid === 'string' && Object.hasOwn(trusted, j.header.kid) ? trusted[j.header.kid]! : null)
    expect(await verifyCompactJws(await signCompactJws({ kid: 'ed' }, { a: 1 }, ed.signer), resolver)).toMatchObject({ ok: true })
    expect(await verifyCompactJws(await signCompactJws({ kid: 'es' }, { a: 1 }, es.signer), resolver)).toMatchObject({ ok: true })
    expect(await verifyCompactJws(await signCompactJws({ kid: 'zz' }, { a: 1 }, es.signer), resolver)).toMatchObject({ ok: false, code: 'ERR_JWS_KEY_UNKNOWN' })
    expect(await verifyCompactJws(await signCompactJws({ kid: 'es' }, { a: 1 }, ed.signer), resolver)).toMatchObject({ ok: false, code: 'ERR_KEY_ALG_MISMATCH' })
    expect(await verifyCompactJws(await signCompactJws({ kid: 'ed' }, { a: 1 }, testKey('EdDSA').signer), resolver)).toMatchObject({ ok: false, code: 'ERR_JWS_SIGNATURE_INVALID' })
  })

  it('a resolver refusing with an InputError gives its code; a resolver bug is not swallowed', async () => {
    const t = await signCompactJws({}, { a: 1 }, es.signer)
    expect(await verifyCompactJws(t, () => { throw new InputError('ERR_DID_NOT_FOUND', 'no such issuer') })).toMatchObject({ ok: false, code: 'ERR_DID_NOT_FOUND' })
    await expect(verifyCompactJws(t, () => { throw new TypeError('bug') })).rejects.toThrow(TypeError)
  })

  it('the typ option is enforced', async () => {
    const t = await signCompactJws({ typ: 'JWT' }, { a: 1 }, es.signer)
    expect(await verifyCompactJws(t, es.publicKey, { typ: 'kb+jwt' })).toMatchObject({ ok: false, code: 'ERR_JWS_TYP_MISMATCH' })
  })

  it('returns verdicts for random garbage and never throws', async () => {
    const chars = 'eyJhbGciOiJFUzI1NiJ9.~=+/ {}"\\'
    for (let i = 0; i < 500; i++) {
      let t = ''
      for (let k = 0; k < (i % 80); k++) t += chars[(i * 7 + k * 13 + ((i * k) % 11)) % chars.length]
      const v = await verifyCompactJws(t, es.publicKey)
      expect(v.ok).toBe(false)
    }
  })

  it('checkJwsSignature reports shape problems before curve work', async () => {
    const t = await signCompactJws({}, { a: 1 }, es.signer)
    const jws = parseCompactJws(t)
    expect(await checkJwsSignature({ ...jws, signature: jws.signature.subarray(0, 63) }, es.publicKey)).toMatchObject({ ok: false, code: 'ERR_JWS_SIGNATURE_MALFORMED' })
    expect(await checkJwsSignature({ ...jws, signature: new Uint8Array(64) }, es.publicKey)).toMatchObject({ ok: false, code: 'ERR_JWS_SIGNATURE_MALFORMED' })
    expect(await checkJwsSignature(jws, es.publicKey)).toStrictEqual({ ok: true, value: true })
  })
})
