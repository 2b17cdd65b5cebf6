/**
 * Frames: the JSON shapes that say what is selectively disclosable at issuance and what is
 * disclosed at presentation (the shapes sd-jwt-js uses, so shared test cases apply as they are).
 *
 * Disclosure frame: `{"_sd": ["a", "b"], "_sd_decoy": 2, "address": {"_sd": ["city"]},
 * "list": {"_sd": [0, 2], "0": {...}}}` — `_sd` names properties (or array indices) to make
 * disclosable, nested frames apply to the value of that property or element.
 * Presentation frame: `{"a": true, "address": {"city": true}, "list": {"0": true}}` — `true`
 * discloses that claim; an object discloses the claim (if it is itself disclosable) and applies
 * inside it. Names the credential does not have select nothing.
 */
import { isJsonObject, type JsonObject } from '../bytes/json.ts'
import { InputError } from '../errors.ts'

export interface DisclosureFrame {
  _sd?: (string | number)[]
  _sd_decoy?: number
  [key: string]: DisclosureFrame | (string | number)[] | number | undefined
}

export type PresentationFrame = { [key: string]: boolean | PresentationFrame }

function badFrame(detail: string): never {
  throw new InputError('ERR_SDJWT_FRAME_INVALID', detail)
}

/** Validate a disclosure frame read from a file or a caller. */
export function parseDisclosureFrame(v: unknown, path = 'frame'): DisclosureFrame {
  if (!isJsonObject(v)) badFrame(`${path} is not an object`)
  for (const [k, x] of Object.entries(v)) {
    if (k === '_sd') {
      if (!Array.isArray(x) || !x.every((n) => typeof n === 'string' || (typeof n === 'number' && Number.isInteger(n) && n >= 0))) {
        badFrame(`${path}._sd must list claim names or array indices`)
      }
    } else if (k === '_sd_decoy') {
      if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 64) badFrame(`${path}._sd_decoy must be an integer 0..64`)
    } else parseDisclosureFrame(x, `${path}.${k}`)
  }
  return v as DisclosureFrame
}

/** Validate a presentation frame read from a file or a caller. */
export function parsePresentationFrame(v: unknown, path = 'frame'): PresentationFrame {
  if (!isJsonObject(v)) badFrame(`${path} is not an object`)
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'boolean') continue
    parsePresentationFrame(x, `${path}.${k}`)
  }
  return v as PresentationFrame
}

export function childFrame(frame: JsonObject | DisclosureFrame | undefined, key: string | number): DisclosureFrame | undefined {
  if (!frame) return undefined
  const c = (frame as Record<string, unknown>)[String(key)]
  return isJsonObject(c) ? (c as DisclosureFrame) : undefined
}
