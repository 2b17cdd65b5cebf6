// The zlib/DEFLATE walker (src/core/status/_deflate-scan.ts) against node:zlib as the oracle:
// it must find the same inflated size for every stream zlib makes (all levels, strategies and
// window sizes), agree with zlib's verdict on thousands of damaged streams, and refuse the
// rules it names with its codes.
import zlib from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { CivicError } from '../../../src/core/errors.ts'
import { scanZlib } from '../../../src/core/status/_deflate-scan.ts'
import { concat, deflate, measure, MiB, nodeInflate, rng, zeroBomb } from './_zlib.ts'

const CAP = 64 * MiB
type Outcome = { size: number } | { code: string }

function scan(data: Uint8Array, cap = CAP): Outcome {
  try {
    return { size: scanZlib(data, cap) }
  } catch (e) {
    if (e instanceof CivicError) return { code: e.code }
    throw e
  }
}

/** Inputs of the shapes a status list takes, and some it does not. */
function inputs(): [string, Uint8Array][] {
  const next = rng(42)
  const random = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(next() * 256))
  const sparse = (n: number, p: number): Uint8Array => Uint8Array.from({ length: n }, () => (next() < p ? 1 << Math.floor(next() * 8) : 0))
  const text = new TextEncoder().encode('status[0] = 0b1\n'.repeat(3000) + 'the quick brown fox '.repeat(500))
  return [
    ['empty', new Uint8Array(0)],
    ['b9 a3', Uint8Array.of(0xb9, 0xa3)],
    ['70,000 zeros (more than one stored block)', new Uint8Array(70_000)],
    ['random 1 KiB', random(1024)],
    ['random 100 KiB', random(100 * 1024)],
    ['sparse 16 KiB (131,072 1-bit entries, 1% revoked)', sparse(16 * 1024, 0.01)],
    ['sparse 256 KiB', sparse(256 * 1024, 0.001)],
    ['text', text],
  ]
}

const OPTIONS: [string, zlib.ZlibOptions][] = [
  ...[0, 1, 6, 9].map((level): [string, zlib.ZlibOptions] => [`level ${level}`, { level }]),
  ['Z_FILTERED', { strategy: zlib.constants.Z_FILTERED }],
  ['Z_HUFFMAN_ONLY', { strategy: zlib.constants.Z_HUFFMAN_ONLY }],
  ['Z_RLE', { strategy: zlib.constants.Z_RLE }],
  ['Z_FIXED (fixed Huffman blocks)', { strategy: zlib.constants.Z_FIXED }],
  ['windowBits 9, memLevel 1', { windowBits: 9, memLevel: 1 }],
  ['windowBits 12', { windowBits: 12 }],
]

/** Writes DEFLATE bits (RFC 1951 §3.1.1): values LSB first, Huffman codes MSB first. */
class BitWriter {
  private bytes: number[] = []
  private acc = 0
  private n = 0
  bits(value: number, count: number): this {
    for (let i = 0; i < count; i++) {
      this.acc |= ((value >> i) & 1) << this.n
      if (++this.n === 8) this.flush()
    }
    return this
  }
  code(code: number, length: number): this {
    for (let i = length - 1; i >= 0; i--) this.bits((code >> i) & 1, 1)
    return this
  }
  private flush(): void {
    this.bytes.push(this.acc)
    this.acc = 0
    this.n = 0
  }
  done(): Uint8Array {
    if (this.n > 0) this.flush()
    return Uint8Array.from(this.bytes)
  }
}

/** RFC 1951 §3.2.6 fixed codes. */
const fixedLit = (w: BitWriter, sym: number): BitWriter =>
  sym < 144 ? w.code(0x30 + sym, 8) : sym < 256 ? w.code(0x190 + sym - 144, 9) : sym < 280 ? w.code(sym - 256, 7) : w.code(0xc0 + sym - 280, 8)

function adler32(data: Uint8Array): Uint8Array {
  let a = 1
  let b = 0
  for (const x of data) {
    a = (a + x) % 65521
    b = (b + a) % 65521
  }
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, ((b << 16) | a) >>> 0)
  return out
}

/** A zlib stream with one final fixed-Huffman block built by `body`, inflating to `output`. */
function fixedStream(body: (w: BitWriter) => void, output: Uint8Array, header = Uint8Array.of(0x78, 0x01)): Uint8Array {
  const w = new BitWriter().bits(1, 1).bits(1, 2)
  body(w)
  fixedLit(w, 256)
  return concat(header, w.done(), adler32(output))
}

/** Canonical Huffman codes for code lengths (RFC 1951 §3.2.2). */
function canonical(lengths: number[]): number[] {
  const count = new Array<number>(16).fill(0)
  for (const l of lengths) if (l) count[l]!++
  const next = new Array<number>(16).fill(0)
  for (let bits = 1, code = 0; bits < 16; bits++) {
    code = (code + count[bits - 1]! * (bits > 1 ? 1 : 0)) << 1
    next[bits] = code
  }
  return lengths.map((l) => (l ? next[l]!++ : -1))
}

/** Code-length code: symbols 0..12 four bits, 13..18 five bits (a complete code). */
const CL_LENGTHS = Array.from({ length: 19 }, (_, s) => (s < 13 ? 4 : 5))
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

/**
 * A zlib stream with one final dynamic-Huffman block (RFC 1951 §3.2.7): literal/length and
 * distance code lengths as given (sent one by one, or as the `items` given: [symbol, extra
 * value, extra bits]), then the literals `emit`, then end-of-block.
 */
function dynamicStream(lit: number[], dist: number[], emit: number[], o: { items?: [number, number, number][]; cl?: number[]; hlit?: number } = {}): Uint8Array {
  const cl = o.cl ?? CL_LENGTHS
  const clCodes = canonical(cl)
  const w = new BitWriter().bits(1, 1).bits(2, 2)
  w.bits((o.hlit ?? lit.length) - 257, 5).bits(dist.length - 1, 5).bits(19 - 4, 4)
  for (const s of CL_ORDER) w.bits(cl[s]!, 3)
  const items = o.items ?? [...lit, ...dist].map((l): [number, number, number] => [l, 0, 0])
  for (const [sym, extra, n] of items) w.code(clCodes[sym]!, cl[sym]!).bits(extra, n)
  const litCodes = canonical(lit)
  for (const sym of [...emit, 256]) w.code(litCodes[sym]!, lit[sym]!)
  const output = Uint8Array.from(emit)
  return concat(Uint8Array.of(0x78, 0x01), w.done(), adler32(output))
}

/** Code lengths with `set` applied to an all-zero table of `n`. */
const lens = (n: number, set: Record<number, number>): number[] => Array.from({ length: n }, (_, i) => set[i] ?? 0)

describe('scanZlib', () => {
  for (const [what, data] of inputs()) {
    it.each(OPTIONS)(`finds the inflated size of ${what} deflated by zlib with %s`, (_name, options) => {
      expect(scan(deflate(data, options))).toEqual({ size: data.length })
    })
  }

  it('agrees with zlib on 4,000 damaged streams (bit flips, cuts, appended and overwritten bytes)', () => {
    const next = rng(7)
    const bases = inputs()
      .filter(([, d]) => d.length > 0 && d.length <= 20_000)
      .flatMap(([, d]) => OPTIONS.map(([, o]) => deflate(d, o)))
    const seen = new Map<string, number>()
    const disagreements: string[] = []
    for (let t = 0; t < 4000; t++) {
      const base = bases[t % bases.length]!
      const m = base.slice()
      const kind = t % 4
      let damaged: Uint8Array
      if (kind === 0) {
        const bit = 16 + Math.floor(next() * (m.length * 8 - 16))
        m[bit >> 3]! ^= 1 << (bit & 7)
        damaged = m
      } else if (kind === 1) damaged = m.subarray(0, Math.floor(next() * m.length))
      else if (kind === 2) damaged = concat(m, Uint8Array.from({ length: 1 + Math.floor(next() * 8) }, () => Math.floor(next() * 256)))
      else {
        m[2 + Math.floor(next() * (m.length - 2))] = Math.floor(next() * 256)
        damaged = m
      }
      const ours = scan(damaged)
      const theirs = nodeInflate(damaged)
      const key = 'size' in ours ? 'ok' : ours.code
      seen.set(key, (seen.get(key) ?? 0) + 1)
      const agrees =
        'size' in ours
          ? (theirs.ok && theirs.size === ours.size) || (!theirs.ok && theirs.message.includes('incorrect data check'))
          : ours.code === 'ERR_STATUS_ZLIB_TRUNCATED'
            ? !theirs.ok && theirs.code === 'Z_BUF_ERROR'
            : ours.code === 'ERR_STATUS_ZLIB_INVALID'
              ? !theirs.ok && theirs.code === 'Z_DATA_ERROR'
              : ours.code === 'ERR_STATUS_ZLIB_TRAILING_DATA'
                ? theirs.ok || theirs.message.includes('incorrect data check') // zlib ignores what follows the stream
                : ours.code === 'ERR_STATUS_LIST_TOO_LARGE' && (!theirs.ok || theirs.size > CAP)
      if (!agrees) disagreements.push(`#${t} kind ${kind}: ours ${JSON.stringify(ours)}, zlib ${JSON.stringify(theirs)}`)
    }
    expect(disagreements.slice(0, 5)).toEqual([])
    // The damage reached every verdict, so the comparison above means something.
    for (const key of ['ok', 'ERR_STATUS_ZLIB_INVALID', 'ERR_STATUS_ZLIB_TRUNCATED', 'ERR_STATUS_ZLIB_TRAILING_DATA']) {
      expect(seen.get(key) ?? 0, key).toBeGreaterThan(50)
    }
  })

  it('refuses what RFC 1951 forbids in a fixed-Huffman block, and accepts the controls', () => {
    const A = 0x41
    // 'A', then length 3 at distance 1: "AAAA".
    expect(scan(fixedStream((w) => fixedLit(fixedLit(w, A), 257).code(0, 5), new TextEncoder().encode('AAAA')))).toEqual({ size: 4 })
    // Distance 2 with one byte of output.
    expect(scan(fixedStream((w) => fixedLit(fixedLit(w, A), 257).code(1, 5), new Uint8Array(4)))).toEqual({ code: 'ERR_STATUS_ZLIB_INVALID' })
    // A back-reference before any output.
    expect(scan(fixedStream((w) => fixedLit(w, 257).code(0, 5), new Uint8Array(3)))).toEqual({ code: 'ERR_STATUS_ZLIB_INVALID' })
    // Length symbols 286 and 287, distance symbols 30 and 31.
    expect(scan(fixedStream((w) => fixedLit(fixedLit(w, A), 286).code(0, 5), new Uint8Array(4)))).toEqual({ code: 'ERR_STATUS_ZLIB_INVALID' })
    expect(scan(fixedStream((w) => fixedLit(fixedLit(w, A), 287).code(0, 5), new Uint8Array(4)))).toEqual({ code: 'ERR_STATUS_ZLIB_INVALID' })
    expect(scan(fixedStream((w) => fixedLit(fixedLit(w, A), 257).code(30, 5), new Uint8Array(4)))).toEqual({ code: 'ERR_STATUS_ZLIB_INVALID' })
    expect(scan(fixedStream((w) => fixedLit(fixedLit(w, A), 257).code(31, 5), new Uint8Array(4)))).toEqual({ code: 'ERR_STATUS_ZLIB_INVALID' })
    // Symbol 285 is length 258.
    expect(scan(fixedStream((w) => fixedLit(fixedLit(w, A), 285).code(0, 5), new Uint8Array(259).fill(A)))).toEqual({ size: 259 })
    // The controls are what zlib makes of them too.
    expect(nodeInflate(fixedStream((w) => fixedLit(fixedLit(w, A), 285).code(0, 5), new Uint8Array(259).fill(A)))).toEqual({ ok: true, size: 259 })
  })

  it('refuses what RFC 1951 and zlib forbid in a dynamic block\'s codes, as zlib does, and accepts the controls', () => {
    const A = 0x41
    const ok = (stream: Uint8Array, size: number): void => {
      expect(scan(stream)).toEqual({ size })
      expect(nodeInflate(stream)).toEqual({ ok: true, size })
    }
    const bad = (stream: Uint8Array): void => {
      expect(scan(stream)).toEqual({ code: 'ERR_STATUS_ZLIB_INVALID' })
      expect(nodeInflate(stream)).toMatchObject({ ok: false, code: 'Z_DATA_ERROR' })
    }
    // Controls: two one-bit literal codes; one single one-bit code (allowed incomplete); no distance codes at all.
    ok(dynamicStream(lens(257, { [A]: 1, 256: 1 }), [1], [A, A, A]), 3)
    ok(dynamicStream(lens(257, { 256: 1 }), [1], []), 0)
    ok(dynamicStream(lens(257, { [A]: 1, 256: 1 }), [0], [A]), 1)
    // No code for end-of-block.
    bad(dynamicStream(lens(257, { [A]: 1, [A + 1]: 1 }), [1], []))
    // An incomplete literal/length code (other than one one-bit code), and an over-subscribed one.
    bad(dynamicStream(lens(257, { [A]: 1, 256: 2 }), [1], []))
    bad(dynamicStream(lens(257, { [A]: 1, [A + 1]: 1, 256: 1 }), [1], []))
    bad(dynamicStream(lens(257, { 256: 2 }), [1], []))
    // An incomplete distance code of two codes.
    bad(dynamicStream(lens(257, { [A]: 1, 256: 1 }), [2, 2], [A]))
    // More than 286 literal/length codes.
    bad(dynamicStream(lens(287, { [A]: 1, 256: 1 }), [1], [A], { hlit: 287 }))
    // An incomplete code-length code.
    bad(dynamicStream(lens(257, { [A]: 1, 256: 1 }), [1], [A], { cl: CL_LENGTHS.map((l, s) => (s < 13 ? l : 0)) }))
    // Code 16 (repeat the previous length) with no previous length.
    const lit = lens(257, { [A]: 1, 256: 1 })
    const plain = [...lit, 1].map((l): [number, number, number] => [l, 0, 0])
    bad(dynamicStream(lit, [1], [A], { items: [[16, 0, 2], ...plain.slice(3)] }))
    // Code 17 (repeat zero) running past the last length.
    bad(dynamicStream(lit, [1], [A], { items: [...plain.slice(0, -2), [17, 7, 3]] }))
    // ...and runs of zeros used properly: 65 + A + 138 + 42 + 10 + end-of-block + one distance length.
    const runs: [number, number, number][] = [[18, 65 - 11, 7], [1, 0, 0], [18, 138 - 11, 7], [18, 42 - 11, 7], [17, 10 - 3, 3], [1, 0, 0], [1, 0, 0]]
    ok(dynamicStream(lit, [1], [A, A], { items: runs }), 2)
  })

  it('holds back-references to the window the header declares, more strictly than zlib (RFC 1950 §2.2 CINFO)', () => {
    // CINFO 0: a 256-byte window. 300 literals, then a match at distance 257.
    const header = Uint8Array.of(0x08, 0x1d)
    const out = Uint8Array.from({ length: 303 }, (_, i) => (i < 300 ? i & 0xff : (300 - 257 + i - 300) & 0xff))
    const stream = fixedStream((w) => {
      for (let i = 0; i < 300; i++) fixedLit(w, i & 0xff)
      fixedLit(w, 257).code(16, 5).bits(0, 7) // distance 257 = base 257 (symbol 16), extra 0
    }, out, header)
    expect(scan(stream)).toEqual({ code: 'ERR_STATUS_ZLIB_INVALID' })
    expect(nodeInflate(stream)).toEqual({ ok: true, size: 303 })
    // The same stream declaring a 32 KiB window is fine.
    expect(scan(concat(Uint8Array.of(0x78, 0x01), stream.subarray(2)))).toEqual({ size: 303 })
  })

  it('refuses a bomb of 1.1 GiB at the cap, and walks all of it without making a byte of output', async () => {
    const bomb = zeroBomb(1100)
    const capped = await measure(async () => scan(bomb.bytes, 16 * MiB))
    expect(capped.result).toEqual({ code: 'ERR_STATUS_LIST_TOO_LARGE' })
    const whole = await measure(async () => scan(bomb.bytes, 2 ** 31))
    expect(whole.result).toEqual({ size: bomb.inflatedSize })
    expect(whole.peakGrowthBytes).toBeLessThan(64 * MiB)
  })
})
