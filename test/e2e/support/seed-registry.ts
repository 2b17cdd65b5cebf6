/**
 * A national-looking registry on a running ledger, for the explorer's end-to-end test: the
 * governance root of a `civic start` data directory (its key file, as the demo keeps it)
 * accredits issuers, registers verifiers, rolls every issuer's key over several times (a new key
 * added, the old one revoked) and suspends a few — every entry really signed, POSTed to the
 * ledger's `/registry/add-entry` and sequenced by its gate like any other. Times are spread over
 * the past year so the pictures have a shape.
 *
 * Entries go in waves: each wave holds entries that depend only on earlier waves (a key change
 * after its accreditation, a revocation after the key it follows), and waves stay under the
 * ledger's per-author rate (200 entries a second, burst 400), with a bounded retry of refused
 * ones.
 */
import { publicJwkOf, generatePrivateJwk } from '../../../src/core/crypto/jwk.ts'
import {
  createIssuerAccreditationEntry, createKeyChangeEntry, createSuspensionEntry, createVerifierRegistrationEntry, type EntrySigner,
} from '../../../src/core/registry/create.ts'
import { governanceRoot } from '../../../src/cli/demo.ts'
import { KEEPS_NOTHING, purpose } from '../../support/purposes.ts'

const DAY = 86_400
const YEAR = 365 * DAY

export interface SeedOptions {
  /** The ledger's base URL, ending in `/` (its logs are `<url>registry/…`, `<url>status/…`). */
  ledgerUrl: string
  /** The `civic start` data directory (its governance-root.jwk signs). */
  dataDir: string
  now?: number
  issuers?: number
  verifiers?: number
  /** Key rollovers per issuer (each: one key added, the previous one revoked). */
  rounds?: number
  suspensions?: number
}

export interface Seeded {
  /** Entries this seed added. */
  posted: number
  /** The registry log's size afterwards (the published checkpoint). */
  size: number
  /** DIDs of the seeded issuers and verifiers, and of those suspended. */
  issuers: string[]
  verifiers: string[]
  suspended: string[]
}

const AGENCIES = [
  { zh: '公安分局', en: 'Public Security Sub-bureau', vct: 'urn:civic:resident-id' },
  { zh: '人力资源和社会保障局', en: 'Human Resources and Social Security Bureau', vct: 'urn:civic:social-insurance' },
  { zh: '卫生健康委员会', en: 'Health Commission', vct: 'urn:civic:vaccination' },
  { zh: '教育局', en: 'Education Bureau', vct: 'urn:civic:diploma' },
  { zh: '民政局', en: 'Civil Affairs Bureau', vct: 'urn:civic:marriage' },
]
const SERVICES = [
  { zh: '政务服务中心', en: 'Government Service Centre', purposes: [{ id: 'residence', zh: '办理居住证明', en: 'Certificate of residence', vct: 'urn:civic:resident-id', claims: ['name', 'city', 'district'] }] },
  { zh: '药房', en: 'Pharmacy', purposes: [{ id: 'age-check', zh: '处方药购买年龄核验', en: 'Age check for restricted medicines', vct: 'urn:civic:resident-id', claims: ['age_over_18'] }] },
  { zh: '银行网点', en: 'Bank Branch', purposes: [{ id: 'account', zh: '开立账户', en: 'Opening an account', vct: 'urn:civic:resident-id', claims: ['name', 'birth_date', 'address'] }, { id: 'pension', zh: '养老金发放', en: 'Pension payment', vct: 'urn:civic:social-insurance', claims: ['name', 'insured_since'] }] },
  { zh: '医院', en: 'Hospital', purposes: [{ id: 'vaccination', zh: '查验接种记录', en: 'Vaccination record check', vct: 'urn:civic:vaccination', claims: ['vaccine', 'date'] }] },
]

const publicKey = () => publicJwkOf(generatePrivateJwk('ES256'))

async function postOne(ledgerUrl: string, entry: Uint8Array): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const r = await fetch(`${ledgerUrl}registry/add-entry`, { method: 'POST', body: new Uint8Array(entry), signal: AbortSignal.timeout(60_000) })
    const v = (await r.json().catch(() => null)) as { index?: number; error?: { code?: string; message?: string } } | null
    if (r.ok && typeof v?.index === 'number') return v.index
    const code = v?.error?.code
    if ((code === 'ERR_LEDGER_RATE_LIMITED' || code === 'ERR_LEDGER_UNAVAILABLE') && attempt < 8) {
      await new Promise((res) => setTimeout(res, 1000))
      continue
    }
    throw new Error(`the ledger refused a seeded entry: HTTP ${r.status} ${code ?? ''} ${v?.error?.message ?? ''}`)
  }
}

/** POST a wave at once; then wait long enough that the next wave finds the rate bucket refilled. */
async function postWave(ledgerUrl: string, wave: Uint8Array[]): Promise<void> {
  for (let i = 0; i < wave.length; i += 150) {
    const started = Date.now()
    await Promise.all(wave.slice(i, i + 150).map((e) => postOne(ledgerUrl, e)))
    const wait = 800 - (Date.now() - started)
    if (wait > 0) await new Promise((res) => setTimeout(res, wait))
  }
}

export async function registrySize(ledgerUrl: string): Promise<number> {
  const r = await fetch(`${ledgerUrl}registry/checkpoint`, { signal: AbortSignal.timeout(10_000) })
  if (!r.ok) throw new Error(`registry checkpoint: HTTP ${r.status}`)
  return Number((await r.text()).split('\n')[1])
}

export async function seedRegistry(o: SeedOptions): Promise<Seeded> {
  const now = o.now ?? Math.floor(Date.now() / 1000)
  const nIssuers = o.issuers ?? 100
  const nVerifiers = o.verifiers ?? 60
  const rounds = o.rounds ?? 5
  const nSuspended = Math.min(o.suspensions ?? 5, nIssuers)
  const root: EntrySigner = await governanceRoot(o.dataDir)
  const start = now - YEAR
  const validUntil = now + 3 * YEAR

  const issuers = Array.from({ length: nIssuers }, (_, i) => {
    const a = AGENCIES[i % AGENCIES.length]!
    const district = Math.floor(i / AGENCIES.length) + 1
    return {
      did: `did:web:district-${district}.${a.vct.split(':').at(-1)}.gov.example`,
      id: `urn:civic:accreditation:seed-${i}:1`,
      name: { 'zh-CN': `第${district}区${a.zh}`, en: `District ${district} ${a.en}` },
      vct: [a.vct],
      // Accredited over the first half of the year, one after another.
      validFrom: start + Math.floor((i * YEAR) / 2 / nIssuers),
    }
  })
  const verifiers = Array.from({ length: nVerifiers }, (_, i) => {
    const s = SERVICES[i % SERVICES.length]!
    const n = Math.floor(i / SERVICES.length) + 1
    return {
      did: `did:web:${s.en.toLowerCase().replace(/\s+/g, '-')}-${n}.example`,
      id: `urn:civic:registration:seed-${i}:1`,
      name: { 'zh-CN': `第${n}${s.zh}`, en: `${s.en} No. ${n}` },
      purposes: s.purposes.map((p) => purpose({ id: p.id, name: { 'zh-CN': p.zh, en: p.en }, vct: p.vct, claims: p.claims }, {
        retention: i % 3 === 0
          ? { days: 30, promise: { 'zh-CN': '核验记录保留 30 天，不含个人信息', en: 'Keeps a record of the check, without personal data, for 30 days' } }
          : KEEPS_NOTHING,
      })),
      validFrom: start + Math.floor((i * YEAR) / 2 / nVerifiers) + 3600,
    }
  })

  const first: Uint8Array[] = []
  for (const i of issuers) {
    first.push(await createIssuerAccreditationEntry({ root, subject: i.did, id: i.id, name: i.name, keys: [{ kid: 'key-1', jwk: publicKey() }], vct: i.vct, validFrom: i.validFrom, validUntil }))
  }
  for (const v of verifiers) {
    first.push(await createVerifierRegistrationEntry({ root, subject: v.did, id: v.id, name: v.name, keys: [{ kid: 'counter-1', jwk: publicKey() }], purposes: v.purposes, validFrom: v.validFrom, validUntil }))
  }
  await postWave(o.ledgerUrl, first)
  let posted = first.length

  // Key rollovers: round r adds key-(r+1) to every issuer, then revokes key-r, dated between its
  // accreditation and an hour ago.
  for (let r = 1; r <= rounds; r++) {
    const adds: Uint8Array[] = []
    const revokes: Uint8Array[] = []
    for (const i of issuers) {
      const iat = i.validFrom + Math.floor(((now - 3600 - i.validFrom) * r) / (rounds + 1))
      adds.push(await createKeyChangeEntry({ signer: root, subject: i.did, action: 'add', kid: `key-${r + 1}`, jwk: publicKey(), iat }))
      revokes.push(await createKeyChangeEntry({ signer: root, subject: i.did, action: 'revoke', kid: `key-${r}`, iat: iat + 600 }))
    }
    await postWave(o.ledgerUrl, adds)
    await postWave(o.ledgerUrl, revokes)
    posted += adds.length + revokes.length
  }

  const suspended = issuers.slice(-nSuspended)
  const suspensions: Uint8Array[] = []
  for (const [j, i] of suspended.entries()) {
    suspensions.push(await createSuspensionEntry({ root, subject: i.did, revokes: i.id, iat: now - (nSuspended - j) * 1800 }))
  }
  await postWave(o.ledgerUrl, suspensions)
  posted += suspensions.length

  return {
    posted,
    size: await registrySize(o.ledgerUrl),
    issuers: issuers.map((i) => i.did),
    verifiers: verifiers.map((v) => v.did),
    suspended: suspended.map((i) => i.did),
  }
}
