// The ledger on PostgreSQL (the scale-out backend) against a real throwaway server: appends
// answered once committed and witnessed, a stateless read-only server on the same database
// serving the same tree, a second sequencer refused, a restart keeping the tree; and the
// registry refusing a suspended issuer's anchor through the HTTP door.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { decodeUtf8 } from '../../src/core/bytes/utf8.ts'
import { createSuspensionEntry } from '../../src/core/registry/create.ts'
import { startLedger } from '../../src/ledger/service.ts'
import { verifyLog } from '../../src/cli/log-verify.ts'
import { logVerifierKey, writeLedgerConfig } from '../../src/ledger/config.ts'
import { mkdirSync } from 'node:fs'
import { freshDatabase, type TestDatabase } from '../support/pg.ts'
import { PROJECT_ROOT } from '../support/vectors.ts'
import { get, makeWorld, nowSeconds, post, PSB, type World } from './_ledger.ts'

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
  it('sequences, serves read-only replicas, refuses a second sequencer, and survives a restart', async () => {
    const seq = await world.start({ postgresUrl: db.url() })
    expect((await post(seq.url, world.accreditation)).json.index).toBe(0)
    const r = await Promise.all([1, 2, 3].map(async (i) => post(seq.url, await world.anchor(`https://psb.gov.example/status/pg${i}`, 1))))
    expect(r.map((x) => x.status)).toEqual([200, 200, 200])

    const replica = await startLedger({ dataDir: join(world.dir, 'ledger'), config: world.config, postgresUrl: db.url(), readOnly: true })
    try {
      expect(decodeUtf8((await get(replica.url, 'checkpoint')).bytes)).toBe(decodeUtf8((await get(seq.url, 'checkpoint')).bytes))
      const v = await verifyLog(replica.url, { origin: world.config.origin, logKeys: [logVerifierKey(world.config)], witnessKeys: world.witnesses.map((w) => w.verifierKey), quorum: 2 }, nowSeconds())
      expect(v).toMatchObject({ ok: true, value: { size: 4 } })
    } finally {
      await replica.close()
    }
    await expect(world.start({ postgresUrl: db.url() })).rejects.toMatchObject({ code: 'ERR_LEDGER_LOCKED' })
    await seq.close()

    const again = await world.start({ postgresUrl: db.url() })
    expect(again.sequencer?.size).toBe(4)
    // a suspended issuer can anchor no more
    const suspension = await createSuspensionEntry({ root: world.root, subject: PSB, revokes: 'urn:civic:accreditation:psb:1', iat: nowSeconds() })
    expect((await post(again.url, suspension)).json.index).toBe(4)
    const refused = await post(again.url, await world.anchor('https://psb.gov.example/status/pg1', 2))
    expect(refused.status).toBe(403)
    expect(refused.json.error.code).toBe('ERR_REG_ISSUER_SUSPENDED')
    expect(again.sequencer?.size).toBe(5)
  })

  it('civic ledger info describes a ledger in one JSON line, and refuses a directory with none', async () => {
    const dir = join(world.dir, 'info')
    mkdirSync(dir)
    await writeLedgerConfig(dir, { ...world.rawConfig, url: 'http://127.0.0.1:9/' })
    const info = (d: string) => spawnSync(process.execPath, [join(PROJECT_ROOT, 'src/cli/bin.mjs'), 'ledger', 'info', '--data', d], { encoding: 'utf8', timeout: 60_000 })
    const r = info(dir)
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout)).toStrictEqual({
      origin: world.config.origin, vkey: logVerifierKey(world.config), root: world.root.did,
      witnesses: world.witnesses.map((w) => w.verifierKey), quorum: 2, url: 'http://127.0.0.1:9/',
    })
    const none = info(join(world.dir, 'nothing'))
    expect(none.status).toBe(2)
    expect(JSON.parse(none.stderr.split('\n')[0]!)).toMatchObject({ ok: false, code: 'ERR_LEDGER_CONFIG' })
  })
})
