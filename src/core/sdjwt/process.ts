/**
 * Processing of an SD-JWT payload with its disclosures (RFC 9901 §7.1 step 3–5): every digest
 * is looked up, each disclosure is inserted where it is referenced, decoys vanish, and every
 * MUST-reject of the section rejects with its own code:
 * - a digest that appears more than once (payload or disclosures)          ERR_SDJWT_DIGEST_DUPLICATE
 * - a disclosure given twice                                               ERR_SDJWT_DISCLOSURE_DUPLICATE
 * - a disclosure referenced nowhere                                        ERR_SDJWT_DISCLOSURE_UNREFERENCED
 * - `_sd` / `...` as a disclosed claim name                                ERR_SDJWT_RESERVED_NAME
 * - a disclosed name that already exists at its level                      ERR_SDJWT_CLAIM_COLLISION
 * - a property disclosure inside an array, or an element one in `_sd`       ERR_SDJWT_DISCLOSURE_KIND
 * - `_sd` not an array of strings, or a malformed `{"...": digest}`        ERR_SDJWT_SD_INVALID
 * Objects are built with own data properties only, so a claim named `__proto__` is inert.
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../bytes/json.ts'
import { InputError } from '../errors.ts'
import type { Disclosure } from './disclosure.ts'

export interface DisclosedClaim {
  /** Path of the claim in the processed payload: names and array indices. */
  path: (string | number)[]
  disclosure: Disclosure
}

export interface Processed {
  claims: JsonObject
  disclosed: DisclosedClaim[]
}

export function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
  else o[k] = v
}

export function indexDisclosures(disclosures: Disclosure[]): Map<string, Disclosure> {
  const byDigest = new Map<string, Disclosure>()
  for (const d of disclosures) {
    if (byDigest.has(d.digest)) throw new InputError('ERR_SDJWT_DISCLOSURE_DUPLICATE', 'the same disclosure appears twice')
    byDigest.set(d.digest, d)
  }
  return byDigest
}

export function processPayload(payload: JsonObject, disclosures: Disclosure[], maxDepth: number): Processed {
  const byDigest = indexDisclosures(disclosures)
  const seen = new Set<string>()
  const disclosed: DisclosedClaim[] = []

  const take = (digest: unknown): Disclosure | undefined => {
    if (typeof digest !== 'string') throw new InputError('ERR_SDJWT_SD_INVALID', 'a digest is not a string')
    if (seen.has(digest)) throw new InputError('ERR_SDJWT_DIGEST_DUPLICATE', 'a digest appears more than once')
    seen.add(digest)
    return byDigest.get(digest)
  }

  const walk = (v: JsonValue, depth: number, path: (string | number)[], top: boolean): JsonValue => {
    if (depth > maxDepth) throw new InputError('ERR_SDJWT_TOO_DEEP', `nested deeper than ${maxDepth}`)
    if (Array.isArray(v)) {
      const out: JsonValue[] = []
      for (const el of v) {
        if (isJsonObject(el) && Object.hasOwn(el, '...')) {
          const keys = Object.keys(el)
          if (keys.length !== 1) throw new InputError('ERR_SDJWT_SD_INVALID', 'an array element digest object has other members')
          const d = take(el['...'])
          if (!d) continue // a decoy or an undisclosed element (§7.1 3.c.ii.1)
          if (d.kind !== 'element') throw new InputError('ERR_SDJWT_DISCLOSURE_KIND', 'a property disclosure is referenced as an array element')
          const at = [...path, out.length]
          disclosed.push({ path: at, disclosure: d })
          out.push(walk(d.value, depth + 1, at, false))
        } else {
          out.push(walk(el, depth + 1, [...path, out.length], false))
        }
      }
      return out
    }
    if (!isJsonObject(v)) return v
    const out: JsonObject = {}
    for (const k of Object.keys(v)) {
      if (k === '_sd' || (top && k === '_sd_alg')) continue
      if (k === '...') throw new InputError('ERR_SDJWT_SD_INVALID', 'the name ... outside an array element')
      setOwn(out, k, walk(v[k]!, depth + 1, [...path, k], false))
    }
    if (Object.hasOwn(v, '_sd')) {
      const sd = v._sd
      if (!Array.isArray(sd)) throw new InputError('ERR_SDJWT_SD_INVALID', '_sd is not an array')
      for (const digest of sd) {
        const d = take(digest)
        if (!d) continue // a decoy or an undisclosed claim (§7.1 3.b.ii.1)
        if (d.kind !== 'property') throw new InputError('ERR_SDJWT_DISCLOSURE_KIND', 'an array element disclosure is referenced from _sd')
        if (Object.hasOwn(out, d.name)) throw new InputError('ERR_SDJWT_CLAIM_COLLISION', `claim ${JSON.stringify(d.name)} already exists`)
        const at = [...path, d.name]
        disclosed.push({ path: at, disclosure: d })
        setOwn(out, d.name, walk(d.value, depth + 1, at, false))
      }
    }
    return out
  }

  const claims = walk(payload, 0, [], true) as JsonObject
  if (disclosed.length !== byDigest.size) {
    throw new InputError('ERR_SDJWT_DISCLOSURE_UNREFERENCED', `${byDigest.size - disclosed.length} disclosure(s) not referenced by the payload`)
  }
  return { claims, disclosed }
}
