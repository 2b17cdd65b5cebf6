// UTF-8 both ways: round trips agree with Node; decoding is fatal on every ill-formed sequence
// (RFC 3629 §3: overlongs, surrogates, code points above U+10FFFF, truncation) — never U+FFFD.
import { describe, expect, it } from 'vitest'
import { decodeUtf8, encodeUtf8 } from '../../../src/core/bytes/utf8.ts'
import { InputError } from '../../../src/core/errors.ts'
import { seededRandom } from '../../support/keys.ts'

const hex = (h: string) => Uint8Array.from(Buffer.from(h.replace(/ /g, ''), 'hex'))

describe('utf8', () => {
  it.each([
    ['empty', ''],
    ['ASCII', 'hello, world'],
    ['NUL and controls', '\0\u0001\u001f\u007f'],
    ['Latin-1', 'Grüße, façade'],
    ['CJK', '公民钱包'],
    ['astral (emoji)', '\u{1F600}\u{1F1E8}\u{1F1F3}'],
    ['edges of each length', '\u007f\u0080\u07ff\u0800\uffff\u{10000}\u{10ffff}'],
    ['U+FEFF inside', 'a\ufeffb'],
  ])('round-trips %s', (_name, text) => {
    const b = encodeUtf8(text)
    expect(Buffer.from(b)).toStrictEqual(Buffer.from(text, 'utf8'))
    expect(decodeUtf8(b)).toBe(text)
  })

  it('round-trips random well-formed strings', () => {
    const random = seededRandom(3629)
    for (let i = 0; i < 500; i++) {
      const r = random(16)
      let s = ''
      for (let k = 0; k < 16; k += 2) {
        const cp = ((r[k]! << 8) | r[k + 1]!) * 17 % 0x110000
        s += cp >= 0xd800 && cp <= 0xdfff ? 'x' : String.fromCodePoint(cp)
      }
      expect(decodeUtf8(encodeUtf8(s))).toBe(s)
    }
  })

  it('keeps a leading BOM as U+FEFF instead of silently dropping it', () => {
    expect(decodeUtf8(hex('ef bb bf 61'))).toBe('\ufeffa')
  })

  it.each([
    ['lone continuation byte', '80'],
    ['continuation bytes only', 'bf bf'],
    ['overlong /', 'c0 af'],
    ['overlong NUL', 'c0 80'],
    ['overlong 3-byte /', 'e0 80 af'],
    ['overlong 4-byte', 'f0 80 80 af'],
    ['UTF-8 of a high surrogate (CESU)', 'ed a0 80'],
    ['UTF-8 of a low surrogate', 'ed bf bf'],
    ['surrogate pair encoded as two 3-byte sequences', 'ed a0 bd ed b8 80'],
    ['above U+10FFFF', 'f4 90 80 80'],
    ['lead byte f5', 'f5 80 80 80'],
    ['lead byte fe', 'fe'],
    ['lead byte ff', 'ff'],
    ['truncated 2-byte', 'c3'],
    ['truncated 3-byte', 'e2 82'],
    ['truncated 4-byte', 'f0 9f 98'],
    ['ASCII then a bad byte', '61 62 63 ff'],
    ['2-byte lead then ASCII', 'c3 41'],
  ])('refuses %s', (_name, h) => {
    let err: unknown
    try {
      decodeUtf8(hex(h), 'payload')
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(InputError)
    expect((err as InputError).code).toBe('ERR_UTF8_INVALID')
    expect((err as InputError).detail).toContain('payload')
  })

  it('decodes well-formed input after a refused one (no state carried over)', () => {
    expect(() => decodeUtf8(hex('e2 82'))).toThrow(InputError)
    expect(decodeUtf8(hex('e2 82 ac'))).toBe('€')
  })
})
