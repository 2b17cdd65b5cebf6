/** Reading the files and standard input a command names; printing one JSON line. */
import { readFileSync } from 'node:fs'
import { CivicError } from '../core/errors.ts'
import { parseJson, type JsonValue } from '../core/bytes/json.ts'

/** Standard input is read up to this many bytes; more is cut and left to the verifier's caps. */
export const MAX_STDIN_BYTES = 16 * 1024 * 1024

export class UsageError extends CivicError {
  constructor(detail: string) {
    super('ERR_CLI_USAGE', detail)
  }
}

export function readJsonFile(path: string, what: string): JsonValue {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new CivicError('ERR_CLI_FILE', `cannot read ${what} file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`)
  }
  return parseJson(text, { maxLength: 1 << 20, maxDepth: 32 }, `${what} file`)
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    chunks.push(chunk)
    size += chunk.length
    if (size > MAX_STDIN_BYTES) break
  }
  return Buffer.concat(chunks).subarray(0, MAX_STDIN_BYTES + 1).toString('utf8').trim()
}

export function printJson(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v)}\n`)
}

export function intOption(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined
  if (!/^(0|[1-9][0-9]{0,11})$/.test(v)) throw new UsageError(`--${name} must be a whole number of seconds`)
  return Number(v)
}

/** Resolves on SIGINT, SIGTERM or `signal`'s abort, whichever comes first; then forgets all three. */
export function untilStopped(signal?: AbortSignal): Promise<void> {
  return new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      signal?.removeEventListener('abort', stop)
      done()
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    if (signal?.aborted) stop()
    else signal?.addEventListener('abort', stop)
  })
}
