/**
 * A structural walk over one zlib stream (RFC 1950) and the DEFLATE data inside it (RFC 1951
 * §3.2), producing no output. It answers what the platform decoders do not say the same way
 * everywhere:
 *
 * - where the stream ends: Node 20's DecompressionStream('deflate') silently ignores bytes after
 *   the Adler-32, browsers throw a TypeError, and neither says where the stream stopped;
 * - why it is bad: truncated, corrupt or followed by trailing bytes, each with its own code;
 * - how large it inflates: lengths are summed while walking, so a decompression bomb is refused
 *   after cap / 258 back-references, before a single byte of it is inflated or allocated.
 *
 * The walk applies the validity rules of zlib's inflate (which the platforms use): complete
 * Huffman codes except a single one-bit code, a code for end-of-block, no length or distance
 * symbols 286–287 / 30–31, no distance beyond the output so far, stored-block LEN/NLEN
 * complements. One rule is stricter than zlib's: no distance beyond the window the header
 * declares (RFC 1950 §2.2 CINFO; zlib checks only its own 32 KiB). It does not compute the Adler-32
 * (that needs the output; the platform decoder checks it). Decoding is canonical Huffman, one
 * bit at a time (RFC 1951 §3.2.2), in the manner of zlib's contrib/puff: slow per bit but
 * linear in the input, and status lists are small.
 */
import { InputError } from '../errors.ts'

/** Code lengths are sent in this order (RFC 1951 §3.2.7). */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
/** Length symbols 257..285 (RFC 1951 §3.2.5). */
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
/** Distance symbols 0..29 (RFC 1951 §3.2.5). */
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
const MAX_BITS = 15

/** A canonical Huffman code: how many codes of each length, and the symbols in code order. */
interface Huffman {
  count: Uint16Array
  symbol: Uint16Array
}

/**
 * Build a canonical code from code lengths (RFC 1951 §3.2.2). Returns how much of the code
 * space is unused: 0 complete (or no codes at all), > 0 incomplete, < 0 over-subscribed.
 */
function buildHuffman(lengths: Uint8Array): { code: Huffman; left: number } {
  const count = new Uint16Array(MAX_BITS + 1)
  for (const len of lengths) count[len]!++
  const code = { count, symbol: new Uint16Array(lengths.length) }
  if (count[0] === lengths.length) return { code, left: 0 }
  let left = 1
  for (let len = 1; len <= MAX_BITS; len++) {
    left = left * 2 - count[len]!
    if (left < 0) return { code, left }
  }
  const offset = new Uint16Array(MAX_BITS + 2)
  for (let len = 1; len <= MAX_BITS; len++) offset[len + 1] = offset[len]! + count[len]!
  for (let sym = 0; sym < lengths.length; sym++) if (lengths[sym] !== 0) code.symbol[offset[lengths[sym]!]!++] = sym
  return { code, left }
}

/** zlib's rule: a code must be complete, except a single code of one bit. */
function usable(lengths: Uint8Array): Huffman | null {
  const { code, left } = buildHuffman(lengths)
  if (left < 0) return null
  if (left > 0 && code.count[0]! + code.count[1]! !== lengths.length) return null
  return code
}

const FIXED = (() => {
  const lit = new Uint8Array(288)
  lit.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288)
  // 30 distance codes of 5 bits: the codes for 30 and 31 stay unassigned, hence invalid.
  return { lit: buildHuffman(lit).code, dist: buildHuffman(new Uint8Array(30).fill(5)).code }
})()

const invalid = (why: string): never => {
  throw new InputError('ERR_STATUS_ZLIB_INVALID', `zlib data: ${why}`)
}

class Walker {
  pos: number
  private bitBuf = 0
  private bitCount = 0
  /** Bytes the stream has inflated to so far. */
  out = 0

  constructor(private readonly data: Uint8Array, start: number, private readonly cap: number, private readonly window: number) {
    this.pos = start
  }

  private truncated(): never {
    throw new InputError('ERR_STATUS_ZLIB_TRUNCATED', `zlib data ends at byte ${this.data.length} inside the DEFLATE stream`)
  }

  /** `need` (≤ 16) bits, least significant first (RFC 1951 §3.1.1). */
  bits(need: number): number {
    let val = this.bitBuf
    while (this.bitCount < need) {
      if (this.pos >= this.data.length) this.truncated()
      val |= this.data[this.pos++]! << this.bitCount
      this.bitCount += 8
    }
    this.bitBuf = val >>> need
    this.bitCount -= need
    return val & ((1 << need) - 1)
  }

  /** Drop the bits left in the current byte (stored blocks and the trailer are byte-aligned). */
  align(): void {
    this.bitBuf = 0
    this.bitCount = 0
  }

  grow(n: number): void {
    this.out += n
    if (this.out > this.cap) throw new InputError('ERR_STATUS_LIST_TOO_LARGE', `lst inflates to more than ${this.cap} bytes`)
  }

  decode(h: Huffman): number {
    let code = 0
    let first = 0
    let index = 0
    for (let len = 1; len <= MAX_BITS; len++) {
      code |= this.bits(1)
      const count = h.count[len]!
      if (code - first < count) return h.symbol[index + code - first]!
      index += count
      first = (first + count) << 1
      code <<= 1
    }
    return invalid('a bit sequence that is no code of the block\'s Huffman table')
  }

  /** §3.2.4: LEN, NLEN (its one's complement), then LEN literal bytes. */
  stored(): void {
    this.align()
    const d = this.data
    if (this.pos + 4 > d.length) this.truncated()
    const len = d[this.pos]! | (d[this.pos + 1]! << 8)
    const nlen = d[this.pos + 2]! | (d[this.pos + 3]! << 8)
    this.pos += 4
    if (len !== (~nlen & 0xffff)) invalid('a stored block whose LEN and NLEN are not complements')
    if (this.pos + len > d.length) this.truncated()
    this.pos += len
    this.grow(len)
  }

  /** §3.2.5: literal/length and distance symbols up to end-of-block (256). */
  codes(lit: Huffman, dist: Huffman): void {
    for (;;) {
      const sym = this.decode(lit)
      if (sym < 256) {
        this.grow(1)
        continue
      }
      if (sym === 256) return
      const l = sym - 257
      if (l >= 29) invalid('length symbol 286 or 287')
      const length = LENGTH_BASE[l]! + this.bits(LENGTH_EXTRA[l]!)
      const d = this.decode(dist)
      if (d >= 30) invalid('distance symbol 30 or 31')
      const distance = DIST_BASE[d]! + this.bits(DIST_EXTRA[d]!)
      if (distance > this.out || distance > this.window) invalid(`distance ${distance} reaches before the start of the data or the window`)
      this.grow(length)
    }
  }

  /** §3.2.7: the block's own codes, sent as code lengths coded with a code-length code. */
  dynamic(): void {
    const nlen = this.bits(5) + 257
    const ndist = this.bits(5) + 1
    const ncode = this.bits(4) + 4
    if (nlen > 286 || ndist > 30) invalid('more than 286 length or 30 distance codes')
    const clens = new Uint8Array(19)
    for (let i = 0; i < ncode; i++) clens[CODE_LENGTH_ORDER[i]!] = this.bits(3)
    const { code: lencode, left } = buildHuffman(clens)
    if (left !== 0) invalid('an incomplete or over-subscribed code-length code')
    const lengths = new Uint8Array(nlen + ndist)
    let i = 0
    while (i < nlen + ndist) {
      const sym = this.decode(lencode)
      if (sym < 16) {
        lengths[i++] = sym
        continue
      }
      let len = 0
      let repeat: number
      if (sym === 16) {
        if (i === 0) invalid('a repeat of the previous code length before the first one')
        len = lengths[i - 1]!
        repeat = 3 + this.bits(2)
      } else if (sym === 17) repeat = 3 + this.bits(3)
      else repeat = 11 + this.bits(7)
      if (i + repeat > nlen + ndist) invalid('more code lengths than codes')
      lengths.fill(len, i, i + repeat)
      i += repeat
    }
    if (lengths[256] === 0) invalid('no code for end-of-block')
    const lit = usable(lengths.subarray(0, nlen))
    if (!lit) invalid('an incomplete or over-subscribed literal/length code')
    const dist = usable(lengths.subarray(nlen))
    if (!dist) invalid('an incomplete or over-subscribed distance code')
    this.codes(lit!, dist!)
  }
}

/**
 * Walk `data` as exactly one zlib stream and return how many bytes it inflates to. Throws
 * InputError: ERR_STATUS_ZLIB_INVALID (header, blocks, codes, distances), ERR_STATUS_ZLIB_TRUNCATED
 * (the data ends first), ERR_STATUS_ZLIB_TRAILING_DATA (bytes after the Adler-32),
 * ERR_STATUS_LIST_TOO_LARGE (more than `cap` bytes, found before walking any further).
 */
export function scanZlib(data: Uint8Array, cap: number): number {
  if (data.length < 2) throw new InputError('ERR_STATUS_ZLIB_TRUNCATED', `zlib data of ${data.length} bytes has no header`)
  // RFC 1950 §2.2: CMF (CM = 8 deflate, CINFO = log2(window) - 8 ≤ 7), FLG (FCHECK, FDICT).
  const cmf = data[0]!
  const flg = data[1]!
  if ((cmf & 0x0f) !== 8) invalid(`compression method ${cmf & 0x0f}, not 8 (deflate)`)
  if (cmf >> 4 > 7) invalid(`window size 2^${(cmf >> 4) + 8} above 32 KiB`)
  if ((cmf * 256 + flg) % 31 !== 0) invalid('header check bits (FCHECK) do not match')
  if (flg & 0x20) invalid('a preset dictionary (FDICT), which status lists never use')
  const w = new Walker(data, 2, cap, 1 << ((cmf >> 4) + 8))
  let last: number
  do {
    last = w.bits(1)
    const type = w.bits(2)
    if (type === 0) w.stored()
    else if (type === 1) w.codes(FIXED.lit, FIXED.dist)
    else if (type === 2) w.dynamic()
    else invalid('block type 3 (reserved)')
  } while (!last)
  w.align()
  // RFC 1950 §2.2: ADLER32, four bytes, then nothing.
  if (w.pos + 4 > data.length) throw new InputError('ERR_STATUS_ZLIB_TRUNCATED', 'zlib data ends inside its Adler-32 check value')
  if (w.pos + 4 < data.length) throw new InputError('ERR_STATUS_ZLIB_TRAILING_DATA', `${data.length - w.pos - 4} bytes after the end of the zlib stream`)
  return w.out
}
