import { describe, expect, it } from 'vitest'
import { generateNoteKeys, SIG_TYPE_COSIGNATURE_V1 } from '../../src/core/log/note.ts'
import { parseCivicConfig } from '../../src/app/state/config.svelte.ts'
import { parseTrustConfig, statusListUrl } from '../../src/trust/config.ts'
import { seededRandom } from '../support/keys.ts'

const random = seededRandom(5)
const reg = generateNoteKeys('civic.test/ledger/registry', undefined, random).verifierKey
const sta = generateNoteKeys('civic.test/ledger/status', undefined, random).verifierKey
const ws = [0, 1, 2].map((i) => generateNoteKeys(`w${i}.example`, SIG_TYPE_COSIGNATURE_V1, random).verifierKey)
const ROOT = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK'
const good = () => ({
  ledger: {
    url: 'http://localhost:23001/', root: ROOT,
    registry: { origin: 'civic.test/ledger/registry', vkey: reg }, status: { origin: 'civic.test/ledger/status', vkey: sta },
    witnesses: ws, quorum: 2,
  },
  statusMirrors: { 'https://psb.gov.example/status/': 'http://localhost:23005/status/', 'https://psb.gov.example/status/special/': 'http://localhost:23006/' },
  issuers: [],
})

describe('parseTrustConfig', () => {
  it('reads both logs with the shared witnesses and quorum', () => {
    const c = parseTrustConfig(good())
    expect(c).toMatchObject({ ok: true, value: { url: 'http://localhost:23001/', root: ROOT, registry: { origin: 'civic.test/ledger/registry', quorum: 2 }, status: { origin: 'civic.test/ledger/status', quorum: 2 } } })
    if (!c.ok) return
    expect(c.value.registry.witnesses).toHaveLength(3)
    expect(c.value.source).toEqual({ ledger: good().ledger, statusMirrors: good().statusMirrors })
    expect(parseTrustConfig(JSON.parse(JSON.stringify(c.value.source)))).toEqual(c)
  })

  it('maps a list URI to its mirror, the longest base first, else the URI itself', () => {
    const c = parseTrustConfig(good())
    if (!c.ok) throw new Error(c.detail)
    expect(statusListUrl(c.value, 'https://psb.gov.example/status/resident-id/7')).toBe('http://localhost:23005/status/resident-id/7')
    expect(statusListUrl(c.value, 'https://psb.gov.example/status/special/1')).toBe('http://localhost:23006/1')
    expect(statusListUrl(c.value, 'https://other.example/s/1')).toBe('https://other.example/s/1')
  })

  it('refuses, each with ERR_TRUST_CONFIG', () => {
    const l = good().ledger
    const bad: [string, unknown][] = [
      ['not an object', 'x'],
      ['no ledger', { issuers: [] }],
      ['the old single-log member', { ledger: { url: l.url, origin: 'civic.test/ledger', vkey: reg, witnesses: ws, quorum: 2 } }],
      ['an unknown member', { ledger: { ...l, extra: 1 } }],
      ['a bad url', { ledger: { ...l, url: 'ftp://x/' } }],
      ['a url without the final /', { ledger: { ...l, url: 'http://localhost:23001' } }],
      ['a root that is not a did:key', { ledger: { ...l, root: 'did:web:root.example' } }],
      ['a log key that does not parse', { ledger: { ...l, registry: { origin: l.registry.origin, vkey: 'nope' } } }],
      ['a witness key given as a log key', { ledger: { ...l, status: { origin: l.status.origin, vkey: ws[0] } } }],
      ['the same origin twice', { ledger: { ...l, status: l.registry } }],
      ['a quorum above the witnesses', { ledger: { ...l, quorum: 4 } }],
      ['a witness listed twice', { ledger: { ...l, witnesses: [ws[0], ws[0]] } }],
      ['a mirror base that is not https', { ledger: l, statusMirrors: { 'http://psb.gov.example/status/': 'http://x/' } }],
      ['a mirror that is not a URL', { ledger: l, statusMirrors: { 'https://psb.gov.example/status/': 7 } }],
    ]
    for (const [name, v] of bad) {
      const c = parseTrustConfig(v)
      expect([name, c.ok ? 'ok' : c.code]).toEqual([name, 'ERR_TRUST_CONFIG'])
    }
  })
})

describe('civic-config.json (the app\'s config state)', () => {
  it('carries the trust part, parsed, next to the issuers', () => {
    const r = parseCivicConfig(good())
    expect(r).toMatchObject({ ok: true, value: { ledger: good().ledger, statusMirrors: good().statusMirrors, trust: { url: 'http://localhost:23001/' }, issuers: [] } })
  })
  it('is invalid as a whole when its trust part does not parse', () => {
    expect(parseCivicConfig({ ...good(), ledger: { ...good().ledger, quorum: 9 } })).toMatchObject({ ok: false })
  })
})
