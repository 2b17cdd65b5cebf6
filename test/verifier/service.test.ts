// A verifier's counter enrolment (src/verifier/service.ts) on a real data directory: a fresh
// code enrols a counter key into an attestation that a wallet's request check accepts (signed
// by the registered key, binding that device key, granting the code's purposes and no other,
// within a week); a code serves once — a second use is refused, after a restart of the service
// too, and two enrolments racing for one code leave one winner; an expired or unknown code is
// refused; a purpose the verifier never registered is refused when the code is made; a key that
// is not a P-256 public JWK is refused and leaves the code usable; neither the code nor the
// signing key appears in any file but where it belongs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { createHash } from 'node:crypto'
import { ATTESTATION_MAX_SECONDS } from '../../src/core/exchange/request.ts'
import { parseCompactJws } from '../../src/core/jose/jws.ts'
import { decodeBase64url } from '../../src/core/bytes/base64url.ts'
import { jwkThumbprint } from '../../src/core/crypto/jwk.ts'
import { CODE_SECONDS, verifierDir, type VerifierService } from '../../src/verifier/service.ts'
import { testKey } from '../support/keys.ts'
import { COUNTER_NAME, counterDevice, DAY, HALL, makeVerifierWorld, NOW, type VerifierWorld } from './_world.ts'

let w: VerifierWorld
let svc: VerifierService
beforeEach(async () => {
  w = await makeVerifierWorld()
  svc = await w.open()
})
afterEach(() => w.cleanup())

const ALL = HALL.purposes.map((p) => p.id)
const code = async (purposes: string[] = ALL, now = NOW) => (await svc.createEnrolmentCode({ name: COUNTER_NAME, purposes, now })).code
const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code ?? String(e))

/** Every regular file under `dir`, as paths relative to it. */
function files(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? files(p, base) : [relative(base, p)]
  })
}

describe('enrolment', () => {
  it('a fresh code enrols the counter key: the attestation passes the request check a wallet makes, for the code\'s purposes', async () => {
    const device = counterDevice()
    const c = await svc.createEnrolmentCode({ name: COUNTER_NAME, purposes: ['residence-certificate', 'senior-card'], now: NOW })
    expect(c.code).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(decodeBase64url(c.code)).toHaveLength(16)
    expect(c.expiresAt).toBe(NOW + CODE_SECONDS)
    const a = await svc.enrol({ code: c.code, counterKey: device.key.signer.publicJwk, now: NOW + 60 })
    expect(a).toMatchObject({ verifier: HALL.did, counter: { name: COUNTER_NAME }, purposes: ['residence-certificate', 'senior-card'], exp: NOW + 60 + ATTESTATION_MAX_SECONDS })
    expect(a.counter.id).toMatch(/^counter-[0-9a-f]{10}$/)
    const jws = parseCompactJws(a.attestation)
    expect(jws.header).toMatchObject({ typ: 'verifier-attestation+jwt', kid: `${HALL.did}#counter-1` })
    expect(jws.payload).toMatchObject({ iss: HALL.did, sub: HALL.did, iat: NOW + 60, cnf: { jwk: device.key.signer.publicJwk } })

    // a request under it verifies offline against the registry, as the wallet checks it
    const v = await device.request(a.attestation, 'residence-certificate', w.state, NOW + 120)
    expect(v.ok, v.ok ? '' : `${v.code}: ${v.detail}`).toBe(true)
    if (!v.ok) return
    expect(v.value.verifier.did).toBe(HALL.did)
    expect(v.value.counter).toEqual(a.counter)
    expect(v.value.counterKey).toEqual(device.key.signer.publicJwk)
    // …and still six days on; not for a purpose the code did not grant, nor signed by another device, nor after a week
    expect((await device.request(a.attestation, 'senior-card', w.state, NOW + 6 * DAY)).ok).toBe(true)
    expect(await device.request(a.attestation, 'insurance-transfer', w.state, NOW + 120)).toMatchObject({ ok: false, code: 'ERR_EXCH_COUNTER_UNENROLLED' })
    const other = counterDevice()
    expect(await other.request(a.attestation, 'senior-card', w.state, NOW + 120)).toMatchObject({ ok: false, code: 'ERR_EXCH_COUNTER_UNENROLLED' })
    expect(await device.request(a.attestation, 'senior-card', w.state, NOW + 8 * DAY)).toMatchObject({ ok: false, code: 'ERR_EXCH_ATTESTATION_INVALID' })

    // the counter is recorded, by its key's thumbprint, never its key
    expect(await svc.counters()).toEqual([{ counter: a.counter, purposes: a.purposes, keyThumbprint: jwkThumbprint(device.key.signer.publicJwk), attestationId: jws.payload.jti, enrolledAt: NOW + 60, exp: a.exp }])
  })

  it('an attestation signed by another key than the registered one is refused by the same check (the test is not vacuous)', async () => {
    const other = await makeVerifierWorld()
    try {
      const stranger = await other.open()
      const device = counterDevice()
      const a = await stranger.enrol({ code: (await stranger.createEnrolmentCode({ name: COUNTER_NAME, purposes: ALL, now: NOW })).code, counterKey: device.key.signer.publicJwk, now: NOW })
      expect(await device.request(a.attestation, 'senior-card', w.state, NOW + 60)).toMatchObject({ ok: false, code: 'ERR_EXCH_ATTESTATION_INVALID' })
    } finally {
      other.cleanup()
    }
  })

  it('a shorter attestation life when configured', async () => {
    const short = await w.open({ attestationSeconds: DAY })
    const a = await short.enrol({ code: await code(), counterKey: counterDevice().key.signer.publicJwk, now: NOW })
    expect(a.exp).toBe(NOW + DAY)
    await expect(w.open({ attestationSeconds: ATTESTATION_MAX_SECONDS + 1 })).rejects.toThrow(RangeError)
  })

  it('a code serves once: refused the second time, after a restart too; a code made before a restart still serves after it', async () => {
    const device = counterDevice()
    const first = await code()
    const kept = await code()
    await svc.enrol({ code: first, counterKey: device.key.signer.publicJwk, now: NOW })
    await expect(svc.enrol({ code: first, counterKey: device.key.signer.publicJwk, now: NOW + 1 })).rejects.toMatchObject({ code: 'ERR_VERIFIER_ENROLMENT', detail: expect.stringMatching(/used already/) })
    const again = await w.open()
    await expect(again.enrol({ code: first, counterKey: counterDevice().key.signer.publicJwk, now: NOW + 2 })).rejects.toMatchObject({ code: 'ERR_VERIFIER_ENROLMENT' })
    const b = await again.enrol({ code: kept, counterKey: device.key.signer.publicJwk, now: NOW + 3 })
    expect(b.counter.name).toEqual(COUNTER_NAME)
    expect((await again.counters()).length).toBe(2)
  })

  it('two enrolments racing for one code, in two services on one directory: exactly one wins', async () => {
    const c = await code()
    const twin = await w.open()
    const results = await Promise.all([svc, twin, svc, twin].map((s) => codeOf(s.enrol({ code: c, counterKey: counterDevice().key.signer.publicJwk, now: NOW }))))
    expect(results.filter((r) => r === 'ok')).toHaveLength(1)
    expect(results.filter((r) => r === 'ERR_VERIFIER_ENROLMENT')).toHaveLength(3)
    expect(await svc.counters()).toHaveLength(1)
  })

  it('an expired code is refused, and swept', async () => {
    const c = await svc.createEnrolmentCode({ name: COUNTER_NAME, purposes: ALL, now: NOW, ttlSeconds: 600 })
    await expect(svc.enrol({ code: c.code, counterKey: counterDevice().key.signer.publicJwk, now: NOW + 600 })).rejects.toMatchObject({ code: 'ERR_VERIFIER_ENROLMENT', detail: expect.stringMatching(/expired/) })
    expect(await svc.pendingCodes()).toBe(1)
    expect(await svc.sweep(NOW + 599)).toBe(0)
    expect(await svc.sweep(NOW + 600)).toBe(1)
    expect(await svc.pendingCodes()).toBe(0)
    await expect(svc.enrol({ code: c.code, counterKey: counterDevice().key.signer.publicJwk, now: NOW })).rejects.toMatchObject({ code: 'ERR_VERIFIER_ENROLMENT' })
    // the default life is a day
    const d = await code()
    await expect(svc.enrol({ code: d, counterKey: counterDevice().key.signer.publicJwk, now: NOW + CODE_SECONDS })).rejects.toMatchObject({ code: 'ERR_VERIFIER_ENROLMENT' })
  })

  it.each([
    ['not a string', 42],
    ['too short', 'abc'],
    ['not base64url', 'AAAAAAAAAAAAAAAAAAAA+/'],
    ['well-formed, never made', 'AAAAAAAAAAAAAAAAAAAAAA'],
  ])('an unknown code is refused: %s', async (_n, c) => {
    await expect(svc.enrol({ code: c, counterKey: counterDevice().key.signer.publicJwk, now: NOW })).rejects.toMatchObject({ code: 'ERR_VERIFIER_ENROLMENT' })
  })

  it.each([
    ['an Ed25519 key', () => testKey('EdDSA').signer.publicJwk, 'ERR_JWK_INVALID'],
    ['a private key (d)', () => testKey('ES256').jwk, 'ERR_JWK_INVALID'],
    ['a point off the curve', () => ({ kty: 'EC', crv: 'P-256', x: 'A'.repeat(43), y: 'A'.repeat(43) }), 'ERR_JWK_INVALID'],
    ['another curve', () => ({ kty: 'EC', crv: 'P-384', x: 'A'.repeat(64), y: 'A'.repeat(64) }), 'ERR_JWK_INVALID'],
    ['not an object', () => 'eyJrdHkiOiJFQyJ9', 'ERR_JWK_INVALID'],
    ['missing', () => undefined, 'ERR_JWK_INVALID'],
  ])('a bad counter key is refused and uses nothing up: %s', async (_n, jwk, want) => {
    const c = await code()
    await expect(svc.enrol({ code: c, counterKey: jwk(), now: NOW })).rejects.toMatchObject({ code: want })
    expect(await svc.counters()).toEqual([])
    expect((await svc.enrol({ code: c, counterKey: counterDevice().key.signer.publicJwk, now: NOW })).counter.name).toEqual(COUNTER_NAME)
  })
})

describe('making codes', () => {
  it('refuses a purpose the verifier did not register, and malformed names or purposes, writing nothing', async () => {
    const cases: [unknown, unknown, string][] = [
      [COUNTER_NAME, ['age-check'], 'ERR_EXCH_PURPOSE_UNKNOWN'], // the pharmacy's purpose, not the hall's
      [COUNTER_NAME, ['senior-card', 'no-such-purpose'], 'ERR_EXCH_PURPOSE_UNKNOWN'],
      [COUNTER_NAME, [], 'ERR_VERIFIER_BAD_REQUEST'],
      [COUNTER_NAME, ['senior-card', 'senior-card'], 'ERR_VERIFIER_BAD_REQUEST'],
      [COUNTER_NAME, 'senior-card', 'ERR_VERIFIER_BAD_REQUEST'],
      [COUNTER_NAME, [7], 'ERR_VERIFIER_BAD_REQUEST'],
      [{ en: 'Counter 1' }, ALL, 'ERR_VERIFIER_BAD_REQUEST'],
      [{ ...COUNTER_NAME, fr: 'Guichet 1' }, ALL, 'ERR_VERIFIER_BAD_REQUEST'],
      [{ ...COUNTER_NAME, en: '' }, ALL, 'ERR_VERIFIER_BAD_REQUEST'],
      [{ ...COUNTER_NAME, en: 'x'.repeat(121) }, ALL, 'ERR_VERIFIER_BAD_REQUEST'],
      [{ ...COUNTER_NAME, en: 'Counter\n1' }, ALL, 'ERR_VERIFIER_BAD_REQUEST'],
      ['Counter 1', ALL, 'ERR_VERIFIER_BAD_REQUEST'],
    ]
    for (const [name, purposes, want] of cases) {
      expect(await codeOf(svc.createEnrolmentCode({ name, purposes, now: NOW })), JSON.stringify([name, purposes])).toBe(want)
    }
    expect(await svc.pendingCodes()).toBe(0)
    // a name of 120 characters in each language is the most an attestation carries
    const long = { 'zh-CN': '窗'.repeat(120), en: 'x'.repeat(120) }
    const c = await svc.createEnrolmentCode({ name: long, purposes: ['senior-card'], now: NOW })
    const a = await svc.enrol({ code: c.code, counterKey: counterDevice().key.signer.publicJwk, now: NOW })
    expect(a.counter.name).toEqual(long)
  })

  it('keeps no code and no copy of the signing key on disk: the code only as its SHA-256', async () => {
    const made = [await code(), await code()]
    await svc.enrol({ code: made[0]!, counterKey: counterDevice().key.signer.publicJwk, now: NOW })
    const all = files(w.dataDir)
    const dir = relative(w.dataDir, verifierDir(w.dataDir, HALL.id))
    for (const c of made) {
      const raw = Buffer.from(decodeBase64url(c))
      const hash = createHash('sha256').update(c).digest('hex')
      for (const f of all) {
        const bytes = readFileSync(join(w.dataDir, f))
        expect(bytes.includes(c), f).toBe(false)
        expect(bytes.includes(raw), f).toBe(false)
        expect(bytes.toString('latin1').includes(raw.toString('hex')), f).toBe(false)
        expect(bytes.toString('latin1').includes(raw.toString('base64')), f).toBe(false)
      }
      expect(all.some((f) => f.includes(hash))).toBe(true)
    }
    const hex = (c: string) => createHash('sha256').update(c).digest('hex')
    expect(all.sort()).toEqual([`${dir}/codes/${hex(made[1]!)}.json`, `${dir}/used/${hex(made[0]!)}.json`, 'verifier-service-hall.jwk'].sort())
    // the signing key is in its one file, and in no other
    const d = w.key.jwk.d
    expect(all.filter((f) => readFileSync(join(w.dataDir, f), 'latin1').includes(d))).toEqual(['verifier-service-hall.jwk'])
    // files holding what codes grant are the service's own: mode 0600 in a 0700 directory
    for (const f of all.filter((x) => x.startsWith(dir))) expect(statSync(join(w.dataDir, f)).mode & 0o077, f).toBe(0)
    expect(statSync(join(w.dataDir, dir)).mode & 0o077).toBe(0)
  })

  it('refuses to open without a usable P-256 signing key, naming the file and not its contents', async () => {
    const { writeFileSync } = await import('node:fs')
    const file = join(w.dataDir, 'verifier-service-hall.jwk')
    writeFileSync(file, JSON.stringify(testKey('EdDSA').jwk))
    await expect(w.open()).rejects.toMatchObject({ code: 'ERR_JWK_INVALID', detail: expect.stringContaining('not a P-256 key') })
    const broken = { ...w.key.jwk, d: w.key.jwk.d.replace(/^./, (ch) => (ch === 'A' ? 'B' : 'A')) }
    writeFileSync(file, JSON.stringify(broken))
    const e = await w.open().catch((x: unknown) => x as { code: string; detail: string })
    expect(e).toMatchObject({ code: 'ERR_JWK_INVALID' })
    expect((e as { detail: string }).detail).not.toContain(broken.d)
  })
})
