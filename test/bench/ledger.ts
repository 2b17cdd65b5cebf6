/**
 * P4 / P4pg: durable appends per second through the whole ledger (HTTP add-entry on the status
 * log → status gate, against the registry's tip → batch → fsync'd stage → witnesses cosign →
 * fsync'd publish → answer), with many concurrent writers. P5: bytes a tlog client downloads
 * to catch up N new entries of that log ÷ (entry bytes + 32 bytes per entry). P5proof: time to
 * verify an offline tlog-proof (log signature, witness cosignatures, inclusion path).
 */
import { generateCryptoKeyPair, signerFromCryptoKeyPair } from '../../src/core/crypto/keys.ts'
import { createIssuerAccreditationEntry, createStatusAnchorEntry, type EntrySigner } from '../../src/core/registry/create.ts'
import { LightClient } from '../../src/core/log/light-client.ts'
import { syncLog, type SyncEdge } from '../../src/core/log/sync.ts'
import { verifyTlogProof } from '../../src/core/log/proof.ts'
import { get, nowSeconds, post, PSB, registryUrl, statusUrl } from '../ledger/_ledger.ts'
import { startLedgerProcesses } from './processes.ts'
import { Agent, request } from 'node:http'
import { freshDatabase } from '../support/pg.ts'
import type { Figure } from './measure.ts'

interface Writer {
  accreditation: Uint8Array
  anchor(i: number): Promise<Uint8Array>
}

async function writer(world: { root: EntrySigner }): Promise<Writer> {
  // A WebCrypto issuer key: signing 20,000 anchors takes about a second.
  const signer = await signerFromCryptoKeyPair(await generateCryptoKeyPair())
  const issuer: EntrySigner = { did: PSB, kid: 'bench-1', signer }
  const now = nowSeconds()
  const accreditation = await createIssuerAccreditationEntry({
    root: world.root, subject: PSB, id: 'urn:civic:accreditation:psb:bench', name: { 'zh-CN': '公安局', en: 'PSB' },
    keys: [{ kid: 'bench-1', jwk: signer.publicJwk }], vct: ['urn:civic:resident-id'], statusListBase: 'https://psb.gov.example/status/',
    validFrom: now - 60, validUntil: now + 86400,
  })
  return {
    accreditation,
    // WRITERS status lists, each re-anchored in turn: version v of list i % WRITERS.
    anchor: (i) => createStatusAnchorEntry({ issuer, uri: `https://psb.gov.example/status/${i % WRITERS}`, version: 1 + Math.floor(i / WRITERS), statusListToken: `list-${i}`, iat: now, ttl: 3600 }),
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: 4096 })

/** POST one entry with node:http (lighter than fetch, so the load generator takes less CPU). */
function postEntry(url: URL, body: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-length': body.length } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`append refused: ${Buffer.concat(chunks).toString()}`))))
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** Concurrent writers: status lists being re-anchored at once, each by its own connection. */
const WRITERS = 256

/** WRITERS writers, writer k sending entries k, k + WRITERS, … one after another (its list's versions in order). */
async function appendAll(logUrl: string, entries: Uint8Array[], inFlight = WRITERS): Promise<number> {
  const target = new URL('add-entry', logUrl)
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async (_, k) => {
      for (let i = k; i < entries.length; i += inFlight) await postEntry(target, entries[i]!)
    }),
  )
  return entries.length / ((performance.now() - t0) / 1000)
}

/** Appends/s over N entries, and the P5/P5proof figures over the same ledger. */
export async function benchLedgerOn(id: 'P4' | 'P4pg', label: string, postgresUrl: string | undefined, N: number, withReads: boolean): Promise<Figure[]> {
  const world = await startLedgerProcesses(postgresUrl ? { postgresUrl } : {})
  try {
    const status = statusUrl(world)
    const w = await writer(world)
    const base: Uint8Array[] = []
    for (let i = 0; i < 1024; i++) base.push(await w.anchor(i))
    if ((await post(registryUrl(world), w.accreditation)).status !== 200) throw new Error('accreditation refused')
    await appendAll(status, base)

    // A client trusts the first 1,024 anchors …
    const client = new LightClient([world.status.policy])
    const fetch = async (path: string) => {
      const r = await get(status, path)
      if (r.status !== 200) throw new Error(`${path}: ${r.status}`)
      return r.bytes
    }
    const first = await syncLog({ origin: world.status.origin, now: nowSeconds(), client, edge: { size: 0, hashes: [] }, fetch })
    if (!first.ok) throw new Error(`${first.code}: ${first.detail}`)
    const edge: SyncEdge = first.value.edge

    // … N more arrive from ${WRITERS} concurrent writers …
    const entries: Uint8Array[] = []
    for (let i = 0; i < N; i++) entries.push(await w.anchor(1024 + i))
    const rate = await appendAll(status, entries)
    const figures: Figure[] = [{ id, what: `durable appends/s (${label}, HTTP, 2-of-3 witnesses)`, value: rate, op: '>=', goal: 3000, note: `${N} status anchors from ${WRITERS} concurrent writers; each answered after its batch is fsync'd/committed and published with a witnessed checkpoint` }]
    if (!withReads) return figures

    // … and the client catches up.
    const next = await syncLog({ origin: world.status.origin, now: nowSeconds(), client, edge, fetch })
    if (!next.ok) throw new Error(`${next.code}: ${next.detail}`)
    const entryBytes = next.value.entries.reduce((s, e) => s + e.length, 0)
    figures.push({
      id: 'P5', what: 'catch-up bytes / (entry bytes + 32 per entry)', value: next.value.bytes / (entryBytes + 32 * next.value.entries.length), op: '<=', goal: 1.1,
      note: `${next.value.entries.length} new status anchors after 1,024: ${next.value.bytes} bytes downloaded (checkpoint, proof tiles, bundles) for ${entryBytes} bytes of entries`,
    })

    const index = 1024 + Math.floor(N / 2)
    const proof = (await get(status, `proof/${index}`)).bytes
    const entry = next.value.entries[index - 1024]!
    const reps = 200
    const t0 = performance.now()
    for (let i = 0; i < reps; i++) {
      const v = verifyTlogProof(proof, { entry }, world.status.policy, nowSeconds())
      if (!v.ok) throw new Error(v.code)
    }
    figures.push({ id: 'P5proof', what: 'offline tlog-proof verify (ms)', value: (performance.now() - t0) / reps, op: '<=', goal: 10, note: `${proof.length}-byte proof: log signature, 3 witness cosignatures (quorum 2), inclusion path in a tree of ${next.value.size}` })
    return figures
  } finally {
    await world.stop()
  }
}

export async function benchLedger(): Promise<Figure[]> {
  const figures = await benchLedgerOn('P4', 'fs', undefined, 20_000, true)
  // The same on a real PostgreSQL server on loopback (Debian's, started for this run).
  const db = await freshDatabase('bench')
  try {
    figures.push(...(await benchLedgerOn('P4pg', 'PostgreSQL', db.url(), 20_000, false)))
  } finally {
    await db.drop().catch(() => {})
    await db.server.stop()
  }
  return figures
}
