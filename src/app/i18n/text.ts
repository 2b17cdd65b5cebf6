/**
 * The app's text helpers: the codes a screen can show and the shell's texts for the codes every
 * screen shares, placeholders filled into translated strings (with English plurals), labels
 * joined to their values with each language's colon, and times shown in the reader's language.
 *
 * Error texts (design §8 rule 4): each role's table maps the codes its screens can meet to their
 * texts and is a total Record over them (issuer.ts ISSUER_ERROR_TEXT over every ERR_ISSUER_
 * code), so a code added to the catalogue without a text is a type error. The codes of the one
 * HTTP layer every service answers through (ERR_HTTP_…) can reach any screen: their texts are
 * the shell's, here. A code outside both is named by `error.unknown` and shown with its code.
 */
import type { ErrorCode } from '../../core/errors.ts'
import type { Locale, StringKey } from './strings.ts'

/** Every catalogue code whose name starts with `prefix`: new codes join by themselves. */
export type CodesWithPrefix<P extends string> = Extract<ErrorCode, `${P}${string}`>

/** The codes of the shared HTTP layer (src/node/http.ts), which any service can answer with. */
export type HttpCode = CodesWithPrefix<'ERR_HTTP_'>

export const HTTP_ERROR_TEXT: Readonly<Record<HttpCode, StringKey>> = {
  ERR_HTTP_BAD_REQUEST: 'error.ERR_HTTP_BAD_REQUEST',
  ERR_HTTP_NOT_FOUND: 'error.ERR_HTTP_NOT_FOUND',
  ERR_HTTP_METHOD_NOT_ALLOWED: 'error.ERR_HTTP_METHOD_NOT_ALLOWED',
  ERR_HTTP_BODY_TOO_LARGE: 'error.ERR_HTTP_BODY_TOO_LARGE',
  ERR_HTTP_HEADERS_TOO_LARGE: 'error.ERR_HTTP_HEADERS_TOO_LARGE',
  ERR_HTTP_TIMEOUT: 'error.ERR_HTTP_TIMEOUT',
  ERR_HTTP_INTERNAL: 'error.ERR_HTTP_INTERNAL',
}

/**
 * The text of `code` from a role's total table, else the shell's HTTP texts, else null (the
 * caller then shows `error.unknown` with the code).
 */
export function errorText<K extends string>(table: Readonly<Partial<Record<ErrorCode, K>>>, code: ErrorCode): { role: K } | { shell: StringKey } | null {
  if (Object.hasOwn(table, code)) return { role: table[code]! }
  if (Object.hasOwn(HTTP_ERROR_TEXT, code)) return { shell: HTTP_ERROR_TEXT[code as HttpCode] }
  return null
}

const englishPlural = new Intl.PluralRules('en')

/**
 * Replace `{name}` placeholders; unknown names stay as they are. `{name|one|other}` picks the
 * English singular or plural by the number `name` (zh-CN needs none: its strings count with
 * a measure word, 个, and do not use the form).
 */
export function fill(text: string, vars: Readonly<Record<string, string | number>>): string {
  return text.replace(/\{([a-zA-Z]+)(?:\|([^|{}]*)\|([^|{}]*))?\}/g, (m, name: string, one?: string, other?: string) => {
    if (!Object.hasOwn(vars, name)) return m
    const value = vars[name]!
    if (one === undefined || other === undefined) return String(value)
    return englishPlural.select(Number(value)) === 'one' ? one : other
  })
}

/** What joins a label to its value: the full-width colon in Chinese, a colon and a space in English. */
export function labelSeparator(locale: Locale): string {
  return locale === 'zh-CN' ? '：' : ': '
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

/** An age in seconds as "3 minutes ago" / "3分钟前". */
export function formatAge(seconds: number, locale: Locale): string {
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'always' })
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return rtf.format(-s, 'second')
  if (s < 3600) return rtf.format(-Math.floor(s / 60), 'minute')
  if (s < 86_400) return rtf.format(-Math.floor(s / 3600), 'hour')
  return rtf.format(-Math.floor(s / 86_400), 'day')
}

/** A date and time for tables and axes. */
export function formatWhen(seconds: number, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(seconds * 1000))
}
