// did:key (W3C CCG did-method-key test-vectors/ed25519-x25519.json and nist-curves.json) and
// did:jwk (did-jwk spec.md, P-256 example) resolve to the right JWKs and back, with no network;
// malformed, unsupported and weak identifiers are refused with codes.
import { describe, expect, it } from 'vitest'
import { encodeBase64url } from '../../../src/core/bytes/base64url.ts'
import { didDocumentOf, didJwkFromJwk, didKeyFromJwk, resolveDidKey, splitDidUrl } from '../../../src/core/crypto/did.ts'
import { generatePrivateJwk, parsePrivateJwk, publicJwkOf } from '../../../src/core/crypto/jwk.ts'
import { InputError } from '../../../src/core/errors.ts'
import { codeOf } from '../../support/codes.ts'

// An independent base58btc (Bitcoin alphabet) for reading the vectors and building hostile DIDs.
const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
function base58Decode(s: string): Uint8Array {
  let n = 0n
  for (const c of s) {
    const v = B58.indexOf(c)
    if (v < 0) throw new Error(`not base58: ${c}`)
    n = n * 58n + BigInt(v)
  }
  const bytes: number[] = []
  for (; n > 0n; n >>= 8n) bytes.unshift(Number(n & 255n))
  for (const c of s) {
    if (c !== '1') break
    bytes.unshift(0)
  }
  return Uint8Array.from(bytes)
}
function base58Encode(b: Uint8Array): string {
  let n = b.reduce((acc, x) => (acc << 8n) | BigInt(x), 0n)
  let out = ''
  for (; n > 0n; n /= 58n) out = B58[Number(n % 58n)]! + out
  for (const x of b) {
    if (x !== 0) break
    out = `1${out}`
  }
  return out
}
const multikey = (prefix: number[], key: Uint8Array) => `did:key:z${base58Encode(Uint8Array.from([...prefix, ...key]))}`
const hexBytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'))

// w3c-ccg/did-method-key test-vectors/ed25519-x25519.json: seed (the Ed25519 private key) and
// publicKeyBase58 (the raw public key) of each DID.
const ED25519_VECTORS = [
  { did: 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp', seed: '00'.repeat(32), publicKeyBase58: '4zvwRjXUKGfvwnParsHAS3HuSVzV5cA4McphgmoCtajS' },
  { did: 'did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG', seed: '00'.repeat(31) + '01', publicKeyBase58: '6ASf5EcmmEHTgDJ4X4ZT5vT6iHVJBXPg5AN5YoTCpGWt' },
  { did: 'did:key:z6MknGc3ocHs3zdPiJbnaaqDi58NGb4pk1Sp9WxWufuXSdxf', seed: '00'.repeat(31) + '02', publicKeyBase58: '8pM1DN3RiT8vbom5u1sNryaNT1nyL8CTTW3b5PwWXRBH' },
  { did: 'did:key:z6MkvqoYXQfDDJRv8L4wKzxYeuKyVZBfi9Qo6Ro8MiLH3kDQ', seed: '00'.repeat(31) + '03', publicKeyBase58: 'HPYVwAQmskwT1qEEeRzhoomyfyupJGASQQtCXSNG8XS2' },
  { did: 'did:key:z6MkwW6aqMnjgrhJXFUko3NnZPGzVpkNzhYK7yEhnsibmLwL', seed: '00'.repeat(31) + '04', publicKeyBase58: 'J3qYF7YJMKCqQke47UQwiHizgFUXapHxRxKmxbkar89x' },
]

// w3c-ccg/did-method-key test-vectors/nist-curves.json, the P-256 entries.
const P256_VECTORS = [
  { did: 'did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv', x: 'igrFmi0whuihKnj9R3Om1SoMph72wUGeFaBbzG2vzns', y: 'efsX5b10x8yjyrj4ny3pGfLcY7Xby1KzgqOdqnsrJIM', d: 'gPh-VvVS8MbvKQ9LSVVmfnxnKjHn4Tqj0bmbpehRlpc' },
  { did: 'did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169', x: 'fyNYMN0976ci7xqiSdag3buk-ZCwgXU4kz9XNkBlNUI', y: 'hW2ojTNfH7Jbi8--CJUo3OCbH3y5n91g-IMA9MLMbTU', d: 'YjRs6vNvw4sYrzVVY8ipkEpDAD9PFqw1sUnvPRMA-WI' },
]

// did-jwk spec.md "Examples / P-256".
const DID_JWK_P256 = 'did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9'
const DID_JWK_P256_KEY = { crv: 'P-256', kty: 'EC', x: 'acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0', y: '_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSE' }
// did-jwk spec.md "Examples / X25519": a key-agreement key, not a signing key.
const DID_JWK_X25519 = 'did:jwk:eyJrdHkiOiJPS1AiLCJjcnYiOiJYMjU1MTkiLCJ1c2UiOiJlbmMiLCJ4IjoiM3A3YmZYdDl3YlRUVzJIQzdPUTFOei1EUThoYmVHZE5yZngtRkctSUswOCJ9'

describe('did:key', () => {
  it.each(ED25519_VECTORS)('Ed25519 $did resolves to its key and back', ({ did, seed, publicKeyBase58 }) => {
    const x = encodeBase64url(base58Decode(publicKeyBase58))
    const msid = did.slice('did:key:'.length)
    const r = resolveDidKey(did)
    expect(r).toStrictEqual({ did, kid: `${did}#${msid}`, jwk: { kty: 'OKP', crv: 'Ed25519', x } })
    expect(didKeyFromJwk(r.jwk)).toBe(did)
    // the vector's seed is the private key of that public key
    expect(() => parsePrivateJwk({ kty: 'OKP', crv: 'Ed25519', x, d: encodeBase64url(hexBytes(seed)) })).not.toThrow()
    expect(resolveDidKey(`${did}#${msid}`)).toStrictEqual(r)
  })

  it.each(P256_VECTORS)('P-256 $did resolves to its key and back', ({ did, x, y, d }) => {
    const r = resolveDidKey(did)
    expect(r.jwk).toStrictEqual({ kty: 'EC', crv: 'P-256', x, y })
    expect(r.kid).toBe(`${did}#${did.slice(8)}`)
    expect(didKeyFromJwk(r.jwk)).toBe(did)
    expect(parsePrivateJwk({ kty: 'EC', crv: 'P-256', x, y, d })).toStrictEqual({ kty: 'EC', crv: 'P-256', x, y, d })
  })

  it('round-trips generated keys of both kinds (both y parities for P-256)', () => {
    const parities = new Set<number>()
    for (let i = 0; i < 40; i++) {
      const jwk = publicJwkOf(generatePrivateJwk(i % 2 ? 'ES256' : 'EdDSA'))
      const did = didKeyFromJwk(jwk)
      expect(did).toMatch(i % 2 ? /^did:key:zDn/ : /^did:key:z6Mk/)
      expect(resolveDidKey(did).jwk).toStrictEqual(jwk)
      if (jwk.kty === 'EC') parities.add(Buffer.from(jwk.y, 'base64url')[31]! & 1)
    }
    expect(parities.size).toBe(2)
  })

  const ed = base58Decode(ED25519_VECTORS[0]!.publicKeyBase58)
  const p256 = base58Decode(P256_VECTORS[0]!.did.slice(9)).subarray(2) // 33-byte compressed point

  it.each<[string, string, string]>([
    ['a fragment naming another key', `${ED25519_VECTORS[0]!.did}#${ED25519_VECTORS[1]!.did.slice(8)}`, 'ERR_DID_NOT_FOUND'],
    ['fragment #0 on did:key', `${ED25519_VECTORS[0]!.did}#0`, 'ERR_DID_NOT_FOUND'],
    ['empty method-specific id', 'did:key:', 'ERR_DID_INVALID'],
    ['only the multibase prefix', 'did:key:z', 'ERR_DID_UNSUPPORTED'],
    ['not base58btc (no z)', `did:key:${ED25519_VECTORS[0]!.did.slice(9)}`, 'ERR_DID_UNSUPPORTED'],
    ['base64url multibase (u)', `did:key:u${encodeBase64url(Uint8Array.from([0xed, 0x01, ...ed]))}`, 'ERR_DID_UNSUPPORTED'],
    ['characters outside base58 (0 O I l)', 'did:key:z6Mk0OIl', 'ERR_DID_INVALID'],
    ['secp256k1-pub multicodec', multikey([0xe7, 0x01], new Uint8Array(33).fill(2)), 'ERR_DID_UNSUPPORTED'],
    ['x25519-pub multicodec', multikey([0xec, 0x01], ed), 'ERR_DID_UNSUPPORTED'],
    ['Ed25519 key of 31 bytes', multikey([0xed, 0x01], ed.subarray(1)), 'ERR_DID_INVALID'],
    ['Ed25519 key of 33 bytes', multikey([0xed, 0x01], Uint8Array.from([...ed, 0])), 'ERR_DID_INVALID'],
    ['Ed25519 identity point', multikey([0xed, 0x01], Uint8Array.from([1, ...new Uint8Array(31)])), 'ERR_KEY_WEAK'],
    ['Ed25519 non-canonical point', multikey([0xed, 0x01], hexBytes('ed' + 'ff'.repeat(30) + '7f')), 'ERR_JWK_INVALID'],
    ['P-256 uncompressed point', multikey([0x80, 0x24], Uint8Array.from([4, ...new Uint8Array(64).fill(1)])), 'ERR_DID_INVALID'],
    ['P-256 point not on the curve', multikey([0x80, 0x24], Uint8Array.from([2, ...new Uint8Array(32).fill(0xff)])), 'ERR_JWK_INVALID'],
    ['P-256 bad SEC1 prefix', multikey([0x80, 0x24], Uint8Array.from([5, ...p256.subarray(1)])), 'ERR_JWK_INVALID'],
    ['upper-case method', ED25519_VECTORS[0]!.did.replace('did:key', 'did:KEY'), 'ERR_DID_INVALID'],
    ['upper-case scheme', ED25519_VECTORS[0]!.did.replace('did:', 'DID:'), 'ERR_DID_INVALID'],
    ['a query', `${ED25519_VECTORS[0]!.did}?service=x`, 'ERR_DID_INVALID'],
    ['a path', `${ED25519_VECTORS[0]!.did}/path`, 'ERR_DID_INVALID'],
    ['white space', ` ${ED25519_VECTORS[0]!.did}`, 'ERR_DID_INVALID'],
    ['over 2,048 characters', `did:key:z${'1'.repeat(3000)}`, 'ERR_DID_INVALID'],
    ['did:web is not resolved locally', 'did:web:issuer.example.gov', 'ERR_DID_UNSUPPORTED'],
    ['did:ion is not resolved locally', 'did:ion:EiClkZMDxPKqC9c', 'ERR_DID_UNSUPPORTED'],
    ['not a DID', 'https://issuer.example.gov', 'ERR_DID_INVALID'],
    ['empty', '', 'ERR_DID_INVALID'],
  ])('refuses %s', (_name, did, code) => {
    expect(codeOf(() => resolveDidKey(did))).toBe(code)
  })
})

describe('did:jwk', () => {
  it('the spec P-256 example resolves to its key, and the key gives the same DID', () => {
    const r = resolveDidKey(DID_JWK_P256)
    expect(r).toStrictEqual({ did: DID_JWK_P256, kid: `${DID_JWK_P256}#0`, jwk: { kty: 'EC', crv: 'P-256', x: DID_JWK_P256_KEY.x, y: DID_JWK_P256_KEY.y } })
    expect(didJwkFromJwk(r.jwk)).toBe(DID_JWK_P256)
    expect(resolveDidKey(`${DID_JWK_P256}#0`)).toStrictEqual(r)
  })

  it('the DID document has the spec shape (one JsonWebKey2020 method, #0)', () => {
    const doc = didDocumentOf(resolveDidKey(DID_JWK_P256))
    const kid = `${DID_JWK_P256}#0`
    expect(doc).toMatchObject({
      id: DID_JWK_P256,
      verificationMethod: [{ id: kid, type: 'JsonWebKey2020', controller: DID_JWK_P256, publicKeyJwk: { kty: 'EC', crv: 'P-256', x: DID_JWK_P256_KEY.x, y: DID_JWK_P256_KEY.y } }],
      assertionMethod: [kid],
      authentication: [kid],
    })
    expect(doc['@context']).toContain('https://www.w3.org/ns/did/v1')
  })

  it('round-trips generated keys; members beyond the key are dropped, so any spelling resolves', () => {
    for (const alg of ['ES256', 'EdDSA'] as const) {
      const jwk = publicJwkOf(generatePrivateJwk(alg))
      expect(resolveDidKey(didJwkFromJwk(jwk)).jwk).toStrictEqual(jwk)
      const decorated = `did:jwk:${encodeBase64url(new TextEncoder().encode(JSON.stringify({ use: 'sig', kid: 'x', ...jwk })))}`
      expect(resolveDidKey(decorated).jwk).toStrictEqual(jwk)
    }
  })

  /** A did:jwk whose base64url has unused bits, with one of them set (the same bytes to a lenient decoder). */
  function dirtyDidJwk(): string {
    const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    // one of any three consecutive lengths leaves unused bits
    for (let i = 0; i < 3; i++) {
      const t = encodeBase64url(new TextEncoder().encode(JSON.stringify(DID_JWK_P256_KEY) + ' '.repeat(i)))
      if (t.length % 4 === 0) continue
      expect(resolveDidKey(`did:jwk:${t}`).jwk.x).toBe(DID_JWK_P256_KEY.x) // the clean spelling resolves
      return `did:jwk:${t.slice(0, -1)}${B64[B64.indexOf(t.at(-1)!) | 1]!}`
    }
    throw new Error('test setup: no length with unused bits')
  }
  const j = (v: unknown) => `did:jwk:${encodeBase64url(new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v)))}`

  it.each<[string, string, string]>([
    ['the spec X25519 example (a key-agreement key)', DID_JWK_X25519, 'ERR_JWK_INVALID'],
    ['fragment other than #0', `${DID_JWK_P256}#1`, 'ERR_DID_NOT_FOUND'],
    ['a private key', j({ ...DID_JWK_P256_KEY, d: 'AAAA' }), 'ERR_JWK_INVALID'],
    ['use enc', j({ ...DID_JWK_P256_KEY, use: 'enc' }), 'ERR_JWK_INVALID'],
    ['an RSA key', j({ kty: 'RSA', n: 'AQAB', e: 'AQAB' }), 'ERR_JWK_INVALID'],
    ['a small-order Ed25519 key', j({ kty: 'OKP', crv: 'Ed25519', x: encodeBase64url(Uint8Array.from([1, ...new Uint8Array(31)])) }), 'ERR_KEY_WEAK'],
    ['a JSON array', j([DID_JWK_P256_KEY]), 'ERR_JWK_INVALID'],
    ['not JSON', j('{"kty":'), 'ERR_DID_INVALID'],
    ['duplicate members', j('{"crv":"P-256","kty":"EC","kty":"OKP","x":"a","y":"b"}'), 'ERR_DID_INVALID'],
    ['not UTF-8', `did:jwk:${encodeBase64url(Uint8Array.of(0x7b, 0xff, 0x7d))}`, 'ERR_DID_INVALID'],
    ['padded base64url', `${DID_JWK_P256}==`.replace('==', '%3D'), 'ERR_DID_INVALID'],
    ['non-canonical trailing bits', dirtyDidJwk(), 'ERR_DID_INVALID'],
    ['a dot inside', `${DID_JWK_P256.slice(0, 20)}.${DID_JWK_P256.slice(20)}`, 'ERR_DID_INVALID'],
    ['nested deeper than a JWK', j({ ...DID_JWK_P256_KEY, ext: { a: { b: 1 } } }), 'ERR_DID_INVALID'],
    ['longer than 1 KiB of JSON', j({ ...DID_JWK_P256_KEY, pad: 'x'.repeat(1100) }), 'ERR_DID_INVALID'],
  ])('refuses %s', (_name, did, code) => {
    expect(codeOf(() => resolveDidKey(did))).toBe(code)
  })
})

describe('splitDidUrl', () => {
  it('splits off one fragment', () => {
    expect(splitDidUrl('did:jwk:abc#0')).toStrictEqual({ did: 'did:jwk:abc', fragment: '0' })
    expect(splitDidUrl('did:key:z6Mk')).toStrictEqual({ did: 'did:key:z6Mk', fragment: undefined })
    expect(splitDidUrl('did:web:example.com:user:alice#key-1')).toStrictEqual({ did: 'did:web:example.com:user:alice', fragment: 'key-1' })
  })
})
