/**
 * One process per data directory: a lock file holding the owner's pid, written whole to a temp
 * file and then linked into place (so it never exists half-written). A lock whose process is
 * gone is stale and taken over; a lock with this process's own pid is live only while this
 * process holds it. Two processes taking over one stale lock at the same instant could both
 * succeed; each service documents that one process serves one directory. (The ledger's fs
 * storage keeps a stricter lock of its own: pid plus process start time and a token.)
 */
import { link, readFile, unlink } from 'node:fs/promises'
import { CivicError, type ErrorCode } from '../core/errors.ts'
import { tempName, writeSynced } from './durable.ts'
import { pidAlive } from './process.ts'

/** Lock paths this process holds. */
const held = new Set<string>()

/** The live pid in the lock file at `path`, or null when there is none (or it is stale). */
export async function pidLockHolder(path: string): Promise<number | null> {
  const text = await readFile(path, 'utf8').catch(() => null)
  if (text === null) return null
  const pid = /^[1-9][0-9]{0,9}\n?$/.test(text) ? Number(text.trim()) : 0
  if (pid === process.pid) return held.has(path) ? pid : null
  return pid > 0 && pidAlive(pid) ? pid : null
}

/**
 * Take the lock at `path`. Throws CivicError `lockedCode` while a live process holds it, and
 * `storageCode` when the file cannot be written.
 */
export async function acquirePidLock(path: string, what: string, lockedCode: ErrorCode, storageCode: ErrorCode): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const tmp = tempName(path)
    try {
      await writeSynced(tmp, new TextEncoder().encode(`${process.pid}\n`))
      await link(tmp, path)
      held.add(path)
      return
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new CivicError(storageCode, `cannot create ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e })
      }
    } finally {
      await unlink(tmp).catch(() => {})
    }
    const holder = await pidLockHolder(path)
    if (holder !== null) throw new CivicError(lockedCode, `another process (pid ${holder}) holds ${what}`)
    await unlink(path).catch(() => {}) // stale: its process is gone
  }
  throw new CivicError(lockedCode, `could not take ${path}`)
}

export async function releasePidLock(path: string): Promise<void> {
  held.delete(path)
  await unlink(path).catch(() => {})
}
