/**
 * The ledger as deployed for the bench: `civic ledger serve` and three `civic witness serve`
 * as their own processes (real CLI, real HTTP), so the load generator in this process does not
 * share an event loop with the server it measures.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { didKeyFromJwk } from '../../src/core/crypto/did.ts'
import { publicJwkOf } from '../../src/core/crypto/jwk.ts'
import { parseLogPolicy, type LogPolicy } from '../../src/core/log/policy.ts'
import type { EntrySigner } from '../../src/core/registry/create.ts'
import { formatLedgerConfig, logVerifierKey, newLedgerConfig, parseLedgerConfig, writeLedgerConfig } from '../../src/ledger/config.ts'
import { PROJECT_ROOT } from '../support/vectors.ts'
import { testKey } from '../support/keys.ts'

const BIN = join(PROJECT_ROOT, 'src/cli/bin.mjs')

async function civic(args: string[]): Promise<{ child: ChildProcess; line: Record<string, unknown> }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  child.stderr!.on('data', (d) => (err += d))
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve)
    child.once('exit', (code) => reject(new Error(`civic ${args[0]} exited ${code}: ${err}`)))
  })
  return { child, line: JSON.parse(line) as Record<string, unknown> }
}

export interface LedgerProcesses {
  /** The ledger's base URL; its logs are at `<url>registry/` and `<url>status/`. */
  url: string
  root: EntrySigner
  /** Each log's origin and policy (log key, the witnesses' keys, quorum). */
  registry: { origin: string; policy: LogPolicy }
  status: { origin: string; policy: LogPolicy }
  stop(): Promise<void>
}

export async function startLedgerProcesses(o: { postgresUrl?: string; witnesses?: number; quorum?: number } = {}): Promise<LedgerProcesses> {
  const dir = mkdtempSync(join(tmpdir(), 'civic-bench-'))
  const rootKey = testKey('EdDSA')
  const root: EntrySigner = { did: didKeyFromJwk(publicJwkOf(rootKey.jwk)), signer: rootKey.signer }
  const cfg = newLedgerConfig('bench.civic.test/ledger', root.did)
  const parsed = parseLedgerConfig(formatLedgerConfig(cfg))
  const vkeys = { registry: logVerifierKey(parsed, 'registry'), status: logVerifierKey(parsed, 'status') }
  const children: ChildProcess[] = []
  const stop = async () => {
    await Promise.all(children.map((c) => new Promise<void>((r) => (c.exitCode !== null ? r() : (c.once('exit', () => r()), c.kill('SIGTERM'))))))
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    const witnesses: { url: string; vkey: string }[] = []
    for (let i = 0; i < (o.witnesses ?? 3); i++) {
      const w = await civic(['witness', 'serve', '--data', join(dir, `w${i}`), '--port', '0', '--name', `w${i}.bench.civic.test`,
        '--log', `${cfg.registry.origin}=${vkeys.registry}`, '--log', `${cfg.status.origin}=${vkeys.status}`])
      children.push(w.child)
      witnesses.push({ url: String(w.line.url), vkey: String(w.line.verifierKey) })
    }
    mkdirSync(join(dir, 'ledger'))
    await writeLedgerConfig(join(dir, 'ledger'), { ...cfg, witnesses, quorum: o.quorum ?? 2 })
    const args = ['ledger', 'serve', '--data', join(dir, 'ledger'), '--port', '0', '--rate-per-issuer', '1000000000', '--rate-per-address', '1000000000']
    if (o.postgresUrl) args.push('--postgres', o.postgresUrl)
    const l = await civic(args)
    children.push(l.child)
    const policy = (log: 'registry' | 'status') => ({
      origin: cfg[log].origin,
      policy: parseLogPolicy({ origin: cfg[log].origin, logKeys: [vkeys[log]], witnessKeys: witnesses.map((w) => w.vkey), quorum: o.quorum ?? 2 }),
    })
    return { url: String(l.line.url), root, registry: policy('registry'), status: policy('status'), stop }
  } catch (e) {
    await stop()
    throw e
  }
}
