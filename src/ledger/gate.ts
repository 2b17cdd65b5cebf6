/**
 * The registry log's gate: the registry rules, for every entry but status anchors (those
 * belong to the status log, status-gate.ts; one here is refused with ERR_LEDGER_WRONG_LOG
 * before anything else is checked). Every entry is verified against the trust
 * registry as it will stand just before it (the published state plus every entry admitted
 * ahead of it), so two anchors racing for one version cannot both get in.
 *
 * Signature checks run concurrently, each against the latest state when the entry arrived;
 * then, in one synchronous step with no await (so nothing interleaves), the state-dependent
 * rules are checked again against the latest state, the entry is enqueued and folded. If the
 * signing key's standing changed meanwhile, the entry is verified again.
 *
 * The published registry and the tip are each folded in place (RegistryFolder): admitting an
 * anchor costs the same with ten status lists as with a hundred thousand. Each admitted entry
 * is folded twice, into the tip now and into the published registry when its batch publishes;
 * a failed batch rebuilds the tip from the published registry.
 *
 * At most MAX_VERIFYING signature checks are under way at once; later arrivals wait here, in
 * order. The runtime runs WebCrypto in the same small worker pool as file I/O, so without the
 * limit a burst of submissions queues hundreds of checks ahead of the storage's writes and
 * fsyncs, and every batch waits behind them.
 */
import { CivicError, fail, failFrom, ok, type Verdict } from '../core/errors.ts'
import { sameJwk } from '../core/crypto/jwk.ts'
import { createRegistryState, type RegistryRoot, type RegistryState } from '../core/registry/state.ts'
import { RegistryFolder } from '../core/registry/fold.ts'
import { parseEntry, type RegistryEntry } from '../core/registry/entry.ts'
import { signingAuthority, stateProblem } from '../core/registry/rules.ts'
import { verifyEntry } from '../core/registry/verify.ts'
import { Slots } from './slots.ts'
import type { EntryGate } from './sequencer.ts'

const MAX_VERIFYING = 4

export class RegistryGate implements EntryGate {
  readonly #root: RegistryRoot
  readonly #now: () => number
  /** The registry as the published log makes it. */
  #committed: RegistryFolder
  /** The published registry plus every admitted, unpublished entry. */
  #tip: RegistryFolder
  /** The admitted, unpublished entries, in order. */
  #pending: RegistryEntry[] = []
  /** Signature checks under way, at most MAX_VERIFYING; later admissions wait their turn. */
  readonly #slots = new Slots(MAX_VERIFYING)

  constructor(root: RegistryRoot, now: () => number) {
    this.#root = root
    this.#now = now
    this.#committed = new RegistryFolder(createRegistryState(root))
    this.#tip = new RegistryFolder(this.#committed.state)
  }

  /** The registry as the published log makes it (live: it changes as batches are published). */
  get state(): RegistryState {
    return this.#committed.state
  }

  /**
   * The published registry plus every admitted, unpublished entry (live): what the status
   * log's gate authorizes anchors against, so a key revocation or a suspension counts from
   * the moment it is admitted, before its batch is published.
   */
  get tip(): RegistryState {
    return this.#tip.state
  }

  /** Entries staged but not yet published are folded in as if published (they will be, before anything admitted). */
  async load(entries: AsyncIterable<Uint8Array>, _published?: number): Promise<void> {
    const folder = new RegistryFolder(createRegistryState(this.#root))
    for await (const e of entries) {
      const s = folder.state
      const v = await verifyEntry(s, e, { now: this.#now() })
      if (!v.ok) throw new CivicError('ERR_LEDGER_CORRUPT', `entry ${s.size} of the stored log is refused by the registry rules: ${v.code}: ${v.detail}`)
      if (v.value.type === 'status-anchor') throw new CivicError('ERR_LEDGER_CORRUPT', `entry ${s.size} of the stored registry log is a status anchor`)
      folder.fold(v.value)
    }
    this.#committed = folder
    this.reset()
  }

  async admit(entry: Uint8Array, allow: ((rateKey: string) => boolean) | undefined, enqueue: () => void): Promise<Verdict<{ rateKey?: string }>> {
    try {
      if (parseEntry(entry).type === 'status-anchor') return fail('ERR_LEDGER_WRONG_LOG', 'a status anchor belongs to the status log (POST /status/add-entry)')
    } catch (e) {
      return failFrom(e)
    }
    for (let attempt = 0; attempt < 4; attempt++) {
      const { verdict: v, standing } = await this.#verify(entry)
      if (!v.ok) return v
      // ── synchronous from here: no other admission can interleave ──
      const tip = this.#tip.state
      const e = v.value
      const now = signingAuthority(tip, e)
      if (!now.ok) return now
      // The key the signature was checked with, from the standing as it was then.
      const before = signingAuthority({ ...tip, ...standing }, e)
      if (!before.ok || before.value.kid !== now.value.kid || !sameJwk(before.value.jwk, now.value.jwk)) continue // standing changed: verify again
      const problem = stateProblem(tip, e)
      if (problem) return problem
      // Rate limits apply per author: the issuer for its anchors and key changes, the root for the rest.
      const rateKey = e.iss
      if (allow && !allow(rateKey)) return fail('ERR_LEDGER_RATE_LIMITED', `too many entries from ${rateKey}`)
      this.#tip.fold(e)
      this.#pending.push(e)
      enqueue()
      return ok({ rateKey })
    }
    return fail('ERR_LEDGER_UNAVAILABLE', 'the registry kept changing under this entry; retry')
  }

  /**
   * verifyEntry against the tip, in a verification slot. `standing` holds the parts of the tip
   * that decide who may sign what, as they were when the check began: folding replaces those
   * maps and never edits them, so the references are a snapshot.
   */
  async #verify(entry: Uint8Array): Promise<{ verdict: Verdict<RegistryEntry>; standing: Pick<RegistryState, 'root' | 'issuers' | 'verifiers'> }> {
    return this.#slots.run(async () => {
      const s = this.#tip.state
      const standing = { root: s.root, issuers: s.issuers, verifiers: s.verifiers }
      return { verdict: await verifyEntry(s, entry, { now: this.#now() }), standing }
    })
  }

  commit(count: number): void {
    for (const e of this.#pending.splice(0, count)) this.#committed.fold(e)
  }

  reset(): void {
    this.#pending = []
    this.#tip = new RegistryFolder(this.#committed.state)
  }
}
