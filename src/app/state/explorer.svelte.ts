/**
 * The ledger explorer's state: the trust engine's verified copy (trust.svelte.ts) shaped into
 * what the explorer draws — tree sizes over time, entries per type and per party, the timeline
 * of accreditations, key changes and suspensions, each checkpoint's cosigners, each witness's
 * last cosignature, the age of the last verified checkpoint — and the "check it yourself" form,
 * whose check runs in this browser against the trusted checkpoint, with no network.
 *
 * Everything here is derived from the engine's snapshot and entries; nothing is fetched. The
 * clock ticks while the explorer is on screen, so ages stay true without a sync.
 */
import { decodeUtf8, encodeUtf8 } from '../../core/bytes/utf8.ts'
import type { ErrorCode, Verdict } from '../../core/errors.ts'
import type { LocalizedText } from '../../core/registry/entry.ts'
import type { RegistryEntryType } from '../../core/registry/entry.ts'
import type { IssuerRecord, VerifierRecord } from '../../core/registry/state.ts'
import { trust, type CheckpointView, type RegistryEntryView, type TrustState } from './trust.svelte.ts'

export const EXPLORER_VIEWS = ['overview', 'directory', 'check'] as const
export type ExplorerView = (typeof EXPLORER_VIEWS)[number]

/** A checkpoint older than this (seconds) is shown as not recent: sequencers re-witness every minute. */
export const STALE_AFTER_SECONDS = 15 * 60
/** At most this many points per line (a phone draws 300 px; more points draw nothing more). */
export const MAX_POINTS = 120
/** Parties shown by name in the per-party chart; the rest are one bar. */
export const TOP_PARTIES = 7
/** Events listed under the timeline. */
export const RECENT_EVENTS = 8

export const ENTRY_TYPES: readonly RegistryEntryType[] = ['issuer-accreditation', 'verifier-registration', 'key-change', 'suspension', 'status-anchor']

export type Lane = 'accreditation' | 'key' | 'suspension'
export const LANES: readonly Lane[] = ['accreditation', 'key', 'suspension']

export interface Point {
  t: number
  v: number
}

export interface PartyCount {
  /** The DID, or null for the bar of all the others. */
  did: string | null
  name: LocalizedText | null
  count: number
  /** The bar of the others: how many parties it holds. */
  others?: number
}

export interface TimelineEvent {
  index: number
  t: number
  lane: Lane
  type: RegistryEntryType
  /** Whom it concerns. */
  did: string
}

export type Standing = 'active' | 'suspended' | 'expired' | 'pending'

export interface CheckResult {
  index: number
  /** The bytes checked were not the stored ones. */
  changed: boolean
  verdict: Verdict<{ index: number; size: number }>
}

/** Hash route of a view: #/explorer, #/explorer/directory, #/explorer/check. */
export function explorerHash(view: ExplorerView): string {
  return view === 'overview' ? '#/explorer' : `#/explorer/${view}`
}

/** The view a hash names (anything unknown under #/explorer is the overview). */
export function parseExplorerView(hash: string): ExplorerView {
  const second = hash.replace(/^#/, '').replace(/[?].*$/, '').split('/').filter((s) => s !== '')[1]
  return (EXPLORER_VIEWS as readonly string[]).includes(second ?? '') ? (second as ExplorerView) : 'overview'
}

/** At most `max` points, evenly taken, always keeping the first and the last. */
export function thin(points: readonly Point[], max = MAX_POINTS): Point[] {
  if (points.length <= max) return [...points]
  const out: Point[] = []
  for (let k = 0; k < max; k++) out.push(points[Math.round((k * (points.length - 1)) / (max - 1))]!)
  return out
}

/**
 * The registry's size over time: the count of entries dated up to each time (entry times, as
 * the entries state them), and what each sync saw (the snapshot's history).
 */
export function registrySeries(entries: readonly RegistryEntryView[], history: readonly { at: number; registrySize: number }[]): Point[] {
  const times = entries.map((e) => e.time).sort((a, b) => a - b)
  const points: Point[] = times.map((t, i) => ({ t, v: i + 1 }))
  for (const h of history) points.push({ t: h.at, v: h.registrySize })
  points.sort((a, b) => a.t - b.t || a.v - b.v)
  // A size never shrinks: an entry dated after a sync that already counted it stays counted.
  let top = 0
  const monotone = points.map((p) => ({ t: p.t, v: (top = Math.max(top, p.v)) }))
  return thin(monotone)
}

/** The status log's size at each sync this device made. */
export function statusSeries(history: readonly { at: number; statusSize: number }[]): Point[] {
  return thin([...history].sort((a, b) => a.at - b.at).map((h) => ({ t: h.at, v: h.statusSize })))
}

export function countByType(entries: readonly RegistryEntryView[]): { type: RegistryEntryType; count: number }[] {
  const counts = new Map<RegistryEntryType, number>()
  for (const e of entries) counts.set(e.type, (counts.get(e.type) ?? 0) + 1)
  return ENTRY_TYPES.filter((t) => counts.has(t)).map((type) => ({ type, count: counts.get(type)! }))
}

/** Entries per party they concern (the subject; the signer when there is none), largest first. */
export function countByParty(entries: readonly RegistryEntryView[], names: ReadonlyMap<string, LocalizedText>, top = TOP_PARTIES): PartyCount[] {
  const counts = new Map<string, number>()
  for (const e of entries) {
    const did = e.sub ?? e.iss
    counts.set(did, (counts.get(did) ?? 0) + 1)
  }
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
  const shown: PartyCount[] = sorted.slice(0, top).map(([did, count]) => ({ did, name: names.get(did) ?? null, count }))
  const rest = sorted.slice(top)
  if (rest.length === 1) shown.push({ did: rest[0]![0], name: names.get(rest[0]![0]) ?? null, count: rest[0]![1] })
  else if (rest.length > 1) shown.push({ did: null, name: null, count: rest.reduce((n, [, c]) => n + c, 0), others: rest.length })
  return shown
}

export function laneOf(type: RegistryEntryType): Lane | null {
  if (type === 'issuer-accreditation' || type === 'verifier-registration') return 'accreditation'
  if (type === 'key-change') return 'key'
  if (type === 'suspension') return 'suspension'
  return null
}

export function timelineOf(entries: readonly RegistryEntryView[]): TimelineEvent[] {
  const out: TimelineEvent[] = []
  for (const e of entries) {
    const lane = laneOf(e.type)
    if (lane) out.push({ index: e.index, t: e.time, lane, type: e.type, did: e.sub ?? e.iss })
  }
  return out.sort((a, b) => a.t - b.t || a.index - b.index)
}

/** An issuer's or verifier's standing at `now`: suspended first, then its validity window. */
export function standingOf(r: IssuerRecord | VerifierRecord, now: number): Standing {
  if (r.suspended) return 'suspended'
  if (now < r.validFrom) return 'pending'
  if (now > r.validUntil) return 'expired'
  return 'active'
}

/** The time a checkpoint is known good by: its witness time, else when this device verified it. */
export function checkpointTimeOf(cp: CheckpointView | null): number | null {
  return cp ? (cp.witnessedAt ?? cp.verifiedAt) : null
}

function entryText(bytes: Uint8Array): string {
  try {
    return decodeUtf8(bytes, 'entry')
  } catch {
    // Not UTF-8 (never so for registry entries): show it as Latin-1 so every byte has a character.
    return Array.from(bytes, (b) => String.fromCharCode(b)).join('')
  }
}

function defaultClock(): number {
  return Math.floor(Date.now() / 1000)
}

export class ExplorerState {
  readonly trust: TrustState
  readonly #clock: () => number
  #now = $state(0)
  #view = $state<ExplorerView>('overview')
  #selected = $state<number | null>(null)
  #text = $state('')
  #result = $state.raw<CheckResult | null>(null)

  constructor(trust: TrustState, o: { clock?: () => number } = {}) {
    this.trust = trust
    this.#clock = o.clock ?? defaultClock
    this.#now = this.#clock()
  }

  /** Open the engine, follow the hash and tick the clock while shown; returns the stop. */
  start(o: { window?: Window; tickMs?: number } = {}): () => void {
    const w = o.window ?? (typeof window === 'undefined' ? undefined : window)
    void this.trust.open()
    this.#now = this.#clock()
    const timer = setInterval(() => (this.#now = this.#clock()), o.tickMs ?? 5000)
    const onHash = (): void => void (this.#view = parseExplorerView(w!.location.hash))
    if (w) {
      onHash()
      w.addEventListener('hashchange', onHash)
    }
    return () => {
      clearInterval(timer)
      w?.removeEventListener('hashchange', onHash)
    }
  }

  get now(): number {
    return this.#now
  }
  /** Move the clock on now (after a sync, say). */
  tick(): void {
    this.#now = this.#clock()
  }

  get view(): ExplorerView {
    return this.#view
  }
  set view(v: ExplorerView) {
    this.#view = v
  }

  get snapshot() {
    return this.trust.snapshot
  }
  get entries(): readonly RegistryEntryView[] {
    return this.trust.entries
  }

  /** Seconds since the log's checkpoint was witnessed (or verified here), or null when there is none. */
  age(log: 'registry' | 'status'): number | null {
    const t = checkpointTimeOf(this.trust.snapshot?.[log] ?? null)
    return t === null ? null : Math.max(0, this.#now - t)
  }

  /** Seconds since this device verified the log's checkpoint. */
  checkedAge(log: 'registry' | 'status'): number | null {
    const cp = this.trust.snapshot?.[log]
    return cp ? Math.max(0, this.#now - cp.verifiedAt) : null
  }

  get stale(): boolean {
    const a = this.age('registry')
    return a === null || a > STALE_AFTER_SECONDS
  }

  /** Names of every party the registry knows, by DID. */
  get names(): ReadonlyMap<string, LocalizedText> {
    const m = new Map<string, LocalizedText>()
    for (const r of this.trust.snapshot?.issuers ?? []) m.set(r.did, r.name)
    for (const r of this.trust.snapshot?.verifiers ?? []) m.set(r.did, r.name)
    return m
  }

  get registrySeries(): Point[] {
    return registrySeries(this.entries, this.trust.snapshot?.history ?? [])
  }
  get statusSeries(): Point[] {
    return statusSeries(this.trust.snapshot?.history ?? [])
  }
  get byType(): { type: RegistryEntryType; count: number }[] {
    return countByType(this.entries)
  }
  get byParty(): PartyCount[] {
    return countByParty(this.entries, this.names)
  }
  get timeline(): TimelineEvent[] {
    return timelineOf(this.entries)
  }
  get recentEvents(): TimelineEvent[] {
    return this.timeline.slice(-RECENT_EVENTS).reverse()
  }

  get issuers(): { record: IssuerRecord; standing: Standing }[] {
    return (this.trust.snapshot?.issuers ?? []).map((record) => ({ record, standing: standingOf(record, this.#now) }))
  }
  get verifiers(): { record: VerifierRecord; standing: Standing }[] {
    return (this.trust.snapshot?.verifiers ?? []).map((record) => ({ record, standing: standingOf(record, this.#now) }))
  }

  // --- check it yourself ---

  get selected(): RegistryEntryView | null {
    return this.#selected === null ? null : (this.entries[this.#selected] ?? null)
  }
  get text(): string {
    return this.#text
  }
  get changed(): boolean {
    const e = this.selected
    return e !== null && this.#text !== entryText(e.bytes)
  }
  get result(): CheckResult | null {
    return this.#result
  }

  /** Show entry `index` (its stored bytes) in the form; false when there is none. */
  select(index: number): boolean {
    const e = Number.isInteger(index) ? this.entries[index] : undefined
    if (!e) return false
    this.#selected = index
    this.#text = entryText(e.bytes)
    this.#result = null
    return true
  }

  edit(text: string): void {
    this.#text = text
    this.#result = null
  }

  restore(): void {
    if (this.#selected !== null) this.select(this.#selected)
  }

  /** Check the form's bytes against the trusted registry checkpoint, in this browser. */
  async check(): Promise<CheckResult | null> {
    const e = this.selected
    if (!e) return null
    const changed = this.changed
    const text = this.#text
    const bytes = changed ? encodeUtf8(text) : e.bytes
    const verdict = await this.trust.verifyInclusion(e.index, bytes)
    // The form moved on meanwhile: this answer is for a text no longer shown.
    if (this.selected !== e || this.#text !== text) return null
    this.#result = { index: e.index, changed, verdict }
    return this.#result
  }

  /** The evidence file to save (what `civic log verify --evidence <file>` checks). */
  evidenceFile(): { name: string; text: string } {
    const stamp = new Date(this.#now * 1000).toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z')
    return { name: `ledger-evidence-${stamp}.json`, text: this.trust.exportEvidence() }
  }

  /** The code of a failed check or sync, for the text table. */
  static codeOf(v: Verdict<unknown> | null): ErrorCode | null {
    return v && !v.ok ? v.code : null
  }
}

/** The explorer's state, over the app's one trust engine. */
export const explorer = new ExplorerState(trust)
