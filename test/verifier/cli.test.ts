// `civic verifier serve` (src/cli/verifier.ts): on the system's data directory, with the demo
// verifier's seeded key, it prints the one ready line the supervisor waits for (url, did, id,
// admin listener), serves until stopped, and exits 0; an unknown verifier id is a usage error,
// a missing key names the file.
import { afterEach, describe, expect, it } from 'vitest'
import { verifierCommand } from '../../src/cli/verifier.ts'
import { ensureAdminToken } from '../../src/verifier/admin-token.ts'
import { verifierDir } from '../../src/verifier/service.ts'
import { HALL, makeVerifierWorld, type VerifierWorld } from './_world.ts'

let w: VerifierWorld | undefined
afterEach(() => w?.cleanup())

describe('civic verifier serve', () => {
  it('prints its ready line, serves the public and admin listeners, stops on its signal', async () => {
    w = await makeVerifierWorld()
    const stop = new AbortController()
    const lines: string[] = []
    let ready!: (v: Record<string, unknown>) => void
    const first = new Promise<Record<string, unknown>>((r) => (ready = r))
    const done = verifierCommand(['serve', '--data', w.dataDir, '--id', HALL.id, '--app-origin', 'http://localhost:8080', '--public-url', 'http://localhost:18099'], {
      stdout: (t) => ready(JSON.parse(t)),
      stderr: (t) => void lines.push(t),
      signal: stop.signal,
    })
    const line: Record<string, unknown> = await Promise.race([first, done.then((code) => ({ exited: code }))])
    expect(line).toMatchObject({ ok: true, url: 'http://localhost:18099', did: HALL.did, id: HALL.id, adminUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/) })
    const adminUrl = String(line.adminUrl)
    const token = await ensureAdminToken(verifierDir(w.dataDir, HALL.id))
    const made = await fetch(`${adminUrl}admin/enrolments`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: { 'zh-CN': '1 号窗口', en: 'Counter 1' }, purposes: ['senior-card'] }) })
    expect(made.status).toBe(201)
    expect(((await made.json()) as { link: string }).link).toMatch(/^http:\/\/localhost:8080\/#\/counter\/enrol\?verifier=http%3A%2F%2Flocalhost%3A18099&code=[A-Za-z0-9_-]{22}$/)
    stop.abort()
    expect(await done).toBe(0)
  })

  it('refuses an unknown verifier and a data directory without its key', async () => {
    w = await makeVerifierWorld()
    await expect(verifierCommand(['serve', '--data', w.dataDir, '--id', 'hall'])).rejects.toMatchObject({ code: 'ERR_CLI_USAGE', detail: expect.stringContaining('service-hall or pharmacy') })
    await expect(verifierCommand(['serve', '--id', HALL.id])).rejects.toMatchObject({ code: 'ERR_CLI_USAGE' })
    await expect(verifierCommand(['serve', '--data', w.dataDir, '--id', 'pharmacy'])).rejects.toMatchObject({ code: 'ERR_CLI_FILE', detail: expect.stringContaining('verifier-pharmacy.jwk') })
    await expect(verifierCommand(['enrol'])).rejects.toMatchObject({ code: 'ERR_CLI_USAGE' })
  })
})
