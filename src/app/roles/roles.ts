/**
 * The four roles as the shell presents them: the strings that name each one, and what its
 * screen promises to do; and the titles of the screens beyond them (the verifier console),
 * which the shell names in the window title without loading their chunk.
 */
import type { Entry, StringKey } from '../i18n/strings.ts'
import type { Console, Role } from '../state/router.svelte.ts'

export interface RoleInfo {
  readonly title: StringKey
  readonly audience: StringKey
  readonly summary: StringKey
  readonly duties: readonly StringKey[]
}

export const roleInfo: Readonly<Record<Role, RoleInfo>> = {
  wallet: {
    title: 'wallet.title',
    audience: 'wallet.audience',
    summary: 'wallet.summary',
    duties: ['wallet.duty.keep', 'wallet.duty.scan', 'wallet.duty.choose', 'wallet.duty.log'],
  },
  counter: {
    title: 'counter.title',
    audience: 'counter.audience',
    summary: 'counter.summary',
    duties: ['counter.duty.request', 'counter.duty.scan', 'counter.duty.verdict', 'counter.duty.forget'],
  },
  issuer: {
    title: 'issuer.title',
    audience: 'issuer.audience',
    summary: 'issuer.summary',
    duties: ['issuer.duty.issue', 'issuer.duty.revoke', 'issuer.duty.anchor'],
  },
  explorer: {
    title: 'explorer.title',
    audience: 'explorer.audience',
    summary: 'explorer.summary',
    duties: ['explorer.duty.browse', 'explorer.duty.verify', 'explorer.duty.nothingPersonal'],
  },
}

/** The title of each screen beyond the roles, in both languages. */
export const consoleTitles = {
  verifier: { 'zh-CN': '核验方控制台', en: 'Verifier console' },
} as const satisfies Readonly<Record<Console, Entry>>
