/**
 * A transparency log witness over node:http, implementing c2sp.org/tlog-witness v1.0.0:
 *
 *   POST /add-checkpoint   old size line, consistency proof lines, empty line, signed checkpoint
 *                          → 200 with this witness's cosignature/v1 line (c2sp.org/tlog-cosignature)
 *   GET  /status           JSON for operators: name, verifier key, each log followed and its size
 *
 * Checks, in the order tlog-witness §add-checkpoint states them (each refusal with a stable
 * code; the body of every refusal but the size conflict is `{"error":{"code","message"}}`):
 *
 *   413 ERR_LEDGER_BODY_TOO_LARGE   body above `maxBodyBytes` (16 KiB by default)
 *   400 ERR_WITNESS_BAD_REQUEST     not old line / proof lines / empty line / note; more than 63
 *                                   proof lines; old size above the checkpoint size
 *   400 ERR_NOTE_* / ERR_LOG_CHECKPOINT_MALFORMED / ERR_LOG_SIZE_UNSUPPORTED   bad note or body
 *   404 ERR_WITNESS_UNKNOWN_LOG     "If the checkpoint origin is unknown"
 *   403 ERR_NOTE_UNVERIFIED         "If none of the signatures verify against a trusted public key"
 *   403 ERR_NOTE_SIGNATURE_INVALID  a signature by a trusted key that fails (signed-note: the
 *                                   note SHOULD be rejected; the editor's draft makes it 403)
 *   409 text/x.tlog.size "<n>\n"    old size ≠ the size of the latest checkpoint cosigned
 *   422 ERR_PROOF_*                 the consistency proof does not verify (or is not empty when
 *                                   it must be; or a size-0 checkpoint without the empty root)
 *   409 ERR_LOG_MISBEHAVIOUR        same size as the one cosigned, other root hash
 *   500 ERR_LEDGER_STORAGE          the new state could not be persisted (nothing returned)
 *   503 ERR_LEDGER_UNAVAILABLE      the witness is shutting down (Retry-After)
 *
 * A checkpoint smaller than the one cosigned is a 409 too: its old size cannot be the known
 * size (the old size is at most the checkpoint size, or the request is a 400).
 *
 * Validly signed checkpoints that fork (same size, other root) or fail their consistency proof
 * are kept as evidence in <dataDir>/evidence.jsonl ("the witness MAY log the request") and passed
 * to `onMisbehaviour`.
 *
 * The check of the old size and the durable write of the new state happen under one per-log
 * lock (WitnessState.update), and the cosignature is returned only after the write is on disk.
 * Cosigning the tree head already recorded again (same size and root) returns a fresh
 * cosignature without rewriting the record.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { CivicError, InputError, type ErrorCode } from '../../core/errors.ts'
import { parseCheckpoint, type Checkpoint } from '../../core/log/checkpoint.ts'
import { bytesEqual } from '../../core/bytes/compare.ts'
import { encodeBase64 } from '../../core/bytes/base64.ts'
import { EMPTY_ROOT, verifyConsistency } from '../../core/log/merkle.ts'
import {
  ed25519NoteVerifier, parseNote, parseVerifierKey, signNote, verifyNoteSignatures, SIG_TYPE_ED25519,
  type Note, type NoteVerifier,
} from '../../core/log/note.ts'
import { ADD_CHECKPOINT_PATH, DEFAULT_MAX_BODY_BYTES, formatSizeBody, parseAddCheckpointRequest, TLOG_SIZE_CONTENT_TYPE, type AddCheckpointRequest } from './wire.ts'
import { WitnessState, type LogRecord } from './state.ts'
import { allowMethods, createHttpServer, listen, readBody, send as sendHttp, type HttpLimits, type RequestTarget } from '../../node/http.ts'

export const STATUS_PATH = '/status'

export interface WitnessLogConfig {
  /** The checkpoint origin line of the log. */
  origin: string
  /** The log's Ed25519 note verifier key (type 0x01). An origin may be listed once per key. */
  vkey: string
}

export interface MisbehaviourReport {
  kind: 'fork' | 'inconsistent'
  origin: string
  detail: string
  observedAtSeconds: number
  /** What the witness had cosigned. */
  known: { size: number; rootHash: string; checkpointNote: string }
  /** The validly signed request that contradicts it. */
  offered: { oldSize: number; consistencyProof: string[]; checkpointNote: string }
}

export interface WitnessServerOptions {
  /** Holds the witness key (created on first start) and the per-log state. */
  dataDir: string
  /** The witness's key name (a schema-less URL, as tlog-cosignature suggests). */
  name: string
  /** The logs this witness follows. */
  logs: readonly WitnessLogConfig[]
  /** Seconds since the epoch; timestamps cosignatures. Default: the system clock. */
  now?: () => number
  /** Cap on an add-checkpoint body (default 16 KiB). */
  maxBodyBytes?: number
  /** Operator log lines (misbehaviour, storage failures). */
  log?: (line: string) => void
  /** Deadlines and caps of the HTTP layer (defaults: src/node/http.ts). */
  http?: Partial<HttpLimits>
  onMisbehaviour?: (report: MisbehaviourReport) => void
}

/** The outcome of one add-checkpoint call, before it is put on the wire. */
export type AddCheckpointOutcome =
  | { ok: true; status: 200; signatureLine: string; size: number }
  | { ok: false; status: 400 | 403 | 404 | 409 | 413 | 422 | 500 | 503; code: ErrorCode; detail: string; knownSize?: number }

export interface WitnessLogStatus {
  origin: string
  logKeys: string[]
  /** Size of the latest checkpoint cosigned (0 if none). */
  size: number
  rootHash: string | null
  cosignedAtSeconds: number | null
}

export interface WitnessStatus {
  name: string
  verifierKey: string
  logs: WitnessLogStatus[]
}

export interface WitnessServer {
  /** The node:http server (not listening until `listen`). */
  readonly server: Server
  readonly name: string
  /** The witness's cosignature/v1 verifier key, `<name>+<hash>+<base64(0x04 ‖ key)>`. */
  readonly verifierKey: string
  /** Start listening; resolves with the base URL (the submission prefix), e.g. http://127.0.0.1:7380. */
  listen(port?: number, host?: string): Promise<string>
  /** The add-checkpoint logic without HTTP (what POST /add-checkpoint runs). */
  addCheckpoint(body: Uint8Array): Promise<AddCheckpointOutcome>
  status(): WitnessStatus
  /** Stop listening, finish updates under way, release the data directory. Idempotent. */
  close(): Promise<void>
}

interface FollowedLog {
  origin: string
  vkeys: string[]
  verifiers: NoteVerifier[]
}

function configError(detail: string): never {
  throw new CivicError('ERR_LEDGER_CONFIG', detail)
}

function followedLogs(logs: readonly WitnessLogConfig[]): Map<string, FollowedLog> {
  const out = new Map<string, FollowedLog>()
  for (const { origin, vkey } of logs) {
    if (typeof origin !== 'string' || origin.length === 0 || /[\u0000-\u001f]/.test(origin)) configError(`log origin ${JSON.stringify(origin)} is not one non-empty line`)
    const key = parseVerifierKey(vkey) // InputError ERR_NOTE_KEY_INVALID
    if (key.type !== SIG_TYPE_ED25519) throw new InputError('ERR_NOTE_KEY_INVALID', `the key of ${origin} is not an Ed25519 note key (type 0x01)`)
    let f = out.get(origin)
    if (!f) out.set(origin, (f = { origin, vkeys: [], verifiers: [] }))
    if (f.verifiers.some((v) => v.name === key.name && v.keyId === key.keyId)) continue
    f.vkeys.push(vkey)
    f.verifiers.push(ed25519NoteVerifier(key))
  }
  return out
}

const refuse = (status: 400 | 403 | 404 | 409 | 413 | 422 | 500 | 503, code: ErrorCode, detail: string): AddCheckpointOutcome => ({ ok: false, status, code, detail })
const inputRefusal = (e: unknown): AddCheckpointOutcome => {
  if (e instanceof InputError) return refuse(400, e.code, e.detail)
  throw e
}

/** Open the data directory and build the witness. Rejects with the codes of WitnessState.open, ERR_LEDGER_CONFIG, ERR_NOTE_KEY_INVALID. */
export async function createWitnessServer(options: WitnessServerOptions): Promise<WitnessServer> {
  const logs = followedLogs(options.logs)
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 64) throw new RangeError('maxBodyBytes must be an integer of at least 64')
  const now = options.now ?? ((): number => Math.floor(Date.now() / 1000))
  const nowSeconds = (): number => {
    const t = Math.floor(now())
    if (!Number.isSafeInteger(t) || t < 0) throw new RangeError('the clock returned an impossible time')
    return t
  }
  const say = options.log ?? ((): void => {})
  const state = await WitnessState.open({ dataDir: options.dataDir, name: options.name })

  async function addCheckpoint(body: Uint8Array): Promise<AddCheckpointOutcome> {
    if (body.length > maxBodyBytes) return refuse(413, 'ERR_LEDGER_BODY_TOO_LARGE', `body of ${body.length} bytes is above ${maxBodyBytes}`)
    let req: AddCheckpointRequest
    let note: Note
    try {
      req = parseAddCheckpointRequest(body)
      note = parseNote(req.checkpointNote, { maxBytes: maxBodyBytes })
    } catch (e) {
      return inputRefusal(e)
    }
    // "If the checkpoint origin is unknown, the witness MUST respond with a 404 Not Found"
    const origin = note.text.slice(0, note.text.indexOf('\n'))
    const log = logs.get(origin)
    if (!log) return refuse(404, 'ERR_WITNESS_UNKNOWN_LOG', `this witness does not follow ${JSON.stringify(origin.slice(0, 100))}`)
    // "MUST verify the checkpoint signature against the public key(s) it trusts for the
    // checkpoint origin, and it MUST ignore signatures from unknown keys … If none of the
    // signatures verify against a trusted public key … 403 Forbidden"
    const sigs = verifyNoteSignatures(note, log.verifiers)
    if (!sigs.ok) return refuse(403, sigs.code, sigs.detail)
    if (sigs.value.length === 0) return refuse(403, 'ERR_NOTE_UNVERIFIED', `no signature by a key of ${origin}`)
    let cp: Checkpoint
    try {
      cp = parseCheckpoint(note.text)
    } catch (e) {
      return inputRefusal(e)
    }
    // "The old size MUST be equal to or lower than the checkpoint size. Otherwise … 400"
    if (req.oldSize > cp.size) return refuse(400, 'ERR_WITNESS_BAD_REQUEST', `old size ${req.oldSize} is above the checkpoint size ${cp.size}`)

    let evidence: MisbehaviourReport | undefined
    const misbehaviour = (kind: MisbehaviourReport['kind'], known: LogRecord, detail: string): void => {
      evidence = {
        kind,
        origin,
        detail,
        observedAtSeconds: nowSeconds(),
        known: { size: known.size, rootHash: encodeBase64(known.rootHash), checkpointNote: known.checkpointNote },
        offered: { oldSize: req.oldSize, consistencyProof: req.consistencyProof.map((h) => encodeBase64(h)), checkpointNote: new TextDecoder().decode(req.checkpointNote) },
      }
    }
    let outcome: AddCheckpointOutcome
    try {
      outcome = await state.update<AddCheckpointOutcome>(origin, (current) => {
        // "The witness MUST check that the old size matches the size of the latest checkpoint
        // it cosigned for the checkpoint's origin (or zero if it never cosigned …)"
        const knownSize = current?.size ?? 0
        if (req.oldSize !== knownSize) {
          return { result: { ok: false, status: 409, code: 'ERR_WITNESS_CONFLICT', detail: `the witness cosigned size ${knownSize}, not ${req.oldSize}`, knownSize } }
        }
        const proof = req.consistencyProof
        if (req.oldSize === 0) {
          // "The proof MUST be empty if the old size is zero."
          if (proof.length !== 0) return { result: refuse(422, 'ERR_PROOF_WRONG_LENGTH', 'the proof must be empty when the old size is 0') }
          // Editor's draft: a size-0 checkpoint must carry the empty tree's root.
          if (cp.size === 0 && !bytesEqual(cp.rootHash, EMPTY_ROOT)) return { result: refuse(422, 'ERR_PROOF_ROOT_MISMATCH', 'a checkpoint of size 0 must have the empty tree root') }
          // Every tree extends the empty one: nothing to prove.
        } else if (req.oldSize === cp.size) {
          // "If the old size matches the checkpoint size, the witness MUST check that the root
          // hashes are also identical. If they don't match … 409 Conflict"
          if (!bytesEqual(cp.rootHash, current!.rootHash)) {
            misbehaviour('fork', current!, `two root hashes signed for size ${cp.size}`)
            return { result: refuse(409, 'ERR_LOG_MISBEHAVIOUR', `size ${cp.size} was cosigned with another root hash`) }
          }
          if (proof.length !== 0) return { result: refuse(422, 'ERR_PROOF_WRONG_LENGTH', 'equal sizes need an empty proof') }
        } else {
          // "The consistency proof lines MUST encode a Merkle Consistency Proof from the old size
          // to the checkpoint size … If [it] doesn't verify … 422 Unprocessable Entity"
          const c = verifyConsistency({ size1: req.oldSize, size2: cp.size, proof, root1: current!.rootHash, root2: cp.rootHash })
          if (!c.ok) {
            misbehaviour('inconsistent', current!, `size ${cp.size} is not proven consistent with size ${req.oldSize}: ${c.code}`)
            return { result: refuse(422, c.code, c.detail) }
          }
        }
        // All checks passed: cosign, and have WitnessState persist before anything is returned.
        const t = nowSeconds()
        const cosigned = signNote(note.text, [state.signer(() => t)], note.signatures)
        const withoutLastNewline = cosigned.slice(0, -1)
        const line = withoutLastNewline.slice(withoutLastNewline.lastIndexOf('\n') + 1) // signNote puts ours last
        const result: AddCheckpointOutcome = { ok: true, status: 200, signatureLine: line, size: cp.size }
        // The same tree head again: the durable state (size, root) already says so; a replayed
        // request costs a signature, not a disk write.
        if (current && current.size === cp.size) return { result }
        const record: LogRecord = { origin, size: cp.size, rootHash: cp.rootHash, checkpointNote: cosigned, cosignatureLine: line, cosignedAtSeconds: t }
        return { commit: record, result }
      })
    } catch (e) {
      if (e instanceof CivicError && e.code === 'ERR_LEDGER_STORAGE') {
        say(`witness: ${e.code}: ${e.detail}`)
        return refuse(500, e.code, 'the witness could not persist its state; nothing was cosigned')
      }
      if (e instanceof CivicError && e.code === 'ERR_LEDGER_UNAVAILABLE') return refuse(503, e.code, e.detail)
      throw e
    }
    if (evidence) {
      const report = evidence
      say(`witness: MISBEHAVIOUR ${report.kind} by ${origin}: ${report.detail}`)
      await state.recordEvidence(report, JSON.stringify([report.kind, report.known.checkpointNote, report.offered]))
      options.onMisbehaviour?.(report)
    }
    return outcome
  }

  function status(): WitnessStatus {
    return {
      name: state.identity.name,
      verifierKey: state.identity.verifierKey,
      logs: [...logs.values()].map((l) => {
        const r = state.get(l.origin)
        return {
          origin: l.origin,
          logKeys: [...l.vkeys],
          size: r?.size ?? 0,
          rootHash: r ? encodeBase64(r.rootHash) : null,
          cosignedAtSeconds: r?.cosignedAtSeconds ?? null,
        }
      }),
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse, target: RequestTarget): Promise<void> {
    const path = target.path
    const method = req.method ?? 'GET'
    if (path === ADD_CHECKPOINT_PATH) {
      allowMethods(method, ['POST'], path)
      // Bodies up to 1 MiB are read (and dropped) before a 413, so the client sees the answer.
      const body = await readBody(req, { max: maxBodyBytes, tooLargeCode: 'ERR_LEDGER_BODY_TOO_LARGE' })
      const out = await addCheckpoint(body)
      if (out.ok) return send(res, 200, 'text/plain; charset=utf-8', `${out.signatureLine}\n`)
      if (out.status === 409 && out.knownSize !== undefined) return send(res, 409, TLOG_SIZE_CONTENT_TYPE, formatSizeBody(out.knownSize))
      if (out.status === 503) res.setHeader('Retry-After', '1')
      return sendError(res, out.status, out.code, out.detail)
    }
    if (path === STATUS_PATH) {
      allowMethods(method, ['GET', 'HEAD'], path)
      return send(res, 200, 'application/json', `${JSON.stringify(status())}\n`)
    }
    throw new CivicError('ERR_LEDGER_NOT_FOUND', 'no such endpoint')
  }

  const server = createHttpServer({ handle, log: (l) => say(`witness: ${l}`), ...(options.http ? { limits: options.http } : {}) })

  let closing: Promise<void> | undefined
  return {
    server,
    name: state.identity.name,
    verifierKey: state.identity.verifierKey,
    addCheckpoint,
    status,
    async listen(port = 0, host = '127.0.0.1') {
      try {
        await listen(server, port, host)
      } catch (e) {
        throw new CivicError('ERR_LEDGER_CONFIG', `cannot listen on ${host}:${port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e })
      }
      const a = server.address()
      const p = typeof a === 'object' && a ? a.port : port
      return `http://${host.includes(':') ? `[${host}]` : host}:${p}`
    },
    close() {
      closing ??= (async () => {
        // Updates under way finish (and are answered); idle connections close now.
        await new Promise<void>((resolve) => {
          if (!server.listening) return resolve()
          server.close(() => resolve())
          server.closeIdleConnections()
        })
        await state.close()
      })()
      return closing
    },
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  sendHttp(res, status, body, { 'content-type': contentType, 'cache-control': 'no-store' })
}

function sendError(res: ServerResponse, status: number, code: ErrorCode, message: string): void {
  send(res, status, 'application/json', `${JSON.stringify({ error: { code, message } })}\n`)
}
