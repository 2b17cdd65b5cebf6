import { describe, expect, it } from 'vitest'
import { CivicError, type Verdict } from '../../../src/core/errors.ts'
import { EMPTY_ROOT, hashLeaf, memoryHashReader, proveConsistency, proveInclusion, rangeNodes, treeHash, verifyConsistency, verifyInclusion } from '../../../src/core/log/merkle.ts'
import { parseLogPolicy, verifyCheckpointNote } from '../../../src/core/log/policy.ts'
import {
  entryBundlePath, formatEntryBundle, parseEntryBundle, parseHashTile, parseTilePath, tileHashReader, tilePath, tilesForSize, verifyTiledLog,
} from '../../../src/core/log/tiles.ts'
import { fetcherFrom, NOW, TESSERA_ENTRIES, TESSERA_ORIGIN, TESSERA_VKEY, tesseraFiles, ToyLog } from './_fixtures.ts'
import { codeOf } from '../../support/codes.ts'

describe('tile paths (c2sp.org/tlog-tiles §"Merkle Tree", §"Log entries")', () => {
  it.each([
    [{ level: 0, index: 0, width: 256 }, 'tile/0/000'],
    [{ level: 0, index: 0, width: 15 }, 'tile/0/000.p/15'],
    [{ level: 0, index: 1234067, width: 256 }, 'tile/0/x001/x234/067'],
    [{ level: 1, index: 1000, width: 256 }, 'tile/1/x001/000'],
    [{ level: 63, index: 999, width: 255 }, 'tile/63/999.p/255'],
    [{ level: 2, index: 1_000_000, width: 1 }, 'tile/2/x001/x000/000.p/1'],
  ])('%o ↔ %s', (t, path) => {
    expect(tilePath(t)).toBe(path)
    expect(parseTilePath(path)).toEqual({ kind: 'hashes', ...t })
  })

  it('entry bundle paths', () => {
    expect(entryBundlePath({ index: 1234067, width: 7 })).toBe('tile/entries/x001/x234/067.p/7')
    expect(parseTilePath('tile/entries/x001/x234/067.p/7')).toEqual({ kind: 'entries', index: 1234067, width: 7 })
    expect(parseTilePath('tile/entries/000')).toEqual({ kind: 'entries', index: 0, width: 256 })
  })

  it.each([
    'tile/0/1', 'tile/0/0000', 'tile/00/000', 'tile/64/000', 'tile/-1/000', 'tile/x/000', 'tile/0/x000/001', 'tile/0/001/000',
    'tile/0/x001', 'tile/0/000.p/0', 'tile/0/000.p/256', 'tile/0/000.p/07', 'tile/0/000.p', 'tile/0/000.p/', 'tiles/0/000', '/tile/0/000',
    'tile/0/000/', 'tile/entries/x001.p/5', 'tile/0', 'tile/entries', 'tile/0/00a', 'tile/0/x00a/000',
  ])('%s → ERR_LOG_TILE_PATH_INVALID', (path) => {
    expect(codeOf(() => parseTilePath(path))).toBe('ERR_LOG_TILE_PATH_INVALID')
  })

  it('lists the tiles of a tree as the spec example does (size 70,000)', () => {
    const { tiles, bundles } = tilesForSize(70_000)
    const at = (l: number) => tiles.filter((t) => t.level === l)
    expect(at(0).filter((t) => t.width === 256)).toHaveLength(273)
    expect(at(0).filter((t) => t.width < 256)).toEqual([{ level: 0, index: 273, width: 112 }])
    expect(at(1)).toEqual([{ level: 1, index: 0, width: 256 }, { level: 1, index: 1, width: 17 }])
    expect(at(2)).toEqual([{ level: 2, index: 0, width: 1 }])
    expect(tiles).toHaveLength(277)
    expect(bundles).toHaveLength(274)
    expect(tilesForSize(256).tiles).toEqual([{ level: 0, index: 0, width: 256 }, { level: 1, index: 0, width: 1 }])
    expect(tilesForSize(0)).toEqual({ tiles: [], bundles: [] })
  })
})

describe('entry bundles and hash tiles', () => {
  const bundle = formatEntryBundle([Uint8Array.of(1, 2), new Uint8Array(0), Uint8Array.of(3)])
  it('round-trips entries with big-endian uint16 lengths', () => {
    expect([...bundle]).toEqual([0, 2, 1, 2, 0, 0, 0, 1, 3])
    expect(parseEntryBundle(bundle, 3)).toEqual([Uint8Array.of(1, 2), new Uint8Array(0), Uint8Array.of(3)])
    expect(() => formatEntryBundle([new Uint8Array(65536)])).toThrow(RangeError)
    expect(parseEntryBundle(formatEntryBundle([new Uint8Array(65535)]), 1)[0]).toHaveLength(65535)
  })

  it.each([
    ['a trailing byte', Uint8Array.of(...bundle, 0), 3],
    ['a trailing entry', Uint8Array.of(...bundle, 0, 0), 3],
    ['a truncated length', bundle.slice(0, 7), 3],
    ['a truncated entry', bundle.slice(0, 8), 3],
    ['fewer entries than the width', bundle, 4],
    ['more entries than the width', bundle, 2],
    ['nothing', new Uint8Array(0), 1],
  ] as const)('bundle with %s → ERR_LOG_BUNDLE_MALFORMED', (_, bytes, width) => {
    expect(codeOf(() => parseEntryBundle(bytes, width))).toBe('ERR_LOG_BUNDLE_MALFORMED')
  })

  it.each([[31], [33], [0], [64 * 2 + 1]])('tile of %i bytes for width 1 or 4 → ERR_LOG_TILE_MALFORMED', (n) => {
    expect(codeOf(() => parseHashTile(new Uint8Array(n), n > 64 ? 4 : 1))).toBe('ERR_LOG_TILE_MALFORMED')
  })
})

// ── the Tessera log (transparency-dev/tessera testdata/log) ─────────────────────────────────

const policy = parseLogPolicy({ origin: TESSERA_ORIGIN, logKeys: [TESSERA_VKEY] })
const CHECKPOINTS = ['checkpoint', ...Array.from({ length: 16 }, (_, i) => `checkpoint.${i}`)]

/**
 * verifyCheckpointNote is a pure function of the note's bytes; the flip sweep re-checks the
 * same unchanged checkpoint thousands of times, so its verdict is remembered per exact bytes.
 */
const noteVerdicts = new Map<string, ReturnType<typeof verifyCheckpointNote>>()
function checkNote(bytes: Uint8Array): ReturnType<typeof verifyCheckpointNote> {
  const key = Buffer.from(bytes).toString('latin1')
  let v = noteVerdicts.get(key)
  if (!v) noteVerdicts.set(key, (v = verifyCheckpointNote(bytes, policy, NOW)))
  return v
}

/** The full check of one checkpoint file: signature, then every tile and bundle of its size. */
async function verifyAt(files: ReadonlyMap<string, Uint8Array>, name: string): Promise<Verdict<{ size: number }>> {
  const cp = checkNote(files.get(name)!)
  if (!cp.ok) return cp
  return verifyTiledLog(fetcherFrom(files), cp.value.checkpoint)
}

describe('the Tessera vector log verifies fully from its tiles', () => {
  const files = tesseraFiles()

  it('has the 47 files the README describes', () => {
    expect(files.size).toBe(17 + 15 + 15)
    for (let n = 1; n <= 15; n++) {
      expect(files.has(`tile/0/000.p/${n}`)).toBe(true)
      expect(files.has(`tile/entries/000.p/${n}`)).toBe(true)
    }
  })

  it.each(CHECKPOINTS)('%s: log signature, every tile and entry bundle, root', async (name) => {
    expect(await verifyAt(files, name)).toEqual({ ok: true, value: { size: name === 'checkpoint' ? 15 : Number(name.split('.')[1]) } })
  })

  it('holds the entries the README lists', () => {
    const entries = parseEntryBundle(files.get('tile/entries/000.p/15')!, 15).map((e) => new TextDecoder().decode(e))
    expect(entries).toEqual(TESSERA_ENTRIES)
    expect(verifyCheckpointNote(files.get('checkpoint.0')!, policy, NOW)).toMatchObject({ ok: true, value: { checkpoint: { size: 0, rootHash: EMPTY_ROOT } } })
  })

  it('every checkpoint is consistent with the final one, by proofs computed from the final tiles', async () => {
    const final = verifyCheckpointNote(files.get('checkpoint')!, policy, NOW)
    if (!final.ok) throw new Error(final.detail)
    const read = tileHashReader(15, fetcherFrom(files))
    expect(await treeHash(15, read)).toEqual(final.value.checkpoint.rootHash)
    for (let size = 1; size <= 15; size++) {
      const cp = verifyCheckpointNote(files.get(`checkpoint.${size}`)!, policy, NOW)
      if (!cp.ok) throw new Error(cp.detail)
      const proof = await proveConsistency(size, 15, read)
      expect(verifyConsistency({ size1: size, size2: 15, proof, root1: cp.value.checkpoint.rootHash, root2: final.value.checkpoint.rootHash })).toEqual({ ok: true, value: undefined })
      // …and the earlier root is the tree hash read from the earlier size's tiles.
      expect(await treeHash(size, tileHashReader(size, fetcherFrom(files)))).toEqual(cp.value.checkpoint.rootHash)
    }
  })

  it('every entry has an inclusion proof in every checkpoint that holds it', async () => {
    for (let size = 1; size <= 15; size++) {
      const cp = verifyCheckpointNote(files.get(`checkpoint.${size}`)!, policy, NOW)
      if (!cp.ok) throw new Error(cp.detail)
      const read = tileHashReader(size, fetcherFrom(files))
      for (let index = 0; index < size; index++) {
        const proof = await proveInclusion(index, size, read)
        const leafHash = hashLeaf(new TextEncoder().encode(TESSERA_ENTRIES[index]!))
        expect(verifyInclusion({ leafHash, index, size, proof, root: cp.value.checkpoint.rootHash }).ok).toBe(true)
      }
    }
  })

  // Each file is read by the checks of the sizes that use it.
  const dependents = (path: string): string[] => {
    if (path.startsWith('checkpoint')) return [path]
    const size = Number(path.split('/').pop())
    return size === 15 ? [`checkpoint.${size}`, 'checkpoint'] : [`checkpoint.${size}`]
  }
  const CHECKPOINT_CODES = ['ERR_NOTE_MALFORMED', 'ERR_NOTE_SIGNATURE_INVALID', 'ERR_NOTE_UNVERIFIED', 'ERR_LOG_CHECKPOINT_MALFORMED', 'ERR_LOG_ORIGIN_MISMATCH']
  const TILE_CODES = ['ERR_LOG_TILE_MISMATCH', 'ERR_LOG_BUNDLE_MALFORMED']

  it.each([...tesseraFiles().keys()])('flipping any byte of %s fails verification with a code', async (path) => {
    const flipped = new Map(files)
    const original = files.get(path)!
    const seen = new Set<string>()
    for (let i = 0; i < original.length; i++) {
      for (const mask of [0x01, 0x80]) {
        const bytes = Uint8Array.from(original)
        bytes[i]! ^= mask
        flipped.set(path, bytes)
        for (const name of dependents(path)) {
          const r = await verifyAt(flipped, name)
          if (r.ok) throw new Error(`byte ${i} ^ ${mask} of ${path} still verifies for ${name}`)
          expect(path.startsWith('checkpoint') ? CHECKPOINT_CODES : TILE_CODES).toContain(r.code)
          seen.add(r.code)
        }
      }
    }
    expect(seen.size).toBeGreaterThan(0)
  })

  it('a missing tile or bundle fails with ERR_LOG_FETCH_FAILED', async () => {
    for (const gone of ['tile/0/000.p/15', 'tile/entries/000.p/15']) {
      const partial = new Map(files)
      partial.delete(gone)
      expect(await verifyAt(partial, 'checkpoint')).toMatchObject({ ok: false, code: 'ERR_LOG_FETCH_FAILED' })
    }
  })

  it('a tile served for another size does not pass (width checked)', async () => {
    const swapped = new Map(files)
    swapped.set('tile/0/000.p/15', files.get('tile/0/000.p/14')!)
    expect(await verifyAt(swapped, 'checkpoint')).toMatchObject({ ok: false, code: 'ERR_LOG_TILE_MALFORMED' })
  })

  it('verifyTiledLog against a root it does not lead to → ERR_LOG_ROOT_MISMATCH', async () => {
    expect(await verifyTiledLog(fetcherFrom(files), { size: 15, rootHash: EMPTY_ROOT })).toMatchObject({ ok: false, code: 'ERR_LOG_ROOT_MISMATCH' })
  })
})

describe('a log of 70,000 entries (three tile levels)', () => {
  const log = new ToyLog().append(70_000)
  const root = log.root()
  let files: Map<string, Uint8Array>

  it('verifies fully, and proofs read from its tiles equal proofs from memory', async () => {
    files = await log.files()
    expect(files.size).toBe(277 + 274)
    expect(await verifyTiledLog(fetcherFrom(files), { size: 70_000, rootHash: root })).toEqual({ ok: true, value: { size: 70_000 } })
    const fromTiles = tileHashReader(70_000, fetcherFrom(files))
    const fromMemory = memoryHashReader(log.leaves)
    expect(await treeHash(70_000, fromTiles)).toEqual(root)
    for (const index of [0, 255, 256, 65_535, 65_536, 69_999]) {
      expect(await proveInclusion(index, 70_000, fromTiles)).toEqual(await proveInclusion(index, 70_000, fromMemory))
    }
    for (const size1 of [1, 256, 257, 65_536, 69_999]) {
      expect(await proveConsistency(size1, 70_000, fromTiles)).toEqual(await proveConsistency(size1, 70_000, fromMemory))
    }
    // A node in the middle of a tile level is rehashed from the tile below it.
    expect(await fromTiles(rangeNodes(65_536, 69_632))).toEqual(await fromMemory(rangeNodes(65_536, 69_632)))
  })

  it.each(['tile/1/000', 'tile/1/001.p/17', 'tile/2/000.p/1', 'tile/0/272', 'tile/0/273.p/112', 'tile/entries/100'])('a flipped last byte in %s → ERR_LOG_TILE_MISMATCH', async (path) => {
    const bad = new Map(files)
    const bytes = Uint8Array.from(files.get(path)!)
    bytes[bytes.length - 1]! ^= 1
    bad.set(path, bytes)
    expect(await verifyTiledLog(fetcherFrom(bad), { size: 70_000, rootHash: root })).toMatchObject({ ok: false, code: 'ERR_LOG_TILE_MISMATCH' })
  })

  it('a missing level-2 tile → ERR_LOG_FETCH_FAILED', async () => {
    const bad = new Map(files)
    bad.delete('tile/2/000.p/1')
    expect(await verifyTiledLog(fetcherFrom(bad), { size: 70_000, rootHash: root })).toMatchObject({ ok: false, code: 'ERR_LOG_FETCH_FAILED' })
  })
})
