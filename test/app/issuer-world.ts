/**
 * A real issuing system for the issuer console's tests: a ledger with three witnesses, the
 * public security bureau (resident ID and social insurance, test/issuer/_world.ts) and a
 * social-security bureau (social insurance) on that ledger, both accredited by its governance
 * root, each with its admin API open to the console origin APP_ORIGIN (http://127.0.0.1:8080).
 *
 * Next to them, a small server plays the two parts around the console:
 *   GET  /civic-config.json        what `civic start` serves next to index.html (CORS *): the
 *                                  two offices, plus a third whose service is down;
 *   GET  /html/civic-config.json   a dev server's index.html instead (→ "missing");
 *   GET  /bad/civic-config.json    JSON of the wrong shape (→ "invalid");
 *   POST /collect {offerUri, txCode, copies}
 *                                  the citizen's wallet: resolves the offer, redeems it (with the
 *                                  transaction code), and requests `copies` one-time copies,
 *                                  each for its own holder key (OpenID4VCI 1.0).
 *
 * Each office's admin API needs an officer's session or its admin token: `tokens` maps each
 * admin origin to its office's token, and `tokenFetch(tokens)` is a fetch that sends it (the
 * console then acts as the "admin token" officer, a supervisor). Passkey sign-in itself is
 * test/issuer/officers.test.ts and test/e2e/officers.test.ts.
 *
 * In-process (`startConsoleWorld`) for node-environment tests; as a child process
 * (`node --import tsx test/app/issuer-world.ts`, printing one JSON line with the URLs, stopping
 * on SIGTERM or when stdin closes) for happy-dom tests, whose fetch would otherwise be the
 * page's own and subject to CORS for the ledger's and witnesses' traffic as well.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createIssuerAccreditationEntry } from '../../src/core/registry/create.ts'
import { initIssuer, IssuerService } from '../../src/issuer/service.ts'
import { startIssuerServer, type IssuerServer } from '../../src/issuer/http.ts'
import { SOCIAL_INSURANCE_VCT } from '../../src/issuer/schema.ts'
import { ensureAdminToken } from '../../src/issuer/officers.ts'
import { APP_ORIGIN, collectOffer, ledgerPost, makeIssuerWorld, PSB, PSB_NAME, type IssuerWorld } from '../issuer/_world.ts'

export { APP_ORIGIN, PSB, PSB_NAME }
export const HRSS = 'did:web:hrss.gov.example'
export const HRSS_NAME = { 'zh-CN': '某市人力资源和社会保障局', en: 'Municipal Human Resources and Social Security Bureau' }
export const DOWN_NAME = { 'zh-CN': '停机测试局', en: 'Bureau Whose Service Is Down' }

export interface ConsoleWorld {
  iw: IssuerWorld
  hrss: { svc: IssuerService; server: IssuerServer }
  /** Where civic-config.json and /collect are served. */
  helperUrl: string
  configUrl: string
  /** What civic-config.json holds. */
  config: CivicConfigJson
  /** Admin origin → that office's admin token. */
  tokens: Record<string, string>
  collect(o: { offerUri: string; txCode: string | null; copies: number }): Promise<number>
  close(): Promise<void>
}

export interface CivicConfigJson {
  ledger: { url: string; root: string; registry: { origin: string; vkey: string }; status: { origin: string; vkey: string }; witnesses: string[]; quorum: number }
  issuers: { id: string; did: string; name: { 'zh-CN': string; en: string }; adminUrl: string }[]
}

const listen = (s: Server): Promise<string> =>
  new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)))

/** A loopback port nothing listens on (taken and released). */
async function deadPort(): Promise<number> {
  const s = createServer()
  await listen(s)
  const port = (s.address() as AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}

/** The wallet's side of the flow, proving its keys at the test world's clock. */
const collectWith = (iw: IssuerWorld, o: { offerUri: string; txCode: string | null; copies: number }): Promise<number> => collectOffer(o.offerUri, o.txCode, o.copies, iw.clock.now)

export async function startConsoleWorld(): Promise<ConsoleWorld> {
  const iw = await makeIssuerWorld()
  // The social-security bureau, on the same ledger.
  const dataDir = join(iw.world.dir, 'issuer-hrss')
  const init = await initIssuer(dataDir, {
    did: HRSS, name: HRSS_NAME, statusListBase: 'https://hrss.gov.example/status/', ledger: iw.trust, vct: [SOCIAL_INSURANCE_VCT], appOrigin: APP_ORIGIN, now: iw.clock.now,
  })
  const accreditation = await createIssuerAccreditationEntry({
    root: iw.world.root, subject: HRSS, id: 'urn:civic:accreditation:hrss:console-test', name: HRSS_NAME,
    keys: [{ kid: init.kid, jwk: init.jwk }], vct: init.vct, statusListBase: init.statusListBase,
    validFrom: iw.clock.now - 3600, validUntil: iw.clock.now + 365 * 86_400,
  })
  const accredited = await ledgerPost(iw.ledger.url, 'registry', accreditation)
  if (accredited.status !== 200) throw new Error(`accreditation refused: ${JSON.stringify(accredited.json)}`)
  const svc = await IssuerService.open(dataDir, { now: () => iw.clock.now })
  const server = await startIssuerServer(svc, {})

  const config: CivicConfigJson = {
    ledger: {
      url: `${iw.trust.url}/`, root: iw.world.root.did,
      registry: { origin: iw.trust.registry.origin, vkey: iw.trust.registry.logKeys[0]! }, status: { origin: iw.trust.status.origin, vkey: iw.trust.status.logKeys[0]! },
      witnesses: iw.trust.witnessKeys, quorum: iw.trust.quorum,
    },
    issuers: [
      { id: 'psb', did: PSB, name: PSB_NAME, adminUrl: `${iw.admin}/` },
      { id: 'hrss', did: HRSS, name: HRSS_NAME, adminUrl: server.adminUrl },
      { id: 'down', did: 'did:web:down.gov.example', name: DOWN_NAME, adminUrl: `http://127.0.0.1:${await deadPort()}` },
    ],
  }
  const tokens: Record<string, string> = {
    [new URL(iw.admin).origin]: iw.adminToken,
    [new URL(server.adminUrl).origin]: await ensureAdminToken(dataDir),
  }
  const helper = createServer((req, res) => {
    const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type', 'cache-control': 'no-store' }
    const path = req.url ?? '/'
    if (req.method === 'OPTIONS') return void res.writeHead(204, { ...cors, 'access-control-allow-methods': 'GET, POST' }).end()
    if (req.method === 'GET' && path === '/civic-config.json') return void res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify(config))
    if (req.method === 'GET' && path === '/html/civic-config.json') return void res.writeHead(200, { ...cors, 'content-type': 'text/html' }).end('<!doctype html><div id="app"></div>')
    if (req.method === 'GET' && path === '/bad/civic-config.json') return void res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end('{"issuers":"none"}')
    if (req.method === 'POST' && path === '/collect') {
      let body = ''
      req.on('data', (d) => (body += d))
      req.on('end', () => {
        collectWith(iw, JSON.parse(body)).then(
          (n) => res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify({ credentials: n })),
          (e) => res.writeHead(500, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify({ error: String(e) })),
        )
      })
      return
    }
    res.writeHead(404, cors).end()
  })
  const helperUrl = await listen(helper)
  return {
    iw, hrss: { svc, server }, helperUrl, configUrl: `${helperUrl}/civic-config.json`, config, tokens,
    collect: (o) => collectWith(iw, o),
    async close() {
      await new Promise((r) => helper.close(r))
      helper.closeAllConnections()
      await server.close()
      await svc.close()
      await iw.cleanup()
    },
  }
}

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>

/** A fetch that sends each office's admin token to its admin listener (and nothing elsewhere). */
export function tokenFetch(tokens: Readonly<Record<string, string>>, base: FetchLike = (u, i) => fetch(u, i)): FetchLike {
  return (input, init = {}) => {
    const token = tokens[new URL(input).origin]
    if (!token) return base(input, init)
    return base(input, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${token}` } })
  }
}

// As a child process: print the URLs, serve until told to stop.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const w = await startConsoleWorld()
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    void w.close().finally(() => process.exit(0))
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  process.stdin.on('end', stop).resume()
  process.stdout.write(`${JSON.stringify({ helperUrl: w.helperUrl, configUrl: w.configUrl, config: w.config, tokens: w.tokens })}\n`)
}
