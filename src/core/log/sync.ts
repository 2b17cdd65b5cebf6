/**
 * Incremental sync of a wallet's or counter's view of the ledger from its tiles
 * (c2sp.org/tlog-tiles): fetch the checkpoint, move the light client forward (log signature,
 * witness quorum, consistency proof computed from the served tiles), then fetch only the entry
 * bundles past the trusted size and check every entry by extending the trusted tree's right
 * edge (RFC 9162 compact range) until it must hash to the new root. Entries are handed over
 * only once all of them check out. Progress (entries and bytes) is reported as bundles arrive.
 *
 * `syncCheckpoint` is the first half alone, for a log a client never replays (the status log):
 * the checkpoint, moved forward by a consistency proof computed from the served hash tiles
 * only, never the entry bundles.
 *
 * State is plain data (base64 strings and numbers) so it can live in IndexedDB next to the
 * light client's own state.
 */
import { CivicError, fail, failFrom, ok, type Verdict } from '../errors.ts'
import { bytesEqual, decodeBase64, encodeBase64 } from './_encoding.ts'
import { parseCheckpoint } from './checkpoint.ts'
import { CompactRange, hashLeaf, proveConsistency } from './merkle.ts'
import { parseNote } from './note.ts'
import type { CosignatureClock } from './cosignature.ts'
import { LightClient, type UpdateResult } from './light-client.ts'
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

  const moved = await moveCheckpoint(o.client, o.edge.size, get, o.now)
  if (!moved.ok) return moved
  const size = moved.value.size
  const old = o.edge.size
  const root = moved.value.rootHash

  const entries: Uint8Array[] = []
  const total = size - old
  try {
    // Nothing new (size === old): no bundle is fetched, not even the partial one at the edge.
    for (let n = Math.floor(old / TILE_WIDTH); size > old && n * TILE_WIDTH < size; n++) {
      const width = Math.min(TILE_WIDTH, size - n * TILE_WIDTH)
      const bundle = parseEntryBundle(await get(entryBundlePath({ index: n, width })), width)
      for (let i = Math.max(0, old - n * TILE_WIDTH); i < width; i++) {
        range.append(hashLeaf(bundle[i]!))
        entries.push(bundle[i]!)
      }
      o.onProgress?.({ entries: entries.length, totalEntries: total, bytes })
    }
  } catch (e) {
    if (e instanceof CivicError) return failFrom(e)
    return fail('ERR_LOG_FETCH_FAILED', `entry bundles: ${e instanceof Error ? e.message : String(e)}`)
  }
  if (!bytesEqual(range.root(), root)) {
    // The checkpoint is consistent with what we trusted, so the bundles served are not its entries.
    return fail('ERR_LOG_TILE_MISMATCH', 'the entry bundles served do not hash to the checkpoint root')
  }
  return ok({ size, entries, edge: { size, hashes: range.hashes.map(encodeBase64) }, bytes })
}

export interface CheckpointSyncOptions {
  origin: string
  client: LightClient
  /** GET a path under the log's URL prefix (`checkpoint`, `tile/…`); rejects when it cannot. */
  fetch: (path: string) => Promise<Uint8Array>
  now: CosignatureClock
}

export interface CheckpointSyncResult extends UpdateResult {
  /** Bytes received (checkpoint and the hash tiles of the consistency proof). */
  bytes: number
}

/**
 * Fetch the log's checkpoint and move the light client to it: log signature, witness quorum,
 * rollback, fork and consistency from the trusted size (the light client decides). Fetches the
 * checkpoint and, when the tree grew, the hash tiles the consistency proof needs; no bundles.
 * Codes: ERR_LOG_FETCH_FAILED, LightClient.update's.
 */
export async function syncCheckpoint(o: CheckpointSyncOptions): Promise<Verdict<CheckpointSyncResult>> {
  let bytes = 0
  const get = async (path: string): Promise<Uint8Array> => {
    const b = await o.fetch(path)
    bytes += b.length
    return b
  }
  const moved = await moveCheckpoint(o.client, o.client.trusted(o.origin)?.size ?? 0, get, o.now, o.origin)
  if (!moved.ok) return moved
  return ok({ ...moved.value, bytes })
}

async function moveCheckpoint(client: LightClient, old: number, get: (path: string) => Promise<Uint8Array>, now: CosignatureClock, origin?: string): Promise<Verdict<UpdateResult>> {
  let note: Uint8Array
  try {
    note = await get('checkpoint')
  } catch (e) {
    return fail('ERR_LOG_FETCH_FAILED', `checkpoint: ${(e as Error).message}`)
  }
  let size: number
  try {
    const cp = parseCheckpoint(parseNote(note).text)
    size = cp.size
    if (origin !== undefined && cp.origin !== origin) return fail('ERR_LOG_ORIGIN_MISMATCH', `checkpoint origin ${JSON.stringify(cp.origin)} is not ${JSON.stringify(origin)}`)
  } catch (e) {
    return failFrom(e)
  }
  // The light client decides on signatures, quorum, rollback, fork and consistency.
  let proof: Uint8Array[] = []
  if (old > 0 && size > old) {
    try {
      proof = await proveConsistency(old, size, tileHashReader(size, get))
    } catch (e) {
      return fail('ERR_LOG_FETCH_FAILED', `tiles for the consistency proof: ${(e as Error).message}`)
    }
  }
  return client.update(note, proof, now)
}
