// The sequencer's tree edge against the kernel's reference tree hash and tile verifier:
// appending in batches of every shape gives the same root as hashing all leaves, and the
// objects it emits make a log that verifyTiledLog accepts.
import { describe, expect, it } from 'vitest'
import { TreeEdge } from '../../src/ledger/tree-edge.ts'
import { hashLeaf, rootFromLeafHashes } from '../../src/core/log/merkle.ts'
import { verifyTiledLog } from '../../src/core/log/tiles.ts'
import { encodeUtf8 } from '../../src/core/bytes/utf8.ts'

const entry = (i: number) => encodeUtf8(`entry ${i} ${'x'.repeat(i % 7)}`)

describe('TreeEdge', () => {
  it.each([
    [[1]], [[5, 3]], [[255, 1]], [[256]], [[257]], [[100, 156, 1]], [[300, 300, 300]], [[65536 + 300]], [[1, 1, 1, 1, 1, 1, 1, 1]],
  ])('batches %j: root, tiles and reload agree with the reference', async (batches) => {
    const files = new Map<string, Uint8Array>()
    let edge = TreeEdge.empty()
    const leaves: Uint8Array[] = []
    let n = 0
    for (const count of batches) {
      const es = Array.from({ length: count }, () => entry(n++))
      for (const o of edge.append(es)) files.set(o.path, o.bytes)
      for (const e of es) leaves.push(hashLeaf(e))
      expect(Buffer.from(edge.root()).toString('hex')).toBe(Buffer.from(rootFromLeafHashes(leaves)).toString('hex'))
      // a reload from the stored objects gives the same edge
      edge = await TreeEdge.load(edge.size, async (p) => files.get(p) ?? null)
      expect(edge.size).toBe(n)
    }
    const v = await verifyTiledLog(async (p) => {
      const b = files.get(p)
      if (!b) throw new Error(`missing ${p}`)
      return b
    }, { size: n, rootHash: edge.root() })
    expect(v).toMatchObject({ ok: true })
  })

  it('refuses to load when a partial tile is missing', async () => {
    const edge = TreeEdge.empty()
    edge.append([entry(0), entry(1), entry(2)])
    await expect(TreeEdge.load(3, async () => null)).rejects.toMatchObject({ code: 'ERR_LEDGER_CORRUPT' })
  })
})
