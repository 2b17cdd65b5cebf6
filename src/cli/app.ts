/**
 * `civic app serve --dir <built app> --port <n> [--host 127.0.0.1]`: the PWA's static server
 * (src/node/static.ts). Prints one JSON line `{"ok":true,"url"}` once it listens; stops cleanly
 * on SIGINT or SIGTERM.
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { closeServer, listen } from '../node/http.ts'
import { createStaticServer } from '../node/static.ts'
import { intOption, printJson, untilStopped, UsageError } from './io.ts'

export const APP_USAGE = 'civic app serve --dir <built app> [--port <n>] [--host 127.0.0.1] [--connect <origin> …]'

export async function appCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  if (sub !== 'serve') throw new UsageError(sub ? `unknown command app ${sub}` : 'app needs serve')
  let o
  try {
    o = parseArgs({ args: rest, strict: true, options: { dir: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, connect: { type: 'string', multiple: true } } }).values
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  if (!o.dir) throw new UsageError('app serve needs --dir <built app>')
  const port = intOption(o.port, 'port') ?? 0
  if (port > 65535) throw new UsageError('--port must be 0..65535')
  const host = o.host ?? '127.0.0.1'
  const server = createStaticServer({ dir: resolve(o.dir), connect: o.connect ?? [], log: (l) => process.stderr.write(`app: ${l}\n`) })
  const url = await listen(server, port, host)
  printJson({ ok: true, url: `${url}/` })
  await untilStopped()
  await closeServer(server)
  return 0
}
