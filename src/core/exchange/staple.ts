/**
 * Stapled status (design §6 step 3): so that a counter that could not sync still decides, the
 * wallet may send, beside its presentation, the latest status list it holds for the
 * credential, with the ledger's proof of it — the status anchor entry, its c2sp.org/tlog-proof
 * against a witnessed status checkpoint, and the status list token the anchor's digest names.
 * The counter proves it with no network (src/trust/status.ts `judgeStapled`) and judges it as
 * a held list, ttl included: a staple older than its ttl is unknown, never valid.
 *
 * On the wire it is the answer's extras (pack.ts): five parts, in order —
 * `civic-staple/1`, the anchor's status log index in decimal, the entry, the proof, the token.
 */
import { decodeUtf8, encodeUtf8 } from '../bytes/utf8.ts'
import { InputError } from '../errors.ts'

export const STAPLE_TAG = 'civic-staple/1'

export interface Staple {
  /** Status log index of the anchor entry. */
  index: number
  entry: Uint8Array
  /** The tlog-proof text. */
  proof: string
  token: Uint8Array
}

export function stapleParts(s: Staple): Uint8Array[] {
  if (!Number.isSafeInteger(s.index) || s.index < 0) throw new RangeError('a staple\'s index is a log index')
  return [encodeUtf8(STAPLE_TAG), encodeUtf8(String(s.index)), s.entry, encodeUtf8(s.proof), s.token]
}

/** The staple among an answer's extras, null when there are none. ERR_EXCH_STAPLE_INVALID. */
export function readStaple(extras: readonly Uint8Array[]): Staple | null {
  if (extras.length === 0) return null
  const bad = (why: string): never => {
    throw new InputError('ERR_EXCH_STAPLE_INVALID', why)
  }
  if (extras.length !== 5) bad(`${extras.length} parts, not 5`)
  try {
    if (decodeUtf8(extras[0]!) !== STAPLE_TAG) bad('not a civic-staple/1')
    const index = decodeUtf8(extras[1]!)
    if (!/^(0|[1-9][0-9]{0,15})$/.test(index) || !Number.isSafeInteger(Number(index))) bad('the index is not a decimal log index')
    if (extras[2]!.length === 0 || extras[4]!.length === 0) bad('an empty entry or token')
    return { index: Number(index), entry: extras[2]!, proof: decodeUtf8(extras[3]!), token: extras[4]! }
  } catch (e) {
    if (e instanceof InputError && e.code !== 'ERR_EXCH_STAPLE_INVALID') bad(e.detail)
    throw e
  }
}
