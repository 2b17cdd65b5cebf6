/**
 * Writing a large log straight into ledger storage, the way the sequencer does it but without
 * HTTP, the gate or live witnesses: entries go through TreeEdge.append into tiles and bundles,
 * `storage.stage` makes them durable under a log-signed checkpoint, and `publishCheckpoint`
 * publishes that checkpoint with cosignatures made with the witnesses' own cosignature/v1 keys
 * (c2sp.org/tlog-cosignature), as a witness would sign it. What comes out is a plain
 * tlog-tiles log that the real ledger serves and any client verifies.
 *
 * The entries must already be ones the gate would admit (the caller checks them against the
 * registry rules); this writer only sequences.
 */
import { decodeUtf8, encodeUtf8 } from '../../src/core/bytes/utf8.ts'
import { formatCheckpoint, parseCheckpoint } from '../../src/core/log/checkpoint.ts'
import { cosignatureSigner } from '../../src/core/log/cosignature.ts'
import { ed25519NoteSigner, parseNote, parseSignerKey, signNote, type NoteSigner, type SignerKey } from '../../src/core/log/note.ts'
import type { LogStorage } from '../../src/ledger/storage/types.ts'
import { TreeEdge } from '../../src/ledger/tree-edge.ts'

/** A witness as far as signing goes: its `PRIVATE+KEY+…` cosignature/v1 key. */
export type WitnessSignerKey = string

export class BulkLog {
  readonly #storage: LogStorage
  readonly #origin: string
  readonly #logKey: SignerKey
  readonly #witnesses: SignerKey[]
  #edge = TreeEdge.empty()
  #pending: Uint8Array[] = []
  #bytes = 0

  constructor(o: { storage: LogStorage; origin: string; logKey: string; witnessKeys: WitnessSignerKey[] }) {
    this.#storage = o.storage
    this.#origin = o.origin
    this.#logKey = parseSignerKey(o.logKey)
    this.#witnesses = o.witnessKeys.map((k) => parseSignerKey(k))
  }

  /** Take the log's sequencer lock: nothing else may write it meanwhile. */
  async open(): Promise<void> {
    await this.#storage.acquireSequencerLock()
    if ((await this.#storage.getCheckpoint()) !== null) throw new Error(`${this.#origin}: bulk writing needs an empty log`)
  }

  get size(): number {
    return this.#edge.size + this.#pending.length
  }

  /** Total bytes of the entries added so far. */
  get entryBytes(): number {
    return this.#bytes
  }

  /** Queue an entry; every `batch` entries are staged. */
  async add(entry: Uint8Array, batch = 16_384): Promise<void> {
    this.#pending.push(entry)
    this.#bytes += entry.length
    if (this.#pending.length >= batch) await this.flush()
  }

  /** Stage what is queued: its tiles and bundles, then the log-signed checkpoint (types.ts order). */
  async flush(): Promise<void> {
    if (this.#pending.length === 0) return
    const objects = this.#edge.append(this.#pending)
    this.#pending = []
    const text = formatCheckpoint({ origin: this.#origin, size: this.#edge.size, rootHash: this.#edge.root(), extensions: [] })
    await this.#storage.stage({ objects, checkpoint: encodeUtf8(signNote(text, [ed25519NoteSigner(this.#logKey)])) })
  }

  /** Stage the rest and publish the tree, cosigned by every witness at `now`; then release the storage. */
  async publish(now: number): Promise<void> {
    await this.flush()
    const text = formatCheckpoint({ origin: this.#origin, size: this.#edge.size, rootHash: this.#edge.root(), extensions: [] })
    await this.#storage.publishCheckpoint(encodeUtf8(cosignedNote(text, this.#logKey, this.#witnesses, now)))
    await this.#storage.close()
  }
}

function cosignedNote(text: string, logKey: SignerKey, witnesses: SignerKey[], now: number): string {
  const signers: NoteSigner[] = [ed25519NoteSigner(logKey), ...witnesses.map((w) => cosignatureSigner(w, () => now))]
  return signNote(text, signers)
}

/**
 * Re-witness a stored log's published checkpoint at `now`: the same tree, the log's signature
 * again, fresh cosignatures (what the sequencer's idle refresh publishes). Returns its size.
 */
export async function rewitness(storage: LogStorage, o: { origin: string; logKey: string; witnessKeys: WitnessSignerKey[]; now: number }): Promise<number> {
  await storage.acquireSequencerLock()
  try {
    const note = await storage.getCheckpoint()
    if (!note) throw new Error(`${o.origin}: no published checkpoint`)
    const { text } = parseNote(decodeUtf8(note))
    const cp = parseCheckpoint(text)
    if (cp.origin !== o.origin) throw new Error(`${o.origin}: the stored checkpoint is for ${cp.origin}`)
    await storage.publishCheckpoint(encodeUtf8(cosignedNote(text, parseSignerKey(o.logKey), o.witnessKeys.map((k) => parseSignerKey(k)), o.now)))
    return cp.size
  } finally {
    await storage.close()
  }
}
