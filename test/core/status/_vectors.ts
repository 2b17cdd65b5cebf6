/**
 * Reading ../shared/vectors/token-status-list (the draft's examples/ folder, see its README):
 * the .md files hold, as printed in draft-ietf-oauth-status-list, a JSON example, a CBOR example
 * in hex, or CBOR annotated hex ("diag"), some preceded by `byte_array = [...]` and `encoded:`.
 * Also here: a tiny CBOR reader (RFC 8949, definite lengths only: enough for the draft's CBOR
 * examples, test-only), and the statuses the draft states for each example, which the vector
 * files do not repeat.
 */
import { readVector } from '../../support/vectors.ts'

export const DIR = 'token-status-list'

export interface ExampleFile {
  /** `byte_array = [...]` when the file states the uncompressed bytes. */
  byteArray?: Uint8Array
  /** What follows, whitespace and line breaks as in the file. */
  body: string
}

export function readExample(name: string): ExampleFile {
  let text = readVector(DIR, name)
  const out: ExampleFile = { body: '' }
  const m = /^byte_array = \[([^\]]*)\]\s*\nencoded:\s*\n/.exec(text)
  if (m) {
    out.byteArray = Uint8Array.from(m[1]!.split(',').map((x) => Number.parseInt(x.trim(), 16)))
    text = text.slice(m[0].length)
  }
  out.body = text.trim()
  return out
}

/** A JSON example; the draft wraps long `lst` strings over lines, so all white space goes. */
export function readJsonExample(name: string): ExampleFile & { json: Record<string, unknown> } {
  const ex = readExample(name)
  return { ...ex, json: JSON.parse(ex.body.replace(/\s+/g, '')) as Record<string, unknown> }
}

export function hexBytes(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) throw new Error(`not hex: ${hex.slice(0, 40)}`)
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16))
}

/** A CBOR example printed as hex lines. */
export function readCborHexExample(name: string): ExampleFile & { bytes: Uint8Array } {
  const ex = readExample(name)
  return { ...ex, bytes: hexBytes(ex.body.replace(/\s+/g, '')) }
}

/** Annotated hex ("diag"): the bytes are the first column, before each `#` comment. */
export function readDiagExample(name: string): Uint8Array {
  const hex = readVector(DIR, name)
    .split('\n')
    .map((line) => line.split('#')[0]!.replace(/\s+/g, ''))
    .join('')
  return hexBytes(hex)
}

// ─── a tiny CBOR reader ─────────────────────────────────────────────────────────────────────

export type Cbor = number | string | Uint8Array | boolean | null | Cbor[] | Map<Cbor, Cbor> | { tag: number; value: Cbor }

export function readCbor(bytes: Uint8Array): Cbor {
  let pos = 0
  const byte = (): number => {
    if (pos >= bytes.length) throw new Error('CBOR: truncated')
    return bytes[pos++]!
  }
  const arg = (ai: number): number => {
    if (ai < 24) return ai
    const n = ai === 24 ? 1 : ai === 25 ? 2 : ai === 26 ? 4 : ai === 27 ? 8 : -1
    if (n < 0) throw new Error(`CBOR: additional info ${ai} (indefinite lengths are not needed here)`)
    let v = 0
    for (let i = 0; i < n; i++) v = v * 256 + byte()
    if (!Number.isSafeInteger(v)) throw new Error('CBOR: integer above 2^53')
    return v
  }
  const item = (): Cbor => {
    const ib = byte()
    const major = ib >> 5
    const ai = ib & 31
    switch (major) {
      case 0: return arg(ai)
      case 1: return -1 - arg(ai)
      case 2: {
        const n = arg(ai)
        if (pos + n > bytes.length) throw new Error('CBOR: truncated byte string')
        return bytes.slice(pos, (pos += n))
      }
      case 3: {
        const n = arg(ai)
        if (pos + n > bytes.length) throw new Error('CBOR: truncated text string')
        return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(pos, (pos += n)))
      }
      case 4: return Array.from({ length: arg(ai) }, item)
      case 5: {
        const m = new Map<Cbor, Cbor>()
        for (let n = arg(ai); n > 0; n--) {
          const k = item()
          m.set(k, item())
        }
        return m
      }
      case 6: {
        const tag = arg(ai)
        return { tag, value: item() }
      }
      default:
        if (ai === 20) return false
        if (ai === 21) return true
        if (ai === 22) return null
        throw new Error(`CBOR: simple value or float ${ai}`)
    }
  }
  const v = item()
  if (pos !== bytes.length) throw new Error(`CBOR: ${bytes.length - pos} bytes after the item`)
  return v
}

/** A CBOR map with text keys as a plain object (values converted the same way). */
export function cborToJson(v: Cbor): unknown {
  if (v instanceof Map) {
    const o: Record<string, unknown> = {}
    for (const [k, x] of v) o[String(k)] = cborToJson(x)
    return o
  }
  if (Array.isArray(v)) return v.map(cborToJson)
  return v
}

// ─── the statuses the draft states ──────────────────────────────────────────────────────────

export interface StatedStatuses {
  bits: 1 | 2 | 4 | 8
  /** Entries in the list (the long examples: 2^20, Appendix C). */
  size: number
  /** index → status; every other entry is 0 (VALID). */
  entries: [index: number, status: number][]
}

const dense = (bits: 1 | 2 | 4 | 8, statuses: number[]): StatedStatuses => ({ bits, size: statuses.length, entries: statuses.map((s, i) => [i, s]) })

/** §4.1: the 16 statuses of 1 bit that make the bytes b9 a3. */
export const SECTION_4_1_BITS_1 = dense(1, [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1])
/** §4.1: the 12 statuses of 2 bits that make the bytes c9 44 f9. */
export const SECTION_4_1_BITS_2 = dense(2, [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3])

const LONG = 1 << 20

/** Appendix C.1. */
export const APPENDIX_C1: StatedStatuses = {
  bits: 1,
  size: LONG,
  entries: [0, 1993, 25460, 159495, 495669, 554353, 645645, 723232, 854545, 934534, 1000345].map((i) => [i, 1]),
}

/** Appendix C.2. */
export const APPENDIX_C2: StatedStatuses = {
  bits: 2,
  size: LONG,
  entries: [[0, 1], [1993, 2], [25460, 1], [159495, 3], [495669, 1], [554353, 1], [645645, 2], [723232, 1], [854545, 1], [934534, 2], [1000345, 3]],
}

/** Appendix C.3. */
export const APPENDIX_C3: StatedStatuses = {
  bits: 4,
  size: LONG,
  entries: [
    [0, 1], [1993, 2], [35460, 3], [459495, 4], [595669, 5], [754353, 6], [845645, 7], [923232, 8],
    [924445, 9], [934534, 10], [1004534, 11], [1000345, 12], [1030203, 13], [1030204, 14], [1030205, 15],
  ],
}

/** Appendix C.4: the entry with status v is at C4_INDICES[v], for v = 0..255. */
const C4_INDICES = [
  233478, 52451, 576778, 513575, 468106, 292632, 214947, 182323, 884834, 66653, 62489, 196493, 458517, 487925, 55649, 416992,
  879796, 462297, 942059, 583408, 13628, 334829, 886286, 713557, 582738, 326064, 451545, 705889, 214350, 194502, 796765, 202828,
  752834, 721327, 554740, 91122, 963483, 261779, 793844, 165255, 614839, 758403, 403258, 145867, 96100, 477937, 606890, 167335,
  488197, 211815, 797182, 582952, 950870, 765108, 341110, 776325, 745056, 439368, 559893, 149741, 358903, 513405, 342679, 969429,
  795775, 566121, 460566, 680070, 117310, 480348, 67319, 661552, 841303, 561493, 138807, 442463, 659927, 445910, 1046963, 829700,
  962282, 299623, 555493, 292826, 517215, 551009, 898490, 837603, 759161, 459948, 290102, 1034977, 190650, 98810, 229950, 320531,
  335506, 885333, 133227, 806915, 800313, 981571, 527253, 24077, 240232, 559572, 713399, 233941, 615514, 911768, 331680, 951527,
  6805, 552366, 374660, 223159, 625884, 417146, 320527, 784154, 338792, 1199, 679804, 1024680, 40845, 234603, 761225, 644903,
  502167, 121477, 505144, 165165, 179628, 1019195, 145149, 263738, 269256, 996739, 346296, 555864, 887384, 444173, 421844, 653716,
  836747, 783119, 918762, 946835, 253764, 519895, 471224, 134272, 709016, 44112, 482585, 461829, 15080, 148883, 123467, 480125,
  141348, 65877, 692958, 148598, 499131, 584009, 1017987, 449287, 277478, 991262, 509602, 991896, 853666, 399318, 197815, 203278,
  903979, 743015, 888308, 862143, 979421, 113605, 206397, 127113, 844358, 711569, 229153, 521470, 401793, 398896, 940810, 293983,
  884749, 384802, 584151, 970201, 523882, 158093, 929312, 205329, 106091, 30949, 195586, 495723, 348779, 852312, 1018463, 1009481,
  448260, 841042, 122967, 345269, 794764, 4520, 818773, 556171, 954221, 598210, 887110, 1020623, 324632, 398244, 622241, 456551,
  122648, 127837, 657676, 119884, 105156, 999897, 330160, 119285, 168005, 389703, 143699, 142524, 493258, 846778, 251420, 516351,
  83344, 171931, 879178, 663475, 546865, 428362, 658891, 500560, 557034, 830023, 274471, 629139, 958869, 663071, 152133, 19535,
]
export const APPENDIX_C4: StatedStatuses = { bits: 8, size: LONG, entries: C4_INDICES.map((index, status) => [index, status]) }
if (C4_INDICES.length !== 256 || new Set(C4_INDICES).size !== 256) throw new Error('Appendix C.4 table mistyped')
