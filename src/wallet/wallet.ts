/**
 * The citizen's wallet on this device: the vault (vault.ts) over the wallet store
 * (src/store/wallet.ts), with the unlock throttle kept across reloads and the one-time copies
 * of each received batch stored sealed beside their holder keys.
 *
 * - Opening says what is here: `new` (nothing, and no sign that a wallet was), `locked`, or
 *   `vanished` — the database holds no wallet although the marker kept outside IndexedDB
 *   names one (the browser dropped the database): the caller offers restore.
 * - Every copy is sealed (the credential and its verified claims, as JSON) before the
 *   transaction that stores the batch; the transaction holds the whole batch or nothing.
 * - Unlock attempts are throttled (vault.ts `throttle`); the count lives in the store, so a
 *   reload or a new tab does not reset it. A refused attempt while waiting is
 *   ERR_WALLET_THROTTLED and does not touch the KDF.
 */
import { decodeUtf8, encodeUtf8 } from '../core/bytes/utf8.ts'
import { signerFromCryptoKeyPair } from '../core/crypto/keys.ts'
import type { PresentationFrame } from '../core/sdjwt/frame.ts'
import { presentSdJwt } from '../core/sdjwt/present.ts'
import { parseCompactJws } from '../core/jose/jws.ts'
import { parseJsonObject, type JsonObject } from '../core/bytes/json.ts'
import { fail, InputError, ok, type Verdict } from '../core/errors.ts'
import { WALLET_DB_NAME, WalletRepository, type CopyState, type StoredCopy, type StoredKey, type StoredUnlock } from '../store/wallet.ts'
import type { Kdf } from './kdf-params.ts'
import { readBackup, writeBackup, type BackupContents } from './backup.ts'
import { DEFAULT_SETTINGS, isRulePath, MAX_RULES, parseSettings, settingsJson, type WalletSettings } from './settings.ts'
import type { CredentialDisplay, Received } from './vci.ts'
import { addPasskey, createVault, parseVaultRecord, seal, throttle, unlockWithPasskey, unlockWithPassphrase, unseal, type Sealed, type VaultRecord } from './vault.ts'

/** Where the wallet's id is kept outside IndexedDB (localStorage in the browser). */
export interface MarkerStore {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

export const WALLET_MARKER_KEY = 'civic-wallet-id'

/** The shortest passphrase a wallet is created under. */
export const MIN_PASSPHRASE = 8

export type WalletState = 'new' | 'locked' | 'unlocked' | 'vanished'

/** Where a copy's status is kept (Token Status List: the list's URI and the copy's index). */
export interface StatusRef {
  uri: string
  idx: number
}

/** One received batch, as a card shows it. */
export interface Card {
  batch: string
  /** The Credential Issuer URL it came from. */
  issuer: string
  /** The issuer's DID (the credential's `iss`). */
  iss: string
  configurationId: string
  vct: string
  display: CredentialDisplay
  /** The verified claims of the batch's first copy (every copy holds the same). */
  claims: JsonObject
  /** Seconds: from `nbf` (else `iat`) to `exp`, null where the credential gives none. */
  validFrom: number | null
  validUntil: number | null
  /**
   * The status entry of the copy a request would use next (else of the first): an issuer
   * revokes or suspends a credential in all its copies at once.
   */
  status: StatusRef[]
  receivedAt: number
  copies: number
  unused: number
  /** Unused copies whose holder key is on this device (restored copies are not: their keys never leave the device they were made on). */
  usable: number
}

/** One presentation, as the activity log keeps it (sealed like everything else). */
export interface ActivityEntry {
  id: string
  /** The batch whose copy answered. */
  batch: string
  /** Seconds. */
  at: number
  verifier: { did: string; name: Record<string, string> }
  purpose: { id: string; name: Record<string, string> }
  /** The claims that left, by name. */
  claims: string[]
  /** The counter's signed receipt, once scanned: what it says it decided, and the JWS itself. */
  receipt?: { verdict: 'accepted' | 'refused' | 'unknown'; code?: string; claims: string[]; iat: number; jws: string }
}

interface SealedCopy {
  credential: string
  claims: JsonObject
  issuer: string
  configurationId: string
  display: CredentialDisplay
  receivedAt: number
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

function statusRef(claims: JsonObject): StatusRef | null {
  const sl = (claims.status as { status_list?: { uri?: unknown; idx?: unknown } } | undefined)?.status_list
  return typeof sl?.uri === 'string' && Number.isSafeInteger(sl.idx) ? { uri: sl.uri, idx: sl.idx as number } : null
}

const newId = (): string => crypto.randomUUID()

export class Wallet {
  readonly #repo: WalletRepository
  readonly #marker: MarkerStore
  readonly #kdf: Kdf
  readonly #now: () => number
  #state: WalletState
  #key: CryptoKey | null = null

  private constructor(repo: WalletRepository, marker: MarkerStore, kdf: Kdf, now: () => number, state: WalletState) {
    this.#repo = repo
    this.#marker = marker
    this.#kdf = kdf
    this.#now = now
    this.#state = state
  }

  /** Opens the wallet database (no network). ERR_STORE_UNAVAILABLE. */
  static async open(o: { marker: MarkerStore; kdf: Kdf; now: () => number; dbName?: string; onClosed?: (why: 'versionchange' | 'terminated') => void }): Promise<Wallet> {
    let wallet: Wallet | undefined
    // Closed under us (a newer version in another tab): the key goes too, the screen says why.
    const repo = await WalletRepository.open(o.dbName ?? WALLET_DB_NAME, {
      onClosed: (why) => {
        wallet?.lock()
        o.onClosed?.(why)
      },
    })
    const held = await repo.load()
    const remembered = o.marker.getItem(WALLET_MARKER_KEY)
    // No wallet in the database although the marker names one: the browser dropped the data
    // (the database may even exist again, empty, re-made by a tab that was open at the time).
    const state: WalletState = held ? 'locked' : remembered !== null ? 'vanished' : 'new'
    wallet = new Wallet(repo, o.marker, o.kdf, o.now, state)
    return wallet
  }

  get state(): WalletState {
    return this.#state
  }

  close(): void {
    this.lock()
    this.#repo.close()
  }

  lock(): void {
    this.#key = null
    if (this.#state === 'unlocked') this.#state = 'locked'
  }

  /**
   * The stored wallet and its vault record read strictly: ERR_WALLET_VAULT_INVALID when there is
   * none or it is not one.
   */
  async #vault(): Promise<Verdict<{ held: NonNullable<Awaited<ReturnType<WalletRepository['load']>>>; record: VaultRecord }>> {
    const held = await this.#repo.load()
    if (!held) return fail('ERR_WALLET_VAULT_INVALID', 'there is no wallet on this device')
    try {
      return ok({ held, record: parseVaultRecord(held.vault) })
    } catch (e) {
      if (e instanceof InputError) return fail(e.code, e.detail)
      throw e
    }
  }

  /** A sealed record opened and read as the JSON object it was sealed from. */
  async #open(recordId: string, sealed: Sealed | undefined, what: string): Promise<Verdict<JsonObject>> {
    if (!sealed) return fail('ERR_WALLET_RECORD_INVALID', `${recordId} has no body`)
    const opened = await unseal(this.#unlocked(), recordId, sealed)
    return opened.ok ? ok(parseJsonObject(decodeUtf8(opened.value), { maxLength: 1 << 20, maxDepth: 32 }, what)) : opened
  }

  #enter(key: CryptoKey): void {
    this.#key = key
    this.#state = 'unlocked'
  }

  /**
   * Creates the wallet under `passphrase` and leaves it unlocked. Only where there is none.
   * InputError ERR_WALLET_PASSPHRASE_WEAK for one shorter than MIN_PASSPHRASE.
   */
  async create(passphrase: string): Promise<void> {
    if (this.#state === 'locked' || this.#state === 'unlocked') throw new TypeError('a wallet already exists here')
    if (typeof passphrase !== 'string' || passphrase.length < MIN_PASSPHRASE) throw new InputError('ERR_WALLET_PASSPHRASE_WEAK', `a passphrase has at least ${MIN_PASSPHRASE} characters`)
    const { record, key } = await createVault(passphrase, { kdf: this.#kdf })
    const id = newId()
    await this.#repo.create({ id, createdAt: this.#now() }, record)
    this.#marker.setItem(WALLET_MARKER_KEY, id)
    this.#enter(key)
  }

  /** Seconds until the next unlock attempt is taken (0: now). */
  async waitSeconds(): Promise<number> {
    const held = await this.#repo.load()
    return held ? this.#wait(held.unlock) : 0
  }

  #wait(u: StoredUnlock): number {
    const wait = throttle(u.failures)
    return wait === 0 || u.lastFailureAt === null ? 0 : Math.max(0, u.lastFailureAt + wait - this.#now())
  }

  /** ERR_WALLET_PASSPHRASE_WRONG (counted), ERR_WALLET_THROTTLED (not tried), ERR_WALLET_VAULT_INVALID. */
  async unlock(passphrase: string): Promise<Verdict<void>> {
    const vault = await this.#vault()
    if (!vault.ok) return vault
    const { held, record } = vault.value
    const wait = this.#wait(held.unlock)
    if (wait > 0) return fail('ERR_WALLET_THROTTLED', `too many wrong passphrases: try again in ${wait} s`)
    const v = await unlockWithPassphrase(record, passphrase, { kdf: this.#kdf })
    if (!v.ok) {
      await this.#repo.putUnlock({ failures: held.unlock.failures + 1, lastFailureAt: this.#now() })
      return v
    }
    if (held.unlock.failures !== 0) await this.#repo.putUnlock({ failures: 0, lastFailureAt: null })
    this.#enter(v.value)
    return ok(undefined)
  }

  /** The passkeys that unlock this wallet (credential id and PRF salt), for a WebAuthn get. */
  async passkeys(): Promise<{ credentialId: string; prfSalt: string }[]> {
    const vault = await this.#vault()
    return vault.ok ? vault.value.record.passkeys.map((p) => ({ credentialId: p.credentialId, prfSalt: p.prfSalt })) : []
  }

  /**
   * Unlock with a passkey's PRF output. Not throttled: the output is 32 bytes from an
   * authenticator after user verification, nothing a person could guess.
   * ERR_WALLET_PASSKEY_REFUSED, ERR_WALLET_VAULT_INVALID.
   */
  async unlockWithPasskey(credentialId: string, prfOutput: Uint8Array): Promise<Verdict<void>> {
    const vault = await this.#vault()
    if (!vault.ok) return vault
    const v = await unlockWithPasskey(vault.value.record, credentialId, prfOutput)
    if (!v.ok) return v
    this.#enter(v.value)
    return ok(undefined)
  }

  /** Whether `passphrase` opens this wallet (changes nothing; for confirming before a passkey is made). */
  async checkPassphrase(passphrase: string): Promise<Verdict<void>> {
    const vault = await this.#vault()
    if (!vault.ok) return vault
    const v = await unlockWithPassphrase(vault.value.record, passphrase, { kdf: this.#kdf })
    return v.ok ? ok(undefined) : v
  }

  /** Adds a passkey unlock (the passphrase is asked again: it alone unwraps the raw data key). */
  async addPasskey(passphrase: string, passkey: { credentialId: string; prfSalt: Uint8Array; prfOutput: Uint8Array }): Promise<Verdict<void>> {
    this.#unlocked()
    const vault = await this.#vault()
    if (!vault.ok) return vault
    const v = await addPasskey(vault.value.record, passphrase, passkey, { kdf: this.#kdf })
    if (!v.ok) return v
    await this.#repo.putVault(v.value)
    return ok(undefined)
  }

  #unlocked(): CryptoKey {
    if (!this.#key) throw new TypeError('the wallet is locked')
    return this.#key
  }

  /** Stores a received batch: every copy sealed, with its key, in one transaction. Returns the batch id. */
  async storeBatch(r: Received): Promise<string> {
    const key = this.#unlocked()
    const batch = newId()
    const receivedAt = this.#now()
    const keys: StoredKey[] = []
    const copies: StoredCopy[] = []
    // Crypto first, then one transaction.
    for (const c of r.copies) {
      const keyId = newId()
      const id = newId()
      keys.push({ id: keyId, privateKey: c.keyPair.privateKey, publicKey: c.keyPair.publicKey, publicJwk: { ...c.publicJwk } as unknown as Record<string, unknown> })
      const body: SealedCopy = { credential: c.credential, claims: c.verified.claims, issuer: r.issuer, configurationId: r.configurationId, display: r.display, receivedAt }
      copies.push({ id, batch, keyId, used: false, sealed: await seal(key, `copy/${id}`, encodeUtf8(JSON.stringify(body))) })
    }
    await this.#repo.putBatch(keys, copies)
    return batch
  }

  /** The cards: one per batch, with the count of unused copies. ERR_WALLET_RECORD_INVALID when a copy does not open. */
  async cards(): Promise<Verdict<Card[]>> {
    this.#unlocked()
    const keys = new Set(await this.#repo.keyIds())
    // Counts from the plain records; one copy opened per batch (every copy says the same): the
    // next one a request would use, else the first. The others stay sealed until they are used.
    const groups = new Map<string, { shown: CopyState; copies: number; unused: number; usable: number }>()
    for (const c of await this.#repo.copyStates()) {
      const g = groups.get(c.batch) ?? { shown: c, copies: 0, unused: 0, usable: 0 }
      g.copies++
      if (!c.used) {
        g.unused++
        if (keys.has(c.keyId)) g.usable++
        if (g.shown.used) g.shown = c
      }
      groups.set(c.batch, g)
    }
    const bodies = await this.#repo.sealedOf([...groups.values()].map((g) => g.shown.id))
    const opened = await Promise.all([...groups.values()].map(async (g) => ({ g, v: await this.#open(`copy/${g.shown.id}`, bodies.get(g.shown.id), 'a stored copy') })))
    const cards: Card[] = []
    for (const { g, v } of opened) {
      if (!v.ok) return v
      const body = v.value as unknown as SealedCopy
      const ref = statusRef(body.claims)
      cards.push({
        batch: g.shown.batch, issuer: body.issuer, iss: String(body.claims.iss), configurationId: body.configurationId, vct: String(body.claims.vct),
        display: body.display, claims: body.claims,
        validFrom: num(body.claims.nbf) ?? num(body.claims.iat), validUntil: num(body.claims.exp), status: ref ? [ref] : [],
        receivedAt: body.receivedAt, copies: g.copies, unused: g.unused, usable: g.usable,
      })
    }
    return ok(cards.sort((a, b) => b.receivedAt - a.receivedAt || (a.batch < b.batch ? -1 : 1)))
  }

  /**
   * The encrypted backup file (backup.ts): every copy and the activity log, opened here and
   * sealed again under `passphrase` — which must be this wallet's (ERR_WALLET_PASSPHRASE_WRONG).
   * No private key is in it.
   */
  async backup(passphrase: string): Promise<Verdict<string>> {
    this.#unlocked()
    const vault = await this.#vault()
    if (!vault.ok) return vault
    const checked = await unlockWithPassphrase(vault.value.record, passphrase, { kdf: this.#kdf })
    if (!checked.ok) return checked
    const dump = await this.#repo.dump()
    const settings = await this.settings()
    if (!settings.ok) return settings
    const contents: BackupContents = { walletId: vault.value.held.wallet.id, copies: [], activity: [], settings: settingsJson(settings.value) }
    for (const c of dump.copies) {
      const body = await this.#open(`copy/${c.id}`, c.sealed, 'a stored copy')
      if (!body.ok) return body
      contents.copies.push({ id: c.id, batch: c.batch, keyId: c.keyId, used: c.used, body: body.value })
    }
    for (const a of dump.activity) {
      const body = await this.#open(`activity/${a.id}`, a.sealed, 'an activity entry')
      if (!body.ok) return body
      contents.activity.push({ id: a.id, body: body.value })
    }
    return ok(await writeBackup(contents, passphrase, { kdf: this.#kdf, now: this.#now() }))
  }

  /**
   * Restores a backup into this empty (new or vanished) wallet under the backup's passphrase,
   * which becomes the wallet's: every copy and log entry, sealed again under a fresh data key,
   * in one transaction; unlocked afterwards. The copies' keys are not on this device (`usable`
   * 0). ERR_WALLET_BACKUP_INVALID, ERR_WALLET_PASSPHRASE_WRONG.
   */
  async restore(text: string, passphrase: string): Promise<Verdict<{ copies: number; activity: number }>> {
    if (this.#state === 'locked' || this.#state === 'unlocked') throw new TypeError('a wallet already exists here')
    const r = await readBackup(text, passphrase, { kdf: this.#kdf })
    if (!r.ok) return r
    // A backup from before settings were kept holds {}: the defaults.
    const settings = Object.keys(r.value.settings).length === 0 ? ok(DEFAULT_SETTINGS) : parseSettings(r.value.settings)
    if (!settings.ok) return fail('ERR_WALLET_BACKUP_INVALID', settings.detail)
    const { record, key } = await createVault(passphrase, { kdf: this.#kdf })
    const copies: StoredCopy[] = []
    for (const c of r.value.copies) {
      copies.push({ id: c.id, batch: c.batch, keyId: c.keyId, used: c.used, sealed: await seal(key, `copy/${c.id}`, encodeUtf8(JSON.stringify(c.body))) })
    }
    const activity = []
    // Each entry keeps its batch in the clear too, as recordPresentation stores it: it goes when its batch goes.
    for (const a of r.value.activity) {
      const batch = typeof a.body.batch === 'string' ? { batch: a.body.batch } : {}
      activity.push({ id: a.id, ...batch, sealed: await seal(key, `activity/${a.id}`, encodeUtf8(JSON.stringify(a.body))) })
    }
    const id = newId()
    const sealedSettings = await seal(key, 'settings', encodeUtf8(JSON.stringify(settingsJson(settings.value))))
    await this.#repo.restore({ id, createdAt: this.#now() }, record, copies, activity, sealedSettings)
    this.#marker.setItem(WALLET_MARKER_KEY, id)
    this.#enter(key)
    return ok({ copies: copies.length, activity: activity.length })
  }

  /** The citizen's settings (their own rules); the defaults until any are saved. */
  async settings(): Promise<Verdict<WalletSettings>> {
    this.#unlocked()
    const sealed = await this.#repo.settings()
    if (!sealed) return ok(DEFAULT_SETTINGS)
    const body = await this.#open('settings', sealed, 'the settings')
    return body.ok ? parseSettings(body.value) : body
  }

  /** Saves the claims this wallet never shares (sealed). TypeError for what is not a set of claim paths. */
  async setRules(never: readonly string[]): Promise<void> {
    const key = this.#unlocked()
    if (never.length > MAX_RULES || !never.every(isRulePath) || new Set(never).size !== never.length) throw new TypeError('rules are distinct claim paths')
    const settings: WalletSettings = { rules: { never: [...never] } }
    await this.#repo.putSettings(await seal(key, 'settings', encodeUtf8(JSON.stringify(settingsJson(settings)))))
  }

  /**
   * The copy a request would use next from `batch` (unused, its key on this device), with its
   * credential and key id; null when none is left.
   */
  async nextCopy(batch: string): Promise<Verdict<{ copyId: string; keyId: string; credential: string } | null>> {
    this.#unlocked()
    const keys = new Set(await this.#repo.keyIds())
    const c = (await this.#repo.copyStates(batch)).filter((x) => !x.used && keys.has(x.keyId)).sort((a, b) => (a.id < b.id ? -1 : 1))[0]
    if (!c) return ok(null)
    const body = await this.#open(`copy/${c.id}`, (await this.#repo.sealedOf([c.id])).get(c.id), 'a stored copy')
    if (!body.ok) return body
    return ok({ copyId: c.id, keyId: c.keyId, credential: String(body.value.credential) })
  }

  /**
   * A presentation of the batch's next unused copy: the disclosures of `claims` (dotted paths)
   * and a KB-JWT by that copy's own key over the verifier's nonce and audience. Nothing is
   * written: `recordPresentation` marks the copy used once the answer is to leave. Null when no
   * unused copy is left.
   */
  async presentCopy(batch: string, claims: readonly string[], kb: { nonce: string; aud: string; iat: number }): Promise<Verdict<{ copyId: string; presentation: string; status: StatusRef | null } | null>> {
    const next = await this.nextCopy(batch)
    if (!next.ok) return next
    if (next.value === null) return ok(null)
    const key = await this.#repo.key(next.value.keyId)
    if (!key) return ok(null)
    const signer = await signerFromCryptoKeyPair(key)
    const frame: PresentationFrame = {}
    for (const path of claims) {
      const segs = path.split('.')
      let at = frame
      segs.forEach((seg, i) => {
        if (i === segs.length - 1) at[seg] = true
        else at = (typeof at[seg] === 'object' ? at[seg] : (at[seg] = {})) as PresentationFrame
      })
    }
    try {
      const presentation = await presentSdJwt(next.value.credential, frame, { keyBinding: { signer, ...kb } })
      const payload = parseCompactJws(next.value.credential.split('~')[0]!, { maxLength: 1 << 20 }).payload
      return ok({ copyId: next.value.copyId, presentation, status: statusRef(payload) })
    } catch (e) {
      if (e instanceof InputError) return fail('ERR_WALLET_RECORD_INVALID', `the stored copy does not present: ${e.code}: ${e.detail}`)
      throw e
    }
  }

  /**
   * A copy answered a request: marked used, and the presentation logged (sealed), together.
   * The entry's id; null when the copy was already used or is not here (nothing is written).
   */
  async recordPresentation(copyId: string, entry: Omit<ActivityEntry, 'id' | 'batch'>): Promise<string | null> {
    const key = this.#unlocked()
    const id = newId()
    const batch = (await this.#repo.copyState(copyId))?.batch
    if (batch === undefined) return null
    const body: ActivityEntry = { id, batch, at: entry.at, verifier: entry.verifier, purpose: entry.purpose, claims: [...entry.claims] }
    const sealed = await seal(key, `activity/${id}`, encodeUtf8(JSON.stringify(body)))
    return (await this.#repo.useCopyWithActivity(copyId, { id, sealed })) ? id : null
  }

  /** The counter's verified receipt joins its activity entry (sealed again). False when the entry is not here. */
  async attachReceipt(entryId: string, receipt: NonNullable<ActivityEntry['receipt']>): Promise<Verdict<boolean>> {
    const key = this.#unlocked()
    const held = (await this.#repo.activity()).find((a) => a.id === entryId)
    if (!held) return ok(false)
    const body = await this.#open(`activity/${entryId}`, held.sealed, 'an activity entry')
    if (!body.ok) return body
    const next = { ...(body.value as unknown as ActivityEntry), receipt: { ...receipt, claims: [...receipt.claims] } }
    const sealed = await seal(key, `activity/${entryId}`, encodeUtf8(JSON.stringify(next)))
    return ok(await this.#repo.replaceActivity(entryId, sealed))
  }

  /** The activity log, newest first. ERR_WALLET_RECORD_INVALID when an entry does not open. */
  async activity(): Promise<Verdict<ActivityEntry[]>> {
    this.#unlocked()
    const out: ActivityEntry[] = []
    for (const a of await this.#repo.activity()) {
      const body = await this.#open(`activity/${a.id}`, a.sealed, 'an activity entry')
      if (!body.ok) return body
      out.push(body.value as unknown as ActivityEntry)
    }
    return ok(out.sort((x, y) => y.at - x.at))
  }

  /** Removes a credential from this device: every copy of the batch, their keys and their activity, together. */
  async removeBatch(batch: string): Promise<void> {
    this.#unlocked()
    await this.#repo.deleteBatch(batch)
  }
}
