/**
 * The wire format of c2sp.org/tlog-witness §add-checkpoint, shared by the witness server and
 * the client a log's sequencer uses: the request body (old size line, consistency proof lines,
 * empty line, signed checkpoint note) and the `text/x.tlog.size` body of a "409 Conflict".
 *
 * Parsed strictly (house rule 3): the old size is ASCII decimal without leading zeroes, each
 * proof line is canonical padded standard base64 (RFC 4648 §4) of exactly 32 bytes, at most
 * 63 of them, every line ends in U+000A, and no CR or other control character appears in the
 * header. The note part is handed to the signed-note parser as bytes, unchanged.
 */
import { InputError } from '../../core/errors.ts'
import { decodeBase64, encodeBase64, parseDecimal } from '../../core/log/_encoding.ts'
import { HASH_SIZE } from '../../core/log/merkle.ts'
import { encodeUtf8 } from '../../core/bytes/utf8.ts'

/** `POST <submission prefix>/add-checkpoint` — tlog-witness §add-checkpoint. */
export const ADD_CHECKPOINT_PATH = '/add-checkpoint'
/** "The response MUST have a `Content-Type` of `text/x.tlog.size`" (409 Conflict). */
export const TLOG_SIZE_CONTENT_TYPE = 'text/x.tlog.size'
/** "The client MUST NOT send more than 63 consistency proof lines." */
export const MAX_PROOF_LINES = 63
/**
 * Default cap on an add-checkpoint body. 16 KiB, as transparency-dev/witness: 63 proof lines
 * are under 3 KiB, which leaves ~13 KiB for the note and its signatures.
 */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024

export interface AddCheckpointRequest {
  /** The tree size of the previous checkpoint the client believes the witness cosigned. */
  oldSize: number
  /** RFC 9162 §2.1.4 consistency proof from `oldSize` to the checkpoint's size (32-byte hashes). */
  consistencyProof: Uint8Array[]
  /** The signed checkpoint note, byte for byte as sent. */
  checkpointNote: Uint8Array
}

function bad(detail: string): never {
  throw new InputError('ERR_WITNESS_BAD_REQUEST', detail)
}

/**
 * Parse an add-checkpoint request body. Throws InputError ERR_WITNESS_BAD_REQUEST for a body
 * that is not old line, proof lines, empty line, note; ERR_LOG_SIZE_UNSUPPORTED for an old
 * size above 2^53 - 1. The note itself is not parsed here.
 */
export function parseAddCheckpointRequest(body: Uint8Array): AddCheckpointRequest {
  if (!(body instanceof Uint8Array)) throw new TypeError('body must be a Uint8Array')
  // The header (old line and proof lines) ends at the first empty line: none of its lines is empty.
  let split = -1
  for (let i = 0; i + 1 < body.length; i++) {
    if (body[i] === 0x0a && body[i + 1] === 0x0a) {
      split = i
      break
    }
  }
  if (split < 0) bad('no empty line after the old size and proof lines')
  // Header bytes: printable ASCII and LF only ("Each line MUST terminate in a newline character").
  let header = ''
  for (let i = 0; i < split; i++) {
    const b = body[i]!
    if (b !== 0x0a && (b < 0x20 || b > 0x7e)) bad(b === 0x0d ? 'CR in the request header (lines end in LF only)' : 'non-ASCII or control byte in the request header')
    header += String.fromCharCode(b)
  }
  const lines = header.split('\n')
  // "The old size line MUST consist of the string `old`, a single space (0x20), and the tree
  // size … encoded as an ASCII decimal with no leading zeroes"
  const first = lines[0]!
  if (!first.startsWith('old ')) bad('the first line is not "old <size>"')
  const oldSize = parseDecimal(first.slice(4))
  if (oldSize === null) bad('the old size is not a decimal number without leading zeroes')
  if (oldSize === 'too-large') throw new InputError('ERR_LOG_SIZE_UNSUPPORTED', 'the old size is above 2^53 - 1')
  const proofLines = lines.slice(1)
  if (proofLines.length > MAX_PROOF_LINES) bad(`${proofLines.length} consistency proof lines, more than ${MAX_PROOF_LINES}`)
  // "Each consistency proof line MUST encode a single hash in base64."
  const consistencyProof = proofLines.map((l, i) => {
    const h = decodeBase64(l)
    if (!h || h.length !== HASH_SIZE) bad(`proof line ${i + 1} is not canonical base64 of a 32-byte hash`)
    return h
  })
  const checkpointNote = body.slice(split + 2)
  if (checkpointNote.length === 0) bad('no checkpoint after the empty line')
  return { oldSize, consistencyProof, checkpointNote }
}

/** The request body for `req` (the inverse of parseAddCheckpointRequest). */
export function formatAddCheckpointRequest(req: { oldSize: number; consistencyProof: readonly Uint8Array[]; checkpointNote: Uint8Array | string }): Uint8Array<ArrayBuffer> {
  if (!Number.isSafeInteger(req.oldSize) || req.oldSize < 0) throw new RangeError('oldSize must be a safe non-negative integer')
  if (req.consistencyProof.length > MAX_PROOF_LINES) throw new RangeError(`consistencyProof has more than ${MAX_PROOF_LINES} hashes`)
  for (const h of req.consistencyProof) {
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) throw new TypeError('consistencyProof hashes must be 32-byte Uint8Arrays')
  }
  const head = encodeUtf8(`old ${req.oldSize}\n${req.consistencyProof.map((h) => `${encodeBase64(h)}\n`).join('')}\n`)
  const note = typeof req.checkpointNote === 'string' ? encodeUtf8(req.checkpointNote) : req.checkpointNote
  const out = new Uint8Array(head.length + note.length)
  out.set(head, 0)
  out.set(note, head.length)
  return out
}

/** "the tree size of the latest cosigned checkpoint in decimal, followed by a newline". */
export function formatSizeBody(size: number): string {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError('size must be a safe non-negative integer')
  return `${size}\n`
}

/** The size in a `text/x.tlog.size` body, or null if the body is not exactly `<decimal>\n`. */
export function parseSizeBody(text: string): number | null {
  if (!text.endsWith('\n')) return null
  const n = parseDecimal(text.slice(0, -1))
  return typeof n === 'number' ? n : null
}
