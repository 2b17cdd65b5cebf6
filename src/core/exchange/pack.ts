/**
 * The packed answer (design §6 step 3): an SD-JWT VC presentation with its KB-JWT (RFC 9901
 * §4 compact form) and its stapled extras, made as small as possible before it is encrypted
 * (jose/jwe.ts) and cut into QR frames. Base64url text becomes the bytes it spells (a quarter
 * smaller: the JOSE headers, payloads and disclosures become the JSON they encode), which raw
 * DEFLATE (RFC 1951) compresses with a preset dictionary of the JSON every answer repeats
 * (dictionary.ts). Signatures are random bytes DEFLATE cannot shrink and whose 256 byte values
 * would crowd its literal code, so they follow the compressed data as they are.
 *
 * Layout, version 1 (`PACK_VERSION`):
 *
 *     pack    = version:u8 ‖ DEFLATE(body, PACK_DICTIONARY) ‖ signature of the issuer JWS ‖ [of the KB-JWT]
 *     body    = varint n ‖ kb:u8 ‖ jws ‖ part × n ‖ [jws when kb = 1] ‖ varint m ‖ part × m
 *     jws     = part (header) ‖ part (payload) ‖ varint (signature length)
 *     part    = varint length ‖ bytes
 *     varint  = unsigned LEB128, minimal, at most 3 bytes
 *
 * All base64url segments travel decoded: the n disclosures, each JWS's header, payload and
 * signature. kb is 1 for a KB-JWT and 0 for a presentation ending in `~`; the m extras are
 * opaque bytes. The presentation comes back byte-exactly (the KB-JWT's sd_hash covers the
 * exact compact string): base64url is canonical both ways (bytes/base64url.ts), so a segment
 * has one spelling, and the empty segments no presentation has are refused. The version byte
 * also names the dictionary: changing PACK_DICTIONARY changes what every pack means, so it
 * takes a new version.
 *
 * Unpacking is the edge where attacker bytes arrive (anyone holding the request's ephemeral
 * key can encrypt to it), so it is strict and bounded, in this order: the packed length cap,
 * the version, then a structural walk of the DEFLATE data that produces no output
 * (`walkDeflate`: the zlib rules of status/_deflate-scan.ts, for a raw stream with a preset
 * dictionary). It finds the inflated size without inflating, so a bomb is refused after
 * maxUnpackedBytes / 258 back-references with nothing of it allocated or written, and it
 * finds where the stream ends, with zero padding bits, so the signatures start at a known byte
 * and no bit goes unread. Only then does fflate inflate, into a buffer of exactly the walked
 * size. (fflate alone would not do: given an `out` buffer it truncates silently but still
 * decodes its whole input, ~140 ms for 10 MB of zeros, and it ignores whatever follows the
 * stream.) Then the body is read to its last byte and the signatures to the pack's last byte,
 * so no proper prefix of a pack is one. Every failure is InputError ERR_EXCH_PACK_INVALID.
 *
 * What remains: DEFLATE itself lets a few streams change yet decode to the same bytes (a
 * back-reference to another identical copy); that is then the same answer. The JWE around
 * the pack is what makes it tamper-evident.
 *
 * The one importer of fflate, by name, so a bundler keeps only deflateSync and inflateSync.
 */
import { deflateSync, inflateSync } from 'fflate'
import { decodeBase64url, encodeBase64url } from '../bytes/base64url.ts'
import { InputError } from '../errors.ts'
import { PACK_DICTIONARY } from './dictionary.ts'

/** The first byte of every pack: layout and dictionary version. */
export const PACK_VERSION = 1

/**
 * Caps, applied before any work on the bytes they bound. 32 KiB packed is a dozen QR codes of
 * version 40 and far beyond any answer (a 4-claim one packs to about 715 bytes, 1.7 KB with
 * stapled status); 64 KiB unpacked is a presentation of about 87,000 characters.
 */
export const PACK_LIMITS = {
  /** Longest accepted pack, in bytes. */
  maxPackedBytes: 32 * 1024,
  /** Longest body a pack may inflate to, in bytes. */
  maxUnpackedBytes: 64 * 1024,
  /** Most disclosures, and most extras, in one answer. */
  maxParts: 64,
} as const

/** DEFLATE level: 9, the best fflate has; answers are small, so the cost is nothing. */
const LEVEL = 9
/** A varint holds up to 21 bits, above any length the caps allow. */
const VARINT_MAX_BYTES = 3

export interface PackedAnswer {
  /** Compact SD-JWT: `<JWS>~<D1>~…~<Dn>~` with or without a KB-JWT after the last `~`. */
  presentation: string
  /** Opaque byte strings stapled to it (status list token, inclusion proof of its anchor). */
  extras: Uint8Array[]
}

const invalid = (detail: string, cause?: unknown): never => {
  throw new InputError('ERR_EXCH_PACK_INVALID', detail, cause === undefined ? undefined : { cause })
}

// ── packing (the wallet's own presentation) ─────────────────────────────────────────────────

function decodePart(text: string, what: string): Uint8Array {
  if (text.length === 0) invalid(`${what} is empty`)
  try {
    return decodeBase64url(text, what)
  } catch (e) {
    return invalid(`${what} is not canonical base64url`, e)
  }
}

/** A compact JWS as its decoded header, payload and signature. */
function jwsParts(jws: string, what: string): [Uint8Array, Uint8Array, Uint8Array] {
  const segs = jws.split('.')
  if (segs.length !== 3) invalid(`${what} is not three dot-separated segments`)
  return [decodePart(segs[0]!, `${what} header`), decodePart(segs[1]!, `${what} payload`), decodePart(segs[2]!, `${what} signature`)]
}

const varintLength = (v: number): number => (v < 0x80 ? 1 : v < 0x4000 ? 2 : 3)

/** Bytes written front to back into a buffer of the size counted beforehand. */
class Writer {
  readonly bytes: Uint8Array
  at = 0
  constructor(size: number) {
    this.bytes = new Uint8Array(size)
  }
  varint(v: number): void {
    for (; v >= 0x80; v >>>= 7) this.bytes[this.at++] = (v & 0x7f) | 0x80
    this.bytes[this.at++] = v
  }
  raw(p: Uint8Array): void {
    this.bytes.set(p, this.at)
    this.at += p.length
  }
  part(p: Uint8Array): void {
    this.varint(p.length)
    this.raw(p)
  }
}

/**
 * Pack the wallet's answer. The presentation must be a compact SD-JWT (`<JWS>~…~`, optional
 * KB-JWT) of canonical base64url parts, within the caps; anything else is InputError
 * ERR_EXCH_PACK_INVALID, as it could not be unpacked.
 */
export function packAnswer(a: { presentation: string; extras?: readonly Uint8Array[] }): Uint8Array {
  const { presentation } = a
  const extras = a.extras ?? []
  if (typeof presentation !== 'string') throw new TypeError('presentation must be a string')
  if (!Array.isArray(extras) || !extras.every((x) => x instanceof Uint8Array)) throw new TypeError('extras must be an array of Uint8Array')
  // Base64url spells 3 bytes in 4 characters: a longer string cannot fit the body cap.
  if (presentation.length > (PACK_LIMITS.maxUnpackedBytes / 3) * 4 + 2 * PACK_LIMITS.maxParts + 8) invalid(`a presentation of ${presentation.length} characters is above the cap`)
  if (extras.length > PACK_LIMITS.maxParts) invalid(`${extras.length} extras > ${PACK_LIMITS.maxParts}`)
  const tildes = presentation.split('~')
  if (tildes.length < 2) invalid('the presentation has no ~: not a compact SD-JWT')
  if (tildes.length - 2 > PACK_LIMITS.maxParts) invalid(`${tildes.length - 2} disclosures > ${PACK_LIMITS.maxParts}`)
  const last = tildes[tildes.length - 1]!
  const jwts = [jwsParts(tildes[0]!, 'issuer JWS'), ...(last.length > 0 ? [jwsParts(last, 'KB-JWT')] : [])]
  const disclosures = tildes.slice(1, -1).map((d, i) => decodePart(d, `disclosure ${i + 1}`))

  let size = varintLength(disclosures.length) + 1 + varintLength(extras.length)
  for (const p of [...disclosures, ...extras]) size += varintLength(p.length) + p.length
  let tail = 0
  for (const [h, p, sig] of jwts) {
    size += varintLength(h.length) + h.length + varintLength(p.length) + p.length + varintLength(sig.length)
    tail += sig.length
  }
  if (size > PACK_LIMITS.maxUnpackedBytes) invalid(`the answer is ${size} bytes unpacked > ${PACK_LIMITS.maxUnpackedBytes}`)

  const body = new Writer(size)
  const jws = ([h, p, sig]: [Uint8Array, Uint8Array, Uint8Array]): void => {
    body.part(h)
    body.part(p)
    body.varint(sig.length)
  }
  body.varint(disclosures.length)
  body.bytes[body.at++] = jwts.length - 1
  jws(jwts[0]!)
  for (const d of disclosures) body.part(d)
  if (jwts[1]) jws(jwts[1])
  body.varint(extras.length)
  for (const x of extras) body.part(x)
  if (body.at !== size) throw new Error('packAnswer: body size miscounted')

  const deflated = deflateSync(body.bytes, { level: LEVEL, dictionary: PACK_DICTIONARY })
  const packed = 1 + deflated.length + tail
  if (packed > PACK_LIMITS.maxPackedBytes) invalid(`the answer packs to ${packed} bytes > ${PACK_LIMITS.maxPackedBytes}`)
  const out = new Writer(packed)
  out.bytes[out.at++] = PACK_VERSION
  out.raw(deflated)
  for (const [, , sig] of jwts) out.raw(sig)
  return out.bytes
}

// ── unpacking (attacker bytes) ─────────────────────────────────────────────────────────────

/**
 * Unpack an answer. Throws InputError ERR_EXCH_PACK_INVALID, and nothing else, for any bytes
 * that are not exactly a version-1 pack within the caps.
 */
export function unpackAnswer(bytes: Uint8Array): PackedAnswer {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('unpackAnswer: bytes must be a Uint8Array')
  if (bytes.length === 0) invalid('empty')
  if (bytes.length > PACK_LIMITS.maxPackedBytes) invalid(`${bytes.length} bytes > ${PACK_LIMITS.maxPackedBytes}`)
  if (bytes[0] !== PACK_VERSION) invalid(`version ${bytes[0]}, not ${PACK_VERSION}`)
  const { size, end } = walkDeflate(bytes, 1, PACK_LIMITS.maxUnpackedBytes, PACK_DICTIONARY.length)
  let body: Uint8Array
  try {
    body = inflateSync(bytes.subarray(1, end), { dictionary: PACK_DICTIONARY, out: new Uint8Array(size) })
  } catch (e) {
    // Not expected after the walk (its rules are stricter than fflate's); never let it escape as another type.
    return invalid('the DEFLATE data does not inflate', e)
  }
  if (body.length !== size) invalid(`inflated to ${body.length} bytes, not the ${size} the stream describes`)
  return readBody(body, bytes.subarray(end))
}

/** Read the body, taking the signatures it announces from `tail`, front to back, to the last byte of both. */
function readBody(body: Uint8Array, tail: Uint8Array): PackedAnswer {
  let at = 0
  let tailAt = 0
  const varint = (what: string): number => {
    let v = 0
    for (let i = 0; i < VARINT_MAX_BYTES; i++) {
      if (at >= body.length) invalid(`the body ends inside ${what}`)
      const b = body[at++]!
      v |= (b & 0x7f) << (7 * i)
      if (b < 0x80) {
        if (i > 0 && b === 0) invalid(`${what} is not a minimal varint`)
        return v
      }
    }
    return invalid(`${what} is a varint longer than ${VARINT_MAX_BYTES} bytes`)
  }
  const part = (what: string, nonEmpty: boolean): Uint8Array => {
    const len = varint(`the length of ${what}`)
    if (len > body.length - at) invalid(`${what} of ${len} bytes runs past the end of the body`)
    if (nonEmpty && len === 0) invalid(`${what} is empty`)
    return body.subarray(at, (at += len))
  }
  const text = (what: string): string => encodeBase64url(part(what, true))
  const jws = (what: string): string => {
    const h = text(`the ${what} header`)
    const p = text(`the ${what} payload`)
    const len = varint(`the length of the ${what} signature`)
    if (len === 0) invalid(`the ${what} signature is empty`)
    if (len > tail.length - tailAt) invalid(`the ${what} signature of ${len} bytes runs past the end of the pack`)
    return `${h}.${p}.${encodeBase64url(tail.subarray(tailAt, (tailAt += len)))}`
  }

  const n = varint('the disclosure count')
  if (n > PACK_LIMITS.maxParts) invalid(`${n} disclosures > ${PACK_LIMITS.maxParts}`)
  if (at >= body.length) invalid('the body ends before the KB-JWT flag')
  const kb = body[at++]!
  if (kb > 1) invalid(`KB-JWT flag ${kb}, not 0 or 1`)
  let presentation = `${jws('issuer JWS')}~`
  for (let i = 0; i < n; i++) presentation += `${text(`disclosure ${i + 1}`)}~`
  if (kb === 1) presentation += jws('KB-JWT')
  const m = varint('the extras count')
  if (m > PACK_LIMITS.maxParts) invalid(`${m} extras > ${PACK_LIMITS.maxParts}`)
  const extras: Uint8Array[] = []
  for (let i = 0; i < m; i++) extras.push(part(`extra ${i + 1}`, false).slice())
  if (at !== body.length) invalid(`${body.length - at} bytes after the last part of the body`)
  if (tailAt !== tail.length) invalid(`${tail.length - tailAt} bytes after the last signature`)
  return { presentation, extras }
}

// ── the structural DEFLATE walk (RFC 1951 §3.2) ───────────────────────────────────────────────

/** Code lengths are sent in this order (§3.2.7). */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
/** Length symbols 257..285 and distance symbols 0..29 (§3.2.5). */
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
const MAX_BITS = 15

/** A canonical Huffman code (§3.2.2): how many codes of each length, symbols in code order. */
interface Huffman {
  count: Uint16Array
  symbol: Uint16Array
}

/** A canonical code from code lengths, and how much code space it leaves unused (< 0: over-subscribed). */
function huffman(lengths: Uint8Array): { code: Huffman; left: number } {
  const count = new Uint16Array(MAX_BITS + 1)
  for (const len of lengths) count[len]!++
  const code = { count, symbol: new Uint16Array(lengths.length) }
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

/** zlib's rule for a block's codes: complete, or empty, or a single code of one bit. */
function usable(lengths: Uint8Array): Huffman | null {
  const { code, left } = huffman(lengths)
  if (left < 0 || (left > 0 && code.count[0]! + code.count[1]! !== lengths.length)) return null
  return code
}

const FIXED = (() => {
  const lit = new Uint8Array(288).fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288)
  // 30 distance codes of 5 bits: the codes for 30 and 31 stay unassigned, hence invalid.
  return { lit: huffman(lit).code, dist: huffman(new Uint8Array(30).fill(5)).code }
})()

/**
 * Walk one raw DEFLATE stream starting at `data[start]` that may reach `dictionary` bytes back
 * before its start: how many bytes it inflates to, and the index of the byte after it.
 * Refuses (ERR_EXCH_PACK_INVALID) a stream that breaks zlib's rules (complete codes, a code for
 * end-of-block, no symbols 286–287 or 30–31, LEN/NLEN complements, no distance before the
 * dictionary), inflates to more than `cap` (as soon as the count passes it), is truncated, or
 * has a non-zero bit where it pads to a byte. Bit at a time, in the manner of zlib's
 * contrib/puff: linear in the input, which the caller has capped.
 */
function walkDeflate(data: Uint8Array, start: number, cap: number, dictionary: number): { size: number; end: number } {
  let pos = start
  let bitBuf = 0
  let bitCount = 0
  let out = 0
  const bits = (need: number): number => {
    let val = bitBuf
    while (bitCount < need) {
      if (pos >= data.length) invalid('the DEFLATE data is truncated')
      val |= data[pos++]! << bitCount
      bitCount += 8
    }
    bitBuf = val >>> need
    bitCount -= need
    return val & ((1 << need) - 1)
  }
  // The bits up to the next byte boundary: zero, as every encoder writes them.
  const align = (): void => {
    if (bitBuf !== 0) invalid('non-zero padding bits in the DEFLATE data')
    bitCount = 0
  }
  const grow = (n: number): void => {
    out += n
    if (out > cap) invalid(`the DEFLATE data inflates to more than ${cap} bytes`)
  }
  const decode = (h: Huffman): number => {
    let code = 0
    let first = 0
    let index = 0
    for (let len = 1; len <= MAX_BITS; len++) {
      code |= bits(1)
      const count = h.count[len]!
      if (code - first < count) return h.symbol[index + code - first]!
      index += count
      first = (first + count) << 1
      code <<= 1
    }
    return invalid('a bit sequence that is no code of the block')
  }
  const stored = (): void => {
    align()
    if (pos + 4 > data.length) invalid('the DEFLATE data is truncated')
    const len = data[pos]! | (data[pos + 1]! << 8)
    const nlen = data[pos + 2]! | (data[pos + 3]! << 8)
    pos += 4
    if (len !== (~nlen & 0xffff)) invalid('a stored block whose LEN and NLEN are not complements')
    if (pos + len > data.length) invalid('the DEFLATE data is truncated')
    pos += len
    grow(len)
  }
  const codes = (lit: Huffman, dist: Huffman): void => {
    for (;;) {
      const sym = decode(lit)
      if (sym < 256) {
        grow(1)
        continue
      }
      if (sym === 256) return
      const l = sym - 257
      if (l >= 29) invalid('length symbol 286 or 287')
      const length = LENGTH_BASE[l]! + bits(LENGTH_EXTRA[l]!)
      const d = decode(dist)
      if (d >= 30) invalid('distance symbol 30 or 31')
      const distance = DIST_BASE[d]! + bits(DIST_EXTRA[d]!)
      if (distance > out + dictionary) invalid(`distance ${distance} reaches before the dictionary`)
      grow(length)
    }
  }
  const dynamic = (): void => {
    const nlen = bits(5) + 257
    const ndist = bits(5) + 1
    const ncode = bits(4) + 4
    if (nlen > 286 || ndist > 30) invalid('more than 286 length or 30 distance codes')
    const clens = new Uint8Array(19)
    for (let i = 0; i < ncode; i++) clens[CODE_LENGTH_ORDER[i]!] = bits(3)
    const { code: lencode, left } = huffman(clens)
    if (left !== 0) invalid('an incomplete or over-subscribed code-length code')
    const lengths = new Uint8Array(nlen + ndist)
    for (let i = 0; i < nlen + ndist;) {
      const sym = decode(lencode)
      if (sym < 16) {
        lengths[i++] = sym
        continue
      }
      let len = 0
      let repeat: number
      if (sym === 16) {
        if (i === 0) invalid('a repeat of the previous code length before the first one')
        len = lengths[i - 1]!
        repeat = 3 + bits(2)
      } else if (sym === 17) repeat = 3 + bits(3)
      else repeat = 11 + bits(7)
      if (i + repeat > nlen + ndist) invalid('more code lengths than codes')
      lengths.fill(len, i, i + repeat)
      i += repeat
    }
    if (lengths[256] === 0) invalid('no code for end-of-block')
    const lit = usable(lengths.subarray(0, nlen))
    const dist = usable(lengths.subarray(nlen))
    if (!lit || !dist) invalid('an incomplete or over-subscribed literal/length or distance code')
    codes(lit!, dist!)
  }

  if (start >= data.length) invalid('no DEFLATE data after the version')
  let last: number
  do {
    last = bits(1)
    const type = bits(2)
    if (type === 0) stored()
    else if (type === 1) codes(FIXED.lit, FIXED.dist)
    else if (type === 2) dynamic()
    else invalid('block type 3 (reserved)')
  } while (!last)
  align()
  return { size: out, end: pos }
}
