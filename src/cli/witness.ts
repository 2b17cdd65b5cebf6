/**
 * `civic witness serve | info`: run a c2sp.org/tlog-witness witness for other agencies' logs,
 * or print the identity of one. Each witness has its own Ed25519 cosignature/v1 key, created in
 * its data directory on first start.
 *
 * serve prints one JSON line `{"name","verifierKey","url"}` once it listens, logs operator
 * events (misbehaviour, storage failures) to standard error, and stops cleanly on SIGINT or
 * SIGTERM (exit 0). info prints one JSON line `{"name","verifierKey"}`.
 */
import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import { InputError } from '../core/errors.ts'
import { parseVerifierKey, SIG_TYPE_ED25519 } from '../core/log/note.ts'
import { createWitnessServer, type WitnessLogConfig } from '../ledger/witness/server.ts'
import { readWitnessIdentity } from '../ledger/witness/state.ts'
import { untilStopped, UsageError } from './io.ts'

export const WITNESS_USAGE = `civic witness serve --data <dir> --port <n> [--host 127.0.0.1] --name <witness key name> --log <origin>=<vkey> [--log …]
civic witness info --data <dir>`

export interface WitnessCommandIo {
  stdout?: (text: string) => void
  stderr?: (text: string) => void
  /** Stops `serve` (besides SIGINT/SIGTERM); for embedding and tests. */
  signal?: AbortSignal
}

/**
 * `<origin>=<vkey>`. The vkey holds `=` (base64 padding) and origins might too, so every `=` is
 * tried from the left and the first split whose right side is a valid verifier key wins (the
 * key ID binds the key name, so a wrong split does not parse).
 */
export function parseLogOption(value: string): WitnessLogConfig {
  let lastError = 'expected <origin>=<vkey>'
  for (let i = value.indexOf('='); i > 0; i = value.indexOf('=', i + 1)) {
    const vkey = value.slice(i + 1)
    try {
      if (parseVerifierKey(vkey).type !== SIG_TYPE_ED25519) {
        lastError = 'a log key is an Ed25519 note verifier key (type 0x01), not a witness key'
        continue
      }
      return { origin: value.slice(0, i), vkey }
    } catch (e) {
      if (!(e instanceof InputError)) throw e
      lastError = e.detail
    }
  }
  throw new UsageError(`--log ${JSON.stringify(value.slice(0, 200))}: ${lastError}`)
}

function options<T extends Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>>(argv: string[], spec: T) {
  try {
    return parseArgs({ args: argv, options: spec, strict: true, allowPositionals: false }).values
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
}

export async function witnessCommand(argv: string[], io: WitnessCommandIo = {}): Promise<number> {
  const out = io.stdout ?? ((t: string): void => void process.stdout.write(t))
  const err = io.stderr ?? ((t: string): void => void process.stderr.write(t))
  const [sub, ...rest] = argv
  if (sub === 'info') {
    const o = options(rest, { data: { type: 'string' } })
    if (!o.data) throw new UsageError('witness info needs --data <dir>')
    const id = await readWitnessIdentity(resolve(o.data))
    out(`${JSON.stringify({ name: id.name, verifierKey: id.verifierKey })}\n`)
    return 0
  }
  if (sub !== 'serve') throw new UsageError(sub ? `unknown witness command ${sub}` : 'witness needs serve or info')

  const o = options(rest, {
    data: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    name: { type: 'string' },
    log: { type: 'string', multiple: true },
  })
  if (!o.data) throw new UsageError('witness serve needs --data <dir>')
  if (!o.name) throw new UsageError('witness serve needs --name <witness key name>')
  if (o.port === undefined || !/^(0|[1-9][0-9]{0,4})$/.test(o.port) || Number(o.port) > 65535) throw new UsageError('witness serve needs --port <0..65535> (0: any free port)')
  const port = Number(o.port)
  const logs = (o.log ?? []).map(parseLogOption)
  if (logs.length === 0) throw new UsageError('witness serve needs at least one --log <origin>=<vkey>')
  const host = o.host ?? '127.0.0.1'

  const witness = await createWitnessServer({
    dataDir: resolve(o.data),
    name: o.name,
    logs,
    log: (line) => err(`${line}\n`),
  })
  let url: string
  try {
    url = await witness.listen(port, host)
  } catch (e) {
    await witness.close()
    throw e
  }
  out(`${JSON.stringify({ name: witness.name, verifierKey: witness.verifierKey, url })}\n`)
  await untilStopped(io.signal)
  await witness.close()
  return 0
}
