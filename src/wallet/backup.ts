/**
 * The wallet's backup file: every copy (the credential, its verified claims, where it came
 * from, the id of the holder key it is bound to), the activity log and the settings — never a
 * private key — as JSON encrypted under a key derived from the passphrase (argon2id at the
 * vault's parameters, a fresh salt; AES-256-GCM bound to the format's name). Outside the
 * ciphertext only the format, the time it was made and the KDF parameters: no claim, no issuer,
 * not even how many credentials.
 *
 * Holder keys are non-extractable WebCrypto keys and stay so: a backup cannot carry them. A
 * restored copy is therefore bound to a key that is not on the new device; the wallet says so
 * and shows how to have the credential issued again.
 *
 * Reading is strict: the outer file exactly its members (ERR_WALLET_BACKUP_INVALID), a wrong
 * passphrase or changed bytes ERR_WALLET_PASSPHRASE_WRONG, and the opened contents exactly
 * their shape with caps (ERR_WALLET_BACKUP_INVALID). The contents are authenticated under the
 * passphrase, so only someone who knows it can have written them.
 */
import { isJsonObject, parseJson, type JsonObject } from '../core/bytes/json.ts'
import { decodeUtf8, encodeUtf8 } from '../core/bytes/utf8.ts'
import { fail, InputError, ok, type Verdict } from '../core/errors.ts'
import { parseKdfParams, type Kdf } from './kdf-params.ts'
import { openWithPassphrase, sealWithPassphrase, type PassphraseSealed } from './vault.ts'

export const BACKUP_FORMAT = 'civic-wallet-backup/v1'
const LABEL = `backup/${BACKUP_FORMAT}`
/** The largest backup file read (a wallet of some thousand credentials fits many times). */
export const MAX_BACKUP_CHARS = 64 << 20
const MAX_COPIES = 100_000

/** One copy as the backup holds it: its ids, whether it was used, and its opened body. */
export interface BackupCopy {
  id: string
  batch: string
  keyId: string
  used: boolean
  body: JsonObject
}

export interface BackupContents {
  walletId: string
  copies: BackupCopy[]
  activity: { id: string; body: JsonObject }[]
  settings: JsonObject
}

interface BackupFile extends PassphraseSealed {
  format: typeof BACKUP_FORMAT
  createdAt: number
}

/** The backup file's text for `contents`, encrypted under `passphrase`. */
export async function writeBackup(contents: BackupContents, passphrase: string, o: { kdf: Kdf; now: number }): Promise<string> {
  const sealed = await sealWithPassphrase(passphrase, LABEL, encodeUtf8(JSON.stringify(contents)), { kdf: o.kdf })
  const file: BackupFile = { format: BACKUP_FORMAT, createdAt: o.now, ...sealed }
  return `${JSON.stringify(file, null, 1)}\n`
}

const bad = (why: string): never => {
  throw new InputError('ERR_WALLET_BACKUP_INVALID', why)
}

const ID = /^[0-9A-Za-z_-]{1,64}$/

function exactly(o: unknown, members: string[], what: string): Record<string, unknown> {
  if (!isJsonObject(o)) bad(`${what} is not an object`)
  const keys = Object.keys(o as object).sort().join(',')
  if (keys !== [...members].sort().join(',')) bad(`${what} has the members ${keys.slice(0, 120)}`)
  return o as Record<string, unknown>
}

function id(v: unknown, what: string): string {
  if (typeof v !== 'string' || !ID.test(v)) bad(`${what} is not an id`)
  return v as string
}

/** The body of a stored copy: the members the wallet writes (wallet.ts SealedCopy). */
function copyBody(v: unknown, what: string): JsonObject {
  const b = exactly(v, ['credential', 'claims', 'issuer', 'configurationId', 'display', 'receivedAt'], what)
  if (typeof b.credential !== 'string' || b.credential.length === 0 || b.credential.length > 1 << 20) bad(`${what} has no credential`)
  if (!isJsonObject(b.claims) || typeof b.claims.iss !== 'string' || typeof b.claims.vct !== 'string') bad(`${what} has no claims with iss and vct`)
  if (typeof b.issuer !== 'string' || typeof b.configurationId !== 'string') bad(`${what} does not say where it came from`)
  if (!isJsonObject(b.display) || !isJsonObject(b.display.name) || !isJsonObject(b.display.claims)) bad(`${what} has no display`)
  if (!Number.isSafeInteger(b.receivedAt)) bad(`${what} has no receivedAt`)
  return b as JsonObject
}

/** Reads a backup file. ERR_WALLET_BACKUP_INVALID (not one), ERR_WALLET_PASSPHRASE_WRONG (the passphrase, or changed bytes). */
export async function readBackup(text: string, passphrase: string, o: { kdf: Kdf }): Promise<Verdict<BackupContents>> {
  try {
    if (typeof text !== 'string' || text.length > MAX_BACKUP_CHARS) bad('the file is larger than a backup can be')
    let outer: unknown
    try {
      outer = parseJson(text, { maxLength: MAX_BACKUP_CHARS, maxDepth: 4 }, 'the backup file')
    } catch {
      bad('the file is not JSON')
    }
    const f = exactly(outer, ['format', 'createdAt', 'kdf', 'iv', 'ct'], 'the backup file')
    if (f.format !== BACKUP_FORMAT) bad(`the file's format is ${String(f.format).slice(0, 60)}, not ${BACKUP_FORMAT}`)
    if (!Number.isSafeInteger(f.createdAt)) bad('the file has no createdAt')
    if (typeof f.iv !== 'string' || typeof f.ct !== 'string') bad('the file has no ciphertext')
    let kdf
    try {
      kdf = parseKdfParams(f.kdf)
    } catch (e) {
      bad(`the file's key derivation: ${e instanceof Error ? e.message : String(e)}`)
    }
    const opened = await openWithPassphrase(passphrase, LABEL, { kdf: kdf!, iv: f.iv as string, ct: f.ct as string }, o)
    if (!opened.ok) return opened
    let inner: unknown
    try {
      inner = parseJson(decodeUtf8(opened.value), { maxLength: MAX_BACKUP_CHARS, maxDepth: 32 }, 'the backup contents')
    } catch {
      bad('the opened contents are not JSON')
    }
    const c = exactly(inner, ['walletId', 'copies', 'activity', 'settings'], 'the backup contents')
    if (!Array.isArray(c.copies) || c.copies.length > MAX_COPIES) bad('the contents hold no list of copies')
    if (!Array.isArray(c.activity) || c.activity.length > MAX_COPIES) bad('the contents hold no activity list')
    if (!isJsonObject(c.settings)) bad('the contents hold no settings')
    const seen = new Set<string>()
    const copies = (c.copies as unknown[]).map((x, i): BackupCopy => {
      const k = exactly(x, ['id', 'batch', 'keyId', 'used', 'body'], `copy ${i}`)
      const copyId = id(k.id, `copy ${i}'s id`)
      if (seen.has(copyId)) bad(`copy ${i} repeats the id ${copyId}`)
      seen.add(copyId)
      if (typeof k.used !== 'boolean') bad(`copy ${i} does not say whether it was used`)
      return { id: copyId, batch: id(k.batch, `copy ${i}'s batch`), keyId: id(k.keyId, `copy ${i}'s key id`), used: k.used as boolean, body: copyBody(k.body, `copy ${i}`) }
    })
    const activity = (c.activity as unknown[]).map((x, i) => {
      const a = exactly(x, ['id', 'body'], `activity ${i}`)
      if (!isJsonObject(a.body)) bad(`activity ${i} has no body`)
      return { id: id(a.id, `activity ${i}'s id`), body: a.body as JsonObject }
    })
    return ok({ walletId: id(c.walletId, 'the wallet id'), copies, activity, settings: c.settings as JsonObject })
  } catch (e) {
    if (e instanceof InputError) return fail(e.code, e.detail)
    throw e
  }
}
