/**
 * @sd-jwt/core 0.19.0 (OpenWallet Foundation's sd-jwt-js), an independent implementation used
 * as an interop peer and as the bench's reference. Its callbacks use WebCrypto directly.
 */
import { createHash, randomBytes, webcrypto } from 'node:crypto'
import { SDJwtInstance } from '@sd-jwt/core'

const subtle = webcrypto.subtle as unknown as SubtleCrypto
const te = new TextEncoder()
const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url')
const fromB64u = (s: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(s, 'base64url'))

export const ecdsa = { name: 'ECDSA', hash: 'SHA-256' } as const

export async function importVerifyKey(jwk: JsonWebKey): Promise<CryptoKey> {
  return subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
}
export async function importSignKey(jwk: JsonWebKey): Promise<CryptoKey> {
  return subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign'])
}

export interface PeerKeys {
  /** Issuer's pre-imported verification key. */
  issuerVerify: CryptoKey
  issuerSign?: CryptoKey
  holderSign?: CryptoKey
}

export function peer(keys: PeerKeys): SDJwtInstance<Record<string, unknown>> {
  return new SDJwtInstance({
    hasher: (data: string | ArrayBuffer) => new Uint8Array(createHash('sha256').update(typeof data === 'string' ? data : new Uint8Array(data)).digest()),
    hashAlg: 'sha-256',
    saltGenerator: (n: number) => b64u(randomBytes(n)),
    signAlg: 'ES256',
    signer: async (data: string) => b64u(new Uint8Array(await subtle.sign(ecdsa, keys.issuerSign!, te.encode(data)))),
    verifier: async (data: string, sig: string) => subtle.verify(ecdsa, keys.issuerVerify, fromB64u(sig), te.encode(data)),
    kbSignAlg: 'ES256',
    kbSigner: async (data: string) => b64u(new Uint8Array(await subtle.sign(ecdsa, keys.holderSign!, te.encode(data)))),
    kbVerifier: async (data: string, sig: string, payload: any) => {
      const k = await importVerifyKey(payload.cnf.jwk)
      return subtle.verify(ecdsa, k, fromB64u(sig), te.encode(data))
    },
  })
}
