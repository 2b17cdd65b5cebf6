/**
 * The fs backend (embedded default): one log as plain files under `<dataDir>/<log>/` (the
 * ledger's two logs: `registry/` and `status/`, each this same layout, each its own lock, so
 * neither ever reads or writes the other's files), laid out like its URLs (c2sp.org/tlog-tiles).
 *
 *   <dataDir>/<log>/checkpoint                the published (cosigned) checkpoint note, as served
 *   <dataDir>/<log>/checkpoint.staged         the staged (log-signed) checkpoint note
 *   <dataDir>/<log>/tile/<L>/<N>[.p/<W>]      hash tiles
 *   <dataDir>/<log>/tile/entries/<N>[.p/<W>]  entry bundles
 *   <dataDir>/<log>/sequencer.lock            PID, start time and token of the live sequencer
 *   …/.<name>.<pid>.<random>.tmp              temp files: never a tile path, so never read
 *
 * Every write follows the Tessera posix driver (storage/posix/file_ops.go): write a temp file in
 * the same directory, fsync it, rename it over the final name, fsync the directory. A new
 * directory is fsynced into its parent before anything relies on it. `stage` batches these:
 * all temp files, then all renames, then each touched directory fsynced once, then the staged
 * checkpoint; `publishCheckpoint` replaces the published checkpoint the same way (the
 * step-by-step order and what a crash leaves are at the write sites, `stageNow` and
 * `replaceFile`). Objects are renamed into place rather than created exclusively: the contract
 * (types.ts) lets a `stage` overwrite objects beyond the published checkpoint, and this storage
 * does not interpret checkpoints.
 *
 * Sequencer lock: `sequencer.lock` is the pid lock every service uses (src/node/pid-lock.ts:
 * pid, start time and token, created atomically by link; a zombie or a reused pid is stale and
 * taken over). Its residual race — two processes taking over the SAME stale lock at the same
 * moment may both believe they hold it — is narrowed here: before replacing either checkpoint
 * (and beside the object writes) a write checks that the lock file is still its own and
 * refuses with ERR_LEDGER_LOCKED otherwise. The lock is host-local: never share one data
 * directory between hosts (or containers with separate PID namespaces).
 *
 * Failures are ERR_LEDGER_STORAGE (cause attached); a refused lock is ERR_LEDGER_LOCKED; a
 * missing or non-directory dataDir is ERR_LEDGER_CONFIG; use after close() is
 * ERR_LEDGER_UNAVAILABLE; bad arguments are TypeError (see open.ts). `stage` and
 * `publishCheckpoint` require the sequencer lock (TypeError without it), and run one at a time.
 * Temp files left by a crash are harmless litter.
 */
import { mkdir, open, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises'
import { dirname, join, resolve, sep } from 'node:path'
import { CivicError } from '../../core/errors.ts'
import { assertBatch, assertNote, assertObjectPath, closedError, storageError, type LogStorage, type StageBatch } from './types.ts'
import { fsyncDir, tempName, writeSynced } from '../../node/durable.ts'
import { acquirePidLock, pidLockStillHeld, releasePidLock, type PidLock } from '../../node/pid-lock.ts'

export interface FsStorageOptions {
  /** Must exist and be a directory; the log lives in `<dataDir>/<log>/`, created on first lock. */
  dataDir: string
  /** Which of the ledger's logs. */
  log: 'registry' | 'status'
}

/** How many files are written or renamed at once (libuv runs 4 fs calls in parallel anyway). */
const IO_PARALLEL = 16

/** Throws CivicError ERR_LEDGER_CONFIG if `dataDir` (or `<dataDir>/<log>`) is not a directory. */
export async function openFsStorage(opts: FsStorageOptions): Promise<LogStorage> {
  if (typeof opts?.dataDir !== 'string' || opts.dataDir === '') throw new TypeError('dataDir must be a non-empty string')
  if (opts.log !== 'registry' && opts.log !== 'status') throw new TypeError('log must be registry or status')
  const dataDir = resolve(opts.dataDir)
  const kind = await kindOf(dataDir)
  if (kind !== 'dir') throw new CivicError('ERR_LEDGER_CONFIG', `data directory ${dataDir} ${kind === 'missing' ? 'does not exist' : 'is not a directory'}`)
  const logKind = await kindOf(join(dataDir, opts.log))
  if (logKind === 'other') throw new CivicError('ERR_LEDGER_CONFIG', `${join(dataDir, opts.log)} is not a directory`)
  return new FsStorage(dataDir, opts.log)
}

class FsStorage implements LogStorage {
  readonly kind = 'fs' as const
  private readonly logDir: string
  private readonly lockPath: string
  private readonly publishedPath: string
  private readonly stagedPath: string
  private lock: PidLock | null = null
  /** The lock was ours and was taken over: writes fail with ERR_LEDGER_LOCKED until re-acquired. */
  private lockLost = false
  private acquiring: Promise<void> | null = null
  private closed: Promise<void> | null = null
  /** Writes run one at a time; close() waits for the one in flight. */
  private tail: Promise<unknown> = Promise.resolve()
  /** Directories known to exist (and to be durable in their parent). Never removed. */
  private readonly knownDirs = new Set<string>()

  constructor(private readonly dataDir: string, log: 'registry' | 'status') {
    this.logDir = join(dataDir, log)
    this.lockPath = join(this.logDir, 'sequencer.lock')
    this.publishedPath = join(this.logDir, 'checkpoint')
    this.stagedPath = join(this.logDir, 'checkpoint.staged')
  }

  async getCheckpoint(): Promise<Uint8Array | null> {
    if (this.closed) throw closedError('fs')
    return readOrNull(this.publishedPath, 'the published checkpoint')
  }

  async getStagedCheckpoint(): Promise<Uint8Array | null> {
    if (this.closed) throw closedError('fs')
    return readOrNull(this.stagedPath, 'the staged checkpoint')
  }

  async getObject(path: string): Promise<Uint8Array | null> {
    if (this.closed) throw closedError('fs')
    assertObjectPath(path)
    return readOrNull(join(this.logDir, path), path)
  }

  acquireSequencerLock(): Promise<void> {
    if (this.closed) return Promise.reject(closedError('fs'))
    this.acquiring ??= this.lockNow().finally(() => (this.acquiring = null))
    return this.acquiring
  }

  private async lockNow(): Promise<void> {
    if (this.lock) {
      if (await this.lockStillOurs()) return
      this.lock = null // taken over (see the residual race): try again like anyone else
      this.lockLost = true
    }
    try {
      await this.ensureLogDir()
    } catch (e) {
      throw e instanceof CivicError ? e : storageError('fs: acquiring the sequencer lock', e)
    }
    this.lock = await acquirePidLock(this.lockPath, `the sequencer lock ${this.lockPath}`, 'ERR_LEDGER_LOCKED', 'ERR_LEDGER_STORAGE')
    this.lockLost = false
  }

  async stage(batch: StageBatch): Promise<void> {
    if (this.closed) throw closedError('fs')
    assertBatch(batch)
    this.assertLocked('stage')
    return this.serially(() => this.stageNow(batch))
  }

  async publishCheckpoint(note: Uint8Array): Promise<void> {
    if (this.closed) throw closedError('fs')
    assertNote(note, 'note')
    this.assertLocked('publishCheckpoint')
    return this.serially(async () => {
      const pending = new Set<string>()
      try {
        await this.replaceFile(this.publishedPath, note, pending, this.assertLockStillOurs())
      } catch (e) {
        await Promise.all([...pending].map((p) => unlink(p).catch(() => {})))
        throw e instanceof CivicError ? e : storageError('fs: publishing the checkpoint', e)
      }
    })
  }

  private assertLocked(op: string): void {
    if (this.lock) return
    if (this.lockLost) throw new CivicError('ERR_LEDGER_LOCKED', `${op}: the sequencer lock ${this.lockPath} was taken over; acquire it again and reload`)
    throw new TypeError(`${op} needs the sequencer lock: call acquireSequencerLock() first`)
  }

  private serially(f: () => Promise<void>): Promise<void> {
    const run = this.tail.then(f)
    this.tail = run.catch(() => {})
    return run
  }

  private async stageNow(batch: StageBatch): Promise<void> {
    const items = batch.objects.map((o) => {
      const final = join(this.logDir, o.path)
      return { final, tmp: tempName(final), bytes: o.bytes }
    })
    const dirs = [...new Set(items.map((i) => dirname(i.final)))].sort()
    const pending = new Set<string>() // temp files on disk not yet renamed into place
    let step = 'checking the sequencer lock'
    try {
      // Durable-write order (types.ts contract: objects first, staged checkpoint last), and
      // what a crash at each step leaves:
      // 0. still ours? A sequencer whose lock was taken over must not write objects into its
      //    successor's tree (see the residual race in the file comment). Checked beside steps
      //    1–2, which write nothing anyone reads, and awaited before the first rename (step 3).
      const lockCheck = this.assertLockStillOurs()
      // 1. mkdir every missing directory of the batch (parents first). Their entries are made
      //    durable in step 3, with the files, in one pass of directory fsyncs.
      //    → empty directories; both checkpoints stand and refer to none of them.
      // 2. write every object to a temp file in its final directory and fsync it (16 at a time).
      //    → `.*.tmp` files: not tile paths, so never read or served.
      //    The staged checkpoint's temp file is written and fsynced alongside: a temp file is
      //    never read, and its rename (step 5) still comes after every object is durable.
      const stagedTmp = tempName(this.stagedPath)
      const written = (async () => {
        step = 'creating directories'
        const made = await this.makeDirs(dirs)
        step = 'writing objects'
        pending.add(stagedTmp)
        await Promise.all([
          writeSynced(stagedTmp, batch.checkpoint),
          eachLimited(items, async (it) => {
            pending.add(it.tmp)
            await writeSynced(it.tmp, it.bytes)
          }),
        ])
        return made
      })()
      // Both settle before anything is decided, so no write is still under way when the catch
      // below removes the temp files.
      const [lockOk, writtenOk] = await Promise.allSettled([lockCheck, written])
      if (lockOk.status === 'rejected') throw lockOk.reason
      if (writtenOk.status === 'rejected') throw writtenOk.reason
      const { fresh, parents } = writtenOk.value
      // 3. rename each temp file over its final name (atomic: a reader sees the old object, or
      //    none, or the whole new one), then fsync, once each, every touched directory and the
      //    parent of every directory not yet known durable. The directory handles are opened
      //    before the renames so an error writing back their metadata surfaces at fsync (as in
      //    Tessera's syncDir).
      //    → some new objects, perhaps not yet durable, all beyond the published tree; no
      //    durable checkpoint refers to them yet, and a later stage may overwrite them.
      // 4. still ours? (again: this batch may have taken a while) Checked beside the directory
      //    fsyncs, and awaited before step 5.
      step = 'renaming objects into place'
      const handles: FileHandle[] = []
      try {
        for (const d of new Set([...dirs, ...parents])) handles.push(await open(d, 'r'))
        await eachLimited(items, async (it) => {
          await rename(it.tmp, it.final)
          pending.delete(it.tmp)
        })
        step = 'fsyncing directories'
        const [synced, stillOurs] = await Promise.allSettled([eachLimited(handles, (h) => h.sync()), this.assertLockStillOurs()])
        if (synced.status === 'rejected') throw synced.reason
        if (stillOurs.status === 'rejected') throw stillOurs.reason
      } finally {
        await Promise.all(handles.map((h) => h.close().catch(() => {})))
      }
      for (const d of fresh) this.knownDirs.add(d)
      // Every object of the batch is now durable, and the lock was still ours at the second check.
      // 5. replace the staged checkpoint: rename its fsynced temp file (step 2), fsync the log directory.
      //    → before its rename: the old staged checkpoint. The published one and its objects
      //    are untouched (a stage only writes beyond the published tree); if this batch
      //    overwrote objects of the old staged tree (allowed, types.ts), the old staged note
      //    no longer matches them, which the sequencer detects on open (it checks the staged
      //    root against the tiles) and then falls back to the published tree. After the
      //    rename: the new staged checkpoint, whose objects are all durable (step 3).
      step = 'replacing the staged checkpoint'
      await rename(stagedTmp, this.stagedPath)
      pending.delete(stagedTmp)
      await fsyncDir(dirname(this.stagedPath))
      // 6. resolved ⇒ the objects and the staged checkpoint are durable.
    } catch (e) {
      await Promise.all([...pending].map((p) => unlink(p).catch(() => {})))
      throw e instanceof CivicError ? e : storageError(`fs: stage failed while ${step}`, e)
    }
  }

  /**
   * Durably replace one checkpoint file (Tessera `overwrite`):
   *   a. write `<name>.<pid>.<random>.tmp` beside it and fsync it, while `guard` (the lock
   *      check) runs; nothing goes further unless both succeed
   *      → crash: the old file stands (plus a temp file nobody reads).
   *   b. rename it over the final name: atomic, readers see the old note or the new one
   *      → crash: after a process crash the new note stands; after a power loss before (c),
   *      either one. A rename cannot be made durable before it is visible (PostgreSQL's
   *      COMMIT can), so a published note may have been served and then be lost; its tree is
   *      durably staged already, and recovery re-witnesses and publishes that same tree.
   *   c. fsync the log directory → the new note is durable; resolve.
   */
  private async replaceFile(final: string, bytes: Uint8Array, pending: Set<string>, guard: Promise<void>): Promise<void> {
    const tmp = tempName(final)
    pending.add(tmp)
    const [written, allowed] = await Promise.allSettled([writeSynced(tmp, bytes), guard])
    if (allowed.status === 'rejected') throw allowed.reason
    if (written.status === 'rejected') throw written.reason
    await rename(tmp, final)
    pending.delete(tmp)
    await fsyncDir(dirname(final))
  }

  /** Releases the lock (if held). Idempotent; waits for a write in flight. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      await this.tail
      await this.acquiring?.catch(() => {})
      const held = this.lock
      this.lock = null
      if (!held) return
      // Removes the lock file only if it is still ours (it may have been taken over).
      await releasePidLock(held).catch((e: unknown) => Promise.reject(storageError('fs: releasing the sequencer lock', e)))
    })()
    return this.closed
  }

  private async lockStillOurs(): Promise<boolean> {
    return this.lock !== null && (await pidLockStillHeld(this.lock))
  }

  private async assertLockStillOurs(): Promise<void> {
    if (!(await this.lockStillOurs())) {
      this.lock = null
      this.lockLost = true
      throw new CivicError('ERR_LEDGER_LOCKED', `the sequencer lock ${this.lockPath} is no longer ours; not writing`)
    }
  }

  /** `<dataDir>/<log>/`, created (and fsynced into dataDir) if missing. */
  private async ensureLogDir(): Promise<void> {
    if (this.knownDirs.has(this.logDir)) return
    const kind = await kindOf(this.logDir)
    if (kind === 'other') throw new Error(`${this.logDir} is not a directory`)
    if (kind === 'missing') await mkdir(this.logDir, 0o755).catch((e: unknown) => (errno(e) === 'EEXIST' ? undefined : Promise.reject(e)))
    await fsyncDir(this.dataDir) // also when found: a crashed predecessor may have left it in the page cache only
    this.knownDirs.add(this.logDir)
  }

  /**
   * mkdir -p for each of `dirs` (all under the log's directory), parents first. Returns the directories not
   * yet known durable — created now, or found but left by an earlier process whose fsync we
   * cannot vouch for (a process crash leaves unsynced entries in the page cache) — and their
   * parents, whose entries the caller must fsync before relying on them.
   */
  private async makeDirs(dirs: readonly string[]): Promise<{ fresh: Set<string>; parents: Set<string> }> {
    const fresh = new Set<string>()
    const parents = new Set<string>()
    const visit = async (dir: string): Promise<void> => {
      if (this.knownDirs.has(dir) || fresh.has(dir)) return
      if (!dir.startsWith(this.logDir + sep)) throw new Error(`${dir} is outside ${this.logDir}`) // unreachable: paths are checked
      const parent = dirname(dir)
      await visit(parent)
      const kind = await kindOf(dir)
      if (kind === 'other') throw new Error(`${dir} exists and is not a directory`)
      if (kind === 'missing') await mkdir(dir, 0o755).catch((e: unknown) => (errno(e) === 'EEXIST' ? undefined : Promise.reject(e)))
      fresh.add(dir)
      parents.add(parent)
    }
    for (const d of dirs) await visit(d)
    return { fresh, parents }
  }
}

// ---- helpers ----------------------------------------------------------------------------

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | null)?.code

async function kindOf(path: string): Promise<'dir' | 'other' | 'missing'> {
  try {
    return (await stat(path)).isDirectory() ? 'dir' : 'other'
  } catch (e) {
    if (errno(e) === 'ENOENT') return 'missing'
    throw storageError(`fs: stat ${path}`, e)
  }
}

async function readOrNull(file: string, what: string): Promise<Uint8Array | null> {
  try {
    const b = await readFile(file)
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
  } catch (e) {
    const code = errno(e)
    if (code === 'ENOENT' || code === 'ENOTDIR') return null
    throw storageError(`fs: reading ${what}`, e)
  }
}

async function eachLimited<T>(items: readonly T[], fn: (x: T) => Promise<unknown>): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(IO_PARALLEL, items.length) }, worker))
}

