/**
 * Trust policy for one log and the check of a signed checkpoint against it: the log's own
 * signature (c2sp.org/tlog-checkpoint §Signatures) plus k of n configured witnesses'
 * cosignatures (c2sp.org/tlog-cosignature). Signatures by keys outside the policy are ignored,
 * as signed-note requires, so unknown witnesses never count towards the quorum.
 */
import { fail, failFrom, InputError, ok, type ErrorCode, type Verdict } from '../errors.ts'
import { decodeUtf8 } from '../bytes/utf8.ts'
import { parseCheckpoint, type Checkpoint } from './checkpoint.ts'
import { assertCosignatureClock, cosignatureVerifier, type CosignatureClock } from './cosignature.ts'
import {
  ed25519NoteVerifier, parseNote, parseVerifierKey, SIG_TYPE_COSIGNATURE_V1, SIG_TYPE_ED25519,
  type Note, type NoteLimits, type VerifierKey,
} from './note.ts'

export interface LogPolicy {
  /** The checkpoint origin line expected. */
  origin: string
  /** The log's note keys (type 0x01); one valid signature by any of them is required. */
  logKeys: readonly VerifierKey[]
  /** Witness cosignature/v1 keys (type 0x04). */
  witnesses: readonly VerifierKey[]
  /** How many distinct configured witnesses must have cosigned (k of n). */
  quorum: number
  /** Allowed future skew for cosignature timestamps, seconds (default 300). */
  maxFutureSkewSeconds?: number
}

/** Build a policy from vkey strings. Throws InputError (ERR_NOTE_KEY_INVALID) on bad keys. */
export function parseLogPolicy(p: { origin: string; logKeys: readonly string[]; witnessKeys?: readonly string[]; quorum?: number; maxFutureSkewSeconds?: number }): LogPolicy {
  const logKeys = p.logKeys.map(parseVerifierKey)
  const witnesses = (p.witnessKeys ?? []).map(parseVerifierKey)
  const policy: LogPolicy = { origin: p.origin, logKeys, witnesses, quorum: p.quorum ?? 0 }
  if (p.maxFutureSkewSeconds !== undefined) policy.maxFutureSkewSeconds = p.maxFutureSkewSeconds
  assertPolicy(policy)
  return policy
}

function assertPolicy(p: LogPolicy): void {
  if (typeof p.origin !== 'string' || p.origin.length === 0) throw new InputError('ERR_NOTE_KEY_INVALID', 'policy origin must be non-empty')
  if (p.logKeys.length === 0) throw new InputError('ERR_NOTE_KEY_INVALID', 'policy needs at least one log key')
  if (p.logKeys.some((k) => k.type !== SIG_TYPE_ED25519)) throw new InputError('ERR_NOTE_KEY_INVALID', 'log keys must be Ed25519 note keys (type 0x01)')
  if (p.witnesses.some((k) => k.type !== SIG_TYPE_COSIGNATURE_V1)) throw new InputError('ERR_NOTE_KEY_INVALID', 'witness keys must be cosignature/v1 keys (type 0x04)')
  const ids = [...p.logKeys, ...p.witnesses].map((k) => `${k.name}\n${k.keyId}`)
  if (new Set(ids).size !== ids.length) throw new InputError('ERR_NOTE_KEY_INVALID', 'a key is listed twice (same name and key ID)')
  if (!Number.isInteger(p.quorum) || p.quorum < 0 || p.quorum > p.witnesses.length) {
    throw new InputError('ERR_NOTE_KEY_INVALID', `quorum ${p.quorum} is not between 0 and the ${p.witnesses.length} witnesses`)
  }
}

export interface Cosigned {
  name: string
  keyId: number
  timestampSeconds: number
}

/** A checkpoint whose log signature and witness quorum have been verified. */
export interface TrustedCheckpoint {
  /** The signed note exactly as verified (keep it as evidence or to staple). */
  noteText: string
  note: Note
  checkpoint: Checkpoint
  /** The configured witnesses whose cosignatures verified. */
  cosigners: Cosigned[]
  /** Cosignatures by configured witnesses that did not verify (not counted). */
  rejectedCosignatures: RejectedCosignature[]
}

export interface RejectedCosignature {
  name: string
  keyId: number
  code: ErrorCode
  detail: string
}

/**
 * Verify a signed checkpoint against a policy: strict note and body parse, origin, the log's
 * signature, then the witness quorum. Never throws on attacker data.
 *
 * A failing signature by a log key rejects the note (signed-note §Signatures allows it). A
 * failing cosignature by a configured witness (bad signature, malformed, dated in the future)
 * is not counted and is reported in `rejectedCosignatures`: k-of-n exists to tolerate n − k
 * faulty witnesses, and one broken witness must not take every client down.
 *
 * `now` (seconds) is required: cosignatures dated more than the policy's skew after it do not
 * count. A reader without a clock says so by name with `'no-clock'`; omitting it is a type error
 * and, from untyped callers, a TypeError.
 * Codes: ERR_NOTE_*, ERR_LOG_CHECKPOINT_MALFORMED, ERR_LOG_SIZE_UNSUPPORTED,
 * ERR_LOG_ORIGIN_MISMATCH, ERR_LOG_QUORUM_NOT_MET.
 */
export function verifyCheckpointNote(input: Uint8Array | string, policy: LogPolicy, now: CosignatureClock, limits?: NoteLimits): Verdict<TrustedCheckpoint> {
  assertCosignatureClock(now, 'verifyCheckpointNote')
  let note: Note
  let checkpoint: Checkpoint
  try {
    note = parseNote(input, limits)
    checkpoint = parseCheckpoint(note.text)
  } catch (e) {
    return failFrom(e)
  }
  if (checkpoint.origin !== policy.origin) {
    return fail('ERR_LOG_ORIGIN_MISMATCH', `checkpoint origin ${JSON.stringify(checkpoint.origin)} is not ${JSON.stringify(policy.origin)}`)
  }
  const cosignOptions = { now, maxFutureSkewSeconds: policy.maxFutureSkewSeconds ?? 300 }
  const logVerifiers = new Map(policy.logKeys.map((k) => [`${k.name}\n${k.keyId}`, ed25519NoteVerifier(k)]))
  const witnessVerifiers = new Map(policy.witnesses.map((k) => [`${k.name}\n${k.keyId}`, cosignatureVerifier(k, cosignOptions)]))
  let logSigned = false
  const cosigners = new Map<string, Cosigned>()
  const rejectedCosignatures: RejectedCosignature[] = []
  for (const sig of note.signatures) {
    const id = `${sig.name}\n${sig.keyId}`
    const logVerifier = logVerifiers.get(id)
    if (logVerifier) {
      const r = logVerifier.verify(note.textBytes, sig.signature)
      if (!r.ok) return r
      logSigned = true
      continue
    }
    const witness = witnessVerifiers.get(id)
    if (!witness) continue // unknown keys are ignored (signed-note §Signatures)
    const r = witness.verify(note.textBytes, sig.signature)
    if (!r.ok) rejectedCosignatures.push({ name: sig.name, keyId: sig.keyId, code: r.code, detail: r.detail })
    else if (!cosigners.has(id)) cosigners.set(id, { name: sig.name, keyId: sig.keyId, timestampSeconds: r.value.timestampSeconds! })
  }
  if (!logSigned) return fail('ERR_NOTE_UNVERIFIED', `checkpoint carries no signature by the log key of ${policy.origin}`)
  if (cosigners.size < policy.quorum) {
    const why = rejectedCosignatures.map((r) => `${r.name}: ${r.code}`).join(', ')
    return fail('ERR_LOG_QUORUM_NOT_MET', `${cosigners.size} of the required ${policy.quorum} witness cosignatures${why ? ` (rejected: ${why})` : ''}`)
  }
  const noteText = typeof input === 'string' ? input : decodeUtf8(input)
  return ok({ noteText, note, checkpoint, cosigners: [...cosigners.values()], rejectedCosignatures })
}
