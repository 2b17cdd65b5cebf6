/**
 * src/core/crypto/ed25519.ts, the raw-key Ed25519 door the log uses (tested here, beside its
 * only caller, because this suite owns test/core/log; it may move to test/core/crypto).
 */
import { describe, expect, it } from 'vitest'
import { ed25519 } from '@noble/curves/ed25519.js'
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

const msg = hex('72')

describe('verifyEd25519 agrees with noble ed25519.verify (strict, zip215: false)', () => {
  const flip = (b: Uint8Array, i: number): Uint8Array => {
    const out = Uint8Array.from(b)
    out[i] = out[i]! ^ 0x01
    return out
  }
  // The small-order points: both encodings of each (RFC 8032 decoding, x sign bit set or not).
  const SMALL_ORDER = [
    '0100000000000000000000000000000000000000000000000000000000000000',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    '0000000000000000000000000000000000000000000000000000000000000000',
    '0000000000000000000000000000000000000000000000000000000000000080',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  ].map(hex)

  it('on valid, damaged and foreign signatures, before and after a key gets its table', () => {
    const rnd = seededRandom(42)
    const keys = Array.from({ length: 3 }, () => generateEd25519(rnd))
    let compared = 0
    let valid = 0
    // Six rounds: every key is used far past the use at which its table is built.
    for (let round = 0; round < 6; round++) {
      keys.forEach((k, i) => {
        const msg = rnd(1 + ((round * 37 + i * 11) % 200))
        const sig = signEd25519(k.secretKey, msg)
        const torsioned = Uint8Array.of(...SMALL_ORDER[4]!, ...sig.subarray(32)) // R replaced by a small-order point
        const sigs = [sig, flip(sig, 0), flip(sig, 31), flip(sig, 32), flip(sig, 63), torsioned, signEd25519(keys[(i + 1) % 3]!.secretKey, msg)]
        for (const s of sigs) {
          for (const m of [msg, flip(msg, 0)]) {
            const ours = verifyEd25519(k.publicKey, m, s)
            expect(ours).toBe(ed25519.verify(s, m, k.publicKey, { zip215: false }))
            compared++
            if (ours) valid++
          }
        }
      })
    }
    expect(compared).toBe(6 * 3 * 7 * 2)
    expect(valid).toBe(6 * 3) // exactly the untouched signature over the untouched message
  })

  it('on small-order keys and small-order R, used often enough to be remembered', () => {
    for (let use = 0; use < 4; use++) {
      for (const a of SMALL_ORDER) {
        for (const r of SMALL_ORDER) {
          const s = Uint8Array.of(...r, ...new Uint8Array(32))
          expect(verifyEd25519(a, msg, s)).toBe(false)
          expect(ed25519.verify(s, msg, a, { zip215: false })).toBe(false)
        }
        expect(isEd25519PublicKey(a)).toBe(false)
      }
    }
  })

  it('refuses a non-canonical R (y ≥ p), as noble does', () => {
    const k = generateEd25519(seededRandom(7))
    const sig = signEd25519(k.secretKey, msg)
    const bad = Uint8Array.of(...hex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'), ...sig.subarray(32))
    for (let use = 0; use < 4; use++) {
      expect(verifyEd25519(k.publicKey, msg, sig)).toBe(true)
      expect(verifyEd25519(k.publicKey, msg, bad)).toBe(false)
      expect(ed25519.verify(bad, msg, k.publicKey, { zip215: false })).toBe(false)
    }
  })
})
