/**
 * What a request would take from a card, decided before anything is shown to the citizen: the
 * consent screen draws this plan, and only what it allows can leave.
 *
 * A request names a registered verifier, one of its registered purposes and the claims it asks
 * for, each needed or optional. The plan holds the verifier's registered name and the purpose's
 * name, why, retention promise and contact (all from the ledger registry, not from the
 * request), and per claim
 * the disclosure policy's row (src/core/policy/disclosure.ts): `required`, `optional` (starts
 * unticked), `overasked` (beyond the registered purpose: sent only if the citizen allows that
 * one claim; a needed one blocks the answer until then) or `ruled-out` (the citizen's own
 * rules never share it). A request whose verifier is not registered now, whose purpose is not
 * the verifier's, whose purpose is for another credential type, or that needs a claim the card
 * does not hold, is refused whole (ERR_WALLET_REQUEST_INVALID, or the registry's code).
 */
import { fail, ok, type Verdict } from '../core/errors.ts'
import { chooseDisclosure, planDisclosure, type HolderRules, type PolicyRow } from '../core/policy/disclosure.ts'
import type { LocalizedText, RetentionPromise } from '../core/registry/entry.ts'
import type { VerifierRecord } from '../core/registry/state.ts'
import type { Card } from './wallet.ts'

export interface RequestedClaim {
  path: string
  required: boolean
}

export interface ConsentRequest {
  /** The verifier's registration as the trust engine reads it now (a verdict: it may be unknown or suspended). */
  verifier: Verdict<VerifierRecord>
  purposeId: string
  /** The credential type asked for, when the request names one (it must be the purpose's). */
  vct?: string
  claims: readonly RequestedClaim[]
}

export type ConsentRow = PolicyRow

export interface ConsentPlan {
  verifier: { did: string; name: LocalizedText }
  purpose: { id: string; name: LocalizedText; why: LocalizedText }
  retention: RetentionPromise
  /** Whom to ask about this purpose: mailto:, tel: or https: (the registry admits nothing else). */
  contact: string
  rows: ConsentRow[]
}

/** A claim's value in a card's claims, by dotted path. */
function holds(card: Card, path: string): boolean {
  let v: unknown = card.claims
  for (const seg of path.split('.')) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, seg)) return false
    v = (v as Record<string, unknown>)[seg]
  }
  return true
}

/** The plan for answering `request` from `card`, or why the wallet will not answer it. */
export function consentPlan(request: ConsentRequest, card: Card, rules: HolderRules = { never: [] }): Verdict<ConsentPlan> {
  if (!request.verifier.ok) return request.verifier
  const v = request.verifier.value
  const purpose = v.purposes.find((p) => p.id === request.purposeId)
  if (!purpose) return fail('ERR_WALLET_REQUEST_INVALID', `${v.did} has no registered purpose ${request.purposeId.slice(0, 80)}`)
  if (purpose.vct !== card.vct) return fail('ERR_WALLET_REQUEST_INVALID', `the purpose ${purpose.id} is for ${purpose.vct}, not ${card.vct}`)
  if (request.vct !== undefined && request.vct !== purpose.vct) return fail('ERR_WALLET_REQUEST_INVALID', `the request asks for ${request.vct.slice(0, 80)}, the purpose is for ${purpose.vct}`)
  if (new Set(request.claims.map((c) => c.path)).size !== request.claims.length) return fail('ERR_WALLET_REQUEST_INVALID', 'the request asks for a claim twice')
  const plan = planDisclosure(request.claims, { allowed: purpose.claims, held: (p) => holds(card, p), rules })
  if (!plan.ok) return fail('ERR_WALLET_REQUEST_INVALID', plan.detail)
  return ok({
    verifier: { did: v.did, name: { ...v.name } },
    purpose: { id: purpose.id, name: { ...purpose.name }, why: { ...purpose.why } },
    retention: { days: purpose.retention.days, promise: { ...purpose.retention.promise } },
    contact: purpose.contact,
    rows: plan.value.rows,
  })
}

/**
 * The claims that leave: every required one, the optional ones left ticked and the over-asked
 * ones the citizen allowed; never a ruled-out one. A verdict: ERR_EXCH_OVERASKING while a
 * needed over-asked claim is not allowed, ERR_POLICY_HOLDER_RULE when a needed claim is ruled out.
 */
export function disclosedClaims(plan: ConsentPlan, ticked: ReadonlySet<string>, allowed: ReadonlySet<string> = new Set()): Verdict<string[]> {
  return chooseDisclosure({ rows: plan.rows }, { ticked, overridden: allowed })
}
