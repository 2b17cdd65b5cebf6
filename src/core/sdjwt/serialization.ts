/**
 * SD-JWT serializations (RFC 9901 §4 compact `<JWS>~<D1>~…~<Dn>~[<KB-JWT>]`, and §8 JWS JSON
 * serialization, flattened and general). Length and disclosure-count caps are applied before
 * anything is split, decoded or hashed.
 */
import { isJsonObject, parseJson, type JsonObject } from '../bytes/json.ts'
import { InputError } from '../errors.ts'
import type { SdJwtLimits } from './limits.ts'

export interface SdJwtParts {
  /** Issuer-signed JWTs in compact form (one for compact and flattened JSON, one per signature for general JSON). */
  jwts: string[]
  /** Unprotected header of each JWT (JSON serialization only). */
  unprotected: (JsonObject | undefined)[]
  /** Disclosures as received, in order. */
  disclosures: string[]
  /** The KB-JWT, or undefined when the SD-JWT has none. */
  kbJwt: string | undefined
  /** What sd_hash covers: `<first JWT>~<D1>~…~<Dn>~` (§4.3.1, §8.1). */
  sdHashInput: string
  serialization: 'compact' | 'json'
}

const B64URL_DOT = /^[A-Za-z0-9_-]+$/

export function parseSdJwt(input: string, limits: SdJwtLimits): SdJwtParts {
  if (input.length > limits.maxLength) throw new InputError('ERR_SDJWT_TOO_LARGE', `${input.length} characters > ${limits.maxLength}`)
  const first = input.charCodeAt(0)
  if (first === 123 /* { */) return parseJsonSerialization(input, limits)
  return parseCompact(input, limits)
}

function countTildes(s: string, cap: number): number {
  let n = 0
  for (let i = s.indexOf('~'); i >= 0; i = s.indexOf('~', i + 1)) if (++n > cap) return n
  return n
}

function parseCompact(input: string, limits: SdJwtLimits): SdJwtParts {
  const tildes = countTildes(input, limits.maxDisclosures + 1)
  if (tildes === 0) throw new InputError('ERR_SDJWT_MALFORMED', 'no ~ separator: not an SD-JWT')
  if (tildes > limits.maxDisclosures + 1) throw new InputError('ERR_SDJWT_TOO_MANY_DISCLOSURES', `more than ${limits.maxDisclosures} disclosures`)
  const parts = input.split('~')
  const jwt = parts[0]!
  const last = parts[parts.length - 1]!
  const disclosures = parts.slice(1, -1)
  for (const d of disclosures) {
    if (d.length === 0) throw new InputError('ERR_SDJWT_MALFORMED', 'empty disclosure between ~ separators')
    if (!B64URL_DOT.test(d)) throw new InputError('ERR_SDJWT_DISCLOSURE_MALFORMED', 'disclosure is not base64url')
  }
  const kbJwt = last.length === 0 ? undefined : last
  const sdHashInput = input.slice(0, input.length - last.length)
  return { jwts: [jwt], unprotected: [undefined], disclosures, kbJwt, sdHashInput, serialization: 'compact' }
}

function stringArray(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new InputError('ERR_SDJWT_MALFORMED', `${what} is not an array of strings`)
  return v as string[]
}

function str(o: JsonObject, k: string, what: string): string {
  const v = o[k]
  if (typeof v !== 'string' || v.length === 0) throw new InputError('ERR_SDJWT_MALFORMED', `${what}.${k} missing or not a string`)
  return v
}

/** §8: flattened `{payload, protected, signature, header:{disclosures, kb_jwt}}` or general `{payload, signatures:[…]}`. */
function parseJsonSerialization(input: string, limits: SdJwtLimits): SdJwtParts {
  const v = parseJson(input, { maxLength: limits.maxLength, maxDepth: 8 }, 'SD-JWT JSON serialization')
  if (!isJsonObject(v)) throw new InputError('ERR_SDJWT_MALFORMED', 'JSON serialization is not an object')
  const payload = str(v, 'payload', 'SD-JWT')
  const sigs: { protected: string; signature: string; header: JsonObject | undefined }[] = []
  if (v.signatures !== undefined) {
    if (v.protected !== undefined || v.signature !== undefined) throw new InputError('ERR_SDJWT_MALFORMED', 'general serialization with flattened members')
    if (!Array.isArray(v.signatures) || v.signatures.length === 0 || v.signatures.length > 8) throw new InputError('ERR_SDJWT_MALFORMED', 'signatures must be a non-empty array of at most 8')
    for (const s of v.signatures) {
      if (!isJsonObject(s)) throw new InputError('ERR_SDJWT_MALFORMED', 'signature entry is not an object')
      sigs.push({ protected: str(s, 'protected', 'signature'), signature: str(s, 'signature', 'signature'), header: headerOf(s) })
    }
  } else {
    sigs.push({ protected: str(v, 'protected', 'SD-JWT'), signature: str(v, 'signature', 'SD-JWT'), header: headerOf(v) })
  }
  // §8.1: disclosures and kb_jwt live in the unprotected header of the first signature only.
  const h0 = sigs[0]!.header
  for (const s of sigs.slice(1)) {
    if (s.header && (s.header.disclosures !== undefined || s.header.kb_jwt !== undefined)) {
      throw new InputError('ERR_SDJWT_MALFORMED', 'disclosures or kb_jwt outside the first signature header')
    }
  }
  const disclosures = h0?.disclosures === undefined ? [] : stringArray(h0.disclosures, 'disclosures')
  if (disclosures.length > limits.maxDisclosures) throw new InputError('ERR_SDJWT_TOO_MANY_DISCLOSURES', `more than ${limits.maxDisclosures} disclosures`)
  for (const d of disclosures) if (!B64URL_DOT.test(d)) throw new InputError('ERR_SDJWT_DISCLOSURE_MALFORMED', 'disclosure is not base64url')
  let kbJwt: string | undefined
  if (h0?.kb_jwt !== undefined) {
    if (typeof h0.kb_jwt !== 'string' || h0.kb_jwt.length === 0) throw new InputError('ERR_SDJWT_MALFORMED', 'kb_jwt is not a string')
    kbJwt = h0.kb_jwt
  }
  const jwts = sigs.map((s) => `${s.protected}.${payload}.${s.signature}`)
  const sdHashInput = `${jwts[0]!}~${disclosures.map((d) => `${d}~`).join('')}`
  return { jwts, unprotected: sigs.map((s) => s.header), disclosures, kbJwt, sdHashInput, serialization: 'json' }
}

function headerOf(o: JsonObject): JsonObject | undefined {
  if (o.header === undefined) return undefined
  if (!isJsonObject(o.header)) throw new InputError('ERR_SDJWT_MALFORMED', 'unprotected header is not an object')
  return o.header
}
