/**
 * A whole ledger for tests: a governance root, an accredited issuer (the public security
 * bureau), witnesses (real HTTP servers) and the ledger service on real fs storage.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { didKeyFromJwk } from '../../src/core/crypto/did.ts'
import { publicJwkOf } from '../../src/core/crypto/jwk.ts'
import { createIssuerAccreditationEntry, createStatusAnchorEntry, type EntrySigner } from '../../src/core/registry/create.ts'
import { parseLogPolicy, type LogPolicy } from '../../src/core/log/policy.ts'
import { newLedgerConfig, parseLedgerConfig, logVerifierKey, type LedgerConfig, type ParsedLedgerConfig } from '../../src/ledger/config.ts'
import { startLedger, type LedgerService, type LedgerServiceOptions } from '../../src/ledger/service.ts'
import { createWitnessServer, type WitnessServer } from '../../src/ledger/witness/server.ts'
import { testKey } from '../support/keys.ts'

export const PSB = 'did:web:psb.gov.example'
export const ORIGIN = 'civic.test/ledger'

export interface World {
  dir: string
  root: EntrySigner
  psb: EntrySigner
  config: ParsedLedgerConfig
  rawConfig: LedgerConfig
  witnesses: WitnessServer[]
  witnessUrls: string[]
  policy: LogPolicy
  accreditation: Uint8Array
  anchor(uri: string, version: number, iat?: number): Promise<Uint8Array>
  start(extra?: Partial<LedgerServiceOptions>): Promise<LedgerService>
  cleanup(): Promise<void>
}

export const nowSeconds = () => Math.floor(Date.now() / 1000)

export async function makeWorld(o: { witnesses?: number; quorum?: number } = {}): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'civic-ledger-'))
  const rootKey = testKey('EdDSA')
  const root: EntrySigner = { did: didKeyFromJwk(publicJwkOf(rootKey.jwk)), signer: rootKey.signer }
  const psbKey = testKey('ES256')
  const psb: EntrySigner = { did: PSB, kid: 'key-1', signer: psbKey.signer }
  const rawConfig = newLedgerConfig(ORIGIN, root.did)
  const vkey = logVerifierKey(parseLedgerConfig(JSON.stringify(rawConfig)))
  const witnesses: WitnessServer[] = []
  const witnessUrls: string[] = []
  for (let i = 0; i < (o.witnesses ?? 3); i++) {
    const w = await createWitnessServer({ dataDir: join(dir, `witness-${i}`), name: `witness-${i}.civic.test`, logs: [{ origin: ORIGIN, vkey }] })
    witnesses.push(w)
    witnessUrls.push(await w.listen(0, '127.0.0.1'))
  }
  rawConfig.witnesses = witnesses.map((w, i) => ({ url: witnessUrls[i]!, vkey: w.verifierKey }))
  rawConfig.quorum = o.quorum ?? Math.min(2, witnesses.length)
  const config = parseLedgerConfig(JSON.stringify(rawConfig))
  const now = nowSeconds()
  const accreditation = await createIssuerAccreditationEntry({
    root, subject: PSB, id: 'urn:civic:accreditation:psb:1', name: { 'zh-CN': '某市公安局', en: 'Public Security Bureau' },
    keys: [{ kid: 'key-1', jwk: psbKey.signer.publicJwk }], vct: ['urn:civic:resident-id'], statusListBase: 'https://psb.gov.example/status/',
    validFrom: now - 3600, validUntil: now + 365 * 86400,
  })
  const services: LedgerService[] = []
  return {
    dir, root, psb, config, rawConfig, witnesses, witnessUrls, accreditation,
    policy: parseLogPolicy({ origin: ORIGIN, logKeys: [vkey], witnessKeys: witnesses.map((w) => w.verifierKey), quorum: config.quorum }),
    anchor: (uri, version, iat = nowSeconds()) =>
      createStatusAnchorEntry({ issuer: psb, uri, version, statusListToken: `token-${uri}-${version}`, iat, ttl: 3600 }),
    async start(extra = {}) {
      mkdirSync(join(dir, 'ledger'), { recursive: true })
      const s = await startLedger({ dataDir: join(dir, 'ledger'), config, maxDelayMs: 5, ...extra })
      services.push(s)
      return s
    },
    async cleanup() {
      for (const s of services) await s.close().catch(() => {})
      for (const w of witnesses) await w.close().catch(() => {})
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export async function post(url: string, body: Uint8Array | string): Promise<{ status: number; json: any }> {
  const r = await fetch(new URL('add-entry', url), { method: 'POST', body: typeof body === 'string' ? body : Buffer.from(body) })
  return { status: r.status, json: await r.json() }
}

export async function get(url: string, path: string): Promise<{ status: number; bytes: Uint8Array; headers: Headers }> {
  const r = await fetch(new URL(path, url))
  return { status: r.status, bytes: new Uint8Array(await r.arrayBuffer()), headers: r.headers }
}
