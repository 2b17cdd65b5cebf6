// The demo seed (src/cli/demo.ts): each issuer's private key is in its own key store and in no
// other file of the data directory — the copy earlier seeds kept beside it (which outlived the
// key's rotation) is gone, and is removed from a directory an earlier seed left it in. The
// accreditations the root signs name the public half of the key-store key; the seed posts only
// registry facts, and each issuer is set up for the ledger's two logs.
import { afterAll, describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { generatePrivateJwk } from '../../src/core/crypto/jwk.ts'
import { foldEntries } from '../../src/core/registry/fold.ts'
import { DEMO_ISSUERS, governanceRoot, legacyIssuerKeyCopy, seedDemo } from '../../src/cli/demo.ts'
import { parseEntry } from '../../src/core/registry/entry.ts'
import { readIssuerConfig } from '../../src/issuer/store.ts'
import { unreachableTrust } from '../issuer/_world.ts'

const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const trust = unreachableTrust()
const NOW = 1_800_000_000

/** Every regular file under `dir`, as paths relative to it. */
function files(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? files(p, base) : [relative(base, p)]
  })
}

async function seed(dataDir: string, posted: Uint8Array[]) {
  const root = await governanceRoot(dataDir)
  const ok = await seedDemo({ dataDir, root, trust, host: '127.0.0.1', port: 38080, appOrigin: 'http://127.0.0.1:38080', now: NOW, post: async (e) => posted.push(e) - 1 })
  return { root, ok }
}

describe('demo seed', () => {
  it('keeps each issuer private key in its key store only, and accredits its public half', async () => {
    const d = mkdtempSync(join(tmpdir(), 'civic-demo-'))
    dirs.push(d)
    const posted: Uint8Array[] = []
    const { root, ok } = await seed(d, posted)
    expect(ok).toBe(true)
    const all = files(d)
    for (const i of DEMO_ISSUERS) {
      const keyPath = join(`issuer-${i.id}`, 'keys', 'key-1.jwk')
      const jwk = JSON.parse(readFileSync(join(d, keyPath), 'utf8'))
      expect(jwk.d).toMatch(/^[A-Za-z0-9_-]{43}$/)
      const holders = all.filter((f) => readFileSync(join(d, f)).toString('latin1').includes(jwk.d))
      expect(holders).toEqual([keyPath])
      expect(existsSync(join(d, legacyIssuerKeyCopy(i)))).toBe(false)
    }
    // the ledger entries the seed posted accredit exactly the key-store keys
    const folded = await foldEntries(root.did, posted, NOW)
    if (!folded.ok) throw new Error(`${folded.code}: ${folded.detail}`)
    for (const i of DEMO_ISSUERS) {
      const x = JSON.parse(readFileSync(join(d, `issuer-${i.id}`, 'keys', 'key-1.jwk'), 'utf8')).x
      expect(JSON.stringify(folded.value.issuers[i.did])).toContain(x)
    }
    // registry facts only (the seed posts to the registry log), and each issuer publishes to both logs
    expect(posted.map((e) => parseEntry(e).type).sort()).toEqual(['issuer-accreditation', 'issuer-accreditation', 'verifier-registration', 'verifier-registration'])
    for (const i of DEMO_ISSUERS) expect((await readIssuerConfig(join(d, `issuer-${i.id}`))).ledger).toEqual(trust)
  })

  it('removes the key copy an earlier seed left beside the data directory', async () => {
    const d = mkdtempSync(join(tmpdir(), 'civic-demo-'))
    dirs.push(d)
    await seed(d, [])
    // as an earlier seed left it (a copy that outlives the key's rotation)
    const copy = join(d, legacyIssuerKeyCopy(DEMO_ISSUERS[0]!))
    writeFileSync(copy, JSON.stringify(generatePrivateJwk('ES256')), { mode: 0o600 })
    const { ok } = await seed(d, [])
    expect(ok).toBe(false) // seeded already
    expect(existsSync(copy)).toBe(false)
  })
})
