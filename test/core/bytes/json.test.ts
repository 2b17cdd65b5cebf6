// Strict JSON (RFC 8259 grammar, I-JSON RFC 7493 strings): on valid documents it gives exactly
// what JSON.parse gives; it refuses what JSON.parse refuses (same code every time), and on top
// refuses duplicate member names (also when only escapes differ), lone surrogates, and text
// beyond the size and depth caps — before anything is built.
import { describe, expect, it } from 'vitest'
import { DEFAULT_JSON_LIMITS, isJsonObject, parseJson, parseJsonObject } from '../../../src/core/bytes/json.ts'
import { InputError } from '../../../src/core/errors.ts'
import { seededRandom } from '../../support/keys.ts'
import { codeOf } from '../../support/codes.ts'

const VALID: string[] = [
  // RFC 8259 §2: any value at the top, white space around
  'null', 'true', 'false', '0', '-0', '"x"', '[]', '{}', ' \t\r\n{ } \n', '[ ]', '\n[\n1\n,\n2\n]\n',
  // numbers (§6)
  '[0, -0, 1, -1, 10, 1.5, -1.5, 0.000001, 1e5, 1E5, 1e+5, 1e-5, 1E-5, -0.0e0, 123456789012345678901234567890]',
  '[1e308, 1e400, -1e400, 5e-324, 1e-400, 9007199254740993, 0.1, 2.5e-3]',
  // strings (§7): every escape, raw non-ASCII, surrogate pairs escaped and raw
  '["\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0000", "\\u001f", "\\u00e9", "\\u00E9", "\\uFFFF"]',
  '["\\ud83d\\ude00", "\\uD83D\\uDE00", "\u{1F600}", "公民", "\u007f", "\u2028\u2029", "a\\u0000b"]',
  '""', '" "', '"/"', '"\'"',
  // objects
  '{"a":1,"b":[true,false,null],"c":{"d":{"e":{}}}}',
  '{"":0, " ":1, "a b":2, "\\u0000":3}',
  '{"a":{"a":{"a":1}}}', // the same name at different levels is not a duplicate
  '[{"a":1},{"a":2}]', // nor in sibling objects
  '{"A":1,"a":2}', // names are case-sensitive
  '{"\\u00e9":1,"e\\u0301":2}', // no Unicode normalization: two different names
  '{"__proto__":{"polluted":true},"constructor":1,"toString":"x","hasOwnProperty":null}',
  '{"_sd":["abc"],"...":"x","_sd_alg":"sha-256"}',
  JSON.stringify({ nested: [[[[[[[[[[1]]]]]]]]]], obj: { s: 'x'.repeat(1000) } }),
]

describe('parseJson: valid documents give exactly what JSON.parse gives', () => {
  it.each(VALID)('%s', (text) => {
    expect(parseJson(text)).toStrictEqual(JSON.parse(text))
  })

  it('random JSON values round-trip through JSON.stringify', () => {
    const random = seededRandom(8259)
    const byte = () => random(1)[0]!
    const value = (depth: number): unknown => {
      const k = byte() % (depth > 5 ? 4 : 7)
      if (k === 0) return null
      if (k === 1) return byte() % 2 === 0
      if (k === 2) return (byte() - 128) * 1.5 ** (byte() % 40) * (byte() % 2 ? 1 : 1e-9)
      if (k === 3) return String.fromCharCode(...Array.from({ length: byte() % 8 }, () => ((byte() << 8) | byte()) % 0xd800))
      if (k === 4 || k === 5) return Array.from({ length: byte() % 5 }, () => value(depth + 1))
      const o: Record<string, unknown> = {}
      for (let i = byte() % 5; i > 0; i--) o[`k${byte() % 20}`] = value(depth + 1)
      return o
    }
    for (let i = 0; i < 500; i++) {
      const text = JSON.stringify(value(0), null, i % 3 === 0 ? 2 : undefined)
      expect(parseJson(text)).toStrictEqual(JSON.parse(text))
    }
  })

  it('keeps __proto__ an own data member and touches no prototype', () => {
    const v = parseJson('{"__proto__":{"polluted":true},"a":{"__proto__":null}}') as Record<string, any>
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(v, '__proto__')?.value).toStrictEqual({ polluted: true })
    expect(Object.getOwnPropertyDescriptor(v.a, '__proto__')?.value).toBeNull()
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('parseJson: invalid documents', () => {
  it.each([
    // syntax that JSON.parse also refuses
    ['', 'ERR_JSON_SYNTAX'], [' ', 'ERR_JSON_SYNTAX'], ['{', 'ERR_JSON_SYNTAX'], ['}', 'ERR_JSON_SYNTAX'],
    ['[', 'ERR_JSON_SYNTAX'], ['[1,]', 'ERR_JSON_SYNTAX'], ['[,1]', 'ERR_JSON_SYNTAX'], ['{"a":1,}', 'ERR_JSON_SYNTAX'],
    ['{,}', 'ERR_JSON_SYNTAX'], ['{"a"}', 'ERR_JSON_SYNTAX'], ['{"a":}', 'ERR_JSON_SYNTAX'], ['{"a" 1}', 'ERR_JSON_SYNTAX'],
    ['{"a":1 "b":2}', 'ERR_JSON_SYNTAX'], ['[1 2]', 'ERR_JSON_SYNTAX'], ['{a:1}', 'ERR_JSON_SYNTAX'], ["{'a':1}", 'ERR_JSON_SYNTAX'],
    ["'a'", 'ERR_JSON_SYNTAX'], ['{1:1}', 'ERR_JSON_SYNTAX'], ['[]]', 'ERR_JSON_SYNTAX'], ['{}{}', 'ERR_JSON_SYNTAX'],
    ['{} x', 'ERR_JSON_SYNTAX'], ['1 2', 'ERR_JSON_SYNTAX'], ['/* c */ {}', 'ERR_JSON_SYNTAX'], ['{} // c', 'ERR_JSON_SYNTAX'],
    ['01', 'ERR_JSON_SYNTAX'], ['-01', 'ERR_JSON_SYNTAX'], ['00', 'ERR_JSON_SYNTAX'], ['-', 'ERR_JSON_SYNTAX'],
    ['+1', 'ERR_JSON_SYNTAX'], ['1.', 'ERR_JSON_SYNTAX'], ['.1', 'ERR_JSON_SYNTAX'], ['1.e1', 'ERR_JSON_SYNTAX'],
    ['1e', 'ERR_JSON_SYNTAX'], ['1e+', 'ERR_JSON_SYNTAX'], ['1e-', 'ERR_JSON_SYNTAX'], ['0x10', 'ERR_JSON_SYNTAX'],
    ['1_000', 'ERR_JSON_SYNTAX'], ['NaN', 'ERR_JSON_SYNTAX'], ['Infinity', 'ERR_JSON_SYNTAX'], ['-Infinity', 'ERR_JSON_SYNTAX'],
    ['tru', 'ERR_JSON_SYNTAX'], ['nul', 'ERR_JSON_SYNTAX'], ['True', 'ERR_JSON_SYNTAX'], ['NULL', 'ERR_JSON_SYNTAX'],
    ['undefined', 'ERR_JSON_SYNTAX'], ['truex', 'ERR_JSON_SYNTAX'], ['"abc', 'ERR_JSON_SYNTAX'], ['"\\"', 'ERR_JSON_SYNTAX'],
    ['"a\tb"', 'ERR_JSON_SYNTAX'], ['"a\nb"', 'ERR_JSON_SYNTAX'], ['"\u0000"', 'ERR_JSON_SYNTAX'], ['"\u001f"', 'ERR_JSON_SYNTAX'],
    ['"\\x41"', 'ERR_JSON_SYNTAX'], ['"\\a"', 'ERR_JSON_SYNTAX'], ['"\\\'"', 'ERR_JSON_SYNTAX'], ['"\\u12"', 'ERR_JSON_SYNTAX'],
    ['"\\u12G4"', 'ERR_JSON_SYNTAX'], ['"\\U0041"', 'ERR_JSON_SYNTAX'], ['"\\u{41}"', 'ERR_JSON_SYNTAX'], ['"\\', 'ERR_JSON_SYNTAX'],
    ['\ufeff{}', 'ERR_JSON_SYNTAX'], ['\u00a0{}', 'ERR_JSON_SYNTAX'], ['{}\u2028', 'ERR_JSON_SYNTAX'], ['\v{}', 'ERR_JSON_SYNTAX'],
    // I-JSON (RFC 7493 §2.1): no lone surrogates, escaped or raw; JSON.parse accepts these
    ['"\\ud800"', 'ERR_JSON_SYNTAX'], ['"\\udc00"', 'ERR_JSON_SYNTAX'], ['"\\udfff\\ud800"', 'ERR_JSON_SYNTAX'],
    ['"\\ud800\\u0041"', 'ERR_JSON_SYNTAX'], ['"\\ud800x"', 'ERR_JSON_SYNTAX'], ['"\\ud800\\n"', 'ERR_JSON_SYNTAX'],
    ['"\\ud800\\ud800"', 'ERR_JSON_SYNTAX'], ['{"\\ud800":1}', 'ERR_JSON_SYNTAX'], ['"\ud800"', 'ERR_JSON_SYNTAX'],
    ['"\udc00\ud800"', 'ERR_JSON_SYNTAX'], ['"x\ud83d"', 'ERR_JSON_SYNTAX'],
    // duplicate member names (RFC 8259 §4 SHOULD be unique; I-JSON §2.3 MUST): JSON.parse keeps the last
    ['{"a":1,"a":2}', 'ERR_JSON_DUPLICATE_KEY'], ['{"a":1,"a":1}', 'ERR_JSON_DUPLICATE_KEY'],
    ['{"a":1,"\\u0061":2}', 'ERR_JSON_DUPLICATE_KEY'], ['{"\\u0061":1,"a":2}', 'ERR_JSON_DUPLICATE_KEY'],
    ['{"/":1,"\\/":2}', 'ERR_JSON_DUPLICATE_KEY'], ['{"\\ud83d\\ude00":1,"\u{1F600}":2}', 'ERR_JSON_DUPLICATE_KEY'],
    ['{"__proto__":1,"__proto__":2}', 'ERR_JSON_DUPLICATE_KEY'], ['{"":1,"":2}', 'ERR_JSON_DUPLICATE_KEY'],
    ['{"x":{"b":1,"c":2,"b":3}}', 'ERR_JSON_DUPLICATE_KEY'], ['[{"a":1,"a":2}]', 'ERR_JSON_DUPLICATE_KEY'],
    ['{"a":1,"b":2,"c":3,"a":4}', 'ERR_JSON_DUPLICATE_KEY'],
  ])('%j → %s', (text, code) => {
    expect(codeOf(() => parseJson(text))).toBe(code)
  })

  it('refuses whatever JSON.parse refuses, with a JSON code (mutations of valid documents)', () => {
    const random = seededRandom(7493)
    const chars = '{}[]",:0123456789.-+eE \\ufnrtlasx\n'
    let refusedByBoth = 0
    for (let i = 0; i < 4000; i++) {
      const base = VALID[i % VALID.length]!
      const r = random(3)
      const at = r[0]! % (base.length + 1)
      const c = chars[r[1]! % chars.length]!
      const op = r[2]! % 3
      const text = op === 0 ? base.slice(0, at) + c + base.slice(at) : op === 1 ? base.slice(0, at) + base.slice(at + 1) : base.slice(0, at) + c + base.slice(at + 1)
      let native: unknown
      let nativeOk = true
      try {
        native = JSON.parse(text)
      } catch {
        nativeOk = false
      }
      const code = codeOf(() => parseJson(text))
      if (!nativeOk) {
        // the first fault met wins: a duplicate name before the syntax error is reported as such
        expect(['ERR_JSON_SYNTAX', 'ERR_JSON_DUPLICATE_KEY'], text).toContain(code)
        refusedByBoth++
      } else if (code === undefined) {
        expect(parseJson(text), text).toStrictEqual(native)
      } else {
        // accepted by JSON.parse, refused here: only for the stricter rules
        expect(['ERR_JSON_DUPLICATE_KEY', 'ERR_JSON_SYNTAX', 'ERR_JSON_TOO_DEEP'], text).toContain(code)
        if (code === 'ERR_JSON_SYNTAX') expect(text, 'only lone surrogates are stricter syntax').toMatch(/\\u[dD][89a-fA-F]|[\ud800-\udfff]/)
      }
    }
    expect(refusedByBoth).toBeGreaterThan(1000)
  })
})

describe('parseJson: caps', () => {
  it('depth: 32 levels by default, the 33rd refused with ERR_JSON_TOO_DEEP', () => {
    expect(DEFAULT_JSON_LIMITS.maxDepth).toBe(32)
    expect(() => parseJson('['.repeat(32) + ']'.repeat(32))).not.toThrow()
    expect(codeOf(() => parseJson('['.repeat(33) + ']'.repeat(33)))).toBe('ERR_JSON_TOO_DEEP')
    expect(() => parseJson('{"a":'.repeat(32) + '1' + '}'.repeat(32))).not.toThrow()
    expect(codeOf(() => parseJson('{"a":'.repeat(33) + '1' + '}'.repeat(33)))).toBe('ERR_JSON_TOO_DEEP')
    expect(codeOf(() => parseJson('[{"a":'.repeat(17) + '1' + '}]'.repeat(17)))).toBe('ERR_JSON_TOO_DEEP')
  })

  it('depth: a caller cap applies; scalars have depth 0', () => {
    expect(() => parseJson('[[1]]', { maxDepth: 2 })).not.toThrow()
    expect(codeOf(() => parseJson('[[[1]]]', { maxDepth: 2 }))).toBe('ERR_JSON_TOO_DEEP')
    expect(() => parseJson('"x"', { maxDepth: 0 })).not.toThrow()
    expect(codeOf(() => parseJson('[]', { maxDepth: 0 }))).toBe('ERR_JSON_TOO_DEEP')
  })

  it('depth: a million open brackets are refused without exhausting the stack', () => {
    expect(codeOf(() => parseJson('['.repeat(1_000_000)))).toBe('ERR_JSON_TOO_DEEP')
    expect(codeOf(() => parseJson('{"a":'.repeat(200_000)))).toBe('ERR_JSON_TOO_DEEP')
  })

  it('length: the cap counts UTF-16 code units and is checked before scanning', () => {
    expect(DEFAULT_JSON_LIMITS.maxLength).toBe(1 << 20)
    const at = `"${'x'.repeat(98)}"`
    expect(() => parseJson(at, { maxLength: 100 })).not.toThrow()
    expect(codeOf(() => parseJson(`${at} `, { maxLength: 100 }))).toBe('ERR_JSON_TOO_LARGE')
    // over the cap and malformed: the size is what is reported
    expect(codeOf(() => parseJson('{'.repeat(101), { maxLength: 100 }))).toBe('ERR_JSON_TOO_LARGE')
    expect(codeOf(() => parseJson(`"${'x'.repeat(1 << 20)}"`))).toBe('ERR_JSON_TOO_LARGE')
  })
})

describe('parseJsonObject and isJsonObject', () => {
  it.each(['[]', 'null', '1', '"{}"', 'true', '[{}]'])('%s is not an object', (text) => {
    expect(codeOf(() => parseJsonObject(text))).toBe('ERR_JSON_NOT_OBJECT')
  })

  it('returns objects and passes the caps on', () => {
    expect(parseJsonObject('{"a":[1]}')).toStrictEqual({ a: [1] })
    expect(codeOf(() => parseJsonObject('{"a":[1]}', { maxDepth: 1 }))).toBe('ERR_JSON_TOO_DEEP')
    expect(codeOf(() => parseJsonObject('{"a":1,"a":2}'))).toBe('ERR_JSON_DUPLICATE_KEY')
  })

  it('isJsonObject is true only for plain non-array objects and never throws', () => {
    expect(isJsonObject({})).toBe(true)
    expect(isJsonObject(Object.create(null))).toBe(true)
    for (const v of [null, undefined, [], 1, 'x', true, () => {}]) expect(isJsonObject(v)).toBe(false)
  })
})
