// Validity never derives from a claim (src/issuer/schema.ts, service.ts; design §8 rule 9):
// credentials issued by the real service on one day carry the same iat, nbf and exp whatever
// the holder's birth date — including birth dates a day either side of the 18 and 60
// thresholds, where exp used to be the birthday — and every copy of a batch carries the same
// dates. A predicate that would change before exp is absent, with as many digests as any other.
import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeBase64url } from '../../src/core/bytes/base64url.ts'
import { generatePrivateJwk, publicJwkOf, type PublicJwk } from '../../src/core/crypto/jwk.ts'
import { initIssuer, IssuerService } from '../../src/issuer/service.ts'
import { PSB, PSB_NAME, STATUS_BASE, unreachableTrust } from './_world.ts'

const DAY = 86_400
const at = (iso: string) => Date.parse(iso) / 1000
/** 14:37:12 UTC on an ordinary day: issuance times inside the day must not show. */
const NOW = at('2026-03-10T14:37:12Z')
const ISSUANCE_DAY = at('2026-03-10T00:00:00Z')

const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const trust = unreachableTrust()

async function openIssuer(clock: { now: number }): Promise<IssuerService> {
  const d = mkdtempSync(join(tmpdir(), 'civic-issuer-validity-'))
  dirs.push(d)
  await initIssuer(d, { did: PSB, name: PSB_NAME, statusListBase: STATUS_BASE, ledger: trust, vct: ['urn:civic:resident-id'], now: clock.now })
  return IssuerService.open(d, { now: () => clock.now })
}

const holderKeys = (n: number): PublicJwk[] => Array.from({ length: n }, () => publicJwkOf(generatePrivateJwk('ES256')))

function payloadOf(sdJwt: string): Record<string, any> {
  const jwt = sdJwt.slice(0, sdJwt.indexOf('~'))
  return JSON.parse(new TextDecoder().decode(decodeBase64url(jwt.split('.')[1]!)))
}

/** The claims a credential's disclosures carry ([salt, name, value] each), by name. */
function disclosed(sdJwt: string): Record<string, unknown> {
  const all = sdJwt.split('~').slice(1).filter((d) => d !== '').map((d) => JSON.parse(new TextDecoder().decode(decodeBase64url(d))) as [string, string, unknown])
  return Object.fromEntries(all.map(([, name, value]) => [name, value]))
}

async function issueFor(svc: IssuerService, birthDate: string, copies: number): Promise<string[]> {
  const offer = await svc.createOffer({ configurationId: 'resident-id', claims: { name: '李伟', birth_date: birthDate, city: '成都' }, txCode: false })
  const { accessToken } = await svc.redeem({ code: offer.preAuthorizedCode, txCode: undefined, jkt: null })
  return svc.issue({ accessToken, configurationId: 'resident-id', holderKeys: holderKeys(copies) })
}

describe('credential validity', () => {
  it('iat, nbf and exp are the same for every birth date issued on one day, a day from a threshold included', async () => {
    const clock = { now: NOW }
    const svc = await openIssuer(clock)
    try {
      const birthDates = [
        '1990-05-01', '2015-07-20', '1940-01-01', '2026-03-10',
        // 18 today, tomorrow, yesterday; 18 a day before and on the day the window ends
        '2008-03-10', '2008-03-11', '2008-03-09', '2008-06-07', '2008-06-08', '2008-06-09',
        // 60 today, tomorrow, within the window, a day after it
        '1966-03-10', '1966-03-11', '1966-05-01', '1966-06-09',
        // 29 February
        '2008-02-29', '1964-02-29',
      ]
      const windows = new Set<string>()
      const counts = new Set<number>()
      const seen: Record<string, Record<string, unknown>> = {}
      for (const b of birthDates) {
        const [c] = await issueFor(svc, b, 1)
        const p = payloadOf(c!)
        windows.add(JSON.stringify([p.iat, p.nbf, p.exp]))
        counts.add(p._sd.length)
        // a predicate is disclosable as true or false, or not there at all
        const d = disclosed(c!)
        seen[b] = { age_over_18: d.age_over_18, age_over_60: d.age_over_60 }
      }
      expect([...windows]).toEqual([JSON.stringify([ISSUANCE_DAY, ISSUANCE_DAY, ISSUANCE_DAY + 90 * DAY])])
      // the digest count does not tell a left-out predicate either
      expect(counts.size).toBe(1)
      // predicates that would change before exp (2026-06-08) are not in the credential
      expect(seen['2008-03-11']!.age_over_18).toBeUndefined()
      expect(seen['2008-06-07']!.age_over_18).toBeUndefined()
      // true from the issuance day on, or false until exp: either way true for the credential's life
      expect(seen['2008-03-10']!.age_over_18).toBe(true)
      expect(seen['2008-03-09']!.age_over_18).toBe(true)
      expect(seen['1990-05-01']).toEqual({ age_over_18: true, age_over_60: false })
      expect(seen['2008-06-08']!.age_over_18).toBe(false)
      expect(seen['2015-07-20']).toEqual({ age_over_18: false, age_over_60: false })
      expect(seen['1966-03-10']!.age_over_60).toBe(true)
      expect(seen['1966-03-11']!.age_over_60).toBeUndefined()
      expect(seen['1966-06-09']!.age_over_60).toBe(false)
      expect(seen['1940-01-01']).toEqual({ age_over_18: true, age_over_60: true })

      // later in the same day: the same window; the next day: one day later, nothing else moves
      clock.now = ISSUANCE_DAY + DAY - 1
      expect(payloadOf((await issueFor(svc, '2008-03-12', 1))[0]!)).toMatchObject({ iat: ISSUANCE_DAY, nbf: ISSUANCE_DAY, exp: ISSUANCE_DAY + 90 * DAY })
      clock.now = ISSUANCE_DAY + DAY
      expect(payloadOf((await issueFor(svc, '2008-03-12', 1))[0]!)).toMatchObject({ iat: ISSUANCE_DAY + DAY, exp: ISSUANCE_DAY + 91 * DAY })
    } finally {
      await svc.close()
    }
  })

  it('every copy of a batch of 10 carries the same iat, nbf and exp', async () => {
    const clock = { now: NOW }
    const svc = await openIssuer(clock)
    try {
      // 18 in three weeks: the birth date that used to set exp
      const copies = await issueFor(svc, '2008-03-31', 10)
      expect(copies).toHaveLength(10)
      const payloads = copies.map(payloadOf)
      expect(new Set(payloads.map((p) => `${p.iat}/${p.nbf}/${p.exp}`))).toEqual(new Set([`${ISSUANCE_DAY}/${ISSUANCE_DAY}/${ISSUANCE_DAY + 90 * DAY}`]))
      expect(payloads.every((p) => p.exp !== at('2026-03-31T00:00:00Z'))).toBe(true)
      // each copy is its own (index, holder key), the dates are not
      expect(new Set(payloads.map((p) => p.status.status_list.idx)).size).toBe(10)
    } finally {
      await svc.close()
    }
  })
})
