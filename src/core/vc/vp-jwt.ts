/**
 * VP-JWT: a holder's presentation of VC-JWTs (VCDM 1.1 §6.3.1 JWT encoding of a
 * presentation), with `nonce` and `aud` from the verifier's request.
 *
 * Why a wrapper and not did-jwt-vc's `verifyPresentation` alone (stack notes §7):
 * - it does NOT verify the embedded credentials: a VP carrying a VC with a forged signature
 *   comes back `verified: true`;
 * - it does not bind the credentials to the presenter: anyone can wrap someone else's VC in
 *   a VP signed with their own key;
 * - `challenge` and `domain` are optional there: leave them out and nonce/aud go unchecked;
 * - plus everything listed in vc-jwt.ts (algs outside {ES256, EdDSA}, lenient decoding,
 *   skipped time claims, messages instead of codes).
 * So here nonce and aud are mandatory arguments (missing → TypeError, our bug), the VP passes
 * the same strict parse, shape, time and signature checks as a VC (holder key from the
 * `authentication` relationship), then did-jwt-vc's own checks, then EVERY embedded VC is
 * verified with verifyVcJwt and its subject (`sub`) must be the VP's `iss`. No network.
 */
import { createVerifiablePresentationJwt, verifyPresentation, type JwtPresentationPayload } from 'did-jwt-vc'
import { isJsonObject, type JsonObject } from '../bytes/json.ts'
import { fail, ok, type Verdict } from '../errors.ts'
import type { JwsAlg } from '../crypto/jwk.ts'
import { DEFAULT_MAX_JWS_LENGTH } from '../jose/jws.ts'
import { failFromLibrary } from './library-errors.ts'
import {
  VC_CONTEXT_V1, assertClock, assertIssueTime, checkSignatureOf, checkTimes, contextProblem, parseJwt,
  toDidJwtSigner, typeProblem,
} from './jwt-checks.ts'
import { defaultResolver, isBareDid, type Resolvable } from './resolver.ts'
import { signerKid, verifyVcJwt, type JwtSignerIdentity, type VerifiedVc } from './vc-jwt.ts'

export const VP_TYPE = 'VerifiablePresentation'
export const DEFAULT_VP_TTL_SECONDS = 300
export const DEFAULT_MAX_VP_LENGTH = 4 * DEFAULT_MAX_JWS_LENGTH
export const DEFAULT_MAX_VP_CREDENTIALS = 16

export interface IssueVpInput {
  holder: JwtSignerIdentity
  /** VC-JWTs, as issued. */
  credentials: string[]
  /** From the verifier's request. */
  nonce: string
  /** The verifier (its DID or client id). */
  aud: string
  /** Seconds; becomes `iat`. */
  now: number
  /** Lifetime in seconds (default 300); `exp` = now + expiresIn. */
  expiresIn?: number
}

export interface VerifyVpOptions {
  /** The nonce this verifier issued (mandatory). */
  nonce: string
  /** This verifier's identifier (mandatory). */
  aud: string
  /** Seconds. */
  now: number
  resolver?: Resolvable
  skewSeconds?: number
  /** Cap on the VP length (default 256 KiB); each embedded VC is capped at 64 KiB. */
  maxLength?: number
  /** Cap on the number of embedded credentials (default 16). */
  maxCredentials?: number
}

export interface VerifiedVp {
  jwt: string
  header: JsonObject
  payload: JsonObject
  alg: JwsAlg
  /** `iss`: the holder DID, to which every credential is bound. */
  holder: string
  /** Verification method that verified the VP signature. */
  kid: string
  nonce: string
  aud: string[]
  /** Every embedded VC, verified, each with subject === holder. */
  credentials: VerifiedVc[]
}

function nonEmptyString(name: string, v: unknown): string {
  if (typeof v !== 'string' || v.length === 0) throw new TypeError(`${name} is mandatory and must be a non-empty string`)
  return v
}

/** Issue a VP-JWT with did-jwt-vc. Bad arguments are programmer errors (TypeError). */
export async function issueVpJwt(input: IssueVpInput): Promise<string> {
  const nonce = nonEmptyString('nonce', input.nonce)
  const aud = nonEmptyString('aud', input.aud)
  const kid = signerKid(input.holder)
  const now = assertIssueTime('now', input.now)
  const ttl = input.expiresIn ?? DEFAULT_VP_TTL_SECONDS
  if (!Number.isInteger(ttl) || ttl <= 0) throw new TypeError('expiresIn must be a positive integer number of seconds')
  if (!Array.isArray(input.credentials) || !input.credentials.every((c) => typeof c === 'string')) throw new TypeError('credentials must be an array of VC-JWT strings')
  const payload: JwtPresentationPayload = {
    vp: { '@context': [VC_CONTEXT_V1], type: [VP_TYPE], verifiableCredential: [...input.credentials] },
    nonce,
    aud,
    iat: now,
    exp: now + ttl,
  }
  return createVerifiablePresentationJwt(
    payload,
    { did: input.holder.did, signer: toDidJwtSigner(input.holder.signer), alg: input.holder.signer.alg },
    { header: kid !== undefined ? { kid } : {}, removeOriginalFields: true },
  )
}

/** Members did-jwt-vc would merge into its W3C presentation view from the top level. */
const AMBIGUOUS_TOP = ['@context', 'context', 'type', 'holder', 'verifiableCredential', 'verifier', 'issuanceDate', 'expirationDate', 'id', 'vc']

function readPresentation(payload: JsonObject, maxCredentials: number): Verdict<{ holder: string; credentials: string[] }> {
  const bad = (why: string) => fail('ERR_VP_INVALID', why)
  if (!isBareDid(payload.iss)) return bad('iss must be the holder DID')
  for (const m of AMBIGUOUS_TOP) if (payload[m] !== undefined) return bad(`top-level ${m} is not accepted in a VP-JWT`)
  const vp = payload.vp
  if (!isJsonObject(vp)) return bad('vp must be an object')
  const ctxProblem = contextProblem(vp['@context'])
  if (ctxProblem) return bad(`vp.${ctxProblem}`)
  const tProblem = typeProblem(vp.type, VP_TYPE)
  if (tProblem) return bad(`vp.${tProblem}`)
  if (vp.holder !== undefined && vp.holder !== payload.iss) return bad('vp.holder differs from iss')
  const list = vp.verifiableCredential ?? []
  if (!Array.isArray(list) || !list.every((c) => typeof c === 'string')) return bad('vp.verifiableCredential must be an array of VC-JWT strings')
  if (list.length > maxCredentials) return bad(`more than ${maxCredentials} credentials`)
  return ok({ holder: payload.iss, credentials: list as string[] })
}

function audienceOf(aud: unknown): string[] | null {
  if (typeof aud === 'string') return [aud]
  if (Array.isArray(aud) && aud.length > 0 && aud.every((a) => typeof a === 'string')) return aud as string[]
  return null
}

/**
 * Verify a VP-JWT and every VC inside it. A verdict, never a throw on attacker data.
 * Codes beyond verifyVcJwt's: ERR_VP_INVALID (shape), ERR_VP_NONCE_MISMATCH,
 * ERR_VP_AUD_MISMATCH, ERR_VP_CREDENTIAL_INVALID (detail names the credential's index and
 * inner code), ERR_VP_HOLDER_MISMATCH. Throws TypeError when nonce, aud or now is missing.
 */
export async function verifyVpJwt(jwt: unknown, options: VerifyVpOptions): Promise<Verdict<VerifiedVp>> {
  if (typeof options !== 'object' || options === null) throw new TypeError('verifyVpJwt needs options with nonce, aud and now')
  const nonce = nonEmptyString('nonce', options.nonce)
  const aud = nonEmptyString('aud', options.aud)
  const { now, skew } = assertClock(options.now, options.skewSeconds)
  const resolver = options.resolver ?? defaultResolver()
  const maxCredentials = options.maxCredentials ?? DEFAULT_MAX_VP_CREDENTIALS

  const parsed = parseJwt(jwt, options.maxLength ?? DEFAULT_MAX_VP_LENGTH)
  if (!parsed.ok) return parsed
  const jws = parsed.value
  const vp = readPresentation(jws.payload, maxCredentials)
  if (!vp.ok) return vp
  const { holder, credentials } = vp.value
  // OpenID4VP 1.0, Security Considerations "Preventing Replay of Verifiable Presentations":
  // the presentation must carry this verifier's nonce and name it in aud; checked always.
  if (jws.payload.nonce !== nonce) return fail('ERR_VP_NONCE_MISMATCH', typeof jws.payload.nonce === 'string' ? 'nonce differs from the one issued' : 'nonce missing')
  const audience = audienceOf(jws.payload.aud)
  if (audience === null) return fail('ERR_VP_AUD_MISMATCH', 'aud missing or not a string / array of strings')
  if (!audience.includes(aud)) return fail('ERR_VP_AUD_MISMATCH', 'aud does not name this verifier')
  const times = checkTimes(jws.payload, now, skew)
  if (!times.ok) return times
  const sig = await checkSignatureOf(jws, holder, resolver, 'authentication')
  if (!sig.ok) return sig

  try {
    await verifyPresentation(jwt as string, resolver, {
      challenge: nonce, domain: aud, policies: { now }, skewTime: skew, proofPurpose: 'authentication',
    })
  } catch (e) {
    return failFromLibrary(e, 'vp')
  }

  // did-jwt-vc stops at the VP signature; each VC is verified and bound to the holder here.
  const verified: VerifiedVc[] = []
  for (const [i, vc] of credentials.entries()) {
    const v = await verifyVcJwt(vc, { resolver, now, skewSeconds: skew })
    if (!v.ok) return fail('ERR_VP_CREDENTIAL_INVALID', `credential ${i}: ${v.code}: ${v.detail}`)
    if (v.value.subject !== holder) return fail('ERR_VP_HOLDER_MISMATCH', `credential ${i} is about another subject than the holder`)
    verified.push(v.value)
  }
  return ok({ jwt: jwt as string, header: jws.header, payload: jws.payload, alg: jws.alg, holder, kid: sig.value, nonce, aud: audience, credentials: verified })
}
