/**
 * Strict JSON (RFC 8259 grammar, I-JSON RFC 7493 strings): one value, no duplicate member
 * names (compared after unescaping), no lone surrogates, size and depth caps checked before
 * anything is built. `__proto__` stays an ordinary own data member: values are built by the
 * engine's JSON.parse, which never touches prototypes.
 *
 * JSON.parse alone silently keeps the last of duplicate members (a signed payload could then
 * mean one thing here and another elsewhere), and no maintained library here checks duplicates,
 * depth and size in one pass; so a validating scanner runs first, then JSON.parse builds.
 */
import { InputError } from '../errors.ts'

export interface JsonLimits {
  /** Maximum length of the text in UTF-16 code units. */
  maxLength?: number
  /** Maximum nesting of arrays and objects. */
  maxDepth?: number
}

export const DEFAULT_JSON_LIMITS: Required<JsonLimits> = { maxLength: 1 << 20, maxDepth: 32 }

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue }
export type JsonObject = { [k: string]: JsonValue }

export function parseJson(text: string, limits: JsonLimits = DEFAULT_JSON_LIMITS, what = 'JSON'): JsonValue {
  const maxLength = limits.maxLength ?? DEFAULT_JSON_LIMITS.maxLength
  const maxDepth = limits.maxDepth ?? DEFAULT_JSON_LIMITS.maxDepth
  if (!Number.isInteger(maxDepth) || maxDepth < 0 || maxDepth > 256) throw new RangeError('maxDepth must be 0..256 (the scanner recurses)')
  if (text.length > maxLength) throw new InputError('ERR_JSON_TOO_LARGE', `${what}: ${text.length} > ${maxLength} characters`)
  new Scanner(text, maxDepth, what).whole()
  return JSON.parse(text) as JsonValue
}

export function parseJsonObject(text: string, limits?: JsonLimits, what = 'JSON'): JsonObject {
  const v = parseJson(text, limits, what)
  if (!isJsonObject(v)) throw new InputError('ERR_JSON_NOT_OBJECT', `${what} is not an object`)
  return v
}

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

const enum C {
  TAB = 9, LF = 10, CR = 13, SPACE = 32, QUOTE = 34, PLUS = 43, COMMA = 44, MINUS = 45, DOT = 46,
  ZERO = 48, NINE = 57, COLON = 58, LBRACKET = 91, BACKSLASH = 92, RBRACKET = 93,
  LBRACE = 123, RBRACE = 125, E = 69, e = 101,
}

class Scanner {
  private i = 0
  constructor(private readonly s: string, private readonly maxDepth: number, private readonly what: string) {}

  whole(): void {
    this.ws()
    this.value(0)
    this.ws()
    if (this.i !== this.s.length) this.err('trailing data')
  }

  private err(why: string): never {
    throw new InputError('ERR_JSON_SYNTAX', `${this.what}: ${why} at offset ${this.i}`)
  }

  private ws(): void {
    const s = this.s
    let i = this.i
    for (;;) {
      const c = s.charCodeAt(i)
      if (c === C.SPACE || c === C.LF || c === C.CR || c === C.TAB) i++
      else break
    }
    this.i = i
  }

  private value(depth: number): void {
    const c = this.s.charCodeAt(this.i)
    if (c === C.LBRACE) return this.object(depth + 1)
    if (c === C.LBRACKET) return this.array(depth + 1)
    if (c === C.QUOTE) {
      this.string()
      return
    }
    if (c === C.MINUS || (c >= C.ZERO && c <= C.NINE)) return this.number()
    if (this.s.startsWith('true', this.i)) this.i += 4
    else if (this.s.startsWith('false', this.i)) this.i += 5
    else if (this.s.startsWith('null', this.i)) this.i += 4
    else this.err(Number.isNaN(c) ? 'unexpected end' : 'unexpected character')
  }

  private object(depth: number): void {
    if (depth > this.maxDepth) throw new InputError('ERR_JSON_TOO_DEEP', `${this.what}: nested deeper than ${this.maxDepth}`)
    this.i++
    this.ws()
    if (this.s.charCodeAt(this.i) === C.RBRACE) {
      this.i++
      return
    }
    const seen = new Set<string>()
    for (;;) {
      if (this.s.charCodeAt(this.i) !== C.QUOTE) this.err('expected member name')
      const name = this.string()
      if (seen.has(name)) throw new InputError('ERR_JSON_DUPLICATE_KEY', `${this.what}: member ${JSON.stringify(name)} appears twice`)
      seen.add(name)
      this.ws()
      if (this.s.charCodeAt(this.i) !== C.COLON) this.err('expected :')
      this.i++
      this.ws()
      this.value(depth)
      this.ws()
      const c = this.s.charCodeAt(this.i)
      if (c === C.COMMA) {
        this.i++
        this.ws()
      } else if (c === C.RBRACE) {
        this.i++
        return
      } else this.err('expected , or }')
    }
  }

  private array(depth: number): void {
    if (depth > this.maxDepth) throw new InputError('ERR_JSON_TOO_DEEP', `${this.what}: nested deeper than ${this.maxDepth}`)
    this.i++
    this.ws()
    if (this.s.charCodeAt(this.i) === C.RBRACKET) {
      this.i++
      return
    }
    for (;;) {
      this.value(depth)
      this.ws()
      const c = this.s.charCodeAt(this.i)
      if (c === C.COMMA) {
        this.i++
        this.ws()
      } else if (c === C.RBRACKET) {
        this.i++
        return
      } else this.err('expected , or ]')
    }
  }

  /** Scans a string starting at the opening quote; returns its unescaped value. */
  private string(): string {
    const s = this.s
    const start = ++this.i
    let i = start
    let escaped = false
    for (;;) {
      const c = s.charCodeAt(i)
      if (c === C.QUOTE) break
      if (Number.isNaN(c)) {
        this.i = i
        this.err('unterminated string')
      }
      if (c < 0x20) {
        this.i = i
        this.err('control character in string')
      }
      if (c === C.BACKSLASH) {
        escaped = true
        const e = s.charCodeAt(i + 1)
        if (e === 117 /* u */) {
          const cu = this.hex4(i + 2)
          if (cu >= 0xd800 && cu <= 0xdbff) {
            if (s.charCodeAt(i + 6) !== C.BACKSLASH || s.charCodeAt(i + 7) !== 117) this.lone(i)
            const lo = this.hex4(i + 8)
            if (lo < 0xdc00 || lo > 0xdfff) this.lone(i)
            i += 12
          } else if (cu >= 0xdc00 && cu <= 0xdfff) this.lone(i)
          else i += 6
          continue
        }
        if (e === C.QUOTE || e === C.BACKSLASH || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) {
          i += 2
          continue
        }
        this.i = i
        this.err('bad escape')
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        const lo = s.charCodeAt(i + 1)
        if (c > 0xdbff || !(lo >= 0xdc00 && lo <= 0xdfff)) this.lone(i)
        i += 2
        continue
      }
      i++
    }
    this.i = i + 1
    const raw = s.slice(start, i)
    return escaped ? (JSON.parse(`"${raw}"`) as string) : raw
  }

  private lone(i: number): never {
    this.i = i
    this.err('lone surrogate')
  }

  private hex4(i: number): number {
    let v = 0
    for (let k = 0; k < 4; k++) {
      const c = this.s.charCodeAt(i + k)
      let d: number
      if (c >= 48 && c <= 57) d = c - 48
      else if (c >= 65 && c <= 70) d = c - 55
      else if (c >= 97 && c <= 102) d = c - 87
      else {
        this.i = i
        this.err('bad \\u escape')
      }
      v = (v << 4) | d
    }
    return v
  }

  private number(): void {
    const s = this.s
    let i = this.i
    if (s.charCodeAt(i) === C.MINUS) i++
    const first = s.charCodeAt(i)
    if (first === C.ZERO) i++
    else if (first >= 49 && first <= C.NINE) while (isDigit(s.charCodeAt(i))) i++
    else {
      this.i = i
      this.err('bad number')
    }
    if (s.charCodeAt(i) === C.DOT) {
      i++
      if (!isDigit(s.charCodeAt(i))) {
        this.i = i
        this.err('bad fraction')
      }
      while (isDigit(s.charCodeAt(i))) i++
    }
    const e = s.charCodeAt(i)
    if (e === C.E || e === C.e) {
      i++
      const sign = s.charCodeAt(i)
      if (sign === C.PLUS || sign === C.MINUS) i++
      if (!isDigit(s.charCodeAt(i))) {
        this.i = i
        this.err('bad exponent')
      }
      while (isDigit(s.charCodeAt(i))) i++
    }
    this.i = i
  }
}

function isDigit(c: number): boolean {
  return c >= C.ZERO && c <= C.NINE
}
