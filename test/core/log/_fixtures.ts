/** Shared fixtures for the log tests: the Tessera vector log, seeded witnesses, a toy log we sign ourselves. */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { vectorPath } from '../../support/vectors.ts'
import { seededRandom } from '../../support/keys.ts'
import { formatCheckpoint } from '../../../src/core/log/checkpoint.ts'
import { cosignatureSigner } from '../../../src/core/log/cosignature.ts'
import { hashLeaf, memoryHashReader, proveConsistency, rootFromLeafHashes, type HashReader } from '../../../src/core/log/merkle.ts'
import {
  ed25519NoteSigner, generateNoteKeys, parseNote, parseSignerKey, parseVerifierKey, signNote, SIG_TYPE_COSIGNATURE_V1,
  type NoteSigner, type VerifierKey,
} from '../../../src/core/log/note.ts'
import { formatEntryBundle, formatHashTile, tilePath, entryBundlePath, tilesForSize, type TileFetcher } from '../../../src/core/log/tiles.ts'

export const TESSERA_ORIGIN = 'example.com/log/testdata'
export const TESSERA_VKEY = 'example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx'
export const TESSERA_ENTRIES = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eit', 'nain', 'ten', 'ileven', 'twelf', 'threeten', 'fourten', 'fivten']
/** A fixed "now" for cosignatures and future checks, seconds. */
export const NOW = 1_750_000_000

/** Every file of the Tessera vector log, by path relative to the log prefix. */
export function tesseraFiles(): Map<string, Uint8Array> {
  const root = vectorPath('tessera-log')
  const out = new Map<string, Uint8Array>()
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name)
      if (statSync(p).isDirectory()) walk(p)
      else out.set(relative(root, p), new Uint8Array(readFileSync(p)))
    }
  }
  walk(root)
  return out
}

/** A fetcher over a map of files; a missing path rejects like a 404. */
export function fetcherFrom(files: ReadonlyMap<string, Uint8Array>): TileFetcher {
  return async (path) => {
    const f = files.get(path)
    if (!f) throw new Error(`404 ${path}`)
    return f
  }
}

export interface Witness {
  name: string
  verifierKey: string
  key: VerifierKey
  signer: NoteSigner
}

/** `n` witnesses with keys from a seeded random source, cosigning at NOW (or `now`). */
export function witnesses(n: number, seed = 7, now = (): number => NOW): Witness[] {
  const random = seededRandom(seed)
  return Array.from({ length: n }, (_, i) => {
    const name = `witness${i}.example`
    const { signerKey, verifierKey } = generateNoteKeys(name, SIG_TYPE_COSIGNATURE_V1, random)
    return { name, verifierKey, key: parseVerifierKey(verifierKey), signer: cosignatureSigner(parseSignerKey(signerKey), now) }
  })
}

/** Add cosignatures to a signed note (its text unchanged, existing signatures kept). */
export function cosign(noteText: string | Uint8Array, signers: readonly NoteSigner[]): string {
  const note = parseNote(noteText)
  return signNote(note.text, signers, note.signatures)
}

/** A log we hold the key of: entries `entry-<i>`, checkpoints signed at any size. */
export class ToyLog {
  readonly origin: string
  readonly verifierKey: string
  readonly signer: NoteSigner
  readonly leaves: Uint8Array[] = []
  readonly entries: Uint8Array[] = []

  constructor(origin = 'example.org/toylog', seed = 11) {
    this.origin = origin
    const { signerKey, verifierKey } = generateNoteKeys(origin, undefined, seededRandom(seed))
    this.verifierKey = verifierKey
    this.signer = ed25519NoteSigner(parseSignerKey(signerKey))
  }

  append(n: number, prefix = 'entry'): this {
    for (let i = 0; i < n; i++) {
      const e = new TextEncoder().encode(`${prefix}-${this.entries.length}`)
      this.entries.push(e)
      this.leaves.push(hashLeaf(e))
    }
    return this
  }

  root(size = this.leaves.length): Uint8Array {
    return rootFromLeafHashes(this.leaves.slice(0, size))
  }

  /** The checkpoint note at `size`, signed by the log (and by `extra` signers after it). */
  checkpoint(size = this.leaves.length, extra: readonly NoteSigner[] = [], rootHash = this.root(size)): string {
    return signNote(formatCheckpoint({ origin: this.origin, size, rootHash, extensions: [] }), [this.signer, ...extra])
  }

  reader(): HashReader {
    return memoryHashReader(this.leaves)
  }

  consistency(size1: number, size2: number): Promise<Uint8Array[]> {
    return proveConsistency(size1, size2, memoryHashReader(this.leaves.slice(0, size2)))
  }

  /** All tiles and bundles of the tree at `size`, as a log would serve them. */
  async files(size = this.leaves.length): Promise<Map<string, Uint8Array>> {
    const read = memoryHashReader(this.leaves.slice(0, size))
    const out = new Map<string, Uint8Array>()
    const { tiles, bundles } = tilesForSize(size)
    for (const t of tiles) {
      const nodes = Array.from({ length: t.width }, (_, i) => ({ level: t.level * 8, index: t.index * 256 + i }))
      out.set(tilePath(t), formatHashTile(await read(nodes)))
    }
    for (const b of bundles) out.set(entryBundlePath(b), formatEntryBundle(this.entries.slice(b.index * 256, b.index * 256 + b.width)))
    return out
  }
}
