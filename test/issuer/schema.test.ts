// Claim schemas (src/issuer/schema.ts): what an officer may put in an offer, the predicates
// computed at issuance and embedded only while they hold for the credential's life, a fixed
// validity per type from the rounded issuance day, decoys for absent optional claims and
// left-out predicates, and strict schema files. (test/issuer/validity.test.ts: exp never
// derives from a claim, through the service.)
import { describe, expect, it } from 'vitest'
import { BUILTIN_SCHEMAS, DEFAULT_VALIDITY_DAYS, parseCredentialSchema, prepareClaims, startOfDay, validateClaims } from '../../src/issuer/schema.ts'

const resident = BUILTIN_SCHEMAS.find((s) => s.id === 'resident-id')!
const at = (iso: string) => Date.parse(iso) / 1000
const NOW = at('2026-03-10T09:30:00Z')
const DAY = 86_400

const code = (f: () => unknown) => {
  try {
    f()
  } catch (e) {
    return (e as { code?: string }).code
  }
  return 'no error'
}

describe('validateClaims', () => {
  const ok = { name: '李伟', birth_date: '1990-05-01', city: '成都', district: '武侯' }
  it('accepts the schema exactly, optional claims may be absent', () => {
    expect(validateClaims(resident, ok, NOW)).toEqual(ok)
    expect(validateClaims(resident, { ...ok, district: undefined }, NOW)).toEqual({ name: '李伟', birth_date: '1990-05-01', city: '成都' })
  })
  it.each([
    ['an unknown claim', { ...ok, passport: 'E123' }],
    ['a predicate given by the officer', { ...ok, age_over_18: true }],
    ['a missing required claim', { name: '李伟', city: '成都' }],
    ['a non-string value', { ...ok, city: 7 }],
    ['an impossible date', { ...ok, birth_date: '1990-02-30' }],
    ['a date in another form', { ...ok, birth_date: '01/05/1990' }],
    ['a birth date in the future', { ...ok, birth_date: '2030-01-01' }],
    ['a control character', { ...ok, name: '李\u0000伟' }],
    ['a bidi override', { ...ok, name: '李\u202e伟' }],
    ['surrounding white space', { ...ok, city: ' 成都' }],
    ['an over-long value', { ...ok, city: 'x'.repeat(201) }],
    ['SD-JWT VC registered names', { ...ok, status: 'x' }],
    ['not an object', ['李伟']],
  ])('refuses %s with ERR_ISSUER_CLAIMS_INVALID', (_n, claims) => {
    expect(code(() => validateClaims(resident, claims, NOW))).toBe('ERR_ISSUER_CLAIMS_INVALID')
  })
})

describe('prepareClaims', () => {
  it('computes the age predicates at issuance; iat = nbf = the day, exp = iat + the type\'s validity', () => {
    const p = prepareClaims(resident, { name: 'a', birth_date: '1990-05-01', city: 'b', district: 'c' }, NOW)
    expect(p.claims).toMatchObject({ age_over_18: true, age_over_60: false })
    expect(p.iat).toBe(at('2026-03-10T00:00:00Z'))
    expect(p.nbf).toBe(p.iat)
    expect(DEFAULT_VALIDITY_DAYS).toBe(90)
    expect(p.exp).toBe(p.iat + 90 * DAY)
    expect(p.frame._sd!.sort()).toEqual(['age_over_18', 'age_over_60', 'birth_date', 'city', 'district', 'name'])
    expect(p.frame._sd_decoy).toBeUndefined()
    expect(prepareClaims({ ...resident, validityDays: 30 }, { name: 'a', birth_date: '1990-05-01', city: 'b' }, NOW).exp).toBe(p.iat + 30 * DAY)
  })

  it('never ends a credential on a birthday: a predicate that would change before exp is left out', () => {
    // 18 on 2026-05-15, before exp (2026-06-08): age_over_18 would turn true while the credential is valid
    const minor = prepareClaims(resident, { name: 'a', birth_date: '2008-05-15', city: 'b' }, NOW)
    expect(minor.exp).toBe(at('2026-03-10T00:00:00Z') + 90 * DAY)
    expect(minor.claims).not.toHaveProperty('age_over_18')
    expect(minor.claims).toMatchObject({ age_over_60: false })
    // its digest is a decoy: as many digests as a credential with every claim (district absent too)
    expect(minor.frame._sd).not.toContain('age_over_18')
    expect(minor.frame._sd!.length + minor.frame._sd_decoy!).toBe(6)
    const senior = prepareClaims(resident, { name: 'a', birth_date: '1966-04-01', city: 'b' }, NOW)
    expect(senior.exp).toBe(minor.exp)
    expect(senior.claims).toMatchObject({ age_over_18: true })
    expect(senior.claims).not.toHaveProperty('age_over_60')
    // false is embedded when it holds until exp: 18 on exp's day exactly, or later
    const atExp = prepareClaims(resident, { name: 'a', birth_date: '2008-06-08', city: 'b' }, NOW)
    expect(at('2026-06-08T00:00:00Z')).toBe(atExp.exp)
    expect(atExp.claims.age_over_18).toBe(false)
    expect(prepareClaims(resident, { name: 'a', birth_date: '2008-06-07', city: 'b' }, NOW).claims).not.toHaveProperty('age_over_18')
    expect(prepareClaims(resident, { name: 'a', birth_date: '2015-01-01', city: 'b' }, NOW).claims.age_over_18).toBe(false)
    // on the birthday itself (UTC) the predicate is true; the day before, it is left out
    expect(prepareClaims(resident, { name: 'a', birth_date: '2008-03-10', city: 'b' }, NOW).claims.age_over_18).toBe(true)
    expect(prepareClaims(resident, { name: 'a', birth_date: '2008-03-11', city: 'b' }, NOW).claims).not.toHaveProperty('age_over_18')
  })

  it('takes 1 March for a 29 February birthday in a common year', () => {
    const p = prepareClaims(resident, { name: 'a', birth_date: '2008-02-29', city: 'b' }, at('2026-02-28T12:00:00Z'))
    expect(p.claims).not.toHaveProperty('age_over_18') // 18 on 1 March, inside the window
    expect(p.exp).toBe(at('2026-02-28T00:00:00Z') + 90 * DAY)
    expect(prepareClaims(resident, { name: 'a', birth_date: '2008-02-29', city: 'b' }, at('2026-03-01T00:00:00Z')).claims.age_over_18).toBe(true)
  })

  it('pads absent optional claims with decoy digests, so the digest count does not tell', () => {
    const p = prepareClaims(resident, { name: 'a', birth_date: '1990-05-01', city: 'b' }, NOW)
    expect(p.frame._sd).not.toContain('district')
    expect(p.frame._sd_decoy).toBe(1)
  })

  it('startOfDay', () => {
    expect(startOfDay(at('2026-03-10T23:59:59Z'))).toBe(at('2026-03-10T00:00:00Z'))
    expect(startOfDay(at('2026-03-10T00:00:00Z'))).toBe(at('2026-03-10T00:00:00Z'))
  })
})

describe('parseCredentialSchema', () => {
  it('round-trips the built-in catalogue', () => {
    for (const s of BUILTIN_SCHEMAS) expect(parseCredentialSchema(JSON.parse(JSON.stringify(s)))).toEqual(s)
  })
  it('takes a validity per type, 90 days when the schema does not say', () => {
    const { validityDays: _v, ...rest } = JSON.parse(JSON.stringify(resident))
    expect(parseCredentialSchema(rest).validityDays).toBe(90)
    expect(parseCredentialSchema({ ...rest, validityDays: 365 }).validityDays).toBe(365)
  })
  const base = () => JSON.parse(JSON.stringify(resident))
  it.each([
    ['a reserved claim name', (s: any) => (s.claims[0].name = 'cnf')],
    ['a duplicate claim', (s: any) => (s.claims[1].name = 'name')],
    ['a predicate over a string claim', (s: any) => (s.predicates[0].from = 'city')],
    ['a predicate named like a claim', (s: any) => (s.predicates[0].name = 'city')],
    ['an unknown member', (s: any) => (s.extra = 1)],
    ['a vct with spaces', (s: any) => (s.vct = 'resident id')],
    ['a display without en', (s: any) => (s.display = { 'zh-CN': '身份' })],
    ['no claims', (s: any) => (s.claims = [])],
    ['a predicate that is not selectively disclosable', (s: any) => (s.predicates[0].sd = false)],
    ['a validity of 0 days', (s: any) => (s.validityDays = 0)],
  ])('refuses %s with ERR_ISSUER_CONFIG', (_n, mutate) => {
    const s = base()
    mutate(s)
    expect(code(() => parseCredentialSchema(s))).toBe('ERR_ISSUER_CONFIG')
  })
})
