/**
 * The issuer's HTTP server (node:http):
 *
 *   GET  /.well-known/openid-credential-issuer    Credential Issuer Metadata (vci.ts)
 *   GET  /.well-known/oauth-authorization-server  AS metadata (RFC 8414)
 *   GET  /offers/<id>                             a pending Credential Offer (by reference)
 *   POST /token                                   pre-authorized code → access token
 *   POST /nonce                                   c_nonce
 *   POST /credential                              batch issuance
 *   GET  <status path><n>                         the latest anchored statuslist+jwt of list n
 *                                                 (draft-ietf-oauth-status-list §8.1, media type
 *                                                 application/statuslist+jwt), e.g. /status/1
 *   *    /admin/…                                 the console's API (admin.ts)
 *
 * The public endpoints answer any origin (CORS `*`: a browser wallet on another origin uses
 * them; they carry no cookies). Bodies are capped before they are read. The Credential Issuer
 * Identifier is the configured `publicUrl`, else the address the server listens on.
 *
 * Timers while serving: expired offers are swept (their claims deleted) every 30 s; with
 * `autoPublishSeconds`, lists that changed, were never published or are past half their ttl are
 * published in the background (a failure is logged and retried at the next tick).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CivicError } from '../core/errors.ts'
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
  /** Overrides the configured publicUrl (the Credential Issuer Identifier). */
  publicUrl?: string
  /** Overrides the configured console origin for CORS on /admin/. */
  appOrigin?: string | null
  /** Publish due lists every so many seconds; null (default): only on request. */
  autoPublishSeconds?: number | null
  sweepSeconds?: number
  log?: (line: string) => void
}

export interface IssuerServer {
  url: string
  server: Server
  vci: VciEndpoints
  admin: AdminApi
  close(): Promise<void>
}

class TooLarge extends Error {}

async function readBody(req: IncomingMessage, max: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > max) throw new TooLarge()
  const chunks: Buffer[] = []
  let size = 0
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length
    if (size > max) throw new TooLarge()
    chunks.push(c)
  }
  return new Uint8Array(Buffer.concat(chunks))
}

function mediaType(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown, type = 'application/json'): void {
  if (body === null) {
    res.writeHead(status, headers).end()
    return
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  res.writeHead(status, { 'content-type': type === 'application/json' ? 'application/json; charset=utf-8' : type, ...headers }).end(text)
}

export async function startIssuerServer(svc: IssuerService, o: IssuerServerOptions = {}): Promise<IssuerServer> {
  const host = o.host ?? '127.0.0.1'
  const log = o.log ?? (() => {})
  let base = ''
  const getBase = () => base
  const vci = new VciEndpoints(svc, getBase)
  const admin = new AdminApi(svc, getBase, o.appOrigin !== undefined ? o.appOrigin : svc.config.appOrigin)
  const statusPrefix = statusPathPrefix(svc.config.statusListBase)

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://issuer.invalid')
    const path = url.pathname
    const method = req.method ?? 'GET'

    if (path === '/admin' || path.startsWith('/admin/')) {
      const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined
      let ar: AdminRequest | undefined
      try {
        const body = method === 'POST' ? await readBody(req, MAX_BODY) : new Uint8Array(0)
        ar = { method, path, headers: req.headers, remoteAddress: req.socket.remoteAddress, host: req.headers.host, origin, contentType: mediaType(req), body }
        const r = method === 'OPTIONS' ? admin.preflight(ar) : await admin.handle(ar)
        return send(res, r.status, r.headers, r.body)
      } catch (e) {
        if (e instanceof TooLarge) return send(res, 413, {}, { error: { code: 'ERR_ISSUER_BAD_REQUEST', message: `body larger than ${MAX_BODY} bytes` } })
        if (!(e instanceof CivicError)) throw e
        const r = admin.errorReply(e, origin)
        return send(res, r.status, r.headers, r.body)
      }
    }

    if (method === 'OPTIONS') {
      return send(res, 204, { ...PUBLIC_CORS, 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'Content-Type, Authorization, DPoP', 'access-control-max-age': '600' }, null)
    }

    const where = path === '/token' ? 'token' : path === '/credential' ? 'credential' : 'other'
    let reply: Reply
    try {
      reply = await route(method, path, req)
    } catch (e) {
      if (e instanceof TooLarge) reply = { status: 413, body: { error: 'invalid_request', error_description: 'body too large', code: 'ERR_VCI_REQUEST_INVALID' } }
      else if (e instanceof CivicError) reply = vciErrorResponse(e, where)
      else throw e
    }
    const type = (reply.headers?.['content-type']) ?? 'application/json'
    const { 'content-type': _t, ...headers } = reply.headers ?? {}
    send(res, reply.status, { ...PUBLIC_CORS, ...headers }, reply.body, type)
  }

  const route = async (method: string, path: string, req: IncomingMessage): Promise<Reply> => {
    if (method === 'GET' || method === 'HEAD') {
      if (path === '/.well-known/openid-credential-issuer') return { status: 200, body: issuerMetadata(svc, base) }
      if (path === '/.well-known/oauth-authorization-server') return { status: 200, body: authorizationServerMetadata(svc, base) }
      const offer = /^\/offers\/([A-Za-z0-9_-]{1,64})$/.exec(path)
      if (offer) {
        const p = svc.pendingOffer(offer[1]!)
        if (!p) {
          const e = svc.offerProblem(offer[1]!)
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
        const body = await readBody(req, path === '/token' ? 16 * 1024 : MAX_BODY)
        const vr = { method, url: `${base}${path}`, headers: req.headers, contentType: mediaType(req), body }
        return path === '/token' ? vci.token(vr) : vci.credential(vr)
      }
    }
    return { status: 404, body: { error: 'not_found', code: 'ERR_ISSUER_NOT_FOUND', error_description: `no endpoint ${method} ${path.slice(0, 80)}` } }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      log(`internal error: ${(e as Error).stack ?? e}`)
      if (!res.headersSent) send(res, 500, {}, { error: 'server_error', code: 'ERR_ISSUER_STORAGE' })
      else res.destroy()
    })
  })
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port ?? 0, host, () => resolve())
  })
  const addr = server.address() as AddressInfo
  const hostPart = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  base = o.publicUrl ?? svc.config.publicUrl ?? `http://${hostPart}:${addr.port}`

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
    url: base, server, vci, admin,
    close: () => new Promise<void>((resolve) => {
      for (const t of timers) clearInterval(t)
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}
