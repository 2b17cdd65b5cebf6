// `civic log verify` on a log written by another implementation (Tessera): it succeeds as
// given, and fails with a code once any byte of the checkpoint, a tile or a bundle changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { chmodSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { PROJECT_ROOT, vectorPath } from '../support/vectors.ts'
import { verifyLog } from '../../src/cli/log-verify.ts'
import { isErrorCode } from '../../src/core/errors.ts'

const ORIGIN = 'example.com/log/testdata'
const VKEY = 'example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx'
const BIN = join(PROJECT_ROOT, 'src/cli/bin.mjs')
let dir = ''

const civic = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: PROJECT_ROOT, timeout: 60_000 })
  return { code: r.status, out: r.stdout.trim() }
}
function files(d: string): string[] {
  return readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? files(join(d, n)) : [join(d, n)]))
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'civic-tessera-'))
  cpSync(vectorPath('tessera-log'), dir, { recursive: true })
  // The vectors may be read-only; the copy is ours to damage and to remove.
  const own = (d: string): void => {
    chmodSync(d, 0o755)
    for (const n of readdirSync(d)) {
      const p = join(d, n)
      if (statSync(p).isDirectory()) own(p)
      else chmodSync(p, 0o644)
    }
  }
  own(dir)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('civic log verify', () => {
  it('accepts the Tessera log', () => {
    const r = civic(['log', 'verify', dir, '--origin', ORIGIN, '--vkey', VKEY])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, origin: ORIGIN, size: 15 })
  })

  it("takes a ledger's data directory for the log it keeps in log/", () => {
    const ledgerDir = mkdtempSync(join(tmpdir(), 'civic-ledger-dir-'))
    try {
      cpSync(dir, join(ledgerDir, 'log'), { recursive: true })
      const r = civic(['log', 'verify', ledgerDir, '--origin', ORIGIN, '--vkey', VKEY])
      expect(r.code).toBe(0)
      expect(JSON.parse(r.out)).toMatchObject({ ok: true, origin: ORIGIN, size: 15 })
      // A directory with neither is refused, not taken for an empty log.
      const empty = civic(['log', 'verify', join(ledgerDir, 'nothing'), '--origin', ORIGIN, '--vkey', VKEY])
      expect(empty.code).toBe(1)
    } finally {
      rmSync(ledgerDir, { recursive: true, force: true })
    }
  })

  it('refuses it under another origin, another key, or a witness quorum it lacks', () => {
    const wrongOrigin = civic(['log', 'verify', dir, '--origin', 'example.com/other', '--vkey', VKEY])
    expect([wrongOrigin.code, JSON.parse(wrongOrigin.out).code]).toEqual([1, 'ERR_LOG_ORIGIN_MISMATCH'])
    const otherKey = 'example.com/log/testdata+00000000+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx'
    const bad = civic(['log', 'verify', dir, '--origin', ORIGIN, '--vkey', otherKey])
    expect(bad.code).toBe(1)
    expect(JSON.parse(bad.out).code).toBe('ERR_NOTE_KEY_INVALID')
    const usage = civic(['log', 'verify', dir])
    expect(usage.code).toBe(2)
  })

  // Every file, at its first and last byte and 14 spread between (test/core/log flips every byte of the tree the checkpoint names).
  it('fails with a code after a byte of any file changes', async () => {
    const all = files(dir).filter((f) => /\/checkpoint$|\/tile\//.test(f))
    expect(all.length).toBeGreaterThan(5)
    let checked = 0
    for (const f of all) {
      const orig = readFileSync(f)
      for (const i of new Set([orig.length - 1, ...Array.from({ length: 15 }, (_, k) => Math.floor((k * orig.length) / 15))])) {
        const b = Buffer.from(orig)
        b[i] = b[i]! ^ 0x01
        writeFileSync(f, b)
        const v = await verifyLog(dir, { origin: ORIGIN, logKeys: [VKEY] }, Math.floor(Date.now() / 1000))
        if (v.ok) throw new Error(`accepted after flipping byte ${i} of ${relative(dir, f)}`)
        expect(isErrorCode(v.code)).toBe(true)
        checked++
      }
      writeFileSync(f, orig)
    }
    expect(checked).toBeGreaterThan(400)
    expect((await verifyLog(dir, { origin: ORIGIN, logKeys: [VKEY] }, Math.floor(Date.now() / 1000))).ok).toBe(true)
  })
})
