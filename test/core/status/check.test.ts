// checkCredentialStatus against a real registry folded from ledger entries (the demo of
// test/core/registry/_demo.ts: the public security bureau owns status lists under
// https://psb.gov.example/status/, the social-security bureau is another issuer). Every
// status that cannot be established is `unknown` with its code, never valid; every refusal
// has a control beside it that differs only in what is refused.
import { describe, expect, it } from 'vitest'
import { encodeUtf8 } from '../../../src/core/bytes/utf8.ts'
import { PublicKey } from '../../../src/core/crypto/keys.ts'
import type { CompactJws, JwsKeyResolver } from '../../../src/core/jose/jws.ts'
import { createStatusAnchorEntry, statusListDigest } from '../../../src/core/registry/create.ts'
import { issuerAccreditation, statusAnchor, type RegistryState } from '../../../src/core/registry/state.ts'
import { checkCredentialStatus, parseStatusReference, type CheckCredentialStatusOptions, type CredentialStatus } from '../../../src/core/status/check.ts'
import { StatusList } from '../../../src/core/status/list.ts'
import { createStatusListToken } from '../../../src/core/status/token.ts'
import { testKey } from '../../support/keys.ts'
import { DAY, NOW, PSB, PSB_LIST, PSB_STATUS_BASE, SSB, after, buildDemo } from '../registry/_demo.ts'

const demo = await buildDemo()
const { psb, ssb } = demo
const KID = `${PSB}#${psb.kid}`

const IDX = { valid: 4242, revoked: 77_001, suspended: 100_000, appSpecific: 123_456, last: 131_071 }
function residentList(flip = false): StatusList {
  const list = StatusList.create(131_072, 2)
  list.set(IDX.revoked, flip ? 0 : 1)
  list.set(IDX.suspended, 2)
  list.set(IDX.appSpecific, 3)
  return list
}

/** A status list token by the PSB (or `signer`) for `uri`. */
function tokenFor(uri: string, o: { list?: StatusList; iat?: number; exp?: number; ttl?: number; iss?: string | null; sub?: string; signer?: typeof psb.key.signer } = {}): Promise<string> {
  return createStatusListToken({
    list: o.list ?? residentList(),
    uri: o.sub ?? uri,
    iat: o.iat ?? NOW - 600,
    exp: 'exp' in o ? o.exp : NOW + 30 * DAY,
    ttl: o.ttl,
    signer: o.signer ?? psb.key.signer,
    kid: KID,
    iss: o.iss === null ? undefined : (o.iss ?? PSB),
  })
}

let version = 10
/** Anchor `token` for `uri` on the ledger, as the PSB. */
async function anchor(state: RegistryState, uri: string, token: Uint8Array | string, o: { iat?: number; ttl?: number } = {}): Promise<RegistryState> {
  return after(state, await createStatusAnchorEntry({ issuer: psb.as, uri, version: version++, statusListToken: token, iat: o.iat ?? NOW - 300, ttl: o.ttl ?? 2 * DAY }))
}

const token = await tokenFor(PSB_LIST)
const registry = await anchor(demo.state, PSB_LIST, token)
const ref = (idx: number, uri = PSB_LIST): unknown => ({ status_list: { idx, uri } })

/** The verifier's view: the issuer's key taken from the registry by the token's kid. */
const keyFromLedger = (state: RegistryState): JwsKeyResolver => (jws: CompactJws) => {
  const rec = issuerAccreditation(state, PSB)
  const kid = typeof jws.header.kid === 'string' ? jws.header.kid : ''
  const key = rec?.keys.find((k) => `${rec.did}#${k.kid}` === kid)
  return key ? PublicKey.fromJwk(key.jwk) : null
}

const base: CheckCredentialStatusOptions = { status: ref(IDX.valid), issuer: PSB, token, registry, issuerKey: keyFromLedger(registry), now: NOW }
const check = (o: Partial<CheckCredentialStatusOptions>): Promise<CredentialStatus> => checkCredentialStatus({ ...base, ...o })
const codeOf = (s: CredentialStatus): string => (s.state === 'unknown' ? s.code : s.state)

describe('checkCredentialStatus', () => {
  it('reads valid, revoked and suspended from the anchored list', async () => {
    expect(statusAnchor(registry, PSB_LIST)?.digest).toBe(statusListDigest(token))
    expect(await check({ status: ref(IDX.valid) })).toEqual({ state: 'valid' })
    expect(await check({ status: ref(IDX.revoked) })).toEqual({ state: 'revoked' })
    expect(await check({ status: ref(IDX.suspended) })).toEqual({ state: 'suspended' })
    expect(await check({ status: ref(0) })).toEqual({ state: 'valid' })
    expect(await check({ status: ref(IDX.last) })).toEqual({ state: 'valid' })
    // The same with the key given directly.
    expect(await check({ status: ref(IDX.revoked), issuerKey: psb.key.publicKey })).toEqual({ state: 'revoked' })
  })

  it('gives the same answer for identical bytes from any mirror, as bytes or as text', async () => {
    const fromIssuer = encodeUtf8(token)
    const fromMirror = new Uint8Array(fromIssuer) // another copy, fetched elsewhere
    for (const idx of Object.values(IDX)) {
      const want = await check({ status: ref(idx) })
      expect(await check({ status: ref(idx), token: fromIssuer })).toEqual(want)
      expect(await check({ status: ref(idx), token: fromMirror })).toEqual(want)
    }
    // A mirror that changed anything serves a list nobody anchored.
    const altered = new Uint8Array(fromIssuer)
    altered[altered.length - 1]! ^= 1
    expect(codeOf(await check({ status: ref(IDX.revoked), token: altered }))).toBe('ERR_STATUS_NOT_ANCHORED')
  })

  it('refuses a list whose hash is not anchored: another list under the anchored URI, a URI never anchored, an older version', async () => {
    // A status server showing this verifier a list where the credential is not revoked.
    const other = await tokenFor(PSB_LIST, { list: residentList(true) })
    expect(codeOf(await check({ status: ref(IDX.revoked), token: other }))).toBe('ERR_STATUS_NOT_ANCHORED')
    // Once that list is anchored (a newer version), it is the one that counts, and the old one is refused.
    const reinstated = await anchor(registry, PSB_LIST, other)
    expect(await check({ status: ref(IDX.revoked), token: other, registry: reinstated })).toEqual({ state: 'valid' })
    expect(codeOf(await check({ status: ref(IDX.revoked), token, registry: reinstated }))).toBe('ERR_STATUS_NOT_ANCHORED')
    // A list URI the ledger has never seen.
    const unanchoredUri = `${PSB_STATUS_BASE}resident-id/8`
    const unanchored = await tokenFor(unanchoredUri)
    expect(codeOf(await check({ status: ref(IDX.revoked, unanchoredUri), token: unanchored }))).toBe('ERR_STATUS_NOT_ANCHORED')
    expect(await check({ status: ref(IDX.revoked, unanchoredUri), token: unanchored, registry: await anchor(registry, unanchoredUri, unanchored) })).toEqual({ state: 'revoked' })
  })

  it('refuses a list anchored by another issuer than the credential\'s, and a token naming another issuer', async () => {
    // A social-security credential pointing at the PSB's list.
    expect(codeOf(await check({ status: ref(IDX.valid), issuer: SSB }))).toBe('ERR_STATUS_ISSUER_MISMATCH')
    // Even when the token does not name its issuer (iss is optional in §5.1): the anchor does.
    const anonymousUri = `${PSB_STATUS_BASE}resident-id/9`
    const anonymous = await tokenFor(anonymousUri, { iss: null })
    const withAnonymous = await anchor(registry, anonymousUri, anonymous)
    expect(await check({ status: ref(IDX.revoked, anonymousUri), token: anonymous, registry: withAnonymous })).toEqual({ state: 'revoked' })
    expect(codeOf(await check({ status: ref(IDX.revoked, anonymousUri), token: anonymous, registry: withAnonymous, issuer: SSB }))).toBe('ERR_STATUS_ISSUER_MISMATCH')
    // The PSB anchored a token that says it is the SSB's.
    const uri = `${PSB_STATUS_BASE}resident-id/10`
    const foreign = await tokenFor(uri, { iss: SSB })
    const state = await anchor(registry, uri, foreign)
    expect(codeOf(await check({ status: ref(IDX.valid, uri), token: foreign, registry: state }))).toBe('ERR_STATUS_ISSUER_MISMATCH')
    expect(ssb.did).toBe(SSB)
  })

  it('refuses a stale anchor (older than its ttl): the ledger must be synced', async () => {
    const anchoredAt = NOW - 300
    const ttl = 2 * DAY
    expect(await check({ status: ref(IDX.revoked), now: anchoredAt + ttl + 60 })).toEqual({ state: 'revoked' })
    expect(codeOf(await check({ status: ref(IDX.revoked), now: anchoredAt + ttl + 61 }))).toBe('ERR_STATUS_STALE')
    expect(codeOf(await check({ status: ref(IDX.revoked), now: NOW + 10 * DAY }))).toBe('ERR_STATUS_STALE')
  })

  it('refuses a stale or expired token under a fresh anchor', async () => {
    const uri = `${PSB_STATUS_BASE}resident-id/11`
    const shortLived = await tokenFor(uri, { iat: NOW - 2 * 3600, ttl: 3600, exp: undefined })
    const state = await anchor(registry, uri, shortLived)
    expect(codeOf(await check({ status: ref(IDX.revoked, uri), token: shortLived, registry: state }))).toBe('ERR_STATUS_STALE')
    expect(await check({ status: ref(IDX.revoked, uri), token: shortLived, registry: state, now: NOW - 3600 })).toEqual({ state: 'revoked' })
    const expiring = await tokenFor(uri, { exp: NOW - 61 })
    const state2 = await anchor(state, uri, expiring)
    expect(codeOf(await check({ status: ref(IDX.revoked, uri), token: expiring, registry: state2 }))).toBe('ERR_TIME_EXPIRED')
  })

  it('refuses an anchored token whose signature is bad, or whose sub is another list', async () => {
    const uri = `${PSB_STATUS_BASE}resident-id/12`
    const forged = await tokenFor(uri, { signer: testKey('ES256').signer })
    const s1 = await anchor(registry, uri, forged)
    expect(codeOf(await check({ status: ref(IDX.revoked, uri), token: forged, registry: s1 }))).toBe('ERR_JWS_SIGNATURE_INVALID')
    const misfiled = await tokenFor(uri, { sub: PSB_LIST })
    const s2 = await anchor(s1, uri, misfiled)
    expect(codeOf(await check({ status: ref(IDX.revoked, uri), token: misfiled, registry: s2 }))).toBe('ERR_STATUS_URI_MISMATCH')
  })

  it('refuses an index outside the list and a status value it does not know', async () => {
    expect(codeOf(await check({ status: ref(131_072) }))).toBe('ERR_STATUS_INDEX_OUT_OF_RANGE')
    expect(codeOf(await check({ status: ref(2 ** 40) }))).toBe('ERR_STATUS_INDEX_OUT_OF_RANGE')
    expect(codeOf(await check({ status: ref(IDX.appSpecific) }))).toBe('ERR_STATUS_VALUE_UNSUPPORTED')
  })

  it('says a list is missing when no token is at hand', async () => {
    expect(codeOf(await check({ token: '' }))).toBe('ERR_STATUS_LIST_MISSING')
    expect(codeOf(await check({ token: new Uint8Array(0) }))).toBe('ERR_STATUS_LIST_MISSING')
  })

  it.each([
    ['no status claim', undefined],
    ['null', null],
    ['no status_list', { other_mechanism: {} }],
    ['status_list not an object', { status_list: 'https://psb.gov.example/status/resident-id/7#4242' }],
    ['idx missing', { status_list: { uri: PSB_LIST } }],
    ['idx negative', { status_list: { idx: -1, uri: PSB_LIST } }],
    ['idx fractional', { status_list: { idx: 1.5, uri: PSB_LIST } }],
    ['idx a string', { status_list: { idx: '4242', uri: PSB_LIST } }],
    ['idx beyond 2^53', { status_list: { idx: 2 ** 53, uri: PSB_LIST } }],
    ['uri missing', { status_list: { idx: 1 } }],
    ['uri relative', { status_list: { idx: 1, uri: '/status/resident-id/7' } }],
    ['uri with a space', { status_list: { idx: 1, uri: 'https://psb.gov.example/status list' } }],
  ])('refuses a status claim with %s', async (_name, status) => {
    expect(codeOf(await check({ status }))).toBe('ERR_STATUS_REF_INVALID')
  })

  it('reads the draft\'s reference and ignores members of other mechanisms', () => {
    expect(parseStatusReference({ status_list: { idx: 0, uri: 'https://example.com/statuslists/1' }, other: 1 })).toEqual({ idx: 0, uri: 'https://example.com/statuslists/1' })
  })

  it('never throws on hostile tokens, and never calls them valid', async () => {
    const hostile: (Uint8Array | string)[] = ['x', 'a.b.c', '\u0000'.repeat(10), Uint8Array.of(0xff, 0xfe, 0xfd), token.slice(0, -1), `${token}.`]
    for (const t of hostile) {
      const s = await check({ status: ref(IDX.valid), token: t })
      expect(s.state).toBe('unknown')
    }
    // Even anchored garbage (bytes that are not UTF-8) is unknown, with its code.
    const uri = `${PSB_STATUS_BASE}resident-id/13`
    const junk = Uint8Array.of(0xff, 0xfe, 0xfd)
    expect(codeOf(await check({ status: ref(1, uri), token: junk, registry: await anchor(registry, uri, junk) }))).toBe('ERR_UTF8_INVALID')
  })

  it('treats impossible arguments as our bugs', async () => {
    await expect(check({ now: Number.NaN })).rejects.toThrow(TypeError)
    await expect(check({ issuer: undefined as unknown as string })).rejects.toThrow(TypeError)
    await expect(check({ registry: null as unknown as RegistryState })).rejects.toThrow(TypeError)
  })
})
