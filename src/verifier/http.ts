/**
 * The verifier enrolment service's HTTP server (node:http), through the one HTTP layer
 * (src/node/http.ts: bodies capped and on a deadline, strict JSON, malformed targets 400, wrong
 * methods 405, errors `{"error":{"code","message"}}`):
 *
 *   GET  /info                        VerifierInfo: DID, id, names, registered purposes
 *   POST /enrol   {code, jwk}         EnrolAnswer: the counter attestation for the P-256 device
 *                                     key `jwk` (the code is used up first; service.ts)
 *
 * The public listener answers the app's origin only: a request that carries another Origin is
 * refused (403 ERR_VERIFIER_FORBIDDEN, the preflight too), and the app's origin gets CORS
 * (no credentials: nothing here uses cookies). A POST must be application/json, which no page
 * of another origin can send without a preflight. Requests with no Origin (the command line, a
 * test) are answered as such: the code is the credential.
 *
 * and, on a second listener of its own (loopback by default, never the public one, which
 * answers 404 there):
 *
 *   GET  /admin/info                  VerifierInfo, the counters enrolled, the codes pending
 *   POST /admin/enrolments {name, purposes} → 201 CreatedEnrolment (the code, once, and its link)
 *
 * Who may call the admin listener: a client on loopback (socket address 127.0.0.1 / ::1),
 * addressing it by a loopback name (the Host header: a DNS-rebinding page is refused), sending
 * no Origin (no browser page has any business here) and the verifier's admin token
 * (`Authorization: Bearer …`, admin-token.ts). Anything else: 403 ERR_VERIFIER_FORBIDDEN.
 *
 * Timers while serving: expired codes are swept every hour.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { CivicError } from '../core/errors.ts'
import { readMembers } from '../core/bytes/shape.ts'
import { allowMethods, closeServer, createHttpServer, listen, mediaType, parseJsonBody, readBody, send, type HttpLimits, type RequestTarget } from '../node/http.ts'
import { ensureAdminToken, isAdminToken } from './admin-token.ts'
import type { VerifierService } from './service.ts'
import { counterEnrolmentLink, type CreatedEnrolment } from './wire.ts'

/** Bytes of a request body: a code and a P-256 JWK, or a counter name and purposes, fit in far less. */
export const MAX_BODY = 8 * 1024
const JSON_LIMITS = { maxLength: MAX_BODY, maxDepth: 8 }
const LOOPBACK_ADDRESS = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])
const LOOPBACK_HOST = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::[0-9]{1,5})?$/i

export interface VerifierServerOptions {
  host?: string
  port?: number
  /** The admin listener's address (default 127.0.0.1) and port (default 0: any free port). */
  adminHost?: string
  adminPort?: number
  /** The URL counters reach this service at (default: the address the public listener listens on). */
  publicUrl?: string
  /** The app's origin: the one origin the public listener answers with CORS, and the enrolment links' base. */
  appOrigin?: string | null
  sweepSeconds?: number
  /** Deadlines and caps of the HTTP layer (defaults: src/node/http.ts). */
  http?: Partial<HttpLimits>
  log?: (line: string) => void
}

export interface VerifierServer {
  /** The public URL (no trailing slash). */
  url: string
  /** The admin listener, with a trailing slash, e.g. http://127.0.0.1:8091/ */
  adminUrl: string
  server: Server
  adminServer: Server
  close(): Promise<void>
}

function forbidden(detail: string): never {
  throw new CivicError('ERR_VERIFIER_FORBIDDEN', detail)
}

function reply(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  if (body === null) return send(res, status, null, headers)
  send(res, status, JSON.stringify(body), { 'content-type': 'application/json; charset=utf-8', ...headers })
}

const originOf = (req: IncomingMessage): string | undefined => (typeof req.headers.origin === 'string' ? req.headers.origin : undefined)

/** A JSON body with exactly `members` (ERR_VERIFIER_BAD_REQUEST), after the layer's size cap and strict JSON. */
async function jsonBody(req: IncomingMessage, members: string[]): Promise<Record<string, unknown>> {
  if (mediaType(req) !== 'application/json') throw new CivicError('ERR_VERIFIER_BAD_REQUEST', 'send application/json')
  const body = parseJsonBody(await readBody(req, { max: MAX_BODY }), JSON_LIMITS)
  return readMembers(body, 'body', members, [], 'ERR_VERIFIER_BAD_REQUEST')
}

/** Who may call the admin listener (see the module comment); throws ERR_VERIFIER_FORBIDDEN. */
export function adminGate(r: { remoteAddress: string | undefined; host: string | undefined; origin: string | undefined }): void {
  if (!r.remoteAddress || !LOOPBACK_ADDRESS.has(r.remoteAddress)) forbidden('the admin API answers loopback clients only')
  if (!r.host || !LOOPBACK_HOST.test(r.host)) forbidden('the admin API must be addressed by a loopback host name')
  if (r.origin !== undefined) forbidden('the admin API answers no browser page')
}

export async function startVerifierServer(svc: VerifierService, o: VerifierServerOptions = {}): Promise<VerifierServer> {
  const log = o.log ?? (() => {})
  const appOrigin = o.appOrigin ?? null
  let base = ''

  /** CORS for the app's origin; any other origin is refused before anything is done for it. */
  const cors = (origin: string | undefined): Record<string, string> =>
    appOrigin && origin === appOrigin ? { 'access-control-allow-origin': appOrigin, vary: 'Origin' } : { vary: 'Origin' }

  // ── the public listener ──
  const handlePublic = async (req: IncomingMessage, res: ServerResponse, target: RequestTarget): Promise<void> => {
    const path = target.path
    const method = req.method ?? 'GET'
    const origin = originOf(req)
    if (path === '/admin' || path.startsWith('/admin/')) throw new CivicError('ERR_HTTP_NOT_FOUND', 'the admin API is not served here')
    if (path !== '/info' && path !== '/enrol') throw new CivicError('ERR_HTTP_NOT_FOUND', `no endpoint ${path.slice(0, 80)}`)
    if (origin !== undefined && origin !== appOrigin) forbidden(`origin ${origin.slice(0, 80)} is not the app`)
    if (method === 'OPTIONS') {
      return reply(res, 204, { ...cors(origin), 'access-control-allow-methods': path === '/enrol' ? 'POST' : 'GET', 'access-control-allow-headers': 'Content-Type', 'access-control-max-age': '600' }, null)
    }
    if (path === '/info') {
      allowMethods(method, ['GET', 'HEAD'], path)
      return reply(res, 200, { ...cors(origin), 'cache-control': 'no-cache' }, svc.info())
    }
    allowMethods(method, ['POST'], path)
    const body = await jsonBody(req, ['code', 'jwk'])
    const answer = await svc.enrol({ code: body.code, counterKey: body.jwk, now: svc.now() })
    log(`enrolled ${answer.counter.id} for ${answer.purposes.join(', ')} until ${answer.exp}`)
    reply(res, 200, { ...cors(origin), 'cache-control': 'no-store' }, answer)
  }
  const server = createHttpServer({
    handle: handlePublic,
    errorReply: (e, _status, req) => ({ headers: cors(originOf(req)), body: { error: { code: e.code, message: e.detail } } }),
    ...(o.http ? { limits: o.http } : {}),
    log,
  })

  // ── the admin listener ──
  const handleAdmin = async (req: IncomingMessage, res: ServerResponse, target: RequestTarget): Promise<void> => {
    const path = target.path
    const method = req.method ?? 'GET'
    adminGate({ remoteAddress: req.socket.remoteAddress, host: req.headers.host, origin: originOf(req) })
    // What is served here is no secret: the path and method are judged before the token.
    const allow = path === '/admin/info' ? ['GET', 'HEAD'] : path === '/admin/enrolments' ? ['POST'] : null
    if (!allow) throw new CivicError('ERR_HTTP_NOT_FOUND', `no admin endpoint ${path.slice(0, 80)}`)
    allowMethods(method, allow, path)
    const m = /^Bearer ([A-Za-z0-9_-]{1,200})$/.exec(req.headers.authorization ?? '')
    if (!m || !(await isAdminToken(svc.dir, m[1]!))) forbidden('send the verifier\'s admin token (Authorization: Bearer …)')
    if (path === '/admin/info') {
      return reply(res, 200, { 'cache-control': 'no-store' }, { ...svc.info(), url: base, counters: await svc.counters(), pendingCodes: await svc.pendingCodes() })
    }
    if (path === '/admin/enrolments') {
      const body = await jsonBody(req, ['name', 'purposes'])
      const c = await svc.createEnrolmentCode({ name: body.name, purposes: body.purposes, now: svc.now() })
      const answer: CreatedEnrolment = { code: c.code, link: appOrigin ? counterEnrolmentLink(appOrigin, base, c.code) : null, expiresAt: c.expiresAt, name: c.name, purposes: c.purposes }
      // The code is in the answer only: the log names the counter, never the code.
      log(`admin: enrolment code made for ${c.name.en} (${c.purposes.join(', ')}), expires ${c.expiresAt}`)
      return reply(res, 201, { 'cache-control': 'no-store' }, answer)
    }
  }
  const adminServer = createHttpServer({ handle: handleAdmin, ...(o.http ? { limits: o.http } : {}), log: (l) => log(`admin: ${l}`) })

  await ensureAdminToken(svc.dir)
  const started: Server[] = []
  let adminUrl = ''
  try {
    const publicBase = await listen(server, o.port ?? 0, o.host ?? '127.0.0.1')
    started.push(server)
    const adminBase = await listen(adminServer, o.adminPort ?? 0, o.adminHost ?? '127.0.0.1')
    started.push(adminServer)
    base = (o.publicUrl ?? publicBase).replace(/\/+$/, '')
    adminUrl = `${adminBase}/`
  } catch (e) {
    for (const s of started) await closeServer(s)
    throw e
  }
  const sweeping = setInterval(() => void svc.sweep(svc.now()).catch((e) => log(`sweep: ${(e as Error).message}`)), (o.sweepSeconds ?? 3600) * 1000).unref()

  return {
    url: base, adminUrl, server, adminServer,
    async close() {
      clearInterval(sweeping)
      await Promise.all([closeServer(server), closeServer(adminServer)])
    },
  }
}
