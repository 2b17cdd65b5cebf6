/**
 * The registry rules as the sequencer's gate: every entry is verified against the trust
 * registry as it will stand just before it (the published state plus every entry admitted
 * ahead of it), so two anchors racing for one version cannot both get in.
 */
import { CivicError, fail, ok, type Verdict } from '../core/errors.ts'
import { createRegistryState, type RegistryRoot, type RegistryState } from '../core/registry/state.ts'
import { foldEntry } from '../core/registry/fold.ts'
import { verifyEntry } from '../core/registry/verify.ts'
import type { EntryGate } from './sequencer.ts'

export class RegistryGate implements EntryGate {
  readonly #root: RegistryRoot
  readonly #now: () => number
  #committed: RegistryState
  /** The state after each admitted, unpublished entry, in order. */
  #pending: RegistryState[] = []

  constructor(root: RegistryRoot, now: () => number) {
    this.#root = root
    this.#now = now
    this.#committed = createRegistryState(root)
  }

  /** The registry as the published log makes it. */
  get state(): RegistryState {
    return this.#committed
  }

  async load(entries: AsyncIterable<Uint8Array>): Promise<void> {
    let s = createRegistryState(this.#root)
    for await (const e of entries) {
      const v = await verifyEntry(s, e, { now: this.#now() })
      if (!v.ok) throw new CivicError('ERR_LEDGER_CORRUPT', `entry ${s.size} of the stored log is refused by the registry rules: ${v.code}: ${v.detail}`)
      s = foldEntry(s, v.value)
    }
    this.#committed = s
    this.#pending = []
  }

  async admit(entry: Uint8Array, allow?: (rateKey: string) => boolean): Promise<Verdict<{ rateKey?: string }>> {
    const current = this.#pending[this.#pending.length - 1] ?? this.#committed
    const v = await verifyEntry(current, entry, { now: this.#now() })
    if (!v.ok) return v
    // Rate limits apply per author: the issuer for its anchors and key changes, the root for the rest.
    const rateKey = v.value.iss
    if (allow && !allow(rateKey)) return fail('ERR_LEDGER_RATE_LIMITED', `too many entries from ${rateKey}`)
    this.#pending.push(foldEntry(current, v.value))
    return ok({ rateKey })
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
