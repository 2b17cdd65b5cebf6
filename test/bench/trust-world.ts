/**
 * The ledger the trust-engine figures (T1–T3) are measured on, as `civic ledger serve` would
 * hold it on disk after years of use: a registry log of 10,000 real signed entries and a status
 * log of 10^5 or 10^6 real signed status anchors, every entry one the ledger's gate admits.
 *
 * Registry (10,000, every client replays it): 1,000 issuer accreditations and 3,000 verifier
 * registrations by the governance root, 5,900 key changes (2,950 entities add a key with their
 * current one, then revoke the old one with the new one), 100 suspensions by the root.
 * Status (clients never replay it): 100,000 status lists of 4 accredited issuers, anchored in
 * turn: anchor i is version ⌊i / 100,000⌋ + 1 of list i mod 100,000. The 10^5 log is the first
 * 10^5 entries of the 10^6 one (the same log, earlier), so both ledgers share one registry,
 * one set of keys and one origin per log.
 *
 * Three lists are the ones a device needs (the lists its credentials name): their latest
 * anchor in each ledger is of a real statuslist+jwt of 131,072 entries, kept beside the logs
 * for the status mirror. Every other anchor commits to a placeholder token's digest (the
 * bytes a client fetches are the anchor's, whatever its token).
 *
 * Signing 1.1 million anchors takes minutes, so the two data directories are generated once
 * under the OS temp directory, keyed by WORLD_VERSION (change it when what is generated
 * changes), and reused by later runs; a run re-witnesses the published checkpoints with fresh
 * cosignatures (the sequencer's idle refresh) instead of regenerating anything.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { didKeyFromJwk } from '../../src/core/crypto/did.ts'
import { publicJwkOf } from '../../src/core/crypto/jwk.ts'
import { generateCryptoKeyPair, signerFromCryptoKeyPair, type Signer } from '../../src/core/crypto/keys.ts'
import { formatVerifierKey, generateNoteKeys, parseSignerKey, SIG_TYPE_COSIGNATURE_V1 } from '../../src/core/log/note.ts'
import {
  createIssuerAccreditationEntry, createKeyChangeEntry, createStatusAnchorEntry, createSuspensionEntry, createVerifierRegistrationEntry,
  type EntrySigner,
} from '../../src/core/registry/create.ts'
import { foldEntries } from '../../src/core/registry/fold.ts'
import { verifyEntry } from '../../src/core/registry/verify.ts'
import { StatusList, STATUS_INVALID } from '../../src/core/status/list.ts'
import { createStatusListToken } from '../../src/core/status/token.ts'
import { newLedgerConfig, writeLedgerConfig } from '../../src/ledger/config.ts'
import { openFsStorage } from '../../src/ledger/storage/fs.ts'
import { testKey } from '../support/keys.ts'
import { BulkLog, rewitness } from './bulk-log.ts'
import { purpose } from '../support/purposes.ts'

export const WORLD_VERSION = 'trust-world-2'

export const REGISTRY_ENTRIES = 10_000
export const LISTS = 100_000
export const STATUS_SIZES = { e5: 100_000, e6: 1_000_000 } as const
export type WorldSize = keyof typeof STATUS_SIZES
/** The lists a device needs: one of each of three issuers. */
export const DEVICE_LISTS = [1_000, 50_001, 99_998] as const

const ISSUERS = 1_000
const VERIFIERS = 3_000
const KEY_CHANGERS = 2_950
const SUSPENSIONS = 100
/** Issuers 0..3 anchor the status lists. */
const ANCHORING = 4
const DAY = 86_400
/** The longest anchor ttl the registry allows is 366 days: the cache is regenerated well before. */
const TTL = 365 * DAY
const MAX_AGE = 300 * DAY
const QUORUM = 2

export interface WorldWitness {
  name: string
  /** cosignature/v1 verifier key. */
  vkey: string
  /** Its private key: the bench cosigns the stored checkpoints at each run. */
  skey: string
}

export interface DeviceList {
  uri: string
  issuer: string
  /** The statuslist+jwt its latest anchor commits to, in each ledger. */
  tokens: Record<WorldSize, string>
}

export interface Manifest {
  version: string
  generatedAt: number
  name: string
  root: string
  witnesses: WorldWitness[]
  quorum: number
  registry: { origin: string; vkey: string; logKey: string; size: number; entryBytes: number }
  status: { origin: string; vkey: string; logKey: string; sizes: Record<WorldSize, number>; entryBytes: Record<WorldSize, number> }
  lists: DeviceList[]
  /** Seconds it took to generate. */
  seconds: number
}

export interface TrustWorld extends Manifest {
  /** The ledger data directory of each size: ledger.json, registry/, status/. */
  dataDir: Record<WorldSize, string>
  /** Whether this run reused a generated world. */
  cached: boolean
}

const pad = (n: number) => String(n).padStart(4, '0')
const issuerDid = (n: number) => `did:web:issuer-${pad(n)}.gov.example`
const verifierDid = (n: number) => `did:web:verifier-${pad(n)}.services.example`
const listBase = (n: number) => `https://issuer-${pad(n)}.gov.example/status/`
export const listUri = (l: number) => `${listBase(l % ANCHORING)}${Math.floor(l / ANCHORING)}`

/** The world, generated now or reused from the cache, its checkpoints cosigned at `now`. */
export async function trustWorld(o: { now: number; log: (line: string) => void }): Promise<TrustWorld> {
  const dir = join(tmpdir(), `civic-bench-${WORLD_VERSION}`)
  let manifest = readManifest(dir, o.now)
  const cached = manifest !== null
  if (!manifest) {
    o.log(`generating the ${WORLD_VERSION} ledgers (registry ${REGISTRY_ENTRIES}, status ${STATUS_SIZES.e5} and ${STATUS_SIZES.e6}) into ${dir}; later runs reuse them`)
    const tmp = `${dir}.${process.pid}.tmp`
    rmSync(tmp, { recursive: true, force: true })
    mkdirSync(tmp)
    try {
      manifest = await generate(tmp, o.now, o.log)
      writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2))
      rmSync(dir, { recursive: true, force: true })
      renameSync(tmp, dir)
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true })
      throw e
    }
  }
  const world: TrustWorld = { ...manifest, dataDir: { e5: join(dir, 'e5'), e6: join(dir, 'e6') }, cached }
  const witnessKeys = world.witnesses.map((w) => w.skey)
  for (const size of ['e5', 'e6'] as const) {
    for (const log of ['registry', 'status'] as const) {
      const m = world[log]
      await rewitness(await openFsStorage({ dataDir: world.dataDir[size], log }), { origin: m.origin, logKey: m.logKey, witnessKeys, now: o.now })
    }
  }
  return world
}

function readManifest(dir: string, now: number): Manifest | null {
  const file = join(dir, 'manifest.json')
  if (!existsSync(file)) return null
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as Manifest
    if (m.version !== WORLD_VERSION || !(now - m.generatedAt < MAX_AGE)) return null
    const complete = ['e5', 'e6'].every((size) => ['ledger.json', 'registry/checkpoint', 'status/checkpoint'].every((f) => existsSync(join(dir, size, f))))
    return complete ? m : null
  } catch {
    return null
  }
}

interface Entity {
  did: string
  role: 'issuer' | 'verifier'
  n: number
  id: string
  keys: { kid: string; signer: Signer }[]
}

async function entityKey(kid: string): Promise<{ kid: string; signer: Signer }> {
  return { kid, signer: await signerFromCryptoKeyPair(await generateCryptoKeyPair()) }
}

/** In groups of `width` at once (WebCrypto signs on the thread pool), results in order. */
async function inGroups<T>(count: number, width: number, make: (i: number) => Promise<T>, use: (v: T, i: number) => Promise<void> | void): Promise<void> {
  for (let start = 0; start < count; start += width) {
    const made = await Promise.all(Array.from({ length: Math.min(width, count - start) }, (_, k) => make(start + k)))
    for (let k = 0; k < made.length; k++) await use(made[k]!, start + k)
  }
}

async function registryEntries(root: EntrySigner, t0: number): Promise<{ entries: Uint8Array[]; anchoring: Entity[] }> {
  const entities: Entity[] = []
  // One issuer in four: accreditations and registrations arrive interleaved, as bodies are admitted.
  for (let i = 0, issuers = 0, verifiers = 0; i < ISSUERS + VERIFIERS; i++) {
    const role = i % 4 === 0 && issuers < ISSUERS ? 'issuer' : 'verifier'
    const n = role === 'issuer' ? issuers++ : verifiers++
    const did = role === 'issuer' ? issuerDid(n) : verifierDid(n)
    entities.push({ did, role, n, id: `urn:civic:${role === 'issuer' ? 'accreditation' : 'registration'}:${pad(n)}`, keys: [await entityKey('key-1')] })
  }
  const entries: Uint8Array[] = []
  const validFrom = t0 - 30 * DAY
  const validUntil = t0 + 400 * DAY
  await inGroups(entities.length, 256, (i) => {
    const e = entities[i]!
    const keys = [{ kid: 'key-1', jwk: e.keys[0]!.signer.publicJwk }]
    const common = { root, subject: e.did, id: e.id, keys, validFrom: validFrom + i, validUntil }
    return e.role === 'issuer'
      ? createIssuerAccreditationEntry({
        ...common, name: { 'zh-CN': `第${e.n + 1}号签发机关`, en: `Issuing office ${e.n + 1}` },
        vct: ['urn:civic:resident-id', 'urn:civic:residence-permit'], statusListBase: listBase(e.n),
      })
      : createVerifierRegistrationEntry({
        ...common, name: { 'zh-CN': `第${e.n + 1}号服务窗口`, en: `Service counter ${e.n + 1}` },
        purposes: [
          purpose({ id: 'age-check', name: { 'zh-CN': '年龄核验', en: 'Age check' }, vct: 'urn:civic:resident-id', claims: ['age_over_18'] }),
          purpose({ id: 'residence', name: { 'zh-CN': '居住地核验', en: 'Residence check' }, vct: 'urn:civic:residence-permit', claims: ['address.city', 'valid_until'] }, {
            retention: { days: e.n % 3 === 0 ? 0 : 30, promise: { 'zh-CN': '核验记录保留，不含个人信息', en: 'A record of the check is kept, without personal data' } },
          }),
        ],
      })
  }, (b) => void entries.push(b))
  // Key changes: never by the anchoring issuers, whose current key signs the status anchors.
  const changers = entities.filter((e) => !(e.role === 'issuer' && e.n < ANCHORING)).slice(0, KEY_CHANGERS)
  for (const e of changers) e.keys.push(await entityKey('key-2'))
  const changedAt = t0 - 20 * DAY
  await inGroups(changers.length, 256, (i) => {
    const e = changers[i]!
    return createKeyChangeEntry({ signer: { did: e.did, kid: 'key-1', signer: e.keys[0]!.signer }, subject: e.did, action: 'add', kid: 'key-2', jwk: e.keys[1]!.signer.publicJwk, iat: changedAt + i })
  }, (b) => void entries.push(b))
  await inGroups(changers.length, 256, (i) => {
    const e = changers[i]!
    return createKeyChangeEntry({ signer: { did: e.did, kid: 'key-2', signer: e.keys[1]!.signer }, subject: e.did, action: 'revoke', kid: 'key-1', iat: changedAt + DAY + i })
  }, (b) => void entries.push(b))
  const suspended = entities.filter((e) => e.role === 'verifier').slice(-SUSPENSIONS)
  await inGroups(suspended.length, 256, (i) => createSuspensionEntry({ root, subject: suspended[i]!.did, revokes: suspended[i]!.id, iat: t0 - 10 * DAY + i }), (b) => void entries.push(b))
  if (entries.length !== REGISTRY_ENTRIES) throw new Error(`made ${entries.length} registry entries, not ${REGISTRY_ENTRIES}`)
  return { entries, anchoring: entities.filter((e) => e.role === 'issuer' && e.n < ANCHORING) }
}

async function generate(dir: string, now: number, log: (line: string) => void): Promise<Manifest> {
  const started = performance.now()
  const rootKey = testKey('EdDSA')
  const root: EntrySigner = { did: didKeyFromJwk(publicJwkOf(rootKey.jwk)), signer: rootKey.signer }
  const name = 'bench.civic.test/ledger'
  const witnesses: WorldWitness[] = [0, 1, 2].map((i) => {
    const k = generateNoteKeys(`w${i}.bench.civic.test`, SIG_TYPE_COSIGNATURE_V1)
    return { name: `w${i}.bench.civic.test`, vkey: k.verifierKey, skey: k.signerKey }
  })
  const cfg = newLedgerConfig(name, root.did)
  // Nothing listens there: a read-only ledger never calls its witnesses; the bench cosigns itself.
  const ledgerConfig = { ...cfg, witnesses: witnesses.map((w, i) => ({ url: `http://127.0.0.1:${25_990 + i}/`, vkey: w.vkey })), quorum: QUORUM }
  const vkey = (logKey: string) => formatVerifierKey(parseSignerKey(logKey))
  const witnessKeys = witnesses.map((w) => w.skey)
  const dataDir = { e5: join(dir, 'e5'), e6: join(dir, 'e6') }
  const logs = {} as Record<WorldSize, { registry: BulkLog; status: BulkLog }>
  for (const size of ['e5', 'e6'] as const) {
    mkdirSync(dataDir[size])
    await writeLedgerConfig(dataDir[size], ledgerConfig)
    const open = async (l: 'registry' | 'status') => {
      const b = new BulkLog({ storage: await openFsStorage({ dataDir: dataDir[size], log: l }), origin: cfg[l].origin, logKey: cfg[l].logKey, witnessKeys })
      await b.open()
      return b
    }
    logs[size] = { registry: await open('registry'), status: await open('status') }
  }

  // The registry, checked the way every reader folds it.
  const t0 = now - DAY
  const { entries, anchoring } = await registryEntries(root, t0)
  const folded = await foldEntries(root.did, entries, now)
  if (!folded.ok) throw new Error(`generated registry entry ${folded.index} is refused: ${folded.code}: ${folded.detail}`)
  for (const size of ['e5', 'e6'] as const) {
    for (const e of entries) await logs[size].registry.add(e)
    await logs[size].registry.publish(now)
  }
  log(`  registry: ${entries.length} entries in ${((performance.now() - started) / 1000).toFixed(0)} s`)

  // The device's lists: a real token behind the latest anchor of each, in each ledger.
  const lastVersion = { e5: STATUS_SIZES.e5 / LISTS, e6: STATUS_SIZES.e6 / LISTS }
  const issuerOf = (l: number) => anchoring[l % ANCHORING]!
  const signerOf = (l: number): EntrySigner => ({ did: issuerOf(l).did, kid: 'key-1', signer: issuerOf(l).keys[0]!.signer })
  const anchoredAt = t0 + 3_600
  const lists: DeviceList[] = []
  for (const l of DEVICE_LISTS) {
    const tokens = {} as Record<WorldSize, string>
    for (const size of ['e5', 'e6'] as const) {
      const list = StatusList.create(131_072, 2)
      for (let k = 0; k < 1_310 * lastVersion[size]; k++) list.set((k * 7_919 + l) % 131_072, STATUS_INVALID)
      tokens[size] = await createStatusListToken({
        list, uri: listUri(l), iat: anchoredAt + lastVersion[size], ttl: TTL, signer: signerOf(l).signer,
        kid: `${issuerOf(l).did}#key-1`, iss: issuerOf(l).did,
      })
    }
    lists.push({ uri: listUri(l), issuer: issuerOf(l).did, tokens })
  }
  const tokenFor = (l: number, version: number): string => {
    const device = DEVICE_LISTS.indexOf(l as (typeof DEVICE_LISTS)[number])
    if (device >= 0 && version === lastVersion.e5) return lists[device]!.tokens.e5
    if (device >= 0 && version === lastVersion.e6) return lists[device]!.tokens.e6
    return `placeholder status list token: list ${l} version ${version}`
  }

  // The status log: anchor i is version ⌊i / LISTS⌋ + 1 of list i mod LISTS.
  const anchor = (i: number) => {
    const l = i % LISTS
    const version = Math.floor(i / LISTS) + 1
    return createStatusAnchorEntry({ issuer: signerOf(l), uri: listUri(l), version, statusListToken: tokenFor(l, version), iat: anchoredAt + version, ttl: TTL })
  }
  const sample = new Set([0, 1, LISTS - 1, LISTS, STATUS_SIZES.e6 - 1, ...DEVICE_LISTS, ...DEVICE_LISTS.map((l) => STATUS_SIZES.e6 - LISTS + l)])
  let t = performance.now()
  await inGroups(STATUS_SIZES.e6, 4_096, anchor, async (bytes, i) => {
    if (sample.has(i) || i % 9_973 === 0) {
      // What the status log's gate checks, against the registry's tip: accredited issuer, current key, base, iat.
      const v = await verifyEntry(folded.value, bytes, { now })
      if (!v.ok) throw new Error(`generated anchor ${i} is refused: ${v.code}: ${v.detail}`)
    }
    if (i < STATUS_SIZES.e5) await logs.e5.status.add(bytes)
    await logs.e6.status.add(bytes)
    if ((i + 1) % 100_000 === 0) {
      log(`  status: ${i + 1} anchors (${((i + 1) / ((performance.now() - t) / 1000)).toFixed(0)}/s)`)
    }
  })
  t = performance.now()
  for (const size of ['e5', 'e6'] as const) await logs[size].status.publish(now)

  const registryBytes = entries.reduce((s, e) => s + e.length, 0)
  return {
    version: WORLD_VERSION, generatedAt: now, name, root: root.did, witnesses, quorum: QUORUM,
    registry: { origin: cfg.registry.origin, vkey: vkey(cfg.registry.logKey), logKey: cfg.registry.logKey, size: entries.length, entryBytes: registryBytes },
    status: {
      origin: cfg.status.origin, vkey: vkey(cfg.status.logKey), logKey: cfg.status.logKey,
      sizes: { e5: logs.e5.status.size, e6: logs.e6.status.size }, entryBytes: { e5: logs.e5.status.entryBytes, e6: logs.e6.status.entryBytes },
    },
    lists, seconds: Math.round((performance.now() - started) / 1000),
  }
}
