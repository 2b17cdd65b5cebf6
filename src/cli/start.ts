/**
 * `civic start`: the whole system on embedded defaults, on loopback, in one process: the
 * public ledger (fs storage), three witnesses, and the PWA. The first start creates a demo
 * governance root and the ledger's keys in the data directory; later starts reuse them.
 * Prints each role's URL; stops cleanly on Ctrl-C.
 */
import { parseArgs } from 'node:util'
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { writeFileSync } from 'node:fs'
import { logVerifierKey, newLedgerConfig, parseLedgerConfig, readLedgerConfig, writeLedgerConfig } from '../ledger/config.ts'
import { startLedger } from '../ledger/service.ts'
import { createWitnessServer, type WitnessServer } from '../ledger/witness/server.ts'
import { IssuerService } from '../issuer/service.ts'
import { startIssuerServer } from '../issuer/http.ts'
import { DEMO_ISSUERS, governanceRoot, issuerUrl, seedDemo } from './demo.ts'
import { UsageError, intOption, untilStopped } from './io.ts'

export const START_USAGE = 'civic start [--data <dir>] [--port <n>] [--host 127.0.0.1]   (ledger port+1, witnesses port+2..+4, issuers port+5..+6)'

const ORIGIN = 'civic-wallet.local/ledger'
export async function startCommand(argv: string[]): Promise<number> {
  let o
  try {
    o = parseArgs({ args: argv, options: { data: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } }, strict: true }).values
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  const port = intOption(o.port, 'port') ?? 8080
  if (port < 1 || port > 65530) throw new UsageError('--port must be 1..65530')
  const host = o.host ?? '127.0.0.1'
  const data = resolve(o.data ?? '.civic')
  const ledgerDir = join(data, 'ledger')
  mkdirSync(ledgerDir, { recursive: true })

  // The ledger's identity first: the witnesses follow its key.
  const root = await governanceRoot(data)
  const cfg = (await readLedgerConfig(ledgerDir)) ?? newLedgerConfig(ORIGIN, root.did)
  const vkey = logVerifierKey(parseLedgerConfig(JSON.stringify(cfg)))

  const witnesses: WitnessServer[] = []
  const stops: (() => Promise<void>)[] = []
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch(() => {})
  }
  try {
    const witnessUrls: string[] = []
    for (let i = 1; i <= 3; i++) {
      const w = await createWitnessServer({ dataDir: join(data, `witness-${i}`), name: `witness-${i}.civic-wallet.local`, logs: [{ origin: cfg.origin, vkey }] })
      stops.push(() => w.close())
      witnesses.push(w)
      witnessUrls.push(await w.listen(port + 1 + i, host))
    }
    cfg.witnesses = witnesses.map((w, i) => ({ url: witnessUrls[i]!, vkey: w.verifierKey }))
    cfg.quorum = 2
    await writeLedgerConfig(ledgerDir, cfg)
    const ledger = await startLedger({ dataDir: ledgerDir, config: parseLedgerConfig(JSON.stringify(cfg)), host, port: port + 1, log: (l) => process.stderr.write(`ledger: ${l}\n`) })
    stops.push(() => ledger.close())
    cfg.url = ledger.url
    await writeLedgerConfig(ledgerDir, cfg)

    // The demo: accreditations and registrations on the ledger (once), then the issuers.
    const appOrigin = `http://${host}:${port}`
    const trust = { url: ledger.url.replace(/\/$/, ''), origin: cfg.origin, logKeys: [vkey], witnessKeys: cfg.witnesses.map((w) => w.vkey), quorum: cfg.quorum }
    const seeded = await seedDemo({
      dataDir: data, root, trust, host, port, appOrigin, now: Math.floor(Date.now() / 1000),
      post: (entry) => ledger.sequencer!.add(entry),
    })
    const issuers = []
    for (const i of DEMO_ISSUERS) {
      const svc = await IssuerService.open(join(data, `issuer-${i.id}`), { log: (l) => process.stderr.write(`issuer ${i.id}: ${l}\n`) })
      stops.push(() => svc.close())
      const srv = await startIssuerServer(svc, { host, port: port + i.portOffset, publicUrl: issuerUrl(host, port, i), appOrigin, autoPublishSeconds: 60 })
      stops.push(() => srv.close())
      issuers.push({ ...i, url: srv.url })
    }

    const { build, preview } = await import('vite')
    const appRoot = resolve(import.meta.dirname, '../..')
    process.stdout.write('building the app…\n')
    // Built into the data directory: each running system has its own copy and its own config.
    const outDir = join(data, 'app')
    await build({ root: appRoot, logLevel: 'warn', mode: 'production', build: { outDir, emptyOutDir: true } })
    // Where the app finds the services (read by src/app/state/config.svelte.ts).
    writeFileSync(join(outDir, 'civic-config.json'), JSON.stringify({
      ledger: { url: ledger.url, origin: cfg.origin, vkey, witnesses: cfg.witnesses.map((w) => w.vkey), quorum: cfg.quorum },
      issuers: issuers.map((i) => ({ id: i.id, did: i.did, name: i.name, adminUrl: `${i.url.replace(/\/$/, '')}/` })),
      // Status list URIs are the issuers' https names; on this machine each issuer serves them.
      statusMirrors: Object.fromEntries(issuers.map((i) => [i.statusListBase, `${i.url.replace(/\/$/, '')}/status/`])),
    }, null, 2))
    const server = await preview({ root: appRoot, build: { outDir }, preview: { host, port, strictPort: true }, logLevel: 'warn' })
    stops.push(() => new Promise<void>((r) => server.httpServer.close(() => r())))
    const base = `http://${host}:${port}/`
    process.stdout.write(
      [
        '',
        `Civic Wallet is running${seeded ? ' (demo seeded: governance root, 2 issuers, 2 verifiers)' : ''}:`,
        `  citizen wallet     ${base}#/wallet`,
        `  service counter    ${base}#/counter`,
        `  issuer console     ${base}#/issuer`,
        `  ledger explorer    ${base}#/explorer`,
        `  public ledger      ${ledger.url}checkpoint   (origin ${cfg.origin}, ${ledger.sequencer?.size ?? 0} entries)`,
        ...witnesses.map((w, i) => `  witness ${i + 1}          ${witnessUrls[i]}/status`),
        ...issuers.map((i) => `  issuer ${i.id.padEnd(11)} ${i.url.replace(/\/$/, '')}/.well-known/openid-credential-issuer   (${i.name.en})`),
        `  governance root    ${root.did}`,
        `  data directory     ${data}`,
        '',
        `Audit the ledger:  npx civic log verify ${ledger.url} --origin ${cfg.origin} --vkey ${vkey} ${witnesses.map((w) => `--witness ${w.verifierKey}`).join(' ')} --quorum 2`,
        'Ctrl-C stops it.',
        '',
      ].join('\n'),
    )
  } catch (e) {
    await stopAll()
    throw e
  }
  await untilStopped()
  process.stdout.write('stopping…\n')
  await stopAll()
  return 0
}
