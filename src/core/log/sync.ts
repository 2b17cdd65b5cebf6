/**
 * Incremental sync of a wallet's or counter's view of the ledger from its tiles
 * (c2sp.org/tlog-tiles): fetch the checkpoint, move the light client forward (log signature,
 * witness quorum, consistency proof computed from the served tiles), then fetch only the entry
 * bundles past the trusted size and check every entry by extending the trusted tree's right
 * edge (RFC 9162 compact range) until it must hash to the new root. Entries are handed over
 * only once all of them check out. Progress (entries and bytes) is reported as bundles arrive.
 *
 * State is plain data (base64 strings and numbers) so it can live in IndexedDB next to the
 * light client's own state.
 */
import { fail, failFrom, ok, type Verdict } from '../errors.ts'
import { bytesEqual, decodeBase64, encodeBase64 } from './_encoding.ts'
import { parseCheckpoint } from './checkpoint.ts'
import { CompactRange, hashLeaf, proveConsistency } from './merkle.ts'
import { parseNote } from './note.ts'
import type { CosignatureClock } from './cosignature.ts'
import { LightClient } from './light-client.ts'
import { entryBundlePath, parseEntryBundle, tileHashReader, TILE_WIDTH } from './tiles.ts'

/** The right edge of the trusted tree of one origin. */
export interface SyncEdge {
  size: number
  /** Perfect-subtree hashes of [0, size), largest first, standard base64. */
  hashes: string[]
}

export interface SyncProgress {
  /** New entries received so far / in all. */
  entries: number
  totalEntries: number
  /** Bytes received so far (checkpoint, tiles for the proof, bundles). */
  bytes: number
}

export interface SyncOptions {
  origin: string
  client: LightClient
  edge: SyncEdge
  /** GET a path under the log's URL prefix (`checkpoint`, `tile/…`); rejects when it cannot. */
  fetch: (path: string) => Promise<Uint8Array>
  onProgress?: (p: SyncProgress) => void
  /** Seconds, for the cosignatures' future check; `'no-clock'` opts out by name (LightClient.update). */
  now: CosignatureClock
}

export interface SyncResult {
  size: number
  /** The new entries, in log order, from the old trusted size on. */
  entries: Uint8Array[]
  edge: SyncEdge
  bytes: number
}

export async function syncLog(o: SyncOptions): Promise<Verdict<SyncResult>> {
  let bytes = 0
  const get = async (path: string): Promise<Uint8Array> => {
    const b = await o.fetch(path)
    bytes += b.length
    return b
  }
  let range: CompactRange
  try {
    range = CompactRange.fromHashes(o.edge.size, o.edge.hashes.map((h) => decodeBase64(h) ?? new Uint8Array(0)))
  } catch {
    return fail('ERR_LOG_STATE_INVALID', 'the stored tree edge is malformed')
  }
  const trusted = o.client.trusted(o.origin)
  if ((trusted?.size ?? 0) !== o.edge.size) return fail('ERR_LOG_STATE_INVALID', 'the tree edge and the light client disagree on the size')

  let note: Uint8Array
  try {
    note = await get('checkpoint')
  } catch (e) {
    return fail('ERR_LOG_FETCH_FAILED', `checkpoint: ${(e as Error).message}`)
  }
  let size: number
  try {
    size = parseCheckpoint(parseNote(note).text).size
  } catch (e) {
    return failFrom(e)
  }
  const old = o.edge.size
  // The light client decides on signatures, quorum, rollback, fork and consistency.
  let proof: Uint8Array[] = []
  if (old > 0 && size > old) {
    try {
      proof = await proveConsistency(old, size, tileHashReader(size, get))
    } catch (e) {
      return fail('ERR_LOG_FETCH_FAILED', `tiles for the consistency proof: ${(e as Error).message}`)
    }
  }
  const moved = o.client.update(note, proof, o.now)
  if (!moved.ok) return moved
  const root = moved.value.rootHash

  const entries: Uint8Array[] = []
  const total = size - old
  try {
    for (let n = Math.floor(old / TILE_WIDTH); n * TILE_WIDTH < size; n++) {
      const width = Math.min(TILE_WIDTH, size - n * TILE_WIDTH)
      const bundle = parseEntryBundle(await get(entryBundlePath({ index: n, width })), width)
      for (let i = Math.max(0, old - n * TILE_WIDTH); i < width; i++) {
        range.append(hashLeaf(bundle[i]!))
        entries.push(bundle[i]!)
      }
      o.onProgress?.({ entries: entries.length, totalEntries: total, bytes })
    }
  } catch (e) {
    return failFrom(e instanceof Error && !('code' in e) ? Object.assign(e, { code: 'ERR_LOG_FETCH_FAILED', detail: e.message }) : e)
  }
  if (!bytesEqual(range.root(), root)) {
    // The checkpoint is consistent with what we trusted, so the bundles served are not its entries.
    return fail('ERR_LOG_TILE_MISMATCH', 'the entry bundles served do not hash to the checkpoint root')
  }
  return ok({ size, entries, edge: { size, hashes: range.hashes.map(encodeBase64) }, bytes })
}
