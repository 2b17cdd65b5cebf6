/**
 * The verifier's admin token (`<verifier dir>/admin-token`, mode 0600): the bearer token the
 * admin listener asks for, made on first need, as the issuer keeps its own (src/issuer/officers.ts)
 * — written and fsynced under a temp name, then hard-linked to its name, so it appears whole or
 * not at all and two processes making it at once agree on the one linked first. It is the
 * credential itself, so it is kept in clear; a token file readable by group or others, or one
 * holding no token, is refused (ERR_VERIFIER_FORBIDDEN), never used. The server reads the file
 * at each admin request (removing it revokes the token) and compares SHA-256 hashes in
 * constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { link, open, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { CivicError } from '../core/errors.ts'
import { fsyncDir, tempName, writeSynced } from '../node/durable.ts'

export const ADMIN_TOKEN_FILE = 'admin-token'
const TOKEN = /^[A-Za-z0-9_-]{43}$/

/** The admin token of `dir`, or null when there is none yet. */
export async function readAdminToken(dir: string): Promise<string | null> {
  const path = join(dir, ADMIN_TOKEN_FILE)
  let text: string
  try {
    const fh = await open(path, 'r')
    try {
      const mode = (await fh.stat()).mode & 0o777
      if ((mode & 0o077) !== 0) throw new CivicError('ERR_VERIFIER_FORBIDDEN', `${path} is readable by group or others (mode ${mode.toString(8).padStart(4, '0')}): the token may have leaked; remove the file (a new one is made) or chmod 600 it`)
      text = await fh.readFile('utf8')
    } finally {
      await fh.close()
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw e
  }
  const t = text.trim()
  if (!TOKEN.test(t)) throw new CivicError('ERR_VERIFIER_FORBIDDEN', `${path} holds no admin token: remove it and a new one is made`)
  return t
}

/** The admin token of `dir`, made (mode 0600) when there is none yet. */
export async function ensureAdminToken(dir: string): Promise<string> {
  const existing = await readAdminToken(dir)
  if (existing) return existing
  const path = join(dir, ADMIN_TOKEN_FILE)
  const tmp = tempName(path)
  try {
    // Whole before it has its name: link never replaces, so the first one linked wins.
    await writeSynced(tmp, new TextEncoder().encode(`${randomBytes(32).toString('base64url')}\n`), 0o600)
    try {
      await link(tmp, path)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
    await fsyncDir(dir)
  } finally {
    await unlink(tmp).catch(() => {})
  }
  const t = await readAdminToken(dir)
  if (!t) throw new Error(`${path} could not be read back`)
  return t
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest()

/** Is `presented` the admin token of `dir`? False when there is none. */
export async function isAdminToken(dir: string, presented: string): Promise<boolean> {
  const token = await readAdminToken(dir)
  return token !== null && timingSafeEqual(sha256(token), sha256(presented))
}
