/**
 * The issuing office's officers: the office's use of the one officer machinery every office
 * shares (src/office/officers.ts: passkeys, sessions, enrolments, the audit trail), with the
 * issuer's roles (clerk, supervisor) and codes (ERR_ISSUER_…), and the issuer's own files:
 *
 *   <data>/officers.json, <data>/audit.log   src/office/officers.ts
 *   <data>/admin-token     the bearer token with supervisor rights for scripts and the CLI,
 *                          mode 0600, made on first need: written to a temp file, fsynced and
 *                          hard-linked to its name, so it appears whole or not at all (a crash
 *                          cannot leave an empty token that fails every later start) and two
 *                          processes making it at once agree on the one linked first. It is the
 *                          credential itself, so it is the one secret kept in clear; a token
 *                          file readable by group or others is refused (ERR_ISSUER_CONFIG), not
 *                          used. The server reads it when a bearer token arrives and compares
 *                          hashes in constant time.
 *   <data>/admin-url       the admin listener's URL, written by `civic issuer serve` once it
 *                          listens (with server.json's pid it tells the CLI where to go)
 */
import { link, open, readFile, unlink } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { CivicError } from '../core/errors.ts'
import { fsyncDir, tempName, writeFileDurably, writeSynced } from '../node/durable.ts'
import { OfficerStore as OfficeStore, type OfficeKind } from '../office/officers.ts'
import { OFFICER_ROLES, type OfficerRole } from './admin-wire.ts'

export {
  ADMIN_TOKEN_OFFICER, AUDIT_FILE, ENROLMENT_SECONDS, MAX_CHALLENGES_PER_NETWORK, OFFICERS_FILE, SESSION_IDLE_SECONDS, SESSION_MAX_SECONDS, sessionCookieName,
} from '../office/officers.ts'

export const ADMIN_TOKEN_FILE = 'admin-token'
export const ADMIN_URL_FILE = 'admin-url'

const secret = (): string => randomBytes(32).toString('base64url')

// ── the admin token ──────────────────────────────────────────────────────────────────────

/** The admin token of `dataDir`, made (mode 0600) when there is none yet. */
export async function ensureAdminToken(dataDir: string): Promise<string> {
  const existing = await readAdminToken(dataDir)
  if (existing) return existing
  const token = secret()
  const path = join(dataDir, ADMIN_TOKEN_FILE)
  const tmp = tempName(path)
  try {
    // Whole before it has its name: written and fsynced under a temp name, then hard-linked
    // (link never replaces, so two processes making it at once agree on the one linked first).
    await writeSynced(tmp, new TextEncoder().encode(`${token}\n`), 0o600)
    try {
      await link(tmp, path)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
    await fsyncDir(dataDir)
  } catch (e) {
    throw new CivicError('ERR_ISSUER_STORAGE', `cannot write ${ADMIN_TOKEN_FILE}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  } finally {
    await unlink(tmp).catch(() => {})
  }
  const t = await readAdminToken(dataDir)
  if (!t) throw new CivicError('ERR_ISSUER_STORAGE', `${ADMIN_TOKEN_FILE} could not be read back`)
  return t
}

/**
 * The admin token of `dataDir`, or null when there is none. A token file readable by group or
 * others, or one that holds no token, is refused with ERR_ISSUER_CONFIG: a leaked credential is
 * not used, and a damaged one is named rather than silently replaced.
 */
export async function readAdminToken(dataDir: string): Promise<string | null> {
  const path = join(dataDir, ADMIN_TOKEN_FILE)
  let text: string
  try {
    const fh = await open(path, 'r')
    try {
      const mode = (await fh.stat()).mode & 0o777
      if ((mode & 0o077) !== 0) throw new CivicError('ERR_ISSUER_CONFIG', `${path} is readable by group or others (mode ${mode.toString(8).padStart(4, '0')}): the token may have leaked; make a new one (remove the file) or chmod 600 it`)
      text = await fh.readFile('utf8')
    } finally {
      await fh.close()
    }
  } catch (e) {
    if (e instanceof CivicError) throw e
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new CivicError('ERR_ISSUER_STORAGE', `cannot read ${ADMIN_TOKEN_FILE}: ${(e as NodeJS.ErrnoException).code ?? ''}`)
  }
  const t = text.trim()
  if (!/^[A-Za-z0-9_-]{43}$/.test(t)) throw new CivicError('ERR_ISSUER_CONFIG', `${path} holds no admin token: remove it and a new one is made`)
  return t
}

/** Where a running server's admin listener is (`civic issuer serve` writes it). */
export async function writeAdminUrl(dataDir: string, url: string): Promise<void> {
  await writeFileDurably(dataDir, ADMIN_URL_FILE, new TextEncoder().encode(`${url}\n`), 0o644)
}

export async function readAdminUrl(dataDir: string): Promise<string | null> {
  try {
    const t = (await readFile(join(dataDir, ADMIN_URL_FILE), 'utf8')).trim()
    return /^https?:\/\/[^\s]{1,300}$/.test(t) ? t : null
  } catch {
    return null
  }
}

/** The issuing office among offices: its roles, its codes, its token and the setting of its console origin. */
export const ISSUER_OFFICE: OfficeKind<OfficerRole> = {
  roles: OFFICER_ROLES,
  codes: {
    config: 'ERR_ISSUER_CONFIG', storage: 'ERR_ISSUER_STORAGE', badRequest: 'ERR_ISSUER_BAD_REQUEST', unauthenticated: 'ERR_ISSUER_UNAUTHENTICATED',
    enrolment: 'ERR_ISSUER_ENROLMENT', capacity: 'ERR_ISSUER_CAPACITY', rateLimited: 'ERR_ISSUER_RATE_LIMITED', notFound: 'ERR_ISSUER_NOT_FOUND',
  },
  originSetting: 'issuer.json appOrigin',
  readAdminToken,
}

export interface OfficerStoreOptions {
  /** The console's origin: the WebAuthn origin, its host the RP ID. null: passkeys are off (only the admin token works). */
  appOrigin: string | null
  /** The office's display name for the authenticator's prompt. */
  rpName: string
  /** Seconds since the epoch. */
  now: () => number
}

/** The issuing office's officers, sessions and audit trail. */
export type OfficerStore = OfficeStore<OfficerRole>

export const OfficerStore = {
  /** Opens `<dataDir>/officers.json` (absent: no officers yet); a file that does not fit is ERR_ISSUER_CONFIG. */
  open: (dataDir: string, o: OfficerStoreOptions): Promise<OfficerStore> => OfficeStore.open(dataDir, { ...o, office: ISSUER_OFFICE }),
}
