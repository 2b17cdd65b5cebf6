/**
 * What a request would take from a card, decided before anything is shown to the citizen: the
 * consent screen draws this plan, and only what it allows can leave.
 *
 * A request names a registered verifier, one of its registered purposes and the claims it asks
 * for, each needed or optional. The plan holds the verifier's registered name and retention
 * promise (from the ledger registry, not from the request), the purpose's name, and per claim
 * asked for: `required` (needed, allowed by the registration, in the card), `optional` (the
 * citizen may untick it), or `not-allowed` (asked for but not registered for the purpose: never
 * sent, and shown as such). A request whose verifier is not registered now, whose purpose is not
 * the verifier's, whose purpose is for another credential type, or that needs a claim the card
 * does not hold, is refused whole (ERR_WALLET_REQUEST_INVALID, or the registry's code).
 */
import { fail, ok, type Verdict } from '../core/errors.ts'
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
  claims: readonly RequestedClaim[]
}

export type ConsentState = 'required' | 'optional' | 'not-allowed'

export interface ConsentRow {
  path: string
  state: ConsentState
}

export interface ConsentPlan {
  verifier: { did: string; name: LocalizedText }
  purpose: { id: string; name: LocalizedText }
  retention: RetentionPromise
  rows: ConsentRow[]
}

/** The plan for answering `request` from `card`, or why the wallet will not answer it. */
export function consentPlan(request: ConsentRequest, card: Card): Verdict<ConsentPlan> {
  if (!request.verifier.ok) return request.verifier
  const v = request.verifier.value
  const purpose = v.purposes.find((p) => p.id === request.purposeId)
  if (!purpose) return fail('ERR_WALLET_REQUEST_INVALID', `${v.did} has no registered purpose ${request.purposeId.slice(0, 80)}`)
  if (purpose.vct !== card.vct) return fail('ERR_WALLET_REQUEST_INVALID', `the purpose ${purpose.id} is for ${purpose.vct}, not ${card.vct}`)
  const allowed = new Set(purpose.claims)
  const rows: ConsentRow[] = []
  const seen = new Set<string>()
  for (const c of request.claims) {
    if (seen.has(c.path)) return fail('ERR_WALLET_REQUEST_INVALID', `the request asks for ${c.path.slice(0, 80)} twice`)
    seen.add(c.path)
    if (!allowed.has(c.path)) {
      rows.push({ path: c.path, state: 'not-allowed' })
      continue
    }
    const held = Object.hasOwn(card.claims, c.path)
    if (!held && c.required) return fail('ERR_WALLET_REQUEST_INVALID', `the request needs ${c.path.slice(0, 80)}, which this credential does not hold`)
    if (held) rows.push({ path: c.path, state: c.required ? 'required' : 'optional' })
  }
  return ok({ verifier: { did: v.did, name: { ...v.name } }, purpose: { id: purpose.id, name: { ...purpose.name } }, retention: { days: v.retention.days, promise: { ...v.retention.promise } }, rows })
}

/** The claims that leave: every required one, and the optional ones the citizen left ticked; never a not-allowed one. */
export function disclosedClaims(plan: ConsentPlan, ticked: ReadonlySet<string>): string[] {
  return plan.rows.filter((r) => r.state === 'required' || (r.state === 'optional' && ticked.has(r.path))).map((r) => r.path)
}
