/**
 * The one HTTP layer of every service (ledger, witness, issuer, the app's static server).
 *
 * Why one: each service used to carry its own body reader, response writer and status table,
 * and each had its own gap — a request target that made `new URL` throw, a status guessed by
 * regular expressions over code names, no deadline on a slow body, no connection cap. Here:
 *
 * - the request target is parsed without ever throwing anything but a coded 400
 *   (`parseTarget`): an absolute path (or an absolute-form http URL), RFC 3986 characters only,
 *   percent-encoding that decodes to UTF-8 without control characters;
 * - node's own parse failures (a malformed request line, headers too large, a timeout) are
 *   answered with the same JSON error shape and the connection closed (`clientError`);
 * - every code has exactly one status (`HTTP_STATUS`, total over the catalogue: a new code
 *   without a status is a type error);
 * - bodies are capped before they are read and must arrive before a deadline; JSON bodies go
 *   through the kernel's strict parser (duplicate members refused);
 * - each server caps its connections, its header and request time, and idle keep-alives, so a
 *   flood of connections or a slow client costs a bounded amount.
 *
 * Errors are `{"error":{"code":"ERR_…","message":"…"}}` unless a server says otherwise.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { CivicError, type ErrorCode } from '../core/errors.ts'
import { decodeUtf8 } from '../core/bytes/utf8.ts'
import { parseJsonObject, type JsonLimits, type JsonObject } from '../core/bytes/json.ts'

/** The HTTP status of every code. Codes no request can end with still get one: the table is total. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  ERR_B64_INVALID: 400,
  ERR_UTF8_INVALID: 400,
  ERR_JSON_SYNTAX: 400,
  ERR_JSON_DUPLICATE_KEY: 400,
  ERR_JSON_TOO_DEEP: 400,
  ERR_JSON_TOO_LARGE: 400,
  ERR_JSON_NOT_OBJECT: 400,

  ERR_JWK_INVALID: 400,
  ERR_KEY_WEAK: 400,
  ERR_KEY_ALG_MISMATCH: 400,
  ERR_DID_INVALID: 400,
  ERR_DID_UNSUPPORTED: 400,
  ERR_DID_NOT_FOUND: 400,

  ERR_JWS_MALFORMED: 400,
  ERR_JWS_TOO_LARGE: 400,
  ERR_JWS_ALG_NOT_ALLOWED: 400,
  ERR_JWS_CRIT_UNSUPPORTED: 400,
  ERR_JWS_HEADER_INVALID: 400,
  ERR_JWS_TYP_MISMATCH: 400,
  ERR_JWS_SIGNATURE_MALFORMED: 400,
  ERR_JWS_SIGNATURE_INVALID: 403,
  ERR_JWS_KEY_UNKNOWN: 403,

  ERR_SDJWT_TOO_LARGE: 400,
  ERR_SDJWT_TOO_MANY_DISCLOSURES: 400,
  ERR_SDJWT_TOO_DEEP: 400,
  ERR_SDJWT_MALFORMED: 400,
  ERR_SDJWT_DISCLOSURE_MALFORMED: 400,
  ERR_SDJWT_DISCLOSURE_DUPLICATE: 400,
  ERR_SDJWT_DISCLOSURE_UNREFERENCED: 400,
  ERR_SDJWT_DISCLOSURE_KIND: 400,
  ERR_SDJWT_DIGEST_DUPLICATE: 400,
  ERR_SDJWT_RESERVED_NAME: 400,
  ERR_SDJWT_CLAIM_COLLISION: 400,
  ERR_SDJWT_SD_ALG: 400,
  ERR_SDJWT_SD_INVALID: 400,
  ERR_SDJWT_PRESENT_UNKNOWN: 400,
  ERR_SDJWT_FRAME_INVALID: 400,

  ERR_KB_REQUIRED: 400,
  ERR_KB_MALFORMED: 400,
  ERR_KB_NO_CNF: 400,
  ERR_KB_SIGNATURE_INVALID: 403,
  ERR_KB_SD_HASH_MISMATCH: 400,
  ERR_KB_NONCE_MISMATCH: 400,
  ERR_KB_AUD_MISMATCH: 400,
  ERR_KB_IAT_OUT_OF_WINDOW: 400,

  ERR_SDVC_CLAIM_MISSING: 400,
  ERR_SDVC_CLAIM_DISCLOSABLE: 400,
  ERR_TIME_CLAIM_INVALID: 400,
  ERR_TIME_EXPIRED: 400,
  ERR_TIME_NOT_YET_VALID: 400,

  ERR_VC_INVALID: 400,
  ERR_VC_SIGNATURE_INVALID: 403,
  ERR_VC_EXPIRED: 400,
  ERR_VP_NONCE_MISMATCH: 400,
  ERR_VP_AUD_MISMATCH: 400,
  ERR_VP_HOLDER_MISMATCH: 400,
  ERR_VP_CREDENTIAL_INVALID: 400,
  ERR_VP_INVALID: 400,

  ERR_NOTE_TOO_LARGE: 400,
  ERR_NOTE_MALFORMED: 400,
  ERR_NOTE_TOO_MANY_SIGNATURES: 400,
  ERR_NOTE_KEY_INVALID: 400,
  ERR_NOTE_SIGNATURE_INVALID: 403,
  ERR_NOTE_UNVERIFIED: 403,
  ERR_LOG_CHECKPOINT_MALFORMED: 400,
  ERR_LOG_SIZE_UNSUPPORTED: 400,
  ERR_LOG_ORIGIN_MISMATCH: 400,
  ERR_LOG_COSIGNATURE_MALFORMED: 400,
  ERR_LOG_COSIGNATURE_INVALID: 400,
  ERR_LOG_COSIGNATURE_FUTURE: 400,
  ERR_LOG_QUORUM_NOT_MET: 400,
  ERR_LOG_TILE_PATH_INVALID: 404,
  ERR_LOG_TILE_MALFORMED: 400,
  ERR_LOG_BUNDLE_MALFORMED: 400,
  ERR_LOG_TILE_MISMATCH: 400,
  ERR_LOG_ROOT_MISMATCH: 400,
  ERR_LOG_FETCH_FAILED: 502,
  ERR_LOG_MISBEHAVIOUR: 409,
  ERR_LOG_STATE_INVALID: 500,
  ERR_LOG_EVIDENCE_INVALID: 400,
  ERR_LOG_INCLUSION_INVALID: 422,
  ERR_PROOF_MALFORMED: 422,
  ERR_PROOF_OUT_OF_RANGE: 422,
  ERR_PROOF_WRONG_LENGTH: 422,
  ERR_PROOF_ROOT_MISMATCH: 422,

  ERR_LEDGER_LOCKED: 503,
  ERR_LEDGER_STORAGE: 503,
  ERR_LEDGER_CORRUPT: 500,
  ERR_LEDGER_CONFIG: 500,
  ERR_LEDGER_BODY_TOO_LARGE: 413,
  ERR_LEDGER_RATE_LIMITED: 429,
  ERR_LEDGER_NOT_FOUND: 404,
  ERR_LEDGER_UNAVAILABLE: 503,
  ERR_LEDGER_WRONG_LOG: 422,
  ERR_WITNESS_UNKNOWN_LOG: 404,
  ERR_WITNESS_CONFLICT: 409,
  ERR_WITNESS_BAD_REQUEST: 400,

  ERR_REG_ENTRY_TOO_LARGE: 400,
  ERR_REG_UNKNOWN_TYPE: 400,
  ERR_REG_SCHEMA: 400,
  ERR_REG_NOT_AUTHORIZED: 403,
  ERR_REG_UNKNOWN_ISSUER: 403,
  ERR_REG_UNKNOWN_VERIFIER: 400,
  ERR_REG_UNKNOWN_ENTITY: 400,
  ERR_REG_ROLE_CONFLICT: 400,
  ERR_REG_ISSUER_SUSPENDED: 403,
  ERR_REG_VERIFIER_SUSPENDED: 403,
  ERR_REG_EXPIRED: 400,
  ERR_REG_VCT_NOT_ACCREDITED: 400,
  ERR_REG_VERSION_NOT_INCREASING: 409,
  ERR_REG_REPLAY: 409,
  ERR_REG_STALE: 400,
  ERR_REG_KEY_REVOKED: 403,
  ERR_REG_KEY_UNKNOWN: 403,
  ERR_REG_KID_REUSED: 400,
  ERR_REG_LIMIT: 400,
  ERR_REG_STATE_INVALID: 500,

  ERR_ISSUER_CONFIG: 503,
  ERR_ISSUER_LOCKED: 503,
  ERR_ISSUER_STORAGE: 503,
  ERR_ISSUER_UNKNOWN_VCT: 400,
  ERR_ISSUER_CLAIMS_INVALID: 400,
  ERR_ISSUER_UNKNOWN_CREDENTIAL: 404,
  ERR_ISSUER_CREDENTIAL_STATE: 409,
  ERR_ISSUER_CAPACITY: 507,
  ERR_ISSUER_LEDGER: 502,
  ERR_ISSUER_BAD_REQUEST: 400,
  ERR_ISSUER_FORBIDDEN: 403,
  ERR_ISSUER_UNAUTHENTICATED: 401,
  ERR_ISSUER_ROLE: 403,
  ERR_ISSUER_ENROLMENT: 410,
  ERR_ISSUER_RATE_LIMITED: 429,
  ERR_ISSUER_PASSKEY: 400,
  ERR_ISSUER_NOT_FOUND: 404,
  ERR_ISSUER_UNREACHABLE: 502,
  ERR_VCI_REQUEST_INVALID: 400,
  ERR_VCI_GRANT_UNSUPPORTED: 400,
  ERR_VCI_OFFER_UNKNOWN: 400,
  ERR_VCI_OFFER_USED: 400,
  ERR_VCI_OFFER_EXPIRED: 400,
  ERR_VCI_OFFER_VOID: 400,
  ERR_VCI_TX_CODE_REQUIRED: 400,
  ERR_VCI_TX_CODE_UNEXPECTED: 400,
  ERR_VCI_TX_CODE_INVALID: 400,
  ERR_VCI_TOKEN_INVALID: 401,
  ERR_VCI_DPOP_INVALID: 401,
  ERR_VCI_UNKNOWN_CONFIGURATION: 400,
  ERR_VCI_PROOF_INVALID: 400,
  ERR_VCI_PROOF_AUD_MISMATCH: 400,
  ERR_VCI_NONCE_MISSING: 400,
  ERR_VCI_NONCE_INVALID: 400,
  ERR_VCI_NONCE_REPLAYED: 400,
  ERR_VCI_HOLDER_KEY_DUPLICATE: 400,
  ERR_VCI_BATCH_TOO_LARGE: 400,

  ERR_STATUS_LIST_MALFORMED: 400,
  ERR_STATUS_BITS_INVALID: 400,
  ERR_STATUS_LIST_TOO_LARGE: 400,
  ERR_STATUS_ZLIB_INVALID: 400,
  ERR_STATUS_ZLIB_TRUNCATED: 400,
  ERR_STATUS_ZLIB_TRAILING_DATA: 400,
  ERR_STATUS_TOKEN_INVALID: 400,
  ERR_STATUS_URI_MISMATCH: 400,
  ERR_STATUS_STALE: 400,
  ERR_STATUS_REF_INVALID: 400,
  ERR_STATUS_LIST_MISSING: 400,
  ERR_STATUS_NOT_ANCHORED: 400,
  ERR_STATUS_ISSUER_MISMATCH: 400,
  ERR_STATUS_INDEX_OUT_OF_RANGE: 400,
  ERR_STATUS_VALUE_UNSUPPORTED: 400,
  ERR_STATUS_REVOKED: 400,
  ERR_STATUS_SUSPENDED: 400,

  ERR_TRUST_CONFIG: 500,
  ERR_TRUST_REGISTRY_BEHIND: 503,
  ERR_STORE_UNAVAILABLE: 503,
  ERR_STORE_QUOTA: 507,
  ERR_WALLET_VAULT_INVALID: 500,
  ERR_WALLET_PASSPHRASE_WRONG: 401,
  ERR_WALLET_PASSPHRASE_WEAK: 400,
  ERR_WALLET_THROTTLED: 429,
  ERR_WALLET_PASSKEY_REFUSED: 401,
  ERR_WALLET_RECORD_INVALID: 500,
  ERR_WALLET_OFFER_INVALID: 400,
  ERR_WALLET_ISSUER_UNREACHABLE: 503,
  ERR_WALLET_ISSUANCE_REFUSED: 502,
  ERR_WALLET_TX_CODE_NEEDED: 400,
  ERR_WALLET_REQUEST_INVALID: 400,
  ERR_WALLET_BACKUP_INVALID: 400,
  ERR_WALLET_CREDENTIAL_INVALID: 502,

  ERR_QR_FRAME_MALFORMED: 400,
  ERR_QR_FRAME_TOO_LARGE: 413,
  ERR_QR_FRAME_FOREIGN: 400,
  ERR_QR_FRAMES_INCOMPLETE: 400,
  ERR_QR_INTEGRITY: 400,
  ERR_EXCH_PACK_INVALID: 400,
  ERR_EXCH_JWE_INVALID: 400,
  ERR_EXCH_JWE_DECRYPT: 400,
  ERR_EXCH_REQUEST_INVALID: 400,
  ERR_EXCH_REQUEST_EXPIRED: 400,
  ERR_EXCH_REQUEST_LIFETIME: 400,
  ERR_EXCH_ATTESTATION_INVALID: 400,
  ERR_EXCH_COUNTER_UNENROLLED: 400,
  ERR_EXCH_PURPOSE_UNKNOWN: 400,
  ERR_EXCH_PURPOSE_RETAINS: 400,
  ERR_EXCH_OVERASKING: 400,
  ERR_EXCH_DCQL_INVALID: 400,
  ERR_EXCH_NONCE_UNKNOWN: 400,
  ERR_EXCH_REPLAY: 409,
  ERR_EXCH_CLAIM_MISSING: 400,
  ERR_EXCH_CLAIM_UNASKED: 400,
  ERR_EXCH_STAPLE_INVALID: 400,
  ERR_EXCH_RECEIPT_INVALID: 400,
  ERR_EXCH_RECEIPT_MISMATCH: 400,
  ERR_POLICY_HOLDER_RULE: 400,

  ERR_VERIFIER_ENROLMENT: 410,
  ERR_VERIFIER_BAD_REQUEST: 400,
  ERR_VERIFIER_FORBIDDEN: 403,
  ERR_VERIFIER_UNAUTHENTICATED: 401,
  ERR_VERIFIER_ROLE: 403,
  ERR_VERIFIER_OFFICER_ENROLMENT: 410,
  ERR_VERIFIER_RATE_LIMITED: 429,
  ERR_VERIFIER_CAPACITY: 507,
  ERR_VERIFIER_STORAGE: 503,
  ERR_VERIFIER_CONFIG: 503,
  ERR_VERIFIER_PASSKEY: 400,
  ERR_VERIFIER_UNREACHABLE: 502,

  ERR_HTTP_BAD_REQUEST: 400,
  ERR_HTTP_NOT_FOUND: 404,
  ERR_HTTP_METHOD_NOT_ALLOWED: 405,
  ERR_HTTP_BODY_TOO_LARGE: 413,
  ERR_HTTP_HEADERS_TOO_LARGE: 431,
  ERR_HTTP_TIMEOUT: 408,
  ERR_HTTP_INTERNAL: 500,

  ERR_CLI_USAGE: 400,
  ERR_CLI_FILE: 400,
}

export function statusOf(code: ErrorCode): number {
  return HTTP_STATUS[code]
}

/** A coded refusal that also sets response headers (Allow on a 405, Retry-After). */
export class HttpError extends CivicError {
  readonly headers: Readonly<Record<string, string>>
  constructor(code: ErrorCode, detail: string, headers: Record<string, string> = {}) {
    super(code, detail)
    this.headers = headers
  }
}

export interface HttpLimits {
  /** The whole request (headers and body) must arrive within this (node's requestTimeout). */
  requestTimeoutMs: number
  /** The headers must arrive within this, counted from the connection or the previous response. */
  headersTimeoutMs: number
  /** A body being read must arrive within this, counted from the request's headers. */
  bodyTimeoutMs: number
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number
  /** Connections beyond this are closed on accept. */
  maxConnections: number
  /** A connection with no traffic either way for this long is closed. */
  idleTimeoutMs: number
  /** How often node checks the header and request deadlines. */
  checkIntervalMs: number
}

export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 20_000,
  bodyTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 512,
  idleTimeoutMs: 120_000,
  checkIntervalMs: 1_000,
}

export interface RequestTarget {
  /** The path as sent (percent-encoding kept), e.g. /tile/0/000 */
  path: string
  /** The path percent-decoded (UTF-8). */
  decodedPath: string
  /** What follows `?`, as sent ('' when none). */
  query: string
}

const PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/
const QUERY_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*$/
const CONTROL = /[\u0000-\u001f\u007f]/

function badTarget(detail: string): never {
  throw new HttpError('ERR_HTTP_BAD_REQUEST', detail, { connection: 'close' })
}

/** The request target (RFC 9112 §3.2: origin-form or absolute-form), or ERR_HTTP_BAD_REQUEST. */
export function parseTarget(raw: string | undefined): RequestTarget {
  let t = raw ?? ''
  if (t.length > 8192) badTarget('request target longer than 8192 characters')
  if (/^https?:\/\//i.test(t)) {
    let u: URL
    try {
      u = new URL(t)
    } catch {
      badTarget('the request target is not a valid URL')
    }
    t = `${u.pathname}${u.search}`
  }
  if (!t.startsWith('/')) badTarget('the request target is not an absolute path')
  const q = t.indexOf('?')
  const path = q < 0 ? t : t.slice(0, q)
  const query = q < 0 ? '' : t.slice(q + 1)
  if (!PATH_CHARS.test(path)) badTarget('the path holds characters outside RFC 3986')
  if (!QUERY_CHARS.test(query)) badTarget('the query holds characters outside RFC 3986')
  let decodedPath: string
  try {
    decodedPath = decodeURIComponent(path)
  } catch {
    badTarget('the path has a bad percent-encoding or is not UTF-8')
  }
  if (CONTROL.test(decodedPath)) badTarget('the path holds a control character')
  return { path, decodedPath, query }
}

/** Throws 405 ERR_HTTP_METHOD_NOT_ALLOWED unless `method` is one of `allow`. */
export function allowMethods(method: string, allow: readonly string[], path: string): void {
  if (allow.includes(method)) return
  throw new HttpError('ERR_HTTP_METHOD_NOT_ALLOWED', `${path.slice(0, 80)} answers ${allow.join(', ')}`, { allow: allow.join(', ') })
}

/** The media type of the request (lower case, parameters dropped). */
export function mediaType(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
}

const bodyDeadline = new WeakMap<IncomingMessage, number>()

export interface BodyOptions {
  /** Bytes accepted; more is refused without reading it all. */
  max: number
  /** The code of a body above `max` (413 either way). */
  tooLargeCode?: 'ERR_HTTP_BODY_TOO_LARGE' | 'ERR_LEDGER_BODY_TOO_LARGE'
  /** Overrides the server's body deadline. */
  timeoutMs?: number
  /**
   * A body above `max` but within this many bytes is read to its end (and dropped) before the
   * refusal, so the client reads the 413 on a connection that stays usable; past it the
   * connection is closed. Default 1 MiB.
   */
  drainBytes?: number
}

/**
 * The request body: ERR_*_BODY_TOO_LARGE past `max` (declared or sent), ERR_HTTP_TIMEOUT when
 * it does not arrive before the deadline, ERR_HTTP_BAD_REQUEST when the client goes away.
 */
export function readBody(req: IncomingMessage, o: BodyOptions): Promise<Uint8Array> {
  const tooLarge = o.tooLargeCode ?? 'ERR_HTTP_BODY_TOO_LARGE'
  const drain = Math.max(o.max, o.drainBytes ?? 1024 * 1024)
  const declared = req.headers['content-length']
  if (declared !== undefined && /^[0-9]{1,15}$/.test(declared) && Number(declared) > drain) {
    return Promise.reject(new HttpError(tooLarge, `body of ${declared} bytes > ${o.max}`, { connection: 'close' }))
  }
  const timeoutMs = o.timeoutMs ?? bodyDeadline.get(req) ?? DEFAULT_HTTP_LIMITS.bodyTimeoutMs
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const done = (e: Error | null, v?: Uint8Array): void => {
      clearTimeout(timer)
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onClose)
      req.off('close', onClose)
      if (e) {
        req.pause()
        reject(e)
      } else resolve(v!)
    }
    const onData = (c: Buffer): void => {
      size += c.length
      if (size > drain) return done(new HttpError(tooLarge, `body larger than ${o.max} bytes`, { connection: 'close' }))
      if (size > o.max) chunks.length = 0
      else chunks.push(c)
    }
    const onEnd = (): void => {
      if (size > o.max) done(new HttpError(tooLarge, `body of ${size} bytes > ${o.max}`))
      else done(null, new Uint8Array(Buffer.concat(chunks)))
    }
    const onClose = (): void => done(new HttpError('ERR_HTTP_BAD_REQUEST', 'the client closed the request before its body ended', { connection: 'close' }))
    const timer = setTimeout(() => done(new HttpError('ERR_HTTP_TIMEOUT', `the body did not arrive within ${timeoutMs} ms`, { connection: 'close' })), timeoutMs)
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onClose)
    req.on('close', onClose)
  })
}

/** A UTF-8 JSON object through the kernel's strict parser: InputError ERR_UTF8_INVALID / ERR_JSON_*. */
export function parseJsonBody(body: Uint8Array, limits: JsonLimits = { maxLength: 1 << 20, maxDepth: 16 }, what = 'the body'): JsonObject {
  return parseJsonObject(decodeUtf8(body, what), limits, what)
}

/** Writes one whole response (HEAD: headers only); nothing once the response has started. */
export function send(res: ServerResponse, status: number, body: Uint8Array | string | null, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) {
    if (!res.writableEnded) res.end()
    return
  }
  const bytes = body === null ? null : typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  const h: Record<string, string> = { 'x-content-type-options': 'nosniff', ...headers }
  if (bytes) h['content-length'] = String(bytes.length)
  res.writeHead(status, h)
  res.end(res.req?.method === 'HEAD' || !bytes ? undefined : bytes)
}

/** The default error body. */
export function errorJson(code: ErrorCode, message: string): string {
  return JSON.stringify({ error: { code, message } })
}

export interface ErrorReply {
  headers?: Record<string, string>
  /** Serialised as JSON unless a string. */
  body: unknown
}

export interface HttpServerOptions {
  /** Answers one request; throws CivicError (HttpError for extra headers) to refuse. */
  handle(req: IncomingMessage, res: ServerResponse, target: RequestTarget): Promise<void>
  /** How a refusal is written (default `{"error":{"code","message"}}`). */
  errorReply?(e: CivicError, status: number, req: IncomingMessage): ErrorReply
  limits?: Partial<HttpLimits>
  /** Operator log (internal errors, with their stack). */
  log?: (line: string) => void
}

function writeError(o: HttpServerOptions, req: IncomingMessage, res: ServerResponse, e: CivicError): void {
  const status = statusOf(e.code)
  const r = o.errorReply?.(e, status, req) ?? { body: { error: { code: e.code, message: e.detail } } }
  const headers: Record<string, string> = { 'cache-control': 'no-store', ...(r.headers ?? {}), ...(e instanceof HttpError ? e.headers : {}) }
  if ((status === 429 || status === 503) && !headers['retry-after']) headers['retry-after'] = '1'
  const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body)
  headers['content-type'] ??= 'application/json; charset=utf-8'
  const close = headers.connection === 'close'
  send(res, status, text, headers)
  // A refused body is not read on: close rather than drain it.
  if (close) res.once('finish', () => req.socket.destroySoon())
}

/** A node:http server with this layer's target parsing, error writing, deadlines and caps. */
export function createHttpServer(o: HttpServerOptions): Server {
  const limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS, ...(o.limits ?? {}) }
  const say = o.log ?? ((): void => {})
  const server = createServer({
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: limits.checkIntervalMs,
    maxHeaderSize: 16 * 1024,
  }, (req, res) => {
    bodyDeadline.set(req, limits.bodyTimeoutMs)
    // The body deadline also holds for a handler that never reads the body.
    const timer = setTimeout(() => {
      if (req.complete || res.writableEnded) return
      writeError(o, req, res, new HttpError('ERR_HTTP_TIMEOUT', `the request did not arrive within ${limits.bodyTimeoutMs} ms`, { connection: 'close' }))
      setTimeout(() => req.socket.destroy(), 1000).unref()
    }, limits.bodyTimeoutMs)
    timer.unref()
    res.once('close', () => clearTimeout(timer))
    let target: RequestTarget
    try {
      target = parseTarget(req.url)
    } catch (e) {
      return writeError(o, req, res, e as CivicError)
    }
    o.handle(req, res, target).catch((e: unknown) => {
      if (res.destroyed) return
      if (e instanceof CivicError) return writeError(o, req, res, e)
      say(`internal error on ${req.method} ${target.path.slice(0, 200)}: ${(e as Error)?.stack ?? String(e)}`)
      writeError(o, req, res, new CivicError('ERR_HTTP_INTERNAL', 'internal error'))
    })
  })
  server.maxConnections = limits.maxConnections
  server.timeout = limits.idleTimeoutMs
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage
    if (err.code === 'ECONNRESET' || !socket.writable || (inFlight && inFlight.headersSent)) return void socket.destroy()
    const [status, code, message]: [number, ErrorCode, string] =
      err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'ERR_HTTP_HEADERS_TOO_LARGE', 'request headers too large']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'ERR_HTTP_HEADERS_TIMEOUT' ? [408, 'ERR_HTTP_TIMEOUT', 'the request did not arrive in time']
          : [400, 'ERR_HTTP_BAD_REQUEST', 'the request is not well-formed HTTP/1.1']
    const body = errorJson(code, message)
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\nx-content-type-options: nosniff\r\nconnection: close\r\n\r\n${body}`)
    setTimeout(() => socket.destroy(), 1000).unref()
  })
  return server
}

/** Listen; resolves with the base URL (no trailing slash), e.g. http://127.0.0.1:8081 */
export function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e)
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      const a = server.address()
      const p = typeof a === 'object' && a ? a.port : port
      const h = typeof a === 'object' && a ? a.address : host
      resolve(`http://${h.includes(':') ? `[${h}]` : h}:${p}`)
    })
  })
}

/** Stop listening and close every connection. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!server.listening) return resolve()
    server.close(() => resolve())
    server.closeAllConnections()
  })
}
