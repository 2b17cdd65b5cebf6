// `civic ledger init | serve | info` as an operator runs them: a format-2 ledger.json with both
// logs' keys, serve printing both logs and answering under /registry/ and /status/, and a data
// directory from before the two logs refused with what to do.
import { afterAll, describe, expect, it } from 'vitest'
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { generateNoteKeys } from '../../src/core/log/note.ts'
import { verifyCheckpointNote } from '../../src/core/log/policy.ts'
import { parseLogPolicy } from '../../src/core/log/policy.ts'
import { PROJECT_ROOT } from '../support/vectors.ts'
import { seededRandom } from '../support/keys.ts'

const BIN = join(PROJECT_ROOT, 'src/cli/bin.mjs')
const ROOT = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK'
const base = mkdtempSync(join(tmpdir(), 'civic-ledger-cli-'))
afterAll(() => rmSync(base, { recursive: true, force: true }))
const civic = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 })
  return { code: r.status, out: r.stdout.trim(), err: r.stderr }
}

describe('civic ledger', () => {
  it('init writes a format-2 ledger.json (0600) with both logs; info describes it; init again keeps the keys', () => {
    const d = join(base, 'init')
    const r = civic(['ledger', 'init', '--data', d, '--root', ROOT, '--name', 'ops.test/ledger'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.out)
    expect(out).toMatchObject({ ok: true, name: 'ops.test/ledger', registry: { origin: 'ops.test/ledger/registry' }, status: { origin: 'ops.test/ledger/status' }, root: ROOT, quorum: 0 })
    expect(out.registry.vkey).toMatch(/^ops\.test\/ledger\/registry\+[0-9a-f]{8}\+/)
    expect(out.status.vkey).toMatch(/^ops\.test\/ledger\/status\+[0-9a-f]{8}\+/)
    expect(statSync(join(d, 'ledger.json')).mode & 0o777).toBe(0o600)
    const file = JSON.parse(readFileSync(join(d, 'ledger.json'), 'utf8'))
    expect(Object.keys(file)).toEqual(['version', 'name', 'registry', 'status', 'root', 'witnesses', 'quorum'])
    expect(file.version).toBe(2)
    const info = civic(['ledger', 'info', '--data', d])
    expect(info.code).toBe(0)
    const { ok: _, ...described } = out
    expect(JSON.parse(info.out)).toEqual(described)
    expect(JSON.parse(civic(['ledger', 'init', '--data', d]).out).registry.vkey).toBe(out.registry.vkey)
    expect(civic(['ledger', 'init', '--data', d, '--name', 'other.test/ledger']).code).toBe(2)
  })

  it('serve prints both logs and serves them under /registry/ and /status/', async () => {
    const d = join(base, 'serve')
    const child = spawn(process.execPath, [BIN, 'ledger', 'serve', '--data', d, '--root', ROOT, '--port', '0', '--refresh-seconds', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', resolve)
        child.once('exit', (c) => reject(new Error(`exited ${c}`)))
      })
      const out = JSON.parse(line)
      expect(out).toMatchObject({ ok: true, name: 'civic-wallet.local/ledger', registry: { origin: 'civic-wallet.local/ledger/registry', size: 0 }, status: { origin: 'civic-wallet.local/ledger/status', size: 0 } })
      for (const log of ['registry', 'status'] as const) {
        const r = await fetch(`${out.url}${log}/checkpoint`)
        expect(r.status).toBe(200)
        const policy = parseLogPolicy({ origin: out[log].origin, logKeys: [out[log].vkey] })
        expect(verifyCheckpointNote(new Uint8Array(await r.arrayBuffer()), policy, Math.floor(Date.now() / 1000))).toMatchObject({ ok: true })
      }
      expect((await fetch(`${out.url}checkpoint`)).status).toBe(404)
    } finally {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
    }
  })

  it('refuses a data directory from before the two logs, and a format-1 ledger.json, saying what to do', () => {
    const old = join(base, 'old')
    mkdirSync(join(old, 'log', 'tile'), { recursive: true })
    const r = civic(['ledger', 'serve', '--data', old, '--root', ROOT, '--port', '0'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.err.split('\n')[0]!)).toMatchObject({ ok: false, code: 'ERR_LEDGER_CONFIG' })
    expect(r.err).toMatch(/single-log ledger from before the registry and status logs were apart.*Start from an empty data directory/s)
    const v1 = join(base, 'v1')
    mkdirSync(v1)
    writeFileSync(join(v1, 'ledger.json'), JSON.stringify({ origin: 'x.test/ledger', logKey: generateNoteKeys('x.test/ledger', undefined, seededRandom(4)).signerKey, root: ROOT, witnesses: [], quorum: 0 }))
    for (const args of [['ledger', 'info', '--data', v1], ['ledger', 'serve', '--data', v1, '--port', '0']]) {
      const x = civic(args)
      expect(x.code).toBe(2)
      expect(x.err).toMatch(/ERR_LEDGER_CONFIG.*single-log ledger/s)
    }
    expect(civic(['ledger', 'serve', '--data', join(base, 'x'), '--root', ROOT, '--refresh-seconds', 'soon']).code).toBe(2)
  })
})
