// The ledger on PostgreSQL (the scale-out backend) against a real throwaway server: both logs in
// one database, appends answered once committed and witnessed, a stateless read-only server on
// the same database serving the same trees (and the anchor index, built from the stored status
// log), a second sequencer refused, a restart keeping both trees; and the status log refusing a
// suspended issuer's anchor through the HTTP door.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { decodeUtf8 } from '../../src/core/bytes/utf8.ts'
import { verifyTlogProof } from '../../src/core/log/proof.ts'
import { createSuspensionEntry } from '../../src/core/registry/create.ts'
import { startLedger } from '../../src/ledger/service.ts'
import { verifyLedger } from '../../src/cli/log-verify.ts'
import { logVerifierKey, writeLedgerConfig } from '../../src/ledger/config.ts'
import { mkdirSync } from 'node:fs'
import { freshDatabase, withAdmin, type TestDatabase } from '../support/pg.ts'
import { PROJECT_ROOT } from '../support/vectors.ts'
import { get, makeWorld, nowSeconds, post, PSB, registryUrl, statusUrl, type World } from './_ledger.ts'

let world: World
let db: TestDatabase

beforeAll(async () => {
  db = await freshDatabase('ledger')
  world = await makeWorld({ witnesses: 2, quorum: 2 })
})
afterAll(async () => {
  await world.cleanup()
  await db.drop().catch(() => {})
})

describe('ledger on PostgreSQL', () => {
  it('carries both logs in one database, serves read-only replicas, refuses a second sequencer, and survives a restart', async () => {
    const seq = await world.start({ postgresUrl: db.url() })
    expect((await post(registryUrl(seq), world.accreditation)).json.index).toBe(0)
    const r = await Promise.all([1, 2, 3].map(async (i) => post(statusUrl(seq), await world.anchor(`https://psb.gov.example/status/pg${i}`, 1))))
    expect(r.map((x) => x.status)).toEqual([200, 200, 200])
    const rows = await withAdmin(db.server, async (c) => (await c.query<{ r: number; s: number }>(
      "SELECT (SELECT size FROM registry_checkpoint)::int AS r, (SELECT size FROM status_checkpoint)::int AS s")).rows, db.name)
    expect(rows).toEqual([{ r: 1, s: 3 }])

    const replica = await startLedger({ dataDir: join(world.dir, 'ledger'), config: world.config, postgresUrl: db.url(), readOnly: true })
    try {
      for (const log of ['registry', 'status']) {
        expect(decodeUtf8((await get(`${replica.url}${log}/`, 'checkpoint')).bytes)).toBe(decodeUtf8((await get(`${seq.url}${log}/`, 'checkpoint')).bytes))
      }
      const v = await verifyLedger(replica.url, { registryKeys: [world.vkeys.registry], statusKeys: [world.vkeys.status], witnessKeys: world.witnesses.map((w) => w.verifierKey), quorum: 2 }, nowSeconds())
      expect(v).toMatchObject({ ok: true, value: { registry: { size: 1 }, status: { size: 3 } } })
      const a = JSON.parse(decodeUtf8((await get(statusUrl(replica), `anchor/${Buffer.from('https://psb.gov.example/status/pg2').toString('base64url')}`)).bytes))
      expect(verifyTlogProof(a.proof, { entry: new Uint8Array(Buffer.from(a.entry, 'base64url')) }, world.statusPolicy, nowSeconds())).toMatchObject({ ok: true, value: { index: a.index } })
    } finally {
      await replica.close()
    }
    await expect(world.start({ postgresUrl: db.url() })).rejects.toMatchObject({ code: 'ERR_LEDGER_LOCKED' })
    await seq.close()

    const again = await world.start({ postgresUrl: db.url() })
    expect(again.registry.sequencer?.size).toBe(1)
    expect(again.status.sequencer?.size).toBe(3)
    // a suspended issuer can anchor no more
    const suspension = await createSuspensionEntry({ root: world.root, subject: PSB, revokes: 'urn:civic:accreditation:psb:1', iat: nowSeconds() })
    expect((await post(registryUrl(again), suspension)).json.index).toBe(1)
    const refused = await post(statusUrl(again), await world.anchor('https://psb.gov.example/status/pg1', 2))
    expect(refused.status).toBe(403)
    expect(refused.json.error.code).toBe('ERR_REG_ISSUER_SUSPENDED')
    expect(again.status.sequencer?.size).toBe(3)
    expect(again.registry.sequencer?.size).toBe(2)
  })

  it('civic ledger info describes a ledger (both logs) in one JSON line, and refuses a directory with none', async () => {
    const dir = join(world.dir, 'info')
    mkdirSync(dir)
    await writeLedgerConfig(dir, { ...world.rawConfig, url: 'http://127.0.0.1:9/' })
    const info = (d: string) => spawnSync(process.execPath, [join(PROJECT_ROOT, 'src/cli/bin.mjs'), 'ledger', 'info', '--data', d], { encoding: 'utf8', timeout: 60_000 })
    const r = info(dir)
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout)).toStrictEqual({
      name: world.config.name,
      registry: { origin: `${world.config.name}/registry`, vkey: logVerifierKey(world.config, 'registry') },
      status: { origin: `${world.config.name}/status`, vkey: logVerifierKey(world.config, 'status') },
      root: world.root.did, witnesses: world.witnesses.map((w) => w.verifierKey), quorum: 2, url: 'http://127.0.0.1:9/',
    })
    const none = info(join(world.dir, 'nothing'))
    expect(none.status).toBe(2)
    expect(JSON.parse(none.stderr.split('\n')[0]!)).toMatchObject({ ok: false, code: 'ERR_LEDGER_CONFIG' })
  })
})
