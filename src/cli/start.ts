/**
 * `civic start`: the whole system on embedded defaults, on loopback. Builds the PWA and serves
 * it, then prints each role's URL. Stops cleanly on Ctrl-C.
 */
import { parseArgs } from 'node:util'
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { UsageError, intOption } from './io.ts'

export const START_USAGE = 'civic start [--data <dir>] [--port <n>] [--host 127.0.0.1]'

export async function startCommand(argv: string[]): Promise<number> {
  let o
  try {
    o = parseArgs({ args: argv, options: { data: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } }, strict: true }).values
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  const port = intOption(o.port, 'port') ?? 8080
  if (port < 1 || port > 65535) throw new UsageError('--port must be 1..65535')
  const host = o.host ?? '127.0.0.1'
  const data = resolve(o.data ?? '.civic')
  mkdirSync(data, { recursive: true })

  const { build, preview } = await import('vite')
  const root = resolve(import.meta.dirname, '../..')
  process.stdout.write('building the app…\n')
  await build({ root, logLevel: 'warn', mode: 'production' })
  const server = await preview({ root, preview: { host, port, strictPort: true }, logLevel: 'warn' })
  const base = `http://${host}:${port}/`
  process.stdout.write(
    [
      '',
      'Civic Wallet is running:',
      `  citizen wallet     ${base}#/wallet`,
      `  service counter    ${base}#/counter`,
      `  issuer console     ${base}#/issuer`,
      `  ledger explorer    ${base}#/explorer`,
      `  data directory     ${data}`,
      '',
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  )
  await new Promise<void>((done) => {
    const stop = () => {
      process.stdout.write('stopping…\n')
      server.httpServer.close(() => done())
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  return 0
}
