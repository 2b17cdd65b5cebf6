// Officers sign in: every admin route needs a session or the admin token; clerks issue and view,
// supervisors also revoke, publish, rotate and manage officers; enrolment links work once;
// sessions are short and their cookie HttpOnly, SameSite=Strict, Path=/admin, and the cookie
// works only with its session's secret in the x-civic-session header; the audit trail names the
// officer of every action and holds no claims, and anonymous refusals neither flood it nor the
// challenge table. Real HTTP against the issuer's server,
// passkeys from an independent software authenticator (_passkey.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { firstSupervisorLink } from '../../src/issuer/enrolment.ts'
import {
  OFFICERS_FILE, AUDIT_FILE, ADMIN_TOKEN_FILE, MAX_CHALLENGES_PER_NETWORK, SESSION_IDLE_SECONDS, SESSION_MAX_SECONDS, ensureAdminToken, readAdminToken,
} from '../../src/issuer/officers.ts'
import { OPEN_RATE } from '../../src/issuer/admin.ts'
import { networkKey } from '../../src/node/rate-limit.ts'
import { CivicError } from '../../src/core/errors.ts'
import { startIssuerServer } from '../../src/issuer/http.ts'
import { isOfficerReference } from '../../src/issuer/admin-wire.ts'
import { APP_ORIGIN, CITIZEN, makeIssuerWorld, type IssuerWorld } from './_world.ts'
import { softPasskey, type SoftPasskey } from './_passkey.ts'

let iw: IssuerWorld
/** The rate limits' clock: one second passes per request here, so only the rate-limit tests meet a limit. */
let rateSeconds = 0
beforeAll(async () => {
  iw = await makeIssuerWorld()
  iw.server.admin.rateClock = () => (rateSeconds += 1)
})
afterAll(async () => iw?.cleanup())

type Answer = { status: number; json: any; headers: Headers }
/** A signed-in browser's two halves: the cookie ("name=value") and the session header's secret. */
type Signed = { cookie: string; secret: string }

async function call(method: 'GET' | 'POST', path: string, o: { body?: unknown; session?: Signed; cookie?: string; header?: string; auth?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {}
  if (method === 'POST') headers['content-type'] = 'application/json'
  const cookie = o.cookie ?? o.session?.cookie
  const header = o.header ?? o.session?.secret
  if (cookie) headers.cookie = cookie
  if (header) headers['x-civic-session'] = header
  if (o.auth) headers.authorization = o.auth
  const r = await fetch(`${adminOf(iw)}/admin/${path}`, { method, headers, body: method === 'POST' ? JSON.stringify(o.body ?? {}) : undefined })
  const text = await r.text()
  return { status: r.status, json: text ? JSON.parse(text) : null, headers: r.headers }
}

/** The admin listener (its own port), without a trailing slash. */
const adminOf = (w: IssuerWorld): string => ((w.server as { adminUrl?: string }).adminUrl ?? `${w.base}/`).replace(/\/$/, '')

const token = () => `Bearer ${iw.adminToken}`

async function enrolment(role: 'clerk' | 'supervisor', name: string): Promise<string> {
  const r = await call('POST', 'officers/enrolments', { auth: token(), body: { role, name } })
  expect(r.status).toBe(201)
  return r.json.code as string
}

/** Enrol with a fresh passkey: the session (cookie "name=value" and secret) and the Set-Cookie line. */
async function enrol(code: string, pk: SoftPasskey = softPasskey()): Promise<Signed & { setCookie: string; pk: SoftPasskey; answer: Answer }> {
  const opts = await call('POST', 'enrol/options', { body: { code } })
  expect(opts.status).toBe(200)
  const answer = await call('POST', 'enrol/verify', { body: { code, response: pk.register(opts.json.options, APP_ORIGIN) } })
  const setCookie = answer.headers.get('set-cookie') ?? ''
  return { cookie: setCookie.split(';')[0]!, secret: answer.json?.secret, setCookie, pk, answer }
}

async function signIn(pk: SoftPasskey): Promise<Answer & Signed> {
  const opts = await call('POST', 'session/options')
  const r = await call('POST', 'session/verify', { body: { response: pk.assert(opts.json.options, APP_ORIGIN) } })
  return { ...r, cookie: (r.headers.get('set-cookie') ?? '').split(';')[0]!, secret: r.json?.secret }
}

const ALL_ROUTES: ['GET' | 'POST', string][] = [
  ['GET', 'info'], ['GET', 'credentials'], ['GET', 'credentials/AAAAAAAAAAAAAAAAAAAAAA'], ['GET', 'anchors'], ['GET', 'lists'], ['GET', 'witnesses'],
  ['GET', 'officers'], ['GET', 'audit'], ['GET', 'session'],
  ['POST', 'offers'], ['POST', 'credentials/AAAAAAAAAAAAAAAAAAAAAA/revoke'], ['POST', 'credentials/AAAAAAAAAAAAAAAAAAAAAA/suspend'],
  ['POST', 'credentials/AAAAAAAAAAAAAAAAAAAAAA/reinstate'], ['POST', 'publish'], ['POST', 'rotate'], ['POST', 'keys/key-1/revoke'],
  ['POST', 'officers/enrolments'], ['POST', 'officers/AAAAAAAAAAAAAAAAAAAAAA/disable'], ['POST', 'officers/enrolments/AAAAAAAAAAAAAAAAAAAAAA/cancel'],
]

describe('who may call the admin API', () => {
  it('no admin route works without a session or the admin token (401), and nothing changes', async () => {
    const before = JSON.stringify([iw.svc.listCredentials(), iw.svc.keys()])
    for (const [method, path] of ALL_ROUTES) {
      for (const o of [{}, { auth: 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, { cookie: 'civic_officer_x=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }]) {
        const r = await call(method, path, { ...o, body: path === 'offers' ? { configurationId: 'resident-id', claims: CITIZEN } : {} })
        expect([method, path, r.status, r.json.error?.code]).toEqual([method, path, 401, 'ERR_ISSUER_UNAUTHENTICATED'])
      }
    }
    expect(JSON.stringify([iw.svc.listCredentials(), iw.svc.keys()])).toBe(before)
  })

  it('the admin token is a file of mode 0600 and acts as a supervisor', async () => {
    expect((await stat(join(iw.dataDir, ADMIN_TOKEN_FILE))).mode & 0o777).toBe(0o600)
    expect((await call('GET', 'session', { auth: token() })).json.officer).toEqual({ id: 'admin-token', name: 'admin token', role: 'supervisor' })
    expect((await call('GET', 'officers', { auth: token() })).status).toBe(200)
  })
})

describe('enrolment, roles and sessions', () => {
  let supervisor: Signed & { pk: SoftPasskey }
  let clerk: Signed & { pk: SoftPasskey }

  it('an enrolment link enrols once; the session cookie is HttpOnly, SameSite=Strict, Path=/admin', async () => {
    const code = await enrolment('supervisor', 'Chen Jing')
    const first = await enrol(code)
    expect(first.answer.status).toBe(201)
    expect(first.answer.json.officer).toMatchObject({ name: 'Chen Jing', role: 'supervisor' })
    expect(first.answer.json.idleSeconds).toBe(SESSION_IDLE_SECONDS)
    const attrs = first.setCookie.split(';').map((a) => a.trim())
    expect(attrs[0]).toMatch(/^civic_officer_[0-9a-f]{12}=[A-Za-z0-9_-]{43}$/)
    expect(attrs).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/admin', `Max-Age=${SESSION_MAX_SECONDS}`]))
    expect(attrs).not.toContain('Secure') // the admin listener is plain http on loopback here
    supervisor = first
    // the same code again, with another passkey: used up
    const again = await call('POST', 'enrol/options', { body: { code } })
    expect([again.status, again.json.error.code]).toEqual([410, 'ERR_ISSUER_ENROLMENT'])
    // the officer store keeps no code in clear
    const stored = await readFile(join(iw.dataDir, OFFICERS_FILE), 'utf8')
    expect(stored).not.toContain(code)
    expect((await stat(join(iw.dataDir, OFFICERS_FILE))).mode & 0o777).toBe(0o600)
  })

  it('a code cannot be used twice even when both browsers asked for options first', async () => {
    const code = await enrolment('clerk', '王警官')
    const a = softPasskey(), b = softPasskey()
    const oa = await call('POST', 'enrol/options', { body: { code } })
    const ob = await call('POST', 'enrol/options', { body: { code } })
    const ra = await call('POST', 'enrol/verify', { body: { code, response: a.register(oa.json.options, APP_ORIGIN) } })
    const rb = await call('POST', 'enrol/verify', { body: { code, response: b.register(ob.json.options, APP_ORIGIN) } })
    expect(ra.status).toBe(201)
    expect(ra.json.officer).toMatchObject({ name: '王警官', role: 'clerk' })
    expect([rb.status, rb.json.error.code]).toEqual([410, 'ERR_ISSUER_ENROLMENT'])
    clerk = { cookie: (ra.headers.get('set-cookie') ?? '').split(';')[0]!, secret: ra.json.secret, pk: a }
  })

  it('a clerk issues and views but cannot revoke, publish, rotate or manage officers (403 ERR_ISSUER_ROLE)', async () => {
    const offer = await call('POST', 'offers', { session: clerk, body: { configurationId: 'resident-id', claims: CITIZEN, officer: '王警官' } })
    expect(offer.status).toBe(201)
    expect(iw.svc.credential(offer.json.credentialId).officer).toBe('王警官')
    expect((await call('GET', 'credentials', { session: clerk })).status).toBe(200)
    for (const [method, path] of [
      ['POST', `credentials/${offer.json.credentialId}/revoke`], ['POST', `credentials/${offer.json.credentialId}/suspend`], ['POST', 'publish'],
      ['POST', 'rotate'], ['POST', 'keys/key-1/revoke'], ['POST', 'officers/enrolments'], ['GET', 'officers'], ['GET', 'audit'],
    ] as const) {
      const r = await call(method, path, { session: clerk, body: path === 'officers/enrolments' ? { role: 'supervisor', name: 'me' } : {} })
      expect([path, r.status, r.json.error?.code]).toEqual([path, 403, 'ERR_ISSUER_ROLE'])
    }
    expect(iw.svc.credential(offer.json.credentialId).status).toBe('offered')
    // the supervisor revokes it
    const rev = await call('POST', `credentials/${offer.json.credentialId}/revoke`, { session: supervisor })
    expect(rev.status).toBe(200)
    expect(rev.json.credential.status).toBe('revoked')
  })

  it('sign-in with a passkey; a replayed assertion is refused; sign-out ends the session', async () => {
    const opts = await call('POST', 'session/options')
    const response = supervisor.pk.assert(opts.json.options, APP_ORIGIN)
    const ok = await call('POST', 'session/verify', { body: { response } })
    expect(ok.status).toBe(200)
    expect(ok.json.officer).toMatchObject({ name: 'Chen Jing', role: 'supervisor' })
    const replay = await call('POST', 'session/verify', { body: { response } })
    expect([replay.status, replay.json.error.code]).toEqual([401, 'ERR_ISSUER_UNAUTHENTICATED'])
    const stranger = softPasskey()
    const o2 = await call('POST', 'session/options')
    expect((await call('POST', 'session/verify', { body: { response: stranger.assert(o2.json.options, APP_ORIGIN) } })).status).toBe(401)
    const session = { cookie: (ok.headers.get('set-cookie') ?? '').split(';')[0]!, secret: ok.json.secret }
    expect((await call('GET', 'session', { session })).status).toBe(200)
    const out = await call('POST', 'session/end', { session })
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/)
    expect((await call('GET', 'credentials', { session })).status).toBe(401)
  })

  it('sessions expire: after 15 idle minutes, and after 8 hours however busy', async () => {
    const s = await signIn(clerk.pk)
    iw.clock.advance(SESSION_IDLE_SECONDS - 5)
    expect((await call('GET', 'info', { session: s })).status).toBe(200)
    iw.clock.advance(SESSION_IDLE_SECONDS - 5)
    expect((await call('GET', 'info', { session: s })).status).toBe(200) // touched: idle time restarts
    iw.clock.advance(SESSION_IDLE_SECONDS)
    expect((await call('GET', 'info', { session: s })).json.error.code).toBe('ERR_ISSUER_UNAUTHENTICATED')
    const busy = await signIn(clerk.pk)
    let last = 200
    for (let t = 0; t < SESSION_MAX_SECONDS + 600; t += 600) {
      iw.clock.advance(600)
      last = (await call('GET', 'session', { session: busy })).status
      if (last !== 200) break
    }
    expect(last).toBe(401)
  })

  it('the audit trail names the officer of every action, with ids and outcomes, and no claims', async () => {
    const trail = await call('GET', 'audit', { session: await signIn(supervisor.pk) })
    expect(trail.status).toBe(200)
    const records = trail.json.records as any[]
    const find = (action: string, name: string, outcome = 'ok') => records.find((r) => r.action === action && r.officer?.name === name && r.outcome === outcome)
    expect(find('offer.create', '王警官')).toMatchObject({ officer: { role: 'clerk' }, target: { configuration: 'resident-id' } })
    expect(find('credential.revoke', '王警官', 'ERR_ISSUER_ROLE')?.target.credential).toMatch(/^[A-Za-z0-9_-]{22}$/) // refused, with what it was refused on
    expect(find('credential.revoke', 'Chen Jing')?.target.credential).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(find('officer.enrol', 'Chen Jing')).toBeTruthy()
    expect(find('enrolment.create', 'admin token')).toMatchObject({ target: { role: 'clerk' } })
    // anonymous refusals (the replayed assertion, the stranger's passkey) are summarised per network, not recorded one by one
    expect(records.some((r) => r.action === 'session.start' && r.officer === null)).toBe(false)
    expect(records.find((r) => r.action === 'refused.unauthenticated')).toMatchObject({ officer: null, target: { network: networkKey('127.0.0.1') } })
    const file = await readFile(join(iw.dataDir, AUDIT_FILE), 'utf8')
    for (const v of Object.values(CITIZEN)) expect(file).not.toContain(v)
    expect((await stat(join(iw.dataDir, AUDIT_FILE))).mode & 0o777).toBe(0o600)
  })

  it('the cookie alone is no session: replayed without its header, with a wrong one, or a header without the cookie → 401', async () => {
    const s = await signIn(supervisor.pk)
    expect(s.status).toBe(200)
    expect(s.secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(s.secret).not.toBe(s.cookie.split('=')[1])
    expect((await call('GET', 'info', { session: s })).status).toBe(200)
    const before = JSON.stringify([iw.svc.listCredentials(), iw.svc.keys()])
    // what a server on another localhost port receives is the cookie; curl sends no Origin
    for (const o of [{ cookie: s.cookie }, { cookie: s.cookie, header: 'A'.repeat(43) }, { cookie: s.cookie, header: s.secret.slice(1) + 'x' }, { header: s.secret }]) {
      for (const [method, path] of [['GET', 'info'], ['GET', 'session'], ['POST', 'rotate'], ['POST', 'officers/enrolments']] as const) {
        const r = await call(method, path, { ...o, body: path === 'officers/enrolments' ? { role: 'supervisor', name: 'thief' } : {} })
        expect([JSON.stringify(o).slice(0, 20), path, r.status, r.json.error?.code]).toEqual([JSON.stringify(o).slice(0, 20), path, 401, 'ERR_ISSUER_UNAUTHENTICATED'])
      }
    }
    expect(JSON.stringify([iw.svc.listCredentials(), iw.svc.keys()])).toBe(before)
    // a session-end with the cookie alone clears the cookie but does not end the session
    await call('POST', 'session/end', { cookie: s.cookie })
    expect((await call('GET', 'info', { session: s })).status).toBe(200)
    await call('POST', 'session/end', { session: s })
    expect((await call('GET', 'info', { session: s })).status).toBe(401)
    // the preflight lets the console send the header
    const pre = await fetch(`${adminOf(iw)}/admin/info`, { method: 'OPTIONS', headers: { origin: APP_ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-civic-session' } })
    expect(pre.headers.get('access-control-allow-headers')).toContain('x-civic-session')
  })

  it('disabling an officer voids the enrolment links they made, in the audit trail', async () => {
    const code = await enrolment('supervisor', 'Deputy Liu')
    const deputy = await enrol(code)
    expect(deputy.answer.status).toBe(201)
    const made = await call('POST', 'officers/enrolments', { session: deputy, body: { role: 'clerk', name: 'Clerk Made By Liu' } })
    expect(made.status).toBe(201)
    const other = await enrolment('clerk', 'Clerk By Token')
    const deputyId = deputy.answer.json.officer.id
    expect(await readFile(join(iw.dataDir, OFFICERS_FILE), 'utf8')).toContain(`"createdBy": "${deputyId}"`)
    expect((await call('POST', `officers/${deputyId}/disable`, { auth: token() })).status).toBe(200)
    const left = (await call('GET', 'officers', { auth: token() })).json.enrolments.map((e: any) => e.id)
    expect(left).not.toContain(made.json.id)
    expect((await call('POST', 'enrol/options', { body: { code: made.json.code } })).status).toBe(410)
    expect((await call('POST', 'enrol/options', { body: { code: other } })).status).toBe(200)
    const trail = (await call('GET', 'audit', { auth: token() })).json.records as any[]
    expect(trail.find((r) => r.action === 'officer.disable' && r.target.officer === deputyId)).toMatchObject({ outcome: 'ok', target: { voided1: made.json.id } })
  })

  it('an enrolment is recorded ("started") before the officer is made', async () => {
    const code = await enrolment('clerk', 'Clerk Zhao')
    const e = await enrol(code)
    expect(e.answer.status).toBe(201)
    const lines = (await readFile(join(iw.dataDir, AUDIT_FILE), 'utf8')).trim().split('\n').map((l) => JSON.parse(l))
    const i = lines.findLastIndex((r) => r.action === 'officer.enrol' && r.outcome === 'started' && r.target.role === 'clerk' && r.officer === null && r.id)
    expect(i).toBeGreaterThanOrEqual(0)
    expect(lines.slice(i + 1).find((r) => r.id === lines[i].id)).toMatchObject({ outcome: 'ok', officer: { name: 'Clerk Zhao' } })
  })

  it('a disabled officer is signed out and cannot sign in again', async () => {
    const list = await call('GET', 'officers', { auth: token() })
    const id = list.json.officers.find((o: any) => o.name === '王警官').id
    const s = await signIn(clerk.pk)
    expect((await call('POST', `officers/${id}/disable`, { auth: token() })).status).toBe(200)
    expect((await call('GET', 'info', { session: s })).status).toBe(401)
    expect((await signIn(clerk.pk)).status).toBe(401)
  })
})

describe('officer references and names (admin-wire.ts, shared with the console)', () => {
  it('take letters of any script, digits, spaces and punctuation; refuse control and bidi characters', () => {
    for (const ok of ['王警官', 'PSB-0042', 'Li Wei (desk 3)', 'Ö-1', 'x'.repeat(64), '王'.repeat(64), 'Ahmad №7']) expect(isOfficerReference(ok), ok).toBe(true)
    for (const bad of ['', ' 王警官', '王警官 ', 'x'.repeat(65), '王'.repeat(65), 'a\u202eb', 'a\u2066b', 'a\nb', 'a\tb', 'a\u0000b', 'a\u200fb', 'a\u00adb', 42, null]) {
      expect(isOfficerReference(bad), JSON.stringify(bad)).toBe(false)
    }
  })
})

describe('the session cookie on https', () => {
  it('is Secure when the console (and so its admin origin) is https', async () => {
    const w = await makeIssuerWorld()
    const appOrigin = 'https://console.psb.example'
    const server = await startIssuerServer(w.svc, { appOrigin })
    try {
      const admin = server.adminUrl.replace(/\/$/, '')
      const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
        fetch(`${admin}/admin/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
      const e = (await (await post('officers/enrolments', { role: 'supervisor', name: 'Chen Jing' }, { authorization: `Bearer ${w.adminToken}` })).json()) as { code: string }
      const opts = (await (await post('enrol/options', { code: e.code })).json()) as { options: { challenge: string; rp: { id?: string } } }
      expect(opts.options.rp.id).toBe('console.psb.example')
      const pk = softPasskey()
      // a passkey made for another origin does not verify
      const wrong = await post('enrol/verify', { code: e.code, response: pk.register(opts.options, 'https://evil.example') })
      expect(wrong.status).toBe(401)
      const opts2 = (await (await post('enrol/options', { code: e.code })).json()) as { options: { challenge: string; rp: { id?: string } } }
      const r = await post('enrol/verify', { code: e.code, response: pk.register(opts2.options, appOrigin) })
      expect(r.status).toBe(201)
      expect((r.headers.get('set-cookie') ?? '').split(';').map((a) => a.trim())).toEqual(expect.arrayContaining(['Secure', 'HttpOnly', 'SameSite=Strict', 'Path=/admin']))
    } finally {
      await server.close()
      await w.cleanup()
    }
  })
})

describe('an action the audit trail cannot hold', () => {
  it('is refused with nothing changed; a recorded action shows once, with its outcome', async () => {
    const w = await makeIssuerWorld()
    try {
      const admin = (w.server as { adminUrl: string }).adminUrl.replace(/\/$/, '')
      const post = (path: string, body: unknown = {}) =>
        fetch(`${admin}/admin/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${w.adminToken}` }, body: JSON.stringify(body) })
      const offer = (await (await post('offers', { configurationId: 'resident-id', claims: CITIZEN })).json()) as { credentialId: string }
      const log = join(w.dataDir, AUDIT_FILE)
      await rm(log)
      await mkdir(log) // appending to it now fails
      const r = await post(`credentials/${offer.credentialId}/revoke`)
      expect(r.status).toBe(503)
      expect(((await r.json()) as any).error.code).toBe('ERR_ISSUER_STORAGE')
      expect(w.svc.credential(offer.credentialId).status).toBe('offered')
      await rm(log, { recursive: true })
      expect((await post(`credentials/${offer.credentialId}/revoke`)).status).toBe(200)
      const trail = (await (await fetch(`${admin}/admin/audit`, { headers: { authorization: `Bearer ${w.adminToken}` } })).json()) as { records: any[] }
      expect(trail.records.filter((x) => x.action === 'credential.revoke').map((x) => x.outcome)).toEqual(['ok'])
      expect(await readFile(log, 'utf8')).toMatch(/"outcome":"started"[\s\S]*"outcome":"ok"/)
    } finally {
      await w.cleanup()
    }
  })
})

describe('the first supervisor link', () => {
  it('is made through the running admin API, replaces the previous one, and is null once a supervisor exists', async () => {
    const w = await makeIssuerWorld()
    try {
      const o = { dataDir: w.dataDir, adminUrl: `${adminOf(w)}/`, appOrigin: 'http://localhost:8080', issuerId: 'psb' }
      const link1 = await firstSupervisorLink(o)
      const link2 = await firstSupervisorLink(o)
      expect(link1).toMatch(/^http:\/\/localhost:8080\/#\/issuer\/enrol\?issuer=psb&code=[A-Za-z0-9_-]{43}$/)
      const code1 = new URLSearchParams(link1!.split('?')[1]).get('code')!
      const code2 = new URLSearchParams(link2!.split('?')[1]).get('code')!
      const opt = (code: string) => fetch(`${adminOf(w)}/admin/enrol/options`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) })
      expect((await opt(code1)).status).toBe(410)
      const r = await opt(code2)
      expect(r.status).toBe(200)
      const pk = softPasskey()
      const v = await fetch(`${adminOf(w)}/admin/enrol/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: code2, response: pk.register(((await r.json()) as any).options, APP_ORIGIN) }) })
      expect(v.status).toBe(201)
      expect(await firstSupervisorLink(o)).toBeNull()
    } finally {
      await w.cleanup()
    }
  })
})

describe('anonymous floods', () => {
  it('bad credentials and failed sign-ins are summarised in the trail (one record a minute per network), not fsynced one by one; a role refusal stays', async () => {
    const w = await makeIssuerWorld()
    let t = 0
    w.server.admin.rateClock = () => (t += 1)
    try {
      const admin = adminOf(w)
      const send = (path: string, body: unknown | null, headers: Record<string, string> = {}) =>
        fetch(`${admin}/admin/${path}`, { method: body === null ? 'GET' : 'POST', headers: { ...(body === null ? {} : { 'content-type': 'application/json' }), ...headers }, body: body === null ? undefined : JSON.stringify(body) })
      const log = join(w.dataDir, AUDIT_FILE)
      const size = () => stat(log).then((x) => x.size, () => 0)
      const before = await size()
      for (let i = 0; i < 100; i++) {
        expect((await send('session/verify', { response: {} })).status).toBe(401)
        expect((await send('info', null, { authorization: 'Bearer x' })).status).toBe(401)
      }
      const lines = (await readFile(log, 'utf8')).trim().split('\n').map((l) => JSON.parse(l))
      const summaries = lines.filter((r) => r.action === 'refused.unauthenticated')
      expect(summaries).toHaveLength(1) // the same minute of the service clock
      expect((await size()) - before).toBeLessThan(1000)
      w.clock.advance(61)
      expect((await send('info', null, { authorization: 'Bearer x' })).status).toBe(401)
      const after = (await readFile(log, 'utf8')).trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.action === 'refused.unauthenticated')
      expect(after).toHaveLength(2)
      expect(after[1]).toMatchObject({ officer: null, target: { network: networkKey('127.0.0.1'), refusals: '200' }, outcome: 'ERR_ISSUER_UNAUTHENTICATED' })
      // an officer's refused action is still recorded
      const token = { authorization: `Bearer ${w.adminToken}` }
      const e = (await (await send('officers/enrolments', { role: 'clerk', name: 'Clerk Wu' }, token)).json()) as { code: string }
      const opts = (await (await send('enrol/options', { code: e.code })).json()) as { options: any }
      const v = await send('enrol/verify', { code: e.code, response: softPasskey().register(opts.options, APP_ORIGIN) })
      const c = { cookie: (v.headers.get('set-cookie') ?? '').split(';')[0]!, 'x-civic-session': ((await v.json()) as any).secret }
      expect((await send('rotate', {}, c)).status).toBe(403)
      const trail = (await (await send('audit', null, token)).json()) as { records: any[] }
      expect(trail.records.find((r) => r.action === 'key.rotate')).toMatchObject({ officer: { name: 'Clerk Wu' }, outcome: 'ERR_ISSUER_ROLE' })
    } finally {
      await w.cleanup()
    }
  })

  it('the ways in and failed credentials are rate limited per network (429 ERR_ISSUER_RATE_LIMITED), and refill with time', async () => {
    const w = await makeIssuerWorld()
    let t = 0
    w.server.admin.rateClock = () => t // frozen until moved
    try {
      const admin = adminOf(w)
      const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
        fetch(`${admin}/admin/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
      const statuses: number[] = []
      for (let i = 0; i < OPEN_RATE * 2 + 5; i++) statuses.push((await post('session/options', {})).status)
      expect(statuses.slice(0, OPEN_RATE * 2).every((x) => x === 200)).toBe(true)
      const over = await post('session/options', {})
      expect([over.status, ((await over.json()) as any).error.code]).toEqual([429, 'ERR_ISSUER_RATE_LIMITED'])
      t += 10
      expect((await post('session/options', {})).status).toBe(200)
      // failed credentials: a bearer token guessed in a loop meets the limit
      const codes: number[] = []
      for (let i = 0; i < 10; i++) codes.push((await post('rotate', {}, { authorization: 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).status)
      expect(codes.slice(0, 4)).toEqual([401, 401, 401, 401])
      expect(codes.at(-1)).toBe(429)
      // the real token is still served (it is not a failure)
      expect((await fetch(`${admin}/admin/info`, { headers: { authorization: `Bearer ${w.adminToken}` } })).status).toBe(200)
    } finally {
      await w.cleanup()
    }
  })

  it('a client asking for sign-in options in a loop drops only its own pending challenges', async () => {
    const w = await makeIssuerWorld()
    try {
      const store = await w.server.admin.officers()
      await store.signInOptions('10.0.0.0/24')
      for (let i = 0; i < 1500; i++) await store.signInOptions('127.0.0.0/24')
      expect(store.pendingChallenges('127.0.0.0/24')).toBe(MAX_CHALLENGES_PER_NETWORK)
      expect(store.pendingChallenges('10.0.0.0/24')).toBe(1)
      // and the other client's sign-in still verifies: make a real officer sign in from "another network"
      const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
        fetch(`${adminOf(w)}/admin/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
      const e = (await (await post('officers/enrolments', { role: 'clerk', name: 'Clerk Sun' }, { authorization: `Bearer ${w.adminToken}` })).json()) as { code: string }
      const pk = softPasskey()
      const eo = await store.enrolOptions(e.code, '10.0.0.0/24')
      await store.enrol(e.code, pk.register(eo.options as any, APP_ORIGIN))
      const so = await store.signInOptions('10.0.0.0/24')
      for (let i = 0; i < 100; i++) await store.signInOptions('127.0.0.0/24')
      expect((await store.signIn(pk.assert(so as any, APP_ORIGIN))).name).toBe('Clerk Sun')
    } finally {
      await w.cleanup()
    }
  })
})

describe('the admin token file', () => {
  it('appears whole or not at all: made via a temp file and a link, never left empty; a damaged one is named', async () => {
    const w = await makeIssuerWorld()
    try {
      const path = join(w.dataDir, ADMIN_TOKEN_FILE)
      await rm(path)
      // two at once agree on one token, and no temp file is left behind
      const [a, b] = await Promise.all([ensureAdminToken(w.dataDir), ensureAdminToken(w.dataDir)])
      expect(a).toBe(b)
      expect((await readFile(path, 'utf8')).trim()).toBe(a)
      expect((await stat(path)).nlink).toBe(1)
      // what a crash between create and write used to leave: an empty file
      await rm(path)
      await writeFile(path, '', { mode: 0o600 })
      await expect(readAdminToken(w.dataDir)).rejects.toMatchObject({ code: 'ERR_ISSUER_CONFIG' })
    } finally {
      await w.cleanup()
    }
  })

  it('is refused when readable by group or others', async () => {
    const w = await makeIssuerWorld()
    try {
      const path = join(w.dataDir, ADMIN_TOKEN_FILE)
      await chmod(path, 0o644)
      const e = await readAdminToken(w.dataDir).catch((x: unknown) => x)
      expect(e).toBeInstanceOf(CivicError)
      expect((e as CivicError).code).toBe('ERR_ISSUER_CONFIG')
      expect((e as CivicError).detail).toMatch(/readable by group or others \(mode 0644\)/)
      // and the server does not take it
      const r = await fetch(`${adminOf(w)}/admin/info`, { headers: { authorization: `Bearer ${w.adminToken}` } })
      expect(r.status).not.toBe(200)
      await chmod(path, 0o640)
      await expect(readAdminToken(w.dataDir)).rejects.toMatchObject({ code: 'ERR_ISSUER_CONFIG' })
      await chmod(path, 0o600)
      expect(await readAdminToken(w.dataDir)).toBe(w.adminToken)
    } finally {
      await w.cleanup()
    }
  })
})
