import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { vectorPath } from '../../support/vectors.ts'
import {
  CompactRange, EMPTY_ROOT, hashChildren, hashLeaf, isValidSubtree, memoryHashReader, proveConsistency, proveInclusion,
  proveSubtreeConsistency, rangeNodes, rootFromLeafHashes, subtreeHash, treeHash, verifyConsistency, verifyInclusion,
  verifySubtreeConsistency, verifySubtreeInclusion,
} from '../../../src/core/log/merkle.ts'
import type { Verdict } from '../../../src/core/errors.ts'

const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'))
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const leaves = (n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => hashLeaf(new TextEncoder().encode(`leaf ${i}`)))

// ── transparency-dev/merkle testdata: all 518 files ────────────────────────────────────────

const MERKLE = vectorPath('merkle')
const vectorFiles: string[] = []
const walk = (d: string): void => {
  for (const f of readdirSync(d).sort()) {
    const p = join(d, f)
    if (statSync(p).isDirectory()) walk(p)
    else if (f.endsWith('.json')) vectorFiles.push(relative(MERKLE, p))
  }
}
walk(MERKLE)

/** Run one vector file through the matching verifier (the files' schema is per folder). */
function runVector(file: string): { wantErr: boolean; verdict: Verdict<void> } {
  const d = JSON.parse(readFileSync(join(MERKLE, file), 'utf8'))
  const proof = ((d.proof ?? []) as string[]).map(b64)
  const kind = file.split('/')[0]
  let verdict: Verdict<void>
  if (kind === 'inclusion') verdict = verifyInclusion({ leafHash: b64(d.leafHash), index: d.leafIdx, size: d.treeSize, proof, root: b64(d.root) })
  else if (kind === 'consistency') verdict = verifyConsistency({ size1: d.size1, size2: d.size2, proof, root1: b64(d.root1), root2: b64(d.root2) })
  else if (kind === 'subtreeinclusion') verdict = verifySubtreeInclusion({ leafHash: b64(d.leafHash), index: d.leafIdx, start: d.start, end: d.end, proof, subtreeRoot: b64(d.root) })
  else if (kind === 'subtreeconsistency') verdict = verifySubtreeConsistency({ start: d.start, end: d.end, size: d.size, proof, subtreeRoot: b64(d.root1), root: b64(d.root2) })
  else throw new Error(`unknown vector folder ${kind}`)
  return { wantErr: d.wantErr as boolean, verdict }
}

describe('transparency-dev/merkle vectors', () => {
  it('has all 518 files', () => {
    expect(vectorFiles).toHaveLength(518)
  })

  it.each(vectorFiles)('%s', (file) => {
    const { wantErr, verdict } = runVector(file)
    expect(verdict.ok).toBe(!wantErr)
    if (!verdict.ok) expect(verdict.code).toMatch(/^ERR_PROOF_(MALFORMED|OUT_OF_RANGE|WRONG_LENGTH|ROOT_MISMATCH)$/)
  })

  it('each failing vector keeps its exact code (regression table)', () => {
    const codes: Record<string, string> = {}
    for (const f of vectorFiles) {
      const { verdict } = runVector(f)
      if (!verdict.ok) codes[f] = verdict.code
    }
    expect(codes).toMatchSnapshot()
  })
})

// ── RFC 9162 §2.1 by construction ─────────────────────────────────────────────────────────

describe('tree hash (RFC 9162 §2.1.1)', () => {
  it('hashes the empty tree, a leaf and a node with the right prefixes', () => {
    expect(hex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    expect(hex(hashLeaf(new Uint8Array(0)))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d')
    const l = hashLeaf(Uint8Array.of(1))
    const r = hashLeaf(Uint8Array.of(2))
    expect(hashChildren(l, r)).toEqual(new Uint8Array(createHash('sha256').update(Buffer.concat([Buffer.of(1), l, r])).digest()))
  })

  it('CompactRange, rootFromLeafHashes and treeHash agree with the recursive definition for sizes 0..70', async () => {
    const mth = (ls: Uint8Array[]): Uint8Array => {
      if (ls.length === 0) return EMPTY_ROOT
      if (ls.length === 1) return ls[0]!
      let k = 1
      while (k * 2 < ls.length) k *= 2
      return hashChildren(mth(ls.slice(0, k)), mth(ls.slice(k)))
    }
    const all = leaves(70)
    const range = new CompactRange()
    for (let n = 0; n <= 70; n++) {
      const want = mth(all.slice(0, n))
      expect(range.root()).toEqual(want)
      expect(range.size).toBe(n)
      expect(rootFromLeafHashes(all.slice(0, n))).toEqual(want)
      expect(await treeHash(n, memoryHashReader(all))).toEqual(want)
      if (n < 70) range.append(all[n]!)
    }
  })

  it('rangeNodes splits ranges into maximal perfect subtrees', () => {
    expect(rangeNodes(0, 7)).toEqual([{ level: 2, index: 0 }, { level: 1, index: 2 }, { level: 0, index: 6 }])
    expect(rangeNodes(8, 14)).toEqual([{ level: 2, index: 2 }, { level: 1, index: 6 }])
    expect(rangeNodes(3, 9)).toEqual([{ level: 0, index: 3 }, { level: 2, index: 1 }, { level: 0, index: 8 }])
    expect(rangeNodes(5, 5)).toEqual([])
  })
})

describe('proofs of the c2sp.org/merkle-tree example (7 entries)', () => {
  // Labels of the spec's example tree: a..g leaves, h i j internal, k l, root.
  const [a, b, c, d, e, f, g] = leaves(7) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array]
  const h = hashChildren(a, b), i = hashChildren(c, d), j = hashChildren(e, f)
  const k = hashChildren(h, i), l = hashChildren(j, g)
  const root = hashChildren(k, l)
  const read = memoryHashReader([a, b, c, d, e, f, g])

  it.each([
    [0, [b, i, l]],
    [3, [c, h, l]],
    [4, [f, g, k]],
    [6, [j, k]],
  ] as const)('inclusion of d[%i]', async (index, want) => {
    expect(await proveInclusion(index, 7, read)).toEqual(want)
    expect(verifyInclusion({ leafHash: [a, b, c, d, e, f, g][index]!, index, size: 7, proof: [...want], root })).toEqual({ ok: true, value: undefined })
  })

  it.each([
    [3, [c, d, h, l]],
    [4, [l]],
    [6, [j, g, k]],
  ] as const)('consistency from size %i to 7', async (m, want) => {
    expect(await proveConsistency(m, 7, read)).toEqual(want)
    const root1 = rootFromLeafHashes([a, b, c, d, e, f, g].slice(0, m))
    expect(verifyConsistency({ size1: m, size2: 7, proof: [...want], root1, root2: root }).ok).toBe(true)
  })
})

describe('generated proofs verify, and every single change is refused', () => {
  const all = leaves(40)
  const read = memoryHashReader(all)
  const flip = (p: Uint8Array[], at: number): Uint8Array[] => p.map((x, n) => (n === at ? Uint8Array.from(x, (v, z) => (z === 0 ? v ^ 1 : v)) : x))

  it('inclusion: every index of every size up to 40', async () => {
    for (let size = 1; size <= 40; size++) {
      const root = rootFromLeafHashes(all.slice(0, size))
      for (let index = 0; index < size; index++) {
        const proof = await proveInclusion(index, size, read)
        const input = { leafHash: all[index]!, index, size, proof, root }
        expect(verifyInclusion(input).ok).toBe(true)
        for (let at = 0; at < proof.length; at++) expect(verifyInclusion({ ...input, proof: flip(proof, at) })).toMatchObject({ ok: false, code: 'ERR_PROOF_ROOT_MISMATCH' })
        expect(verifyInclusion({ ...input, proof: [...proof, root] })).toMatchObject({ ok: false, code: 'ERR_PROOF_WRONG_LENGTH' })
        if (proof.length) expect(verifyInclusion({ ...input, proof: proof.slice(1) })).toMatchObject({ ok: false })
        expect(verifyInclusion({ ...input, leafHash: all[(index + 1) % 40]! })).toMatchObject({ ok: false, code: 'ERR_PROOF_ROOT_MISMATCH' })
        expect(verifyInclusion({ ...input, index: size })).toMatchObject({ ok: false, code: 'ERR_PROOF_OUT_OF_RANGE' })
      }
    }
  })

  it('consistency: every pair of sizes up to 40', async () => {
    for (let size2 = 1; size2 <= 40; size2++) {
      const root2 = rootFromLeafHashes(all.slice(0, size2))
      for (let size1 = 1; size1 <= size2; size1++) {
        const root1 = rootFromLeafHashes(all.slice(0, size1))
        const proof = await proveConsistency(size1, size2, read)
        const input = { size1, size2, proof, root1, root2 }
        expect(verifyConsistency(input).ok).toBe(true)
        for (let at = 0; at < proof.length; at++) expect(verifyConsistency({ ...input, proof: flip(proof, at) })).toMatchObject({ ok: false, code: 'ERR_PROOF_ROOT_MISMATCH' })
        expect(verifyConsistency({ ...input, proof: [...proof, root1] }).ok).toBe(false)
        if (size1 < size2) {
          expect(verifyConsistency({ ...input, root1: root2 }).ok).toBe(false)
          expect(verifyConsistency({ ...input, size1: size2, size2: size1 })).toMatchObject({ ok: false, code: 'ERR_PROOF_OUT_OF_RANGE' })
        }
      }
    }
  })

  it('subtree inclusion and consistency: every valid subtree of every size up to 33', async () => {
    let checked = 0
    for (let size = 1; size <= 33; size++) {
      const root = rootFromLeafHashes(all.slice(0, size))
      for (let start = 0; start < size; start++) {
        for (let end = start + 1; end <= size; end++) {
          if (!isValidSubtree(start, end)) {
            expect(verifySubtreeConsistency({ start, end, size, proof: [], subtreeRoot: root, root })).toMatchObject({ ok: false, code: 'ERR_PROOF_OUT_OF_RANGE' })
            continue
          }
          const subtreeRoot = await subtreeHash(start, end, read)
          expect(subtreeRoot).toEqual(rootFromLeafHashes(all.slice(start, end)))
          const proof = await proveSubtreeConsistency(start, end, size, read)
          const input = { start, end, size, proof, subtreeRoot, root }
          expect(verifySubtreeConsistency(input)).toEqual({ ok: true, value: undefined })
          for (let at = 0; at < proof.length; at++) expect(verifySubtreeConsistency({ ...input, proof: flip(proof, at) })).toMatchObject({ ok: false, code: 'ERR_PROOF_ROOT_MISMATCH' })
          expect(verifySubtreeConsistency({ ...input, proof: [...proof, root] })).toMatchObject({ ok: false, code: 'ERR_PROOF_WRONG_LENGTH' })
          if (start === 0 && end < size) {
            // With start = 0 a subtree consistency proof is an RFC 9162 consistency proof.
            expect(proof).toEqual(await proveConsistency(end, size, read))
          }
          for (let index = start; index < end; index++) {
            const p = await proveInclusion(index - start, end - start, memoryHashReader(all.slice(start, end)))
            expect(verifySubtreeInclusion({ leafHash: all[index]!, index, start, end, proof: p, subtreeRoot }).ok).toBe(true)
          }
          checked++
        }
      }
    }
    expect(checked).toBeGreaterThan(300)
  })
})

describe('hostile inputs never throw and carry a code', () => {
  const all = leaves(8)
  const root = rootFromLeafHashes(all)
  it.each([
    ['index beyond 2^53', { leafHash: all[0]!, index: 2 ** 64, size: 8, proof: [], root }, 'ERR_PROOF_OUT_OF_RANGE'],
    ['negative index', { leafHash: all[0]!, index: -1, size: 8, proof: [], root }, 'ERR_PROOF_OUT_OF_RANGE'],
    ['fractional size', { leafHash: all[0]!, index: 0, size: 7.5, proof: [], root }, 'ERR_PROOF_OUT_OF_RANGE'],
    ['NaN size', { leafHash: all[0]!, index: 0, size: NaN, proof: [], root }, 'ERR_PROOF_OUT_OF_RANGE'],
    ['31-byte leaf hash', { leafHash: all[0]!.slice(1), index: 0, size: 8, proof: [], root }, 'ERR_PROOF_MALFORMED'],
    ['33-byte proof hash', { leafHash: all[0]!, index: 0, size: 8, proof: [new Uint8Array(33)], root }, 'ERR_PROOF_MALFORMED'],
    ['a thousand hashes', { leafHash: all[0]!, index: 0, size: 8, proof: Array.from({ length: 1000 }, () => all[1]!), root }, 'ERR_PROOF_WRONG_LENGTH'],
    ['empty proof for size 8', { leafHash: all[0]!, index: 0, size: 8, proof: [], root }, 'ERR_PROOF_WRONG_LENGTH'],
  ])('inclusion: %s', (_, input, code) => {
    expect(verifyInclusion(input as never)).toMatchObject({ ok: false, code })
  })

  it.each([
    ['from the empty tree', { size1: 0, size2: 8, proof: [], root1: EMPTY_ROOT, root2: root }, 'ERR_PROOF_OUT_OF_RANGE'],
    ['sizes reversed', { size1: 8, size2: 4, proof: [], root1: root, root2: root }, 'ERR_PROOF_OUT_OF_RANGE'],
    ['equal sizes, non-empty proof', { size1: 8, size2: 8, proof: [root], root1: root, root2: root }, 'ERR_PROOF_WRONG_LENGTH'],
    ['equal sizes, other roots', { size1: 8, size2: 8, proof: [], root1: root, root2: all[0]! }, 'ERR_PROOF_ROOT_MISMATCH'],
    ['empty proof', { size1: 3, size2: 8, proof: [], root1: root, root2: root }, 'ERR_PROOF_WRONG_LENGTH'],
    ['short root', { size1: 3, size2: 8, proof: [root], root1: root.slice(0, 12), root2: root }, 'ERR_PROOF_MALFORMED'],
    ['size 2^60', { size1: 3, size2: 2 ** 60, proof: [root], root1: root, root2: root }, 'ERR_PROOF_OUT_OF_RANGE'],
  ])('consistency: %s', (_, input, code) => {
    expect(verifyConsistency(input as never)).toMatchObject({ ok: false, code })
  })

  it('proof builders refuse impossible arguments (our bugs) with RangeError', async () => {
    const read = memoryHashReader(all)
    await expect(proveInclusion(8, 8, read)).rejects.toThrow(RangeError)
    await expect(proveConsistency(0, 8, read)).rejects.toThrow(RangeError)
    await expect(proveConsistency(9, 8, read)).rejects.toThrow(RangeError)
    await expect(proveSubtreeConsistency(1, 3, 8, read)).rejects.toThrow(RangeError)
  })
})
