// SHA-256 (FIPS 180-4 examples), the SD-JWT digest form base64url(SHA-256(ASCII)) over every
// disclosure of the RFC 9901 examples, and the CSPRNG wrapper.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { sha256, sha256B64, systemRandom } from '../../../src/core/crypto/hash.ts'
import { listVectors, readVectorJson } from '../../support/vectors.ts'

const utf8 = (s: string) => new TextEncoder().encode(s)
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

describe('sha256', () => {
  it.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  ])('FIPS 180 example %j', (msg, digest) => {
    expect(hex(sha256(utf8(msg)))).toBe(digest)
  })

  it('agrees with node:crypto on every length 0..200 and across block boundaries', () => {
    for (let len = 0; len <= 200; len++) {
      const b = Uint8Array.from({ length: len }, (_, i) => (i * 31 + len) & 255)
      expect(hex(sha256(b))).toBe(createHash('sha256').update(b).digest('hex'))
    }
  })

  it('sha256B64 is base64url(SHA-256(UTF-8(text))), unpadded', () => {
    expect(sha256B64('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0')
    expect(sha256B64('公民')).toBe(createHash('sha256').update('公民', 'utf8').digest('base64url'))
  })
})

describe('SD-JWT digests of the RFC 9901 examples (§4.2.3)', () => {
  const examples = listVectors('sdjwt-rfc9901').filter((f) => !f.includes('.'))
  it('are all here', () => expect(examples.length).toBe(15))

  it.each(examples)('%s: every disclosure hashes to its digest', (name) => {
    const ds = readVectorJson<{ digest: string; disclosure: string }[]>('sdjwt-rfc9901', name, 'raw', 'disclosures.json')
    for (const d of ds) expect(sha256B64(d.disclosure)).toBe(d.digest)
  })
})

describe('systemRandom', () => {
  it('gives the length asked, also beyond getRandomValues\' 65,536-byte limit', () => {
    for (const n of [0, 1, 16, 65_536, 65_537, 200_000]) expect(systemRandom(n)).toHaveLength(n)
    const big = systemRandom(200_000)
    // the tail past the first 64 KiB chunk is filled too (all-zero 1 KiB is ~2^-8192)
    expect(big.subarray(199_000).some((b) => b !== 0)).toBe(true)
    expect(big.subarray(65_536, 66_560).some((b) => b !== 0)).toBe(true)
  })

  it('does not repeat itself', () => {
    expect(hex(systemRandom(16))).not.toBe(hex(systemRandom(16)))
  })
})
