import { beforeAll, describe, expect, it } from 'vitest'
import { checkAnchorAuthority, verifyStatusAnchor } from '../../../src/core/registry/anchor.ts'
import { createKeyChangeEntry, createStatusAnchorEntry, createSuspensionEntry } from '../../../src/core/registry/create.ts'
import { parseEntry, type StatusAnchorEntry } from '../../../src/core/registry/entry.ts'
import type { RegistryState } from '../../../src/core/registry/state.ts'
import { after, buildDemo, DAY, NOW, party, PSB, PSB_LIST, type Demo } from './_demo.ts'

let demo: Demo
/** The registry as the registry log holds it: no anchors (they live in the status log). */
let registry: RegistryState
beforeAll(async () => {
  demo = await buildDemo()
  registry = { ...demo.state, anchors: {} }
})

const anchor = (o: { version?: number; uri?: string; iat?: number; signer?: Demo['psb']['as'] } = {}) =>
  createStatusAnchorEntry({ issuer: o.signer ?? demo.psb.as, uri: o.uri ?? PSB_LIST, version: o.version ?? 2, statusListToken: 'token', iat: o.iat ?? NOW - 60, ttl: DAY })

describe('verifyStatusAnchor: an anchor judged against the registry fold', () => {
  it('accepts an anchor by a current key of an accredited issuer under its base', async () => {
    const v = await verifyStatusAnchor(registry, await anchor(), { now: NOW })
    expect(v).toMatchObject({ ok: true, value: { type: 'status-anchor', iss: PSB, uri: PSB_LIST, version: 2 } })
  })

  it('needs no anchor in the fold, and ignores one there (versions are the status log\'s business)', async () => {
    expect((await verifyStatusAnchor(demo.state, await anchor({ version: 1 }), { now: NOW })).ok).toBe(true)
  })

  it('refuses, each with its code', async () => {
    const stranger = party('did:web:stranger.example', 'k1')
    const suspended = await after(demo.state, await createSuspensionEntry({ root: demo.root, subject: PSB, revokes: 'urn:civic:accreditation:psb:2026', iat: NOW - 100 }))
    const newKey = party(PSB, 'key-2027')
    const rotated = await after(demo.state,
      await createKeyChangeEntry({ signer: demo.root, subject: PSB, action: 'add', kid: newKey.kid, jwk: newKey.key.signer.publicJwk, iat: NOW - 200 }),
      await createKeyChangeEntry({ signer: demo.root, subject: PSB, action: 'revoke', kid: demo.psb.kid, iat: NOW - 100 }))
    const cases: [string, RegistryState, Uint8Array, string][] = [
      ['unknown issuer', registry, await anchor({ signer: stranger.as, uri: 'https://stranger.example/s/1' }), 'ERR_REG_UNKNOWN_ISSUER'],
      ['outside the status list base', registry, await anchor({ uri: 'https://psb.gov.example/other/1' }), 'ERR_REG_NOT_AUTHORIZED'],
      ['suspended issuer', suspended, await anchor(), 'ERR_REG_ISSUER_SUSPENDED'],
      ['revoked key, even for an anchor dated before the revocation', rotated, await anchor({ iat: NOW - 150 }), 'ERR_REG_KEY_REVOKED'],
      ['a key the issuer never held', registry, await anchor({ signer: { ...newKey.as } }), 'ERR_JWS_KEY_UNKNOWN'],
      ['dated in the future', registry, await anchor({ iat: NOW + 3600 }), 'ERR_TIME_NOT_YET_VALID'],
      ['not an anchor', registry, demo.entries[0]!, 'ERR_REG_UNKNOWN_TYPE'],
      ['not a JWS', registry, new TextEncoder().encode('nope'), 'ERR_JWS_MALFORMED'],
    ]
    for (const [name, state, bytes, code] of cases) {
      const v = await verifyStatusAnchor(state, bytes, { now: NOW })
      expect([name, v.ok ? 'ok' : v.code]).toEqual([name, code])
    }
  })

  it('refuses a forged signature by the right kid', async () => {
    const impostor = party(PSB, demo.psb.kid)
    const v = await verifyStatusAnchor(registry, await anchor({ signer: impostor.as }), { now: NOW })
    expect(v).toMatchObject({ ok: false, code: 'ERR_JWS_SIGNATURE_INVALID' })
  })

  it('checkAnchorAuthority re-judges a verified anchor against a registry that moved on', async () => {
    const entry = parseEntry(await anchor()) as StatusAnchorEntry
    expect(checkAnchorAuthority(registry, entry).ok).toBe(true)
    const newKey = party(PSB, 'key-2027')
    const rotated = await after(demo.state,
      await createKeyChangeEntry({ signer: demo.root, subject: PSB, action: 'add', kid: newKey.kid, jwk: newKey.key.signer.publicJwk, iat: NOW - 20 }),
      await createKeyChangeEntry({ signer: demo.root, subject: PSB, action: 'revoke', kid: demo.psb.kid, iat: NOW - 10 }))
    expect(checkAnchorAuthority(rotated, entry)).toMatchObject({ ok: false, code: 'ERR_REG_KEY_REVOKED' })
  })
})
