/**
 * The status log's gate, and the index of its anchors.
 *
 * The status log holds status anchors only; anything else is refused with ERR_LEDGER_WRONG_LOG
 * before it is checked further. Registry facts still govern anchors across the split: each
 * anchor is authorized with the registry's own rules (core/registry/rules.ts signingAuthority,
 * stateProblem, through verifyEntry) against a composed state — the registry log's TIP (its
 * published entries plus every admitted, unpublished one: a key revocation or a suspension
 * counts from the moment the registry gate admits it) with, as `anchors`, the status log's own
 * last anchor of that URI. So an anchor needs an accredited issuer that is not suspended, a
 * CURRENT key of it (a revoked one fails with ERR_REG_KEY_REVOKED), an iat inside the
 * accreditation, a URI under its statusListBase that no other issuer owns, and a version
 * strictly above the last one of that URI in the status log (published or admitted).
 *
 * Admission mirrors RegistryGate: the signature is checked concurrently (at most MAX_VERIFYING
 * at once), then in one synchronous step the rules run again against the latest tip; if the
 * signing key's standing changed meanwhile the entry is verified again.
 *
 * Loading the stored log does NOT re-verify signatures: every entry was verified when it was
 * admitted, and the sequencer checks the stored tiles against the signed checkpoint's root
 * before the gate sees them. Re-verifying 10^6 anchors (an ECDSA check each, besides the
 * parse) would take minutes at every start, and a phone never replays this log either. Each
 * stored entry is parsed (strictly, ~10–15 µs: some 15 s for 10^6) for its URI, owner and
 * version; a stored entry that is not an anchor, or whose version does not go up, is
 * ERR_LEDGER_CORRUPT. Registry standing is NOT re-judged at load: an anchor admitted before a
 * later suspension or key revocation stays in the log (clients judge it against the registry
 * they fold).
 *
 * Entries found staged but unpublished at load (a batch whose witnesses did not answer before a
 * restart) count for the versions at once and join the index when the next batch publishes.
 *
 * The index (AnchorIndex) maps each list URI to its latest PUBLISHED anchor: an admitted,
 * unpublished anchor never hides the previous one from readers, since its index is not yet in
 * any checkpoint they could check a proof against. A read-only server has no gate; it builds
 * the same index by scanning the stored log at open and extends it as the published checkpoint
 * grows (AnchorIndex.catchUp). Memory: one small record per list URI (owner DIDs are shared).
 */
import { CivicError, fail, failFrom, ok, type Verdict } from '../core/errors.ts'
import { sameJwk } from '../core/crypto/jwk.ts'
import { parseCheckpoint } from '../core/log/checkpoint.ts'
import { parseNote } from '../core/log/note.ts'
import { entryBundlePath, parseEntryBundle, TILE_WIDTH } from '../core/log/tiles.ts'
import { parseEntry, type RegistryEntry, type StatusAnchorEntry } from '../core/registry/entry.ts'
import { signingAuthority, stateProblem } from '../core/registry/rules.ts'
import type { RegistryState, StatusAnchorRecord } from '../core/registry/state.ts'
import { verifyEntry } from '../core/registry/verify.ts'
import { Slots } from './slots.ts'
import type { EntryGate } from './sequencer.ts'
import type { LogStorage } from './storage/types.ts'

const MAX_VERIFYING = 4

/** What the rules need of a URI's last anchor: its owner and version; and where it is in the log. */
export interface AnchorPosition {
  iss: string
  version: number
  /** Index in the status log. */
  index: number
}

/**
 * The status log's anchors by URI: the latest of each, as of the first `size` entries. Pure
 * bookkeeping: whatever adds entries (the gate's load and commits, or catchUp on a read-only
 * server) has already judged them.
 */
export class AnchorIndex {
  readonly #latest = new Map<string, AnchorPosition>()
  /** Owner DIDs, one string each. */
  readonly #owners = new Map<string, string>()
  #size = 0
  /** The published checkpoint note the index was last brought up to (catchUp), if any. */
  #note: Uint8Array | null = null
  #catchingUp: Promise<void> | null = null

  get size(): number {
    return this.#size
  }

  get note(): Uint8Array | null {
    return this.#note
  }

  get(uri: string): AnchorPosition | undefined {
    return this.#latest.get(uri)
  }

  /** Entry `this.size` of the log. ERR_LEDGER_CORRUPT if it is not an anchor whose version goes up. */
  add(entry: Uint8Array | StatusAnchorEntry): void {
    const [uri, position] = this.#position(entry, this.#size, (u) => this.#latest.get(u))
    this.#latest.set(uri, position)
    this.#size++
  }

  #position(entry: Uint8Array | StatusAnchorEntry, index: number, lastOf: (uri: string) => AnchorPosition | undefined): [string, AnchorPosition] {
    let e: RegistryEntry
    try {
      e = entry instanceof Uint8Array ? parseEntry(entry) : entry
    } catch (x) {
      throw new CivicError('ERR_LEDGER_CORRUPT', `entry ${index} of the stored status log does not parse: ${(x as CivicError).code}`)
    }
    if (e.type !== 'status-anchor') throw new CivicError('ERR_LEDGER_CORRUPT', `entry ${index} of the stored status log is a ${e.type}, not a status anchor`)
    const last = lastOf(e.uri)
    if (last && (last.version >= e.version || last.iss !== e.iss)) {
      throw new CivicError('ERR_LEDGER_CORRUPT', `entry ${index} of the stored status log does not follow anchor ${last.index} of its list`)
    }
    let iss = this.#owners.get(e.iss)
    if (iss === undefined) this.#owners.set(e.iss, (iss = e.iss))
    return [e.uri, { iss, version: e.version, index }]
  }

  /**
   * Bring the index up to the published checkpoint in `storage` (read-only servers), reading
   * only the entries it does not hold yet. One catch-up at a time; concurrent callers share it.
   * The new entries and `note` are applied together, in one synchronous step: a lookup never
   * sees an index ahead of the note it answers with.
   */
  catchUp(storage: LogStorage): Promise<void> {
    this.#catchingUp ??= this.#catchUp(storage).finally(() => (this.#catchingUp = null))
    return this.#catchingUp
  }

  async #catchUp(storage: LogStorage): Promise<void> {
    const note = await storage.getCheckpoint()
    if (!note) return
    const size = parseCheckpoint(parseNote(note).text).size
    if (size < this.#size) throw new CivicError('ERR_LEDGER_CORRUPT', `the published status checkpoint went back from ${this.#size} to ${size}`)
    const fresh = new Map<string, AnchorPosition>()
    let index = this.#size
    for await (const bytes of readEntries(storage, this.#size, size)) {
      const [uri, position] = this.#position(bytes, index++, (u) => fresh.get(u) ?? this.#latest.get(u))
      fresh.set(uri, position)
    }
    for (const [uri, position] of fresh) this.#latest.set(uri, position)
    this.#size = size
    this.#note = note
  }
}

/** Entries [start, end) of a stored log, from its entry bundles. */
export async function* readEntries(storage: LogStorage, start: number, end: number): AsyncIterable<Uint8Array> {
  for (let n = Math.floor(start / TILE_WIDTH); n * TILE_WIDTH < end; n++) {
    const width = Math.min(TILE_WIDTH, end - n * TILE_WIDTH)
    const b = await storage.getObject(entryBundlePath({ index: n, width }))
    if (!b) throw new CivicError('ERR_LEDGER_CORRUPT', `entry bundle ${n} of width ${width} is missing`)
    const es = parseEntryBundle(b, width)
    for (let i = 0; i < width; i++) if (n * TILE_WIDTH + i >= start) yield es[i]!
  }
}

/** The registry the status gate authorizes against (RegistryGate: `tip`). */
export interface RegistryTip {
  readonly tip: RegistryState
}

export class StatusGate implements EntryGate {
  readonly #registry: RegistryTip
  readonly #now: () => number
  /** The published anchors. */
  #published = new AnchorIndex()
  /** The latest sequenced or admitted, unpublished anchor of each URI that has one. */
  #overlay = new Map<string, StatusAnchorEntry>()
  /** Anchors found staged but unpublished at load: published with the next batch, before any admitted one. */
  #staged: StatusAnchorEntry[] = []
  /** The admitted, unpublished anchors, in order. */
  #pending: StatusAnchorEntry[] = []
  /** Signature checks under way, at most MAX_VERIFYING; later admissions wait their turn. */
  readonly #slots = new Slots(MAX_VERIFYING)

  constructor(registry: RegistryTip, now: () => number) {
    this.#registry = registry
    this.#now = now
  }

  /** The published anchors by URI (live: it grows as batches are published). */
  get index(): AnchorIndex {
    return this.#published
  }

  async load(entries: AsyncIterable<Uint8Array>, published: number): Promise<void> {
    const index = new AnchorIndex()
    const staged: StatusAnchorEntry[] = []
    for await (const e of entries) {
      if (index.size < published) {
        index.add(e)
        continue
      }
      // Sequenced, not yet published: not in the index readers see, but in the state anchors are checked against.
      let parsed: RegistryEntry
      try {
        parsed = parseEntry(e)
      } catch (x) {
        throw new CivicError('ERR_LEDGER_CORRUPT', `a staged entry of the status log does not parse: ${(x as CivicError).code}`)
      }
      if (parsed.type !== 'status-anchor') throw new CivicError('ERR_LEDGER_CORRUPT', `a staged entry of the status log is a ${parsed.type}`)
      staged.push(parsed)
    }
    this.#published = index
    this.#staged = staged
    this.reset()
  }

  /**
   * The registry's tip with, as its anchors, the status log's last anchor (admitted or
   * published) of `uri` only: the rules read nothing else of the anchor map, and building a
   * one-entry map costs the same with 10 lists as with 10^6. Of that last anchor the rules read
   * its owner and version (the other members are the stored anchor's where known).
   */
  #composed(uri: string, registry: RegistryState = this.#registry.tip): RegistryState {
    const pending = this.#overlay.get(uri)
    let last: StatusAnchorRecord | null = null
    if (pending) {
      const { iss, version, digest, iat, ttl, signedBy } = pending
      last = { uri, iss, version, digest, iat, ttl, signedBy }
    } else {
      const p = this.#published.get(uri)
      if (p) last = { uri, iss: p.iss, version: p.version, digest: '', iat: 0, ttl: 0, signedBy: '' }
    }
    return { ...registry, anchors: last ? { [uri]: last } : {} }
  }

  async admit(entry: Uint8Array, allow: ((rateKey: string) => boolean) | undefined, enqueue: () => void): Promise<Verdict<{ rateKey?: string }>> {
    let uri: string
    try {
      const parsed = parseEntry(entry)
      if (parsed.type !== 'status-anchor') return fail('ERR_LEDGER_WRONG_LOG', `a ${parsed.type} belongs to the registry log (POST /registry/add-entry)`)
      uri = parsed.uri
    } catch (e) {
      return failFrom(e)
    }
    for (let attempt = 0; attempt < 4; attempt++) {
      const { verdict: v, standing } = await this.#verify(entry, uri)
      if (!v.ok) return v
      if (v.value.type !== 'status-anchor') return fail('ERR_LEDGER_WRONG_LOG', 'not a status anchor')
      // ── synchronous from here: no other admission can interleave ──
      const e = v.value
      const tip = this.#composed(uri)
      const now = signingAuthority(tip, e)
      if (!now.ok) return now
      const before = signingAuthority({ ...tip, ...standing }, e)
      if (!before.ok || before.value.kid !== now.value.kid || !sameJwk(before.value.jwk, now.value.jwk)) continue // standing changed: verify again
      const problem = stateProblem(tip, e)
      if (problem) return problem
      const rateKey = e.iss
      if (allow && !allow(rateKey)) return fail('ERR_LEDGER_RATE_LIMITED', `too many entries from ${rateKey}`)
      this.#overlay.set(uri, e)
      this.#pending.push(e)
      enqueue()
      return ok({ rateKey })
    }
    return fail('ERR_LEDGER_UNAVAILABLE', 'the registry kept changing under this anchor; retry')
  }

  async #verify(entry: Uint8Array, uri: string): Promise<{ verdict: Verdict<RegistryEntry>; standing: Pick<RegistryState, 'root' | 'issuers' | 'verifiers'> }> {
    return this.#slots.run(async () => {
      const s = this.#composed(uri)
      const standing = { root: s.root, issuers: s.issuers, verifiers: s.verifiers }
      return { verdict: await verifyEntry(s, entry, { now: this.#now() }), standing }
    })
  }

  commit(count: number): void {
    for (const e of [...this.#staged.splice(0), ...this.#pending.splice(0, count)]) {
      this.#published.add(e)
      if (this.#overlay.get(e.uri) === e) this.#overlay.delete(e.uri)
    }
  }

  reset(): void {
    this.#pending = []
    this.#overlay = new Map(this.#staged.map((e) => [e.uri, e]))
  }
}
