/**
 * Offline-verifiable inclusion proofs in the c2sp.org/tlog-proof text format:
 *
 *     c2sp.org/tlog-proof@v1
 *     [extra <base64>]
 *     index <decimal>
 *     <base64 hash>            zero or more, leaf sibling first (RFC 6962 §2.1.1 order)
 *     <empty line>
 *     <signed checkpoint note, verbatim, with cosignatures>
 *
 * Verification needs no network: the checkpoint is checked against a LogPolicy (log key and
 * k-of-n witnesses), then the inclusion proof against its root (RFC 9162 §2.1.3.2).
 */
import { fail, failFrom, InputError, ok, type Verdict } from '../errors.ts'
import { decodeUtf8 } from '../bytes/utf8.ts'
import { decodeBase64, encodeBase64, parseDecimal } from './_encoding.ts'
import { HASH_SIZE, hashLeaf, verifyInclusion } from './merkle.ts'
import { MAX_NOTE_BYTES, parseNote } from './note.ts'
import { assertCosignatureClock, type CosignatureClock } from './cosignature.ts'
import { verifyCheckpointNote, type LogPolicy, type TrustedCheckpoint } from './policy.ts'

/** "The first line MUST be the string `c2sp.org/tlog-proof@v1`." */
export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1'
/** An inclusion path in a tree of at most 2^64 leaves has at most 64 hashes. */
export const MAX_PROOF_HASHES = 64
export const MAX_TLOG_PROOF_BYTES = MAX_NOTE_BYTES + 64 * 1024

export interface TlogProof {
  /** Opaque, unauthenticated extra data ("Applications MUST NOT implicitly trust" it). */
  extra?: Uint8Array
  index: number
  /** Inclusion proof hashes, from the leaf's sibling up to the root's child. */
  proof: Uint8Array[]
  /** The signed checkpoint note, verbatim. */
  checkpointNote: string
}

function malformed(detail: string): never {
  throw new InputError('ERR_PROOF_MALFORMED', detail)
}

/** Parse a tlog-proof strictly. Throws InputError (ERR_PROOF_MALFORMED, ERR_LOG_SIZE_UNSUPPORTED, ERR_NOTE_*). */
export function parseTlogProof(input: Uint8Array | string): TlogProof {
  let s: string
  if (typeof input === 'string') s = input
  else if (input instanceof Uint8Array) {
    if (input.length > MAX_TLOG_PROOF_BYTES) malformed(`proof longer than ${MAX_TLOG_PROOF_BYTES} bytes`)
    try {
      s = decodeUtf8(input, 'tlog-proof')
    } catch {
      malformed('proof is not UTF-8')
    }
  } else throw new TypeError('input must be a Uint8Array or a string')
  if (s.length > MAX_TLOG_PROOF_BYTES) malformed(`proof longer than ${MAX_TLOG_PROOF_BYTES} characters`)
  if (/[\u0000-\u0009\u000b-\u001f]/.test(s)) malformed('proof holds control characters (CR included)')
  // "After the inclusion proof lines and an empty line, the checkpoint … is included verbatim"
  const blank = s.indexOf('\n\n')
  if (blank < 0) malformed('no empty line before the checkpoint')
  const lines = s.slice(0, blank).split('\n')
  const checkpointNote = s.slice(blank + 2)
  let i = 0
  if (lines[i++] !== TLOG_PROOF_HEADER) malformed(`first line is not ${TLOG_PROOF_HEADER}`)
  const out: TlogProof = { index: 0, proof: [], checkpointNote }
  // "The second line MAY start with the string `extra` followed by a space … base64"
  if (lines[i]?.startsWith('extra ')) {
    const extra = decodeBase64(lines[i++]!.slice('extra '.length))
    if (!extra || extra.length === 0) malformed('extra is not non-empty canonical base64')
    out.extra = extra
  }
  // "The next line MUST start with the string `index` followed by a space … no leading zeroes"
  const indexLine = lines[i++]
  if (!indexLine?.startsWith('index ')) malformed('missing index line')
  const index = parseDecimal(indexLine.slice('index '.length))
  if (index === null) malformed('index is not a decimal number without leading zeroes')
  if (index === 'too-large') throw new InputError('ERR_LOG_SIZE_UNSUPPORTED', 'index above 2^53 - 1')
  out.index = index
  // "The next zero or more non-empty lines are the base64-encoded Merkle inclusion proof"
  const hashLines = lines.slice(i)
  if (hashLines.length > MAX_PROOF_HASHES) malformed(`more than ${MAX_PROOF_HASHES} proof hashes`)
  for (const l of hashLines) {
    const h = decodeBase64(l)
    if (!h || h.length !== HASH_SIZE) malformed('a proof line is not canonical base64 of a 32-byte hash')
    out.proof.push(h)
  }
  parseNote(checkpointNote) // the checkpoint must be a well-formed signed note
  return out
}

export function formatTlogProof(p: TlogProof): string {
  if (!Number.isSafeInteger(p.index) || p.index < 0) throw new RangeError('index must be a safe non-negative integer')
  let s = TLOG_PROOF_HEADER + '\n'
  if (p.extra !== undefined) {
    if (p.extra.length === 0) throw new RangeError('extra, when present, is non-empty')
    s += `extra ${encodeBase64(p.extra)}\n`
  }
  s += `index ${p.index}\n`
  for (const h of p.proof) {
    if (h.length !== HASH_SIZE) throw new RangeError('proof hashes are 32 bytes')
    s += encodeBase64(h) + '\n'
  }
  parseNote(p.checkpointNote)
  return s + '\n' + p.checkpointNote
}

export type ProvenLeaf = { entry: Uint8Array } | { leafHash: Uint8Array }

export interface VerifiedTlogProof {
  index: number
  checkpoint: TrustedCheckpoint
  /** Unauthenticated: for context only. */
  extra?: Uint8Array
}

/**
 * Verify a tlog-proof offline for a leaf (the entry bytes, or its RFC 9162 §2.1.1 leaf hash):
 * the checkpoint against `policy` (log signature, k-of-n witnesses), then the inclusion proof
 * against its root. Never throws on attacker data. `now` as for verifyCheckpointNote: seconds,
 * or the named opt-out `'no-clock'`.
 */
export function verifyTlogProof(input: Uint8Array | string | TlogProof, leaf: ProvenLeaf, policy: LogPolicy, now: CosignatureClock): Verdict<VerifiedTlogProof> {
  assertCosignatureClock(now, 'verifyTlogProof')
  let p: TlogProof
  try {
    p = typeof input === 'string' || input instanceof Uint8Array ? parseTlogProof(input) : input
  } catch (e) {
    return failFrom(e)
  }
  const cp = verifyCheckpointNote(p.checkpointNote, policy, now)
  if (!cp.ok) return cp
  const leafHash = 'entry' in leaf ? hashLeaf(leaf.entry) : leaf.leafHash
  const { size, rootHash } = cp.value.checkpoint
  if (p.index >= size) return fail('ERR_PROOF_OUT_OF_RANGE', `index ${p.index} is not below the checkpoint size ${size}`)
  const v = verifyInclusion({ leafHash, index: p.index, size, proof: p.proof, root: rootHash })
  if (!v.ok) return v
  const out: VerifiedTlogProof = { index: p.index, checkpoint: cp.value }
  if (p.extra) out.extra = p.extra
  return ok(out)
}
