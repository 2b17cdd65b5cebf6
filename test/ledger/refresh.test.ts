// An idle ledger re-witnesses each log's published checkpoint every refreshSeconds: the same
// tree, published again with fresh cosignatures, so a checkpoint's witness timestamps say how
// recent it is. No timed assertions: the test waits (bounded) for the note to change and then
// checks what changed and what did not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeUtf8 } from '../../src/core/bytes/utf8.ts'
import { verifyCheckpointNote } from '../../src/core/log/policy.ts'
import type { LogPolicy } from '../../src/core/log/policy.ts'
import type { LedgerService } from '../../src/ledger/service.ts'
import { get, makeWorld, nowSeconds, post, registryUrl, statusUrl, type World } from './_ledger.ts'

let world: World
let ledger: LedgerService

beforeAll(async () => {
  world = await makeWorld({ witnesses: 2, quorum: 2 })
  ledger = await world.start({ refreshSeconds: 1 })
  expect((await post(registryUrl(ledger), world.accreditation)).status).toBe(200)
  expect((await post(statusUrl(ledger), await world.anchor('https://psb.gov.example/status/fresh', 1))).status).toBe(200)
})
afterAll(async () => world.cleanup())

async function read(url: string, policy: LogPolicy) {
  const note = decodeUtf8((await get(url, 'checkpoint')).bytes)
  const v = verifyCheckpointNote(note, policy, nowSeconds() + 5)
  if (!v.ok) throw new Error(`${v.code}: ${v.detail}`)
  return { note, size: v.value.checkpoint.size, root: Buffer.from(v.value.checkpoint.rootHash).toString('base64'), times: v.value.cosigners.map((c) => c.timestampSeconds).sort() }
}

/** Polls until the checkpoint's oldest cosignature is newer than `after` (at most 20 s). */
async function newerThan(url: string, policy: LogPolicy, after: number) {
  const deadline = Date.now() + 20_000
  let c = await read(url, policy)
  while (Math.min(...c.times) <= after && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100))
    c = await read(url, policy)
  }
  return c
}

describe('idle refresh', () => {
  it.each(['registry', 'status'] as const)('the %s log publishes the same tree again with newer cosignatures from every witness', async (log) => {
    const url = log === 'registry' ? registryUrl(ledger) : statusUrl(ledger)
    const policy = log === 'registry' ? world.registryPolicy : world.statusPolicy
    const before = await read(url, policy)
    const after = await newerThan(url, policy, Math.max(...before.times))
    expect(Math.min(...after.times)).toBeGreaterThan(Math.max(...before.times))
    expect(after.times.length).toBe(2)
    expect([after.size, after.root]).toEqual([before.size, before.root])
    // the log's own signature line is the same: the same checkpoint, only newly witnessed
    expect(after.note.split('\n').slice(0, 5)).toEqual(before.note.split('\n').slice(0, 5))
    expect(after.note).not.toBe(before.note)
  })

  it('keeps taking entries between refreshes, and the witnesses saw no other tree', async () => {
    const r = await post(statusUrl(ledger), await world.anchor('https://psb.gov.example/status/fresh', 2))
    expect(r).toMatchObject({ status: 200, json: { index: 1 } })
    const c = await read(statusUrl(ledger), world.statusPolicy)
    for (const w of world.witnesses) {
      const s = w.status().logs.find((l) => l.origin === world.statusPolicy.origin)!
      expect([s.size, s.rootHash]).toEqual([c.size, c.root])
    }
  })

  it('is off with refreshSeconds 0', async () => {
    const w = await makeWorld({ witnesses: 1, quorum: 1 })
    try {
      const l = await w.start({ refreshSeconds: 0 })
      const before = decodeUtf8((await get(registryUrl(l), 'checkpoint')).bytes)
      await new Promise((r) => setTimeout(r, 2500))
      expect(decodeUtf8((await get(registryUrl(l), 'checkpoint')).bytes)).toBe(before)
    } finally {
      await w.cleanup()
    }
  })
})
