/**
 * Durable file writes for the services' own files (ledger storage, witness state, issuer state,
 * configurations): a temp file beside the target, written and fsynced, renamed over it, the
 * directory fsynced. A crash leaves the old file or the new one, plus at most a hidden temp file
 * nobody reads. src/node holds what the Node services (ledger, issuer, CLI) share; the kernel
 * (src/core) never imports it.
 */
import { open, rename, unlink, type FileHandle } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { basename, dirname, join } from 'node:path'

/** `.<name>.<pid>.<random>.tmp` beside `final`: hidden, and never a tile path element. */
export function tempName(final: string): string {
  return join(dirname(final), `.${basename(final)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
}

/** Create `file` exclusively, write `bytes`, fsync, close. */
export async function writeSynced(file: string, bytes: Uint8Array, mode = 0o644): Promise<void> {
  let fh: FileHandle | undefined
  try {
    fh = await open(file, 'wx', mode)
    await fh.writeFile(bytes)
    await fh.sync()
  } finally {
    await fh?.close()
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

/** Replace `dir/name` with `data`: temp file, fsync, rename, directory fsync. */
export async function writeFileDurably(dir: string, name: string, data: Uint8Array, mode = 0o644): Promise<void> {
  const path = join(dir, name)
  const tmp = tempName(path)
  try {
    await writeSynced(tmp, data, mode)
    // crash here: `path` holds the previous version; the temp file is never read
    await rename(tmp, path)
    // crash here: the rename may not be on disk yet; the directory fsync below makes it so
    await fsyncDir(dir)
  } catch (e) {
    await unlink(tmp).catch(() => {})
    throw e
  }
}
