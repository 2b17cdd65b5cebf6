/**
 * `civic issuer …`: set up and run an issuer office (src/issuer).
 *
 * - `init` creates the data directory (key-1, issuer.json, state.json) and prints one JSON line
 *   with what the governance root needs to accredit the issuer on the ledger: DID, kid, public
 *   JWK, vct list, status list base.
 * - `serve` runs the OpenID4VCI endpoints, the status lists and the admin API; prints one JSON
 *   line `{ok, url, did, kid, admin}` once it listens; stops on SIGINT/SIGTERM (exit 0).
 * - `offer`, `revoke`, `suspend`, `reinstate`, `publish`, `rotate`, `list` act on the issuer.
 *   Where they act (decided per call): if a live `serve` holds the data directory, they call its
 *   admin API (the address in `<data>/server.json`), so the running server's state stays the
 *   one truth; otherwise they open the data directory themselves (taking its lock for the
 *   moment they run). Either way they print one JSON line; `offer --qr` prints the QR's SVG on
 *   standard output and the JSON line on standard error.
 *
 * - `admin-token` prints the directory's admin token (made on first need, mode 0600): a bearer
 *   token with supervisor rights for scripts. The CLI itself sends it to a running server.
 * - `officer enrol --role clerk|supervisor [--name …]` prints a one-time enrolment link for the
 *   console; `officer list` the officers and pending enrolments.
 *
 * Exit status: 0 done, 1 refused (a coded error on standard error, or a publish with failures),
 * 2 usage.
 */
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { basename, resolve } from 'node:path'
import { CivicError, type ErrorCode } from '../core/errors.ts'
import { isJsonObject } from '../core/bytes/json.ts'
import { parseCredentialSchema, type CredentialSchema } from '../issuer/schema.ts'
import type { LedgerLog, LogTrust } from '../issuer/config.ts'
import { parseVerifierKey } from '../core/log/note.ts'
import { IssuerService, initIssuer, type StatusAction } from '../issuer/service.ts'
import { startIssuerServer } from '../issuer/http.ts'
import { offerUris } from '../issuer/vci.ts'
import { qrSvg } from '../issuer/qr.ts'
import { lockHolder, readIssuerConfig, readServerInfo, writeServerInfo } from '../issuer/store.ts'
import { intOption, readJsonFile, untilStopped, UsageError } from './io.ts'
import { enrolmentLink } from '../issuer/admin-wire.ts'
import { ensureAdminToken, OfficerStore, readAdminUrl, writeAdminUrl } from '../issuer/officers.ts'
import type { AuditRecord, OfficerView } from '../issuer/admin-wire.ts'

export const ISSUER_USAGE = `civic issuer init    --data <dir> --did <did:web:…> --name-zh <name> --name-en <name> --status-base <https://…/>
                     --ledger <url> --registry-vkey <log key> --status-vkey <log key> [--name <ledger name>] [--witness <key> …] [--quorum k]
                     [--vct <vct> …] [--schema <json file> …] [--public-url <url>] [--app-origin <origin>]
civic issuer serve   --data <dir> [--port <n>] [--host 127.0.0.1] [--admin-port <n>] [--admin-host 127.0.0.1] [--public-url <url>] [--app-origin <origin>] [--auto-publish <seconds>]
civic issuer offer   --data <dir> --vct <vct> --claims <json file> [--officer <ref>] [--no-tx-code] [--qr]
civic issuer revoke|suspend|reinstate --data <dir> --id <credentialId>
civic issuer publish --data <dir> [--force]
civic issuer rotate  --data <dir> [--keep-old]
civic issuer list    --data <dir>
civic issuer admin-token --data <dir>
civic issuer officer enrol --data <dir> --role clerk|supervisor [--name <name>] [--issuer <app id>] [--app-origin <origin>]
civic issuer officer list  --data <dir>`

export interface IssuerCommandIo {
  stdout?: (text: string) => void
  stderr?: (text: string) => void
  /** Stops `serve` (besides SIGINT/SIGTERM); for embedding and tests. */
  signal?: AbortSignal
}

type Spec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>

function options<T extends Spec>(argv: string[], spec: T) {
  try {
    return parseArgs({ args: argv, options: spec, strict: true, allowPositionals: false }).values
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
}

function need(v: string | undefined, flag: string, cmd: string): string {
  if (v === undefined || v === '') throw new UsageError(`issuer ${cmd} needs --${flag}`)
  return v
}

/** A live server holding `dataDir`: its admin listener (no trailing slash) and the admin token; null when none runs. */
async function runningServer(dataDir: string): Promise<{ url: string; token: string } | null> {
  const pid = await lockHolder(dataDir)
  if (pid === null) return null
  const info = await readServerInfo(dataDir)
  if (!info || info.pid !== pid) return null
  // Never the public URL: the token goes only to the admin listener the server itself named.
  const adminUrl = await readAdminUrl(dataDir)
  if (!adminUrl) throw new CivicError('ERR_ISSUER_LOCKED', `a server (pid ${pid}) holds ${dataDir} but has not named its admin listener yet; try again`)
  const url = adminUrl.replace(/\/+$/, '').replace(/\/admin$/, '')
  return { url, token: await ensureAdminToken(dataDir) }
}

async function admin(server: { url: string; token: string }, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
  const url = server.url
  let r: Response
  try {
    r = await fetch(`${url}/admin/${path}`, {
      method,
      headers: { authorization: `Bearer ${server.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'error',
    })
  } catch (e) {
    throw new CivicError('ERR_ISSUER_STORAGE', `the running issuer at ${url} cannot be reached: ${(e as Error).message}`)
  }
  const v = (await r.json().catch(() => null)) as Record<string, unknown> | null
  if (!v) throw new CivicError('ERR_ISSUER_STORAGE', `the running issuer answered HTTP ${r.status} without JSON`)
  const err = v.error as { code?: string; message?: string } | undefined
  if (!r.ok && err && typeof err.code === 'string' && !(path === 'publish' && r.status === 502)) {
    throw new CivicError(err.code as ErrorCode, err.message ?? '')
  }
  return v
}

/**
 * The ledger's two logs from their keys, as `civic log verify` takes them: each log's origin is
 * its keys' name, `<name>/registry` and `<name>/status` (`--name` checks the name).
 */
function ledgerLogs(registryKeys: string[] | undefined, statusKeys: string[] | undefined, name: string | undefined): Record<LedgerLog, LogTrust> {
  const originOf = (keys: string[] | undefined, log: LedgerLog): string => {
    if (!keys?.length) throw new UsageError(`issuer init needs --${log}-vkey <the ${log} log's key> (civic ledger info prints it)`)
    const names = new Set(keys.map((k) => {
      try {
        return parseVerifierKey(k).name
      } catch (e) {
        throw new UsageError(`--${log}-vkey: ${(e as CivicError).detail ?? String(e)}`)
      }
    }))
    if (names.size !== 1) throw new UsageError(`--${log}-vkey: the keys of one log name one origin, and these name ${[...names].join(', ').slice(0, 300)}`)
    return [...names][0]!
  }
  const registry = originOf(registryKeys, 'registry')
  const status = originOf(statusKeys, 'status')
  for (const [log, origin] of [['registry', registry], ['status', status]] as const) {
    const ok = name === undefined ? origin.endsWith(`/${log}`) : origin === `${name}/${log}`
    if (!ok) throw new UsageError(`--${log}-vkey names the log ${origin.slice(0, 200)}, which is not ${name === undefined ? `a ledger's ${log} log (<name>/${log})` : `${name.slice(0, 200)}/${log}`}`)
  }
  if (registry.slice(0, -'/registry'.length) !== status.slice(0, -'/status'.length)) throw new UsageError(`--registry-vkey and --status-vkey name logs of two ledgers (${registry.slice(0, 200)}, ${status.slice(0, 200)})`)
  return { registry: { origin: registry, logKeys: registryKeys! }, status: { origin: status, logKeys: statusKeys! } }
}

/** The command line acting on the directory itself: whoever can read its keys has a supervisor's rights. */
const CLI_OFFICER: OfficerView = { id: 'cli', name: 'command line', role: 'supervisor' }

interface DirectAudit<T> {
  /** The audit trail's name of the action, as the admin API names it (admin.ts actionName). */
  action: string
  target: Record<string, string>
  /** The outcome of an answer that is not a plain success (a publish with failures). */
  outcome?: (r: T) => string
}

/**
 * Run `fn` on the directory when no server holds it. An action (`audit` given) is recorded in
 * the office's audit trail as the admin API records it — "started" before it runs, so one the
 * trail cannot hold is refused with nothing changed, then its outcome — with the command line
 * as the officer.
 */
async function direct<T>(dataDir: string, fn: (svc: IssuerService) => Promise<T>, audit?: DirectAudit<T>): Promise<T> {
  const svc = await IssuerService.open(dataDir)
  try {
    if (!audit) return await fn(svc)
    const store = await OfficerStore.open(dataDir, { appOrigin: svc.config.appOrigin, rpName: svc.config.name.en, now: () => svc.now() })
    const id = randomBytes(9).toString('base64url')
    const record = (outcome: string): AuditRecord => ({ id, at: svc.now(), officer: CLI_OFFICER, action: audit.action, target: { ...audit.target }, outcome })
    await store.audit(record('started'))
    let r: T
    try {
      r = await fn(svc)
    } catch (e) {
      if (e instanceof CivicError) await store.audit(record(e.code)).catch(() => {})
      throw e
    }
    await store.audit(record(audit.outcome?.(r) ?? 'ok')).catch(() => {})
    return r
  } finally {
    await svc.close()
  }
}

export async function issuerCommand(argv: string[], io: IssuerCommandIo = {}): Promise<number> {
  const out = io.stdout ?? ((t: string): void => void process.stdout.write(t))
  const err = io.stderr ?? ((t: string): void => void process.stderr.write(t))
  const line = (v: unknown, to = out) => to(`${JSON.stringify(v)}\n`)
  const [sub, ...rest] = argv

  if (sub === 'init') {
    const o = options(rest, {
      data: { type: 'string' }, did: { type: 'string' }, 'name-zh': { type: 'string' }, 'name-en': { type: 'string' }, 'status-base': { type: 'string' },
      ledger: { type: 'string' }, 'registry-vkey': { type: 'string', multiple: true }, 'status-vkey': { type: 'string', multiple: true },
      name: { type: 'string' }, witness: { type: 'string', multiple: true },
      origin: { type: 'string' }, vkey: { type: 'string', multiple: true },
      quorum: { type: 'string' }, vct: { type: 'string', multiple: true }, schema: { type: 'string', multiple: true },
      'public-url': { type: 'string' }, 'app-origin': { type: 'string' },
    })
    const schemas: CredentialSchema[] = (o.schema ?? []).map((f) => {
      const v = readJsonFile(f, 'schema')
      try {
        return parseCredentialSchema(v, f)
      } catch (e) {
        if (e instanceof CivicError) throw new UsageError(e.detail)
        throw e
      }
    })
    // The flags of a single-log ledger: say what replaced them rather than that they are unknown.
    if (o.origin !== undefined || o.vkey !== undefined) throw new UsageError('issuer init: the ledger is two logs now; give --registry-vkey and --status-vkey instead of --origin/--vkey (civic ledger info prints them)')
    const logs = ledgerLogs(o['registry-vkey'], o['status-vkey'], o.name)
    const witnesses = o.witness ?? []
    const r = await initIssuer(resolve(need(o.data, 'data', 'init')), {
      did: need(o.did, 'did', 'init'),
      name: { 'zh-CN': need(o['name-zh'], 'name-zh', 'init'), en: need(o['name-en'], 'name-en', 'init') },
      statusListBase: need(o['status-base'], 'status-base', 'init'),
      ledger: {
        url: need(o.ledger, 'ledger', 'init'),
        registry: logs.registry,
        status: logs.status,
        witnessKeys: witnesses, quorum: intOption(o.quorum, 'quorum') ?? witnesses.length,
      },
      ...(o.vct ? { vct: o.vct } : {}),
      ...(schemas.length ? { schemas } : {}),
      publicUrl: o['public-url'] ?? null,
      appOrigin: o['app-origin'] ?? null,
    })
    line({ ok: true, ...r })
    return 0
  }

  if (sub === 'serve') {
    const o = options(rest, { data: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'admin-port': { type: 'string' }, 'admin-host': { type: 'string' }, 'public-url': { type: 'string' }, 'app-origin': { type: 'string' }, 'auto-publish': { type: 'string' } })
    const dataDir = resolve(need(o.data, 'data', 'serve'))
    const port = intOption(o.port, 'port') ?? 0
    const adminPort = intOption(o['admin-port'], 'admin-port') ?? 0
    if (port > 65535 || adminPort > 65535) throw new UsageError('--port and --admin-port must be 0..65535')
    const auto = intOption(o['auto-publish'], 'auto-publish')
    const svc = await IssuerService.open(dataDir, { log: (l) => err(`issuer: ${l}\n`) })
    let server
    try {
      server = await startIssuerServer(svc, {
        host: o.host ?? '127.0.0.1', port, adminHost: o['admin-host'] ?? '127.0.0.1', adminPort, ...(o['public-url'] ? { publicUrl: o['public-url'] } : {}),
        ...(o['app-origin'] ? { appOrigin: o['app-origin'] } : {}), autoPublishSeconds: auto ?? null, log: (l) => err(`issuer: ${l}\n`),
      })
      // admin-url first: the CLI trusts it only once server.json names this process.
      await writeAdminUrl(dataDir, server.adminUrl)
      await writeServerInfo(dataDir, { pid: process.pid, url: server.url })
    } catch (e) {
      await server?.close()
      await svc.close()
      throw e
    }
    line({ ok: true, url: server.url, did: svc.did, kid: svc.currentKid, adminUrl: server.adminUrl, admin: `${server.adminUrl}admin/` })
    await untilStopped(io.signal)
    await server.close()
    await svc.close()
    return 0
  }

  if (sub === 'offer') {
    const o = options(rest, { data: { type: 'string' }, vct: { type: 'string' }, claims: { type: 'string' }, officer: { type: 'string' }, 'no-tx-code': { type: 'boolean' }, qr: { type: 'boolean' } })
    const dataDir = resolve(need(o.data, 'data', 'offer'))
    const claims = readJsonFile(need(o.claims, 'claims', 'offer'), 'claims')
    if (!isJsonObject(claims)) throw new UsageError('the claims file must hold a JSON object')
    const request = { vct: need(o.vct, 'vct', 'offer'), claims, ...(o.officer ? { officer: o.officer } : {}), ...(o['no-tx-code'] ? { txCode: false } : {}) }
    const server = await runningServer(dataDir)
    let result: { credentialId: unknown; offerUri: string; offerUriByValue: unknown; txCode: unknown; expiresAt: unknown }
    if (server) {
      const v = await admin(server, 'POST', 'offers', request)
      result = { credentialId: v.credentialId, offerUri: v.offerUri as string, offerUriByValue: v.offerUriByValue, txCode: v.txCode, expiresAt: v.expiresAt }
    } else {
      const config = await readIssuerConfig(dataDir)
      const base = config.publicUrl ?? (await readServerInfo(dataDir))?.url
      if (!base) throw new CivicError('ERR_ISSUER_CONFIG', 'no address for offers yet: give --public-url at init, or serve once')
      const created = await direct(dataDir, (svc) => svc.createOffer(request), { action: 'offer.create', target: {} })
      const uris = offerUris(base, created)
      result = { credentialId: created.credentialId, offerUri: uris.byReference, offerUriByValue: uris.byValue, txCode: created.txCode, expiresAt: created.expiresAt }
    }
    if (o.qr) {
      out(`${qrSvg(result.offerUri)}\n`)
      line({ ok: true, ...result }, err)
    } else line({ ok: true, ...result })
    return 0
  }

  if (sub === 'revoke' || sub === 'suspend' || sub === 'reinstate') {
    const o = options(rest, { data: { type: 'string' }, id: { type: 'string' } })
    const dataDir = resolve(need(o.data, 'data', sub))
    const id = need(o.id, 'id', sub)
    const server = await runningServer(dataDir)
    const r = server ? await admin(server, 'POST', `credentials/${encodeURIComponent(id)}/${sub}`, {}) : await direct(dataDir, (svc) => svc.setStatus(id, sub as StatusAction), { action: `credential.${sub}`, target: { credential: id } })
    line({ ok: true, ...r })
    return 0
  }

  if (sub === 'publish') {
    const o = options(rest, { data: { type: 'string' }, force: { type: 'boolean' } })
    const dataDir = resolve(need(o.data, 'data', 'publish'))
    const server = await runningServer(dataDir)
    const r = server ? await admin(server, 'POST', 'publish', o.force ? { force: true } : {}) : await direct(dataDir, (svc) => svc.publish({ force: o.force === true }), { action: 'lists.publish', target: {}, outcome: (p) => (p.failed.length > 0 ? 'ERR_ISSUER_LEDGER' : 'ok') })
    const failed = (r as { failed?: unknown[] }).failed ?? []
    const { error: _e, ...report } = r as Record<string, unknown>
    line({ ok: failed.length === 0, ...report })
    return failed.length === 0 ? 0 : 1
  }

  if (sub === 'rotate') {
    const o = options(rest, { data: { type: 'string' }, 'keep-old': { type: 'boolean' } })
    const dataDir = resolve(need(o.data, 'data', 'rotate'))
    const server = await runningServer(dataDir)
    const r = server ? await admin(server, 'POST', 'rotate', o['keep-old'] ? { keepOld: true } : {}) : await direct(dataDir, (svc) => svc.rotateKey({ keepOld: o['keep-old'] === true }), { action: 'key.rotate', target: {} })
    line({ ok: true, ...r })
    return 0
  }

  if (sub === 'list') {
    const o = options(rest, { data: { type: 'string' } })
    const dataDir = resolve(need(o.data, 'data', 'list'))
    const server = await runningServer(dataDir)
    const r = server ? await admin(server, 'GET', 'credentials') : await direct(dataDir, async (svc) => ({ credentials: svc.listCredentials() }))
    line({ ok: true, ...r })
    return 0
  }

  if (sub === 'admin-token') {
    const o = options(rest, { data: { type: 'string' } })
    const dataDir = resolve(need(o.data, 'data', 'admin-token'))
    await readIssuerConfig(dataDir)
    out(`${await ensureAdminToken(dataDir)}\n`)
    return 0
  }

  if (sub === 'officer') {
    const [what, ...more] = rest
    if (what === 'enrol') {
      const o = options(more, { data: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, issuer: { type: 'string' }, 'app-origin': { type: 'string' } })
      const dataDir = resolve(need(o.data, 'data', 'officer enrol'))
      const role = need(o.role, 'role', 'officer enrol')
      if (role !== 'clerk' && role !== 'supervisor') throw new UsageError('--role must be clerk or supervisor')
      const config = await readIssuerConfig(dataDir)
      const appOrigin = o['app-origin'] ?? config.appOrigin
      if (!appOrigin) throw new UsageError('officer enrol needs --app-origin (the console origin) when issuer.json has none')
      // The app knows the office by its id in civic-config.json; the demo's directories are issuer-<id>.
      const issuerId = o.issuer ?? basename(dataDir).replace(/^issuer-/, '')
      const request = { role, name: o.name ?? (role === 'clerk' ? 'Clerk' : 'Supervisor') }
      const server = await runningServer(dataDir)
      const e = server
        ? await admin(server, 'POST', 'officers/enrolments', request)
        : await direct(dataDir, async (svc) => (await OfficerStore.open(dataDir, { appOrigin, rpName: svc.config.name.en, now: () => svc.now() })).createEnrolment(request), { action: 'enrolment.create', target: { role } })
      if (!e || typeof e.code !== 'string') throw new CivicError('ERR_ISSUER_ENROLMENT', 'no enrolment was made')
      const { code, ...rest2 } = e as Record<string, unknown>
      line({ ok: true, link: enrolmentLink(appOrigin, issuerId, code as string), ...rest2 })
      return 0
    }
    if (what === 'list') {
      const o = options(more, { data: { type: 'string' } })
      const dataDir = resolve(need(o.data, 'data', 'officer list'))
      const server = await runningServer(dataDir)
      const r = server
        ? await admin(server, 'GET', 'officers')
        : await direct(dataDir, async (svc) => (await OfficerStore.open(dataDir, { appOrigin: svc.config.appOrigin, rpName: svc.config.name.en, now: () => svc.now() })).list())
      line({ ok: true, ...r })
      return 0
    }
    throw new UsageError(what ? `unknown command issuer officer ${what}` : 'issuer officer needs enrol or list')
  }

  throw new UsageError(sub ? `unknown command issuer ${sub}` : 'issuer needs a command')
}
