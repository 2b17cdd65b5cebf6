/**
 * The ledger's HTTP face (node:http, loopback by default): two plain C2SP tlog-tiles logs side
 * by side, each under its own prefix `<log>` = `registry` or `status`:
 *
 *   GET  /<log>/checkpoint                 the published, cosigned checkpoint (c2sp.org/tlog-checkpoint)
 *   GET  /<log>/tile/<L>/<N>[.p/<W>]       hash tiles          (c2sp.org/tlog-tiles)
 *   GET  /<log>/tile/entries/<N>[.p/<W>]   entry bundles       (c2sp.org/tlog-tiles)
 *   GET  /<log>/proof/<index>              an offline proof    (c2sp.org/tlog-proof)
 *   POST /<log>/add-entry                  one entry (the bytes of one registry JWS), answered
 *                                          `{"index": n}` once durable and in a published,
 *                                          witnessed checkpoint; an entry of the other log's
 *                                          kind is 422 ERR_LEDGER_WRONG_LOG
 *   GET  /status/anchor/<base64url(utf-8 of a status list URI)>
 *        → `{"index": n, "entry": "<base64url of the entry bytes>", "proof": "<c2sp.org/tlog-proof
 *          text against the published status checkpoint>"}`: the LATEST anchor of that list in
 *          the published tree (an admitted, unpublished one never hides it), 404
 *          ERR_LEDGER_NOT_FOUND when it has none, 400 ERR_B64_INVALID / ERR_UTF8_INVALID for a
 *          name that is not canonical base64url of UTF-8. Clients never replay the status log:
 *          this is how they reach one list's anchor, and the proof is checked against a status
 *          checkpoint they verified (log key and witness quorum) and keep consistent.
 *
 * The old single-log paths (`/checkpoint`, `/tile/…`, `/add-entry`, `/proof/…`) are gone: 404.
 * Every GET and HEAD answer (errors too) carries `access-control-allow-origin: *`: the logs are
 * public, and the app reads them from another origin. Full tiles never change: they are served
 * `immutable` so any HTTP cache or CDN can scale the reads. Only what the published checkpoint
 * covers is served. A read-only server (no sequencers) serves the GETs straight from storage.
 *
 * Errors are `{"error":{"code":"ERR_…","message":"…"}}` with the status from the one table of
 * src/node/http.ts, which also parses the request target, caps bodies and connections and drops
 * slow requests; add-entry is rate-limited per client network (src/node/rate-limit.ts).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { CivicError } from '../core/errors.ts'
import { decodeBase64url, encodeBase64url } from '../core/bytes/base64url.ts'
import { decodeUtf8 } from '../core/bytes/utf8.ts'
import { parseCheckpoint } from '../core/log/checkpoint.ts'
import { parseNote } from '../core/log/note.ts'
import { proveInclusion } from '../core/log/merkle.ts'
import { formatTlogProof } from '../core/log/proof.ts'
import { entryBundlePath, parseEntryBundle, parseTilePath, tileHashReader, MAX_ENTRY_BYTES, TILE_WIDTH } from '../core/log/tiles.ts'
import { allowMethods, createHttpServer, readBody, send as sendHttp, type HttpLimits, type RequestTarget } from '../node/http.ts'
import { networkKey, RateLimiter } from '../node/rate-limit.ts'
import type { LogName } from './config.ts'
import type { LogStorage } from './storage/types.ts'
import type { Sequencer } from './sequencer.ts'
import type { AnchorPosition } from './status-gate.ts'

export interface LedgerLogHandle {
  storage: LogStorage
  /** The log's sequencer; absent on a read-only server. */
  sequencer?: Sequencer
}

/**
 * The latest published anchor of a list and the published status checkpoint it is in, read
 * together (so the answer is the latest of THAT tree), or null when the list has none.
 */
export type AnchorLookup = (uri: string) => Promise<{ position: AnchorPosition; note: Uint8Array } | null>

export interface LedgerHttpOptions {
  logs: Record<LogName, LedgerLogHandle>
  anchors: AnchorLookup
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

/** A base64url list name longer than this is refused (a URI is at most a few hundred bytes). */
const MAX_ANCHOR_NAME = 4096

export function createLedgerServer(o: LedgerHttpOptions): Server {
  const perAddress = new RateLimiter(o.limits?.perAddressPerSecond ?? 500)
  const perIssuer = new RateLimiter(o.limits?.perIssuerPerSecond ?? 200)
  const cache: Record<LogName, Published | null> = { registry: null, status: null }

  const sizeOf = (log: LogName, note: Uint8Array): Published => {
    const c = cache[log]
    if (c && c.note === note) return c
    return (cache[log] = { note, size: parseCheckpoint(parseNote(note).text).size })
  }
  const published = async (log: LogName): Promise<Published | null> => {
    const h = o.logs[log]
    const note = h.sequencer?.checkpoint ?? (await h.storage.getCheckpoint())
    return note ? sizeOf(log, note) : null
  }
  const objectOf = (storage: LogStorage) => async (path: string): Promise<Uint8Array> => {
    const b = await storage.getObject(path)
    if (!b) throw new CivicError('ERR_LEDGER_CORRUPT', `${path} is missing`)
    return b
  }
  const inclusionProof = async (log: LogName, index: number, p: Published): Promise<string> => {
    const proof = await proveInclusion(index, p.size, tileHashReader(p.size, objectOf(o.logs[log].storage)))
    return formatTlogProof({ index, proof, checkpointNote: decodeUtf8(p.note) })
  }

  const handleLog = async (log: LogName, req: IncomingMessage, res: ServerResponse, path: string, full: string): Promise<void> => {
    const method = req.method ?? 'GET'
    const h = o.logs[log]
    if (path === '/add-entry') allowMethods(method, ['POST'], full)
    else allowMethods(method, ['GET', 'HEAD'], full)
    if (method === 'POST') {
      if (!h.sequencer) throw new CivicError('ERR_LEDGER_UNAVAILABLE', 'this server is read-only')
      if (!perAddress.take(networkKey(req.socket.remoteAddress))) throw new CivicError('ERR_LEDGER_RATE_LIMITED', 'too many requests from this network')
      const body = await readBody(req, { max: MAX_ENTRY_BYTES, tooLargeCode: 'ERR_LEDGER_BODY_TOO_LARGE' })
      if (body.length === 0) throw new CivicError('ERR_LEDGER_BODY_TOO_LARGE', 'empty body: an entry is 1..65535 bytes')
      const index = await h.sequencer.add(body, (issuer) => perIssuer.take(issuer))
      return send(res, 200, JSON.stringify({ index }), 'application/json', 'no-store')
    }
    if (path === '/checkpoint') {
      const p = await published(log)
      if (!p) throw new CivicError('ERR_LEDGER_NOT_FOUND', `the ${log} log has no checkpoint yet`)
      return send(res, 200, p.note, 'text/plain; charset=utf-8', 'no-cache')
    }
    if (path.startsWith('/tile/')) {
      const ref = parseTilePath(path.slice(1))
      const p = await published(log)
      // Serve only what the published tree covers (a staged tile may still change).
      const hashesAtLevel = ref.kind === 'entries' ? (p?.size ?? 0) : Math.floor((p?.size ?? 0) / TILE_WIDTH ** ref.level)
      const end = ref.index * TILE_WIDTH + ref.width
      const fullOk = ref.width === TILE_WIDTH && end <= hashesAtLevel
      const partialOk = ref.width < TILE_WIDTH && end === hashesAtLevel
      if (!p || !(fullOk || partialOk)) throw new CivicError('ERR_LEDGER_NOT_FOUND', `${full} is not in the published tree`)
      const bytes = await h.storage.getObject(path.slice(1))
      if (!bytes) throw new CivicError('ERR_LEDGER_NOT_FOUND', `${full} is missing`)
      return send(res, 200, bytes, 'application/octet-stream', ref.width === TILE_WIDTH ? 'public, max-age=31536000, immutable' : 'public, max-age=60')
    }
    const m = /^\/proof\/(0|[1-9][0-9]{0,15})$/.exec(path)
    if (m) {
      const index = Number(m[1])
      const p = await published(log)
      if (!p || index >= p.size) throw new CivicError('ERR_LEDGER_NOT_FOUND', `no entry ${index} in the published ${log} tree`)
      return send(res, 200, await inclusionProof(log, index, p), 'text/plain; charset=utf-8', 'no-cache')
    }
    if (log === 'status' && path.startsWith('/anchor/')) {
      const name = path.slice('/anchor/'.length)
      if (name.length === 0 || name.length > MAX_ANCHOR_NAME || !/^[A-Za-z0-9_-]+$/.test(name)) {
        throw new CivicError('ERR_B64_INVALID', `a list is named by the base64url of its URI (1..${MAX_ANCHOR_NAME} characters of A-Z a-z 0-9 - _)`)
      }
      const uri = decodeUtf8(decodeBase64url(name, 'the list name'), 'the list URI')
      const found = await o.anchors(uri)
      if (!found) throw new CivicError('ERR_LEDGER_NOT_FOUND', `no anchor of ${uri.slice(0, 120)} in the published status log`)
      const p = sizeOf('status', found.note)
      const { index } = found.position
      const width = Math.min(TILE_WIDTH, p.size - Math.floor(index / TILE_WIDTH) * TILE_WIDTH)
      const bundle = await objectOf(h.storage)(entryBundlePath({ index: Math.floor(index / TILE_WIDTH), width }))
      const entry = parseEntryBundle(bundle, width)[index % TILE_WIDTH]!
      const body = JSON.stringify({ index, entry: encodeBase64url(entry), proof: await inclusionProof('status', index, p) })
      return send(res, 200, body, 'application/json', 'no-cache')
    }
    throw new CivicError('ERR_LEDGER_NOT_FOUND', `no resource ${full.slice(0, 80)}`)
  }

  const handle = async (req: IncomingMessage, res: ServerResponse, target: RequestTarget): Promise<void> => {
    const path = target.path
    const method = req.method ?? 'GET'
    if (method === 'GET' || method === 'HEAD') res.setHeader('access-control-allow-origin', '*')
    const m = /^\/(registry|status)(\/.*)$/.exec(path)
    if (m) return handleLog(m[1] as LogName, req, res, m[2]!, path)
    throw new CivicError('ERR_LEDGER_NOT_FOUND', `no resource ${method} ${path.slice(0, 80)} (the logs are under /registry/ and /status/)`)
  }

  return createHttpServer({ handle, ...(o.http ? { limits: o.http } : {}), ...(o.log ? { log: o.log } : {}) })
}

function send(res: ServerResponse, status: number, body: Uint8Array | string, type: string, cache: string): void {
  sendHttp(res, status, body, { 'content-type': type, 'cache-control': cache })
}
