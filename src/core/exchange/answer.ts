/**
 * The citizen's answer at the counter (design §6 steps 3–4), both ends:
 *
 * - `sealAnswer` (wallet): the SD-JWT VC presentation with its KB-JWT (nonce = the request's,
 *   aud = its client id), and optional extras (stapled status), packed as binary with the
 *   preset dictionary (pack.ts), encrypted as a JWE to the request's ephemeral key (jwe.ts),
 *   as the 94-byte-header binary envelope. The QR frames (frames.ts) carry these bytes.
 * - `openAnswer` + `verifyAnswer` (counter): decrypt with the ephemeral private key, unpack,
 *   then verify the presentation with no network: the issuer's key from the registry (a
 *   resolver over the synced fold), key binding to this request's nonce and client id, the
 *   credential type the request asked, and exactly the claims asked — a required claim
 *   missing is ERR_EXCH_CLAIM_MISSING, a claim disclosed that was not asked for is
 *   ERR_EXCH_CLAIM_UNASKED (the counter must not be shown more than it asked, so an answer that
 *   tells more is refused rather than trimmed).
 *
 * What the answer says about status (the credential's `status.status_list` reference) comes
 * back with the verdict; judging it (from the trust cache or the stapled proof) is the
 * counter's step, src/counter/verify.ts. Nonce single use and the verdict are there too.
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../bytes/json.ts'
import { fail, failFrom, ok, type Verdict } from '../errors.ts'
import type { EcPublicJwk } from '../crypto/jwk.ts'
import { decryptJwe, encryptJwe, jweFromBinary, jweToBinary, type JweEnc } from '../jose/jwe.ts'
import type { JwsKeyResolver } from '../jose/jws.ts'
import { verifySdJwt } from '../sdjwt/verify.ts'
import { packAnswer, unpackAnswer } from './pack.ts'
import type { RequestedClaimPath } from './request.ts'

export interface AnswerContent {
  /** Compact SD-JWT VC with KB-JWT. */
  presentation: string
  /** Opaque parts stapled to it (status list token, anchor inclusion proof). */
  extras: Uint8Array[]
}

/** The wallet's answer as the bytes the QR frames carry. */
export async function sealAnswer(content: { presentation: string; extras?: readonly Uint8Array[] }, to: { responseKey: EcPublicJwk; enc: JweEnc }): Promise<Uint8Array> {
  const packed = packAnswer({ presentation: content.presentation, extras: content.extras ?? [] })
  return jweToBinary(await encryptJwe(packed, to.responseKey, { enc: to.enc }))
}

/** Decrypts and unpacks an answer. ERR_EXCH_JWE_INVALID, ERR_EXCH_JWE_DECRYPT, ERR_EXCH_PACK_INVALID. */
/**
 * Opens an answer under the request's private key. `enc`: the one content encryption the
 * request offered — an answer under another is refused (ERR_EXCH_JWE_INVALID), so the sender
 * cannot pick a cipher the request did not.
 */
export async function openAnswer(bytes: Uint8Array, key: CryptoKey, o: { enc?: JweEnc } = {}): Promise<Verdict<AnswerContent>> {
  let jwe: string
  try {
    jwe = jweFromBinary(bytes)
  } catch (e) {
    return failFrom(e)
  }
  const d = await decryptJwe(jwe, key)
  if (!d.ok) return d
  if (o.enc !== undefined && d.value.header.enc !== o.enc) return fail('ERR_EXCH_JWE_INVALID', `the answer is encrypted with ${d.value.header.enc}; the request offered ${o.enc}`)
  try {
    const u = unpackAnswer(d.value.plaintext)
    return ok({ presentation: u.presentation, extras: u.extras })
  } catch (e) {
    return failFrom(e)
  }
}

/** What the counter asked, as it keeps it until the answer comes (or the request expires). */
export interface AskedRequest {
  nonce: string
  clientId: string
  vct: string
  claims: readonly RequestedClaimPath[]
}

export interface PresentedCredential {
  iss: string
  vct: string
  /** The claims asked for that were disclosed, by dotted path, in the request's order. */
  claims: { path: string; value: JsonValue }[]
  /** The credential's status list reference, when it has one. */
  status: { uri: string; idx: number } | null
  /** The credential's validity (seconds), as signed. */
  iat: number | null
  exp: number | null
}

function valueAt(claims: JsonObject, path: string): JsonValue | undefined {
  let v: JsonValue | undefined = claims
  for (const seg of path.split('.')) {
    if (!isJsonObject(v) || !Object.hasOwn(v, seg)) return undefined
    v = v[seg]
  }
  return v
}

function statusRefOf(claims: JsonObject): Verdict<{ uri: string; idx: number } | null> {
  const s = claims.status
  if (s === undefined) return ok(null)
  const list = isJsonObject(s) ? s.status_list : undefined
  if (!isJsonObject(list) || typeof list.uri !== 'string' || typeof list.idx !== 'number' || !Number.isSafeInteger(list.idx) || list.idx < 0) {
    return fail('ERR_STATUS_REF_INVALID', 'the credential\'s status is not { status_list: { idx, uri } }')
  }
  return ok({ uri: list.uri, idx: list.idx })
}

/**
 * Verifies an opened answer against the request it answers, with no network. A verdict with
 * the catalogue's codes: the SD-JWT and KB codes, the registry's, ERR_EXCH_CLAIM_MISSING,
 * ERR_EXCH_CLAIM_UNASKED, ERR_STATUS_REF_INVALID.
 */
export async function verifyAnswer(content: AnswerContent, asked: AskedRequest, o: { now: number; issuerKeys: JwsKeyResolver }): Promise<Verdict<PresentedCredential>> {
  const v = await verifySdJwt(content.presentation, { issuerKey: o.issuerKeys, keyBinding: { nonce: asked.nonce, aud: asked.clientId }, now: o.now })
  if (!v.ok) return v
  const claims = v.value.claims
  if (claims.vct !== asked.vct) return fail('ERR_EXCH_CLAIM_MISSING', `the answer is a ${String(claims.vct).slice(0, 80)}, not the ${asked.vct} asked for`)
  const askedPaths = new Set(asked.claims.map((c) => c.path))
  // Every disclosure names a claim: a disclosed one must be asked for, or lie on the way to one (address for address.city).
  for (const d of v.value.disclosed) {
    const path = d.path.map(String).join('.')
    const onTheWay = [...askedPaths].some((p) => p === path || p.startsWith(`${path}.`))
    if (!onTheWay) return fail('ERR_EXCH_CLAIM_UNASKED', `the answer discloses ${path.slice(0, 80)}, which was not asked for`)
  }
  const out: { path: string; value: JsonValue }[] = []
  for (const c of asked.claims) {
    const value = valueAt(claims, c.path)
    // Disclosed, or made always visible by the issuer: either way the counter was given it.
    if (value === undefined) {
      if (c.required) return fail('ERR_EXCH_CLAIM_MISSING', `the answer does not disclose ${c.path.slice(0, 80)}, which the request needs`)
      continue
    }
    out.push({ path: c.path, value: value! })
  }
  const status = statusRefOf(claims)
  if (!status.ok) return status
  const num = (x: JsonValue | undefined): number | null => (typeof x === 'number' ? x : null)
  return ok({ iss: String(claims.iss), vct: asked.vct, claims: out, status: status.value, iat: num(claims.iat), exp: num(claims.exp) })
}
