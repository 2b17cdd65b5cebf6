/**
 * The registry rules as the sequencer's gate: every entry is verified against the trust
 * registry as it will stand just before it (the published state plus every entry admitted
 * ahead of it), so two anchors racing for one version cannot both get in.
 *
 * Signature checks run concurrently, each against the latest state when the entry arrived;
 * then, in one synchronous step with no await (so nothing interleaves), the state-dependent
 * rules are checked again against the latest state, the entry is enqueued and folded. If the
 * signing key's standing changed meanwhile, the entry is verified again.
 *
 * At most MAX_VERIFYING signature checks are under way at once; later arrivals wait here, in
 * order. The runtime runs WebCrypto in the same small worker pool as file I/O, so without the
 * limit a burst of submissions queues hundreds of checks ahead of the storage's writes and
 * fsyncs, and every batch waits behind them.
 */
import { CivicError, fail, ok, type Verdict } from '../core/errors.ts'
import { sameJwk } from '../core/crypto/jwk.ts'
import { createRegistryState, type RegistryRoot, type RegistryState } from '../core/registry/state.ts'
import { foldEntry, RegistryFolder } from '../core/registry/fold.ts'
import { signingAuthority, stateProblem } from '../core/registry/rules.ts'
import { verifyEntry } from '../core/registry/verify.ts'
import type { EntryGate } from './sequencer.ts'

const MAX_VERIFYING = 4

export class RegistryGate implements EntryGate {
  readonly #root: RegistryRoot
  readonly #now: () => number
  #committed: RegistryState
  /** The state after each admitted, unpublished entry, in order. */
  #pending: RegistryState[] = []
  #verifying = 0
  /** Admissions waiting for a verification slot, first come first served. */
  #waiting: (() => void)[] = []

  constructor(root: RegistryRoot, now: () => number) {
    this.#root = root
    this.#now = now
    this.#committed = createRegistryState(root)
  }

  /** The registry as the published log makes it. */
  get state(): RegistryState {
    return this.#committed
  }

  #tip(): RegistryState {
    return this.#pending[this.#pending.length - 1] ?? this.#committed
  }

  async load(entries: AsyncIterable<Uint8Array>): Promise<void> {
    const folder = new RegistryFolder(createRegistryState(this.#root))
    for await (const e of entries) {
      const s = folder.state
      const v = await verifyEntry(s, e, { now: this.#now() })
      if (!v.ok) throw new CivicError('ERR_LEDGER_CORRUPT', `entry ${s.size} of the stored log is refused by the registry rules: ${v.code}: ${v.detail}`)
      folder.fold(v.value)
    }
    this.#committed = folder.state
    this.#pending = []
  }

  async admit(entry: Uint8Array, allow: ((rateKey: string) => boolean) | undefined, enqueue: () => void): Promise<Verdict<{ rateKey?: string }>> {
    for (let attempt = 0; attempt < 4; attempt++) {
      const seen = this.#tip()
      const v = await this.#verify(seen, entry)
      if (!v.ok) return v
      // ── synchronous from here: no other admission can interleave ──
      const tip = this.#tip()
      const e = v.value
      if (tip !== seen) {
        const before = signingAuthority(seen, e)
        const now = signingAuthority(tip, e)
        if (!now.ok) return now
        if (!before.ok || before.value.kid !== now.value.kid || !sameJwk(before.value.jwk, now.value.jwk)) continue // standing changed: verify again
        const problem = stateProblem(tip, e)
        if (problem) return problem
      }
      // Rate limits apply per author: the issuer for its anchors and key changes, the root for the rest.
      const rateKey = e.iss
      if (allow && !allow(rateKey)) return fail('ERR_LEDGER_RATE_LIMITED', `too many entries from ${rateKey}`)
      this.#pending.push(foldEntry(tip, e))
      enqueue()
      return ok({ rateKey })
    }
    return fail('ERR_LEDGER_UNAVAILABLE', 'the registry kept changing under this entry; retry')
  }

  async #verify(state: RegistryState, entry: Uint8Array): ReturnType<typeof verifyEntry> {
    if (this.#verifying < MAX_VERIFYING) this.#verifying++
    else await new Promise<void>((slot) => this.#waiting.push(slot)) // the slot is handed over, still counted
    try {
      return await verifyEntry(state, entry, { now: this.#now() })
    } finally {
      const next = this.#waiting.shift()
      if (next) next()
      else this.#verifying--
    }
  }

  commit(count: number): void {
    if (count === 0) return
    this.#committed = this.#pending[count - 1]!
    this.#pending = this.#pending.slice(count)
  }

  reset(): void {
    this.#pending = []
  }
}
