/**
 * `civic start`: the whole system on embedded defaults, on loopback, each service in its own
 * process under a small supervisor (supervisor.ts): three witnesses, the public ledger (fs
 * storage), the two demo issuers (each with its admin API on a listener of its own), the two
 * demo verifiers' counter enrolment services (src/verifier, each with its admin API on a
 * listener of its own) and the PWA's static server. One service's crash or exhaustion leaves
 * the others answering; a crashed one is restarted.
 *
 * The ledger is two logs in one process (design: registry and status apart): the registry log
 * (`<ledger>/registry/`: accreditations, registrations, key changes, suspensions) and the status
 * log (`<ledger>/status/`: status anchors), each with its own origin and key, cosigned by the
 * same three witnesses under one quorum.
 *
 * The supervisor prepares what the services need: on the first start a demo governance root,
 * the ledger's configuration and keys, the witnesses' keys (made by their first start), and the
 * demo seeded onto the registry log over HTTP (seedDemo); on every start the app built once into
 * `<data>/app` with its civic-config.json. Later starts reuse the data; a data directory holding
 * a single-log ledger from before the two logs were apart is refused with the ledger's own
 * message (ERR_LEDGER_CONFIG), before any service starts. Ports follow `--port`
 * (the app's): ledger +1, witnesses +2..+4, issuers +5..+6, their admin APIs +7..+8,
 * verifiers +9..+10, their admin APIs +11..+12. URLs are printed as http://localhost:…
 * (WebAuthn refuses IP addresses as relying-party IDs).
 *
 * After the URLs: each issuing office's first-supervisor link, then for each verifier its
 * counter enrolment link (a fresh one-time code at each start, for every purpose it registered;
 * unused older codes expire on their own), so a newcomer enrols a counter in one click, its
 * verifier console's URL (`<app>/#/verifier?at=<admin URL>`) and, while it has none, the link
 * that enrols its first supervisor there. civic-config.json names the verifiers (`verifiers:
 * [{id, did, name, url}]`), and the app's server lets the app reach them and their admin
 * listeners (`--connect`).
 * Ctrl-C (or SIGTERM) stops every service.
 */
import { parseArgs } from 'node:util'
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { CivicError, isErrorCode } from '../core/errors.ts'
import { LOG_NAMES, logVerifierKey, newLedgerConfig, parseLedgerConfig, readLedgerConfig, writeLedgerConfig, type LedgerConfig, type LogName } from '../ledger/config.ts'
import type { LedgerTrust } from '../issuer/config.ts'
import { firstSupervisorLink } from '../issuer/enrolment.ts'
import { firstSupervisorLink as firstVerifierSupervisorLink, newCounterEnrolment } from '../verifier/enrolment.ts'
import { verifierConsoleLink } from '../verifier/wire.ts'
import { verifierDir } from '../verifier/service.ts'
import { DEMO_ISSUERS, DEMO_VERIFIERS, governanceRoot, seedDemo } from './demo.ts'
import { UsageError, intOption, untilStopped } from './io.ts'
import { stopAll, Supervised, type Ready } from './supervisor.ts'

export const START_USAGE = 'civic start [--data <dir>] [--port <n>] [--host 127.0.0.1] [--prebuilt <dir>]   (app on port; ledger +1, witnesses +2..+4, issuers +5..+6, issuer admin APIs +7..+8, verifiers +9..+10, verifier admin APIs +11..+12)'

/** The ledger's name; its logs' origins are `<name>/registry` and `<name>/status`. */
const LEDGER_NAME = 'civic-wallet.local/ledger'
/** Offset of each issuer's and verifier's admin listener from its public one. */
const ADMIN_OFFSET = 2
/** Offset of the first demo verifier's public listener from the app's port (the next one +1). */
const VERIFIER_OFFSET = 9
/** The name of the counter each start's enrolment link enrols. */
const DEMO_COUNTER_NAME = { 'zh-CN': '演示窗口', en: 'Demo counter' }

/** POST one entry to one log of the ledger child; the ledger's refusal comes back as its coded error. */
async function postEntry(ledgerUrl: string, log: LogName, entry: Uint8Array): Promise<number> {
  const r = await fetch(`${ledgerUrl}${log}/add-entry`, { method: 'POST', body: new Uint8Array(entry), signal: AbortSignal.timeout(60_000) })
  const v = (await r.json().catch(() => null)) as { index?: number; error?: { code?: string; message?: string } } | null
  if (r.ok && typeof v?.index === 'number') return v.index
  const code = v?.error?.code
  throw new CivicError(isErrorCode(code) ? code : 'ERR_LEDGER_UNAVAILABLE', v?.error?.message ?? `the ledger answered HTTP ${r.status}`)
}

async function logSize(ledgerUrl: string, log: LogName): Promise<number | null> {
  try {
    const r = await fetch(`${ledgerUrl}${log}/checkpoint`, { signal: AbortSignal.timeout(10_000) })
    if (!r.ok) return null
    return Number((await r.text()).split('\n')[1])
  } catch {
    return null
  }
}

/**
 * A child that stopped before it was ready, as the service itself said it: its last coded
 * refusal (`{"ok":false,"code","detail"}` on its standard error) becomes this error, named after
 * the service, rather than a wrapper around its output.
 */
export function childRefusal(name: string, e: unknown): unknown {
  if (!(e instanceof CivicError)) return e
  const lines = e.detail.split('\n').map((l) => l.replace(/^.*?(\{"ok":false,)/, '$1')).reverse()
  for (const l of lines) {
    let v: unknown
    try {
      v = JSON.parse(l)
    } catch {
      continue
    }
    const { code, detail } = (v ?? {}) as { code?: unknown; detail?: unknown }
    if (isErrorCode(code) && typeof detail === 'string') return new CivicError(code, `${name}: ${detail}`)
  }
  return e
}

export async function startCommand(argv: string[]): Promise<number> {
  let o
  try {
    o = parseArgs({ args: argv, options: { data: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, prebuilt: { type: 'string' } }, strict: true }).values
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  const port = intOption(o.port, 'port') ?? 8080
  if (port < 1 || port > 65523) throw new UsageError('--port must be 1..65523 (the services take the next twelve ports)')
  const host = o.host ?? '127.0.0.1'
  const data = resolve(o.data ?? '.civic')
  const prebuilt = o.prebuilt === undefined ? null : resolve(o.prebuilt)
  if (prebuilt !== null && (!existsSync(join(prebuilt, 'index.html')) || !existsSync(join(prebuilt, 'sw.js')))) throw new UsageError(`--prebuilt ${prebuilt} holds no built app (index.html and sw.js)`)
  const ledgerDir = join(data, 'ledger')
  mkdirSync(ledgerDir, { recursive: true })
  const log = (line: string): void => void process.stderr.write(`${line}\n`)
  const url = (p: number): string => `http://localhost:${p}`

  // The ledger's identity first: the witnesses follow its two log keys. A directory holding a
  // single-log ledger is refused here (readLedgerConfig), with the ledger's message.
  const known = await readLedgerConfig(ledgerDir)
  const root = await governanceRoot(data)
  const cfg: LedgerConfig = known
    ? { version: known.version, name: known.name, registry: known.registry, status: known.status, root: known.root, witnesses: known.witnesses, quorum: known.quorum }
    : newLedgerConfig(LEDGER_NAME, root.did)
  const parsed = parseLedgerConfig(JSON.stringify(cfg))
  const vkeys = Object.fromEntries(LOG_NAMES.map((l) => [l, logVerifierKey(parsed, l)])) as Record<LogName, string>

  const children: Supervised[] = []
  const run = async (name: string, args: string[]): Promise<{ child: Supervised; ready: Ready }> => {
    const child = new Supervised({ name, args }, log)
    children.push(child)
    try {
      return { child, ready: await child.start() }
    } catch (e) {
      throw childRefusal(name, e)
    }
  }
  let stopping = false
  const onSignal = (): void => void (stopping = true)
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)

  try {
    const witnesses = await Promise.all([1, 2, 3].map((i) => run(`witness-${i}`, [
      'witness', 'serve', '--data', join(data, `witness-${i}`), '--port', String(port + 1 + i), '--host', host,
      '--name', `witness-${i}.civic-wallet.local`, ...LOG_NAMES.flatMap((l) => ['--log', `${cfg[l].origin}=${vkeys[l]}`]),
    ])))
    cfg.witnesses = witnesses.map((w, i) => ({ url: url(port + 2 + i), vkey: String(w.ready.verifierKey) }))
    cfg.quorum = 2
    await writeLedgerConfig(ledgerDir, cfg)
    await run('ledger', ['ledger', 'serve', '--data', ledgerDir, '--port', String(port + 1), '--host', host])
    const ledgerUrl = `${url(port + 1)}/`

    // The demo: accreditations and registrations on the registry log (once), then the issuers.
    const appOrigin = url(port)
    const trust: LedgerTrust = {
      url: url(port + 1), registry: { origin: cfg.registry.origin, logKeys: [vkeys.registry] }, status: { origin: cfg.status.origin, logKeys: [vkeys.status] },
      witnessKeys: cfg.witnesses.map((w) => w.vkey), quorum: cfg.quorum,
    }
    const seeded = await seedDemo({
      dataDir: data, root, trust, host: 'localhost', port, appOrigin, now: Math.floor(Date.now() / 1000),
      post: (entry) => postEntry(ledgerUrl, 'registry', entry),
    })
    const adminHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
    const verifiersStarting = Promise.all(DEMO_VERIFIERS.map(async (v, n) => {
      const publicPort = port + VERIFIER_OFFSET + n
      const adminPort = publicPort + ADMIN_OFFSET
      const { ready } = await run(`verifier-${v.id}`, [
        'verifier', 'serve', '--data', data, '--id', v.id, '--port', String(publicPort), '--host', host,
        '--admin-port', String(adminPort), '--admin-host', adminHost, '--public-url', url(publicPort), '--app-origin', appOrigin,
      ])
      const adminUrl = `${url(adminPort)}/`
      return { ...v, url: String(ready.url), adminUrl, did: String(ready.did ?? v.did), console: typeof ready.console === 'string' ? ready.console : verifierConsoleLink(appOrigin, adminUrl) }
    }))
    // Awaited below, after the issuers; should an issuer fail first, this one's failure is not left unhandled.
    verifiersStarting.catch(() => {})
    const issuers = await Promise.all(DEMO_ISSUERS.map(async (i) => {
      const publicPort = port + i.portOffset
      const adminPort = publicPort + ADMIN_OFFSET
      const { ready } = await run(`issuer-${i.id}`, [
        'issuer', 'serve', '--data', join(data, `issuer-${i.id}`), '--port', String(publicPort), '--host', host,
        '--admin-port', String(adminPort), '--admin-host', adminHost,
        '--public-url', url(publicPort), '--app-origin', appOrigin, '--auto-publish', '60',
      ])
      return { ...i, url: url(publicPort), adminUrl: `${url(adminPort)}/`, did: String(ready.did ?? i.did) }
    }))
    const verifiers = await verifiersStarting

    // Built into the data directory: each running system has its own copy and its own config.
    // --prebuilt: a `vite build` of this tree made already (the e2e tests build once for all
    // their systems) is copied instead; it must hold index.html and sw.js.
    const outDir = join(data, 'app')
    if (prebuilt !== null) {
      rmSync(outDir, { recursive: true, force: true })
      cpSync(prebuilt, outDir, { recursive: true })
    } else {
      const { build } = await import('vite')
      const appRoot = resolve(import.meta.dirname, '../..')
      process.stdout.write('building the app…\n')
      await build({ root: appRoot, logLevel: 'warn', mode: 'production', build: { outDir, emptyOutDir: true } })
    }
    // Where the app finds the services (read by src/app/state/config.svelte.ts).
    writeFileSync(join(outDir, 'civic-config.json'), JSON.stringify({
      ledger: {
        url: ledgerUrl, root: cfg.root,
        registry: { origin: cfg.registry.origin, vkey: vkeys.registry }, status: { origin: cfg.status.origin, vkey: vkeys.status },
        witnesses: cfg.witnesses.map((w) => w.vkey), quorum: cfg.quorum,
      },
      issuers: issuers.map((i) => ({ id: i.id, did: i.did, name: i.name, adminUrl: i.adminUrl })),
      // Status list URIs are the issuers' https names; on this machine each issuer serves them.
      statusMirrors: Object.fromEntries(issuers.map((i) => [i.statusListBase, `${i.url}/status/`])),
      // Where a counter is enrolled (the enrolment links name the same URLs).
      verifiers: verifiers.map((v) => ({ id: v.id, did: v.did, name: v.name, url: v.url })),
    }, null, 2))
    // The app's CSP takes the ledger, issuers and mirrors from civic-config.json; the verifiers' origins are added here.
    await run('app', ['app', 'serve', '--dir', outDir, '--port', String(port), '--host', host, ...verifiers.flatMap((v) => ['--connect', new URL(v.url).origin]), ...verifiers.flatMap((v) => ['--connect', new URL(v.adminUrl).origin])])

    const links: string[] = []
    for (const i of issuers) {
      const link = await firstSupervisorLink({ dataDir: join(data, `issuer-${i.id}`), adminUrl: i.adminUrl, appOrigin, issuerId: i.id })
      if (link) links.push(`  first supervisor (${i.name.en}): ${link}`)
    }
    for (const v of verifiers) {
      const e = await newCounterEnrolment({ dir: verifierDir(data, v.id), adminUrl: v.adminUrl, name: DEMO_COUNTER_NAME, purposes: v.purposes.map((p) => p.id) })
      if (e.link) links.push(`  counter enrolment (${v.name.en}): ${e.link}`)
      links.push(`  verifier console (${v.name.en}): ${v.console}`)
      const first = await firstVerifierSupervisorLink({ dir: verifierDir(data, v.id), adminUrl: v.adminUrl, appOrigin })
      if (first) links.push(`  first supervisor (${v.name.en}): ${first}`)
    }
    const base = `${appOrigin}/`
    const sizes = { registry: await logSize(ledgerUrl, 'registry'), status: await logSize(ledgerUrl, 'status') }
    // `civic log verify` takes a ledger by its two log keys (their names are the origins) and checks the name.
    const logFlags = [`--name ${cfg.name}`, ...LOG_NAMES.map((l) => `--${l}-vkey ${vkeys[l]}`)].join(' ')
    process.stdout.write(
      [
        '',
        `Civic Wallet is running${seeded ? ' (demo seeded: governance root, 2 issuers, 2 verifiers)' : ''}, each service in its own process:`,
        `  citizen wallet     ${base}#/wallet`,
        `  service counter    ${base}#/counter`,
        `  issuer console     ${base}#/issuer`,
        `  ledger explorer    ${base}#/explorer`,
        `  registry log       ${ledgerUrl}registry/checkpoint   (origin ${cfg.registry.origin}, ${sizes.registry ?? '?'} entries)`,
        `  status log         ${ledgerUrl}status/checkpoint   (origin ${cfg.status.origin}, ${sizes.status ?? '?'} entries)`,
        ...cfg.witnesses.map((w, i) => `  witness ${i + 1}          ${w.url}/status`),
        ...issuers.map((i) => `  issuer ${i.id.padEnd(11)} ${i.url}/.well-known/openid-credential-issuer   (${i.name.en})`),
        ...issuers.map((i) => `  admin API ${i.id.padEnd(8)} ${i.adminUrl}admin/info   (loopback only; officers sign in from the console)`),
        ...verifiers.map((v) => `  verifier ${v.id.padEnd(9)} ${v.url}/info   (${v.name.en})`),
        ...verifiers.map((v) => `  admin API ${v.id.padEnd(8)} ${v.adminUrl}admin/info   (loopback only; officers sign in from the verifier console)`),
        `  governance root    ${root.did}`,
        `  data directory     ${data}`,
        ...(links.length ? ['', ...links] : []),
        '',
        `Audit the ledger:  npx civic log verify ${ledgerUrl} ${logFlags} ${cfg.witnesses.map((w) => `--witness ${w.vkey}`).join(' ')} --quorum ${cfg.quorum}`,
        'Ctrl-C stops it.',
        '',
      ].join('\n'),
    )
    for (const c of children) log(`${c.spec.name}: pid ${c.pid}`)
  } catch (e) {
    await stopAll(children)
    throw e
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
  if (!stopping) await untilStopped()
  process.stdout.write('stopping…\n')
  await stopAll(children)
  return 0
}
