// The issuer's data directory (src/issuer/store.ts, state.ts, config.ts): private keys mode
// 0600 in a 0700 directory, one process per directory, state that survives a restart and
// holds no citizen data after issuance, strict reading of what is on disk.
import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generatePrivateJwk } from '../../src/core/crypto/jwk.ts'
import { generateNoteKeys } from '../../src/core/log/note.ts'
import { initIssuer, IssuerService } from '../../src/issuer/service.ts'
import { parseIssuerConfig } from '../../src/issuer/config.ts'
import { LOCK_FILE } from '../../src/issuer/store.ts'
import { emptyState, formatIssuerState, parseIssuerState } from '../../src/issuer/state.ts'
import { allocateSlots, newList, setStatus } from '../../src/issuer/lists.ts'
import { signerFromPrivateJwk } from '../../src/core/crypto/keys.ts'
import { seededRandom } from '../support/keys.ts'
import { CITIZEN, PSB, PSB_NAME, STATUS_BASE, unreachableTrust } from './_world.ts'

const dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'civic-issuer-store-'))
  dirs.push(d)
  return d
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const trust = unreachableTrust()
const init = (dir: string, extra: object = {}) => initIssuer(dir, { did: PSB, name: PSB_NAME, statusListBase: STATUS_BASE, ledger: trust, publicUrl: 'http://127.0.0.1:1', ...extra })
const codeOf = (p: Promise<unknown>) => p.then(() => 'no error', (e) => (e as { code?: string }).code)

describe('issuer data directory', () => {
  it('keeps private keys 0600 in a 0700 directory, state 0600; refuses a second init', async () => {
    const d = tempDir()
    const r = await init(d)
    expect(r).toMatchObject({ did: PSB, kid: 'key-1', vct: ['urn:civic:resident-id'], statusListBase: STATUS_BASE })
    expect(r.jwk).not.toHaveProperty('d')
    expect(statSync(join(d, 'keys', 'key-1.jwk')).mode & 0o777).toBe(0o600)
    expect(statSync(join(d, 'keys')).mode & 0o777).toBe(0o700)
    expect(statSync(join(d, 'state.json')).mode & 0o777).toBe(0o600)
    expect(readFileSync(join(d, 'issuer.json'), 'utf8')).not.toMatch(/"d"/)
    expect(await codeOf(init(d))).toBe('ERR_ISSUER_CONFIG')
  })

  it('takes a given key, and refuses a non-P-256 one', async () => {
    const jwk = generatePrivateJwk('ES256')
    expect((await init(tempDir(), { privateJwk: jwk })).jwk.x).toBe(jwk.x)
    expect(await codeOf(init(tempDir(), { privateJwk: generatePrivateJwk('EdDSA') }))).toBe('ERR_ISSUER_CONFIG')
  })

  it('an init stopped before issuer.json was written is finished by the next, with the key it left', async () => {
    const d = tempDir()
    await init(d)
    const key = readFileSync(join(d, 'keys', 'key-1.jwk'), 'utf8')
    rmSync(join(d, 'issuer.json'))
    rmSync(join(d, 'state.json'))
    expect((await init(d)).jwk.x).toBe(JSON.parse(key).x)
    expect(readFileSync(join(d, 'keys', 'key-1.jwk'), 'utf8')).toBe(key)
    // a different key asked for is refused rather than written over the one left
    rmSync(join(d, 'issuer.json'))
    expect(await codeOf(init(d, { privateJwk: generatePrivateJwk('ES256') }))).toBe('ERR_ISSUER_CONFIG')
  })

  it('one process per directory; a stale lock is taken over', async () => {
    const d = tempDir()
    await init(d)
    const a = await IssuerService.open(d)
    expect(await codeOf(IssuerService.open(d))).toBe('ERR_ISSUER_LOCKED')
    await a.close()
    writeFileSync(join(d, LOCK_FILE), '999999999\n')
    const b = await IssuerService.open(d)
    await b.close()
  })

  it('a pending offer survives a restart; after issuance nothing about the citizen stays on disk', async () => {
    const d = tempDir()
    await init(d)
    const a = await IssuerService.open(d)
    const offer = await a.createOffer({ vct: 'urn:civic:resident-id', claims: CITIZEN, officer: 'PSB-1', txCode: false })
    expect(readFileSync(join(d, 'state.json'), 'utf8')).toContain('李伟')
    await a.close()

    const b = await IssuerService.open(d)
    const { accessToken } = await b.redeem({ code: offer.preAuthorizedCode, txCode: undefined, jkt: null })
    await b.close()
    const c = await IssuerService.open(d)
    const holders = Array.from({ length: 3 }, () => {
      const { d: _d, ...pub } = generatePrivateJwk('ES256')
      return pub
    })
    const copies = await c.issue({ accessToken, configurationId: 'resident-id', holderKeys: holders })
    expect(copies).toHaveLength(3)
    await c.close()

    const text = readFileSync(join(d, 'state.json'), 'utf8')
    for (const s of ['李伟', '1990-05-01', '成都', '武侯', holders[0]!.x, offer.preAuthorizedCode, accessToken]) expect(text).not.toContain(s)
    const e = await IssuerService.open(d)
    expect(e.credential(offer.credentialId)).toMatchObject({ status: 'valid', officer: 'PSB-1', vct: 'urn:civic:resident-id' })
    expect(e.credential(offer.credentialId).copies).toHaveLength(3)
    expect(e.lists()[0]).toMatchObject({ size: 131_072, bits: 2, allocated: 3, changed: true, version: 0 })
    await e.close()
  })

  it('round-trips a state with a large published token (5,000 seeded-random revocations)', async () => {
    const l = newList(1, STATUS_BASE, 131_072, 2)
    const slots = allocateSlots([l], 5_000, { base: STATUS_BASE, size: 131_072, bits: 2, random: seededRandom(11) })
    setStatus([l], slots, 1)
    const { createStatusListToken } = await import('../../src/core/status/token.ts')
    const { StatusList } = await import('../../src/core/status/list.ts')
    const key = signerFromPrivateJwk(generatePrivateJwk('ES256'))
    const token = await createStatusListToken({ list: StatusList.fromBytes(l.statuses, 2), uri: l.uri, iat: 1, signer: key })
    expect(token.length).toBeGreaterThan(4096)
    l.published = { version: 1, token, digest: 'x', iat: 1, exp: 2, ttl: 1, kid: 'key-1', seq: l.changeSeq, index: 0, inclusionVerified: true, inclusionError: null, checkpointSize: 1 }
    const state = { ...emptyState('key-1', 1), lists: [l] }
    const back = parseIssuerState(new TextDecoder().decode(formatIssuerState(state)))
    expect(back).toEqual(state)
  })

  it('refuses a state file that does not parse, rather than guess', async () => {
    const d = tempDir()
    await init(d)
    const state = JSON.parse(readFileSync(join(d, 'state.json'), 'utf8'))
    state.credentials.__proto__x = {}
    writeFileSync(join(d, 'state.json'), JSON.stringify({ ...state, extra: 1 }))
    expect(await codeOf(IssuerService.open(d))).toBe('ERR_ISSUER_STORAGE')
    writeFileSync(join(d, 'state.json'), '{"version":1')
    expect(await codeOf(IssuerService.open(d))).toBe('ERR_ISSUER_STORAGE')
  })

  it('reads issuer.json strictly', () => {
    const good = JSON.parse(readFileSync(join(dirs[0]!, 'issuer.json'), 'utf8'))
    expect(parseIssuerConfig(good).did).toBe(PSB)
    const bad = (m: (c: any) => void) => {
      const c = structuredClone(good)
      m(c)
      try {
        parseIssuerConfig(c)
        return 'no error'
      } catch (e) {
        return (e as { code: string }).code
      }
    }
    expect(bad((c) => (c.listSize = 65_536))).toBe('ERR_ISSUER_CONFIG') // herd privacy floor
    expect(bad((c) => (c.statusListBase = 'http://psb.gov.example/status/'))).toBe('ERR_ISSUER_CONFIG')
    expect(bad((c) => (c.statusListBase = 'https://psb.gov.example/'))).toBe('ERR_ISSUER_CONFIG')
    expect(bad((c) => (c.statusListBase = 'https://psb.gov.example/token/'))).toBe('ERR_ISSUER_CONFIG')
    expect(bad((c) => (c.did = 'did:key:z6Mk'))).toBe('ERR_ISSUER_CONFIG')
    expect(bad((c) => (c.batchSize = 1))).toBe('ERR_ISSUER_CONFIG')
    expect(bad((c) => (c.ledger.quorum = 1))).toBe('ERR_ISSUER_CONFIG') // more than the 0 witnesses
    expect(bad((c) => (c.unknown = true))).toBe('ERR_ISSUER_CONFIG')
    // the two logs: each its own origin and key, both present, nothing else in the ledger member
    expect(bad((c) => (c.ledger.status.origin = c.ledger.registry.origin))).toBe('ERR_ISSUER_CONFIG')
    expect(bad((c) => (c.ledger.status.logKeys = c.ledger.registry.logKeys))).toBe('ERR_ISSUER_CONFIG')
    expect(bad((c) => (c.ledger.status.logKeys = []))).toBe('ERR_ISSUER_CONFIG')
    expect(bad((c) => delete c.ledger.status)).toBe('ERR_ISSUER_CONFIG')
    expect(bad((c) => (c.ledger.registry.extra = 1))).toBe('ERR_ISSUER_CONFIG')
    // a log key whose name is not its log's origin
    expect(bad((c) => ([c.ledger.registry.logKeys, c.ledger.status.logKeys] = [c.ledger.status.logKeys, c.ledger.registry.logKeys]))).toBe('ERR_ISSUER_CONFIG')
  })

  it('refuses an issuer.json made for a single-log ledger, saying what it is and what to do', async () => {
    const d = tempDir()
    await init(d)
    const now = JSON.parse(readFileSync(join(d, 'issuer.json'), 'utf8'))
    expect(now.version).toBe(2)
    expect(Object.keys(now.ledger)).toEqual(['url', 'registry', 'status', 'witnessKeys', 'quorum'])
    // issuer.json as an office made before registry and status were apart wrote it
    const single = { origin: 'civic.test/ledger', logKeys: [generateNoteKeys('civic.test/ledger').verifierKey] }
    const old = { ...now, version: 1, ledger: { url: now.ledger.url, ...single, witnessKeys: [], quorum: 0 } }
    writeFileSync(join(d, 'issuer.json'), JSON.stringify(old, null, 2))
    const e = await IssuerService.open(d).then(() => null, (x: unknown) => x as { code: string; detail: string })
    expect(e?.code).toBe('ERR_ISSUER_CONFIG')
    expect(e?.detail).toMatch(/^issuer\.json is version 1: it was made for a single-log ledger, from before registry and status were apart/)
    expect(e?.detail).toContain('Make the office anew in an empty data directory')
    expect(e?.detail).toContain('--registry-vkey <key> --status-vkey <key>')
    // nothing was taken: a fixed file opens
    writeFileSync(join(d, 'issuer.json'), JSON.stringify(now, null, 2))
    await (await IssuerService.open(d)).close()
    // the single-log ledger member in a version 2 file says the same
    expect(() => parseIssuerConfig({ ...now, ledger: { url: now.ledger.url, ...single, witnessKeys: [], quorum: 0 } })).toThrow(/ledger names one log \(origin, logKeys\): it was made for a single-log ledger/)
  })
})
