// Key rotation anchored on the ledger (issue 4): the new key is added by a key-change entry
// signed with the old key, every status list is re-signed and re-anchored with the new key,
// then the old key is revoked by an entry signed with the new one; new credentials and tokens
// verify with the new key through a registry synced from the ledger. The key changes go to the
// registry log, the anchors to the status log. With --keep-old the old key stays registered
// (routine rotation) and what it signed keeps verifying.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { statSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { verifySdJwt } from '../../src/core/sdjwt/verify.ts'
import { sdJwtIssuerKeyResolver } from '../../src/core/registry/resolvers.ts'
import { issuerAccreditation } from '../../src/core/registry/state.ts'
import { checkCredentialStatus } from '../../src/core/status/check.ts'
import { parseEntry } from '../../src/core/registry/entry.ts'
import { holders, latestAnchor, logSize, makeIssuerWorld, PSB, postJson, redeemedOffer, registryKeyResolver, requestCredentials, syncRegistry, syncRegistryLog, type IssuerWorld } from './_world.ts'

let iw: IssuerWorld
beforeAll(async () => {
  iw = await makeIssuerWorld()
})
afterAll(async () => iw?.cleanup())

async function issue(n: number): Promise<string[]> {
  const { accessToken } = await redeemedOffer(iw)
  const r = await requestCredentials(iw, accessToken, holders(n))
  expect(r.status).toBe(200)
  return r.json.credentials.map((c: any) => c.credential)
}

const kidOf = (sdJwt: string) => JSON.parse(Buffer.from(sdJwt.split('.')[0]!, 'base64url').toString()).kid as string

async function verdict(sdJwt: string) {
  const registry = await syncRegistry(iw)
  return verifySdJwt(sdJwt, { issuerKey: sdJwtIssuerKeyResolver(registry, { now: iw.clock.now }), keyBinding: 'not-required', now: iw.clock.now })
}

async function status(sdJwt: string): Promise<string> {
  const registry = await syncRegistry(iw)
  const v = await verifySdJwt(sdJwt, { issuerKey: sdJwtIssuerKeyResolver(registry, { now: iw.clock.now }), keyBinding: 'not-required', now: iw.clock.now })
  if (!v.ok) throw new Error(v.code)
  const claims = v.value.claims as any
  const token = await (await fetch(`${iw.base}${new URL(claims.status.status_list.uri).pathname}`)).text()
  const s = await checkCredentialStatus({ status: claims.status, issuer: PSB, token, registry, issuerKey: registryKeyResolver(registry, iw.clock.now), now: iw.clock.now })
  return s.state === 'unknown' ? `unknown:${s.code}` : s.state
}

describe('key rotation', () => {
  let old: string[]

  it('rotates: key-2 added (signed by key-1), lists re-anchored with key-2, key-1 revoked (signed by key-2)', async () => {
    old = await issue(2)
    expect(kidOf(old[0]!)).toBe(`${PSB}#key-1`)
    expect((await postJson(`${iw.admin}/admin/publish`, {})).status).toBe(200)
    const listsBefore = iw.svc.anchors()
    const sizes = { registry: await logSize(iw.ledger.url, 'registry'), status: await logSize(iw.ledger.url, 'status') }

    const r = await postJson(`${iw.admin}/admin/rotate`, {})
    expect(r.status).toBe(200)
    expect(r.json).toMatchObject({
      oldKid: 'key-1', newKid: 'key-2',
      added: { type: 'key-add', subject: 'key-2', signedBy: 'key-1', inclusionVerified: true },
      revoked: { type: 'key-revoke', subject: 'key-1', signedBy: 'key-2', inclusionVerified: true },
      republished: { failed: [] },
    })
    // the two key changes are the registry log's next entries; the re-anchored lists the status log's
    const n = listsBefore.length
    expect([r.json.added.index, r.json.revoked.index]).toEqual([sizes.registry, sizes.registry + 1])
    expect(r.json.republished.published.map((a: any) => a.index).sort((a: number, b: number) => a - b)).toEqual(Array.from({ length: n }, (_, i) => sizes.status + i))
    expect(await logSize(iw.ledger.url, 'registry')).toBe(sizes.registry + 2)
    expect(await logSize(iw.ledger.url, 'status')).toBe(sizes.status + n)
    expect(r.json.added.checkpointSize).toBeGreaterThan(r.json.added.index)
    for (const a of r.json.republished.published) {
      expect(a.signedBy).toBe('key-2')
      expect(a.checkpointSize).toBeGreaterThan(a.index)
      // the status log's lookup answers the re-anchored version, signed by key-2
      const latest = (await latestAnchor(iw, a.uri))!
      expect(latest.index).toBe(a.index)
      expect(parseEntry(latest.entry)).toMatchObject({ type: 'status-anchor', uri: a.uri, version: a.version, signedBy: `${PSB}#key-2` })
    }
    expect(r.json.republished.published.map((a: any) => a.uri).sort()).toEqual(listsBefore.map((a) => a.uri).sort())
    // the registry log holds the key changes and no anchor
    const registryOnly = await syncRegistryLog(iw)
    expect(registryOnly.anchors).toEqual({})

    // the ledger, as a verifier folds it
    const registry = await syncRegistry(iw)
    const rec = issuerAccreditation(registry, PSB)!
    expect(rec.keys.map((k) => k.kid)).toEqual(['key-2'])
    expect(rec.keyHistory.find((h) => h.kid === 'key-1')?.revokedAt).not.toBeNull()
    // the issuer's own records and files
    expect(iw.svc.currentKid).toBe('key-2')
    expect(iw.svc.keys().map((k) => [k.kid, k.state])).toEqual([['key-1', 'revoked'], ['key-2', 'active']])
    expect(existsSync(join(iw.dataDir, 'keys', 'key-1.jwk'))).toBe(false)
    expect(statSync(join(iw.dataDir, 'keys', 'key-2.jwk')).mode & 0o777).toBe(0o600)
  })

  it('new credentials and status tokens verify with the new key from the synced ledger', async () => {
    const fresh = await issue(3)
    for (const c of fresh) {
      expect(kidOf(c)).toBe(`${PSB}#key-2`)
      expect((await verdict(c)).ok).toBe(true)
      expect(await status(c)).toBe('valid')
    }
  })

  it('credentials signed by the revoked key are refused (the registry retires what a revoked key signed)', async () => {
    expect(await verdict(old[0]!)).toMatchObject({ ok: false, code: 'ERR_REG_KEY_REVOKED' })
  })

  it('with keepOld the previous key stays registered: what it signed still verifies', async () => {
    const before = await issue(1)
    const r = await postJson(`${iw.admin}/admin/rotate`, { keepOld: true })
    expect(r.status).toBe(200)
    expect(r.json).toMatchObject({ oldKid: 'key-2', newKid: 'key-3', revoked: null, added: { inclusionVerified: true } })
    const after = await issue(1)
    expect(kidOf(after[0]!)).toBe(`${PSB}#key-3`)
    expect((await verdict(after[0]!)).ok).toBe(true)
    expect((await verdict(before[0]!)).ok).toBe(true)
    expect(await status(before[0]!)).toBe('valid')
    const registry = await syncRegistry(iw)
    expect(issuerAccreditation(registry, PSB)!.keys.map((k) => k.kid).sort()).toEqual(['key-2', 'key-3'])
    expect(iw.svc.keys().map((k) => [k.kid, k.state])).toEqual([['key-1', 'revoked'], ['key-2', 'retired'], ['key-3', 'active']])
  })

  it('revokes a retired key later, signed by the current key; refuses keys that are not retired', async () => {
    for (const kid of ['key-3', 'key-1', 'key-9']) {
      const r = await postJson(`${iw.admin}/admin/keys/${kid}/revoke`, {})
      expect([r.status, r.json.error.code]).toEqual([400, 'ERR_ISSUER_BAD_REQUEST'])
    }
    const r = await postJson(`${iw.admin}/admin/keys/key-2/revoke`, {})
    expect(r.status).toBe(200)
    expect(r.json).toMatchObject({ type: 'key-revoke', subject: 'key-2', signedBy: 'key-3', inclusionVerified: true })
    const registry = await syncRegistry(iw)
    expect(issuerAccreditation(registry, PSB)!.keys.map((k) => k.kid)).toEqual(['key-3'])
    expect(existsSync(join(iw.dataDir, 'keys', 'key-2.jwk'))).toBe(false)
  })
})
