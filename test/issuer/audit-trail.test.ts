// The audit trail keeps everything: past 4 MiB the current file is closed under the next free
// audit.<n>.log and a new one begins; no closed file is overwritten or dropped. Real files.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AUDIT_FILE, OfficerStore } from '../../src/issuer/officers.ts'
import type { AuditRecord } from '../../src/issuer/admin-wire.ts'

let dir = ''
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'civic-audit-'))
})
afterEach(() => rm(dir, { recursive: true, force: true }))

const record = (n: number): AuditRecord => ({ at: 1_800_000_000 + n, officer: null, action: 'publish', target: { n: String(n) }, outcome: 'ok' })
/** A full audit file: just over 4 MiB of valid lines, the last naming `tag`. */
const fullFile = (tag: string): string => {
  const line = `${JSON.stringify({ ...record(0), target: { pad: 'x'.repeat(1000) } })}\n`
  return line.repeat(Math.ceil((4 << 20) / line.length) + 1) + `${JSON.stringify({ ...record(1), target: { tag } })}\n`
}

describe('audit trail', () => {
  it('closes a full file as audit.1.log, then audit.2.log, never overwriting one', async () => {
    const store = await OfficerStore.open(dir, { appOrigin: null, rpName: 'test', now: () => 1_800_000_000 })
    await writeFile(join(dir, AUDIT_FILE), fullFile('first'), { mode: 0o600 })
    await store.audit(record(2))
    await writeFile(join(dir, AUDIT_FILE), fullFile('second'), { mode: 0o600 })
    await store.audit(record(3))

    const names = (await readdir(dir)).filter((n) => n.startsWith('audit')).sort()
    expect(names).toEqual(['audit.1.log', 'audit.2.log', AUDIT_FILE])
    expect(await readFile(join(dir, 'audit.1.log'), 'utf8')).toBe(fullFile('first'))
    expect(await readFile(join(dir, 'audit.2.log'), 'utf8')).toBe(fullFile('second'))
    // The record that found the file full begins the new one.
    const current = (await readFile(join(dir, AUDIT_FILE), 'utf8')).trim().split('\n').map((l) => JSON.parse(l))
    expect(current).toEqual([record(3)])
    const trail = await store.auditTrail(5)
    expect(trail[0]).toEqual(record(3))
  })

  it('a file under the cap keeps growing in place', async () => {
    const store = await OfficerStore.open(dir, { appOrigin: null, rpName: 'test', now: () => 1_800_000_000 })
    for (let i = 0; i < 5; i++) await store.audit(record(i))
    expect((await readdir(dir)).filter((n) => n.startsWith('audit'))).toEqual([AUDIT_FILE])
    expect((await store.auditTrail(10)).map((r) => r.at)).toEqual([4, 3, 2, 1, 0].map((n) => 1_800_000_000 + n))
  })
})
