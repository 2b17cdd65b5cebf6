// entry.ts and create.ts: the exact wire shape of each entry type, parse/format pairing, and
// the parser's refusals that need no registry state.
import { describe, expect, it } from 'vitest'
import { decodeBase64url, encodeBase64url } from '../../../src/core/bytes/base64url.ts'
import { decodeUtf8, encodeUtf8 } from '../../../src/core/bytes/utf8.ts'
import { sha256 } from '../../../src/core/crypto/hash.ts'
import { resolveDidKey } from '../../../src/core/crypto/did.ts'
import { InputError } from '../../../src/core/errors.ts'
import {
  createIssuerAccreditationEntry, createKeyChangeEntry, createStatusAnchorEntry, createSuspensionEntry,
  createVerifierRegistrationEntry, statusListDigest,
} from '../../../src/core/registry/create.ts'
import { MAX_ENTRY_BYTES, formatEntry, parseEntry, verificationMethodId } from '../../../src/core/registry/entry.ts'
import { testKey } from '../../support/keys.ts'
import { signRaw } from '../vc/helpers.ts'
import { DAY, NOW, PSB, PSB_LIST, PSB_STATUS_BASE, RESIDENT_ID, buildDemo, names } from './_demo.ts'
import { purpose } from '../../support/purposes.ts'

const demo = await buildDemo()
const { psb, root, rootDid } = demo
const rootKid = resolveDidKey(rootDid).kid

const partsOf = (bytes: Uint8Array) => {
  const [h, p] = decodeUtf8(bytes).split('.') as [string, string]
  return { header: JSON.parse(decodeUtf8(decodeBase64url(h))), payload: JSON.parse(decodeUtf8(decodeBase64url(p))) }
}

function inputErrorCode(f: () => unknown): string {
  try {
    f()
  } catch (e) {
    if (e instanceof InputError) return e.code
    throw e
  }
  throw new Error('did not throw')
}

describe('wire shapes', () => {
  it('issuer accreditation: a VCDM 1.1 VC-JWT by the root, exactly these members', () => {
    const { header, payload } = partsOf(demo.entries[0]!)
    expect(header).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: rootKid })
    expect(payload).toEqual({
      iss: rootDid,
      sub: PSB,
      nbf: NOW - 30 * DAY,
      exp: NOW - 30 * DAY + 2 * 365 * DAY + 30 * DAY,
      jti: 'urn:civic:accreditation:psb:2026',
      vc: {
        '@context': ['https://www.w3.org/2018/credentials/v1'],
        type: ['VerifiableCredential', 'CivicIssuerAccreditation'],
        credentialSubject: {
          name: names.psb,
          keys: [{ kid: 'key-2026', jwk: psb.key.signer.publicJwk }],
          vct: [RESIDENT_ID],
          statusListBase: PSB_STATUS_BASE,
        },
      },
    })
  })

  it('verifier registration: purposes with claim paths, why, a retention promise and a contact', () => {
    const { header, payload } = partsOf(demo.entries[3]!)
    expect(header).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: rootKid })
    expect(payload.vc.type).toEqual(['VerifiableCredential', 'CivicVerifierRegistration'])
    expect(Object.keys(payload).sort()).toEqual(['exp', 'iss', 'jti', 'nbf', 'sub', 'vc'])
    expect(payload.vc.credentialSubject).toEqual({
      name: names.pharmacy,
      keys: [{ kid: 'pos-1', jwk: demo.pharmacy.key.signer.publicJwk }],
      purposes: [purpose({ id: 'age-check', name: { 'zh-CN': '处方药购买年龄核验', en: 'Age check for restricted medicines' }, vct: RESIDENT_ID, claims: ['age_over_18'] }, { retention: { days: 0, promise: { 'zh-CN': '只看是否年满18岁，不保存。', en: 'Sees only whether you are over 18; keeps nothing.' } } })],
    })
  })

  it('status anchor: issuer-signed, digest = base64url SHA-256 of the token bytes', () => {
    const { header, payload } = partsOf(demo.entries[4]!)
    expect(header).toEqual({ alg: 'ES256', typ: 'civic-status-anchor+jwt', kid: `${PSB}#key-2026` })
    expect(payload).toEqual({
      iss: PSB, uri: PSB_LIST, version: 1, digest: encodeBase64url(sha256(encodeUtf8(demo.statusToken))), iat: NOW - DAY, ttl: 2 * DAY,
    })
    expect(statusListDigest(demo.statusToken)).toBe(statusListDigest(encodeUtf8(demo.statusToken)))
  })

  it('key change and suspension', async () => {
    const next = testKey('EdDSA')
    const add = await createKeyChangeEntry({ signer: psb.as, subject: PSB, action: 'add', kid: 'key-2027', jwk: next.signer.publicJwk, iat: NOW })
    expect(partsOf(add)).toEqual({
      header: { alg: 'ES256', typ: 'civic-key-change+jwt', kid: `${PSB}#key-2026` },
      payload: { iss: PSB, sub: PSB, action: 'add', kid: 'key-2027', jwk: next.signer.publicJwk, iat: NOW },
    })
    const revoke = await createKeyChangeEntry({ signer: root, subject: PSB, action: 'revoke', kid: 'key-2026', iat: NOW })
    expect(partsOf(revoke)).toEqual({
      header: { alg: 'EdDSA', typ: 'civic-key-change+jwt', kid: rootKid },
      payload: { iss: rootDid, sub: PSB, action: 'revoke', kid: 'key-2026', iat: NOW },
    })
    const suspension = await createSuspensionEntry({ root, subject: PSB, revokes: 'urn:civic:accreditation:psb:2026', iat: NOW })
    expect(partsOf(suspension)).toEqual({
      header: { alg: 'EdDSA', typ: 'civic-suspension+jwt', kid: rootKid },
      payload: { iss: rootDid, sub: PSB, revokes: 'urn:civic:accreditation:psb:2026', iat: NOW },
    })
  })
})

describe('parseEntry / formatEntry', () => {
  it('parses every demo entry to its typed form, and formatEntry gives back the same bytes', () => {
    const types = demo.entries.map((b) => {
      const e = parseEntry(b)
      expect(formatEntry(e)).toEqual(b)
      return e.type
    })
    expect(types).toEqual(['issuer-accreditation', 'issuer-accreditation', 'verifier-registration', 'verifier-registration', 'status-anchor'])
  })

  it('gives the typed accreditation', () => {
    const e = parseEntry(demo.entries[0]!)
    expect(e).toEqual({
      type: 'issuer-accreditation',
      jws: decodeUtf8(demo.entries[0]!),
      signedBy: rootKid,
      iss: rootDid,
      id: 'urn:civic:accreditation:psb:2026',
      sub: PSB,
      name: names.psb,
      keys: [{ kid: 'key-2026', jwk: psb.key.signer.publicJwk }],
      vct: [RESIDENT_ID],
      statusListBase: PSB_STATUS_BASE,
      validFrom: NOW - 30 * DAY,
      validUntil: NOW + 2 * 365 * DAY,
    })
  })

  it('gives the typed anchor', () => {
    expect(parseEntry(demo.entries[4]!)).toEqual({
      type: 'status-anchor', jws: decodeUtf8(demo.entries[4]!), signedBy: verificationMethodId(PSB, 'key-2026'),
      iss: PSB, uri: PSB_LIST, version: 1, digest: statusListDigest(demo.statusToken), iat: NOW - DAY, ttl: 2 * DAY,
    })
  })

  it.each([
    ['a string, not bytes', 'eyJ9.e30.sig', 'ERR_REG_SCHEMA'],
    ['null', null, 'ERR_REG_SCHEMA'],
    ['an array of numbers', [101, 121], 'ERR_REG_SCHEMA'],
    ['empty bytes', new Uint8Array(0), 'ERR_JWS_MALFORMED'],
    ['65,536 bytes', new Uint8Array(MAX_ENTRY_BYTES + 1).fill(0x41), 'ERR_REG_ENTRY_TOO_LARGE'],
    ['invalid UTF-8', Uint8Array.of(0x65, 0xff, 0x2e), 'ERR_UTF8_INVALID'],
  ])('refuses %s with %s', (_n, input, code) => {
    expect(inputErrorCode(() => parseEntry(input))).toBe(code)
  })

  it('refuses a typ it does not know, and a VC-JWT of another type', async () => {
    const other = await signRaw({ alg: 'ES256', typ: 'civic-something+jwt', kid: `${PSB}#key-2026` }, { iss: PSB }, psb.key.signer)
    expect(inputErrorCode(() => parseEntry(encodeUtf8(other)))).toBe('ERR_REG_UNKNOWN_TYPE')
    const noTyp = await signRaw({ alg: 'ES256', kid: `${PSB}#key-2026` }, { iss: PSB }, psb.key.signer)
    expect(inputErrorCode(() => parseEntry(encodeUtf8(noTyp)))).toBe('ERR_REG_UNKNOWN_TYPE')
    const { header, payload } = partsOf(demo.entries[0]!)
    payload.vc.type = ['VerifiableCredential', 'ResidencePermit']
    const vc = await signRaw(header, payload, demo.rootKey.signer)
    expect(inputErrorCode(() => parseEntry(encodeUtf8(vc)))).toBe('ERR_REG_UNKNOWN_TYPE')
  })
})

describe('create*Entry refuses bad arguments before signing (TypeError)', () => {
  it('a private JWK in a key list', async () => {
    await expect(createIssuerAccreditationEntry({
      root, subject: PSB, id: 'urn:x', name: names.psb, keys: [{ kid: 'k', jwk: psb.key.jwk }], vct: [RESIDENT_ID], validFrom: NOW, validUntil: NOW + DAY,
    })).rejects.toThrow(/ERR_JWK_INVALID/)
  })

  it('a schema violation (validUntil before validFrom is did-jwt-vc’s; a bad vct is ours)', async () => {
    await expect(createIssuerAccreditationEntry({
      root, subject: PSB, id: 'urn:x', name: names.psb, keys: [{ kid: 'k', jwk: psb.key.signer.publicJwk }], vct: ['has space'], validFrom: NOW, validUntil: NOW + DAY,
    })).rejects.toThrow(/ERR_REG_SCHEMA/)
    await expect(createVerifierRegistrationEntry({
      root, subject: 'did:key:z6Mk', id: 'urn:x', name: names.psb, keys: [{ kid: 'k', jwk: psb.key.signer.publicJwk }],
      purposes: [purpose({ id: 'p', name: names.psb, vct: RESIDENT_ID, claims: ['a'] })], validFrom: NOW, validUntil: NOW + DAY,
    })).rejects.toThrow(TypeError)
  })

  it('a did:web signer without kid, and a root signer whose key is not its DID’s', async () => {
    await expect(createStatusAnchorEntry({ issuer: { did: PSB, signer: psb.key.signer }, uri: PSB_LIST, version: 2, statusListToken: 'x', iat: NOW, ttl: 60 })).rejects.toThrow(TypeError)
    await expect(createSuspensionEntry({ root: { did: rootDid, signer: psb.key.signer }, subject: PSB, revokes: 'urn:x', iat: NOW })).rejects.toThrow(TypeError)
  })
})
