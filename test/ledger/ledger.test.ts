// The ledger as issuers and auditors meet it: a real HTTP server on real fs storage, three
// real witnesses, registry rules at the door, batching, proofs that verify offline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { decodeUtf8, encodeUtf8 } from '../../src/core/bytes/utf8.ts'
import { verifyCheckpointNote } from '../../src/core/log/policy.ts'
import { verifyTlogProof } from '../../src/core/log/proof.ts'
import { startLedger, type LedgerService } from '../../src/ledger/service.ts'
import { verifyLog } from '../../src/cli/log-verify.ts'
import { logVerifierKey } from '../../src/ledger/config.ts'
import { createKeyChangeEntry } from '../../src/core/registry/create.ts'
import { testKey } from '../support/keys.ts'
import { get, makeWorld, nowSeconds, post, PSB, type World } from './_ledger.ts'

let world: World
let ledger: LedgerService

const checkpointSize = async () => {
  const c = await get(ledger.url, 'checkpoint')
  const v = verifyCheckpointNote(c.bytes, world.policy, nowSeconds())
  if (!v.ok) throw new Error(v.code)
  return v.value.checkpoint.size
}

beforeAll(async () => {
  world = await makeWorld()
  ledger = await world.start()
})
afterAll(async () => world.cleanup())

describe('ledger', () => {
  it('publishes a witnessed empty tree at once', async () => {
    const c = await get(ledger.url, 'checkpoint')
    expect(c.status).toBe(200)
    const v = verifyCheckpointNote(c.bytes, world.policy, nowSeconds())
    if (!v.ok) throw new Error(`${v.code}: ${v.detail}`)
    expect(v.value.checkpoint.size).toBe(0)
    expect(v.value.cosigners.length).toBe(3)
  })

  it('sequences an accreditation and anchors, each answered with its index once published', async () => {
    const a = await post(ledger.url, world.accreditation)
    expect(a).toEqual({ status: 200, json: { index: 0 } })
    const r = await Promise.all([1, 2, 3].map(async (v) => post(ledger.url, await world.anchor('https://psb.gov.example/status/1', v))))
    // one at a time they queue, in order of admission
    expect(r.map((x) => x.status)).toEqual([200, 200, 200])
    expect(r.map((x) => x.json.index).sort()).toEqual([1, 2, 3])
    expect(await checkpointSize()).toBe(4)
  })

  it('serves tiles (full ones immutable), and a tlog-proof that verifies offline', async () => {
    const p = await get(ledger.url, 'proof/2')
    expect(p.status).toBe(200)
    const bundle = await get(ledger.url, 'tile/entries/000.p/4')
    expect(bundle.status).toBe(200)
    expect(bundle.headers.get('cache-control')).toContain('max-age')
    const anchor2 = (await get(ledger.url, 'tile/entries/000.p/4')).bytes
    expect(anchor2.length).toBeGreaterThan(100)
    // the entry at index 2 is whatever anchor got index 2; find it in the bundle
    const entries: Uint8Array[] = []
    for (let o = 0; o < anchor2.length;) {
      const n = (anchor2[o]! << 8) | anchor2[o + 1]!
      entries.push(anchor2.subarray(o + 2, o + 2 + n))
      o += 2 + n
    }
    const v = verifyTlogProof(p.bytes, { entry: entries[2]! }, world.policy, nowSeconds())
    expect(v).toMatchObject({ ok: true, value: { index: 2 } })
    expect(verifyTlogProof(p.bytes, { entry: entries[1]! }, world.policy, nowSeconds()).ok).toBe(false)
    expect((await get(ledger.url, 'proof/99')).status).toBe(404)
    expect((await get(ledger.url, 'tile/entries/000.p/5')).status).toBe(404)
    expect((await get(ledger.url, 'tile/0/x/1')).status).toBe(404)
  })

  it('is verified whole by the auditor command over HTTP', async () => {
    const v = await verifyLog(ledger.url, { origin: world.config.origin, logKeys: [logVerifierKey(world.config)], witnessKeys: world.witnesses.map((w) => w.verifierKey), quorum: 2 }, nowSeconds())
    expect(v).toMatchObject({ ok: true, value: { size: 4 } })
  })

  it.each([
    ['malformed JSON', async () => encodeUtf8('{"not":"a jws"'), 400, 'ERR_JWS_MALFORMED'],
    ['an unsigned (alg none) anchor', async () => {
      const h = Buffer.from('{"alg":"none","typ":"civic-status-anchor+jwt"}').toString('base64url')
      const p = Buffer.from(JSON.stringify({ iss: 'did:web:psb.gov.example', uri: 'https://psb.gov.example/status/1', version: 9, digest: 'x', iat: nowSeconds(), ttl: 1 })).toString('base64url')
      return encodeUtf8(`${h}.${p}.`)
    }, 400, undefined],
    ['a replayed version', async () => world.anchor('https://psb.gov.example/status/1', 3), 409, 'ERR_REG_REPLAY'],
    ['a lower version', async () => world.anchor('https://psb.gov.example/status/1', 2), 409, 'ERR_REG_VERSION_NOT_INCREASING'],
    ['an entry one byte over 65,535', async () => new Uint8Array(65_536).fill(0x41), 413, 'ERR_LEDGER_BODY_TOO_LARGE'],
    ['a 10 MB body', async () => new Uint8Array(10 * 1024 * 1024).fill(0x41), 413, 'ERR_LEDGER_BODY_TOO_LARGE'],
    ['an empty body', async () => new Uint8Array(0), 413, 'ERR_LEDGER_BODY_TOO_LARGE'],
  ] as const)('refuses %s with its code and changes nothing', async (_name, make, status, code) => {
    const before = await get(ledger.url, 'checkpoint')
    const r = await post(ledger.url, await make())
    expect(r.status).toBe(status)
    if (code) expect(r.json.error.code).toBe(code)
    else expect(r.json.error.code).toMatch(/^ERR_/)
    const after = await get(ledger.url, 'checkpoint')
    expect(decodeUtf8(after.bytes)).toBe(decodeUtf8(before.bytes))
  })

  it('refuses an anchor by an issuer the registry does not know', async () => {
    const { createStatusAnchorEntry } = await import('../../src/core/registry/create.ts')
    const { testKey } = await import('../support/keys.ts')
    const k = testKey('ES256')
    const e = await createStatusAnchorEntry({ issuer: { did: 'did:web:fake.example', kid: 'k', signer: k.signer }, uri: 'https://fake.example/s', version: 1, statusListToken: 't', iat: nowSeconds(), ttl: 60 })
    const r = await post(ledger.url, e)
    expect(r.status).toBe(403)
    expect(r.json.error.code).toMatch(/^ERR_REG_/)
  })

  it('batches many writers into few checkpoints', async () => {
    const before = await checkpointSize()
    const uris = Array.from({ length: 40 }, (_, i) => `https://psb.gov.example/status/b${i}`)
    const entries = await Promise.all(uris.map((u) => world.anchor(u, 1)))
    // Count the storage's batch writes and checkpoint publications while the 40 arrive at once.
    const storage = ledger.storage
    const calls = { stage: 0, publish: 0 }
    const stage = storage.stage.bind(storage)
    const publish = storage.publishCheckpoint.bind(storage)
    storage.stage = (b) => (calls.stage++, stage(b))
    storage.publishCheckpoint = (n) => (calls.publish++, publish(n))
    let r
    try {
      r = await Promise.all(entries.map((e) => post(ledger.url, e)))
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
      const a = await get(ro.url, 'checkpoint')
      const b = await get(ledger.url, 'checkpoint')
      expect(decodeUtf8(a.bytes)).toBe(decodeUtf8(b.bytes))
      expect((await post(ro.url, world.accreditation)).json.error.code).toBe('ERR_LEDGER_UNAVAILABLE')
    } finally {
      await ro.close()
    }
  })

  it('keeps going with 2 of 3 witnesses, refuses with 503 and changes nothing below quorum', async () => {
    await world.witnesses[2]!.close()
    const ok = await post(ledger.url, await world.anchor('https://psb.gov.example/status/q', 1))
    expect(ok.status).toBe(200)
    const size = await checkpointSize()
    await world.witnesses[1]!.close()
    const r = await post(ledger.url, await world.anchor('https://psb.gov.example/status/q', 2))
    expect(r.status).toBe(503)
    expect(r.json.error.code).toBe('ERR_LEDGER_UNAVAILABLE')
    expect(await checkpointSize()).toBe(size)
  })

  it('rate-limits a flood from one issuer', async () => {
    const w = await makeWorld({ witnesses: 0, quorum: 0 })
    try {
      const l = await w.start({ limits: { perIssuerPerSecond: 5 } })
      expect((await post(l.url, w.accreditation)).status).toBe(200)
      const floods = await Promise.all(Array.from({ length: 30 }, (_, i) => w.anchor(`https://psb.gov.example/status/f${i}`, 1)))
      const r = await Promise.all(floods.map((e) => post(l.url, e)))
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
      await post(l.url, w.accreditation)
      await post(l.url, await w.anchor('https://psb.gov.example/status/r', 1))
      const before = decodeUtf8((await get(l.url, 'checkpoint')).bytes)
      await l.close()
      const again = await w.start()
      const after = decodeUtf8((await get(again.url, 'checkpoint')).bytes)
      expect(after.split('\n').slice(0, 3)).toEqual(before.split('\n').slice(0, 3))
      expect((await post(again.url, await w.anchor('https://psb.gov.example/status/r', 1))).json.error.code).toBe('ERR_REG_REPLAY')
      expect((await post(again.url, await w.anchor('https://psb.gov.example/status/r', 2))).json.index).toBe(2)
    } finally {
      await w.cleanup()
    }
  })
})

describe('ledger: a key revoked while anchors signed with it are in flight', () => {
  it('admits none of them after the revocation, and every refusal has a code', async () => {
    const w = await makeWorld()
    try {
      const l = await w.start()
      expect((await post(l.url, w.accreditation)).status).toBe(200)
      const next = testKey('ES256')
      const add = await createKeyChangeEntry({ signer: w.psb, subject: PSB, action: 'add', kid: 'key-2', jwk: next.signer.publicJwk, iat: nowSeconds() })
      expect((await post(l.url, add)).status).toBe(200)
      const revoke = await createKeyChangeEntry({ signer: { did: PSB, kid: 'key-2', signer: next.signer }, subject: PSB, action: 'revoke', kid: 'key-1', iat: nowSeconds() })
      const anchors = await Promise.all(Array.from({ length: 40 }, (_, i) => w.anchor(`https://psb.gov.example/status/race${i}`, 1)))
      const bodies = [...anchors.slice(0, 20), revoke, ...anchors.slice(20)]
      const answers = await Promise.all(bodies.map((b) => post(l.url, b)))
      const revoked = answers[20]!
      expect(revoked.status).toBe(200)
      const cut = revoked.json.index as number
      let admitted = 0
      for (const [i, a] of answers.entries()) {
        if (i === 20) continue
        if (a.status === 200) {
          expect(a.json.index).toBeLessThan(cut)
          admitted++
        } else {
          expect(a.status).toBe(403)
          expect(a.json.error.code).toMatch(/^ERR_REG_KEY_REVOKED$|^ERR_JWS_KEY_UNKNOWN$/)
        }
      }
      expect(admitted).toBeLessThan(40) // the revocation was not simply last
    } finally {
      await w.cleanup()
    }
  })
})
