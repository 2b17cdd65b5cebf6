/**
 * How the wallet names things in the reader's language: the issuer's labels (its metadata's
 * display, by locale, falling back to English, then to any), a card's claims as rows (the
 * claims a person reads; the JWT and binding machinery is left out), dates.
 */
import type { Locale } from '../../i18n/strings.ts'
import type { Card } from '../../state/wallet.svelte.ts'

/** Claims that are the credential's machinery, not something it says about the holder. */
const TECHNICAL = new Set(['iss', 'iat', 'nbf', 'exp', 'cnf', 'status', 'vct', 'vct#integrity', 'sub', 'jti', '_sd', '_sd_alg'])

export function pick(labels: { readonly [locale: string]: string } | Readonly<Record<Locale, string>> | null | undefined, locale: Locale): string | null {
  if (!labels) return null
  const l = labels as { readonly [locale: string]: string | undefined }
  const lang = locale.split('-')[0]!
  return l[locale] ?? l[lang] ?? l.en ?? Object.values(l).find((v) => typeof v === 'string') ?? null
}

export interface ClaimRow {
  name: string
  label: string
  value: string | boolean
}

/** The card's claims a person reads, in the issuer's order where its metadata gives one. */
export function claimRows(card: Card, locale: Locale): ClaimRow[] {
  const names = Object.keys(card.claims).filter((n) => !TECHNICAL.has(n))
  const order = Object.keys(card.display.claims)
  names.sort((a, b) => (order.indexOf(a) === -1 ? 1e6 : order.indexOf(a)) - (order.indexOf(b) === -1 ? 1e6 : order.indexOf(b)))
  return names.map((name) => {
    const v = card.claims[name]
    return { name, label: pick(card.display.claims[name], locale) ?? name, value: typeof v === 'boolean' ? v : typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v) }
  })
}

/** The card's name: the issuer's label for the type, else its vct. */
export function cardName(card: Card, locale: Locale): string {
  return pick(card.display.name, locale) ?? card.vct
}

export function formatDate(seconds: number, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(seconds * 1000))
}
