/**
 * SD-JWT VC issuance (draft-ietf-oauth-sd-jwt-vc): typ `dc+sd-jwt`, `iss`, `vct`, time claims,
 * `cnf.jwk` of the holder and `status` always in the clear; a frame that would make any of them
 * selectively disclosable is refused before anything is signed.
 */
import type { JsonObject } from '../bytes/json.ts'
import { InputError } from '../errors.ts'
import type { RandomSource } from '../crypto/hash.ts'
import type { PublicJwk } from '../crypto/jwk.ts'
import type { Signer } from '../crypto/keys.ts'
import { isNumericDate } from '../jose/time.ts'
import type { DisclosureFrame } from './frame.ts'
import { issueSdJwt, type IssuedSdJwt } from './issue.ts'
import { setOwn } from './process.ts'
import { SD_JWT_VC_PLAIN_CLAIMS, SD_JWT_VC_TYP } from './verify.ts'

export interface IssueSdJwtVcInput {
  iss: string
  vct: string
  iat: number
  exp?: number
  nbf?: number
  /** The holder's public key; omit only for credentials that are never key-bound. */
  holderJwk?: PublicJwk
  /** Token Status List reference, passed through for the status checker. */
  status?: JsonObject
  /** The subject's claims (none of the names above). */
  claims: JsonObject
  frame?: DisclosureFrame
  signer: Signer
  kid?: string
  random: RandomSource
}

export async function issueSdJwtVc(input: IssueSdJwtVcInput): Promise<IssuedSdJwt> {
  for (const name of input.frame?._sd ?? []) {
    if (SD_JWT_VC_PLAIN_CLAIMS.includes(String(name))) throw new InputError('ERR_SDVC_CLAIM_DISCLOSABLE', `${String(name)} must not be selectively disclosable`)
  }
  for (const name of SD_JWT_VC_PLAIN_CLAIMS) {
    if (input.frame && Object.hasOwn(input.frame, name)) throw new InputError('ERR_SDVC_CLAIM_DISCLOSABLE', `nothing inside ${name} may be selectively disclosable`)
  }
  for (const name of SD_JWT_VC_PLAIN_CLAIMS) {
    if (Object.hasOwn(input.claims, name)) throw new InputError('ERR_SDJWT_CLAIM_COLLISION', `${name} is set by the issuer, not given as a subject claim`)
  }
  if (!input.iss || !input.vct) throw new InputError('ERR_SDVC_CLAIM_MISSING', 'iss and vct are required')
  for (const [k, v] of [['iat', input.iat], ['exp', input.exp], ['nbf', input.nbf]] as const) {
    if (v !== undefined && !isNumericDate(v)) throw new InputError('ERR_TIME_CLAIM_INVALID', `${k} is not a NumericDate`)
  }
  const claims: JsonObject = { iss: input.iss, iat: input.iat, vct: input.vct }
  if (input.nbf !== undefined) claims.nbf = input.nbf
  if (input.exp !== undefined) claims.exp = input.exp
  if (input.holderJwk) claims.cnf = { jwk: { ...input.holderJwk } }
  if (input.status) claims.status = input.status
  for (const k of Object.keys(input.claims)) setOwn(claims, k, input.claims[k])
  const header: Record<string, unknown> = { typ: SD_JWT_VC_TYP }
  if (input.kid) header.kid = input.kid
  return issueSdJwt({ claims, frame: input.frame, signer: input.signer, header, random: input.random })
}
