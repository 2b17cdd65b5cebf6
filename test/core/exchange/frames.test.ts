// QR frames of the counter answer (src/core/exchange/frames.ts): the wire format pinned byte by
// byte, round trips at every size up to 3000 bytes, any order and repeats (seeded shuffles),
// balanced payloads, the real QR capacity the caller sizes frames by (measured with uqr), and a
// hostile-input table with the exact code of each row; after every refused add the collector
// must be as it was and still complete the message.
import { encode } from 'uqr'
import { describe, expect, it } from 'vitest'
import { concatBytes, toHex } from '../../../src/core/bytes/compare.ts'
import { InputError, type ErrorCode } from '../../../src/core/errors.ts'
import { FRAME_LIMITS, FRAME_MAGIC, FRAME_VERSION, FrameCollector, parseFrame, splitFrames } from '../../../src/core/exchange/frames.ts'

/**
 * The byte-mode capacity of QR version 25 at ECC M, measured with uqr 0.1.3 (the test below
 * re-measures it): 997 bytes encode at version 25, 998 need version 26. This matches the
 * ISO/IEC 18004 capacity table. uqr takes binary data only as a number[] (a Uint8Array is
 * refused, and a string is sent as its UTF-8, which doubles every byte ≥ 0x80).
 */
const V25_M_BYTES = 997

/** The documented header (module comment), written out here so the test pins the layout. */
const OFF = { version: 2, id: 3, number: 7, count: 8, total: 9, check: 11, payload: 19 } as const
const HEADER = OFF.payload

// ─── helpers ────────────────────────────────────────────────────────────────────────────────

/** xorshift32: a seeded PRNG, so every run sees the same "random" bytes and orders. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 0x100000000
  }
}
function randomBytes(seed: number, n: number): Uint8Array {
  const next = prng(seed)
  return Uint8Array.from({ length: n }, () => Math.floor(next() * 256))
}
function shuffled<T>(items: readonly T[], next: () => number): T[] {
  const out = items.slice()
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}
const hex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g)!, (x) => Number.parseInt(x, 16))

/** The InputError a call throws; fails the test if it returns or throws anything else. */
function inputError(f: () => unknown): InputError {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(InputError)
    return e as InputError
  }
  throw new Error('expected an InputError, but the call returned')
}

function joinInOrder(frames: readonly Uint8Array[]): Uint8Array {
  const c = new FrameCollector()
  for (const f of frames) c.add(f)
  return c.join()
}

/** A frame made by hand, header field by field (for rows splitFrames would never write). */
function handFrame(h: { number: number; count: number; total: number; payload: number; id?: number[]; check?: number[] }): Uint8Array {
  const out = new Uint8Array(HEADER + h.payload)
  out.set(FRAME_MAGIC, 0)
  out[OFF.version] = FRAME_VERSION
  out.set(h.id ?? [1, 2, 3, 4], OFF.id)
  out[OFF.number] = h.number
  out[OFF.count] = h.count
  out[OFF.total] = h.total >> 8
  out[OFF.total + 1] = h.total & 0xff
  out.set(h.check ?? [0, 0, 0, 0, 0, 0, 0, 0], OFF.check)
  return out
}
const edit = (frame: Uint8Array, change: (b: Uint8Array) => void): Uint8Array => {
  const b = frame.slice()
  change(b)
  return b
}
/** b[i] ^= mask, as a helper so that no index is read unchecked. */
const flip = (b: Uint8Array, i: number, mask: number): void => {
  b[i] = b[i]! ^ mask
}
const setTotal = (total: number) => (b: Uint8Array) => {
  b[OFF.total] = total >> 8
  b[OFF.total + 1] = total & 0xff
}

// ─── the wire format ────────────────────────────────────────────────────────────────────────

describe('the frame format', () => {
  it('pins a one-frame message byte by byte (SHA-256("abc") known answer)', () => {
    const id = Uint8Array.of(0xde, 0xad, 0xbe, 0xef)
    const frames = splitFrames(new TextEncoder().encode('abc'), { frameBytes: V25_M_BYTES, id })
    expect(frames).toHaveLength(1)
    // magic c157, version 01, id, number 00, count 01, total 0003, SHA-256("abc")[0..8], "abc"
    expect(toHex(frames[0]!)).toBe('c157' + '01' + 'deadbeef' + '00' + '01' + '0003' + 'ba7816bf8f01cfea' + '616263')
    expect(parseFrame(frames[0]!)).toEqual({ id, number: 0, count: 1, total: 3, check: hex('ba7816bf8f01cfea'), payload: hex('616263') })
  })

  it('writes the same id, count, total and check in every frame, and numbers them from 0', () => {
    const msg = randomBytes(7, 2500)
    const frames = splitFrames(msg, { frameBytes: 500, id: Uint8Array.of(1, 2, 3, 4) })
    const parsed = frames.map(parseFrame)
    expect(parsed.map((f) => f.number)).toEqual([0, 1, 2, 3, 4, 5])
    for (const f of parsed) {
      expect(f.id).toEqual(Uint8Array.of(1, 2, 3, 4))
      expect([f.count, f.total]).toEqual([6, 2500])
      expect(f.check).toEqual(parsed[0]!.check)
    }
    expect(concatBytes(...parsed.map((f) => f.payload))).toEqual(msg)
  })

  it('exports its constants and caps as documented', () => {
    expect(Array.from(FRAME_MAGIC)).toEqual([0xc1, 0x57])
    expect(FRAME_VERSION).toBe(1)
    expect(FRAME_LIMITS).toEqual({ maxFrameBytes: 2953, maxFrames: 16, maxMessageBytes: 32768 })
  })

  it('is never text: every frame fails strict UTF-8 decoding, and it never starts like a JWE envelope (0x01)', () => {
    const strict = new TextDecoder('utf-8', { fatal: true })
    for (const f of splitFrames(new TextEncoder().encode('openid4vp://?request=x'), { frameBytes: 100 })) {
      expect(() => strict.decode(f)).toThrow(TypeError)
      expect(f[0]).not.toBe(1)
    }
  })

  it('draws a fresh random 4-byte id per message by default', () => {
    const msg = randomBytes(8, 1500)
    const a = splitFrames(msg, { frameBytes: 997 }).map(parseFrame)
    const b = splitFrames(msg, { frameBytes: 997 }).map(parseFrame)
    expect(a[0]!.id).toHaveLength(4)
    expect(a[1]!.id).toEqual(a[0]!.id)
    expect(b[0]!.id).not.toEqual(a[0]!.id) // 2^-32 chance of a false failure
  })

  it('does not let a caller change the format through FRAME_MAGIC', () => {
    FRAME_MAGIC[0] = 0x00
    try {
      const [f] = splitFrames(Uint8Array.of(1), { frameBytes: 20 })
      expect(f![0]).toBe(0xc1)
      expect(parseFrame(f!).payload).toEqual(Uint8Array.of(1))
    } finally {
      FRAME_MAGIC[0] = 0xc1
    }
  })
})

// ─── splitting and joining ──────────────────────────────────────────────────────────────────

describe('splitFrames / FrameCollector round trips', () => {
  const source = randomBytes(1, 3000)

  it.each([207, 500, V25_M_BYTES, 2953])('every size from 1 to 3000 at frameBytes %i: fewest frames, each within frameBytes, balanced, joined back', (frameBytes) => {
    const perFrame = frameBytes - HEADER
    const bad: string[] = []
    for (let n = 1; n <= 3000; n++) {
      const msg = source.subarray(0, n)
      const frames = splitFrames(msg, { frameBytes, id: Uint8Array.of(0, 0, n >> 8, n & 255) })
      const sizes = frames.map((f) => f.length - HEADER)
      if (frames.length !== Math.ceil(n / perFrame)) bad.push(`${n}: ${frames.length} frames`)
      if (frames.some((f) => f.length > frameBytes)) bad.push(`${n}: a frame over ${frameBytes}`)
      if (Math.max(...sizes) - Math.min(...sizes) > 1) bad.push(`${n}: unbalanced ${sizes.join('/')}`)
      const joined = joinInOrder(frames)
      if (joined.length !== n || toHex(joined) !== toHex(msg)) bad.push(`${n}: joined bytes differ`)
    }
    expect(bad).toEqual([])
  })

  it('balances the payload: the last frame is no sliver (2935 bytes at 978 a frame: 734/734/734/733, not 978/978/978/1)', () => {
    const frames = splitFrames(randomBytes(2, 2935), { frameBytes: V25_M_BYTES })
    expect(frames.map((f) => f.length - HEADER)).toEqual([734, 734, 734, 733])
  })

  it('joins frames given in reverse and in seeded random orders', () => {
    const next = prng(42)
    for (const [n, frameBytes] of [[3000, 207], [2500, 500], [2934, V25_M_BYTES], [1, 20], [16, 20]] as const) {
      const msg = randomBytes(n, n)
      const frames = splitFrames(msg, { frameBytes })
      expect(joinInOrder(frames.slice().reverse())).toEqual(msg)
      for (let round = 0; round < 20; round++) expect(joinInOrder(shuffled(frames, next))).toEqual(msg)
    }
  })

  it('counts repeats as duplicates: progress moves only on new frames, complete exactly at the last one', () => {
    const next = prng(7)
    const msg = randomBytes(3, 3000)
    const frames = splitFrames(msg, { frameBytes: 500 })
    // every frame one to three times, the whole sequence shuffled (a camera on a cycling display)
    const seen = shuffled(frames.flatMap((f) => Array.from({ length: 1 + Math.floor(next() * 3) }, () => f.slice())), next)
    const c = new FrameCollector()
    const held = new Set<number>()
    for (const f of seen) {
      const number = f[OFF.number]!
      const duplicate = held.has(number)
      held.add(number)
      expect(c.add(f)).toEqual({ received: held.size, count: frames.length, complete: held.size === frames.length, duplicate })
      expect(c.missing()).toEqual(frames.map((_, i) => i).filter((i) => !held.has(i)))
    }
    expect(c.join()).toEqual(msg)
    expect(c.add(frames[0]!)).toEqual({ received: frames.length, count: frames.length, complete: true, duplicate: true })
  })

  it('takes 32 KiB, the message cap, and the 16-frame cap at a given frame size; one byte more is ERR_QR_FRAME_TOO_LARGE', () => {
    const big = randomBytes(4, FRAME_LIMITS.maxMessageBytes + 1)
    const max = big.subarray(0, FRAME_LIMITS.maxMessageBytes)
    const frames = splitFrames(max, { frameBytes: 2953 })
    expect(frames).toHaveLength(12)
    expect(joinInOrder(frames)).toEqual(max)
    expect(inputError(() => splitFrames(big, { frameBytes: 2953 })).code).toBe('ERR_QR_FRAME_TOO_LARGE')
    const sixteen = big.subarray(0, 16 * (V25_M_BYTES - HEADER))
    expect(splitFrames(sixteen, { frameBytes: V25_M_BYTES })).toHaveLength(16)
    expect(inputError(() => splitFrames(big.subarray(0, sixteen.length + 1), { frameBytes: V25_M_BYTES })).code).toBe('ERR_QR_FRAME_TOO_LARGE')
    expect(splitFrames(big.subarray(0, 16), { frameBytes: 20 })).toHaveLength(16)
    expect(inputError(() => splitFrames(big.subarray(0, 17), { frameBytes: 20 })).code).toBe('ERR_QR_FRAME_TOO_LARGE')
  })

  it('throws RangeError/TypeError for impossible arguments from our own code', () => {
    const msg = Uint8Array.of(1, 2, 3)
    for (const frameBytes of [HEADER, 0, -1, 20.5, NaN, Infinity, 2954]) {
      expect(() => splitFrames(msg, { frameBytes }), `frameBytes ${frameBytes}`).toThrow(RangeError)
    }
    expect(splitFrames(msg, { frameBytes: HEADER + 1 })).toHaveLength(3)
    expect(() => splitFrames(new Uint8Array(0), { frameBytes: 100 })).toThrow(RangeError)
    expect(() => splitFrames(msg, { frameBytes: 100, id: Uint8Array.of(1, 2, 3) })).toThrow(RangeError)
    expect(() => splitFrames(msg, { frameBytes: 100, id: new Uint8Array(5) })).toThrow(RangeError)
    expect(() => splitFrames([1, 2, 3] as unknown as Uint8Array, { frameBytes: 100 })).toThrow(TypeError)
    expect(() => parseFrame('c157' as unknown as Uint8Array)).toThrow(TypeError)
  })

  it('keeps its bytes to itself: the message, scanned buffers and joined results are copies', () => {
    const msg = randomBytes(5, 1200)
    const original = msg.slice()
    const frames = splitFrames(msg, { frameBytes: 500 })
    msg.fill(0)
    const c = new FrameCollector()
    const buffer = new Uint8Array(600) // a scanner that reuses one buffer for every code
    for (const f of frames) {
      buffer.set(f)
      c.add(buffer.subarray(0, f.length))
    }
    buffer.fill(0)
    const joined = c.join()
    expect(joined).toEqual(original)
    joined.fill(0)
    expect(c.join()).toEqual(original)
    const parsed = parseFrame(frames[0]!)
    frames[0]!.fill(0)
    expect(parsed.payload).toEqual(original.subarray(0, parsed.payload.length))
  })

  it('refuses the next message until reset(), then takes it', () => {
    const a = splitFrames(randomBytes(10, 1500), { frameBytes: 997, id: Uint8Array.of(0, 0, 0, 1) })
    const msgB = randomBytes(11, 1500)
    const b = splitFrames(msgB, { frameBytes: 997, id: Uint8Array.of(0, 0, 0, 2) })
    const c = new FrameCollector()
    for (const f of a) c.add(f)
    expect(inputError(() => c.add(b[0]!)).code).toBe('ERR_QR_FRAME_FOREIGN')
    c.reset()
    expect(c.missing()).toEqual([])
    expect(inputError(() => c.join()).code).toBe('ERR_QR_FRAMES_INCOMPLETE')
    expect(c.add(b[1]!)).toEqual({ received: 1, count: 2, complete: false, duplicate: false })
    expect(c.add(b[0]!)).toEqual({ received: 2, count: 2, complete: true, duplicate: false })
    expect(c.join()).toEqual(msgB)
  })

  it('names the missing frames at join, and joins once they come', () => {
    const msg = randomBytes(12, 2500)
    const frames = splitFrames(msg, { frameBytes: 500 })
    const c = new FrameCollector()
    for (const i of [5, 0, 2, 4]) c.add(frames[i]!)
    expect(c.missing()).toEqual([1, 3])
    const e = inputError(() => c.join())
    expect(e.code).toBe('ERR_QR_FRAMES_INCOMPLETE')
    expect(e.detail).toMatch(/\b1, 3\b/)
    expect(e.detail).not.toMatch(/\b[0245],/)
    c.add(frames[3]!)
    expect(inputError(() => c.join()).detail).toMatch(/missing frame 1 of 6\b/)
    c.add(frames[1]!)
    expect(c.join()).toEqual(msg)
  })
})

// ─── the QR codes the caller draws ──────────────────────────────────────────────────────────

describe('QR capacity (uqr, byte mode)', () => {
  const version = (bytes: Uint8Array): number => encode(Array.from(bytes), { ecc: 'M', border: 4, boostEcc: false }).version

  it(`${V25_M_BYTES} bytes is the byte-mode capacity of version 25 at ECC M`, () => {
    expect(version(randomBytes(20, V25_M_BYTES))).toBe(25)
    expect(version(randomBytes(21, V25_M_BYTES + 1))).toBe(26)
    expect(() => encode(new Uint8Array(10) as unknown as number[], { ecc: 'M' })).toThrow() // binary only as number[]
  })

  it(`2953 bytes (FRAME_LIMITS.maxFrameBytes) is the byte-mode capacity of version 40 at ECC L`, () => {
    expect(encode(Array.from(randomBytes(22, 2953)), { ecc: 'L', border: 4 }).version).toBe(40)
    expect(() => encode(Array.from(randomBytes(23, 2954)), { ecc: 'L', border: 4 })).toThrow(RangeError)
  })

  it(`every frame of a split at frameBytes ${V25_M_BYTES} encodes at version ≤ 25, ECC M`, () => {
    const versions = new Set<number>()
    for (const n of [1, 600, 977, 978, 979, 1956, 2934, 3000, 16 * (V25_M_BYTES - HEADER)]) {
      for (const f of splitFrames(randomBytes(n, n), { frameBytes: V25_M_BYTES })) {
        const v = version(f)
        expect(v, `${n} bytes: a ${f.length}-byte frame`).toBeLessThanOrEqual(25)
        versions.add(v)
      }
    }
    expect(versions.has(25)).toBe(true) // full frames (2934 = 3 × 978) reach the limit exactly
  })
})

// ─── hostile input ──────────────────────────────────────────────────────────────────────────

describe('hostile frames', () => {
  const ID = Uint8Array.of(1, 2, 3, 4)
  const MSG = randomBytes(30, 2500)
  const GOOD = splitFrames(MSG, { frameBytes: V25_M_BYTES, id: ID }) // 3 frames: 834, 833, 833 bytes of payload
  const OTHER_ID = splitFrames(MSG, { frameBytes: V25_M_BYTES, id: Uint8Array.of(9, 9, 9, 9) })
  const OTHER_COUNT = splitFrames(MSG, { frameBytes: 500, id: ID })
  const OTHER_BYTES = splitFrames(edit(MSG, (m) => flip(m, 2000, 1)), { frameBytes: V25_M_BYTES, id: ID })
  const OTHER_LENGTH = splitFrames(MSG.subarray(0, 2499), { frameBytes: V25_M_BYTES, id: ID })

  it('is built on the split the rows assume', () => {
    expect(GOOD.map((f) => f.length - HEADER)).toEqual([834, 833, 833])
    expect(OTHER_COUNT).toHaveLength(6)
    expect(OTHER_LENGTH).toHaveLength(3)
    // the same frame 1 as GOOD's but for the check: only the check tells these messages apart
    expect(toHex(OTHER_BYTES[1]!.subarray(0, OFF.check))).toBe(toHex(GOOD[1]!.subarray(0, OFF.check)))
    expect(toHex(OTHER_BYTES[1]!.subarray(OFF.payload))).toBe(toHex(GOOD[1]!.subarray(OFF.payload)))
    expect(toHex(OTHER_BYTES[1]!.subarray(OFF.check, OFF.payload))).not.toBe(toHex(GOOD[1]!.subarray(OFF.check, OFF.payload)))
    expect(GOOD[0]![OFF.payload]).not.toBe(GOOD[1]![OFF.payload]) // the "moved bytes" row really moves something
  })

  type Row = [name: string, feed: (g: Uint8Array[]) => Uint8Array[], code: ErrorCode]
  const [f0, f1, f2] = [0, 1, 2].map((i) => () => GOOD[i]!.slice()) as [() => Uint8Array, () => Uint8Array, () => Uint8Array]

  const ROWS: Row[] = [
    // parseFrame: shape
    ['wrong magic (first byte)', () => [f0(), edit(f1(), (b) => (b[0] = 0xc0))], 'ERR_QR_FRAME_MALFORMED'],
    ['wrong magic (second byte)', () => [f0(), edit(f1(), (b) => flip(b, 1, 1))], 'ERR_QR_FRAME_MALFORMED'],
    ['wrong magic as the very first frame', () => [edit(f0(), (b) => (b[0] = 0x7b))], 'ERR_QR_FRAME_MALFORMED'],
    ['wrong version (2)', () => [f0(), edit(f1(), (b) => (b[OFF.version] = 2))], 'ERR_QR_FRAME_MALFORMED'],
    ['wrong version (0)', () => [f0(), edit(f1(), (b) => (b[OFF.version] = 0))], 'ERR_QR_FRAME_MALFORMED'],
    ['no bytes at all', () => [f0(), new Uint8Array(0)], 'ERR_QR_FRAME_MALFORMED'],
    ['truncated header (18 bytes)', () => [f0(), f1().subarray(0, HEADER - 1)], 'ERR_QR_FRAME_MALFORMED'],
    ['header only: empty payload', () => [f0(), f1().subarray(0, HEADER)], 'ERR_QR_FRAME_MALFORMED'],
    ['truncated payload (one byte short)', () => [f0(), f1().subarray(0, GOOD[1]!.length - 1)], 'ERR_QR_FRAME_MALFORMED'],
    ['an extra byte', () => [f0(), concatBytes(f1(), Uint8Array.of(0))], 'ERR_QR_FRAME_MALFORMED'],
    ['a payload of another position (frame 1 renumbered 0: 833 bytes where 834 belong)', () => [f2(), edit(f1(), (b) => (b[OFF.number] = 0))], 'ERR_QR_FRAME_MALFORMED'],
    ['number = count', () => [f0(), edit(f1(), (b) => (b[OFF.number] = 3))], 'ERR_QR_FRAME_MALFORMED'],
    ['number 255', () => [f0(), edit(f1(), (b) => (b[OFF.number] = 255))], 'ERR_QR_FRAME_MALFORMED'],
    ['count 0', () => [f0(), edit(f1(), (b) => (b[OFF.count] = 0))], 'ERR_QR_FRAME_MALFORMED'],
    ['total below count (a frame would be empty)', () => [f0(), handFrame({ number: 0, count: 3, total: 2, payload: 1 })], 'ERR_QR_FRAME_MALFORMED'],
    ['total 0', () => [f0(), handFrame({ number: 0, count: 1, total: 0, payload: 1 })], 'ERR_QR_FRAME_MALFORMED'],
    // parseFrame: caps
    ['count over the cap (17)', () => [f0(), edit(f1(), (b) => (b[OFF.count] = 17))], 'ERR_QR_FRAME_TOO_LARGE'],
    ['total over the cap (32,769)', () => [f0(), edit(f1(), setTotal(32769))], 'ERR_QR_FRAME_TOO_LARGE'],
    ['total 65,535', () => [f0(), edit(f1(), setTotal(65535))], 'ERR_QR_FRAME_TOO_LARGE'],
    ['a frame over the cap (2,954 bytes, otherwise consistent)', () => [f0(), handFrame({ number: 0, count: 1, total: 2935, payload: 2935 })], 'ERR_QR_FRAME_TOO_LARGE'],
    ['a frame over the cap that is also malformed (size is checked first)', () => [f0(), new Uint8Array(4000)], 'ERR_QR_FRAME_TOO_LARGE'],
    ['a count and total whose frames could not fit the cap (1 frame of 4,000 bytes)', () => [f0(), handFrame({ number: 0, count: 1, total: 4000, payload: 100 })], 'ERR_QR_FRAME_TOO_LARGE'],
    // FrameCollector: another message
    ['a frame from another message (other id)', () => [f0(), OTHER_ID[1]!], 'ERR_QR_FRAME_FOREIGN'],
    ['the same message split at another frame size (other count)', () => [f0(), OTHER_COUNT[1]!], 'ERR_QR_FRAME_FOREIGN'],
    ['same id, another message of another length (other total)', () => [f0(), OTHER_LENGTH[1]!], 'ERR_QR_FRAME_FOREIGN'],
    ['same id and length, other bytes (other check; this frame\'s payload is the same)', () => [f0(), OTHER_BYTES[1]!], 'ERR_QR_FRAME_FOREIGN'],
    ['same number, other bytes', () => [f0(), f1(), edit(f1(), (b) => flip(b, OFF.payload + 5, 0x80))], 'ERR_QR_FRAME_FOREIGN'],
    ['same number, other bytes, after the message is complete', () => [f0(), f1(), f2(), edit(f2(), (b) => flip(b, b.length - 1, 1))], 'ERR_QR_FRAME_FOREIGN'],
    // join
    ['payload bytes moved between two frames', () => {
      const [a, b] = [f0(), f1()]
      ;[a[OFF.payload], b[OFF.payload]] = [b[OFF.payload]!, a[OFF.payload]!]
      return [a, b, f2()]
    }, 'ERR_QR_INTEGRITY'],
    ['frames 1 and 2 swapped (same lengths, renumbered)', () => [f0(), edit(f1(), (b) => (b[OFF.number] = 2)), edit(f2(), (b) => (b[OFF.number] = 1))], 'ERR_QR_INTEGRITY'],
    ['one payload byte changed in the only copy', () => [f0(), f1(), edit(f2(), (b) => flip(b, b.length - 1, 1))], 'ERR_QR_INTEGRITY'],
    ['the check flipped in every frame', () => [f0(), f1(), f2()].map((f) => edit(f, (b) => flip(b, OFF.check + 3, 0xff))), 'ERR_QR_INTEGRITY'],
    ['one frame missing', () => [f2(), f0()], 'ERR_QR_FRAMES_INCOMPLETE'],
    ['no frames', () => [], 'ERR_QR_FRAMES_INCOMPLETE'],
  ]

  it.each(ROWS.map(([name, feed, code]): Row => [`${name} → ${code}`, feed, code]))('%s', (_name, feed, code) => {
    const c = new FrameCollector()
    const accepted: Uint8Array[] = []
    // What the collector shows without changing: its missing list and, re-adding a frame it
    // holds (a duplicate, which changes nothing), its progress.
    const state = () => ({ missing: c.missing(), progress: accepted.length > 0 ? c.add(accepted[0]!) : null })
    let refused: InputError | undefined
    for (const bytes of feed(GOOD)) {
      const before = state()
      try {
        c.add(bytes)
      } catch (e) {
        expect(e).toBeInstanceOf(InputError)
        refused = e as InputError
        expect(state()).toEqual(before)
        if (refused.code === 'ERR_QR_FRAME_MALFORMED' || refused.code === 'ERR_QR_FRAME_TOO_LARGE') {
          let direct: unknown
          try {
            parseFrame(bytes)
          } catch (d) {
            direct = d
          }
          expect((direct as InputError).code).toBe(refused.code)
        }
        break
      }
      accepted.push(bytes)
    }
    if (refused) {
      expect(refused.code).toBe(code)
      // nothing lost: the good frames still complete the message
      for (const f of GOOD) c.add(f)
      expect(c.join()).toEqual(MSG)
      return
    }
    const before = state()
    const e = inputError(() => c.join())
    expect(e.code).toBe(code)
    expect(state()).toEqual(before)
    expect(inputError(() => c.join()).code).toBe(code)
  })

  it('names the one missing frame', () => {
    const c = new FrameCollector()
    c.add(GOOD[2]!)
    c.add(GOOD[0]!)
    const e = inputError(() => c.join())
    expect(e.code).toBe('ERR_QR_FRAMES_INCOMPLETE')
    expect(e.detail).toBe('missing frame 1 of 3 (numbered from 0)')
    expect(c.missing()).toEqual([1])
  })
})
