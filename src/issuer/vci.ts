/**
 * OpenID4VCI 1.0 (final), pre-authorized code flow, as this issuer speaks it:
 *
 * - Credential Issuer Metadata (§Credential Issuer Metadata Parameters): `credential_issuer`,
 *   `credential_endpoint`, `nonce_endpoint`, `batch_credential_issuance.batch_size`, and per
 *   configuration `format: dc+sd-jwt` with `vct` (Appendix A.3 "IETF SD-JWT VC"),
 *   `cryptographic_binding_methods_supported: [jwk]`, ES256 for credentials and `jwt` proofs,
 *   and `credential_metadata` (display and claims) — which is also how clients tell a 1.0
 *   issuer from a draft one;
 * - Authorization Server Metadata (RFC 8414; §OAuth 2.0 Authorization Server Metadata): the
 *   pre-authorized grant only, anonymous access, DPoP with ES256;
 * - Credential Offer (§Credential Offer): by reference (`credential_offer_uri`, naming the offer
 *   by its handle, a MAC of its id under the secrets key, never by the id) and by value,
 *   as `openid-credential-offer://` URIs; the grant carries `tx_code` {numeric, length} when the
 *   offer has one;
 * - Token Endpoint (§Token Endpoint; RFC 6749 §5): form-encoded, `grant_type` the
 *   pre-authorized code, `tx_code`; unknown parameters (`resource`, `user_pin`, `client_id`)
 *   ignored as §Token Request requires; a DPoP proof, when sent, binds the token (RFC 9449 §5);
 * - Nonce Endpoint (§Nonce Endpoint): `{c_nonce}`, no-store;
 * - Credential Endpoint (§Credential Request, §Credential Response): Bearer or DPoP access
 *   token, `credential_configuration_id`, `proofs.jwt[]` (each verified, distinct holder keys,
 *   at most batch_size) → `{credentials: [{credential}, …]}`.
 *
 * Each handler returns a plain `{status, headers, body}`; errors are CivicErrors the HTTP layer
 * turns into OAuth error responses (`vciErrorResponse`).
 */
import type { JsonObject } from '../core/bytes/json.ts'
import { CivicError, type ErrorCode } from '../core/errors.ts'
import { parseJsonBody, statusOf } from '../node/http.ts'
import type { IssuerService } from './service.ts'
import { DpopReplayCache, NonceBook, orThrow, verifyDpop, verifyKeyProof, type ProvenKey } from './proofs.ts'
import type { CredentialSchema } from './schema.ts'

export const PRE_AUTHORIZED_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code'
export const OFFER_SCHEME = 'openid-credential-offer://'

export interface Reply {
  status: number
  headers?: Record<string, string>
  body: unknown
}

const NO_STORE = { 'cache-control': 'no-store' }

function display(l: { 'zh-CN': string; en: string }) {
  return [{ name: l['zh-CN'], locale: 'zh-CN' }, { name: l.en, locale: 'en' }]
}

function configurationMetadata(s: CredentialSchema): JsonObject {
  const claims = [
    ...s.claims.map((c) => ({ path: [c.name], mandatory: c.required, display: display(c.display) })),
    // a predicate is left out when it would change before exp (schema.ts): never mandatory
    ...s.predicates.map((p) => ({ path: [p.name], mandatory: false, display: display(p.display) })),
  ]
  return {
    format: 'dc+sd-jwt',
    vct: s.vct,
    scope: s.id,
    cryptographic_binding_methods_supported: ['jwk'],
    credential_signing_alg_values_supported: ['ES256'],
    proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256'] } },
    credential_metadata: { display: display(s.display), claims },
  } as unknown as JsonObject
}

/** `/.well-known/openid-credential-issuer` for the Credential Issuer Identifier `base`. */
export function issuerMetadata(svc: IssuerService, base: string): JsonObject {
  return {
    credential_issuer: base,
    credential_endpoint: `${base}/credential`,
    nonce_endpoint: `${base}/nonce`,
    batch_credential_issuance: { batch_size: svc.config.batchSize },
    display: display(svc.config.name),
    credential_configurations_supported: Object.fromEntries(svc.config.credentials.map((s) => [s.id, configurationMetadata(s)])),
  } as unknown as JsonObject
}

/** `/.well-known/oauth-authorization-server` (the issuer is its own AS). */
export function authorizationServerMetadata(svc: IssuerService, base: string): JsonObject {
  void svc
  return {
    issuer: base,
    token_endpoint: `${base}/token`,
    grant_types_supported: [PRE_AUTHORIZED_GRANT],
    'pre-authorized_grant_anonymous_access_supported': true,
    dpop_signing_alg_values_supported: ['ES256'],
  }
}

/** The Credential Offer object of a pending offer. */
export function offerObject(base: string, o: { code: string; configurationId: string; txCodeLength: number }): JsonObject {
  const grant: JsonObject = { 'pre-authorized_code': o.code }
  if (o.txCodeLength > 0) grant.tx_code = { input_mode: 'numeric', length: o.txCodeLength, description: 'The code the officer gave you / 工作人员告知的验证码' }
  return { credential_issuer: base, credential_configuration_ids: [o.configurationId], grants: { [PRE_AUTHORIZED_GRANT]: grant } }
}

/**
 * The officer's two offer URIs. By reference, the URI names the offer by its handle (secrets.ts),
 * never by its id; by value, it carries the code itself (it is only handed to the officer).
 */
export function offerUris(base: string, offer: { offerHandle: string; preAuthorizedCode: string; configurationId: string; txCode: string | null }): { byReference: string; byValue: string } {
  const obj = offerObject(base, { code: offer.preAuthorizedCode, configurationId: offer.configurationId, txCodeLength: offer.txCode?.length ?? 0 })
  return {
    byReference: `${OFFER_SCHEME}?credential_offer_uri=${encodeURIComponent(`${base}/offers/${offer.offerHandle}`)}`,
    byValue: `${OFFER_SCHEME}?credential_offer=${encodeURIComponent(JSON.stringify(obj))}`,
  }
}

// ── errors → OAuth error responses ───────────────────────────────────────────────────────

/** The OAuth error name of each code the endpoints answer with (the status is the one table's). */
const OAUTH_ERROR: Partial<Record<ErrorCode, string>> = {
  ERR_VCI_REQUEST_INVALID: 'invalid_request',
  ERR_VCI_GRANT_UNSUPPORTED: 'unsupported_grant_type',
  ERR_VCI_OFFER_UNKNOWN: 'invalid_grant',
  ERR_VCI_OFFER_USED: 'invalid_grant',
  ERR_VCI_OFFER_EXPIRED: 'invalid_grant',
  ERR_VCI_OFFER_VOID: 'invalid_grant',
  ERR_VCI_TX_CODE_INVALID: 'invalid_grant',
  ERR_VCI_TX_CODE_REQUIRED: 'invalid_request',
  ERR_VCI_TX_CODE_UNEXPECTED: 'invalid_request',
  ERR_VCI_TOKEN_INVALID: 'invalid_token',
  ERR_VCI_DPOP_INVALID: 'invalid_dpop_proof',
  ERR_VCI_UNKNOWN_CONFIGURATION: 'unknown_credential_configuration',
  ERR_VCI_PROOF_INVALID: 'invalid_proof',
  ERR_VCI_PROOF_AUD_MISMATCH: 'invalid_proof',
  ERR_VCI_NONCE_MISSING: 'invalid_proof',
  ERR_VCI_NONCE_INVALID: 'invalid_nonce',
  ERR_VCI_NONCE_REPLAYED: 'invalid_nonce',
  ERR_VCI_HOLDER_KEY_DUPLICATE: 'invalid_proof',
  ERR_VCI_BATCH_TOO_LARGE: 'invalid_credential_request',
}

/**
 * An OAuth error body (RFC 6749 §5.2, RFC 6750 §3, OpenID4VCI §Credential Error Response) with
 * our code beside it. `where` picks the credential endpoint's own request error name.
 */
export function vciErrorResponse(e: CivicError, where: 'token' | 'credential' | 'other'): Reply {
  let status = statusOf(e.code)
  let error = OAUTH_ERROR[e.code] ?? (status === 404 ? 'not_found' : 'invalid_request')
  if (e.code === 'ERR_VCI_REQUEST_INVALID' && where === 'credential') error = 'invalid_credential_request'
  if (e.code === 'ERR_VCI_DPOP_INVALID' && where === 'token') status = 400
  if (e.code === 'ERR_ISSUER_STORAGE' || e.code === 'ERR_ISSUER_CAPACITY') [status, error] = [503, 'temporarily_unavailable']
  // error_description: %x20-21 / %x23-5B / %x5D-7E only (RFC 6749 §5.2)
  const description = `${e.code}: ${e.detail}`.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '?').slice(0, 400)
  const headers: Record<string, string> = { ...NO_STORE }
  if (status === 401) headers['www-authenticate'] = e.code === 'ERR_VCI_DPOP_INVALID' ? `DPoP algs="ES256", error="${error}"` : `Bearer error="${error}"`
  return { status, headers, body: { error, error_description: description, code: e.code } }
}

// ── the endpoints ────────────────────────────────────────────────────────────────────────

function requestInvalid(detail: string): never {
  throw new CivicError('ERR_VCI_REQUEST_INVALID', detail)
}

export interface VciRequest {
  method: string
  /** The full URL the client used (the issuer's public base + path). */
  url: string
  headers: Record<string, string | string[] | undefined>
  contentType: string
  body: Uint8Array
}

function header(r: VciRequest, name: string): string | undefined {
  const v = r.headers[name]
  return Array.isArray(v) ? v.join(',') : v
}

export class VciEndpoints {
  readonly svc: IssuerService
  readonly nonces: NonceBook
  readonly dpopReplay = new DpopReplayCache()
  readonly #base: () => string

  constructor(svc: IssuerService, base: () => string) {
    this.svc = svc
    this.#base = base
    this.nonces = new NonceBook(svc.config.nonceTtlSeconds)
  }

  get base(): string {
    return this.#base()
  }

  /** POST /token (§Token Endpoint). */
  async token(r: VciRequest): Promise<Reply> {
    if (r.contentType !== 'application/x-www-form-urlencoded') requestInvalid('the token request must be application/x-www-form-urlencoded')
    const form = new URLSearchParams(new TextDecoder().decode(r.body))
    const seen = new Set<string>()
    for (const k of form.keys()) {
      if (seen.has(k)) requestInvalid(`parameter ${k.slice(0, 40)} appears twice`)
      seen.add(k)
    }
    const grant = form.get('grant_type')
    if (!grant) requestInvalid('grant_type is missing')
    if (grant !== PRE_AUTHORIZED_GRANT) throw new CivicError('ERR_VCI_GRANT_UNSUPPORTED', `grant_type ${grant.slice(0, 80)} is not supported`)
    const code = form.get('pre-authorized_code')
    if (!code) requestInvalid('pre-authorized_code is missing')
    const tx = form.get('tx_code')
    const dpop = header(r, 'dpop')
    const jkt = dpop === undefined ? null : orThrow(await verifyDpop(dpop, { method: 'POST', url: `${this.base}/token`, now: this.svc.now(), replay: this.dpopReplay }))
    const t = await this.svc.redeem({ code, txCode: tx ?? undefined, jkt })
    return { status: 200, headers: NO_STORE, body: { access_token: t.accessToken, token_type: jkt ? 'DPoP' : 'Bearer', expires_in: t.expiresIn } }
  }

  /** POST /nonce (§Nonce Endpoint). */
  nonce(): Reply {
    return { status: 200, headers: NO_STORE, body: { c_nonce: this.nonces.issue(this.svc.now()) } }
  }

  /** POST /credential (§Credential Request / Response). */
  async credential(r: VciRequest): Promise<Reply> {
    // 1. the access token (RFC 6750 §2.1, RFC 9449 §7.1)
    const auth = header(r, 'authorization') ?? ''
    const m = /^(Bearer|DPoP) ([A-Za-z0-9\-._~+/]+=*)$/i.exec(auth)
    if (!m) throw new CivicError('ERR_VCI_TOKEN_INVALID', 'no access token (Authorization: Bearer|DPoP <token>)')
    const scheme = m[1]!.toLowerCase()
    const accessToken = m[2]!
    const grant = this.svc.checkAccessToken(accessToken)
    const dpop = header(r, 'dpop')
    if (grant.jkt !== null) {
      if (scheme !== 'dpop') throw new CivicError('ERR_VCI_DPOP_INVALID', 'this access token is DPoP-bound: use Authorization: DPoP with a DPoP proof')
      if (dpop === undefined) throw new CivicError('ERR_VCI_DPOP_INVALID', 'no DPoP proof')
      const jkt = orThrow(await verifyDpop(dpop, { method: 'POST', url: `${this.base}/credential`, now: this.svc.now(), replay: this.dpopReplay, accessToken }))
      if (jkt !== grant.jkt) throw new CivicError('ERR_VCI_DPOP_INVALID', 'the DPoP proof is not by the key the access token is bound to')
    } else if (scheme !== 'bearer') throw new CivicError('ERR_VCI_TOKEN_INVALID', 'a Bearer access token presented with the DPoP scheme')

    // 2. the request
    if (!r.contentType.startsWith('application/json')) requestInvalid('the credential request must be application/json (encrypted requests are not supported)')
    let body: unknown
    try {
      body = parseJsonBody(r.body, { maxLength: 1 << 20, maxDepth: 16 }, 'the credential request')
    } catch (e) {
      // Strict JSON: duplicate members (which JSON.parse silently resolves to the last) are refused.
      requestInvalid(e instanceof CivicError ? `${e.code}: ${e.detail}` : 'the body is not JSON')
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) requestInvalid('the body is not a JSON object')
    const req = body as Record<string, unknown>
    if (req.credential_identifier !== undefined) requestInvalid('credential_identifier is not used by this issuer (no authorization_details): send credential_configuration_id')
    if (req.credential_response_encryption !== undefined) requestInvalid('credential response encryption is not supported')
    const configurationId = req.credential_configuration_id
    if (typeof configurationId !== 'string') requestInvalid('credential_configuration_id is missing')
    if (!this.svc.schema(configurationId)) throw new CivicError('ERR_VCI_UNKNOWN_CONFIGURATION', `${configurationId.slice(0, 80)} is not a credential configuration of this issuer`)
    if (req.proof !== undefined) requestInvalid('the single `proof` parameter is not part of OpenID4VCI 1.0: send proofs.jwt[]')
    const proofs = req.proofs
    if (typeof proofs !== 'object' || proofs === null || Array.isArray(proofs)) throw new CivicError('ERR_VCI_PROOF_INVALID', 'proofs is missing (this credential is key-bound)')
    const types = Object.keys(proofs)
    if (types.length !== 1 || types[0] !== 'jwt') throw new CivicError('ERR_VCI_PROOF_INVALID', 'proofs must hold exactly the jwt proof type')
    const jwts = (proofs as { jwt: unknown }).jwt
    if (!Array.isArray(jwts) || jwts.length === 0) throw new CivicError('ERR_VCI_PROOF_INVALID', 'proofs.jwt must be a non-empty array')
    if (jwts.length > this.svc.config.batchSize) throw new CivicError('ERR_VCI_BATCH_TOO_LARGE', `${jwts.length} proofs; batch_size is ${this.svc.config.batchSize}`)

    // 3. every proof (Appendix F.4), then their nonces, then distinct keys
    const now = this.svc.now()
    const proven: ProvenKey[] = []
    for (const [i, jwt] of jwts.entries()) {
      proven.push(orThrow(await verifyKeyProof(jwt, { audience: this.base, now }), `proofs.jwt[${i}]`))
    }
    const nonces = new Set(proven.map((p) => p.nonce))
    for (const n of nonces) orThrow(this.nonces.verify(n, now))
    this.nonces.consume(nonces, now)
    if (new Set(proven.map((p) => p.thumbprint)).size !== proven.length) throw new CivicError('ERR_VCI_HOLDER_KEY_DUPLICATE', 'every copy needs its own holder key: two proofs use the same key')

    // 4. issue
    const credentials = await this.svc.issue({ accessToken, configurationId, holderKeys: proven.map((p) => p.jwk) })
    return { status: 200, headers: NO_STORE, body: { credentials: credentials.map((credential) => ({ credential })) } }
  }
}
