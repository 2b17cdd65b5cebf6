// ledger.json (format 2: a registry log and a status log) is read with the kernel's shape
// reader: exactly its members, each of its kind, every problem ERR_LEDGER_CONFIG; a format-1
// file or a data directory laid out as one log is refused with a message saying what to do.
import { describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateNoteKeys, SIG_TYPE_COSIGNATURE_V1 } from '../../src/core/log/note.ts'
import { CivicError, InputError } from '../../src/core/errors.ts'
import { formatLedgerConfig, logVerifierKey, newLedgerConfig, parseLedgerConfig, readLedgerConfig, writeLedgerConfig } from '../../src/ledger/config.ts'
import { startLedger } from '../../src/ledger/service.ts'
import { seededRandom } from '../support/keys.ts'

const NAME = 'ledger.civic.test'
const ROOT = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK'
const base = newLedgerConfig(NAME, ROOT)
const witness = { url: 'http://127.0.0.1:1/', vkey: generateNoteKeys('w.civic.test', SIG_TYPE_COSIGNATURE_V1, seededRandom(3)).verifierKey }
const good = { ...base, witnesses: [witness], quorum: 1 }
const other = newLedgerConfig(NAME, ROOT)

const codeOf = (f: () => unknown): unknown => {
  try {
    f()
  } catch (e) {
    return e
  }
  return null
}

describe('parseLedgerConfig', () => {
  it('reads a config with two logs, with or without its url', () => {
    const c = parseLedgerConfig(JSON.stringify(good))
    expect(c).toMatchObject({ version: 2, name: NAME, registry: { origin: `${NAME}/registry` }, status: { origin: `${NAME}/status` }, quorum: 1, witnesses: [witness] })
    expect(logVerifierKey(c, 'registry')).toMatch(new RegExp(`^${NAME}/registry\\+`))
    expect(logVerifierKey(c, 'status')).toMatch(new RegExp(`^${NAME}/status\\+`))
    expect(logVerifierKey(c, 'registry')).not.toBe(logVerifierKey(c, 'status').replace('/status', '/registry'))
    expect(parseLedgerConfig(JSON.stringify({ ...good, url: 'http://127.0.0.1:8080/' })).url).toBe('http://127.0.0.1:8080/')
    expect(parseLedgerConfig(formatLedgerConfig(c))).toMatchObject({ name: NAME, registry: c.registry, status: c.status })
  })

  it.each<[string, unknown]>([
    ['an unknown member', { ...good, rateLimit: 5 }],
    ['a witness with an unknown member', { ...good, witnesses: [{ ...witness, name: 'w' }] }],
    ['a witness without vkey', { ...good, witnesses: [{ url: witness.url }] }],
    ['name missing', { ...good, name: undefined }],
    ['name empty', { ...good, name: '' }],
    ['version 3', { ...good, version: 3 }],
    ['version missing', { ...good, version: undefined }],
    ['the status log missing', { ...good, status: undefined }],
    ['a log with an unknown member', { ...good, status: { ...good.status, size: 0 } }],
    ['the status origin not <name>/status', { ...good, status: { ...good.status, origin: `${NAME}/other` } }],
    ['the registry key named for the status log', { ...good, registry: { origin: `${NAME}/registry`, logKey: good.status.logKey } }],
    ['both logs under one origin', { ...good, status: good.registry }],
    ['a log key that is not a signer key', { ...good, registry: { ...good.registry, logKey: 'x' } }],
    ['quorum fractional', { ...good, quorum: 0.5 }],
    ['quorum above the witnesses', { ...good, quorum: 2 }],
    ['url not a string', { ...good, url: 8080 }],
    ['witnesses not a list', { ...good, witnesses: {} }],
    ['not an object', [good]],
  ])('%s → ERR_LEDGER_CONFIG', (_, v) => {
    const e = codeOf(() => parseLedgerConfig(JSON.stringify(v)))
    expect(e).toBeInstanceOf(CivicError)
    expect(e).not.toBeInstanceOf(InputError)
    expect(e).toMatchObject({ code: 'ERR_LEDGER_CONFIG' })
  })

  it('refuses a format-1 file (one origin and log key) with what it is and what to do', () => {
    const v1 = { origin: NAME, logKey: generateNoteKeys(NAME, undefined, seededRandom(5)).signerKey, root: ROOT, witnesses: [], quorum: 0 }
    const e = codeOf(() => parseLedgerConfig(JSON.stringify(v1)))
    expect(e).toMatchObject({ code: 'ERR_LEDGER_CONFIG' })
    expect((e as CivicError).detail).toMatch(/single-log ledger from before the registry and status logs were apart/)
    expect((e as CivicError).detail).toMatch(/Start from an empty data directory/)
  })

  it('two new ledgers of one name have different keys', () => {
    expect(other.registry.logKey).not.toBe(base.registry.logKey)
  })
})

describe('a data directory from before the two logs', () => {
  it('is refused by readLedgerConfig and startLedger: log/, a top-level checkpoint or tile/', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'civic-ledger-old-'))
    try {
      for (const old of ['log', 'checkpoint', 'tile']) {
        const d = join(dir, old + '-case')
        mkdirSync(d)
        await writeLedgerConfig(d, good)
        if (old === 'checkpoint') writeFileSync(join(d, 'checkpoint'), 'civic.test/ledger\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n')
        else mkdirSync(join(d, old, 'tile'), { recursive: true })
        const e = await readLedgerConfig(d).catch((x: unknown) => x)
        expect(e).toMatchObject({ code: 'ERR_LEDGER_CONFIG' })
        expect((e as CivicError).detail).toMatch(/single-log ledger from before the registry and status logs were apart.*Start from an empty data directory/s)
        const s = await startLedger({ dataDir: d, config: parseLedgerConfig(JSON.stringify(good)), refreshSeconds: 0 }).catch((x: unknown) => x)
        expect(s).toMatchObject({ code: 'ERR_LEDGER_CONFIG' })
      }
      // a format-1 file in the directory itself
      const v1dir = join(dir, 'v1')
      mkdirSync(v1dir)
      writeFileSync(join(v1dir, 'ledger.json'), JSON.stringify({ origin: NAME, logKey: generateNoteKeys(NAME, undefined, seededRandom(6)).signerKey, root: ROOT, witnesses: [], quorum: 0 }))
      expect(await readLedgerConfig(v1dir).catch((x: unknown) => x)).toMatchObject({ code: 'ERR_LEDGER_CONFIG' })
      // an empty one is a new ledger
      mkdirSync(join(dir, 'new'))
      expect(await readLedgerConfig(join(dir, 'new'))).toBeNull()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
