/**
 * Status through the trust engine against the real ledger: the latest anchor of a list is
 * fetched with its tlog-proof from the status log, the token from its mirror, and every read
 * is judged again with the clock passed in (no sleeping). A status side that shows an older
 * list or withholds the latest anchor can keep a client on the old list at most until that
 * list's ttl runs out; after that the verdict is unknown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeBase64url } from '../../src/core/bytes/base64url.ts'
import { encodeUtf8 } from '../../src/core/bytes/utf8.ts'
import { STATUS_INVALID, STATUS_SUSPENDED } from '../../src/core/status/list.ts'
import { parseTrustConfig, TrustEngine, type TrustConfig } from '../../src/trust/index.ts'
import { grab, listUri, makeWorld, type World } from './_world.ts'

let world: World
let db = 0
const dbName = () => `trust-status-${++db}`
const configFor = (url?: string): TrustConfig => {
  const c = parseTrustConfig(world.source(url))
  if (!c.ok) throw new Error(c.detail)
  return c.value
}
const anchorPath = (uri: string) => `status/anchor/${encodeBase64url(encodeUtf8(uri))}`

beforeAll(async () => {
  world = await makeWorld()
})
afterAll(async () => world?.cleanup())

async function synced(url?: string): Promise<TrustEngine> {
  const e = await TrustEngine.open(configFor(url), { dbName: dbName() })
  const r = await e.sync({ now: world.clock.t })
  if (!r.ok) throw new Error(`${r.code}: ${r.detail}`)
  return e
}

describe('status of (list, index)', () => {
  it('valid, invalid, suspended from a proven anchor and its token; unknown with a code otherwise', async () => {
    const uri = listUri('a')
    const t0 = world.clock.t
    await world.publishList(uri, 1, { statuses: { 3: STATUS_INVALID, 4: STATUS_SUSPENDED }, ttl: 3600 })
    const e = await synced()
    expect(e.status(uri, 0, { now: t0 })).toMatchObject({ state: 'unknown', code: 'ERR_STATUS_NOT_ANCHORED' })
    const r = await e.refreshStatus(uri, { now: t0 })
    expect(r).toMatchObject({ ok: true, value: { uri, version: 1, iat: t0, ttl: 3600, staleAt: t0 + 3600, size: 1024 } })
    expect(e.status(uri, 0, { now: t0 })).toMatchObject({ state: 'valid', code: null, staleAt: t0 + 3600, anchoredAt: t0, version: 1 })
    expect(e.status(uri, 3, { now: t0 }).state).toBe('invalid')
    expect(e.status(uri, 4, { now: t0 }).state).toBe('suspended')
    expect(e.status(uri, 5000, { now: t0 })).toMatchObject({ state: 'unknown', code: 'ERR_STATUS_INDEX_OUT_OF_RANGE' })
    // The clock passes the ttl: unknown, never valid.
    expect(e.status(uri, 0, { now: t0 + 3599 }).state).toBe('valid')
    expect(e.status(uri, 0, { now: t0 + 3600 })).toMatchObject({ state: 'unknown', code: 'ERR_STATUS_STALE' })
    // Reopened with no network, the same verdicts.
    e.close()
    const again = await TrustEngine.open(configFor(), { dbName: `trust-status-${db}`, fetch: async () => { throw new Error('offline') } })
    expect(again.status(uri, 3, { now: t0 }).state).toBe('invalid')
    expect(again.statusLists().map((l) => l.uri)).toEqual([uri])
    again.close()
  })

  it('a list never anchored is unknown (the ledger answers 404)', async () => {
    const e = await synced()
    expect(await e.refreshStatus(listUri('never'), { now: world.clock.t })).toMatchObject({ ok: false, code: 'ERR_STATUS_NOT_ANCHORED' })
    expect(e.status(listUri('never'), 0, { now: world.clock.t }).state).toBe('unknown')
    e.close()
  })

  it('the status side withholds the latest anchor: the older list holds only until its ttl, then unknown', async () => {
    const uri = listUri('withheld')
    const t0 = world.clock.t
    await world.publishList(uri, 1, { ttl: 600 })
    const oldAnswer = await grab(world.ledger.url + anchorPath(uri))
    const oldToken = world.tokens.get(uri)!
    world.clock.t += 60
    await world.publishList(uri, 2, { statuses: { 0: STATUS_INVALID }, ttl: 600 })
    // The status side lies consistently: the old anchor, the old list.
    world.tokens.set(uri, oldToken)
    const proxy = await world.proxy()
    proxy.rewrite = (path) => (path === anchorPath(uri) ? oldAnswer : undefined)
    const e = await synced(proxy.url)
    expect(await e.refreshStatus(uri, { now: world.clock.t })).toMatchObject({ ok: true, value: { version: 1 } })
    // Revoked in version 2, but the client was shown version 1: valid until version 1's ttl...
    expect(e.status(uri, 0, { now: t0 + 599 }).state).toBe('valid')
    // ...and unknown after it, never valid.
    expect(e.status(uri, 0, { now: t0 + 600 })).toMatchObject({ state: 'unknown', code: 'ERR_STATUS_STALE' })
    e.close()
  })

  it('a client that holds the newer version keeps it when shown an older one', async () => {
    const uri = listUri('older')
    await world.publishList(uri, 1, { ttl: 600 })
    const oldAnswer = await grab(world.ledger.url + anchorPath(uri))
    world.clock.t += 10
    await world.publishList(uri, 2, { statuses: { 0: STATUS_INVALID }, ttl: 600 })
    const proxy = await world.proxy()
    const e = await synced(proxy.url)
    expect(await e.refreshStatus(uri, { now: world.clock.t })).toMatchObject({ ok: true, value: { version: 2 } })
    proxy.rewrite = (path) => (path === anchorPath(uri) ? oldAnswer : undefined)
    expect(await e.refreshStatus(uri, { now: world.clock.t })).toMatchObject({ ok: false, code: 'ERR_REG_VERSION_NOT_INCREASING' })
    expect(e.status(uri, 0, { now: world.clock.t })).toMatchObject({ state: 'invalid', version: 2 })
    e.close()
  })

  it('a mirror that serves an older list for the latest anchor is refused; the client stays on what it had until its ttl', async () => {
    const uri = listUri('stale-mirror')
    const t0 = world.clock.t
    await world.publishList(uri, 1, { ttl: 600 })
    const v1 = world.tokens.get(uri)!
    const e = await synced()
    expect((await e.refreshStatus(uri, { now: t0 })).ok).toBe(true)
    world.clock.t += 30
    await world.publishList(uri, 2, { statuses: { 0: STATUS_INVALID }, ttl: 600 })
    world.tokens.set(uri, v1)
    expect(await e.refreshStatus(uri, { now: world.clock.t })).toMatchObject({ ok: false, code: 'ERR_STATUS_NOT_ANCHORED' })
    expect(e.status(uri, 0, { now: t0 + 599 })).toMatchObject({ state: 'valid', version: 1 })
    expect(e.status(uri, 0, { now: t0 + 600 })).toMatchObject({ state: 'unknown', code: 'ERR_STATUS_STALE' })
    e.close()
  })

  it('a tampered anchor proof or entry is refused', async () => {
    const uri = listUri('tampered')
    await world.publishList(uri, 1)
    const good = JSON.parse(new TextDecoder().decode(await grab(world.ledger.url + anchorPath(uri)))) as { index: number; entry: string; proof: string }
    const proxy = await world.proxy()
    const e = await synced(proxy.url)
    const answer = (o: object) => encodeUtf8(JSON.stringify({ ...good, ...o }))
    const other = await grab(world.ledger.url + anchorPath(listUri('a')))
    proxy.rewrite = (path) => (path === anchorPath(uri) ? answer({ index: good.index + 1 }) : undefined)
    expect(await e.refreshStatus(uri, { now: world.clock.t })).toMatchObject({ ok: false, code: 'ERR_PROOF_MALFORMED' })
    proxy.rewrite = (path) => (path === anchorPath(uri) ? answer({ entry: JSON.parse(new TextDecoder().decode(other)).entry }) : undefined)
    const wrong = await e.refreshStatus(uri, { now: world.clock.t })
    expect(wrong.ok).toBe(false)
    expect(e.status(uri, 0, { now: world.clock.t }).state).toBe('unknown')
    e.close()
  })
})
