import { describe, expect, it } from 'vitest'
import { LightClient } from '../../../src/core/log/light-client.ts'
import { parseLogPolicy } from '../../../src/core/log/policy.ts'
import { syncCheckpoint, syncLog, type SyncEdge } from '../../../src/core/log/sync.ts'
import { NOW, ToyLog, witnesses } from './_fixtures.ts'

const ws = witnesses(3)
const policyOf = (log: ToyLog) => parseLogPolicy({ origin: log.origin, logKeys: [log.verifierKey], witnessKeys: ws.map((w) => w.verifierKey), quorum: 2 })

/** A log served from memory, recording every path asked for. */
async function served(log: ToyLog, size: number) {
  const files = await log.files(size)
  files.set('checkpoint', new TextEncoder().encode(log.checkpoint(size, [ws[0]!.signer, ws[1]!.signer])))
  const asked: string[] = []
  const fetch = async (path: string) => {
    asked.push(path)
    const f = files.get(path)
    if (!f) throw new Error(`404 ${path}`)
    return f
  }
  return { fetch, asked }
}

describe('syncCheckpoint: a log that is never replayed', () => {
  it('moves the checkpoint forward with hash tiles only, never a bundle', async () => {
    const log = new ToyLog().append(600)
    const client = new LightClient([policyOf(log)])
    const first = await served(log, 300)
    expect(await syncCheckpoint({ origin: log.origin, client, fetch: first.fetch, now: NOW })).toMatchObject({ ok: true, value: { size: 300, changed: true } })
    expect(first.asked).toEqual(['checkpoint'])
    const next = await served(log, 600)
    const r = await syncCheckpoint({ origin: log.origin, client, fetch: next.fetch, now: NOW })
    expect(r).toMatchObject({ ok: true, value: { size: 600, changed: true } })
    expect(next.asked.some((p) => p.includes('entries'))).toBe(false)
    expect(next.asked.length).toBeGreaterThan(1)
    expect(r.ok && r.value.bytes).toBeGreaterThan(0)
  })

  it('refuses a checkpoint of another origin and a failed fetch, with codes', async () => {
    const log = new ToyLog().append(3)
    const other = new ToyLog('example.org/other', 12).append(3)
    const client = new LightClient([policyOf(log), policyOf(other)])
    const s = await served(other, 3)
    expect(await syncCheckpoint({ origin: log.origin, client, fetch: s.fetch, now: NOW })).toMatchObject({ ok: false, code: 'ERR_LOG_ORIGIN_MISMATCH' })
    expect(await syncCheckpoint({ origin: log.origin, client, fetch: async () => { throw new Error('offline') }, now: NOW })).toMatchObject({ ok: false, code: 'ERR_LOG_FETCH_FAILED' })
  })
})

describe('syncLog: incremental', () => {
  it('fetches nothing past the checkpoint when the tree did not grow (not even the partial bundle)', async () => {
    const log = new ToyLog().append(300)
    const client = new LightClient([policyOf(log)])
    const s = await served(log, 300)
    const first = await syncLog({ origin: log.origin, client, edge: { size: 0, hashes: [] }, fetch: s.fetch, now: NOW })
    expect(first).toMatchObject({ ok: true, value: { size: 300 } })
    const edge = (first as { value: { edge: SyncEdge } }).value.edge
    s.asked.length = 0
    expect(await syncLog({ origin: log.origin, client, edge, fetch: s.fetch, now: NOW })).toMatchObject({ ok: true, value: { size: 300, entries: [] } })
    expect(s.asked).toEqual(['checkpoint'])
  })

  it('a bundle that cannot be fetched is ERR_LOG_FETCH_FAILED, not a throw', async () => {
    const log = new ToyLog().append(5)
    const client = new LightClient([policyOf(log)])
    const s = await served(log, 5)
    const fetch = async (p: string) => (p.includes('entries') ? Promise.reject(new Error('connection reset')) : s.fetch(p))
    expect(await syncLog({ origin: log.origin, client, edge: { size: 0, hashes: [] }, fetch, now: NOW })).toMatchObject({ ok: false, code: 'ERR_LOG_FETCH_FAILED' })
  })
})
