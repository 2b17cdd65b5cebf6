/**
 * `civic ledger init | serve | info`: create, run (sequencers + HTTP, or read-only HTTP) and
 * describe the public ledger — two logs, registry and status, in one process. `init` (or the
 * first `serve`) on a data directory creates its configuration and both log keys.
 */
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { CivicError } from '../core/errors.ts'
import { logVerifierKey, newLedgerConfig, readLedgerConfig, writeLedgerConfig, parseLedgerConfig, formatLedgerConfig, type LedgerConfig, type ParsedLedgerConfig } from '../ledger/config.ts'
import { startLedger } from '../ledger/service.ts'
import { intOption, printJson, untilStopped, UsageError } from './io.ts'

export const LEDGER_USAGE = `civic ledger init  --data <dir> --root <did:key:…> [--name <name>] [--witness <url>=<vkey> …] [--quorum k]
civic ledger serve --data <dir> [--port <n>] [--host 127.0.0.1] [--postgres <url>] [--read-only]
                   [--name <name>] [--root <did:key:…>] [--witness <url>=<vkey> …] [--quorum k]
                   [--refresh-seconds s]   (re-witness idle checkpoints every s seconds; default 60, 0: never)
                   [--rate-per-issuer n] [--rate-per-address n]   (entries / requests per second)
civic ledger info  --data <dir>
  (logs: <url>registry/… and <url>status/…, origins <name>/registry and <name>/status)`

function opts(argv: string[]) {
  try {
    return parseArgs({
      args: argv, strict: true,
      options: {
        data: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, postgres: { type: 'string' }, 'read-only': { type: 'boolean' },
        name: { type: 'string' }, root: { type: 'string' }, 'refresh-seconds': { type: 'string' }, witness: { type: 'string', multiple: true }, quorum: { type: 'string' },
        'max-batch': { type: 'string' }, 'rate-per-issuer': { type: 'string' }, 'rate-per-address': { type: 'string' },
      },
    }).values
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
}

/** The data directory's config, created (not yet written) from the options when it has none; options applied. */
async function configFor(o: ReturnType<typeof opts>, dataDir: string): Promise<LedgerConfig> {
  let cfg: LedgerConfig | null = await readLedgerConfig(dataDir)
  if (!cfg) {
    if (!o.root) throw new UsageError('a new ledger needs --root <did of the governance root>')
    cfg = newLedgerConfig(o.name ?? 'civic-wallet.local/ledger', o.root)
  } else {
    if (o.name && o.name !== cfg.name) throw new CivicError('ERR_LEDGER_CONFIG', `this ledger's name is ${cfg.name}`)
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
  return cfg
}

/** What `info` prints and `serve` and `init` start with: one JSON object. */
function describe(cfg: ParsedLedgerConfig) {
  return {
    name: cfg.name,
    registry: { origin: cfg.registry.origin, vkey: logVerifierKey(cfg, 'registry') },
    status: { origin: cfg.status.origin, vkey: logVerifierKey(cfg, 'status') },
    root: cfg.root, witnesses: cfg.witnesses.map((w) => w.vkey), quorum: cfg.quorum, url: cfg.url ?? null,
  }
}

async function init(argv: string[]): Promise<number> {
  const o = opts(argv)
  if (!o.data) throw new UsageError('--data is required')
  const dataDir = resolve(o.data)
  mkdirSync(dataDir, { recursive: true })
  const cfg = await configFor(o, dataDir)
  await writeLedgerConfig(dataDir, cfg)
  printJson({ ok: true, ...describe(parseLedgerConfig(formatLedgerConfig(cfg))) })
  return 0
}

async function serve(argv: string[]): Promise<number> {
  const o = opts(argv)
  if (!o.data) throw new UsageError('--data is required')
  const dataDir = resolve(o.data)
  mkdirSync(dataDir, { recursive: true })
  const cfg = await configFor(o, dataDir)
  const port = intOption(o.port, 'port') ?? 0
  const refreshSeconds = intOption(o['refresh-seconds'], 'refresh-seconds')
  const parsed = parseLedgerConfig(formatLedgerConfig({ ...cfg, url: undefined }))
  const svc = await startLedger({
    dataDir, config: parsed, ...(o.postgres ? { postgresUrl: o.postgres } : {}), readOnly: o['read-only'] === true,
    host: o.host ?? '127.0.0.1', port,
    ...(o['max-batch'] ? { maxBatch: intOption(o['max-batch'], 'max-batch')! } : {}),
    ...(refreshSeconds !== undefined ? { refreshSeconds } : {}),
    limits: {
      ...(o['rate-per-issuer'] ? { perIssuerPerSecond: intOption(o['rate-per-issuer'], 'rate-per-issuer')! } : {}),
      ...(o['rate-per-address'] ? { perAddressPerSecond: intOption(o['rate-per-address'], 'rate-per-address')! } : {}),
    },
    log: (l) => process.stderr.write(`ledger: ${l}\n`),
  })
  cfg.url = svc.url
  if (!o['read-only']) await writeLedgerConfig(dataDir, cfg)
  const d = describe(parsed)
  printJson({
    ok: true, url: svc.url, name: d.name,
    registry: { ...d.registry, size: svc.registry.sequencer?.size ?? null },
    status: { ...d.status, size: svc.status.sequencer?.size ?? null },
  })
  await untilStopped()
  await svc.close()
  return 0
}

async function info(argv: string[]): Promise<number> {
  const o = opts(argv)
  if (!o.data) throw new UsageError('--data is required')
  const cfg = await readLedgerConfig(resolve(o.data))
  if (!cfg) throw new CivicError('ERR_LEDGER_CONFIG', `no ledger in ${o.data}`)
  printJson(describe(cfg))
  return 0
}

export async function ledgerCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === 'init') return init(rest)
  if (sub === 'serve') return serve(rest)
  if (sub === 'info') return info(rest)
  throw new UsageError(sub ? `unknown command ledger ${sub}` : 'ledger needs a command')
}
