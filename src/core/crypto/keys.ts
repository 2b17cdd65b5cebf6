/**
 * Verification keys and signers for ES256 and EdDSA.
 *
 * ES256 verifies with WebCrypto where it exists (5–20× faster than pure JS), with @noble/curves
 * otherwise; both accept high-S signatures, which are valid JOSE (RFC 7518 §3.4) and which
 * WebCrypto produces about half the time. Before any curve work a signature must be exactly
 * r‖s of 64 bytes with 0 < r, s < n (so DER and out-of-range values are refused with a code).
 * EdDSA verifies with @noble/curves in strict RFC 8032 mode (canonical R and A, S < L) and
 * refuses small-order public keys.
 */
import { p256 } from '@noble/curves/nist.js'
import { ed25519 } from '@noble/curves/ed25519.js'
import { decodeBase64url, encodeBase64url } from '../bytes/base64url.ts'
import { InputError } from '../errors.ts'
import {
  algOfJwk, p256PointBytes, parsePrivateJwk, parsePublicJwk, publicJwkOf,
  type JwsAlg, type PrivateJwk, type PublicJwk,
} from './jwk.ts'

/** P-256 group order n, big-endian. */
const P256_N = hexBytes('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551')
/** Ed25519 group order L, little-endian (as S is encoded). */
const ED25519_L_LE = hexBytes('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010')

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** Compare a[off..off+32) with b as big-endian (dir=1) or little-endian (dir=-1) numbers. */
function cmp32(a: Uint8Array, off: number, b: Uint8Array, littleEndian: boolean): number {
  for (let k = 0; k < 32; k++) {
    const i = littleEndian ? 31 - k : k
    const d = a[off + i]! - b[i]!
    if (d !== 0) return d
  }
  return 0
}

function isZero32(a: Uint8Array, off: number): boolean {
  for (let i = 0; i < 32; i++) if (a[off + i] !== 0) return false
  return true
}

/** Why a signature's bytes cannot be a signature at all, or null when the shape is right. */
export function signatureShapeProblem(alg: JwsAlg, sig: Uint8Array): string | null {
  if (sig.length !== 64) return `${alg} signature is ${sig.length} bytes, not 64`
  if (alg === 'ES256') {
    if (isZero32(sig, 0)) return 'ECDSA r is zero'
    if (isZero32(sig, 32)) return 'ECDSA s is zero'
    if (cmp32(sig, 0, P256_N, false) >= 0) return 'ECDSA r is not below n'
    if (cmp32(sig, 32, P256_N, false) >= 0) return 'ECDSA s is not below n'
    return null
  }
  if (cmp32(sig, 32, ED25519_L_LE, true) >= 0) return 'Ed25519 S is not below L'
  return null
}

const subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle

/** A trusted public key, ready to verify. Import once and reuse: WebCrypto import is cached. */
export class PublicKey {
  readonly alg: JwsAlg
  readonly jwk: PublicJwk
  #point: Uint8Array<ArrayBuffer> | undefined
  #cryptoKey: Promise<CryptoKey | null> | undefined
  /** The imported key once known, so later verifications dispatch with no await before them. */
  #imported: CryptoKey | null | undefined

  private constructor(jwk: PublicJwk) {
    this.jwk = jwk
    this.alg = algOfJwk(jwk)
  }

  /** Strictly parse a public JWK (throws InputError with ERR_JWK_INVALID / ERR_KEY_WEAK). */
  static fromJwk(v: unknown): PublicKey {
    return new PublicKey(parsePublicJwk(v))
  }

  /**
   * True only when `sig` is a valid signature over `data`. Never throws on attacker data;
   * callers that need the reason call signatureShapeProblem first.
   */
  async verify(data: Uint8Array, sig: Uint8Array): Promise<boolean> {
    if (signatureShapeProblem(this.alg, sig) !== null) return false
    if (this.alg === 'EdDSA') {
      try {
        return ed25519.verify(sig, data, decodeBase64url(this.jwk.x), { zip215: false })
      } catch {
        return false
      }
    }
    const key = this.#imported !== undefined ? this.#imported : await this.#webCryptoKey()
    if (key) {
      return subtle!.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, sig as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>).catch(() => false)
    }
    try {
      return p256.verify(sig, data, this.#p256Point(), { lowS: false, prehash: true, format: 'compact' })
    } catch {
      return false
    }
  }

  #p256Point(): Uint8Array<ArrayBuffer> {
    return (this.#point ??= p256PointBytes(this.jwk as Extract<PublicJwk, { kty: 'EC' }>))
  }

  #webCryptoKey(): Promise<CryptoKey | null> {
    if (!subtle) return Promise.resolve(null)
    return (this.#cryptoKey ??= subtle
      .importKey('raw', this.#p256Point(), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
      .catch(() => null)
      .then((k) => (this.#imported = k)))
  }
}

/** Something that signs JWS signing input for one key. */
export interface Signer {
  readonly alg: JwsAlg
  readonly publicJwk: PublicJwk
  sign(data: Uint8Array): Promise<Uint8Array>
}

/** A signer over a raw private key held in memory (issuer back offices, tests). */
export function signerFromPrivateJwk(v: unknown): Signer {
  const jwk: PrivateJwk = parsePrivateJwk(v)
  const d = decodeBase64url(jwk.d)
  const publicJwk = publicJwkOf(jwk)
  if (jwk.kty === 'EC') {
    return { alg: 'ES256', publicJwk, sign: async (data) => p256.sign(data, d, { prehash: true, format: 'compact' }) }
  }
  return { alg: 'EdDSA', publicJwk, sign: async (data) => ed25519.sign(data, d) }
}

/**
 * A signer over a WebCrypto P-256 key pair. The private key may be non-extractable (the
 * wallet keeps it so in IndexedDB); only the public key is exported.
 */
export async function signerFromCryptoKeyPair(pair: { privateKey: CryptoKey; publicKey: CryptoKey }): Promise<Signer> {
  if (!subtle) throw new InputError('ERR_KEY_ALG_MISMATCH', 'WebCrypto is not available in this context')
  const alg = pair.privateKey.algorithm as EcKeyAlgorithm
  if (alg.name !== 'ECDSA' || alg.namedCurve !== 'P-256') throw new InputError('ERR_KEY_ALG_MISMATCH', 'not an ECDSA P-256 key')
  const raw = new Uint8Array(await subtle.exportKey('raw', pair.publicKey))
  const publicJwk: PublicJwk = { kty: 'EC', crv: 'P-256', x: encodeBase64url(raw.subarray(1, 33)), y: encodeBase64url(raw.subarray(33, 65)) }
  const privateKey = pair.privateKey
  return {
    alg: 'ES256',
    publicJwk,
    sign: async (data) => new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, data as Uint8Array<ArrayBuffer>)),
  }
}

/** A new non-extractable WebCrypto P-256 key pair (structured-clonable into IndexedDB). */
export async function generateCryptoKeyPair(): Promise<CryptoKeyPair> {
  if (!subtle) throw new InputError('ERR_KEY_ALG_MISMATCH', 'WebCrypto is not available in this context')
  return subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])
}

/**
 * A new ephemeral ECDH P-256 key pair for one encrypted answer: the private key non-extractable
 * (it decrypts one answer and is dropped), the public key as the JWK a request carries.
 */
export async function generateEcdhKeyPair(): Promise<{ privateKey: CryptoKey; publicJwk: PublicJwk & { kty: 'EC' } }> {
  if (!subtle) throw new InputError('ERR_KEY_ALG_MISMATCH', 'WebCrypto is not available in this context')
  const pair = await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits'])
  const raw = new Uint8Array(await subtle.exportKey('raw', pair.publicKey))
  return { privateKey: pair.privateKey, publicJwk: { kty: 'EC', crv: 'P-256', x: encodeBase64url(raw.subarray(1, 33)), y: encodeBase64url(raw.subarray(33, 65)) } }
}
