/**
 * Presentation (RFC 9901 §4, §7.2 from the holder's side): pick the disclosures a
 * presentation frame asks for — plus the parent disclosures they sit inside, without which
 * the verifier could not reach them — and, when asked, append a Key Binding JWT over exactly
 * the result. Disclosures keep their issuance order.
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../bytes/json.ts'
import { InputError } from '../errors.ts'
import type { Signer } from '../crypto/keys.ts'
import { parseCompactJws } from '../jose/jws.ts'
import { parseDisclosure, type Disclosure } from './disclosure.ts'
import type { PresentationFrame } from './frame.ts'
import { createKbJwt } from './kb.ts'
import { DEFAULT_SD_JWT_LIMITS, type SdJwtLimits } from './limits.ts'
import { indexDisclosures } from './process.ts'
import { parseSdJwt } from './serialization.ts'

export interface PresentOptions {
  /** Holder key and the verifier's nonce and audience; omit for a presentation without KB. */
  keyBinding?: { signer: Signer; nonce: string; aud: string; iat: number }
  limits?: Partial<SdJwtLimits>
}

/** The disclosures a frame selects from an issued SD-JWT, in issuance order. */
export function selectDisclosures(payload: JsonObject, disclosures: Disclosure[], frame: PresentationFrame): Disclosure[] {
  const byDigest = indexDisclosures(disclosures)
  const chosen = new Set<Disclosure>()

  const sub = (f: boolean | PresentationFrame | undefined): PresentationFrame | undefined => (f && typeof f === 'object' ? f : undefined)

  const walk = (v: JsonValue, f: PresentationFrame | undefined): void => {
    if (!f) return
    if (Array.isArray(v)) {
      let index = 0
      for (const el of v) {
        if (isJsonObject(el) && typeof el['...'] === 'string' && Object.keys(el).length === 1) {
          const d = byDigest.get(el['...'])
          if (!d) continue // decoy: not an element of the array the holder sees
          const want = f[String(index)]
          if (want) {
            chosen.add(d)
            walk(d.value, sub(want))
          }
          index++
        } else {
          walk(el, sub(f[String(index)]))
          index++
        }
      }
      return
    }
    if (!isJsonObject(v)) return
    for (const k of Object.keys(v)) if (k !== '_sd') walk(v[k]!, sub(f[k]))
    if (Array.isArray(v._sd)) {
      for (const digest of v._sd) {
        const d = typeof digest === 'string' ? byDigest.get(digest) : undefined
        if (!d || d.kind !== 'property') continue
        const want = f[d.name]
        if (want) {
          chosen.add(d)
          walk(d.value, sub(want))
        }
      }
    }
  }

  walk(payload, frame)
  return disclosures.filter((d) => chosen.has(d))
}

/** Present an issued compact SD-JWT: the chosen disclosures, and a KB-JWT when asked. */
export async function presentSdJwt(issued: string, frame: PresentationFrame, options: PresentOptions = {}): Promise<string> {
  const limits: SdJwtLimits = { ...DEFAULT_SD_JWT_LIMITS, ...options.limits }
  const parts = parseSdJwt(issued, limits)
  if (parts.serialization !== 'compact' || parts.jwts.length !== 1) throw new InputError('ERR_SDJWT_MALFORMED', 'only compact SD-JWTs are presented')
  if (parts.kbJwt !== undefined) throw new InputError('ERR_SDJWT_MALFORMED', 'an issued SD-JWT carries no KB-JWT')
  const jwt = parts.jwts[0]!
  const { payload } = parseCompactJws(jwt, { maxLength: limits.maxLength })
  const disclosures = parts.disclosures.map((d) => parseDisclosure(d, limits.maxDepth))
  const chosen = selectDisclosures(payload, disclosures, frame)
  const presentation = `${jwt}~${chosen.map((d) => `${d.encoded}~`).join('')}`
  if (!options.keyBinding) return presentation
  const { signer, nonce, aud, iat } = options.keyBinding
  return presentation + (await createKbJwt(presentation, signer, { nonce, aud, iat }))
}
