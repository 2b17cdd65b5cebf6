/**
 * The issuer's HTTP server (node:http):
 *
 *   GET  /.well-known/openid-credential-issuer    Credential Issuer Metadata (vci.ts)
 *   GET  /.well-known/oauth-authorization-server  AS metadata (RFC 8414)
 *   GET  /offers/<handle>                         a pending Credential Offer (by reference; the
 *                                                 handle is derived under the secrets key, never
 *                                                 the offer id kept in state.json)
 *   POST /token                                   pre-authorized code → access token
 *   POST /nonce                                   c_nonce
 *   POST /credential                              batch issuance
 *   GET  <status path><n>                         the latest anchored statuslist+jwt of list n
 *                                                 (draft-ietf-oauth-status-list §8.1, media type
 *                                                 application/statuslist+jwt), e.g. /status/1
 *
 * and, on a second listener of its own (loopback by default, never the public one, which
 * answers 404 there):
 *
 *   *    /admin/…                                 the console's API (admin.ts)
 *
 * The public endpoints answer any origin (CORS `*`: a browser wallet on another origin uses
 * them; they carry no cookies). The admin listener answers the console's origin only, with
 * credentials (its sessions are cookies). Both go through the one HTTP layer
 * (src/node/http.ts): bodies capped and on a deadline, strict JSON, malformed targets 400,
 * wrong methods 405. The Credential Issuer Identifier is the configured `publicUrl`, else the
 * address the public listener listens on.
 *
 * Timers while serving: expired offers are swept (their claims deleted) every 30 s; with
 * `autoPublishSeconds`, lists that changed, were never published or are past half their ttl are
 * published in the background (a failure is logged and retried at the next tick).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { CivicError } from '../core/errors.ts'
import { allowMethods, closeServer, createHttpServer, HttpError, listen, mediaType, readBody, send, type HttpLimits, type RequestTarget } from '../node/http.ts'
import { AdminApi, type AdminRequest } from './admin.ts'
import { statusPathPrefix } from './config.ts'
import type { IssuerService } from './service.ts'
import { authorizationServerMetadata, issuerMetadata, offerObject, vciErrorResponse, VciEndpoints, type Reply } from './vci.ts'

export const STATUS_LIST_MEDIA_TYPE = 'application/statuslist+jwt'
const MAX_BODY = 256 * 1024
const PUBLIC_CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'WWW-Authenticate, DPoP-Nonce',
}

export interface IssuerServerOptions {
  host?: string
  port?: number
  /** The admin listener's address (default 127.0.0.1) and port (default 0: any free port). */
  adminHost?: string
  adminPort?: number
  /** Overrides the configured publicUrl (the Credential Issuer Identifier). */
  publicUrl?: string
  /** Overrides the configured console origin for CORS on /admin/. */
  appOrigin?: string | null
  /** Publish due lists every so many seconds; null (default): only on request. */
  autoPublishSeconds?: number | null
  sweepSeconds?: number
  /** Deadlines and caps of the HTTP layer (defaults: src/node/http.ts). */
  http?: Partial<HttpLimits>
  log?: (line: string) => void
}

export interface IssuerServer {
  /** The Credential Issuer Identifier (no trailing slash). */
  url: string
  /** The admin listener, with a trailing slash, e.g. http://127.0.0.1:8087/ */
  adminUrl: string
  server: Server
  adminServer: Server
  vci: VciEndpoints
  admin: AdminApi
  close(): Promise<void>
}

function reply(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown, type = 'application/json'): void {
  if (body === null) return send(res, status, null, headers)
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  send(res, status, text, { 'content-type': type === 'application/json' ? 'application/json; charset=utf-8' : type, ...headers })
}

const isAdminPath = (path: string): boolean => path === '/admin' || path.startsWith('/admin/')

export async function startIssuerServer(svc: IssuerService, o: IssuerServerOptions = {}): Promise<IssuerServer> {
  const host = o.host ?? '127.0.0.1'
  const log = o.log ?? (() => {})
  let base = ''
  const getBase = () => base
  const vci = new VciEndpoints(svc, getBase)
  const admin = new AdminApi(svc, getBase, o.appOrigin !== undefined ? o.appOrigin : svc.config.appOrigin, { log: (l) => log(`admin: ${l}`) })
  const statusPrefix = statusPathPrefix(svc.config.statusListBase)

  // ── the admin listener ──
  const handleAdmin = async (req: IncomingMessage, res: ServerResponse, target: RequestTarget): Promise<void> => {
    const path = target.path
    const method = req.method ?? 'GET'
    if (!isAdminPath(path)) throw new CivicError('ERR_ISSUER_NOT_FOUND', `no admin endpoint ${path.slice(0, 80)}`)
    allowMethods(method, ['GET', 'HEAD', 'POST', 'OPTIONS'], path)
    const body = method === 'POST' ? await readBody(req, { max: MAX_BODY }) : new Uint8Array(0)
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined
    const ar: AdminRequest = { method: method === 'HEAD' ? 'GET' : method, path, headers: req.headers, remoteAddress: req.socket.remoteAddress, host: req.headers.host, origin, contentType: mediaType(req), body }
    const r = method === 'OPTIONS' ? admin.preflight(ar) : await admin.handle(ar)
    reply(res, r.status, r.headers, r.body)
  }
  const adminServer = createHttpServer({
    handle: handleAdmin,
    errorReply: (e, _status, req) => {
      const r = admin.errorReply(e, typeof req.headers.origin === 'string' ? req.headers.origin : undefined)
      return { headers: r.headers, body: r.body }
    },
    ...(o.http ? { limits: o.http } : {}),
    log: (l) => log(`admin: ${l}`),
  })

  // ── the public listener ──
  const route = async (method: string, path: string, req: IncomingMessage): Promise<Reply> => {
    if (path === '/.well-known/openid-credential-issuer' || path === '/.well-known/oauth-authorization-server' || path.startsWith('/offers/') || path.startsWith(statusPrefix)) {
      allowMethods(method, ['GET', 'HEAD'], path)
    }
    if (path === '/nonce' || path === '/token' || path === '/credential') allowMethods(method, ['POST'], path)
    if (method === 'GET' || method === 'HEAD') {
      if (path === '/.well-known/openid-credential-issuer') return { status: 200, body: issuerMetadata(svc, base) }
      if (path === '/.well-known/oauth-authorization-server') return { status: 200, body: authorizationServerMetadata(svc, base) }
      const offer = /^\/offers\/([A-Za-z0-9_-]{1,64})$/.exec(path)
      if (offer) {
        const handle = offer[1]!
        const p = svc.pendingOffer(handle)
        if (!p) {
          const e = svc.offerProblem(handle)
          return { ...vciErrorResponse(e, 'other'), status: 404 }
        }
        return { status: 200, headers: { 'cache-control': 'no-store' }, body: offerObject(base, p) }
      }
      if (path.startsWith(statusPrefix)) {
        const uri = `${svc.config.statusListBase}${path.slice(statusPrefix.length)}`
        const token = /^[1-9][0-9]{0,8}$/.test(path.slice(statusPrefix.length)) ? svc.statusToken(uri) : null
        if (token === null) return { status: 404, body: { error: 'not_found', code: 'ERR_ISSUER_NOT_FOUND', error_description: 'no published status list here' } }
        return { status: 200, headers: { 'content-type': STATUS_LIST_MEDIA_TYPE, 'cache-control': 'no-cache' }, body: token }
      }
    }
    if (method === 'POST') {
      if (path === '/nonce') return vci.nonce()
      if (path === '/token' || path === '/credential') {
        const body = await readBody(req, { max: path === '/token' ? 16 * 1024 : MAX_BODY })
        const vr = { method, url: `${base}${path}`, headers: req.headers, contentType: mediaType(req), body }
        return path === '/token' ? vci.token(vr) : vci.credential(vr)
      }
    }
    return { status: 404, body: { error: 'not_found', code: 'ERR_ISSUER_NOT_FOUND', error_description: `no endpoint ${method} ${path.slice(0, 80)}` } }
  }

  const handlePublic = async (req: IncomingMessage, res: ServerResponse, target: RequestTarget): Promise<void> => {
    const path = target.path
    const method = req.method ?? 'GET'
    if (method === 'OPTIONS' && !isAdminPath(path)) {
      return reply(res, 204, { ...PUBLIC_CORS, 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'Content-Type, Authorization, DPoP', 'access-control-max-age': '600' }, null)
    }
    if (isAdminPath(path)) throw new CivicError('ERR_ISSUER_NOT_FOUND', 'the admin API is not served here')
    let r: Reply
    try {
      r = await route(method, path, req)
    } catch (e) {
      // The HTTP layer's own refusals (405, 408, 413) keep their status; the endpoints' are OAuth errors.
      if (!(e instanceof CivicError) || e instanceof HttpError) throw e
      r = vciErrorResponse(e, path === '/token' ? 'token' : path === '/credential' ? 'credential' : 'other')
    }
    const type = (r.headers?.['content-type']) ?? 'application/json'
    const { 'content-type': _t, ...headers } = r.headers ?? {}
    reply(res, r.status, { ...PUBLIC_CORS, ...headers }, r.body, type)
  }
  const server = createHttpServer({
    handle: handlePublic,
    // In the OAuth error shape (RFC 6749 §5.2) too, with our code beside the error name.
    errorReply: (e, status) => ({
      headers: { ...PUBLIC_CORS },
      body: { error: status === 404 ? 'not_found' : status >= 500 ? 'server_error' : 'invalid_request', error_description: `${e.code}: ${e.detail}`.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '?').slice(0, 400), code: e.code },
    }),
    ...(o.http ? { limits: o.http } : {}),
    log,
  })

  const started: Server[] = []
  let adminUrl = ''
  try {
    const publicBase = await listen(server, o.port ?? 0, host)
    started.push(server)
    const adminBase = await listen(adminServer, o.adminPort ?? 0, o.adminHost ?? '127.0.0.1')
    started.push(adminServer)
    base = o.publicUrl ?? svc.config.publicUrl ?? publicBase
    adminUrl = `${adminBase}/`
  } catch (e) {
    for (const s of started) await closeServer(s)
    throw new CivicError('ERR_ISSUER_CONFIG', `cannot listen: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e })
  }

  const timers: NodeJS.Timeout[] = []
  timers.push(setInterval(() => void svc.sweep().catch((e) => log(`sweep: ${(e as Error).message}`)), (o.sweepSeconds ?? 30) * 1000).unref())
  if (o.autoPublishSeconds) {
    timers.push(setInterval(() => {
      svc.publish().then((r) => {
        for (const p of r.published) log(`published ${p.uri} v${p.version} at ledger index ${p.index}${p.inclusionVerified ? ' (inclusion verified)' : ''}`)
      }, (e) => log(`auto-publish: ${(e as Error).message}`))
    }, o.autoPublishSeconds * 1000).unref())
  }

  return {
    url: base, adminUrl, server, adminServer, vci, admin,
    async close() {
      for (const t of timers) clearInterval(t)
      await Promise.all([closeServer(server), closeServer(adminServer)])
    },
  }
}
