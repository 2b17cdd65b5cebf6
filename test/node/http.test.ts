// The one HTTP layer (src/node/http.ts): request targets that never throw anything but a coded
// 400; node's own parse failures answered in JSON; 405 with Allow; one total code→status table;
// capped bodies on a deadline (a slow body is dropped); strict JSON; a connection cap. Each on a
// real server on loopback, with short deadlines where the test would otherwise wait 30 s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type Socket } from 'node:net'
import type { Server } from 'node:http'
import { ERROR_CODES, InputError, type ErrorCode } from '../../src/core/errors.ts'
import { encodeUtf8 } from '../../src/core/bytes/utf8.ts'
import {
  allowMethods, closeServer, createHttpServer, DEFAULT_HTTP_LIMITS, HTTP_STATUS, listen, parseJsonBody, parseTarget, readBody, send, statusOf,
} from '../../src/node/http.ts'
import { codeIn, rawExchange, statusLine } from './_raw.ts'

describe('parseTarget', () => {
  it.each([
    ['/', '/', ''],
    ['/tile/0/000?x=1', '/tile/0/000', 'x=1'],
    ['/a%20b', '/a%20b', ''],
    ['http://ledger.example/checkpoint?a', '/checkpoint', 'a'],
  ])('%s', (raw, path, query) => expect(parseTarget(raw)).toMatchObject({ path, query }))

  it('refuses malformed targets with ERR_HTTP_BAD_REQUEST', () => {
    for (const raw of ['http://[', '//[', '/%zz', '/%ff', '/%c3%28', '/a%00b', '/a%7f', '*', 'checkpoint', '/a b', '/a"b', '/<x>', '/a\u00e9', '/?q=<x>', `/${'a'.repeat(9000)}`]) {
      expect(() => parseTarget(raw), raw.slice(0, 20)).toThrow(expect.objectContaining({ code: 'ERR_HTTP_BAD_REQUEST' }))
    }
  })

  it('decodes the path once, as UTF-8', () => expect(parseTarget('/%E4%B8%AD').decodedPath).toBe('/中'))
})

describe('the status table', () => {
  it('gives every catalogue code a status, and only those', () => {
    expect(Object.keys(HTTP_STATUS).sort()).toEqual(Object.keys(ERROR_CODES).sort())
    for (const [code, s] of Object.entries(HTTP_STATUS)) expect(s, code).toBeGreaterThanOrEqual(400)
  })
  it('client errors are client errors', () => {
    const client: ErrorCode[] = ['ERR_HTTP_BAD_REQUEST', 'ERR_HTTP_METHOD_NOT_ALLOWED', 'ERR_JSON_DUPLICATE_KEY', 'ERR_REG_SCHEMA', 'ERR_HTTP_TIMEOUT', 'ERR_LOG_TILE_PATH_INVALID']
    for (const c of client) expect(statusOf(c), c).toBeLessThan(500)
    expect([statusOf('ERR_HTTP_METHOD_NOT_ALLOWED'), statusOf('ERR_REG_REPLAY'), statusOf('ERR_LEDGER_STORAGE')]).toEqual([405, 409, 503])
  })
})

describe('parseJsonBody', () => {
  it('refuses duplicate members, bad UTF-8 and non-objects with codes', () => {
    expect(() => parseJsonBody(encodeUtf8('{"a":1,"a":2}'))).toThrow(expect.objectContaining({ code: 'ERR_JSON_DUPLICATE_KEY' }))
    expect(() => parseJsonBody(encodeUtf8('{"a":{"b":1,"\\u0062":2}}'))).toThrow(expect.objectContaining({ code: 'ERR_JSON_DUPLICATE_KEY' }))
    expect(() => parseJsonBody(new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow(InputError)
    expect(() => parseJsonBody(encodeUtf8('[1]'))).toThrow(expect.objectContaining({ code: 'ERR_JSON_NOT_OBJECT' }))
    expect(parseJsonBody(encodeUtf8('{"a":1}'))).toEqual({ a: 1 })
  })
})

describe('a server on the layer', () => {
  let server: Server
  let port = 0
  let internal = 0
  const logs: string[] = []
  beforeAll(async () => {
    server = createHttpServer({
      limits: { bodyTimeoutMs: 1500, requestTimeoutMs: 2500, headersTimeoutMs: 2000, maxConnections: 8, checkIntervalMs: 250 },
      log: (l) => logs.push(l),
      async handle(req, res, target) {
        if (target.path === '/echo') {
          allowMethods(req.method!, ['POST'], target.path)
          const body = await readBody(req, { max: 64 })
          return send(res, 200, JSON.stringify(parseJsonBody(body)), { 'content-type': 'application/json' })
        }
        if (target.path === '/ok') {
          allowMethods(req.method!, ['GET', 'HEAD'], target.path)
          return send(res, 200, 'ok', { 'content-type': 'text/plain' })
        }
        if (target.path === '/bug') {
          internal++
          throw new TypeError('a bug')
        }
        throw new InputError('ERR_HTTP_NOT_FOUND', 'nothing here')
      },
    })
    port = Number(new URL(await listen(server, 0, '127.0.0.1')).port)
  })
  afterAll(async () => closeServer(server))

  it.each([
    ['a malformed absolute URL', 'GET http://[ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 400, 'ERR_HTTP_BAD_REQUEST'],
    ['//[', 'GET //[ HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'ERR_HTTP_BAD_REQUEST'],
    ['/%zz', 'GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'ERR_HTTP_BAD_REQUEST'],
    ['/%ff (not UTF-8)', 'GET /%ff HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'ERR_HTTP_BAD_REQUEST'],
    ['a control character', 'GET /a\u0001 HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'ERR_HTTP_BAD_REQUEST'],
    ['not HTTP', 'NOT HTTP AT ALL\r\n\r\n', 400, 'ERR_HTTP_BAD_REQUEST'],
    ['20 kB of headers', `GET /ok HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'ERR_HTTP_HEADERS_TOO_LARGE'],
    ['a wrong method', 'DELETE /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 405, 'ERR_HTTP_METHOD_NOT_ALLOWED'],
    ['an unknown path', 'GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 404, 'ERR_HTTP_NOT_FOUND'],
    ['a bug in a handler', 'GET /bug HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 500, 'ERR_HTTP_INTERNAL'],
  ])('%s → %i %s, and the server still answers', async (_name, text, status, code) => {
    const raw = await rawExchange(port, text)
    expect(statusLine(raw)).toBe(status)
    expect(codeIn(raw)).toBe(code)
    expect(raw).toMatch(/content-type: application\/json/i)
    expect((await fetch(`http://127.0.0.1:${port}/ok`)).status).toBe(200)
  })

  it('405 names the allowed methods', async () => {
    const r = await fetch(`http://127.0.0.1:${port}/echo`)
    expect([r.status, r.headers.get('allow')]).toEqual([405, 'POST'])
  })

  it('an internal error is logged with its stack; a client error is not', () => {
    expect(internal).toBeGreaterThan(0)
    expect(logs.some((l) => l.includes('TypeError: a bug'))).toBe(true)
    expect(logs.some((l) => /ERR_HTTP_BAD_REQUEST|URIError|Invalid URL/.test(l))).toBe(false)
  })

  it('strict JSON bodies: duplicate members refused with a code', async () => {
    const dup = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', body: '{"a":1,"a":2}' })
    expect([dup.status, ((await dup.json()) as any).error.code]).toEqual([400, 'ERR_JSON_DUPLICATE_KEY'])
    const ok = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', body: '{"a":1}' })
    expect(await ok.json()).toEqual({ a: 1 })
  })

  it('a body above the cap is 413 without being kept', async () => {
    const r = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', body: 'x'.repeat(65) })
    expect([r.status, ((await r.json()) as any).error.code]).toEqual([413, 'ERR_HTTP_BODY_TOO_LARGE'])
  })

  it('a slow body (one byte every 600 ms) is dropped at the body deadline', async () => {
    const s = connect(port, '127.0.0.1')
    const t0 = Date.now()
    let out = ''
    s.on('data', (d) => (out += d))
    s.on('error', () => {})
    s.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{')
    const drip = setInterval(() => s.writable && s.write(' '), 600)
    await new Promise<void>((r) => s.on('close', () => r()))
    clearInterval(drip)
    const took = Date.now() - t0
    expect(took).toBeLessThan(4000)
    expect(took).toBeGreaterThan(1000)
    expect(statusLine(out)).toBe(408)
    expect(codeIn(out)).toBe('ERR_HTTP_TIMEOUT')
  })

  it('headers that never end are dropped at the header deadline', async () => {
    const t0 = Date.now()
    const s = connect(port, '127.0.0.1')
    let out = ''
    s.on('data', (d) => (out += d))
    s.on('error', () => {})
    s.write('GET /ok HTTP/1.1\r\nHost: x\r\n')
    const drip = setInterval(() => s.writable && s.write('X-A: b\r\n'), 300)
    await new Promise<void>((r) => s.on('close', () => r()))
    clearInterval(drip)
    expect(Date.now() - t0).toBeLessThan(5000)
    // Dropped by the deadline, and said so: not a reset for some other reason.
    expect(statusLine(out)).toBe(408)
    expect(codeIn(out)).toBe('ERR_HTTP_TIMEOUT')
  })

  it('connections past the cap are closed at once; those under it are served', async () => {
    const held: Socket[] = []
    try {
      for (let i = 0; i < 8; i++) {
        const s = connect(port, '127.0.0.1')
        s.on('error', () => {})
        await new Promise<void>((r) => s.once('connect', () => r()))
        held.push(s)
      }
      await new Promise((r) => setTimeout(r, 100))
      const extra = await rawExchange(port, 'GET /ok HTTP/1.1\r\nHost: x\r\n\r\n', 1500)
      expect(extra).toBe('')
    } finally {
      for (const s of held) s.destroy()
    }
    await new Promise((r) => setTimeout(r, 100))
    expect((await fetch(`http://127.0.0.1:${port}/ok`)).status).toBe(200)
  })
})

it('the defaults: 30 s for a request, a connection cap, short keep-alive', () => {
  expect(DEFAULT_HTTP_LIMITS.requestTimeoutMs).toBeLessThanOrEqual(30_000)
  expect(DEFAULT_HTTP_LIMITS.bodyTimeoutMs).toBeLessThanOrEqual(30_000)
  expect(DEFAULT_HTTP_LIMITS.headersTimeoutMs).toBeLessThanOrEqual(30_000)
  expect(DEFAULT_HTTP_LIMITS.maxConnections).toBe(512)
  expect(DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs).toBeLessThanOrEqual(5_000)
})
