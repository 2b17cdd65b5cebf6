/**
 * JSON Web Keys for the two algorithms the kernel speaks: P-256 (ES256) and Ed25519 (EdDSA).
 * Parsing is strict (RFC 7517/7518 §6.2/RFC 8037): exact coordinate lengths in canonical
 * base64url, the point on the curve, Ed25519 keys of small order refused, no private member
 * in a public key. RFC 7638 thumbprints.
 */
import { p256 } from '@noble/curves/nist.js'
import { ed25519 } from '@noble/curves/ed25519.js'
import { decodeBase64url, encodeBase64url } from '../bytes/base64url.ts'
import { isJsonObject } from '../bytes/json.ts'
import { InputError } from '../errors.ts'
import { sha256B64 } from './hash.ts'

export type JwsAlg = 'ES256' | 'EdDSA'
export const JWS_ALGS: readonly JwsAlg[] = ['ES256', 'EdDSA']

export interface EcPublicJwk { kty: 'EC'; crv: 'P-256'; x: string; y: string }
export interface OkpPublicJwk { kty: 'OKP'; crv: 'Ed25519'; x: string }
export type PublicJwk = EcPublicJwk | OkpPublicJwk
export type PrivateJwk = (EcPublicJwk & { d: string }) | (OkpPublicJwk & { d: string })

export function algOfJwk(jwk: PublicJwk): JwsAlg {
  return jwk.kty === 'EC' ? 'ES256' : 'EdDSA'
}

function bad(detail: string): never {
  throw new InputError('ERR_JWK_INVALID', detail)
}

function member(o: Record<string, unknown>, name: string): string {
  const v = o[name]
  if (typeof v !== 'string') bad(`member ${name} missing or not a string`)
  return v
}

function bytesOf(o: Record<string, unknown>, name: string, length: number): Uint8Array {
  let b: Uint8Array
  try {
    b = decodeBase64url(member(o, name), `jwk.${name}`)
  } catch (e) {
    if (e instanceof InputError && e.code === 'ERR_B64_INVALID') bad(e.detail)
    throw e
  }
  if (b.length !== length) bad(`member ${name} is ${b.length} bytes, not ${length}`)
  return b
}

function checkCommon(o: Record<string, unknown>, alg: JwsAlg): void {
  if (o.alg !== undefined && o.alg !== alg) throw new InputError('ERR_KEY_ALG_MISMATCH', `jwk.alg ${String(o.alg)} on a ${alg} key`)
  if (o.use !== undefined && o.use !== 'sig') bad('use is not "sig"')
}

/** Uncompressed SEC1 point 04‖x‖y of a P-256 JWK. */
export function p256PointBytes(jwk: EcPublicJwk): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(65)
  out[0] = 4
  out.set(decodeBase64url(jwk.x), 1)
  out.set(decodeBase64url(jwk.y), 33)
  return out
}

/** Parse a public JWK strictly; returns a copy holding only the key's own members. */
export function parsePublicJwk(v: unknown): PublicJwk {
  if (!isJsonObject(v)) bad('not an object')
  if (v.d !== undefined) bad('a public key must not carry d')
  const kty = member(v, 'kty')
  const crv = member(v, 'crv')
  if (kty === 'EC' && crv === 'P-256') {
    checkCommon(v, 'ES256')
    const x = bytesOf(v, 'x', 32)
    const y = bytesOf(v, 'y', 32)
    const pt = new Uint8Array(65)
    pt[0] = 4
    pt.set(x, 1)
    pt.set(y, 33)
    try {
      p256.Point.fromBytes(pt).assertValidity()
    } catch {
      bad('point is not on P-256')
    }
    return { kty: 'EC', crv: 'P-256', x: v.x as string, y: v.y as string }
  }
  if (kty === 'OKP' && crv === 'Ed25519') {
    checkCommon(v, 'EdDSA')
    if (v.y !== undefined) bad('an OKP key has no y')
    const x = bytesOf(v, 'x', 32)
    let point
    try {
      point = ed25519.Point.fromBytes(x, false)
    } catch {
      bad('x is not a canonical Ed25519 point')
    }
    if (point.isSmallOrder()) throw new InputError('ERR_KEY_WEAK', 'Ed25519 public key of small order')
    return { kty: 'OKP', crv: 'Ed25519', x: v.x as string }
  }
  bad(`unsupported key type ${kty}/${crv}`)
}

/** Parse a private JWK (public members + d) strictly and check d matches the public key. */
export function parsePrivateJwk(v: unknown): PrivateJwk {
  if (!isJsonObject(v)) bad('not an object')
  const { d, ...pub } = v
  if (typeof d !== 'string') bad('member d missing or not a string')
  const jwk = parsePublicJwk(pub)
  if (jwk.kty === 'EC') {
    const sk = bytesOf(v, 'd', 32)
    let derived: Uint8Array
    try {
      derived = p256.getPublicKey(sk, false)
    } catch {
      bad('d is not a valid P-256 scalar')
    }
    if (encodeBase64url(derived.subarray(1, 33)) !== jwk.x || encodeBase64url(derived.subarray(33)) !== jwk.y) bad('d does not match x, y')
    return { ...jwk, d }
  }
  const sk = bytesOf(v, 'd', 32)
  if (encodeBase64url(ed25519.getPublicKey(sk)) !== jwk.x) bad('d does not match x')
  return { ...jwk, d }
}

export function publicJwkOf(jwk: PrivateJwk): PublicJwk {
  return jwk.kty === 'EC' ? { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } : { kty: 'OKP', crv: 'Ed25519', x: jwk.x }
}

/** The RFC 7638 members of a public key, in lexicographic order, as canonical JSON. */
export function canonicalJwkJson(jwk: PublicJwk): string {
  return jwk.kty === 'EC'
    ? `{"crv":"P-256","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`
    : `{"crv":"Ed25519","kty":"OKP","x":"${jwk.x}"}`
}

/** RFC 7638 JWK thumbprint with SHA-256, base64url. */
export function jwkThumbprint(jwk: PublicJwk): string {
  return sha256B64(canonicalJwkJson(jwk))
}

export function sameJwk(a: PublicJwk, b: PublicJwk): boolean {
  return canonicalJwkJson(a) === canonicalJwkJson(b)
}

/** A fresh private key held as a JWK (for issuers' and tests' raw keys). */
export function generatePrivateJwk(alg: JwsAlg): PrivateJwk {
  if (alg === 'ES256') {
    const { secretKey, publicKey } = p256.keygen()
    const pub = p256.Point.fromBytes(publicKey).toBytes(false)
    return { kty: 'EC', crv: 'P-256', x: encodeBase64url(pub.subarray(1, 33)), y: encodeBase64url(pub.subarray(33)), d: encodeBase64url(secretKey) }
  }
  const { secretKey, publicKey } = ed25519.keygen()
  return { kty: 'OKP', crv: 'Ed25519', x: encodeBase64url(publicKey), d: encodeBase64url(secretKey) }
}
