// Verification keys and signers: the RFC 8037 §A.4/A.5 Ed25519 vector, the RFC 7515 §A.3 ES256
// vector (whose signature is high-S), 200 WebCrypto signatures (about half high-S) verifying both
// through WebCrypto and through the @noble/curves fallback, raw-key signers, and signature shapes
// that are refused before any curve work.
import { describe, expect, it, vi } from 'vitest'
import { decodeBase64url, encodeBase64url } from '../../../src/core/bytes/base64url.ts'
import { generatePrivateJwk, publicJwkOf } from '../../../src/core/crypto/jwk.ts'
import {
  generateCryptoKeyPair, PublicKey, signatureShapeProblem, signerFromCryptoKeyPair, signerFromPrivateJwk,
} from '../../../src/core/crypto/keys.ts'
import { InputError } from '../../../src/core/errors.ts'
import { seededRandom } from '../../support/keys.ts'

const utf8 = (s: string) => new TextEncoder().encode(s)
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n
const ED25519_L = 2n ** 252n + 27742317777372353535851937790883648493n
const be = (n: bigint, len = 32) => Uint8Array.from(Buffer.from(n.toString(16).padStart(len * 2, '0'), 'hex'))
const toBig = (b: Uint8Array) => BigInt(`0x${Buffer.from(b).toString('hex') || '0'}`)
const sOf = (sig: Uint8Array) => toBig(sig.subarray(32))
const flipS = (sig: Uint8Array) => Uint8Array.from([...sig.subarray(0, 32), ...be(P256_N - sOf(sig))])

// RFC 8037 §A.1, §A.4.
const RFC8037_KEY = { kty: 'OKP', crv: 'Ed25519', d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }
const RFC8037_INPUT = 'eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc'
const RFC8037_SIG = 'hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg'

// RFC 7515 §A.3.
const RFC7515_KEY = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }
const RFC7515_INPUT = 'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ'
const RFC7515_SIG = 'DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q'

/** keys.ts loaded afresh with no crypto.subtle, so ES256 verifies through @noble/curves. */
async function keysWithoutWebCrypto(): Promise<typeof import('../../../src/core/crypto/keys.ts')> {
  const real = globalThis.crypto
  vi.resetModules()
  vi.stubGlobal('crypto', { getRandomValues: real.getRandomValues.bind(real) })
  try {
    return await import('../../../src/core/crypto/keys.ts')
  } finally {
    vi.unstubAllGlobals()
    vi.resetModules()
  }
}
const noble = await keysWithoutWebCrypto()

describe('RFC vectors', () => {
  it('RFC 8037 §A.4: Ed25519 signing gives the published signature', async () => {
    const signer = signerFromPrivateJwk(RFC8037_KEY)
    expect(signer.alg).toBe('EdDSA')
    expect(encodeBase64url(await signer.sign(utf8(RFC8037_INPUT)))).toBe(RFC8037_SIG)
  })

  it('RFC 8037 §A.5: the signature verifies, and not over other input', async () => {
    const key = PublicKey.fromJwk({ kty: 'OKP', crv: 'Ed25519', x: RFC8037_KEY.x })
    const sig = decodeBase64url(RFC8037_SIG)
    expect(await key.verify(utf8(RFC8037_INPUT), sig)).toBe(true)
    expect(await key.verify(utf8(`${RFC8037_INPUT}x`), sig)).toBe(false)
    const bad = sig.slice()
    bad[0] = bad[0]! ^ 1
    expect(await key.verify(utf8(RFC8037_INPUT), bad)).toBe(false)
  })

  it.each([['WebCrypto', PublicKey], ['@noble/curves', noble.PublicKey]] as const)(
    'RFC 7515 §A.3: the high-S ES256 signature and its low-S twin verify (%s)',
    async (_path, Key) => {
      const key = Key.fromJwk(RFC7515_KEY)
      const sig = decodeBase64url(RFC7515_SIG)
      expect(sOf(sig) > P256_N / 2n).toBe(true)
      expect(await key.verify(utf8(RFC7515_INPUT), sig)).toBe(true)
      expect(await key.verify(utf8(RFC7515_INPUT), flipS(sig))).toBe(true)
      expect(await key.verify(utf8(`${RFC7515_INPUT}.`), sig)).toBe(false)
    },
  )
})

describe('ES256', () => {
  it('the fallback module really has no WebCrypto', async () => {
    await expect(noble.generateCryptoKeyPair()).rejects.toMatchObject({ code: 'ERR_KEY_ALG_MISMATCH' })
  })

  it('200 WebCrypto signatures (high-S included) all verify, through WebCrypto and through noble', async () => {
    const signer = await signerFromCryptoKeyPair(await generateCryptoKeyPair())
    const viaWebCrypto = PublicKey.fromJwk(signer.publicJwk)
    const viaNoble = noble.PublicKey.fromJwk(signer.publicJwk)
    let high = 0
    for (let i = 0; i < 200; i++) {
      const msg = utf8(`message ${i}`)
      const sig = await signer.sign(msg)
      expect(sig).toHaveLength(64)
      if (sOf(sig) > P256_N / 2n) high++
      expect(await viaWebCrypto.verify(msg, sig)).toBe(true)
      expect(await viaNoble.verify(msg, sig)).toBe(true)
      expect(await viaNoble.verify(msg, flipS(sig))).toBe(true)
      expect(await viaWebCrypto.verify(utf8(`message ${i + 1}`), sig)).toBe(false)
    }
    // WebCrypto does not normalize s: about half are high-S (P(none of 200) = 2^-200)
    expect(high).toBeGreaterThan(0)
    expect(high).toBeLessThan(200)
  })

  it('raw-key (noble) signatures are low-S, verify both ways, and only under their key', async () => {
    const jwk = generatePrivateJwk('ES256')
    const signer = signerFromPrivateJwk(jwk)
    const other = PublicKey.fromJwk(publicJwkOf(generatePrivateJwk('ES256')))
    for (let i = 0; i < 20; i++) {
      const msg = utf8(`m${i}`)
      const sig = await signer.sign(msg)
      expect(sOf(sig) <= P256_N / 2n).toBe(true)
      expect(await PublicKey.fromJwk(publicJwkOf(jwk)).verify(msg, sig)).toBe(true)
      expect(await noble.PublicKey.fromJwk(publicJwkOf(jwk)).verify(msg, sig)).toBe(true)
      expect(await other.verify(msg, sig)).toBe(false)
    }
  })

  it('signerFromCryptoKeyPair refuses a key that is not ECDSA P-256', async () => {
    const p384 = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, false, ['sign', 'verify'])
    await expect(signerFromCryptoKeyPair(p384)).rejects.toMatchObject({ code: 'ERR_KEY_ALG_MISMATCH' })
  })

  it('generateCryptoKeyPair makes a non-extractable private key', async () => {
    const pair = await generateCryptoKeyPair()
    expect(pair.privateKey.extractable).toBe(false)
    await expect(crypto.subtle.exportKey('jwk', pair.privateKey)).rejects.toThrow()
  })
})

describe('EdDSA', () => {
  it('raw-key signatures verify only under their key and message', async () => {
    const jwk = generatePrivateJwk('EdDSA')
    const signer = signerFromPrivateJwk(jwk)
    const key = PublicKey.fromJwk(publicJwkOf(jwk))
    const other = PublicKey.fromJwk(publicJwkOf(generatePrivateJwk('EdDSA')))
    const sig = await signer.sign(utf8('m'))
    expect(await key.verify(utf8('m'), sig)).toBe(true)
    expect(await key.verify(utf8('n'), sig)).toBe(false)
    expect(await other.verify(utf8('m'), sig)).toBe(false)
  })

  it('S + L (the same S mod L) is refused: strict RFC 8032 §5.1.7', async () => {
    const key = PublicKey.fromJwk({ kty: 'OKP', crv: 'Ed25519', x: RFC8037_KEY.x })
    const sig = decodeBase64url(RFC8037_SIG)
    const s = toBig(sig.slice(32).reverse()) + ED25519_L
    const malleated = Uint8Array.from([...sig.subarray(0, 32), ...be(s).reverse()])
    expect(signatureShapeProblem('EdDSA', malleated)).toMatch(/not below L/)
    expect(await key.verify(utf8(RFC8037_INPUT), malleated)).toBe(false)
  })

  it('R = identity, S = 0 verifies nothing', async () => {
    const key = PublicKey.fromJwk({ kty: 'OKP', crv: 'Ed25519', x: RFC8037_KEY.x })
    const sig = new Uint8Array(64)
    sig[0] = 1
    expect(await key.verify(utf8(RFC8037_INPUT), sig)).toBe(false)
  })
})

describe('signatureShapeProblem', () => {
  const sig = (r: bigint, s: bigint) => Uint8Array.from([...be(r), ...be(s)])
  const edSig = (s: bigint) => Uint8Array.from([...new Uint8Array(32).fill(7), ...be(s).reverse()])

  it.each<[string, 'ES256' | 'EdDSA', Uint8Array, boolean]>([
    ['ES256 r = 1, s = 1', 'ES256', sig(1n, 1n), true],
    ['ES256 r = n − 1, s = n − 1', 'ES256', sig(P256_N - 1n, P256_N - 1n), true],
    ['ES256 r = 0', 'ES256', sig(0n, 1n), false],
    ['ES256 s = 0', 'ES256', sig(1n, 0n), false],
    ['ES256 r = n', 'ES256', sig(P256_N, 1n), false],
    ['ES256 s = n', 'ES256', sig(1n, P256_N), false],
    ['ES256 r = 2^256 − 1', 'ES256', sig(2n ** 256n - 1n, 1n), false],
    ['ES256 63 bytes', 'ES256', new Uint8Array(63).fill(1), false],
    ['ES256 65 bytes', 'ES256', new Uint8Array(65).fill(1), false],
    ['ES256 0 bytes', 'ES256', new Uint8Array(0), false],
    ['ES256 DER length (70 bytes)', 'ES256', new Uint8Array(70).fill(1), false],
    ['EdDSA S = 0', 'EdDSA', edSig(0n), true],
    ['EdDSA S = L − 1', 'EdDSA', edSig(ED25519_L - 1n), true],
    ['EdDSA S = L', 'EdDSA', edSig(ED25519_L), false],
    ['EdDSA S = 2^256 − 1', 'EdDSA', edSig(2n ** 256n - 1n), false],
    ['EdDSA 63 bytes', 'EdDSA', new Uint8Array(63), false],
  ])('%s', (_name, alg, bytes, fine) => {
    expect(signatureShapeProblem(alg, bytes) === null).toBe(fine)
  })
})

describe('verify never throws on attacker bytes', () => {
  it('random signatures of random lengths give false', async () => {
    const random = seededRandom(2024)
    const keys = [
      PublicKey.fromJwk(RFC7515_KEY),
      noble.PublicKey.fromJwk(RFC7515_KEY),
      PublicKey.fromJwk({ kty: 'OKP', crv: 'Ed25519', x: RFC8037_KEY.x }),
    ]
    for (let i = 0; i < 300; i++) {
      const len = i % 3 === 0 ? 64 : random(1)[0]! % 130
      const sig = random(len)
      for (const k of keys) expect(await k.verify(random(i % 50), sig)).toBe(false)
    }
  })
})

describe('signerFromPrivateJwk', () => {
  it('refuses a private key whose d does not match', () => {
    const a = generatePrivateJwk('ES256')
    const b = generatePrivateJwk('ES256')
    expect(() => signerFromPrivateJwk({ ...a, d: b.d })).toThrow(InputError)
    try {
      signerFromPrivateJwk({ ...a, d: b.d })
    } catch (e) {
      expect((e as InputError).code).toBe('ERR_JWK_INVALID')
    }
  })

  it('exposes only the public key', () => {
    const jwk = generatePrivateJwk('EdDSA')
    const signer = signerFromPrivateJwk(jwk)
    expect(signer.publicJwk).toStrictEqual(publicJwkOf(jwk))
    expect(JSON.stringify(signer)).not.toContain(jwk.d)
  })
})
