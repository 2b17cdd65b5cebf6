// The issuer on the one HTTP layer: the admin API on its own listener (the public one answers
// 404 under /admin/), credentialed CORS for the console there, strict JSON on the admin and
// credential endpoints (duplicate members refused with a code), coded 400/405 on both
// listeners, and a slow body dropped at the deadline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from 'node:net'
import { closeServer } from '../../src/node/http.ts'
import { startIssuerServer, type IssuerServer } from '../../src/issuer/http.ts'
import { APP_ORIGIN, holders, keyProof, makeIssuerWorld, nonce, redeemedOffer, type IssuerWorld } from '../issuer/_world.ts'
import { codeIn, rawExchange, statusLine } from './_raw.ts'

let iw: IssuerWorld
beforeAll(async () => {
  iw = await makeIssuerWorld()
})
afterAll(async () => iw?.cleanup())

const port = (u: string): number => Number(new URL(u).port)

describe('two listeners', () => {
  it('the public listener does not serve the admin API; the admin listener does', async () => {
    const pub = await fetch(`${iw.base}/admin/info`, { headers: iw.auth })
    expect([pub.status, ((await pub.json()) as any).code]).toEqual([404, 'ERR_ISSUER_NOT_FOUND'])
    const adm = await fetch(`${iw.admin}/admin/info`, { headers: iw.auth })
    expect(adm.status).toBe(200)
    expect(port(iw.admin)).not.toBe(port(iw.base))
    // and the admin listener serves nothing else
    expect((await fetch(`${iw.admin}/.well-known/openid-credential-issuer`)).status).toBe(404)
  })

  it('the console origin gets credentialed CORS on the admin listener', async () => {
    const r = await fetch(`${iw.admin}/admin/info`, { headers: { ...iw.auth, origin: APP_ORIGIN } })
    expect(r.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN)
    expect(r.headers.get('access-control-allow-credentials')).toBe('true')
  })

  it.each(['GET http://[ HTTP/1.1', 'GET //[ HTTP/1.1', 'GET /%zz HTTP/1.1', 'GET /admin/%ff HTTP/1.1'])('%s → 400 with a code on both listeners', async (line) => {
    for (const u of [iw.base, iw.admin]) {
      const raw = await rawExchange(port(u), `${line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)
      expect(statusLine(raw), u).toBe(400)
      expect(codeIn(raw)).toBe('ERR_HTTP_BAD_REQUEST')
    }
    expect((await fetch(`${iw.base}/.well-known/openid-credential-issuer`)).status).toBe(200)
  })

  it('wrong methods are 405 with Allow', async () => {
    const a = await fetch(`${iw.base}/credential`)
    expect([a.status, a.headers.get('allow'), ((await a.json()) as any).code]).toEqual([405, 'POST', 'ERR_HTTP_METHOD_NOT_ALLOWED'])
    const b = await fetch(`${iw.base}/.well-known/openid-credential-issuer`, { method: 'PUT' })
    expect([b.status, b.headers.get('allow')]).toEqual([405, 'GET, HEAD'])
    const c = await fetch(`${iw.admin}/admin/info`, { method: 'DELETE', headers: iw.auth })
    expect(c.status).toBe(405)
  })
})

describe('strict JSON', () => {
  it('the admin API refuses duplicate members with a code, and creates nothing', async () => {
    const before = iw.svc.listCredentials().length
    const r = await fetch(`${iw.admin}/admin/offers`, {
      method: 'POST', headers: { ...iw.auth, 'content-type': 'application/json' },
      body: '{"vct":"urn:civic:resident-id","claims":{"name":"A"},"claims":{"name":"B"}}',
    })
    const body = (await r.json()) as any
    expect([r.status, body.error.code]).toEqual([400, 'ERR_ISSUER_BAD_REQUEST'])
    expect(body.error.message).toMatch(/claims.*appears twice/)
    expect(iw.svc.listCredentials().length).toBe(before)
  })

  it('the credential endpoint refuses duplicate members with a code; the token still works after', async () => {
    const { accessToken } = await redeemedOffer(iw)
    const n = await nonce(iw)
    const [h] = holders(1)
    const proof = await keyProof(h!, { aud: iw.base, iat: iw.clock.now, nonce: n })
    const send = (text: string) => fetch(`${iw.base}/credential`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` }, body: text })
    const dup = await send(`{"credential_configuration_id":"resident-id","credential_configuration_id":"social-insurance","proofs":{"jwt":["${proof}"]}}`)
    const body = (await dup.json()) as any
    expect([dup.status, body.code, body.error]).toEqual([400, 'ERR_VCI_REQUEST_INVALID', 'invalid_credential_request'])
    expect(body.error_description).toContain('ERR_JSON_DUPLICATE_KEY')
    const nested = await send(`{"credential_configuration_id":"resident-id","proofs":{"jwt":["${proof}"],"jwt":[]}}`)
    expect(((await nested.json()) as any).error_description).toContain('ERR_JSON_DUPLICATE_KEY')
    const ok = await send(JSON.stringify({ credential_configuration_id: 'resident-id', proofs: { jwt: [proof] } }))
    expect(ok.status).toBe(200)
  })
})

describe('a slow body', () => {
  let fast: IssuerServer
  beforeAll(async () => {
    fast = await startIssuerServer(iw.svc, { http: { bodyTimeoutMs: 1500, requestTimeoutMs: 2500, checkIntervalMs: 250 } })
  })
  afterAll(async () => {
    await closeServer(fast.server)
    await closeServer(fast.adminServer)
  })

  it.each(['public', 'admin'] as const)('is dropped at the deadline on the %s listener', async (which) => {
    const u = new URL(which === 'public' ? fast.url : fast.adminUrl)
    const s = connect(Number(u.port), '127.0.0.1')
    s.on('error', () => {})
    const t0 = Date.now()
    let out = ''
    s.on('data', (d) => (out += d))
    s.write(`POST ${which === 'public' ? '/token' : '/admin/offers'} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ng`)
    const drip = setInterval(() => s.writable && s.write('r'), 600)
    await new Promise<void>((r) => s.on('close', () => r()))
    clearInterval(drip)
    expect(Date.now() - t0).toBeLessThan(4000)
    expect(statusLine(out)).toBe(408)
    expect(codeIn(out)).toBe('ERR_HTTP_TIMEOUT')
  })
})
