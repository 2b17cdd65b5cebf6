/**
 * RFC 9162 §2.1 Merkle trees (the RFC 6962 tree, as c2sp.org/tlog-tiles and
 * c2sp.org/merkle-tree use it): leaf and node hashes, tree hashes, inclusion and consistency
 * proofs — verified exactly as RFC 9162 §2.1.3.2 and §2.1.4.2 describe, and computed
 * (§2.1.3.1, §2.1.4.1) from any source of perfect-subtree hashes (memory, tiles, storage).
 *
 * Also the subtree proofs of draft-ietf-plants-merkle-tree-certs ("Subtrees", "Subtree
 * inclusion proofs", "Subtree consistency proofs"), whose verification generalises the
 * RFC 9162 algorithms; transparency-dev/merkle's test vectors cover both.
 *
 * Sizes and indices are JavaScript numbers and must be safe integers (≤ 2^53 - 1); all bit
 * arithmetic is done with division, never with 32-bit operators. Verifiers return a verdict
 * and never throw on attacker data; the proof *builders* are for our own servers and throw
 * RangeError on impossible arguments.
 */
import { fail, ok, type Verdict } from '../errors.ts'
import { sha256 } from '../crypto/hash.ts'
import { bytesEqual } from './_encoding.ts'

export const HASH_SIZE = 32
/** RFC 9162 §2.1.1 domain separation prefixes. */
export const LEAF_PREFIX = 0x00
export const NODE_PREFIX = 0x01

/** MTH({}) = HASH() — RFC 9162 §2.1.1. */
export const EMPTY_ROOT: Uint8Array = sha256(new Uint8Array(0))

/** MTH({d}) = HASH(0x00 || d) — RFC 9162 §2.1.1. */
export function hashLeaf(entry: Uint8Array): Uint8Array {
  const buf = new Uint8Array(1 + entry.length)
  buf[0] = LEAF_PREFIX
  buf.set(entry, 1)
  return sha256(buf)
}

/** HASH(0x01 || left || right) — RFC 9162 §2.1.1. */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  const buf = new Uint8Array(1 + left.length + right.length)
  buf[0] = NODE_PREFIX
  buf.set(left, 1)
  buf.set(right, 1 + left.length)
  return sha256(buf)
}

// ── integer helpers (safe integers, no 32-bit operators) ─────────────────────────────────

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0
const half = (x: number): number => Math.floor(x / 2)
const isOdd = (x: number): boolean => x % 2 === 1

/** Largest power of two strictly below n (n ≥ 2) — the k of RFC 9162 §2.1.1. */
export function splitPoint(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/** Smallest power of two ≥ n (n ≥ 1). */
function bitCeil(n: number): number {
  let p = 1
  while (p < n) p *= 2
  return p
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && bitCeil(n) === n
}

function hashesWellFormed(hashes: readonly unknown[]): boolean {
  for (const h of hashes) if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) return false
  return true
}

// ── tree hash ────────────────────────────────────────────────────────────────────────────

/**
 * The right edge of a tree being built leaf by leaf: the hashes of the perfect subtrees that
 * make up [0, size), largest first. O(log n) memory; `root()` is MTH(D[0:size]).
 */
export class CompactRange {
  #size = 0
  #hashes: Uint8Array[] = []

  get size(): number {
    return this.#size
  }

  /**
   * The range of a tree of `size` leaves from its perfect-subtree hashes, largest first (as
   * `hashes` gives them); one hash per set bit of `size`. TypeError when they cannot be.
   */
  static fromHashes(size: number, hashes: readonly Uint8Array[]): CompactRange {
    if (!isCount(size)) throw new TypeError('size must be a safe non-negative integer')
    let bits = 0
    for (let n = size; n > 0; n = half(n)) if (isOdd(n)) bits++
    if (hashes.length !== bits || !hashesWellFormed(hashes)) throw new TypeError(`a range of size ${size} has ${bits} hashes of 32 bytes`)
    const r = new CompactRange()
    r.#size = size
    r.#hashes = hashes.map((h) => h.slice())
    return r
  }

  /** The perfect-subtree hashes, largest (leftmost) first. */
  get hashes(): readonly Uint8Array[] {
    return this.#hashes
  }

  append(leafHash: Uint8Array): void {
    if (!(leafHash instanceof Uint8Array) || leafHash.length !== HASH_SIZE) throw new TypeError('leafHash must be 32 bytes')
    let h = leafHash
    for (let n = this.#size; isOdd(n); n = half(n)) h = hashChildren(this.#hashes.pop()!, h)
    this.#hashes.push(h)
    this.#size++
  }

  root(): Uint8Array {
    return foldRight(this.#hashes)
  }
}

/** Hash perfect-subtree hashes listed left to right (largest first) into one subtree hash. */
function foldRight(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return EMPTY_ROOT
  let h = hashes[hashes.length - 1]!
  for (let i = hashes.length - 2; i >= 0; i--) h = hashChildren(hashes[i]!, h)
  return h
}

/** MTH(D[0:n]) of a list of leaf hashes — RFC 9162 §2.1.1. */
export function rootFromLeafHashes(leafHashes: readonly Uint8Array[]): Uint8Array {
  const r = new CompactRange()
  for (const h of leafHashes) r.append(h)
  return r.root()
}

// ── verification: RFC 9162 §2.1.3.2 and §2.1.4.2 ────────────────────────────────────────

export interface InclusionInput {
  leafHash: Uint8Array
  index: number
  size: number
  proof: readonly Uint8Array[]
  root: Uint8Array
}

/** RFC 9162 §2.1.3.2 "Verifying an Inclusion Proof", step by step. */
export function verifyInclusion({ leafHash, index, size, proof, root }: InclusionInput): Verdict<void> {
  if (!isCount(index) || !isCount(size)) return fail('ERR_PROOF_OUT_OF_RANGE', 'index and size must be safe non-negative integers')
  // step 1: leaf_index ≥ tree_size fails
  if (index >= size) return fail('ERR_PROOF_OUT_OF_RANGE', `index ${index} is not below tree size ${size}`)
  if (!hashesWellFormed([leafHash]) || !hashesWellFormed(proof)) return fail('ERR_PROOF_MALFORMED', 'leaf hash and proof hashes must be 32 bytes')
  // step 2, 3
  let fn = index
  let sn = size - 1
  let r = leafHash
  // step 4
  for (const p of proof) {
    if (sn === 0) return fail('ERR_PROOF_WRONG_LENGTH', 'inclusion proof has too many hashes') // 4a
    if (isOdd(fn) || fn === sn) {
      r = hashChildren(p, r) // 4b.1
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) { // 4b.2
          fn = half(fn)
          sn = half(sn)
        }
      }
    } else {
      r = hashChildren(r, p) // 4b "Otherwise"
    }
    fn = half(fn) // 4c
    sn = half(sn)
  }
  // step 5
  if (sn !== 0) return fail('ERR_PROOF_WRONG_LENGTH', 'inclusion proof has too few hashes')
  if (!bytesEqual(r, root)) return fail('ERR_PROOF_ROOT_MISMATCH', 'inclusion proof does not lead to the root hash')
  return ok(undefined)
}

export interface ConsistencyInput {
  size1: number
  size2: number
  proof: readonly Uint8Array[]
  root1: Uint8Array
  root2: Uint8Array
}

/**
 * RFC 9162 §2.1.4.2 "Verifying Consistency between Two Tree Heads". The RFC speaks of
 * 0 < first < second; for first = second the proof must be empty and the roots equal, and a
 * proof from the empty tree is refused (it proves nothing: every tree extends the empty one).
 */
export function verifyConsistency({ size1, size2, proof, root1, root2 }: ConsistencyInput): Verdict<void> {
  if (!isCount(size1) || !isCount(size2)) return fail('ERR_PROOF_OUT_OF_RANGE', 'sizes must be safe non-negative integers')
  if (size1 > size2) return fail('ERR_PROOF_OUT_OF_RANGE', `first size ${size1} is above second size ${size2}`)
  if (size1 === 0) return fail('ERR_PROOF_OUT_OF_RANGE', 'a consistency proof from the empty tree proves nothing')
  if (!hashesWellFormed(proof)) return fail('ERR_PROOF_MALFORMED', 'proof hashes must be 32 bytes')
  if (size1 === size2) {
    if (proof.length !== 0) return fail('ERR_PROOF_WRONG_LENGTH', 'equal sizes need an empty proof')
    return bytesEqual(root1, root2) ? ok(undefined) : fail('ERR_PROOF_ROOT_MISMATCH', 'equal sizes with different root hashes')
  }
  if (!hashesWellFormed([root1, root2])) return fail('ERR_PROOF_MALFORMED', 'root hashes must be 32 bytes')
  // step 1
  if (proof.length === 0) return fail('ERR_PROOF_WRONG_LENGTH', 'consistency proof is empty')
  // step 2
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof
  // step 3
  let fn = size1 - 1
  let sn = size2 - 1
  // step 4
  while (isOdd(fn)) {
    fn = half(fn)
    sn = half(sn)
  }
  // step 5
  let fr = path[0]!
  let sr = path[0]!
  // step 6
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!
    if (sn === 0) return fail('ERR_PROOF_WRONG_LENGTH', 'consistency proof has too many hashes') // 6a
    if (isOdd(fn) || fn === sn) {
      fr = hashChildren(c, fr) // 6b.1
      sr = hashChildren(c, sr) // 6b.2
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) { // 6b.3
          fn = half(fn)
          sn = half(sn)
        }
      }
    } else {
      sr = hashChildren(sr, c) // 6b "Otherwise"
    }
    fn = half(fn) // 6c
    sn = half(sn)
  }
  // step 7
  if (sn !== 0) return fail('ERR_PROOF_WRONG_LENGTH', 'consistency proof has too few hashes')
  if (!bytesEqual(fr, root1)) return fail('ERR_PROOF_ROOT_MISMATCH', 'consistency proof does not lead to the first root hash')
  if (!bytesEqual(sr, root2)) return fail('ERR_PROOF_ROOT_MISMATCH', 'consistency proof does not lead to the second root hash')
  return ok(undefined)
}

// ── subtrees: draft-ietf-plants-merkle-tree-certs ───────────────────────────────────────

/**
 * A subtree [start, end) is valid when start < end and start is a multiple of the smallest
 * power of two ≥ end − start (draft-ietf-plants-merkle-tree-certs, "Subtrees").
 */
export function isValidSubtree(start: number, end: number): boolean {
  return isCount(start) && isCount(end) && start < end && start % bitCeil(end - start) === 0
}

export interface SubtreeInclusionInput {
  leafHash: Uint8Array
  index: number
  start: number
  end: number
  proof: readonly Uint8Array[]
  subtreeRoot: Uint8Array
}

/** Subtree inclusion proof: RFC 9162 §2.1.3.2 run on index − start in a tree of end − start leaves. */
export function verifySubtreeInclusion({ leafHash, index, start, end, proof, subtreeRoot }: SubtreeInclusionInput): Verdict<void> {
  if (!isValidSubtree(start, end)) return fail('ERR_PROOF_OUT_OF_RANGE', `[${start}, ${end}) is not a valid subtree`)
  if (!isCount(index) || index < start || index >= end) return fail('ERR_PROOF_OUT_OF_RANGE', `index ${index} is outside [${start}, ${end})`)
  return verifyInclusion({ leafHash, index: index - start, size: end - start, proof, root: subtreeRoot })
}

export interface SubtreeConsistencyInput {
  start: number
  end: number
  size: number
  proof: readonly Uint8Array[]
  subtreeRoot: Uint8Array
  root: Uint8Array
}

/**
 * Subtree consistency proof: that MTH(D[start:end]) = subtreeRoot is a subtree of the tree of
 * `size` leaves with root `root`. The RFC 9162 §2.1.4.2 walk with a third index: fn tracks the
 * subtree's first leaf, sn its last, tn the tree's last; fr rebuilds the subtree root from
 * the hashes inside the subtree (left siblings at or right of fn), sr rebuilds the tree root.
 * With start = 0 this is exactly §2.1.4.2. An empty subtree [s, s) has hash MTH({}) and is
 * part of every tree of at least s leaves, with an empty proof (as transparency-dev/merkle).
 */
export function verifySubtreeConsistency({ start, end, size, proof, subtreeRoot, root }: SubtreeConsistencyInput): Verdict<void> {
  if (!isCount(start) || !isCount(end) || !isCount(size)) return fail('ERR_PROOF_OUT_OF_RANGE', 'indices must be safe non-negative integers')
  if (end > size) return fail('ERR_PROOF_OUT_OF_RANGE', `subtree end ${end} is beyond tree size ${size}`)
  if (!hashesWellFormed(proof)) return fail('ERR_PROOF_MALFORMED', 'proof hashes must be 32 bytes')
  if (start === end) {
    if (proof.length !== 0) return fail('ERR_PROOF_WRONG_LENGTH', 'an empty subtree needs an empty proof')
    return bytesEqual(subtreeRoot, EMPTY_ROOT) ? ok(undefined) : fail('ERR_PROOF_ROOT_MISMATCH', 'an empty subtree has the empty hash')
  }
  if (!isValidSubtree(start, end)) return fail('ERR_PROOF_OUT_OF_RANGE', `[${start}, ${end}) is not a valid subtree`)
  // Roots are only compared when the proof is empty; once they are hashed they must be hashes.
  if (proof.length > 0 && !hashesWellFormed([subtreeRoot, root])) return fail('ERR_PROOF_MALFORMED', 'root hashes must be 32 bytes')

  let fn = start
  let sn = end - 1
  let tn = size - 1
  const shift = (): void => {
    fn = half(fn)
    sn = half(sn)
    tn = half(tn)
  }
  let i = 0
  let fr: Uint8Array
  let sr: Uint8Array
  if (sn === tn) {
    // The subtree ends where the tree ends: climb to the subtree's own node.
    while (fn !== sn) shift()
    fr = sr = subtreeRoot
  } else {
    // Climb past levels where the subtree's last node is a right child inside the subtree
    // (RFC 9162 §2.1.4.2 step 4); the node reached starts the proof unless it is the subtree.
    while (fn !== sn && isOdd(sn)) shift()
    if (fn === sn) {
      fr = sr = subtreeRoot
    } else {
      if (proof.length === 0) return fail('ERR_PROOF_WRONG_LENGTH', 'consistency proof is empty')
      fr = sr = proof[i++]!
    }
  }
  for (; i < proof.length; i++) {
    const c = proof[i]!
    if (tn === 0) return fail('ERR_PROOF_WRONG_LENGTH', 'consistency proof has too many hashes')
    if (isOdd(sn) || sn === tn) {
      if (fn < sn) fr = hashChildren(c, fr) // c lies inside the subtree
      sr = hashChildren(c, sr)
      if (!isOdd(sn)) while (!isOdd(sn) && sn !== 0) shift()
    } else {
      sr = hashChildren(sr, c)
    }
    shift()
  }
  if (tn !== 0) return fail('ERR_PROOF_WRONG_LENGTH', 'consistency proof has too few hashes')
  if (!bytesEqual(fr, subtreeRoot)) return fail('ERR_PROOF_ROOT_MISMATCH', 'consistency proof does not lead to the subtree hash')
  if (!bytesEqual(sr, root)) return fail('ERR_PROOF_ROOT_MISMATCH', 'consistency proof does not lead to the tree root hash')
  return ok(undefined)
}

// ── computing proofs from a hash source ─────────────────────────────────────────────────

/** A perfect subtree: the leaves [index · 2^level, (index + 1) · 2^level). */
export interface NodeId {
  level: number
  index: number
}

/**
 * Reads the hashes of perfect subtrees (in the order asked). Implementations: memory
 * (`memoryHashReader`), tiles (`tileHashReader` in tiles.ts), the ledger's storage.
 */
export type HashReader = (nodes: readonly NodeId[]) => Promise<readonly Uint8Array[]>

/** [start, end) split into maximal perfect subtrees, left to right (largest first for a subtree). */
export function rangeNodes(start: number, end: number): NodeId[] {
  if (!isCount(start) || !isCount(end) || start > end) throw new RangeError(`bad range [${start}, ${end})`)
  const out: NodeId[] = []
  let s = start
  while (s < end) {
    let size = 1
    let level = 0
    while (s % (size * 2) === 0 && s + size * 2 <= end) {
      size *= 2
      level++
    }
    out.push({ level, index: s / size })
    s += size
  }
  return out
}

type Range = readonly [number, number]

/** PATH(m, D[lo:hi]) of RFC 9162 §2.1.3.1, as the ranges whose MTH make it up, bottom first. */
function pathRanges(m: number, lo: number, hi: number, out: Range[]): void {
  if (hi - lo <= 1) return
  const k = splitPoint(hi - lo)
  if (m < k) {
    pathRanges(m, lo, lo + k, out)
    out.push([lo + k, hi])
  } else {
    pathRanges(m - k, lo + k, hi, out)
    out.push([lo, lo + k])
  }
}

/**
 * SUBPROOF of RFC 9162 §2.1.4.1, generalised to a subtree [s, e) inside the node [lo, hi)
 * (draft-ietf-plants-merkle-tree-certs, "Subtree consistency proofs"); with s = lo = 0 it is
 * SUBPROOF(e, D[0:hi], b) exactly.
 */
function subproofRanges(s: number, e: number, lo: number, hi: number, b: boolean, out: Range[]): void {
  if (s === lo && e === hi) {
    if (!b) out.push([lo, hi])
    return
  }
  const mid = lo + splitPoint(hi - lo)
  if (e <= mid) {
    subproofRanges(s, e, lo, mid, b, out)
    out.push([mid, hi])
  } else if (s >= mid) {
    subproofRanges(s, e, mid, hi, b, out)
    out.push([lo, mid])
  } else {
    if (s !== lo) throw new RangeError('subtree straddles a split it does not start at')
    subproofRanges(mid, e, mid, hi, false, out)
    out.push([lo, mid])
  }
}

/** MTH of each range, reading every perfect subtree needed in one call to `read`. */
async function hashRanges(ranges: readonly Range[], read: HashReader): Promise<Uint8Array[]> {
  const parts = ranges.map(([a, b]) => rangeNodes(a, b))
  const flat = parts.flat()
  const hashes = flat.length ? await read(flat) : []
  if (hashes.length !== flat.length) throw new RangeError('hash reader returned the wrong number of hashes')
  let o = 0
  return parts.map((nodes) => {
    const hs = hashes.slice(o, o + nodes.length)
    o += nodes.length
    return foldRight(hs)
  })
}

/** MTH(D[0:size]) from a hash source. */
export async function treeHash(size: number, read: HashReader): Promise<Uint8Array> {
  if (!isCount(size)) throw new RangeError('size must be a safe non-negative integer')
  if (size === 0) return EMPTY_ROOT
  return (await hashRanges([[0, size]], read))[0]!
}

/** The inclusion proof PATH(index, D[0:size]) — RFC 9162 §2.1.3.1. */
export async function proveInclusion(index: number, size: number, read: HashReader): Promise<Uint8Array[]> {
  if (!isCount(index) || !isCount(size) || index >= size) throw new RangeError(`no inclusion proof for index ${index} in size ${size}`)
  const ranges: Range[] = []
  pathRanges(index, 0, size, ranges)
  return hashRanges(ranges, read)
}

/** The consistency proof PROOF(size1, D[0:size2]) — RFC 9162 §2.1.4.1 (empty when sizes are equal). */
export async function proveConsistency(size1: number, size2: number, read: HashReader): Promise<Uint8Array[]> {
  if (!isCount(size1) || !isCount(size2) || size1 === 0 || size1 > size2) {
    throw new RangeError(`no consistency proof from size ${size1} to ${size2}`)
  }
  const ranges: Range[] = []
  subproofRanges(0, size1, 0, size2, true, ranges)
  return hashRanges(ranges, read)
}

/** The subtree consistency proof for [start, end) in a tree of `size` leaves (draft-ietf-plants-merkle-tree-certs). */
export async function proveSubtreeConsistency(start: number, end: number, size: number, read: HashReader): Promise<Uint8Array[]> {
  if (!isValidSubtree(start, end) || !isCount(size) || end > size) throw new RangeError(`no proof for [${start}, ${end}) in size ${size}`)
  const ranges: Range[] = []
  subproofRanges(start, end, 0, size, true, ranges)
  return hashRanges(ranges, read)
}

/** MTH(D[start:end]) of a valid subtree from a hash source. */
export async function subtreeHash(start: number, end: number, read: HashReader): Promise<Uint8Array> {
  if (start === end) return EMPTY_ROOT
  if (!isValidSubtree(start, end)) throw new RangeError(`[${start}, ${end}) is not a valid subtree`)
  return (await hashRanges([[start, end]], read))[0]!
}

/**
 * A hash source over leaf hashes held in memory; perfect-subtree hashes are computed on
 * demand and remembered. Asking for a subtree beyond the leaves is our bug: RangeError.
 */
export function memoryHashReader(leafHashes: readonly Uint8Array[]): HashReader {
  const memo = new Map<string, Uint8Array>()
  const node = (level: number, index: number): Uint8Array => {
    if (level === 0) {
      const h = leafHashes[index]
      if (!h) throw new RangeError(`no leaf ${index}`)
      return h
    }
    const key = `${level}/${index}`
    let h = memo.get(key)
    if (!h) {
      h = hashChildren(node(level - 1, index * 2), node(level - 1, index * 2 + 1))
      memo.set(key, h)
    }
    return h
  }
  return async (nodes) => nodes.map((n) => node(n.level, n.index))
}
