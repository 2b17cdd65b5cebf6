import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../support/keys.ts'
import { CivicError } from '../../../src/core/errors.ts'
import { generateNoteKeys, parseNote, SIG_TYPE_COSIGNATURE_V1, SIG_TYPE_ED25519 } from '../../../src/core/log/note.ts'
import { parseLogPolicy, verifyCheckpointNote } from '../../../src/core/log/policy.ts'
import { cosign, NOW, TESSERA_ORIGIN, TESSERA_VKEY, tesseraFiles, ToyLog, witnesses } from './_fixtures.ts'
import { codeOf } from '../../support/codes.ts'

const files = tesseraFiles()
const tessera = new TextDecoder().decode(files.get('checkpoint')!)
const ws = witnesses(4)
const [w0, w1, w2, stranger] = ws as [typeof ws[0], typeof ws[0], typeof ws[0], typeof ws[0]]
const policy = parseLogPolicy({ origin: TESSERA_ORIGIN, logKeys: [TESSERA_VKEY], witnessKeys: [w0.verifierKey, w1.verifierKey, w2.verifierKey], quorum: 2 })

describe('verifyCheckpointNote: log signature and k-of-n witnesses', () => {
  it('accepts the Tessera checkpoint with two of three witnesses', () => {
    const r = verifyCheckpointNote(cosign(tessera, [w0.signer, w2.signer]), policy, NOW)
    expect(r.ok).toBe(true)
    if (r.ok) {
      expect(r.value.checkpoint).toMatchObject({ origin: TESSERA_ORIGIN, size: 15 })
      expect(r.value.cosigners.map((c) => c.name)).toEqual([w0.name, w2.name])
      expect(r.value.cosigners[0]!.timestampSeconds).toBe(NOW)
      expect(r.value.noteText).toBe(cosign(tessera, [w0.signer, w2.signer]))
    }
  })

  it('accepts bytes as well as text, and quorum 0 needs no witness', () => {
    const none = parseLogPolicy({ origin: TESSERA_ORIGIN, logKeys: [TESSERA_VKEY] })
    expect(verifyCheckpointNote(files.get('checkpoint')!, none, NOW).ok).toBe(true)
  })

  const bad = (s: string, find: string, repl: string): string => {
    if (!s.includes(find)) throw new Error(`fixture: ${find} not found`)
    return s.replace(find, repl)
  }
  /** Change one base64 character inside the signature bytes (length and padding unchanged). */
  const corrupt = (line: string): string => {
    const i = line.length - 20
    return line.slice(0, i) + (line[i] === 'A' ? 'B' : 'A') + line.slice(i + 1)
  }
  const w1line = (): string => cosign(tessera, [w0.signer, w1.signer]).split('\n').find((l) => l.startsWith(`— ${w1.name} `))!
  it.each([
    ['one witness of the two required', () => cosign(tessera, [w1.signer]), 'ERR_LOG_QUORUM_NOT_MET'],
    ['no witness at all', () => tessera, 'ERR_LOG_QUORUM_NOT_MET'],
    ['an unknown witness does not count', () => cosign(tessera, [w0.signer, stranger.signer]), 'ERR_LOG_QUORUM_NOT_MET'],
    ['the same witness twice counts once', () => {
      const once = cosign(tessera, [w0.signer])
      const line = once.split('\n').find((l) => l.startsWith(`— ${w0.name} `))!
      return once + line + '\n'
    }, 'ERR_LOG_QUORUM_NOT_MET'],
    ['a broken cosignature does not count', () => {
      return cosign(tessera, [w0.signer]) + corrupt(w1line()) + '\n'
    }, 'ERR_LOG_QUORUM_NOT_MET'],
    ['a witness named like a configured one with another key', () => cosign(tessera, [w0.signer]) + w1line().replace(w1.name, stranger.name) + '\n', 'ERR_LOG_QUORUM_NOT_MET'],
    ['a future cosignature does not count', () => cosign(tessera, [w0.signer, witnesses(3, 7, () => NOW + 86400)[1]!.signer]), 'ERR_LOG_QUORUM_NOT_MET'],
    ['another origin', () => cosign(new ToyLog().append(3).checkpoint(), [w0.signer, w1.signer]), 'ERR_LOG_ORIGIN_MISMATCH'],
    ['only witnesses, no log signature', () => {
      const n = parseNote(cosign(tessera, [w0.signer, w1.signer]))
      return n.text + '\n' + cosign(tessera, [w0.signer, w1.signer]).split('\n\n')[1]!.split('\n').filter((l) => !l.startsWith(`— ${TESSERA_ORIGIN} `)).join('\n')
    }, 'ERR_NOTE_UNVERIFIED'],
    ['log signature broken', () => bad(cosign(tessera, [w0.signer, w1.signer]), 'M9e0luh4jTG+', 'M9e0luh4jTG/'), 'ERR_NOTE_SIGNATURE_INVALID'],
    ['body changed after signing', () => bad(cosign(tessera, [w0.signer, w1.signer]), '\n15\n', '\n16\n'), 'ERR_NOTE_SIGNATURE_INVALID'],
    ['CRLF', () => cosign(tessera, [w0.signer, w1.signer]).replaceAll('\n', '\r\n'), 'ERR_NOTE_MALFORMED'],
    ['missing blank line', () => cosign(tessera, [w0.signer, w1.signer]).replace('\n\n', '\n'), 'ERR_NOTE_MALFORMED'],
    ['leading zero in size', () => bad(tessera, '\n15\n', '\n015\n'), 'ERR_LOG_CHECKPOINT_MALFORMED'],
    ['too many signatures', () => cosign(tessera, [w0.signer, w1.signer]) + '— x AAAAAAE=\n'.repeat(100), 'ERR_NOTE_TOO_MANY_SIGNATURES'],
  ] as const)('%s → %s', (_, make, code) => {
    expect(verifyCheckpointNote(make(), policy, NOW)).toMatchObject({ ok: false, code })
  })

  it('the clock is required by name: omitting it is a type error and a TypeError; \'no-clock\' opts out', () => {
    const future = cosign(tessera, [w0.signer, witnesses(3, 7, () => NOW + 86400)[1]!.signer])
    // @ts-expect-error `now` is required (seconds, or 'no-clock')
    expect(() => verifyCheckpointNote(future, policy)).toThrow(TypeError)
    // @ts-expect-error an explicit undefined is no clock either
    expect(() => verifyCheckpointNote(future, policy, undefined)).toThrow(TypeError)
    // @ts-expect-error nor is a misspelt opt-out
    expect(() => verifyCheckpointNote(future, policy, 'no clock')).toThrow(TypeError)
    expect(() => verifyCheckpointNote(future, policy, Number.NaN)).toThrow(TypeError)
    expect(verifyCheckpointNote(future, policy, NOW)).toMatchObject({ ok: false, code: 'ERR_LOG_QUORUM_NOT_MET' })
    const r = verifyCheckpointNote(future, policy, 'no-clock')
    expect(r.ok).toBe(true)
    if (r.ok) expect(r.value.cosigners.map((c) => c.timestampSeconds)).toEqual([NOW, NOW + 86400])
  })

  it('reports rejected cosignatures of configured witnesses while the quorum holds', () => {
    const note = cosign(tessera, [w0.signer, w2.signer]) + corrupt(w1line()) + '\n'
    const r = verifyCheckpointNote(note, policy, NOW)
    expect(r.ok).toBe(true)
    if (r.ok) expect(r.value.rejectedCosignatures).toEqual([expect.objectContaining({ name: w1.name, code: 'ERR_LOG_COSIGNATURE_INVALID' })])
  })
})

describe('parseLogPolicy', () => {
  const logKey = generateNoteKeys('l.example', SIG_TYPE_ED25519, seededRandom(1)).verifierKey
  const wKey = generateNoteKeys('w.example', SIG_TYPE_COSIGNATURE_V1, seededRandom(1)).verifierKey
  it.each([
    ['quorum above the witnesses', { origin: 'l.example', logKeys: [logKey], witnessKeys: [wKey], quorum: 2 }],
    ['negative quorum', { origin: 'l.example', logKeys: [logKey], witnessKeys: [wKey], quorum: -1 }],
    ['no log key', { origin: 'l.example', logKeys: [], witnessKeys: [wKey], quorum: 1 }],
    ['a witness key as log key', { origin: 'l.example', logKeys: [wKey] }],
    ['a log key as witness key', { origin: 'l.example', logKeys: [logKey], witnessKeys: [logKey], quorum: 1 }],
    ['empty origin', { origin: '', logKeys: [logKey] }],
    ['the same witness twice', { origin: 'l.example', logKeys: [logKey], witnessKeys: [wKey, wKey], quorum: 2 }],
    ['a malformed key', { origin: 'l.example', logKeys: [logKey.replace('+', '-')] }],
  ])('%s → ERR_NOTE_KEY_INVALID', (_, p) => {
    expect(codeOf(() => parseLogPolicy(p))).toBe('ERR_NOTE_KEY_INVALID')
  })
})
