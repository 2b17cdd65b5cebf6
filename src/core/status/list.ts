/**
 * Token Status List, the list itself (draft-ietf-oauth-status-list §4): a byte array of
 * statuses of 1, 2, 4 or 8 bits each, packed from the least significant bit of each byte
 * (§4.1 step 3, §11.1), compressed with DEFLATE in the zlib format (§4.1 step 4) and carried
 * in JSON as `{ bits, lst }` with `lst` in base64url (§4.2). Status values (§7.1): 0x00 VALID,
 * 0x01 INVALID, 0x02 SUSPENDED; 0x03 and 0x0C–0x0F application-specific; the rest unregistered.
 *
 * Owns: the StatusList value (create, get/set, raw bytes) and `encodeStatusList` /
 * `decodeStatusList`. Signing and verifying the statuslist+jwt token is token.ts; judging a
 * credential's status against the ledger is check.ts.
 *
 * Decoding is the edge where attacker bytes arrive, so it is strict and bounded, in this order:
 * shape, bits, the length of `lst` (before decoding it), canonical base64url, then a structural
 * walk of the zlib stream (_deflate-scan.ts) that finds its exact end and its inflated size
 * without inflating anything, then the platform's inflate (_zlib-streams.ts), streamed and
 * stopped at that size. The cap on the inflated size is `maxBytes`, 16 MiB by default; a stream
 * that would inflate beyond it is refused after cap / 258 back-references, its bytes never made.
 */
import { decodeBase64url, encodeBase64url } from '../bytes/base64url.ts'
import { readMembers } from '../bytes/shape.ts'
import { InputError } from '../errors.ts'
import { scanZlib } from './_deflate-scan.ts'
import { deflateZlib, inflateZlib } from './_zlib-streams.ts'

export type StatusBits = 1 | 2 | 4 | 8

/** §7.1 Status Types. */
export const STATUS_VALID = 0
export const STATUS_INVALID = 1
export const STATUS_SUSPENDED = 2

/** Default cap on a decoded list's byte array: 16 MiB, room for 16,777,216 statuses of 8 bits. */
export const DEFAULT_MAX_STATUS_LIST_BYTES = 16 * 1024 * 1024
/** The largest cap a caller may ask for, and the largest list `create` makes. */
export const MAX_STATUS_LIST_BYTES = 256 * 1024 * 1024

function assertBits(bits: unknown): asserts bits is StatusBits {
  if (bits !== 1 && bits !== 2 && bits !== 4 && bits !== 8) throw new RangeError(`bits must be 1, 2, 4 or 8, not ${String(bits)}`)
}

/**
 * A status list: `size` statuses of `bits` bits. Its byte array always holds exactly `size`
 * statuses, so `size` is a multiple of 8 / bits (8, 4, 2 or 1 statuses per byte; §13.4
 * recommends that the size in bits be a multiple of 8). A decoded list's size is therefore its
 * byte length × 8 / bits: the draft sends no separate size, and unused entries read as VALID.
 *
 * Indices and values that do not fit are our callers' bugs and throw RangeError; a verifier
 * checks an attacker's `idx` against `size` first (check.ts does).
 */
export class StatusList {
  readonly size: number
  readonly bits: StatusBits
  readonly #bytes: Uint8Array
  readonly #perByte: number
  readonly #mask: number

  private constructor(bytes: Uint8Array, bits: StatusBits) {
    this.#bytes = bytes
    this.bits = bits
    this.#perByte = 8 / bits
    this.#mask = (1 << bits) - 1
    this.size = bytes.length * this.#perByte
  }

  /** An all-VALID list. `size`: a positive multiple of 8 / bits, at most MAX_STATUS_LIST_BYTES × 8 / bits. */
  static create(size: number, bits: StatusBits): StatusList {
    assertBits(bits)
    const perByte = 8 / bits
    if (!Number.isSafeInteger(size) || size <= 0 || size % perByte !== 0) throw new RangeError(`size must be a positive multiple of ${perByte} for bits ${bits}, not ${size}`)
    if (size / perByte > MAX_STATUS_LIST_BYTES) throw new RangeError(`size ${size} needs more than ${MAX_STATUS_LIST_BYTES} bytes`)
    return new StatusList(new Uint8Array(size / perByte), bits)
  }

  /** A list over a copy of `bytes` (at least one byte). */
  static fromBytes(bytes: Uint8Array, bits: StatusBits): StatusList {
    assertBits(bits)
    if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array')
    if (bytes.length === 0 || bytes.length > MAX_STATUS_LIST_BYTES) throw new RangeError(`a status list has 1 to ${MAX_STATUS_LIST_BYTES} bytes, not ${bytes.length}`)
    return new StatusList(bytes.slice(), bits)
  }

  #at(index: number): [byte: number, shift: number] {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.size) throw new RangeError(`index ${index} is outside 0..${this.size - 1}`)
    const byte = Math.floor(index / this.#perByte)
    return [byte, (index - byte * this.#perByte) * this.bits]
  }

  /** The status at `index` (§4.1 step 3: bits counted from the least significant bit). */
  get(index: number): number {
    const [byte, shift] = this.#at(index)
    return (this.#bytes[byte]! >> shift) & this.#mask
  }

  set(index: number, value: number): void {
    const [byte, shift] = this.#at(index)
    if (!Number.isInteger(value) || value < 0 || value > this.#mask) throw new RangeError(`status ${value} does not fit in ${this.bits} bits`)
    this.#bytes[byte] = (this.#bytes[byte]! & ~(this.#mask << shift)) | (value << shift)
  }

  /** A copy of the raw (uncompressed) byte array. */
  toBytes(): Uint8Array {
    return this.#bytes.slice()
  }
}

/** The JSON Status List of §4.2: zlib-compressed, base64url. */
export async function encodeStatusList(list: StatusList): Promise<{ bits: StatusBits; lst: string }> {
  if (!(list instanceof StatusList)) throw new TypeError('encodeStatusList takes a StatusList')
  return { bits: list.bits, lst: encodeBase64url(await deflateZlib(list.toBytes())) }
}

export interface StatusListLimits {
  /** Cap on the inflated byte array; default DEFAULT_MAX_STATUS_LIST_BYTES (16 MiB). */
  maxBytes?: number
}

/** The cap for these limits (RangeError for an impossible one: our caller's bug). */
export function statusListCap(limits?: StatusListLimits): number {
  const cap = limits?.maxBytes ?? DEFAULT_MAX_STATUS_LIST_BYTES
  if (!Number.isSafeInteger(cap) || cap < 1 || cap > MAX_STATUS_LIST_BYTES) throw new RangeError(`maxBytes must be 1..${MAX_STATUS_LIST_BYTES}`)
  return cap
}

/**
 * The longest `lst` text accepted for a list of at most `cap` bytes. Deflate encoders fall back
 * to stored blocks for data they cannot shrink, so a list grows by at most zlib's framing and
 * 5 bytes per 65,535 (well under cap / 1024 + 64); a longer `lst` is refused before decoding.
 */
export function maxLstLength(cap: number): number {
  return Math.ceil(((cap + (cap >>> 10) + 64) * 4) / 3)
}

/**
 * Decode the JSON Status List of §4.2 (`{ bits, lst, aggregation_uri? }`, nothing else).
 * Throws InputError: ERR_STATUS_LIST_MALFORMED, ERR_STATUS_BITS_INVALID,
 * ERR_STATUS_LIST_TOO_LARGE, ERR_B64_INVALID, ERR_STATUS_ZLIB_INVALID,
 * ERR_STATUS_ZLIB_TRUNCATED, ERR_STATUS_ZLIB_TRAILING_DATA.
 */
export async function decodeStatusList(v: unknown, limits?: StatusListLimits): Promise<StatusList> {
  const cap = statusListCap(limits)
  // members first (each then gets its own code, bits before lst, as before)
  const o = readMembers(v, 'status_list', [], ['bits', 'lst', 'aggregation_uri'], 'ERR_STATUS_LIST_MALFORMED')
  const { bits, lst } = o
  if (bits !== 1 && bits !== 2 && bits !== 4 && bits !== 8) throw new InputError('ERR_STATUS_BITS_INVALID', `bits is ${JSON.stringify(bits ?? null).slice(0, 20)}, not 1, 2, 4 or 8`)
  if (typeof lst !== 'string') throw new InputError('ERR_STATUS_LIST_MALFORMED', 'lst is missing or not a string')
  if (o.aggregation_uri !== undefined && typeof o.aggregation_uri !== 'string') throw new InputError('ERR_STATUS_LIST_MALFORMED', 'aggregation_uri is not a string')
  if (lst.length > maxLstLength(cap)) throw new InputError('ERR_STATUS_LIST_TOO_LARGE', `lst of ${lst.length} characters is longer than any list of at most ${cap} bytes needs`)
  const compressed = decodeBase64url(lst, 'lst')
  const size = scanZlib(compressed, cap)
  if (size === 0) throw new InputError('ERR_STATUS_LIST_MALFORMED', 'lst inflates to an empty byte array')
  const bytes = await inflateZlib(compressed, size)
  if (bytes.length !== size) throw new InputError('ERR_STATUS_ZLIB_INVALID', `lst inflated to ${bytes.length} bytes where its blocks say ${size}`)
  return StatusList.fromBytes(bytes, bits)
}
