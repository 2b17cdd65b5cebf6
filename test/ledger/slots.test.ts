import { describe, expect, it } from 'vitest'
import { Slots } from '../../src/ledger/slots.ts'

function gate(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

describe('Slots', () => {
  it('runs at most max jobs at once, the rest in arrival order, and passes results and failures through', async () => {
    const slots = new Slots(2)
    let running = 0
    let most = 0
    const started: number[] = []
    const gates = Array.from({ length: 6 }, gate)
    const jobs = gates.map((g, i) => slots.run(async () => {
      started.push(i)
      running++
      most = Math.max(most, running)
      await g.promise
      running--
      if (i === 3) throw new Error('job 3 failed')
      return i * 10
    }))
    await new Promise((r) => setTimeout(r, 0))
    expect(started).toEqual([0, 1])
    gates[1]!.resolve()
    await new Promise((r) => setTimeout(r, 0))
    expect(started).toEqual([0, 1, 2])
    for (const g of gates) g.resolve()
    const out = await Promise.allSettled(jobs)
    expect(out.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([0, 10, 20, 'job 3 failed', 40, 50])
    expect(started).toEqual([0, 1, 2, 3, 4, 5])
    expect(most).toBe(2)
    // all slots free again: two new jobs start at once
    const both = await Promise.all([slots.run(async () => 'a'), slots.run(async () => 'b')])
    expect(both).toEqual(['a', 'b'])
  })

  it('refuses a max that is not a positive integer', () => {
    for (const m of [0, -1, 1.5, Number.NaN]) expect(() => new Slots(m)).toThrow(RangeError)
  })
})
