/** Deterministic-enough key material and a seeded random source for tests. */
import { generatePrivateJwk, publicJwkOf, type JwsAlg, type PrivateJwk } from '../../src/core/crypto/jwk.ts'
import { PublicKey, signerFromPrivateJwk, type Signer } from '../../src/core/crypto/keys.ts'
import type { RandomSource } from '../../src/core/crypto/hash.ts'

export interface TestKey {
  jwk: PrivateJwk
  signer: Signer
  publicKey: PublicKey
}

export function testKey(alg: JwsAlg): TestKey {
  const jwk = generatePrivateJwk(alg)
  return { jwk, signer: signerFromPrivateJwk(jwk), publicKey: PublicKey.fromJwk(publicJwkOf(jwk)) }
}

/** xorshift-based bytes: reproducible salts in tests (never used outside tests). */
export function seededRandom(seed = 1): RandomSource {
  let s = seed >>> 0 || 1
  return (n) => {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) {
      s ^= s << 13
      s ^= s >>> 17
      s ^= s << 5
      out[i] = s & 0xff
    }
    return out
  }
}
