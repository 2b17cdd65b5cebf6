/**
 * Timing for `npm run bench`: contenders run interleaved in rounds (so drift on a shared
 * machine hits all alike), each round many iterations; the figure is the median round's mean.
 */
export interface Figure {
  id: string
  what: string
  value: number
  op: '<=' | '>='
  goal: number
  note?: string
}

export async function measure<K extends string>(fns: Record<K, () => Promise<void>>, rounds = 15, perRound = 200): Promise<Record<K, number>> {
  const names = Object.keys(fns) as K[]
  for (const n of names) for (let i = 0; i < perRound; i++) await fns[n]() // warm-up
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as unknown as Record<K, number[]>
  for (let r = 0; r < rounds; r++) {
    for (const n of names) {
      const t0 = performance.now()
      for (let i = 0; i < perRound; i++) await fns[n]()
      samples[n].push(((performance.now() - t0) * 1000) / perRound)
    }
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!
  return Object.fromEntries(names.map((n) => [n, median(samples[n])])) as Record<K, number>
}

export function formatFigure(f: Figure): string {
  const v = f.value >= 100 ? f.value.toFixed(0) : f.value.toFixed(2)
  return `${f.id} ${f.what}: ${v} (${Number.isFinite(f.goal) ? `goal ${f.op} ${f.goal}` : 'for the record'})`
}
