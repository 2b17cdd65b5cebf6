/**
 * src/core/crypto/ed25519.ts, the raw-key Ed25519 door the log uses (tested here, beside its
 * only caller, because this suite owns test/core/log; it may move to test/core/crypto).
 */
import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../support/keys.ts'
import { ed25519PublicKey, generateEd25519, isEd25519PublicKey, signEd25519, verifyEd25519 } from '../../../src/core/crypto/ed25519.ts'

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'))

// RFC 8032 §7.1, TEST 1 and TEST 2.
const VECTORS = [
  {
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
]

describe('Ed25519 (RFC 8032), strict', () => {
  it.each(VECTORS)('RFC 8032 vector with public key $public', (v) => {
    expect(ed25519PublicKey(hex(v.secret))).toEqual(hex(v.public))
    expect(signEd25519(hex(v.secret), hex(v.message))).toEqual(hex(v.signature))
    expect(verifyEd25519(hex(v.public), hex(v.message), hex(v.signature))).toBe(true)
  })

  const v = VECTORS[1]!
  const pk = hex(v.public)
  const msg = hex(v.message)
  const sig = hex(v.signature)
  const L = hex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010')
  const plusL = (s: Uint8Array): Uint8Array => {
    const out = Uint8Array.from(s)
    let carry = 0
    for (let i = 0; i < 32; i++) {
      const x = out[32 + i]! + L[i]! + carry
      out[32 + i] = x & 0xff
      carry = x >> 8
    }
    return out
  }
  const identity = new Uint8Array(32)
  identity[0] = 1
  it.each([
    ['a changed message', pk, Uint8Array.of(0x73), sig],
    ['S + L (malleated)', pk, msg, plusL(sig)],
    ['63-byte signature', pk, msg, sig.slice(0, 63)],
    ['65-byte signature', pk, msg, Uint8Array.of(...sig, 0)],
    ['31-byte key', pk.slice(0, 31), msg, sig],
    ['small-order key (identity) with the signature R = identity, S = 0', identity, msg, Uint8Array.of(...identity, ...new Uint8Array(32))],
    ['non-canonical key encoding (y = p)', hex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'), msg, sig],
    ['not arrays', 'pk' as never, msg, sig],
  ])('refuses %s, without throwing', (_, key, m, s) => {
    expect(verifyEd25519(key as Uint8Array, m, s)).toBe(false)
  })

  it('recognises usable public keys', () => {
    expect(isEd25519PublicKey(pk)).toBe(true)
    expect(isEd25519PublicKey(identity)).toBe(false)
    expect(isEd25519PublicKey(new Uint8Array(32))).toBe(false) // y = 0 is a point of order 4
    expect(isEd25519PublicKey('x')).toBe(false)
  })

  it('generates keys from the randomness passed in', () => {
    const a = generateEd25519(seededRandom(9))
    expect(a).toEqual(generateEd25519(seededRandom(9)))
    expect(a.publicKey).toEqual(ed25519PublicKey(a.secretKey))
    expect(verifyEd25519(a.publicKey, msg, signEd25519(a.secretKey, msg))).toBe(true)
    expect(() => signEd25519(new Uint8Array(31), msg)).toThrow(TypeError)
    expect(() => generateEd25519(() => new Uint8Array(31))).toThrow(RangeError)
  })
})
