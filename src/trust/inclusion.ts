/**
 * Offline inclusion of a registry entry under the trusted registry checkpoint, synchronously,
 * from the leaves the device already holds (they hashed to that checkpoint's root when they
 * were synced). The path is RFC 9162 §2.1.3.1 PATH(m, D[n]) over the held leaf hashes; the
 * entry bytes given are hashed and checked against the trusted root with the kernel's
 * verifyInclusion, so bytes that differ in one bit fail.
 */
import { fail, ok, type Verdict } from '../core/errors.ts'
import { hashChildren, hashLeaf, verifyInclusion } from '../core/log/merkle.ts'

/** Largest power of two strictly below n (n ≥ 2). */
function split(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

export class LeafTree {
  readonly #leaves: readonly Uint8Array[]
  /** Perfect subtrees, `start/size`. */
  readonly #memo = new Map<string, Uint8Array>()

  constructor(leafHashes: readonly Uint8Array[]) {
    this.#leaves = leafHashes
  }

  get size(): number {
    return this.#leaves.length
  }

  /** MTH(D[start : start + n]). */
  #root(start: number, n: number): Uint8Array {
    if (n === 1) return this.#leaves[start]!
    const perfect = (n & (n - 1)) === 0
    const key = `${start}/${n}`
    if (perfect) {
      const m = this.#memo.get(key)
      if (m) return m
    }
    const k = split(n)
    const h = hashChildren(this.#root(start, k), this.#root(start + k, n - k))
    if (perfect) this.#memo.set(key, h)
    return h
  }

  /** PATH(m, D[0 : size]), leaf sibling first. */
  path(m: number, size = this.#leaves.length): Uint8Array[] {
    const out: Uint8Array[] = []
    const walk = (m: number, start: number, n: number): void => {
      if (n <= 1) return
      const k = split(n)
      if (m < k) {
        walk(m, start, k)
        out.push(this.#root(start + k, n - k))
      } else {
        walk(m - k, start + k, n - k)
        out.push(this.#root(start, k))
      }
    }
    walk(m, 0, size)
    return out
  }
}

/** Codes: ERR_PROOF_OUT_OF_RANGE (index not below the trusted size), ERR_LOG_INCLUSION_INVALID. */
export function checkEntryInclusion(tree: LeafTree, root: Uint8Array, size: number, index: number, entryBytes: Uint8Array): Verdict<{ index: number; size: number }> {
  if (!(entryBytes instanceof Uint8Array)) throw new TypeError('entryBytes must be a Uint8Array')
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) return fail('ERR_PROOF_OUT_OF_RANGE', `index ${index} is not below the trusted size ${size}`)
  if (tree.size !== size) throw new TypeError('the held leaves are not the trusted tree')
  const v = verifyInclusion({ leafHash: hashLeaf(entryBytes), index, size, proof: tree.path(index), root })
  if (!v.ok) return fail('ERR_LOG_INCLUSION_INVALID', `these bytes are not entry ${index} of the registry log at size ${size}: ${v.code} (${v.detail})`)
  return ok({ index, size })
}
