/**
 * The witness's durable state in its data directory: its own cosignature/v1 key, and per log it
 * follows the latest checkpoint it cosigned (c2sp.org/tlog-witness: "the witness is only
 * required to keep track of the latest checkpoint it observed and verified").
 *
 *   <dataDir>/witness.key         signer key `PRIVATE+KEY+<name>+<hash>+<base64(0x04 ‖ seed)>`, mode 0600
 *   <dataDir>/witness.lock        pid and start time of the one process serving this directory
 *   <dataDir>/logs/<sha256(origin) hex>.json   one record per log (LogRecord, JSON)
 *   <dataDir>/evidence.jsonl      misbehaviour reports, one JSON object a line (append-only)
 *
 * Durability contract (house rule 7):
 * - `update(origin, fn)` runs `fn` with the log's current record under a per-log lock, so the
 *   check of the old size and the write of the new record are one atomic step (tlog-witness:
 *   "checking the old size against the latest checkpoint and persisting the new checkpoint
 *   must be performed atomically"). Two updates of one log never interleave; updates of
 *   different logs run concurrently and touch different files.
 * - A record is written to a temp file, fsynced, renamed over the old one, and the directory
 *   is fsynced; `update` resolves only after that, so a cosignature is never returned for a
 *   state that a crash could lose ("The witness MUST persist the new checkpoint before
 *   responding"). A crash before the rename leaves the previous record (and a stray temp
 *   file, removed at the next start); after it, the new one.
 * - When a write fails, the in-memory record is left as it was and `update` rejects with
 *   CivicError ERR_LEDGER_STORAGE; nothing was promised to anyone.
 * - The key is created once, atomically (temp file, fsync, hard link to its final name, which
 *   fails if another process won the race), and never rewritten.
 * - One process per directory: the pid lock every service uses (src/node/pid-lock.ts); a lock
 *   whose process is gone, a zombie, or a reused pid is stale and taken over. A live holder
 *   makes `openWitnessState` reject with ERR_LEDGER_LOCKED.
 *
 * Codes: ERR_LEDGER_CONFIG (bad or mismatched key file, unusable directory), ERR_LEDGER_LOCKED,
 * ERR_LEDGER_CORRUPT (a record that does not parse or disagrees with its note), ERR_LEDGER_STORAGE.
 */
import { link, mkdir, open, readdir, readFile, stat, unlink } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { CivicError, InputError } from '../../core/errors.ts'
import { sha256 } from '../../core/crypto/hash.ts'
import { encodeUtf8 } from '../../core/bytes/utf8.ts'
import { isJsonObject, parseJson } from '../../core/bytes/json.ts'
import { readShape, type ShapeFailure } from '../../core/bytes/shape.ts'
import { parseCheckpoint } from '../../core/log/checkpoint.ts'
import { cosignatureSigner } from '../../core/log/cosignature.ts'
import { bytesEqual, toHex } from '../../core/bytes/compare.ts'
import { decodeBase64, encodeBase64 } from '../../core/bytes/base64.ts'
import { HASH_SIZE } from '../../core/log/merkle.ts'
import {
  formatVerifierKey, generateNoteKeys, isValidKeyName, parseNote, parseSignerKey, SIG_TYPE_COSIGNATURE_V1,
  type NoteSigner, type SignerKey,
} from '../../core/log/note.ts'

export const WITNESS_KEY_FILE = 'witness.key'
export const WITNESS_LOCK_FILE = 'witness.lock'
export const LOGS_DIR = 'logs'
export const EVIDENCE_FILE = 'evidence.jsonl'
export const LOG_RECORD_VERSION = 1
/** The evidence file stops growing here (each report is at most a request body and a note). */
export const MAX_EVIDENCE_FILE_BYTES = 64 * 1024 * 1024

import { fsyncDir, tempName, writeFileDurably, writeSynced } from '../../node/durable.ts'
import { acquirePidLock, releasePidLock } from '../../node/pid-lock.ts'

const storageError = (what: string, e: unknown): CivicError =>
  e instanceof CivicError ? e : new CivicError('ERR_LEDGER_STORAGE', `${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e })

// ── the witness key ──────────────────────────────────────────────────────────────────────

export interface WitnessIdentity {
  /** The key name on cosignature lines. */
  name: string
  /** `<name>+<hash>+<base64(0x04 ‖ public key)>`: what logs and clients configure. */
  verifierKey: string
}

interface LoadedKey extends WitnessIdentity {
  key: SignerKey
}

function configError(detail: string, cause?: unknown): CivicError {
  return new CivicError('ERR_LEDGER_CONFIG', detail, cause === undefined ? undefined : { cause })
}

function keyFromText(text: string, path: string): LoadedKey {
  let key: SignerKey
  try {
    key = parseSignerKey(text.trim())
  } catch (e) {
    throw configError(`${path} does not hold a signer key (${e instanceof InputError ? e.code : 'error'})`)
  }
  if (key.type !== SIG_TYPE_COSIGNATURE_V1) throw configError(`${path} holds a key of type 0x${key.type.toString(16).padStart(2, '0')}, not a cosignature/v1 key (0x04)`)
  return { name: key.name, verifierKey: formatVerifierKey(key), key }
}

async function readKeyFile(dataDir: string): Promise<LoadedKey | null> {
  const path = join(dataDir, WITNESS_KEY_FILE)
  let text: string
  try {
    const st = await stat(path)
    // A signing key readable by others is refused, as ssh does with identity files.
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      throw configError(`${path} is accessible by group or others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`)
    }
    text = await readFile(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw e instanceof CivicError ? e : configError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, e)
  }
  return keyFromText(text, path)
}

/** The name and verifier key of the witness whose data directory is `dataDir` (never creates a key). */
export async function readWitnessIdentity(dataDir: string): Promise<WitnessIdentity> {
  const k = await readKeyFile(dataDir)
  if (!k) throw configError(`no witness key in ${dataDir} (it is created when the witness first serves)`)
  return { name: k.name, verifierKey: k.verifierKey }
}

/**
 * The witness key of `dataDir`, created for `name` on first use. An existing key for another
 * name is refused (ERR_LEDGER_CONFIG): a witness's name is part of its identity.
 */
async function loadOrCreateKey(dataDir: string, name: string): Promise<LoadedKey> {
  if (!isValidKeyName(name)) throw configError(`witness name ${JSON.stringify(name)} is not a valid key name (no spaces or +)`)
  const existing = await readKeyFile(dataDir)
  if (existing) {
    if (existing.name !== name) throw configError(`${join(dataDir, WITNESS_KEY_FILE)} is the key of ${JSON.stringify(existing.name)}, not ${JSON.stringify(name)}`)
    return existing
  }
  const { signerKey } = generateNoteKeys(name, SIG_TYPE_COSIGNATURE_V1)
  const path = join(dataDir, WITNESS_KEY_FILE)
  const tmp = tempName(path)
  try {
    await writeSynced(tmp, encodeUtf8(`${signerKey}\n`), 0o600)
    // link() fails with EEXIST if another process created the key first: then use theirs.
    await link(tmp, path)
    await fsyncDir(dataDir)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw storageError(`cannot create ${path}`, e)
  } finally {
    await unlink(tmp).catch(() => {})
  }
  const k = await readKeyFile(dataDir)
  if (!k || k.name !== name) throw configError(`${path} was created concurrently for another name`)
  return k
}

// ── the lock ─────────────────────────────────────────────────────────────────────────────


async function acquireLock(dataDir: string): Promise<string> {
  const path = resolve(dataDir, WITNESS_LOCK_FILE)
  await acquirePidLock(path, `witness data ${dataDir}`, 'ERR_LEDGER_LOCKED', 'ERR_LEDGER_STORAGE')
  return path
}

const releaseLock = (path: string): Promise<void> => releasePidLock(path).catch((e: unknown) => Promise.reject(storageError(`cannot release ${path}`, e)))

// ── per-log records ──────────────────────────────────────────────────────────────────────

/** The latest checkpoint the witness cosigned for one log. */
export interface LogRecord {
  origin: string
  size: number
  rootHash: Uint8Array
  /** The checkpoint note as submitted (verified), with this witness's cosignature appended. */
  checkpointNote: string
  /** The cosignature line returned for it (without its final newline). */
  cosignatureLine: string
  /** The timestamp of that cosignature, seconds since the epoch. */
  cosignedAtSeconds: number
}

export const logFileName = (origin: string): string => `${toHex(sha256(encodeUtf8(origin)))}.json`

function formatLogRecord(r: LogRecord): Uint8Array {
  return encodeUtf8(`${JSON.stringify({
    version: LOG_RECORD_VERSION,
    origin: r.origin,
    size: r.size,
    rootHash: encodeBase64(r.rootHash),
    checkpointNote: r.checkpointNote,
    cosignatureLine: r.cosignatureLine,
    cosignedAtSeconds: r.cosignedAtSeconds,
  })}\n`)
}

function corrupt(path: string, detail: string): never {
  throw new CivicError('ERR_LEDGER_CORRUPT', `${path}: ${detail}`)
}

const CORRUPT: ShapeFailure = { code: 'ERR_LEDGER_CORRUPT', error: (code, detail) => new CivicError(code, detail) }
const LOG_RECORD_SHAPE = {
  version: 'uint', origin: 'string', size: 'uint', rootHash: 'string', checkpointNote: 'string', cosignatureLine: 'string', cosignedAtSeconds: 'uint',
} as const

/** Take a stored record back strictly; its fields must agree with the note it holds. */
export function parseLogRecord(text: string, path: string): LogRecord {
  let v
  try {
    v = parseJson(text, { maxLength: 1 << 20, maxDepth: 4 }, path)
  } catch (e) {
    corrupt(path, `not strict JSON (${e instanceof InputError ? e.code : 'error'})`)
  }
  if (!isJsonObject(v) || v.version !== LOG_RECORD_VERSION) corrupt(path, 'not a version 1 log record')
  const { origin, size, rootHash, checkpointNote, cosignatureLine, cosignedAtSeconds } = readShape(v, LOG_RECORD_SHAPE, path, CORRUPT)
  const root = decodeBase64(rootHash)
  if (!root || root.length !== HASH_SIZE) corrupt(path, 'bad root hash')
  let cp
  try {
    const note = parseNote(checkpointNote)
    cp = parseCheckpoint(note.text)
    if (!checkpointNote.endsWith(`\n${cosignatureLine}\n`)) corrupt(path, 'the cosignature line is not the note\'s last signature')
  } catch (e) {
    if (e instanceof CivicError && e.code === 'ERR_LEDGER_CORRUPT') throw e
    corrupt(path, 'the stored checkpoint note does not parse')
  }
  if (cp.origin !== origin || cp.size !== size || !bytesEqual(cp.rootHash, root)) corrupt(path, 'fields disagree with the stored note')
  if (logFileName(origin) !== basename(path)) corrupt(path, 'file name is not the hash of its origin')
  return { origin, size, rootHash: root, checkpointNote, cosignatureLine, cosignedAtSeconds }
}

// ── the state ────────────────────────────────────────────────────────────────────────────

/** What an update step decides: persist `record` (then return `result`), or just return `result`. */
export type UpdateStep<T> = { commit: LogRecord; result: T } | { commit?: undefined; result: T }

export interface WitnessStateOptions {
  dataDir: string
  /** The witness's key name; the key is created for it on first start. */
  name: string
}

export class WitnessState {
  readonly dataDir: string
  readonly identity: WitnessIdentity
  readonly #key: SignerKey
  readonly #logsDir: string
  readonly #lockPath: string
  readonly #records = new Map<string, LogRecord>()
  readonly #locks = new Map<string, Promise<unknown>>()
  readonly #evidenceSeen = new Set<string>()
  #closed = false

  private constructor(dataDir: string, key: LoadedKey, lockPath: string) {
    this.dataDir = dataDir
    this.identity = { name: key.name, verifierKey: key.verifierKey }
    this.#key = key.key
    this.#logsDir = join(dataDir, LOGS_DIR)
    this.#lockPath = lockPath
  }

  /**
   * Open (creating if needed) the data directory: take the lock, load or create the key, load
   * every log record. Rejects with ERR_LEDGER_LOCKED, ERR_LEDGER_CONFIG, ERR_LEDGER_CORRUPT or
   * ERR_LEDGER_STORAGE; on rejection nothing is held.
   */
  static async open({ dataDir, name }: WitnessStateOptions): Promise<WitnessState> {
    try {
      await mkdir(join(dataDir, LOGS_DIR), { recursive: true, mode: 0o700 })
      await fsyncDir(dataDir) // the logs/ entry itself survives a crash
    } catch (e) {
      throw configError(`cannot create ${dataDir}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, e)
    }
    const lockPath = await acquireLock(dataDir)
    try {
      const key = await loadOrCreateKey(dataDir, name)
      const state = new WitnessState(dataDir, key, lockPath)
      await state.#load()
      return state
    } catch (e) {
      await releaseLock(lockPath)
      throw e
    }
  }

  async #load(): Promise<void> {
    let names: string[]
    try {
      names = await readdir(this.#logsDir)
    } catch (e) {
      throw storageError(`cannot list ${this.#logsDir}`, e)
    }
    for (const n of names.sort()) {
      const path = join(this.#logsDir, n)
      // Leftovers of a crash between temp write and rename: the record beside them is current.
      if (n.includes('.tmp-')) {
        await unlink(path).catch(() => {})
        continue
      }
      if (!/^[0-9a-f]{64}\.json$/.test(n)) continue
      let text: string
      try {
        text = await readFile(path, 'utf8')
      } catch (e) {
        throw storageError(`cannot read ${path}`, e)
      }
      const r = parseLogRecord(text, path)
      this.#records.set(r.origin, r)
    }
  }

  /** The latest record of `origin`, or undefined if this witness never cosigned for it. */
  get(origin: string): LogRecord | undefined {
    return this.#records.get(origin)
  }

  /** Every log record, by origin. */
  records(): LogRecord[] {
    return [...this.#records.values()]
  }

  /** A cosigner with the witness key; `now()` (seconds) timestamps each cosignature. */
  signer(now: () => number): NoteSigner {
    return cosignatureSigner(this.#key, now)
  }

  /**
   * Run `step` with the current record of `origin` while no other update of that log runs;
   * if it returns `commit`, persist that record durably before resolving with `result`.
   * `step` must not throw on attacker data (its refusals are results).
   */
  async update<T>(origin: string, step: (current: LogRecord | undefined) => UpdateStep<T> | Promise<UpdateStep<T>>): Promise<T> {
    if (this.#closed) throw new CivicError('ERR_LEDGER_UNAVAILABLE', 'the witness is shutting down')
    const prev = this.#locks.get(origin) ?? Promise.resolve()
    const run = prev.then(async () => {
      const decision = await step(this.#records.get(origin))
      if (decision.commit) {
        const r = decision.commit
        if (r.origin !== origin) throw new TypeError('step committed a record of another origin')
        try {
          await writeFileDurably(this.#logsDir, logFileName(origin), formatLogRecord(r), 0o644)
        } catch (e) {
          throw storageError(`cannot persist the state of ${origin}`, e)
        }
        // Only now, with the record on disk, does the witness consider it cosigned.
        this.#records.set(origin, r)
      }
      return decision.result
    })
    const settled = run.catch(() => {})
    this.#locks.set(origin, settled)
    void settled.then(() => {
      if (this.#locks.get(origin) === settled) this.#locks.delete(origin)
    })
    return run
  }

  /**
   * Append one misbehaviour report to evidence.jsonl (fsynced). Reports with the same
   * `dedupeKey` are written once per process (up to 4,096 keys remembered), and the file stops growing at MAX_EVIDENCE_FILE_BYTES. Returns whether it
   * was written. Never rejects: evidence is kept on a best-effort basis and a failure to keep it
   * must not change the protocol answer.
   */
  async recordEvidence(report: object, dedupeKey: string): Promise<boolean> {
    const line = `${JSON.stringify(report)}\n`
    const digest = toHex(sha256(encodeUtf8(dedupeKey)))
    if (this.#evidenceSeen.has(digest)) return false
    if (this.#evidenceSeen.size >= 4096) this.#evidenceSeen.clear()
    this.#evidenceSeen.add(digest)
    const path = join(this.dataDir, EVIDENCE_FILE)
    try {
      const size = await stat(path).then((s) => s.size, () => 0)
      if (size + line.length > MAX_EVIDENCE_FILE_BYTES) return false
      const fh = await open(path, 'a', 0o644)
      try {
        await fh.writeFile(line)
        await fh.sync()
      } finally {
        await fh.close()
      }
      return true
    } catch {
      return false
    }
  }

  /** Wait for updates under way, then release the lock. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.all([...this.#locks.values()])
    await releaseLock(this.#lockPath)
  }
}
