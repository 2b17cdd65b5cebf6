/**
 * Strict readers for the registry's JSON (internal). Every object is read with its exact member
 * set (unknown members refused: a ledger entry may carry nothing the schema does not name, which
 * is how "nothing about a citizen" is enforced), every string and array is bounded, every
 * identifier matches one pattern. Failures throw InputError ERR_REG_SCHEMA naming the path,
 * except key material, which keeps the kernel's JWK codes (ERR_JWK_INVALID, ERR_KEY_WEAK,
 * ERR_KEY_ALG_MISMATCH) and base64url (ERR_B64_INVALID).
 *
 * The same readers check stored state (parseRegistryState) with another code, so a record in
 * IndexedDB means exactly what a ledger entry can say.
 */
import { decodeBase64url } from '../bytes/base64url.ts'
import type { JsonObject } from '../bytes/json.ts'
import { readMembers } from '../bytes/shape.ts'
import { InputError, type ErrorCode } from '../errors.ts'
import { canonicalJwkJson, parsePublicJwk, type PublicJwk } from '../crypto/jwk.ts'

/** The code a reader throws with: ERR_REG_SCHEMA for entries, ERR_REG_STATE_INVALID for stored state. */
export type SchemaCode = Extract<ErrorCode, 'ERR_REG_SCHEMA' | 'ERR_REG_STATE_INVALID'>

export function schemaError(code: SchemaCode, path: string, why: string): never {
  throw new InputError(code, `${path}: ${why}`)
}

/**
 * Registry times are integer seconds below 10^11: inside RFC 7519 NumericDate and inside the
 * bound the VC layer accepts as a clock (vc/jwt-checks.ts), so a verified entry's own time can
 * be handed to verifyVcJwt as `now`.
 */
export const MAX_REGISTRY_TIME = 99_999_999_999

/** did:web (W3C CCG did:web §3.1): lower-case DNS host, optional %3A port, optional path. */
const DID_WEB = /^did:web:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+(?:%3A[0-9]{1,5})?(?::[A-Za-z0-9._-]{1,64})*$/
/** A key id: the fragment of the verification method id `<did>#<kid>` (DID Core §3.2). */
const KID = /^[A-Za-z0-9._-]{1,64}$/
/** vct values and credential ids: printable ASCII without spaces (URIs in practice). */
export const TOKEN = /^[\x21-\x7e]{1,256}$/
/** https URIs without a fragment (status list URIs, RFC 3986 characters only). */
const HTTPS_URI = /^https:\/\/[A-Za-z0-9\-._~:/?[\]@!$&'()*+,;=%]{1,500}$/
/**
 * A purpose's contact: an e-mail address (mailto:, RFC 6068, one address, no query), a phone
 * number (tel:, RFC 3966 global number) or an https page — something a citizen can act on, and
 * nothing a renderer could run (no javascript:, data:, or markup).
 */
const CONTACT = /^(?:mailto:[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,63}|tel:\+[0-9][0-9-]{3,30}|https:\/\/[A-Za-z0-9\-._~:/?[\]@!$&'()*+,;=%]{1,200})$/
/** Purpose ids. */
const PURPOSE_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/
/** Claim path segment: a claim name as SD-JWT VC payloads use them; the same set requests and receipts allow (exchange/request.ts). */
const CLAIM_SEGMENT = /^[A-Za-z0-9_]{1,64}$/
/** Control characters and bidirectional overrides have no place in an official name. */
const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/

export const LIMITS = {
  nameLength: 200,
  promiseLength: 1000,
  keys: 16,
  vct: 64,
  purposes: 32,
  claimsPerPurpose: 64,
  claimPathSegments: 8,
  retentionDays: 3650,
  ttlSeconds: 366 * 86_400,
  /** Kids remembered per entity (current + dropped + revoked). */
  keyHistory: 256,
  /** Accreditation / registration ids remembered per entity. */
  credentialIds: 256,
} as const

/** What a verifier keeps of what it is shown, for one purpose. */
export interface RetentionPromise {
  /** Days the verifier keeps what it is shown; 0: it keeps nothing. */
  days: number
  promise: LocalizedText
}

/**
 * One registered purpose: what a verifier may ask for it, why, what it keeps, and whom a
 * citizen asks about it. The wallet shows all of it before consent.
 */
export interface VerifierPurpose {
  id: string
  name: LocalizedText
  /** The credential type the purpose asks for. */
  vct: string
  /** Claim paths it may ask for (`age_over_18`, `address.city`). */
  claims: string[]
  /** Why the service needs these claims, in the citizen's words. */
  why: LocalizedText
  retention: RetentionPromise
  /** mailto:, tel: or https: — whom to ask about this purpose. */
  contact: string
}

export interface LocalizedText {
  'zh-CN': string
  en: string
}

export interface RegistryKey {
  /** The fragment of the verification method id `<did>#<kid>`. */
  kid: string
  jwk: PublicJwk
}

export class Reader {
  constructor(readonly code: SchemaCode) {}

  fail(path: string, why: string): never {
    schemaError(this.code, path, why)
  }

  /** An object with exactly the `required` members and any of `optional` (the kernel's one shape reader). */
  object(v: unknown, path: string, required: readonly string[], optional: readonly string[] = []): JsonObject {
    return readMembers(v, path, required, optional, this.code)
  }

  string(v: unknown, path: string, pattern: RegExp): string {
    if (typeof v !== 'string') this.fail(path, 'not a string')
    if (!pattern.test(v)) this.fail(path, `${JSON.stringify(v.slice(0, 40))} is not of the expected form`)
    return v
  }

  text(v: unknown, path: string, max: number): string {
    if (typeof v !== 'string') this.fail(path, 'not a string')
    if (v.length === 0 || v.length > max) this.fail(path, `length must be 1..${max}`)
    if (v.trim() !== v) this.fail(path, 'leading or trailing white space')
    if (UNSAFE_TEXT.test(v)) this.fail(path, 'control or bidirectional formatting character')
    return v
  }

  int(v: unknown, path: string, min: number, max: number): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.fail(path, `not an integer in ${min}..${max}`)
    return v
  }

  time(v: unknown, path: string): number {
    return this.int(v, path, 0, MAX_REGISTRY_TIME)
  }

  array(v: unknown, path: string, min: number, max: number): unknown[] {
    if (!Array.isArray(v)) this.fail(path, 'not an array')
    if (v.length < min || v.length > max) this.fail(path, `must hold ${min}..${max} items`)
    return v
  }

  /** An array of distinct strings of one form. */
  stringSet(v: unknown, path: string, pattern: RegExp, min: number, max: number): string[] {
    const out = this.array(v, path, min, max).map((x, i) => this.string(x, `${path}[${i}]`, pattern))
    if (new Set(out).size !== out.length) this.fail(path, 'an item appears twice')
    return out
  }

  didWeb(v: unknown, path: string): string {
    if (typeof v === 'string' && v.length > 256) this.fail(path, 'DID longer than 256 characters')
    return this.string(v, path, DID_WEB)
  }

  kid(v: unknown, path: string): string {
    return this.string(v, path, KID)
  }

  token(v: unknown, path: string): string {
    return this.string(v, path, TOKEN)
  }

  /** An https URI with no dot segments (RFC 3986 §5.2.4), encoded or not: a prefix check on it means what it says. */
  httpsUri(v: unknown, path: string): string {
    const uri = this.string(v, path, HTTPS_URI)
    if (/%2e/i.test(uri) || /\/\.{1,2}(?:[/?]|$)/.test(uri.slice(8)) || uri.slice(8).includes('//')) this.fail(path, 'dot segments or an empty segment')
    return uri
  }

  purposeId(v: unknown, path: string): string {
    return this.string(v, path, PURPOSE_ID)
  }

  /** A claim path such as `age_over_18` or `address.city`; SD-JWT's `_sd`/`_sd_alg` names are refused. */
  claimPath(v: unknown, path: string): string {
    if (typeof v !== 'string') this.fail(path, 'not a string')
    const segments = v.split('.')
    if (segments.length > LIMITS.claimPathSegments) this.fail(path, `more than ${LIMITS.claimPathSegments} segments`)
    for (const s of segments) {
      if (!CLAIM_SEGMENT.test(s)) this.fail(path, `${JSON.stringify(v.slice(0, 40))} is not a dotted claim path`)
      if (s === '_sd' || s === '_sd_alg') this.fail(path, `${s} is not a claim a verifier may ask for`)
    }
    return v
  }

  localized(v: unknown, path: string, max: number): LocalizedText {
    const o = this.object(v, path, ['zh-CN', 'en'])
    return { 'zh-CN': this.text(o['zh-CN'], `${path}.zh-CN`, max), en: this.text(o.en, `${path}.en`, max) }
  }

  /** One purpose of a verifier registration (entries and stored state read it alike). */
  purpose(v: unknown, path: string): VerifierPurpose {
    const o = this.object(v, path, ['id', 'name', 'vct', 'claims', 'why', 'retention', 'contact'])
    const claims = this.array(o.claims, `${path}.claims`, 1, LIMITS.claimsPerPurpose).map((c, i) => this.claimPath(c, `${path}.claims[${i}]`))
    if (new Set(claims).size !== claims.length) this.fail(`${path}.claims`, 'a claim appears twice')
    const ret = this.object(o.retention, `${path}.retention`, ['days', 'promise'])
    return {
      id: this.purposeId(o.id, `${path}.id`),
      name: this.localized(o.name, `${path}.name`, LIMITS.nameLength),
      vct: this.token(o.vct, `${path}.vct`),
      claims,
      why: this.localized(o.why, `${path}.why`, LIMITS.promiseLength),
      retention: {
        days: this.int(ret.days, `${path}.retention.days`, 0, LIMITS.retentionDays),
        promise: this.localized(ret.promise, `${path}.retention.promise`, LIMITS.promiseLength),
      },
      contact: this.string(o.contact, `${path}.contact`, CONTACT),
    }
  }

  /** 1..32 purposes with distinct ids. */
  purposes(v: unknown, path: string): VerifierPurpose[] {
    const purposes = this.array(v, path, 1, LIMITS.purposes).map((x, i) => this.purpose(x, `${path}[${i}]`))
    if (new Set(purposes.map((x) => x.id)).size !== purposes.length) this.fail(path, 'a purpose id appears twice')
    return purposes
  }

  /** base64url of exactly 32 bytes (a SHA-256 digest). */
  digest(v: unknown, path: string): string {
    if (typeof v !== 'string') this.fail(path, 'not a string')
    let bytes: Uint8Array
    try {
      bytes = decodeBase64url(v, path)
    } catch (e) {
      if (this.code === 'ERR_REG_STATE_INVALID' && e instanceof InputError) this.fail(path, e.detail)
      throw e
    }
    if (bytes.length !== 32) this.fail(path, `${bytes.length} bytes, not 32`)
    return v
  }

  /**
   * A public P-256 or Ed25519 JWK with exactly its RFC 7517/7518/8037 key members (no alg, use,
   * kid, and never d). Key problems keep the kernel's JWK codes when reading entries.
   */
  publicJwk(v: unknown, path: string): PublicJwk {
    let jwk: PublicJwk
    try {
      jwk = parsePublicJwk(v)
    } catch (e) {
      if (this.code === 'ERR_REG_STATE_INVALID' && e instanceof InputError) this.fail(path, e.detail)
      throw e
    }
    this.object(v, path, Object.keys(jwk))
    return jwk
  }

  /** 1..16 keys with distinct kids and distinct public keys. */
  keys(v: unknown, path: string, min = 1): RegistryKey[] {
    const keys = this.array(v, path, min, LIMITS.keys).map((k, i) => {
      const o = this.object(k, `${path}[${i}]`, ['kid', 'jwk'])
      return { kid: this.kid(o.kid, `${path}[${i}].kid`), jwk: this.publicJwk(o.jwk, `${path}[${i}].jwk`) }
    })
    if (new Set(keys.map((k) => k.kid)).size !== keys.length) this.fail(path, 'a kid appears twice')
    if (new Set(keys.map((k) => canonicalJwkJson(k.jwk))).size !== keys.length) this.fail(path, 'a key appears twice')
    return keys
  }
}

// Explicit types: TypeScript narrows after a `never` method call only through an explicitly typed reference.
export const entryReader: Reader = new Reader('ERR_REG_SCHEMA')
export const stateReader: Reader = new Reader('ERR_REG_STATE_INVALID')
