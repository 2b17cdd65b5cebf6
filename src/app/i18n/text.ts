/**
 * The app's text helpers: placeholders filled into translated strings, and times shown in the
 * reader's language. Each role's table maps the error codes its screens can meet to their
 * texts (design §8 rule 4), e.g. issuer.ts ISSUER_ERROR_TEXT.
 */
import type { Locale } from './strings.ts'

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
