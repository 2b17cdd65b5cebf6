// The issuer's HTTP face besides issuance: the published metadata (OpenID4VCI 1.0 shapes), the
// offer by reference and by value, status list paths, and the admin API's gate (loopback,
// loopback Host, console origin + CORS, JSON only), its coded refusals that change nothing,
// and the witness view of the latest checkpoint. Every admin call here carries the admin
// token (iw.auth); who may call without one is test/issuer/officers.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { request } from 'node:http'
import { PRE_AUTHORIZED_GRANT } from '../../src/issuer/vci.ts'
import { APP_ORIGIN, CITIZEN, makeIssuerWorld, postJson, type IssuerWorld } from './_world.ts'

let iw: IssuerWorld
beforeAll(async () => {
  iw = await makeIssuerWorld()
})
afterAll(async () => iw?.cleanup())

const getJson = async (path: string, headers: Record<string, string> = {}) => {
  const r = await fetch(`${path.startsWith('/admin') ? iw.admin : iw.base}${path}`, { headers: path.startsWith('/admin') ? { ...iw.auth, ...headers } : headers })
  return { status: r.status, json: (await r.json()) as any, headers: r.headers }
}

/** A raw request, to send a Host header fetch would not let us set. */
function raw(path: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; body: any }> {
  const u = new URL(path.startsWith('/admin') ? iw.admin : iw.base)
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, headers: { ...iw.auth, ...headers } }, (res) => {
      let text = ''
      res.on('data', (d) => (text += d))
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : null }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('published metadata', () => {
  it('Credential Issuer Metadata is OpenID4VCI 1.0-shaped', async () => {
    const { status, json, headers } = await getJson('/.well-known/openid-credential-issuer')
    expect(status).toBe(200)
    expect(headers.get('access-control-allow-origin')).toBe('*')
    expect(json).toMatchObject({
      credential_issuer: iw.base, credential_endpoint: `${iw.base}/credential`, nonce_endpoint: `${iw.base}/nonce`,
      batch_credential_issuance: { batch_size: 10 },
    })
    const c = json.credential_configurations_supported['resident-id']
    expect(c).toMatchObject({
      format: 'dc+sd-jwt', vct: 'urn:civic:resident-id', cryptographic_binding_methods_supported: ['jwk'],
      credential_signing_alg_values_supported: ['ES256'], proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256'] } },
    })
    expect(c.credential_metadata.display).toContainEqual({ name: 'Resident ID', locale: 'en' })
    expect(c.credential_metadata.claims.map((x: any) => x.path[0])).toEqual(['name', 'birth_date', 'city', 'district', 'age_over_18', 'age_over_60'])
    expect(json.credential_configurations_supported['social-insurance'].vct).toBe('urn:civic:social-insurance')
  })

  it('AS metadata: pre-authorized grant only, anonymous, DPoP ES256', async () => {
    const { json } = await getJson('/.well-known/oauth-authorization-server')
    expect(json).toEqual({
      issuer: iw.base, token_endpoint: `${iw.base}/token`, grant_types_supported: [PRE_AUTHORIZED_GRANT],
      'pre-authorized_grant_anonymous_access_supported': true, dpop_signing_alg_values_supported: ['ES256'],
    })
  })
})

describe('offers', () => {
  it('by reference and by value carry the same offer; the QR is an SVG of the reference URI', async () => {
    const r = await postJson(`${iw.admin}/admin/offers`, { configurationId: 'resident-id', claims: CITIZEN, officer: 'PSB-7' })
    expect(r.status).toBe(201)
    const byValue = JSON.parse(new URL(r.json.offerUriByValue.replace('openid-credential-offer://', 'https://x/')).searchParams.get('credential_offer')!)
    const ref = new URL(r.json.offerUri.replace('openid-credential-offer://', 'https://x/')).searchParams.get('credential_offer_uri')!
    expect(ref).toMatch(new RegExp(`^${iw.base}/offers/[A-Za-z0-9_-]{43}$`))
    expect(ref).not.toContain(r.json.offerId)
    expect((await fetch(`${iw.base}/offers/${r.json.offerId}`)).status).toBe(404)
    const fetched = await fetch(ref)
    expect(fetched.headers.get('content-type')).toMatch(/^application\/json/)
    expect(fetched.headers.get('cache-control')).toBe('no-store')
    const offer = await fetched.json()
    expect(offer).toEqual(byValue)
    expect(offer).toMatchObject({
      credential_issuer: iw.base, credential_configuration_ids: ['resident-id'],
      grants: { [PRE_AUTHORIZED_GRANT]: { tx_code: { input_mode: 'numeric', length: 6 } } },
    })
    expect(r.json.txCode).toMatch(/^[0-9]{6}$/)
    expect(r.json.qrSvg).toMatch(/^<svg[^>]*viewBox/)
    expect(iw.svc.credential(r.json.credentialId)).toMatchObject({ status: 'offered', officer: 'PSB-7', copies: [] })
    expect((await fetch(`${iw.base}/offers/AAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404)
  })

  it('a revoked offer is cancelled: its code no longer redeems', async () => {
    const r = await postJson(`${iw.admin}/admin/offers`, { vct: 'urn:civic:resident-id', claims: CITIZEN, txCode: false })
    const ref = new URL(r.json.offerUri.replace('openid-credential-offer://', 'https://x/')).searchParams.get('credential_offer_uri')!
    const code = (await (await fetch(ref)).json())['grants'][PRE_AUTHORIZED_GRANT]['pre-authorized_code']
    expect((await postJson(`${iw.admin}/admin/credentials/${r.json.credentialId}/revoke`, {})).json).toMatchObject({ changed: true, credential: { status: 'revoked' } })
    const t = await fetch(`${iw.base}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: PRE_AUTHORIZED_GRANT, 'pre-authorized_code': code }) })
    expect(((await t.json()) as any).code).toBe('ERR_VCI_OFFER_VOID')
  })
})

describe('admin API gate', () => {
  it('allows the console origin with CORS, refuses other origins', async () => {
    const ok = await getJson('/admin/credentials', { origin: APP_ORIGIN })
    expect(ok.status).toBe(200)
    expect(ok.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN)
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true') // the console's session cookie
    const evil = await getJson('/admin/credentials', { origin: 'https://evil.example' })
    expect(evil.status).toBe(403)
    expect(evil.json.error.code).toBe('ERR_ISSUER_FORBIDDEN')
    expect(evil.headers.get('access-control-allow-origin')).toBeNull()
    const pre = await fetch(`${iw.admin}/admin/offers`, { method: 'OPTIONS', headers: { origin: APP_ORIGIN, 'access-control-request-method': 'POST' } })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-headers')).toBe('content-type, authorization, x-civic-session') // the session's secret
    expect(pre.headers.get('access-control-allow-credentials')).toBe('true')
    const preEvil = await fetch(`${iw.admin}/admin/offers`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } })
    expect(preEvil.status).toBe(403)
  })

  it('refuses a non-loopback Host (DNS rebinding)', async () => {
    const r = await raw('/admin/credentials', { host: 'issuer.evil.example' })
    expect(r.status).toBe(403)
    expect(r.body.error.code).toBe('ERR_ISSUER_FORBIDDEN')
    expect((await raw('/admin/credentials', { host: `localhost:${new URL(iw.admin).port}` })).status).toBe(200)
  })

  it('refuses bad requests with codes and changes nothing', async () => {
    const before = JSON.stringify(iw.svc.listCredentials())
    const cases: [unknown, number, string][] = [
      [{ vct: 'urn:civic:passport', claims: CITIZEN }, 400, 'ERR_ISSUER_UNKNOWN_VCT'],
      [{ vct: 'urn:civic:resident-id', claims: { ...CITIZEN, age_over_18: true } }, 400, 'ERR_ISSUER_CLAIMS_INVALID'],
      [{ vct: 'urn:civic:resident-id', claims: { name: '李伟' } }, 400, 'ERR_ISSUER_CLAIMS_INVALID'],
      [{ vct: 'urn:civic:resident-id', claims: CITIZEN, officer: 'x'.repeat(65) }, 400, 'ERR_ISSUER_BAD_REQUEST'],
      [{ vct: 'urn:civic:resident-id', claims: CITIZEN, txCode: 'yes' }, 400, 'ERR_ISSUER_BAD_REQUEST'],
      [{ vct: 'urn:civic:resident-id', claims: CITIZEN, holder: 'x' }, 400, 'ERR_ISSUER_BAD_REQUEST'],
    ]
    for (const [body, status, code] of cases) {
      const r = await postJson(`${iw.admin}/admin/offers`, body)
      expect([r.status, r.json.error.code]).toEqual([status, code])
    }
    const form = await fetch(`${iw.admin}/admin/offers`, { method: 'POST', headers: { ...iw.auth, 'content-type': 'text/plain' }, body: 'vct=x' })
    expect([form.status, ((await form.json()) as any).error.code]).toEqual([400, 'ERR_ISSUER_BAD_REQUEST'])
    const notJson = await fetch(`${iw.admin}/admin/offers`, { method: 'POST', headers: { ...iw.auth, 'content-type': 'application/json' }, body: '{"vct":' })
    expect([notJson.status, ((await notJson.json()) as any).error.code]).toEqual([400, 'ERR_ISSUER_BAD_REQUEST'])
    expect((await postJson(`${iw.admin}/admin/publish`, { force: 'yes' })).json.error.code).toBe('ERR_ISSUER_BAD_REQUEST')
    expect((await postJson(`${iw.admin}/admin/nothing`, {})).status).toBe(404)
    expect((await getJson('/admin/credentials/not-an-id')).json.error.code).toBe('ERR_ISSUER_UNKNOWN_CREDENTIAL')
    expect(JSON.stringify(iw.svc.listCredentials())).toBe(before)
  })
})

describe('ledger views and status paths', () => {
  it('lists the witnesses that cosigned each log\'s latest checkpoint: registry and status', async () => {
    const { status, json } = await getJson('/admin/witnesses')
    expect(status).toBe(200)
    expect(json.logs.map((l: any) => [l.log, l.origin])).toEqual([['registry', iw.trust.registry.origin], ['status', iw.trust.status.origin]])
    // the top-level view is the status log's, where the office's anchors land
    const { log: _, ...statusView } = json.logs[1]
    expect(json).toEqual({ ...statusView, quorum: 2, logs: json.logs })
    expect(json.logs[0].size).toBeGreaterThanOrEqual(1) // the accreditation
    for (const l of json.logs) {
      expect(l.cosigners.length).toBeGreaterThanOrEqual(2)
      expect(l.witnesses.filter((w: any) => w.cosigned).length).toBe(l.cosigners.length)
      expect(l.witnesses.map((w: any) => w.name).sort()).toEqual(['witness-0.civic.test', 'witness-1.civic.test', 'witness-2.civic.test'])
    }
  })

  it('serves only anchored lists at their paths', async () => {
    expect((await fetch(`${iw.base}/status/1`)).status).toBe(404) // nothing issued yet into a list here, or not published
    for (const p of ['/status/0', '/status/01', '/status/abc', '/status/1/x']) expect((await fetch(`${iw.base}${p}`)).status).toBe(404)
    const info = await getJson('/admin/info')
    expect(info.json).toMatchObject({ did: iw.init.did, currentKid: 'key-1', batchSize: 10, statusListBase: 'https://psb.gov.example/status/' })
  })
})
