// ledger.json is read with the kernel's shape reader: exactly its members, each of its kind,
// every problem ERR_LEDGER_CONFIG.
import { describe, expect, it } from 'vitest'
import { generateNoteKeys, SIG_TYPE_COSIGNATURE_V1 } from '../../src/core/log/note.ts'
import { CivicError, InputError } from '../../src/core/errors.ts'
import { newLedgerConfig, parseLedgerConfig } from '../../src/ledger/config.ts'
import { seededRandom } from '../support/keys.ts'

const ORIGIN = 'ledger.civic.test'
const base = newLedgerConfig(ORIGIN, 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK')
const witness = { url: 'http://127.0.0.1:1/', vkey: generateNoteKeys('w.civic.test', SIG_TYPE_COSIGNATURE_V1, seededRandom(3)).verifierKey }
const good = { ...base, witnesses: [witness], quorum: 1 }

describe('parseLedgerConfig', () => {
  it('reads a config, with or without its url', () => {
    expect(parseLedgerConfig(JSON.stringify(good))).toMatchObject({ origin: ORIGIN, quorum: 1, witnesses: [witness] })
    expect(parseLedgerConfig(JSON.stringify({ ...good, url: 'http://127.0.0.1:8080/' })).url).toBe('http://127.0.0.1:8080/')
  })

  it.each<[string, unknown]>([
    ['an unknown member', { ...good, rateLimit: 5 }],
    ['a witness with an unknown member', { ...good, witnesses: [{ ...witness, name: 'w' }] }],
    ['a witness without vkey', { ...good, witnesses: [{ url: witness.url }] }],
    ['origin missing', { ...good, origin: undefined }],
    ['origin empty', { ...good, origin: '' }],
    ['quorum fractional', { ...good, quorum: 0.5 }],
    ['quorum above the witnesses', { ...good, quorum: 2 }],
    ['url not a string', { ...good, url: 8080 }],
    ['witnesses not a list', { ...good, witnesses: {} }],
    ['not an object', [good]],
  ])('%s → ERR_LEDGER_CONFIG', (_, v) => {
    let e: unknown
    try {
      parseLedgerConfig(JSON.stringify(v))
    } catch (x) {
      e = x
    }
    expect(e).toBeInstanceOf(CivicError)
    expect(e).not.toBeInstanceOf(InputError)
    expect(e).toMatchObject({ code: 'ERR_LEDGER_CONFIG' })
  })
})
