/**
 * How the explorer writes numbers, sizes, times and ages in the reader's language: Intl does the
 * work (so 1,032 is 1,032 in English and 1,032 in Chinese too, and "3 minutes ago" is 3分钟前).
 */
import type { Locale } from '../../i18n/strings.ts'
import { fill } from '../../i18n/text.ts'
import { explorerStrings } from '../../i18n/explorer.ts'

export function formatCount(n: number, locale: Locale): string {
  return new Intl.NumberFormat(locale).format(n)
}

export function formatBytes(n: number, locale: Locale): string {
  const nf = (v: number, digits: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(v)
  if (n < 1000) return fill(explorerStrings['ex.bytes.b'][locale], { n: nf(n, 0) })
  if (n < 1_000_000) return fill(explorerStrings['ex.bytes.kb'][locale], { n: nf(n / 1000, 1) })
  return fill(explorerStrings['ex.bytes.mb'][locale], { n: nf(n / 1_000_000, 1) })
}

export { formatAge, formatWhen } from '../../i18n/text.ts'

/** A short date for the ends of an axis. */
export function formatDay(seconds: number, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short' }).format(new Date(seconds * 1000))
}

export function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString()
}

/** A long hash or DID shortened in the middle, for the eye; the whole value stays in a title. */
export function middle(text: string, keep = 10): string {
  return text.length <= keep * 2 + 1 ? text : `${text.slice(0, keep)}…${text.slice(-keep)}`
}
