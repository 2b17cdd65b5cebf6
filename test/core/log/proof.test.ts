import { describe, expect, it } from 'vitest'
import { CivicError } from '../../../src/core/errors.ts'
import { hashLeaf, proveInclusion } from '../../../src/core/log/merkle.ts'
import { parseLogPolicy } from '../../../src/core/log/policy.ts'
import { formatTlogProof, parseTlogProof, TLOG_PROOF_HEADER, verifyTlogProof, type TlogProof } from '../../../src/core/log/proof.ts'
import { tileHashReader } from '../../../src/core/log/tiles.ts'
import { cosign, fetcherFrom, NOW, TESSERA_ENTRIES, TESSERA_ORIGIN, TESSERA_VKEY, tesseraFiles, witnesses } from './_fixtures.ts'
import { codeOf } from '../../support/codes.ts'

const files = tesseraFiles()
const ws = witnesses(3)
const policy = parseLogPolicy({ origin: TESSERA_ORIGIN, logKeys: [TESSERA_VKEY], witnessKeys: ws.map((w) => w.verifierKey), quorum: 2 })
const cosigned = cosign(files.get('checkpoint')!, [ws[0]!.signer, ws[2]!.signer])
const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

async function proofFor(index: number, extra?: Uint8Array): Promise<TlogProof> {
  const proof = await proveInclusion(index, 15, tileHashReader(15, fetcherFrom(files)))
  return extra ? { extra, index, proof, checkpointNote: cosigned } : { index, proof, checkpointNote: cosigned }
}

describe('c2sp.org/tlog-proof', () => {
  it('proves every Tessera entry offline, through text and back', async () => {
    for (let index = 0; index < 15; index++) {
      const text = formatTlogProof(await proofFor(index))
      expect(text.startsWith(`${TLOG_PROOF_HEADER}\nindex ${index}\n`)).toBe(true)
      expect(text.endsWith('\n\n' + cosigned)).toBe(true)
      expect(parseTlogProof(text)).toEqual(await proofFor(index))
      const r = verifyTlogProof(text, { entry: enc(TESSERA_ENTRIES[index]!) }, policy, NOW)
      expect(r).toMatchObject({ ok: true, value: { index, checkpoint: { checkpoint: { size: 15 } } } })
      expect(verifyTlogProof(enc(text), { leafHash: hashLeaf(enc(TESSERA_ENTRIES[index]!)) }, policy, NOW).ok).toBe(true)
    }
  })

  it('needs the clock or the named opt-out', async () => {
    const text = formatTlogProof(await proofFor(3))
    // @ts-expect-error `now` is required (seconds, or 'no-clock')
    expect(() => verifyTlogProof(text, { entry: enc('four') }, policy)).toThrow(TypeError)
    expect(verifyTlogProof(text, { entry: enc('four') }, policy, 'no-clock').ok).toBe(true)
  })

  it('carries extra data, unauthenticated', async () => {
    const text = formatTlogProof(await proofFor(3, enc('context')))
    expect(text.split('\n')[1]).toBe(`extra ${Buffer.from('context').toString('base64')}`)
    const r = verifyTlogProof(text, { entry: enc('four') }, policy, NOW)
    expect(r.ok && new TextDecoder().decode(r.value.extra)).toBe('context')
  })

  it.each([
    ['another entry', async () => formatTlogProof(await proofFor(3)), 'five', 'ERR_PROOF_ROOT_MISMATCH'],
    ['the index of a neighbour', async () => formatTlogProof({ ...(await proofFor(3)), index: 2 }), 'four', 'ERR_PROOF_ROOT_MISMATCH'],
    ['an index beyond the checkpoint', async () => formatTlogProof({ ...(await proofFor(3)), index: 15 }), 'four', 'ERR_PROOF_OUT_OF_RANGE'],
    ['a proof hash dropped', async () => { const p = await proofFor(3); return formatTlogProof({ ...p, proof: p.proof.slice(1) }) }, 'four', 'ERR_PROOF_WRONG_LENGTH'],
    ['a checkpoint below quorum', async () => formatTlogProof({ ...(await proofFor(3)), checkpointNote: cosign(files.get('checkpoint')!, [ws[0]!.signer]) }), 'four', 'ERR_LOG_QUORUM_NOT_MET'],
    ['the bare log checkpoint', async () => formatTlogProof({ ...(await proofFor(3)), checkpointNote: new TextDecoder().decode(files.get('checkpoint')!) }), 'four', 'ERR_LOG_QUORUM_NOT_MET'],
    ['a checkpoint edited to a larger size', async () => (formatTlogProof(await proofFor(3))).replace(`${TESSERA_ORIGIN}\n15\n`, `${TESSERA_ORIGIN}\n16\n`), 'four', 'ERR_NOTE_SIGNATURE_INVALID'],
  ] as const)('%s → %s', async (_, make, entry, code) => {
    expect(verifyTlogProof(await make(), { entry: enc(entry) }, policy, NOW)).toMatchObject({ ok: false, code })
  })

  const good = (): Promise<string> => proofFor(3).then(formatTlogProof)
  it.each([
    ['wrong header', (t: string) => t.replace(TLOG_PROOF_HEADER, 'c2sp.org/tlog-proof@v2'), 'ERR_PROOF_MALFORMED'],
    ['index with a leading zero', (t: string) => t.replace('index 3', 'index 03'), 'ERR_PROOF_MALFORMED'],
    ['negative index', (t: string) => t.replace('index 3', 'index -3'), 'ERR_PROOF_MALFORMED'],
    ['index 2^64', (t: string) => t.replace('index 3', 'index 18446744073709551616'), 'ERR_LOG_SIZE_UNSUPPORTED'],
    ['no index line', (t: string) => t.replace('index 3\n', ''), 'ERR_PROOF_MALFORMED'],
    ['index spelled with two spaces', (t: string) => t.replace('index 3', 'index  3'), 'ERR_PROOF_MALFORMED'],
    ['empty extra', (t: string) => t.replace('\nindex', '\nextra \nindex'), 'ERR_PROOF_MALFORMED'],
    ['extra after the index', (t: string) => t.replace('index 3\n', 'index 3\nextra YQ==\n'), 'ERR_PROOF_MALFORMED'],
    ['unpadded proof hash', (t: string) => t.replace(/\n([A-Za-z0-9+/]{43})=\n/, '\n$1\n'), 'ERR_PROOF_MALFORMED'],
    ['31-byte proof hash', (t: string) => t.replace('index 3\n', `index 3\n${Buffer.alloc(31).toString('base64')}\n`), 'ERR_PROOF_MALFORMED'],
    ['65 proof hashes', (t: string) => t.replace('index 3\n', `index 3\n${`${Buffer.alloc(32).toString('base64')}\n`.repeat(65)}`), 'ERR_PROOF_MALFORMED'],
    ['no empty line before the checkpoint', (t: string) => t.replace(/\n\n/, '\n').replace(/\n\n/, '\n'), 'ERR_PROOF_MALFORMED'],
    ['CRLF', (t: string) => t.replaceAll('\n', '\r\n'), 'ERR_PROOF_MALFORMED'],
    ['a proof of 400 KiB', (t: string) => t.replace('index 3\n', `index 3\n${'A'.repeat(400 * 1024)}\n`), 'ERR_PROOF_MALFORMED'],
    ['a checkpoint without signatures', (t: string) => t.slice(0, t.indexOf('\n\n') + 2) + `${TESSERA_ORIGIN}\n15\nrKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=\n`, 'ERR_NOTE_MALFORMED'],
  ] as const)('%s → %s', async (_, edit, code) => {
    const text = edit(await good())
    expect(codeOf(() => parseTlogProof(text))).toBe(code)
    expect(verifyTlogProof(text, { entry: enc('four') }, policy, NOW)).toMatchObject({ ok: false, code })
  })
})
