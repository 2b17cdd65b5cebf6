/**
 * `civic ledger serve | info`: run the public ledger (sequencer + HTTP, or read-only HTTP) and
 * describe it. The first `serve` on a data directory creates its configuration and log key.
 */
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { CivicError } from '../core/errors.ts'
import { logVerifierKey, newLedgerConfig, readLedgerConfig, writeLedgerConfig, parseLedgerConfig, type LedgerConfig } from '../ledger/config.ts'
import { startLedger } from '../ledger/service.ts'
import { intOption, printJson, untilStopped, UsageError } from './io.ts'

export const LEDGER_USAGE = `civic ledger serve --data <dir> [--port <n>] [--host 127.0.0.1] [--postgres <url>] [--read-only]
                   [--origin <origin>] [--root <did:key:…>] [--witness <url>=<vkey> …] [--quorum k]
                   [--rate-per-issuer n] [--rate-per-address n]   (entries / requests per second)
civic ledger info  --data <dir>`

function opts(argv: string[]) {
  try {
    return parseArgs({
      args: argv, strict: true,
      options: {
        data: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, postgres: { type: 'string' }, 'read-only': { type: 'boolean' },
        origin: { type: 'string' }, root: { type: 'string' }, witness: { type: 'string', multiple: true }, quorum: { type: 'string' },
        'max-batch': { type: 'string' }, 'rate-per-issuer': { type: 'string' }, 'rate-per-address': { type: 'string' },
      },
    }).values
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
}

async function serve(argv: string[]): Promise<number> {
  const o = opts(argv)
  if (!o.data) throw new UsageError('--data is required')
  const dataDir = resolve(o.data)
  mkdirSync(dataDir, { recursive: true })
  let cfg: LedgerConfig | null = await readLedgerConfig(dataDir)
  if (!cfg) {
    if (!o.root) throw new UsageError('a new ledger needs --root <did of the governance root>')
    cfg = newLedgerConfig(o.origin ?? 'civic-wallet.local/ledger', o.root)
  } else {
    if (o.origin && o.origin !== cfg.origin) throw new CivicError('ERR_LEDGER_CONFIG', `this ledger's origin is ${cfg.origin}`)
    if (o.root && o.root !== cfg.root) throw new CivicError('ERR_LEDGER_CONFIG', `this ledger's governance root is ${cfg.root}`)
  }
  if (o.witness) {
    cfg.witnesses = o.witness.map((w) => {
      const i = w.indexOf('=')
      if (i <= 0) throw new UsageError('--witness takes <url>=<vkey>')
      return { url: w.slice(0, i), vkey: w.slice(i + 1) }
    })
    cfg.quorum = intOption(o.quorum, 'quorum') ?? cfg.witnesses.length
  } else if (o.quorum !== undefined) cfg.quorum = intOption(o.quorum, 'quorum')!
  const port = intOption(o.port, 'port') ?? 0
  const { origin, logKey, root, witnesses, quorum } = cfg
  const parsed = parseLedgerConfig(JSON.stringify({ origin, logKey, root, witnesses, quorum }))
  const svc = await startLedger({
    dataDir, config: parsed, ...(o.postgres ? { postgresUrl: o.postgres } : {}), readOnly: o['read-only'] === true,
    host: o.host ?? '127.0.0.1', port,
    ...(o['max-batch'] ? { maxBatch: intOption(o['max-batch'], 'max-batch')! } : {}),
    limits: {
      ...(o['rate-per-issuer'] ? { perIssuerPerSecond: intOption(o['rate-per-issuer'], 'rate-per-issuer')! } : {}),
      ...(o['rate-per-address'] ? { perAddressPerSecond: intOption(o['rate-per-address'], 'rate-per-address')! } : {}),
    },
    log: (l) => process.stderr.write(`ledger: ${l}\n`),
  })
  cfg.url = svc.url
  if (!o['read-only']) await writeLedgerConfig(dataDir, cfg)
  printJson({ ok: true, url: svc.url, origin: parsed.origin, vkey: logVerifierKey(parsed), size: svc.sequencer?.size ?? null })
  await untilStopped()
  await svc.close()
  return 0
}

async function info(argv: string[]): Promise<number> {
  const o = opts(argv)
  if (!o.data) throw new UsageError('--data is required')
  const cfg = await readLedgerConfig(resolve(o.data))
  if (!cfg) throw new CivicError('ERR_LEDGER_CONFIG', `no ledger in ${o.data}`)
  printJson({ origin: cfg.origin, vkey: logVerifierKey(cfg), root: cfg.root, witnesses: cfg.witnesses.map((w) => w.vkey), quorum: cfg.quorum, url: cfg.url ?? null })
  return 0
}

export async function ledgerCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === 'serve') return serve(rest)
  if (sub === 'info') return info(rest)
  throw new UsageError(sub ? `unknown command ledger ${sub}` : 'ledger needs a command')
}
