// The ledger server killed with SIGKILL at random moments during continuous appends to its
// status log, 50 times.
// After each restart: every acknowledged entry is in the tree at its index, the tree is
// consistent with every checkpoint ever seen published, and the witness (which outlives the
// crashes) has cosigned only checkpoints of this same tree: no fork.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { bytesEqual } from '../../src/core/bytes/compare.ts'
import { decodeUtf8 } from '../../src/core/bytes/utf8.ts'
import { treeHash } from '../../src/core/log/merkle.ts'
import { verifyCheckpointNote } from '../../src/core/log/policy.ts'
import { entryBundlePath, parseEntryBundle, tileHashReader, TILE_WIDTH } from '../../src/core/log/tiles.ts'
import { writeLedgerConfig } from '../../src/ledger/config.ts'
import { PROJECT_ROOT } from '../support/vectors.ts'
import { get, makeWorld, nowSeconds, post, STATUS_ORIGIN, type World } from './_ledger.ts'

const KILLS = 50
const BIN = join(PROJECT_ROOT, 'src/cli/bin.mjs')
let world: World
let dataDir = ''

async function serve(): Promise<{ child: ChildProcess; url: string; registry: string }> {
  const child = spawn(process.execPath, [BIN, 'ledger', 'serve', '--data', dataDir, '--port', '0', '--rate-per-issuer', '100000'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  child.stderr!.on('data', (d) => (err += d))
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! })
    rl.once('line', resolve)
    child.once('exit', (code) => reject(new Error(`ledger exited ${code}: ${err}`)))
  })
  const base = JSON.parse(line).url as string
  return { child, url: `${base}status/`, registry: `${base}registry/` }
}

const kill = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })

beforeAll(async () => {
  world = await makeWorld({ witnesses: 1, quorum: 1 })
  dataDir = join(world.dir, 'ledger')
  mkdirSync(dataDir, { recursive: true })
  await writeLedgerConfig(dataDir, world.rawConfig)
})
afterAll(async () => world.cleanup())

describe('crash safety', () => {
  it(`loses no acknowledged entry and never forks across ${KILLS} SIGKILLs`, async () => {
    const acked = new Map<number, Uint8Array>()
    const seen = new Map<number, Uint8Array>() // size → root of every checkpoint seen published
    const versions = [0, 0, 0, 0]
    let { child, url, registry } = await serve()
    expect((await post(registry, world.accreditation)).json.index).toBe(0)

    for (let round = 0; round < KILLS; round++) {
      let stop = false
      const worker = async (k: number) => {
        while (!stop) {
          const e = await world.anchor(`https://psb.gov.example/status/crash-${k}`, ++versions[k]!)
          try {
            const r = await post(url, e)
            if (r.status === 200) acked.set(r.json.index, e)
          } catch {
            return // the server is gone
          }
        }
      }
      const watcher = async () => {
        while (!stop) {
          try {
            const c = await get(url, 'checkpoint')
            const v = verifyCheckpointNote(c.bytes, world.statusPolicy, nowSeconds())
            if (v.ok) seen.set(v.value.checkpoint.size, v.value.checkpoint.rootHash)
          } catch {
            return
          }
          await new Promise((r) => setTimeout(r, 5))
        }
      }
      const running = [0, 1, 2, 3].map(worker).concat(watcher())
      // Each round gets its share of acknowledged writes whatever the machine's speed (bounded
      // wait), then a kill point that moves by round, the same in every run.
      const before = acked.size
      for (const t0 = Date.now(); acked.size < before + 6 && Date.now() - t0 < 30_000;) await new Promise((r) => setTimeout(r, 10))
      await new Promise((r) => setTimeout(r, (round * 263) % 400))
      await kill(child)
      stop = true
      await Promise.all(running)
      ;({ child, url, registry } = await serve())

      // After the restart: the published tree holds every acknowledged entry at its index …
      const note = (await get(url, 'checkpoint')).bytes
      const cp = verifyCheckpointNote(note, world.statusPolicy, nowSeconds())
      if (!cp.ok) throw new Error(`round ${round}: ${cp.code}`)
      const { size, rootHash } = cp.value.checkpoint
      seen.set(size, rootHash)
      const fetchTile = async (p: string) => {
        const r = await get(url, p)
        if (r.status !== 200) throw new Error(`${p}: ${r.status}`)
        return r.bytes
      }
      const maxAcked = Math.max(...acked.keys())
      expect(size).toBeGreaterThan(maxAcked)
      for (let n = 0; n * TILE_WIDTH < size; n++) {
        const width = Math.min(TILE_WIDTH, size - n * TILE_WIDTH)
        const es = parseEntryBundle(await fetchTile(entryBundlePath({ index: n, width })), width)
        es.forEach((e, i) => {
          const a = acked.get(n * TILE_WIDTH + i)
          if (a && !bytesEqual(a, e)) throw new Error(`round ${round}: entry ${n * TILE_WIDTH + i} is not the one acknowledged`)
        })
      }
      // … it is consistent with every checkpoint ever seen …
      const reader = tileHashReader(size, fetchTile)
      for (const [s, root] of seen) {
        if (s > size) throw new Error(`round ${round}: a checkpoint of size ${s} was published, now only ${size}`)
        if (!bytesEqual(await treeHash(s, reader), root)) throw new Error(`round ${round}: fork at size ${s}`)
      }
      // … and the witness cosigned nothing outside it.
      const ws = world.witnesses[0]!.status().logs.find((l) => l.origin === STATUS_ORIGIN)!
      expect(ws.size).toBeLessThanOrEqual(size)
      expect(Buffer.from(await treeHash(ws.size, reader)).toString('base64')).toBe(ws.rootHash)
    }
    await kill(child)
    expect(acked.size).toBeGreaterThan(5 * KILLS)
    writeFileSync(join(world.dir, 'summary.json'), JSON.stringify({ acked: acked.size, checkpoints: seen.size }))
  }, 600_000)
})
