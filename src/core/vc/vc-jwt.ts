/**
 * VC-JWT: W3C VC Data Model 1.1 credentials in the JWT encoding (VCDM 1.1 §6.3.1), issued and
 * verified through did-jwt-vc — wrapped, because on its own did-jwt-vc:
 * - accepts algs outside our allow-list (ES256K, ES256K-R, Ed25519) and decodes with
 *   JSON.parse (last duplicate member wins) and a lenient base64url decoder;
 * - skips time claims that are 0 or not numbers (`if (payload.exp && …)`), and checks `iat`
 *   only when there is no `nbf`;
 * - decodes a nested inner JWT when the header says `cty: JWT` and reports that one;
 * - builds its W3C view by merging top-level `credentialSubject`/`issuer`/`@context`/`type`
 *   members and a legacy `claim` format into the credential, so one token can be read two
 *   ways (`sub` and `vc.credentialSubject.id` may even disagree);
 * - signals failure by throwing with message prefixes, not codes.
 * So verification here is: strict parse (jose/jws.ts) → strict VCDM 1.1 JWT shape → time
 * claims → issuer key from our resolver (assertionMethod) and OUR signature check → then
 * did-jwt-vc `verifyCredential` for its own checks, its exceptions mapped by
 * library-errors.ts. Every step must pass; no network is touched (the resolver is local or
 * backed by the synced trust registry).
 *
 * This says a credential is authentic and in its validity period. Whether its issuer is
 * accredited for its type, and its status, are decided elsewhere (registry/, status/).
 */
import { createVerifiableCredentialJwt, verifyCredential, type JwtCredentialPayload } from 'did-jwt-vc'
import { isJsonObject, type JsonObject } from '../bytes/json.ts'
import { fail, ok, type Verdict } from '../errors.ts'
import { resolveDidKey } from '../crypto/did.ts'
import { sameJwk, type JwsAlg } from '../crypto/jwk.ts'
import type { Signer } from '../crypto/keys.ts'
import { DEFAULT_MAX_JWS_LENGTH } from '../jose/jws.ts'
import { failFromLibrary } from './library-errors.ts'
import {
  VC_CONTEXT_V1, assertClock, assertIssueTime, checkSignatureOf, checkTimes, contextProblem, parseJwt,
  toDidJwtSigner, typeProblem,
} from './jwt-checks.ts'
import { defaultResolver, isBareDid, type Resolvable } from './resolver.ts'

export const VC_TYPE = 'VerifiableCredential'

export interface JwtSignerIdentity {
  /** The signer's DID (bare, no fragment). */
  did: string
  /** Verification method id for the header `kid`; derived for did:key / did:jwk when omitted. */
  kid?: string
  signer: Signer
}

export interface IssueVcInput {
  issuer: JwtSignerIdentity
  /** Becomes `sub` (VCDM 1.1 §6.3.1: credentialSubject.id). */
  subjectDid: string
  /** Extra types; "VerifiableCredential" is always first. */
  type: string[]
  /** Claims about the subject; an `id`, if present, must equal subjectDid. */
  credentialSubject: Record<string, unknown>
  /** Extra @context entries after the VCDM 1.1 base context. */
  context?: string[]
  /** Seconds; becomes `nbf` (issuanceDate). Defaults to `now`. */
  validFrom?: number
  /** Seconds; becomes `exp` (expirationDate). */
  validUntil?: number
  /** Becomes `jti` (the credential id, a URI). */
  id?: string
  /** Seconds. */
  now: number
}

export interface VerifyVcOptions {
  /** Defaults to the built-in did:key + did:jwk resolver. */
  resolver?: Resolvable
  /** Seconds. */
  now: number
  /** Allowed clock difference in seconds (default 60). */
  skewSeconds?: number
  /** Cap on the token length (default 64 KiB). */
  maxLength?: number
}

export interface VerifiedVc {
  jwt: string
  header: JsonObject
  /** The JWT claims exactly as signed. */
  payload: JsonObject
  alg: JwsAlg
  /** `iss`: the issuer DID. */
  issuer: string
  /** Verification method that verified the signature. */
  kid: string
  /** `sub`: the subject DID. */
  subject: string
  type: string[]
  context: string[]
  /** `vc.credentialSubject` with `id` set to the subject. */
  credentialSubject: JsonObject
  /** `jti`, when present. */
  id?: string
  /** `nbf` in seconds. */
  validFrom: number
  /** `exp` in seconds, when present. */
  validUntil?: number
}

/** Members did-jwt-vc would merge into its W3C view from the top level: one meaning only. */
const AMBIGUOUS_TOP = ['credentialSubject', 'issuer', 'issuanceDate', 'expirationDate', '@context', 'context', 'type', 'id', 'claim', 'vp']
/** Members the JWT claims carry (iss, nbf, exp, jti); a second copy inside `vc` could disagree. */
const AMBIGUOUS_IN_VC = ['issuer', 'issuanceDate', 'expirationDate', 'validFrom', 'validUntil', 'id', 'proof']

function assertDid(name: string, v: unknown): asserts v is string {
  if (!isBareDid(v)) throw new TypeError(`${name} must be a bare DID`)
}

/** The verification method id of a did:key / did:jwk signer, after checking the key matches. */
export function signerKid(identity: JwtSignerIdentity): string | undefined {
  assertDid('signer did', identity.did)
  const method = identity.did.split(':')[1]
  if (method !== 'key' && method !== 'jwk') return identity.kid
  let resolved
  try {
    resolved = resolveDidKey(identity.did)
  } catch (e) {
    throw new TypeError(`signer did does not resolve: ${e instanceof Error ? e.message : ''}`)
  }
  if (!sameJwk(resolved.jwk, identity.signer.publicJwk)) throw new TypeError('the signer key is not the key of the signer did')
  if (identity.kid !== undefined && identity.kid !== resolved.kid) throw new TypeError(`kid must be ${resolved.kid}`)
  return resolved.kid
}

/**
 * Issue a VC-JWT (VCDM 1.1 JWT encoding) with did-jwt-vc. Bad arguments are programmer errors
 * (TypeError); the result always passes verifyVcJwt with the same clock.
 */
export async function issueVcJwt(input: IssueVcInput): Promise<string> {
  const { issuer, subjectDid, type, credentialSubject } = input
  const kid = signerKid(issuer)
  assertDid('subjectDid', subjectDid)
  if (!Array.isArray(type) || !type.every((t) => typeof t === 'string' && t.length > 0)) throw new TypeError('type must be an array of strings')
  if (!isJsonObject(credentialSubject)) throw new TypeError('credentialSubject must be an object')
  const { id: subjectId, ...claims } = credentialSubject
  if (subjectId !== undefined && subjectId !== subjectDid) throw new TypeError('credentialSubject.id differs from subjectDid')
  if (Object.keys(claims).length === 0) throw new TypeError('credentialSubject needs at least one claim')
  if (input.context !== undefined && !(Array.isArray(input.context) && input.context.every((c) => typeof c === 'string'))) throw new TypeError('context must be an array of strings')
  if (input.id !== undefined && (typeof input.id !== 'string' || input.id.length === 0)) throw new TypeError('id must be a non-empty string')
  const now = assertIssueTime('now', input.now)
  const nbf = input.validFrom === undefined ? now : assertIssueTime('validFrom', input.validFrom)
  const exp = input.validUntil === undefined ? undefined : assertIssueTime('validUntil', input.validUntil)
  if (exp !== undefined && exp <= nbf) throw new TypeError('validUntil must be after validFrom')

  const payload: JwtCredentialPayload = {
    sub: subjectDid,
    nbf,
    ...(exp !== undefined ? { exp } : {}),
    ...(input.id !== undefined ? { jti: input.id } : {}),
    vc: {
      '@context': [VC_CONTEXT_V1, ...(input.context ?? []).filter((c) => c !== VC_CONTEXT_V1)],
      type: [VC_TYPE, ...new Set(type.filter((t) => t !== VC_TYPE))],
      credentialSubject: claims,
    },
  }
  return createVerifiableCredentialJwt(
    payload,
    { did: issuer.did, signer: toDidJwtSigner(issuer.signer), alg: issuer.signer.alg },
    { header: kid !== undefined ? { kid } : {}, removeOriginalFields: true },
  )
}

/** VCDM 1.1 §6.3.1 JWT decoding, strictly: the shape we accept and its one reading. */
function readCredential(payload: JsonObject): Verdict<Omit<VerifiedVc, 'jwt' | 'header' | 'payload' | 'alg' | 'kid'>> {
  const bad = (why: string) => fail('ERR_VC_INVALID', why)
  if (!isBareDid(payload.iss)) return bad('iss must be a bare DID')
  if (!isBareDid(payload.sub)) return bad('sub must be a bare DID (the credential subject)')
  for (const m of AMBIGUOUS_TOP) if (payload[m] !== undefined) return bad(`top-level ${m} is not accepted in a VC-JWT`)
  if (payload.aud !== undefined) return bad('a VC-JWT with aud is not accepted')
  if (payload.jti !== undefined && (typeof payload.jti !== 'string' || payload.jti.length === 0)) return bad('jti must be a non-empty string')
  if (payload.nbf === undefined) return bad('nbf (issuanceDate) is required')
  const vc = payload.vc
  if (!isJsonObject(vc)) return bad('vc must be an object')
  for (const m of AMBIGUOUS_IN_VC) if (vc[m] !== undefined) return bad(`vc.${m} is not accepted; the JWT claims carry it`)
  const ctxProblem = contextProblem(vc['@context'])
  if (ctxProblem) return bad(`vc.${ctxProblem}`)
  const tProblem = typeProblem(vc.type, VC_TYPE)
  if (tProblem) return bad(`vc.${tProblem}`)
  const cs = vc.credentialSubject
  if (!isJsonObject(cs)) return bad('vc.credentialSubject must be one object')
  if (cs.id !== undefined && cs.id !== payload.sub) return bad('vc.credentialSubject.id differs from sub')
  const credentialSubject: JsonObject = { ...cs, id: payload.sub }
  if (Object.keys(credentialSubject).length < 2) return bad('vc.credentialSubject has no claims')
  return ok({
    issuer: payload.iss,
    subject: payload.sub,
    type: vc.type as string[],
    context: vc['@context'] as string[],
    credentialSubject,
    ...(payload.jti !== undefined ? { id: payload.jti as string } : {}),
    validFrom: payload.nbf as number,
    ...(payload.exp !== undefined ? { validUntil: payload.exp as number } : {}),
  })
}

/**
 * Verify a VC-JWT. A verdict, never a throw on attacker data (bad options are our bug:
 * TypeError). Codes: ERR_JWS_* / ERR_B64_INVALID / ERR_JSON_* / ERR_UTF8_INVALID from the
 * strict parse; ERR_VC_INVALID (shape); ERR_TIME_CLAIM_INVALID, ERR_VC_EXPIRED; ERR_DID_*,
 * ERR_JWS_KEY_UNKNOWN, ERR_KEY_ALG_MISMATCH, ERR_JWK_INVALID (issuer key);
 * ERR_VC_SIGNATURE_INVALID; and whatever library-errors.ts maps did-jwt-vc's refusals to.
 */
export async function verifyVcJwt(jwt: unknown, options: VerifyVcOptions): Promise<Verdict<VerifiedVc>> {
  if (typeof options !== 'object' || options === null) throw new TypeError('verifyVcJwt needs options with now')
  const { now, skew } = assertClock(options.now, options.skewSeconds)
  const resolver = options.resolver ?? defaultResolver()
  const maxLength = options.maxLength ?? DEFAULT_MAX_JWS_LENGTH

  const parsed = parseJwt(jwt, maxLength)
  if (!parsed.ok) return parsed
  const jws = parsed.value
  const cred = readCredential(jws.payload)
  if (!cred.ok) return cred
  const times = checkTimes(jws.payload, now, skew)
  if (!times.ok) return times
  const sig = await checkSignatureOf(jws, cred.value.issuer, resolver, 'assertionMethod')
  if (!sig.ok) return sig

  try {
    await verifyCredential(jwt as string, resolver, { policies: { now }, skewTime: skew, proofPurpose: 'assertionMethod' })
  } catch (e) {
    return failFromLibrary(e, 'vc')
  }
  return ok({ jwt: jwt as string, header: jws.header, payload: jws.payload, alg: jws.alg, kid: sig.value, ...cred.value })
}

