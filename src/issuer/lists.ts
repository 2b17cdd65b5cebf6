/**
 * The issuer's status lists (draft-ietf-oauth-status-list): which entries are taken, what
 * each says, and when a list changed. Plain data inside the issuer's state (state.ts) so a
 * change is made on a draft and persisted before anyone relies on it.
 *
 * Herd privacy (draft §13.2 "Herd Privacy", §13.5 "Unlinkability"): every list has at least
 * 131,072 entries; each copy of a credential gets its own index, drawn uniformly at random
 * among ALL free entries of all open lists (never sequentially, never near its siblings), so
 * an index tells a verifier nothing about when or to whom a credential was issued, and two
 * copies of one credential cannot be linked by their indices. A new list is opened only when
 * the free entries run out. Indices are never reused.
 *
 * Status values (draft §7.1): 0 VALID, 1 INVALID (revoked), 2 SUSPENDED; lists use 2 bits.
 * The packed values are kept in the encoding StatusList.toBytes gives (draft §4.1), so the
 * token is made with StatusList.fromBytes without any conversion.
 */
import { CivicError } from '../core/errors.ts'
import { StatusList, STATUS_INVALID, STATUS_SUSPENDED, STATUS_VALID, type StatusBits } from '../core/status/list.ts'

export { STATUS_INVALID, STATUS_SUSPENDED, STATUS_VALID }

/** Lists an issuer may hold (2^17 entries each: 134 million copies). */
export const MAX_LISTS = 1024

/** The latest token of a list whose anchor the ledger accepted. */
export interface PublishedToken {
  version: number
  /** The statuslist+jwt, exactly as anchored and served. */
  token: string
  /** base64url SHA-256 of the token (the anchor's digest). */
  digest: string
  iat: number
  exp: number
  ttl: number
  /** Fragment of the issuer key that signed token and anchor. */
  kid: string
  /** The list's changeSeq the token reflects. */
  seq: number
  /** Ledger index of the anchor. */
  index: number
  inclusionVerified: boolean
  inclusionError: string | null
  /** Size of the verified checkpoint that proved the inclusion, or null. */
  checkpointSize: number | null
}

export interface ListRecord {
  /** List number; its URI is `<statusListBase><n>`. */
  n: number
  uri: string
  size: number
  bits: StatusBits
  /** StatusList.toBytes() of the current statuses. */
  statuses: Uint8Array
  /** One bit per entry, 1 = taken (LSB first). */
  allocated: Uint8Array
  free: number
  /** Bumped by every change a verifier must see (a status change, the list's creation). */
  changeSeq: number
  /** The next anchor version; taken durably before an anchor is sent (versions never repeat). */
  nextVersion: number
  published: PublishedToken | null
}

export interface Slot {
  uri: string
  idx: number
}

export function newList(n: number, base: string, size: number, bits: StatusBits): ListRecord {
  return {
    n, uri: `${base}${n}`, size, bits,
    statuses: StatusList.create(size, bits).toBytes(),
    allocated: new Uint8Array(Math.ceil(size / 8)),
    free: size, changeSeq: 1, nextVersion: 1, published: null,
  }
}

/** A uniform integer in [0, n) from the system CSPRNG (rejection sampling, no modulo bias). */
export function uniformInt(n: number, random: (len: number) => Uint8Array): number {
  if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) throw new RangeError('uniformInt: n out of range')
  if (n === 1) return 0
  const limit = Math.floor(2 ** 32 / n) * n
  for (;;) {
    const b = random(4)
    const x = ((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!
    if (x < limit) return x % n
  }
}

const POPCOUNT = new Uint8Array(256).map((_, i) => {
  let c = 0
  for (let x = i; x; x >>= 1) c += x & 1
  return c
})

/** The index of the k-th (0-based) free entry of a list. */
function kthFree(l: ListRecord, k: number): number {
  let seen = 0
  for (let byte = 0; byte < l.allocated.length; byte++) {
    const valid = Math.min(8, l.size - byte * 8)
    const mask = valid === 8 ? 0xff : (1 << valid) - 1
    const freeBits = ~l.allocated[byte]! & mask
    const c = POPCOUNT[freeBits]!
    if (seen + c > k) {
      for (let bit = 0; bit < valid; bit++) {
        if (freeBits & (1 << bit)) {
          if (seen === k) return byte * 8 + bit
          seen++
        }
      }
    }
    seen += c
  }
  throw new Error('kthFree: the list has fewer free entries than counted')
}

/**
 * Take `count` entries, each uniformly at random among all free entries of all lists,
 * opening new lists (appended to `lists`) when too few are free. Mutates `lists` (a draft).
 */
export function allocateSlots(lists: ListRecord[], count: number, o: { base: string; size: number; bits: StatusBits; random: (n: number) => Uint8Array }): Slot[] {
  let free = lists.reduce((s, l) => s + l.free, 0)
  while (free < count) {
    if (lists.length >= MAX_LISTS) throw new CivicError('ERR_ISSUER_CAPACITY', `all ${MAX_LISTS} status lists are full`)
    const n = lists.reduce((m, l) => Math.max(m, l.n), 0) + 1
    const l = newList(n, o.base, o.size, o.bits)
    lists.push(l)
    free += l.free
  }
  const out: Slot[] = []
  for (let i = 0; i < count; i++) {
    let k = uniformInt(free, o.random)
    const l = lists.find((x) => (k < x.free ? true : ((k -= x.free), false)))!
    const idx = kthFree(l, k)
    l.allocated[idx >> 3]! |= 1 << (idx & 7)
    l.free--
    free--
    out.push({ uri: l.uri, idx })
  }
  return out
}

/** Set the status of slots (a draft); returns the lists that changed. */
export function setStatus(lists: ListRecord[], slots: readonly Slot[], value: number): ListRecord[] {
  const changed = new Set<ListRecord>()
  const byUri = new Map(lists.map((l) => [l.uri, l]))
  const open = new Map<ListRecord, StatusList>()
  for (const s of slots) {
    const l = byUri.get(s.uri)
    if (!l) throw new CivicError('ERR_ISSUER_STORAGE', `a credential refers to an unknown status list ${s.uri}`)
    let sl = open.get(l)
    if (!sl) open.set(l, (sl = StatusList.fromBytes(l.statuses, l.bits)))
    if (sl.get(s.idx) !== value) {
      sl.set(s.idx, value)
      changed.add(l)
    }
  }
  for (const [l, sl] of open) {
    if (!changed.has(l)) continue
    l.statuses = sl.toBytes()
    l.changeSeq++
  }
  return [...changed]
}

/** Whether a list needs a new token and anchor at `now`. */
export function publishDue(l: ListRecord, o: { now: number; ttl: number; kid: string; force?: boolean }): boolean {
  const p = l.published
  if (!p || o.force) return true
  return p.seq < l.changeSeq || p.kid !== o.kid || o.now >= p.iat + Math.floor(p.ttl / 2)
}

export function summarizeList(l: ListRecord) {
  return {
    uri: l.uri, size: l.size, bits: l.bits, allocated: l.size - l.free,
    changed: !l.published || l.published.seq < l.changeSeq,
    version: l.published?.version ?? 0,
    digest: l.published?.digest ?? null,
  }
}
