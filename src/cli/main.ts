/**
 * `civic <command>`: the project's command line. Each command module owns its arguments;
 * this file dispatches and turns coded errors into exit status (2 usage, 1 refused input).
 */
import { CivicError } from '../core/errors.ts'
import { UsageError } from './io.ts'
import { sdJwtCommand, SD_JWT_USAGE } from './sd-jwt.ts'
import { startCommand, START_USAGE } from './start.ts'
import { logCommand, LOG_VERIFY_USAGE } from './log-verify.ts'
import { ledgerCommand, LEDGER_USAGE } from './ledger.ts'
import { witnessCommand, WITNESS_USAGE } from './witness.ts'
import { issuerCommand, ISSUER_USAGE } from './issuer.ts'
import { verifierCommand, VERIFIER_USAGE } from './verifier.ts'
import { appCommand, APP_USAGE } from './app.ts'
import { followSupervisor } from './supervisor.ts'
import { keyCommand, KEY_USAGE } from './key.ts'

const USAGE = `usage:
${START_USAGE}
${SD_JWT_USAGE}
${LOG_VERIFY_USAGE}
${LEDGER_USAGE}
${WITNESS_USAGE}
${ISSUER_USAGE}
${VERIFIER_USAGE}
${APP_USAGE}
${KEY_USAGE}
civic help`

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv
  // A service run by `civic start` stops when its supervisor goes away.
  followSupervisor()
  try {
    if (cmd === 'sd-jwt') return await sdJwtCommand(rest)
    if (cmd === 'start') return await startCommand(rest)
    if (cmd === 'log') return await logCommand(rest)
    if (cmd === 'ledger') return await ledgerCommand(rest)
    if (cmd === 'witness') return await witnessCommand(rest)
    if (cmd === 'issuer') return await issuerCommand(rest)
    if (cmd === 'verifier') return await verifierCommand(rest)
    if (cmd === 'app') return await appCommand(rest)
    if (cmd === 'key') return await keyCommand(rest)
    if (cmd === 'help' || cmd === '--help' || cmd === '-h') {
      process.stdout.write(`${USAGE}\n`)
      return 0
    }
    throw new UsageError(cmd ? `unknown command ${cmd}` : 'no command given')
  } catch (e) {
    if (!(e instanceof CivicError)) throw e
    const usage = e instanceof UsageError || e.code === 'ERR_CLI_FILE' || e.code === 'ERR_LEDGER_CONFIG' || e.code === 'ERR_JWK_INVALID' || e.code === 'ERR_SDJWT_FRAME_INVALID' || e.code.startsWith('ERR_JSON_')
    const line = JSON.stringify({ ok: false, code: e.code, detail: e.detail })
    // `verify` promises one JSON line on standard output whatever happens.
    if ((cmd === 'sd-jwt' || cmd === 'log') && rest[0] === 'verify') process.stdout.write(`${line}\n`)
    else process.stderr.write(`${line}\n`)
    if (e instanceof UsageError) process.stderr.write(`${USAGE}\n`)
    return usage ? 2 : 1
  }
}
