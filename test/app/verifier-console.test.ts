/**
 * The verifier console's state (src/app/state/verifier-console.svelte.ts with
 * src/verifier/console-client.ts) against a REAL verifier service in this process: the console
 * link parsed, the first supervisor enrolled from a link, the verifier and its purposes read, a
 * counter's enrolment link made and dismissed, an officer's console without the supervisor's
 * panels, a session ended on the server signs the console out. The browser's parts are played
 * by a cookie jar around Node's fetch and a software passkey (test/issuer/_passkey.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { memorySessionSecrets } from '../../src/office/client.ts'
import { parseConsoleHash, VerifierConsoleState } from '../../src/app/state/verifier-console.svelte.ts'
import { startVerifierServer, type VerifierServer } from '../../src/verifier/http.ts'
import { firstSupervisorLink } from '../../src/verifier/enrolment.ts'
import type { VerifierService } from '../../src/verifier/service.ts'
import { softPasskey } from '../issuer/_passkey.ts'
import { testKey } from '../support/keys.ts'
import { COUNTER_NAME, HALL, makeVerifierWorld, type VerifierWorld } from '../verifier/_world.ts'

const APP = 'http://localhost:8080'
let w: VerifierWorld
let svc: VerifierService
let server: VerifierServer
let tick = 0
beforeAll(async () => {
  w = await makeVerifierWorld()
  svc = await w.open()
  server = await startVerifierServer(svc, { appOrigin: APP })
  server.admin.rateClock = () => (tick += 1)
})
afterAll(async () => {
  await server?.close()
  w?.cleanup()
})

/** Node's fetch as the console's page would send it: its Origin, and a cookie jar per host name (cookies ignore ports). */
function browserFetch(): (u: string, init?: RequestInit) => Promise<Response> {
  const jar = new Map<string, string>()
  return async (u, init = {}) => {
    const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined), origin: APP }
    if (jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
    const r = await fetch(u, { ...init, headers })
    for (const line of r.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';')
      const i = pair!.indexOf('=')
      if (attrs.some((a) => a.trim() === 'Max-Age=0')) jar.delete(pair!.slice(0, i).trim())
      else jar.set(pair!.slice(0, i).trim(), pair!.slice(i + 1).trim())
    }
    return r
  }
}

function consoleState(pk = softPasskey()) {
  return new VerifierConsoleState({
    fetch: browserFetch(), appOrigin: () => APP, secrets: memorySessionSecrets(),
    passkeys: { create: async (o) => pk.register(o as never, APP), get: async (o) => pk.assert(o as never, APP) },
  })
}

const linkOf = (url: string) => parseConsoleHash(url.slice(url.indexOf('#')))

describe('the console link', () => {
  it('reads the admin URL and, on an enrolment link, the code; anything else is no console', () => {
    const at = encodeURIComponent('http://localhost:8091/')
    expect(parseConsoleHash(`#/verifier?at=${at}`)).toEqual({ adminUrl: 'http://localhost:8091/', code: null })
    expect(parseConsoleHash(`#/verifier/enrol?at=${at}&code=${'A'.repeat(43)}`)).toEqual({ adminUrl: 'http://localhost:8091/', code: 'A'.repeat(43) })
    // a code only counts on an enrolment link, and only of its form
    expect(parseConsoleHash(`#/verifier?at=${at}&code=${'A'.repeat(43)}`).code).toBeNull()
    expect(parseConsoleHash(`#/verifier/enrol?at=${at}&code=short`).code).toBeNull()
    for (const bad of ['#/verifier', '#/verifier?at=javascript%3Aalert(1)', '#/verifier?at=ftp%3A%2F%2Fx', `#/verifier?at=${encodeURIComponent('http://u:p@localhost:1/')}`, '#/counter?at=x']) {
      expect(parseConsoleHash(bad).adminUrl, bad).toBeNull()
    }
  })
})

describe('the verifier console', () => {
  const pk = softPasskey()
  let sup: VerifierConsoleState

  it('enrols the first supervisor from the link, then shows the verifier, its purposes, its officers and audit trail', async () => {
    const link = (await firstSupervisorLink({ dir: svc.dir, adminUrl: server.adminUrl, appOrigin: APP }))!
    sup = consoleState(pk)
    await sup.open(linkOf(link))
    expect(sup.enrolment).toMatchObject({ name: 'Supervisor', role: 'supervisor', done: false })
    expect(sup.auth).toBe('unknown')
    expect(await sup.enrol()).toBe(true)
    expect(sup.auth).toBe('signed-in')
    expect(sup.isSupervisor).toBe(true)
    expect(sup.info).toMatchObject({ did: HALL.did, name: HALL.name, url: server.url, counters: [] })
    expect(sup.info!.purposes.map((p) => [p.id, p.why !== null, p.retention !== null])).toEqual(HALL.purposes.map((p) => [p.id, true, true]))
    expect(sup.officers!.officers.map((o) => o.name)).toEqual(['Supervisor'])
    expect(sup.audit!.map((r) => r.action)).toContain('officer.enrol')
  })

  it('makes a counter\'s enrolment link, shows it until dismissed, and lists the counter once it enrolled', async () => {
    expect(await sup.createCounter(COUNTER_NAME, ['senior-card'])).toBe(true)
    const made = sup.created!
    expect(made.link).toBe(`${APP}/#/counter/enrol?verifier=${encodeURIComponent(server.url)}&code=${made.code}`)
    expect(sup.info!.pendingCodes).toBe(1)
    expect(sup.audit!.find((r) => r.action === 'counter-enrolment.create')).toMatchObject({ officer: { name: 'Supervisor' }, target: { 'counter.en': COUNTER_NAME.en, purposes: 'senior-card' } })
    await svc.enrol({ code: made.code, counterKey: testKey('ES256').signer.publicJwk, now: svc.now() })
    await sup.dismissCounter()
    expect(sup.created).toBeNull()
    expect(sup.info!.counters.map((c) => c.counter.name)).toEqual([COUNTER_NAME])
    // a purpose the verifier never registered: named by its code, nothing made
    expect(await sup.createCounter(COUNTER_NAME, ['age-check'])).toBe(false)
    expect(sup.problem('counter')?.code).toBe('ERR_EXCH_PURPOSE_UNKNOWN')
  })

  it('an officer\'s console has no officers or audit; disabling the officer signs their console out', async () => {
    expect(await sup.createOfficerEnrolment('officer', '李专员')).toBe(true)
    const link = sup.newLink!.link
    expect(link).toMatch(new RegExp(`^${APP}/#/verifier/enrol\\?at=`))
    const off = consoleState()
    await off.open(linkOf(link))
    expect(await off.enrol()).toBe(true)
    expect([off.session?.officer.role, off.isSupervisor, off.officers, off.audit]).toEqual(['officer', false, null, null])
    expect(off.info?.counters).toHaveLength(1)
    await sup.loadOfficers()
    const id = sup.officers!.officers.find((o) => o.name === '李专员')!.id
    expect(await sup.disableOfficer(id)).toBe(true)
    await off.loadInfo()
    expect([off.auth, off.expired, off.info]).toEqual(['signed-out', true, null])
  })

  it('signs out and in again with the passkey', async () => {
    await sup.signOut()
    expect([sup.auth, sup.expired, sup.info, sup.enrolment]).toEqual(['signed-out', false, null, null])
    expect(await sup.signIn()).toBe(true)
    expect(sup.info?.did).toBe(HALL.did)
  })
})
