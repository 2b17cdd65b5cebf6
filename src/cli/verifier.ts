/**
 * `civic verifier serve`: one demo verifier's counter enrolment service (src/verifier), as
 * `civic start` runs it, one process per verifier. `--data` is the system's data directory:
 * the verifier's registered key is `<data>/verifier-<id>.jwk` (made by the demo seed) and its
 * own files are under `<data>/verifier-<id>/` (service.ts). Who the verifier is — DID, names,
 * purposes, kid — comes from the demo table the seed registered (demo.ts).
 *
 * Prints one JSON line `{ok, url, did, id, adminUrl, admin, console}` once both listeners listen
 * (the supervisor's ready line): `console` is the verifier console's URL in the app
 * (`<app>/#/verifier?at=<admin URL>`, the admin listener named `localhost`, since passkeys refuse
 * IP addresses), null without `--app-origin`. Stops on SIGINT/SIGTERM (exit 0).
 */
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { DEMO_VERIFIERS, DEMO_VERIFIER_KID } from './demo.ts'
import { startVerifierServer } from '../verifier/http.ts'
import { VerifierService, verifierKeyFileName } from '../verifier/service.ts'
import { verifierConsoleLink } from '../verifier/wire.ts'
import { CivicError } from '../core/errors.ts'
import { intOption, untilStopped, UsageError } from './io.ts'

export const VERIFIER_USAGE = `civic verifier serve --data <dir> --id <${DEMO_VERIFIERS.map((v) => v.id).join('|')}> [--port <n>] [--host 127.0.0.1] [--admin-port <n>] [--admin-host 127.0.0.1]
                     [--public-url <url>] [--app-origin <origin>]`

export interface VerifierCommandIo {
  stdout?: (text: string) => void
  stderr?: (text: string) => void
  /** Stops `serve` (besides SIGINT/SIGTERM); for embedding and tests. */
  signal?: AbortSignal
}

export async function verifierCommand(argv: string[], io: VerifierCommandIo = {}): Promise<number> {
  const out = io.stdout ?? ((t: string): void => void process.stdout.write(t))
  const err = io.stderr ?? ((t: string): void => void process.stderr.write(t))
  const [sub, ...rest] = argv
  if (sub !== 'serve') throw new UsageError(sub ? `unknown command verifier ${sub}` : 'verifier needs serve')
  let o
  try {
    o = parseArgs({
      args: rest, strict: true, allowPositionals: false,
      options: { data: { type: 'string' }, id: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'admin-port': { type: 'string' }, 'admin-host': { type: 'string' }, 'public-url': { type: 'string' }, 'app-origin': { type: 'string' } },
    }).values
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  if (!o.data) throw new UsageError('verifier serve needs --data <the system\'s data directory>')
  const demo = DEMO_VERIFIERS.find((v) => v.id === o.id)
  if (!demo) throw new UsageError(`verifier serve needs --id ${DEMO_VERIFIERS.map((v) => v.id).join(' or ')}`)
  const port = intOption(o.port, 'port') ?? 0
  const adminPort = intOption(o['admin-port'], 'admin-port') ?? 0
  if (port > 65535 || adminPort > 65535) throw new UsageError('--port and --admin-port must be 0..65535')
  const dataDir = resolve(o.data)
  const keyFile = join(dataDir, verifierKeyFileName(demo.id))
  if (!existsSync(keyFile)) throw new CivicError('ERR_CLI_FILE', `${keyFile} is missing: the demo seed makes it (civic start)`)
  const say = (l: string): void => err(`verifier: ${l}\n`)
  const svc = await VerifierService.open({ dataDir, identity: { id: demo.id, did: demo.did, name: demo.name, kid: DEMO_VERIFIER_KID, purposes: demo.purposes } })
  let server
  try {
    server = await startVerifierServer(svc, {
      host: o.host ?? '127.0.0.1', port, adminHost: o['admin-host'] ?? '127.0.0.1', adminPort,
      ...(o['public-url'] ? { publicUrl: o['public-url'] } : {}), appOrigin: o['app-origin'] ?? null, log: say,
    })
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') throw new UsageError(`cannot listen: ${code}`)
    throw e
  }
  // The console reaches the admin listener by a name: WebAuthn and the loopback Host check both want one.
  const adminByName = new URL(server.adminUrl)
  if (adminByName.hostname === '127.0.0.1' || adminByName.hostname === '[::1]') adminByName.hostname = 'localhost'
  const consoleUrl = o['app-origin'] ? verifierConsoleLink(o['app-origin'], adminByName.href) : null
  out(`${JSON.stringify({ ok: true, url: server.url, did: svc.did, id: svc.id, adminUrl: server.adminUrl, admin: `${server.adminUrl}admin/`, console: consoleUrl })}\n`)
  await untilStopped(io.signal)
  await server.close()
  return 0
}
