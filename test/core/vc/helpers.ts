/** Keys, DIDs and hand-made tokens for the vc/ tests. */
import { base58 } from '@scure/base'
import { decodeBase64url, encodeBase64url } from '../../../src/core/bytes/base64url.ts'
import { decodeUtf8, encodeUtf8 } from '../../../src/core/bytes/utf8.ts'
import { didJwkFromJwk, didKeyFromJwk, resolveDidKey } from '../../../src/core/crypto/did.ts'
import { generatePrivateJwk } from '../../../src/core/crypto/jwk.ts'
import {
  generateCryptoKeyPair, signerFromCryptoKeyPair, signerFromPrivateJwk, type Signer,
} from '../../../src/core/crypto/keys.ts'
import type { JwtSignerIdentity } from '../../../src/core/vc/vc-jwt.ts'

/** A fixed clock, in seconds. */
export const NOW = 1_780_000_000

export type KeyKind = 'ES256 noble' | 'ES256 WebCrypto' | 'EdDSA noble'
export type DidKind = 'key' | 'jwk'

export async function makeSigner(kind: KeyKind): Promise<Signer> {
  if (kind === 'ES256 WebCrypto') return signerFromCryptoKeyPair(await generateCryptoKeyPair())
  return signerFromPrivateJwk(generatePrivateJwk(kind === 'EdDSA noble' ? 'EdDSA' : 'ES256'))
}

export async function makeIdentity(kind: KeyKind, didKind: DidKind = 'key'): Promise<JwtSignerIdentity & { kid: string }> {
  const signer = await makeSigner(kind)
  const did = didKind === 'key' ? didKeyFromJwk(signer.publicJwk) : didJwkFromJwk(signer.publicJwk)
  return { did, signer, kid: resolveDidKey(did).kid }
}

const b64json = (v: unknown) => encodeBase64url(encodeUtf8(typeof v === 'string' ? v : JSON.stringify(v)))

/**
 * A compact JWS over exactly the given header and payload (objects, or raw JSON text so that
 * duplicate members survive), signed by `signer` whatever the header's alg says.
 */
export async function signRaw(header: unknown, payload: unknown, signer: Signer): Promise<string> {
  const input = `${b64json(header)}.${b64json(payload)}`
  return `${input}.${encodeBase64url(await signer.sign(encodeUtf8(input)))}`
}

/** Header and payload with a given signature text (no signing). */
export function unsigned(header: unknown, payload: unknown, signature: string): string {
  return `${b64json(header)}.${b64json(payload)}.${signature}`
}

export function parts(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown>; signature: Uint8Array } {
  const [h, p, s] = jwt.split('.') as [string, string, string]
  return {
    header: JSON.parse(decodeUtf8(decodeBase64url(h))) as Record<string, unknown>,
    payload: JSON.parse(decodeUtf8(decodeBase64url(p))) as Record<string, unknown>,
    signature: decodeBase64url(s),
  }
}

/** Flip one bit in byte 5 of the signature (inside r / R, so the shape stays valid). */
export function tamperSignature(jwt: string): string {
  const dot = jwt.lastIndexOf('.')
  const sig = decodeBase64url(jwt.slice(dot + 1))
  sig[5] = sig[5]! ^ 1
  return `${jwt.slice(0, dot)}.${encodeBase64url(sig)}`
}

/** Re-sign `jwt`'s header with an edited payload. */
export async function resignWith(jwt: string, edit: (payload: Record<string, unknown>) => void, signer: Signer): Promise<string> {
  const { header, payload } = parts(jwt)
  edit(payload)
  return signRaw(header, payload, signer)
}

/** A minimal VCDM 1.1 VC-JWT payload (for hand-made tokens). */
export function vcPayload(iss: string, sub: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss,
    sub,
    nbf: NOW - 10,
    vc: {
      '@context': ['https://www.w3.org/2018/credentials/v1'],
      type: ['VerifiableCredential', 'ResidencePermit'],
      credentialSubject: { name: 'Li Wei' },
    },
    ...extra,
  }
}

/** P-256 order n (big-endian) — an s equal to n is out of range. */
export const P256_N = Uint8Array.from(
  'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'.match(/../g)!.map((h) => parseInt(h, 16)),
)

/** A did:key with the p256-pub multicodec and only 32 key bytes (one short). */
export function truncatedDidKey(): string {
  const body = new Uint8Array(2 + 32)
  body.set([0x80, 0x24])
  body[2] = 2
  body.fill(7, 3)
  return `did:key:z${base58.encode(body)}`
}
