// `civic sd-jwt issue | present | verify` as a script or back office runs it: a real process,
// real files, standard input and output, exit status 0 / 1 / 2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generatePrivateJwk, publicJwkOf } from '../../src/core/crypto/jwk.ts'
import { PROJECT_ROOT, readVector, readVectorJson } from '../support/vectors.ts'

const BIN = join(PROJECT_ROOT, 'src/cli/bin.mjs')
let dir = ''
const f = (name: string) => join(dir, name)

function civic(args: string[], stdin = '') {
  const r = spawnSync(process.execPath, [BIN, ...args], { input: stdin, encoding: 'utf8', cwd: PROJECT_ROOT, timeout: 60_000 })
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'civic-cli-'))
  for (const [name, alg] of [['issuer', 'ES256'], ['holder', 'ES256'], ['ed-issuer', 'EdDSA']] as const) {
    const k = generatePrivateJwk(alg)
    writeFileSync(f(`${name}.jwk`), JSON.stringify(k))
    writeFileSync(f(`${name}.pub.jwk`), JSON.stringify(publicJwkOf(k)))
  }
  writeFileSync(f('claims.json'), JSON.stringify({ name: '李伟', birthdate: '1990-05-01', age_over_18: true, address: { city: 'Chengdu', district: 'Wuhou' } }))
  writeFileSync(f('sd.json'), JSON.stringify({ _sd: ['name', 'birthdate', 'age_over_18'], address: { _sd: ['district'] } }))
  writeFileSync(f('disclose.json'), JSON.stringify({ age_over_18: true, address: { district: true } }))
  writeFileSync(f('bad.json'), '{"a":1,"a":2}')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('civic sd-jwt', () => {
  const now = Math.floor(Date.now() / 1000)

  it.each(['issuer', 'ed-issuer'])('issue → present → verify with %s', (issuer) => {
    const iss = civic(['sd-jwt', 'issue', '--issuer-key', f(`${issuer}.jwk`), '--claims', f('claims.json'), '--sd', f('sd.json'),
      '--holder-jwk', f('holder.pub.jwk'), '--vct', 'urn:civic:resident', '--iat', String(now - 5), '--exp', String(now + 3600)])
    expect(iss.code).toBe(0)
    expect(iss.out).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+~([\w-]+~){4}$/)
    const pres = civic(['sd-jwt', 'present', '--holder-key', f('holder.jwk'), '--disclose', f('disclose.json'), '--nonce', 'n-42', '--aud', 'did:web:hall'], iss.out)
    expect(pres.code).toBe(0)
    const ok = civic(['sd-jwt', 'verify', '--issuer-jwk', f(`${issuer}.pub.jwk`), '--nonce', 'n-42', '--aud', 'did:web:hall'], pres.out)
    expect(ok.code).toBe(0)
    const v = JSON.parse(ok.out)
    expect(v.ok).toBe(true)
    expect(v.claims).toMatchObject({ vct: 'urn:civic:resident', age_over_18: true, address: { city: 'Chengdu', district: 'Wuhou' }, exp: now + 3600 })
    expect(v.claims.name).toBeUndefined()
    expect(v.claims.birthdate).toBeUndefined()

    const replay = civic(['sd-jwt', 'verify', '--issuer-jwk', f(`${issuer}.pub.jwk`), '--nonce', 'n-43', '--aud', 'did:web:hall'], pres.out)
    expect(replay.code).toBe(1)
    expect(JSON.parse(replay.out)).toMatchObject({ ok: false, code: 'ERR_KB_NONCE_MISMATCH' })
    const wrongKey = civic(['sd-jwt', 'verify', '--issuer-jwk', f('holder.pub.jwk'), '--nonce', 'n-42', '--aud', 'did:web:hall'], pres.out)
    expect(JSON.parse(wrongKey.out)).toMatchObject({ ok: false })
    expect(wrongKey.code).toBe(1)
    const noKb = civic(['sd-jwt', 'verify', '--issuer-jwk', f(`${issuer}.pub.jwk`), '--nonce', 'n-42', '--aud', 'did:web:hall'], iss.out)
    expect(JSON.parse(noKb.out)).toMatchObject({ ok: false, code: 'ERR_KB_REQUIRED' })
    const optedOut = civic(['sd-jwt', 'verify', '--issuer-jwk', f(`${issuer}.pub.jwk`), '--no-kb'], iss.out)
    expect(JSON.parse(optedOut.out)).toMatchObject({ ok: true, claims: { name: '李伟', birthdate: '1990-05-01' } })
  })

  it('verifies the RFC 9901 §5 example with --profile sd-jwt and --now', () => {
    const [issuerJwk] = readVectorJson('sdjwt-rfc9901', 'index.json').examples.simple.issuer_public_keys
    writeFileSync(f('rfc-issuer.jwk'), JSON.stringify(issuerJwk))
    const pres = readVector('sdjwt-rfc9901', 'simple', 'raw', 'sd_jwt_presentation.txt')
    const r = civic(['sd-jwt', 'verify', '--issuer-jwk', f('rfc-issuer.jwk'), '--nonce', '1234567890', '--aud', 'https://verifier.example.org', '--now', '1795588650', '--profile', 'sd-jwt'], pres)
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out)).toStrictEqual({ ok: true, claims: JSON.parse(readVector('sdjwt-rfc9901', 'simple', 'raw', 'verified_contents.json')) })
    const vc = civic(['sd-jwt', 'verify', '--issuer-jwk', f('rfc-issuer.jwk'), '--nonce', '1234567890', '--aud', 'https://verifier.example.org', '--now', '1795588650'], pres)
    expect(vc.code).toBe(1)
    expect(JSON.parse(vc.out)).toMatchObject({ ok: false, code: 'ERR_JWS_TYP_MISMATCH' })
  })

  it.each([
    [['sd-jwt', 'verify', '--issuer-jwk', 'x'], 'ERR_CLI_USAGE'],
    [['sd-jwt', 'verify', '--no-kb', '--nonce', 'n'], 'ERR_CLI_USAGE'],
    [['sd-jwt', 'verify', '--issuer-jwk', '/nonexistent', '--no-kb'], 'ERR_CLI_FILE'],
    [['sd-jwt', 'verify', '--issuer-jwk', 'BAD', '--no-kb'], 'ERR_JSON_DUPLICATE_KEY'],
    [['sd-jwt', 'verify', '--issuer-jwk', 'CLAIMS', '--no-kb'], 'ERR_JWK_INVALID'],
    [['sd-jwt', 'verify', '--issuer-jwk', 'x', '--no-kb', '--profile', 'mdoc'], 'ERR_CLI_USAGE'],
    [['sd-jwt', 'issue', '--claims', 'CLAIMS'], 'ERR_CLI_USAGE'],
    [['sd-jwt', 'frobnicate'], 'ERR_CLI_USAGE'],
    [['sd-jwt', 'verify', '--unknown-flag'], 'ERR_CLI_USAGE'],
  ])('usage error %j → exit 2, %s', (argv, code) => {
    const args = argv.map((a) => (a === 'BAD' ? f('bad.json') : a === 'CLAIMS' ? f('claims.json') : a))
    const r = civic(args, 'x~')
    expect(r.code).toBe(2)
    const line = argv[1] === 'verify' ? r.out : r.err.split('\n')[0]!
    expect(JSON.parse(line)).toMatchObject({ ok: false, code })
  })

  it('present refuses malformed input with exit 1 and a code', () => {
    const r = civic(['sd-jwt', 'present', '--holder-key', f('holder.jwk'), '--disclose', f('disclose.json'), '--nonce', 'n', '--aud', 'a'], 'not an sd-jwt')
    expect(r.code).toBe(1)
    expect(JSON.parse(r.err.split('\n')[0]!)).toMatchObject({ ok: false, code: 'ERR_SDJWT_MALFORMED' })
  })
})
