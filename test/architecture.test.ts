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
const IMPORT = /^\s*(?:import|export)\s(type\s)?[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm
const importsOf = (text: string): string[] => [...text.matchAll(IMPORT)].map((m) => (m[2] ?? m[3] ?? m[4])!)
/**
 * The modules a file loads when it runs: relative imports, static and dynamic, resolved to
 * project paths. `import type` / `export type` are erased and left out; `import { type X }` is
 * not (under verbatimModuleSyntax it stays an import).
 */
const runtimeImportsOf = (s: { path: string; text: string }): string[] =>
  [...s.text.matchAll(IMPORT)].filter((m) => !m[1]).map((m) => (m[2] ?? m[3] ?? m[4])!).filter((i) => i.startsWith('.')).map((i) => join(s.path, '..', i))

/**
 * Every cycle of a directed graph, each once, as the path that closes it (`a → b → a`): a
 * depth-first search that reports each edge back to a module still on the stack.
 */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const cycles: string[][] = []
  const visit = (n: string): void => {
    state.set(n, 'open')
    stack.push(n)
    for (const t of graph.get(n) ?? []) {
      if (!graph.has(t)) continue
      if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t])
      else if (!state.has(t)) visit(t)
    }
    stack.pop()
    state.set(n, 'done')
  }
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) visit(n)
  return cycles
}

const doors: [RegExp, string][] = [
  [/^@noble\/|^@scure\//, 'src/core/crypto/'],
  [/^(did-jwt|did-jwt-vc|did-resolver)$/, 'src/core/vc/'],
  [/^idb$/, 'src/store/'],
  [/^(workbox-window|virtual:pwa-register)/, 'src/app/pwa/'],
  [/^uqr$/, 'src/core/exchange/qr.ts'],
  [/^@simplewebauthn\/server$/, 'src/office/officers.ts'],
  [/^@simplewebauthn\/browser$/, 'src/office/webauthn.ts'],
  [/^pg$/, 'src/ledger/storage/postgres.ts'],
  [/^hash-wasm$/, 'src/wallet/kdf.ts'],
  [/^zxing-wasm/, 'src/app/camera/qr-scan.ts'],
  [/^jose$/, 'src/core/jose/jwe.ts'],
  [/^fflate$/, 'src/core/exchange/pack.ts'],
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

  it('the trust engine and the store run in a browser and a Worker: no node:*, nothing but src/core (and src/store for src/trust)', () => {
    const offenders: string[] = []
    for (const s of sources.filter((x) => x.path.startsWith('src/trust/') || x.path.startsWith('src/store/'))) {
      for (const i of importsOf(s.text)) {
        const target = i.startsWith('.') ? join(s.path, '..', i) : null
        const allowed = s.path.startsWith('src/trust/') ? /^src\/(core|store|trust)\// : /^src\/(core|store)\//
        if (i.startsWith('node:') || (target !== null && !allowed.test(target))) offenders.push(`${s.path} → ${i}`)
      }
    }
    expect(sources.some((s) => s.path === 'src/trust/index.ts')).toBe(true)
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
      .filter((s) =>
        importsOf(s.text).some((i) => /^(idb|@noble\/|did-jwt)/.test(i) || (i.startsWith('.') && /^src\/(store|core\/crypto)(\/|$)/.test(join(s.path, '..', i)))) ||
        /\bfetch\s*\(/.test(s.text))
      .map((s) => s.path)
    expect(offenders).toEqual([])
  })

  it('the app loads nothing of the Node side: no src/node, src/ledger or src/cli', () => {
    const offenders = sources
      .filter((s) => s.path.startsWith('src/app/'))
      .flatMap((s) => runtimeImportsOf(s).concat(importsOf(s.text).filter((i) => i.startsWith('.')).map((i) => join(s.path, '..', i))).filter((t) => /^src\/(node|ledger|cli)(\/|$)/.test(t)).map((t) => `${s.path} → ${t}`))
    expect([...new Set(offenders)]).toEqual([])
  })

  it('no import cycle anywhere under src/ (static or dynamic imports)', () => {
    const graph = new Map(sources.map((s) => [s.path, runtimeImportsOf(s)] as const))
    const cycles = findCycles(graph).map((c) => c.join(' → '))
    expect(cycles).toEqual([])
  })

  it('no import cycle either when type imports are counted (the admin wire module takes no type from the server)', () => {
    const all = (x: { path: string; text: string }) => importsOf(x.text).filter((i) => i.startsWith('.')).map((i) => join(x.path, '..', i))
    const graph = new Map(sources.map((s) => [s.path, all(s)] as const))
    expect(findCycles(graph).map((c) => c.join(' → '))).toEqual([])
  })

  it('what the app loads, followed to the end, never imports node:* or a Node-only library', () => {
    const byPath = new Map(sources.map((s) => [s.path, s] as const))
    const seen = new Set<string>()
    const queue = sources.filter((s) => s.path.startsWith('src/app/') || s.path === 'src/main.ts').map((s) => s.path)
    const offenders: string[] = []
    while (queue.length > 0) {
      const p = queue.pop()!
      if (seen.has(p)) continue
      seen.add(p)
      const s = byPath.get(p)
      if (!s) continue
      for (const m of s.text.matchAll(IMPORT)) {
        if (m[1]) continue
        const i = (m[2] ?? m[3] ?? m[4])!
        if (/^node:|^(pg|@simplewebauthn\/server|tsx|vite)$/.test(i)) offenders.push(`${p} → ${i}`)
        if (i.startsWith('.')) queue.push(join(p, '..', i))
      }
    }
    expect(seen.size).toBeGreaterThan(20)
    expect(seen.has('src/issuer/admin-wire.ts')).toBe(true)
    expect(offenders).toEqual([])
  })

  it('the cycle finder finds cycles (and only those) in a small graph', () => {
    const g = (edges: Record<string, string[]>) => new Map(Object.entries(edges))
    expect(findCycles(g({ a: ['b'], b: ['c'], c: [] }))).toEqual([])
    expect(findCycles(g({ a: ['b'], b: ['a'] }))).toEqual([['a', 'b', 'a']])
    expect(findCycles(g({ a: ['a'] }))).toEqual([['a', 'a']])
    expect(findCycles(g({ a: ['b', 'c'], b: ['d'], c: ['d'], d: [] }))).toEqual([]) // a diamond is no cycle
    expect(findCycles(g({ open: ['fs', 'pg'], fs: ['open'], pg: ['open'], x: ['y'], y: [] }))).toEqual([['fs', 'open', 'fs'], ['open', 'pg', 'open']])
    expect(findCycles(g({ a: ['b'], b: ['c'], c: ['a', 'outside'] }))).toEqual([['a', 'b', 'c', 'a']])
  })

  it('the storage modules are the ones of the untied cycle: backends import types.ts, never open.ts', () => {
    const graph = new Map(sources.map((s) => [s.path, runtimeImportsOf(s)] as const))
    expect(graph.get('src/ledger/storage/open.ts')).toEqual(expect.arrayContaining(['src/ledger/storage/fs.ts', 'src/ledger/storage/postgres.ts']))
    for (const b of ['fs', 'postgres']) expect(graph.get(`src/ledger/storage/${b}.ts`)).not.toContain('src/ledger/storage/open.ts')
  })

  it('kernel names say what a function does on bad input: no exported check* throws a coded error (parse* does; TypeError for our own bugs)', () => {
    const offenders: string[] = []
    for (const s of sources.filter((x) => x.path.startsWith('src/core/'))) {
      for (const m of s.text.matchAll(/^export (?:async )?function (check\w*)[^{]*\{/gm)) {
        // the body, by brace depth (kernel sources keep braces out of strings in check* bodies)
        let depth = 1
        let i = m.index! + m[0].length
        for (; i < s.text.length && depth > 0; i++) depth += s.text[i] === '{' ? 1 : s.text[i] === '}' ? -1 : 0
        if (/throw new (?:InputError|CivicError)\b|\bschemaError\(|\br\.fail\(/.test(s.text.slice(m.index! + m[0].length, i))) offenders.push(`${s.path}: ${m[1]}`)
      }
    }
    expect(offenders).toEqual([])
  })

  it('.ci/run fails on a missing snapshot (CI=true) and installs the CJK fonts Chinese screens need', () => {
    const run = readFileSync(join(PROJECT_ROOT, '.ci/run'), 'utf8')
    expect(run).toMatch(/^export CI=true$/m)
    expect(run).toMatch(/need\+=\(fonts-noto-cjk\)/)
  })

  it('README documents every error code of the catalogue, and no other', () => {
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8')
    const documented = new Set([...readme.matchAll(/^\| `(ERR_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]))
    expect([...documented].sort()).toEqual(Object.keys(ERROR_CODES).sort())
  })
})
