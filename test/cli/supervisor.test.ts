// The supervisor `civic start` runs its services under: a child is ready on its first JSON line
// with a url; a child killed with SIGKILL is restarted after a backoff; a restart that fails is
// tried again (the backoff doubling) until it succeeds; stop sends SIGTERM and the child exits.
// A child that refuses to start (an issuer whose issuer.json names a single-log ledger) rejects
// its start at once, and `civic start` reports the child's own coded refusal (childRefusal).
import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Supervised } from '../../src/cli/supervisor.ts'
import { childRefusal } from '../../src/cli/start.ts'
import { CivicError } from '../../src/core/errors.ts'
import { initIssuer } from '../../src/issuer/service.ts'
import { PSB, PSB_NAME, STATUS_BASE, unreachableTrust } from '../issuer/_world.ts'

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

  it('a child that refuses to start rejects at once; its own coded refusal is what civic start reports', async () => {
    const dir = join(root, 'issuer-psb')
    await initIssuer(dir, { did: PSB, name: PSB_NAME, statusListBase: STATUS_BASE, ledger: unreachableTrust() })
    // issuer.json as an office made for a single-log ledger wrote it
    const c = JSON.parse(readFileSync(join(dir, 'issuer.json'), 'utf8'))
    writeFileSync(join(dir, 'issuer.json'), JSON.stringify({ ...c, version: 1, ledger: { url: c.ledger.url, ...c.ledger.registry, witnessKeys: [], quorum: 0 } }))
    const child = new Supervised({ name: 'issuer-psb', args: ['issuer', 'serve', '--data', dir, '--port', '0'] }, () => {})
    const t0 = Date.now()
    const e = await child.start().then(() => null, (x: unknown) => x)
    expect(Date.now() - t0).toBeLessThan(30_000)
    expect(e).toBeInstanceOf(CivicError)
    expect((e as CivicError).detail).toMatch(/^issuer-psb exited \(1\) before it was ready: /)
    const plain = childRefusal('issuer-psb', e) as CivicError
    expect(plain).toBeInstanceOf(CivicError)
    expect(plain.code).toBe('ERR_ISSUER_CONFIG')
    expect(plain.detail).toMatch(/^issuer-psb: issuer\.json is version 1: it was made for a single-log ledger/)
    // anything else passes through as it was
    const other = new CivicError('ERR_CLI_USAGE', 'app was not ready within 60000 ms: ')
    expect(childRefusal('app', other)).toBe(other)
    await child.stop(2000)
  }, 60_000)
})
