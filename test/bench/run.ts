/**
 * `npm run bench`: every figure measured in one run on this machine, one line each:
 * `<ID> <what>: <value> (goal <op> <goal>)`, followed by a `#` line with the raw numbers.
 */
import { benchSdJwt } from './sdjwt.ts'
import { benchLedger } from './ledger.ts'
import { benchStatusList } from './status.ts'
import { benchTrust } from './trust.ts'
import { formatFigure, type Figure } from './measure.ts'

const suites: [string, () => Promise<Figure[]>][] = [
  ['sd-jwt', benchSdJwt],
  ['ledger', benchLedger],
  ['status list', benchStatusList],
  ['trust engine', benchTrust],
]

let missed = 0
for (const [name, run] of suites) {
  for (const f of await run()) {
    process.stdout.write(`${formatFigure(f)}\n`)
    if (f.note) process.stdout.write(`#   ${f.note}\n`)
    const met = f.op === '<=' ? f.value <= f.goal : f.value >= f.goal
    if (!met) missed++
  }
  void name
}
process.stdout.write(`# ${missed === 0 ? 'all goals met' : `${missed} goal(s) missed`}\n`)
