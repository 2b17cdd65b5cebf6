/**
 * The ledger's HTTP face (node:http, loopback by default):
 *   GET  /checkpoint                 the published, cosigned checkpoint (c2sp.org/tlog-checkpoint)
 *   GET  /tile/<L>/<N>[.p/<W>]       hash tiles          (c2sp.org/tlog-tiles)
 *   GET  /tile/entries/<N>[.p/<W>]   entry bundles       (c2sp.org/tlog-tiles)
 *   GET  /proof/<index>              an offline proof    (c2sp.org/tlog-proof)
 *   POST /add-entry                  one entry (the bytes of one registry JWS), answered with its
 *                                    index once durable and in a published, witnessed checkpoint
 * Full tiles never change: they are served `immutable` so any HTTP cache or CDN can scale the
 * reads. Only what the published checkpoint covers is served. A read-only server (no
 * sequencer) serves the GETs straight from storage.
 *
 * Errors are `{"error":{"code":"ERR_…","message":"…"}}` with the status from one table.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { CivicError, type ErrorCode } from '../core/errors.ts'
import { decodeUtf8 } from '../core/bytes/utf8.ts'
import { parseCheckpoint } from '../core/log/checkpoint.ts'
import { parseNote } from '../core/log/note.ts'
import { proveInclusion } from '../core/log/merkle.ts'
import { formatTlogProof } from '../core/log/proof.ts'
import { parseTilePath, tileHashReader, MAX_ENTRY_BYTES, TILE_WIDTH } from '../core/log/tiles.ts'
import type { LogStorage } from './storage/types.ts'
import type { Sequencer } from './sequencer.ts'
import { RateLimiter } from './rate-limit.ts'

/** HTTP status for each code a request can end with; anything else about input is 400. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  ERR_LEDGER_BODY_TOO_LARGE: 413,
  ERR_LEDGER_RATE_LIMITED: 429,
  ERR_LEDGER_UNAVAILABLE: 503,
  ERR_LEDGER_STORAGE: 503,
  ERR_LEDGER_LOCKED: 503,
  ERR_LEDGER_CORRUPT: 500,
  ERR_LEDGER_NOT_FOUND: 404,
  ERR_LOG_TILE_PATH_INVALID: 404,
}

export function statusOf(code: ErrorCode): number {
  const s = STATUS[code]
  if (s) return s
  if (/_NOT_AUTHORIZED|_UNKNOWN_ISSUER|_SUSPENDED|_KEY_REVOKED|_SIGNATURE_INVALID|_KEY_UNKNOWN/.test(code)) return 403
  if (/_VERSION_NOT_INCREASING|_REPLAY/.test(code)) return 409
  return 400
}

export interface LedgerHttpOptions {
  storage: LogStorage
  /** The sequencer; absent on a read-only server. */
  sequencer?: Sequencer
  limits?: { perAddressPerSecond?: number; perIssuerPerSecond?: number }
  now?: () => number
}

interface Published {
  note: Uint8Array
  size: number
}

export function createLedgerServer(o: LedgerHttpOptions): Server {
  const perAddress = new RateLimiter(o.limits?.perAddressPerSecond ?? 500)
  const perIssuer = new RateLimiter(o.limits?.perIssuerPerSecond ?? 200)
  let cache: Published | null = null

  const published = async (): Promise<Published | null> => {
    const note = o.sequencer?.checkpoint ?? (await o.storage.getCheckpoint())
    if (!note) return null
    if (cache && cache.note === note) return cache
    cache = { note, size: parseCheckpoint(parseNote(note).text).size }
    return cache
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://ledger.invalid')
    const path = url.pathname
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (path === '/checkpoint') {
        const p = await published()
        if (!p) throw new CivicError('ERR_LEDGER_NOT_FOUND', 'the log has no checkpoint yet')
        return send(res, 200, p.note, 'text/plain; charset=utf-8', 'no-cache')
      }
      if (path.startsWith('/tile/')) {
        const ref = parseTilePath(path.slice(1))
        const p = await published()
        // Serve only what the published tree covers (a staged tile may still change).
        const hashesAtLevel = ref.kind === 'entries' ? (p?.size ?? 0) : Math.floor((p?.size ?? 0) / TILE_WIDTH ** ref.level)
        const end = ref.index * TILE_WIDTH + ref.width
        const fullOk = ref.width === TILE_WIDTH && end <= hashesAtLevel
        const partialOk = ref.width < TILE_WIDTH && end === hashesAtLevel
        if (!p || !(fullOk || partialOk)) throw new CivicError('ERR_LEDGER_NOT_FOUND', `${path} is not in the published tree`)
        const bytes = await o.storage.getObject(path.slice(1))
        if (!bytes) throw new CivicError('ERR_LEDGER_NOT_FOUND', `${path} is missing`)
        return send(res, 200, bytes, 'application/octet-stream', ref.width === TILE_WIDTH ? 'public, max-age=31536000, immutable' : 'public, max-age=60')
      }
      const m = /^\/proof\/(0|[1-9][0-9]{0,15})$/.exec(path)
      if (m) {
        const index = Number(m[1])
        const p = await published()
        if (!p || index >= p.size) throw new CivicError('ERR_LEDGER_NOT_FOUND', `no entry ${index} in the published tree`)
        const reader = tileHashReader(p.size, async (tile) => {
          const b = await o.storage.getObject(tile)
          if (!b) throw new CivicError('ERR_LEDGER_CORRUPT', `${tile} is missing`)
          return b
        })
        const proof = await proveInclusion(index, p.size, reader)
        return send(res, 200, formatTlogProof({ index, proof, checkpointNote: decodeUtf8(p.note) }), 'text/plain; charset=utf-8', 'no-cache')
      }
      throw new CivicError('ERR_LEDGER_NOT_FOUND', `no resource ${path}`)
    }
    if (req.method === 'POST' && path === '/add-entry') {
      if (!o.sequencer) throw new CivicError('ERR_LEDGER_UNAVAILABLE', 'this server is read-only')
      const address = req.socket.remoteAddress ?? '?'
      if (!perAddress.take(address)) throw new CivicError('ERR_LEDGER_RATE_LIMITED', 'too many requests from this address')
      const body = await readBody(req, MAX_ENTRY_BYTES)
      const index = await o.sequencer.add(body, (issuer) => perIssuer.take(issuer))
      return send(res, 200, JSON.stringify({ index }), 'application/json', 'no-store')
    }
    throw new CivicError('ERR_LEDGER_NOT_FOUND', `no resource ${req.method} ${path}`)
  }

  return createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const err = e instanceof CivicError ? e : new CivicError('ERR_LEDGER_STORAGE', 'internal error', { cause: e })
      const status = statusOf(err.code)
      const headers: Record<string, string> = {}
      if (status === 429 || status === 503) headers['retry-after'] = '1'
      if (status === 413) headers.connection = 'close'
      send(res, status, JSON.stringify({ error: { code: err.code, message: err.detail } }), 'application/json', 'no-store', headers)
      if (status === 413) req.destroy()
    })
  })
}

function send(res: ServerResponse, status: number, body: Uint8Array | string, type: string, cache: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end()
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  res.writeHead(status, { 'content-type': type, 'content-length': String(bytes.length), 'cache-control': cache, 'x-content-type-options': 'nosniff', ...extra })
  res.end(res.req.method === 'HEAD' ? undefined : bytes)
}

/** The request body, refused with ERR_LEDGER_BODY_TOO_LARGE past `max` bytes without reading it all. */
async function readBody(req: IncomingMessage, max: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > max) throw new CivicError('ERR_LEDGER_BODY_TOO_LARGE', `body of ${declared} bytes > ${max}`)
  const chunks: Buffer[] = []
  let size = 0
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length
    if (size > max) throw new CivicError('ERR_LEDGER_BODY_TOO_LARGE', `body larger than ${max} bytes`)
    chunks.push(c)
  }
  if (size === 0) throw new CivicError('ERR_LEDGER_BODY_TOO_LARGE', 'empty body: an entry is 1..65535 bytes')
  return new Uint8Array(Buffer.concat(chunks))
}
