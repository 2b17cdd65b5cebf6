/**
 * The sequencer: the one writer of a log. Entries are admitted one at a time through the gate
 * (the registry rules, in submission order), gathered into batches (at most `maxBatch`
 * entries or `maxDelayMs`, ≤ 1 s), and each batch is made durable, witnessed and published
 * before any of its entries is acknowledged.
 *
 * Order of one batch (a crash at any step loses no acknowledged entry, and never shows a
 * witness two trees of one size):
 *   1. tiles and bundles for the new tree, then the log-signed checkpoint:  storage.stage
 *   2. the staged checkpoint to every witness (add-checkpoint with a consistency proof from
 *      the size that witness knows); at least `quorum` cosignatures are needed
 *   3. the cosigned checkpoint replaces the published one:                   storage.publishCheckpoint
 *   4. the entries' indices are returned to their submitters
 * A crash after 1 or 2 leaves a staged tree whose objects are durable: `open` re-witnesses and
 * publishes it before taking new entries. A failure in 1–3 fails every entry of the batch and
 * every entry admitted after it (the gate is reset to the published state), so a refused
 * request changed nothing that anyone was told about.
 *
 * Refresh: while idle, every `refreshSeconds` (default 60; 0 turns it off) the published tree
 * is witnessed again — the same log-signed checkpoint (Ed25519 is deterministic: the same
 * bytes), each witness asked with old size = size and an empty proof, which tlog-witness
 * answers with a fresh cosignature — and published with the new cosignatures. A checkpoint's
 * witness timestamps then say how recent it is, so a client can tell a log that has nothing
 * new from one that is hiding what is new (design §5, freshness). A refresh that misses the
 * quorum changes nothing (the older cosigned note stays published). A staged tree left
 * unpublished by a failed batch is retried at the same moments.
 */
import { CivicError, type ErrorCode, type Verdict } from '../core/errors.ts'
import { decodeUtf8, encodeUtf8 } from '../core/bytes/utf8.ts'
import { formatCheckpoint, parseCheckpoint } from '../core/log/checkpoint.ts'
import { proveConsistency } from '../core/log/merkle.ts'
import { ed25519NoteSigner, ed25519NoteVerifier, openNote, parseNote, signNote, type SignerKey, type VerifierKey } from '../core/log/note.ts'
import { parseEntryBundle, tileHashReader, entryBundlePath, TILE_WIDTH, MAX_ENTRY_BYTES } from '../core/log/tiles.ts'
import { bytesEqual } from '../core/bytes/compare.ts'
import type { LogStorage, StoredObject } from './storage/types.ts'
import { TreeEdge } from './tree-edge.ts'

/** Decides, in log order, whether an entry may join the log. */
export interface EntryGate {
  /**
   * Rebuild the state from the log's entries, in order. The first `published` are in the
   * published checkpoint; the rest are sequenced (durably staged) but not yet published: they
   * are published with the next successful batch, before any admitted entry, and never forgotten
   * by `reset`.
   */
  load(entries: AsyncIterable<Uint8Array>, published: number): Promise<void>
  /**
   * Check an entry against the state including every entry admitted so far; on success it is
   * admitted, and `enqueue` is called in the same synchronous step, so the sequencer's queue
   * and the gate's pending states keep one order. Admissions may run concurrently.
   * `allow(rateKey)` is asked once the entry's author is known and before it is admitted;
   * false refuses it with ERR_LEDGER_RATE_LIMITED.
   */
  admit(entry: Uint8Array, allow: ((rateKey: string) => boolean) | undefined, enqueue: () => void): Promise<Verdict<{ rateKey?: string }>>
  /** Every loaded, unpublished entry, then the first `count` admitted entries, are now published. */
  commit(count: number): void
  /** Forget every admitted, unpublished entry. */
  reset(): void
}

/**
 * Asks one witness to cosign (c2sp.org/tlog-witness add-checkpoint). An `ok` answer's line
 * must have been verified against `witnessKey` for this checkpoint.
 */
export type CosignRequest = (req: {
  url: string
  witnessKey: VerifierKey
  oldSize: number
  consistencyProof: Uint8Array[]
  checkpointNote: Uint8Array
  timeoutMs: number
}) => Promise<{ ok: true; signatureLine: string } | { ok: false; status: number; knownSize?: number; code: ErrorCode }>

export interface WitnessConfig {
  url: string
  /** The witness's cosignature/v1 verifier key. */
  key: VerifierKey
}

export interface SequencerOptions {
  storage: LogStorage
  origin: string
  logKey: SignerKey
  witnesses: WitnessConfig[]
  quorum: number
  gate: EntryGate
  cosign: CosignRequest
  maxBatch?: number
  maxDelayMs?: number
  witnessTimeoutMs?: number
  /** Seconds between re-witnessings of an idle log's published checkpoint (default 60; 0: never). */
  refreshSeconds?: number
  /** Seconds since the epoch. */
  now: () => number
  log?: (line: string) => void
}

interface Pending {
  entry: Uint8Array
  resolve: (index: number) => void
  reject: (e: CivicError) => void
}

export class Sequencer {
  readonly #o: Required<Omit<SequencerOptions, 'log'>> & Pick<SequencerOptions, 'log'>
  #edge: TreeEdge
  /** The tree the published checkpoint commits to (≤ edge.size while a batch is under way). */
  #publishedSize = 0
  #published: Uint8Array | null = null
  /** Tree size each witness is known to have cosigned. */
  readonly #witnessSize = new Map<string, number>()
  #queue: Pending[] = []
  #timer: ReturnType<typeof setTimeout> | undefined
  #refreshTimer: ReturnType<typeof setTimeout> | undefined
  #flushing: Promise<void> | undefined
  readonly #admitting = new Set<Promise<unknown>>()
  #unpublished = false
  #closed = false

  private constructor(o: SequencerOptions, edge: TreeEdge) {
    this.#o = { maxBatch: 4096, maxDelayMs: 25, witnessTimeoutMs: 5000, refreshSeconds: 60, ...o }
    if (this.#o.maxDelayMs > 1000) throw new RangeError('maxDelayMs must be at most 1000')
    if (!(this.#o.refreshSeconds >= 0) || this.#o.refreshSeconds > 86_400) throw new RangeError('refreshSeconds must be 0..86400')
    this.#edge = edge
  }

  /**
   * Take the sequencer lock, load the published tree, finish a staged one left by a crash,
   * and rebuild the gate's state from the log's entries.
   */
  static async open(o: SequencerOptions): Promise<Sequencer> {
    await o.storage.acquireSequencerLock()
    const verifier = ed25519NoteVerifier(o.logKey)
    const sizeOf = (note: Uint8Array | null, what: string): { size: number; root: Uint8Array } | null => {
      if (!note) return null
      const v = openNote(note, [verifier])
      if (!v.ok) throw new CivicError('ERR_LEDGER_CORRUPT', `${what} checkpoint does not verify: ${v.code}`)
      const cp = parseCheckpoint(v.value.note.text)
      if (cp.origin !== o.origin) throw new CivicError('ERR_LEDGER_CONFIG', `${what} checkpoint is for ${cp.origin}, not ${o.origin}`)
      return { size: cp.size, root: cp.rootHash }
    }
    const published = await o.storage.getCheckpoint()
    const p = sizeOf(published, 'published')
    const s = sizeOf(await o.storage.getStagedCheckpoint(), 'staged')
    let size = p?.size ?? 0
    let edge = await TreeEdge.load(size, (path) => o.storage.getObject(path))
    if (p && !bytesEqual(edge.root(), p.root)) throw new CivicError('ERR_LEDGER_CORRUPT', 'stored tiles do not hash to the published root')
    // A new log publishes its empty tree first, so readers always find a checkpoint.
    let unpublished = published === null
    if (s && s.size > size) {
      // A batch was staged (its objects are durable) but not published: adopt it.
      const staged = await TreeEdge.load(s.size, (path) => o.storage.getObject(path)).catch(() => null)
      if (staged && bytesEqual(staged.root(), s.root)) {
        edge = staged
        size = s.size
        unpublished = true
      }
    }
    const seq = new Sequencer(o, edge)
    seq.#publishedSize = p?.size ?? 0
    seq.#published = published
    for (const w of o.witnesses) seq.#witnessSize.set(w.url, seq.#publishedSize)
    await o.gate.load(seq.#entries(0, size), seq.#publishedSize)
    seq.#unpublished = unpublished
    if (unpublished) {
      o.log?.(published ? `recovering a staged tree of ${size} entries (published: ${seq.#publishedSize})` : 'a new log: publishing its empty tree')
      await seq.#flush().catch((e) => o.log?.(`staged tree not yet published: ${(e as Error).message}`))
    }
    seq.#armRefresh()
    return seq
  }

  async *#entries(start: number, end: number): AsyncIterable<Uint8Array> {
    for (let n = Math.floor(start / TILE_WIDTH); n * TILE_WIDTH < end; n++) {
      const width = Math.min(TILE_WIDTH, end - n * TILE_WIDTH)
      const b = await this.#o.storage.getObject(entryBundlePath({ index: n, width }))
      if (!b) throw new CivicError('ERR_LEDGER_CORRUPT', `entry bundle ${n} of width ${width} is missing`)
      const es = parseEntryBundle(b, width)
      for (let i = 0; i < width; i++) if (n * TILE_WIDTH + i >= start) yield es[i]!
    }
  }

  /** Size of the published tree. */
  get size(): number {
    return this.#publishedSize
  }

  /** The published checkpoint note. */
  get checkpoint(): Uint8Array | null {
    return this.#published
  }

  /**
   * Submit an entry. Resolves with its index once it is durable and in a published, witnessed
   * checkpoint; rejects with a CivicError whose code says why (nothing was changed).
   */
  add(entry: Uint8Array, allow?: (rateKey: string) => boolean): Promise<number> {
    if (this.#closed) return Promise.reject(new CivicError('ERR_LEDGER_UNAVAILABLE', 'the log is shutting down'))
    if (entry.length === 0 || entry.length > MAX_ENTRY_BYTES) return Promise.reject(new CivicError('ERR_LEDGER_BODY_TOO_LARGE', `an entry is 1..${MAX_ENTRY_BYTES} bytes`))
    return new Promise<number>((resolve, reject) => {
      const admitted = this.#o.gate.admit(entry, allow, () => {
        this.#queue.push({ entry, resolve, reject })
        this.#schedule()
      })
      this.#admitting.add(admitted)
      admitted.then(
        (v) => {
          this.#admitting.delete(admitted)
          if (!v.ok) reject(new CivicError(v.code, v.detail))
        },
        (e: unknown) => {
          this.#admitting.delete(admitted)
          reject(e instanceof CivicError ? e : new CivicError('ERR_LEDGER_UNAVAILABLE', 'admission failed', { cause: e }))
        },
      )
    })
  }

  #schedule(): void {
    if (this.#flushing) return
    if (this.#queue.length >= this.#o.maxBatch) {
      clearTimeout(this.#timer)
      this.#timer = undefined
      void this.#runFlush()
    } else if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined
        void this.#runFlush()
      }, this.#o.maxDelayMs)
    }
  }

  #runFlush(): Promise<void> {
    return this.#exclusive(() => this.#flush())
  }

  /** Runs `f` as the one batch or refresh under way; then the next batch, or the refresh timer. */
  #exclusive(f: () => Promise<void>): Promise<void> {
    this.#flushing = f()
      .catch(() => undefined)
      .finally(() => {
        this.#flushing = undefined
        // Entries that arrived during this batch have waited long enough: the next batch starts now.
        if (this.#queue.length > 0) {
          clearTimeout(this.#timer)
          this.#timer = undefined
          void this.#runFlush()
        } else this.#armRefresh()
      })
    return this.#flushing
  }

  /** (Re)starts the idle timer after which the published checkpoint is witnessed again. */
  #armRefresh(): void {
    clearTimeout(this.#refreshTimer)
    this.#refreshTimer = undefined
    if (this.#closed || this.#o.refreshSeconds === 0) return
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = undefined
      if (this.#closed || this.#flushing || this.#queue.length > 0) return // a batch under way re-arms it
      void this.#exclusive(() => (this.#unpublished ? this.#flush() : this.#refresh()))
    }, this.#o.refreshSeconds * 1000)
    this.#refreshTimer.unref?.()
  }

  /** The published tree witnessed again and published with the fresh cosignatures. */
  async #refresh(): Promise<void> {
    if (this.#o.witnesses.length === 0 || this.#edge.size !== this.#publishedSize) return
    const text = formatCheckpoint({ origin: this.#o.origin, size: this.#edge.size, rootHash: this.#edge.root(), extensions: [] })
    const logSigned = encodeUtf8(signNote(text, [ed25519NoteSigner(this.#o.logKey)]))
    try {
      const lines = await this.#witness(this.#edge.size, logSigned, [])
      const cosigned = encodeUtf8(decodeUtf8(logSigned) + lines.map((l) => `${l}\n`).join(''))
      await this.#o.storage.publishCheckpoint(cosigned)
      this.#published = cosigned
    } catch (e) {
      this.#o.log?.(`refresh of size ${this.#edge.size} not published: ${(e as Error).message}`)
      throw e
    }
  }

  async #flush(): Promise<void> {
    const batch = this.#queue.splice(0, this.#o.maxBatch)
    if (batch.length === 0 && !this.#unpublished) return
    const edge = this.#edge.clone()
    const start = edge.size
    const objects = edge.append(batch.map((p) => p.entry))
    try {
      const note = await this.#publish(edge, objects)
      this.#edge = edge
      this.#publishedSize = edge.size
      this.#published = note
      this.#unpublished = false
      this.#o.gate.commit(batch.length)
      batch.forEach((p, i) => p.resolve(start + i))
    } catch (e) {
      const err = e instanceof CivicError ? e : new CivicError('ERR_LEDGER_STORAGE', (e as Error).message, { cause: e })
      // Everything admitted after the published state is void: fail it all, then start over.
      const later = this.#queue.splice(0)
      this.#o.gate.reset()
      for (const p of [...batch, ...later]) p.reject(err)
      this.#o.log?.(`batch of ${batch.length} failed: ${err.code}: ${err.detail}`)
      if (err.code === 'ERR_LEDGER_STORAGE') {
        // The storage's state is unknown: the edge may not match it any more. Reload.
        await this.#reload().catch((r) => this.#o.log?.(`reload failed: ${(r as Error).message}`))
      }
      throw err
    }
  }

  async #reload(): Promise<void> {
    const s = this.#o.storage
    const staged = await s.getStagedCheckpoint()
    const target = staged ? Math.max(this.#publishedSize, parseCheckpoint(parseNote(staged).text).size) : this.#publishedSize
    this.#edge = await TreeEdge.load(target, (p) => s.getObject(p))
    this.#unpublished = target > this.#publishedSize
    await this.#o.gate.load(this.#entries(0, target), this.#publishedSize)
  }

  /** Steps 1–3 of the batch order above; returns the published note. */
  async #publish(edge: TreeEdge, objects: StoredObject[]): Promise<Uint8Array> {
    const text = formatCheckpoint({ origin: this.#o.origin, size: edge.size, rootHash: edge.root(), extensions: [] })
    const logSigned = encodeUtf8(signNote(text, [ed25519NoteSigner(this.#o.logKey)]))
    try {
      await this.#o.storage.stage({ objects, checkpoint: logSigned })
    } catch (e) {
      throw e instanceof CivicError ? e : new CivicError('ERR_LEDGER_STORAGE', (e as Error).message, { cause: e })
    }
    // Each line was verified against its witness's key by the client; #witness counted the quorum.
    const lines = await this.#witness(edge.size, logSigned, objects)
    const cosigned = encodeUtf8(decodeUtf8(logSigned) + lines.map((l) => `${l}\n`).join(''))
    try {
      await this.#o.storage.publishCheckpoint(cosigned)
    } catch (e) {
      throw e instanceof CivicError ? e : new CivicError('ERR_LEDGER_STORAGE', (e as Error).message, { cause: e })
    }
    return cosigned
  }

  /** Step 2: cosignature lines from the witnesses; at least `quorum` of them, or a failure. */
  async #witness(size: number, note: Uint8Array, objects: StoredObject[]): Promise<string[]> {
    if (this.#o.witnesses.length === 0) return []
    const fresh = new Map(objects.map((o) => [o.path, o.bytes]))
    const reader = tileHashReader(size, async (path) => {
      const b = fresh.get(path) ?? (await this.#o.storage.getObject(path))
      if (!b) throw new CivicError('ERR_LEDGER_CORRUPT', `${path} missing`)
      return b
    })
    // Witnesses usually know the same size: one proof per size asked for, shared.
    const proofs = new Map<number, ReturnType<typeof proveConsistency>>()
    const proofFrom = (old: number): ReturnType<typeof proveConsistency> => {
      let p = proofs.get(old)
      if (!p) proofs.set(old, (p = proveConsistency(old, size, reader)))
      return p
    }
    const ask = async (w: WitnessConfig): Promise<string | null> => {
      for (let attempt = 0; attempt < 3; attempt++) {
        const old = Math.min(this.#witnessSize.get(w.url) ?? 0, size)
        const proof = old === 0 || old === size ? [] : await proofFrom(old)
        const r = await this.#o
          .cosign({ url: w.url, witnessKey: w.key, oldSize: old, consistencyProof: proof, checkpointNote: note, timeoutMs: this.#o.witnessTimeoutMs })
          .catch((): Awaited<ReturnType<CosignRequest>> => ({ ok: false, status: 0, code: 'ERR_LEDGER_UNAVAILABLE' }))
        if (r.ok) {
          this.#witnessSize.set(w.url, size)
          return r.signatureLine
        }
        if (r.status === 409 && r.knownSize !== undefined && r.knownSize !== old && r.knownSize <= size) {
          this.#witnessSize.set(w.url, r.knownSize)
          continue
        }
        this.#o.log?.(`witness ${w.key.name} refused size ${size}: ${r.status} ${r.code}`)
        return null
      }
      return null
    }
    const lines = (await Promise.all(this.#o.witnesses.map(ask))).filter((l): l is string => l !== null)
    if (lines.length < this.#o.quorum) {
      throw new CivicError('ERR_LEDGER_UNAVAILABLE', `${lines.length} of ${this.#o.witnesses.length} witnesses cosigned; ${this.#o.quorum} needed`)
    }
    return lines
  }

  /** Stop taking entries, finish the batch under way, release the lock. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearTimeout(this.#timer)
    clearTimeout(this.#refreshTimer)
    await Promise.allSettled([...this.#admitting])
    while (this.#queue.length > 0 || this.#flushing) await (this.#flushing ?? this.#runFlush())
    await this.#o.storage.close()
  }
}
