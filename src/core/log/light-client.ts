/**
 * A log light client: the last trusted checkpoint per origin, moved forward only by
 * checkpoints that carry the log's signature and a k-of-n witness quorum and that come with a
 * valid consistency proof from the trusted one (RFC 9162 §2.1.4.2). A validly signed and
 * witnessed checkpoint that goes back (smaller size), forks (same size, other root) or cannot
 * be proven consistent is refused with ERR_LOG_MISBEHAVIOUR and kept, with the trusted note
 * and the proof, as evidence anyone can re-check offline.
 *
 * The same tree offered again with newer witness cosignatures replaces the stored note, so the
 * time the tree is known to be current (freshness.ts, checkpointTime) moves forward; an older
 * cosigning of it never replaces a newer one.
 *
 * State is plain JSON-compatible data (strings and numbers) so the wallet can store it in
 * IndexedDB; `parseLightClientState` takes it back strictly. The clock comes in as an argument.
 */
import { fail, failFrom, InputError, ok, type Verdict } from '../errors.ts'
import { readShape } from '../bytes/shape.ts'
import { parseCheckpoint } from './checkpoint.ts'
import { bytesEqual, decodeBase64, encodeBase64 } from './_encoding.ts'
import { HASH_SIZE, verifyConsistency } from './merkle.ts'
import { parseNote } from './note.ts'
import { assertCosignatureClock, type CosignatureClock } from './cosignature.ts'
import { verifyCheckpointNote, type LogPolicy, type TrustedCheckpoint } from './policy.ts'
import { checkpointTime } from './freshness.ts'

export const LIGHT_CLIENT_STATE_VERSION = 1
/** Evidence kept at most (oldest dropped first); each item is a few kilobytes. */
export const MAX_EVIDENCE = 64

export interface TrustedLogState {
  origin: string
  size: number
  /** Standard base64 of the 32-byte root hash. */
  rootHash: string
  /** The signed, cosigned checkpoint note this state was accepted from. */
  checkpointNote: string
}

export type MisbehaviourKind = 'rollback' | 'fork' | 'inconsistent'

export interface MisbehaviourEvidence {
  kind: MisbehaviourKind
  origin: string
  /** The note we trusted. */
  trustedNote: string
  /** The validly signed and witnessed note that contradicts it. */
  offeredNote: string
  /** The consistency proof offered with it (standard base64 hashes). */
  consistencyProof: string[]
  detail: string
  observedAtSeconds?: number
}

export interface LightClientState {
  version: typeof LIGHT_CLIENT_STATE_VERSION
  /** Keyed by checkpoint origin. */
  logs: Record<string, TrustedLogState>
  evidence: MisbehaviourEvidence[]
}

export function emptyLightClientState(): LightClientState {
  return { version: LIGHT_CLIENT_STATE_VERSION, logs: {}, evidence: [] }
}

export interface UpdateResult {
  origin: string
  size: number
  rootHash: Uint8Array
  /** False when the offered checkpoint is the tree already trusted. */
  changed: boolean
  /** The tree already trusted, with newer cosignatures: the stored note was replaced by it. */
  refreshed: boolean
  checkpoint: TrustedCheckpoint
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T
}

export class LightClient {
  readonly #policies: Map<string, LogPolicy>
  #state: LightClientState

  /** `state` must come from `parseLightClientState` (or `emptyLightClientState`). */
  constructor(policies: readonly LogPolicy[], state: LightClientState = emptyLightClientState()) {
    this.#policies = new Map()
    for (const p of policies) {
      if (this.#policies.has(p.origin)) throw new TypeError(`two policies for origin ${p.origin}`)
      this.#policies.set(p.origin, p)
    }
    this.#state = clone(state)
  }

  /** A copy of the state, ready to store. */
  get state(): LightClientState {
    return clone(this.#state)
  }

  trusted(origin: string): TrustedLogState | undefined {
    const t = this.#state.logs[origin]
    return t ? { ...t } : undefined
  }

  get evidence(): MisbehaviourEvidence[] {
    return clone(this.#state.evidence)
  }

  /**
   * Offer a signed checkpoint and a consistency proof from the trusted checkpoint of its
   * origin. The first checkpoint of an origin is trusted on its signatures alone (the proof
   * is then ignored). Never throws on attacker data. `now`: seconds (cosignatures dated in the
   * future do not count; evidence is dated with it) or the named opt-out `'no-clock'`.
   * Codes: those of verifyCheckpointNote, ERR_LOG_ORIGIN_MISMATCH (no policy for the origin),
   * ERR_LOG_MISBEHAVIOUR.
   */
  update(noteInput: Uint8Array | string, consistencyProof: readonly Uint8Array[], now: CosignatureClock): Verdict<UpdateResult> {
    assertCosignatureClock(now, 'LightClient.update')
    let origin: string
    try {
      origin = parseCheckpoint(parseNote(noteInput).text).origin
    } catch (e) {
      return failFrom(e)
    }
    const policy = this.#policies.get(origin)
    if (!policy) return fail('ERR_LOG_ORIGIN_MISMATCH', `no log with origin ${JSON.stringify(origin)} is configured`)
    const verified = verifyCheckpointNote(noteInput, policy, now)
    if (!verified.ok) return verified
    const offered = verified.value
    const { size, rootHash } = offered.checkpoint
    const current = this.#state.logs[origin]
    const accept = (changed: boolean, refreshed = false): Verdict<UpdateResult> => {
      if (changed || refreshed) this.#state.logs[origin] = { origin, size, rootHash: encodeBase64(rootHash), checkpointNote: offered.noteText }
      return ok({ origin, size, rootHash, changed, refreshed, checkpoint: offered })
    }
    if (!current) return accept(true)
    const trustedRoot = decodeBase64(current.rootHash)!
    const misbehaviour = (kind: MisbehaviourKind, detail: string): Verdict<UpdateResult> => {
      this.#record({
        kind,
        origin,
        trustedNote: current.checkpointNote,
        offeredNote: offered.noteText,
        consistencyProof: consistencyProof.map((h) => encodeBase64(h)),
        detail,
        ...(now === 'no-clock' ? {} : { observedAtSeconds: now }),
      })
      return fail('ERR_LOG_MISBEHAVIOUR', `${origin}: ${detail}`)
    }
    if (size < current.size) return misbehaviour('rollback', `offered size ${size} is below the trusted size ${current.size}`)
    if (size === current.size) {
      if (bytesEqual(rootHash, trustedRoot)) return accept(false, this.#newer(offered, current, policy))
      return misbehaviour('fork', `two different root hashes signed for size ${size}`)
    }
    // Every tree extends the empty tree; there is nothing to prove from size 0.
    if (current.size === 0) return accept(true)
    const c = verifyConsistency({ size1: current.size, size2: size, proof: consistencyProof, root1: trustedRoot, root2: rootHash })
    if (!c.ok) return misbehaviour('inconsistent', `size ${size} is not proven consistent with size ${current.size} (${c.code}: ${c.detail})`)
    return accept(true)
  }

  /** Whether `offered` (same tree) was cosigned by a quorum later than the stored note was. */
  #newer(offered: TrustedCheckpoint, current: TrustedLogState, policy: LogPolicy): boolean {
    if (offered.noteText === current.checkpointNote) return false
    const next = checkpointTime(offered, policy.quorum)
    if (next === null) return false
    // The stored note was verified when it was accepted; its cosignatures are only read again here.
    const stored = verifyCheckpointNote(current.checkpointNote, policy, 'no-clock')
    const before = stored.ok ? checkpointTime(stored.value, policy.quorum) : null
    return before === null || next > before
  }

  #record(e: MisbehaviourEvidence): void {
    const same = (x: MisbehaviourEvidence): boolean => x.kind === e.kind && x.trustedNote === e.trustedNote && x.offeredNote === e.offeredNote && x.consistencyProof.join() === e.consistencyProof.join()
    if (this.#state.evidence.some(same)) return
    this.#state.evidence.push(e)
    if (this.#state.evidence.length > MAX_EVIDENCE) this.#state.evidence.splice(0, this.#state.evidence.length - MAX_EVIDENCE)
  }
}

function bad(detail: string): never {
  throw new InputError('ERR_LOG_STATE_INVALID', detail)
}

const isString = (v: unknown): v is string => typeof v === 'string'

const TRUSTED_LOG_SHAPE = { origin: 'string', size: 'uint', rootHash: 'string', checkpointNote: 'string' } as const
const EVIDENCE_SHAPE = {
  kind: 'string', origin: 'string', trustedNote: 'string', offeredNote: 'string', consistencyProof: 'array', detail: 'string', observedAtSeconds: 'number?',
} as const

/**
 * Take stored state back strictly: exact shape, and each trusted entry must agree with the
 * checkpoint note it was accepted from. Signatures are not re-checked here (the note was
 * verified when accepted; the store is the device's own). Throws InputError ERR_LOG_STATE_INVALID.
 */
export function parseLightClientState(v: unknown): LightClientState {
  const o = readShape(v, { version: 'json', logs: 'object', evidence: 'array' }, 'state', 'ERR_LOG_STATE_INVALID')
  if (o.version !== LIGHT_CLIENT_STATE_VERSION) bad(`unknown state version ${String(o.version)}`)
  const logs: Record<string, TrustedLogState> = {}
  for (const [origin, entry] of Object.entries(o.logs)) {
    const t = readShape(entry, TRUSTED_LOG_SHAPE, `log ${origin}`, 'ERR_LOG_STATE_INVALID')
    if (t.origin !== origin) bad(`log ${origin}: bad shape`)
    let cp
    try {
      cp = parseCheckpoint(parseNote(t.checkpointNote).text)
    } catch {
      bad(`log ${origin}: stored checkpoint note does not parse`)
    }
    const root = decodeBase64(t.rootHash)
    if (cp.origin !== origin || cp.size !== t.size || !root || root.length !== HASH_SIZE || !bytesEqual(root, cp.rootHash)) bad(`log ${origin}: fields disagree with the stored note`)
    logs[origin] = { origin, size: t.size, rootHash: t.rootHash, checkpointNote: t.checkpointNote }
  }
  const kinds: readonly string[] = ['rollback', 'fork', 'inconsistent']
  const evidence = o.evidence.map((x, i): MisbehaviourEvidence => {
    const e = readShape(x, EVIDENCE_SHAPE, `evidence ${i}`, 'ERR_LOG_STATE_INVALID')
    if (!kinds.includes(e.kind)) bad(`evidence ${i}: bad shape`)
    if (!e.consistencyProof.every(isString)) bad(`evidence ${i}: bad proof`)
    const out: MisbehaviourEvidence = {
      kind: e.kind as MisbehaviourKind, origin: e.origin, trustedNote: e.trustedNote, offeredNote: e.offeredNote,
      consistencyProof: [...(e.consistencyProof as string[])], detail: e.detail,
    }
    if (e.observedAtSeconds !== undefined) {
      if (!Number.isSafeInteger(e.observedAtSeconds)) bad(`evidence ${i}: bad time`)
      out.observedAtSeconds = e.observedAtSeconds
    }
    return out
  })
  if (evidence.length > MAX_EVIDENCE) bad('too much evidence')
  return { version: LIGHT_CLIENT_STATE_VERSION, logs, evidence }
}
