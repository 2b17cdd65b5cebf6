/**
 * Receiving credentials: the wallet side of OpenID4VCI 1.0's pre-authorized code flow.
 *
 * 1. the offer (§4.1): `openid-credential-offer://?credential_offer_uri=…` (fetched) or
 *    `…?credential_offer=<JSON>`; only the pre-authorized code grant is taken;
 * 2. the Credential Issuer's metadata (§12.2) and its authorization server's (RFC 8414), the
 *    issuer being its own AS here;
 * 3. the token (§6) with the transaction code, DPoP-bound (RFC 9449) to an ephemeral key;
 * 4. a c_nonce from the nonce endpoint (§7);
 * 5. one credential request with one key proof (`openid4vci-proof+jwt`, Appendix F.1) per copy,
 *    each by its own fresh non-extractable P-256 holder key (batch issuance, §8.2);
 * 6. every copy verified (the issuer's key from the caller's resolver: the trust engine's
 *    registry) and checked to be bound (`cnf.jwk`) to the key that asked for it.
 *
 * Written here rather than with @openid4vc/openid4vci: that client (the interop peer of our
 * issuer's tests) works over callbacks for every JOSE step and parses issuer answers leniently;
 * the wallet needs its strict JSON, its own key handling (keys that never leave WebCrypto) and
 * verdicts with our codes. Everything the issuer says is parsed with caps; nothing is sent
 * anywhere but the endpoints the issuer's metadata names under its own origin.
 */
import { encodeBase64url } from '../core/bytes/base64url.ts'
import { encodeUtf8 } from '../core/bytes/utf8.ts'
import { isJsonObject, parseJson, type JsonObject } from '../core/bytes/json.ts'
import { sha256 } from '../core/crypto/hash.ts'
import { sameJwk, type PublicJwk } from '../core/crypto/jwk.ts'
import { signerFromCryptoKeyPair, type Signer } from '../core/crypto/keys.ts'
import { fail, ok, type ErrorCode, type Verdict } from '../core/errors.ts'
import { signCompactJws, type JwsKeyResolver } from '../core/jose/jws.ts'
import { verifySdJwt, type VerifiedSdJwt } from '../core/sdjwt/verify.ts'

export const OFFER_SCHEME = 'openid-credential-offer://'
export const PRE_AUTHORIZED_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code'
const MAX_ANSWER = 1 << 20
/** The most copies asked for in one batch, whatever the issuer allows. */
export const MAX_BATCH = 50

export interface Offer {
  issuer: string
  configurationId: string
  preAuthorizedCode: string
  /** Present when the issuer asks for a transaction code. */
  txCode: { length: number | null; inputMode: 'numeric' | 'text'; description: string | null } | null
}

export interface ReceivedCopy {
  credential: string
  verified: VerifiedSdJwt
  /** The holder key pair (non-extractable private key) the copy is bound to. */
  keyPair: CryptoKeyPair
  publicJwk: PublicJwk
}

/** Names in the languages the issuer gave (BCP 47 tag → text). */
export type Labels = Record<string, string>

/** How the issuer's metadata says to show the credential (OpenID4VCI §12.2.4 `credential_metadata`). */
export interface CredentialDisplay {
  name: Labels
  /** Labels of top-level claims, by claim name. */
  claims: Record<string, Labels>
}

export interface Received {
  issuer: string
  configurationId: string
  display: CredentialDisplay
  copies: ReceivedCopy[]
}

const MAX_LABEL = 120
const MAX_LABELLED_CLAIMS = 64

/** `[{ name, locale }]` → labels; anything else in it is left out (display is a courtesy, never trusted for a decision). */
function labels(v: unknown): Labels {
  const out: Labels = {}
  if (!Array.isArray(v)) return out
  for (const d of v.slice(0, 8)) {
    if (!isJsonObject(d) || typeof d.name !== 'string' || d.name.length === 0) continue
    const locale = typeof d.locale === 'string' && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(d.locale) ? d.locale : 'und'
    if (!Object.hasOwn(out, locale)) out[locale] = d.name.slice(0, MAX_LABEL)
  }
  return out
}

/** The display of one configuration from the issuer metadata. */
export function credentialDisplay(config: JsonObject): CredentialDisplay {
  const md = isJsonObject(config.credential_metadata) ? config.credential_metadata : {}
  const claims: Record<string, Labels> = {}
  if (Array.isArray(md.claims)) {
    for (const c of md.claims.slice(0, MAX_LABELLED_CLAIMS)) {
      if (!isJsonObject(c) || !Array.isArray(c.path) || c.path.length !== 1 || typeof c.path[0] !== 'string') continue
      const name = c.path[0]
      if (name === '__proto__' || Object.hasOwn(claims, name)) continue
      claims[name] = labels(c.display)
    }
  }
  return { name: labels(md.display), claims }
}

type Fetch = typeof fetch

const refuse = (code: ErrorCode, detail: string) => fail(code, detail.slice(0, 400))

function httpsOrLocal(u: string): URL | null {
  let url: URL
  try {
    url = new URL(u)
  } catch {
    return null
  }
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]'
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) return null
  if (url.username || url.password || url.hash) return null
  return url
}

async function getJson(f: Fetch, url: string, init: RequestInit, what: string): Promise<Verdict<{ status: number; body: JsonObject }>> {
  let r: Response
  try {
    r = await f(url, { ...init, redirect: 'error', credentials: 'omit' })
  } catch (e) {
    return refuse('ERR_WALLET_ISSUER_UNREACHABLE', `${what}: ${e instanceof Error ? e.message : String(e)}`)
  }
  const text = await r.text()
  if (text.length > MAX_ANSWER) return refuse('ERR_WALLET_ISSUANCE_REFUSED', `${what}: the answer is longer than ${MAX_ANSWER} characters`)
  let body
  try {
    body = parseJson(text, { maxLength: MAX_ANSWER, maxDepth: 32 }, what)
  } catch {
    return refuse('ERR_WALLET_ISSUANCE_REFUSED', `${what}: HTTP ${r.status}, not a JSON answer`)
  }
  if (!isJsonObject(body)) return refuse('ERR_WALLET_ISSUANCE_REFUSED', `${what}: HTTP ${r.status}, not a JSON object`)
  if (!r.ok) {
    const error = typeof body.error === 'string' ? body.error : 'error'
    const code = typeof body.code === 'string' ? ` ${body.code}` : ''
    const desc = typeof body.error_description === 'string' ? `: ${body.error_description}` : ''
    return refuse('ERR_WALLET_ISSUANCE_REFUSED', `${what}: HTTP ${r.status} ${error}${code}${desc}`)
  }
  return ok({ status: r.status, body })
}

/** Reads an offer link (or the offer it references); ERR_WALLET_OFFER_INVALID when it is not one. */
export async function readOffer(link: string, o: { fetch?: Fetch } = {}): Promise<Verdict<Offer>> {
  const f = o.fetch ?? globalThis.fetch
  if (typeof link !== 'string' || link.length > 16_384) return refuse('ERR_WALLET_OFFER_INVALID', 'not an offer link')
  const text = link.trim()
  if (!text.startsWith(OFFER_SCHEME)) return refuse('ERR_WALLET_OFFER_INVALID', `an offer link starts with ${OFFER_SCHEME}`)
  const params = new URLSearchParams(text.slice(text.indexOf('?') + 1))
  const byValue = params.get('credential_offer')
  const byRef = params.get('credential_offer_uri')
  if ((byValue === null) === (byRef === null) || params.getAll('credential_offer').length + params.getAll('credential_offer_uri').length !== 1) {
    return refuse('ERR_WALLET_OFFER_INVALID', 'an offer link carries exactly one of credential_offer and credential_offer_uri')
  }
  let offer: JsonObject
  if (byValue !== null) {
    let v
    try {
      v = parseJson(byValue, { maxLength: 16_384, maxDepth: 8 }, 'the credential offer')
    } catch {
      return refuse('ERR_WALLET_OFFER_INVALID', 'credential_offer is not JSON')
    }
    if (!isJsonObject(v)) return refuse('ERR_WALLET_OFFER_INVALID', 'credential_offer is not a JSON object')
    offer = v
  } else {
    const u = httpsOrLocal(byRef!)
    if (!u) return refuse('ERR_WALLET_OFFER_INVALID', 'credential_offer_uri is not an https URL')
    const r = await getJson(f, u.href, { method: 'GET' }, 'the credential offer')
    if (!r.ok) return r
    offer = r.value.body
  }
  const issuer = typeof offer.credential_issuer === 'string' ? httpsOrLocal(offer.credential_issuer) : null
  if (!issuer || issuer.search) return refuse('ERR_WALLET_OFFER_INVALID', 'credential_issuer is not an https URL without query')
  const ids = offer.credential_configuration_ids
  if (!Array.isArray(ids) || ids.length !== 1 || typeof ids[0] !== 'string') return refuse('ERR_WALLET_OFFER_INVALID', 'this wallet takes offers of exactly one credential configuration')
  const grants = offer.grants
  const grant = isJsonObject(grants) ? grants[PRE_AUTHORIZED_GRANT] : undefined
  if (!isJsonObject(grant) || typeof grant['pre-authorized_code'] !== 'string' || grant['pre-authorized_code'].length === 0) {
    return refuse('ERR_WALLET_OFFER_INVALID', 'the offer has no pre-authorized code grant')
  }
  let txCode: Offer['txCode'] = null
  if (grant.tx_code !== undefined) {
    const t = grant.tx_code
    if (!isJsonObject(t)) return refuse('ERR_WALLET_OFFER_INVALID', 'tx_code is not an object')
    const length = t.length === undefined ? null : t.length
    if (length !== null && (!Number.isSafeInteger(length) || (length as number) < 1 || (length as number) > 64)) return refuse('ERR_WALLET_OFFER_INVALID', 'tx_code.length is not 1…64')
    const mode = t.input_mode ?? 'numeric'
    if (mode !== 'numeric' && mode !== 'text') return refuse('ERR_WALLET_OFFER_INVALID', 'tx_code.input_mode is neither numeric nor text')
    txCode = { length: length as number | null, inputMode: mode, description: typeof t.description === 'string' ? t.description.slice(0, 300) : null }
  }
  const base = issuer.href.replace(/\/$/, '')
  return ok({ issuer: base, configurationId: ids[0], preAuthorizedCode: grant['pre-authorized_code'], txCode })
}

async function newKeyPair(): Promise<CryptoKeyPair> {
  return globalThis.crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']) as Promise<CryptoKeyPair>
}

const jti = (): string => encodeBase64url(globalThis.crypto.getRandomValues(new Uint8Array(16)))

async function dpopProof(signer: Signer, url: string, now: number, accessToken?: string): Promise<string> {
  const payload: Record<string, unknown> = { jti: jti(), htm: 'POST', htu: url, iat: now }
  if (accessToken !== undefined) payload.ath = encodeBase64url(sha256(encodeUtf8(accessToken)))
  return signCompactJws({ typ: 'dpop+jwt', jwk: signer.publicJwk }, payload, signer)
}

/** An endpoint the metadata names: an https URL on the issuer's own origin. */
function endpoint(meta: JsonObject, name: string, origin: string): string | null {
  const v = meta[name]
  const u = typeof v === 'string' ? httpsOrLocal(v) : null
  return u && u.origin === origin ? u.href : null
}

/**
 * Runs the flow for `offer` and verifies what comes back. `count` copies (default: the
 * issuer's batch_size, at most MAX_BATCH). Codes: ERR_WALLET_ISSUER_UNREACHABLE,
 * ERR_WALLET_ISSUANCE_REFUSED (the issuer said no, or said something this wallet cannot use),
 * ERR_WALLET_TX_CODE_NEEDED, ERR_WALLET_CREDENTIAL_INVALID.
 */
export async function receive(offer: Offer, o: { txCode?: string; count?: number; issuerKey: JwsKeyResolver; now: () => number; fetch?: Fetch }): Promise<Verdict<Received>> {
  const f = o.fetch ?? globalThis.fetch
  const origin = new URL(offer.issuer).origin
  if (offer.txCode && (typeof o.txCode !== 'string' || o.txCode.length === 0)) return refuse('ERR_WALLET_TX_CODE_NEEDED', 'this offer needs the transaction code the officer gave')

  const im = await getJson(f, `${offer.issuer}/.well-known/openid-credential-issuer`, { method: 'GET' }, 'the issuer metadata')
  if (!im.ok) return im
  const meta = im.value.body
  if (meta.credential_issuer !== offer.issuer && meta.credential_issuer !== `${offer.issuer}/`) return refuse('ERR_WALLET_ISSUANCE_REFUSED', 'the issuer metadata names another credential_issuer')
  const credentialUrl = endpoint(meta, 'credential_endpoint', origin)
  const nonceUrl = endpoint(meta, 'nonce_endpoint', origin)
  if (!credentialUrl || !nonceUrl) return refuse('ERR_WALLET_ISSUANCE_REFUSED', 'the issuer metadata names no credential and nonce endpoints on its own origin')
  const configs = meta.credential_configurations_supported
  const config = isJsonObject(configs) ? configs[offer.configurationId] : undefined
  if (!isJsonObject(config) || config.format !== 'dc+sd-jwt') return refuse('ERR_WALLET_ISSUANCE_REFUSED', `the issuer does not describe ${offer.configurationId.slice(0, 80)} as a dc+sd-jwt credential`)
  const batch = isJsonObject(meta.batch_credential_issuance) && Number.isSafeInteger(meta.batch_credential_issuance.batch_size) ? (meta.batch_credential_issuance.batch_size as number) : 1
  const count = Math.min(o.count ?? batch, batch, MAX_BATCH)
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError('count must be a positive integer')

  const am = await getJson(f, `${offer.issuer}/.well-known/oauth-authorization-server`, { method: 'GET' }, 'the authorization server metadata')
  if (!am.ok) return am
  const tokenUrl = endpoint(am.value.body, 'token_endpoint', origin)
  if (!tokenUrl) return refuse('ERR_WALLET_ISSUANCE_REFUSED', 'the authorization server names no token endpoint on the issuer\'s origin')

  // Token, bound to an ephemeral DPoP key.
  const dpop = await signerFromCryptoKeyPair(await newKeyPair())
  const form = new URLSearchParams({ grant_type: PRE_AUTHORIZED_GRANT, 'pre-authorized_code': offer.preAuthorizedCode })
  if (offer.txCode) form.set('tx_code', o.txCode!)
  const tok = await getJson(f, tokenUrl, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await dpopProof(dpop, tokenUrl, o.now()) }, body: form.toString(),
  }, 'the token request')
  if (!tok.ok) return tok
  const accessToken = tok.value.body.access_token
  if (typeof accessToken !== 'string' || !/^[A-Za-z0-9\-._~+/]+=*$/.test(accessToken) || String(tok.value.body.token_type).toLowerCase() !== 'dpop') {
    return refuse('ERR_WALLET_ISSUANCE_REFUSED', 'the token answer holds no DPoP-bound access token')
  }

  const nn = await getJson(f, nonceUrl, { method: 'POST' }, 'the nonce request')
  if (!nn.ok) return nn
  const nonce = nn.value.body.c_nonce
  if (typeof nonce !== 'string' || nonce.length === 0 || nonce.length > 1024) return refuse('ERR_WALLET_ISSUANCE_REFUSED', 'the nonce answer holds no c_nonce')

  // One fresh holder key per copy, one proof each.
  const pairs = await Promise.all(Array.from({ length: count }, newKeyPair))
  const signers = await Promise.all(pairs.map(signerFromCryptoKeyPair))
  const now = o.now()
  const proofs = await Promise.all(signers.map((s) => signCompactJws({ typ: 'openid4vci-proof+jwt', jwk: s.publicJwk }, { aud: offer.issuer, iat: now, nonce }, s)))
  const cr = await getJson(f, credentialUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `DPoP ${accessToken}`, dpop: await dpopProof(dpop, credentialUrl, o.now(), accessToken) },
    body: JSON.stringify({ credential_configuration_id: offer.configurationId, proofs: { jwt: proofs } }),
  }, 'the credential request')
  if (!cr.ok) return cr
  const list = cr.value.body.credentials
  if (!Array.isArray(list) || list.length !== count) return refuse('ERR_WALLET_ISSUANCE_REFUSED', `asked for ${count} copies, the answer holds ${Array.isArray(list) ? list.length : 'no list'}`)

  // Every copy: verified under the registry, bound to its own key, of the type offered.
  const copies: ReceivedCopy[] = []
  const vct = typeof config.vct === 'string' ? config.vct : null
  for (const [i, item] of list.entries()) {
    const credential = isJsonObject(item) ? item.credential : undefined
    if (typeof credential !== 'string') return refuse('ERR_WALLET_CREDENTIAL_INVALID', `copy ${i} is not a credential string`)
    const v = await verifySdJwt(credential, { issuerKey: o.issuerKey, keyBinding: 'not-required', now: o.now() })
    if (!v.ok) return refuse('ERR_WALLET_CREDENTIAL_INVALID', `copy ${i}: ${v.code}: ${v.detail}`)
    const cnf = v.value.claims.cnf
    const bound = signers.findIndex((s) => isJsonObject(cnf) && isJsonObject(cnf.jwk) && sameJwk(cnf.jwk as unknown as PublicJwk, s.publicJwk))
    if (bound === -1) return refuse('ERR_WALLET_CREDENTIAL_INVALID', `copy ${i} is bound to no key this wallet sent`)
    if (copies.some((c) => sameJwk(c.publicJwk, signers[bound]!.publicJwk))) return refuse('ERR_WALLET_CREDENTIAL_INVALID', `copy ${i} is bound to a key another copy is bound to`)
    if (vct !== null && v.value.claims.vct !== vct) return refuse('ERR_WALLET_CREDENTIAL_INVALID', `copy ${i} is a ${String(v.value.claims.vct).slice(0, 80)}, not the ${vct} offered`)
    copies.push({ credential, verified: v.value, keyPair: pairs[bound]!, publicJwk: signers[bound]!.publicJwk })
  }
  return ok({ issuer: offer.issuer, configurationId: offer.configurationId, display: credentialDisplay(config), copies })
}
