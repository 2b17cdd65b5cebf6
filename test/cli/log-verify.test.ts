// `civic log verify` on a log written by another implementation (Tessera): it succeeds as
// given, and fails with a code once any byte of the checkpoint, a tile or a bundle changes; on
// both logs of a real ledger (over HTTP and from its data directory); and on misbehaviour
// evidence files, which it accepts only when the contradiction they claim is real.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { PROJECT_ROOT, vectorPath } from '../support/vectors.ts'
import { EVIDENCE_FORMAT, verifyEvidence, verifyLedger, verifyLog } from '../../src/cli/log-verify.ts'
import type { LedgerService } from '../../src/ledger/service.ts'
import { makeWorld, NAME, nowSeconds, post, REGISTRY_ORIGIN, registryUrl, STATUS_ORIGIN, statusUrl, type World } from '../ledger/_ledger.ts'
import { cosign, NOW, ToyLog, witnesses } from '../core/log/_fixtures.ts'
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

  it('does not take a directory without a checkpoint for an empty log (a single-log data directory included)', () => {
    const ledgerDir = mkdtempSync(join(tmpdir(), 'civic-ledger-dir-'))
    try {
      cpSync(dir, join(ledgerDir, 'log'), { recursive: true })
      const r = civic(['log', 'verify', ledgerDir, '--origin', ORIGIN, '--vkey', VKEY])
      expect(r.code).toBe(1)
      expect(JSON.parse(r.out)).toMatchObject({ ok: false, code: 'ERR_LOG_FETCH_FAILED' })
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
    expect(civic(['log', 'verify', dir, '--origin', ORIGIN, '--vkey', VKEY, '--status-vkey', VKEY]).code).toBe(2)
    expect(civic(['log', 'verify', dir, '--evidence', join(dir, 'checkpoint')]).code).toBe(2)
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

describe('civic log verify <ledger>: both logs, each a plain tlog', () => {
  let world: World
  let ledger: LedgerService
  beforeAll(async () => {
    world = await makeWorld({ witnesses: 2, quorum: 2 })
    ledger = await world.start()
    await post(registryUrl(ledger), world.accreditation)
    for (let v = 1; v <= 3; v++) await post(statusUrl(ledger), await world.anchor('https://psb.gov.example/status/v', v))
  })
  afterAll(async () => world.cleanup())
  const keys = () => ['--registry-vkey', world.vkeys.registry, '--status-vkey', world.vkeys.status, ...world.witnesses.flatMap((w) => ['--witness', w.verifierKey]), '--quorum', '2']

  it('over HTTP and from the data directory', async () => {
    for (const where of [ledger.url, join(world.dir, 'ledger')]) {
      const r = await civicAsync(['log', 'verify', where, ...keys()])
      expect([where, r.code]).toEqual([where, 0])
      expect(JSON.parse(r.out)).toMatchObject({ ok: true, name: NAME, registry: { origin: REGISTRY_ORIGIN, size: 1 }, status: { origin: STATUS_ORIGIN, size: 3 } })
    }
    expect(JSON.parse((await civicAsync(['log', 'verify', ledger.url, ...keys(), '--name', NAME])).out)).toMatchObject({ ok: true })
  })

  it('refuses the keys swapped, another name, or a quorum the witnesses cannot meet', async () => {
    const swapped = await civicAsync(['log', 'verify', ledger.url, '--registry-vkey', world.vkeys.status, '--status-vkey', world.vkeys.registry])
    expect([swapped.code, JSON.parse(swapped.out).code]).toEqual([1, 'ERR_LOG_ORIGIN_MISMATCH'])
    const named = await civicAsync(['log', 'verify', ledger.url, ...keys(), '--name', 'other.test/ledger'])
    expect([named.code, JSON.parse(named.out).code]).toEqual([1, 'ERR_LOG_ORIGIN_MISMATCH'])
    const quorum = await civicAsync(['log', 'verify', ledger.url, '--registry-vkey', world.vkeys.registry, '--status-vkey', world.vkeys.status, '--witness', world.witnesses[0]!.verifierKey, '--quorum', '1'])
    expect(quorum.code).toBe(0)
    const v = await verifyLedger(ledger.url, { registryKeys: [world.vkeys.registry], statusKeys: [world.vkeys.status], witnessKeys: [otherWitness().verifierKey], quorum: 1 }, nowSeconds())
    expect(v).toMatchObject({ ok: false, code: 'ERR_LOG_QUORUM_NOT_MET' })
  })
})

describe('civic log verify --evidence', () => {
  const [w0, w1] = witnesses(2, 21, () => NOW - 100)
  const log = new ToyLog('example.org/evidence/status', 31).append(8)
  const fork = new ToyLog('example.org/evidence/status', 31).append(4).append(4, 'other')
  const policy = { logKeys: [log.verifierKey], witnessKeys: [w0!.verifierKey, w1!.verifierKey], quorum: 2 }
  const note = (l: ToyLog, size: number) => l.checkpoint(size, [w0!.signer, w1!.signer])
  const b64 = (hs: Uint8Array[]) => hs.map((h) => Buffer.from(h).toString('base64'))
  const item = (kind: string, trustedNote: string, offeredNote: string, consistencyProof: string[] = []) =>
    ({ kind, origin: log.origin, trustedNote, offeredNote, consistencyProof, detail: `${kind} seen`, observedAtSeconds: NOW })
  const file = (evidence: unknown[], policies: Record<string, unknown> = { [log.origin]: policy }) =>
    JSON.stringify({ format: EVIDENCE_FORMAT, policies, evidence })

  it('accepts a real fork, rollback and inconsistency, each checked under its origin\'s policy', async () => {
    const badProof = b64(await log.consistency(4, 8)) // proves 4 → 8 of the log, not of the fork
    const v = verifyEvidence(file([
      item('fork', note(log, 8), note(fork, 8)),
      item('rollback', note(log, 8), note(log, 6)),
      item('inconsistent', note(log, 4), note(fork, 8), badProof.map((h, i) => (i === 0 ? Buffer.alloc(32, 7).toString('base64') : h))),
    ]), NOW)
    expect(v).toMatchObject({ ok: true, value: { items: [{ index: 0, kind: 'fork', trustedSize: 8, offeredSize: 8 }, { kind: 'rollback' }, { kind: 'inconsistent', trustedSize: 4, offeredSize: 8 }] } })
    // through the command line too
    const d = mkdtempSync(join(tmpdir(), 'civic-evidence-'))
    try {
      writeFileSync(join(d, 'ok.json'), file([item('fork', note(log, 8), note(fork, 8))]))
      const r = civic(['log', 'verify', '--evidence', join(d, 'ok.json'), '--now', String(NOW)])
      expect(r.code).toBe(0)
      expect(JSON.parse(r.out)).toMatchObject({ ok: true, format: EVIDENCE_FORMAT, items: [{ kind: 'fork', origin: log.origin }] })
      writeFileSync(join(d, 'no.json'), file([item('fork', note(log, 8), note(log, 8))]))
      const n = civic(['log', 'verify', '--evidence', join(d, 'no.json'), '--now', String(NOW)])
      expect([n.code, JSON.parse(n.out).code]).toEqual([1, 'ERR_LOG_EVIDENCE_INVALID'])
      expect(civic(['log', 'verify', '--evidence', join(d, 'missing.json')]).code).toBe(2)
    } finally {
      rmSync(d, { recursive: true, force: true })
    }
  })

  it.each<[string, () => Promise<string> | string, string]>([
    ['a "fork" of one tree', () => file([item('fork', note(log, 8), note(log, 8))]), 'ERR_LOG_EVIDENCE_INVALID'],
    ['a "fork" of two sizes', () => file([item('fork', note(log, 8), note(fork, 7))]), 'ERR_LOG_EVIDENCE_INVALID'],
    ['a "rollback" that grows', () => file([item('rollback', note(log, 6), note(log, 8))]), 'ERR_LOG_EVIDENCE_INVALID'],
    ['an "inconsistency" whose proof holds', async () => file([item('inconsistent', note(log, 4), note(log, 8), b64(await log.consistency(4, 8)))]), 'ERR_LOG_EVIDENCE_INVALID'],
    ['an "inconsistency" from the empty tree', () => file([item('inconsistent', note(log, 0), note(fork, 8))]), 'ERR_LOG_EVIDENCE_INVALID'],
    ['a note without the quorum', () => file([item('fork', note(log, 8), fork.checkpoint(8, [w0!.signer]))]), 'ERR_LOG_QUORUM_NOT_MET'],
    ['a note the log key did not sign', () => file([item('fork', note(log, 8), cosign(new ToyLog('example.org/evidence/status', 99).append(8).checkpoint(8), [w0!.signer, w1!.signer]))]), 'ERR_NOTE_UNVERIFIED'],
    ['an origin without a policy', () => file([item('fork', note(log, 8), note(fork, 8))], {}), 'ERR_LOG_EVIDENCE_INVALID'],
    ['another format', () => file([]).replace(EVIDENCE_FORMAT, 'civic-trust-evidence/v2'), 'ERR_LOG_EVIDENCE_INVALID'],
    ['an unknown kind', () => file([item('split', note(log, 8), note(fork, 8))]), 'ERR_LOG_EVIDENCE_INVALID'],
    ['an item with an unknown member', () => file([{ ...item('fork', note(log, 8), note(fork, 8)), extra: 1 }]), 'ERR_LOG_EVIDENCE_INVALID'],
    ['a policy with an unknown member', () => file([], { [log.origin]: { ...policy, origin: log.origin } }), 'ERR_LOG_EVIDENCE_INVALID'],
    ['a member twice', () => file([]).replace('{', '{"format":"x",'), 'ERR_JSON_DUPLICATE_KEY'],
  ])('refuses %s', async (_, make, code) => {
    expect(verifyEvidence(await make(), NOW)).toMatchObject({ ok: false, code })
  })
})

/** The command in a child process, without blocking this one (which serves the ledger it reads). */
function civicAsync(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    c.stdout.on('data', (d) => (out += d))
    const timer = setTimeout(() => c.kill('SIGKILL'), 60_000)
    c.once('error', reject)
    c.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, out: out.trim() })
    })
  })
}

function otherWitness() {
  return witnesses(1, 77)[0]!
}
