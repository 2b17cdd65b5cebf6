// A verifier's officers over real HTTP (src/verifier/http.ts's admin listener with the officer
// machinery every office shares, src/office): the first supervisor is enrolled from the link the
// admin token makes (as `civic start` prints it) and no second one is made; a supervisor enrols
// an officer; the officer makes a counter enrolment code and sees the counters, but not the
// officers or the audit trail; the code made is audited with who, when, the counter's name and
// purposes — never the code; the app's origin gets CORS with credentials (the preflight too),
// another origin nothing; a cookie without its secret is no session; a used link is refused; a
// disabled officer's session ends. Real server, real files, passkeys from an independent
// software authenticator (test/issuer/_passkey.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { startVerifierServer, type VerifierServer } from '../../src/verifier/http.ts'
import { firstSupervisorLink, newCounterEnrolment } from '../../src/verifier/enrolment.ts'
import { AUDIT_FILE, OFFICERS_FILE, sessionCookieName } from '../../src/office/officers.ts'
import type { VerifierService } from '../../src/verifier/service.ts'
import { softPasskey, type SoftPasskey } from '../issuer/_passkey.ts'
import { testKey } from '../support/keys.ts'
import { COUNTER_NAME, HALL, makeVerifierWorld, NOW, type VerifierWorld } from './_world.ts'

const APP = 'http://localhost:8080'
const EVIL = 'https://evil.example'
let w: VerifierWorld
let svc: VerifierService
let server: VerifierServer
let tick = 0

beforeAll(async () => {
  w = await makeVerifierWorld()
  svc = await w.open()
  server = await startVerifierServer(svc, { appOrigin: APP })
  // one second passes per request for the rate limits: none is met here
  server.admin.rateClock = () => (tick += 1)
})
afterAll(async () => {
  await server?.close()
  w?.cleanup()
})

type Answer = { status: number; json: any; headers: Headers }
/** A signed-in browser's two halves: the cookie ("name=value") and the session header's secret. */
type Signed = { cookie: string; secret: string }

async function call(method: 'GET' | 'POST' | 'OPTIONS', path: string, o: { body?: unknown; session?: Signed; cookie?: string; origin?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...o.headers }
  if (method === 'POST') headers['content-type'] = 'application/json'
  const cookie = o.cookie ?? o.session?.cookie
  if (cookie) headers.cookie = cookie
  if (o.session?.secret) headers['x-civic-session'] = o.session.secret
  if (o.origin) headers.origin = o.origin
  const r = await fetch(`${server.adminUrl}admin/${path}`, { method, headers, body: method === 'POST' ? JSON.stringify(o.body ?? {}) : undefined })
  const text = await r.text()
  return { status: r.status, json: text ? JSON.parse(text) : null, headers: r.headers }
}

const codeOf = (link: string): string => new URLSearchParams(link.slice(link.indexOf('?') + 1)).get('code')!

/** Enrol with a fresh passkey from the console's origin: the session and the Set-Cookie line. */
async function enrol(code: string, pk: SoftPasskey = softPasskey()): Promise<Signed & { setCookie: string; answer: Answer; pk: SoftPasskey }> {
  const opts = await call('POST', 'enrol/options', { body: { code }, origin: APP })
  expect(opts.status, JSON.stringify(opts.json)).toBe(200)
  const answer = await call('POST', 'enrol/verify', { body: { code, response: pk.register(opts.json.options, APP) }, origin: APP })
  const setCookie = answer.headers.get('set-cookie') ?? ''
  return { cookie: setCookie.split(';')[0]!, secret: answer.json?.secret, setCookie, answer, pk }
}

async function signIn(pk: SoftPasskey): Promise<Signed & { answer: Answer }> {
  const opts = await call('POST', 'session/options', { origin: APP })
  const answer = await call('POST', 'session/verify', { body: { response: pk.assert(opts.json.options, APP) }, origin: APP })
  return { cookie: (answer.headers.get('set-cookie') ?? '').split(';')[0]!, secret: answer.json?.secret, answer }
}

describe('verifier officers', () => {
  let supervisor: Signed & { pk: SoftPasskey }
  let officer: Signed & { pk: SoftPasskey; id: string }
  let madeCode = ''

  it('the first supervisor: a link from the admin token, enrolled once with a passkey; then no further first link', async () => {
    const link = await firstSupervisorLink({ dir: svc.dir, adminUrl: server.adminUrl, appOrigin: APP })
    expect(link).toMatch(new RegExp(`^${APP}/#/verifier/enrol\\?at=${encodeURIComponent(server.adminUrl).replace(/[.]/g, '\\.')}&code=[A-Za-z0-9_-]{43}$`))
    // a newer first link replaces the older unused one
    const newer = await firstSupervisorLink({ dir: svc.dir, adminUrl: server.adminUrl, appOrigin: APP })
    expect((await call('POST', 'enrol/options', { body: { code: codeOf(link!) } })).json.error.code).toBe('ERR_VERIFIER_OFFICER_ENROLMENT')
    const e = await enrol(codeOf(newer!))
    expect(e.answer.status).toBe(201)
    expect(e.answer.json.officer).toMatchObject({ name: 'Supervisor', role: 'supervisor' })
    expect(e.answer.headers.get('access-control-allow-origin')).toBe(APP)
    expect(e.answer.headers.get('access-control-allow-credentials')).toBe('true')
    const attrs = e.setCookie.split(';').map((a) => a.trim())
    expect(attrs[0]!.split('=')[0]).toBe(sessionCookieName(HALL.did))
    expect(attrs).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/admin']))
    supervisor = e
    // used up: the same link enrols nobody else
    const again = await call('POST', 'enrol/options', { body: { code: codeOf(newer!) } })
    expect([again.status, again.json.error.code]).toEqual([410, 'ERR_VERIFIER_OFFICER_ENROLMENT'])
    expect(await firstSupervisorLink({ dir: svc.dir, adminUrl: server.adminUrl, appOrigin: APP })).toBeNull()
    // the officers file keeps the passkey's public key, never a code
    const file = await readFile(join(svc.dir, OFFICERS_FILE), 'utf8')
    expect(file).not.toContain(codeOf(newer!))
  })

  it('signs in again with the passkey; the session is cookie AND secret: the cookie alone is none', async () => {
    const s = await signIn(supervisor.pk)
    expect(s.answer.status).toBe(200)
    supervisor = { ...supervisor, ...s }
    const me = await call('GET', 'session', { session: supervisor, origin: APP })
    expect([me.status, me.json.officer.role]).toEqual([200, 'supervisor'])
    const cookieOnly = await call('GET', 'info', { cookie: supervisor.cookie, origin: APP })
    expect([cookieOnly.status, cookieOnly.json.error.code]).toEqual([401, 'ERR_VERIFIER_UNAUTHENTICATED'])
    const nobody = await call('GET', 'info')
    expect([nobody.status, nobody.json.error.code]).toEqual([401, 'ERR_VERIFIER_UNAUTHENTICATED'])
    // a passkey of no officer of this verifier
    const stranger = await signIn(softPasskey())
    expect([stranger.answer.status, stranger.answer.json.error.code]).toEqual([401, 'ERR_VERIFIER_UNAUTHENTICATED'])
  })

  it('the app\'s origin is admitted with credentials (the preflight too); another origin is refused', async () => {
    const pre = await call('OPTIONS', 'enrolments', { origin: APP, headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-civic-session' } })
    expect(pre.status).toBe(204)
    expect([pre.headers.get('access-control-allow-origin'), pre.headers.get('access-control-allow-credentials')]).toEqual([APP, 'true'])
    expect(pre.headers.get('access-control-allow-headers')).toContain('x-civic-session')
    const evilPre = await call('OPTIONS', 'enrolments', { origin: EVIL, headers: { 'access-control-request-method': 'POST' } })
    expect([evilPre.status, evilPre.json.error.code, evilPre.headers.get('access-control-allow-origin')]).toEqual([403, 'ERR_VERIFIER_FORBIDDEN', null])
    const evil = await call('GET', 'info', { session: supervisor, origin: EVIL })
    expect([evil.status, evil.json.error.code]).toEqual([403, 'ERR_VERIFIER_FORBIDDEN'])
    const info = await call('GET', 'info', { session: supervisor, origin: APP })
    expect(info.status).toBe(200)
    expect(info.headers.get('access-control-allow-origin')).toBe(APP)
    expect(info.json).toMatchObject({ did: HALL.did, id: HALL.id, name: HALL.name, url: server.url, counters: [], pendingCodes: expect.any(Number) })
    expect(info.json.purposes.map((p: { id: string }) => p.id)).toEqual(HALL.purposes.map((p) => p.id))
  })

  it('a supervisor enrols an officer, who makes a counter code and sees the counters, but not the officers or the audit trail', async () => {
    const made = await call('POST', 'officers/enrolments', { session: supervisor, origin: APP, body: { role: 'officer', name: '李专员' } })
    expect(made.status).toBe(201)
    const bad = await call('POST', 'officers/enrolments', { session: supervisor, origin: APP, body: { role: 'clerk', name: 'x' } })
    expect([bad.status, bad.json.error.code]).toEqual([400, 'ERR_VERIFIER_BAD_REQUEST'])
    const e = await enrol(made.json.code)
    expect(e.answer.json.officer).toMatchObject({ name: '李专员', role: 'officer' })
    officer = { ...e, id: e.answer.json.officer.id }

    const code = await call('POST', 'enrolments', { session: officer, origin: APP, body: { name: COUNTER_NAME, purposes: ['senior-card'] } })
    expect(code.status).toBe(201)
    expect(code.json).toMatchObject({ name: COUNTER_NAME, purposes: ['senior-card'], expiresAt: NOW + 86_400 })
    expect(code.json.link).toBe(`${APP}/#/counter/enrol?verifier=${encodeURIComponent(server.url)}&code=${code.json.code}`)
    madeCode = code.json.code
    // the counter enrols from it (the public listener), and the officer sees it listed
    const device = await fetch(`${server.url}/enrol`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: APP },
      body: JSON.stringify({ code: madeCode, jwk: testKey('ES256').signer.publicJwk }),
    })
    expect(device.status).toBe(200)
    const info = await call('GET', 'info', { session: officer, origin: APP })
    expect(info.json.counters.map((c: { counter: { name: unknown } }) => c.counter.name)).toEqual([COUNTER_NAME])

    for (const [method, path] of [['GET', 'officers'], ['GET', 'audit'], ['POST', 'officers/enrolments'], ['POST', `officers/${'A'.repeat(22)}/disable`]] as const) {
      const r = await call(method, path, { session: officer, origin: APP, body: { role: 'officer', name: 'x' } })
      expect([r.status, r.json.error.code], `${method} ${path}`).toEqual([403, 'ERR_VERIFIER_ROLE'])
    }
    // an unknown purpose is refused for the officer as for the token
    const unknown = await call('POST', 'enrolments', { session: officer, origin: APP, body: { name: COUNTER_NAME, purposes: ['age-check'] } })
    expect([unknown.status, unknown.json.error.code]).toEqual([400, 'ERR_EXCH_PURPOSE_UNKNOWN'])
  })

  it('the audit trail names who made which counter\'s code for which purposes, and when — never the code', async () => {
    // the token's code (civic start) is audited too, as the admin token's
    const byToken = await newCounterEnrolment({ dir: svc.dir, adminUrl: server.adminUrl, name: { 'zh-CN': '演示窗口', en: 'Demo counter' }, purposes: ['residence-certificate'] })
    const audit = await call('GET', 'audit', { session: supervisor, origin: APP })
    expect(audit.status).toBe(200)
    const made = audit.json.records.filter((r: { action: string }) => r.action === 'counter-enrolment.create')
    expect(made.map((r: { officer: { name: string }; outcome: string; target: Record<string, string> }) => [r.officer.name, r.outcome, r.target['counter.en'], r.target.purposes])).toEqual([
      ['admin token', 'ok', 'Demo counter', 'residence-certificate'],
      ['李专员', 'ERR_EXCH_PURPOSE_UNKNOWN', COUNTER_NAME.en, 'age-check'],
      ['李专员', 'ok', COUNTER_NAME.en, 'senior-card'],
    ])
    const mine = made[2]
    expect(mine).toMatchObject({ at: NOW, officer: { id: officer.id, role: 'officer' }, target: { 'counter.zh-CN': COUNTER_NAME['zh-CN'], expiresAt: String(NOW + 86_400) } })
    expect(audit.json.records.map((r: { action: string }) => r.action)).toEqual(expect.arrayContaining(['officer.enrol', 'session.start', 'enrolment.create']))
    const trail = await readFile(join(svc.dir, AUDIT_FILE), 'utf8')
    for (const secret of [madeCode, byToken.code, officer.secret, supervisor.secret]) expect(trail).not.toContain(secret)
  })

  it('a disabled officer\'s session ends at once; signing out ends the supervisor\'s', async () => {
    const off = await call('POST', `officers/${officer.id}/disable`, { session: supervisor, origin: APP })
    expect([off.status, off.json.role]).toEqual([200, 'officer'])
    const gone = await call('GET', 'info', { session: officer, origin: APP })
    expect([gone.status, gone.json.error.code]).toEqual([401, 'ERR_VERIFIER_UNAUTHENTICATED'])
    const again = await signIn(officer.pk)
    expect(again.answer.status).toBe(401)
    const list = await call('GET', 'officers', { session: supervisor, origin: APP })
    expect(list.json.officers.map((o: { name: string; disabled: boolean }) => [o.name, o.disabled])).toEqual([['Supervisor', false], ['李专员', true]])
    const end = await call('POST', 'session/end', { session: supervisor, origin: APP })
    expect(end.status).toBe(200)
    expect(end.headers.get('set-cookie')).toMatch(/Max-Age=0/)
    expect((await call('GET', 'session', { session: supervisor, origin: APP })).status).toBe(401)
  })
})
