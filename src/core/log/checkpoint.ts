/**
 * Checkpoint bodies (c2sp.org/tlog-checkpoint §"Note text"): origin, tree size, root hash,
 * optional extension lines. Parsed strictly: the text the signature covers must mean exactly
 * one thing, so every number and hash has one accepted spelling.
 */
import { InputError } from '../errors.ts'
import { decodeBase64, encodeBase64, parseDecimal } from './_encoding.ts'
import { HASH_SIZE } from './merkle.ts'

export interface Checkpoint {
  /** "a unique identifier for the log identity which issued the checkpoint" */
  origin: string
  /** Number of leaves. */
  size: number
  /** RFC 6962 Merkle tree root hash at `size`, 32 bytes. */
  rootHash: Uint8Array
  /** Opaque extension lines (NOT RECOMMENDED by the spec; kept, never interpreted). */
  extensions: string[]
}

function malformed(detail: string): never {
  throw new InputError('ERR_LOG_CHECKPOINT_MALFORMED', detail)
}

/**
 * Parse a checkpoint note text (including its final newline). Throws InputError with
 * ERR_LOG_CHECKPOINT_MALFORMED, or ERR_LOG_SIZE_UNSUPPORTED for sizes above 2^53 - 1.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (typeof text !== 'string') throw new TypeError('text must be a string')
  if (!text.endsWith('\n')) malformed('checkpoint text must end with a newline')
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) malformed('checkpoint text holds control characters')
  // "a sequence of at least three non-empty lines, separated by newlines (U+000A)"
  const lines = text.slice(0, -1).split('\n')
  if (lines.length < 3) malformed(`checkpoint has ${lines.length} lines, at least 3 are needed`)
  if (lines.some((l) => l.length === 0)) malformed('checkpoint lines must be non-empty (origin and extension lines included)')
  const [origin, sizeText, rootText] = lines as [string, string, string]
  // 2. "the ASCII decimal representation of the number of leaves … with no leading zeroes"
  const size = parseDecimal(sizeText)
  if (size === null) malformed('tree size is not a decimal number without leading zeroes')
  if (size === 'too-large') throw new InputError('ERR_LOG_SIZE_UNSUPPORTED', `tree size ${sizeText} is above 2^53 - 1`)
  // 3. "the base64 encoding of the root of the RFC 6962 Merkle hash tree"
  const rootHash = decodeBase64(rootText)
  if (!rootHash || rootHash.length !== HASH_SIZE) malformed('root hash is not canonical base64 of 32 bytes')
  return { origin, size, rootHash, extensions: lines.slice(3) }
}

/** The note text of a checkpoint. Throws InputError if it would not parse back. */
export function formatCheckpoint(cp: Checkpoint): string {
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) throw new RangeError('size must be a safe non-negative integer')
  if (!(cp.rootHash instanceof Uint8Array) || cp.rootHash.length !== HASH_SIZE) throw new RangeError('rootHash must be 32 bytes')
  const text = [cp.origin, String(cp.size), encodeBase64(cp.rootHash), ...cp.extensions].join('\n') + '\n'
  parseCheckpoint(text) // origin and extension lines: non-empty, one line each, no control characters
  return text
}
