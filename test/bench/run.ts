/**
 * `npm run bench`: every figure measured in one run on this machine, one line each:
 * `<ID> <what>: <value> (goal <op> <goal>)` — or `(for the record)` where there is no goal —
 * followed by a `#` line with the raw numbers.
 */
import { benchSdJwt } from './sdjwt.ts'
import { benchLedger } from './ledger.ts'
import { benchStatusList } from './status.ts'
import { benchTrust } from './trust.ts'
import { benchWallet } from './wallet.ts'
import { benchExchange } from './exchange.ts'
import { benchCounter } from './counter.ts'
import { formatFigure, type Figure } from './measure.ts'

const suites: [string, () => Promise<Figure[]>][] = [
  ['sd-jwt', benchSdJwt],
  ['ledger', benchLedger],
  ['status list', benchStatusList],
  ['trust engine', benchTrust],
  ['wallet', benchWallet],
  ['exchange', benchExchange],
  ['counter', benchCounter],
]
/** `npm run bench -- wallet` runs the suites whose name holds the word; no word runs them all. */
const only = process.argv[2]

let missed = 0
for (const [name, run] of suites) {
  if (only !== undefined && !name.includes(only)) continue
  for (const f of await run()) {
    process.stdout.write(`${formatFigure(f)}\n`)
    if (f.note) process.stdout.write(`#   ${f.note}\n`)
    const met = f.op === '<=' ? f.value <= f.goal : f.value >= f.goal
    if (!met) missed++
  }
}
process.stdout.write(`# ${missed === 0 ? 'all goals met' : `${missed} goal(s) missed`}\n`)
