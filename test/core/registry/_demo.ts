/**
 * A believable demo ledger for the registry tests: the governance root (did:key, Ed25519); the
 * public security bureau accredited for `urn:civic:resident-id`; the social-security bureau
 * accredited for `urn:civic:social-insurance`; the city service hall and a pharmacy (which may
 * ask only `age_over_18`) registered as verifiers; one status anchor per issuer.
 */
import { didKeyFromJwk } from '../../../src/core/crypto/did.ts'
import { publicJwkOf } from '../../../src/core/crypto/jwk.ts'
import {
  createIssuerAccreditationEntry, createStatusAnchorEntry, createVerifierRegistrationEntry, type EntrySigner,
} from '../../../src/core/registry/create.ts'
import { foldEntries } from '../../../src/core/registry/fold.ts'
import type { RegistryState } from '../../../src/core/registry/state.ts'
import { testKey, type TestKey } from '../../support/keys.ts'
import { purpose } from '../../support/purposes.ts'

/** 2026-05-28T20:26:40Z, seconds. */
export const NOW = 1_780_000_000
export const DAY = 86_400
export const YEAR = 365 * DAY

export const PSB = 'did:web:psb.gov.example'
export const SSB = 'did:web:hrss.gov.example'
export const HALL = 'did:web:service-hall.city.example'
export const PHARMACY = 'did:web:kangjian-pharmacy.example'
export const RESIDENT_ID = 'urn:civic:resident-id'
export const SOCIAL_INSURANCE = 'urn:civic:social-insurance'
export const PSB_STATUS_BASE = 'https://psb.gov.example/status/'
export const PSB_LIST = `${PSB_STATUS_BASE}resident-id/7`

export interface Party {
  did: string
  key: TestKey
  /** The registered key's fragment. */
  kid: string
  /** Sign as this party with its registered key. */
  as: EntrySigner
}

export function party(did: string, kid: string, alg: 'ES256' | 'EdDSA' = 'ES256'): Party {
  const key = testKey(alg)
  return { did, key, kid, as: { did, kid, signer: key.signer } }
}

export interface Demo {
  rootKey: TestKey
  rootDid: string
  root: EntrySigner
  psb: Party
  ssb: Party
  hall: Party
  pharmacy: Party
  entries: Uint8Array[]
  state: RegistryState
  /** The PSB status list token anchored at version 1. */
  statusToken: string
}

export const names = {
  psb: { 'zh-CN': '某市公安局', en: 'Municipal Public Security Bureau' },
  ssb: { 'zh-CN': '某市人力资源和社会保障局', en: 'Municipal Human Resources and Social Security Bureau' },
  hall: { 'zh-CN': '某市政务服务大厅', en: 'City Government Service Hall' },
  pharmacy: { 'zh-CN': '康健大药房', en: 'Kangjian Pharmacy' },
}

export async function buildDemo(): Promise<Demo> {
  const rootKey = testKey('EdDSA')
  const rootDid = didKeyFromJwk(publicJwkOf(rootKey.jwk))
  const root: EntrySigner = { did: rootDid, signer: rootKey.signer }
  const psb = party(PSB, 'key-2026')
  const ssb = party(SSB, 'sig-1', 'EdDSA')
  const hall = party(HALL, 'counter-1')
  const pharmacy = party(PHARMACY, 'pos-1')
  const validFrom = NOW - 30 * DAY
  const validUntil = NOW + 2 * YEAR
  const statusToken = 'eyJhbGciOiJFUzI1NiIsInR5cCI6InN0YXR1c2xpc3Qrand0In0.e30.c2ln'

  const entries = [
    await createIssuerAccreditationEntry({
      root, subject: PSB, id: 'urn:civic:accreditation:psb:2026', name: names.psb,
      keys: [{ kid: psb.kid, jwk: psb.key.signer.publicJwk }], vct: [RESIDENT_ID], statusListBase: PSB_STATUS_BASE,
      validFrom, validUntil,
    }),
    await createIssuerAccreditationEntry({
      root, subject: SSB, id: 'urn:civic:accreditation:hrss:2026', name: names.ssb,
      keys: [{ kid: ssb.kid, jwk: ssb.key.signer.publicJwk }], vct: [SOCIAL_INSURANCE], statusListBase: 'https://hrss.gov.example/status/',
      validFrom, validUntil,
    }),
    await createVerifierRegistrationEntry({
      root, subject: HALL, id: 'urn:civic:registration:service-hall:2026', name: names.hall,
      keys: [{ kid: hall.kid, jwk: hall.key.signer.publicJwk }],
      purposes: [
        purpose({ id: 'residence-permit', name: { 'zh-CN': '办理居住证', en: 'Residence permit application' }, vct: RESIDENT_ID, claims: ['family_name', 'given_name', 'address.city', 'address.district'] }),
        purpose({ id: 'pension-enquiry', name: { 'zh-CN': '养老保险查询', en: 'Pension enquiry' }, vct: SOCIAL_INSURANCE, claims: ['insured_since', 'contribution_city'] }),
      ],
      validFrom, validUntil,
    }),
    await createVerifierRegistrationEntry({
      root, subject: PHARMACY, id: 'urn:civic:registration:kangjian:2026', name: names.pharmacy,
      keys: [{ kid: pharmacy.kid, jwk: pharmacy.key.signer.publicJwk }],
      purposes: [purpose({ id: 'age-check', name: { 'zh-CN': '处方药购买年龄核验', en: 'Age check for restricted medicines' }, vct: RESIDENT_ID, claims: ['age_over_18'] }, {
        retention: { days: 0, promise: { 'zh-CN': '只看是否年满18岁，不保存。', en: 'Sees only whether you are over 18; keeps nothing.' } },
      })],
      validFrom, validUntil,
    }),
    await createStatusAnchorEntry({ issuer: psb.as, uri: PSB_LIST, version: 1, statusListToken: statusToken, iat: NOW - DAY, ttl: 2 * DAY }),
  ]
  const folded = await foldEntries(rootDid, entries, NOW)
  if (!folded.ok) throw new Error(`demo does not fold: ${folded.code}: ${folded.detail}`)
  return { rootKey, rootDid, root, psb, ssb, hall, pharmacy, entries, state: folded.value, statusToken }
}

/** Fold more entries onto a state, failing the test loudly if any is refused. */
export async function after(state: RegistryState, ...entries: Uint8Array[]): Promise<RegistryState> {
  const r = await foldEntries(state, entries, NOW)
  if (!r.ok) throw new Error(`entry ${r.index} refused: ${r.code}: ${r.detail}`)
  return r.value
}
