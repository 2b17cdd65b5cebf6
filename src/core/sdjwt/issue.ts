/**
 * Issuance (RFC 9901 §4.2): turns claims and a disclosure frame into an SD-JWT. Nested frames
 * are applied before their parent is made disclosable, which gives recursive disclosures
 * (§6.3). `_sd` arrays are sorted and decoys mixed in (§4.2.5), so neither order nor count
 * reveals what is hidden. Salts are 128-bit, from the random source passed in.
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../bytes/json.ts'
import { InputError } from '../errors.ts'
import type { RandomSource } from '../crypto/hash.ts'
import type { Signer } from '../crypto/keys.ts'
import { signCompactJws } from '../jose/jws.ts'
import { decoyDigest, makeDisclosure, RESERVED_NAMES, type Disclosure } from './disclosure.ts'
import { childFrame, type DisclosureFrame } from './frame.ts'
import { setOwn } from './process.ts'

export interface IssueSdJwtInput {
  claims: JsonObject
  frame?: DisclosureFrame
  signer: Signer
  /** Protected header members besides alg (typ, kid). */
  header?: Record<string, unknown>
  random: RandomSource
}

export interface IssuedSdJwt {
  sdJwt: string
  jwt: string
  disclosures: Disclosure[]
  payload: JsonObject
}

export async function issueSdJwt(input: IssueSdJwtInput): Promise<IssuedSdJwt> {
  const disclosures: Disclosure[] = []
  const { random } = input

  const sortedWithDecoys = (digests: string[], decoys: number): string[] => {
    for (let i = 0; i < decoys; i++) digests.push(decoyDigest(random))
    return digests.sort()
  }

  const packValue = (v: JsonValue, frame: DisclosureFrame | undefined, path: string): JsonValue => {
    if (!frame) return v
    if (Array.isArray(v)) return packArray(v, frame, path)
    if (isJsonObject(v)) return packObject(v, frame, path)
    throw new InputError('ERR_SDJWT_FRAME_INVALID', `${path} is neither an object nor an array`)
  }

  const packObject = (obj: JsonObject, frame: DisclosureFrame, path: string): JsonObject => {
    const sd = new Set((frame._sd ?? []).map(String))
    for (const name of sd) {
      if (!Object.hasOwn(obj, name)) throw new InputError('ERR_SDJWT_FRAME_INVALID', `${path}.${name} is not a claim`)
      if (RESERVED_NAMES.has(name)) throw new InputError('ERR_SDJWT_RESERVED_NAME', `${path}.${name} cannot be disclosable`)
    }
    for (const k of Object.keys(frame)) {
      if (k !== '_sd' && k !== '_sd_decoy' && !Object.hasOwn(obj, k)) throw new InputError('ERR_SDJWT_FRAME_INVALID', `${path}.${k} is not a claim`)
    }
    const out: JsonObject = {}
    const digests: string[] = []
    for (const k of Object.keys(obj)) {
      if (k === '_sd' || k === '...') throw new InputError('ERR_SDJWT_RESERVED_NAME', `${path}.${k} is a reserved name`)
      const value = packValue(obj[k]!, childFrame(frame, k), `${path}.${k}`)
      if (sd.has(k)) {
        const d = makeDisclosure(random, value, k)
        disclosures.push(d)
        digests.push(d.digest)
      } else setOwn(out, k, value)
    }
    if (digests.length > 0 || (frame._sd_decoy ?? 0) > 0) out._sd = sortedWithDecoys(digests, frame._sd_decoy ?? 0)
    return out
  }

  const packArray = (arr: JsonValue[], frame: DisclosureFrame, path: string): JsonValue[] => {
    const sd = new Set((frame._sd ?? []).map(Number))
    for (const i of sd) {
      if (!Number.isInteger(i) || i < 0 || i >= arr.length) throw new InputError('ERR_SDJWT_FRAME_INVALID', `${path}[${i}] is not an element`)
    }
    const out: JsonValue[] = arr.map((el, i) => {
      const value = packValue(el, childFrame(frame, i), `${path}[${i}]`)
      if (!sd.has(i)) return value
      const d = makeDisclosure(random, value)
      disclosures.push(d)
      return { '...': d.digest }
    })
    // Decoy elements at random positions (§4.2.5).
    for (let i = 0; i < (frame._sd_decoy ?? 0); i++) {
      const at = random(1)[0]! % (out.length + 1)
      out.splice(at, 0, { '...': decoyDigest(random) })
    }
    return out
  }

  const payload = packObject(input.claims, input.frame ?? {}, '$')
  if (disclosures.length > 0 || payload._sd !== undefined) payload._sd_alg = 'sha-256'
  const jwt = await signCompactJws(input.header ?? {}, payload, input.signer)
  return { sdJwt: `${jwt}~${disclosures.map((d) => `${d.encoded}~`).join('')}`, jwt, disclosures, payload }
}
