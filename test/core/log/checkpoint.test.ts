import { describe, expect, it } from 'vitest'
import { CivicError } from '../../../src/core/errors.ts'
import { formatCheckpoint, parseCheckpoint } from '../../../src/core/log/checkpoint.ts'
import { EMPTY_ROOT } from '../../../src/core/log/merkle.ts'
import { parseNote } from '../../../src/core/log/note.ts'
import { TESSERA_ORIGIN, tesseraFiles } from './_fixtures.ts'
import { codeOf } from '../../support/codes.ts'

const ROOT = 'rKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs='
const GOOD = `${TESSERA_ORIGIN}\n15\n${ROOT}\n`

describe('tlog-checkpoint body', () => {
  it('parses every checkpoint of the Tessera log', () => {
    const files = tesseraFiles()
    for (let size = 0; size <= 15; size++) {
      const cp = parseCheckpoint(parseNote(files.get(`checkpoint.${size}`)!).text)
      expect(cp).toMatchObject({ origin: TESSERA_ORIGIN, size, extensions: [] })
      expect(cp.rootHash).toHaveLength(32)
      expect(formatCheckpoint(cp)).toBe(parseNote(files.get(`checkpoint.${size}`)!).text)
    }
    expect(parseCheckpoint(parseNote(files.get('checkpoint.0')!).text).rootHash).toEqual(EMPTY_ROOT)
  })

  it('keeps extension lines, opaque', () => {
    const cp = parseCheckpoint(GOOD + 'ext one\n— not a signature\n')
    expect(cp.extensions).toEqual(['ext one', '— not a signature'])
    expect(formatCheckpoint(cp)).toBe(GOOD + 'ext one\n— not a signature\n')
  })

  it.each([
    ['no final newline', GOOD.slice(0, -1), 'ERR_LOG_CHECKPOINT_MALFORMED'],
    ['two lines', `${TESSERA_ORIGIN}\n15\n`, 'ERR_LOG_CHECKPOINT_MALFORMED'],
    ['empty origin', `\n15\n${ROOT}\n`, 'ERR_LOG_CHECKPOINT_MALFORMED'],
    ['empty extension line', GOOD + '\n', 'ERR_LOG_CHECKPOINT_MALFORMED'],
    ['leading zero in size', `${TESSERA_ORIGIN}\n015\n${ROOT}\n`, 'ERR_LOG_CHECKPOINT_MALFORMED'],
    ['size 00', `${TESSERA_ORIGIN}\n00\n${ROOT}\n`, 'ERR_LOG_CHECKPOINT_MALFORMED'],
    ['plus sign in size', `${TESSERA_ORIGIN}\n+15\n${ROOT}\n`, 'ERR_LOG_CHECKPOINT_MALFORMED'],
    ['negative size', `${TESSERA_ORIGIN}\n-1\n${ROOT}\n`, 'ERR_LOG_CHECKPOINT_MALFORMED'],
    ['hex size', `${TESSERA_ORIGIN}\n0xf\n${ROOT}\n`, 'ERR_LOG_CHECKPOINT_MALFORMED'],
    ['size with a space', `${TESSERA_ORIGIN}\n15 \n${ROOT}\n`, 'ERR_LOG_CHECKPOINT_MALFORMED'],
    ['size 1e3', `${TESSERA_ORIGIN}\n1e3\n${ROOT}\n`, 'ERR_LOG_CHECKPOINT_MALFORMED'],
    ['size 2^64 - 1', `${TESSERA_ORIGIN}\n18446744073709551615\n${ROOT}\n`, 'ERR_LOG_SIZE_UNSUPPORTED'],
    ['size 2^53', `${TESSERA_ORIGIN}\n9007199254740992\n${ROOT}\n`, 'ERR_LOG_SIZE_UNSUPPORTED'],
    ['root of 31 bytes', `${TESSERA_ORIGIN}\n15\n${Buffer.alloc(31).toString('base64')}\n`, 'ERR_LOG_CHECKPOINT_MALFORMED'],
    ['root unpadded', `${TESSERA_ORIGIN}\n15\n${ROOT.slice(0, -1)}\n`, 'ERR_LOG_CHECKPOINT_MALFORMED'],
    ['root in base64url', `${TESSERA_ORIGIN}\n15\n${ROOT.replace('/', '_')}\n`, 'ERR_LOG_CHECKPOINT_MALFORMED'],
    ['root with non-zero trailing bits', `${TESSERA_ORIGIN}\n15\n${ROOT.slice(0, -2)}t=\n`, 'ERR_LOG_CHECKPOINT_MALFORMED'],
    ['root in hex', `${TESSERA_ORIGIN}\n15\n${Buffer.from(ROOT, 'base64').toString('hex')}\n`, 'ERR_LOG_CHECKPOINT_MALFORMED'],
    ['CRLF', GOOD.replaceAll('\n', '\r\n'), 'ERR_LOG_CHECKPOINT_MALFORMED'],
  ])('%s', (_, text, code) => {
    expect(codeOf(() => parseCheckpoint(text))).toBe(code)
  })

  it('formatCheckpoint refuses bodies that would not parse back', () => {
    expect(codeOf(() => formatCheckpoint({ origin: 'a\nb', size: 1, rootHash: EMPTY_ROOT, extensions: [] }))).toBe('ERR_LOG_CHECKPOINT_MALFORMED')
    expect(codeOf(() => formatCheckpoint({ origin: 'a', size: 1, rootHash: EMPTY_ROOT, extensions: [''] }))).toBe('ERR_LOG_CHECKPOINT_MALFORMED')
    expect(() => formatCheckpoint({ origin: 'a', size: -1, rootHash: EMPTY_ROOT, extensions: [] })).toThrow(RangeError)
  })
})
