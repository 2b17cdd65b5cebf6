// The witness (c2sp.org/tlog-witness) over real HTTP on loopback, against a small log built
// here with the kernel: checkpoints signed with a test log key (note.ts), consistency proofs
// computed from leaf hashes (merkle.ts), cosignatures checked with cosignatureVerifier.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatCheckpoint } from '../../src/core/log/checkpoint.ts'
import { cosignatureVerifier } from '../../src/core/log/cosignature.ts'
import { EMPTY_ROOT, hashLeaf, memoryHashReader, proveConsistency, rootFromLeafHashes } from '../../src/core/log/merkle.ts'
import {
  ed25519NoteSigner, formatNote, generateNoteKeys, parseNote, parseSignerKey, parseVerifierKey, signNote, SIG_TYPE_COSIGNATURE_V1,
  type NoteSigner,
} from '../../src/core/log/note.ts'
import { parseLogPolicy, verifyCheckpointNote } from '../../src/core/log/policy.ts'
import { createWitnessServer, type MisbehaviourReport, type WitnessServer } from '../../src/ledger/witness/server.ts'
import { WitnessState, EVIDENCE_FILE, LOGS_DIR, WITNESS_KEY_FILE, WITNESS_LOCK_FILE, type LogRecord } from '../../src/ledger/witness/state.ts'
import { requestCosignature } from '../../src/ledger/witness/client.ts'
import { formatAddCheckpointRequest, parseAddCheckpointRequest, parseSizeBody } from '../../src/ledger/witness/wire.ts'
import { seededRandom } from '../support/keys.ts'

const NOW = 1_750_000_000
const WITNESS_NAME = 'witness.example/w1'

/** A log we hold the key of; `variant` changes the entries, so two logs of one origin fork. */
class TestLog {
  readonly origin: string
  readonly vkey: string
  readonly signer: NoteSigner
  readonly leaves: Uint8Array[] = []

  constructor(origin = 'ledger.example/log', seed = 11, readonly variant = '') {
    this.origin = origin
    const { signerKey, verifierKey } = generateNoteKeys(origin, undefined, seededRandom(seed))
    this.vkey = verifierKey
    this.signer = ed25519NoteSigner(parseSignerKey(signerKey))
  }

  append(n: number): this {
    for (let i = 0; i < n; i++) this.leaves.push(hashLeaf(new TextEncoder().encode(`entry-${this.leaves.length}${this.variant}`)))
    return this
  }

  root(size = this.leaves.length): Uint8Array {
    return rootFromLeafHashes(this.leaves.slice(0, size))
  }

  checkpoint(size = this.leaves.length, signers: readonly NoteSigner[] = [this.signer]): string {
    return signNote(formatCheckpoint({ origin: this.origin, size, rootHash: this.root(size), extensions: [] }), signers)
  }

  proof(oldSize: number, size = this.leaves.length): Promise<Uint8Array[]> {
    if (oldSize === 0 || oldSize === size) return Promise.resolve([])
    return proveConsistency(oldSize, size, memoryHashReader(this.leaves.slice(0, size)))
  }
}

/** The request body, built by hand (not with the module under test). */
function body(oldSize: number | string, proof: readonly Uint8Array[], note: string): string {
  return `old ${oldSize}\n${proof.map((h) => `${Buffer.from(h).toString('base64')}\n`).join('')}\n${note}`
}

interface Answer {
  status: number
  contentType: string
  text: string
  json?: { error?: { code?: string; message?: string } } & Record<string, unknown>
}

async function post(url: string, data: string | Uint8Array, path = '/add-checkpoint'): Promise<Answer> {
  const res = await fetch(`${url}${path}`, { method: 'POST', body: typeof data === 'string' ? data : new Uint8Array(data) })
  return answer(res)
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text()
  const contentType = res.headers.get('content-type') ?? ''
  const out: Answer = { status: res.status, contentType, text }
  if (contentType.startsWith('application/json')) out.json = JSON.parse(text)
  return out
}

async function addOk(url: string, log: TestLog, oldSize: number, size = log.leaves.length): Promise<string> {
  const a = await post(url, body(oldSize, await log.proof(oldSize, size), log.checkpoint(size)))
  expect(a, a.text).toMatchObject({ status: 200 })
  return a.text
}

const dirs: string[] = []
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'civic-witness-'))
  dirs.push(d)
  return d
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const open: WitnessServer[] = []
async function startWitness(dataDir: string, logs: readonly TestLog[], extra: Partial<Parameters<typeof createWitnessServer>[0]> = {}): Promise<{ w: WitnessServer; url: string }> {
  const w = await createWitnessServer({ dataDir, name: WITNESS_NAME, logs: logs.map((l) => ({ origin: l.origin, vkey: l.vkey })), now: () => NOW, ...extra })
  open.push(w)
  const url = await w.listen(0, '127.0.0.1')
  return { w, url }
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()))
})

function verifyCosignature(w: WitnessServer, note: string, responseBody: string): number {
  const lines = parseNote(`${parseNote(note).text}\n${responseBody}`)
  const key = parseVerifierKey(w.verifierKey)
  const mine = lines.signatures.filter((s) => s.name === key.name && s.keyId === key.keyId)
  expect(mine).toHaveLength(1)
  const v = cosignatureVerifier(key, { now: NOW }).verify(lines.textBytes, mine[0]!.signature)
  expect(v).toMatchObject({ ok: true })
  return (v as { value: { timestampSeconds: number } }).value.timestampSeconds
}

describe('witness: add-checkpoint', () => {
  let dataDir: string
  let log: TestLog
  beforeEach(() => {
    dataDir = tempDir()
    log = new TestLog().append(13)
  })

  it('cosigns a first checkpoint (old 0) with a cosignature/v1 line that verifies', async () => {
    const { w, url } = await startWitness(dataDir, [log])
    expect(w.verifierKey).toMatch(/^witness\.example\/w1\+[0-9a-f]{8}\+/)
    expect(parseVerifierKey(w.verifierKey).type).toBe(SIG_TYPE_COSIGNATURE_V1)
    const note = log.checkpoint(5)
    const a = await post(url, body(0, [], note))
    expect(a.status).toBe(200)
    expect(a.contentType).toMatch(/^text\/plain/)
    // "a sequence of one or more note signature lines, each starting with — … ending with a newline"
    expect(a.text).toMatch(/^— witness\.example\/w1 [A-Za-z0-9+/]+=*\n$/)
    expect(verifyCosignature(w, note, a.text)).toBe(NOW)
    // what a log then does: append the line and check the whole note against a 1-of-1 policy
    const policy = parseLogPolicy({ origin: log.origin, logKeys: [log.vkey], witnessKeys: [w.verifierKey], quorum: 1 })
    expect(verifyCheckpointNote(note + a.text, policy, NOW)).toMatchObject({ ok: true, value: { cosigners: [{ name: WITNESS_NAME, timestampSeconds: NOW }] } })
    expect(w.status().logs).toEqual([{ origin: log.origin, logKeys: [log.vkey], size: 5, rootHash: Buffer.from(log.root(5)).toString('base64'), cosignedAtSeconds: NOW }])
  })

  it('cosigns each advance that comes with a correct consistency proof, and an unchanged checkpoint again', async () => {
    const { w, url } = await startWitness(dataDir, [log])
    await addOk(url, log, 0, 1)
    for (const [from, to] of [[1, 2], [2, 3], [3, 7], [7, 8], [8, 13]] as const) {
      const a = await addOk(url, log, from, to)
      verifyCosignature(w, log.checkpoint(to), a)
      expect(w.status().logs[0]!.size).toBe(to)
    }
    // same size, same root, empty proof: cosigned again
    verifyCosignature(w, log.checkpoint(13), await addOk(url, log, 13, 13))
  })

  it('treats a checkpoint with other signatures (unknown keys) as the log\'s, and keeps them in its record', async () => {
    const { url } = await startWitness(dataDir, [log])
    const stranger = new TestLog('someone.else/log', 99)
    const note = log.checkpoint(4, [stranger.signer, log.signer])
    expect((await post(url, body(0, [], note))).status).toBe(200)
    const record = await readRecord(dataDir)
    expect(record.checkpointNote.startsWith(note)).toBe(true)
    expect(record.checkpointNote.endsWith(`${record.cosignatureLine}\n`)).toBe(true)
  })

  describe('refusals, each with its status and code; none changes the state', () => {
    let w: WitnessServer
    let url: string
    const reports: MisbehaviourReport[] = []
    beforeEach(async () => {
      reports.length = 0
      ;({ w, url } = await startWitness(dataDir, [log], { onMisbehaviour: (r) => reports.push(r) }))
      await addOk(url, log, 0, 8)
      await addOk(url, log, 8, 13)
      log.append(7) // the log grows to 20; the witness knows 13
    })
    afterEach(() => {
      expect(w.status().logs[0]!.size).toBe(13)
    })

    const expectSize409 = (a: Answer, size: number): void => {
      expect(a.status).toBe(409)
      expect(a.contentType).toBe('text/x.tlog.size')
      expect(a.text).toBe(`${size}\n`)
    }

    it('409 with the known size as text/x.tlog.size when the old size is not the one cosigned', async () => {
      expectSize409(await post(url, body(8, await log.proof(8, 20), log.checkpoint(20))), 13)
      expectSize409(await post(url, body(0, [], log.checkpoint(20))), 13)
      expectSize409(await post(url, body(14, await log.proof(14, 20), log.checkpoint(20))), 13)
    })

    it('409 for a rollback: a checkpoint smaller than the one cosigned', async () => {
      expectSize409(await post(url, body(8, [], log.checkpoint(8))), 13)
      expectSize409(await post(url, body(5, await log.proof(5, 8), log.checkpoint(8))), 13)
      expectSize409(await post(url, body(0, [], log.checkpoint(8))), 13)
      expect(reports).toEqual([])
    })

    it('409 ERR_LOG_MISBEHAVIOUR for a fork (same size, other root), kept as evidence', async () => {
      const fork = new TestLog(log.origin, 11, '-fork').append(13)
      expect(fork.root(13)).not.toEqual(log.root(13))
      const note = fork.checkpoint(13)
      const a = await post(url, body(13, [], note))
      expect(a.status).toBe(409)
      expect(a.json?.error?.code).toBe('ERR_LOG_MISBEHAVIOUR')
      expect(reports).toMatchObject([{ kind: 'fork', origin: log.origin, known: { size: 13, rootHash: Buffer.from(log.root(13)).toString('base64') }, offered: { oldSize: 13, checkpointNote: note } }])
      const evidence = readFileSync(join(dataDir, EVIDENCE_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
      expect(evidence).toMatchObject([{ kind: 'fork', offered: { checkpointNote: note } }])
      // the same request again is refused again, and not written twice
      expect((await post(url, body(13, [], note))).status).toBe(409)
      expect(readFileSync(join(dataDir, EVIDENCE_FILE), 'utf8').trim().split('\n')).toHaveLength(1)
    })

    it.each([
      ['a hash changed', (p: Uint8Array[]) => p.map((h, i) => (i === 0 ? Uint8Array.from(h, (b, j) => (j === 0 ? b ^ 1 : b)) : h)), 'ERR_PROOF_ROOT_MISMATCH'],
      ['a hash missing', (p: Uint8Array[]) => p.slice(1), 'ERR_PROOF_WRONG_LENGTH'],
      ['a hash too many', (p: Uint8Array[]) => [...p, p[0]!], 'ERR_PROOF_WRONG_LENGTH'],
      ['no proof at all', () => [], 'ERR_PROOF_WRONG_LENGTH'],
      ['hashes swapped', (p: Uint8Array[]) => [...p].reverse(), 'ERR_PROOF_ROOT_MISMATCH'],
    ] as const)('422 for a consistency proof with %s', async (_n, mutate, code) => {
      const good = await log.proof(13, 20)
      expect(good.length).toBeGreaterThan(1)
      const a = await post(url, body(13, mutate(good), log.checkpoint(20)))
      expect(a.status).toBe(422)
      expect(a.json?.error?.code).toBe(code)
      expect(reports).toMatchObject([{ kind: 'inconsistent' }])
    })

    it('422 for a validly signed checkpoint of a fork, whatever proof comes with it', async () => {
      const fork = new TestLog(log.origin, 11, '-fork').append(20)
      const a = await post(url, body(13, await fork.proof(13, 20), fork.checkpoint(20)))
      expect(a.status).toBe(422)
      expect(a.json?.error?.code).toBe('ERR_PROOF_ROOT_MISMATCH')
    })

    it('422 for a proof where it must be empty (same size)', async () => {
      const a = await post(url, body(13, [log.root(8)], log.checkpoint(13)))
      expect(a.status).toBe(422)
      expect(a.json?.error?.code).toBe('ERR_PROOF_WRONG_LENGTH')
    })

    it('404 ERR_WITNESS_UNKNOWN_LOG for an origin it does not follow', async () => {
      const other = new TestLog('other.example/log', 12).append(3)
      const a = await post(url, body(0, [], other.checkpoint()))
      expect(a.status).toBe(404)
      expect(a.json?.error?.code).toBe('ERR_WITNESS_UNKNOWN_LOG')
    })

    it('403 ERR_NOTE_UNVERIFIED when no signature is by the log key (one by another key of the same name included)', async () => {
      const impostor = new TestLog(log.origin, 77).append(20) // same origin and key name, other key
      const a = await post(url, body(13, await impostor.proof(13, 20), impostor.checkpoint(20)))
      expect(a.status).toBe(403)
      expect(a.json?.error?.code).toBe('ERR_NOTE_UNVERIFIED')
    })

    it('403 ERR_NOTE_SIGNATURE_INVALID when the log key\'s signature does not verify', async () => {
      const good = parseNote(log.checkpoint(20))
      const sig = good.signatures[0]!
      const broken = formatNote(good.text, [{ ...sig, signature: Uint8Array.from(sig.signature, (b, i) => (i === 5 ? b ^ 0x40 : b)) }])
      const a = await post(url, body(13, await log.proof(13, 20), broken))
      expect(a.status).toBe(403)
      expect(a.json?.error?.code).toBe('ERR_NOTE_SIGNATURE_INVALID')
      // and the log's signature over other text (a different size) is no signature of this text
      const moved = formatNote(good.text, parseNote(log.checkpoint(19)).signatures)
      expect((await post(url, body(13, await log.proof(13, 20), moved))).json?.error?.code).toBe('ERR_NOTE_SIGNATURE_INVALID')
    })

    it.each([
      ['no empty line', (n: string) => `old 13\n${n.replace('\n\n', '\n')}`, 'ERR_WITNESS_BAD_REQUEST'],
      ['no old line', (n: string) => `\n${n}`, 'ERR_WITNESS_BAD_REQUEST'],
      ['"old" misspelt', (n: string) => `olds 13\n\n${n}`, 'ERR_WITNESS_BAD_REQUEST'],
      ['"OLD" in capitals', (n: string) => `OLD 13\n\n${n}`, 'ERR_WITNESS_BAD_REQUEST'],
      ['two spaces', (n: string) => `old  13\n\n${n}`, 'ERR_WITNESS_BAD_REQUEST'],
      ['a leading zero', (n: string) => `old 013\n\n${n}`, 'ERR_WITNESS_BAD_REQUEST'],
      ['a negative size', (n: string) => `old -1\n\n${n}`, 'ERR_WITNESS_BAD_REQUEST'],
      ['a size above 2^53', (n: string) => `old 99999999999999999999\n\n${n}`, 'ERR_LOG_SIZE_UNSUPPORTED'],
      ['CRLF line ends', (n: string) => `old 13\r\n\r\n${n}`, 'ERR_WITNESS_BAD_REQUEST'],
      ['a proof line that is not base64', (n: string) => `old 13\nnot base64!\n\n${n}`, 'ERR_WITNESS_BAD_REQUEST'],
      ['a proof line without padding', (n: string) => `old 13\n${Buffer.alloc(32).toString('base64').replace(/=+$/, '')}\n\n${n}`, 'ERR_WITNESS_BAD_REQUEST'],
      ['a 31-byte proof hash', (n: string) => `old 13\n${Buffer.alloc(31).toString('base64')}\n\n${n}`, 'ERR_WITNESS_BAD_REQUEST'],
      ['64 proof lines', (n: string) => `old 13\n${`${Buffer.alloc(32).toString('base64')}\n`.repeat(64)}\n${n}`, 'ERR_WITNESS_BAD_REQUEST'],
      ['nothing after the empty line', () => 'old 13\n\n', 'ERR_WITNESS_BAD_REQUEST'],
      ['an unsigned checkpoint', (n: string) => `old 13\n\n${parseNote(n).text}`, 'ERR_NOTE_MALFORMED'],
      ['a note with a CR', (n: string) => `old 13\n\n${n.replace('\n\n', '\r\n\n')}`, 'ERR_NOTE_MALFORMED'],
      ['not UTF-8', () => Buffer.concat([Buffer.from('old 13\n\nledger.example/log\n\xff'), Buffer.from([0xff, 0x0a, 0x0a])]), 'ERR_NOTE_MALFORMED'],
      ['an empty body', () => '', 'ERR_WITNESS_BAD_REQUEST'],
    ] as const)('400 for a body with %s', async (_n, make, code) => {
      const a = await post(url, make(log.checkpoint(20)) as string)
      expect(a.status).toBe(400)
      expect(a.json?.error?.code).toBe(code)
    })

    it('400 for an old size above the checkpoint size, and for a signed but malformed checkpoint body', async () => {
      const a = await post(url, body(13, [], log.checkpoint(8)))
      expect(a.status).toBe(400)
      expect(a.json?.error?.code).toBe('ERR_WITNESS_BAD_REQUEST')
      const badBody = signNote(`${log.origin}\n020\n${Buffer.from(log.root(20)).toString('base64')}\n`, [log.signer])
      const b = await post(url, body(13, await log.proof(13, 20), badBody))
      expect(b.status).toBe(400)
      expect(b.json?.error?.code).toBe('ERR_LOG_CHECKPOINT_MALFORMED')
    })

    it('413 ERR_LEDGER_BODY_TOO_LARGE for a body above the cap, and the connection still answers', async () => {
      const note = log.checkpoint(20)
      const padded = body(13, await log.proof(13, 20), note).replace('\n\n', `\n${'A'.repeat(17 * 1024)}\n\n`)
      const a = await post(url, padded)
      expect(a.status).toBe(413)
      expect(a.json?.error?.code).toBe('ERR_LEDGER_BODY_TOO_LARGE')
      const huge = await post(url, new Uint8Array(2 * 1024 * 1024)).catch((e: Error) => ({ status: -1, text: e.message }) as Answer)
      // Declared far above the cap: answered without reading; a client may see the close first.
      expect([413, -1]).toContain(huge.status)
      // the witness still answers normally (same checkpoint again: cosigned, size unchanged)
      await addOk(url, log, 13, 13)
    })

    it('405 for another method, 404 ERR_LEDGER_NOT_FOUND elsewhere', async () => {
      const g = await answer(await fetch(`${url}/add-checkpoint`))
      expect(g.status).toBe(405)
      expect(g.json?.error?.code).toBe('ERR_HTTP_METHOD_NOT_ALLOWED')
      expect((await fetch(`${url}/add-checkpoint`, { method: 'PUT' })).headers.get('allow')).toBe('POST')
      const n = await post(url, body(13, [], log.checkpoint(13)), '/witness/v0/logs/x/update')
      expect(n.status).toBe(404)
      expect(n.json?.error?.code).toBe('ERR_LEDGER_NOT_FOUND')
    })
  })

  it('a size-0 checkpoint must carry the empty tree root (422 otherwise)', async () => {
    const { url } = await startWitness(dataDir, [log])
    const fake = signNote(formatCheckpoint({ origin: log.origin, size: 0, rootHash: log.root(3), extensions: [] }), [log.signer])
    const a = await post(url, body(0, [], fake))
    expect(a.status).toBe(422)
    expect(a.json?.error?.code).toBe('ERR_PROOF_ROOT_MISMATCH')
    const empty = signNote(formatCheckpoint({ origin: log.origin, size: 0, rootHash: EMPTY_ROOT, extensions: [] }), [log.signer])
    expect((await post(url, body(0, [], empty))).status).toBe(200)
    // a proof with old size 0 is refused: "The proof MUST be empty if the old size is zero."
    const b = await post(url, body(0, [log.root(1)], log.checkpoint(3)))
    expect(b.status).toBe(422)
    expect(b.json?.error?.code).toBe('ERR_PROOF_WRONG_LENGTH')
  })

  it('follows several logs independently, and a log listed with two keys accepts either', async () => {
    const second = new TestLog('second.example/log', 21).append(4)
    const rotated = new TestLog(log.origin, 31)
    const w = await createWitnessServer({
      dataDir, name: WITNESS_NAME, now: () => NOW,
      logs: [{ origin: log.origin, vkey: log.vkey }, { origin: log.origin, vkey: rotated.vkey }, { origin: second.origin, vkey: second.vkey }],
    })
    open.push(w)
    const url = await w.listen()
    await addOk(url, log, 0, 6)
    await addOk(url, second, 0, 4)
    const byRotatedKey = signNote(formatCheckpoint({ origin: log.origin, size: 9, rootHash: log.root(9), extensions: [] }), [rotated.signer])
    expect((await post(url, body(6, await log.proof(6, 9), byRotatedKey))).status).toBe(200)
    expect(w.status().logs.map((l) => [l.origin, l.size, l.logKeys.length])).toEqual([[log.origin, 9, 2], [second.origin, 4, 1]])
  })

  it('GET /status reports the name, verifier key and each log with its latest size', async () => {
    const second = new TestLog('second.example/log', 21).append(4)
    const { w, url } = await startWitness(dataDir, [log, second])
    await addOk(url, log, 0, 13)
    const a = await answer(await fetch(`${url}/status`))
    expect(a.status).toBe(200)
    expect(a.contentType).toBe('application/json')
    expect(a.json).toEqual({
      name: WITNESS_NAME,
      verifierKey: w.verifierKey,
      logs: [
        { origin: log.origin, logKeys: [log.vkey], size: 13, rootHash: Buffer.from(log.root(13)).toString('base64'), cosignedAtSeconds: NOW },
        { origin: second.origin, logKeys: [second.vkey], size: 0, rootHash: null, cosignedAtSeconds: null },
      ],
    })
  })
})

async function readRecord(dataDir: string): Promise<LogRecord & { raw: Record<string, unknown> }> {
  const files = readdirSync(join(dataDir, LOGS_DIR)).filter((f) => f.endsWith('.json'))
  expect(files).toHaveLength(1)
  const raw = JSON.parse(readFileSync(join(dataDir, LOGS_DIR, files[0]!), 'utf8'))
  return { ...raw, rootHash: Buffer.from(raw.rootHash, 'base64'), raw }
}

describe('witness: durable state', () => {
  it('keeps its key (mode 0600) and each log\'s latest cosigned checkpoint across a restart', async () => {
    const dataDir = tempDir()
    const log = new TestLog().append(20)
    const first = await startWitness(dataDir, [log])
    const keyBefore = first.w.verifierKey
    const line = await addOk(first.url, log, 0, 13)
    await first.w.close()

    expect(statSync(join(dataDir, WITNESS_KEY_FILE)).mode & 0o777).toBe(0o600)
    expect(readFileSync(join(dataDir, WITNESS_KEY_FILE), 'utf8')).toMatch(/^PRIVATE\+KEY\+witness\.example\/w1\+[0-9a-f]{8}\+/)
    const record = await readRecord(dataDir)
    expect(record).toMatchObject({ origin: log.origin, size: 13, cosignatureLine: line.trimEnd(), cosignedAtSeconds: NOW })
    expect(record.rootHash).toEqual(Buffer.from(log.root(13)))

    const second = await startWitness(dataDir, [log])
    expect(second.w.verifierKey).toBe(keyBefore)
    expect(second.w.status().logs[0]!.size).toBe(13)
    const stale = await post(second.url, body(0, [], log.checkpoint(20)))
    expect([stale.status, stale.text]).toEqual([409, '13\n'])
    verifyCosignature(second.w, log.checkpoint(20), await addOk(second.url, log, 13, 20))
  })

  it('persists the new state before it answers: the record on disk already holds the returned cosignature', async () => {
    const dataDir = tempDir()
    const log = new TestLog().append(9)
    const { url } = await startWitness(dataDir, [log])
    const line = await addOk(url, log, 0, 9)
    // read straight from disk while the witness still runs
    const r = await readRecord(dataDir)
    expect([r.size, `${r.cosignatureLine}\n`]).toEqual([9, line])
  })

  it('returns no cosignature (500 ERR_LEDGER_STORAGE) when it cannot persist, and does not advance', async () => {
    const dataDir = tempDir()
    const log = new TestLog().append(9)
    const lines: string[] = []
    const { w, url } = await startWitness(dataDir, [log], { log: (l) => lines.push(l) })
    await addOk(url, log, 0, 4)
    const logsDir = join(dataDir, LOGS_DIR)
    renameSync(logsDir, `${logsDir}.away`)
    writeFileSync(logsDir, 'not a directory') // writes fail even for root
    const a = await post(url, body(4, await log.proof(4, 9), log.checkpoint(9)))
    expect(a.status).toBe(500)
    expect(a.json?.error?.code).toBe('ERR_LEDGER_STORAGE')
    expect(a.text).not.toMatch(/—/)
    expect(w.status().logs[0]!.size).toBe(4)
    expect(lines.join('\n')).toMatch(/ERR_LEDGER_STORAGE/)
    rmSync(logsDir)
    renameSync(`${logsDir}.away`, logsDir)
    await addOk(url, log, 4, 9)
  })

  it('re-cosigns a replayed tree head with a fresh timestamp without rewriting its record', async () => {
    const dataDir = tempDir()
    const log = new TestLog().append(5)
    let clock = NOW
    const { w, url } = await startWitness(dataDir, [log], { now: () => clock })
    await addOk(url, log, 0, 5)
    const before = readFileSync(join(dataDir, LOGS_DIR, readdirSync(join(dataDir, LOGS_DIR))[0]!), 'utf8')
    clock = NOW + 60
    const line = await addOk(url, log, 5, 5)
    expect(parseNote(`${parseNote(log.checkpoint(5)).text}\n${line}`).signatures).toHaveLength(1)
    expect(cosignatureVerifier(parseVerifierKey(w.verifierKey), { now: NOW }).verify(parseNote(log.checkpoint(5)).textBytes, parseNote(`x\n\n${line}`).signatures[0]!.signature)).toEqual({ ok: true, value: { timestampSeconds: NOW + 60 } })
    expect(readFileSync(join(dataDir, LOGS_DIR, readdirSync(join(dataDir, LOGS_DIR))[0]!), 'utf8')).toBe(before)
  })

  it('answers 503 ERR_LEDGER_UNAVAILABLE to work that arrives while it shuts down', async () => {
    const log = new TestLog().append(5)
    const { w } = await startWitness(tempDir(), [log])
    await w.close()
    const out = await w.addCheckpoint(new TextEncoder().encode(body(0, [], log.checkpoint(5))))
    expect(out).toMatchObject({ ok: false, status: 503, code: 'ERR_LEDGER_UNAVAILABLE' })
  })

  it('lets one witness at a time serve a data directory', async () => {
    const dataDir = tempDir()
    const log = new TestLog()
    const first = await startWitness(dataDir, [log])
    await expect(createWitnessServer({ dataDir, name: WITNESS_NAME, logs: [] })).rejects.toMatchObject({ code: 'ERR_LEDGER_LOCKED' })
    await first.w.close()
    await first.w.close() // idempotent
    const again = await startWitness(dataDir, [log])
    expect(again.w.verifierKey).toBe(first.w.verifierKey)
  })

  it('takes over a lock left by a process that is gone', async () => {
    const dataDir = tempDir()
    mkdirSync(dataDir, { recursive: true })
    writeFileSync(join(dataDir, WITNESS_LOCK_FILE), '999999999\n')
    const { w } = await startWitness(dataDir, [new TestLog()])
    expect(readFileSync(join(dataDir, WITNESS_LOCK_FILE), 'utf8')).toMatch(new RegExp(`^${process.pid}\\n[0-9]+\\n[0-9a-f]{16}\\n$`)) // pid, start time, token
    await w.close()
    expect(readdirSync(dataDir)).not.toContain(WITNESS_LOCK_FILE)
  })

  it('refuses a key of another name, a key readable by others, a corrupt record, a bad log key', async () => {
    const dataDir = tempDir()
    const log = new TestLog().append(3)
    const { w, url } = await startWitness(dataDir, [log])
    await addOk(url, log, 0, 3)
    await w.close()
    await expect(createWitnessServer({ dataDir, name: 'witness.example/other', logs: [] })).rejects.toMatchObject({ code: 'ERR_LEDGER_CONFIG' })
    chmodSync(join(dataDir, WITNESS_KEY_FILE), 0o644)
    await expect(createWitnessServer({ dataDir, name: WITNESS_NAME, logs: [] })).rejects.toMatchObject({ code: 'ERR_LEDGER_CONFIG' })
    chmodSync(join(dataDir, WITNESS_KEY_FILE), 0o600)
    const recordPath = join(dataDir, LOGS_DIR, readdirSync(join(dataDir, LOGS_DIR))[0]!)
    const good = readFileSync(recordPath, 'utf8')
    writeFileSync(recordPath, good.replace('"size":3', '"size":4'))
    await expect(createWitnessServer({ dataDir, name: WITNESS_NAME, logs: [] })).rejects.toMatchObject({ code: 'ERR_LEDGER_CORRUPT' })
    writeFileSync(recordPath, good)
    await expect(createWitnessServer({ dataDir, name: WITNESS_NAME, logs: [{ origin: log.origin, vkey: parseWitnessKey(dataDir) }] })).rejects.toMatchObject({ code: 'ERR_NOTE_KEY_INVALID' })
    // after every refusal the directory is free again
    const ok = await startWitness(dataDir, [log])
    expect(ok.w.status().logs[0]!.size).toBe(3)
  })

  it('sweeps temp files a crash left between write and rename', async () => {
    const dataDir = tempDir()
    const log = new TestLog().append(3)
    const { w, url } = await startWitness(dataDir, [log])
    await addOk(url, log, 0, 3)
    await w.close()
    const stray = join(dataDir, LOGS_DIR, 'abc.json.tmp-1-deadbeef')
    writeFileSync(stray, '{"half":')
    const again = await startWitness(dataDir, [log])
    expect(again.w.status().logs[0]!.size).toBe(3)
    expect(readdirSync(join(dataDir, LOGS_DIR)).filter((f) => f.includes('.tmp-'))).toEqual([])
  })
})

function parseWitnessKey(dataDir: string): string {
  // the witness's own vkey (type 0x04) is no log key
  const sk = parseSignerKey(readFileSync(join(dataDir, WITNESS_KEY_FILE), 'utf8').trim())
  return `${sk.name}+${sk.keyId.toString(16).padStart(8, '0')}+${Buffer.concat([Buffer.from([sk.type]), Buffer.from(sk.publicKey)]).toString('base64')}`
}

describe('witness: concurrent add-checkpoint requests are serialized per log', () => {
  it('of many requests from the same old size exactly one advances; the others get 409 with its size', async () => {
    const dataDir = tempDir()
    const log = new TestLog().append(30)
    const { w, url } = await startWitness(dataDir, [log])
    await addOk(url, log, 0, 10)
    const targets = [11, 12, 15, 20, 30, 10, 25, 16]
    const bodies = await Promise.all(targets.map(async (to) => body(10, await log.proof(10, to), log.checkpoint(to))))
    const answers = await Promise.all(bodies.map((b) => post(url, b)))
    const winners = answers.map((a, i) => [a.status, targets[i]!] as const).filter(([s]) => s === 200)
    expect(winners).toHaveLength(1)
    const size = winners[0]![1]
    for (const a of answers.filter((x) => x.status !== 200)) expect([a.status, a.text]).toEqual([409, `${size}\n`])
    expect(w.status().logs[0]!.size).toBe(size)
    expect((await readRecord(dataDir)).size).toBe(size)
  })

  it('the spec\'s race (A to N, B to N+K, both from the old size) cannot roll the log back', async () => {
    const dataDir = tempDir()
    const log = new TestLog().append(40)
    const { w, url } = await startWitness(dataDir, [log])
    await addOk(url, log, 0, 20)
    for (let round = 0; round < 5; round++) {
      const base = w.status().logs[0]!.size
      if (base + 6 > 40) break
      const [a, b] = await Promise.all([
        post(url, body(base, await log.proof(base, base + 1), log.checkpoint(base + 1))),
        post(url, body(base, await log.proof(base, base + 6), log.checkpoint(base + 6))),
      ])
      expect([a.status, b.status].sort()).toEqual([200, 409])
      const now = w.status().logs[0]!.size
      expect(now).toBe(a.status === 200 ? base + 1 : base + 6)
      expect(now).toBeGreaterThan(base)
    }
  })

  it('WitnessState.update never runs two steps of one log at once, but runs logs in parallel', async () => {
    const dataDir = tempDir()
    const state = await WitnessState.open({ dataDir, name: WITNESS_NAME })
    try {
      let inside = 0
      let maxInside = 0
      const events: string[] = []
      const step = (origin: string, i: number) => async () => {
        inside++
        maxInside = Math.max(maxInside, inside)
        events.push(`${origin}+${i}`)
        await new Promise((r) => setTimeout(r, 5))
        inside--
        return { result: i }
      }
      const a = [0, 1, 2, 3].map((i) => state.update('a', step('a', i)))
      const b = [0, 1].map((i) => state.update('b', step('b', i)))
      expect(await Promise.all(a)).toEqual([0, 1, 2, 3])
      await Promise.all(b)
      expect(maxInside).toBe(2) // one of each log at most
      expect(events.filter((e) => e.startsWith('a'))).toEqual(['a+0', 'a+1', 'a+2', 'a+3'])
      // a failing step releases the lock for the next one
      await expect(state.update('a', () => { throw new TypeError('bug') })).rejects.toThrow('bug')
      expect(await state.update('a', () => ({ result: 'next' }))).toBe('next')
    } finally {
      await state.close()
    }
  })
})

describe('witness client: requestCosignature', () => {
  it('gets a cosignature, verified against the witness key when one is given', async () => {
    const log = new TestLog().append(6)
    const { w, url } = await startWitness(tempDir(), [log])
    const note = log.checkpoint(6)
    const r = await requestCosignature({ url, oldSize: 0, consistencyProof: [], checkpointNote: note, timeoutMs: 5000, witnessKey: w.verifierKey })
    expect(r).toMatchObject({ ok: true })
    const line = (r as { signatureLine: string }).signatureLine
    expect(line).toMatch(/^— witness\.example\/w1 \S+$/)
    verifyCosignature(w, note, `${line}\n`)
    // a trailing slash on the prefix is fine; the note may be bytes
    const again = await requestCosignature({ url: `${url}/`, oldSize: 6, consistencyProof: [], checkpointNote: new TextEncoder().encode(note), timeoutMs: 5000 })
    expect(again).toMatchObject({ ok: true })
  })

  it('returns the known size on 409, and the retry with a proof from it succeeds', async () => {
    const log = new TestLog().append(20)
    const { w, url } = await startWitness(tempDir(), [log])
    await addOk(url, log, 0, 12)
    // the log believes the witness has seen nothing (e.g. it lost its own bookkeeping)
    const first = await requestCosignature({ url, oldSize: 0, consistencyProof: [], checkpointNote: log.checkpoint(20), timeoutMs: 5000 })
    expect(first).toEqual({ ok: false, status: 409, knownSize: 12, code: 'ERR_WITNESS_CONFLICT', detail: expect.any(String) })
    const knownSize = (first as { knownSize: number }).knownSize
    const retry = await requestCosignature({ url, oldSize: knownSize, consistencyProof: await log.proof(knownSize, 20), checkpointNote: log.checkpoint(20), timeoutMs: 5000, witnessKey: w.verifierKey })
    expect(retry).toMatchObject({ ok: true })
    expect(w.status().logs[0]!.size).toBe(20)
  })

  it('reports each refusal with its status and code', async () => {
    const log = new TestLog().append(20)
    const { url } = await startWitness(tempDir(), [log])
    await addOk(url, log, 0, 12)
    const ask = async (oldSize: number, proof: Uint8Array[], note: string) => requestCosignature({ url, oldSize, consistencyProof: proof, checkpointNote: note, timeoutMs: 5000 })
    const bad = (await log.proof(12, 20)).slice(1)
    expect(await ask(12, bad, log.checkpoint(20))).toMatchObject({ ok: false, status: 422, code: 'ERR_PROOF_WRONG_LENGTH' })
    const other = new TestLog('other.example/log', 5).append(2)
    expect(await ask(0, [], other.checkpoint())).toMatchObject({ ok: false, status: 404, code: 'ERR_WITNESS_UNKNOWN_LOG' })
    const impostor = new TestLog(log.origin, 77).append(20)
    expect(await ask(12, await impostor.proof(12, 20), impostor.checkpoint(20))).toMatchObject({ ok: false, status: 403, code: 'ERR_NOTE_UNVERIFIED' })
    const fork = new TestLog(log.origin, 11, '-fork').append(12)
    const forked = await ask(12, [], fork.checkpoint(12))
    expect(forked).toMatchObject({ ok: false, status: 409, code: 'ERR_LOG_MISBEHAVIOUR' })
    expect(forked).not.toHaveProperty('knownSize')
    expect(await ask(20, [], log.checkpoint(12))).toMatchObject({ ok: false, status: 400, code: 'ERR_WITNESS_BAD_REQUEST' })
  })

  it('turns network failures, timeouts and odd answers into codes, never throws', async () => {
    const log = new TestLog().append(3)
    const note = log.checkpoint()
    const base = { oldSize: 0, consistencyProof: [], checkpointNote: note, timeoutMs: 2000 }
    // nothing listens there
    const { w, url } = await startWitness(tempDir(), [log])
    await w.close()
    expect(await requestCosignature({ ...base, url })).toMatchObject({ ok: false, status: 0, code: 'ERR_LEDGER_UNAVAILABLE' })
    // a witness that never answers
    const hang: typeof fetch = (_u, init) => new Promise((_r, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))))
    // (without the client's own timeout this call would never return, and the test would time out)
    expect(await requestCosignature({ ...base, url: 'http://w.invalid', timeoutMs: 50, fetch: hang })).toMatchObject({ ok: false, status: 0, code: 'ERR_LEDGER_UNAVAILABLE', detail: expect.stringMatching(/50 ms/) })
    const fake = (status: number, text: string, contentType = 'text/plain'): typeof fetch => async () => new Response(text, { status, headers: { 'content-type': contentType } })
    const key = generateNoteKeys('witness.example/w9', SIG_TYPE_COSIGNATURE_V1, seededRandom(3)).verifierKey
    const keyId = Buffer.alloc(4)
    keyId.writeUInt32BE(parseVerifierKey(key).keyId)
    // the right name and key ID, a timestamp, and 64 bytes that are no signature
    const forged = `— witness.example/w9 ${Buffer.concat([keyId, Buffer.alloc(8), Buffer.alloc(64, 7)]).toString('base64')}\n`
    const cases: [typeof fetch, object][] = [
      [fake(200, 'hello\n'), { status: 200, code: 'ERR_LOG_COSIGNATURE_MALFORMED' }],
      [fake(200, ''), { status: 200, code: 'ERR_LOG_COSIGNATURE_MALFORMED' }],
      [fake(200, `— witness.example/w9 ${Buffer.alloc(76).toString('base64')}\n`), { status: 200, code: 'ERR_LOG_COSIGNATURE_INVALID' }], // other key ID
      [fake(200, forged), { status: 200, code: 'ERR_LOG_COSIGNATURE_INVALID' }],
      [fake(200, 'x'.repeat(70_000)), { status: 200, code: 'ERR_LOG_COSIGNATURE_MALFORMED' }],
      [fake(409, '12\n'), { status: 409, code: 'ERR_WITNESS_CONFLICT' }], // wrong content type: no size
      [fake(409, '012\n', 'text/x.tlog.size'), { status: 409, code: 'ERR_WITNESS_CONFLICT' }],
      [fake(409, '7\n', 'text/x.tlog.size'), { status: 409, code: 'ERR_WITNESS_CONFLICT', knownSize: 7 }],
      [fake(403, 'invalid signature\n'), { status: 403, code: 'ERR_NOTE_UNVERIFIED' }], // a Go witness's plain-text refusal
      [fake(422, 'bad consistency proof\n'), { status: 422, code: 'ERR_PROOF_ROOT_MISMATCH' }],
      [fake(503, 'busy'), { status: 503, code: 'ERR_LEDGER_UNAVAILABLE' }],
      [fake(400, '{"error":{"code":"ERR_NOT_A_CODE","message":"x"}}', 'application/json'), { status: 400, code: 'ERR_WITNESS_BAD_REQUEST' }],
    ]
    for (const [f, want] of cases) {
      const r = await requestCosignature({ ...base, url: 'http://w.invalid', fetch: f, witnessKey: key })
      expect(r, JSON.stringify(want)).toMatchObject({ ok: false, ...want })
      if (!('knownSize' in want)) expect(r).not.toHaveProperty('knownSize')
    }
  })

  it('sends exactly the tlog-witness request body', async () => {
    const log = new TestLog().append(9)
    const proof = await log.proof(4, 9)
    let sent: { url: string; method?: string; body?: Uint8Array } = { url: '' }
    const spy: typeof fetch = async (u, init) => {
      sent = { url: String(u), method: init?.method, body: init?.body as Uint8Array }
      return new Response('4\n', { status: 409, headers: { 'content-type': 'text/x.tlog.size' } })
    }
    await requestCosignature({ url: 'https://w.example/sub/', oldSize: 4, consistencyProof: proof, checkpointNote: log.checkpoint(), timeoutMs: 1000, fetch: spy })
    expect(sent.url).toBe('https://w.example/sub/add-checkpoint')
    expect(sent.method).toBe('POST')
    expect(new TextDecoder().decode(sent.body)).toBe(body(4, proof, log.checkpoint()))
  })
})

describe('witness wire format', () => {
  it('parses what it formats, and the spec\'s example request', () => {
    const example = `old 20852014
PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=
jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=
5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=
/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=

example.com/behind-the-sofa
20852163
CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
`
    const req = parseAddCheckpointRequest(new TextEncoder().encode(example))
    expect(req.oldSize).toBe(20852014)
    expect(req.consistencyProof.map((h) => Buffer.from(h).toString('base64'))).toEqual(example.split('\n').slice(1, 5))
    expect(new TextDecoder().decode(req.checkpointNote)).toBe(example.slice(example.indexOf('\n\n') + 2))
    expect(new TextDecoder().decode(formatAddCheckpointRequest(req))).toBe(example)
  })

  it.each([
    ['7\n', 7], ['0\n', 0], ['7', null], ['07\n', null], ['7\n\n', null], [' 7\n', null], ['-1\n', null], ['', null],
  ] as const)('size body %j → %s', (text, want) => {
    expect(parseSizeBody(text)).toBe(want)
  })
})
