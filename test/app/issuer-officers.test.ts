/**
 * The issuer console's officers (src/app/state/issuer-console.svelte.ts with
 * src/issuer/console-client.ts) against a REAL issuing system in this process
 * (test/app/issuer-world.ts): enrolment from a link, sign-in with a passkey, the clerk's and
 * the supervisor's consoles, a session that ends on the server signs the console out. The
 * browser's two parts are played by real stand-ins: a cookie jar around Node's fetch (the
 * session cookie is HttpOnly; the console never sees it) and a software passkey
 * (test/issuer/_passkey.ts) behind the console's passkey door.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigState } from '../../src/app/state/config.svelte.ts'
import { IssuerConsoleState, parseEnrolmentHash } from '../../src/app/state/issuer-console.svelte.ts'
import { memorySessionSecrets, type SessionSecrets } from '../../src/issuer/console-client.ts'
import { SESSION_IDLE_SECONDS } from '../../src/issuer/officers.ts'
import { CITIZEN } from '../issuer/_world.ts'
import { softPasskey } from '../issuer/_passkey.ts'
import { APP_ORIGIN, startConsoleWorld, tokenFetch, type ConsoleWorld } from './issuer-world.ts'

let w: ConsoleWorld
beforeAll(async () => {
  w = await startConsoleWorld()
}, 60_000)
afterAll(async () => {
  await w?.close()
})

/** Node's fetch with a cookie jar per host name (cookies ignore ports), as a browser keeps them. */
function browserFetch(): (u: string, init?: RequestInit) => Promise<Response> {
  const jar = new Map<string, Map<string, string>>()
  return async (u, init = {}) => {
    const host = new URL(u).hostname
    const cookies = jar.get(host) ?? new Map<string, string>()
    jar.set(host, cookies)
    const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined) }
    if (cookies.size > 0) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    const r = await fetch(u, { ...init, headers })
    for (const line of r.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';')
      const i = pair!.indexOf('=')
      const name = pair!.slice(0, i).trim()
      if (attrs.some((a) => a.trim() === 'Max-Age=0')) cookies.delete(name)
      else cookies.set(name, pair!.slice(i + 1).trim())
    }
    return r
  }
}

function officerConsole(o: { fetch?: ReturnType<typeof browserFetch>; secrets?: SessionSecrets; pk?: ReturnType<typeof softPasskey> } = {}) {
  const pk = o.pk ?? softPasskey()
  const ic = new IssuerConsoleState({
    config: new ConfigState({ url: w.configUrl }), fetch: o.fetch ?? browserFetch(), appOrigin: () => APP_ORIGIN, secrets: o.secrets ?? memorySessionSecrets(),
    passkeys: { create: async (o) => pk.register(o as never, APP_ORIGIN), get: async (o) => pk.assert(o as never, APP_ORIGIN) },
  })
  return ic
}

async function enrolmentCode(role: 'clerk' | 'supervisor', name: string): Promise<string> {
  const r = await tokenFetch(w.tokens)(`${w.iw.admin}/admin/officers/enrolments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role, name }) })
  expect(r.status).toBe(201)
  return ((await r.json()) as { code: string }).code
}

describe('officers in the console', () => {
  let supervisor: IssuerConsoleState
  let clerkLink = ''

  it('signed out, an office shows nothing but the way in', async () => {
    const ic = officerConsole()
    await ic.open()
    await ic.select('psb')
    expect(ic.auth).toBe('signed-out')
    expect(ic.problem('info')).toBeNull()
    expect([ic.info, ic.credentials, ic.anchors, ic.officers, ic.audit]).toEqual([null, null, null, null, null])
    // no passkey of this office on the "device": named by code, still signed out
    expect(await ic.signIn()).toBe(false)
    expect(ic.problem('session')?.code).toBe('ERR_ISSUER_UNAUTHENTICATED')
  })

  it('the first supervisor enrols from a link and is signed in, with the officers and the audit trail', async () => {
    supervisor = officerConsole()
    const code = await enrolmentCode('supervisor', 'Chen Jing')
    const hash = `#/issuer/enrol?issuer=psb&code=${code}`
    expect(parseEnrolmentHash(hash)).toEqual({ issuerId: 'psb', code })
    expect(parseEnrolmentHash('#/issuer/enrol?issuer=psb&code=short')).toBeNull()
    await supervisor.open({ enrolment: parseEnrolmentHash(hash) })
    expect(supervisor.selectedId).toBe('psb')
    expect(supervisor.enrolment).toMatchObject({ name: 'Chen Jing', role: 'supervisor', done: false })
    expect(await supervisor.enrol()).toBe(true)
    expect(supervisor.auth).toBe('signed-in')
    expect(supervisor.session?.officer).toMatchObject({ name: 'Chen Jing', role: 'supervisor' })
    expect(supervisor.isSupervisor).toBe(true)
    expect(supervisor.info?.did).toBeDefined()
    expect(supervisor.officers?.officers.map((o) => o.name)).toContain('Chen Jing')
    expect(supervisor.audit?.some((r) => r.action === 'officer.enrol' && r.officer?.name === 'Chen Jing')).toBe(true)
    // the link is used up
    const again = officerConsole()
    await again.open({ enrolment: { issuerId: 'psb', code } })
    expect(again.problem('enrol')?.code).toBe('ERR_ISSUER_ENROLMENT')
  })

  it('a supervisor makes a clerk\'s enrolment link for this console', async () => {
    expect(await supervisor.createEnrolment('clerk', '王警官')).toBe(true)
    clerkLink = supervisor.newLink!.link
    expect(clerkLink).toMatch(/^http:\/\/127\.0\.0\.1:8080\/#\/issuer\/enrol\?issuer=psb&code=[A-Za-z0-9_-]{43}$/)
    expect(supervisor.officers?.enrolments.map((e) => e.name)).toContain('王警官')
    // a link made by mistake is voided: it no longer enrols anyone
    expect(await supervisor.createEnrolment('supervisor', 'Mistake')).toBe(true)
    const mistake = parseEnrolmentHash(new URL(supervisor.newLink!.link).hash)!
    const id = supervisor.officers!.enrolments.find((e) => e.name === 'Mistake')!.id
    expect(await supervisor.cancelEnrolment(id)).toBe(true)
    expect(supervisor.officers?.enrolments.map((e) => e.name)).not.toContain('Mistake')
    expect(supervisor.audit?.some((r) => r.action === 'enrolment.cancel' && r.target.enrolment === id)).toBe(true)
    const late = officerConsole()
    await late.open({ enrolment: mistake })
    expect(late.problem('enrol')?.code).toBe('ERR_ISSUER_ENROLMENT')
  })

  it('a clerk issues; is offered no status action; a revoke is refused by the server', async () => {
    const clerk = officerConsole()
    await clerk.open({ enrolment: parseEnrolmentHash(new URL(clerkLink).hash) })
    expect(await clerk.enrol()).toBe(true)
    expect(clerk.session?.officer).toMatchObject({ name: '王警官', role: 'clerk' })
    expect(clerk.isSupervisor).toBe(false)
    expect(clerk.officers).toBeNull()
    expect(clerk.audit).toBeNull()
    clerk.chooseType('resident-id')
    Object.assign(clerk.form.values, CITIZEN)
    clerk.form.officer = '王警官'
    expect(await clerk.issue()).toBe(true)
    const id = clerk.offer!.credentialId
    const c = clerk.credentials!.find((x) => x.id === id)!
    expect(clerk.actionsFor(c)).toEqual([])
    expect(supervisor.actionsFor(c)).toEqual(['revoke'])
    expect(await clerk.setStatus(id, 'revoke')).toBe(false)
    expect(clerk.problem('status')?.code).toBe('ERR_ISSUER_ROLE')
    expect(clerk.auth).toBe('signed-in')
    expect(await supervisor.setStatus(id, 'revoke')).toBe(true)

    // the session ends on the server after 15 idle minutes: the console signs out, and says so
    w.iw.clock.advance(SESSION_IDLE_SECONDS + 1)
    await clerk.loadCredentials()
    expect(clerk.auth).toBe('signed-out')
    expect(clerk.expired).toBe(true)
    expect([clerk.info, clerk.credentials]).toEqual([null, null])
    // and in again with the passkey
    const signedIn = await clerk.signIn()
    expect([signedIn, clerk.problem('session')]).toEqual([true, null])
    expect(clerk.session?.officer.name).toBe('王警官')
    expect(clerk.credentials?.some((x) => x.id === id && x.status === 'revoked')).toBe(true)
    await clerk.signOut()
    expect(clerk.auth).toBe('signed-out')
    expect(clerk.expired).toBe(false)
  })

  it('the cookie needs the session secret the console keeps per origin: a reload keeps the session, another page with only the cookie is signed out', async () => {
    const jar = browserFetch()
    const secrets = memorySessionSecrets()
    const pk = softPasskey()
    const code = await enrolmentCode('clerk', 'Clerk Gao')
    const first = officerConsole({ fetch: jar, secrets, pk })
    await first.open({ enrolment: parseEnrolmentHash(`#/issuer/enrol?issuer=psb&code=${code}`) })
    expect(await first.enrol()).toBe(true)
    const base = Object.keys(secretsDump(secrets))[0]
    expect(secrets.get(base!)).toMatch(/^[A-Za-z0-9_-]{43}$/)
    // the same tab reloaded: same cookie, same sessionStorage
    const reloaded = officerConsole({ fetch: jar, secrets, pk })
    await reloaded.open()
    await reloaded.select('psb')
    expect(reloaded.auth).toBe('signed-in')
    // a page of another origin (another localhost port) gets the cookie but not the secret
    const elsewhere = officerConsole({ fetch: jar, secrets: memorySessionSecrets(), pk })
    await elsewhere.open()
    await elsewhere.select('psb')
    expect(elsewhere.auth).toBe('signed-out')
    // sign-out forgets the secret
    await reloaded.signOut()
    expect(secrets.get(base!)).toBeNull()
  })
})

/** The bases a SessionSecrets holds a secret for (the console's admin bases of this world). */
function secretsDump(s: SessionSecrets): Record<string, string> {
  const out: Record<string, string> = {}
  for (const base of [w.iw.admin.replace(/\/admin$/, '')]) {
    const v = s.get(base)
    if (v !== null) out[base] = v
  }
  return out
}
