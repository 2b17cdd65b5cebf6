// The disclosure policy: the registration first (over-asking unticked, sent only by a per-claim
// override, blocking when required), the holder's rules next (never sent, blocking when
// required), then minimum disclosure (an optional raw value a predicate answers starts unticked).
import { describe, expect, it } from 'vitest'
import { chooseDisclosure, planDisclosure } from '../../../src/core/policy/disclosure.ts'

const card = new Set(['family_name', 'given_name', 'birth_date', 'age_over_18', 'address.city', 'address.district'])
const held = (p: string) => card.has(p)
const none = { never: [] as string[] }
const pick = (ticked: string[] = [], overridden: string[] = []) => ({ ticked: new Set(ticked), overridden: new Set(overridden) })

describe('planDisclosure / chooseDisclosure', () => {
  it('sends required allowed claims and the optional ones left ticked', () => {
    const plan = planDisclosure([{ path: 'family_name', required: true }, { path: 'address.district', required: false }], { allowed: ['family_name', 'address.district'], held, rules: none })
    expect(plan.ok && plan.value.rows.map((r) => [r.path, r.state, r.on])).toEqual([['family_name', 'required', true], ['address.district', 'optional', false]])
    if (!plan.ok) return
    expect(chooseDisclosure(plan.value, pick(['address.district']))).toEqual({ ok: true, value: ['family_name', 'address.district'] })
    expect(chooseDisclosure(plan.value, pick())).toEqual({ ok: true, value: ['family_name'] })
  })

  it('marks over-asking, sends it only when overridden claim by claim, and blocks a required one without override', () => {
    const plan = planDisclosure([{ path: 'age_over_18', required: true }, { path: 'birth_date', required: true }, { path: 'address.city', required: false }], { allowed: ['age_over_18'], held, rules: none })
    if (!plan.ok) throw new Error(plan.detail)
    expect(plan.value.rows.map((r) => r.state)).toEqual(['required', 'overasked', 'overasked'])
    expect(plan.value.rows.filter((r) => r.on).map((r) => r.path)).toEqual(['age_over_18'])
    expect(chooseDisclosure(plan.value, pick(['birth_date', 'address.city']))).toMatchObject({ ok: false, code: 'ERR_EXCH_OVERASKING' })
    expect(chooseDisclosure(plan.value, pick([], ['birth_date']))).toEqual({ ok: true, value: ['age_over_18', 'birth_date'] })
    expect(chooseDisclosure(plan.value, pick([], ['birth_date', 'address.city']))).toEqual({ ok: true, value: ['age_over_18', 'birth_date', 'address.city'] })
  })

  it('never sends what the holder\'s rules rule out, even overridden; a request that needs it cannot be answered', () => {
    const optional = planDisclosure([{ path: 'family_name', required: true }, { path: 'birth_date', required: false }], { allowed: ['family_name', 'birth_date'], held, rules: { never: ['birth_date'] } })
    if (!optional.ok) throw new Error(optional.detail)
    expect(optional.value.rows[1]).toMatchObject({ state: 'ruled-out', on: false })
    expect(chooseDisclosure(optional.value, pick(['birth_date'], ['birth_date']))).toEqual({ ok: true, value: ['family_name'] })
    const required = planDisclosure([{ path: 'birth_date', required: true }], { allowed: ['birth_date'], held, rules: { never: ['birth_date'] } })
    if (!required.ok) throw new Error(required.detail)
    expect(chooseDisclosure(required.value, pick(['birth_date'], ['birth_date']))).toMatchObject({ ok: false, code: 'ERR_POLICY_HOLDER_RULE' })
  })

  it('starts every optional claim unticked, and names the predicate that already answers a raw value', () => {
    const plan = planDisclosure([{ path: 'age_over_18', required: true }, { path: 'birth_date', required: false }], { allowed: ['age_over_18', 'birth_date'], held, rules: none })
    expect(plan.ok && plan.value.rows[1]).toEqual({ path: 'birth_date', required: false, state: 'optional', on: false, answeredBy: 'age_over_18' })
    const alone = planDisclosure([{ path: 'birth_date', required: false }], { allowed: ['birth_date'], held, rules: none })
    expect(alone.ok && alone.value.rows[0]).toEqual({ path: 'birth_date', required: false, state: 'optional', on: false })
  })

  it('refuses a request that needs a claim the credential does not hold; skips a missing optional one', () => {
    expect(planDisclosure([{ path: 'nationality', required: true }], { allowed: ['nationality'], held, rules: none })).toMatchObject({ ok: false, code: 'ERR_EXCH_CLAIM_MISSING' })
    const plan = planDisclosure([{ path: 'family_name', required: true }, { path: 'nationality', required: false }], { allowed: ['family_name', 'nationality'], held, rules: none })
    expect(plan.ok && plan.value.rows.map((r) => r.path)).toEqual(['family_name'])
  })
})
