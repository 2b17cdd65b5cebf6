/**
 * The one strict reader of a JSON object's shape: the members it declares and nothing else.
 * Required members must be present, optional ones may be absent, any other member is refused
 * (a stored record, a config file or a ledger entry may carry nothing its reader does not name),
 * and each member must be of its declared kind. A failure throws with the caller's code and a
 * detail naming the path (`ledger.json.quorum: not a non-negative integer`), as an InputError
 * unless the caller passes its own error (a CivicError for files we wrote ourselves).
 *
 * Only the shape is read here. What a value means (a DID's form, a key's curve, a bound between
 * two members) stays with the module that owns it, after the shape holds.
 *
 *     const o = readShape(v, { origin: 'text', size: 'uint', url: 'string?' }, 'ledger.json', 'ERR_LEDGER_CONFIG')
 *     o.origin // string; o.url: string | undefined
 */
import { CivicError, InputError, type ErrorCode } from '../errors.ts'
import { isJsonObject, type JsonObject, type JsonValue } from './json.ts'

/**
 * A member's kind: `string` any string, `text` a non-empty string, `uint` a non-negative safe
 * integer, `number` a finite number, `boolean`, `object` a JSON object, `array` a JSON array,
 * `json` any JSON value. A trailing `?` makes the member optional.
 */
export type MemberKind = 'string' | 'text' | 'uint' | 'number' | 'boolean' | 'object' | 'array' | 'json'
export type MemberSpec = MemberKind | `${MemberKind}?`
export type Shape = Readonly<Record<string, MemberSpec>>

type ValueOf<K> = K extends 'string' | 'text' ? string
  : K extends 'uint' | 'number' ? number
  : K extends 'boolean' ? boolean
  : K extends 'object' ? JsonObject
  : K extends 'array' ? JsonValue[]
  : JsonValue
type Required_<S extends Shape> = { [K in keyof S as S[K] extends `${string}?` ? never : K]: ValueOf<S[K]> }
type Optional_<S extends Shape> = { [K in keyof S as S[K] extends `${infer B}?` ? (B extends MemberKind ? K : never) : never]?: S[K] extends `${infer B}?` ? ValueOf<B> : never }
/** The value `readShape` returns for a shape: required members typed, optional ones possibly undefined. */
export type ShapeOf<S extends Shape> = Required_<S> & Optional_<S>

/** How a reader fails: the code, and optionally the error class (InputError by default). */
export type ShapeFailure = ErrorCode | { code: ErrorCode; error: (code: ErrorCode, detail: string) => CivicError }

type Fail = (path: string, why: string) => never

function thrower(how: ShapeFailure): Fail {
  const code = typeof how === 'string' ? how : how.code
  const make = typeof how === 'string' ? (c: ErrorCode, d: string) => new InputError(c, d) : how.error
  return (path, why) => {
    throw make(code, `${path}: ${why}`)
  }
}

const name = (n: string): string => JSON.stringify(n).slice(0, 40)

/**
 * `v` as an object with exactly the `required` members and any of the `optional` ones. For
 * readers that judge each member themselves (the registry's patterns); `readShape` also
 * checks the kinds.
 */
export function readMembers(v: unknown, path: string, required: readonly string[], optional: readonly string[], how: ShapeFailure): JsonObject {
  const fail: Fail = thrower(how)
  if (!isJsonObject(v)) fail(path, 'not an object')
  for (const n of required) if (!Object.hasOwn(v, n)) fail(path, `member ${n} is missing`)
  for (const n of Object.keys(v)) {
    if (!required.includes(n) && !optional.includes(n)) fail(path, `member ${name(n)} is not in the schema`)
  }
  return v
}

const KIND_PROBLEM: Record<MemberKind, (x: JsonValue) => string | null> = {
  string: (x) => (typeof x === 'string' ? null : 'not a string'),
  text: (x) => (typeof x === 'string' && x.length > 0 ? null : 'not a non-empty string'),
  uint: (x) => (typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 ? null : 'not a non-negative integer'),
  number: (x) => (typeof x === 'number' && Number.isFinite(x) ? null : 'not a number'),
  boolean: (x) => (typeof x === 'boolean' ? null : 'not true or false'),
  object: (x) => (isJsonObject(x) ? null : 'not an object'),
  array: (x) => (Array.isArray(x) ? null : 'not an array'),
  json: () => null,
}

/**
 * Read `v` against `shape` (see the file comment). Throws the caller's code; the detail names
 * `path` and the member. Returns `v` itself, typed (no copy: readers build their own values).
 */
export function readShape<S extends Shape>(v: unknown, shape: S, path: string, how: ShapeFailure): ShapeOf<S> {
  const fail: Fail = thrower(how)
  const required: string[] = []
  const optional: string[] = []
  for (const [n, spec] of Object.entries(shape)) (spec.endsWith('?') ? optional : required).push(n)
  const o = readMembers(v, path, required, optional, how)
  for (const [n, spec] of Object.entries(shape)) {
    if (!Object.hasOwn(o, n)) continue
    const problem = KIND_PROBLEM[spec.replace(/\?$/, '') as MemberKind](o[n]!)
    if (problem) fail(`${path}.${n}`, problem)
  }
  return o as ShapeOf<S>
}
