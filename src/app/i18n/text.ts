/**
 * The app's text helpers: the one table from error codes to the strings that name them (design
 * §8 rule 4; every role adds its codes here), placeholders filled into translated strings, and
 * times shown in the reader's language.
 */
import type { ErrorCode } from '../../core/errors.ts'
import type { Locale, StringKey } from './strings.ts'

/** Codes the screens can meet, each with its text; anything else is named by `error.unknown` and its code. */
export const ERROR_TEXT: Partial<Record<ErrorCode, StringKey>> = {
  ERR_ISSUER_UNREACHABLE: 'error.ERR_ISSUER_UNREACHABLE',
  ERR_ISSUER_FORBIDDEN: 'error.ERR_ISSUER_FORBIDDEN',
  ERR_ISSUER_BAD_REQUEST: 'error.ERR_ISSUER_BAD_REQUEST',
  ERR_ISSUER_NOT_FOUND: 'error.ERR_ISSUER_NOT_FOUND',
  ERR_ISSUER_UNKNOWN_VCT: 'error.ERR_ISSUER_UNKNOWN_VCT',
  ERR_ISSUER_CLAIMS_INVALID: 'error.ERR_ISSUER_CLAIMS_INVALID',
  ERR_ISSUER_UNKNOWN_CREDENTIAL: 'error.ERR_ISSUER_UNKNOWN_CREDENTIAL',
  ERR_ISSUER_CREDENTIAL_STATE: 'error.ERR_ISSUER_CREDENTIAL_STATE',
  ERR_ISSUER_CAPACITY: 'error.ERR_ISSUER_CAPACITY',
  ERR_ISSUER_LEDGER: 'error.ERR_ISSUER_LEDGER',
  ERR_ISSUER_STORAGE: 'error.ERR_ISSUER_STORAGE',
  ERR_ISSUER_LOCKED: 'error.ERR_ISSUER_LOCKED',
  ERR_ISSUER_CONFIG: 'error.ERR_ISSUER_CONFIG',
}

export function errorTextKey(code: ErrorCode): StringKey {
  return ERROR_TEXT[code] ?? 'error.unknown'
}

/** Replace `{name}` placeholders; unknown names stay as they are. */
export function fill(text: string, vars: Readonly<Record<string, string | number>>): string {
  return text.replace(/\{([a-zA-Z]+)\}/g, (m, name: string) => (Object.hasOwn(vars, name) ? String(vars[name]) : m))
}

/** A time (seconds since the epoch) as the officer reads it, in their language and time zone. */
export function formatTime(seconds: number, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(seconds * 1000))
}

/** Today as YYYY-MM-DD in the local time zone (the latest a date field may hold). */
export function today(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`
}
