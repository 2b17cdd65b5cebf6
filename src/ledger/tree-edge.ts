/**
 * The right edge of a tiled log (c2sp.org/tlog-tiles) in memory: for each tile level, the
 * hashes of its rightmost, not yet full tile, and the entries of the rightmost entry bundle.
 * That is all a sequencer needs to append entries, emit the tiles they change, and compute
 * the new RFC 9162 root, in O(256 · levels) memory whatever the log's size.
 */
import { hashChildren, hashLeaf, rootFromLeafHashes, EMPTY_ROOT } from '../core/log/merkle.ts'
import {
  entryBundlePath, formatEntryBundle, formatHashTile, parseEntryBundle, parseHashTile, tilePath, TILE_WIDTH,
} from '../core/log/tiles.ts'
import { CivicError } from '../core/errors.ts'
import type { StoredObject } from './storage/types.ts'

export type ObjectReader = (path: string) => Promise<Uint8Array | null>

export class TreeEdge {
  #size: number
  /** levels[L]: hashes of the partial tile at tile level L (0..255 of them). */
  #levels: Uint8Array[][]
  /** counts[L]: how many hashes tile level L holds in the whole tree (= ⌊size / 256^L⌋). */
  #counts: number[]
  #bundle: Uint8Array[]

  private constructor(size: number, levels: Uint8Array[][], counts: number[], bundle: Uint8Array[]) {
    this.#size = size
    this.#levels = levels
    this.#counts = counts
    this.#bundle = bundle
  }

  static empty(): TreeEdge {
    return new TreeEdge(0, [[]], [0], [])
  }

  /** Read the edge of a tree of `size` from its stored partial tiles and bundle. */
  static async load(size: number, read: ObjectReader): Promise<TreeEdge> {
    const need = async (path: string): Promise<Uint8Array> => {
      const b = await read(path)
      if (!b) throw new CivicError('ERR_LEDGER_CORRUPT', `${path} is missing for a tree of ${size}`)
      return b
    }
    const levels: Uint8Array[][] = []
    const counts: number[] = []
    for (let L = 0, count = size; L === 0 || count > 0; L++, count = Math.floor(count / TILE_WIDTH)) {
      counts.push(count)
      const w = count % TILE_WIDTH
      levels.push(w === 0 ? [] : parseHashTile(await need(tilePath({ level: L, index: Math.floor(count / TILE_WIDTH), width: w })), w))
    }
    const w0 = size % TILE_WIDTH
    const bundle = w0 === 0 ? [] : parseEntryBundle(await need(entryBundlePath({ index: Math.floor(size / TILE_WIDTH), width: w0 })), w0)
    return new TreeEdge(size, levels, counts, bundle)
  }

  get size(): number {
    return this.#size
  }

  clone(): TreeEdge {
    return new TreeEdge(this.#size, this.#levels.map((l) => [...l]), [...this.#counts], [...this.#bundle])
  }

  /**
   * Append entries; returns every object that changed: tiles and bundles that became full,
   * and the new partial tiles and bundle at the edge.
   */
  append(entries: readonly Uint8Array[]): StoredObject[] {
    const out: StoredObject[] = []
    const dirty = new Set<number>()
    for (const e of entries) {
      this.#bundle.push(e)
      if (this.#bundle.length === TILE_WIDTH) {
        out.push({ path: entryBundlePath({ index: Math.floor(this.#size / TILE_WIDTH), width: TILE_WIDTH }), bytes: formatEntryBundle(this.#bundle) })
        this.#bundle = []
      }
      this.#size++
      let h = hashLeaf(e)
      for (let L = 0; ; L++) {
        if (this.#levels.length === L) {
          this.#levels.push([])
          this.#counts.push(0)
        }
        this.#levels[L]!.push(h)
        this.#counts[L]!++
        dirty.add(L)
        if (this.#levels[L]!.length < TILE_WIDTH) break
        const full = this.#levels[L]!
        out.push({ path: tilePath({ level: L, index: this.#counts[L]! / TILE_WIDTH - 1, width: TILE_WIDTH }), bytes: formatHashTile(full) })
        h = rootFromLeafHashes(full)
        this.#levels[L] = []
      }
    }
    for (const L of dirty) {
      const hs = this.#levels[L]!
      if (hs.length > 0) out.push({ path: tilePath({ level: L, index: Math.floor(this.#counts[L]! / TILE_WIDTH), width: hs.length }), bytes: formatHashTile(hs) })
    }
    if (entries.length > 0 && this.#bundle.length > 0) {
      out.push({ path: entryBundlePath({ index: Math.floor(this.#size / TILE_WIDTH), width: this.#bundle.length }), bytes: formatEntryBundle(this.#bundle) })
    }
    return out
  }

  /** MTH(D[0:size]) (RFC 9162 §2.1.1): the perfect subtrees of the edge, left to right, folded. */
  root(): Uint8Array {
    if (this.#size === 0) return EMPTY_ROOT
    const parts: Uint8Array[] = []
    for (let L = this.#levels.length - 1; L >= 0; L--) {
      const hs = this.#levels[L]!
      let off = 0
      for (let chunk = TILE_WIDTH / 2; chunk >= 1; chunk /= 2) {
        if (hs.length - off >= chunk) {
          parts.push(rootFromLeafHashes(hs.slice(off, off + chunk)))
          off += chunk
        }
      }
    }
    let h = parts[parts.length - 1]!
    for (let i = parts.length - 2; i >= 0; i--) h = hashChildren(parts[i]!, h)
    return h
  }
}
