/**
 * The issuer console's state (src/app/state/issuer-console.svelte.ts) and its client of the
 * admin API (src/issuer/console-client.ts), against a REAL issuing system in this process
 * (test/app/issuer-world.ts): a ledger with three witnesses, two accredited issuer offices,
 * civic-config.json served over HTTP, and a wallet that collects offers through OpenID4VCI.
 * Nothing here is stubbed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CivicError } from '../../src/core/errors.ts'
import { claimProblem, ConsoleClient, MAX_CLAIM_LENGTH, adminBase, svgDataUri } from '../../src/issuer/console-client.ts'
import { BUILTIN_SCHEMAS, MAX_CLAIM_LENGTH as SCHEMA_MAX, validateClaims } from '../../src/issuer/schema.ts'
import { ConfigState, parseCivicConfig } from '../../src/app/state/config.svelte.ts'
import { allowedActions, IssuerConsoleState } from '../../src/app/state/issuer-console.svelte.ts'
import { CITIZEN } from '../issuer/_world.ts'
import { APP_ORIGIN, HRSS, PSB, startConsoleWorld, tokenFetch, type ConsoleWorld } from './issuer-world.ts'

let w: ConsoleWorld
beforeAll(async () => {
  w = await startConsoleWorld()
}, 60_000)
afterAll(async () => {
  await w?.close()
})

const now = () => Math.floor(Date.now() / 1000)
/** Node's fetch with each office's admin token (the console acts as a supervisor). */
const authed = (u: string, init?: RequestInit) => tokenFetch(w.tokens)(u, init)

async function openConsole(): Promise<IssuerConsoleState> {
  const ic = new IssuerConsoleState({ config: new ConfigState({ url: w.configUrl }), fetch: authed })
  await ic.open()
  return ic
}

function fillCitizen(ic: IssuerConsoleState, values: Record<string, string> = CITIZEN): void {
  ic.chooseType('resident-id')
  Object.assign(ic.form.values, values)
}

describe('civic-config.json (ConfigState)', () => {
  it('reads the ledger and the issuing offices', async () => {
    const c = new ConfigState({ url: w.configUrl, fetch })
    expect(c.status).toBe('idle')
    await c.load()
    expect(c.status).toBe('ready')
    expect(c.issuers.map((i) => i.id)).toEqual(['psb', 'hrss', 'down'])
    expect(c.value?.ledger).toEqual({ ...w.config.ledger })
  })

  it('is "missing" when nothing is served there, or a dev server answers with its index.html', async () => {
    for (const url of [`${w.helperUrl}/nothing/civic-config.json`, `${w.helperUrl}/html/civic-config.json`]) {
      const c = new ConfigState({ url, fetch })
      await c.load()
      expect(c.status, url).toBe('missing')
      expect(c.issuers).toEqual([])
    }
  })

  it('is "invalid" when the file does not fit, and says why', async () => {
    const c = new ConfigState({ url: `${w.helperUrl}/bad/civic-config.json`, fetch })
    await c.load()
    expect(c.status).toBe('invalid')
    expect(c.detail).toMatch(/ledger/)
  })

  it('is "invalid" when a member is named twice (the kernel\'s strict JSON)', async () => {
    const text = JSON.stringify(w.config).replace(/^\{/, '{"issuers":[],')
    const serve = async () => new Response(text, { headers: { 'content-type': 'application/json' } })
    const c = new ConfigState({ url: '/civic-config.json', fetch: serve })
    await c.load()
    expect(c.status).toBe('invalid')
    expect(c.detail).toMatch(/issuers/)
    const once = new ConfigState({ url: '/civic-config.json', fetch: async () => new Response(JSON.stringify(w.config), { headers: { 'content-type': 'application/json' } }) })
    await once.load()
    expect(once.status).toBe('ready')
  })

  it('is "unreachable" when no server answers, and tries again on the next load', async () => {
    const c = new ConfigState({ url: `${w.config.issuers[2]!.adminUrl}/civic-config.json`, fetch })
    await c.load()
    expect(c.status).toBe('unreachable')
    const again = new ConfigState({ url: w.configUrl, fetch })
    await again.load()
    await again.load()
    expect(again.status).toBe('ready')
  })

  it('refuses entries of the wrong shape and ignores members it does not read', () => {
    const good = { ...w.config, verifiers: [], extra: 1 }
    expect(parseCivicConfig(good)).toMatchObject({ ok: true })
    const bad = (issuers: unknown) => parseCivicConfig({ ...w.config, issuers })
    expect(bad([{ ...w.config.issuers[0], adminUrl: 'javascript:alert(1)' }])).toMatchObject({ ok: false, detail: expect.stringMatching(/adminUrl/) })
    expect(bad([w.config.issuers[0], w.config.issuers[0]])).toMatchObject({ ok: false, detail: expect.stringMatching(/repeated/) })
    expect(bad([{ ...w.config.issuers[0], name: { en: 'x' } }])).toMatchObject({ ok: false })
    expect(parseCivicConfig({ ...w.config, ledger: { ...w.config.ledger, quorum: 9 } })).toMatchObject({ ok: false })
  })
})

describe('the console client (src/issuer/console-client.ts)', () => {
  it('reads the issuer, its credential types and keys', async () => {
    const c = new ConsoleClient(w.iw.admin, { fetch: authed })
    const info = await c.info()
    expect(info).toMatchObject({ did: PSB, batchSize: 10, currentKid: 'key-1' })
    expect(info.credentialTypes.map((t) => t.id)).toEqual(['resident-id', 'social-insurance'])
    expect(info.credentialTypes[0]!.claims.map((x) => x.name)).toEqual(['name', 'birth_date', 'city', 'district'])
    expect(info.keys).toEqual([expect.objectContaining({ kid: 'key-1', current: true, state: 'active' })])
  })

  it('accepts an adminUrl with or without /admin', () => {
    expect(adminBase('http://127.0.0.1:9/admin/')).toBe('http://127.0.0.1:9')
    expect(adminBase('http://127.0.0.1:9/')).toBe('http://127.0.0.1:9')
    expect(adminBase('https://issuer.example/psb/admin')).toBe('https://issuer.example/psb')
    expect(() => adminBase('file:///etc/passwd')).toThrow(CivicError)
  })

  it("turns the server's refusals into CivicErrors with the server's code", async () => {
    const c = new ConsoleClient(w.iw.admin, { fetch: authed })
    const code = async (p: Promise<unknown>) => p.then(() => 'resolved', (e) => (e instanceof CivicError ? e.code : `not coded: ${e}`))
    expect(await code(c.createOffer({ configurationId: 'resident-id', claims: { ...CITIZEN, age_over_18: 'true' } }))).toBe('ERR_ISSUER_CLAIMS_INVALID')
    expect(await code(c.createOffer({ configurationId: 'passport', claims: CITIZEN }))).toBe('ERR_ISSUER_UNKNOWN_VCT')
    expect(await code(c.setStatus('AAAAAAAAAAAAAAAAAAAAAA', 'revoke'))).toBe('ERR_ISSUER_UNKNOWN_CREDENTIAL')
    // a page from another origin: the browser would send its Origin, and the service refuses it
    const elsewhere = new ConsoleClient(w.iw.admin, { fetch: (u, init) => authed(u, { ...init, headers: { ...(init?.headers as Record<string, string>), origin: 'http://evil.example' } }) })
    expect(await code(elsewhere.info())).toBe('ERR_ISSUER_FORBIDDEN')
    // the console's own origin is let in
    const console = new ConsoleClient(w.iw.admin, { fetch: (u, init) => authed(u, { ...init, headers: { ...(init?.headers as Record<string, string>), origin: APP_ORIGIN } }) })
    expect((await console.info()).did).toBe(PSB)
  })

  it('is ERR_ISSUER_UNREACHABLE when nothing answers, or something that is not the admin API does', async () => {
    const down = new ConsoleClient(w.config.issuers[2]!.adminUrl, { fetch })
    await expect(down.info()).rejects.toMatchObject({ code: 'ERR_ISSUER_UNREACHABLE' })
    const notAdmin = new ConsoleClient(`${w.helperUrl}/html`, { fetch })
    await expect(notAdmin.info()).rejects.toMatchObject({ code: 'ERR_ISSUER_UNREACHABLE' })
  })

  it('shows the QR only as an image URL', () => {
    const uri = svgDataUri('<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>')
    expect(uri).toMatch(/^data:image\/svg\+xml;charset=utf-8,%3Csvg/)
    expect(uri).not.toContain('<')
  })

  it('checks claims by the same rules as the service (schema.ts validateClaims)', () => {
    expect(MAX_CLAIM_LENGTH).toBe(SCHEMA_MAX)
    const t = now()
    const schema = BUILTIN_SCHEMAS[0]!
    const name = schema.claims.find((c) => c.name === 'name')!
    const birth = schema.claims.find((c) => c.name === 'birth_date')!
    const district = schema.claims.find((c) => c.name === 'district')!
    const serverSays = (claim: string, v: string) => {
      try {
        validateClaims(schema, { ...CITIZEN, [claim]: v }, t)
        return null
      } catch (e) {
        return (e as CivicError).code
      }
    }
    const cases: [typeof name, string][] = [
      [name, '李伟'], [name, ''], [name, ' 李伟'], [name, '李伟 '], [name, 'x'.repeat(200)], [name, 'x'.repeat(201)], [name, 'a\u202eb'], [name, 'a\nb'],
      [birth, '1990-05-01'], [birth, '1990-02-30'], [birth, '1849-12-31'], [birth, '2999-01-01'], [birth, '90-05-01'], [birth, '1990-5-1'], [birth, ''],
      [district, ''], [district, '武侯'],
    ]
    for (const [claim, v] of cases) {
      const ours = claimProblem(claim, v, t)
      expect(ours === null, `${claim.name}=${JSON.stringify(v)}: ours ${ours}`).toBe(serverSays(claim.name, v) === null)
    }
    expect(claimProblem(birth, '2999-01-01', t)).toBe('future')
    expect(claimProblem(name, '', t)).toBe('required')
    expect(claimProblem(name, ' x', t)).toBe('space')
  })
})

describe('the issuer console state', () => {
  it('waits for the officer to pick an office when there are several, and reads all of it then', async () => {
    const ic = await openConsole()
    expect(ic.issuers.map((i) => i.id)).toEqual(['psb', 'hrss', 'down'])
    expect(ic.selected).toBeNull()
    await ic.select('hrss')
    expect(ic.problem('info')).toBeNull()
    expect(ic.info?.did).toBe(HRSS)
    expect(ic.form.configurationId).toBe('social-insurance')
    expect(ic.schema?.claims.map((c) => c.name)).toEqual(['name', 'insured_since', 'contribution_city'])
    expect(ic.credentials).toEqual([])
    expect(ic.anchors).toEqual([])
    expect(ic.witnesses).toMatchObject({ quorum: 2, witnesses: expect.arrayContaining([expect.objectContaining({ name: 'witness-0.civic.test' })]) })
    expect(ic.witnesses!.cosigners.length).toBeGreaterThanOrEqual(2)
    // back on the screen later: the same office, read afresh
    await ic.open()
    expect(ic.selectedId).toBe('hrss')
    expect(ic.info?.did).toBe(HRSS)
  })

  it('names an office whose service is down by code, and forgets it when another office is picked', async () => {
    const ic = await openConsole()
    await ic.select('down')
    expect(ic.problem('info')).toMatchObject({ code: 'ERR_ISSUER_UNREACHABLE' })
    expect(ic.info).toBeNull()
    await ic.select('psb')
    expect(ic.problem('info')).toBeNull()
    expect(ic.problem('credentials')).toBeNull()
    expect(ic.info?.did).toBe(PSB)
  })

  it('does not send a form with problems, and says which field has which', async () => {
    const ic = await openConsole()
    await ic.select('psb')
    const before = (await new ConsoleClient(w.iw.admin, { fetch: authed }).credentials()).length
    ic.chooseType('resident-id')
    ic.form.values.name = ' 李伟'
    ic.form.values.birth_date = '2999-01-01'
    // a name such as 王警官 is a fine reference; a bidirectional override is not
    ic.form.officer = '王警官'
    expect(ic.officerProblem).toBeNull()
    ic.form.officer = 'PSB\u202e1'
    expect(await ic.issue()).toBe(false)
    expect(ic.attempted).toBe(true)
    expect(ic.fieldProblems).toEqual({ name: 'space', birth_date: 'future', city: 'required', district: null })
    expect(ic.officerProblem).toBe('officer')
    expect(ic.offer).toBeNull()
    expect((await new ConsoleClient(w.iw.admin, { fetch: authed }).credentials()).length).toBe(before)
  })

  it('issues → the citizen collects → revokes every copy → publishes → the anchor is on the ledger, inclusion verified', async () => {
    const ic = await openConsole()
    await ic.select('psb')
    fillCitizen(ic)
    ic.form.officer = 'PSB-0042'
    expect(ic.formValid).toBe(true)
    expect(await ic.issue()).toBe(true)
    const offer = ic.offer!
    expect(offer.qrSvg).toMatch(/^<svg/)
    expect(offer.offerUri).toMatch(/^openid-credential-offer:\/\/\?credential_offer_uri=/)
    expect(offer.txCode).toMatch(/^[0-9]{6}$/)
    expect(offer.expiresAt).toBeGreaterThan(w.iw.clock.now)
    // the form is emptied: the claims live nowhere in the console any more
    expect(ic.form.values).toEqual({})
    const row = ic.credentials!.find((c) => c.id === offer.credentialId)!
    expect(row).toMatchObject({ status: 'offered', issuedAt: null, copies: [], officer: 'PSB-0042' })
    // nothing personal in what the issuer keeps
    expect(JSON.stringify(ic.credentials)).not.toMatch(/李伟|1990-05-01|成都|武侯/)

    expect(await w.collect({ offerUri: offer.offerUri, txCode: offer.txCode, copies: 3 })).toBe(3)
    await ic.loadCredentials()
    const issued = ic.credentials!.find((c) => c.id === offer.credentialId)!
    expect(issued).toMatchObject({ status: 'valid' })
    expect(issued.copies).toHaveLength(3)
    expect(issued.issuedAt).not.toBeNull()
    expect(allowedActions(issued)).toEqual(['suspend', 'revoke'])
    expect(JSON.stringify(ic.credentials)).not.toMatch(/李伟|1990-05-01|成都|武侯/)

    expect(await ic.setStatus(issued.id, 'revoke')).toBe(true)
    expect(ic.lastStatus).toEqual({ id: issued.id, action: 'revoke', changed: true })
    expect(ic.credentials!.find((c) => c.id === issued.id)?.status).toBe('revoked')
    expect(allowedActions({ status: 'revoked' })).toEqual([])

    await ic.publish()
    expect(ic.problem('publish')).toBeNull()
    expect(ic.lastPublish!.published.length).toBeGreaterThanOrEqual(1)
    const list = issued.copies[0]!.uri
    const anchor = ic.anchors!.find((a) => a.uri === list)!
    expect(anchor).toMatchObject({ inclusionVerified: true, inclusionError: null, version: expect.any(Number) })
    expect(ic.recordOf(anchor)).toMatchObject({ type: 'status-anchor', index: anchor.index, inclusionVerified: true })
    expect(ic.recordOf(anchor)!.checkpointSize).toBeGreaterThan(anchor.index)
    // the witnesses have seen the tree that holds the anchor
    expect(ic.witnesses!.size).toBeGreaterThan(anchor.index)
    expect(ic.witnesses!.witnesses.filter((x) => x.cosigned).length).toBeGreaterThanOrEqual(2)

    // idempotent: a second revoke changes nothing; a revoked credential cannot come back
    expect(await ic.setStatus(issued.id, 'revoke')).toBe(true)
    expect(ic.lastStatus).toMatchObject({ changed: false })
    expect(await ic.setStatus(issued.id, 'reinstate')).toBe(false)
    expect(ic.problem('status')).toMatchObject({ code: 'ERR_ISSUER_CREDENTIAL_STATE' })
  })

  it('suspends and reinstates all copies; cancels an offer not yet collected', async () => {
    const ic = await openConsole()
    await ic.select('psb')
    fillCitizen(ic, { name: '王芳', birth_date: '1958-03-09', city: '成都' })
    ic.form.txCode = false
    expect(await ic.issue()).toBe(true)
    expect(ic.offer!.txCode).toBeNull()
    const id = ic.offer!.credentialId
    await w.collect({ offerUri: ic.offer!.offerUri, txCode: null, copies: 2 })
    await ic.loadCredentials()
    expect(await ic.setStatus(id, 'suspend')).toBe(true)
    expect(ic.credentials!.find((c) => c.id === id)?.status).toBe('suspended')
    expect(allowedActions(ic.credentials!.find((c) => c.id === id)!)).toEqual(['reinstate', 'revoke'])
    expect(await ic.setStatus(id, 'reinstate')).toBe(true)
    expect(ic.credentials!.find((c) => c.id === id)?.status).toBe('valid')

    ic.dismissOffer()
    fillCitizen(ic)
    expect(await ic.issue()).toBe(true)
    const pending = ic.offer!
    expect(allowedActions(ic.credentials!.find((c) => c.id === pending.credentialId)!)).toEqual(['revoke'])
    expect(await ic.setStatus(pending.credentialId, 'revoke')).toBe(true)
    expect(ic.credentials!.find((c) => c.id === pending.credentialId)?.status).toBe('revoked')
    await expect(w.collect({ offerUri: pending.offerUri, txCode: pending.txCode, copies: 1 })).rejects.toThrow(/ERR_VCI_OFFER_(VOID|UNKNOWN)|invalid_grant/)
  })

  it("reports a ledger that cannot be reached by code, per list, and the witnesses' failure too", async () => {
    const ic = await openConsole()
    await ic.select('psb')
    fillCitizen(ic)
    expect(await ic.issue()).toBe(true)
    await w.collect({ offerUri: ic.offer!.offerUri, txCode: ic.offer!.txCode, copies: 1 })
    await ic.loadCredentials()
    await ic.setStatus(ic.offer!.credentialId, 'revoke')
    await w.iw.ledger.close()
    await ic.publish()
    expect(ic.lastPublish!.failed.length).toBeGreaterThanOrEqual(1)
    expect(ic.problem('publish')).toMatchObject({ code: 'ERR_ISSUER_LEDGER' })
    expect(ic.problem('witnesses')).toMatchObject({ code: 'ERR_ISSUER_LEDGER' })
    // the anchors already made are still listed
    expect(ic.anchors!.length).toBeGreaterThanOrEqual(1)
  })
})
