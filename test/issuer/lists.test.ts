// Status list allocation (src/issuer/lists.ts): every copy gets its own index, uniformly at
// random among all free entries of all lists (herd privacy), never twice, new lists only when
// the free entries run out; status changes; when a list is due for publishing. Every draw comes
// from a seeded source, so the statistical checks give the same answer on every run.
import { beforeEach, describe, expect, it } from 'vitest'
import { StatusList } from '../../src/core/status/list.ts'
import { allocateSlots, newList, publishDue, setStatus, uniformInt, type ListRecord } from '../../src/issuer/lists.ts'
import type { RandomSource } from '../../src/core/crypto/hash.ts'
import { seededRandom } from '../support/keys.ts'

const BASE = 'https://psb.gov.example/status/'
/** One seeded source per test (set in beforeEach), shared by every draw the test makes. */
let random: RandomSource = seededRandom(1)
const opts = (size: number) => ({ base: BASE, size, bits: 2 as const, random })

beforeEach((ctx) => {
  // a seed per test name: reordering or adding tests does not change another test's draws
  let seed = 0x9e3779b9
  for (const ch of ctx.task.name) seed = Math.imul(seed ^ ch.charCodeAt(0), 0x01000193) >>> 0
  random = seededRandom(seed)
})

describe('allocateSlots', () => {
  it('hands out every entry exactly once, then opens a new list', () => {
    const lists: ListRecord[] = [newList(1, BASE, 64, 2)]
    const got = allocateSlots(lists, 64, opts(64))
    expect(new Set(got.map((s) => s.idx)).size).toBe(64)
    expect(got.every((s) => s.uri === `${BASE}1` && s.idx >= 0 && s.idx < 64)).toBe(true)
    expect(lists[0]!.free).toBe(0)
    const more = allocateSlots(lists, 3, opts(64))
    expect(lists.map((l) => l.uri)).toEqual([`${BASE}1`, `${BASE}2`])
    expect(more.every((s) => s.uri === `${BASE}2`)).toBe(true)
    expect(lists[1]!.free).toBe(61)
  })

  it('spreads a batch across lists when one runs short', () => {
    const lists: ListRecord[] = [newList(1, BASE, 16, 2)]
    allocateSlots(lists, 12, opts(16))
    const batch = allocateSlots(lists, 10, opts(16))
    expect(new Set(batch.map((s) => `${s.uri}#${s.idx}`)).size).toBe(10)
    expect(lists).toHaveLength(2)
    expect(lists[0]!.free + lists[1]!.free).toBe(32 - 22)
  })

  it('draws uniformly among free entries (first draw over 16 entries, 16,000 times)', () => {
    const counts = new Array(16).fill(0)
    for (let i = 0; i < 16_000; i++) {
      const lists = [newList(1, BASE, 16, 2)]
      counts[allocateSlots(lists, 1, opts(16))[0]!.idx]++
    }
    // 1,000 expected per entry, σ ≈ 31: a sequential or biased allocator is far outside ±5σ
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(155)
  })

  it('weighs lists by their free entries (8 free in one, 16 in another: one in three lands in the first)', () => {
    let first = 0
    for (let i = 0; i < 6000; i++) {
      const a = newList(1, BASE, 16, 2)
      allocateSlots([a], 8, opts(16))
      const lists = [a, newList(2, BASE, 16, 2)]
      if (allocateSlots(lists, 1, opts(16))[0]!.uri === `${BASE}1`) first++
    }
    expect(Math.abs(first - 2000)).toBeLessThan(5 * Math.sqrt(6000 * (1 / 3) * (2 / 3)))
  })

  it('default lists are at least 131,072 entries', () => {
    const l = newList(1, BASE, 131_072, 2)
    expect(StatusList.fromBytes(l.statuses, 2).size).toBe(131_072)
    expect(l.allocated.length).toBe(131_072 / 8)
  })
})

describe('uniformInt', () => {
  it('rejects values that would bias the modulo', () => {
    const seq = [new Uint8Array([0xff, 0xff, 0xff, 0xff]), new Uint8Array([0, 0, 0, 5])]
    expect(uniformInt(3, () => seq.shift()!)).toBe(2)
  })
})

describe('setStatus and publishDue', () => {
  it('changes only what differs, bumps the list, and says when to publish', () => {
    const l = newList(1, BASE, 64, 2)
    const slots = allocateSlots([l], 3, opts(64))
    const seq = l.changeSeq
    expect(setStatus([l], slots, 1)).toEqual([l])
    expect(l.changeSeq).toBe(seq + 1)
    for (const s of slots) expect(StatusList.fromBytes(l.statuses, 2).get(s.idx)).toBe(1)
    expect(setStatus([l], slots, 1)).toEqual([])
    expect(() => setStatus([l], [{ uri: `${BASE}9`, idx: 0 }], 1)).toThrow()

    const now = 1_800_000_000
    expect(publishDue(l, { now, ttl: 3600, kid: 'key-1' })).toBe(true) // never published
    l.published = { version: 1, token: 't', digest: 'd', iat: now, exp: now + 3600, ttl: 3600, kid: 'key-1', seq: l.changeSeq, index: 3, inclusionVerified: true, inclusionError: null, checkpointSize: 1 }
    expect(publishDue(l, { now, ttl: 3600, kid: 'key-1' })).toBe(false)
    expect(publishDue(l, { now, ttl: 3600, kid: 'key-1', force: true })).toBe(true)
    expect(publishDue(l, { now, ttl: 3600, kid: 'key-2' })).toBe(true) // re-sign after rotation
    expect(publishDue(l, { now: now + 1799, ttl: 3600, kid: 'key-1' })).toBe(false)
    expect(publishDue(l, { now: now + 1800, ttl: 3600, kid: 'key-1' })).toBe(true) // half its ttl
    setStatus([l], slots.slice(0, 1), 2)
    expect(publishDue(l, { now, ttl: 3600, kid: 'key-1' })).toBe(true) // changed
  })
})
