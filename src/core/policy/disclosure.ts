/**
 * What leaves the device (design §6 step 2, the guiding rule: share trusted data, expose as
 * little as possible). Decided before the consent screen draws anything, from three sources
 * and in this order:
 *
 * 1. The registration: the verifier's purpose on the ledger lists the claims it may ask for.
 *    A claim asked for beyond it is `overasked`: unticked, shown as such, and sent only when
 *    the holder overrides that one claim. A required over-asked claim left without override
 *    blocks the answer (ERR_EXCH_OVERASKING).
 * 2. The holder's own rules ("never share my birth date"): a claim they name is `ruled-out`,
 *    never sent — not even by an override on this screen; a request that needs one cannot be
 *    answered (ERR_POLICY_HOLDER_RULE). The rule is changed in settings, not under pressure at
 *    a counter.
 * 3. Minimum disclosure: nothing that need not leave starts ticked — every optional claim
 *    starts unticked, and a raw value that a predicate in the same request already answers
 *    (birth_date when age_over_18 is asked too) says so (`answeredBy`).
 *
 * Required, allowed claims are sent; optional ones as ticked. A required claim the credential
 * does not hold makes the request unanswerable from it (ERR_EXCH_CLAIM_MISSING).
 */
import { fail, ok, type Verdict } from '../errors.ts'

export interface AskedClaim {
  path: string
  required: boolean
}

export type RowState = 'required' | 'optional' | 'overasked' | 'ruled-out'

export interface PolicyRow {
  path: string
  required: boolean
  state: RowState
  /** Ticked when the screen opens. */
  on: boolean
  /** A predicate asked in the same request that already answers this raw value. */
  answeredBy?: string
}

export interface DisclosurePlan {
  rows: PolicyRow[]
}

export interface HolderRules {
  /** Claim paths this holder never shares. */
  never: readonly string[]
}

/** Raw values and the predicates that answer what a counter usually wants of them. */
export const PREDICATES: Readonly<Record<string, readonly string[]>> = {
  birth_date: ['age_over_18', 'age_over_21', 'age_over_60', 'age_over_65'],
  birthdate: ['age_over_18', 'age_over_21', 'age_over_60', 'age_over_65'],
}

export function planDisclosure(asked: readonly AskedClaim[], o: { allowed: readonly string[]; held: (path: string) => boolean; rules: HolderRules }): Verdict<DisclosurePlan> {
  const allowed = new Set(o.allowed)
  const never = new Set(o.rules.never)
  const askedPaths = new Set(asked.map((c) => c.path))
  const rows: PolicyRow[] = []
  for (const c of asked) {
    const held = o.held(c.path)
    if (!held) {
      if (c.required) return fail('ERR_EXCH_CLAIM_MISSING', `the request needs ${c.path.slice(0, 80)}, which this credential does not hold`)
      continue
    }
    if (never.has(c.path)) {
      rows.push({ path: c.path, required: c.required, state: 'ruled-out', on: false })
      continue
    }
    if (!allowed.has(c.path)) {
      rows.push({ path: c.path, required: c.required, state: 'overasked', on: false })
      continue
    }
    const predicate = (PREDICATES[c.path] ?? []).find((p) => askedPaths.has(p) && allowed.has(p) && o.held(p) && !never.has(p))
    if (c.required) rows.push({ path: c.path, required: true, state: 'required', on: true })
    else rows.push({ path: c.path, required: false, state: 'optional', on: false, ...(predicate ? { answeredBy: predicate } : {}) })
  }
  return ok({ rows })
}

/**
 * The claims that leave, given what the holder left ticked and which over-asked claims they
 * overrode, or why no answer can be given. Required allowed claims always go; a ruled-out
 * claim never does.
 */
export function chooseDisclosure(plan: DisclosurePlan, choice: { ticked: ReadonlySet<string>; overridden: ReadonlySet<string> }): Verdict<string[]> {
  const out: string[] = []
  for (const r of plan.rows) {
    if (r.state === 'required') out.push(r.path)
    else if (r.state === 'optional') {
      if (choice.ticked.has(r.path)) out.push(r.path)
    } else if (r.state === 'overasked') {
      if (choice.overridden.has(r.path)) out.push(r.path)
      else if (r.required) return fail('ERR_EXCH_OVERASKING', `${r.path.slice(0, 80)} is beyond the registered purpose; it is sent only if you allow it`)
    } else if (r.required) return fail('ERR_POLICY_HOLDER_RULE', `the request needs ${r.path.slice(0, 80)}, which your rules never share`)
  }
  return ok(out)
}
