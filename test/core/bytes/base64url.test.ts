// Strict base64url (RFC 4648 §5, unpadded as JOSE uses it): RFC 4648 §10 vectors, round trips
// of random bytes of every length 0..64 against Node's encoder, and canonical-only decoding —
// every other spelling of the same bytes (padding, + /, dirty trailing bits, white space) is refused.
import { describe, expect, it } from 'vitest'
import { decodeBase64url, encodeBase64url, isBase64url } from '../../../src/core/bytes/base64url.ts'
import { InputError } from '../../../src/core/errors.ts'
import { seededRandom } from '../../support/keys.ts'
import { codeOf } from '../../support/codes.ts'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const bytes = (s: string) => new TextEncoder().encode(s)

describe('base64url', () => {
  // RFC 4648 §10 test vectors, with the padding removed (RFC 7515 §2).
  it.each([
    ['', ''],
    ['f', 'Zg'],
    ['fo', 'Zm8'],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg'],
    ['fooba', 'Zm9vYmE'],
    ['foobar', 'Zm9vYmFy'],
  ])('RFC 4648 §10: %j ↔ %j', (plain, encoded) => {
    expect(encodeBase64url(bytes(plain))).toBe(encoded)
    expect(decodeBase64url(encoded)).toStrictEqual(Uint8Array.from(bytes(plain)))
  })

  it('uses - and _ where base64 uses + and / (RFC 4648 §5)', () => {
    expect(encodeBase64url(Uint8Array.of(0xfb, 0xff, 0xbf))).toBe('-_-_')
    expect(decodeBase64url('-_-_')).toStrictEqual(Uint8Array.of(0xfb, 0xff, 0xbf))
    expect(encodeBase64url(Uint8Array.of(0xf8))).toBe('-A')
    expect(encodeBase64url(Uint8Array.of(0xfc))).toBe('_A')
  })

  it('round-trips random bytes of every length 0..64 and agrees with Node', () => {
    const random = seededRandom(4648)
    for (let len = 0; len <= 64; len++) {
      for (let k = 0; k < 8; k++) {
        const b = random(len)
        const text = encodeBase64url(b)
        expect(text).toBe(Buffer.from(b).toString('base64url'))
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/)
        expect(text.length).toBe(Math.ceil((len * 4) / 3))
        expect(decodeBase64url(text)).toStrictEqual(Uint8Array.from(b))
      }
    }
  })

  it('round-trips every single byte value and every 2-byte value', () => {
    for (let a = 0; a < 256; a++) {
      expect(decodeBase64url(encodeBase64url(Uint8Array.of(a)))).toStrictEqual(Uint8Array.of(a))
      for (let b = 0; b < 256; b += 17) expect(decodeBase64url(encodeBase64url(Uint8Array.of(a, b)))).toStrictEqual(Uint8Array.of(a, b))
    }
  })

  it('accepts exactly one spelling: any set unused trailing bit is refused although Node decodes it to the same bytes', () => {
    const random = seededRandom(7)
    let checked = 0
    for (let len = 1; len <= 64; len++) {
      const text = encodeBase64url(random(len))
      if (text.length % 4 === 0) continue
      const unused = text.length % 4 === 2 ? 4 : 2
      const last = ALPHABET.indexOf(text[text.length - 1]!)
      for (let bit = 1; bit < 1 << unused; bit++) {
        const dirty = text.slice(0, -1) + ALPHABET[last | bit]!
        expect(Buffer.from(dirty, 'base64url')).toStrictEqual(Buffer.from(text, 'base64url')) // a lenient decoder collides
        expect(codeOf(() => decodeBase64url(dirty))).toBe('ERR_B64_INVALID')
        expect(isBase64url(dirty)).toBe(false)
        checked++
      }
    }
    expect(checked).toBeGreaterThan(100)
  })

  it('refuses every character outside the alphabet', () => {
    for (let c = 0; c < 0x3000; c++) {
      const ch = String.fromCharCode(c)
      const expected = ALPHABET.includes(ch) ? undefined : 'ERR_B64_INVALID'
      expect(codeOf(() => decodeBase64url(`AA${ch}A`)), `U+${c.toString(16)}`).toBe(expected)
    }
    // a surrogate pair, and a code point whose low byte is an alphabet character
    expect(codeOf(() => decodeBase64url('AA\u{1F600}'))).toBe('ERR_B64_INVALID')
    expect(codeOf(() => decodeBase64url('AA\u0141A'))).toBe('ERR_B64_INVALID')
  })

  it.each([
    ['padding', 'Zg=='],
    ['single padding', 'Zm8='],
    ['padding on a full group', 'Zm9v===='],
    ['padding alone', '='],
    ['base64 +', 'Zm+v'],
    ['base64 /', 'Zm/v'],
    ['length 1 (mod 4)', 'Z'],
    ['length 5 (mod 4 = 1)', 'Zm9vY'],
    ['leading space', ' Zm9v'],
    ['trailing newline', 'Zm9v\n'],
    ['inner CRLF', 'Zm9v\r\nYmFy'],
    ['tab', 'Zm9v\tYg'],
    ['NUL', 'Zm9v\0Yg'],
    ['dot', 'Zm9v.Yg'],
    ['tilde', 'Zm9v~Yg'],
    ['fullwidth A', '\uff21AAA'],
    ['trailing bits in a 2-character tail', 'Zh'],
    ['trailing bits in a 3-character tail', 'Zm9'],
  ])('refuses %s: %j', (_name, text) => {
    expect(codeOf(() => decodeBase64url(text))).toBe('ERR_B64_INVALID')
    expect(isBase64url(text)).toBe(false)
  })

  it('names what it was decoding in the detail', () => {
    try {
      decodeBase64url('Zg==', 'JWS signature')
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(InputError)
      expect((e as InputError).detail).toContain('JWS signature')
    }
  })

  it('decodes the empty string to no bytes', () => {
    expect(decodeBase64url('')).toStrictEqual(new Uint8Array(0))
    expect(isBase64url('')).toBe(true)
  })

  it('isBase64url never throws, whatever it is given', () => {
    for (const v of [undefined, null, 0, 1n, {}, [], ['Zm9v'], new Uint8Array(3), Symbol('x'), () => 'Zm9v']) {
      expect(isBase64url(v)).toBe(false)
    }
    expect(isBase64url('Zm9vYmFy')).toBe(true)
  })

  it('returns a fresh Uint8Array over its own buffer', () => {
    const a = decodeBase64url('Zm9vYmFy')
    expect(a.byteOffset).toBe(0)
    expect(a.buffer.byteLength).toBe(6)
    a[0] = 0
    expect(decodeBase64url('Zm9vYmFy')[0]).toBe(0x66)
  })
})
