/**
 * Folding verified ledger entries, in log order, into the trust registry (design §5: "Readers
 * fold verified entries, in log order, into the trust registry").
 *
 * - `foldEntry` is pure: it returns a new state and never mutates the one it is given (records
 *   are copied along the path that changes, the rest shared). It expects an entry that
 *   verifyEntry accepted against this same state; it re-asserts the synchronous rules and
 *   throws TypeError (our bug) if they fail, but cannot re-check the signature.
 * - `foldEntries` verifies and folds a run of log entries starting at `state.size`. A log
 *   should never contain a bad entry (the server validates before sequencing); a reader still
 *   refuses one and reports its log index and code, with the state folded up to it.
 * - `RegistryFolder` folds a long run (a reader catching up, a ledger loading its log) into a
 *   private copy, status anchors in place: a pure fold copies the anchor map on every anchor,
 *   which makes catching up quadratic in the number of status lists.
 */
import { isJsonObject } from '../bytes/json.ts'
import type { ErrorCode } from '../errors.ts'
import { jwkThumbprint } from '../crypto/jwk.ts'
import type { RegistryEntry, RegistryKey, VerifierPurpose } from './entry.ts'
import { signingAuthority, stateProblem } from './rules.ts'
import {
  createRegistryState, type EntityRecordOf, type IssuerRecord, type KeyHistoryItem, type RegistryRoot, type RegistryState,
  type VerifierRecord,
} from './state.ts'
import { verifyEntry, type VerifyEntryOptions } from './verify.ts'

/** A purpose copied deep, so the folded state shares nothing with the entry it came from. */
function copyPurpose(p: VerifierPurpose): VerifierPurpose {
  return { ...p, name: { ...p.name }, claims: [...p.claims], why: { ...p.why }, retention: { days: p.retention.days, promise: { ...p.retention.promise } } }
}

function withRecord(state: RegistryState, rec: EntityRecordOf): RegistryState {
  return rec.role === 'issuer'
    ? { ...state, issuers: { ...state.issuers, [rec.did]: rec } }
    : { ...state, verifiers: { ...state.verifiers, [rec.did]: rec } }
}

function mergedHistory(history: readonly KeyHistoryItem[], keys: readonly RegistryKey[]): KeyHistoryItem[] {
  const out = [...history]
  for (const k of keys) if (!out.some((h) => h.kid === k.kid)) out.push({ kid: k.kid, thumbprint: jwkThumbprint(k.jwk), revokedAt: null })
  return out
}

function apply(state: RegistryState, entry: RegistryEntry): RegistryState {
  const next = { ...state, size: state.size + 1 }
  switch (entry.type) {
    case 'issuer-accreditation':
    case 'verifier-registration': {
      const prev: EntityRecordOf | null = entry.type === 'issuer-accreditation'
        ? (Object.hasOwn(state.issuers, entry.sub) ? state.issuers[entry.sub]! : null)
        : (Object.hasOwn(state.verifiers, entry.sub) ? state.verifiers[entry.sub]! : null)
      const common = {
        did: entry.sub,
        name: entry.name,
        keys: entry.keys.map((k) => ({ kid: k.kid, jwk: { ...k.jwk } })),
        keyHistory: mergedHistory(prev?.keyHistory ?? [], entry.keys),
        credentialId: entry.id,
        credentialIds: [...(prev?.credentialIds ?? []), entry.id],
        validFrom: entry.validFrom,
        validUntil: entry.validUntil,
        // A newer accreditation from the root supersedes a suspension (rules.ts: it must be dated after it).
        suspended: null,
      }
      const rec: IssuerRecord | VerifierRecord = entry.type === 'issuer-accreditation'
        ? { role: 'issuer', ...common, vct: [...entry.vct], statusListBase: entry.statusListBase ?? null }
        : { role: 'verifier', ...common, purposes: entry.purposes.map(copyPurpose) }
      return withRecord(next, rec)
    }
    case 'status-anchor': {
      const { uri, iss, version, digest, iat, ttl, signedBy } = entry
      return { ...next, anchors: { ...state.anchors, [uri]: { uri, iss, version, digest, iat, ttl, signedBy } } }
    }
    case 'key-change': {
      const rec = (Object.hasOwn(state.issuers, entry.sub) ? state.issuers[entry.sub] : state.verifiers[entry.sub])!
      if (entry.action === 'add') {
        const key = { kid: entry.kid, jwk: { ...entry.jwk! } }
        return withRecord(next, { ...rec, keys: [...rec.keys, key], keyHistory: mergedHistory(rec.keyHistory, [key]) })
      }
      return withRecord(next, {
        ...rec,
        keys: rec.keys.filter((k) => k.kid !== entry.kid),
        keyHistory: rec.keyHistory.map((h) => (h.kid === entry.kid ? { ...h, revokedAt: entry.iat } : h)),
      })
    }
    case 'suspension': {
      const rec = (Object.hasOwn(state.issuers, entry.sub) ? state.issuers[entry.sub] : state.verifiers[entry.sub])!
      return withRecord(next, { ...rec, suspended: { at: entry.iat, credentialId: entry.revokes } })
    }
  }
}

function assertFoldable(state: RegistryState, entry: RegistryEntry): void {
  const authority = signingAuthority(state, entry)
  if (!authority.ok) throw new TypeError(`foldEntry: entry was not verified against this state (${authority.code})`)
  const problem = stateProblem(state, entry)
  if (problem) throw new TypeError(`foldEntry: entry was not verified against this state (${problem.code})`)
}

/**
 * The registry after `entry`. Pure; `entry` must have been accepted by verifyEntry against this
 * same `state` (TypeError otherwise: folding an unverified entry is a bug, not a ledger event).
 */
export function foldEntry(state: RegistryState, entry: RegistryEntry): RegistryState {
  assertFoldable(state, entry)
  return apply(state, entry)
}

/**
 * Folds entries, one after another, into its own copy of `start` (which it never touches).
 * `state` is that copy and CHANGES with every `fold`: read it between folds (to verify the next
 * entry against it), keep it only once folding is over. Same rules as `foldEntry`.
 */
export class RegistryFolder {
  #state: RegistryState
  constructor(start: RegistryState) {
    this.#state = { ...start, anchors: { ...start.anchors } }
  }

  get state(): RegistryState {
    return this.#state
  }

  fold(entry: RegistryEntry): void {
    assertFoldable(this.#state, entry)
    if (entry.type === 'status-anchor') {
      const { uri, iss, version, digest, iat, ttl, signedBy } = entry
      this.#state.anchors[uri] = { uri, iss, version, digest, iat, ttl, signedBy }
      this.#state.size++
    } else {
      this.#state = apply(this.#state, entry) // shares the (private) anchor map
    }
  }
}

export type FoldResult =
  | { ok: true; value: RegistryState }
  | {
    ok: false
    code: ErrorCode
    detail: string
    /** Log index of the refused entry. */
    index: number
    /** The registry folded up to (not including) the refused entry. */
    state: RegistryState
  }

/**
 * Verify and fold `entries`, which are the log's entries from index `start.size` on (0 when
 * `start` is a root), in log order. Stops at the first refused entry and reports its log index
 * and code. Never throws on entry contents; a bad root is configuration and throws InputError,
 * a non-array or non-bytes item is our caller's bug (TypeError).
 */
export async function foldEntries(
  start: RegistryState | RegistryRoot,
  entries: readonly Uint8Array[],
  now: number,
  options: Omit<VerifyEntryOptions, 'now'> = {},
): Promise<FoldResult> {
  if (!Array.isArray(entries)) throw new TypeError('entries must be an array of Uint8Array')
  const first = typeof start === 'string' || (isJsonObject(start) && 'kty' in start) ? createRegistryState(start as RegistryRoot) : (start as RegistryState)
  if (entries.length === 0) return { ok: true, value: first }
  const folder = new RegistryFolder(first)
  for (const [i, bytes] of entries.entries()) {
    // The first entry is checked against the caller's own object, so a refusal there hands it back as is.
    const state = i === 0 ? first : folder.state
    const v = await verifyEntry(state, bytes, { ...options, now })
    if (!v.ok) return { ok: false, code: v.code, detail: `entry ${state.size}: ${v.detail}`, index: state.size, state }
    folder.fold(v.value)
  }
  return { ok: true, value: folder.state }
}
