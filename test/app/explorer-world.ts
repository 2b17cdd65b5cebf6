/**
 * A registry for the explorer's component tests, made of REAL signed entries (the governance
 * root accrediting issuers and registering verifiers, key changes, one suspension), folded by
 * the kernel, hashed into a real Merkle tree, and shown through the trust engine's read
 * interface (snapshot, entries, verifyInclusion, exportEvidence, sync) as plain data. The
 * inclusion check is the kernel's RFC 9162 check against that tree's root, so a changed byte
 * fails as it does in the engine.
 */
import { didKeyFromJwk } from '../../src/core/crypto/did.ts'
import { publicJwkOf } from '../../src/core/crypto/jwk.ts'
import type { Verdict } from '../../src/core/errors.ts'
import { encodeBase64 } from '../../src/core/bytes/base64.ts'
import { hashLeaf, memoryHashReader, proveInclusion, rootFromLeafHashes, verifyInclusion } from '../../src/core/log/merkle.ts'
import {
  createIssuerAccreditationEntry, createKeyChangeEntry, createSuspensionEntry, createVerifierRegistrationEntry, type EntrySigner,
} from '../../src/core/registry/create.ts'
import { parseEntry } from '../../src/core/registry/entry.ts'
import { foldEntries } from '../../src/core/registry/fold.ts'
import type { MisbehaviourEvidence } from '../../src/core/log/light-client.ts'
import type { RegistryEntryView, SyncProgressView, TrustEngineLike, TrustSnapshot } from '../../src/app/state/trust.svelte.ts'
import { testKey } from '../support/keys.ts'
import { purpose } from '../support/purposes.ts'

/** 2026-05-28T20:26:40Z, seconds. */
export const NOW = 1_780_000_000
const DAY = 86_400

export const PSB = 'did:web:psb.gov.example'
export const HRSS = 'did:web:hrss.gov.example'
export const CLINIC = 'did:web:clinic.health.example'
export const HALL = 'did:web:service-hall.city.example'
export const PHARMACY = 'did:web:kangjian-pharmacy.example'

export const NAMES = {
  psb: { 'zh-CN': '某市公安局', en: 'Municipal Public Security Bureau' },
  hrss: { 'zh-CN': '某市人力资源和社会保障局', en: 'Municipal Human Resources and Social Security Bureau' },
  clinic: { 'zh-CN': '社区卫生服务中心', en: 'Community Health Centre' },
  hall: { 'zh-CN': '某市政务服务大厅', en: 'City Government Service Hall' },
  pharmacy: { 'zh-CN': '康健大药房', en: 'Kangjian Pharmacy' },
}

export interface World {
  rootDid: string
  entries: RegistryEntryView[]
  snapshot: TrustSnapshot
  leafHashes: Uint8Array[]
  /** The inclusion proof of each entry under the whole tree. */
  proofs: Uint8Array[][]
  /** Index of the suspension entry. */
  suspensionIndex: number
}

export async function buildWorld(o: { keyChanges?: number } = {}): Promise<World> {
  const rootKey = testKey('EdDSA')
  const rootDid = didKeyFromJwk(publicJwkOf(rootKey.jwk))
  const root: EntrySigner = { did: rootDid, signer: rootKey.signer }
  const k = () => testKey('ES256').signer.publicJwk
  const validFrom = NOW - 60 * DAY
  const validUntil = NOW + 2 * 365 * DAY
  const bytes: Uint8Array[] = [
    await createIssuerAccreditationEntry({ root, subject: PSB, id: 'urn:civic:accreditation:psb:1', name: NAMES.psb, keys: [{ kid: 'key-1', jwk: k() }], vct: ['urn:civic:resident-id'], statusListBase: 'https://psb.gov.example/status/', validFrom, validUntil }),
    await createIssuerAccreditationEntry({ root, subject: HRSS, id: 'urn:civic:accreditation:hrss:1', name: NAMES.hrss, keys: [{ kid: 'key-1', jwk: k() }], vct: ['urn:civic:social-insurance'], statusListBase: 'https://hrss.gov.example/status/', validFrom: validFrom + DAY, validUntil }),
    await createIssuerAccreditationEntry({ root, subject: CLINIC, id: 'urn:civic:accreditation:clinic:1', name: NAMES.clinic, keys: [{ kid: 'key-1', jwk: k() }], vct: ['urn:civic:vaccination'], validFrom: validFrom + 2 * DAY, validUntil }),
    await createVerifierRegistrationEntry({
      root, subject: HALL, id: 'urn:civic:registration:hall:1', name: NAMES.hall, keys: [{ kid: 'counter-1', jwk: k() }],
      purposes: [
        purpose({ id: 'residence-certificate', name: { 'zh-CN': '办理居住证明', en: 'Certificate of residence' }, vct: 'urn:civic:resident-id', claims: ['name', 'city', 'district'] }),
        purpose({ id: 'insurance-transfer', name: { 'zh-CN': '社保关系转移', en: 'Social insurance transfer' }, vct: 'urn:civic:social-insurance', claims: ['name', 'insured_since'] }),
      ],
      validFrom: validFrom + 3 * DAY, validUntil,
    }),
    await createVerifierRegistrationEntry({
      root, subject: PHARMACY, id: 'urn:civic:registration:pharmacy:1', name: NAMES.pharmacy, keys: [{ kid: 'pos-1', jwk: k() }],
      purposes: [purpose({ id: 'age-check', name: { 'zh-CN': '处方药购买年龄核验', en: 'Age check for restricted medicines' }, vct: 'urn:civic:resident-id', claims: ['age_over_18'] }, {
        retention: { days: 30, promise: { 'zh-CN': '保留核验记录 30 天', en: 'Keeps a record of the check for 30 days' } },
        contact: 'https://kangjian-pharmacy.example/privacy',
      })],
      validFrom: validFrom + 3 * DAY, validUntil,
    }),
  ]
  // Key changes: the PSB rolls its key over and over (an add, then the old one revoked).
  const changes = o.keyChanges ?? 6
  for (let i = 0; i < changes; i++) {
    const iat = NOW - 40 * DAY + i * DAY
    bytes.push(await createKeyChangeEntry({ signer: root, subject: PSB, action: 'add', kid: `key-${i + 2}`, jwk: k(), iat }))
    bytes.push(await createKeyChangeEntry({ signer: root, subject: PSB, action: 'revoke', kid: `key-${i + 1}`, iat: iat + 60 }))
  }
  const suspensionIndex = bytes.length
  bytes.push(await createSuspensionEntry({ root, subject: CLINIC, revokes: 'urn:civic:accreditation:clinic:1', iat: NOW - 2 * DAY }))

  const folded = await foldEntries(rootDid, bytes, NOW)
  if (!folded.ok) throw new Error(`world does not fold: ${folded.code}: ${folded.detail}`)
  const entries: RegistryEntryView[] = bytes.map((b, index) => {
    const e = parseEntry(b)
    const time = e.type === 'issuer-accreditation' || e.type === 'verifier-registration' ? e.validFrom : e.iat
    return { index, type: e.type, iss: e.iss, sub: 'sub' in e ? e.sub : null, time, bytes: b }
  })
  const leafHashes = bytes.map((b) => hashLeaf(b))
  const rootHash = encodeBase64(rootFromLeafHashes(leafHashes))
  const reader = memoryHashReader(leafHashes)
  const proofs = await Promise.all(leafHashes.map((_, i) => proveInclusion(i, leafHashes.length, reader)))
  const cosigners = [
    { name: 'witness-1.civic-wallet.local', keyId: 1, time: NOW - 180 },
    { name: 'witness-2.civic-wallet.local', keyId: 2, time: NOW - 170 },
  ]
  const snapshot: TrustSnapshot = {
    ready: true,
    registry: { log: 'registry', origin: 'civic-wallet.local/ledger/registry', size: bytes.length, rootHash, note: '', cosigners, witnessedAt: NOW - 180, verifiedAt: NOW - 60 },
    status: { log: 'status', origin: 'civic-wallet.local/ledger/status', size: 4210, rootHash: 'AAAA', note: '', cosigners, witnessedAt: NOW - 180, verifiedAt: NOW - 60 },
    history: [
      { at: NOW - 3 * DAY, registrySize: bytes.length - 1, statusSize: 1200 },
      { at: NOW - DAY, registrySize: bytes.length, statusSize: 3100 },
      { at: NOW - 60, registrySize: bytes.length, statusSize: 4210 },
    ],
    issuers: Object.values(folded.value.issuers),
    verifiers: Object.values(folded.value.verifiers),
    evidence: [],
    lastSyncAt: NOW - 60,
    witnesses: [
      { name: 'witness-1.civic-wallet.local', keyId: 1, lastCosignedAt: NOW - 180 },
      { name: 'witness-2.civic-wallet.local', keyId: 2, lastCosignedAt: NOW - 170 },
      { name: 'witness-3.civic-wallet.local', keyId: 3, lastCosignedAt: null },
    ],
  }
  return { rootDid, entries, snapshot, leafHashes, proofs, suspensionIndex }
}

export const EVIDENCE: MisbehaviourEvidence & { log: 'registry' } = {
  log: 'registry', kind: 'fork', origin: 'civic-wallet.local/ledger/registry', trustedNote: 'a', offeredNote: 'b', consistencyProof: [],
  detail: 'two checkpoints of size 18 with different root hashes', observedAtSeconds: NOW - 120,
}

/**
 * The world behind the trust engine's read interface. `sync` reports the progress it is given,
 * then waits for `release()` (so a test sees the sync running), then answers ok.
 */
export function worldEngine(w: World, o: { evidence?: boolean; progress?: SyncProgressView[] } = {}) {
  let release!: () => void
  let gate = new Promise<void>((r) => (release = r))
  const exported: string[] = []
  const snapshot: TrustSnapshot = { ...w.snapshot, evidence: o.evidence ? [EVIDENCE] : [] }
  const engine: TrustEngineLike & { release(): void; exported: string[] } = {
    snapshot: () => snapshot,
    entries: async () => w.entries,
    async sync(s) {
      for (const p of o.progress ?? []) s?.onProgress?.(p)
      await gate
      gate = new Promise<void>((r) => (release = r))
      return { ok: true, value: {} }
    },
    async verifyInclusion(index, entryBytes): Promise<Verdict<{ index: number; size: number }>> {
      const size = w.leafHashes.length
      if (!Number.isInteger(index) || index < 0 || index >= size) return { ok: false, code: 'ERR_PROOF_OUT_OF_RANGE', detail: `no entry ${index} below ${size}` }
      const root = rootFromLeafHashes(w.leafHashes)
      const v = verifyInclusion({ leafHash: hashLeaf(entryBytes), index, size, proof: w.proofs[index]!, root })
      return v.ok ? { ok: true, value: { index, size } } : { ok: false, code: 'ERR_LOG_INCLUSION_INVALID', detail: `entry ${index}: ${v.code}: ${v.detail}` }
    },
    exportEvidence() {
      const text = JSON.stringify({ evidence: snapshot.evidence })
      exported.push(text)
      return text
    },
    // The explorer reads none of these; each answers as an engine that holds no such fact would.
    credentialKeys: () => () => null,
    issuerStanding: (did) => ({ ok: false, code: 'ERR_REG_UNKNOWN_ISSUER', detail: `${did} is not in this world` }),
    status: () => ({ state: 'unknown', code: 'ERR_STATUS_NOT_ANCHORED', detail: 'no list in this world', staleAt: null, registryAt: null, anchoredAt: null, version: null }),
    statusLists: () => [],
    refreshStatus: async (uri) => ({ ok: false, code: 'ERR_STATUS_LIST_MISSING', detail: `${uri} is not in this world` }),
    verifierRegistration: (did) => ({ ok: false, code: 'ERR_REG_UNKNOWN_VERIFIER', detail: `${did} is not in this world` }),
    staple: () => null,
    judgeStaple: async () => ({ state: 'unknown', code: 'ERR_STATUS_NOT_ANCHORED', detail: 'no list in this world', staleAt: null, registryAt: null, anchoredAt: null, version: null }),
    close() {},
    release: () => release(),
    exported,
  }
  return engine
}
