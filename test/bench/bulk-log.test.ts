/**
 * The bench's bulk writer makes logs the real ledger serves and a real tlog client accepts:
 * a registry log across several tiles and a partial bundle, synced and checked by syncLog
 * under the log key and a 2-of-3 witness quorum; a status log whose latest anchor of a list
 * the read-only ledger finds and proves; and `rewitness` moves the cosignature times forward
 * on the same tree.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { didKeyFromJwk } from '../../src/core/crypto/did.ts'
import { publicJwkOf } from '../../src/core/crypto/jwk.ts'
import { checkpointTime } from '../../src/core/log/freshness.ts'
import { LightClient } from '../../src/core/log/light-client.ts'
import { formatVerifierKey, generateNoteKeys, parseSignerKey, SIG_TYPE_COSIGNATURE_V1 } from '../../src/core/log/note.ts'
import { parseLogPolicy, verifyCheckpointNote, type LogPolicy } from '../../src/core/log/policy.ts'
import { verifyTlogProof } from '../../src/core/log/proof.ts'
import { syncLog } from '../../src/core/log/sync.ts'
import { createIssuerAccreditationEntry, createStatusAnchorEntry, type EntrySigner } from '../../src/core/registry/create.ts'
import { newLedgerConfig, readLedgerConfig, writeLedgerConfig } from '../../src/ledger/config.ts'
import { startLedger, type LedgerService } from '../../src/ledger/service.ts'
import { openFsStorage } from '../../src/ledger/storage/fs.ts'
import { decodeBase64url, encodeBase64url } from '../../src/core/bytes/base64url.ts'
import { encodeUtf8 } from '../../src/core/bytes/utf8.ts'
import { testKey } from '../support/keys.ts'
import { BulkLog, rewitness } from './bulk-log.ts'

const NAME = 'bulk.civic.test/ledger'
const REGISTRY_ENTRIES = 600
const T0 = 1_790_000_000
const LIST = 'https://psb.gov.example/status/7'

let dir: string
let service: LedgerService
let policies: Record<'registry' | 'status', LogPolicy>
let witnessKeys: string[]
let logKeys: Record<'registry' | 'status', string>
let anchors: Uint8Array[]

async function get(path: string): Promise<Uint8Array> {
  const r = await fetch(new URL(path, service.url))
  if (r.status !== 200) throw new Error(`${path}: ${r.status}`)
  return new Uint8Array(await r.arrayBuffer())
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'civic-bulk-'))
  const rootKey = testKey('EdDSA')
  const root: EntrySigner = { did: didKeyFromJwk(publicJwkOf(rootKey.jwk)), signer: rootKey.signer }
  const witnesses = [0, 1, 2].map((i) => generateNoteKeys(`w${i}.bulk.civic.test`, SIG_TYPE_COSIGNATURE_V1))
  witnessKeys = witnesses.map((w) => w.signerKey)
  const cfg = newLedgerConfig(NAME, root.did)
  logKeys = { registry: cfg.registry.logKey, status: cfg.status.logKey }
  await writeLedgerConfig(dir, { ...cfg, witnesses: witnesses.map((w, i) => ({ url: `http://127.0.0.1:${25_980 + i}/`, vkey: w.verifierKey })), quorum: 2 })
  const policy = (log: 'registry' | 'status') => parseLogPolicy({ origin: cfg[log].origin, logKeys: [formatVerifierKey(parseSignerKey(cfg[log].logKey))], witnessKeys: witnesses.map((w) => w.verifierKey), quorum: 2 })
  policies = { registry: policy('registry'), status: policy('status') }

  const registry = new BulkLog({ storage: await openFsStorage({ dataDir: dir, log: 'registry' }), origin: cfg.registry.origin, logKey: cfg.registry.logKey, witnessKeys })
  await registry.open()
  const psbKey = testKey('ES256')
  await registry.add(await createIssuerAccreditationEntry({
    root, subject: 'did:web:psb.gov.example', id: 'urn:civic:accreditation:psb', name: { 'zh-CN': '公安局', en: 'PSB' },
    keys: [{ kid: 'key-1', jwk: psbKey.signer.publicJwk }], vct: ['urn:civic:resident-id'], statusListBase: 'https://psb.gov.example/status/',
    validFrom: T0 - 86_400, validUntil: T0 + 86_400 * 400,
  }))
  // Small batches, so several stages build on one another across tile boundaries.
  for (let i = 1; i < REGISTRY_ENTRIES; i++) await registry.add(encodeUtf8(`registry entry ${i}`), 100)
  await registry.publish(T0)

  const psb: EntrySigner = { did: 'did:web:psb.gov.example', kid: 'key-1', signer: psbKey.signer }
  anchors = []
  for (const [uri, version] of [[LIST, 1], ['https://psb.gov.example/status/8', 1], [LIST, 2]] as const) {
    anchors.push(await createStatusAnchorEntry({ issuer: psb, uri, version, statusListToken: `token ${uri} ${version}`, iat: T0, ttl: 3_600 }))
  }
  const status = new BulkLog({ storage: await openFsStorage({ dataDir: dir, log: 'status' }), origin: cfg.status.origin, logKey: cfg.status.logKey, witnessKeys })
  await status.open()
  for (const a of anchors) await status.add(a)
  await status.publish(T0)

  service = await startLedger({ dataDir: dir, config: (await readLedgerConfig(dir))!, readOnly: true, now: () => T0 })
})

afterAll(async () => {
  await service?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('a bulk-written ledger', () => {
  it('serves a registry log that syncLog verifies, entry for entry', async () => {
    const client = new LightClient([policies.registry])
    const r = await syncLog({ origin: policies.registry.origin, now: T0, client, edge: { size: 0, hashes: [] }, fetch: (p) => get(`registry/${p}`) })
    if (!r.ok) throw new Error(`${r.code}: ${r.detail}`)
    expect(r.value.size).toBe(REGISTRY_ENTRIES)
    expect(new TextDecoder().decode(r.value.entries[REGISTRY_ENTRIES - 1])).toBe(`registry entry ${REGISTRY_ENTRIES - 1}`)
  })

  it('serves the latest anchor of a list with a proof under the status policy', async () => {
    const answer = JSON.parse(new TextDecoder().decode(await get(`status/anchor/${encodeBase64url(encodeUtf8(LIST))}`))) as { index: number; entry: string; proof: string }
    expect(answer.index).toBe(2)
    const entry = decodeBase64url(answer.entry)
    expect(entry).toEqual(anchors[2])
    expect(verifyTlogProof(answer.proof, { entry }, policies.status, T0).ok).toBe(true)
    // The same proof is no proof of another entry.
    expect(verifyTlogProof(answer.proof, { entry: anchors[0]! }, policies.status, T0).ok).toBe(false)
  })

  it('rewitness publishes the same tree with newer cosignatures', async () => {
    const later = T0 + 600
    const before = verifyCheckpointNote(await get('status/checkpoint'), policies.status, later)
    if (!before.ok) throw new Error(before.code)
    await service.close()
    const size = await rewitness(await openFsStorage({ dataDir: dir, log: 'status' }), { origin: policies.status.origin, logKey: logKeys.status, witnessKeys, now: later })
    expect(size).toBe(anchors.length)
    service = await startLedger({ dataDir: dir, config: (await readLedgerConfig(dir))!, readOnly: true, now: () => later })
    const after = verifyCheckpointNote(await get('status/checkpoint'), policies.status, later)
    if (!after.ok) throw new Error(after.code)
    expect(after.value.checkpoint.rootHash).toEqual(before.value.checkpoint.rootHash)
    expect(checkpointTime(before.value, 2)).toBe(T0)
    expect(checkpointTime(after.value, 2)).toBe(later)
  })
})
