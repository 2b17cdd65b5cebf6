// The ledger as issuers and auditors meet it: a real HTTP server with its two logs (registry
// and status) on real fs storage, three real witnesses, registry rules at the door of each,
// batching, proofs that verify offline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { decodeUtf8, encodeUtf8 } from '../../src/core/bytes/utf8.ts'
import { verifyCheckpointNote } from '../../src/core/log/policy.ts'
import { verifyTlogProof } from '../../src/core/log/proof.ts'
import { startLedger, type LedgerService } from '../../src/ledger/service.ts'
import { verifyLedger } from '../../src/cli/log-verify.ts'
import { parseEntry } from '../../src/core/registry/entry.ts'
import { createKeyChangeEntry } from '../../src/core/registry/create.ts'
import { testKey } from '../support/keys.ts'
import { createWitnessServer } from '../../src/ledger/witness/server.ts'
import { get, makeWorld, nowSeconds, post, PSB, registryUrl, statusUrl, type World } from './_ledger.ts'

let world: World
let ledger: LedgerService

let R = ''
let S = ''
const checkpointSize = async (log: 'registry' | 'status' = 'status') => {
  const c = await get(log === 'registry' ? R : S, 'checkpoint')
  const v = verifyCheckpointNote(c.bytes, log === 'registry' ? world.registryPolicy : world.statusPolicy, nowSeconds())
  if (!v.ok) throw new Error(v.code)
  return v.value.checkpoint.size
}

beforeAll(async () => {
  world = await makeWorld()
  ledger = await world.start()
  R = registryUrl(ledger)
  S = statusUrl(ledger)
})
afterAll(async () => world.cleanup())

describe('ledger', () => {
  it('publishes a witnessed empty tree of each log at once, each under its own origin and key', async () => {
    for (const [url, policy] of [[R, world.registryPolicy], [S, world.statusPolicy]] as const) {
      const c = await get(url, 'checkpoint')
      expect(c.status).toBe(200)
      expect(c.headers.get('access-control-allow-origin')).toBe('*')
      const v = verifyCheckpointNote(c.bytes, policy, nowSeconds())
      if (!v.ok) throw new Error(`${v.code}: ${v.detail}`)
      expect(v.value.checkpoint.size).toBe(0)
      expect(v.value.cosigners.length).toBe(3)
    }
    expect(verifyCheckpointNote((await get(S, 'checkpoint')).bytes, world.registryPolicy, nowSeconds()).ok).toBe(false)
  })

  it('sequences an accreditation in the registry log and anchors in the status log, each answered with its index once published', async () => {
    const a = await post(R, world.accreditation)
    expect(a).toEqual({ status: 200, json: { index: 0 } })
    const r = await Promise.all([1, 2, 3].map(async (v) => post(S, await world.anchor('https://psb.gov.example/status/1', v))))
    // one at a time they queue, in order of admission
    expect(r.map((x) => x.status)).toEqual([200, 200, 200])
    expect(r.map((x) => x.json.index).sort()).toEqual([0, 1, 2])
    expect(await checkpointSize('registry')).toBe(1)
    expect(await checkpointSize()).toBe(3)
  })

  it('refuses an entry of the other log with ERR_LEDGER_WRONG_LOG (422), before anything else, and changes neither log', async () => {
    const before = [decodeUtf8((await get(R, 'checkpoint')).bytes), decodeUtf8((await get(S, 'checkpoint')).bytes)]
    const anchor = await world.anchor('https://psb.gov.example/status/wrong', 1)
    const toRegistry = await post(R, anchor)
    expect(toRegistry.status).toBe(422)
    expect(toRegistry.json.error.code).toBe('ERR_LEDGER_WRONG_LOG')
    // an anchor by an issuer nobody accredited: still the wrong log first
    const k = testKey('ES256')
    const { createStatusAnchorEntry } = await import('../../src/core/registry/create.ts')
    const stranger = await createStatusAnchorEntry({ issuer: { did: 'did:web:fake.example', kid: 'k', signer: k.signer }, uri: 'https://fake.example/s', version: 1, statusListToken: 't', iat: nowSeconds(), ttl: 60 })
    expect((await post(R, stranger)).json.error.code).toBe('ERR_LEDGER_WRONG_LOG')
    for (const entry of [world.accreditation, await createKeyChangeEntry({ signer: world.psb, subject: PSB, action: 'add', kid: 'key-9', jwk: testKey('ES256').signer.publicJwk, iat: nowSeconds() })]) {
      const toStatus = await post(S, entry)
      expect(toStatus.status).toBe(422)
      expect(toStatus.json.error.code).toBe('ERR_LEDGER_WRONG_LOG')
    }
    expect([decodeUtf8((await get(R, 'checkpoint')).bytes), decodeUtf8((await get(S, 'checkpoint')).bytes)]).toEqual(before)
  })

  it('answers the old single-log paths with 404, and a bad list name with 400', async () => {
    for (const path of ['checkpoint', 'tile/0/000.p/1', 'tile/entries/000.p/1', 'proof/0', 'anchor/aHR0cHM', 'registry/anchor/aHR0cHM6Ly9wc2IuZ292LmV4YW1wbGUvc3RhdHVzLzE']) {
      const r = await get(ledger.url, path)
      expect([path, r.status]).toEqual([path, 404])
      expect(r.headers.get('access-control-allow-origin')).toBe('*')
    }
    const old = await post(ledger.url, world.accreditation)
    expect(old.status).toBe(404)
    for (const name of ['aHR0cHM6Ly9wc2IuZ292LmV4YW1wbGUvc3RhdHVzLzE=', 'aHR0cHM6Ly9wc2IuZ292LmV4YW1wbGUvc3RhdHVzLzE%3D', 'a+b/', 'x'.repeat(4097), '_w']) {
      const r = await get(S, `anchor/${name}`)
      expect([name.slice(0, 20), r.status]).toEqual([name.slice(0, 20), 400])
      expect(JSON.parse(decodeUtf8(r.bytes)).error.code).toMatch(/^ERR_(B64|UTF8|HTTP)_/)
    }
  })

  it('serves tiles (full ones immutable), and a tlog-proof that verifies offline', async () => {
    const p = await get(S, 'proof/2')
    expect(p.status).toBe(200)
    const bundle = await get(S, 'tile/entries/000.p/3')
    expect(bundle.status).toBe(200)
    expect(bundle.headers.get('cache-control')).toContain('max-age')
    const anchor2 = (await get(S, 'tile/entries/000.p/3')).bytes
    expect(anchor2.length).toBeGreaterThan(100)
    // the entry at index 2 is whatever anchor got index 2; find it in the bundle
    const entries: Uint8Array[] = []
    for (let o = 0; o < anchor2.length;) {
      const n = (anchor2[o]! << 8) | anchor2[o + 1]!
      entries.push(anchor2.subarray(o + 2, o + 2 + n))
      o += 2 + n
    }
    const v = verifyTlogProof(p.bytes, { entry: entries[2]! }, world.statusPolicy, nowSeconds())
    expect(v).toMatchObject({ ok: true, value: { index: 2 } })
    expect(verifyTlogProof(p.bytes, { entry: entries[1]! }, world.statusPolicy, nowSeconds()).ok).toBe(false)
    expect(verifyTlogProof(p.bytes, { entry: entries[2]! }, world.registryPolicy, nowSeconds()).ok).toBe(false)
    expect((await get(S, 'proof/99')).status).toBe(404)
    expect((await get(S, 'tile/entries/000.p/5')).status).toBe(404)
    expect((await get(S, 'tile/0/x/1')).status).toBe(404)
    expect((await get(R, 'proof/0')).status).toBe(200)
    expect((await get(R, 'proof/1')).status).toBe(404)
  })

  it('answers a list\'s latest published anchor by its URI, with a proof that verifies against the status log', async () => {
    const uri = 'https://psb.gov.example/status/1'
    const r = await get(S, `anchor/${Buffer.from(uri).toString('base64url')}`)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('application/json')
    expect(r.headers.get('cache-control')).toBe('no-cache')
    expect(r.headers.get('access-control-allow-origin')).toBe('*')
    const a = JSON.parse(decodeUtf8(r.bytes))
    expect(Object.keys(a).sort()).toEqual(['entry', 'index', 'proof'])
    const entry = new Uint8Array(Buffer.from(a.entry, 'base64url'))
    expect(parseEntry(entry)).toMatchObject({ type: 'status-anchor', uri, version: 3 })
    expect(verifyTlogProof(a.proof, { entry }, world.statusPolicy, nowSeconds())).toMatchObject({ ok: true, value: { index: a.index, checkpoint: { checkpoint: { size: 3 } } } })
    // a newer version takes its place once published
    const v4 = await post(S, await world.anchor(uri, 4))
    const b = JSON.parse(decodeUtf8((await get(S, `anchor/${Buffer.from(uri).toString('base64url')}`)).bytes))
    expect(b.index).toBe(v4.json.index)
    expect(parseEntry(new Uint8Array(Buffer.from(b.entry, 'base64url')))).toMatchObject({ version: 4 })
    const none = await get(S, `anchor/${Buffer.from('https://psb.gov.example/status/none').toString('base64url')}`)
    expect(none.status).toBe(404)
    expect(JSON.parse(decodeUtf8(none.bytes)).error.code).toBe('ERR_LEDGER_NOT_FOUND')
  })

  it('an admitted anchor still waiting for its witnesses does not hide the published one', async () => {
    const uri = 'https://psb.gov.example/status/hold'
    await post(S, await world.anchor(uri, 1))
    const name = `anchor/${Buffer.from(uri).toString('base64url')}`
    const published = JSON.parse(decodeUtf8((await get(S, name)).bytes))
    // hold the next batch at the storage's stage step while we read
    const storage = ledger.status.storage
    const stage = storage.stage.bind(storage)
    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    let staged!: () => void
    const reached = new Promise<void>((r) => (staged = r))
    storage.stage = async (b) => {
      staged()
      await held
      return stage(b)
    }
    try {
      const pending = post(S, await world.anchor(uri, 2))
      await reached
      const during = JSON.parse(decodeUtf8((await get(S, name)).bytes))
      expect(during).toEqual(published)
      release()
      expect((await pending).status).toBe(200)
    } finally {
      storage.stage = stage
      release()
    }
    const after = JSON.parse(decodeUtf8((await get(S, name)).bytes))
    expect(after.index).toBeGreaterThan(published.index)
  })

  it('is verified whole, both logs, by the auditor command over HTTP', async () => {
    const v = await verifyLedger(ledger.url, { registryKeys: [world.vkeys.registry], statusKeys: [world.vkeys.status], witnessKeys: world.witnesses.map((w) => w.verifierKey), quorum: 2 }, nowSeconds())
    expect(v).toMatchObject({ ok: true, value: { registry: { size: 1 }, status: { size: await checkpointSize() } } })
  })

  it.each([
    ['malformed JSON', async () => encodeUtf8('{"not":"a jws"'), 400, 'ERR_JWS_MALFORMED'],
    ['an unsigned (alg none) anchor', async () => {
      const h = Buffer.from('{"alg":"none","typ":"civic-status-anchor+jwt"}').toString('base64url')
      const p = Buffer.from(JSON.stringify({ iss: 'did:web:psb.gov.example', uri: 'https://psb.gov.example/status/1', version: 9, digest: 'x', iat: nowSeconds(), ttl: 1 })).toString('base64url')
      return encodeUtf8(`${h}.${p}.`)
    }, 400, undefined],
    ['a replayed version', async () => world.anchor('https://psb.gov.example/status/1', 4), 409, 'ERR_REG_REPLAY'],
    ['a lower version', async () => world.anchor('https://psb.gov.example/status/1', 2), 409, 'ERR_REG_VERSION_NOT_INCREASING'],
    ['an entry one byte over 65,535', async () => new Uint8Array(65_536).fill(0x41), 413, 'ERR_LEDGER_BODY_TOO_LARGE'],
    ['a 10 MB body', async () => new Uint8Array(10 * 1024 * 1024).fill(0x41), 413, 'ERR_LEDGER_BODY_TOO_LARGE'],
    ['an empty body', async () => new Uint8Array(0), 413, 'ERR_LEDGER_BODY_TOO_LARGE'],
  ] as const)('refuses %s with its code and changes nothing', async (_name, make, status, code) => {
    const before = await get(S, 'checkpoint')
    const r = await post(S, await make())
    expect(r.status).toBe(status)
    if (code) expect(r.json.error.code).toBe(code)
    else expect(r.json.error.code).toMatch(/^ERR_/)
    const after = await get(S, 'checkpoint')
    expect(decodeUtf8(after.bytes)).toBe(decodeUtf8(before.bytes))
  })

  it('refuses an anchor by an issuer the registry does not know', async () => {
    const { createStatusAnchorEntry } = await import('../../src/core/registry/create.ts')
    const { testKey } = await import('../support/keys.ts')
    const k = testKey('ES256')
    const e = await createStatusAnchorEntry({ issuer: { did: 'did:web:fake.example', kid: 'k', signer: k.signer }, uri: 'https://fake.example/s', version: 1, statusListToken: 't', iat: nowSeconds(), ttl: 60 })
    const r = await post(S, e)
    expect(r.status).toBe(403)
    expect(r.json.error.code).toMatch(/^ERR_REG_/)
  })

  it('batches many writers into few checkpoints', async () => {
    const before = await checkpointSize()
    const uris = Array.from({ length: 40 }, (_, i) => `https://psb.gov.example/status/b${i}`)
    const entries = await Promise.all(uris.map((u) => world.anchor(u, 1)))
    // Count the storage's batch writes and checkpoint publications while the 40 arrive at once.
    const storage = ledger.status.storage
    const calls = { stage: 0, publish: 0 }
    const stage = storage.stage.bind(storage)
    const publish = storage.publishCheckpoint.bind(storage)
    storage.stage = (b) => (calls.stage++, stage(b))
    storage.publishCheckpoint = (n) => (calls.publish++, publish(n))
    let r
    try {
      r = await Promise.all(entries.map((e) => post(S, e)))
    } finally {
      storage.stage = stage
      storage.publishCheckpoint = publish
    }
    expect(r.every((x) => x.status === 200)).toBe(true)
    expect(new Set(r.map((x) => x.json.index)).size).toBe(40)
    expect(await checkpointSize()).toBe(before + 40)
    expect(calls.publish).toBeGreaterThanOrEqual(1)
    expect(calls.stage).toBe(calls.publish)
    expect(calls.publish).toBeLessThan(40)
  })

  it('a second sequencer on the same data refuses to start', async () => {
    await expect(world.start()).rejects.toMatchObject({ code: 'ERR_LEDGER_LOCKED' })
  })

  it('a read-only server serves the same tree without the lock', async () => {
    const ro = await startLedger({ dataDir: join(world.dir, 'ledger'), config: world.config, readOnly: true })
    try {
      for (const log of ['registry', 'status']) {
        const a = await get(`${ro.url}${log}/`, 'checkpoint')
        const b = await get(`${ledger.url}${log}/`, 'checkpoint')
        expect(decodeUtf8(a.bytes)).toBe(decodeUtf8(b.bytes))
      }
      expect((await post(registryUrl(ro), world.accreditation)).json.error.code).toBe('ERR_LEDGER_UNAVAILABLE')
      expect((await post(statusUrl(ro), await world.anchor('https://psb.gov.example/status/ro', 1))).json.error.code).toBe('ERR_LEDGER_UNAVAILABLE')
      // its anchor index, built from storage at open, follows the checkpoint as it grows
      const uri = 'https://psb.gov.example/status/ro'
      const name = `anchor/${Buffer.from(uri).toString('base64url')}`
      expect((await get(statusUrl(ro), name)).status).toBe(404)
      const first = await post(S, await world.anchor(uri, 1))
      const a = JSON.parse(decodeUtf8((await get(statusUrl(ro), name)).bytes))
      expect(a.index).toBe(first.json.index)
      expect(verifyTlogProof(a.proof, { entry: new Uint8Array(Buffer.from(a.entry, 'base64url')) }, world.statusPolicy, nowSeconds()).ok).toBe(true)
      const second = await post(S, await world.anchor(uri, 2))
      expect(JSON.parse(decodeUtf8((await get(statusUrl(ro), name)).bytes)).index).toBe(second.json.index)
      const listed = JSON.parse(decodeUtf8((await get(statusUrl(ro), `anchor/${Buffer.from('https://psb.gov.example/status/1').toString('base64url')}`)).bytes))
      expect(parseEntry(new Uint8Array(Buffer.from(listed.entry, 'base64url')))).toMatchObject({ version: 4 })
    } finally {
      await ro.close()
    }
  })

  it('keeps going with 2 of 3 witnesses, refuses with 503 and changes nothing below quorum', async () => {
    await world.witnesses[2]!.close()
    const ok = await post(S, await world.anchor('https://psb.gov.example/status/q', 1))
    expect(ok.status).toBe(200)
    const size = await checkpointSize()
    await world.witnesses[1]!.close()
    const r = await post(S, await world.anchor('https://psb.gov.example/status/q', 2))
    expect(r.status).toBe(503)
    expect(r.json.error.code).toBe('ERR_LEDGER_UNAVAILABLE')
    expect(await checkpointSize()).toBe(size)
  })

  it('rate-limits a flood from one issuer', async () => {
    const w = await makeWorld({ witnesses: 0, quorum: 0 })
    try {
      const l = await w.start({ limits: { perIssuerPerSecond: 5 } })
      expect((await post(registryUrl(l), w.accreditation)).status).toBe(200)
      const floods = await Promise.all(Array.from({ length: 30 }, (_, i) => w.anchor(`https://psb.gov.example/status/f${i}`, 1)))
      const r = await Promise.all(floods.map((e) => post(statusUrl(l), e)))
      const limited = r.filter((x) => x.status === 429)
      expect(limited.length).toBeGreaterThan(0)
      expect(limited[0]!.json.error.code).toBe('ERR_LEDGER_RATE_LIMITED')
      expect(r.filter((x) => x.status === 200).length).toBeGreaterThan(0)
    } finally {
      await w.cleanup()
    }
  })

  it('reopens with the same tree after a clean stop', async () => {
    const w = await makeWorld({ witnesses: 1, quorum: 1 })
    try {
      const l = await w.start()
      await post(registryUrl(l), w.accreditation)
      await post(statusUrl(l), await w.anchor('https://psb.gov.example/status/r', 1))
      const before = [decodeUtf8((await get(registryUrl(l), 'checkpoint')).bytes), decodeUtf8((await get(statusUrl(l), 'checkpoint')).bytes)]
      await l.close()
      const again = await w.start()
      const after = [decodeUtf8((await get(registryUrl(again), 'checkpoint')).bytes), decodeUtf8((await get(statusUrl(again), 'checkpoint')).bytes)]
      expect(after.map((n) => n.split('\n').slice(0, 3))).toEqual(before.map((n) => n.split('\n').slice(0, 3)))
      expect((await post(statusUrl(again), await w.anchor('https://psb.gov.example/status/r', 1))).json.error.code).toBe('ERR_REG_REPLAY')
      expect((await post(statusUrl(again), await w.anchor('https://psb.gov.example/status/r', 2))).json.index).toBe(1)
      // the anchor index was rebuilt from the stored log
      const a = JSON.parse(decodeUtf8((await get(statusUrl(again), `anchor/${Buffer.from('https://psb.gov.example/status/r').toString('base64url')}`)).bytes))
      expect(a.index).toBe(1)
    } finally {
      await w.cleanup()
    }
  })
})

describe('ledger: registry facts govern the status log', () => {
  it('a key revoked in the registry log voids it for the status log, also for anchors in flight; the new key anchors', async () => {
    const w = await makeWorld()
    try {
      const l = await w.start()
      expect((await post(registryUrl(l), w.accreditation)).status).toBe(200)
      const next = testKey('ES256')
      const add = await createKeyChangeEntry({ signer: w.psb, subject: PSB, action: 'add', kid: 'key-2', jwk: next.signer.publicJwk, iat: nowSeconds() })
      expect((await post(registryUrl(l), add)).status).toBe(200)
      const revoke = await createKeyChangeEntry({ signer: { did: PSB, kid: 'key-2', signer: next.signer }, subject: PSB, action: 'revoke', kid: 'key-1', iat: nowSeconds() })
      const anchors = await Promise.all(Array.from({ length: 40 }, (_, i) => w.anchor(`https://psb.gov.example/status/race${i}`, 1)))
      const bodies = [...anchors.slice(0, 20), revoke, ...anchors.slice(20)]
      const answers = await Promise.all(bodies.map((b, i) => post(i === 20 ? registryUrl(l) : statusUrl(l), b)))
      expect(answers[20]!.status).toBe(200)
      for (const [i, a] of answers.entries()) {
        if (i === 20 || a.status === 200) continue
        expect(a.status).toBe(403)
        expect(a.json.error.code).toMatch(/^ERR_REG_KEY_REVOKED$|^ERR_JWS_KEY_UNKNOWN$/)
      }
      // once the revocation is in, no anchor signed with the revoked key gets into the status log
      const late = await post(statusUrl(l), await w.anchor('https://psb.gov.example/status/late', 1))
      expect([late.status, late.json.error?.code]).toEqual([403, 'ERR_REG_KEY_REVOKED'])
      const { createStatusAnchorEntry } = await import('../../src/core/registry/create.ts')
      const withNew = await createStatusAnchorEntry({ issuer: { did: PSB, kid: 'key-2', signer: next.signer }, uri: 'https://psb.gov.example/status/late', version: 1, statusListToken: 't', iat: nowSeconds(), ttl: 600 })
      expect((await post(statusUrl(l), withNew)).status).toBe(200)
    } finally {
      await w.cleanup()
    }
  })

  it('an issuer suspended in the registry log can anchor no more (ERR_REG_ISSUER_SUSPENDED), counted from its admission', async () => {
    const w = await makeWorld({ witnesses: 1, quorum: 1 })
    try {
      const l = await w.start()
      expect((await post(registryUrl(l), w.accreditation)).status).toBe(200)
      expect((await post(statusUrl(l), await w.anchor('https://psb.gov.example/status/s', 1))).status).toBe(200)
      const { createSuspensionEntry } = await import('../../src/core/registry/create.ts')
      const suspension = await createSuspensionEntry({ root: w.root, subject: PSB, revokes: 'urn:civic:accreditation:psb:1', iat: nowSeconds() })
      // the suspension is admitted (the registry tip) while its batch waits at the stage step
      const storage = l.registry.storage
      const stage = storage.stage.bind(storage)
      let release!: () => void
      const held = new Promise<void>((r) => (release = r))
      let staged!: () => void
      const reached = new Promise<void>((r) => (staged = r))
      storage.stage = async (b) => {
        staged()
        await held
        return stage(b)
      }
      try {
        const pending = post(registryUrl(l), suspension)
        await reached
        const refused = await post(statusUrl(l), await w.anchor('https://psb.gov.example/status/s', 2))
        expect([refused.status, refused.json.error?.code]).toEqual([403, 'ERR_REG_ISSUER_SUSPENDED'])
        release()
        expect((await pending).status).toBe(200)
      } finally {
        storage.stage = stage
        release()
      }
      const after = await post(statusUrl(l), await w.anchor('https://psb.gov.example/status/s', 3))
      expect(after.json.error.code).toBe('ERR_REG_ISSUER_SUSPENDED')
      // and after a restart, which folds the registry again
      await l.close()
      const again = await w.start()
      expect((await post(statusUrl(again), await w.anchor('https://psb.gov.example/status/s', 4))).json.error.code).toBe('ERR_REG_ISSUER_SUSPENDED')
      expect(again.status.sequencer?.size).toBe(1)
    } finally {
      await w.cleanup()
    }
  })
})

describe('ledger: a status tree staged but not yet published when the ledger starts', () => {
  it('is not shown by the anchor lookup until published, yet its anchors count for the versions', async () => {
    const w = await makeWorld({ witnesses: 1, quorum: 1 })
    try {
      const uri = 'https://psb.gov.example/status/staged'
      const name = `anchor/${Buffer.from(uri).toString('base64url')}`
      const l = await w.start()
      await post(registryUrl(l), w.accreditation)
      expect((await post(statusUrl(l), await w.anchor(uri, 1))).json.index).toBe(0)
      // the witness goes away: the next batch is staged (durable) but cannot be published
      await w.witnesses[0]!.close()
      expect((await post(statusUrl(l), await w.anchor(uri, 2))).status).toBe(503)
      await l.close()
      // restarted while the witness is still away: the staged tree is adopted, not published
      const again = await w.start({ refreshSeconds: 1 })
      expect(again.status.sequencer?.size).toBe(1)
      const shown = JSON.parse(decodeUtf8((await get(statusUrl(again), name)).bytes))
      expect(shown.index).toBe(0)
      expect(verifyTlogProof(shown.proof, { entry: new Uint8Array(Buffer.from(shown.entry, 'base64url')) }, w.statusPolicy, nowSeconds()).ok).toBe(true)
      // version 2 is sequenced already: it cannot be anchored a second time
      const replay = await post(statusUrl(again), await w.anchor(uri, 2))
      expect([replay.status, replay.json.error?.code]).toEqual([409, 'ERR_REG_REPLAY'])
      // the witness returns (same key, same address); the next refresh publishes the staged tree
      const back = await createWitnessServer({
        dataDir: join(w.dir, 'witness-0'), name: 'witness-0.civic.test',
        logs: [{ origin: w.registryPolicy.origin, vkey: w.vkeys.registry }, { origin: w.statusPolicy.origin, vkey: w.vkeys.status }],
      })
      try {
        await back.listen(Number(new URL(w.witnessUrls[0]!).port), '127.0.0.1')
        const deadline = Date.now() + 20_000
        while ((again.status.sequencer?.size ?? 0) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
        expect(again.status.sequencer?.size).toBe(2)
        const now = JSON.parse(decodeUtf8((await get(statusUrl(again), name)).bytes))
        expect(now.index).toBe(1)
        expect(parseEntry(new Uint8Array(Buffer.from(now.entry, 'base64url')))).toMatchObject({ version: 2 })
        expect((await post(statusUrl(again), await w.anchor(uri, 3))).json.index).toBe(2)
      } finally {
        await again.close()
        await back.close()
      }
    } finally {
      await w.cleanup()
    }
  })
})
