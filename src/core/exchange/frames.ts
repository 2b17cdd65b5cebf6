/**
 * QR framing of the counter answer (design §6 step 3): the wallet's encrypted answer — binary,
 * typically 600–3000 bytes — shown as one QR code in byte mode if it fits, else as numbered
 * frames the official's camera collects in any order, joined once all are in and checked
 * against a truncated SHA-256 of the whole message.
 *
 * Owns: `splitFrames` (wallet side), `parseFrame` (the strict edge for each scanned code) and
 * `FrameCollector` (counter side: any order, repeats, progress, join). Encryption is not here:
 * the payload is already a JWE envelope (jose/jwe.ts), so a bystander's photo of a frame shows
 * nothing, and the framing adds no secrecy and needs none.
 *
 * Every frame, a single one included, is header ‖ payload (integers big-endian):
 *
 *   | bytes  | field   | value                                                              |
 *   |--------|---------|--------------------------------------------------------------------|
 *   | 0–1    | magic   | 0xC1 0x57                                                          |
 *   | 2      | version | 1                                                                  |
 *   | 3–6    | id      | message id: 4 random bytes, the same in every frame of one message |
 *   | 7      | number  | this frame's number, 0 ≤ number < count                            |
 *   | 8      | count   | how many frames, 1 ≤ count ≤ 16                                    |
 *   | 9–10   | total   | the whole message's length, count ≤ total ≤ 32,768                 |
 *   | 11–18  | check   | the first 8 bytes of SHA-256(whole message)                        |
 *   | 19–    | payload | this frame's slice of the message, of exactly its balanced length  |
 *
 * The magic's first byte, 0xC1, never occurs in UTF-8, so no text QR (a URL, a compact JWS,
 * the request QR, JSON) and no bare JWE envelope (which starts 0x01) reads as a frame.
 *
 * Why these choices:
 * - **Byte mode.** QR byte mode carries 8 bits a byte; sending the same bytes as base64 costs a
 *   third more, as alphanumeric text (2 characters a byte at 5.5 bits each) 37.5 % more. The
 *   scanner must hand over the raw bytes (zxing-wasm's `ReadResult.bytes`), not decoded text.
 * - **Any order.** A camera sees frames repeatedly, out of order, some twice. Each frame says
 *   its number, the count and the message it belongs to, so the collector needs no start frame.
 * - **Balanced split.** count = ⌈total / (frameBytes − 19)⌉ and the payload is spread as evenly
 *   as it goes: the first (total mod count) frames carry ⌈total / count⌉ bytes, the rest
 *   ⌊total / count⌋. The last frame is not a sliver that the camera waits for, and every
 *   frame's payload length follows from (total, count, number), so `parseFrame` checks it
 *   exactly: a truncated or padded frame is refused at once.
 * - **Integrity.** The check in every header makes any one frame name the whole message
 *   (with id, count and total), so a frame of another answer — the previous citizen's phone
 *   still showing — is refused on sight, and a wrongly assembled message is caught at join.
 *   64 bits is ample against accident; against an adversary the JWE's AEAD tag is the guard.
 *
 * Caps (FRAME_LIMITS): a frame ≤ 2,953 bytes, the byte-mode capacity of the largest QR code
 * (version 40, ECC L); ≤ 16 frames, a few seconds of cycling; a message ≤ 32 KiB, ten times a
 * large answer and within the 16-bit total. The caller derives frameBytes from the QR version
 * and ECC level it draws (the byte-mode capacity of version 25 at ECC M is 997 bytes, so 978 of
 * message per frame) and must give a message that fits in 16 frames of that size.
 *
 * Why not a library. No maintained package does numbered binary QR frames with an integrity
 * check in a form we can use (npm registry, checked): `qr-frames` does not exist; `qrloop`
 * (1.4.1) frames as base64 text checked by MD5 and depends on the `buffer` and `md5` packages. The closest scheme,
 * Blockchain Commons UR (`@ngraveio/bc-ur` 1.1.13, its 2.0 still in beta; `bc-ur` 0.1.6),
 * sends CBOR as "ur:" text in bytewords for QR alphanumeric mode — 11 bits a byte where byte
 * mode spends 8 — and adds fountain codes (Luby transform), which pay off for long streams
 * of lost frames, not for a handful of frames on a screen that keeps cycling. It would bring
 * seven runtime dependencies (cbor-sync, bignumber.js, jsbi, crc, sha.js, assert, an alias
 * sampler) into the kernel for what is here a 19-byte header.
 *
 * Errors: a frame from the camera is external input (InputError: ERR_QR_FRAME_MALFORMED,
 * ERR_QR_FRAME_TOO_LARGE, ERR_QR_FRAME_FOREIGN, ERR_QR_FRAMES_INCOMPLETE, ERR_QR_INTEGRITY);
 * impossible arguments from our own code throw TypeError/RangeError. Pure and synchronous.
 */
import { bytesEqual, concatBytes } from '../bytes/compare.ts'
import { sha256, systemRandom } from '../crypto/hash.ts'
import { InputError } from '../errors.ts'

const MAGIC_0 = 0xc1
const MAGIC_1 = 0x57
/** The first two bytes of every frame (module comment: 0xC1 is never UTF-8). Writing into this array changes nothing here. */
export const FRAME_MAGIC: Uint8Array = Uint8Array.of(MAGIC_0, MAGIC_1)
export const FRAME_VERSION = 1

export const FRAME_LIMITS = {
  /** Largest whole frame, header included: QR version 40 at ECC L holds 2,953 bytes in byte mode. */
  maxFrameBytes: 2953,
  /** Most frames of one message (the count is one byte; 16 keeps a cycle to a few seconds). */
  maxFrames: 16,
  /** Longest message: 32 KiB (the total is two bytes). */
  maxMessageBytes: 32 * 1024,
} as const

const ID_BYTES = 4
const CHECK_BYTES = 8
const OFF_VERSION = 2
const OFF_ID = 3
const OFF_NUMBER = OFF_ID + ID_BYTES
const OFF_COUNT = OFF_NUMBER + 1
const OFF_TOTAL = OFF_COUNT + 1
const OFF_CHECK = OFF_TOTAL + 2
const HEADER_BYTES = OFF_CHECK + CHECK_BYTES // 19

/** One parsed frame. `id`, `check` and `payload` are copies of the scanned bytes. */
export interface Frame {
  readonly id: Uint8Array
  readonly number: number
  readonly count: number
  readonly total: number
  readonly check: Uint8Array
  readonly payload: Uint8Array
}

export interface CollectorProgress {
  /** Distinct frames held. */
  received: number
  /** Frames in the message; 0 before the first frame. */
  count: number
  complete: boolean
  /** This add was a frame already held, byte for byte; nothing changed. */
  duplicate: boolean
}

function integrityCheck(message: Uint8Array): Uint8Array {
  return sha256(message).slice(0, CHECK_BYTES)
}

/** Payload length of frame `number` under the balanced split (module comment). */
function payloadLength(total: number, count: number, number: number): number {
  return Math.floor(total / count) + (number < total % count ? 1 : 0)
}

/** Where frame `number`'s payload starts in the message. */
function payloadOffset(total: number, count: number, number: number): number {
  return number * Math.floor(total / count) + Math.min(number, total % count)
}

/**
 * The frames of `message`, in order, each at most `frameBytes` long (header included). A
 * message that fits one frame gives one frame of count 1. `id` (4 bytes) fixes the message id,
 * for tests; by default it is random.
 *
 * RangeError/TypeError for impossible arguments (frameBytes not an integer in 20..2953, an empty
 * message, an id not of 4 bytes); InputError ERR_QR_FRAME_TOO_LARGE for a message over 32 KiB
 * or one that would need more than 16 frames of this size.
 */
export function splitFrames(message: Uint8Array, o: { frameBytes: number; id?: Uint8Array }): Uint8Array[] {
  if (!(message instanceof Uint8Array)) throw new TypeError('message: expected Uint8Array')
  const { frameBytes } = o
  if (!Number.isSafeInteger(frameBytes) || frameBytes < HEADER_BYTES + 1 || frameBytes > FRAME_LIMITS.maxFrameBytes) {
    throw new RangeError(`frameBytes must be an integer from ${HEADER_BYTES + 1} (a ${HEADER_BYTES}-byte header and one byte) to ${FRAME_LIMITS.maxFrameBytes}, not ${frameBytes}`)
  }
  if (message.length === 0) throw new RangeError('message: empty')
  if (message.length > FRAME_LIMITS.maxMessageBytes) {
    throw new InputError('ERR_QR_FRAME_TOO_LARGE', `a message of ${message.length} bytes is over the cap of ${FRAME_LIMITS.maxMessageBytes}`)
  }
  const id = o.id ?? systemRandom(ID_BYTES)
  if (!(id instanceof Uint8Array)) throw new TypeError('id: expected Uint8Array')
  if (id.length !== ID_BYTES) throw new RangeError(`id: expected ${ID_BYTES} bytes, got ${id.length}`)
  const total = message.length
  const count = Math.ceil(total / (frameBytes - HEADER_BYTES))
  if (count > FRAME_LIMITS.maxFrames) {
    throw new InputError('ERR_QR_FRAME_TOO_LARGE', `a message of ${total} bytes needs ${count} frames of ${frameBytes} bytes, over the cap of ${FRAME_LIMITS.maxFrames}`)
  }
  const header = new Uint8Array(HEADER_BYTES)
  header[0] = MAGIC_0
  header[1] = MAGIC_1
  header[OFF_VERSION] = FRAME_VERSION
  header.set(id, OFF_ID)
  header[OFF_COUNT] = count
  header[OFF_TOTAL] = total >> 8
  header[OFF_TOTAL + 1] = total & 0xff
  header.set(integrityCheck(message), OFF_CHECK)
  const frames: Uint8Array[] = []
  for (let number = 0; number < count; number++) {
    header[OFF_NUMBER] = number
    const start = payloadOffset(total, count, number)
    frames.push(concatBytes(header, message.subarray(start, start + payloadLength(total, count, number))))
  }
  return frames
}

/**
 * One scanned frame, strictly: its size first (ERR_QR_FRAME_TOO_LARGE over 2,953 bytes), then
 * the header — magic, version, a count in 1..16, a number below it, a total in count..32,768
 * whose largest frame would fit the cap — and then a payload of exactly the length the balanced
 * split gives this number. ERR_QR_FRAME_MALFORMED for the shape, ERR_QR_FRAME_TOO_LARGE for a
 * count, total or implied frame size over the caps.
 */
export function parseFrame(bytes: Uint8Array): Frame {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('frame: expected Uint8Array')
  const malformed = (why: string): never => {
    throw new InputError('ERR_QR_FRAME_MALFORMED', `QR frame: ${why}`)
  }
  const tooLarge = (why: string): never => {
    throw new InputError('ERR_QR_FRAME_TOO_LARGE', `QR frame: ${why}`)
  }
  if (bytes.length > FRAME_LIMITS.maxFrameBytes) tooLarge(`${bytes.length} bytes, over the cap of ${FRAME_LIMITS.maxFrameBytes}`)
  if (bytes.length < HEADER_BYTES) malformed(`${bytes.length} bytes, shorter than the ${HEADER_BYTES}-byte header`)
  if (bytes[0] !== MAGIC_0 || bytes[1] !== MAGIC_1) malformed('not a Civic exchange frame (magic)')
  if (bytes[OFF_VERSION] !== FRAME_VERSION) malformed(`version ${bytes[OFF_VERSION]}, not ${FRAME_VERSION}`)
  const number = bytes[OFF_NUMBER]!
  const count = bytes[OFF_COUNT]!
  const total = (bytes[OFF_TOTAL]! << 8) | bytes[OFF_TOTAL + 1]!
  if (count === 0) malformed('a frame count of 0')
  if (count > FRAME_LIMITS.maxFrames) tooLarge(`a frame count of ${count}, over the cap of ${FRAME_LIMITS.maxFrames}`)
  if (number >= count) malformed(`frame number ${number} is not below the count ${count}`)
  if (total > FRAME_LIMITS.maxMessageBytes) tooLarge(`a message of ${total} bytes, over the cap of ${FRAME_LIMITS.maxMessageBytes}`)
  if (total < count) malformed(`a message of ${total} bytes cannot fill ${count} frames (a frame would be empty)`)
  if (HEADER_BYTES + payloadLength(total, count, 0) > FRAME_LIMITS.maxFrameBytes) {
    tooLarge(`${total} bytes in ${count} frames would make frames over the cap of ${FRAME_LIMITS.maxFrameBytes}`)
  }
  const got = bytes.length - HEADER_BYTES
  if (got === 0) malformed('an empty payload')
  const want = payloadLength(total, count, number)
  if (got !== want) malformed(`frame ${number} of ${count} of a ${total}-byte message carries ${want} bytes, not ${got}`)
  return {
    id: bytes.slice(OFF_ID, OFF_ID + ID_BYTES),
    number,
    count,
    total,
    check: bytes.slice(OFF_CHECK, OFF_CHECK + CHECK_BYTES),
    payload: bytes.slice(HEADER_BYTES),
  }
}

/**
 * The scanner's side: frames in any order, each as often as the camera sees it. The first
 * frame fixes the message (id, count, total, check). A frame that does not parse, belongs to
 * another message, or has a number already held with other bytes is refused with its code and
 * changes nothing; a frame already held byte for byte is reported as a duplicate.
 *
 * After ERR_QR_INTEGRITY the frames held cannot tell which of them is wrong: `reset()` and scan
 * again. A new message (the next citizen) also needs `reset()`: until then its frames are foreign.
 */
export class FrameCollector {
  #first: Frame | null = null
  /** Raw frame bytes by number, kept to tell a duplicate from a changed frame. */
  #raw: (Uint8Array | undefined)[] = []
  #received = 0

  add(bytes: Uint8Array): CollectorProgress {
    const frame = parseFrame(bytes)
    const first = this.#first
    if (first !== null) {
      if (!bytesEqual(frame.id, first.id) || frame.count !== first.count || frame.total !== first.total || !bytesEqual(frame.check, first.check)) {
        throw new InputError('ERR_QR_FRAME_FOREIGN', `frame ${frame.number} belongs to another message (its id, count, size or check differ)`)
      }
      const held = this.#raw[frame.number]
      if (held !== undefined) {
        if (!bytesEqual(held, bytes)) throw new InputError('ERR_QR_FRAME_FOREIGN', `frame ${frame.number} seen before with other bytes`)
        return this.#progress(true)
      }
    } else {
      this.#first = frame
      this.#raw = new Array<Uint8Array | undefined>(frame.count).fill(undefined)
    }
    this.#raw[frame.number] = bytes.slice()
    this.#received++
    return this.#progress(false)
  }

  /** Frame numbers not yet received, ascending; [] before the first frame. */
  missing(): number[] {
    const out: number[] = []
    for (let i = 0; i < this.#raw.length; i++) if (this.#raw[i] === undefined) out.push(i)
    return out
  }

  /** The whole message. ERR_QR_FRAMES_INCOMPLETE (the detail lists the missing numbers), ERR_QR_INTEGRITY. */
  join(): Uint8Array {
    const first = this.#first
    if (first === null) throw new InputError('ERR_QR_FRAMES_INCOMPLETE', 'no frame received yet')
    const missing = this.missing()
    if (missing.length > 0) {
      throw new InputError('ERR_QR_FRAMES_INCOMPLETE', `missing frame${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${first.count} (numbered from 0)`)
    }
    const message = concatBytes(...this.#raw.map((raw) => raw!.subarray(HEADER_BYTES)))
    if (!bytesEqual(integrityCheck(message), first.check)) {
      throw new InputError('ERR_QR_INTEGRITY', `the ${first.total} joined bytes do not match the message's integrity check`)
    }
    return message
  }

  reset(): void {
    this.#first = null
    this.#raw = []
    this.#received = 0
  }

  #progress(duplicate: boolean): CollectorProgress {
    const count = this.#first?.count ?? 0
    return { received: this.#received, count, complete: count > 0 && this.#received === count, duplicate }
  }
}
