/**
 * A whole ledger for tests: a governance root, an accredited issuer (the public security
 * bureau), witnesses (real HTTP servers, following both logs) and the ledger service (registry
 * and status logs) on real fs storage. `post` and `get` take a log's base URL
 * (`<ledger url>registry/` or `<ledger url>status/`: `registryUrl`, `statusUrl`).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { didKeyFromJwk } from '../../src/core/crypto/did.ts'
import { publicJwkOf } from '../../src/core/crypto/jwk.ts'
import { createIssuerAccreditationEntry, createStatusAnchorEntry, type EntrySigner } from '../../src/core/registry/create.ts'
import { parseLogPolicy, type LogPolicy } from '../../src/core/log/policy.ts'
import { formatLedgerConfig, newLedgerConfig, parseLedgerConfig, logVerifierKey, type LedgerConfig, type ParsedLedgerConfig } from '../../src/ledger/config.ts'
import { startLedger, type LedgerService, type LedgerServiceOptions } from '../../src/ledger/service.ts'
import { createWitnessServer, type WitnessServer } from '../../src/ledger/witness/server.ts'
import { testKey } from '../support/keys.ts'

export const PSB = 'did:web:psb.gov.example'
/** The ledger's name; its logs' origins are `${NAME}/registry` and `${NAME}/status`. */
export const NAME = 'civic.test/ledger'
export const REGISTRY_ORIGIN = `${NAME}/registry`
export const STATUS_ORIGIN = `${NAME}/status`

export interface World {
  dir: string
  root: EntrySigner
  psb: EntrySigner
  config: ParsedLedgerConfig
  rawConfig: LedgerConfig
  witnesses: WitnessServer[]
  witnessUrls: string[]
  registryPolicy: LogPolicy
  statusPolicy: LogPolicy
  /** The log verifier keys. */
  vkeys: { registry: string; status: string }
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
  const rawConfig = newLedgerConfig(NAME, root.did)
  const first = parseLedgerConfig(formatLedgerConfig(rawConfig))
  const vkeys = { registry: logVerifierKey(first, 'registry'), status: logVerifierKey(first, 'status') }
  const witnesses: WitnessServer[] = []
  const witnessUrls: string[] = []
  for (let i = 0; i < (o.witnesses ?? 3); i++) {
    const w = await createWitnessServer({
      dataDir: join(dir, `witness-${i}`), name: `witness-${i}.civic.test`,
      logs: [{ origin: REGISTRY_ORIGIN, vkey: vkeys.registry }, { origin: STATUS_ORIGIN, vkey: vkeys.status }],
    })
    witnesses.push(w)
    witnessUrls.push(await w.listen(0, '127.0.0.1'))
  }
  rawConfig.witnesses = witnesses.map((w, i) => ({ url: witnessUrls[i]!, vkey: w.verifierKey }))
  rawConfig.quorum = o.quorum ?? Math.min(2, witnesses.length)
  const config = parseLedgerConfig(formatLedgerConfig(rawConfig))
  const now = nowSeconds()
  const accreditation = await createIssuerAccreditationEntry({
    root, subject: PSB, id: 'urn:civic:accreditation:psb:1', name: { 'zh-CN': '某市公安局', en: 'Public Security Bureau' },
    keys: [{ kid: 'key-1', jwk: psbKey.signer.publicJwk }], vct: ['urn:civic:resident-id'], statusListBase: 'https://psb.gov.example/status/',
    validFrom: now - 3600, validUntil: now + 365 * 86400,
  })
  const services: LedgerService[] = []
  return {
    dir, root, psb, config, rawConfig, witnesses, witnessUrls, accreditation, vkeys,
    registryPolicy: parseLogPolicy({ origin: REGISTRY_ORIGIN, logKeys: [vkeys.registry], witnessKeys: witnesses.map((w) => w.verifierKey), quorum: config.quorum }),
    statusPolicy: parseLogPolicy({ origin: STATUS_ORIGIN, logKeys: [vkeys.status], witnessKeys: witnesses.map((w) => w.verifierKey), quorum: config.quorum }),
    anchor: (uri, version, iat = nowSeconds()) =>
      createStatusAnchorEntry({ issuer: psb, uri, version, statusListToken: `token-${uri}-${version}`, iat, ttl: 3600 }),
    async start(extra = {}) {
      mkdirSync(join(dir, 'ledger'), { recursive: true })
      const s = await startLedger({ dataDir: join(dir, 'ledger'), config, maxDelayMs: 5, refreshSeconds: 0, ...extra })
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

export const registryUrl = (l: { url: string }): string => `${l.url}registry/`
export const statusUrl = (l: { url: string }): string => `${l.url}status/`

/** POST one entry to `<logUrl>add-entry`. */
export async function post(url: string, body: Uint8Array | string): Promise<{ status: number; json: any }> {
  const r = await fetch(new URL('add-entry', url), { method: 'POST', body: typeof body === 'string' ? body : Buffer.from(body) })
  return { status: r.status, json: await r.json() }
}

export async function get(url: string, path: string): Promise<{ status: number; bytes: Uint8Array; headers: Headers }> {
  const r = await fetch(new URL(path, url))
  return { status: r.status, bytes: new Uint8Array(await r.arrayBuffer()), headers: r.headers }
}
