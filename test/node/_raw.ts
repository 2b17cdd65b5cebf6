/** Raw HTTP/1.1 over TCP, for what fetch will not send (malformed request lines, odd targets). */
import { connect } from 'node:net'

/** One raw exchange: what the server sends until it closes (or `ms` pass). */
export function rawExchange(port: number, text: string, ms = 3000, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, host)
    let out = ''
    const t = setTimeout(() => s.destroy(), ms)
    s.on('data', (d) => (out += d))
    s.on('close', () => (clearTimeout(t), resolve(out)))
    s.on('error', () => {})
    s.write(text)
  })
}

export const statusLine = (raw: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? -1)
export const codeIn = (raw: string): string | undefined => /"code":"(ERR_[A-Z0-9_]+)"/.exec(raw)?.[1]
