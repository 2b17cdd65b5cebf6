/**
 * What an issuer issues: one credential configuration per `vct` (SD-JWT VC,
 * draft-ietf-oauth-sd-jwt-vc §3.2.2.1.1), with the claim schema that says which subject
 * claims a credential of that type holds, of what type, which are selectively disclosable,
 * and which are predicates the issuer derives at issuance (`age_over_18` from `birth_date`).
 *
 * The schema is also what the OpenID4VCI metadata publishes (`credential_metadata.display`
 * and `claims`, OpenID4VCI 1.0 §Credential Issuer Metadata Parameters and §Claims Description
 * for Issuer Metadata) and what the console's offer form is built from.
 *
 * `prepareClaims` is the one door from an officer's input to signed claims: exact member set,
 * typed values, bounded lengths, no SD-JWT VC registered names, predicates computed here and
 * never accepted from input. Dates are calendar dates `YYYY-MM-DD` compared in UTC; since
 * China is UTC+8 the UTC date is never ahead of the local one, so a predicate never turns
 * true early (it may turn true up to eight hours late).
 *
 * Validity never derives from a claim (design §8 rule 9). A credential is valid for its
 * type's fixed `validityDays` (default 90) from the start of the issuance day: `iat` = `nbf`
 * = 00:00 UTC of that day, `exp` = iat + validityDays days, the same for every copy of a
 * batch and for every holder issued that day. Were `exp` cut to the day a predicate changes
 * (a 17-year-old's credential ending on the 18th birthday), a verifier allowed to see only
 * `age_over_18` would read the birth date off `exp`, and all copies would share it.
 *
 * A predicate must then hold for the credential's whole life, not just at issuance. An age
 * predicate only ever turns from false to true, so:
 * - true on the issuance day: embedded as true (it stays true);
 * - false until at least `exp`: embedded as false (it stays false while the credential is valid);
 * - false now but true before `exp`: left out. Embedding false would make the credential say
 *   something untrue within its life; embedding true would say it early; cutting `exp` leaks
 *   the date. Refusing the whole credential would keep a citizen without an ID for up to a
 *   validity period. Leaving the one predicate out costs the holder nothing they could prove
 *   anyway (they are not yet 18), and they get it with their next credential. The omission is
 *   not visible: predicates are always selectively disclosable (a schema with `sd: false` on
 *   a predicate is refused), and a left-out predicate's digest is replaced by a decoy, so the
 *   credential has the same number of digests as any other of its type; a verifier asking
 *   for it sees what it sees from a holder who declines. This is the strict choice: no date
 *   and no digest count in the signed credential depends on a claim, and what a verifier can
 *   learn of a predicate is its value, true for the credential's whole life, or nothing.
 */
import { isJsonObject, type JsonObject } from '../core/bytes/json.ts'
import { InputError } from '../core/errors.ts'
import { SD_JWT_VC_PLAIN_CLAIMS } from '../core/sdjwt/verify.ts'
import type { DisclosureFrame } from '../core/sdjwt/frame.ts'
// Control characters and bidirectional overrides have no place in a civil record (one definition with the console).
import { MAX_CLAIM_LENGTH, UNSAFE_TEXT } from './admin-wire.ts'
import type { ClaimType, Localized, ClaimSchema, AgePredicate, CredentialSchema } from './admin-wire.ts'
export type { ClaimType, Localized, ClaimSchema, AgePredicate, CredentialSchema } from './admin-wire.ts'






/** Validity of a credential type whose schema does not say (issue 7: a fixed period per type). */
export const DEFAULT_VALIDITY_DAYS = 90

export const RESIDENT_ID_VCT = 'urn:civic:resident-id'
export const SOCIAL_INSURANCE_VCT = 'urn:civic:social-insurance'

/** The built-in catalogue (`civic issuer init --vct …` picks from it). */
export const BUILTIN_SCHEMAS: readonly CredentialSchema[] = [
  {
    id: 'resident-id',
    vct: RESIDENT_ID_VCT,
    display: { 'zh-CN': '居民身份凭证', en: 'Resident ID' },
    validityDays: DEFAULT_VALIDITY_DAYS,
    claims: [
      { name: 'name', type: 'string', required: true, sd: true, display: { 'zh-CN': '姓名', en: 'Name' } },
      { name: 'birth_date', type: 'date', required: true, sd: true, display: { 'zh-CN': '出生日期', en: 'Date of birth' } },
      { name: 'city', type: 'string', required: true, sd: true, display: { 'zh-CN': '城市', en: 'City' } },
      { name: 'district', type: 'string', required: false, sd: true, display: { 'zh-CN': '区县', en: 'District' } },
    ],
    predicates: [
      { name: 'age_over_18', from: 'birth_date', years: 18, sd: true, display: { 'zh-CN': '年满18周岁', en: 'Aged 18 or over' } },
      { name: 'age_over_60', from: 'birth_date', years: 60, sd: true, display: { 'zh-CN': '年满60周岁', en: 'Aged 60 or over' } },
    ],
  },
  {
    id: 'social-insurance',
    vct: SOCIAL_INSURANCE_VCT,
    display: { 'zh-CN': '社会保险凭证', en: 'Social insurance' },
    validityDays: DEFAULT_VALIDITY_DAYS,
    claims: [
      { name: 'name', type: 'string', required: true, sd: true, display: { 'zh-CN': '姓名', en: 'Name' } },
      { name: 'insured_since', type: 'date', required: true, sd: true, display: { 'zh-CN': '参保日期', en: 'Insured since' } },
      { name: 'contribution_city', type: 'string', required: true, sd: true, display: { 'zh-CN': '参保城市', en: 'Contribution city' } },
    ],
    predicates: [],
  },
]

export { MAX_CLAIM_LENGTH } from './admin-wire.ts'
const NAME = /^[a-z][a-z0-9_]{0,63}$/
const CONFIG_ID = /^[A-Za-z0-9._-]{1,64}$/
/** vct values: printable ASCII without spaces, as the registry's accreditation allows. */
const VCT = /^[\x21-\x7e]{1,256}$/
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/
const RESERVED = new Set([...SD_JWT_VC_PLAIN_CLAIMS, '_sd', '_sd_alg', '...', 'sub', 'jti', 'aud'])

export function builtinSchema(vct: string): CredentialSchema | undefined {
  return BUILTIN_SCHEMAS.find((s) => s.vct === vct)
}

function bad(detail: string): never {
  throw new InputError('ERR_ISSUER_CONFIG', `credential schema: ${detail}`)
}

function localized(v: unknown, path: string): Localized {
  if (!isJsonObject(v) || Object.keys(v).length !== 2 || typeof v['zh-CN'] !== 'string' || typeof v.en !== 'string') bad(`${path} must be { "zh-CN", "en" }`)
  for (const t of [v['zh-CN'], v.en] as string[]) if (t.length === 0 || t.length > 200 || UNSAFE_TEXT.test(t)) bad(`${path} has an empty, long or unsafe text`)
  return { 'zh-CN': v['zh-CN'] as string, en: v.en as string }
}

function exact(v: unknown, path: string, members: string[], optional: string[] = []): JsonObject {
  if (!isJsonObject(v)) bad(`${path} is not an object`)
  for (const k of Object.keys(v)) if (!members.includes(k) && !optional.includes(k)) bad(`${path}.${k} is not a schema member`)
  for (const k of members) if (!Object.hasOwn(v, k)) bad(`${path}.${k} is missing`)
  return v
}

/** Strictly read one schema (issuer.json, `--schema` files). Throws InputError ERR_ISSUER_CONFIG. */
export function parseCredentialSchema(v: unknown, path = 'schema'): CredentialSchema {
  const o = exact(v, path, ['id', 'vct', 'display', 'claims', 'predicates'], ['validityDays'])
  if (typeof o.id !== 'string' || !CONFIG_ID.test(o.id)) bad(`${path}.id must match ${CONFIG_ID}`)
  if (typeof o.vct !== 'string' || !VCT.test(o.vct)) bad(`${path}.vct must be printable ASCII without spaces`)
  const validityDays = o.validityDays ?? DEFAULT_VALIDITY_DAYS
  if (typeof validityDays !== 'number' || !Number.isInteger(validityDays) || validityDays < 1 || validityDays > 3660) bad(`${path}.validityDays must be 1..3660`)
  if (!Array.isArray(o.claims) || o.claims.length === 0 || o.claims.length > 64) bad(`${path}.claims must hold 1..64 claims`)
  if (!Array.isArray(o.predicates) || o.predicates.length > 16) bad(`${path}.predicates must hold 0..16 predicates`)
  const names = new Set<string>()
  const claimName = (n: unknown, p: string): string => {
    if (typeof n !== 'string' || !NAME.test(n) || RESERVED.has(n)) bad(`${p} must be a lower-case claim name that SD-JWT VC does not reserve`)
    if (names.has(n)) bad(`${p}: ${n} appears twice`)
    names.add(n)
    return n
  }
  const claims = o.claims.map((c, i): ClaimSchema => {
    const p = `${path}.claims[${i}]`
    const x = exact(c, p, ['name', 'type', 'required', 'sd', 'display'])
    if (x.type !== 'string' && x.type !== 'date') bad(`${p}.type must be string or date`)
    if (typeof x.required !== 'boolean' || typeof x.sd !== 'boolean') bad(`${p}.required and .sd are booleans`)
    return { name: claimName(x.name, `${p}.name`), type: x.type, required: x.required, sd: x.sd, display: localized(x.display, `${p}.display`) }
  })
  const predicates = o.predicates.map((c, i): AgePredicate => {
    const p = `${path}.predicates[${i}]`
    const x = exact(c, p, ['name', 'from', 'years', 'sd', 'display'])
    const from = claims.find((cl) => cl.name === x.from)
    if (!from || from.type !== 'date' || !from.required) bad(`${p}.from must name a required date claim`)
    if (typeof x.years !== 'number' || !Number.isInteger(x.years) || x.years < 1 || x.years > 150) bad(`${p}.years must be 1..150`)
    // A predicate may be left out of a credential (module comment): only among decoys is that unseen.
    if (x.sd !== true) bad(`${p}.sd must be true: a predicate is always selectively disclosable`)
    return { name: claimName(x.name, `${p}.name`), from: from.name, years: x.years, sd: x.sd, display: localized(x.display, `${p}.display`) }
  })
  return { id: o.id, vct: o.vct, display: localized(o.display, `${path}.display`), validityDays, claims, predicates }
}

// ── calendar dates (UTC) ─────────────────────────────────────────────────────────────────

const DAY = 86_400

/** Seconds at 00:00 UTC of a calendar date; Feb 29 of a non-leap year becomes Mar 1. */
function dateSeconds(y: number, m: number, d: number): number {
  const t = Date.UTC(y, m - 1, d)
  return Math.floor(t / 1000)
}

function parseDate(v: string): { y: number; m: number; d: number } | null {
  const m = DATE.exec(v)
  if (!m) return null
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3])
  if (y < 1850 || mo < 1 || mo > 12 || d < 1) return null
  const t = new Date(Date.UTC(y, mo - 1, d))
  if (t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null
  return { y, m: mo, d }
}

/** The start (00:00 UTC) of the day holding `t`. */
export function startOfDay(t: number): number {
  return t - (((t % DAY) + DAY) % DAY)
}

/** The day someone born on `birth` turns `years` (Feb 29 birthdays: Mar 1 in common years). */
function anniversary(birth: { y: number; m: number; d: number }, years: number): number {
  return dateSeconds(birth.y + years, birth.m, birth.d)
}

/** The validity window of a credential of `schema` issued at `now`: a function of the day only. */
export function validityWindow(schema: Pick<CredentialSchema, 'validityDays'>, now: number): { iat: number; nbf: number; exp: number } {
  const iat = startOfDay(now)
  return { iat, nbf: iat, exp: iat + schema.validityDays * DAY }
}

// ── claims ───────────────────────────────────────────────────────────────────────────────

export interface PreparedClaims {
  /** The subject claims as they go into the credential, predicates included. */
  claims: JsonObject
  /** The disclosure frame: every `sd` claim, decoys padding to the schema's full count. */
  frame: DisclosureFrame
  /** 00:00 UTC of the issuance day: issuance times are rounded (OpenID4VCI 1.0 §Privacy: Correlation). */
  iat: number
  /** = iat. */
  nbf: number
  /** iat + the type's validityDays: never derived from a claim. */
  exp: number
}

function invalid(detail: string): never {
  throw new InputError('ERR_ISSUER_CLAIMS_INVALID', detail)
}

/**
 * Check an officer's claims against the schema (throws InputError ERR_ISSUER_CLAIMS_INVALID)
 * and turn them into what is signed: typed values, predicates computed at `now`, the frame,
 * and the validity window.
 */
export function validateClaims(schema: CredentialSchema, input: unknown, now: number): JsonObject {
  if (!isJsonObject(input)) invalid('claims must be a JSON object')
  const out: JsonObject = {}
  for (const k of Object.keys(input)) {
    if (!schema.claims.some((c) => c.name === k)) {
      if (schema.predicates.some((p) => p.name === k)) invalid(`${k} is computed by the issuer, not given`)
      invalid(`${JSON.stringify(k).slice(0, 40)} is not a claim of ${schema.vct}`)
    }
  }
  for (const c of schema.claims) {
    const v = input[c.name]
    if (v === undefined || v === null || v === '') {
      if (c.required) invalid(`${c.name} is required`)
      continue
    }
    if (typeof v !== 'string') invalid(`${c.name} must be a string`)
    if (c.type === 'date') {
      const d = parseDate(v)
      if (!d) invalid(`${c.name} must be a calendar date YYYY-MM-DD`)
      if (dateSeconds(d.y, d.m, d.d) > now) invalid(`${c.name} is in the future`)
    } else {
      if (v.length > MAX_CLAIM_LENGTH) invalid(`${c.name} is longer than ${MAX_CLAIM_LENGTH} characters`)
      if (v.trim() !== v) invalid(`${c.name} has leading or trailing white space`)
      if (UNSAFE_TEXT.test(v)) invalid(`${c.name} holds a control or bidirectional formatting character`)
    }
    out[c.name] = v
  }
  return out
}

/**
 * The signed form of validated claims issued at `now`. The window comes from the day and the
 * type alone; a predicate whose value would change before `exp` is left out (module comment).
 */
export function prepareClaims(schema: CredentialSchema, validated: JsonObject, now: number): PreparedClaims {
  const { iat, nbf, exp } = validityWindow(schema, now)
  const claims: JsonObject = { ...validated }
  for (const p of schema.predicates) {
    const birth = parseDate(String(validated[p.from]))
    if (!birth) invalid(`${p.from} is needed for ${p.name}`)
    const turns = anniversary(birth, p.years)
    if (turns <= iat) claims[p.name] = true
    else if (turns >= exp) claims[p.name] = false
    // else: it would turn true while the credential is valid; left out, a decoy in its place
  }
  const present = (name: string) => Object.hasOwn(claims, name)
  const sd = [...schema.claims.filter((c) => c.sd && present(c.name)).map((c) => c.name), ...schema.predicates.filter((p) => p.sd && present(p.name)).map((p) => p.name)]
  const full = schema.claims.filter((c) => c.sd).length + schema.predicates.filter((p) => p.sd).length
  const frame: DisclosureFrame = { _sd: sd }
  if (full > sd.length) frame._sd_decoy = full - sd.length
  return { claims, frame, iat, nbf, exp }
}
