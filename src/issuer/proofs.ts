/**
 * The JWTs a wallet sends the issuer, checked strictly:
 *
 * - key proofs (OpenID4VCI 1.0 Appendix F.1 "jwt Proof Type", F.4 "Verifying Proof"): typ
 *   `openid4vci-proof+jwt`, alg ES256 (what the metadata lists), the holder key in header `jwk`
 *   (public, P-256; `kid` and `x5c` not with it), signature by that key, `aud` = the Credential
 *   Issuer Identifier, `iat` within the window, `nonce` = a c_nonce this issuer gave;
 * - c_nonces (§Nonce Endpoint): self-contained `expiry ‖ random ‖ HMAC` values under a key of
 *   this process, so handing them out costs no memory; each is accepted once (used ones are
 *   remembered until they expire) and for `nonceTtlSeconds`;
 * - DPoP proofs (RFC 9449 §4.3): typ `dpop+jwt`, ES256, header `jwk`, signature, `htm`/`htu`
 *   of this very request (query and fragment ignored), `iat` within the window, `jti` not seen
 *   before, `ath` = SHA-256 of the access token when one is presented; the access token is
 *   bound to the key's RFC 7638 thumbprint (`cnf.jkt`, §6).
 *
 * Each check returns a verdict `{ ok: true, value } | { ok: false, code, detail }` with an
 * ERR_VCI_* code (the HTTP layer maps them to OAuth errors); none throws on what a wallet sent.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { decodeBase64url, encodeBase64url } from '../core/bytes/base64url.ts'
import { CivicError, fail, InputError, ok, type ErrorCode, type Verdict } from '../core/errors.ts'
import { jwkThumbprint, parsePublicJwk, type PublicJwk } from '../core/crypto/jwk.ts'
import { PublicKey } from '../core/crypto/keys.ts'
import { checkJwsSignature, parseCompactJws, type CompactJws } from '../core/jose/jws.ts'

export const KEY_PROOF_TYP = 'openid4vci-proof+jwt'
export const DPOP_TYP = 'dpop+jwt'
/** A proof's iat may be this old (the nonce bounds freshness too). */
export const PROOF_MAX_AGE_SECONDS = 300
/** …or this far in the future (clock skew). */
export const PROOF_MAX_SKEW_SECONDS = 60
const MAX_PROOF_LENGTH = 8192

/**
 * The value of a verdict, or its failure thrown as a CivicError (`context` prefixed to the
 * detail): for request handlers, whose one catch turns the code into the HTTP answer.
 */
export function orThrow<T>(v: Verdict<T>, context?: string): T {
  if (v.ok) return v.value
  throw new CivicError(v.code, context ? `${context}: ${v.detail}` : v.detail)
}

/** Parse a JWS whose key is in its own header `jwk` and check its signature with that key. */
async function selfSigned(jwt: unknown, typ: string, code: ErrorCode): Promise<Verdict<{ jws: CompactJws; jwk: PublicJwk }>> {
  if (typeof jwt !== 'string') return fail(code, 'not a string')
  let jws: CompactJws
  try {
    jws = parseCompactJws(jwt, { typ, maxLength: MAX_PROOF_LENGTH })
  } catch (e) {
    if (e instanceof InputError) return fail(code, `${e.code}: ${e.detail}`)
    throw e
  }
  if (jws.alg !== 'ES256') return fail(code, `alg ${jws.alg} is not ES256`)
  if (jws.header.jwk === undefined) return fail(code, 'no jwk in the header')
  if (jws.header.kid !== undefined || jws.header.x5c !== undefined) return fail(code, 'jwk must not come with kid or x5c')
  let jwk: PublicJwk
  try {
    jwk = parsePublicJwk(jws.header.jwk)
  } catch (e) {
    if (e instanceof InputError) return fail(code, `header jwk: ${e.code}: ${e.detail}`)
    throw e
  }
  if (jwk.kty !== 'EC') return fail(code, 'the key is not P-256')
  const v = await checkJwsSignature(jws, PublicKey.fromJwk(jwk))
  if (!v.ok) return fail(code, `${v.code}: ${v.detail}`)
  return ok({ jws, jwk })
}

/** Why `iat` is outside the window, or null when it is inside. */
function iatProblem(v: unknown, now: number, what: string): string | null {
  if (typeof v !== 'number' || !Number.isFinite(v)) return `${what} has no numeric iat`
  if (v < now - PROOF_MAX_AGE_SECONDS) return `${what} is stale (iat ${Math.floor(now - v)} s ago)`
  if (v > now + PROOF_MAX_SKEW_SECONDS) return `${what} is dated in the future`
  return null
}

// ── key proofs ───────────────────────────────────────────────────────────────────────────

export interface ProvenKey {
  jwk: PublicJwk
  thumbprint: string
  nonce: string
}

/**
 * One key proof (Appendix F.1, F.4); the nonce is returned for the caller to check and consume.
 * Codes: ERR_VCI_PROOF_INVALID, ERR_VCI_PROOF_AUD_MISMATCH, ERR_VCI_NONCE_MISSING, ERR_VCI_NONCE_INVALID.
 */
export async function verifyKeyProof(jwt: unknown, o: { audience: string; now: number }): Promise<Verdict<ProvenKey>> {
  const signed = await selfSigned(jwt, KEY_PROOF_TYP, 'ERR_VCI_PROOF_INVALID')
  if (!signed.ok) return signed
  const { jws, jwk } = signed.value
  const p = jws.payload
  if (typeof p.aud !== 'string' || p.aud !== o.audience) return fail('ERR_VCI_PROOF_AUD_MISMATCH', `aud ${JSON.stringify(p.aud ?? null).slice(0, 80)} is not ${o.audience}`)
  const iat = iatProblem(p.iat, o.now, 'the key proof')
  if (iat) return fail('ERR_VCI_PROOF_INVALID', iat)
  if (p.nonce === undefined) return fail('ERR_VCI_NONCE_MISSING', 'the key proof has no nonce (get one from the nonce endpoint)')
  if (typeof p.nonce !== 'string') return fail('ERR_VCI_NONCE_INVALID', 'nonce is not a string')
  return ok({ jwk, thumbprint: jwkThumbprint(jwk), nonce: p.nonce })
}

// ── c_nonce ──────────────────────────────────────────────────────────────────────────────

const NONCE_BYTES = 8 + 16 + 16
const MAX_REMEMBERED = 200_000

export class NonceBook {
  readonly #key = randomBytes(32)
  readonly #used = new Map<string, number>()
  readonly ttl: number

  constructor(ttlSeconds: number) {
    this.ttl = ttlSeconds
  }

  #mac(body: Uint8Array): Uint8Array {
    return createHmac('sha256', this.#key).update(body).digest().subarray(0, 16)
  }

  /** A fresh, unpredictable c_nonce valid for `ttl` seconds. */
  issue(now: number): string {
    const body = new Uint8Array(24)
    new DataView(body.buffer).setBigUint64(0, BigInt(now + this.ttl))
    body.set(randomBytes(16), 8)
    const out = new Uint8Array(NONCE_BYTES)
    out.set(body)
    out.set(this.#mac(body), 24)
    return encodeBase64url(out)
  }

  /** A verdict: ERR_VCI_NONCE_INVALID (not ours, malformed, expired) or ERR_VCI_NONCE_REPLAYED. */
  verify(nonce: string, now: number): Verdict<true> {
    let b: Uint8Array
    try {
      b = decodeBase64url(nonce)
    } catch {
      return fail('ERR_VCI_NONCE_INVALID', 'the c_nonce is not one this issuer gave')
    }
    if (b.length !== NONCE_BYTES || !timingSafeEqual(this.#mac(b.subarray(0, 24)), b.subarray(24))) return fail('ERR_VCI_NONCE_INVALID', 'the c_nonce is not one this issuer gave')
    const exp = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0))
    if (now >= exp) return fail('ERR_VCI_NONCE_INVALID', 'the c_nonce has expired; get a new one')
    if (this.#used.has(nonce)) return fail('ERR_VCI_NONCE_REPLAYED', 'the c_nonce was already used')
    return ok(true)
  }

  /** Mark nonces used (kept until they would have expired). */
  consume(nonces: Iterable<string>, now: number): void {
    if (this.#used.size > MAX_REMEMBERED / 2) for (const [n, exp] of this.#used) if (exp <= now) this.#used.delete(n)
    for (const n of nonces) {
      const b = decodeBase64url(n)
      this.#used.set(n, Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0)))
    }
    // A burst beyond the bound forgets the oldest first (each was usable for ttl seconds only).
    while (this.#used.size > MAX_REMEMBERED) this.#used.delete(this.#used.keys().next().value!)
  }
}

// ── DPoP (RFC 9449) ──────────────────────────────────────────────────────────────────────

export class DpopReplayCache {
  readonly #seen = new Map<string, number>()

  /** False if `jti` was seen already; otherwise remembers it until `until` and answers true. */
  use(jti: string, now: number, until: number): boolean {
    if (this.#seen.size > 50_000) for (const [j, t] of this.#seen) if (t <= now) this.#seen.delete(j)
    const key = createHash('sha256').update(jti).digest('base64url')
    if (this.#seen.has(key)) return false
    this.#seen.set(key, until)
    while (this.#seen.size > 100_000) this.#seen.delete(this.#seen.keys().next().value!)
    return true
  }
}

/** `htu` comparison value: scheme, authority and path of a URL (RFC 9449 §4.3 step 9). */
export function htuOf(url: string): string {
  const u = new URL(url)
  return `${u.protocol}//${u.host}${u.pathname}`
}

/**
 * Verify a DPoP header value for a request; the value is the RFC 7638 thumbprint of its key.
 * `accessToken`: check `ath` (resource requests). A verdict; its code is ERR_VCI_DPOP_INVALID.
 */
export async function verifyDpop(header: string, o: { method: string; url: string; now: number; replay: DpopReplayCache; accessToken?: string }): Promise<Verdict<string>> {
  const bad = (detail: string) => fail('ERR_VCI_DPOP_INVALID', detail)
  if (header.includes(',')) return bad('more than one DPoP header')
  const signed = await selfSigned(header.trim(), DPOP_TYP, 'ERR_VCI_DPOP_INVALID')
  if (!signed.ok) return signed
  const { jws, jwk } = signed.value
  const p = jws.payload
  if (p.htm !== o.method) return bad(`htm is not ${o.method}`)
  if (typeof p.htu !== 'string') return bad('no htu')
  let htu: string
  try {
    htu = htuOf(p.htu)
  } catch {
    return bad('htu is not a URL')
  }
  if (htu !== htuOf(o.url)) return bad(`htu ${p.htu.slice(0, 100)} is not this endpoint`)
  const iat = iatProblem(p.iat, o.now, 'the DPoP proof')
  if (iat) return bad(iat)
  if (typeof p.jti !== 'string' || p.jti.length < 8 || p.jti.length > 256) return bad('jti missing or of a bad length')
  if (o.accessToken !== undefined) {
    const ath = encodeBase64url(createHash('sha256').update(o.accessToken).digest())
    if (p.ath !== ath) return bad('ath is not the hash of the access token')
  }
  if (!o.replay.use(p.jti, o.now, o.now + PROOF_MAX_AGE_SECONDS + PROOF_MAX_SKEW_SECONDS)) return bad('the DPoP proof was already used (jti replayed)')
  return ok(jwkThumbprint(jwk))
}
