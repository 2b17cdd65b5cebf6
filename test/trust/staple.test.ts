/**
 * Stapled status: the wallet's trust engine holds a proven list (anchor, tlog-proof, token)
 * and staples it; a counter's engine that synced the registry but never fetched the list,
 * and now has no network, proves the staple against the witnessed status checkpoint and
 * judges it as a held list — valid, revoked; unknown once past its ttl, or when any part of
 * it was changed or is of another list. The staple's wire form round-trips and refuses what is
 * not one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { STATUS_INVALID } from '../../src/core/status/list.ts'
import { readStaple, stapleParts } from '../../src/core/exchange/staple.ts'
import { parseTrustConfig, TrustEngine, type StapledList } from '../../src/trust/index.ts'
import { listUri, makeWorld, type World } from './_world.ts'

let world: World
let db = 0
const offline = async (): Promise<Response> => {
  throw new Error('offline')
}

beforeAll(async () => {
  world = await makeWorld()
})
afterAll(async () => world?.cleanup())

async function engine(o: { fetchOff?: boolean } = {}): Promise<TrustEngine> {
  const c = parseTrustConfig(world.source())
  if (!c.ok) throw new Error(c.detail)
  const e = await TrustEngine.open(c.value, { dbName: `trust-staple-${++db}` })
  const r = await e.sync({ now: world.clock.t })
  if (!r.ok) throw new Error(`${r.code}: ${r.detail}`)
  if (!o.fetchOff) return e
  e.close()
  return TrustEngine.open(c.value, { dbName: `trust-staple-${db}`, fetch: offline })
}

describe('stapled status', () => {
  let staple: StapledList
  const uri = listUri('stapled')
  let t0 = 0

  beforeAll(async () => {
    t0 = world.clock.t
    await world.publishList(uri, 1, { statuses: { 9: STATUS_INVALID }, ttl: 900 })
    const wallet = await engine()
    const r = await wallet.refreshStatus(uri, { now: t0 })
    if (!r.ok) throw new Error(`${r.code}: ${r.detail}`)
    staple = wallet.staple(uri)!
    expect(wallet.staple(listUri('none'))).toBeNull()
    wallet.close()
  })

  it('is proven offline by a counter that never fetched the list: valid, revoked', async () => {
    const counter = await engine({ fetchOff: true })
    expect(counter.status(uri, 0, { now: t0 })).toMatchObject({ state: 'unknown', code: 'ERR_STATUS_NOT_ANCHORED' })
    expect(await counter.judgeStaple(staple, uri, 0, { now: t0 })).toMatchObject({ state: 'valid', version: 1, anchoredAt: t0 })
    expect((await counter.judgeStaple(staple, uri, 9, { now: t0 })).state).toBe('invalid')
    // past its ttl a staple is unknown, never valid
    expect(await counter.judgeStaple(staple, uri, 0, { now: t0 + 900 })).toMatchObject({ state: 'unknown', code: 'ERR_STATUS_STALE' })
    counter.close()
  })

  it('round-trips as an answer\'s extras', () => {
    const back = readStaple(stapleParts(staple))
    expect(back).toEqual(staple)
    expect(readStaple([])).toBeNull()
  })

  const flip = (b: Uint8Array, at: number): Uint8Array => {
    const m = b.slice()
    m[at]! ^= 1
    return m
  }
  const rows: [string, (s: StapledList) => StapledList, string, string?][] = [
    ['a changed token', (s) => ({ ...s, token: flip(s.token, 40) }), 'ERR_STATUS_NOT_ANCHORED'],
    ['a changed anchor entry', (s) => ({ ...s, entry: flip(s.entry, 30) }), 'ERR_PROOF_ROOT_MISMATCH'],
    ['a proof for another index', (s) => ({ ...s, index: s.index + 1 }), 'ERR_PROOF_MALFORMED'],
    ['a proof that is not one', (s) => ({ ...s, proof: 'c2sp.org/tlog-proof@v1\nnot a proof\n' }), 'ERR_PROOF_MALFORMED'],
    ['the staple of another list', (s) => s, 'ERR_STATUS_NOT_ANCHORED', listUri('other')],
  ]
  it.each(rows)('is unknown with %s: %s', async (_n, change, code, asked) => {
    const counter = await engine({ fetchOff: true })
    expect(await counter.judgeStaple(change(staple), asked ?? uri, 0, { now: t0 })).toMatchObject({ state: 'unknown', code })
    counter.close()
  })

  const wire: [string, Uint8Array[]][] = [
    ['four parts', [new TextEncoder().encode('civic-staple/1'), new TextEncoder().encode('1'), Uint8Array.of(1), Uint8Array.of(2)]],
    ['another tag', [new TextEncoder().encode('civic-staple/2'), new TextEncoder().encode('1'), Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)]],
    ['an index with a leading zero', [new TextEncoder().encode('civic-staple/1'), new TextEncoder().encode('01'), Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)]],
    ['a proof that is not UTF-8', [new TextEncoder().encode('civic-staple/1'), new TextEncoder().encode('1'), Uint8Array.of(1), Uint8Array.of(0xff), Uint8Array.of(3)]],
    ['an empty token', [new TextEncoder().encode('civic-staple/1'), new TextEncoder().encode('1'), Uint8Array.of(1), Uint8Array.of(2), new Uint8Array(0)]],
  ]
  it.each(wire)('refuses extras with %s: ERR_EXCH_STAPLE_INVALID', (_n, parts) => {
    expect(() => readStaple(parts)).toThrow(expect.objectContaining({ code: 'ERR_EXCH_STAPLE_INVALID' }))
  })
})
