/**
 * Tiled logs (c2sp.org/tlog-tiles): tile and entry-bundle paths, strict tile and bundle
 * parsing, reading Merkle node hashes out of tiles (so proofs can be computed from them), and
 * verifying a whole log — every entry bundle and every tile — against a checkpoint.
 *
 * The fetcher is passed in (`(path) => Promise<bytes>`): this module makes no network or file
 * access of its own. Paths are relative to the log prefix, e.g. `tile/0/x001/234.p/7`.
 */
import { fail, failFrom, InputError, ok, type Verdict } from '../errors.ts'
import { bytesEqual, parseDecimal } from './_encoding.ts'
import { CompactRange, hashLeaf, HASH_SIZE, rootFromLeafHashes, type HashReader, type NodeId } from './merkle.ts'

/** "Full tiles MUST be exactly 256 hashes wide" — a tile spans 8 levels of the tree. */
export const TILE_HEIGHT = 8
export const TILE_WIDTH = 256
/** Entry bundles frame entries with a big-endian uint16 length. */
export const MAX_ENTRY_BYTES = 0xffff

export interface TileId {
  /** 0..63 */
  level: number
  index: number
  /** 1..256; 256 is a full tile, anything less a partial tile `.p/<W>`. */
  width: number
}

export interface BundleId {
  index: number
  width: number
}

export type TilePathRef = ({ kind: 'hashes'; level: number } | { kind: 'entries' }) & BundleId

const isCount = (x: number): boolean => Number.isSafeInteger(x) && x >= 0

function assertWidth(width: number): void {
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) throw new RangeError(`tile width ${width} is not 1..256`)
}

/**
 * `<N>`: "a non-negative integer encoded into zero-padded 3-digit path elements. All but the
 * last path element MUST begin with an x" — 1234067 is `x001/x234/067`.
 */
function formatTileIndex(n: number): string {
  if (!isCount(n)) throw new RangeError(`tile index ${n} is not a safe non-negative integer`)
  let s = String(n % 1000).padStart(3, '0')
  for (n = Math.floor(n / 1000); n > 0; n = Math.floor(n / 1000)) s = `x${String(n % 1000).padStart(3, '0')}/${s}`
  return s
}

const widthSuffix = (width: number): string => (width === TILE_WIDTH ? '' : `.p/${width}`)

/** `tile/<L>/<N>[.p/<W>]` */
export function tilePath(t: TileId): string {
  if (!Number.isInteger(t.level) || t.level < 0 || t.level > 63) throw new RangeError(`tile level ${t.level} is not 0..63`)
  assertWidth(t.width)
  return `tile/${t.level}/${formatTileIndex(t.index)}${widthSuffix(t.width)}`
}

/** `tile/entries/<N>[.p/<W>]` */
export function entryBundlePath(b: BundleId): string {
  assertWidth(b.width)
  return `tile/entries/${formatTileIndex(b.index)}${widthSuffix(b.width)}`
}

function badPath(detail: string): never {
  throw new InputError('ERR_LOG_TILE_PATH_INVALID', detail)
}

/** Parse a tile or entry-bundle path in its one canonical spelling; throws InputError ERR_LOG_TILE_PATH_INVALID. */
export function parseTilePath(path: string): TilePathRef {
  if (typeof path !== 'string' || path.length > 200) badPath('not a path of sane length')
  const parts = path.split('/')
  if (parts[0] !== 'tile' || parts.length < 3) badPath('a tile path starts with tile/<L or entries>/')
  const levelText = parts[1]!
  let rest = parts.slice(2)
  let width = TILE_WIDTH
  const p = rest.length >= 2 ? rest[rest.length - 2]! : ''
  if (p.endsWith('.p')) {
    const w = parseDecimal(rest[rest.length - 1]!)
    if (typeof w !== 'number' || w < 1 || w > 255) badPath('partial width must be 1..255 without leading zeroes')
    width = w
    rest = [...rest.slice(0, -2), p.slice(0, -2)]
  }
  let index = 0
  rest.forEach((el, i) => {
    const last = i === rest.length - 1
    const m = (last ? /^([0-9]{3})$/ : /^x([0-9]{3})$/).exec(el)
    if (!m) badPath(`index element ${JSON.stringify(el)} is not ${last ? 'NNN' : 'xNNN'}`)
    if (i === 0 && !last && m[1] === '000') badPath('index has a leading x000 element')
    index = index * 1000 + Number(m[1])
  })
  if (!isCount(index)) badPath('index above 2^53 - 1')
  if (levelText === 'entries') return { kind: 'entries', index, width }
  const level = parseDecimal(levelText)
  if (typeof level !== 'number' || level > 63) badPath('level must be 0..63 without leading zeroes')
  return { kind: 'hashes', level, index, width }
}

/** Every tile and entry bundle a tree of `size` leaves is served as (tlog-tiles §"Partial Tiles"). */
export function tilesForSize(size: number): { tiles: TileId[]; bundles: BundleId[] } {
  if (!isCount(size)) throw new RangeError('size must be a safe non-negative integer')
  const tiles: TileId[] = []
  const bundles: BundleId[] = []
  // "The partial tile at level l for a tree of size s has floor(s / 256**l) mod 256 entries."
  let n = size
  for (let level = 0; n > 0; level++) {
    const full = Math.floor(n / TILE_WIDTH)
    for (let i = 0; i < full; i++) tiles.push({ level, index: i, width: TILE_WIDTH })
    if (n % TILE_WIDTH) tiles.push({ level, index: full, width: n % TILE_WIDTH })
    if (level === 0) for (const t of tiles) bundles.push({ index: t.index, width: t.width })
    n = full
  }
  return { tiles, bundles }
}

/** A tile's hashes; it must be exactly 32 × width bytes. Throws InputError ERR_LOG_TILE_MALFORMED. */
export function parseHashTile(bytes: Uint8Array, width: number): Uint8Array[] {
  assertWidth(width)
  if (bytes.length !== width * HASH_SIZE) {
    throw new InputError('ERR_LOG_TILE_MALFORMED', `tile of width ${width} is ${bytes.length} bytes, not ${width * HASH_SIZE}`)
  }
  const out: Uint8Array[] = []
  for (let i = 0; i < width; i++) out.push(bytes.slice(i * HASH_SIZE, (i + 1) * HASH_SIZE))
  return out
}

export function formatHashTile(hashes: readonly Uint8Array[]): Uint8Array {
  assertWidth(hashes.length)
  const out = new Uint8Array(hashes.length * HASH_SIZE)
  hashes.forEach((h, i) => {
    if (h.length !== HASH_SIZE) throw new RangeError('tile hashes are 32 bytes')
    out.set(h, i * HASH_SIZE)
  })
  return out
}

/**
 * "Entry bundles are sequences of big-endian uint16 length-prefixed log entries": exactly
 * `width` entries and nothing after them. Throws InputError ERR_LOG_BUNDLE_MALFORMED.
 */
export function parseEntryBundle(bytes: Uint8Array, width: number): Uint8Array[] {
  assertWidth(width)
  const out: Uint8Array[] = []
  let o = 0
  while (o < bytes.length) {
    if (out.length === width) throw new InputError('ERR_LOG_BUNDLE_MALFORMED', `bytes after the ${width} entries of the bundle`)
    if (o + 2 > bytes.length) throw new InputError('ERR_LOG_BUNDLE_MALFORMED', 'truncated entry length')
    const len = (bytes[o]! << 8) | bytes[o + 1]!
    o += 2
    if (o + len > bytes.length) throw new InputError('ERR_LOG_BUNDLE_MALFORMED', `entry ${out.length} runs past the end of the bundle`)
    out.push(bytes.slice(o, o + len))
    o += len
  }
  if (out.length !== width) throw new InputError('ERR_LOG_BUNDLE_MALFORMED', `bundle holds ${out.length} entries, not ${width}`)
  return out
}

export function formatEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  assertWidth(entries.length)
  let n = 0
  for (const e of entries) {
    if (e.length > MAX_ENTRY_BYTES) throw new RangeError(`entry of ${e.length} bytes does not fit a uint16 length`)
    n += 2 + e.length
  }
  const out = new Uint8Array(n)
  let o = 0
  for (const e of entries) {
    out[o++] = e.length >> 8
    out[o++] = e.length & 0xff
    out.set(e, o)
    o += e.length
  }
  return out
}

/** Fetches a path under the log prefix; rejects (throws) when the resource cannot be had. */
export type TileFetcher = (path: string) => Promise<Uint8Array>

/** The tile holding the hashes at tile level `level` (tree level 8·level), for a tree of `size`. */
function tileAt(level: number, index: number, size: number): TileId {
  const count = Math.floor(size / TILE_WIDTH ** level) // hashes at tree level 8·level
  return { level, index, width: Math.min(TILE_WIDTH, count - index * TILE_WIDTH) }
}

/**
 * A hash source over the tiles of a tree of `size` leaves. A node at tree level ℓ lives in
 * tile level ⌊ℓ/8⌋ (tlog-tiles: "a tile represents the entire subtree of height 8 with its
 * hashes as the leaves"); levels in between are rehashed from the tile's hashes. Tiles are
 * fetched once per reader. Hashes are returned as served: whoever uses them must check the
 * result against a signed root (proofs are verified by their receiver). Throws on fetch
 * failure and InputError on malformed tiles.
 */
export function tileHashReader(size: number, fetchTile: TileFetcher): HashReader {
  if (!isCount(size)) throw new RangeError('size must be a safe non-negative integer')
  const cache = new Map<string, Promise<Uint8Array[]>>()
  const tile = (t: TileId): Promise<Uint8Array[]> => {
    const path = tilePath(t)
    let p = cache.get(path)
    if (!p) {
      p = fetchTile(path).then((bytes) => parseHashTile(bytes, t.width))
      cache.set(path, p)
    }
    return p
  }
  return async (nodes: readonly NodeId[]) =>
    Promise.all(
      nodes.map(async ({ level, index }) => {
        const tl = Math.floor(level / TILE_HEIGHT)
        const span = 2 ** (level - tl * TILE_HEIGHT) // tile-level hashes under this node
        const first = index * span
        if ((index + 1) * 2 ** level > size) throw new RangeError(`node ${level}/${index} is not complete in a tree of ${size}`)
        const n = Math.floor(first / TILE_WIDTH)
        const hashes = await tile(tileAt(tl, n, size))
        const off = first - n * TILE_WIDTH
        return span === 1 ? hashes[off]! : rootFromLeafHashes(hashes.slice(off, off + span))
      }),
    )
}

/**
 * Verify a whole tiled log against a checkpoint's size and root hash: every entry bundle is
 * fetched and parsed, each entry's leaf hash (RFC 9162 §2.1.1) must equal the level-0 tile
 * hash; each hash in a tile at level L ≥ 1 must equal the Merkle tree hash of the full tile
 * below it; and the tree hash of all entries must equal the checkpoint root. Every byte of
 * every resource is covered. Memory is O(size / 256). Never throws on attacker data.
 * Codes: ERR_LOG_FETCH_FAILED, ERR_LOG_BUNDLE_MALFORMED, ERR_LOG_TILE_MALFORMED,
 * ERR_LOG_TILE_MISMATCH, ERR_LOG_ROOT_MISMATCH.
 */
export async function verifyTiledLog(fetchTile: TileFetcher, checkpoint: { size: number; rootHash: Uint8Array }): Promise<Verdict<{ size: number }>> {
  const { size, rootHash } = checkpoint
  if (!isCount(size)) return fail('ERR_LOG_SIZE_UNSUPPORTED', 'size must be a safe non-negative integer')
  const get = async (path: string): Promise<Uint8Array> => {
    try {
      const bytes = await fetchTile(path)
      if (!(bytes instanceof Uint8Array)) throw new TypeError('fetcher returned no bytes')
      return bytes
    } catch (e) {
      throw new InputError('ERR_LOG_FETCH_FAILED', `${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
    }
  }
  try {
    const range = new CompactRange()
    // Level 0: entries against leaf hashes.
    let expected: Uint8Array[] = [] // hashes the next tile level must hold
    for (let n = 0; n * TILE_WIDTH < size; n++) {
      const width = Math.min(TILE_WIDTH, size - n * TILE_WIDTH)
      const [bundle, tileBytes] = await Promise.all([get(entryBundlePath({ index: n, width })), get(tilePath({ level: 0, index: n, width }))])
      const entries = parseEntryBundle(bundle, width)
      const hashes = parseHashTile(tileBytes, width)
      for (let i = 0; i < width; i++) {
        const leaf = hashLeaf(entries[i]!)
        if (!bytesEqual(leaf, hashes[i]!)) return fail('ERR_LOG_TILE_MISMATCH', `entry ${n * TILE_WIDTH + i} does not hash to its level-0 tile hash`)
        range.append(leaf)
      }
      if (width === TILE_WIDTH) expected.push(rootFromLeafHashes(hashes))
    }
    // Levels ≥ 1: each hash is MTH of a full tile one level down (and only full tiles count).
    for (let level = 1; expected.length > 0; level++) {
      const next: Uint8Array[] = []
      for (let n = 0; n * TILE_WIDTH < expected.length; n++) {
        const width = Math.min(TILE_WIDTH, expected.length - n * TILE_WIDTH)
        const hashes = parseHashTile(await get(tilePath({ level, index: n, width })), width)
        for (let i = 0; i < width; i++) {
          if (!bytesEqual(hashes[i]!, expected[n * TILE_WIDTH + i]!)) {
            return fail('ERR_LOG_TILE_MISMATCH', `tile ${tilePath({ level, index: n, width })} hash ${i} differs from the tile below`)
          }
        }
        if (width === TILE_WIDTH) next.push(rootFromLeafHashes(hashes))
      }
      expected = next
    }
    if (!bytesEqual(range.root(), rootHash)) return fail('ERR_LOG_ROOT_MISMATCH', `the ${size} entries do not hash to the checkpoint root`)
    return ok({ size })
  } catch (e) {
    return failFrom(e)
  }
}
