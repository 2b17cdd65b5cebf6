// `civic key generate` as a newcomer uses it: make a key, issue with it, verify with its public
// half. The private key reaches only its own file (mode 0600), never standard output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parsePrivateJwk } from '../../src/core/crypto/jwk.ts'
import { PROJECT_ROOT } from '../support/vectors.ts'

const BIN = join(PROJECT_ROOT, 'src/cli/bin.mjs')
let dir = ''
const f = (name: string) => join(dir, name)

function civic(args: string[], stdin = '') {
  const r = spawnSync(process.execPath, [BIN, ...args], { input: stdin, encoding: 'utf8', cwd: PROJECT_ROOT, timeout: 60_000 })
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'civic-key-'))
  writeFileSync(f('claims.json'), JSON.stringify({ age_over_18: true }))
  writeFileSync(f('sd.json'), JSON.stringify({ _sd: ['age_over_18'] }))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('civic key generate', () => {
  it.each(['ES256', 'EdDSA'])('makes a %s key that civic sd-jwt issue signs with and its public half verifies', (alg) => {
    const made = civic(['key', 'generate', '--alg', alg, '--out', f(`${alg}.jwk`), '--public-out', f(`${alg}.pub.jwk`)])
    expect(made.code).toBe(0)
    const line = JSON.parse(made.out)
    const priv = parsePrivateJwk(JSON.parse(readFileSync(f(`${alg}.jwk`), 'utf8')))
    expect(statSync(f(`${alg}.jwk`)).mode & 0o777).toBe(0o600)
    expect(made.out).not.toContain(priv.d)
    expect(line).toMatchObject({ ok: true, alg, jwk: JSON.parse(readFileSync(f(`${alg}.pub.jwk`), 'utf8')) })
    expect(line.did).toMatch(/^did:key:z/)

    const iss = civic(['sd-jwt', 'issue', '--issuer-key', f(`${alg}.jwk`), '--claims', f('claims.json'), '--sd', f('sd.json'), '--vct', 'urn:civic:test'])
    expect(iss.code).toBe(0)
    const ok = civic(['sd-jwt', 'verify', '--issuer-jwk', f(`${alg}.pub.jwk`), '--no-kb'], iss.out)
    expect(JSON.parse(ok.out)).toMatchObject({ ok: true, claims: { age_over_18: true, iss: line.did } })
  })

  it('never overwrites a key file, and needs --out', () => {
    writeFileSync(f('taken.jwk'), 'keep me')
    const r = civic(['key', 'generate', '--out', f('taken.jwk')])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.err.split('\n')[0]!).code).toBe('ERR_CLI_FILE')
    expect(readFileSync(f('taken.jwk'), 'utf8')).toBe('keep me')
    const none = civic(['key', 'generate'])
    expect(none.code).toBe(2)
    expect(JSON.parse(none.err.split('\n')[0]!).code).toBe('ERR_CLI_USAGE')
    expect(civic(['key', 'generate', '--out', f('x.jwk'), '--alg', 'RS256']).code).toBe(2)
  })
})
