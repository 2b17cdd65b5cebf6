// The supervisor `civic start` runs its services under: a child is ready on its first JSON line
// with a url; a child killed with SIGKILL is restarted after a backoff; a restart that fails is
// tried again (the backoff doubling) until it succeeds; stop sends SIGTERM and the child exits.
import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Supervised } from '../../src/cli/supervisor.ts'

const root = mkdtempSync(join(tmpdir(), 'civic-supervisor-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until(what: () => boolean, ms: number): Promise<boolean> {
  for (let t = 0; t < ms && !what(); t += 100) await sleep(100)
  return what()
}

describe('Supervised', () => {
  it('restarts a killed child, retries a failed restart with backoff, and stops it', async () => {
    const dir = join(root, 'app')
    mkdirSync(dir)
    writeFileSync(join(dir, 'index.html'), '<div id="app"></div>')
    const logs: string[] = []
    const child = new Supervised({ name: 'app', args: ['app', 'serve', '--dir', dir, '--port', '0'] }, (l) => logs.push(l))
    try {
      const ready = await child.start()
      expect((await fetch(ready.url)).status).toBe(200)
      // the next start will fail: its directory is gone
      renameSync(dir, `${dir}.away`)
      const first = child.pid!
      process.kill(first, 'SIGKILL')
      expect(await until(() => logs.some((l) => l.startsWith('app did not restart')), 15_000)).toBe(true)
      expect(logs.join('\n')).toMatch(/app exited \(SIGKILL\); restarting in 500 ms/)
      expect(logs.join('\n')).toMatch(/app did not restart: .*; restarting in 1000 ms/)
      renameSync(`${dir}.away`, dir)
      expect(await until(() => logs.some((l) => /^app restarted \(pid \d+\)/.test(l)), 20_000)).toBe(true)
      expect(child.pid).not.toBe(first)
      expect((await fetch(child.ready!.url)).status).toBe(200)
    } finally {
      await child.stop(2000)
    }
    expect(child.process!.exitCode ?? child.process!.signalCode).not.toBeNull()
  }, 60_000)
})
