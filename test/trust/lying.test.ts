/**
 * A key revocation withheld by a lying server (a real HTTP proxy in front of the real ledger
 * that answers some paths with bytes the ledger published earlier). The client is the thing
 * under test, over real HTTP:
 * - a client that had seen the revocation and is then shown the older registry checkpoint
 *   refuses it as a rollback, keeps evidence that `civic log verify --evidence` accepts, and
 *   keeps its newer view;
 * - a log key and a witness quorum that sign another history of the same size (a fork) are
 *   caught the same way, with fork evidence;
 * - a client that never saw it (its first registry view is the old one) cannot be shown the
 *   revoked key's anchor as valid: the anchor is newer than its registry view, so the status is
 *   unknown (ERR_TRUST_REGISTRY_BEHIND), while an honest client refuses the anchor outright.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseEvidenceFile, verifyEvidence } from '../../src/cli/log-verify.ts'
import { encodeUtf8 } from '../../src/core/bytes/utf8.ts'
import { formatCheckpoint } from '../../src/core/log/checkpoint.ts'
import { cosignatureSigner } from '../../src/core/log/cosignature.ts'
import { hashLeaf, rootFromLeafHashes } from '../../src/core/log/merkle.ts'
import { ed25519NoteSigner, parseSignerKey, signNote } from '../../src/core/log/note.ts'
import { parseEntryBundle } from '../../src/core/log/tiles.ts'
import { createKeyChangeEntry } from '../../src/core/registry/create.ts'
import { testKey } from '../support/keys.ts'
import { parseTrustConfig, TrustEngine, type TrustConfig } from '../../src/trust/index.ts'
import { grab, listUri, makeWorld, type World } from './_world.ts'

let world: World
let db = 0
const dbName = () => `trust-lying-${++db}`
const configFor = (url?: string): TrustConfig => {
  const c = parseTrustConfig(world.source(url))
  if (!c.ok) throw new Error(c.detail)
  return c.value
}
const uri = listUri('compromised')
let t0: number
let oldCheckpoint: Uint8Array
let oldBundle: Uint8Array

beforeAll(async () => {
  world = await makeWorld()
  t0 = world.clock.t
  await world.publishList(uri, 1, { ttl: 3600 })
  // What the ledger published while key-1 was good: a lying server replays it later.
  oldCheckpoint = await grab(`${world.ledger.url}registry/checkpoint`)
  oldBundle = await grab(`${world.ledger.url}registry/tile/entries/000.p/1`)
  // Later: key-1 signs a new version of the list (all credentials valid), then it is revoked.
  world.clock.t = t0 + 1000
  await world.publishList(uri, 2, { ttl: 3600, iat: world.clock.t })
  world.clock.t = t0 + 1001
  await world.addKey('key-2')
  await world.revokeKey('key-1')
})
afterAll(async () => world?.cleanup())

function lie(proxy: Awaited<ReturnType<World['proxy']>>): void {
  proxy.rewrite = (path) => (path === 'registry/checkpoint' ? oldCheckpoint : path === 'registry/tile/entries/000.p/1' ? oldBundle : undefined)
}

describe('a key revocation withheld by a lying server', () => {
  it('an honest client refuses the revoked key\'s anchor', async () => {
    const e = await TrustEngine.open(configFor(), { dbName: dbName() })
    expect((await e.sync({ now: world.clock.t })).ok).toBe(true)
    expect(e.issuerKey(world.psb.did, 'key-1', world.clock.t)).toMatchObject({ ok: false, code: 'ERR_REG_KEY_REVOKED' })
    expect(await e.refreshStatus(uri, { now: world.clock.t })).toMatchObject({ ok: false, code: 'ERR_REG_KEY_REVOKED' })
    expect(e.status(uri, 0, { now: world.clock.t }).state).toBe('unknown')
    e.close()
  })

  it('a client that had seen the revocation detects the rollback, keeps evidence and its newer view', async () => {
    const proxy = await world.proxy()
    const e = await TrustEngine.open(configFor(proxy.url), { dbName: dbName() })
    expect((await e.sync({ now: world.clock.t })).ok).toBe(true)
    const size = e.snapshot().registry!.size
    lie(proxy)
    const r = await e.sync({ now: world.clock.t + 5 })
    expect(r).toMatchObject({ ok: false, code: 'ERR_LOG_MISBEHAVIOUR' })
    const snap = e.snapshot()
    expect(snap.registry!.size).toBe(size)
    expect(snap.evidence).toEqual([expect.objectContaining({ kind: 'rollback', log: 'registry', origin: configFor().registry.origin })])
    // The same lie again is the same evidence, kept once.
    expect(await e.sync({ now: world.clock.t + 6 })).toMatchObject({ ok: false, code: 'ERR_LOG_MISBEHAVIOUR' })
    expect(e.snapshot().evidence).toHaveLength(1)
    expect(e.issuerKey(world.psb.did, 'key-1', world.clock.t)).toMatchObject({ ok: false, code: 'ERR_REG_KEY_REVOKED' })

    // The exported evidence is the file `civic log verify --evidence` checks, and it holds.
    const file = e.exportEvidence()
    expect(parseEvidenceFile(file).evidence).toHaveLength(1)
    expect(verifyEvidence(file, world.clock.t + 5)).toMatchObject({ ok: true, value: { items: [{ kind: 'rollback', trustedSize: size, offeredSize: 1 }] } })
    e.close()
    // Kept across a reopen.
    const again = await TrustEngine.open(configFor(proxy.url), { dbName: `trust-lying-${db}`, fetch: async () => { throw new Error('offline') } })
    expect(again.snapshot().evidence).toHaveLength(1)
    expect(again.exportEvidence()).toBe(file)
    again.close()
  })

  it('a client that never saw it: the anchor is newer than its registry view, so the status is unknown', async () => {
    const proxy = await world.proxy()
    lie(proxy)
    const e = await TrustEngine.open(configFor(proxy.url), { dbName: dbName() })
    const r = await e.sync({ now: world.clock.t })
    expect(r).toMatchObject({ ok: true, value: { registry: { size: 1 } } })
    expect(e.snapshot().registry!.witnessedAt).toBeLessThanOrEqual(t0)
    // The old view still holds key-1, so the anchor itself verifies…
    expect(await e.refreshStatus(uri, { now: world.clock.t })).toMatchObject({ ok: true, value: { version: 2 } })
    // …but the registry that judges it is older than the anchor: never valid.
    expect(e.status(uri, 0, { now: world.clock.t })).toMatchObject({ state: 'unknown', code: 'ERR_TRUST_REGISTRY_BEHIND', registryAt: expect.any(Number) })
    // Once it syncs honestly, the revocation voids the anchor.
    proxy.rewrite = null
    expect((await e.sync({ now: world.clock.t })).ok).toBe(true)
    expect(e.status(uri, 0, { now: world.clock.t })).toMatchObject({ state: 'unknown', code: 'ERR_REG_KEY_REVOKED' })
    e.close()
  })

  it('a fork (the log key and a witness quorum signing another history of the same size) is detected and kept as evidence', async () => {
    const proxy = await world.proxy()
    const e = await TrustEngine.open(configFor(proxy.url), { dbName: dbName() })
    expect((await e.sync({ now: world.clock.t })).ok).toBe(true)
    const size = e.snapshot().registry!.size
    // Another history: the last entry (key-1's revocation) replaced by another root-signed entry.
    const honest = parseEntryBundle(await grab(`${world.ledger.url}registry/tile/entries/000.p/${size}`), size)
    const other = await createKeyChangeEntry({ signer: world.root, subject: world.psb.did, action: 'add', kid: 'key-x', jwk: testKey('ES256').signer.publicJwk, iat: world.clock.t })
    const leaves = [...honest.slice(0, size - 1), other].map(hashLeaf)
    const text = formatCheckpoint({ origin: configFor().registry.origin, size, rootHash: rootFromLeafHashes(leaves), extensions: [] })
    const colluding = [0, 1].map((i) => cosignatureSigner(parseSignerKey(readFileSync(join(world.dir, `witness-${i}`, 'witness.key'), 'utf8').trim()), () => world.clock.t))
    const forked = signNote(text, [ed25519NoteSigner(world.config.signers.registry), ...colluding])
    proxy.rewrite = (path) => (path === 'registry/checkpoint' ? encodeUtf8(forked) : undefined)
    expect(await e.sync({ now: world.clock.t })).toMatchObject({ ok: false, code: 'ERR_LOG_MISBEHAVIOUR' })
    expect(e.snapshot().evidence).toEqual([expect.objectContaining({ kind: 'fork', log: 'registry' })])
    expect(e.snapshot().registry!.size).toBe(size)
    expect(verifyEvidence(e.exportEvidence(), world.clock.t)).toMatchObject({ ok: true, value: { items: [{ kind: 'fork', trustedSize: size, offeredSize: size }] } })
    e.close()
  })
})
