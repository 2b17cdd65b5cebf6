/**
 * The admin API the issuer console (and `civic issuer …` while a server runs) uses: JSON over
 * HTTP under /admin/ on the issuer's own server.
 *
 * Who may call it: only a client on loopback (socket address 127.0.0.1 / ::1), addressing the
 * server by a loopback name (the Host header, so a DNS-rebinding page is refused), and — when a
 * browser says where it comes from (Origin) — only the configured console origin, which also
 * gets CORS (Access-Control-Allow-Origin, preflight). A POST must be application/json, which
 * a cross-site form cannot send without a preflight. Everything else: 403 ERR_ISSUER_FORBIDDEN.
 *
 *   GET  /admin/info                                   issuer identity, credential types, keys
 *   POST /admin/offers        {vct|configurationId, claims, officer?, txCode?}
 *                             → 201 {credentialId, offerId, offerUri, offerUriByValue, qrSvg, txCode, expiresAt}
 *   GET  /admin/credentials                            → {credentials: [CredentialView]}
 *   GET  /admin/credentials/<id>                       → CredentialView
 *   POST /admin/credentials/<id>/revoke|suspend|reinstate → {credential, changed}   (idempotent)
 *   POST /admin/publish       {force?}                 → {published: [AnchorView], failed: [...]}  (502 if any failed)
 *   GET  /admin/anchors                                → {anchors: [AnchorView], ledger: [LedgerRecord]}
 *   GET  /admin/lists                                  → {lists: [...]}
 *   GET  /admin/witnesses                              → WitnessView (latest checkpoint's cosigners)
 *   POST /admin/rotate        {keepOld?}               → RotationReport
 *   POST /admin/keys/<kid>/revoke                      → LedgerRecord (a retired key no served list uses)
 *
 * Errors: `{"error":{"code","message"}}`; a refused request changes nothing.
 */
import { CivicError, type ErrorCode } from '../core/errors.ts'
import type { IssuerService, StatusAction } from './service.ts'
import { offerUris } from './vci.ts'
import { qrSvg } from './qr.ts'

export interface AdminRequest {
  method: string
  path: string
  /** The request's headers as node:http gives them (cookie and authorization are read from here). */
  headers: Readonly<Record<string, string | string[] | undefined>>
  remoteAddress: string | undefined
  host: string | undefined
  origin: string | undefined
  contentType: string
  body: Uint8Array
}

export interface AdminReply {
  status: number
  headers: Record<string, string>
  body: unknown
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  ERR_ISSUER_FORBIDDEN: 403,
  ERR_ISSUER_NOT_FOUND: 404,
  ERR_ISSUER_UNKNOWN_CREDENTIAL: 404,
  ERR_ISSUER_CREDENTIAL_STATE: 409,
  ERR_ISSUER_LEDGER: 502,
  ERR_ISSUER_STORAGE: 503,
  ERR_ISSUER_LOCKED: 503,
  ERR_ISSUER_CAPACITY: 507,
}

const LOOPBACK_ADDRESS = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])
const LOOPBACK_HOST = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::[0-9]{1,5})?$/i

export function adminStatusOf(code: ErrorCode): number {
  return STATUS[code] ?? 400
}

function forbidden(detail: string): never {
  throw new CivicError('ERR_ISSUER_FORBIDDEN', detail)
}

function badRequest(detail: string): never {
  throw new CivicError('ERR_ISSUER_BAD_REQUEST', detail)
}

/** CORS headers for the console's origin (none for anyone else). */
export function corsHeaders(appOrigin: string | null, origin: string | undefined): Record<string, string> {
  if (!appOrigin || origin !== appOrigin) return { vary: 'Origin' }
  return { 'access-control-allow-origin': appOrigin, vary: 'Origin' }
}

function jsonBody(r: AdminRequest): Record<string, unknown> {
  if (r.body.length === 0) return {}
  if (r.contentType !== 'application/json') badRequest('send application/json')
  let v: unknown
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(r.body))
  } catch {
    badRequest('the body is not JSON')
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) badRequest('the body is not a JSON object')
  return v as Record<string, unknown>
}

function allowedKeys(o: Record<string, unknown>, keys: string[]): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) badRequest(`unknown member ${k.slice(0, 40)}`)
}

export class AdminApi {
  readonly svc: IssuerService
  readonly #base: () => string
  readonly appOrigin: string | null

  constructor(svc: IssuerService, base: () => string, appOrigin: string | null) {
    this.svc = svc
    this.#base = base
    this.appOrigin = appOrigin
  }

  /** Who may call: throws ERR_ISSUER_FORBIDDEN. */
  gate(r: AdminRequest): void {
    if (!r.remoteAddress || !LOOPBACK_ADDRESS.has(r.remoteAddress)) forbidden('the admin API answers loopback clients only')
    if (!r.host || !LOOPBACK_HOST.test(r.host)) forbidden('the admin API must be addressed by a loopback host name')
    if (r.origin !== undefined && r.origin !== this.appOrigin) forbidden(`origin ${r.origin.slice(0, 80)} is not the issuer console`)
    if (r.method === 'POST' && r.body.length > 0 && r.contentType !== 'application/json') badRequest('send application/json')
  }

  /** A CORS preflight (OPTIONS) for the console. */
  preflight(r: AdminRequest): AdminReply {
    this.gate({ ...r, method: 'OPTIONS' })
    if (!this.appOrigin || r.origin !== this.appOrigin) forbidden('no CORS for this origin')
    return {
      status: 204,
      headers: {
        ...corsHeaders(this.appOrigin, r.origin),
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': '600',
      },
      body: null,
    }
  }

  async handle(r: AdminRequest): Promise<AdminReply> {
    this.gate(r)
    const reply = (status: number, body: unknown): AdminReply => ({ status, headers: { ...corsHeaders(this.appOrigin, r.origin), 'cache-control': 'no-store' }, body })
    const p = r.path
    const svc = this.svc
    if (r.method === 'GET') {
      if (p === '/admin/info') {
        return reply(200, {
          did: svc.did, name: svc.config.name, issuer: this.#base(), statusListBase: svc.config.statusListBase, ledger: svc.config.ledger.url,
          batchSize: svc.config.batchSize, currentKid: svc.currentKid, keys: svc.keys(), credentialTypes: svc.config.credentials,
        })
      }
      if (p === '/admin/credentials') return reply(200, { credentials: svc.listCredentials() })
      const one = /^\/admin\/credentials\/([^/]+)$/.exec(p)
      if (one) return reply(200, svc.credential(one[1]!))
      if (p === '/admin/anchors') return reply(200, { anchors: svc.anchors(), ledger: svc.ledgerRecords() })
      if (p === '/admin/lists') return reply(200, { lists: svc.lists() })
      if (p === '/admin/witnesses') return reply(200, await svc.witnesses())
    }
    if (r.method === 'POST') {
      const body = jsonBody(r)
      if (p === '/admin/offers') {
        allowedKeys(body, ['vct', 'configurationId', 'claims', 'officer', 'txCode'])
        const created = await svc.createOffer(body as Parameters<IssuerService['createOffer']>[0])
        const uris = offerUris(this.#base(), created)
        return reply(201, {
          credentialId: created.credentialId, offerId: created.offerId, configurationId: created.configurationId,
          offerUri: uris.byReference, offerUriByValue: uris.byValue, qrSvg: qrSvg(uris.byReference),
          txCode: created.txCode, expiresAt: created.expiresAt,
        })
      }
      const act = /^\/admin\/credentials\/([^/]+)\/(revoke|suspend|reinstate)$/.exec(p)
      if (act) {
        allowedKeys(body, [])
        return reply(200, await svc.setStatus(act[1]!, act[2] as StatusAction))
      }
      if (p === '/admin/publish') {
        allowedKeys(body, ['force'])
        if (body.force !== undefined && typeof body.force !== 'boolean') badRequest('force must be a boolean')
        const report = await svc.publish({ force: body.force === true })
        if (report.failed.length > 0) {
          const first = report.failed[0]!
          return reply(502, { error: { code: 'ERR_ISSUER_LEDGER', message: `${report.failed.length} list(s) not published; first: ${first.detail}` }, ...report })
        }
        return reply(200, report)
      }
      const key = /^\/admin\/keys\/([A-Za-z0-9._-]{1,64})\/revoke$/.exec(p)
      if (key) {
        allowedKeys(body, [])
        return reply(200, await svc.revokeKey(key[1]!))
      }
      if (p === '/admin/rotate') {
        allowedKeys(body, ['keepOld'])
        if (body.keepOld !== undefined && typeof body.keepOld !== 'boolean') badRequest('keepOld must be a boolean')
        return reply(200, await svc.rotateKey({ keepOld: body.keepOld === true }))
      }
    }
    throw new CivicError('ERR_ISSUER_NOT_FOUND', `no admin endpoint ${r.method} ${p.slice(0, 80)}`)
  }

  errorReply(e: CivicError, origin: string | undefined): AdminReply {
    return { status: adminStatusOf(e.code), headers: { ...corsHeaders(this.appOrigin, origin), 'cache-control': 'no-store' }, body: { error: { code: e.code, message: e.detail } } }
  }
}
