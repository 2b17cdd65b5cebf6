/**
 * A real ledger for the trust engine's tests: the governance root, the public security bureau
 * accredited with a status list base, three witnesses following both logs (quorum 2), the
 * ledger service (registry and status logs) on fs storage, a mirror serving status list tokens,
 * and — for the lying-server tests — a real HTTP proxy in front of the ledger that can answer
 * paths its own way. One clock (`world.clock.t`, seconds) drives the ledger and the witnesses,
 * so tests move time without sleeping.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { didKeyFromJwk } from '../../src/core/crypto/did.ts'
import { publicJwkOf } from '../../src/core/crypto/jwk.ts'
import {
  createIssuerAccreditationEntry, createKeyChangeEntry, createStatusAnchorEntry, type EntrySigner,
} from '../../src/core/registry/create.ts'
import { StatusList } from '../../src/core/status/list.ts'
import { createStatusListToken } from '../../src/core/status/token.ts'
import { newLedgerConfig, parseLedgerConfig, logVerifierKey, type ParsedLedgerConfig } from '../../src/ledger/config.ts'
import { startLedger, type LedgerService } from '../../src/ledger/service.ts'
import { createWitnessServer, type WitnessServer } from '../../src/ledger/witness/server.ts'
import type { TrustConfigSource } from '../../src/trust/config.ts'
import { testKey, type TestKey } from '../support/keys.ts'

export const PSB = 'did:web:psb.gov.example'
export const NAME = 'civic.test/ledger'
export const BASE = 'https://psb.gov.example/status/'
export const listUri = (n: number | string) => `${BASE}resident-id/${n}`

export interface Clock {
  t: number
}

export interface Proxy {
  url: string
  /** Answer a path (under the ledger URL, e.g. `registry/checkpoint`) another way; undefined: pass it on. */
  rewrite: ((path: string) => Promise<Uint8Array | number | undefined> | Uint8Array | number | undefined) | null
  /** Every path asked through the proxy, in order. */
  asked: string[]
  close(): Promise<void>
}

export interface World {
  dir: string
  clock: Clock
  root: EntrySigner
  psb: EntrySigner & { key: TestKey }
  config: ParsedLedgerConfig
  witnesses: WitnessServer[]
  ledger: LedgerService
  /** Status list tokens by URI, served by the mirror. */
  tokens: Map<string, Uint8Array>
  mirrorUrl: string
  /** civic-config.json's ledger + statusMirrors, for a client of `url` (default the ledger). */
  source(url?: string): TrustConfigSource
  registry(entry: Uint8Array): Promise<number>
  /** Sign a list (statuses by index), serve it on the mirror and anchor it; returns the status log index. */
  publishList(uri: string, version: number, o?: { statuses?: Record<number, number>; iat?: number; ttl?: number; signer?: EntrySigner }): Promise<number>
  /** Add key `kid` to the PSB (root-signed) and return its signer. */
  addKey(kid: string): Promise<EntrySigner & { key: TestKey }>
  revokeKey(kid: string): Promise<number>
  proxy(): Promise<Proxy>
  cleanup(): Promise<void>
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }
}

const closeServer = (s: Server) => new Promise<void>((resolve) => { s.closeAllConnections(); s.close(() => resolve()) })

async function post(url: string, body: Uint8Array): Promise<number> {
  const r = await fetch(url, { method: 'POST', body: Buffer.from(body) })
  const json = await r.json() as { index?: number; error?: { code: string; detail: string } }
  if (r.status !== 200 || typeof json.index !== 'number') throw new Error(`${url}: ${r.status} ${JSON.stringify(json)}`)
  return json.index
}

export async function makeWorld(o: { witnesses?: number; quorum?: number } = {}): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'civic-trust-'))
  const clock: Clock = { t: Math.floor(Date.now() / 1000) }
  const now = () => clock.t
  const rootKey = testKey('EdDSA')
  const root: EntrySigner = { did: didKeyFromJwk(publicJwkOf(rootKey.jwk)), signer: rootKey.signer }
  const psbKey = testKey('ES256')
  const psb = { did: PSB, kid: 'key-1', signer: psbKey.signer, key: psbKey }
  const raw = newLedgerConfig(NAME, root.did)
  const bare = parseLedgerConfig(JSON.stringify(raw))
  const logs = (['registry', 'status'] as const).map((l) => ({ origin: raw[l].origin, vkey: logVerifierKey(bare, l) }))
  const witnesses: WitnessServer[] = []
  for (let i = 0; i < (o.witnesses ?? 3); i++) {
    const w = await createWitnessServer({ dataDir: join(dir, `witness-${i}`), name: `witness-${i}.civic.test`, logs, now })
    witnesses.push(w)
    raw.witnesses.push({ url: await w.listen(0, '127.0.0.1'), vkey: w.verifierKey })
  }
  raw.quorum = o.quorum ?? Math.min(2, witnesses.length)
  const config = parseLedgerConfig(JSON.stringify(raw))
  mkdirSync(join(dir, 'ledger'))
  const ledger = await startLedger({ dataDir: join(dir, 'ledger'), config, maxDelayMs: 5, refreshSeconds: 0, now })
  const tokens = new Map<string, Uint8Array>()
  const mirror = await serve((req, res) => {
    const uri = BASE + (req.url ?? '/').replace(/^\/status\//, '')
    const t = tokens.get(uri)
    if (!t) return res.writeHead(404).end()
    res.writeHead(200, { 'content-type': 'application/statuslist+jwt' }).end(Buffer.from(t))
  })
  const proxies: Proxy[] = []
  const registry = (entry: Uint8Array) => post(`${ledger.url}registry/add-entry`, entry)
  const world: World = {
    dir, clock, root, psb, config, witnesses, ledger, tokens, mirrorUrl: mirror.url,
    source: (url = ledger.url) => ({
      ledger: {
        url, root: root.did,
        registry: { origin: logs[0]!.origin, vkey: logs[0]!.vkey }, status: { origin: logs[1]!.origin, vkey: logs[1]!.vkey },
        witnesses: witnesses.map((w) => w.verifierKey), quorum: raw.quorum,
      },
      statusMirrors: { [BASE]: `${mirror.url}status/` },
    }),
    registry,
    async publishList(uri, version, p = {}) {
      const iat = p.iat ?? clock.t
      const ttl = p.ttl ?? 3600
      const signer = p.signer ?? psb
      const list = StatusList.create(1024, 2)
      for (const [i, v] of Object.entries(p.statuses ?? {})) list.set(Number(i), v)
      const token = await createStatusListToken({ list, uri, iat, ttl, signer: signer.signer, kid: `${PSB}#${signer.kid}`, iss: PSB })
      const bytes = new TextEncoder().encode(token)
      tokens.set(uri, bytes)
      return post(`${ledger.url}status/add-entry`, await createStatusAnchorEntry({ issuer: signer, uri, version, statusListToken: bytes, iat, ttl }))
    },
    async addKey(kid) {
      const key = testKey('ES256')
      await registry(await createKeyChangeEntry({ signer: root, subject: PSB, action: 'add', kid, jwk: key.signer.publicJwk, iat: clock.t }))
      return { did: PSB, kid, signer: key.signer, key }
    },
    revokeKey: async (kid) => registry(await createKeyChangeEntry({ signer: root, subject: PSB, action: 'revoke', kid, iat: clock.t })),
    async proxy() {
      const target = new URL(ledger.url)
      const p: Proxy = { url: '', rewrite: null, asked: [], close: async () => {} }
      const s = await serve((req, res) => {
        const path = (req.url ?? '/').slice(1)
        p.asked.push(path)
        void (async () => {
          const own = p.rewrite ? await p.rewrite(path) : undefined
          if (typeof own === 'number') return res.writeHead(own, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'ERR_LEDGER_NOT_FOUND', detail: 'withheld' } }))
          if (own) return res.writeHead(200).end(Buffer.from(own))
          const up = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
            res.writeHead(r.statusCode ?? 502, r.headers)
            r.pipe(res)
          })
          up.on('error', () => res.writeHead(502).end())
          req.pipe(up)
        })()
      })
      p.url = s.url
      p.close = () => closeServer(s.server)
      proxies.push(p)
      return p
    },
    async cleanup() {
      for (const p of proxies) await p.close().catch(() => {})
      await closeServer(mirror.server).catch(() => {})
      await ledger.close().catch(() => {})
      for (const w of witnesses) await w.close().catch(() => {})
      rmSync(dir, { recursive: true, force: true })
    },
  }
  await registry(await createIssuerAccreditationEntry({
    root, subject: PSB, id: 'urn:civic:accreditation:psb:1', name: { 'zh-CN': '某市公安局', en: 'Public Security Bureau' },
    keys: [{ kid: 'key-1', jwk: psbKey.signer.publicJwk }], vct: ['urn:civic:resident-id'], statusListBase: BASE,
    validFrom: clock.t - 3600, validUntil: clock.t + 365 * 86400,
  }))
  return world
}

/** GET through the real network and keep the bytes (what a lying server would replay later). */
export async function grab(url: string): Promise<Uint8Array> {
  const r = await fetch(url)
  if (r.status !== 200) throw new Error(`${url}: ${r.status}`)
  return new Uint8Array(await r.arrayBuffer())
}
