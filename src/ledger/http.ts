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
 * Errors are `{"error":{"code":"ERR_…","message":"…"}}` with the status from the one table of
 * src/node/http.ts, which also parses the request target, caps bodies and connections and drops
 * slow requests; add-entry is rate-limited per client network (src/node/rate-limit.ts).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { CivicError } from '../core/errors.ts'
import { decodeUtf8 } from '../core/bytes/utf8.ts'
import { parseCheckpoint } from '../core/log/checkpoint.ts'
import { parseNote } from '../core/log/note.ts'
import { proveInclusion } from '../core/log/merkle.ts'
import { formatTlogProof } from '../core/log/proof.ts'
import { parseTilePath, tileHashReader, MAX_ENTRY_BYTES, TILE_WIDTH } from '../core/log/tiles.ts'
import { allowMethods, createHttpServer, readBody, send as sendHttp, type HttpLimits, type RequestTarget } from '../node/http.ts'
import { networkKey, RateLimiter } from '../node/rate-limit.ts'
import type { LogStorage } from './storage/types.ts'
import type { Sequencer } from './sequencer.ts'

export interface LedgerHttpOptions {
  storage: LogStorage
  /** The sequencer; absent on a read-only server. */
  sequencer?: Sequencer
  limits?: { perAddressPerSecond?: number; perIssuerPerSecond?: number }
  /** Deadlines and caps of the HTTP layer (defaults: src/node/http.ts). */
  http?: Partial<HttpLimits>
  now?: () => number
  /** Operator log (internal errors). */
  log?: (line: string) => void
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

  const handle = async (req: IncomingMessage, res: ServerResponse, target: RequestTarget): Promise<void> => {
    const path = target.path
    const method = req.method ?? 'GET'
    if (path === '/add-entry') allowMethods(method, ['POST'], path)
    else if (path === '/checkpoint' || path.startsWith('/tile/') || path.startsWith('/proof/')) allowMethods(method, ['GET', 'HEAD'], path)
    if (method === 'GET' || method === 'HEAD') {
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
      throw new CivicError('ERR_LEDGER_NOT_FOUND', `no resource ${path.slice(0, 80)}`)
    }
    if (method === 'POST' && path === '/add-entry') {
      if (!o.sequencer) throw new CivicError('ERR_LEDGER_UNAVAILABLE', 'this server is read-only')
      if (!perAddress.take(networkKey(req.socket.remoteAddress))) throw new CivicError('ERR_LEDGER_RATE_LIMITED', 'too many requests from this network')
      const body = await readBody(req, { max: MAX_ENTRY_BYTES, tooLargeCode: 'ERR_LEDGER_BODY_TOO_LARGE' })
      if (body.length === 0) throw new CivicError('ERR_LEDGER_BODY_TOO_LARGE', 'empty body: an entry is 1..65535 bytes')
      const index = await o.sequencer.add(body, (issuer) => perIssuer.take(issuer))
      return send(res, 200, JSON.stringify({ index }), 'application/json', 'no-store')
    }
    throw new CivicError('ERR_LEDGER_NOT_FOUND', `no resource ${method} ${path.slice(0, 80)}`)
  }

  return createHttpServer({ handle, ...(o.http ? { limits: o.http } : {}), ...(o.log ? { log: o.log } : {}) })
}

function send(res: ServerResponse, status: number, body: Uint8Array | string, type: string, cache: string): void {
  sendHttp(res, status, body, { 'content-type': type, 'cache-control': cache })
}
