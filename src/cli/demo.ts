/**
 * The believable demo `civic start` seeds once into its data directory: a governance root
 * (Ed25519 did:key), two accredited issuers — a public security bureau issuing resident-ID
 * credentials and a human resources and social security bureau issuing social-insurance
 * credentials — and two registered verifiers: the city service hall's counters and a pharmacy
 * that may ask only whether someone is 18 or over. Issuers and verifiers hold their own keys;
 * only issuer-level facts go on the ledger, and all of them are registry facts: the seed posts
 * to the ledger's registry log only (the status log takes the issuers' own anchors later).
 *
 * An issuer's private key lives only in that issuer's key store (`issuer-<id>/keys/`): the
 * accreditation needs only its public half, read from there. (Earlier seeds kept a copy of
 * each issuer's first key beside the data directory so an interrupted seed could run again;
 * such a copy outlives the key's rotation, so seeding removes it. initIssuer itself picks up
 * a key an interrupted init left behind.)
 */
import { existsSync, readFileSync } from 'node:fs'
import { unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { CivicError } from '../core/errors.ts'
import { encodeUtf8 } from '../core/bytes/utf8.ts'
import { didKeyFromJwk } from '../core/crypto/did.ts'
import { generatePrivateJwk, parsePrivateJwk, publicJwkOf, type PrivateJwk } from '../core/crypto/jwk.ts'
import { signerFromPrivateJwk } from '../core/crypto/keys.ts'
import { createIssuerAccreditationEntry, createVerifierRegistrationEntry, type EntrySigner } from '../core/registry/create.ts'
import type { VerifierPurpose } from '../core/registry/entry.ts'
import type { LedgerTrust } from '../issuer/config.ts'
import { FIRST_KID, initIssuer } from '../issuer/service.ts'
import { RESIDENT_ID_VCT, SOCIAL_INSURANCE_VCT } from '../issuer/schema.ts'
import { readKey } from '../issuer/store.ts'
import { fsyncDir, writeFileDurably } from '../node/durable.ts'
import { verifierKeyFileName } from '../verifier/service.ts'

const YEAR = 365 * 86_400
export const ROOT_KEY_FILE = 'governance-root.jwk'
export const SEED_FILE = 'demo-seeded.json'
/** The kid of each demo verifier's registered key: the key that signs its counter attestations. */
export const DEMO_VERIFIER_KID = 'counter-1'

export interface DemoIssuer {
  id: string
  did: string
  name: { 'zh-CN': string; en: string }
  vct: string[]
  /** Its status lists' URI prefix (credentials name https URIs; the demo serves them locally too). */
  statusListBase: string
  /** Offset from the base port. */
  portOffset: number
}

export const DEMO_ISSUERS: DemoIssuer[] = [
  { id: 'psb', did: 'did:web:psb.gov.example', name: { 'zh-CN': '某市公安局', en: 'Municipal Public Security Bureau' }, vct: [RESIDENT_ID_VCT], statusListBase: 'https://psb.gov.example/status/', portOffset: 5 },
  { id: 'hrss', did: 'did:web:hrss.gov.example', name: { 'zh-CN': '某市人力资源和社会保障局', en: 'Municipal Human Resources and Social Security Bureau' }, vct: [SOCIAL_INSURANCE_VCT], statusListBase: 'https://hrss.gov.example/status/', portOffset: 6 },
]

export interface DemoVerifier {
  id: string
  did: string
  name: { 'zh-CN': string; en: string }
  purposes: VerifierPurpose[]
}

/** A counter keeps nothing: every counter purpose promises so. */
const KEEPS_NOTHING = { days: 0, promise: { 'zh-CN': '核验后不保留任何个人信息', en: 'Keeps no personal data after the check' } }

export const DEMO_VERIFIERS: DemoVerifier[] = [
  {
    id: 'service-hall', did: 'did:web:service-hall.city.example', name: { 'zh-CN': '某市政务服务大厅', en: 'City Government Service Hall' },
    purposes: [
      {
        id: 'residence-certificate', name: { 'zh-CN': '办理居住证明', en: 'Certificate of residence' }, vct: RESIDENT_ID_VCT, claims: ['name', 'city', 'district'],
        why: { 'zh-CN': '居住证明上写明你的姓名和居住的城市、区县', en: 'The certificate states your name and the city and district you live in' },
        retention: KEEPS_NOTHING, contact: 'mailto:privacy@service-hall.city.example',
      },
      {
        id: 'senior-card', name: { 'zh-CN': '办理老年优待证', en: 'Senior citizen card' }, vct: RESIDENT_ID_VCT, claims: ['name', 'age_over_60'],
        why: { 'zh-CN': '优待证发给年满60周岁的居民，只需确认是否年满60周岁，不看出生日期', en: 'The card is for residents aged 60 or over: only whether you are 60 or over is checked, never your birth date' },
        retention: KEEPS_NOTHING, contact: 'mailto:privacy@service-hall.city.example',
      },
      {
        id: 'insurance-transfer', name: { 'zh-CN': '社保关系转移', en: 'Social insurance transfer' }, vct: SOCIAL_INSURANCE_VCT, claims: ['name', 'insured_since', 'contribution_city'],
        why: { 'zh-CN': '转移社保关系需要知道你从何时、在哪个城市参保', en: 'Moving your insurance needs to know since when and in which city you have been insured' },
        retention: KEEPS_NOTHING, contact: 'tel:+86-10-12345',
      },
    ],
  },
  {
    id: 'pharmacy', did: 'did:web:kangjian-pharmacy.example', name: { 'zh-CN': '康健大药房', en: 'Kangjian Pharmacy' },
    purposes: [{
      id: 'age-check', name: { 'zh-CN': '处方药购买年龄核验', en: 'Age check for restricted medicines' }, vct: RESIDENT_ID_VCT, claims: ['age_over_18'],
      why: { 'zh-CN': '部分药品只能售给年满18周岁的人', en: 'Some medicines may be sold only to people aged 18 or over' },
      retention: { days: 0, promise: { 'zh-CN': '只看是否年满18周岁，不保留任何信息', en: 'Sees only whether you are 18 or over; keeps nothing' } },
      contact: 'https://kangjian-pharmacy.example/privacy',
    }],
  },
]

async function keyFile(dataDir: string, name: string, alg: 'ES256' | 'EdDSA'): Promise<PrivateJwk> {
  const file = join(dataDir, name)
  if (existsSync(file)) return parsePrivateJwk(JSON.parse(readFileSync(file, 'utf8')))
  const jwk = generatePrivateJwk(alg)
  await writeFileDurably(dataDir, name, encodeUtf8(JSON.stringify(jwk)), 0o600)
  return jwk
}

/** The demo governance root: an Ed25519 did:key whose private key stays in the data directory. */
export async function governanceRoot(dataDir: string): Promise<EntrySigner> {
  const jwk = await keyFile(dataDir, ROOT_KEY_FILE, 'EdDSA')
  return { did: didKeyFromJwk(publicJwkOf(jwk)), signer: signerFromPrivateJwk(jwk) }
}

/** Where earlier seeds kept a copy of an issuer's first private key (removed on every seed). */
export const legacyIssuerKeyCopy = (i: Pick<DemoIssuer, 'id'>): string => `issuer-${i.id}-key-1.jwk`

export function issuerUrl(host: string, port: number, i: DemoIssuer): string {
  return `http://${host}:${port + i.portOffset}`
}

/**
 * Seed the demo once: issuer data directories (their keys, and `trust`: the ledger's two logs
 * they publish to), then the root's accreditations and registrations posted to the registry
 * log. `post` sends one entry to the running ledger's registry log.
 */
export async function seedDemo(o: {
  dataDir: string
  root: EntrySigner
  trust: LedgerTrust
  host: string
  port: number
  appOrigin: string
  post: (entry: Uint8Array) => Promise<number>
  now: number
}): Promise<boolean> {
  // No private key copy outside an issuer's own key store, from this seed or an earlier one.
  let removed = false
  for (const i of DEMO_ISSUERS) {
    removed = (await unlink(join(o.dataDir, legacyIssuerKeyCopy(i))).then(() => true, () => false)) || removed
  }
  if (removed) await fsyncDir(o.dataDir)
  if (existsSync(join(o.dataDir, SEED_FILE))) return false
  const validFrom = o.now - 3600
  const validUntil = o.now + 5 * YEAR
  const entries: Uint8Array[] = []
  for (const i of DEMO_ISSUERS) {
    const dir = join(o.dataDir, `issuer-${i.id}`)
    const base = issuerUrl(o.host, o.port, i)
    const statusListBase = i.statusListBase
    // The issuer makes its own first key in its key store; a seed interrupted halfway finds
    // it there (the issuer's, or the one an interrupted init left) and accredits its public half.
    if (!existsSync(join(dir, 'issuer.json'))) {
      await initIssuer(dir, { did: i.did, name: i.name, statusListBase, ledger: o.trust, vct: i.vct, publicUrl: base, appOrigin: o.appOrigin, now: o.now })
    }
    const jwk = publicJwkOf(await readKey(dir, FIRST_KID))
    entries.push(await createIssuerAccreditationEntry({
      root: o.root, subject: i.did, id: `urn:civic:accreditation:${i.id}:1`, name: i.name,
      keys: [{ kid: FIRST_KID, jwk }], vct: i.vct, statusListBase, validFrom, validUntil,
    }))
  }
  for (const v of DEMO_VERIFIERS) {
    const jwk = await keyFile(o.dataDir, verifierKeyFileName(v.id), 'ES256')
    entries.push(await createVerifierRegistrationEntry({
      root: o.root, subject: v.did, id: `urn:civic:registration:${v.id}:1`, name: v.name,
      keys: [{ kid: DEMO_VERIFIER_KID, jwk: publicJwkOf(jwk) }], purposes: v.purposes, validFrom, validUntil,
    }))
  }
  for (const e of entries) {
    try {
      await o.post(e)
    } catch (err) {
      // Already on the ledger from an interrupted seed: that is the state wanted.
      if (!(err instanceof CivicError && err.code === 'ERR_REG_REPLAY')) throw err
    }
  }
  await writeFileDurably(o.dataDir, SEED_FILE, encodeUtf8(JSON.stringify({ seededAt: o.now, entries: entries.length }) + '\n'))
  return true
}
