// The one JWE profile of encrypted answers: round trips (compact and the binary envelope), and
// every header, key and byte an attacker could change, each refused with its exact code.
import { describe, expect, it } from 'vitest'
import { CompactEncrypt, generateKeyPair, importJWK } from 'jose'
import { decryptJwe, encryptJwe, jweFromBinary, jweToBinary, parseJweHeader } from '../../../src/core/jose/jwe.ts'
import { generateEcdhKeyPair } from '../../../src/core/crypto/keys.ts'
import { decodeBase64url, encodeBase64url } from '../../../src/core/bytes/base64url.ts'
import { InputError } from '../../../src/core/errors.ts'

const enc = new TextEncoder()
const b64json = (o: unknown) => encodeBase64url(enc.encode(JSON.stringify(o)))
const message = enc.encode('an answer: packed SD-JWT+KB bytes'.repeat(8))

async function fixture() {
  const to = await generateEcdhKeyPair()
  const jwe = await encryptJwe(message, to.publicJwk)
  const [h, , iv, ct, tag] = jwe.split('.') as [string, string, string, string, string]
  const header = JSON.parse(new TextDecoder().decode(decodeBase64url(h))) as Record<string, unknown>
  return { to, jwe, h, iv, ct, tag, header }
}

describe('JWE (ECDH-ES, A128GCM/A256GCM)', () => {
  it('round trips compact and through the binary envelope, for both enc values', async () => {
    const to = await generateEcdhKeyPair()
    for (const e of ['A128GCM', 'A256GCM'] as const) {
      const jwe = await encryptJwe(message, to.publicJwk, { enc: e })
      const bin = jweToBinary(jwe)
      expect(bin.length).toBe(94 + message.length)
      expect(jweFromBinary(bin)).toBe(jwe)
      const v = await decryptJwe(jweFromBinary(bin), to.privateKey)
      expect(v.ok && [...v.value.plaintext]).toEqual([...message])
      expect(v.ok && v.value.header.enc).toBe(e)
    }
  })

  it('does not decrypt under another key, nor after any byte of the envelope past the header changed', async () => {
    const f = await fixture()
    const other = await generateEcdhKeyPair()
    expect(await decryptJwe(f.jwe, other.privateKey)).toMatchObject({ ok: false, code: 'ERR_EXCH_JWE_DECRYPT' })
    const bin = jweToBinary(f.jwe)
    for (const at of [66, 70, 78, 90, 94, bin.length - 1]) {
      const m = bin.slice()
      m[at]! ^= 1
      expect(await decryptJwe(jweFromBinary(m), f.to.privateKey), `byte ${at}`).toMatchObject({ ok: false, code: 'ERR_EXCH_JWE_DECRYPT' })
    }
    // a changed epk is another key agreement: it either leaves the curve or fails the tag
    const m = bin.slice()
    m[10]! ^= 1
    let code: string
    try {
      code = (await decryptJwe(jweFromBinary(m), f.to.privateKey) as { code: string }).code
    } catch (e) {
      code = (e as InputError).code
    }
    expect(['ERR_EXCH_JWE_INVALID', 'ERR_EXCH_JWE_DECRYPT']).toContain(code)
  })

  const headerRows: [string, (h: Record<string, unknown>) => unknown][] = [
    ['alg none', (h) => ({ ...h, alg: 'none' })],
    ['alg ECDH-ES+A128KW', (h) => ({ ...h, alg: 'ECDH-ES+A128KW' })],
    ['alg RSA-OAEP', (h) => ({ ...h, alg: 'RSA-OAEP' })],
    ['alg dir', (h) => ({ ...h, alg: 'dir' })],
    ['enc A128CBC-HS256', (h) => ({ ...h, enc: 'A128CBC-HS256' })],
    ['enc A192GCM', (h) => ({ ...h, enc: 'A192GCM' })],
    ['zip DEF', (h) => ({ ...h, zip: 'DEF' })],
    ['crit', (h) => ({ ...h, crit: ['exp'], exp: 1 })],
    ['an unknown member', (h) => ({ ...h, jku: 'https://evil.example/jwks' })],
    ['no epk', (h) => ({ alg: h.alg, enc: h.enc })],
    ['epk with d', (h) => ({ ...h, epk: { ...(h.epk as object), d: 'AAAA' } })],
    ['epk on P-384', (h) => ({ ...h, epk: { ...(h.epk as object), crv: 'P-384' } })],
    ['epk an OKP key', (h) => ({ ...h, epk: { kty: 'OKP', crv: 'X25519', x: (h.epk as { x: string }).x } })],
    ['epk off the curve', (h) => ({ ...h, epk: { ...(h.epk as object), y: encodeBase64url(new Uint8Array(32).fill(7)) } })],
    ['epk x of 31 bytes', (h) => ({ ...h, epk: { ...(h.epk as object), x: encodeBase64url(new Uint8Array(31).fill(1)) } })],
    ['kid not a string', (h) => ({ ...h, kid: 7 })],
    ['a header that is an array', () => [1]],
  ]
  it.each(headerRows)('refuses a header with %s: ERR_EXCH_JWE_INVALID', async (_n, change) => {
    const f = await fixture()
    const jwe = [b64json(change(f.header)), '', f.iv, f.ct, f.tag].join('.')
    expect(await decryptJwe(jwe, f.to.privateKey)).toMatchObject({ ok: false, code: 'ERR_EXCH_JWE_INVALID' })
    expect(() => jweToBinary(jwe)).toThrow(expect.objectContaining({ code: 'ERR_EXCH_JWE_INVALID' }))
  })

  const shapeRows: [string, (f: Awaited<ReturnType<typeof fixture>>) => string][] = [
    ['four parts', (f) => [f.h, '', f.iv, f.ct].join('.')],
    ['six parts', (f) => [f.h, '', f.iv, f.ct, f.tag, ''].join('.')],
    ['an encrypted key', (f) => [f.h, 'AAAA', f.iv, f.ct, f.tag].join('.')],
    ['an IV of 16 bytes', (f) => [f.h, '', encodeBase64url(new Uint8Array(16)), f.ct, f.tag].join('.')],
    ['a tag of 12 bytes', (f) => [f.h, '', f.iv, f.ct, encodeBase64url(new Uint8Array(12))].join('.')],
    ['padded base64url', (f) => [f.h, '', f.iv + '=', f.ct, f.tag].join('.')],
    ['a header that is not base64url', (f) => ['{"alg":"ECDH-ES"}', '', f.iv, f.ct, f.tag].join('.')],
    ['a header that is not JSON', (f) => [encodeBase64url(enc.encode('alg=ECDH-ES')), '', f.iv, f.ct, f.tag].join('.')],
    ['a header with a duplicate member', (f) => [encodeBase64url(enc.encode(`{"alg":"ECDH-ES","alg":"ECDH-ES","enc":"A128GCM","epk":${JSON.stringify(f.header.epk)}}`)), '', f.iv, f.ct, f.tag].join('.')],
    ['too long', (f) => [f.h, '', f.iv, 'A'.repeat(100_000), f.tag].join('.')],
  ]
  it.each(shapeRows)('refuses %s: ERR_EXCH_JWE_INVALID', async (_n, make) => {
    const f = await fixture()
    expect(await decryptJwe(make(f), f.to.privateKey)).toMatchObject({ ok: false, code: 'ERR_EXCH_JWE_INVALID' })
  })

  it('refuses what jose alone would take: a zip:DEF answer made by jose itself', async () => {
    const to = await generateEcdhKeyPair()
    const key = await importJWK(to.publicJwk, 'ECDH-ES')
    const jwe = await new CompactEncrypt(message).setProtectedHeader({ alg: 'ECDH-ES', enc: 'A128GCM', zip: 'DEF' }).encrypt(key)
    expect(await decryptJwe(jwe, to.privateKey)).toMatchObject({ ok: false, code: 'ERR_EXCH_JWE_INVALID' })
  })

  it('reads remote headers with kid/apu/apv, which have no binary form', async () => {
    const { publicKey } = await generateKeyPair('ECDH-ES', { crv: 'P-256' })
    const jwe = await new CompactEncrypt(message).setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM', kid: 'k1' }).setKeyManagementParameters({ apu: enc.encode('w'), apv: enc.encode('v') }).encrypt(publicKey)
    const h = parseJweHeader(jwe.split('.')[0]!)
    expect(h).toMatchObject({ alg: 'ECDH-ES', enc: 'A256GCM', kid: 'k1' })
    expect(() => jweToBinary(jwe)).toThrow(expect.objectContaining({ code: 'ERR_EXCH_JWE_INVALID' }))
  })

  const binaryRows: [string, (b: Uint8Array) => Uint8Array][] = [
    ['empty', () => new Uint8Array(0)],
    ['no ciphertext', (b) => b.slice(0, 94)],
    ['another envelope version', (b) => Uint8Array.of(2, ...b.subarray(1))],
    ['an enc byte of 3', (b) => Uint8Array.of(b[0]!, 3, ...b.subarray(2))],
    ['an epk off the curve', (b) => { const m = b.slice(); m.fill(0, 34, 66); return m }],
  ]
  it.each(binaryRows)('refuses a binary envelope with %s: ERR_EXCH_JWE_INVALID', async (_n, change) => {
    const f = await fixture()
    expect(() => jweFromBinary(change(jweToBinary(f.jwe)))).toThrow(expect.objectContaining({ code: 'ERR_EXCH_JWE_INVALID', name: 'InputError' }))
  })
})
