/**
 * The wallet's vault: one random data key (AES-256-GCM) encrypts everything the wallet keeps at
 * rest — credentials, activity, settings. The data key is never stored in the clear: storage
 * holds it wrapped (AES-256-GCM, the unlock method named as associated data) under a key
 * derived from the passphrase by argon2id (kdf.ts), and optionally under one derived from a
 * passkey's WebAuthn PRF output (HKDF-SHA-256). Unwrapped, it becomes a non-extractable
 * CryptoKey that lives in memory only while the wallet is unlocked.
 *
 * Written here rather than taken from a library: WebCrypto gives every primitive (AES-GCM,
 * HKDF, non-extractable keys), and the envelope is a few fields; what a library would add is
 * a format of its own that our stored records would then depend on.
 *
 * A wrong passphrase is a verdict, ERR_WALLET_PASSPHRASE_WRONG (the GCM tag does not verify:
 * nothing about the passphrase is stored that could be tested faster than a full unlock). A
 * record that does not parse is ERR_WALLET_VAULT_INVALID; a sealed record that does not open
 * under the key (changed, swapped or of another record: the record id is the associated data)
 * is ERR_WALLET_RECORD_INVALID.
 *
 * Unlock throttling (`throttle`) grows the wait after each failure; the failure count is kept
 * beside the vault by the caller, so a reload does not reset it.
 */
import { decodeBase64url, encodeBase64url } from '../core/bytes/base64url.ts'
import { encodeUtf8 } from '../core/bytes/utf8.ts'
import { fail, InputError, ok, type Verdict } from '../core/errors.ts'
import { KDF_DEFAULTS, parseKdfParams, type Kdf, type KdfParams } from './kdf-params.ts'

export const VAULT_VERSION = 1

export interface PassphraseWrap {
  kind: 'passphrase'
  kdf: KdfParams
  /** 12 bytes, base64url. */
  iv: string
  /** The data key's 32 bytes + 16-byte tag, AES-GCM under the derived key, base64url. */
  wrapped: string
}

export interface PasskeyWrap {
  kind: 'passkey'
  /** The WebAuthn credential id, base64url. */
  credentialId: string
  /** The PRF input (`eval.first`), 32 bytes base64url. */
  prfSalt: string
  iv: string
  wrapped: string
}

export interface VaultRecord {
  version: typeof VAULT_VERSION
  passphrase: PassphraseWrap
  passkeys: PasskeyWrap[]
}

/** A record encrypted under the data key. */
export interface Sealed {
  iv: string
  ct: string
}

const subtle = (): SubtleCrypto => globalThis.crypto.subtle
const random = (n: number): Uint8Array<ArrayBuffer> => globalThis.crypto.getRandomValues(new Uint8Array(n))
const aad = (s: string): Uint8Array<ArrayBuffer> => encodeUtf8(`civic-wallet/vault/v1/${s}`) as Uint8Array<ArrayBuffer>

async function aesKey(raw: Uint8Array<ArrayBuffer>, usages: KeyUsage[]): Promise<CryptoKey> {
  return subtle().importKey('raw', raw, { name: 'AES-GCM' }, false, usages)
}

async function wrapUnder(kek: CryptoKey, dek: Uint8Array<ArrayBuffer>, label: string): Promise<{ iv: string; wrapped: string }> {
  const iv = random(12)
  const ct = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: aad(label) }, kek, dek))
  return { iv: encodeBase64url(iv), wrapped: encodeBase64url(ct) }
}

/** What wrapUnder wrapped, or null when the tag does not verify (a wrong key, or changed bytes). */
async function openUnder(kek: CryptoKey, w: { iv: string; wrapped: string }, label: string): Promise<Uint8Array<ArrayBuffer> | null> {
  try {
    return new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv: decodeBase64url(w.iv), additionalData: aad(label) }, kek, decodeBase64url(w.wrapped)))
  } catch {
    return null
  }
}

/** The data key, as a non-extractable CryptoKey, or null when the tag does not verify. */
async function unwrapUnder(kek: CryptoKey, w: { iv: string; wrapped: string }, label: string): Promise<CryptoKey | null> {
  const raw = await openUnder(kek, w, label)
  if (!raw) return null
  try {
    return await aesKey(raw, ['encrypt', 'decrypt'])
  } finally {
    raw.fill(0)
  }
}

/** KDF parameters for something new: the vault's (or `params`), with a fresh 16-byte salt. */
function freshParams(params?: Omit<KdfParams, 'alg' | 'salt'>): KdfParams {
  return parseKdfParams({ alg: 'argon2id', ...(params ?? KDF_DEFAULTS), salt: encodeBase64url(random(16)) })
}

async function passphraseKek(kdf: Kdf, passphrase: string, params: KdfParams): Promise<CryptoKey> {
  const raw = (await kdf(passphrase, params)) as Uint8Array<ArrayBuffer>
  try {
    return await aesKey(raw, ['encrypt', 'decrypt'])
  } finally {
    raw.fill(0)
  }
}

/** HKDF-SHA-256 over the PRF output, bound to the credential id. */
async function passkeyKek(prfOutput: Uint8Array, credentialId: string): Promise<CryptoKey> {
  if (!(prfOutput instanceof Uint8Array) || prfOutput.length < 32) throw new TypeError('the PRF output must be at least 32 bytes')
  const ikm = await subtle().importKey('raw', prfOutput as Uint8Array<ArrayBuffer>, 'HKDF', false, ['deriveKey'])
  return subtle().deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: aad(`passkey/${credentialId}`) },
    ikm, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'],
  )
}

/**
 * A new vault: a fresh data key wrapped under the passphrase. Returns the record to store and
 * the data key (non-extractable), the wallet unlocked.
 */
export async function createVault(passphrase: string, o: { kdf: Kdf; params?: Omit<KdfParams, 'alg' | 'salt'> }): Promise<{ record: VaultRecord; key: CryptoKey }> {
  if (typeof passphrase !== 'string' || passphrase.length === 0) throw new TypeError('a passphrase is needed')
  const params = freshParams(o.params)
  const dek = random(32)
  try {
    const kek = await passphraseKek(o.kdf, passphrase, params)
    const w = await wrapUnder(kek, dek, 'passphrase')
    const record: VaultRecord = { version: VAULT_VERSION, passphrase: { kind: 'passphrase', kdf: params, ...w }, passkeys: [] }
    return { record, key: await aesKey(dek, ['encrypt', 'decrypt']) }
  } finally {
    dek.fill(0)
  }
}

/** Unlock with the passphrase: the data key, or ERR_WALLET_PASSPHRASE_WRONG. */
export async function unlockWithPassphrase(record: VaultRecord, passphrase: string, o: { kdf: Kdf }): Promise<Verdict<CryptoKey>> {
  const r = parseVaultRecord(record)
  const kek = await passphraseKek(o.kdf, passphrase, r.passphrase.kdf)
  const key = await unwrapUnder(kek, r.passphrase, 'passphrase')
  return key ? ok(key) : fail('ERR_WALLET_PASSPHRASE_WRONG', 'the passphrase does not open this wallet')
}

/** Unlock with a passkey's PRF output for `credentialId`: the data key, or ERR_WALLET_PASSKEY_REFUSED. */
export async function unlockWithPasskey(record: VaultRecord, credentialId: string, prfOutput: Uint8Array): Promise<Verdict<CryptoKey>> {
  const r = parseVaultRecord(record)
  const w = r.passkeys.find((p) => p.credentialId === credentialId)
  if (!w) return fail('ERR_WALLET_PASSKEY_REFUSED', 'this passkey is not one that unlocks this wallet')
  const key = await unwrapUnder(await passkeyKek(prfOutput, credentialId), w, `passkey/${credentialId}`)
  return key ? ok(key) : fail('ERR_WALLET_PASSKEY_REFUSED', 'the passkey\'s answer does not open this wallet')
}

/**
 * Adds (or replaces) a passkey unlock. The data key is non-extractable once unlocked, so the
 * passphrase is asked again: it unwraps the raw data key once, here, to wrap it for the passkey.
 */
export async function addPasskey(record: VaultRecord, passphrase: string, passkey: { credentialId: string; prfSalt: Uint8Array; prfOutput: Uint8Array }, o: { kdf: Kdf }): Promise<Verdict<VaultRecord>> {
  const r = parseVaultRecord(record)
  if (!(passkey.prfSalt instanceof Uint8Array) || passkey.prfSalt.length !== 32) throw new TypeError('the PRF salt must be 32 bytes')
  const kek = await passphraseKek(o.kdf, passphrase, r.passphrase.kdf)
  const dek = await openUnder(kek, r.passphrase, 'passphrase')
  if (!dek) return fail('ERR_WALLET_PASSPHRASE_WRONG', 'the passphrase does not open this wallet')
  try {
    const label = `passkey/${passkey.credentialId}`
    const w = await wrapUnder(await passkeyKek(passkey.prfOutput, passkey.credentialId), dek, label)
    const entry: PasskeyWrap = { kind: 'passkey', credentialId: passkey.credentialId, prfSalt: encodeBase64url(passkey.prfSalt), ...w }
    return ok({ ...r, passkeys: [...r.passkeys.filter((p) => p.credentialId !== passkey.credentialId), entry] })
  } finally {
    dek.fill(0)
  }
}

/** Bytes encrypted under a passphrase alone (a backup file): argon2id parameters, iv and ciphertext. */
export interface PassphraseSealed {
  kdf: KdfParams
  iv: string
  ct: string
}

/** Encrypts `plaintext` under a key derived from `passphrase` with a fresh salt, bound to `label`. */
export async function sealWithPassphrase(passphrase: string, label: string, plaintext: Uint8Array, o: { kdf: Kdf; params?: Omit<KdfParams, 'alg' | 'salt'> }): Promise<PassphraseSealed> {
  if (typeof passphrase !== 'string' || passphrase.length === 0) throw new TypeError('a passphrase is needed')
  const params = freshParams(o.params)
  const { iv, wrapped } = await wrapUnder(await passphraseKek(o.kdf, passphrase, params), plaintext as Uint8Array<ArrayBuffer>, label)
  return { kdf: params, iv, ct: wrapped }
}

/** Opens what sealWithPassphrase made; ERR_WALLET_PASSPHRASE_WRONG when the passphrase (or the bytes) do not match. */
export async function openWithPassphrase(passphrase: string, label: string, sealed: PassphraseSealed, o: { kdf: Kdf }): Promise<Verdict<Uint8Array>> {
  const kek = await passphraseKek(o.kdf, passphrase, parseKdfParams(sealed.kdf))
  const opened = await openUnder(kek, { iv: sealed.iv, wrapped: sealed.ct }, label)
  return opened ? ok(opened) : fail('ERR_WALLET_PASSPHRASE_WRONG', 'the passphrase does not open this file, or the file was changed')
}

/** Encrypts `plaintext` under the data key, bound to `recordId` (a record cannot be swapped for another). */
export async function seal(key: CryptoKey, recordId: string, plaintext: Uint8Array): Promise<Sealed> {
  const iv = random(12)
  const ct = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: aad(`record/${recordId}`) }, key, plaintext as Uint8Array<ArrayBuffer>))
  return { iv: encodeBase64url(iv), ct: encodeBase64url(ct) }
}

/** Decrypts a sealed record; ERR_WALLET_RECORD_INVALID when it was changed, swapped or is not one. */
export async function unseal(key: CryptoKey, recordId: string, sealed: Sealed): Promise<Verdict<Uint8Array>> {
  try {
    if (typeof sealed?.iv !== 'string' || typeof sealed.ct !== 'string') throw new Error('not a sealed record')
    const pt = await subtle().decrypt({ name: 'AES-GCM', iv: decodeBase64url(sealed.iv), additionalData: aad(`record/${recordId}`) }, key, decodeBase64url(sealed.ct))
    return ok(new Uint8Array(pt))
  } catch {
    return fail('ERR_WALLET_RECORD_INVALID', `record ${recordId.slice(0, 80)} does not open under this wallet's key`)
  }
}

/** Checks a stored vault record; InputError ERR_WALLET_VAULT_INVALID otherwise. */
export function parseVaultRecord(v: unknown): VaultRecord {
  const bad = (why: string): never => {
    throw new InputError('ERR_WALLET_VAULT_INVALID', `the vault record ${why}`)
  }
  const o = v as Partial<VaultRecord> | null
  if (typeof o !== 'object' || o === null) bad('is not an object')
  if (o!.version !== VAULT_VERSION) bad(`has version ${String(o!.version).slice(0, 20)}`)
  const p = o!.passphrase as Partial<PassphraseWrap> | undefined
  if (p?.kind !== 'passphrase') bad('has no passphrase wrap')
  const kdf = parseKdfParams(p!.kdf)
  const b64 = (x: unknown, bytes: number, what: string): string => {
    if (typeof x !== 'string') bad(`has no ${what}`)
    let n: number
    try {
      n = decodeBase64url(x as string).length
    } catch {
      return bad(`has a ${what} that is not base64url`)
    }
    if (n !== bytes) bad(`has a ${what} of ${n} bytes, not ${bytes}`)
    return x as string
  }
  const passphrase: PassphraseWrap = { kind: 'passphrase', kdf, iv: b64(p!.iv, 12, 'iv'), wrapped: b64(p!.wrapped, 48, 'wrapped key') }
  if (!Array.isArray(o!.passkeys)) bad('has no passkey list')
  const passkeys = o!.passkeys!.map((k): PasskeyWrap => {
    if (k?.kind !== 'passkey' || typeof k.credentialId !== 'string' || k.credentialId.length === 0 || k.credentialId.length > 1024) bad('has a passkey wrap without its credential id')
    return { kind: 'passkey', credentialId: k.credentialId, prfSalt: b64(k.prfSalt, 32, 'PRF salt'), iv: b64(k.iv, 12, 'iv'), wrapped: b64(k.wrapped, 48, 'wrapped key') }
  })
  return { version: VAULT_VERSION, passphrase, passkeys }
}

/** Failures allowed before waiting; then the wait doubles from 1 s, up to 15 min. */
export const FREE_ATTEMPTS = 3
const MAX_WAIT_SECONDS = 900

/** Seconds to wait before the next unlock attempt after `failures` failed ones in a row. */
export function throttle(failures: number): number {
  if (!Number.isSafeInteger(failures) || failures < 0) throw new RangeError('failures must be a non-negative integer')
  if (failures < FREE_ATTEMPTS) return 0
  return Math.min(MAX_WAIT_SECONDS, 2 ** (failures - FREE_ATTEMPTS))
}
