/**
 * did:key (P-256 and Ed25519, W3C CCG did:key v0.7) and did:jwk (did:jwk spec) — create and
 * resolve with no network. Also builds the DID document did-resolver hands to did-jwt, with
 * one JsonWebKey2020 verification method.
 */
import { base58 } from '@scure/base'
import { p256 } from '@noble/curves/nist.js'
import { decodeBase64url, encodeBase64url } from '../bytes/base64url.ts'
import { parseJson } from '../bytes/json.ts'
import { decodeUtf8, encodeUtf8 } from '../bytes/utf8.ts'
import { InputError } from '../errors.ts'
import { canonicalJwkJson, parsePublicJwk, type PublicJwk } from './jwk.ts'

/** multicodec varints: p256-pub 0x1200, ed25519-pub 0xed. */
const P256_PUB = [0x80, 0x24]
const ED25519_PUB = [0xed, 0x01]

export interface ResolvedKey {
  did: string
  /** The verification method id (a DID URL). */
  kid: string
  jwk: PublicJwk
}

export function didKeyFromJwk(jwk: PublicJwk): string {
  let body: Uint8Array
  if (jwk.kty === 'EC') {
    const x = decodeBase64url(jwk.x)
    const y = decodeBase64url(jwk.y)
    body = new Uint8Array(2 + 33)
    body.set(P256_PUB)
    body[2] = 2 + (y[31]! & 1)
    body.set(x, 3)
  } else {
    const x = decodeBase64url(jwk.x)
    body = new Uint8Array(2 + 32)
    body.set(ED25519_PUB)
    body.set(x, 2)
  }
  return `did:key:z${base58.encode(body)}`
}

export function didJwkFromJwk(jwk: PublicJwk): string {
  return `did:jwk:${encodeBase64url(encodeUtf8(canonicalJwkJson(jwk)))}`
}

const MAX_DID_LENGTH = 2048

function badDid(detail: string): never {
  throw new InputError('ERR_DID_INVALID', detail)
}

/** Split a DID URL into DID and fragment; only bare DIDs with an optional #fragment are accepted. */
export function splitDidUrl(didUrl: string): { did: string; fragment: string | undefined } {
  if (didUrl.length > MAX_DID_LENGTH) badDid('DID URL too long')
  const hash = didUrl.indexOf('#')
  const did = hash < 0 ? didUrl : didUrl.slice(0, hash)
  const fragment = hash < 0 ? undefined : didUrl.slice(hash + 1)
  if (!/^did:[a-z0-9]+:[A-Za-z0-9._%-]+(?::[A-Za-z0-9._%-]+)*$/.test(did)) badDid(`not a DID: ${did.slice(0, 64)}`)
  return { did, fragment }
}

function resolveKeyMethod(did: string, msid: string): ResolvedKey {
  if (!msid.startsWith('z')) throw new InputError('ERR_DID_UNSUPPORTED', 'did:key must use base58btc (z)')
  let bytes: Uint8Array
  try {
    bytes = base58.decode(msid.slice(1))
  } catch {
    badDid('did:key is not base58btc')
  }
  const kid = `${did}#${msid}`
  if (bytes[0] === P256_PUB[0] && bytes[1] === P256_PUB[1]) {
    if (bytes.length !== 35) badDid('did:key P-256 key must be 33 compressed bytes')
    let pt: Uint8Array
    try {
      pt = p256.Point.fromBytes(bytes.subarray(2)).toBytes(false)
    } catch {
      throw new InputError('ERR_JWK_INVALID', 'did:key P-256 point is not on the curve')
    }
    const jwk = parsePublicJwk({ kty: 'EC', crv: 'P-256', x: encodeBase64url(pt.subarray(1, 33)), y: encodeBase64url(pt.subarray(33)) })
    return { did, kid, jwk }
  }
  if (bytes[0] === ED25519_PUB[0] && bytes[1] === ED25519_PUB[1]) {
    if (bytes.length !== 34) badDid('did:key Ed25519 key must be 32 bytes')
    return { did, kid, jwk: parsePublicJwk({ kty: 'OKP', crv: 'Ed25519', x: encodeBase64url(bytes.subarray(2)) }) }
  }
  throw new InputError('ERR_DID_UNSUPPORTED', 'did:key multicodec is neither p256-pub nor ed25519-pub')
}

function resolveJwkMethod(did: string, msid: string): ResolvedKey {
  let v: unknown
  try {
    v = parseJson(decodeUtf8(decodeBase64url(msid, 'did:jwk'), 'did:jwk'), { maxLength: 1024, maxDepth: 2 }, 'did:jwk')
  } catch (e) {
    // Not base64url of UTF-8 JSON: the DID itself is malformed (did:jwk spec, Read steps 2–3).
    if (e instanceof InputError) badDid(e.detail)
    throw e
  }
  return { did, kid: `${did}#0`, jwk: parsePublicJwk(v) }
}

/**
 * Resolve a did:key or did:jwk DID (or a DID URL naming its key) to its one public key.
 * Throws InputError: ERR_DID_INVALID, ERR_DID_UNSUPPORTED, ERR_DID_NOT_FOUND, ERR_JWK_INVALID, ERR_KEY_WEAK,
 * ERR_KEY_ALG_MISMATCH.
 */
export function resolveDidKey(didUrl: string): ResolvedKey {
  const { did, fragment } = splitDidUrl(didUrl)
  const method = did.slice(4, did.indexOf(':', 4))
  const msid = did.slice(did.indexOf(':', 4) + 1)
  let r: ResolvedKey
  if (method === 'key') r = resolveKeyMethod(did, msid)
  else if (method === 'jwk') r = resolveJwkMethod(did, msid)
  else throw new InputError('ERR_DID_UNSUPPORTED', `DID method ${method} is not resolved locally`)
  if (fragment !== undefined && `${did}#${fragment}` !== r.kid) throw new InputError('ERR_DID_NOT_FOUND', `no verification method #${fragment}`)
  return r
}

/** The DID document of a resolved key, in the shape did-resolver returns. */
export function didDocumentOf(r: ResolvedKey): Record<string, unknown> {
  const vm = { id: r.kid, type: 'JsonWebKey2020', controller: r.did, publicKeyJwk: { ...r.jwk } }
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/jws-2020/v1'],
    id: r.did,
    verificationMethod: [vm],
    authentication: [r.kid],
    assertionMethod: [r.kid],
    capabilityInvocation: [r.kid],
    capabilityDelegation: [r.kid],
  }
}
