// The app's static server (src/node/static.ts) on a real build-shaped directory: only files of
// the build are served (no traversal however spelled), content types, cache headers (hashed
// assets immutable; index.html, sw.js and civic-config.json no-cache), security headers with
// the services of civic-config.json in connect-src, 400 on malformed targets, 405 on other
// methods.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Server } from 'node:http'
import { closeServer, listen } from '../../src/node/http.ts'
import { createStaticServer } from '../../src/node/static.ts'
import { rawExchange } from './_raw.ts'

let dir: string
let outside: string
let server: Server
let base: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'civic-static-'))
  outside = mkdtempSync(join(tmpdir(), 'civic-static-outside-'))
  writeFileSync(join(outside, 'secret.txt'), 'secret')
  mkdirSync(join(dir, 'assets'))
  writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="app"></div>')
  writeFileSync(join(dir, 'assets', 'index-Co1wlDAf.js'), 'console.log(1)')
  writeFileSync(join(dir, 'assets', 'index-C9OtmmVg.css'), 'body{}')
  writeFileSync(join(dir, 'sw.js'), 'self.x=1')
  writeFileSync(join(dir, 'manifest.webmanifest'), '{}')
  writeFileSync(join(dir, 'icon.svg'), '<svg/>')
  writeFileSync(join(dir, 'civic-config.json'), JSON.stringify({
    ledger: { url: 'http://localhost:18081/' },
    issuers: [{ id: 'psb', adminUrl: 'http://localhost:18087/' }],
    statusMirrors: { 'https://psb.gov.example/status/': 'http://localhost:18085/status/' },
  }))
  symlinkSync(join(outside, 'secret.txt'), join(dir, 'link.txt'))
  server = createStaticServer({ dir })
  base = await listen(server, 0, '127.0.0.1')
  // a file added after start is not served: the list is the build's
  writeFileSync(join(dir, 'late.js'), 'late')
})
afterAll(async () => {
  await closeServer(server)
  rmSync(dir, { recursive: true, force: true })
  rmSync(outside, { recursive: true, force: true })
})

describe('the static server', () => {
  it('serves index.html for /, with the security headers', async () => {
    const r = await fetch(`${base}/`)
    expect(r.status).toBe(200)
    expect(await r.text()).toContain('<div id="app">')
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(r.headers.get('cache-control')).toBe('no-cache')
    expect(r.headers.get('x-content-type-options')).toBe('nosniff')
    expect(r.headers.get('x-frame-options')).toBe('DENY')
    const csp = r.headers.get('content-security-policy')!
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'")
    expect(csp).toContain("object-src 'none'")
    expect(csp).toMatch(/connect-src 'self' http:\/\/localhost:18081 http:\/\/localhost:18087 http:\/\/localhost:18085(;|$)/)
  })

  it.each([
    ['/assets/index-Co1wlDAf.js', 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable'],
    ['/assets/index-C9OtmmVg.css', 'text/css; charset=utf-8', 'public, max-age=31536000, immutable'],
    ['/sw.js', 'text/javascript; charset=utf-8', 'no-cache'],
    ['/civic-config.json', 'application/json; charset=utf-8', 'no-cache'],
    ['/index.html', 'text/html; charset=utf-8', 'no-cache'],
    ['/manifest.webmanifest', 'application/manifest+json; charset=utf-8', 'no-cache'],
    ['/icon.svg', 'image/svg+xml', 'no-cache'],
  ])('%s: %s, %s', async (path, type, cache) => {
    const r = await fetch(`${base}${path}`)
    expect([r.status, r.headers.get('content-type'), r.headers.get('cache-control')]).toEqual([200, type, cache])
  })

  it('HEAD answers headers only', async () => {
    const r = await fetch(`${base}/sw.js`, { method: 'HEAD' })
    expect([r.status, r.headers.get('content-length'), await r.text()]).toEqual([200, '8', ''])
  })

  it.each([
    '/../../../../etc/passwd', '/assets/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc%2fpasswd', '/assets', '/assets/',
    '/late.js', '/nope.js', '/index.html/', '//index.html',
  ])('%s is not served', async (path) => {
    const raw = await rawExchange(Number(new URL(base).port), `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
    expect(raw).toMatch(/^HTTP\/1\.1 (404|400) /)
    expect(raw).not.toContain('root:')
  })

  it('a symlink in the build directory is not served (the file list holds regular files only)', async () => {
    expect((await fetch(`${base}/link.txt`)).status).toBe(404)
  })

  it('malformed targets 400 with a code; other methods 405 with Allow', async () => {
    const port = Number(new URL(base).port)
    for (const t of ['http://[', '//[', '/%zz', '/%ff']) {
      const raw = await rawExchange(port, `GET ${t} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
      expect(raw, t).toMatch(/^HTTP\/1\.1 400 /)
      expect(raw).toContain('"code":"ERR_HTTP_BAD_REQUEST"')
    }
    for (const m of ['POST', 'PUT', 'DELETE']) {
      const r = await fetch(`${base}/`, { method: m })
      expect([r.status, r.headers.get('allow'), ((await r.json()) as any).error.code]).toEqual([405, 'GET, HEAD', 'ERR_HTTP_METHOD_NOT_ALLOWED'])
    }
    expect((await fetch(`${base}/`)).status).toBe(200)
  })

  it('refuses to start on a directory with no built app', () => {
    expect(() => createStaticServer({ dir: outside })).toThrow(expect.objectContaining({ code: 'ERR_CLI_FILE' }))
  })
})
