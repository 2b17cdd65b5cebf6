/**
 * The admin API the issuer console (and `civic issuer …` while a server runs) uses: JSON over
 * HTTP under /admin/.
 *
 * Who may call it, first: only a client on loopback (socket address 127.0.0.1 / ::1), addressing
 * the server by a loopback name (the Host header, so a DNS-rebinding page is refused), and — when
 * a browser says where it comes from (Origin) — only the configured console origin, which also
 * gets CORS with credentials (the console sends its session cookie). A POST must be
 * application/json, which a cross-site form cannot send without a preflight. Everything else:
 * 403 ERR_ISSUER_FORBIDDEN. That gate is defence in depth, not authentication:
 *
 * Who is calling: an officer's session — the cookie `civic_officer_<office>` (HttpOnly,
 * SameSite=Strict, Path=/admin, Secure on https; idle 15 min, at most 8 h; officers.ts) AND its
 * secret in the `x-civic-session` header, which the sign-in answer gives and the console keeps
 * in sessionStorage. The cookie alone is no session: browsers send it to any server on any
 * localhost port, so another local user's server can collect and replay it. Or the directory's
 * admin token (`Authorization: Bearer …`, supervisor rights). Without either: 401
 * ERR_ISSUER_UNAUTHENTICATED. Clerks issue and view; the rest is for supervisors (403
 * ERR_ISSUER_ROLE).
 *
 * The gate, the sessions, the ways in, the officers' routes, the audit trail and the rate
 * limits are every office's (src/office/admin.ts), with the issuer's codes; what follows is
 * what they are for the issuer, and the issuer's own routes.
 *
 * The audit trail: every officer action (each POST, and each refusal of an officer's role) is
 * appended with the officer who did it, never with claims; an action is recorded before it is
 * taken ("started"), so one the trail cannot hold is refused. Views (GET) are not recorded.
 * Refusals of anonymous callers (a bad token, a cookie without its secret, a sign-in or
 * enrolment that did not verify) are nobody's action: they go to the service log (when one is
 * given, `AdminApiOptions.log`), and to the trail as at most one summary record per client network a minute with their count
 * (`refused.unauthenticated`), so a flood neither fills the disk with fsynced records nor
 * pushes the officers' actions out of the console's view.
 *
 * Rate limits (per client network, rate-limit.ts): the ways in (sign-in and enrolment options
 * and verify) and failed credentials; over the limit: 429 ERR_ISSUER_RATE_LIMITED. Pending
 * WebAuthn challenges are bounded per network (officers.ts), so one client cannot evict the
 * challenges of others. Every admin client is on loopback, which is one network: these bound
 * what a flood costs, they do not tell a local attacker from the officer beside them.
 *
 * Without a session (the way in):
 *   POST /admin/enrol/options   {code}               → EnrolOptions (WebAuthn creation options)
 *   POST /admin/enrol/verify    {code, response}     → 201 SignedIn + Set-Cookie (the code is used up)
 *   POST /admin/session/options {}                   → SignInOptions
 *   POST /admin/session/verify  {response}           → SignedIn + Set-Cookie
 *   GET  /admin/session                              → SessionView (401 when signed out)
 *   POST /admin/session/end     {}                   → {ok} (the cookie cleared; the session ended when cookie and header match)
 * Clerk and supervisor:
 *   GET  /admin/info                                   issuer identity, credential types, keys
 *   POST /admin/offers        {vct|configurationId, claims, officer?, txCode?}
 *                             → 201 {credentialId, offerId, offerUri, offerUriByValue, qrSvg, txCode, expiresAt}
 *   GET  /admin/credentials                            → {credentials: [CredentialView]}
 *   GET  /admin/credentials/<id>                       → CredentialView
 *   GET  /admin/anchors                                → {anchors: [AnchorView], ledger: [LedgerRecord]}
 *   GET  /admin/lists                                  → {lists: [...]}
 *   GET  /admin/witnesses                              → WitnessView (each log's latest checkpoint and its cosigners)
 * Supervisor:
 *   POST /admin/credentials/<id>/revoke|suspend|reinstate → {credential, changed}   (idempotent)
 *   POST /admin/publish       {force?}                 → {published: [AnchorView], failed: [...]}  (502 if any failed)
 *   POST /admin/rotate        {keepOld?}               → RotationReport
 *   POST /admin/keys/<kid>/revoke                      → LedgerRecord (a retired key no served list uses)
 *   GET  /admin/officers                               → OfficersView
 *   POST /admin/officers/enrolments {role, name, first?} → 201 CreatedEnrolment (the code, once)
 *   POST /admin/officers/enrolments/<id>/cancel        → {cancelled}
 *   POST /admin/officers/<id>/disable                  → OfficerView (its sessions end, the enrolments it made are voided)
 *   GET  /admin/audit                                  → AuditView (newest first)
 *
 * Errors: `{"error":{"code","message"}}`; a refused request changes nothing.
 */
import { CivicError, type ErrorCode } from '../core/errors.ts'
import { statusOf } from '../node/http.ts'
import { OfficeAdmin, type AdminReply, type AdminRequest, type RouteContext } from '../office/admin.ts'
import type { IssuerService, StatusAction } from './service.ts'
import { offerUris } from './vci.ts'
import { qrSvg } from './qr.ts'
import type { OfficerRole } from './admin-wire.ts'
import { ISSUER_OFFICE, type OfficerStore } from './officers.ts'

export { corsHeaders, FAILURE_RATE, OPEN_RATE, REFUSAL_SUMMARY_SECONDS, type AdminReply, type AdminRequest } from '../office/admin.ts'

/** The status of a refusal: the one table of the HTTP layer (src/node/http.ts). */
export function adminStatusOf(code: ErrorCode): number {
  return statusOf(code)
}

function badRequest(detail: string): never {
  throw new CivicError('ERR_ISSUER_BAD_REQUEST', detail)
}

/** What a clerk may do of the issuer's own routes (the officers' and the audit trail are for supervisors anyway). */
function clerkMay(method: string, path: string): boolean {
  if (method === 'GET') return path !== '/admin/officers' && path !== '/admin/audit'
  return method === 'POST' && path === '/admin/offers'
}

export interface AdminApiOptions {
  /** The admin listener's own origin: Secure cookies when it is https. Default: https when the console is. */
  adminOrigin?: string
  /** An officer store already open (tests); default: opened from the service's data directory on first use. */
  officers?: OfficerStore
  /** The service log: anonymous refusals are written here, one line each. */
  log?: (line: string) => void
}

export class AdminApi {
  readonly svc: IssuerService
  readonly #base: () => string
  readonly appOrigin: string | null
  readonly #office: OfficeAdmin<OfficerRole>

  constructor(svc: IssuerService, base: () => string, appOrigin: string | null, o: AdminApiOptions = {}) {
    this.svc = svc
    this.#base = base
    this.appOrigin = appOrigin
    this.#office = new OfficeAdmin<OfficerRole>({
      office: ISSUER_OFFICE, forbidden: 'ERR_ISSUER_FORBIDDEN', role: 'ERR_ISSUER_ROLE', consoleName: 'the issuer console',
      did: svc.did, dataDir: svc.dataDir, rpName: svc.config.name.en, now: () => svc.now(), appOrigin,
      ...(o.adminOrigin !== undefined ? { adminOrigin: o.adminOrigin } : {}), ...(o.officers ? { officers: o.officers } : {}), ...(o.log ? { log: o.log } : {}),
      officerMay: (_role, method, path) => clerkMay(method, path),
      route: (r, ctx) => this.#route(r, ctx),
      actionName,
      pathTargets,
      // A publish that left lists unpublished answers 502: its record says so.
      outcomeOf: (reply) => (reply.status === 502 ? 'ERR_ISSUER_LEDGER' : 'ok'),
    })
  }

  /** The rate limits' clock in seconds: the monotonic clock (a test may set its own). */
  get rateClock(): () => number {
    return this.#office.rateClock
  }

  set rateClock(clock: () => number) {
    this.#office.rateClock = clock
  }

  /** The office's officers, sessions and audit trail (opened once). */
  officers(): Promise<OfficerStore> {
    return this.#office.officers()
  }

  /** Who may call: throws ERR_ISSUER_FORBIDDEN. */
  gate(r: AdminRequest): void {
    this.#office.gate(r)
  }

  /** A CORS preflight (OPTIONS) for the console. */
  preflight(r: AdminRequest): AdminReply {
    return this.#office.preflight(r)
  }

  handle(r: AdminRequest): Promise<AdminReply> {
    return this.#office.handle(r)
  }

  errorReply(e: CivicError, origin: string | undefined): AdminReply {
    return this.#office.errorReply(e, origin)
  }

  /** The issuer's own routes (the officers' are every office's). */
  async #route(r: AdminRequest, ctx: RouteContext<OfficerRole>): Promise<AdminReply | null> {
    const { reply, target } = ctx
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
      if (p === '/admin/offers') {
        const body = ctx.body(['vct', 'configurationId', 'claims', 'officer', 'txCode'])
        const created = await svc.createOffer(body as Parameters<IssuerService['createOffer']>[0])
        target.credential = created.credentialId
        target.configuration = created.configurationId
        const uris = offerUris(this.#base(), created)
        return reply(201, {
          credentialId: created.credentialId, offerId: created.offerId, configurationId: created.configurationId,
          offerUri: uris.byReference, offerUriByValue: uris.byValue, qrSvg: qrSvg(uris.byReference),
          txCode: created.txCode, expiresAt: created.expiresAt,
        })
      }
      const act = /^\/admin\/credentials\/([^/]+)\/(revoke|suspend|reinstate)$/.exec(p)
      if (act) {
        target.credential = act[1]!.slice(0, 64)
        ctx.body([])
        return reply(200, await svc.setStatus(act[1]!, act[2] as StatusAction))
      }
      if (p === '/admin/publish') {
        const body = ctx.body(['force'])
        if (body.force !== undefined && typeof body.force !== 'boolean') badRequest('force must be a boolean')
        const report = await svc.publish({ force: body.force === true })
        report.published.forEach((a, i) => (target[`list${i + 1}`] = a.uri))
        report.failed.forEach((f, i) => (target[`failed${i + 1}`] = f.uri))
        if (report.failed.length > 0) {
          const first = report.failed[0]!
          return reply(502, { error: { code: 'ERR_ISSUER_LEDGER', message: `${report.failed.length} list(s) not published; first: ${first.detail}` }, ...report })
        }
        return reply(200, report)
      }
      const key = /^\/admin\/keys\/([A-Za-z0-9._-]{1,64})\/revoke$/.exec(p)
      if (key) {
        target.kid = key[1]!
        ctx.body([])
        return reply(200, await svc.revokeKey(key[1]!))
      }
      if (p === '/admin/rotate') {
        const body = ctx.body(['keepOld'])
        if (body.keepOld !== undefined && typeof body.keepOld !== 'boolean') badRequest('keepOld must be a boolean')
        const old = svc.currentKid
        const report = await svc.rotateKey({ keepOld: body.keepOld === true })
        target.oldKid = old
        target.kid = svc.currentKid
        return reply(200, report)
      }
    }
    return null
  }
}

/** Ids the issuer's paths name: credential, kid (as the audit trail records them). */
function pathTargets(path: string): Record<string, string> {
  const t: Record<string, string> = {}
  let m = /^\/admin\/credentials\/([A-Za-z0-9_-]{1,64})\/[a-z]+$/.exec(path)
  if (m) t.credential = m[1]!
  m = /^\/admin\/keys\/([A-Za-z0-9._-]{1,64})\/revoke$/.exec(path)
  if (m) t.kid = m[1]!
  return t
}

/** The audit trail's name of an issuer action: `credential.revoke`, `offer.create`, … (ids go to `target`). */
function actionName(method: string, path: string): string | null {
  const p = path.replace(/^\/admin\/?/, '')
  if (method === 'POST' && p === 'offers') return 'offer.create'
  const m = /^credentials\/[^/]+\/(revoke|suspend|reinstate)$/.exec(p)
  if (m) return `credential.${m[1]}`
  if (/^keys\/[^/]+\/revoke$/.test(p)) return 'key.revoke'
  if (p === 'rotate') return 'key.rotate'
  if (p === 'publish') return 'lists.publish'
  return null
}
