/**
 * The explorer's arithmetic: sizes over time that never shrink, at most MAX_POINTS points with
 * both ends kept, the per-party bars with the rest folded into one, the lanes of the timeline,
 * standings, view routes, chart ticks, and ages in both languages.
 */
import { describe, expect, it } from 'vitest'
import {
  countByParty, countByType, MAX_POINTS, parseExplorerView, explorerHash, registrySeries, standingOf, statusSeries, thin, timelineOf,
} from '../../src/app/state/explorer.svelte.ts'
import type { RegistryEntryView } from '../../src/app/state/trust.svelte.ts'
import { countTicks, linearScale, niceStep } from '../../src/app/components/charts/scale.ts'
import { formatAge, formatBytes } from '../../src/app/roles/explorer/format.ts'

const view = (index: number, type: RegistryEntryView['type'], sub: string, time: number): RegistryEntryView => ({ index, type, iss: 'did:key:zRoot', sub, time, bytes: new Uint8Array() })

describe('series', () => {
  it('registry size: entries counted by their own time, sync sizes merged, never shrinking', () => {
    const entries = [view(0, 'issuer-accreditation', 'did:web:a', 100), view(1, 'key-change', 'did:web:a', 300), view(2, 'key-change', 'did:web:a', 200)]
    expect(registrySeries(entries, [{ at: 250, registrySize: 3 }])).toEqual([
      { t: 100, v: 1 }, { t: 200, v: 2 }, { t: 250, v: 3 }, { t: 300, v: 3 },
    ])
  })

  it('status size: the history, in time order', () => {
    expect(statusSeries([{ at: 20, statusSize: 9 }, { at: 10, statusSize: 4 }])).toEqual([{ t: 10, v: 4 }, { t: 20, v: 9 }])
  })

  it('thin keeps at most MAX_POINTS, the first and the last among them', () => {
    const points = Array.from({ length: 5000 }, (_, i) => ({ t: i, v: i }))
    const out = thin(points)
    expect(out).toHaveLength(MAX_POINTS)
    expect(out[0]).toEqual({ t: 0, v: 0 })
    expect(out.at(-1)).toEqual({ t: 4999, v: 4999 })
    expect(thin(points.slice(0, 3))).toEqual(points.slice(0, 3))
  })
})

describe('counts', () => {
  const entries = [
    ...Array.from({ length: 5 }, (_, i) => view(i, 'key-change', 'did:web:big', i)),
    ...Array.from({ length: 10 }, (_, i) => view(5 + i, 'issuer-accreditation', `did:web:small-${i}`, 10 + i)),
    view(15, 'suspension', 'did:web:small-0', 50),
  ]

  it('by type, in the catalogue order', () => {
    expect(countByType(entries)).toEqual([{ type: 'issuer-accreditation', count: 10 }, { type: 'key-change', count: 5 }, { type: 'suspension', count: 1 }])
  })

  it('by party: the largest by name, the rest one bar that says how many', () => {
    const names = new Map([['did:web:big', { 'zh-CN': '大', en: 'Big' }]])
    const bars = countByParty(entries, names, 3)
    expect(bars.slice(0, 3)).toEqual([
      { did: 'did:web:big', name: { 'zh-CN': '大', en: 'Big' }, count: 5 },
      { did: 'did:web:small-0', name: null, count: 2 },
      { did: 'did:web:small-1', name: null, count: 1 },
    ])
    expect(bars[3]).toEqual({ did: null, name: null, count: 8, others: 8 })
    expect(bars.reduce((n, b) => n + b.count, 0)).toBe(entries.length)
  })

  it('the timeline: lanes in time order, status anchors left out', () => {
    const t = timelineOf([...entries, view(16, 'status-anchor', 'did:web:x', 0)])
    expect(t.map((e) => e.lane)).toEqual([...Array(5).fill('key'), ...Array(10).fill('accreditation'), 'suspension'])
  })
})

describe('standing', () => {
  const r = { validFrom: 100, validUntil: 200, suspended: null } as never as Parameters<typeof standingOf>[0]
  it('suspended over everything, else by the validity window', () => {
    expect(standingOf(r, 150)).toBe('active')
    expect(standingOf(r, 50)).toBe('pending')
    expect(standingOf(r, 250)).toBe('expired')
    expect(standingOf({ ...r, suspended: { at: 120, credentialId: 'x' } }, 150)).toBe('suspended')
  })
})

describe('routes', () => {
  it('each view has a hash, and anything else under #/explorer is the overview', () => {
    for (const v of ['overview', 'directory', 'check'] as const) expect(parseExplorerView(explorerHash(v))).toBe(v)
    expect(parseExplorerView('#/explorer/nonsense')).toBe('overview')
    expect(parseExplorerView('#/explorer/check?x=1')).toBe('check')
  })
})

describe('chart scale', () => {
  it('round ticks from zero past the maximum', () => {
    expect(countTicks(1032)).toEqual([0, 500, 1000, 1500])
    expect(countTicks(0)).toEqual([0, 1])
    expect(niceStep(7, 4)).toBe(2)
  })
  it('a one-value domain maps to the middle', () => {
    expect(linearScale(5, 5, 0, 100)(5)).toBe(50)
    expect(linearScale(0, 10, 0, 100)(2.5)).toBe(25)
  })
})

describe('formats', () => {
  it('ages and sizes in both languages', () => {
    expect(formatAge(180, 'en')).toBe('3 minutes ago')
    expect(formatAge(180, 'zh-CN')).toBe('3分钟前')
    expect(formatAge(5, 'en')).toBe('5 seconds ago')
    expect(formatAge(2 * 86_400 + 5, 'en')).toBe('2 days ago')
    expect(formatBytes(950, 'en')).toBe('950 B')
    expect(formatBytes(1_234_567, 'zh-CN')).toBe('1.2 MB')
  })
})
