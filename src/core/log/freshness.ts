/**
 * How recent a verified checkpoint is, from its witnesses' own clocks (c2sp.org/tlog-cosignature:
 * a cosignature's timestamp is when the witness saw and cosigned that tree). A log that shows a
 * client an old tree cannot make it look new: it would need `quorum` witnesses to cosign the old
 * tree again, and a witness only cosigns trees consistent with, and not smaller than, the newest
 * one it has seen. The sequencer re-witnesses an idle log's checkpoint every refresh period, so an
 * honest client always finds a recent time here.
 */
import type { Cosigned } from './policy.ts'

/**
 * The time by which `quorum` configured witnesses had cosigned this tree: the quorum-th newest
 * verified cosignature timestamp (seconds). null when quorum is 0 (nothing vouches for any time)
 * or when fewer than `quorum` cosignatures verified. `quorum` must be a whole number ≥ 0 (a
 * TypeError otherwise: the policy's own quorum is what callers pass).
 */
export function checkpointTime(trusted: { cosigners: readonly Cosigned[] }, quorum: number): number | null {
  if (!Number.isSafeInteger(quorum) || quorum < 0) throw new TypeError('quorum must be a whole number ≥ 0')
  if (quorum === 0) return null
  const times = trusted.cosigners.map((c) => c.timestampSeconds).sort((a, b) => b - a)
  return times.length >= quorum ? times[quorum - 1]! : null
}
