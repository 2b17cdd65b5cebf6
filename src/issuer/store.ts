/**
 * The issuer's data directory (Node):
 *
 *   <data>/issuer.json        configuration (config.ts), no secrets
 *   <data>/keys/<kid>.jwk     private signing keys, mode 0600, in a 0700 directory
 *   <data>/keys/state-mac.key the key of the MACs the state keeps of its secrets (secrets.ts),
 *                             base64url of 32 random bytes, mode 0600: apart from the state,
 *                             so a copy of state.json alone redeems nothing
 *   <data>/state.json         durable state (state.ts), mode 0600
 *   <data>/issuer.lock        pid and start time of the one process that holds this directory
 *   <data>/server.json        { pid, url } of a running `civic issuer serve` (its admin API)
 *
 * Durable-write order (house rule 5): every file is written to a temp file, fsynced, renamed
 * over its name, and the directory fsynced (writeFileDurably), so a crash leaves the previous
 * version or the new one, never half of one. A key file is written (and its directory
 * fsynced) before the state that names it; a revoked key's file is removed only after the
 * state that says it is revoked is on disk. The MAC key is written before any state whose
 * MACs it made.
 *
 * One process per directory: the pid lock every service uses (src/node/pid-lock.ts: pid and
 * start time, created by hard link so it never exists half-written; a lock whose process is
 * gone, a zombie, or whose pid now names another process is stale and taken over). Codes:
 * ERR_ISSUER_CONFIG (missing or invalid directory), ERR_ISSUER_LOCKED, ERR_ISSUER_STORAGE.
 */
import { randomBytes } from 'node:crypto'
import { link, mkdir, open, readFile, unlink, chmod } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { CivicError, InputError } from '../core/errors.ts'
import { parseJson } from '../core/bytes/json.ts'
import { parsePrivateJwk, type PrivateJwk } from '../core/crypto/jwk.ts'
import { decodeBase64url, encodeBase64url } from '../core/bytes/base64url.ts'
import { fsyncDir, tempName, writeFileDurably, writeSynced } from '../node/durable.ts'
import { MAC_KEY_BYTES } from './secrets.ts'
import { formatIssuerConfig, ISSUER_CONFIG_FILE, parseIssuerConfigText, type IssuerConfig } from './config.ts'
import { formatIssuerState, parseStoredIssuerState, type IssuerState, type StateMigration } from './state.ts'
import { acquirePidLock, pidLockHolder, releasePidLock } from '../node/pid-lock.ts'

export const KEYS_DIR = 'keys'
export const STATE_FILE = 'state.json'
/** In KEYS_DIR; not `<kid>.jwk`, so never taken for a signing key. */
export const MAC_KEY_FILE = 'state-mac.key'
export const LOCK_FILE = 'issuer.lock'
export const SERVER_FILE = 'server.json'
const KID = /^[A-Za-z0-9._-]{1,64}$/

const storageError = (what: string, e: unknown): CivicError =>
  e instanceof CivicError ? e : new CivicError('ERR_ISSUER_STORAGE', `${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e })

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw storageError(`cannot read ${path}`, e)
  }
}

// ── configuration ────────────────────────────────────────────────────────────────────────

export async function readIssuerConfig(dataDir: string): Promise<IssuerConfig> {
  const text = await readText(join(dataDir, ISSUER_CONFIG_FILE))
  if (text === null) throw new CivicError('ERR_ISSUER_CONFIG', `no issuer in ${dataDir} (run civic issuer init)`)
  return parseIssuerConfigText(text)
}

export async function writeIssuerConfig(dataDir: string, config: IssuerConfig): Promise<void> {
  try {
    await writeFileDurably(dataDir, ISSUER_CONFIG_FILE, new TextEncoder().encode(formatIssuerConfig(config)), 0o644)
  } catch (e) {
    throw storageError(`cannot write ${ISSUER_CONFIG_FILE}`, e)
  }
}

// ── keys ─────────────────────────────────────────────────────────────────────────────────

function keyFile(kid: string): string {
  if (!KID.test(kid)) throw new TypeError(`kid ${kid} is not a key id`)
  return `${kid}.jwk`
}

/** Write a new private key (mode 0600 in a 0700 directory); an existing key file is never replaced. */
export async function writeKey(dataDir: string, kid: string, jwk: PrivateJwk): Promise<void> {
  const dir = join(dataDir, KEYS_DIR)
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    await chmod(dir, 0o700)
    if ((await readText(join(dir, keyFile(kid)))) !== null) throw new CivicError('ERR_ISSUER_STORAGE', `key ${kid} already exists`)
    await writeFileDurably(dir, keyFile(kid), new TextEncoder().encode(`${JSON.stringify(jwk)}\n`), 0o600)
  } catch (e) {
    throw storageError(`cannot write key ${kid}`, e)
  }
}

export async function readKey(dataDir: string, kid: string): Promise<PrivateJwk> {
  const path = join(dataDir, KEYS_DIR, keyFile(kid))
  const text = await readText(path)
  if (text === null) throw new CivicError('ERR_ISSUER_CONFIG', `the private key ${kid} is missing from ${join(dataDir, KEYS_DIR)}`)
  try {
    return parsePrivateJwk(parseJson(text, { maxLength: 4096, maxDepth: 2 }, path))
  } catch (e) {
    if (e instanceof InputError) throw new CivicError('ERR_ISSUER_CONFIG', `${path}: ${e.detail}`)
    throw e
  }
}

export async function deleteKey(dataDir: string, kid: string): Promise<void> {
  const dir = join(dataDir, KEYS_DIR)
  await unlink(join(dir, keyFile(kid))).catch(() => {})
  const fh = await open(dir, 'r').catch(() => null)
  if (fh) await fh.sync().finally(() => fh.close())
}

// ── the MAC key of the state's secrets (secrets.ts) ─────────────────────────────────────────

/** The MAC key, or null when the key store has none. A file that is not one is ERR_ISSUER_CONFIG. */
export async function readMacKey(dataDir: string): Promise<Uint8Array | null> {
  const path = join(dataDir, KEYS_DIR, MAC_KEY_FILE)
  const text = await readText(path)
  if (text === null) return null
  const b64 = text.endsWith('\n') ? text.slice(0, -1) : text
  let key: Uint8Array | null = null
  try {
    key = b64.length === Math.ceil((MAC_KEY_BYTES * 4) / 3) ? decodeBase64url(b64, path) : null
  } catch (e) {
    if (!(e instanceof InputError)) throw e
  }
  if (!key || key.length !== MAC_KEY_BYTES) throw new CivicError('ERR_ISSUER_CONFIG', `${path} does not hold a ${MAC_KEY_BYTES}-byte key in base64url`)
  return key
}

/**
 * Make the MAC key (32 random bytes, mode 0600 in the 0700 key store), durable before it is
 * used. Created by link, so an existing key is never replaced (ERR_ISSUER_STORAGE).
 */
export async function createMacKey(dataDir: string): Promise<Uint8Array> {
  const dir = join(dataDir, KEYS_DIR)
  const path = join(dir, MAC_KEY_FILE)
  const key = new Uint8Array(randomBytes(MAC_KEY_BYTES))
  const tmp = tempName(path)
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    await chmod(dir, 0o700)
    await writeSynced(tmp, new TextEncoder().encode(`${encodeBase64url(key)}\n`), 0o600)
    await link(tmp, path) // EEXIST: a key is already there, keep it
    await fsyncDir(dir)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new CivicError('ERR_ISSUER_STORAGE', `${path} already exists`)
    throw storageError(`cannot write ${path}`, e)
  } finally {
    await unlink(tmp).catch(() => {})
  }
  return key
}

// ── state ────────────────────────────────────────────────────────────────────────────────

/**
 * The state as stored, strictly read; a version 1 state comes back migrated, with what the
 * migration did (state.ts) — the caller writes it back before using it.
 */
export async function readIssuerState(dataDir: string, now: number): Promise<{ state: IssuerState; migration: StateMigration | null } | null> {
  const text = await readText(join(dataDir, STATE_FILE))
  return text === null ? null : parseStoredIssuerState(text, now)
}

export async function writeIssuerState(dataDir: string, state: IssuerState): Promise<void> {
  try {
    // temp file, fsync, rename over state.json, fsync the directory (writeFileDurably).
    await writeFileDurably(dataDir, STATE_FILE, formatIssuerState(state), 0o600)
  } catch (e) {
    throw storageError(`cannot write ${STATE_FILE}`, e)
  }
}

// ── the lock and the running server's address ────────────────────────────────────────────


/** The pid holding the directory, if that process is alive (and not this one's own released lock). */
export function lockHolder(dataDir: string): Promise<number | null> {
  return pidLockHolder(resolve(dataDir, LOCK_FILE))
}

export async function acquireLock(dataDir: string): Promise<string> {
  const path = resolve(dataDir, LOCK_FILE)
  await acquirePidLock(path, dataDir, 'ERR_ISSUER_LOCKED', 'ERR_ISSUER_STORAGE')
  return path
}

export async function releaseLock(path: string): Promise<void> {
  await releasePidLock(path).catch((e: unknown) => Promise.reject(storageError(`cannot release ${path}`, e)))
}

export interface ServerInfo {
  pid: number
  /** Base URL of the running server (its admin API is `<url>/admin/`). */
  url: string
}

export async function writeServerInfo(dataDir: string, info: ServerInfo): Promise<void> {
  await writeFileDurably(dataDir, SERVER_FILE, new TextEncoder().encode(`${JSON.stringify(info)}\n`), 0o644)
}

export async function readServerInfo(dataDir: string): Promise<ServerInfo | null> {
  const text = await readText(join(dataDir, SERVER_FILE))
  if (text === null) return null
  try {
    const v = JSON.parse(text) as ServerInfo
    return typeof v.pid === 'number' && typeof v.url === 'string' ? { pid: v.pid, url: v.url } : null
  } catch {
    return null
  }
}

export async function removeServerInfo(dataDir: string): Promise<void> {
  await unlink(join(dataDir, SERVER_FILE)).catch(() => {})
}

export async function ensureDataDir(dataDir: string): Promise<void> {
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 })
  } catch (e) {
    throw new CivicError('ERR_ISSUER_CONFIG', `cannot create ${dataDir}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`)
  }
}
