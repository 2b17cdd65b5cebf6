// `civic witness serve | info` (src/cli/witness.ts): in-process with an abort signal, and as a
// real process killed with SIGKILL right after it answered, to show a returned cosignature's
// state survives a crash.
import { afterAll, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { formatCheckpoint } from '../../src/core/log/checkpoint.ts'
import { hashLeaf, memoryHashReader, proveConsistency, rootFromLeafHashes } from '../../src/core/log/merkle.ts'
import { ed25519NoteSigner, generateNoteKeys, parseSignerKey, signNote, SIG_TYPE_COSIGNATURE_V1 } from '../../src/core/log/note.ts'
import { parseLogOption, witnessCommand, WITNESS_USAGE } from '../../src/cli/witness.ts'
import { requestCosignature } from '../../src/ledger/witness/client.ts'
import { WITNESS_LOCK_FILE } from '../../src/ledger/witness/state.ts'
import { PROJECT_ROOT } from '../support/vectors.ts'
import { seededRandom } from '../support/keys.ts'

const ORIGIN = 'ledger.example/log'
const keys = generateNoteKeys(ORIGIN, undefined, seededRandom(11))
const signer = ed25519NoteSigner(parseSignerKey(keys.signerKey))
const leaves = Array.from({ length: 16 }, (_, i) => hashLeaf(new TextEncoder().encode(`entry-${i}`)))
const checkpoint = (size: number): string => signNote(formatCheckpoint({ origin: ORIGIN, size, rootHash: rootFromLeafHashes(leaves.slice(0, size)), extensions: [] }), [signer])
const proof = (from: number, to: number): Promise<Uint8Array[]> => proveConsistency(from, to, memoryHashReader(leaves.slice(0, to)))

const dirs: string[] = []
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'civic-witness-cli-'))
  dirs.push(d)
  return d
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** Run witnessCommand in-process; resolves with its first stdout line, and a stop function. */
async function serveInProcess(args: string[]): Promise<{ first: { name: string; verifierKey: string; url: string }; stop: () => Promise<number>; stderr: string[] }> {
  const controller = new AbortController()
  const stderr: string[] = []
  let resolveLine!: (l: string) => void
  const line = new Promise<string>((r) => (resolveLine = r))
  const done = witnessCommand(['serve', ...args], { stdout: resolveLine, stderr: (t) => stderr.push(t), signal: controller.signal })
  const first = JSON.parse(await Promise.race([line, done.then((c) => `{"exit":${c}}`)]))
  return { first, stderr, stop: async () => (controller.abort(), done) }
}

describe('civic witness (in process)', () => {
  it('serve prints its name, verifier key and URL; info prints the same identity', async () => {
    const data = tempDir()
    const s = await serveInProcess(['--data', data, '--port', '0', '--name', 'witness.example/w1', '--log', `${ORIGIN}=${keys.verifierKey}`])
    expect(s.first).toEqual({ name: 'witness.example/w1', verifierKey: expect.stringMatching(/^witness\.example\/w1\+[0-9a-f]{8}\+/), url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) })
    const r = await requestCosignature({ url: s.first.url, oldSize: 0, consistencyProof: [], checkpointNote: checkpoint(5), timeoutMs: 5000, witnessKey: s.first.verifierKey })
    expect(r).toMatchObject({ ok: true })
    expect(await s.stop()).toBe(0)
    const out: string[] = []
    expect(await witnessCommand(['info', '--data', data], { stdout: (t) => out.push(t) })).toBe(0)
    expect(out).toEqual([`${JSON.stringify({ name: 'witness.example/w1', verifierKey: s.first.verifierKey })}\n`])
    // stopped cleanly: the data directory is free
    expect(() => readFileSync(join(data, WITNESS_LOCK_FILE))).toThrow()
  })

  it('info on a directory without a key is ERR_LEDGER_CONFIG and creates nothing', async () => {
    const data = tempDir()
    await expect(witnessCommand(['info', '--data', data])).rejects.toMatchObject({ code: 'ERR_LEDGER_CONFIG' })
  })

  it.each([
    [[]],
    [['frobnicate']],
    [['info']],
    [['serve', '--port', '0', '--name', 'w', '--log', `${ORIGIN}=${keys.verifierKey}`]],
    [['serve', '--data', '/tmp/x', '--name', 'w', '--log', `${ORIGIN}=${keys.verifierKey}`]],
    [['serve', '--data', '/tmp/x', '--port', '70000', '--name', 'w', '--log', `${ORIGIN}=${keys.verifierKey}`]],
    [['serve', '--data', '/tmp/x', '--port', '0', '--log', `${ORIGIN}=${keys.verifierKey}`]],
    [['serve', '--data', '/tmp/x', '--port', '0', '--name', 'w']],
    [['serve', '--data', '/tmp/x', '--port', '0', '--name', 'w', '--log', ORIGIN]],
    [['serve', '--data', '/tmp/x', '--port', '0', '--name', 'w', '--log', `${ORIGIN}=${keys.verifierKey}`, '--bogus']],
  ])('usage error for %j', async (argv) => {
    await expect(witnessCommand(argv)).rejects.toMatchObject({ code: 'ERR_CLI_USAGE' })
  })

  it('--log splits at the = that leaves a valid verifier key (vkeys end in = padding; origins may hold =)', () => {
    expect(parseLogOption(`${ORIGIN}=${keys.verifierKey}`)).toEqual({ origin: ORIGIN, vkey: keys.verifierKey })
    const odd = generateNoteKeys('a=b/log', undefined, seededRandom(4)).verifierKey
    expect(parseLogOption(`a=b/log=${odd}`)).toEqual({ origin: 'a=b/log', vkey: odd })
    expect(() => parseLogOption(`${ORIGIN}=${keys.verifierKey.slice(0, -2)}`)).toThrow(expect.objectContaining({ code: 'ERR_CLI_USAGE' }))
    const witnessKey = generateNoteKeys('witness.example/w2', SIG_TYPE_COSIGNATURE_V1, seededRandom(5)).verifierKey
    expect(() => parseLogOption(`${ORIGIN}=${witnessKey}`)).toThrow(expect.objectContaining({ code: 'ERR_CLI_USAGE' }))
    expect(WITNESS_USAGE).toMatch(/^civic witness serve .*\ncivic witness info --data <dir>$/)
  })
})

/** `civic witness serve …` as its own process (the CLI module through tsx, as bin.mjs does). */
function spawnWitness(args: string[]): { child: ChildProcess; first: Promise<{ url: string; verifierKey: string }> } {
  const code = `const { witnessCommand } = await import(${JSON.stringify(pathToFileURL(join(PROJECT_ROOT, 'src/cli/witness.ts')).href)}); process.exitCode = await witnessCommand(process.argv.slice(1))`
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, 'serve', ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  const first = new Promise<{ url: string; verifierKey: string }>((resolve, reject) => {
    let out = ''
    let err = ''
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString()
      if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))))
    })
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()))
    child.on('exit', (c) => reject(new Error(`witness exited with ${c}: ${err}`)))
  })
  return { child, first }
}

const exited = (c: ChildProcess): Promise<unknown> => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)))

describe('civic witness (a real process)', () => {
  it('a cosignature returned just before SIGKILL is not lost: the restarted witness knows its size', async () => {
    const data = tempDir()
    const args = ['--data', data, '--port', '0', '--name', 'witness.example/w1', '--log', `${ORIGIN}=${keys.verifierKey}`]
    const one = spawnWitness(args)
    try {
      const { url, verifierKey } = await one.first
      expect(await requestCosignature({ url, oldSize: 0, consistencyProof: [], checkpointNote: checkpoint(6), timeoutMs: 10_000, witnessKey: verifierKey })).toMatchObject({ ok: true })
      const r = await requestCosignature({ url, oldSize: 6, consistencyProof: await proof(6, 11), checkpointNote: checkpoint(11), timeoutMs: 10_000, witnessKey: verifierKey })
      expect(r).toMatchObject({ ok: true })
      one.child.kill('SIGKILL') // no chance to flush anything after the answer
      await exited(one.child)
    } finally {
      one.child.kill('SIGKILL')
    }
    expect(readFileSync(join(data, WITNESS_LOCK_FILE), 'utf8')).toMatch(new RegExp(`^${one.child.pid}\\n`)) // left behind by the crash

    const two = spawnWitness(args)
    try {
      const { url, verifierKey } = await two.first
      // the restarted witness took over the stale lock and remembers size 11
      const stale = await requestCosignature({ url, oldSize: 6, consistencyProof: await proof(6, 16), checkpointNote: checkpoint(16), timeoutMs: 10_000 })
      expect(stale).toMatchObject({ ok: false, status: 409, knownSize: 11 })
      expect(await requestCosignature({ url, oldSize: 11, consistencyProof: await proof(11, 16), checkpointNote: checkpoint(16), timeoutMs: 10_000, witnessKey: verifierKey })).toMatchObject({ ok: true })
      two.child.kill('SIGTERM')
      await exited(two.child)
      expect(two.child.exitCode).toBe(0)
    } finally {
      two.child.kill('SIGKILL')
    }
  }, 60_000)
})
