/**
 * The arithmetic of the explorer's charts: linear scales and round tick values. The charts are
 * hand-written SVG (LineChart, BarChart, TimelineChart) rather than a chart library: the few
 * pictures the explorer draws need a scale, a path and some labels; a library would be the
 * largest thing in the explorer's chunk, bring its own DOM and styling (the CSP allows no inline
 * style elements it might inject), and decide its own accessibility. Ours is what axe checks: each
 * picture is role="img" with a sentence that says what it shows, and the same numbers as a table.
 */

export interface Scale {
  (v: number): number
  readonly domain: readonly [number, number]
}

/** Maps [d0, d1] onto [r0, r1]; a domain of one value maps to the middle of the range. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): Scale {
  const span = d1 - d0
  const f = ((v: number) => (span === 0 ? (r0 + r1) / 2 : r0 + ((v - d0) / span) * (r1 - r0))) as Scale
  Object.defineProperty(f, 'domain', { value: [d0, d1] as const })
  return f
}

/** A round step near span / count: 1, 2 or 5 times a power of ten. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !(count > 0)) return 1
  const raw = span / count
  const power = 10 ** Math.floor(Math.log10(raw))
  const m = raw / power
  const nice = m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10
  return Math.max(1, nice * power)
}

/** Round values from 0 to at least `max` (whole numbers: these are counts). */
export function countTicks(max: number, count = 4): number[] {
  const step = niceStep(Math.max(1, max), count)
  const top = Math.max(step, Math.ceil(max / step) * step)
  const ticks: number[] = []
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(v)
  return ticks
}
