// StatusList and the JSON Status List encoding (draft-ietf-oauth-status-list §4): packing,
// round trips at herd-privacy size, and the hostile inputs of decodeStatusList, each with the
// exact code it must produce.
import { describe, expect, it } from 'vitest'
import { decodeBase64url, encodeBase64url } from '../../../src/core/bytes/base64url.ts'
import { scanZlib } from '../../../src/core/status/_deflate-scan.ts'
import {
  DEFAULT_MAX_STATUS_LIST_BYTES, STATUS_INVALID, STATUS_SUSPENDED, STATUS_VALID, StatusList, decodeStatusList, encodeStatusList,
  maxLstLength, type StatusBits,
} from '../../../src/core/status/list.ts'
import { codeOfAsync, concat, deflate, measure, MiB, rng, sameBytes, zeroBomb } from './_zlib.ts'
import { SECTION_4_1_BITS_1, SECTION_4_1_BITS_2 } from './_vectors.ts'

const B9A3 = '78dadbb918000217015d'
const hex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g)!, (x) => Number.parseInt(x, 16))
const lstOf = (bytes: Uint8Array): string => encodeBase64url(bytes)
const decodeCode = (v: unknown, maxBytes?: number): Promise<string | undefined> => codeOfAsync(decodeStatusList(v, maxBytes === undefined ? undefined : { maxBytes }))

describe('StatusList', () => {
  it('packs from the least significant bit, as §4.1 draws it', () => {
    const one = StatusList.create(16, 1)
    for (const [i, s] of SECTION_4_1_BITS_1.entries) one.set(i, s)
    expect(one.toBytes()).toEqual(Uint8Array.of(0xb9, 0xa3))
    const two = StatusList.create(12, 2)
    for (const [i, s] of SECTION_4_1_BITS_2.entries) two.set(i, s)
    expect(two.toBytes()).toEqual(Uint8Array.of(0xc9, 0x44, 0xf9))
    const four = StatusList.create(4, 4)
    four.set(0, 0x1)
    four.set(1, 0xa)
    four.set(3, 0xf)
    expect(four.toBytes()).toEqual(Uint8Array.of(0xa1, 0xf0))
    const eight = StatusList.fromBytes(Uint8Array.of(0, 7, 255), 8)
    expect([eight.get(0), eight.get(1), eight.get(2)]).toEqual([0, 7, 255])
  })

  it('set replaces only its own bits', () => {
    const l = StatusList.fromBytes(Uint8Array.of(0xff, 0xff), 2)
    l.set(5, STATUS_VALID)
    expect(l.toBytes()).toEqual(Uint8Array.of(0xff, 0xf3))
    l.set(5, STATUS_SUSPENDED)
    expect(l.get(5)).toBe(2)
    expect(l.toBytes()).toEqual(Uint8Array.of(0xff, 0xfb))
    expect([l.get(4), l.get(6)]).toEqual([3, 3])
  })

  it('size is a positive multiple of 8 / bits; bad sizes, bits, indices and values are RangeErrors', () => {
    expect(StatusList.create(8, 1).size).toBe(8)
    expect(StatusList.create(4, 2).toBytes().length).toBe(1)
    expect(StatusList.create(1, 8).size).toBe(1)
    expect(StatusList.fromBytes(new Uint8Array(3), 4).size).toBe(6)
    for (const [size, bits] of [[0, 1], [12, 1], [5, 4], [3, 2], [-8, 1], [8.5, 8], [NaN, 8], [16, 3], [16, 0], [16, 16]] as const) {
      expect(() => StatusList.create(size, bits as StatusBits), `${size}/${bits}`).toThrow(RangeError)
    }
    expect(() => StatusList.fromBytes(new Uint8Array(0), 1)).toThrow(RangeError)
    expect(() => StatusList.fromBytes([1] as unknown as Uint8Array, 1)).toThrow(TypeError)
    const l = StatusList.create(16, 2)
    for (const i of [-1, 16, 1.5, NaN]) {
      expect(() => l.get(i), `get ${i}`).toThrow(RangeError)
      expect(() => l.set(i, 0), `set ${i}`).toThrow(RangeError)
    }
    for (const v of [-1, 4, 1.5, NaN]) expect(() => l.set(0, v), `value ${v}`).toThrow(RangeError)
  })

  it('keeps its bytes to itself', () => {
    const src = Uint8Array.of(1, 2)
    const l = StatusList.fromBytes(src, 8)
    src[0] = 9
    l.toBytes()[1] = 9
    expect(l.toBytes()).toEqual(Uint8Array.of(1, 2))
  })

  it('names the §7.1 status types', () => {
    expect([STATUS_VALID, STATUS_INVALID, STATUS_SUSPENDED]).toEqual([0, 1, 2])
  })
})

describe('encodeStatusList / decodeStatusList', () => {
  it.each([1, 2, 4, 8] as const)('round-trips %i-bit lists of 131,072 entries, sparse and dense', async (bits) => {
    const next = rng(bits * 7919)
    for (const density of [0.01, 1]) {
      const list = StatusList.create(131_072, bits)
      for (let i = 0; i < list.size; i++) if (next() < density) list.set(i, Math.floor(next() * (1 << bits)))
      const enc = await encodeStatusList(list)
      expect(enc.bits).toBe(bits)
      const compressed = decodeBase64url(enc.lst)
      expect(compressed[0]).toBe(0x78) // the zlib format, not raw DEFLATE or gzip
      expect(scanZlib(compressed, DEFAULT_MAX_STATUS_LIST_BYTES)).toBe(list.toBytes().length)
      expect(enc.lst.length).toBeLessThanOrEqual(maxLstLength(list.toBytes().length))
      const back = await decodeStatusList(enc)
      expect(back.size).toBe(131_072)
      expect(back.bits).toBe(bits)
      expect(sameBytes(back.toBytes(), list.toBytes())).toBe(true)
      for (let i = 0; i < list.size; i += 997) expect(back.get(i)).toBe(list.get(i))
    }
  })

  it('round-trips a 2^20-entry 8-bit list (1 MiB)', async () => {
    const list = StatusList.create(1 << 20, 8)
    for (let i = 0; i < list.size; i += 4099) list.set(i, i & 255)
    expect(sameBytes((await decodeStatusList(await encodeStatusList(list))).toBytes(), list.toBytes())).toBe(true)
  })

  it('accepts aggregation_uri (§4.2) and decodes independently of member order', async () => {
    const list = await decodeStatusList({ aggregation_uri: 'https://example.com/statuslists', lst: 'eNrbuRgAAhcBXQ', bits: 1 })
    expect(list.toBytes()).toEqual(Uint8Array.of(0xb9, 0xa3))
  })

  const b9a3 = hex(B9A3)
  const cases: [name: string, v: unknown, code: string, maxBytes?: number][] = [
    // shape
    ['null', null, 'ERR_STATUS_LIST_MALFORMED'],
    ['an array', [1, 'eNrbuRgAAhcBXQ'], 'ERR_STATUS_LIST_MALFORMED'],
    ['a string', 'eNrbuRgAAhcBXQ', 'ERR_STATUS_LIST_MALFORMED'],
    ['an unknown member', { bits: 1, lst: 'eNrbuRgAAhcBXQ', size: 16 }, 'ERR_STATUS_LIST_MALFORMED'],
    ['lst missing', { bits: 1 }, 'ERR_STATUS_LIST_MALFORMED'],
    ['lst a number', { bits: 1, lst: 47523 }, 'ERR_STATUS_LIST_MALFORMED'],
    ['lst as bytes (the CBOR form)', { bits: 1, lst: b9a3 }, 'ERR_STATUS_LIST_MALFORMED'],
    ['aggregation_uri not a string', { bits: 1, lst: 'eNrbuRgAAhcBXQ', aggregation_uri: 1 }, 'ERR_STATUS_LIST_MALFORMED'],
    ['an empty byte array', { bits: 1, lst: lstOf(deflate(new Uint8Array(0))) }, 'ERR_STATUS_LIST_MALFORMED'],
    // bits
    ...[0, 3, 5, 16, -1, 1.5, '1', null, true].map((bits): [string, unknown, string] => [`bits ${JSON.stringify(bits)}`, { bits, lst: 'eNrbuRgAAhcBXQ' }, 'ERR_STATUS_BITS_INVALID']),
    ['bits missing', { lst: 'eNrbuRgAAhcBXQ' }, 'ERR_STATUS_BITS_INVALID'],
    // base64url
    ['lst with padding', { bits: 1, lst: 'eNrbuRgAAhcBXQ==' }, 'ERR_B64_INVALID'],
    ['lst with non-zero trailing bits', { bits: 1, lst: 'eNrbuRgAAhcBXR' }, 'ERR_B64_INVALID'],
    ['lst in standard base64', { bits: 1, lst: 'eNrbuRgAAhcB+Q' }, 'ERR_B64_INVALID'],
    ['lst with white space', { bits: 1, lst: 'eNrbuRgA AhcBXQ' }, 'ERR_B64_INVALID'],
    // corrupt
    ['a bad header check', { bits: 1, lst: lstOf(hex('78db' + B9A3.slice(4))) }, 'ERR_STATUS_ZLIB_INVALID'],
    ['compression method 7', { bits: 1, lst: lstOf(hex('77' + B9A3.slice(2))) }, 'ERR_STATUS_ZLIB_INVALID'],
    ['a preset dictionary', { bits: 1, lst: lstOf(hex('7820' + '00000001' + B9A3.slice(4))) }, 'ERR_STATUS_ZLIB_INVALID'],
    ['gzip instead of zlib', { bits: 1, lst: lstOf(hex('1f8b0800000000000003dbb918000f6bd2e102000000')) }, 'ERR_STATUS_ZLIB_INVALID'],
    ['block type 3', { bits: 1, lst: lstOf(hex('78da07000000000000')) }, 'ERR_STATUS_ZLIB_INVALID'],
    ['a stored block whose NLEN is not ~LEN', { bits: 1, lst: lstOf(hex('78da010200fcffb9a3' + '0217015d')) }, 'ERR_STATUS_ZLIB_INVALID'],
    ['a wrong Adler-32 (caught by the platform decoder)', { bits: 1, lst: lstOf(hex(B9A3.slice(0, -2) + '5c')) }, 'ERR_STATUS_ZLIB_INVALID'],
    // truncated
    ['an empty lst', { bits: 1, lst: '' }, 'ERR_STATUS_ZLIB_TRUNCATED'],
    ['one byte', { bits: 1, lst: lstOf(hex('78')) }, 'ERR_STATUS_ZLIB_TRUNCATED'],
    ['the header alone', { bits: 1, lst: lstOf(hex('78da')) }, 'ERR_STATUS_ZLIB_TRUNCATED'],
    ['a stream cut inside DEFLATE', { bits: 1, lst: lstOf(b9a3.subarray(0, 5)) }, 'ERR_STATUS_ZLIB_TRUNCATED'],
    ['a stream cut inside its Adler-32', { bits: 1, lst: lstOf(b9a3.subarray(0, b9a3.length - 1)) }, 'ERR_STATUS_ZLIB_TRUNCATED'],
    ['a stream without its Adler-32', { bits: 1, lst: lstOf(b9a3.subarray(0, b9a3.length - 4)) }, 'ERR_STATUS_ZLIB_TRUNCATED'],
    // trailing
    ['one byte after the stream', { bits: 1, lst: lstOf(concat(b9a3, Uint8Array.of(0))) }, 'ERR_STATUS_ZLIB_TRAILING_DATA'],
    ['a second zlib stream after the first', { bits: 1, lst: lstOf(concat(b9a3, b9a3)) }, 'ERR_STATUS_ZLIB_TRAILING_DATA'],
    ['the Adler-32 twice', { bits: 1, lst: lstOf(concat(b9a3, b9a3.subarray(-4))) }, 'ERR_STATUS_ZLIB_TRAILING_DATA'],
    // size
    ['a list above maxBytes', { bits: 1, lst: 'eNrbuRgAAhcBXQ' }, 'ERR_STATUS_LIST_TOO_LARGE', 1],
    ['an lst longer than any list within maxBytes needs', { bits: 8, lst: lstOf(deflate(new Uint8Array(4096), { level: 0 })) }, 'ERR_STATUS_LIST_TOO_LARGE', 1024],
    ['an overlong lst, judged by its length before it is decoded', { bits: 8, lst: '!'.repeat(maxLstLength(1024) + 1) }, 'ERR_STATUS_LIST_TOO_LARGE', 1024],
  ]

  it.each(cases)('refuses %s with its code', async (_name, v, code, maxBytes) => {
    expect(await decodeCode(v, maxBytes)).toBe(code)
  })

  it('the hostile cases differ from a good list only in what they name', async () => {
    // Controls for the table above: the same constructions, made right, decode.
    expect((await decodeStatusList({ bits: 1, lst: lstOf(b9a3) }, { maxBytes: 2 })).toBytes()).toEqual(Uint8Array.of(0xb9, 0xa3))
    expect((await decodeStatusList({ bits: 1, lst: lstOf(hex('78da010200fdffb9a3' + '0217015d')) })).toBytes()).toEqual(Uint8Array.of(0xb9, 0xa3))
    expect((await decodeStatusList({ bits: 8, lst: lstOf(deflate(new Uint8Array(4096), { level: 0 })) }, { maxBytes: 4096 })).size).toBe(4096)
    expect(await decodeCode({ bits: 8, lst: '!'.repeat(maxLstLength(1024)) }, 1024)).toBe('ERR_B64_INVALID')
  })

  it('refuses a decompression bomb (1.1 MB of zlib inflating to 1.1 GiB) without inflating it', async () => {
    const bomb = zeroBomb(1100)
    expect(bomb.bytes.length).toBeLessThan(1.2e6)
    expect(bomb.inflatedSize).toBeGreaterThan(2 ** 30)
    const lst = encodeBase64url(bomb.bytes)
    const r = await measure(() => decodeStatusList({ bits: 1, lst }))
    expect(r.error).toMatchObject({ code: 'ERR_STATUS_LIST_TOO_LARGE' })
    // Memory, not time, tells whether the output was made: all of it would be about 1.1 GiB.
    expect(r.peakGrowthBytes).toBeLessThan(256 * MiB)
    // The same construction at a size within the cap is a valid list of zeros, so the refusal
    // above is for its size alone.
    const small = zeroBomb(3)
    const list = await decodeStatusList({ bits: 1, lst: encodeBase64url(small.bytes) }, { maxBytes: 3 * MiB })
    expect(list.size).toBe(3 * MiB * 8)
    expect(list.toBytes().every((b) => b === 0)).toBe(true)
    expect(await decodeCode({ bits: 1, lst: encodeBase64url(small.bytes) }, 3 * MiB - 1)).toBe('ERR_STATUS_LIST_TOO_LARGE')
  })
})
