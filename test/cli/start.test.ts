// `civic start` (what `npm start` runs): the whole system on loopback, each service in its own
// process under a supervisor — the PWA's static server, the ledger with three witnesses, two
// issuers and two verifiers with their admin APIs on listeners of their own — with every URL printed as
// http://localhost:…; nothing a client sends ends a process (malformed request lines and targets
// are 400 with a code on every port, wrong methods 405, a connection flood on one port leaves
// the others answering, a slow body is dropped within 30 s); a child killed with SIGKILL is
// restarted while the others answer; a clean stop on SIGINT; a second start reuses the data
// (same ledger keys, same trees); killing the supervisor stops every child. The ledger is two logs
// (registry and status): the printed URLs and `civic log verify` line name both, civic-config.json
// carries both, the demo's registry facts are on the registry log; each verifier's counter enrolment
// link, as printed, enrols a counter key once, and a second start prints a fresh one. A data directory holding a
// single-log ledger from before the two logs were apart is refused at once, with the ledger's
// message, and no service is started.
import { afterAll, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, createServer, type Socket } from 'node:net'
import { generateNoteKeys } from '../../src/core/log/note.ts'
import { generatePrivateJwk, publicJwkOf } from '../../src/core/crypto/jwk.ts'
import { PROJECT_ROOT } from '../support/vectors.ts'
import { codeIn, rawExchange, statusLine } from '../node/_raw.ts'

const data = mkdtempSync(join(tmpdir(), 'civic-start-'))
afterAll(() => rmSync(data, { recursive: true, force: true }))

/** A base port with the next twelve free too (ledger, witnesses, issuers, verifiers and admin APIs sit above it). */
async function freeBase(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 30000)
    const ok = await Promise.all(Array.from({ length: 13 }, (_, d) => new Promise<boolean>((r) => {
      const s = createServer().once('error', () => r(false))
      s.listen(base + d, '127.0.0.1', () => s.close(() => r(true)))
    })))
    if (ok.every(Boolean)) return base
  }
  throw new Error('no free ports')
}

async function start(port: number): Promise<{ child: ChildProcess; out: () => string }> {
  // Under a descriptor limit of 4,096 (each process has its own table): in one process a
  // 4,500-connection flood of one port would starve every service of descriptors.
  const child = spawn('/bin/sh', ['-c', 'ulimit -n 4096 && exec "$0" "$@"', process.execPath, join(PROJECT_ROOT, 'src/cli/bin.mjs'), 'start', '--data', data, '--port', String(port)], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  await new Promise<void>((resolve, reject) => {
    const t = setInterval(() => /issuer-hrss: pid \d+[\s\S]*app: pid \d+/.test(out) && (clearInterval(t), resolve()), 50)
    child.once('exit', (code) => (clearInterval(t), reject(new Error(`start exited ${code}: ${out}`))))
  })
  return { child, out: () => out }
}

/** Runs `civic <args>` to its end (bounded by the test's timeout); stdout and stderr together. */
function civic(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'src/cli/bin.mjs'), ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout!.on('data', (d) => (out += d))
    child.stderr!.on('data', (d) => (out += d))
    child.once('exit', (code) => resolve({ code, out }))
  })
}

const stop = (child: ChildProcess) => new Promise<number | null>((r) => (child.once('exit', (code) => r(code)), child.kill('SIGINT')))
const pidOf = (out: string, name: string): number => Number(new RegExp(`^${name}: pid (\\d+)$`, 'm').exec(out)![1])
/** True while a process with this pid exists (EPERM: it exists but is not ours to signal). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
/** The supervised children, by the names their pid lines carry. */
const CHILDREN = ['app', 'ledger', 'witness-1', 'witness-2', 'witness-3', 'issuer-psb', 'issuer-hrss', 'verifier-service-hall', 'verifier-pharmacy']
/** The printed counter enrolment links, by verifier name. */
function enrolmentLinks(out: string): Map<string, string> {
  const links = new Map<string, string>()
  for (const m of out.matchAll(/counter enrolment \(([^)]+)\): (http:\/\/localhost:[0-9]+\/#\/counter\/enrol\?\S+)/g)) links.set(m[1]!, m[2]!)
  return links
}

/** What each port answers at a known URL, and a method it refuses there. */
function services(port: number) {
  const l = (p: number) => `http://localhost:${p}`
  return [
    { name: 'app', port, ok: `${l(port)}/`, status: 200, wrong: { method: 'POST', url: `${l(port)}/`, allow: 'GET, HEAD' } },
    { name: 'ledger', port: port + 1, ok: `${l(port + 1)}/registry/checkpoint`, status: 200, wrong: { method: 'PUT', url: `${l(port + 1)}/status/checkpoint`, allow: 'GET, HEAD' } },
    ...[1, 2, 3].map((i) => ({ name: `witness-${i}`, port: port + 1 + i, ok: `${l(port + 1 + i)}/status`, status: 200, wrong: { method: 'GET', url: `${l(port + 1 + i)}/add-checkpoint`, allow: 'POST' } })),
    ...[5, 6].map((d) => ({ name: `issuer +${d}`, port: port + d, ok: `${l(port + d)}/.well-known/openid-credential-issuer`, status: 200, wrong: { method: 'GET', url: `${l(port + d)}/credential`, allow: 'POST' } })),
    // the admin API answers 401 without an officer session or the admin token: answering is what counts here
    ...[7, 8].map((d) => ({ name: `admin +${d}`, port: port + d, ok: `${l(port + d)}/admin/info`, status: 401, wrong: { method: 'DELETE', url: `${l(port + d)}/admin/info`, allow: 'GET, HEAD, POST, OPTIONS' } })),
    ...[9, 10].map((d) => ({ name: `verifier +${d}`, port: port + d, ok: `${l(port + d)}/info`, status: 200, wrong: { method: 'GET', url: `${l(port + d)}/enrol`, allow: 'POST' } })),
    // the verifiers' admin APIs answer 401 without an officer's session or their admin token
    ...[11, 12].map((d) => ({ name: `verifier admin +${d}`, port: port + d, ok: `${l(port + d)}/admin/info`, status: 401, wrong: { method: 'DELETE', url: `${l(port + d)}/admin/info`, allow: 'GET, HEAD' } })),
  ]
}

async function allAnswer(port: number, except: string[] = []): Promise<void> {
  for (const s of services(port).filter((x) => !except.includes(x.name))) {
    const r = await fetch(s.ok, { signal: AbortSignal.timeout(5000) })
    expect(r.status, s.name).toBe(s.status)
  }
}

/** Opens up to `n` idle TCP connections to `port` (in waves, each connect bounded by 2 s). */
async function flood(port: number, n: number): Promise<Socket[]> {
  const held: Socket[] = []
  for (let i = 0; i < n; i += 500) {
    const wave = await Promise.all(Array.from({ length: Math.min(500, n - i) }, () => new Promise<Socket | null>((r) => {
      const s = connect(port, '127.0.0.1')
      const t = setTimeout(() => (s.destroy(), r(null)), 2000)
      s.once('connect', () => (clearTimeout(t), r(s)))
      s.once('error', () => (clearTimeout(t), r(null)))
    })))
    for (const s of wave) if (s) held.push(s.on('error', () => {}))
  }
  return held
}

/** Sends a request whose body arrives one byte every 3 s; resolves with the seconds until the server closed it. */
function slowBody(port: number, path: string, type: string): Promise<{ seconds: number; raw: string }> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    const t0 = Date.now()
    let raw = ''
    s.on('data', (d) => (raw += d))
    s.on('error', () => {})
    s.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${type}\r\nContent-Length: 1000\r\n\r\nx`)
    const drip = setInterval(() => s.writable && s.write('x'), 3000)
    const cap = setTimeout(() => s.destroy(), 45_000)
    s.on('close', () => {
      clearInterval(drip)
      clearTimeout(cap)
      resolve({ seconds: (Date.now() - t0) / 1000, raw })
    })
  })
}

describe('civic start', () => {
  it('serves every role from supervised processes; no request ends a process; a killed child comes back; a clean stop; data reused', async () => {
    const port = await freeBase()
    const { child, out } = await start(port)
    try {
      const text = out()
      for (const role of ['wallet', 'counter', 'issuer', 'explorer']) expect(text).toContain(`http://localhost:${port}/#/${role}`)
      expect(text).toMatch(new RegExp(`registry log +http://localhost:${port + 1}/registry/checkpoint +\\(origin civic-wallet\\.local/ledger/registry, 4 entries\\)`))
      expect(text).toMatch(new RegExp(`status log +http://localhost:${port + 1}/status/checkpoint +\\(origin civic-wallet\\.local/ledger/status, 0 entries\\)`))
      // the single log's paths are gone
      expect((await fetch(`http://localhost:${port + 1}/checkpoint`)).status).toBe(404)
      expect(text).toContain(`http://localhost:${port + 7}/admin/info`)
      expect(text).not.toMatch(/http:\/\/127\.0\.0\.1/)
      // each service is a process of its own
      const pids = CHILDREN.map((n) => pidOf(text, n))
      expect(new Set([...pids, child.pid]).size).toBe(10)
      const app = await fetch(`http://localhost:${port}/`)
      expect(app.status).toBe(200)
      expect(await app.text()).toContain('<div id="app"')
      expect(app.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
      const audit = /npx civic log verify (\S+) --name (\S+) --registry-vkey (\S+) --status-vkey (\S+) --witness (\S+) --witness (\S+) --witness (\S+) --quorum 2\n/.exec(text)
      expect(audit).not.toBeNull()
      expect([audit![1], audit![2]]).toEqual([`http://localhost:${port + 1}/`, 'civic-wallet.local/ledger'])
      // the audit line as printed, run as printed: both logs verify, the registry with the demo's four entries
      const verified = await civic(audit![0]!.trim().replace(/^npx civic /, '').split(' '))
      expect(verified.code, verified.out).toBe(0)
      expect(JSON.parse(verified.out.trim().split('\n').at(-1)!)).toMatchObject({ ok: true, registry: { size: 4 }, status: { size: 0 } })
      // the demo seeded once (over HTTP to the ledger's process): two issuer accreditations and two verifier registrations, on the registry log
      expect(text).toContain('demo seeded')
      const config = await (await fetch(`http://localhost:${port}/civic-config.json`)).json()
      const governanceRoot = /governance root +(did:key:\S+)/.exec(text)![1]
      expect(config).toEqual({
        ledger: {
          url: `http://localhost:${port + 1}/`, root: governanceRoot,
          registry: { origin: 'civic-wallet.local/ledger/registry', vkey: audit![3] }, status: { origin: 'civic-wallet.local/ledger/status', vkey: audit![4] },
          witnesses: [audit![5], audit![6], audit![7]], quorum: 2,
        },
        issuers: [
          { id: 'psb', did: 'did:web:psb.gov.example', name: { 'zh-CN': '某市公安局', en: 'Municipal Public Security Bureau' }, adminUrl: `http://localhost:${port + 7}/` },
          { id: 'hrss', did: 'did:web:hrss.gov.example', name: { 'zh-CN': '某市人力资源和社会保障局', en: 'Municipal Human Resources and Social Security Bureau' }, adminUrl: `http://localhost:${port + 8}/` },
        ],
        statusMirrors: { 'https://psb.gov.example/status/': `http://localhost:${port + 5}/status/`, 'https://hrss.gov.example/status/': `http://localhost:${port + 6}/status/` },
        verifiers: [
          { id: 'service-hall', did: 'did:web:service-hall.city.example', name: { 'zh-CN': '某市政务服务大厅', en: 'City Government Service Hall' }, url: `http://localhost:${port + 9}` },
          { id: 'pharmacy', did: 'did:web:kangjian-pharmacy.example', name: { 'zh-CN': '康健大药房', en: 'Kangjian Pharmacy' }, url: `http://localhost:${port + 10}` },
        ],
      })
      // each verifier is listed, and its printed enrolment link enrols a counter key once, from the app's origin
      expect(text).toMatch(new RegExp(`verifier service-hall http://localhost:${port + 9}/info +\\(City Government Service Hall\\)`))
      expect(text).toMatch(new RegExp(`verifier pharmacy +http://localhost:${port + 10}/info +\\(Kangjian Pharmacy\\)`))
      const enrolments = enrolmentLinks(text)
      expect([...enrolments.keys()]).toEqual(['City Government Service Hall', 'Kangjian Pharmacy'])
      const hall = new URLSearchParams(enrolments.get('City Government Service Hall')!.split('?')[1])
      expect(hall.get('verifier')).toBe(`http://localhost:${port + 9}`)
      // next to it, each verifier's console, and the link that enrols its first supervisor there
      for (const [name, d] of [['City Government Service Hall', 11], ['Kangjian Pharmacy', 12]] as const) {
        const at = encodeURIComponent(`http://localhost:${port + d}/`)
        expect(text).toContain(`verifier console (${name}): http://localhost:${port}/#/verifier?at=${at}\n`)
        expect(text).toMatch(new RegExp(`first supervisor \\(${name}\\): http://localhost:${port}/#/verifier/enrol\\?at=${at.replace(/[.]/g, '\\.')}&code=[A-Za-z0-9_-]{43}\n`))
      }
      const jwk = publicJwkOf(generatePrivateJwk('ES256'))
      const enrol = () => fetch(`${hall.get('verifier')}/enrol`, {
        method: 'POST', headers: { 'content-type': 'application/json', origin: `http://localhost:${port}` },
        body: JSON.stringify({ code: hall.get('code'), jwk }),
      })
      const enrolled = await enrol()
      expect(enrolled.status).toBe(200)
      expect(enrolled.headers.get('access-control-allow-origin')).toBe(`http://localhost:${port}`)
      expect(await enrolled.json()).toMatchObject({ verifier: 'did:web:service-hall.city.example', purposes: ['residence-certificate', 'senior-card', 'insurance-transfer'] })
      expect((await enrol()).status).toBe(410)
      // the app may reach the verifiers (its CSP names them)
      expect(app.headers.get('content-security-policy')).toContain(`http://localhost:${port + 9} http://localhost:${port + 10}`)
      for (const d of [5, 6]) {
        const md = await (await fetch(`http://localhost:${port + d}/.well-known/openid-credential-issuer`)).json()
        expect(md.credential_issuer).toBe(`http://localhost:${port + d}`)
        // the public listener does not serve the admin API
        expect((await fetch(`http://localhost:${port + d}/admin/info`)).status).toBe(404)
      }

      // malformed request lines and targets: 400 with a code on every port, and every service still answers
      for (const s of services(port)) {
        for (const line of ['GET http://[ HTTP/1.1', 'GET //[ HTTP/1.1', 'GET /%zz HTTP/1.1', 'GET /%ff HTTP/1.1']) {
          const raw = await rawExchange(s.port, `${line}\r\nHost: 127.0.0.1\r\n\r\n`)
          expect([statusLine(raw), codeIn(raw)], `${s.name}: ${line}`).toEqual([400, 'ERR_HTTP_BAD_REQUEST'])
        }
        const r = await fetch(s.wrong.url, { method: s.wrong.method })
        expect([r.status, r.headers.get('allow')], `${s.name}: ${s.wrong.method}`).toEqual([405, s.wrong.allow])
      }
      await allAnswer(port)
      expect(pids.every(pidAlive)).toBe(true)

      // a flood of idle connections on the ledger's port: the others answer (their own processes, their own caps)
      const held = await flood(port + 1, 4500)
      try {
        expect(held.length).toBeGreaterThan(400)
        await allAnswer(port, ['ledger'])
      } finally {
        for (const s of held) s.destroy()
      }
      await sleep(500)
      await allAnswer(port)

      // a slow body (one byte every 3 s) is dropped within 30 s on the ledger, an issuer and a witness
      const slow = await Promise.all([
        slowBody(port + 1, '/registry/add-entry', 'application/octet-stream'),
        slowBody(port + 5, '/token', 'application/x-www-form-urlencoded'),
        slowBody(port + 2, '/add-checkpoint', 'text/plain'),
      ])
      for (const s of slow) {
        expect(s.seconds).toBeLessThan(32)
        expect(s.seconds).toBeGreaterThan(20)
      }
      await allAnswer(port)

      // SIGKILL the ledger: the others keep answering, the supervisor restarts it
      const ledgerPid = pidOf(out(), 'ledger')
      process.kill(ledgerPid, 'SIGKILL')
      await sleep(200)
      await allAnswer(port, ['ledger'])
      let back = false
      for (let i = 0; i < 100 && !back; i++) {
        await sleep(200)
        back = /ledger restarted \(pid \d+\)/.test(out()) && await fetch(`http://localhost:${port + 1}/registry/checkpoint`).then((r) => r.status === 200, () => false)
      }
      expect(back).toBe(true)
      expect(out()).toMatch(/ledger exited \(SIGKILL\); restarting in \d+ ms/)
      expect(out()).toMatch(/ledger restarted \(pid \d+\)/)
      await allAnswer(port)
    } finally {
      expect(await stop(child)).toBe(0)
    }
    // every child stopped with it
    await sleep(200)
    expect(['app', 'ledger', 'witness-1', 'issuer-psb', 'verifier-pharmacy'].map((n) => pidAlive(pidOf(out(), n)))).toEqual([false, false, false, false, false])

    // a second start reuses the data; killing the supervisor outright stops every child
    const again = await start(port)
    try {
      for (const flag of ['--registry-vkey', '--status-vkey']) expect(new RegExp(`${flag} (\\S+)`).exec(again.out())![1]).toBe(new RegExp(`${flag} (\\S+)`).exec(out())![1])
      expect(again.out()).not.toContain('demo seeded')
      expect(again.out()).toContain('(origin civic-wallet.local/ledger/registry, 4 entries)')
      // a fresh enrolment code at each start
      const fresh = enrolmentLinks(again.out()).get('City Government Service Hall')
      expect(fresh).toMatch(/&code=[A-Za-z0-9_-]{22}$/)
      expect(fresh).not.toBe(enrolmentLinks(out()).get('City Government Service Hall'))
    } finally {
      const pids = CHILDREN.map((n) => pidOf(again.out(), n))
      again.child.kill('SIGKILL')
      let alive = pids
      for (let i = 0; i < 50 && alive.length > 0; i++) {
        await sleep(200)
        alive = alive.filter(pidAlive)
      }
      for (const p of alive) process.kill(p, 'SIGKILL')
      expect(alive).toEqual([])
    }
  }, 240_000)

  it('refuses --prebuilt naming a directory with no built app, before starting anything', async () => {
    const data = mkdtempSync(join(tmpdir(), 'civic-start-prebuilt-'))
    const empty = mkdtempSync(join(tmpdir(), 'civic-start-nobuild-'))
    try {
      const r = await civic(['start', '--data', data, '--port', String(await freeBase()), '--prebuilt', empty])
      expect(r.code, r.out).toBe(2)
      expect(r.out).toContain(`--prebuilt ${empty} holds no built app`)
      expect(r.out).not.toMatch(/: pid \d+/)
    } finally {
      rmSync(data, { recursive: true, force: true })
      rmSync(empty, { recursive: true, force: true })
    }
  }, 60_000)

  it('refuses a data directory holding a single-log ledger, at once and plainly, starting no service', async () => {
    const old = mkdtempSync(join(tmpdir(), 'civic-start-single-'))
    try {
      // as civic start left its ledger before registry and status were apart
      mkdirSync(join(old, 'ledger', 'log', 'tile'), { recursive: true })
      writeFileSync(join(old, 'ledger', 'log', 'checkpoint'), 'civic-wallet.local/ledger\n4\nAAAA\n')
      const origin = 'civic-wallet.local/ledger'
      writeFileSync(join(old, 'ledger', 'ledger.json'), JSON.stringify({ origin, logKey: generateNoteKeys(origin).signerKey, root: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', witnesses: [], quorum: 0 }))
      const port = await freeBase()
      const t0 = Date.now()
      const r = await civic(['start', '--data', old, '--port', String(port)])
      expect(Date.now() - t0).toBeLessThan(30_000)
      expect(r.code, r.out).toBe(2)
      const line = JSON.parse(r.out.trim().split('\n').find((l) => l.startsWith('{"ok":false'))!)
      expect(line).toMatchObject({ ok: false, code: 'ERR_LEDGER_CONFIG' })
      expect(line.detail).toMatch(/single-log ledger/)
      expect(line.detail).toMatch(/empty data directory/)
      expect(r.out).not.toMatch(/: pid \d+/)
      // the same without its ledger.json: the layout alone is refused
      rmSync(join(old, 'ledger', 'ledger.json'))
      const again = await civic(['start', '--data', old, '--port', String(port)])
      expect(again.code, again.out).toBe(2)
      expect(again.out).toMatch(/"code":"ERR_LEDGER_CONFIG".*single-log ledger/)
      expect(again.out).not.toMatch(/: pid \d+/)
    } finally {
      rmSync(old, { recursive: true, force: true })
    }
  }, 60_000)
})
