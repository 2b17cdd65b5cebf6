/**
 * The counter's request (design §6 steps 0–2): an OpenID4VP 1.0 request object signed by the
 * counter's own key, carrying the counter attestation its verifier signed, for one QR code.
 *
 * - Counter attestation: OpenID4VP 1.0's Verifier Attestation JWT (client identifier prefix
 *   `verifier_attestation`, §5.9.3), typ `verifier-attestation+jwt`, here signed by the
 *   verifier itself with a key it registered on the ledger (`kid` = `<verifier DID>#<kid>`),
 *   so a wallet checks it with nothing but its synced registry — the role of an ISO 18013-5
 *   reader certificate. Payload: iss = sub = the verifier DID, iat, exp (at most
 *   ATTESTATION_MAX_SECONDS later), jti, `cnf.jwk` the counter's device key, `counter`
 *   {id, name} and `purposes` the registered purpose ids this counter may ask for.
 * - Request object: typ `oauth-authz-req+jwt` (RFC 9101), the attestation in the `jwt` header,
 *   signed by the key in its `cnf`. Payload: client_id `verifier_attestation:<verifier DID>`,
 *   response_type `vp_token`, response_mode `civic_qr.jwt` (the answer goes back as QR frames,
 *   encrypted), nonce, iat, exp ≤ iat + 300 s, `civic_purpose` (a registered purpose id),
 *   `dcql_query` (one `dc+sd-jwt` credential of one vct; claims by path; optional claims as
 *   DCQL claim_sets: the first set is the full ask, the last the minimum), and
 *   `client_metadata` {jwks: the one ephemeral ECDH P-256 key the answer is encrypted to —
 *   kty, crv, x, y, use `enc`, alg `ECDH-ES`, an optional kid, and no other member —
 *   encrypted_response_enc_values_supported}.
 *
 * `verifyCounterRequest` answers what the wallet needs before its consent screen, from the
 * registry alone (no network): the registered verifier, the purpose, the counter, the claims
 * asked (each required or optional) and which of them go beyond the registered purpose
 * (over-asking: shown and blocked by the policy, not a refusal here). A counter keeps nothing,
 * so a request for a purpose whose registration promises to keep data for any days is refused
 * (ERR_EXCH_PURPOSE_RETAINS): such a purpose belongs to an online service, never a counter.
 * It never throws on what
 * the QR held; refusals carry the catalogue's codes (module table in test/core/exchange).
 *
 * Written here rather than with @openid4vc/openid4vp: that library (0.4.6, a devDependency for
 * interop tests) resolves client ids over the network and has no offline verifier-attestation
 * check against a ledger registry; the strictness here (exact members, lifetimes, purposes
 * bound by the attestation) is the point of the module.
 */
import { encodeBase64url } from '../bytes/base64url.ts'
import { isJsonObject, type JsonObject } from '../bytes/json.ts'
import { readShape } from '../bytes/shape.ts'
import { parsePublicJwk, type EcPublicJwk, type PublicJwk } from '../crypto/jwk.ts'
import { publicKeyOf } from '../registry/_keys.ts'
import { entityKey } from '../registry/rules.ts'
import type { LocalizedText, VerifierPurpose } from '../registry/entry.ts'
import type { VerifierRecord } from '../registry/state.ts'
import { fail, InputError, ok, type ErrorCode, type Verdict } from '../errors.ts'
import type { Signer } from '../crypto/keys.ts'
import { checkJwsSignature, parseCompactJws, signCompactJws } from '../jose/jws.ts'
import { JWE_ENCS, type JweEnc } from '../jose/jwe.ts'

export const ATTESTATION_TYP = 'verifier-attestation+jwt'
export const REQUEST_TYP = 'oauth-authz-req+jwt'
export const CLIENT_ID_PREFIX = 'verifier_attestation:'
export const RESPONSE_MODE = 'civic_qr.jwt'
/** A request is valid for five minutes at most (the bound). */
export const REQUEST_MAX_SECONDS = 300
/** A counter attestation lasts a week at most: a counter offline over a long weekend still works. */
export const ATTESTATION_MAX_SECONDS = 7 * 24 * 3600
export const REQUEST_LIMITS = { maxLength: 6000, maxClaims: 32, skewSeconds: 60 } as const

export interface CounterInfo {
  id: string
  name: LocalizedText
}

export interface AttestationInput {
  verifier: string
  counter: CounterInfo
  counterKey: PublicJwk
  purposes: readonly string[]
  iat: number
  exp: number
  jti: string
}

export interface RequestedClaimPath {
  /** Dotted, as the registry writes claim paths (`address.city`). */
  path: string
  required: boolean
}

export interface RequestInput {
  /** The counter attestation (compact JWS). */
  attestation: string
  verifier: string
  purpose: string
  vct: string
  claims: readonly RequestedClaimPath[]
  nonce: string
  iat: number
  exp: number
  responseKey: EcPublicJwk
  enc?: JweEnc
}

export interface CounterRequest {
  verifier: VerifierRecord
  purpose: VerifierPurpose
  counter: CounterInfo
  /** The counter's device key (the attestation's cnf): receipts verify under it. */
  counterKey: PublicJwk
  attestationId: string
  clientId: string
  nonce: string
  iat: number
  exp: number
  vct: string
  claims: RequestedClaimPath[]
  /** Claims asked for that the registered purpose does not allow. */
  overasked: string[]
  responseKey: EcPublicJwk
  enc: JweEnc
}

const TOKEN = /^[A-Za-z0-9._~-]{1,128}$/
const NONCE = /^[A-Za-z0-9_-]{22,128}$/
const SEGMENT = /^[A-Za-z0-9_]{1,64}$/
/** Most names in one claim path (`address.city` has two). */
const MAX_PATH_SEGMENTS = 8

/**
 * A claim path as a request asks for it, dotted (`address.city`): 1 to 8 names of letters,
 * digits and `_` — the names a registration may list (registry/_schema.ts). No `-`: a date
 * or a phone number is then never a claim name, which the receipt relies on. The receipt names the claims it was shown the same way (receipt.ts).
 */
export function isClaimPath(path: unknown): path is string {
  if (typeof path !== 'string') return false
  const segments = path.split('.')
  return segments.length <= MAX_PATH_SEGMENTS && segments.every((s) => SEGMENT.test(s))
}

function refuse(code: ErrorCode, detail: string): never {
  throw new InputError(code, detail)
}

/** The verifier signs an attestation for one counter device key. */
export async function signCounterAttestation(a: AttestationInput, verifierSigner: Signer, kid: string): Promise<string> {
  if (a.exp <= a.iat || a.exp - a.iat > ATTESTATION_MAX_SECONDS) throw new RangeError('an attestation lives at most ATTESTATION_MAX_SECONDS')
  if (a.purposes.length === 0) throw new RangeError('an attestation grants at least one purpose')
  return signCompactJws({ typ: ATTESTATION_TYP, kid: `${a.verifier}#${kid}` }, {
    iss: a.verifier, sub: a.verifier, iat: a.iat, exp: a.exp, jti: a.jti,
    cnf: { jwk: a.counterKey }, counter: { id: a.counter.id, name: a.counter.name }, purposes: [...a.purposes],
  }, verifierSigner)
}

/** The DCQL query of a request (one SD-JWT VC; optional claims as claim_sets). */
export function dcqlQuery(vct: string, claims: readonly RequestedClaimPath[]): JsonObject {
  const ids = claims.map((_, i) => `c${i}`)
  const query: JsonObject = {
    id: 'cred',
    format: 'dc+sd-jwt',
    meta: { vct_values: [vct] },
    claims: claims.map((c, i) => ({ id: ids[i]!, path: c.path.split('.') })),
  }
  if (claims.some((c) => !c.required)) query.claim_sets = [ids, ids.filter((_, i) => claims[i]!.required)]
  return { credentials: [query] }
}

/** The counter signs a request with its device key. */
export async function signCounterRequest(r: RequestInput, counterSigner: Signer): Promise<string> {
  if (r.exp <= r.iat || r.exp - r.iat > REQUEST_MAX_SECONDS) throw new RangeError('a request lives at most REQUEST_MAX_SECONDS')
  return signCompactJws({ typ: REQUEST_TYP, jwt: r.attestation }, {
    client_id: `${CLIENT_ID_PREFIX}${r.verifier}`,
    response_type: 'vp_token',
    response_mode: RESPONSE_MODE,
    nonce: r.nonce,
    iat: r.iat,
    exp: r.exp,
    civic_purpose: r.purpose,
    dcql_query: dcqlQuery(r.vct, r.claims),
    client_metadata: {
      jwks: { keys: [{ ...r.responseKey, use: 'enc', alg: 'ECDH-ES', kid: 'answer' }] },
      encrypted_response_enc_values_supported: [r.enc ?? 'A128GCM'],
    },
  }, counterSigner)
}

/** A fresh request nonce: 16 random bytes, base64url. */
export function requestNonce(random: (n: number) => Uint8Array): string {
  return encodeBase64url(random(16))
}

export interface VerifyRequestOptions {
  now: number
  /** The verifier's registration now (the trust engine's checkVerifier). */
  verifier: (did: string) => Verdict<VerifierRecord>
}

interface Attested {
  verifier: VerifierRecord
  counter: CounterInfo
  counterKey: PublicJwk
  purposes: string[]
  jti: string
}

async function readAttestation(text: unknown, o: VerifyRequestOptions): Promise<Attested> {
  const A = 'ERR_EXCH_ATTESTATION_INVALID'
  if (typeof text !== 'string') refuse(A, 'the request header has no jwt (counter attestation)')
  let jws
  try {
    jws = parseCompactJws(text, { typ: ATTESTATION_TYP, maxLength: REQUEST_LIMITS.maxLength })
  } catch (e) {
    if (e instanceof InputError) refuse(A, `the attestation: ${e.code}: ${e.detail}`)
    throw e
  }
  const p = readShape(jws.payload, { iss: 'text', sub: 'text', iat: 'uint', exp: 'uint', jti: 'text', cnf: 'object', counter: 'object', purposes: 'array' }, 'attestation', A)
  if (p.sub !== p.iss) refuse(A, 'the attestation\'s sub is not its iss (a verifier attests its own counters)')
  const standing = o.verifier(p.iss)
  if (!standing.ok) refuse(standing.code, standing.detail)
  if (typeof jws.header.kid !== 'string') refuse(A, 'the attestation has no kid')
  const key = entityKey(standing.value, jws.header.kid)
  if (!key.ok) refuse(A, `the attestation's key: ${key.code}: ${key.detail}`)
  const sig = await checkJwsSignature(jws, publicKeyOf(key.value.jwk))
  if (!sig.ok) refuse(A, `the attestation's signature: ${sig.code}`)
  if (p.exp <= p.iat || p.exp - p.iat > ATTESTATION_MAX_SECONDS) refuse(A, `an attestation valid for ${p.exp - p.iat} s (at most ${ATTESTATION_MAX_SECONDS})`)
  if (o.now + REQUEST_LIMITS.skewSeconds < p.iat) refuse(A, 'the attestation is issued in the future')
  if (o.now - REQUEST_LIMITS.skewSeconds >= p.exp) refuse(A, `the attestation expired at ${p.exp}`)
  const cnf = readShape(p.cnf, { jwk: 'object' }, 'attestation.cnf', A)
  let counterKey: PublicJwk
  try {
    counterKey = parsePublicJwk(cnf.jwk)
  } catch (e) {
    if (e instanceof InputError) refuse(A, `attestation.cnf.jwk: ${e.detail}`)
    throw e
  }
  const c = readShape(p.counter, { id: 'text', name: 'object' }, 'attestation.counter', A)
  if (!TOKEN.test(c.id)) refuse(A, 'attestation.counter.id is not a short token')
  const n = readShape(c.name, { 'zh-CN': 'text', en: 'text' }, 'attestation.counter.name', A)
  if (n['zh-CN'].length > 120 || n.en.length > 120) refuse(A, 'attestation.counter.name is longer than 120 characters')
  const name: LocalizedText = { 'zh-CN': n['zh-CN'], en: n.en }
  const purposes = p.purposes
  if (purposes.length === 0 || purposes.length > 32 || !purposes.every((x) => typeof x === 'string' && TOKEN.test(x)) || new Set(purposes).size !== purposes.length) refuse(A, 'attestation.purposes is not a set of purpose ids')
  return { verifier: standing.value, counter: { id: c.id, name }, counterKey, purposes: purposes as string[], jti: p.jti }
}

function readQuery(v: unknown): { vct: string; claims: RequestedClaimPath[] } {
  const D = 'ERR_EXCH_DCQL_INVALID'
  const q = readShape(v, { credentials: 'array' }, 'dcql_query', D)
  if (q.credentials.length !== 1) refuse(D, 'dcql_query asks for one credential exactly')
  const c = readShape(q.credentials[0], { id: 'text', format: 'text', meta: 'object', claims: 'array', claim_sets: 'array?' }, 'dcql_query.credentials[0]', D)
  if (c.format !== 'dc+sd-jwt') refuse(D, `format ${c.format.slice(0, 40)} is not dc+sd-jwt`)
  const meta = readShape(c.meta, { vct_values: 'array' }, 'dcql_query.credentials[0].meta', D)
  if (meta.vct_values.length !== 1 || typeof meta.vct_values[0] !== 'string' || meta.vct_values[0].length === 0) refuse(D, 'meta.vct_values names one credential type')
  if (c.claims.length === 0 || c.claims.length > REQUEST_LIMITS.maxClaims) refuse(D, `1 to ${REQUEST_LIMITS.maxClaims} claims`)
  const ids: string[] = []
  const paths: string[] = []
  c.claims.forEach((x, i) => {
    const cl = readShape(x, { id: 'text', path: 'array' }, `dcql_query.credentials[0].claims[${i}]`, D)
    if (cl.path.length === 0 || cl.path.length > MAX_PATH_SEGMENTS || !cl.path.every((s) => typeof s === 'string' && SEGMENT.test(s))) refuse(D, `claims[${i}].path is not a path of claim names`)
    ids.push(cl.id)
    paths.push((cl.path as string[]).join('.'))
  })
  if (new Set(ids).size !== ids.length) refuse(D, 'two claims share an id')
  if (new Set(paths).size !== paths.length) refuse(D, 'a claim is asked for twice')
  let required = new Set(ids)
  if (c.claim_sets !== undefined) {
    const sets = c.claim_sets
    if (sets.length < 1 || sets.length > 8) refuse(D, 'claim_sets has 1 to 8 sets')
    const asSets = sets.map((s, i) => {
      if (!Array.isArray(s) || !s.every((x) => typeof x === 'string' && ids.includes(x)) || new Set(s).size !== s.length) refuse(D, `claim_sets[${i}] is not a set of claim ids`)
      return new Set(s as string[])
    })
    // The first set is the whole ask; every later set is a subset of the one before (preference order).
    if (asSets[0]!.size !== ids.length) refuse(D, 'claim_sets[0] must name every claim')
    for (let i = 1; i < asSets.length; i++) if (![...asSets[i]!].every((x) => asSets[i - 1]!.has(x))) refuse(D, `claim_sets[${i}] is not within the set before it`)
    required = asSets[asSets.length - 1]!
  }
  return { vct: meta.vct_values[0], claims: paths.map((path, i) => ({ path, required: required.has(ids[i]!) })) }
}

/** The request as the wallet's consent screen needs it, or why the wallet will not answer. */
export async function verifyCounterRequest(text: string, o: VerifyRequestOptions): Promise<Verdict<CounterRequest>> {
  const R = 'ERR_EXCH_REQUEST_INVALID'
  try {
    if (typeof text !== 'string') refuse(R, 'not text')
    if (text.length > REQUEST_LIMITS.maxLength) refuse(R, `longer than ${REQUEST_LIMITS.maxLength} characters`)
    let jws
    try {
      jws = parseCompactJws(text, { typ: REQUEST_TYP, maxLength: REQUEST_LIMITS.maxLength })
    } catch (e) {
      if (e instanceof InputError) refuse(R, `${e.code}: ${e.detail}`)
      throw e
    }
    const att = await readAttestation(jws.header.jwt, o)
    // Signed by the attested device key, or not by this counter at all.
    const sig = await checkJwsSignature(jws, publicKeyOf(att.counterKey))
    if (!sig.ok) refuse('ERR_EXCH_COUNTER_UNENROLLED', `the request is not signed by the counter key its attestation binds (${sig.code})`)
    const p = readShape(jws.payload, {
      client_id: 'text', response_type: 'text', response_mode: 'text', nonce: 'text', iat: 'uint', exp: 'uint',
      civic_purpose: 'text', dcql_query: 'object', client_metadata: 'object',
    }, 'request', R)
    if (p.client_id !== `${CLIENT_ID_PREFIX}${att.verifier.did}`) refuse(R, 'client_id is not verifier_attestation:<the attested verifier>')
    if (p.response_type !== 'vp_token') refuse(R, 'response_type is not vp_token')
    if (p.response_mode !== RESPONSE_MODE) refuse(R, `response_mode is not ${RESPONSE_MODE}`)
    if (!NONCE.test(p.nonce)) refuse(R, 'the nonce is not 22–128 base64url characters')
    if (p.exp <= p.iat || p.exp - p.iat > REQUEST_MAX_SECONDS) refuse('ERR_EXCH_REQUEST_LIFETIME', `a request valid for ${p.exp - p.iat} s (at most ${REQUEST_MAX_SECONDS})`)
    if (o.now + REQUEST_LIMITS.skewSeconds < p.iat) refuse('ERR_EXCH_REQUEST_EXPIRED', 'the request is issued in the future')
    if (o.now - REQUEST_LIMITS.skewSeconds >= p.exp) refuse('ERR_EXCH_REQUEST_EXPIRED', `the request expired at ${p.exp}`)
    if (!att.purposes.includes(p.civic_purpose)) refuse('ERR_EXCH_COUNTER_UNENROLLED', `this counter is not enrolled for the purpose ${p.civic_purpose.slice(0, 64)}`)
    const purpose = att.verifier.purposes.find((x) => x.id === p.civic_purpose)
    if (!purpose) refuse('ERR_EXCH_PURPOSE_UNKNOWN', `${att.verifier.did} has registered no purpose ${p.civic_purpose.slice(0, 64)}`)
    if (purpose.retention.days !== 0) refuse('ERR_EXCH_PURPOSE_RETAINS', `the purpose ${purpose.id} keeps data for ${purpose.retention.days} days; a counter keeps nothing`)
    const q = readQuery(p.dcql_query)
    if (q.vct !== purpose.vct) refuse('ERR_EXCH_OVERASKING', `the purpose ${purpose.id} is for ${purpose.vct}, the request asks for ${q.vct.slice(0, 80)}`)
    const meta = readShape(p.client_metadata, { jwks: 'object', encrypted_response_enc_values_supported: 'array' }, 'client_metadata', R)
    const jwks = readShape(meta.jwks, { keys: 'array' }, 'client_metadata.jwks', R)
    if (jwks.keys.length !== 1 || !isJsonObject(jwks.keys[0])) refuse(R, 'client_metadata.jwks holds one key exactly')
    const { use, alg, kid, ...rest } = jwks.keys[0] as JsonObject
    if (use !== 'enc' || alg !== 'ECDH-ES' || (kid !== undefined && typeof kid !== 'string')) refuse(R, 'the response key is not use enc, alg ECDH-ES')
    const members = Object.keys(rest).sort().join(',')
    if (members !== 'crv,kty,x,y') refuse(R, `the response key has members ${members.slice(0, 80)} besides use, alg and kid, not exactly kty, crv, x, y`)
    let responseKey: PublicJwk
    try {
      responseKey = parsePublicJwk(rest)
    } catch (e) {
      if (e instanceof InputError) refuse(R, `the response key: ${e.detail}`)
      throw e
    }
    if (responseKey.kty !== 'EC') refuse(R, 'the response key is not P-256')
    const encs = meta.encrypted_response_enc_values_supported
    const enc = encs.find((x): x is JweEnc => typeof x === 'string' && (JWE_ENCS as readonly string[]).includes(x))
    if (!enc || encs.length > 4) refuse(R, 'encrypted_response_enc_values_supported offers neither A128GCM nor A256GCM')
    const allowed = new Set(purpose.claims)
    return ok({
      verifier: att.verifier, purpose, counter: att.counter, counterKey: att.counterKey, attestationId: att.jti,
      clientId: p.client_id, nonce: p.nonce, iat: p.iat, exp: p.exp, vct: q.vct, claims: q.claims,
      overasked: q.claims.filter((c) => !allowed.has(c.path)).map((c) => c.path),
      responseKey: responseKey as EcPublicJwk, enc,
    })
  } catch (e) {
    if (e instanceof InputError) return fail(e.code, e.detail)
    throw e
  }
}
