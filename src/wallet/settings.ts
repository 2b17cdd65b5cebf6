/**
 * The citizen's settings, kept sealed under the data key like everything else (`meta`
 * 'settings', record id `settings`), carried in the backup and restored with it.
 *
 * Today one setting: the citizen's own disclosure rules — claims this wallet never shares,
 * whoever asks ("never share my birth date"). The disclosure policy applies them before
 * consent (src/core/policy/disclosure.ts: a ruled-out claim is named and never sent; a request
 * that needs one cannot be answered). Read strictly: a stored or restored value that is not
 * exactly this shape is ERR_WALLET_RECORD_INVALID, never half-used.
 */
import { isJsonObject, type JsonObject } from '../core/bytes/json.ts'
import { fail, ok, type Verdict } from '../core/errors.ts'
import type { HolderRules } from '../core/policy/disclosure.ts'

export interface WalletSettings {
  rules: HolderRules
}

export const DEFAULT_SETTINGS: WalletSettings = { rules: { never: [] } }

/** At most this many rules; claim paths as the registry writes them (`birth_date`, `address.city`). */
export const MAX_RULES = 64
const CLAIM_PATH = /^[A-Za-z0-9_]{1,64}(?:\.[A-Za-z0-9_]{1,64}){0,7}$/

export function isRulePath(v: unknown): v is string {
  return typeof v === 'string' && CLAIM_PATH.test(v) && !v.split('.').some((s) => s === '_sd' || s === '_sd_alg')
}

export function parseSettings(v: unknown): Verdict<WalletSettings> {
  const bad = (why: string): Verdict<never> => fail('ERR_WALLET_RECORD_INVALID', `the settings: ${why}`)
  if (!isJsonObject(v) || Object.keys(v).join() !== 'rules') return bad('not { rules }')
  const rules = v.rules
  if (!isJsonObject(rules) || Object.keys(rules).join() !== 'never' || !Array.isArray(rules.never)) return bad('rules is not { never: [...] }')
  if (rules.never.length > MAX_RULES) return bad(`more than ${MAX_RULES} rules`)
  if (!rules.never.every(isRulePath)) return bad('a rule is not a claim path')
  if (new Set(rules.never).size !== rules.never.length) return bad('a rule appears twice')
  return ok({ rules: { never: [...(rules.never as string[])] } })
}

export function settingsJson(s: WalletSettings): JsonObject {
  return { rules: { never: [...s.rules.never] } }
}
