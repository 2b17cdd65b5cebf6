// Revocation end to end (issue 4, "Must show"): revoke a credential (all its copies) → publish →
// the status anchor is on the ledger's status log (index, inclusion verified; the lookup by URI
// answers it) → a verifier that has only synced the registry log, looked up the anchors and
// fetched the list token from a DIFFERENT mirror reports every copy
// revoked; a list whose hash is not anchored (a re-signed list, or the list as it was before
// the revocation) is refused as unknown. Suspend / reinstate, idempotence and the refusals of
// the admin API's status changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { checkCredentialStatus } from '../../src/core/status/check.ts'
import { createStatusListToken } from '../../src/core/status/token.ts'
import { StatusList } from '../../src/core/status/list.ts'
import { statusAnchor } from '../../src/core/registry/state.ts'
import { statusListDigest } from '../../src/core/registry/create.ts'
import { verifyTlogProof } from '../../src/core/log/proof.ts'
import { parseEntry } from '../../src/core/registry/entry.ts'
import { signerFromPrivateJwk } from '../../src/core/crypto/keys.ts'
import { readKey } from '../../src/issuer/store.ts'
import { ledgerPolicy } from '../../src/issuer/config.ts'
import {
  holders, latestAnchor, ledgerGet, logSize, makeIssuerWorld, nowSeconds, PSB, postJson, redeemedOffer, registryKeyResolver, requestCredentials, syncRegistry, verifiedClaims,
  type IssuerWorld,
} from './_world.ts'

let iw: IssuerWorld
let mirror: Server
let mirrorUrl: string
/** path → token bytes, copied from the issuer (the mirror never talks to it again). */
const mirrored = new Map<string, Uint8Array>()

beforeAll(async () => {
  iw = await makeIssuerWorld()
  mirror = createServer((req, res) => {
    const b = mirrored.get(req.url ?? '')
    if (!b) return void res.writeHead(404).end()
    res.writeHead(200, { 'content-type': 'application/statuslist+jwt' }).end(b)
  })
  await new Promise<void>((r) => mirror.listen(0, '127.0.0.1', r))
  mirrorUrl = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise((r) => mirror.close(r))
  await iw?.cleanup()
})

const admin = (path: string, body: unknown = {}) => postJson(`${iw.admin}/admin/${path}`, body)

async function issueBatch(n: number): Promise<{ id: string; copies: string[] }> {
  const { credentialId, accessToken } = await redeemedOffer(iw)
  const r = await requestCredentials(iw, accessToken, holders(n))
  expect(r.status).toBe(200)
  return { id: credentialId, copies: r.json.credentials.map((c: any) => c.credential) }
}

/** Copy every list token the issuer serves now onto the mirror, under /lists/<n>. */
async function copyToMirror(): Promise<void> {
  for (const l of iw.svc.lists()) {
    const r = await fetch(`${iw.base}${new URL(l.uri).pathname}`)
    expect(r.status).toBe(200)
    mirrored.set(`/lists/${l.uri.split('/').pop()}`, new Uint8Array(await r.arrayBuffer()))
  }
}

/** What a verifier with only the ledger and the mirror concludes for each copy. */
async function statusesFromMirror(copies: string[]): Promise<string[]> {
  const registry = await syncRegistry(iw)
  const out: string[] = []
  for (const sdJwt of copies) {
    const claims = await verifiedClaims(sdJwt, registry, iw.clock.now)
    const n = String(claims.status.status_list.uri).split('/').pop()
    const token = new Uint8Array(await (await fetch(`${mirrorUrl}/lists/${n}`)).arrayBuffer())
    const s = await checkCredentialStatus({ status: claims.status, issuer: PSB, token, registry, issuerKey: registryKeyResolver(registry, iw.clock.now), now: iw.clock.now })
    out.push(s.state === 'unknown' ? `unknown:${s.code}` : s.state)
  }
  return out
}

describe('revocation through the ledger', () => {
  let revoked: { id: string; copies: string[] }
  let kept: { id: string; copies: string[] }
  let before: Map<string, Uint8Array>

  it('publishes every list before any change: the verifier sees all copies valid', async () => {
    revoked = await issueBatch(10)
    kept = await issueBatch(3)
    const pub = await admin('publish')
    expect(pub.status).toBe(200)
    expect(pub.json.failed).toEqual([])
    expect(pub.json.published.length).toBeGreaterThanOrEqual(1)
    for (const a of pub.json.published) expect(a).toMatchObject({ version: 1, inclusionVerified: true, inclusionError: null })
    await copyToMirror()
    before = new Map(mirrored)
    expect(await statusesFromMirror([...revoked.copies, ...kept.copies])).toEqual(Array(13).fill('valid'))
  })

  it('revokes all copies at once; publish anchors a new version on the ledger with its inclusion verified', async () => {
    const r = await admin(`credentials/${revoked.id}/revoke`)
    expect(r.status).toBe(200)
    expect(r.json).toMatchObject({ changed: true, credential: { id: revoked.id, status: 'revoked' } })
    // idempotent
    const again = await admin(`credentials/${revoked.id}/revoke`)
    expect(again.json).toMatchObject({ changed: false, credential: { status: 'revoked' } })

    const sizes = { registry: await logSize(iw.ledger.url, 'registry'), status: await logSize(iw.ledger.url, 'status') }
    const pub = await admin('publish')
    expect(pub.status).toBe(200)
    // the anchors went to the status log only
    expect(await logSize(iw.ledger.url, 'registry')).toBe(sizes.registry)
    expect(await logSize(iw.ledger.url, 'status')).toBe(sizes.status + pub.json.published.length)
    const changedLists = new Set(iw.svc.credential(revoked.id).copies.map((c) => c.uri))
    expect(new Set(pub.json.published.map((a: any) => a.uri))).toEqual(changedLists)
    for (const a of pub.json.published) expect(a).toMatchObject({ version: 2, inclusionVerified: true })

    // the anchors the console lists: status log index and inclusion, checked independently here
    const anchors = (await (await fetch(`${iw.admin}/admin/anchors`, { headers: iw.auth })).json()) as any
    for (const a of pub.json.published) {
      const listed = anchors.anchors.find((x: any) => x.uri === a.uri)
      expect(listed).toMatchObject({ version: 2, index: a.index, inclusionVerified: true, signedBy: 'key-1' })
      expect(listed.checkpointSize).toBeGreaterThan(a.index)
      // the status log's lookup by URI answers this latest anchor
      const latest = (await latestAnchor(iw, a.uri))!
      expect(latest.index).toBe(a.index)
      expect(parseEntry(latest.entry)).toMatchObject({ type: 'status-anchor', iss: PSB, uri: a.uri, version: 2, digest: a.digest })
      const proof = await ledgerGet(iw.ledger.url, `status/proof/${a.index}`)
      expect(verifyTlogProof(proof.bytes, { entry: latest.entry }, ledgerPolicy(iw.trust, 'status'), nowSeconds()).ok).toBe(true)
      // a status log proof is no proof under the registry log's policy
      expect(verifyTlogProof(proof.bytes, { entry: latest.entry }, ledgerPolicy(iw.trust, 'registry'), nowSeconds()).ok).toBe(false)
    }
    // a list never anchored: the lookup says so
    const none = await ledgerGet(iw.ledger.url, `status/anchor/${Buffer.from('https://psb.gov.example/status/999999').toString('base64url')}`)
    expect(none.status).toBe(404)
    expect(JSON.parse(new TextDecoder().decode(none.bytes)).error.code).toBe('ERR_LEDGER_NOT_FOUND')
  })

  it('a verifier that synced only the ledger and read the lists from a mirror sees every copy revoked, the others valid', async () => {
    await copyToMirror()
    expect(await statusesFromMirror(revoked.copies)).toEqual(Array(10).fill('revoked'))
    expect(await statusesFromMirror(kept.copies)).toEqual(Array(3).fill('valid'))
  })

  it('refuses a list whose hash is not anchored: the old list (hiding the revocation) and a re-signed one', async () => {
    // a stale mirror serving the list as it was before the revocation
    const current = new Map(mirrored)
    for (const [k, v] of before) mirrored.set(k, v)
    expect(new Set(await statusesFromMirror(revoked.copies))).toEqual(new Set(['unknown:ERR_STATUS_NOT_ANCHORED']))
    // the issuer's own key signing the same statuses again, never anchored
    for (const [k, v] of current) mirrored.set(k, v)
    const registry = await syncRegistry(iw)
    const uri = iw.svc.credential(revoked.id).copies[0]!.uri
    const anchor = statusAnchor(registry, uri)!
    expect(anchor.digest).toBe(statusListDigest(iw.svc.statusToken(uri)!))
    const l = iw.svc.lists().find((x) => x.uri === uri)!
    const signer = signerFromPrivateJwk(await readKey(iw.dataDir, iw.svc.currentKid))
    const resigned = await createStatusListToken({ list: StatusList.create(l.size, l.bits), uri, iat: iw.clock.now + 1, exp: iw.clock.now + 3600, ttl: 3600, signer, kid: `${PSB}#${iw.svc.currentKid}`, iss: PSB })
    const claims = await verifiedClaims(revoked.copies[0]!, registry, iw.clock.now)
    const s = await checkCredentialStatus({ status: claims.status, issuer: PSB, token: resigned, registry, issuerKey: registryKeyResolver(registry, iw.clock.now), now: iw.clock.now })
    expect(s).toMatchObject({ state: 'unknown', code: 'ERR_STATUS_NOT_ANCHORED' })
  })

  it('suspends and reinstates; refuses to bring back a revoked credential or act on an unknown id, changing nothing', async () => {
    expect((await admin(`credentials/${kept.id}/suspend`)).json).toMatchObject({ changed: true, credential: { status: 'suspended' } })
    await admin('publish')
    await copyToMirror()
    expect(await statusesFromMirror(kept.copies)).toEqual(Array(3).fill('suspended'))
    expect((await admin(`credentials/${kept.id}/reinstate`)).json).toMatchObject({ changed: true, credential: { status: 'valid' } })
    expect((await admin(`credentials/${kept.id}/reinstate`)).json).toMatchObject({ changed: false })
    await admin('publish')
    await copyToMirror()
    expect(await statusesFromMirror(kept.copies)).toEqual(Array(3).fill('valid'))

    const lists = JSON.stringify(iw.svc.lists())
    const r = await admin(`credentials/${revoked.id}/reinstate`)
    expect(r.status).toBe(409)
    expect(r.json.error.code).toBe('ERR_ISSUER_CREDENTIAL_STATE')
    expect((await admin(`credentials/${revoked.id}/suspend`)).json.error.code).toBe('ERR_ISSUER_CREDENTIAL_STATE')
    const unknown = await admin('credentials/AAAAAAAAAAAAAAAAAAAAAA/revoke')
    expect(unknown.status).toBe(404)
    expect(unknown.json.error.code).toBe('ERR_ISSUER_UNKNOWN_CREDENTIAL')
    expect(iw.svc.credential(revoked.id).status).toBe('revoked')
    expect(JSON.stringify(iw.svc.lists())).toBe(lists)
  })

  it('a publish with nothing changed anchors nothing; a forced one re-anchors every list', async () => {
    const idle = await admin('publish')
    expect(idle.json).toEqual({ published: [], failed: [] })
    const versions = new Map(iw.svc.anchors().map((a) => [a.uri, a.version]))
    const forced = await admin('publish', { force: true })
    expect(forced.json.published.map((a: any) => [a.uri, a.version])).toEqual([...versions].map(([u, v]) => [u, v + 1]))
  })

  it('a ledger refusal is reported with its code and changes nothing that is served', async () => {
    // an anchor dated in the future is refused by the ledger's gate
    const served = iw.svc.lists().map((l) => iw.svc.statusToken(l.uri))
    iw.clock.advance(400 * 86_400)
    try {
      const r = await admin('publish', { force: true })
      expect(r.status).toBe(502)
      expect(r.json.error.code).toBe('ERR_ISSUER_LEDGER')
      expect(r.json.failed[0].code).toBe('ERR_ISSUER_LEDGER')
      expect(r.json.failed[0].detail).toMatch(/^ERR_TIME_NOT_YET_VALID: /)
    } finally {
      iw.clock.advance(-400 * 86_400)
    }
    expect(iw.svc.lists().map((l) => iw.svc.statusToken(l.uri))).toEqual(served)
    // the version the refused anchor took is never used again; the next one goes through
    const before = new Map(iw.svc.anchors().map((a) => [a.uri, a.version]))
    const next = await admin('publish', { force: true })
    expect(next.status).toBe(200)
    for (const a of next.json.published) expect(a).toMatchObject({ version: before.get(a.uri)! + 2, inclusionVerified: true })
  })
})
