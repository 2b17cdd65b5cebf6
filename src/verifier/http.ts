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
 * answers 404 there), the verifier's admin API — its console's and its scripts':
 *
 *   GET  /admin/info                  VerifierAdminInfo: VerifierInfo, the public URL, the
 *                                     counters enrolled, how many codes are pending
 *   POST /admin/enrolments {name, purposes} → 201 CreatedEnrolment (the code, once, and its link)
 *   and every office's officer routes (src/office/admin.ts): the ways in (enrolment with a
 *   one-time code, sign-in with a passkey, the session, signing out), the officers, their
 *   enrolments and the audit trail.
 *
 * Who may call the admin listener: a client on loopback (socket address 127.0.0.1 / ::1),
 * addressing it by a loopback name (the Host header: a DNS-rebinding page is refused), with no
 * Origin or the app's (the verifier console: CORS with credentials, the preflight answered);
 * else 403 ERR_VERIFIER_FORBIDDEN. What a known path and method are is no secret: a wrong one
 * is answered as such (405 with Allow, 404) before anyone is asked who they are. Then who is
 * calling, exactly as at an issuer's admin listener: an officer's session (the cookie AND its
 * secret in the x-civic-session header; officers.ts) or, for scripts and `civic start`, the
 * verifier's admin token (`Authorization: Bearer …`, admin-token.ts; supervisor rights). A
 * browser page never holds the token, so one that sends it is refused (403); without either:
 * 401 ERR_VERIFIER_UNAUTHENTICATED. Officers make counter enrolment codes and see the
 * counters; managing officers and the audit trail are for supervisors (403 ERR_VERIFIER_ROLE).
 * Every code made is audited — who, when, the counter's name and the purposes, never the code.
 *
 * Timers while serving: expired codes are swept every hour.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { CivicError } from '../core/errors.ts'
import { readMembers } from '../core/bytes/shape.ts'
import { allowMethods, closeServer, createHttpServer, listen, mediaType, parseJsonBody, readBody, send, type HttpLimits, type RequestTarget } from '../node/http.ts'
import { gateRefusal, OfficeAdmin, type AdminReply, type AdminRequest, type RouteContext } from '../office/admin.ts'
import { ensureAdminToken } from './admin-token.ts'
import { VERIFIER_OFFICE } from './officers.ts'
import { parseCounterName, type VerifierService } from './service.ts'
import { counterEnrolmentLink, type CreatedEnrolment, type VerifierAdminInfo, type VerifierRole } from './wire.ts'

/** Bytes of a request body: a code and a P-256 JWK, or a counter name and purposes, fit in far less. */
export const MAX_BODY = 8 * 1024
const JSON_LIMITS = { maxLength: MAX_BODY, maxDepth: 8 }
/** Bytes of an admin request body: a passkey's registration answer is the largest, a few KiB. */
export const MAX_ADMIN_BODY = 32 * 1024
const CONSOLE_NAME = 'the verifier console'

/** The admin listener's paths and the methods each answers (OPTIONS aside: the console's preflight). */
const ADMIN_ROUTES: readonly [RegExp, readonly string[]][] = [
  [/^\/admin\/info$/, ['GET', 'HEAD']],
  [/^\/admin\/enrolments$/, ['POST']],
  [/^\/admin\/session$/, ['GET', 'HEAD']],
  [/^\/admin\/(?:session\/(?:options|verify|end)|enrol\/(?:options|verify))$/, ['POST']],
  [/^\/admin\/(?:officers|audit)$/, ['GET', 'HEAD']],
  [/^\/admin\/officers\/enrolments$/, ['POST']],
  [/^\/admin\/officers\/enrolments\/[A-Za-z0-9_-]{22}\/cancel$/, ['POST']],
  [/^\/admin\/officers\/[A-Za-z0-9_-]{22}\/disable$/, ['POST']],
]

/** What an officer (not a supervisor) may do: see the verifier and its counters, make counter enrolment codes. */
function officerMay(role: VerifierRole, method: string, path: string): boolean {
  return role === 'officer' && ((method === 'GET' && path === '/admin/info') || (method === 'POST' && path === '/admin/enrolments'))
}

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
  /** The admin API (its officers, sessions and audit trail). */
  admin: OfficeAdmin<VerifierRole>
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
export function adminGate(r: { remoteAddress: string | undefined; host: string | undefined; origin: string | undefined }, appOrigin: string | null = null): void {
  const refused = gateRefusal(r, appOrigin, CONSOLE_NAME)
  if (refused !== null) forbidden(refused)
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
  /** The verifier's own admin routes; the officers' are every office's. */
  const route = async (r: AdminRequest, ctx: RouteContext<VerifierRole>): Promise<AdminReply | null> => {
    if (r.method === 'GET' && r.path === '/admin/info') {
      const info: VerifierAdminInfo = { ...svc.info(), url: base, counters: await svc.counters(), pendingCodes: await svc.pendingCodes() }
      return ctx.reply(200, info)
    }
    if (r.method === 'POST' && r.path === '/admin/enrolments') {
      const body = ctx.body(['name', 'purposes'])
      // What the code is for goes into the audit record before it is made (a refusal names it too); the code never does.
      const name = parseCounterName(body.name)
      ctx.target['counter.zh-CN'] = name['zh-CN']
      ctx.target['counter.en'] = name.en
      if (Array.isArray(body.purposes)) ctx.target.purposes = body.purposes.filter((p) => typeof p === 'string').join(' ').slice(0, 600)
      const c = await svc.createEnrolmentCode({ name, purposes: body.purposes, now: svc.now() })
      ctx.target.purposes = c.purposes.join(' ')
      ctx.target.expiresAt = String(c.expiresAt)
      const answer: CreatedEnrolment = { code: c.code, link: appOrigin ? counterEnrolmentLink(appOrigin, base, c.code) : null, expiresAt: c.expiresAt, name: c.name, purposes: c.purposes }
      // The code is in the answer only: the log names the counter, never the code.
      log(`admin: enrolment code made for ${c.name.en} (${c.purposes.join(', ')}) by ${ctx.officer.name}, expires ${c.expiresAt}`)
      return ctx.reply(201, answer)
    }
    return null
  }
  const admin = new OfficeAdmin<VerifierRole>({
    office: VERIFIER_OFFICE, forbidden: 'ERR_VERIFIER_FORBIDDEN', role: 'ERR_VERIFIER_ROLE', consoleName: CONSOLE_NAME,
    did: svc.did, dataDir: svc.dir, rpName: svc.name.en, now: () => svc.now(), appOrigin,
    log: (l) => log(`admin: ${l}`),
    officerMay, route,
    actionName: (method, path) => (method === 'POST' && path === '/admin/enrolments' ? 'counter-enrolment.create' : null),
  })

  const handleAdmin = async (req: IncomingMessage, res: ServerResponse, target: RequestTarget): Promise<void> => {
    const path = target.path
    const method = req.method ?? 'GET'
    const origin = originOf(req)
    adminGate({ remoteAddress: req.socket.remoteAddress, host: req.headers.host, origin }, appOrigin)
    // What is served here is no secret: the path and method are judged before who is calling.
    const allow = ADMIN_ROUTES.find(([re]) => re.test(path))?.[1]
    if (!allow) throw new CivicError('ERR_HTTP_NOT_FOUND', `no admin endpoint ${path.slice(0, 80)}`)
    const ar: AdminRequest = { method: method === 'HEAD' ? 'GET' : method, path, headers: req.headers, remoteAddress: req.socket.remoteAddress, host: req.headers.host, origin, contentType: mediaType(req), body: new Uint8Array(0) }
    if (method === 'OPTIONS') {
      const r = admin.preflight(ar)
      return reply(res, r.status, r.headers, r.body)
    }
    allowMethods(method, allow, path)
    // The admin token is for scripts: no page of the app holds it, so a browser sending it is refused.
    if (origin !== undefined && req.headers.authorization !== undefined) forbidden('the admin token is for scripts; the console signs in with a passkey')
    if (method === 'POST') ar.body = await readBody(req, { max: MAX_ADMIN_BODY })
    const r = await admin.handle(ar)
    reply(res, r.status, r.headers, r.body)
  }
  const adminServer = createHttpServer({
    handle: handleAdmin,
    errorReply: (e, _status, req) => {
      const r = admin.errorReply(e, originOf(req))
      return { headers: r.headers, body: r.body }
    },
    ...(o.http ? { limits: o.http } : {}),
    log: (l) => log(`admin: ${l}`),
  })

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
    url: base, adminUrl, server, adminServer, admin,
    async close() {
      clearInterval(sweeping)
      await Promise.all([closeServer(server), closeServer(adminServer)])
    },
  }
}
