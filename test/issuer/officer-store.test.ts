// officers.json is read strictly: the kernel's JSON (no member twice) and shape reader (no
// member it does not name, each of its kind); a file that does not fit stops the office with
// ERR_ISSUER_CONFIG rather than being guessed at. Real files.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { OFFICERS_FILE, OfficerStore } from '../../src/issuer/officers.ts'

let dir = ''
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'civic-officers-'))
})
afterEach(() => rm(dir, { recursive: true, force: true }))

const open = () => OfficerStore.open(dir, { appOrigin: null, rpName: 'test', now: () => 1_800_000_000 })
const officer = { id: 'AbCdEfGhIjKlMnOpQrStUv', name: '王警官', role: 'clerk', createdAt: 1_800_000_000, disabled: false, passkeys: [{ id: 'k1', publicKey: 'pk', counter: 0, transports: ['internal'], createdAt: 1_800_000_000 }] }
const enrolment = { id: 'e1', codeHash: 'a'.repeat(64), name: 'Supervisor', role: 'supervisor', createdAt: 1_800_000_000, expiresAt: 1_800_086_400, first: true, createdBy: null }
const file = (o: unknown) => writeFile(join(dir, OFFICERS_FILE), typeof o === 'string' ? o : JSON.stringify(o))
const codeOf = (p: Promise<unknown>) => p.then(() => 'opened', (e) => (e as { code?: string }).code)

describe('officers.json', () => {
  it('opens a well-formed file, and an absent one as empty', async () => {
    expect((await open()).list().officers).toEqual([])
    await file({ version: 1, officers: [officer], enrolments: [enrolment] })
    expect((await open()).list().officers.map((o) => o.name)).toEqual(['王警官'])
  })

  it.each([
    ['a member named twice', `{"version":1,"officers":[],"officers":[${JSON.stringify(officer)}],"enrolments":[]}`],
    ['a member it does not name', { version: 1, officers: [], enrolments: [], extra: 1 }],
    ['another version', { version: 2, officers: [], enrolments: [] }],
    ['an officer with an unknown member', { version: 1, officers: [{ ...officer, admin: true }], enrolments: [] }],
    ['an officer of an unknown role', { version: 1, officers: [{ ...officer, role: 'root' }], enrolments: [] }],
    ['a passkey counter that is not a count', { version: 1, officers: [{ ...officer, passkeys: [{ ...officer.passkeys[0], counter: -1 }] }], enrolments: [] }],
    ['an enrolment whose code is kept in clear', { version: 1, officers: [], enrolments: [{ ...enrolment, codeHash: undefined, code: 'x' }] }],
    ['not JSON', '{"version":1,'],
  ])('refuses %s with ERR_ISSUER_CONFIG', async (_what, content) => {
    await file(content)
    expect(await codeOf(open())).toBe('ERR_ISSUER_CONFIG')
  })
})
