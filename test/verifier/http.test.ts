// The verifier enrolment service over real HTTP (src/verifier/http.ts): GET /info and POST
// /enrol answer the app's origin with CORS and refuse any other origin (the preflight too);
// an enrolment from a code the admin listener made yields an attestation the wallet's request
// check accepts, and the code is then spent; bodies are capped, strict JSON of an exact shape,
// application/json only; every refusal is `{"error":{"code","message"}}` with its status. The
// admin listener answers loopback clients that name a loopback host, with no Origin or the
// app's, and carry the admin token (or an officer's session: officers.test.ts) — a browser page
// never sends the token — and is not served on the public port.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { request } from 'node:http'
import { networkInterfaces } from 'node:os'
import { chmodSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { adminGate, MAX_BODY, startVerifierServer, type VerifierServer } from '../../src/verifier/http.ts'
import { ADMIN_TOKEN_FILE } from '../../src/verifier/admin-token.ts'
import type { VerifierService } from '../../src/verifier/service.ts'
import { testKey } from '../support/keys.ts'
import { COUNTER_NAME, counterDevice, HALL, makeVerifierWorld, NOW, type VerifierWorld } from './_world.ts'

const APP = 'http://localhost:8080'
const EVIL = 'https://evil.example'
let w: VerifierWorld
let svc: VerifierService
let server: VerifierServer
let token: string
const log: string[] = []

beforeAll(async () => {
  w = await makeVerifierWorld()
  svc = await w.open()
  server = await startVerifierServer(svc, { appOrigin: APP, log: (l) => log.push(l) })
  token = readFileSync(join(svc.dir, ADMIN_TOKEN_FILE), 'utf8').trim()
})
afterAll(async () => {
  await server?.close()
  w?.cleanup()
})

const admin = (path: string) => `${server.adminUrl.replace(/\/$/, '')}${path}`
const auth = () => ({ authorization: `Bearer ${token}` })
async function json(r: Response): Promise<any> {
  return r.json()
}
async function newCode(body: unknown = { name: COUNTER_NAME, purposes: ['residence-certificate'] }): Promise<{ status: number; body: any }> {
  const r = await fetch(admin('/admin/enrolments'), { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: r.status, body: await json(r) }
}
const enrol = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/enrol`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) })

/** A raw request, to send a Host header fetch would not let us set, or to reach another address. */
function raw(url: string, o: { method?: string; headers?: Record<string, string>; host?: string } = {}): Promise<{ status: number; body: any }> {
  const u = new URL(url)
  return new Promise((resolve, reject) => {
    const req = request({ host: o.host ?? u.hostname, port: u.port, path: u.pathname, method: o.method ?? 'GET', headers: o.headers ?? {} }, (res) => {
      let text = ''
      res.on('data', (d) => (text += d))
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : null }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('public listener', () => {
  it('GET /info: the registered verifier, with CORS for the app only; another origin is refused', async () => {
    const r = await fetch(`${server.url}/info`, { headers: { origin: APP } })
    expect(r.status).toBe(200)
    expect(r.headers.get('access-control-allow-origin')).toBe(APP)
    expect(r.headers.get('access-control-allow-credentials')).toBeNull()
    expect(r.headers.get('vary')).toBe('Origin')
    expect(await json(r)).toEqual({ did: HALL.did, id: HALL.id, name: HALL.name, purposes: HALL.purposes })
    const plain = await fetch(`${server.url}/info`)
    expect([plain.status, plain.headers.get('access-control-allow-origin')]).toEqual([200, null])
    const evil = await fetch(`${server.url}/info`, { headers: { origin: EVIL } })
    expect(evil.status).toBe(403)
    expect(evil.headers.get('access-control-allow-origin')).toBeNull()
    expect((await json(evil)).error.code).toBe('ERR_VERIFIER_FORBIDDEN')
  })

  it('the preflight answers the app\'s origin only', async () => {
    const ok = await fetch(`${server.url}/enrol`, { method: 'OPTIONS', headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } })
    expect(ok.status).toBe(204)
    expect([ok.headers.get('access-control-allow-origin'), ok.headers.get('access-control-allow-methods'), ok.headers.get('access-control-allow-headers')]).toEqual([APP, 'POST', 'Content-Type'])
    const evil = await fetch(`${server.url}/enrol`, { method: 'OPTIONS', headers: { origin: EVIL, 'access-control-request-method': 'POST' } })
    expect(evil.status).toBe(403)
    expect(evil.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('POST /enrol: a code the admin made enrols the device key once; the attestation passes the wallet\'s check', async () => {
    const made = await newCode()
    expect(made.status).toBe(201)
    expect(made.body.link).toBe(`${APP}/#/counter/enrol?verifier=${encodeURIComponent(server.url)}&code=${made.body.code}`)
    const device = counterDevice()
    const r = await enrol({ code: made.body.code, jwk: device.key.signer.publicJwk }, { origin: APP })
    expect(r.status).toBe(200)
    expect(r.headers.get('access-control-allow-origin')).toBe(APP)
    expect(r.headers.get('cache-control')).toBe('no-store')
    const a = await json(r)
    expect(a).toMatchObject({ verifier: HALL.did, counter: { name: COUNTER_NAME }, purposes: ['residence-certificate'] })
    expect(Object.keys(a).sort()).toEqual(['attestation', 'counter', 'exp', 'purposes', 'verifier'])
    const v = await device.request(a.attestation, 'residence-certificate', w.state, NOW + 60) // the service's clock (the world's) dated it
    expect(v.ok, v.ok ? '' : `${v.code}: ${v.detail}`).toBe(true)
    // spent: the second use is refused with its code, readable by the app (CORS on refusals too)
    const again = await enrol({ code: made.body.code, jwk: device.key.signer.publicJwk }, { origin: APP })
    expect(again.status).toBe(410)
    expect(again.headers.get('access-control-allow-origin')).toBe(APP)
    expect((await json(again)).error).toMatchObject({ code: 'ERR_VERIFIER_ENROLMENT', message: expect.stringMatching(/used already/) })
    // the log names the counter, never the code
    expect(log.join('\n')).not.toContain(made.body.code)
    expect(log.some((l) => l.includes(`enrolled ${a.counter.id}`))).toBe(true)
  })

  it('refuses what is not a well-formed enrolment, each with its code, and spends nothing', async () => {
    const { body: { code } } = await newCode()
    const jwk = counterDevice().key.signer.publicJwk
    const cases: [string, () => Promise<Response>, number, string][] = [
      ['an Ed25519 key', () => enrol({ code, jwk: testKey('EdDSA').signer.publicJwk }), 400, 'ERR_JWK_INVALID'],
      ['a private key', () => enrol({ code, jwk: testKey('ES256').jwk }), 400, 'ERR_JWK_INVALID'],
      ['a member too many', () => enrol({ code, jwk, name: 'x' }), 400, 'ERR_VERIFIER_BAD_REQUEST'],
      ['no jwk', () => enrol({ code }), 400, 'ERR_VERIFIER_BAD_REQUEST'],
      ['not an object', () => enrol([code, jwk]), 400, 'ERR_JSON_NOT_OBJECT'],
      ['duplicate members', () => enrol(`{"code":"${code}","code":"${code}","jwk":${JSON.stringify(jwk)}}`), 400, 'ERR_JSON_DUPLICATE_KEY'],
      ['not JSON', () => enrol('{"code":'), 400, 'ERR_JSON_SYNTAX'],
      ['a form', () => fetch(`${server.url}/enrol`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ code, jwk }) }), 400, 'ERR_VERIFIER_BAD_REQUEST'],
      ['a body over the cap', () => enrol({ code, jwk, pad: 'x'.repeat(MAX_BODY) }), 413, 'ERR_HTTP_BODY_TOO_LARGE'],
      ['an unknown code', () => enrol({ code: 'AAAAAAAAAAAAAAAAAAAAAA', jwk }), 410, 'ERR_VERIFIER_ENROLMENT'],
      ['from another origin', () => enrol({ code, jwk }, { origin: EVIL }), 403, 'ERR_VERIFIER_FORBIDDEN'],
    ]
    for (const [name, send, status, want] of cases) {
      const r = await send()
      expect(r.headers.get('content-type'), name).toMatch(/^application\/json/)
      expect([r.status, (await json(r)).error?.code], name).toEqual([status, want])
    }
    expect(await svc.counters()).toHaveLength(1) // the earlier test's, no other
    expect((await enrol({ code, jwk })).status).toBe(200)
  })

  it('wrong methods are 405 with Allow; other paths 404; the admin API is not here', async () => {
    const get = await fetch(`${server.url}/enrol`)
    expect([get.status, get.headers.get('allow'), (await json(get)).error.code]).toEqual([405, 'POST', 'ERR_HTTP_METHOD_NOT_ALLOWED'])
    const post = await fetch(`${server.url}/info`, { method: 'POST' })
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD'])
    expect((await fetch(`${server.url}/nothing`)).status).toBe(404)
    const adm = await fetch(`${server.url}/admin/enrolments`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify({ name: COUNTER_NAME, purposes: ['senior-card'] }) })
    expect([adm.status, (await json(adm)).error.code]).toEqual([404, 'ERR_HTTP_NOT_FOUND'])
  })
})

describe('admin listener', () => {
  it('makes codes for registered purposes only; shows the counters enrolled', async () => {
    const bad = await newCode({ name: COUNTER_NAME, purposes: ['age-check'] })
    expect([bad.status, bad.body.error.code]).toEqual([400, 'ERR_EXCH_PURPOSE_UNKNOWN'])
    const noName = await newCode({ purposes: ['senior-card'] })
    expect([noName.status, noName.body.error.code]).toEqual([400, 'ERR_VERIFIER_BAD_REQUEST'])
    const ok = await newCode({ name: COUNTER_NAME, purposes: ['senior-card', 'insurance-transfer'] })
    expect(ok.status).toBe(201)
    expect(ok.body).toMatchObject({ name: COUNTER_NAME, purposes: ['senior-card', 'insurance-transfer'], expiresAt: NOW + 86_400 })
    const r = await fetch(admin('/admin/info'), { headers: auth() })
    expect(r.status).toBe(200)
    const info = await json(r)
    expect(info).toMatchObject({ did: HALL.did, url: server.url, pendingCodes: expect.any(Number) })
    expect(info.counters.length).toBeGreaterThan(0)
    expect(JSON.stringify(info)).not.toContain(ok.body.code)
    expect(Object.keys(info.counters[0]).sort()).toEqual(['attestationId', 'counter', 'enrolledAt', 'exp', 'keyThumbprint', 'purposes'])
  })

  it('refuses a request without the admin token (or a session), with a wrong one, the token from a browser page, another Origin, or to a non-loopback Host', async () => {
    const body = JSON.stringify({ name: COUNTER_NAME, purposes: ['senior-card'] })
    const cases: [string, RequestInit, number, string][] = [
      ['no token', { method: 'POST', headers: { 'content-type': 'application/json' }, body }, 401, 'ERR_VERIFIER_UNAUTHENTICATED'],
      ['a wrong token', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${'A'.repeat(43)}` }, body }, 401, 'ERR_VERIFIER_UNAUTHENTICATED'],
      ['not a bearer', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${token}` }, body }, 401, 'ERR_VERIFIER_UNAUTHENTICATED'],
      ['the token from a browser page, even the app', { method: 'POST', headers: { ...auth(), 'content-type': 'application/json', origin: APP }, body }, 403, 'ERR_VERIFIER_FORBIDDEN'],
      ['another origin', { method: 'POST', headers: { 'content-type': 'application/json', origin: EVIL }, body }, 403, 'ERR_VERIFIER_FORBIDDEN'],
    ]
    const before = await svc.pendingCodes()
    for (const [name, init, status, code] of cases) {
      const r = await fetch(admin('/admin/enrolments'), init)
      expect([r.status, (await json(r)).error.code], name).toEqual([status, code])
    }
    expect(await svc.pendingCodes()).toBe(before)
    const rebinding = await raw(admin('/admin/info'), { headers: { ...auth(), host: 'verifier.evil.example' } })
    expect([rebinding.status, rebinding.body.error.code]).toEqual([403, 'ERR_VERIFIER_FORBIDDEN'])
    expect((await raw(admin('/admin/info'), { headers: { ...auth(), host: `localhost:${new URL(server.adminUrl).port}` } })).status).toBe(200)
    expect(await svc.pendingCodes()).toBeGreaterThan(0)
    // what is served there is no secret: a wrong method or path is said as such, token or not
    const del = await fetch(admin('/admin/info'), { method: 'DELETE' })
    expect([del.status, del.headers.get('allow')]).toEqual([405, 'GET, HEAD'])
    expect((await fetch(admin('/admin/nothing'), { headers: auth() })).status).toBe(404)
  })

  it('refuses a token file others can read, rather than use a leaked token', async () => {
    const file = join(svc.dir, ADMIN_TOKEN_FILE)
    chmodSync(file, 0o644)
    try {
      const r = await fetch(admin('/admin/info'), { headers: auth() })
      expect(r.status).toBe(403)
      expect((await json(r)).error).toMatchObject({ code: 'ERR_VERIFIER_FORBIDDEN', message: expect.stringMatching(/readable by group or others/) })
    } finally {
      chmodSync(file, 0o600)
    }
    expect((await fetch(admin('/admin/info'), { headers: auth() })).status).toBe(200)
  })

  it('the gate: loopback addresses only', () => {
    const host = 'localhost:1'
    for (const a of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) expect(() => adminGate({ remoteAddress: a, host, origin: undefined })).not.toThrow()
    for (const a of ['192.0.2.7', '::ffff:192.0.2.7', 'fd00::2', undefined]) {
      expect(() => adminGate({ remoteAddress: a, host, origin: undefined }), String(a)).toThrow(expect.objectContaining({ code: 'ERR_VERIFIER_FORBIDDEN' }))
    }
  })

  const outside = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address
  it.skipIf(!outside)('an admin listener bound to every address still refuses a client from another address', async () => {
    const wide = await startVerifierServer(svc, { appOrigin: APP, adminHost: '0.0.0.0' })
    try {
      const port = new URL(wide.adminUrl).port
      const r = await raw(`http://${outside}:${port}/admin/info`, { headers: { ...auth(), host: `localhost:${port}` } })
      expect([r.status, r.body.error.code]).toEqual([403, 'ERR_VERIFIER_FORBIDDEN'])
      expect((await raw(`http://127.0.0.1:${port}/admin/info`, { headers: { ...auth(), host: `localhost:${port}` } })).status).toBe(200)
    } finally {
      await wide.close()
    }
  })
})
