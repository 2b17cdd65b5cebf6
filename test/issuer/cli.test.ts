// `civic issuer …` (src/cli/issuer.ts), in process: init prints what the root accredits; serve
// prints its address and stops on a signal; offer / revoke / publish / list go through the
// running server's admin API while it runs and through the data directory when it does not;
// usage errors and refusals carry codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { createIssuerAccreditationEntry } from '../../src/core/registry/create.ts'
import { generatePrivateJwk } from '../../src/core/crypto/jwk.ts'
import { signerFromPrivateJwk } from '../../src/core/crypto/keys.ts'
import { signCompactJws } from '../../src/core/jose/jws.ts'
import { logVerifierKey } from '../../src/ledger/config.ts'
import type { LedgerService } from '../../src/ledger/service.ts'
import { issuerCommand, ISSUER_USAGE } from '../../src/cli/issuer.ts'
import { readServerInfo } from '../../src/issuer/store.ts'
import { PRE_AUTHORIZED_GRANT } from '../../src/issuer/vci.ts'
import { makeWorld, PSB, type World } from '../ledger/_ledger.ts'
import { CITIZEN, ledgerPost, logSize, PSB_NAME, STATUS_BASE } from './_world.ts'
import { readFileSync, statSync, writeFileSync } from 'node:fs'

let world: World
let ledger: LedgerService
let data: string
let claimsFile: string

beforeAll(async () => {
  world = await makeWorld({ witnesses: 2, quorum: 2 })
  ledger = await world.start()
  data = join(world.dir, 'issuer')
  claimsFile = join(world.dir, 'claims.json')
  writeFileSync(claimsFile, JSON.stringify(CITIZEN))
})
afterAll(async () => world?.cleanup())

async function run(args: string[], signal?: AbortSignal): Promise<{ code: number; out: string; err: string; json: any }> {
  let out = ''
  let err = ''
  const code = await issuerCommand(args, { stdout: (t) => (out += t), stderr: (t) => (err += t), signal })
  const last = (out.trim().split('\n').at(-1) ?? '').startsWith('{') ? out : err
  return { code, out, err, json: JSON.parse(last.trim().split('\n').at(-1)!) }
}

const codeOf = (p: Promise<unknown>) => p.then(() => 'no error', (e) => (e as { code?: string }).code)
const refusal = (p: Promise<unknown>) => p.then(() => null, (e) => ({ code: (e as { code?: string }).code, detail: (e as { detail?: string }).detail }))

describe('civic issuer', () => {
  it('documents every command', () => {
    for (const c of ['init', 'serve', 'offer', 'revoke|suspend|reinstate', 'publish', 'rotate', 'list', 'admin-token', 'officer enrol', 'officer list']) expect(ISSUER_USAGE).toContain(`civic issuer ${c}`)
  })

  it('init prints what the governance root accredits; usage errors are ERR_CLI_USAGE', async () => {
    expect(await codeOf(run(['init', '--data', data]))).toBe('ERR_CLI_USAGE')
    expect(await codeOf(run(['init', '--data', data, '--bogus']))).toBe('ERR_CLI_USAGE')
    expect(await codeOf(run(['frobnicate']))).toBe('ERR_CLI_USAGE')
    const common = [
      'init', '--data', data, '--did', PSB, '--name-zh', PSB_NAME['zh-CN'], '--name-en', PSB_NAME.en, '--status-base', STATUS_BASE, '--ledger', ledger.url,
      ...world.witnesses.flatMap((w) => ['--witness', w.verifierKey]), '--quorum', '2', '--vct', 'urn:civic:resident-id', '--app-origin', 'http://127.0.0.1:8080',
    ]
    const keys = { registry: logVerifierKey(world.config, 'registry'), status: logVerifierKey(world.config, 'status') }
    const logs = ['--registry-vkey', keys.registry, '--status-vkey', keys.status]
    // a single-log ledger's flags are answered with the ones that replaced them
    const old = await refusal(run([...common, '--origin', world.config.registry.origin, '--vkey', logVerifierKey(world.config, 'registry')]))
    expect(old).toMatchObject({ code: 'ERR_CLI_USAGE', detail: expect.stringContaining('give --registry-vkey and --status-vkey instead of --origin/--vkey') })
    expect(await codeOf(run([...common, ...logs.slice(0, 2)]))).toBe('ERR_CLI_USAGE') // no status log
    // the two logs' keys swapped: each log's key is named after its origin
    const swapped = await refusal(run([...common, '--registry-vkey', keys.status, '--status-vkey', keys.registry]))
    expect(swapped).toMatchObject({ code: 'ERR_CLI_USAGE', detail: expect.stringContaining(`names the log ${world.config.status.origin}`) })
    expect(await codeOf(run([...common, ...logs, '--name', 'another.example/ledger']))).toBe('ERR_CLI_USAGE')
    const r = await run([...common, ...logs, '--name', 'civic.test/ledger'])
    expect(r.code).toBe(0)
    expect(JSON.parse(readFileSync(join(data, 'issuer.json'), 'utf8')).ledger).toEqual({
      url: ledger.url.replace(/\/$/, ''),
      registry: { origin: world.config.registry.origin, logKeys: [logVerifierKey(world.config, 'registry')] },
      status: { origin: world.config.status.origin, logKeys: [logVerifierKey(world.config, 'status')] },
      witnessKeys: world.witnesses.map((w) => w.verifierKey), quorum: 2,
    })
    expect(r.json).toMatchObject({ ok: true, did: PSB, kid: 'key-1', vct: ['urn:civic:resident-id'], statusListBase: STATUS_BASE, jwk: { kty: 'EC', crv: 'P-256' } })
    const now = Math.floor(Date.now() / 1000)
    const accreditation = await createIssuerAccreditationEntry({
      root: world.root, subject: PSB, id: 'urn:civic:accreditation:psb:cli', name: PSB_NAME, keys: [{ kid: r.json.kid, jwk: r.json.jwk }],
      vct: r.json.vct, statusListBase: r.json.statusListBase, validFrom: now - 60, validUntil: now + 86_400,
    })
    expect((await ledgerPost(ledger.url, 'registry', accreditation)).status).toBe(200)
  })

  it('without a server and with no address known yet, offer says so', async () => {
    expect(await codeOf(run(['offer', '--data', data, '--vct', 'urn:civic:resident-id', '--claims', claimsFile]))).toBe('ERR_ISSUER_CONFIG')
  })

  it('with serve running, offer / revoke / publish / list go through its admin API', async () => {
    const stop = new AbortController()
    let out = ''
    const served = issuerCommand(['serve', '--data', data, '--port', '0'], { stdout: (t) => (out += t), stderr: () => {}, signal: stop.signal })
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => out.includes('\n') && (clearInterval(t), resolve()), 20)
      served.catch((e) => (clearInterval(t), reject(e)))
    })
    const first = JSON.parse(out)
    expect(first).toMatchObject({ ok: true, did: PSB, kid: 'key-1' })
    expect((await readServerInfo(data))?.url).toBe(first.url)
    try {
      const offer = await run(['offer', '--data', data, '--vct', 'urn:civic:resident-id', '--claims', claimsFile, '--officer', 'PSB-9', '--no-tx-code', '--qr'])
      expect(offer.out).toMatch(/^<svg/)
      expect(offer.json).toMatchObject({ ok: true, txCode: null })
      expect(offer.json.offerUri).toContain(encodeURIComponent(`${first.url}/offers/`))

      // a wallet takes the batch from the running server
      const ref = decodeURIComponent(offer.json.offerUri.split('credential_offer_uri=')[1])
      const code = (await (await fetch(ref)).json())['grants'][PRE_AUTHORIZED_GRANT]['pre-authorized_code']
      const t = await (await fetch(`${first.url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: PRE_AUTHORIZED_GRANT, 'pre-authorized_code': code }) })).json() as any
      const { c_nonce } = await (await fetch(`${first.url}/nonce`, { method: 'POST' })).json() as any
      const signer = signerFromPrivateJwk(generatePrivateJwk('ES256'))
      const proof = await signCompactJws({ typ: 'openid4vci-proof+jwt', jwk: signer.publicJwk }, { aud: first.url, iat: Math.floor(Date.now() / 1000), nonce: c_nonce }, signer)
      const cr = await fetch(`${first.url}/credential`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.access_token}` }, body: JSON.stringify({ credential_configuration_id: 'resident-id', proofs: { jwt: [proof] } }) })
      expect(cr.status).toBe(200)

      const revoked = await run(['revoke', '--data', data, '--id', offer.json.credentialId])
      expect(revoked.json).toMatchObject({ ok: true, changed: true, credential: { id: offer.json.credentialId, status: 'revoked', officer: 'PSB-9' } })
      expect(await codeOf(run(['reinstate', '--data', data, '--id', offer.json.credentialId]))).toBe('ERR_ISSUER_CREDENTIAL_STATE')
      const pub = await run(['publish', '--data', data])
      expect(pub.code).toBe(0)
      expect(pub.json.ok).toBe(true)
      expect(pub.json.published).toHaveLength(1)
      expect(pub.json.published[0]).toMatchObject({ version: 1, inclusionVerified: true })
      const list = await run(['list', '--data', data])
      expect(list.json.credentials.map((c: any) => c.status)).toEqual(['revoked'])

      // the admin API refuses a caller without the token; the CLI sends it, audited as the admin token
      const adminUrl = readFileSync(join(data, 'admin-url'), 'utf8').trim().replace(/\/$/, '')
      expect((await fetch(`${adminUrl}/admin/credentials`)).status).toBe(401)
      let tokenOut = ''
      expect(await issuerCommand(['admin-token', '--data', data], { stdout: (t) => (tokenOut += t) })).toBe(0)
      expect(tokenOut).toMatch(/^[A-Za-z0-9_-]{43}\n$/)
      expect(statSync(join(data, 'admin-token')).mode & 0o777).toBe(0o600)
      const viaToken = await fetch(`${adminUrl}/admin/credentials`, { headers: { authorization: `Bearer ${tokenOut.trim()}` } })
      expect(viaToken.status).toBe(200)
      const enrol = await run(['officer', 'enrol', '--data', data, '--role', 'clerk', '--name', '王警官', '--issuer', 'psb'])
      expect(enrol.json).toMatchObject({ ok: true, role: 'clerk', name: '王警官' })
      expect(enrol.json.link).toMatch(/^http:\/\/127\.0\.0\.1:8080\/#\/issuer\/enrol\?issuer=psb&code=[A-Za-z0-9_-]{43}$/)
      expect(enrol.json.code).toBeUndefined()
      const officers = await run(['officer', 'list', '--data', data])
      expect(officers.json.enrolments.map((e: any) => e.name)).toEqual(['王警官'])
      expect(await codeOf(run(['officer', 'enrol', '--data', data, '--role', 'mayor']))).toBe('ERR_CLI_USAGE')
      const audit = await (await fetch(`${adminUrl}/admin/audit`, { headers: { authorization: `Bearer ${tokenOut.trim()}` } })).json() as any
      expect(audit.records.find((r: any) => r.action === 'credential.revoke')).toMatchObject({ officer: { name: 'admin token' }, outcome: 'ok' })
    } finally {
      stop.abort()
      expect(await served).toBe(0)
    }
  })

  it('without a server, the commands work on the data directory', async () => {
    expect(await codeOf(run(['suspend', '--data', data, '--id', 'AAAAAAAAAAAAAAAAAAAAAA']))).toBe('ERR_ISSUER_UNKNOWN_CREDENTIAL')
    const offer = await run(['offer', '--data', data, '--vct', 'urn:civic:resident-id', '--claims', claimsFile])
    expect(offer.json).toMatchObject({ ok: true })
    expect(offer.json.txCode).toMatch(/^[0-9]{6}$/)
    expect((await run(['revoke', '--data', data, '--id', offer.json.credentialId])).json).toMatchObject({ changed: true, credential: { status: 'revoked' } })
    expect((await run(['publish', '--data', data])).json).toEqual({ ok: true, published: [], failed: [] })
    const sizes = { registry: await logSize(ledger.url, 'registry'), status: await logSize(ledger.url, 'status') }
    const rot = await run(['rotate', '--data', data, '--keep-old'])
    expect(rot.json).toMatchObject({ ok: true, oldKid: 'key-1', newKid: 'key-2', revoked: null, added: { inclusionVerified: true } })
    expect(rot.json.republished.published[0]).toMatchObject({ version: 2, signedBy: 'key-2', inclusionVerified: true })
    // the key change went to the registry log, the re-anchored list to the status log
    expect(rot.json.added.index).toBe(sizes.registry)
    expect(rot.json.republished.published[0].index).toBe(sizes.status)
    expect(await logSize(ledger.url, 'registry')).toBe(sizes.registry + 1)
    expect(await logSize(ledger.url, 'status')).toBe(sizes.status + 1)
    const enrol = await run(['officer', 'enrol', '--data', data, '--role', 'supervisor'])
    expect(enrol.json.link).toMatch(/#\/issuer\/enrol\?issuer=issuer&code=/)
    expect((await run(['officer', 'list', '--data', data])).json.enrolments.map((e: any) => e.role)).toEqual(['clerk', 'supervisor'])
  })

  it('without a server, every action is in the audit trail with the command line as its officer', async () => {
    const trail = () => readFileSync(join(data, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.officer?.id === 'cli')
    const before = trail().length
    const offer = await run(['offer', '--data', data, '--vct', 'urn:civic:resident-id', '--claims', claimsFile])
    await run(['revoke', '--data', data, '--id', offer.json.credentialId])
    expect(await codeOf(run(['revoke', '--data', data, '--id', 'AAAAAAAAAAAAAAAAAAAAAA']))).toBe('ERR_ISSUER_UNKNOWN_CREDENTIAL')
    const added = trail().slice(before)
    expect(added.map((r) => [r.action, r.outcome])).toEqual([
      ['offer.create', 'started'], ['offer.create', 'ok'],
      ['credential.revoke', 'started'], ['credential.revoke', 'ok'],
      ['credential.revoke', 'started'], ['credential.revoke', 'ERR_ISSUER_UNKNOWN_CREDENTIAL'],
    ])
    expect(added[2]).toMatchObject({ officer: { id: 'cli', name: 'command line', role: 'supervisor' }, target: { credential: offer.json.credentialId } })
    // Each action's outcome is tied to its started record; no claim reaches the trail.
    expect(added[0].id).toBe(added[1].id)
    expect(added[0].id).not.toBe(added[2].id)
    const text = readFileSync(join(data, 'audit.log'), 'utf8')
    for (const v of Object.values(CITIZEN)) expect(text).not.toContain(String(v))
  })
})
