// JWKs for ES256 and EdDSA: RFC 7638 thumbprints (checked with RFC 8037 §A.3, since the RFC 7638
// §3.1 example is an RSA key, which is refused here), strict public-key parsing (exact lengths,
// canonical base64url, on the curve, no small-order Ed25519 point — all 14 encodings of Table 6b
// of "Taming the many EdDSAs"), and private keys whose d must match.
import { describe, expect, it } from 'vitest'
import { encodeBase64url } from '../../../src/core/bytes/base64url.ts'
import { InputError } from '../../../src/core/errors.ts'
import {
  algOfJwk, canonicalJwkJson, generatePrivateJwk, jwkThumbprint, parsePrivateJwk, parsePublicJwk, publicJwkOf, sameJwk,
  type PrivateJwk,
} from '../../../src/core/crypto/jwk.ts'
import { codeOf } from '../../support/codes.ts'

const b64 = (hex: string) => encodeBase64url(Uint8Array.from(Buffer.from(hex, 'hex')))
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
/** The same bytes with the last character's unused low bit set (43 characters for 32 bytes). */
const dirty = (t: string) => t.slice(0, -1) + ALPHABET[ALPHABET.indexOf(t.at(-1)!) | 1]!
const big = (n: bigint) => b64(n.toString(16).padStart(64, '0'))

// RFC 8037 §A.1 (private) / §A.2 (public) / §A.3 (thumbprint).
const RFC8037_PUBLIC = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' } as const
const RFC8037_PRIVATE = { ...RFC8037_PUBLIC, d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A' }
const RFC8037_THUMBPRINT = 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k'

// RFC 7515 §A.3 (ES256 example key).
const RFC7515_A3 = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', d: 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI' } as const

const P256_P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn
const P256_B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n

/** A P-256 point with a small x (so x + p still fits in 32 bytes), found by trying x = 0, 1, 2, … */
function smallXPoint(): { x: bigint; y: bigint } {
  const pow = (a: bigint, e: bigint) => {
    let r = 1n
    for (a %= P256_P; e > 0n; e >>= 1n, a = (a * a) % P256_P) if (e & 1n) r = (r * a) % P256_P
    return r
  }
  for (let x = 0n; ; x++) {
    const rhs = (((x * x * x - 3n * x + P256_B) % P256_P) + P256_P) % P256_P
    const y = pow(rhs, (P256_P + 1n) / 4n) // p ≡ 3 (mod 4)
    if ((y * y) % P256_P === rhs) return { x, y }
  }
}

describe('RFC 7638 thumbprints', () => {
  it('RFC 8037 §A.3: the Ed25519 example key', () => {
    expect(jwkThumbprint(parsePublicJwk(RFC8037_PUBLIC))).toBe(RFC8037_THUMBPRINT)
    expect(canonicalJwkJson(parsePublicJwk(RFC8037_PUBLIC))).toBe('{"crv":"Ed25519","kty":"OKP","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}')
  })

  it('ignore members outside the required set (§3.2) and member order', () => {
    const decorated = { x: RFC8037_PUBLIC.x, kid: 'k-1', use: 'sig', alg: 'EdDSA', crv: 'Ed25519', kty: 'OKP', key_ops: ['verify'] }
    expect(jwkThumbprint(parsePublicJwk(decorated))).toBe(RFC8037_THUMBPRINT)
  })

  it('canonical JSON is the required members sorted, no white space (§3.3), for random keys', () => {
    for (const alg of ['ES256', 'EdDSA'] as const) {
      for (let i = 0; i < 10; i++) {
        const pub = publicJwkOf(generatePrivateJwk(alg)) as unknown as Record<string, string>
        const sorted = Object.fromEntries(Object.keys(pub).sort().map((k) => [k, pub[k]]))
        expect(canonicalJwkJson(parsePublicJwk(pub))).toBe(JSON.stringify(sorted))
      }
    }
  })

  it('the RFC 7638 §3.1 example is an RSA key, which is not supported', () => {
    expect(codeOf(() => parsePublicJwk({ kty: 'RSA', e: 'AQAB', n: 'AQAB', alg: 'RS256', kid: '2011-04-29' }))).toBe('ERR_JWK_INVALID')
  })
})

describe('parsePublicJwk', () => {
  // a key whose x holds - or _, so that its base64 spelling differs
  // (43 characters lack both with odds (62/64)^43 ≈ 1/4; 64 keys in a row never do)
  type EcJwk = { kty: 'EC'; crv: 'P-256'; x: string; y: string }
  const ec = Array.from({ length: 64 }, () => publicJwkOf(generatePrivateJwk('ES256')) as EcJwk).find((k) => /[-_]/.test(k.x))!
  if (!ec) throw new Error('test setup: no key among 64 has - or _ in x')
  const okp = publicJwkOf(generatePrivateJwk('EdDSA')) as { kty: 'OKP'; crv: 'Ed25519'; x: string }

  it('returns a copy holding only the key members', () => {
    const input = { ...ec, kid: 'k', use: 'sig', alg: 'ES256', ext: true }
    const out = parsePublicJwk(input)
    expect(out).toStrictEqual({ kty: 'EC', crv: 'P-256', x: ec.x, y: ec.y })
    expect(out).not.toBe(input)
    expect(algOfJwk(out)).toBe('ES256')
    expect(parsePublicJwk(RFC8037_PUBLIC)).toStrictEqual(RFC8037_PUBLIC)
    expect(algOfJwk(parsePublicJwk(RFC8037_PUBLIC))).toBe('EdDSA')
  })

  const { x: sx, y: sy } = smallXPoint()
  const xBytes = Buffer.from(ec.x, 'base64url')

  it.each<[string, unknown, string]>([
    ['not an object', 'key', 'ERR_JWK_INVALID'],
    ['null', null, 'ERR_JWK_INVALID'],
    ['an array', [ec], 'ERR_JWK_INVALID'],
    ['kty missing', { crv: 'P-256', x: ec.x, y: ec.y }, 'ERR_JWK_INVALID'],
    ['kty lower case', { ...ec, kty: 'ec' }, 'ERR_JWK_INVALID'],
    ['kty not a string', { ...ec, kty: ['EC'] }, 'ERR_JWK_INVALID'],
    ['crv P-384', { ...ec, crv: 'P-384' }, 'ERR_JWK_INVALID'],
    ['crv secp256k1', { ...ec, crv: 'secp256k1' }, 'ERR_JWK_INVALID'],
    ['crv X25519', { ...okp, crv: 'X25519' }, 'ERR_JWK_INVALID'],
    ['kty oct (a symmetric key)', { kty: 'oct', k: 'c2VjcmV0' }, 'ERR_JWK_INVALID'],
    ['EC with Ed25519 crv', { ...ec, crv: 'Ed25519' }, 'ERR_JWK_INVALID'],
    ['x missing', { kty: 'EC', crv: 'P-256', y: ec.y }, 'ERR_JWK_INVALID'],
    ['y missing', { kty: 'EC', crv: 'P-256', x: ec.x }, 'ERR_JWK_INVALID'],
    ['x a number', { ...ec, x: 12 }, 'ERR_JWK_INVALID'],
    ['x of 31 bytes', { ...ec, x: encodeBase64url(xBytes.subarray(1)) }, 'ERR_JWK_INVALID'],
    ['x of 33 bytes (leading zero)', { ...ec, x: encodeBase64url(Buffer.concat([Buffer.of(0), xBytes])) }, 'ERR_JWK_INVALID'],
    ['x padded', { ...ec, x: `${ec.x}=` }, 'ERR_JWK_INVALID'],
    ['x in the base64 alphabet', { ...ec, x: ec.x.replaceAll('-', '+').replaceAll('_', '/') }, 'ERR_JWK_INVALID'],
    ['x with dirty trailing bits', { ...ec, x: dirty(ec.x) }, 'ERR_JWK_INVALID'],
    ['Ed25519 x with dirty trailing bits', { ...okp, x: dirty(okp.x) }, 'ERR_JWK_INVALID'],
    ['point not on the curve (y + 1)', { ...ec, y: big((BigInt(`0x${Buffer.from(ec.y, 'base64url').toString('hex')}`) + 1n) % P256_P) }, 'ERR_JWK_INVALID'],
    ['x ≥ p (x + p of a real point)', { kty: 'EC', crv: 'P-256', x: big(sx + P256_P), y: big(sy) }, 'ERR_JWK_INVALID'],
    ['y = p', { kty: 'EC', crv: 'P-256', x: big(sx), y: big(P256_P) }, 'ERR_JWK_INVALID'],
    ['x = y = 0', { kty: 'EC', crv: 'P-256', x: big(0n), y: big(0n) }, 'ERR_JWK_INVALID'],
    ['a public key carrying d', { ...ec, d: ec.x }, 'ERR_JWK_INVALID'],
    ['use enc', { ...ec, use: 'enc' }, 'ERR_JWK_INVALID'],
    ['alg EdDSA on a P-256 key', { ...ec, alg: 'EdDSA' }, 'ERR_KEY_ALG_MISMATCH'],
    ['alg ES384 on a P-256 key', { ...ec, alg: 'ES384' }, 'ERR_KEY_ALG_MISMATCH'],
    ['alg ES256 on an Ed25519 key', { ...okp, alg: 'ES256' }, 'ERR_KEY_ALG_MISMATCH'],
    ['an OKP key with y', { ...okp, y: okp.x }, 'ERR_JWK_INVALID'],
    ['Ed25519 x of 31 bytes', { ...okp, x: encodeBase64url(Buffer.from(okp.x, 'base64url').subarray(1)) }, 'ERR_JWK_INVALID'],
    ['Ed25519 x all ff (y ≥ p)', { ...okp, x: b64('ff'.repeat(32)) }, 'ERR_JWK_INVALID'],
    ['Ed25519 y = 2 (no x on the curve)', { ...okp, x: b64('02' + '00'.repeat(31)) }, 'ERR_JWK_INVALID'],
  ])('refuses %s', (_name, jwk, code) => {
    expect(codeOf(() => parsePublicJwk(jwk))).toBe(code)
  })

  // "Taming the many EdDSAs" (eprint 2020/1244) Table 6b: the eight small-order points, and the
  // six non-canonical spellings of some of them.
  it.each([
    ['0100000000000000000000000000000000000000000000000000000000000000', 'ERR_KEY_WEAK'],
    ['ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'ERR_KEY_WEAK'],
    ['0000000000000000000000000000000000000000000000000000000000000080', 'ERR_KEY_WEAK'],
    ['0000000000000000000000000000000000000000000000000000000000000000', 'ERR_KEY_WEAK'],
    ['c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', 'ERR_KEY_WEAK'],
    ['c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', 'ERR_KEY_WEAK'],
    ['26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', 'ERR_KEY_WEAK'],
    ['26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85', 'ERR_KEY_WEAK'],
    ['0100000000000000000000000000000000000000000000000000000000000080', 'ERR_JWK_INVALID'],
    ['ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', 'ERR_JWK_INVALID'],
    ['eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'ERR_JWK_INVALID'],
    ['eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', 'ERR_JWK_INVALID'],
    ['edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', 'ERR_JWK_INVALID'],
    ['edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'ERR_JWK_INVALID'],
  ])('refuses the Ed25519 point %s with %s', (hex, code) => {
    expect(codeOf(() => parsePublicJwk({ kty: 'OKP', crv: 'Ed25519', x: b64(hex) }))).toBe(code)
  })

  it('accepts a P-256 point with a small x and its negation (the canonical spellings of the x ≥ p rows)', () => {
    expect(() => parsePublicJwk({ kty: 'EC', crv: 'P-256', x: big(sx), y: big(sy) })).not.toThrow()
    expect(() => parsePublicJwk({ kty: 'EC', crv: 'P-256', x: big(sx), y: big(P256_P - sy) })).not.toThrow()
  })
})

describe('parsePrivateJwk', () => {
  it('RFC 8037 §A.1: d derives x', () => {
    expect(parsePrivateJwk(RFC8037_PRIVATE)).toStrictEqual(RFC8037_PRIVATE)
  })

  it('RFC 7515 §A.3: d derives x, y', () => {
    expect(parsePrivateJwk(RFC7515_A3)).toStrictEqual(RFC7515_A3)
  })

  it('generated keys of both kinds parse back', () => {
    for (const alg of ['ES256', 'EdDSA'] as const) {
      const k = generatePrivateJwk(alg)
      expect(parsePrivateJwk(k)).toStrictEqual(k)
      expect(sameJwk(publicJwkOf(k), parsePublicJwk(publicJwkOf(k)))).toBe(true)
      expect(publicJwkOf(k)).not.toHaveProperty('d')
    }
  })

  const other = (alg: 'ES256' | 'EdDSA'): PrivateJwk => generatePrivateJwk(alg)

  it.each<[string, () => unknown]>([
    ['Ed25519 d of another key', () => ({ ...RFC8037_PUBLIC, d: other('EdDSA').d })],
    ['P-256 d of another key', () => ({ ...RFC7515_A3, d: other('ES256').d })],
    ['P-256 d = 0', () => ({ ...RFC7515_A3, d: big(0n) })],
    ['P-256 d = n', () => ({ ...RFC7515_A3, d: big(P256_N) })],
    ['P-256 d = 2^256 − 1', () => ({ ...RFC7515_A3, d: big(2n ** 256n - 1n) })],
    ['d of 31 bytes', () => ({ ...RFC8037_PUBLIC, d: encodeBase64url(Buffer.from(RFC8037_PRIVATE.d, 'base64url').subarray(1)) })],
    ['d padded', () => ({ ...RFC8037_PUBLIC, d: `${RFC8037_PRIVATE.d}=` })],
    ['d missing', () => ({ ...RFC8037_PUBLIC })],
    ['d a number', () => ({ ...RFC8037_PUBLIC, d: 1 })],
    ['public part invalid', () => ({ ...RFC8037_PRIVATE, crv: 'X25519' })],
  ])('refuses %s', (_name, make) => {
    expect(codeOf(() => parsePrivateJwk(make()))).toBe('ERR_JWK_INVALID')
  })

  it('P-256 d = n + k would be k mod n: refused, not reduced', () => {
    // d = n + 1 is not a 32-byte scalar below n even though it names the same key as d = 1
    expect(codeOf(() => parsePrivateJwk({ kty: 'EC', crv: 'P-256', x: RFC7515_A3.x, y: RFC7515_A3.y, d: big(P256_N + 1n) }))).toBe('ERR_JWK_INVALID')
  })
})
