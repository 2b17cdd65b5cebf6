/**
 * JWT time claims (RFC 7519 §4.1.4–4.1.6) with a bounded clock skew. A NumericDate must be a
 * finite non-negative number no later than the year 9999; strings, NaN (impossible in JSON,
 * possible in hand-built objects), negatives and absurd values are refused with a code.
 */
import type { JsonObject } from '../bytes/json.ts'
import { fail, ok, type Verdict } from '../errors.ts'

/** 9999-12-31T23:59:59Z */
export const MAX_NUMERIC_DATE = 253402300799

export function isNumericDate(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_NUMERIC_DATE
}

/**
 * `now` must be a time in seconds: a missing one (a JS caller, a misspelt option) or one in
 * milliseconds would make every comparison false and every time claim pass. Our caller's bug:
 * TypeError. Also checks `skewSeconds` when given.
 */
export function assertNow(now: unknown, skewSeconds: unknown, who: string): asserts now is number {
  if (typeof now !== 'number' || !isNumericDate(now)) throw new TypeError(`${who}: now must be seconds since the epoch (not milliseconds)`)
  if (skewSeconds !== undefined && (typeof skewSeconds !== 'number' || !Number.isFinite(skewSeconds) || skewSeconds < 0)) throw new TypeError(`${who}: skewSeconds must be a finite number ≥ 0`)
}

export interface TimeCheck {
  /** Now, in seconds since the epoch (callers pass their clock; the kernel reads none). */
  now: number
  skewSeconds: number
  /** Claims that must be present. */
  require?: readonly ('iat' | 'nbf' | 'exp')[]
}

/** Check iat/nbf/exp of a JWT payload: a verdict (ERR_TIME_CLAIM_INVALID, ERR_TIME_EXPIRED, ERR_TIME_NOT_YET_VALID). */
export function checkTimeClaims(p: JsonObject, t: TimeCheck): Verdict<true> {
  assertNow(t.now, t.skewSeconds, 'checkTimeClaims')
  for (const name of ['iat', 'nbf', 'exp'] as const) {
    const v = p[name]
    if (v === undefined) {
      if (t.require?.includes(name)) return fail('ERR_TIME_CLAIM_INVALID', `${name} is required`)
      continue
    }
    if (!isNumericDate(v)) return fail('ERR_TIME_CLAIM_INVALID', `${name} is not a NumericDate`)
  }
  const { exp, nbf, iat } = p as { exp?: number; nbf?: number; iat?: number }
  if (exp !== undefined && t.now - t.skewSeconds >= exp) return fail('ERR_TIME_EXPIRED', `expired at ${exp}`)
  if (nbf !== undefined && t.now + t.skewSeconds < nbf) return fail('ERR_TIME_NOT_YET_VALID', `not valid before ${nbf}`)
  if (iat !== undefined && t.now + t.skewSeconds < iat) return fail('ERR_TIME_NOT_YET_VALID', `issued in the future (${iat})`)
  return ok(true)
}
