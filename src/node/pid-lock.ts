/**
 * One process per data directory, the one lock every service uses (the ledger's sequencer
 * lock, each witness's and each issuer's directory lock).
 *
 * The lock file is created atomically with its content: written and fsynced under a temp
 * name, then `link`ed into place, which fails if the name exists — so nobody ever sees an
 * empty or half-written lock file — and the directory is fsynced. It holds
 * `<pid>\n<starttime>\n<token>\n`: starttime is field 22 of /proc/<pid>/stat (clock ticks
 * since boot) and tells a reused pid from the holder; the random token makes "is this still
 * our lock file?" never rest on an inode number alone (ext4 hands a freed inode out again at
 * once). A file of just `<pid>\n` (written by earlier versions) is read with no start time.
 *
 * The holder counts as alive while `kill(pid, 0)` succeeds (or fails with EPERM: it exists,
 * not ours to signal) and /proc says it is neither a zombie (state Z or X: exited, not yet
 * reaped — kill() alone calls it alive, so a restart right after `kill -9` would be refused
 * while the parent has not waited for it) nor a different process (another start time: the
 * pid was reused). A lock naming this process is alive only while this process holds it
 * through this module. Otherwise the lock is stale and taken over. A file that is not a lock
 * this program wrote is refused and left alone.
 *
 * Residual race: two processes taking over the SAME stale lock at the same moment. Each checks
 * that the lock file (inode and text) is still the stale one just before unlinking it, then
 * links its own exclusively; the window left is between that check and the unlink
 * (microseconds), where the later process can delete the earlier one's fresh lock and both
 * believe they hold it. A holder that must not write after losing its lock (the ledger's
 * sequencer) checks `pidLockStillHeld` before each step that matters. The lock is host-local:
 * pids mean nothing across hosts or pid namespaces, so never share a data directory between
 * hosts (or containers with separate pid namespaces).
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { link, open, stat, unlink, type FileHandle } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { CivicError, type ErrorCode } from '../core/errors.ts'
import { fsyncDir, tempName, writeSynced } from './durable.ts'

/** A lock this process holds: the file's path, and the inode and text that make it ours. */
export interface PidLock {
  readonly path: string
  readonly ino: number
  readonly text: string
}

/** What a lock file says, with the inode it was read from. */
export interface PidLockFile {
  /** null: the file does not hold a lock this program wrote. */
  pid: number | null
  /** The holder's start time as recorded ('' when unknown). */
  start: string
  ino: number
  text: string
}

/** Locks this process holds, by absolute path. */
const held = new Map<string, PidLock>()

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | null)?.code
const sameLock = (a: { ino: number; text: string }, b: { ino: number; text: string }): boolean => a.ino === b.ino && a.text === b.text

/** State and start time (clock ticks since boot) of a process, from /proc; null if unknown. */
export function procStat(pid: number): { state: string; start: string } | null {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return null
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  return { state: fields[0] ?? '', start: fields[19] ?? '' }
}

/**
 * Is the process that wrote a lock with this pid and start time still running? A zombie is
 * not; a process at that pid with another start time is not (the pid was reused).
 */
export function lockHolderAlive(pid: number, start: string): boolean {
  try {
    process.kill(pid, 0)
  } catch (e) {
    if (errno(e) !== 'EPERM') return false
  }
  const st = procStat(pid)
  if (!st) return true // no /proc: trust kill()
  if (st.state === 'Z' || st.state === 'X' || st.state === 'x') return false
  return !(start && st.start && st.start !== start)
}

/** The lock file at `path`, or null if there is none. Throws what reading throws (not ENOENT). */
export async function readPidLockFile(path: string): Promise<PidLockFile | null> {
  let fh: FileHandle
  try {
    fh = await open(path, 'r')
  } catch (e) {
    if (errno(e) === 'ENOENT') return null
    throw e
  }
  try {
    const [{ ino }, text] = await Promise.all([fh.stat(), fh.readFile('utf8')])
    // `<pid>\n<starttime>\n<random token>\n`; the token may be missing (written by hand), and a
    // bare `<pid>\n` is how earlier versions wrote it.
    const m = /^([1-9][0-9]{0,9})\n(?:([0-9]*)\n(?:[0-9a-f]*\n)?)?$/.exec(text)
    return { pid: m ? Number(m[1]) : null, start: m?.[2] ?? '', ino, text }
  } finally {
    await fh.close()
  }
}

function isLive(path: string, f: PidLockFile): boolean {
  if (f.pid === null) return false
  if (f.pid === process.pid) {
    const mine = held.get(path)
    return mine !== undefined && sameLock(mine, f)
  }
  return lockHolderAlive(f.pid, f.start)
}

/** The live pid holding the lock at `path`, or null when there is none (or it is stale). */
export async function pidLockHolder(path: string): Promise<number | null> {
  const abs = resolve(path)
  const f = await readPidLockFile(abs).catch(() => null)
  return f && isLive(abs, f) ? f.pid : null
}

/**
 * Take the lock at `path` (its directory must exist). Throws CivicError `lockedCode` while a
 * live process holds it, or when the file there is not a lock this program wrote; and
 * `storageCode` when it cannot be written. `what` names what the lock guards, for messages.
 */
export async function acquirePidLock(path: string, what: string, lockedCode: ErrorCode, storageCode: ErrorCode): Promise<PidLock> {
  const abs = resolve(path)
  const dir = dirname(abs)
  const tmp = tempName(abs)
  const text = `${process.pid}\n${procStat(process.pid)?.start ?? ''}\n${randomBytes(8).toString('hex')}\n`
  try {
    await writeSynced(tmp, new TextEncoder().encode(text))
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(tmp, abs) // exclusive: EEXIST if any lock file is there
      } catch (e) {
        if (errno(e) !== 'EEXIST') throw e
        const holder = await readPidLockFile(abs)
        if (!holder) continue // released meanwhile: try again
        if (holder.pid === null) throw new CivicError(lockedCode, `${abs} is not a lock file this program wrote; remove it if nothing serves ${what}`)
        if (isLive(abs, holder)) throw new CivicError(lockedCode, `another process (pid ${holder.pid}) holds ${what}`)
        // Stale: its holder is gone. Take it over, unless it changed since we read it (the
        // residual race in the module comment).
        const now = await readPidLockFile(abs)
        if (now && sameLock(now, holder)) await unlink(abs).catch((e: unknown) => (errno(e) === 'ENOENT' ? undefined : Promise.reject(e)))
        continue
      }
      const { ino } = await stat(tmp) // the same inode as the lock file just linked
      try {
        await fsyncDir(dir)
      } catch (e) {
        await unlink(abs).catch(() => {})
        throw e
      }
      const lock: PidLock = { path: abs, ino, text }
      held.set(abs, lock)
      return lock
    }
    throw new CivicError(lockedCode, `${abs} keeps changing: another process is starting on ${what}`)
  } catch (e) {
    if (e instanceof CivicError) throw e
    throw new CivicError(storageCode, `cannot take the lock ${abs}: ${errno(e) ?? (e as Error).message}`, { cause: e })
  } finally {
    await unlink(tmp).catch(() => {})
  }
}

/** Is the lock file still the one `lock` made (not taken over, not removed)? */
export async function pidLockStillHeld(lock: PidLock): Promise<boolean> {
  const now = await readPidLockFile(lock.path)
  return now !== null && sameLock(now, lock) && held.get(lock.path) === lock
}

/**
 * Release a lock (given as taken, or by the path this process holds it at): the file is
 * removed only if it is still ours — a lock taken over is left to its new holder. Idempotent.
 * Throws what unlinking or fsyncing throws, except ENOENT.
 */
export async function releasePidLock(lock: PidLock | string): Promise<void> {
  const l = typeof lock === 'string' ? held.get(resolve(lock)) : lock
  if (!l) return
  if (held.get(l.path) === l) held.delete(l.path)
  const now = await readPidLockFile(l.path).catch(() => null)
  if (!now || !sameLock(now, l)) return
  try {
    await unlink(l.path)
    await fsyncDir(dirname(l.path))
  } catch (e) {
    if (errno(e) !== 'ENOENT') throw e
  }
}
