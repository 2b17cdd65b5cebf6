// fold.ts: the demo ledger folds into the registry a citizen's wallet and a counter would
// trust; folding is pure, resumable, clock-monotone, and stops at a bad entry with its index.
import { describe, expect, it } from 'vitest'
import { jwkThumbprint, publicJwkOf } from '../../../src/core/crypto/jwk.ts'
import { didJwkFromJwk, resolveDidKey } from '../../../src/core/crypto/did.ts'
import {
  createIssuerAccreditationEntry, createKeyChangeEntry, createStatusAnchorEntry, createSuspensionEntry, statusListDigest,
} from '../../../src/core/registry/create.ts'
import { parseEntry } from '../../../src/core/registry/entry.ts'
import { foldEntries, foldEntry } from '../../../src/core/registry/fold.ts'
import { parseRegistryState } from '../../../src/core/registry/state.ts'
import { verifyEntry } from '../../../src/core/registry/verify.ts'
import { testKey } from '../../support/keys.ts'
import {
  DAY, HALL, NOW, PHARMACY, PSB, PSB_LIST, PSB_STATUS_BASE, RESIDENT_ID, SOCIAL_INSURANCE, SSB, YEAR, after, buildDemo, names,
} from './_demo.ts'

const demo = await buildDemo()
const { root, rootDid, psb, state } = demo

function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null) {
    for (const v of Object.values(x)) deepFreeze(v)
    Object.freeze(x)
  }
  return x
}

describe('the demo ledger', () => {
  it('folds into the expected registry', () => {
    expect(state.size).toBe(5)
    expect(state.root).toEqual({ did: rootDid, kid: resolveDidKey(rootDid).kid, jwk: publicJwkOf(demo.rootKey.jwk) })
    expect(Object.keys(state.issuers).sort()).toEqual([SSB, PSB])
    expect(Object.keys(state.verifiers).sort()).toEqual([PHARMACY, HALL])
    expect(state.issuers[PSB]).toEqual({
      role: 'issuer',
      did: PSB,
      name: names.psb,
      keys: [{ kid: 'key-2026', jwk: psb.key.signer.publicJwk }],
      keyHistory: [{ kid: 'key-2026', thumbprint: jwkThumbprint(psb.key.signer.publicJwk), revokedAt: null }],
      credentialId: 'urn:civic:accreditation:psb:2026',
      credentialIds: ['urn:civic:accreditation:psb:2026'],
      validFrom: NOW - 30 * DAY,
      validUntil: NOW + 2 * YEAR,
      suspended: null,
      vct: [RESIDENT_ID],
      statusListBase: PSB_STATUS_BASE,
    })
    expect(state.issuers[SSB]!.vct).toEqual([SOCIAL_INSURANCE])
    expect(state.verifiers[PHARMACY]).toMatchObject({
      role: 'verifier',
      name: names.pharmacy,
      purposes: [{ id: 'age-check', vct: RESIDENT_ID, claims: ['age_over_18'], retention: { days: 0 }, contact: 'mailto:privacy@verifier.example' }],
      suspended: null,
    })
    expect(state.verifiers[HALL]!.purposes.map((p) => p.id)).toEqual(['residence-permit', 'pension-enquiry'])
    expect(state.anchors).toEqual({
      [PSB_LIST]: { uri: PSB_LIST, iss: PSB, version: 1, digest: statusListDigest(demo.statusToken), iat: NOW - DAY, ttl: 2 * DAY, signedBy: `${PSB}#key-2026` },
    })
  })

  it('folds the same from the root’s public JWK as from its DID', async () => {
    const r = await foldEntries(publicJwkOf(demo.rootKey.jwk), demo.entries, NOW)
    expect(r.ok && r.value).toEqual(state)
  })

  it('accepts a did:jwk root as well', async () => {
    const k = testKey('ES256')
    const jwkRoot = didJwkFromJwk(k.signer.publicJwk)
    const entry = await createIssuerAccreditationEntry({
      root: { did: jwkRoot, signer: k.signer }, subject: PSB, id: 'urn:x', name: names.psb, keys: [{ kid: 'key-2026', jwk: psb.key.signer.publicJwk }],
      vct: [RESIDENT_ID], validFrom: NOW - DAY, validUntil: NOW + YEAR,
    })
    const r = await foldEntries(jwkRoot, [entry], NOW)
    expect(r.ok && r.value.issuers[PSB]?.validFrom).toBe(NOW - DAY)
    expect(await foldEntries(rootDid, [entry], NOW)).toMatchObject({ ok: false, code: 'ERR_REG_NOT_AUTHORIZED', index: 0 })
  })

  it('resumes: folding in two runs gives what one run gives', async () => {
    const first = await foldEntries(rootDid, demo.entries.slice(0, 2), NOW)
    if (!first.ok) throw new Error(first.code)
    expect(first.value.size).toBe(2)
    const rest = await foldEntries(first.value, demo.entries.slice(2), NOW)
    expect(rest.ok && rest.value).toEqual(state)
  })

  it('is plain data: survives JSON and structured clone, and parseRegistryState takes it back', () => {
    const json = JSON.parse(JSON.stringify(state)) as unknown
    expect(json).toEqual(state)
    expect(parseRegistryState(json)).toEqual(state)
    expect(parseRegistryState(structuredClone(state))).toEqual(state)
  })

  it('folds years later exactly as today (expiry never refuses history), but not before its entries were made', async () => {
    const later = await foldEntries(rootDid, demo.entries, NOW + 10 * YEAR)
    expect(later.ok && later.value).toEqual(state)
    const early = await foldEntries(rootDid, demo.entries, NOW - 60 * DAY)
    expect(early).toMatchObject({ ok: false, code: 'ERR_TIME_NOT_YET_VALID', index: 0 })
  })
})

describe('foldEntry', () => {
  it('returns a new state and never touches the old one', async () => {
    const before = JSON.stringify(state)
    const frozen = deepFreeze(structuredClone(state))
    const bytes = await createStatusAnchorEntry({ issuer: psb.as, uri: PSB_LIST, version: 2, statusListToken: 'v2', iat: NOW, ttl: 60 })
    const v = await verifyEntry(frozen, bytes, { now: NOW })
    if (!v.ok) throw new Error(v.code)
    const next = foldEntry(frozen, v.value)
    expect(next).not.toBe(frozen)
    expect(next.size).toBe(6)
    expect(next.anchors[PSB_LIST]!.version).toBe(2)
    expect(frozen.anchors[PSB_LIST]!.version).toBe(1)
    expect(JSON.stringify(state)).toBe(before)
    // Unchanged branches are shared, not copied.
    expect(next.issuers).toBe(frozen.issuers)
  })

  it('throws TypeError for an entry that was not verified against this state', async () => {
    expect(() => foldEntry(state, parseEntry(demo.entries[4]!))).toThrow(/ERR_REG_REPLAY/)
    const stranger = await createStatusAnchorEntry({ issuer: { did: 'did:web:x.example', kid: 'k', signer: psb.key.signer }, uri: 'https://x.example/s', version: 1, statusListToken: 't', iat: NOW, ttl: 60 })
    expect(() => foldEntry(state, parseEntry(stranger))).toThrow(TypeError)
  })
})

describe('foldEntries', () => {
  it('stops at a bad entry and reports its log index and code, with the state before it', async () => {
    const bad = await createStatusAnchorEntry({ issuer: psb.as, uri: PSB_LIST, version: 1, statusListToken: 'again', iat: NOW, ttl: 60 })
    const good = await createStatusAnchorEntry({ issuer: psb.as, uri: PSB_LIST, version: 3, statusListToken: 'v3', iat: NOW, ttl: 60 })
    const r = await foldEntries(rootDid, [...demo.entries, bad, good], NOW)
    expect(r).toMatchObject({ ok: false, code: 'ERR_REG_REPLAY', index: 5 })
    if (!r.ok) {
      expect(r.state).toEqual(state)
      expect(r.detail).toMatch(/^entry 5: /)
    }
    const resumed = await foldEntries(state, [bad], NOW)
    expect(resumed).toMatchObject({ ok: false, index: 5 })
  })

  it('folds an empty run to the start state', async () => {
    expect(await foldEntries(state, [], NOW)).toEqual({ ok: true, value: state })
    const empty = await foldEntries(rootDid, [], NOW)
    expect(empty.ok && empty.value).toMatchObject({ size: 0, issuers: {}, verifiers: {}, anchors: {} })
  })
})

describe('stories', () => {
  it('key rotation: add a key with the old one, revoke the old one with the new one', async () => {
    const next = testKey('EdDSA')
    const s = await after(state,
      await createKeyChangeEntry({ signer: psb.as, subject: PSB, action: 'add', kid: 'key-2027', jwk: next.signer.publicJwk, iat: NOW - 60 }),
      await createKeyChangeEntry({ signer: { did: PSB, kid: 'key-2027', signer: next.signer }, subject: PSB, action: 'revoke', kid: 'key-2026', iat: NOW - 30 }),
      await createStatusAnchorEntry({ issuer: { did: PSB, kid: 'key-2027', signer: next.signer }, uri: PSB_LIST, version: 2, statusListToken: 'v2', iat: NOW, ttl: 60 }),
    )
    expect(s.issuers[PSB]!.keys).toEqual([{ kid: 'key-2027', jwk: next.signer.publicJwk }])
    expect(s.issuers[PSB]!.keyHistory).toEqual([
      { kid: 'key-2026', thumbprint: jwkThumbprint(psb.key.signer.publicJwk), revokedAt: NOW - 30 },
      { kid: 'key-2027', thumbprint: jwkThumbprint(next.signer.publicJwk), revokedAt: null },
    ])
    expect(s.anchors[PSB_LIST]).toMatchObject({ version: 2, signedBy: `${PSB}#key-2027` })
  })

  it('suspension, then re-accreditation by the root', async () => {
    const suspended = await after(state, await createSuspensionEntry({ root, subject: PSB, revokes: 'urn:civic:accreditation:psb:2026', iat: NOW - 3600 }))
    expect(suspended.issuers[PSB]!.suspended).toEqual({ at: NOW - 3600, credentialId: 'urn:civic:accreditation:psb:2026' })
    expect(suspended.issuers[PSB]!.keys).toEqual(state.issuers[PSB]!.keys)
    const renewed = await after(suspended, await createIssuerAccreditationEntry({
      root, subject: PSB, id: 'urn:civic:accreditation:psb:2026-r', name: names.psb, keys: [{ kid: 'key-2026', jwk: psb.key.signer.publicJwk }],
      vct: [RESIDENT_ID, 'urn:civic:household-register'], statusListBase: PSB_STATUS_BASE, validFrom: NOW - 60, validUntil: NOW + YEAR,
    }))
    expect(renewed.issuers[PSB]).toMatchObject({
      suspended: null,
      credentialId: 'urn:civic:accreditation:psb:2026-r',
      credentialIds: ['urn:civic:accreditation:psb:2026', 'urn:civic:accreditation:psb:2026-r'],
      vct: [RESIDENT_ID, 'urn:civic:household-register'],
      validUntil: NOW + YEAR,
    })
  })

  it('a renewal replaces the key set, and a dropped key does not come back through a key change', async () => {
    const k2 = testKey('ES256')
    const renewed = await after(state, await createIssuerAccreditationEntry({
      root, subject: PSB, id: 'urn:civic:accreditation:psb:2027', name: names.psb, keys: [{ kid: 'key-2027', jwk: k2.signer.publicJwk }],
      vct: [RESIDENT_ID], statusListBase: PSB_STATUS_BASE, validFrom: NOW - 60, validUntil: NOW + YEAR,
    }))
    expect(renewed.issuers[PSB]!.keys.map((k) => k.kid)).toEqual(['key-2027'])
    const back = await createKeyChangeEntry({ signer: { did: PSB, kid: 'key-2027', signer: k2.signer }, subject: PSB, action: 'add', kid: 'key-2026', jwk: psb.key.signer.publicJwk, iat: NOW })
    expect(await verifyEntry(renewed, back, { now: NOW })).toMatchObject({ ok: false, code: 'ERR_REG_KID_REUSED' })
  })
})


describe('RegistryFolder (foldEntries and the ledger load through it)', () => {
  it('never touches the state it starts from, and folds as foldEntry does, anchor after anchor', async () => {
    const frozen = deepFreeze(structuredClone(state))
    const lists = Array.from({ length: 12 }, (_, i) => `${PSB_STATUS_BASE}f${i}`)
    const entries: Uint8Array[] = []
    for (let v = 1; v <= 3; v++) for (const uri of lists) entries.push(await createStatusAnchorEntry({ issuer: psb.as, uri, version: v, statusListToken: `${uri}@${v}`, iat: NOW, ttl: 60 }))
    const bulk = await foldEntries(frozen, entries, NOW)
    if (!bulk.ok) throw new Error(bulk.code)
    let one: typeof state = frozen
    for (const bytes of entries) {
      const v = await verifyEntry(one, bytes, { now: NOW })
      if (!v.ok) throw new Error(v.code)
      one = foldEntry(one, v.value)
    }
    expect(bulk.value).toEqual(one)
    expect(bulk.value.size).toBe(state.size + 36)
    expect(bulk.value.anchors[lists[5]!]!.version).toBe(3)
    expect(frozen).toEqual(state) // deep-frozen: a write would have thrown
  })

  it('reports the state before a refused entry, unchanged by what followed', async () => {
    const a = await createStatusAnchorEntry({ issuer: psb.as, uri: `${PSB_STATUS_BASE}g`, version: 1, statusListToken: 'g1', iat: NOW, ttl: 60 })
    const replay = await createStatusAnchorEntry({ issuer: psb.as, uri: `${PSB_STATUS_BASE}g`, version: 1, statusListToken: 'g1 again', iat: NOW, ttl: 60 })
    const r = await foldEntries(state, [a, replay], NOW)
    expect(r).toMatchObject({ ok: false, code: 'ERR_REG_REPLAY', index: state.size + 1 })
    if (!r.ok) {
      expect(r.state.size).toBe(state.size + 1)
      expect(r.state.anchors[`${PSB_STATUS_BASE}g`]!.version).toBe(1)
    }
    expect(state.anchors[`${PSB_STATUS_BASE}g`]).toBeUndefined()
  })
})
