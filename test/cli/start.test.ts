// `civic start` (what `npm start` runs): the whole system on loopback — the PWA, the ledger
// with three witnesses — with every URL printed; a clean stop on SIGINT; a second start
// reuses the data (same ledger key, same tree).
import { afterAll, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'node:net'
import { verifyLog } from '../../src/cli/log-verify.ts'
import { PROJECT_ROOT } from '../support/vectors.ts'

const data = mkdtempSync(join(tmpdir(), 'civic-start-'))
afterAll(() => rmSync(data, { recursive: true, force: true }))

/** A base port with the next six free too (ledger, witnesses and issuers sit above it). */
async function freeBase(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 30000)
    const ok = await Promise.all([0, 1, 2, 3, 4, 5, 6].map((d) => new Promise<boolean>((r) => {
      const s = createServer().once('error', () => r(false))
      s.listen(base + d, '127.0.0.1', () => s.close(() => r(true)))
    })))
    if (ok.every(Boolean)) return base
  }
  throw new Error('no free ports')
}

async function start(port: number): Promise<{ child: ChildProcess; out: () => string }> {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'src/cli/bin.mjs'), 'start', '--data', data, '--port', String(port)], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  await new Promise<void>((resolve, reject) => {
    const t = setInterval(() => out.includes('Ctrl-C stops it.') && (clearInterval(t), resolve()), 50)
    child.once('exit', (code) => (clearInterval(t), reject(new Error(`start exited ${code}: ${out}`))))
  })
  return { child, out: () => out }
}

const stop = (child: ChildProcess) => new Promise<number | null>((r) => (child.once('exit', (code) => r(code)), child.kill('SIGINT')))

describe('civic start', () => {
  it('serves every role, a witnessed ledger an auditor can verify, and stops cleanly', async () => {
    const port = await freeBase()
    const { child, out } = await start(port)
    try {
      const text = out()
      for (const role of ['wallet', 'counter', 'issuer', 'explorer']) expect(text).toContain(`http://127.0.0.1:${port}/#/${role}`)
      expect(text).toContain(`http://127.0.0.1:${port + 1}/checkpoint`)
      const app = await fetch(`http://127.0.0.1:${port}/`)
      expect(app.status).toBe(200)
      expect(await app.text()).toContain('<div id="app"')
      const audit = /npx civic log verify (\S+) --origin (\S+) --vkey (\S+) --witness (\S+) --witness (\S+) --witness (\S+) --quorum 2/.exec(text)
      expect(audit).not.toBeNull()
      const v = await verifyLog(audit![1]!, { origin: audit![2]!, logKeys: [audit![3]!], witnessKeys: [audit![4]!, audit![5]!, audit![6]!], quorum: 2 }, Math.floor(Date.now() / 1000))
      // the demo seeded once: two issuer accreditations and two verifier registrations
      expect(v).toMatchObject({ ok: true, value: { size: 4 } })
      expect(text).toContain('demo seeded')
      const config = await (await fetch(`http://127.0.0.1:${port}/civic-config.json`)).json()
      expect(config.issuers.map((i: { id: string }) => i.id)).toEqual(['psb', 'hrss'])
      expect(config.ledger.vkey).toBe(audit![3])
      for (const i of config.issuers) {
        const md = await (await fetch(`${i.adminUrl}.well-known/openid-credential-issuer`)).json()
        expect(md.credential_issuer).toBe(i.adminUrl.replace(/\/$/, ''))
      }
    } finally {
      expect(await stop(child)).toBe(0)
    }
    // a second start reuses the data
    const again = await start(port)
    try {
      expect(/--vkey (\S+)/.exec(again.out())![1]).toBe(/--vkey (\S+)/.exec(out())![1])
      expect(again.out()).not.toContain('demo seeded')
      expect(again.out()).toContain('4 entries')
    } finally {
      expect(await stop(again.child)).toBe(0)
    }
  }, 120_000)
})
