// The layering rules of design §3, checked over the source tree: each library has one door,
// the kernel is pure, and Svelte components never reach storage, crypto or the network.
import { describe, expect, it } from 'vitest'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { ERROR_CODES } from '../src/core/errors.ts'
import { PROJECT_ROOT } from './support/vectors.ts'

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? files(p) : /\.(ts|svelte|mjs)$/.test(n) ? [p] : []
  })
}
const SRC = join(PROJECT_ROOT, 'src')
const sources = files(SRC).map((p) => ({ path: relative(PROJECT_ROOT, p), text: readFileSync(p, 'utf8') }))
const importsOf = (text: string): string[] =>
  [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)].map((m) => (m[1] ?? m[2] ?? m[3])!)

const doors: [RegExp, string][] = [
  [/^@noble\//, 'src/core/crypto/'],
  [/^(did-jwt|did-jwt-vc|did-resolver)$/, 'src/core/vc/'],
  [/^idb$/, 'src/wallet/store'],
  [/^(workbox-window|virtual:pwa-register)/, 'src/app/pwa/'],
  [/^uqr$/, 'src/issuer/qr.ts'],
  [/^@simplewebauthn\/server$/, 'src/issuer/officers.ts'],
  [/^@simplewebauthn\/browser$/, 'src/issuer/console-webauthn.ts'],
  [/^pg$/, 'src/ledger/storage/postgres.ts'],
  [/^@sd-jwt\/|^@openid4vc\//, 'test/'],
]

describe('architecture', () => {
  it('finds the sources', () => expect(sources.length).toBeGreaterThan(20))

  it.each(doors.map(([re, door]) => [String(re), re, door] as const))('%s is imported only under its one module', (_n, re, door) => {
    const offenders = sources.filter((s) => importsOf(s.text).some((i) => re.test(i)) && !s.path.startsWith(door)).map((s) => s.path)
    expect(offenders).toEqual([])
  })

  it('src/core imports nothing outside src/core, no node:* and no DOM storage or fetch', () => {
    const offenders: string[] = []
    for (const s of sources.filter((x) => x.path.startsWith('src/core/'))) {
      for (const i of importsOf(s.text)) {
        if (i.startsWith('node:') || (i.startsWith('.') && !join(s.path, '..', i).startsWith('src/core'))) offenders.push(`${s.path} → ${i}`)
      }
      const code = s.text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
      // A parameter the caller passes in (e.g. a tile fetcher) may be named fetch; the global may not be used.
      const fetchIsParameter = /[(,]\s*fetch\s*:/.test(code)
      if (/\b(indexedDB|localStorage|sessionStorage|document|window|XMLHttpRequest|WebSocket)\s*[.(]|globalThis\.fetch/.test(code) || (!fetchIsParameter && /(?<![.\w])fetch\s*\(/.test(code))) {
        offenders.push(`${s.path} touches fetch/storage/DOM`)
      }
    }
    expect(offenders).toEqual([])
  })

  it('the issuer and the ledger services share only src/core and src/node', () => {
    const offenders: string[] = []
    for (const s of sources) {
      for (const i of importsOf(s.text).filter((x) => x.startsWith('.'))) {
        const target = join(s.path, '..', i)
        if (s.path.startsWith('src/issuer/') && target.startsWith('src/ledger')) offenders.push(`${s.path} → ${i}`)
        if (s.path.startsWith('src/ledger/') && target.startsWith('src/issuer')) offenders.push(`${s.path} → ${i}`)
        if (s.path.startsWith('src/node/') && !target.startsWith('src/node') && !target.startsWith('src/core')) offenders.push(`${s.path} → ${i}`)
      }
    }
    expect(offenders).toEqual([])
  })

  it('Svelte components import no crypto, storage or network module', () => {
    const offenders = sources
      .filter((s) => s.path.endsWith('.svelte'))
      .filter((s) => importsOf(s.text).some((i) => /core\/crypto|@noble|idb|wallet\/store|did-jwt/.test(i)) || /\bfetch\s*\(/.test(s.text))
      .map((s) => s.path)
    expect(offenders).toEqual([])
  })

  it('README documents every error code of the catalogue, and no other', () => {
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8')
    const documented = new Set([...readme.matchAll(/^\| `(ERR_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]))
    expect([...documented].sort()).toEqual(Object.keys(ERROR_CODES).sort())
  })
})
