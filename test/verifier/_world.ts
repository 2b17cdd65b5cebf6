/**
 * A demo verifier for the enrolment tests: the city service hall of the demo table
 * (src/cli/demo.ts), its registered key written where the demo seed writes it
 * (`<data>/verifier-<id>.jwk`), its registration signed by a test governance root and folded
 * into a registry state, and a counter device that signs requests under the attestation it gets
 * — so an attestation is judged exactly as a wallet judges it (verifyCounterRequest, no network).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateEcdhKeyPair } from '../../src/core/crypto/keys.ts'
import { didKeyFromJwk } from '../../src/core/crypto/did.ts'
import { publicJwkOf } from '../../src/core/crypto/jwk.ts'
import { createVerifierRegistrationEntry } from '../../src/core/registry/create.ts'
import { foldEntries } from '../../src/core/registry/fold.ts'
import { checkVerifier, type RegistryState } from '../../src/core/registry/state.ts'
import { requestNonce, signCounterRequest, verifyCounterRequest } from '../../src/core/exchange/request.ts'
import type { Verdict } from '../../src/core/errors.ts'
import type { CounterRequest } from '../../src/core/exchange/request.ts'
import { DEMO_VERIFIERS, DEMO_VERIFIER_KID, type DemoVerifier } from '../../src/cli/demo.ts'
import { VerifierService, verifierKeyFileName, type VerifierServiceOptions } from '../../src/verifier/service.ts'
import { seededRandom, testKey, type TestKey } from '../support/keys.ts'

/** 2027-01-15T08:00:00Z, seconds: the tests' clock. */
export const NOW = 1_800_000_000
export const DAY = 86_400
export const HALL: DemoVerifier = DEMO_VERIFIERS.find((v) => v.id === 'service-hall')!
export const COUNTER_NAME = { 'zh-CN': 'A 区 3 号窗口', en: 'Hall A, counter 3' }

export interface VerifierWorld {
  dataDir: string
  /** The verifier's registered key (as the demo seed writes it). */
  key: TestKey
  /** The registry with the verifier registered under that key. */
  state: RegistryState
  open(o?: Partial<VerifierServiceOptions>): Promise<VerifierService>
  cleanup(): void
}

export async function makeVerifierWorld(v: DemoVerifier = HALL): Promise<VerifierWorld> {
  const dataDir = mkdtempSync(join(tmpdir(), 'civic-verifier-'))
  const key = testKey('ES256')
  writeFileSync(join(dataDir, verifierKeyFileName(v.id)), JSON.stringify(key.jwk), { mode: 0o600 })
  const rootKey = testKey('EdDSA')
  const root = { did: didKeyFromJwk(publicJwkOf(rootKey.jwk)), signer: rootKey.signer }
  const entry = await createVerifierRegistrationEntry({
    root, subject: v.did, id: `urn:civic:registration:${v.id}:test`, name: v.name,
    keys: [{ kid: DEMO_VERIFIER_KID, jwk: key.signer.publicJwk }], purposes: v.purposes,
    validFrom: NOW - 30 * DAY, validUntil: NOW + 365 * DAY,
  })
  const folded = await foldEntries(root.did, [entry], NOW)
  if (!folded.ok) throw new Error(`the registration does not fold: ${folded.code}: ${folded.detail}`)
  return {
    dataDir, key, state: folded.value,
    open: (o = {}) => VerifierService.open({ dataDir, identity: { id: v.id, did: v.did, name: v.name, kid: DEMO_VERIFIER_KID, purposes: v.purposes }, now: () => NOW, ...o }),
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  }
}

/** A counter device: its key, and a request for `purpose` signed under `attestation`, judged as a wallet judges it. */
export function counterDevice(): { key: TestKey; request(attestation: string, purpose: string, state: RegistryState, now: number): Promise<Verdict<CounterRequest>> } {
  const key = testKey('ES256')
  const random = seededRandom(11)
  return {
    key,
    async request(attestation, purpose, state, now) {
      const p = HALL.purposes.find((x) => x.id === purpose) ?? HALL.purposes[0]!
      const text = await signCounterRequest({
        attestation, verifier: HALL.did, purpose, vct: p.vct, claims: p.claims.map((path) => ({ path, required: true })),
        nonce: requestNonce(random), iat: now, exp: now + 120, responseKey: (await generateEcdhKeyPair()).publicJwk,
      }, key.signer)
      return verifyCounterRequest(text, { now, verifier: (did) => checkVerifier(state, did, { now }) })
    },
  }
}
