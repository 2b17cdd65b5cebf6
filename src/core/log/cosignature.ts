/**
 * Witness cosignatures, Ed25519 cosignature/v1 (c2sp.org/tlog-cosignature): a note signature
 * of type 0x04 whose bytes are `timestamped_signature { u64 timestamp; u8 signature[64] }`
 * over the message
 *
 *     cosignature/v1\n
 *     time <timestamp>\n
 *     <the whole checkpoint note text, extension lines included>
 *
 * Key ID = SHA-256(<name> || "\n" || 0x04 || 32-byte public key)[:4] (noteKeyId with type 0x04).
 */
import { fail, ok } from '../errors.ts'
import { signEd25519, verifyEd25519 } from '../crypto/ed25519.ts'
import { encodeUtf8 } from '../bytes/utf8.ts'
import { concatBytes } from './_encoding.ts'
import { SIG_TYPE_COSIGNATURE_V1, type NoteSigner, type NoteVerifier, type SignerKey, type VerifierKey } from './note.ts'

/** "The header line MUST be the fixed string `cosignature/v1`" — §"Ed25519 signed message". */
export const COSIGNATURE_V1_HEADER = 'cosignature/v1'
const TIMESTAMPED_SIGNATURE_BYTES = 8 + 64

/** The signed message: header line, `time <t>` line (decimal, no leading zeroes), checkpoint text. */
export function cosignedMessage(timestampSeconds: number, checkpointText: Uint8Array): Uint8Array {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) throw new RangeError('timestampSeconds must be a safe non-negative integer')
  return concatBytes(encodeUtf8(`${COSIGNATURE_V1_HEADER}\ntime ${timestampSeconds}\n`), checkpointText)
}

/**
 * The time a cosignature is judged at: `now` in seconds, so that cosignatures dated in the
 * future are refused ("verifiers MAY reject"), or the named opt-out `'no-clock'` for readers
 * that have no trustworthy clock (an audit of stored notes). There is no default: a caller that
 * forgets the clock gets a type error, not a check silently skipped.
 */
export type CosignatureClock = number | 'no-clock'

/** Refuse a missing or impossible clock: a caller's bug (TypeError), never a skipped check. */
export function assertCosignatureClock(now: unknown, who: string): asserts now is CosignatureClock {
  if (now === 'no-clock') return
  if (typeof now !== 'number' || !Number.isFinite(now) || now < 0) {
    throw new TypeError(`${who}: now must be the time in seconds or the opt-out 'no-clock'`)
  }
}

export interface CosignatureOptions {
  /** Current time in seconds, or `'no-clock'` to accept cosignatures dated in the future. */
  now: CosignatureClock
  /** Allowed clock skew for the future check, seconds (default 300). */
  maxFutureSkewSeconds?: number
}

/** A verifier for one witness's cosignature/v1 key (type 0x04). Never throws. */
export function cosignatureVerifier(key: VerifierKey, options: CosignatureOptions): NoteVerifier {
  if (key.type !== SIG_TYPE_COSIGNATURE_V1) throw new TypeError('not a cosignature/v1 key (type 0x04)')
  assertCosignatureClock(options?.now, 'cosignatureVerifier')
  const { name, keyId, publicKey } = key
  const now = options.now
  const skew = options.maxFutureSkewSeconds ?? 300
  return {
    name,
    keyId,
    type: SIG_TYPE_COSIGNATURE_V1,
    verify(text, signature) {
      // "The signature MUST be a `timestamped_signature` structure" — 8 + 64 bytes for Ed25519.
      if (signature.length !== TIMESTAMPED_SIGNATURE_BYTES) {
        return fail('ERR_LOG_COSIGNATURE_MALFORMED', `cosignature by ${name} is ${signature.length} bytes, not 72`)
      }
      const dv = new DataView(signature.buffer, signature.byteOffset, 8)
      const hi = dv.getUint32(0, false)
      const lo = dv.getUint32(4, false)
      // "It MUST NOT exceed 2^63 - 1"
      if (hi >= 0x80000000) return fail('ERR_LOG_COSIGNATURE_MALFORMED', `cosignature by ${name} has a timestamp of 2^63 or more`)
      const timestampSeconds = hi * 2 ** 32 + lo
      if (!Number.isSafeInteger(timestampSeconds)) return fail('ERR_LOG_SIZE_UNSUPPORTED', `cosignature by ${name} has a timestamp above 2^53 - 1`)
      if (!verifyEd25519(publicKey, cosignedMessage(timestampSeconds, text), signature.subarray(8))) {
        return fail('ERR_LOG_COSIGNATURE_INVALID', `cosignature by ${name} does not verify`)
      }
      // "verifiers MAY reject cosignatures with timestamps in the future"
      if (now !== 'no-clock' && timestampSeconds > now + skew) {
        return fail('ERR_LOG_COSIGNATURE_FUTURE', `cosignature by ${name} is dated ${timestampSeconds - now} s in the future`)
      }
      return ok({ timestampSeconds })
    },
  }
}

/** A witness signer: each signature is timestamped with `now()`, in seconds (the clock comes in as an argument). */
export function cosignatureSigner(key: SignerKey, now: () => number): NoteSigner {
  if (key.type !== SIG_TYPE_COSIGNATURE_V1) throw new TypeError('not a cosignature/v1 key (type 0x04)')
  const { name, keyId, secretKey } = key
  return {
    name,
    keyId,
    sign(text) {
      const t = now()
      if (!Number.isSafeInteger(t) || t < 0) throw new RangeError('clock returned an impossible time')
      const out = new Uint8Array(TIMESTAMPED_SIGNATURE_BYTES)
      const dv = new DataView(out.buffer)
      dv.setUint32(0, Math.floor(t / 2 ** 32), false)
      dv.setUint32(4, t % 2 ** 32, false)
      out.set(signEd25519(secretKey, cosignedMessage(t, text)), 8)
      return out
    },
  }
}
