// Strict standard base64 (RFC 4648 §4): the §10 test vectors both ways, every random length
// against Node's encoder, and the non-canonical spellings a lenient decoder would take.
import { describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { decodeBase64, encodeBase64 } from '../../../src/core/bytes/base64.ts'
import { bytesEqual, concatBytes, toHex } from '../../../src/core/bytes/compare.ts'

const te = new TextEncoder()

describe('base64 (standard, padded)', () => {
  it.each([['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy']])('RFC 4648 §10: %j ↔ %s', (plain, b64) => {
    expect(encodeBase64(te.encode(plain))).toBe(b64)
    expect(decodeBase64(b64)).toEqual(te.encode(plain))
  })

  it('agrees with Node for every length 0..64', () => {
    for (let n = 0; n <= 64; n++) {
      const b = randomBytes(n)
      const s = b.toString('base64')
      expect(encodeBase64(new Uint8Array(b))).toBe(s)
      expect(bytesEqual(decodeBase64(s)!, new Uint8Array(b))).toBe(true)
    }
  })

  it.each([
    ['Zg', 'missing padding'], ['Zg=', 'short padding'], ['Zg===', 'extra padding'], ['Zh==', 'non-zero trailing bits'],
    ['Zm9=', 'non-zero trailing bits (one pad)'], ['Zm-v', 'URL-safe character'], ['Zm_v', 'URL-safe character'],
    ['Zm 9v', 'space'], ['Z=9v', 'padding inside'], ['====', 'padding only'], ['Zm9v\n', 'newline'],
  ])('refuses %j (%s)', (text) => {
    expect(decodeBase64(text)).toBeNull()
  })
})

describe('byte helpers', () => {
  it('compares, joins and prints bytes', () => {
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true)
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false)
    expect(bytesEqual(Uint8Array.of(1), Uint8Array.of(1, 0))).toBe(false)
    expect(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3))).toEqual(Uint8Array.of(1, 2, 3))
    expect(toHex(Uint8Array.of(0, 15, 255))).toBe('000fff')
  })
})
