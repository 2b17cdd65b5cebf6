import { describe, expect, it } from 'vitest'
import { CivicError } from '../../../src/core/errors.ts'
import { LightClient, MAX_EVIDENCE, emptyLightClientState, parseLightClientState, type LightClientState } from '../../../src/core/log/light-client.ts'
import { proveConsistency } from '../../../src/core/log/merkle.ts'
import { parseNote } from '../../../src/core/log/note.ts'
import { parseLogPolicy, verifyCheckpointNote } from '../../../src/core/log/policy.ts'
import { tileHashReader } from '../../../src/core/log/tiles.ts'
import { cosign, fetcherFrom, NOW, TESSERA_ORIGIN, TESSERA_VKEY, tesseraFiles, ToyLog, witnesses } from './_fixtures.ts'
import { codeOf } from '../../support/codes.ts'

const ws = witnesses(4)
const [w0, w1, w2, stranger] = ws as [typeof ws[0], typeof ws[0], typeof ws[0], typeof ws[0]]
const log = new ToyLog().append(20)
/** The same key signing another history: what a forking log would publish. */
const forked = new ToyLog().append(8)
forked.append(12, 'other')
const policy = parseLogPolicy({ origin: log.origin, logKeys: [log.verifierKey], witnessKeys: [w0.verifierKey, w1.verifierKey, w2.verifierKey], quorum: 2 })
const tesseraPolicy = parseLogPolicy({ origin: TESSERA_ORIGIN, logKeys: [TESSERA_VKEY], witnessKeys: [w0.verifierKey, w1.verifierKey, w2.verifierKey], quorum: 2 })

/** Log-signed and cosigned by w0 and w1. */
const cp = (size: number, from: ToyLog = log): string => from.checkpoint(size, [w0.signer, w1.signer])

function client(trustedSize?: number): LightClient {
  const c = new LightClient([policy, tesseraPolicy])
  if (trustedSize !== undefined) expect(c.update(cp(trustedSize), [], NOW).ok).toBe(true)
  return c
}

describe('LightClient: moving forward', () => {
  it('trusts the first checkpoint of an origin on its signatures, then moves only with consistency proofs', async () => {
    const c = client()
    expect(c.update(cp(5), [], NOW)).toMatchObject({ ok: true, value: { origin: log.origin, size: 5, changed: true } })
    expect(c.trusted(log.origin)).toMatchObject({ size: 5, checkpointNote: cp(5) })
    expect(c.update(cp(12), await log.consistency(5, 12), NOW)).toMatchObject({ ok: true, value: { size: 12, changed: true } })
    expect(c.update(cp(12), [], NOW)).toMatchObject({ ok: true, value: { size: 12, changed: false } })
    expect(c.update(cp(20), await log.consistency(12, 20), NOW)).toMatchObject({ ok: true, value: { size: 20 } })
    expect(c.trusted(log.origin)!.size).toBe(20)
    expect(c.evidence).toEqual([])
  })

  it('moves from a trusted empty tree without a proof', () => {
    const c = client(0)
    expect(c.update(cp(3), [], NOW)).toMatchObject({ ok: true, value: { size: 3 } })
  })

  it('follows the Tessera log checkpoint by checkpoint with proofs computed from its tiles', async () => {
    const files = tesseraFiles()
    const c = new LightClient([tesseraPolicy])
    const read = tileHashReader(15, fetcherFrom(files))
    let prev = 0
    for (let size = 0; size <= 15; size++) {
      const note = cosign(files.get(`checkpoint.${size}`)!, [w1.signer, w2.signer])
      const proof = prev === 0 || prev === size ? [] : await proveConsistency(prev, size, read)
      expect(c.update(note, proof, NOW)).toMatchObject({ ok: true, value: { size } })
      prev = size
    }
    const stale = cosign(files.get('checkpoint.3')!, [w1.signer, w2.signer])
    expect(c.update(stale, [], NOW)).toMatchObject({ ok: false, code: 'ERR_LOG_MISBEHAVIOUR' })
    expect(c.evidence).toEqual([expect.objectContaining({ kind: 'rollback', origin: TESSERA_ORIGIN })])
  })
})

describe('LightClient: misbehaviour is refused and kept as evidence', () => {
  it('rollback: a validly signed smaller tree', async () => {
    const c = client(12)
    expect(c.update(cp(7), [], NOW)).toMatchObject({ ok: false, code: 'ERR_LOG_MISBEHAVIOUR' })
    expect(c.trusted(log.origin)!.size).toBe(12)
    const [e] = c.evidence
    expect(e).toMatchObject({ kind: 'rollback', origin: log.origin, trustedNote: cp(12), offeredNote: cp(7), consistencyProof: [], observedAtSeconds: NOW })
    // The evidence stands on its own: both notes verify under the policy.
    expect(verifyCheckpointNote(e!.trustedNote, policy, NOW).ok).toBe(true)
    expect(verifyCheckpointNote(e!.offeredNote, policy, NOW).ok).toBe(true)
  })

  it('fork: the same size with another root', () => {
    const c = client(12)
    expect(c.update(cp(12, forked), [], NOW)).toMatchObject({ ok: false, code: 'ERR_LOG_MISBEHAVIOUR' })
    expect(c.evidence).toEqual([expect.objectContaining({ kind: 'fork', trustedNote: cp(12), offeredNote: cp(12, forked) })])
    expect(c.trusted(log.origin)!.checkpointNote).toBe(cp(12))
  })

  it('fork: a larger tree of another history, with the proof its log offers', async () => {
    const c = client(12)
    const proof = await forked.consistency(12, 20)
    expect(c.update(cp(20, forked), proof, NOW)).toMatchObject({ ok: false, code: 'ERR_LOG_MISBEHAVIOUR' })
    expect(c.evidence).toEqual([expect.objectContaining({ kind: 'inconsistent', offeredNote: cp(20, forked), consistencyProof: proof.map((h) => Buffer.from(h).toString('base64')) })])
  })

  it.each([
    ['no proof', async () => []],
    ['a proof for other sizes', async () => log.consistency(11, 20)],
    ['a proof with one hash changed', async () => (await log.consistency(12, 20)).map((h, i) => (i === 0 ? h.map((b) => b ^ 1) : h))],
  ])('a genuine larger checkpoint with %s is not proven consistent', async (_, proof) => {
    const c = client(12)
    expect(c.update(cp(20), await proof(), NOW)).toMatchObject({ ok: false, code: 'ERR_LOG_MISBEHAVIOUR' })
    expect(c.evidence[0]).toMatchObject({ kind: 'inconsistent' })
    expect(c.trusted(log.origin)!.size).toBe(12)
  })

  it('needs the clock or the named opt-out; evidence is dated only with a clock', () => {
    const c = client(12)
    // @ts-expect-error `now` is required (seconds, or 'no-clock')
    expect(() => c.update(cp(12), [])).toThrow(TypeError)
    expect(c.update(cp(7), [], 'no-clock')).toMatchObject({ ok: false, code: 'ERR_LOG_MISBEHAVIOUR' })
    expect(c.evidence[0]!.observedAtSeconds).toBeUndefined()
    const dated = client(12)
    dated.update(cp(7), [], NOW)
    expect(dated.evidence[0]!.observedAtSeconds).toBe(NOW)
  })

  it('keeps one copy of the same evidence, and at most MAX_EVIDENCE', () => {
    const c = client(19)
    for (let i = 0; i < 3; i++) c.update(cp(7), [], NOW)
    expect(c.evidence).toHaveLength(1)
    for (const pair of [[w0, w1], [w0, w2], [w1, w2]]) {
      for (const from of [log, forked]) for (let size = 1; size < 19; size++) c.update(from.checkpoint(size, pair.map((w) => w.signer)), [], NOW)
    }
    expect(c.evidence).toHaveLength(MAX_EVIDENCE)
    // The newest are kept.
    expect(c.evidence.at(-1)).toMatchObject({ offeredNote: forked.checkpoint(18, [w1.signer, w2.signer]) })
  })
})

describe('LightClient: refusals that are not misbehaviour leave no evidence', () => {
  const tessera = new TextDecoder().decode(tesseraFiles().get('checkpoint')!)
  it.each([
    ['missing quorum (one witness)', () => log.checkpoint(15, [w0.signer]), 'ERR_LOG_QUORUM_NOT_MET'],
    ['no witness', () => log.checkpoint(15), 'ERR_LOG_QUORUM_NOT_MET'],
    ['an unknown witness does not count', () => log.checkpoint(15, [w0.signer, stranger.signer]), 'ERR_LOG_QUORUM_NOT_MET'],
    ['a rollback without quorum', () => log.checkpoint(3, [w0.signer]), 'ERR_LOG_QUORUM_NOT_MET'],
    ['wrong origin (a log nobody configured)', () => new ToyLog('example.net/unknown', 3).append(15).checkpoint(15, [w0.signer, w1.signer]), 'ERR_LOG_ORIGIN_MISMATCH'],
    ['the right origin signed by another key', () => new ToyLog(log.origin, 99).append(15).checkpoint(15, [w0.signer, w1.signer]), 'ERR_NOTE_UNVERIFIED'],
    ['a forged rollback (log signature broken)', () => {
      const n = cp(3)
      const i = n.indexOf(`— ${log.origin} `) + log.origin.length + 12
      return n.slice(0, i) + (n[i] === 'A' ? 'B' : 'A') + n.slice(i + 1)
    }, 'ERR_NOTE_SIGNATURE_INVALID'],
    ['CRLF', () => cp(15).replaceAll('\n', '\r\n'), 'ERR_NOTE_MALFORMED'],
    ['missing blank line', () => cp(15).replace('\n\n', '\n'), 'ERR_NOTE_MALFORMED'],
    ['leading zeros in size', () => cp(15).replace('\n15\n', '\n015\n'), 'ERR_LOG_CHECKPOINT_MALFORMED'],
    ['too many signatures', () => cp(15) + '— x.example AAAAAAE=\n'.repeat(99), 'ERR_NOTE_TOO_MANY_SIGNATURES'],
    ['no signatures', () => parseNote(cp(15)).text + '\n', 'ERR_NOTE_MALFORMED'],
    ['a Tessera checkpoint without witnesses', () => tessera, 'ERR_LOG_QUORUM_NOT_MET'],
  ])('%s → %s', async (_, make, code) => {
    const c = client(12)
    const before = c.state
    expect(c.update(make(), await log.consistency(12, 15), NOW)).toMatchObject({ ok: false, code })
    expect(c.state).toEqual(before)
  })
})

describe('LightClient state', () => {
  it('is plain data that survives JSON and structured clone', async () => {
    const c = client(12)
    c.update(cp(7), [], NOW)
    const stored = JSON.parse(JSON.stringify(c.state)) as unknown
    expect(structuredClone(c.state)).toEqual(c.state)
    const again = new LightClient([policy], parseLightClientState(stored))
    expect(again.trusted(log.origin)).toEqual(c.trusted(log.origin))
    expect(again.evidence).toEqual(c.evidence)
    expect(again.update(cp(20), await log.consistency(12, 20), NOW)).toMatchObject({ ok: true, value: { size: 20 } })
    expect(again.update(cp(12), [], NOW)).toMatchObject({ ok: false, code: 'ERR_LOG_MISBEHAVIOUR' })
  })

  it('the state getter is a copy', () => {
    const c = client(12)
    const s = c.state
    s.logs[log.origin]!.size = 99
    expect(c.trusted(log.origin)!.size).toBe(12)
  })

  const good = (): LightClientState => client(12).state
  it.each([
    ['not an object', () => 'state'],
    ['another version', () => ({ ...good(), version: 2 })],
    ['no evidence list', () => ({ version: 1, logs: {} })],
    ['an unknown member', () => ({ ...good(), extra: true })],
    ['an unknown member in a trusted log', () => {
      const s = good()
      return { ...s, logs: { [log.origin]: { ...s.logs[log.origin]!, extra: 1 } } }
    }],
    ['a fractional size', () => {
      const s = good()
      s.logs[log.origin]!.size = 12.5
      return s
    }],
    ['a size that disagrees with the note', () => {
      const s = good()
      s.logs[log.origin]!.size = 13
      return s
    }],
    ['a root that disagrees with the note', () => {
      const s = good()
      s.logs[log.origin]!.rootHash = Buffer.alloc(32).toString('base64')
      return s
    }],
    ['a note that does not parse', () => {
      const s = good()
      s.logs[log.origin]!.checkpointNote = 'garbage'
      return s
    }],
    ['an entry under another origin key', () => {
      const s = good()
      return { ...s, logs: { 'other.example': s.logs[log.origin] } }
    }],
    ['evidence of an unknown kind', () => ({ ...good(), evidence: [{ kind: 'lies', origin: 'x', trustedNote: '', offeredNote: '', consistencyProof: [], detail: '' }] })],
  ])('%s → ERR_LOG_STATE_INVALID', (_, make) => {
    expect(codeOf(() => parseLightClientState(make()))).toBe('ERR_LOG_STATE_INVALID')
  })

  it('parses the empty state', () => {
    expect(parseLightClientState(emptyLightClientState())).toEqual(emptyLightClientState())
  })
})

describe('LightClient: the same tree with newer cosignatures (freshness forward only)', () => {
  const at = (t: number) => witnesses(3, 7, () => t)
  const noteAt = (size: number, t: number) => log.checkpoint(size, at(t).slice(0, 2).map((w) => w.signer))

  it('replaces the stored note when a quorum cosigned the same tree later, never with an older one', () => {
    const c = client()
    expect(c.update(noteAt(5, NOW - 100), [], NOW)).toMatchObject({ ok: true, value: { changed: true, refreshed: false } })
    expect(c.update(noteAt(5, NOW - 10), [], NOW)).toMatchObject({ ok: true, value: { size: 5, changed: false, refreshed: true } })
    expect(c.trusted(log.origin)!.checkpointNote).toBe(noteAt(5, NOW - 10))
    // An older cosigning of the same tree keeps the newer note.
    expect(c.update(noteAt(5, NOW - 50), [], NOW)).toMatchObject({ ok: true, value: { changed: false, refreshed: false } })
    expect(c.trusted(log.origin)!.checkpointNote).toBe(noteAt(5, NOW - 10))
    // The very same note again changes nothing.
    expect(c.update(noteAt(5, NOW - 10), [], NOW)).toMatchObject({ ok: true, value: { changed: false, refreshed: false } })
    expect(c.evidence).toEqual([])
  })

  it('a newer time from only one witness (below the quorum) is not fresher', () => {
    const c = client()
    const old = at(NOW - 100)
    const young = at(NOW - 1)
    expect(c.update(log.checkpoint(5, [old[0]!.signer, old[1]!.signer]), [], NOW).ok).toBe(true)
    const mixed = log.checkpoint(5, [young[0]!.signer, old[1]!.signer])
    // quorum 2: the 2nd newest time is still NOW - 100
    expect(c.update(mixed, [], NOW)).toMatchObject({ ok: true, value: { refreshed: false } })
  })
})
