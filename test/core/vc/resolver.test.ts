import { describe, expect, it } from 'vitest'
import { base58 } from '@scure/base'
import { encodeBase64url } from '../../../src/core/bytes/base64url.ts'
import { encodeUtf8 } from '../../../src/core/bytes/utf8.ts'
import { didDocumentOf, resolveDidKey } from '../../../src/core/crypto/did.ts'
import type { DIDResolutionResult } from 'did-resolver'
import {
  codeOfResolutionError, createResolver, defaultResolver, isBareDid, keysForProof,
} from '../../../src/core/vc/resolver.ts'
import { makeIdentity, truncatedDidKey } from './helpers.ts'

const errorOf = (r: DIDResolutionResult) => r.didResolutionMetadata.error

describe('createResolver: did:key and did:jwk', () => {
  it.each([
    ['ES256 noble', 'key'], ['EdDSA noble', 'key'], ['ES256 WebCrypto', 'jwk'], ['EdDSA noble', 'jwk'],
  ] as const)('%s did:%s resolves to one JsonWebKey2020 method holding the signer key', async (kind, didKind) => {
    const id = await makeIdentity(kind, didKind)
    const r = await defaultResolver().resolve(id.did)
    expect(errorOf(r)).toBeUndefined()
    expect(r.didDocument?.id).toBe(id.did)
    expect(r.didDocument?.verificationMethod).toEqual([
      { id: id.kid, type: 'JsonWebKey2020', controller: id.did, publicKeyJwk: id.signer.publicJwk },
    ])
    expect(r.didDocument?.assertionMethod).toEqual([id.kid])
    expect(r.didDocument?.authentication).toEqual([id.kid])
  })

  const secp256k1DidKey = () => {
    const body = new Uint8Array(2 + 33)
    body.set([0xe7, 0x01])
    body[2] = 2
    body.fill(9, 3)
    return `did:key:z${base58.encode(body)}`
  }
  const offCurveDidKey = () => {
    const body = new Uint8Array(2 + 33)
    body.set([0x80, 0x24])
    body[2] = 2
    body.fill(0xff, 3) // x = 2^256 - 1 is not a field element
    return `did:key:z${base58.encode(body)}`
  }
  const didJwk = (json: string) => `did:jwk:${encodeBase64url(encodeUtf8(json))}`

  it.each([
    ['not a DID', 'alice', 'invalidDid'],
    ['empty', '', 'invalidDid'],
    ['unknown method', 'did:web:issuer.example', 'unsupportedDidMethod'],
    ['Object.prototype name as method', 'did:constructor:x', 'unsupportedDidMethod'],
    ['did:key not base58btc', 'did:key:mAbc', 'invalidDid'],
    ['did:key with non-base58 characters', 'did:key:z0OIl', 'invalidDid'],
    ['did:key one byte short', truncatedDidKey(), 'invalidDid'],
    ['did:key secp256k1', secp256k1DidKey(), 'unsupportedPublicKeyType'],
    ['did:key P-256 point off the curve', offCurveDidKey(), 'invalidPublicKey'],
    ['did:jwk not base64url JSON', 'did:jwk:abc', 'invalidDid'],
    ['did:jwk with a duplicate member', didJwk('{"kty":"OKP","kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}'), 'invalidDid'],
    ['did:jwk holding a private key', didJwk('{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}'), 'invalidPublicKey'],
    ['did:jwk RSA', didJwk('{"kty":"RSA","n":"AQAB","e":"AQAB"}'), 'invalidPublicKey'],
  ])('%s → %s', async (_name, did, error) => {
    const r = await defaultResolver().resolve(did)
    expect(errorOf(r)).toBe(error)
    expect(r.didDocument).toBeNull()
  })

  it('never throws, whatever it is given', async () => {
    for (const x of [undefined, null, 42, {}, 'did:key:', 'did:key:z', `did:key:z${'1'.repeat(5000)}`]) {
      const r = await defaultResolver().resolve(x as string)
      expect(errorOf(r), String(x).slice(0, 20)).toBeTypeOf('string')
    }
  })
})

describe('createResolver: extension point', () => {
  const docResult = (doc: Record<string, unknown>): DIDResolutionResult => ({ didResolutionMetadata: {}, didDocumentMetadata: {}, didDocument: doc as never })

  it('adds methods beside did:key and did:jwk', async () => {
    const key = await makeIdentity('ES256 noble')
    const did = 'did:web:issuer.example'
    const r = createResolver({ web: async (d) => docResult(didDocumentOf({ did: d, kid: `${d}#k1`, jwk: key.signer.publicJwk })) })
    expect((await r.resolve(did)).didDocument?.id).toBe(did)
    expect((await r.resolve(key.did)).didDocument?.id).toBe(key.did)
    expect(errorOf(await createResolver().resolve(did))).toBe('unsupportedDidMethod')
  })

  it('refuses to replace did:key / did:jwk, and bad method names (TypeError)', () => {
    const stub = async () => docResult({})
    expect(() => createResolver({ key: stub })).toThrow(TypeError)
    expect(() => createResolver({ jwk: stub })).toThrow(TypeError)
    expect(() => createResolver({ Web: stub })).toThrow(TypeError)
    expect(() => createResolver({ web: 'nope' as never })).toThrow(TypeError)
  })

  it('turns a throwing or junk-returning extra resolver into notFound', async () => {
    const r = createResolver({
      boom: async () => { throw new Error('ledger offline') },
      junk: async () => 'x' as never,
    })
    const a = await r.resolve('did:boom:1')
    expect(errorOf(a)).toBe('notFound')
    expect(a.didResolutionMetadata.message).toMatch(/ledger offline/)
    expect(errorOf(await r.resolve('did:junk:1'))).toBe('notFound')
  })
})

describe('keysForProof', () => {
  it('finds the key for assertionMethod, by absolute or relative kid', async () => {
    const id = await makeIdentity('EdDSA noble', 'jwk')
    for (const kid of [undefined, id.kid, '#0']) {
      const v = await keysForProof(defaultResolver(), id.did, kid, 'assertionMethod')
      if (!v.ok) throw new Error(`${v.code}: ${v.detail}`)
      expect(v.value.map((k) => [k.kid, k.key.jwk])).toEqual([[id.kid, id.signer.publicJwk]])
    }
  })

  it('uses only the methods listed for the purpose', async () => {
    const key = await makeIdentity('ES256 noble')
    const did = 'did:web:verifier.example'
    const doc = { ...didDocumentOf({ did, kid: `${did}#k1`, jwk: key.signer.publicJwk }), authentication: [] }
    const r = createResolver({ web: async () => ({ didResolutionMetadata: {}, didDocumentMetadata: {}, didDocument: doc as never }) })
    expect((await keysForProof(r, did, undefined, 'assertionMethod')).ok).toBe(true)
    expect(await keysForProof(r, did, undefined, 'authentication')).toMatchObject({ ok: false, code: 'ERR_JWS_KEY_UNKNOWN' })
  })

  it('refuses a document for another DID, and a method with a bad JWK', async () => {
    const key = await makeIdentity('ES256 noble')
    const lying = createResolver({ web: async () => ({ didResolutionMetadata: {}, didDocumentMetadata: {}, didDocument: didDocumentOf(resolveDidKey(key.did)) as never }) })
    expect(await keysForProof(lying, 'did:web:a', undefined, 'assertionMethod')).toMatchObject({ ok: false, code: 'ERR_DID_NOT_FOUND' })
    const did = 'did:web:b'
    const badJwk = { kty: 'EC', crv: 'P-256', x: key.signer.publicJwk.x, y: key.signer.publicJwk.x }
    const broken = createResolver({ web: async () => ({ didResolutionMetadata: {}, didDocumentMetadata: {}, didDocument: { ...didDocumentOf({ did, kid: `${did}#k`, jwk: badJwk as never }) } as never }) })
    expect(await keysForProof(broken, did, undefined, 'assertionMethod')).toMatchObject({ ok: false, code: 'ERR_JWK_INVALID' })
  })

  it('maps resolution error names to codes', () => {
    expect(codeOfResolutionError('invalidDid')).toBe('ERR_DID_INVALID')
    expect(codeOfResolutionError('unsupportedDidMethod')).toBe('ERR_DID_UNSUPPORTED')
    expect(codeOfResolutionError('methodNotSupported')).toBe('ERR_DID_UNSUPPORTED')
    expect(codeOfResolutionError('unsupportedPublicKeyType')).toBe('ERR_DID_UNSUPPORTED')
    expect(codeOfResolutionError('invalidPublicKey')).toBe('ERR_JWK_INVALID')
    expect(codeOfResolutionError('notFound')).toBe('ERR_DID_NOT_FOUND')
    expect(codeOfResolutionError('somethingElse')).toBe('ERR_DID_NOT_FOUND')
  })

  it('isBareDid accepts DIDs only, without path, query or fragment', async () => {
    const id = await makeIdentity('ES256 noble')
    expect(isBareDid(id.did)).toBe(true)
    expect(isBareDid(id.kid)).toBe(false)
    expect(isBareDid(`${id.did}/path`)).toBe(false)
    expect(isBareDid(`${id.did}?q=1`)).toBe(false)
    expect(isBareDid('https://self-issued.me/v2')).toBe(false)
    expect(isBareDid(42)).toBe(false)
  })
})
