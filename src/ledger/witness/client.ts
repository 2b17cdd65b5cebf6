/**
 * The log side of c2sp.org/tlog-witness: ask one witness to cosign a checkpoint
 * (`POST <submission prefix>/add-checkpoint`). What the sequencer calls for each witness.
 *
 * Never throws on anything the network or the witness does; the answer is a value:
 * - `{ ok: true, signatureLine }`: the witness's cosignature line (without its final newline),
 *   checked to be a well-formed note signature line; with `witnessKey`, also verified as that
 *   witness's cosignature/v1 over the checkpoint (the spec: "The client MUST ignore any
 *   cosignatures from unknown keys").
 * - `{ ok: false, status: 409, knownSize, code: 'ERR_WITNESS_CONFLICT' }`: the witness cosigned
 *   `knownSize` last ("409 Conflict" with a `text/x.tlog.size` body). The caller retries with a
 *   consistency proof from `knownSize`; this function does not retry by itself.
 * - `{ ok: false, status, code }` otherwise: the code from the witness's JSON error body when it
 *   is one of ours, else one derived from the status (400 ERR_WITNESS_BAD_REQUEST, 403
 *   ERR_NOTE_UNVERIFIED, 404 ERR_WITNESS_UNKNOWN_LOG, 409 ERR_WITNESS_CONFLICT, 413
 *   ERR_LEDGER_BODY_TOO_LARGE, 422 ERR_PROOF_ROOT_MISMATCH, anything else
 *   ERR_LEDGER_UNAVAILABLE). Status 0 means no HTTP answer (network error, timeout):
 *   ERR_LEDGER_UNAVAILABLE. A 200 whose body is not signature lines: ERR_LOG_COSIGNATURE_MALFORMED;
 *   none verifying under `witnessKey`: ERR_LOG_COSIGNATURE_INVALID.
 */
import { isErrorCode, type ErrorCode } from '../../core/errors.ts'
import { decodeUtf8 } from '../../core/bytes/utf8.ts'
import { concatBytes } from '../../core/bytes/compare.ts'
import { cosignatureVerifier } from '../../core/log/cosignature.ts'
import { parseNote, parseVerifierKey, SIG_TYPE_COSIGNATURE_V1, type Note, type VerifierKey } from '../../core/log/note.ts'
import { ADD_CHECKPOINT_PATH, formatAddCheckpointRequest, parseSizeBody, TLOG_SIZE_CONTENT_TYPE } from './wire.ts'

/** Witness answers are a few signature lines or a short error; more than this is refused. */
export const MAX_RESPONSE_BYTES = 64 * 1024

export interface CosignatureRequest {
  /** The witness's submission prefix, e.g. `https://witness.example/` ; `add-checkpoint` is appended. */
  url: string
  /** The size the caller believes the witness cosigned last (0 if none). */
  oldSize: number
  /** Consistency proof from `oldSize` to the checkpoint's size (empty when `oldSize` is 0 or equal). */
  consistencyProof: readonly Uint8Array[]
  /** The checkpoint note signed by the log. */
  checkpointNote: Uint8Array | string
  /** The whole exchange, body included, must finish within this many milliseconds. */
  timeoutMs: number
  /** The fetch to use (default globalThis.fetch). */
  fetch?: typeof globalThis.fetch
  /** The witness's cosignature/v1 verifier key; when given, the answer is verified against it. */
  witnessKey?: VerifierKey | string
}

export type CosignatureResult =
  | { ok: true; signatureLine: string }
  | { ok: false; status: number; knownSize?: number; code: ErrorCode; detail: string }

const FALLBACK_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'ERR_WITNESS_BAD_REQUEST',
  403: 'ERR_NOTE_UNVERIFIED',
  404: 'ERR_WITNESS_UNKNOWN_LOG',
  409: 'ERR_WITNESS_CONFLICT',
  413: 'ERR_LEDGER_BODY_TOO_LARGE',
  422: 'ERR_PROOF_ROOT_MISMATCH',
}

/** The add-checkpoint URL under a submission prefix (a trailing slash or not). */
export function addCheckpointUrl(prefix: string): string {
  return `${prefix.replace(/\/+$/, '')}${ADD_CHECKPOINT_PATH}`
}

/** Ask one witness for its cosignature. See the file comment for the answers. */
export async function requestCosignature(req: CosignatureRequest): Promise<CosignatureResult> {
  const body = formatAddCheckpointRequest(req) // RangeError/TypeError on impossible arguments: our bug
  if (!Number.isFinite(req.timeoutMs) || req.timeoutMs <= 0) throw new RangeError('timeoutMs must be a positive number')
  let witnessKey: VerifierKey | undefined
  if (req.witnessKey !== undefined) {
    witnessKey = typeof req.witnessKey === 'string' ? parseVerifierKey(req.witnessKey) : req.witnessKey
    if (witnessKey.type !== SIG_TYPE_COSIGNATURE_V1) throw new TypeError('witnessKey must be a cosignature/v1 key (type 0x04)')
  }
  const doFetch = req.fetch ?? globalThis.fetch
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), req.timeoutMs)
  const unavailable = (detail: string): CosignatureResult => ({ ok: false, status: 0, code: 'ERR_LEDGER_UNAVAILABLE', detail })
  let status: number
  let contentType: string
  let text: string
  try {
    const res = await doFetch(addCheckpointUrl(req.url), {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      redirect: 'error',
      signal: controller.signal,
    })
    status = res.status
    contentType = (res.headers.get('content-type') ?? '').trim().toLowerCase()
    const bytes = await readCapped(res)
    if (bytes === null) return { ok: false, status, code: status === 200 ? 'ERR_LOG_COSIGNATURE_MALFORMED' : codeFor(status), detail: `response body above ${MAX_RESPONSE_BYTES} bytes` }
    try {
      text = decodeUtf8(bytes)
    } catch {
      text = ''
      if (status === 200) return { ok: false, status, code: 'ERR_LOG_COSIGNATURE_MALFORMED', detail: 'response is not UTF-8' }
    }
  } catch (e) {
    return unavailable(controller.signal.aborted ? `no answer within ${req.timeoutMs} ms` : `request failed: ${(e as Error)?.message ?? String(e)}`)
  } finally {
    clearTimeout(timer)
  }

  if (status === 200) return cosignatureFrom(text, req.checkpointNote, witnessKey)
  // "409 Conflict … The response body MUST consist of the tree size of the latest cosigned
  // checkpoint in decimal, followed by a newline … Content-Type of text/x.tlog.size"
  if (status === 409 && contentType === TLOG_SIZE_CONTENT_TYPE) {
    const knownSize = parseSizeBody(text)
    if (knownSize === null) return { ok: false, status, code: 'ERR_WITNESS_CONFLICT', detail: 'a text/x.tlog.size body that is not "<decimal>\\n"' }
    return { ok: false, status, knownSize, code: 'ERR_WITNESS_CONFLICT', detail: `the witness cosigned size ${knownSize} last` }
  }
  const err = jsonError(text, contentType)
  return { ok: false, status, code: err?.code ?? codeFor(status), detail: err?.message ?? `HTTP ${status}` }
}

function codeFor(status: number): ErrorCode {
  return FALLBACK_CODES[status] ?? 'ERR_LEDGER_UNAVAILABLE'
}

/** The response body, or null past MAX_RESPONSE_BYTES. */
async function readCapped(res: Response): Promise<Uint8Array | null> {
  if (!res.body) return new Uint8Array(0)
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.length
    if (size > MAX_RESPONSE_BYTES) {
      await reader.cancel().catch(() => {})
      return null
    }
    chunks.push(value)
  }
  return concatBytes(...chunks)
}

/** `{"error":{"code":"ERR_…","message":"…"}}` from one of our witnesses, else null. */
function jsonError(text: string, contentType: string): { code: ErrorCode; message: string } | null {
  if (!contentType.startsWith('application/json')) return null
  try {
    const v = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }
    const code = v?.error?.code
    if (!isErrorCode(code)) return null
    const message = typeof v.error?.message === 'string' ? v.error.message.slice(0, 500) : code
    return { code, message }
  } catch {
    return null
  }
}

/**
 * "The response body MUST be a sequence of one or more note signature lines, each starting
 * with the `—` character (U+2014) and ending with a newline character." The lines are parsed
 * with the signed-note parser (behind a stand-in text); with a key, the first line that
 * verifies as its cosignature over the checkpoint is returned.
 */
function cosignatureFrom(body: string, checkpointNote: Uint8Array | string, witnessKey: VerifierKey | undefined): CosignatureResult {
  const malformed = (detail: string): CosignatureResult => ({ ok: false, status: 200, code: 'ERR_LOG_COSIGNATURE_MALFORMED', detail })
  let lines: Note
  try {
    lines = parseNote(`-\n\n${body}`, { maxBytes: MAX_RESPONSE_BYTES + 3 })
  } catch {
    return malformed('the answer is not note signature lines')
  }
  const raw = body.slice(0, -1).split('\n')
  if (!witnessKey) return { ok: true, signatureLine: raw[0]! }
  let text: Uint8Array
  try {
    text = parseNote(checkpointNote).textBytes
  } catch {
    return malformed('the checkpoint sent does not parse, so no cosignature can be checked')
  }
  // The witness's own timestamp is not judged here: the ledger collects cosignatures, and every
  // reader checks them against its own clock (verifyCheckpointNote).
  const verifier = cosignatureVerifier(witnessKey, { now: 'no-clock' })
  let seen = false
  for (const [i, sig] of lines.signatures.entries()) {
    if (sig.name !== witnessKey.name || sig.keyId !== witnessKey.keyId) continue // "MUST ignore … unknown keys"
    seen = true
    if (verifier.verify(text, sig.signature).ok) return { ok: true, signatureLine: raw[i]! }
  }
  return { ok: false, status: 200, code: 'ERR_LOG_COSIGNATURE_INVALID', detail: seen ? 'the cosignature by the witness key does not verify' : 'no cosignature by the witness key in the answer' }
}
