/**
 * The issuance service (Node): everything an issuer office does, over its data directory.
 *
 * - offers (OpenID4VCI 1.0 §Credential Offer, pre-authorized code flow): made by an officer
 *   with the citizen's claims; single-use, expiring, optionally protected by a transaction code
 *   (at most 5 wrong tries, then void); the claims are deleted the moment the credentials are
 *   issued, or when the offer expires or is voided;
 * - issuance in batches (§Credential Endpoint): one request yields N one-time copies, each an
 *   SD-JWT VC bound to its own holder key (`cnf.jwk`), with its own salts and its own random
 *   status index (lists.ts); the indices are durable BEFORE the credentials leave;
 * - revocation: revoke / suspend / reinstate act on every copy of a credential at once;
 * - publishing (draft-ietf-oauth-status-list §5): a new statuslist+jwt per changed list, its
 *   SHA-256 anchored on the ledger's status log (status anchor, version strictly increasing per
 *   list), the inclusion checked offline against the status log's policy before it is reported;
 * - key rotation: on the ledger's registry log, a key-change entry adds the new key (signed by
 *   the old one), every list is re-signed and re-anchored with the new key on the status log,
 *   then a second registry entry revokes the old key (signed by the new one). NOTE the registry's rule (core/registry/resolvers.ts): credentials signed
 *   with a revoked key are refused whenever they were issued, so a rotation that revokes the old
 *   key retires every credential it signed; `keepOld` adds the new key and leaves the old one
 *   registered (routine rotation), to be revoked later.
 *
 * Secrets at rest (secrets.ts): an offer's public handle (its `credential_offer_uri`) and its
 * pre-authorized code are derived from the offer id under the MAC key of the key store,
 * transaction codes and access tokens are stored as MACs under it; nothing in state.json lets
 * its reader fetch an offer, redeem one or check a guess at a code.
 *
 * Every change is made on a copy of the state and written durably (store.ts) before it takes
 * effect, one at a time: a refused request changes nothing (except what refusing must record,
 * a wrong transaction code's count). Ledger I/O happens outside that queue, one publication or
 * rotation at a time.
 */
import { randomBytes, randomInt } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { encodeBase64url } from '../core/bytes/base64url.ts'
import type { JsonObject } from '../core/bytes/json.ts'
import { CivicError } from '../core/errors.ts'
import { systemRandom, type RandomSource } from '../core/crypto/hash.ts'
import { generatePrivateJwk, publicJwkOf, type PrivateJwk, type PublicJwk } from '../core/crypto/jwk.ts'
import { signerFromPrivateJwk, type Signer } from '../core/crypto/keys.ts'
import { issueSdJwtVc } from '../core/sdjwt/vc.ts'
import { createKeyChangeEntry, createStatusAnchorEntry, statusListDigest } from '../core/registry/create.ts'
import { StatusList } from '../core/status/list.ts'
import { createStatusListToken } from '../core/status/token.ts'
import { CONFIG_DEFAULTS, ISSUER_CONFIG_FILE, ISSUER_CONFIG_VERSION, normalizeUrl, parseIssuerConfig, parseLedgerTrust, parseStatusListBase, type IssuerConfig, type LedgerTrust } from './config.ts'
import { LedgerClient, type Fetch, type WitnessView } from './ledger-client.ts'
import { allocateSlots, publishDue, setStatus, summarizeList, STATUS_INVALID, STATUS_SUSPENDED, STATUS_VALID, type ListRecord } from './lists.ts'
import { builtinSchema, prepareClaims, validateClaims, type CredentialSchema, type Localized } from './schema.ts'
import {
  cloneState, emptyState, endOffer, MAX_LEDGER_RECORDS, RECORD_ID, TOMBSTONE_SECONDS,
  type CredentialRecord, type IssuerState, type LedgerRecord, type OfferRecord,
} from './state.ts'
import { OFFER_HANDLE, SecretMac } from './secrets.ts'
import { isOfficerReference } from './admin-wire.ts'
import type { CredentialView, AnchorView, PublishReport, StatusAction } from './admin-wire.ts'
export type { CredentialView, AnchorView, PublishReport, StatusAction } from './admin-wire.ts'
import {
  acquireLock, createMacKey, deleteKey, ensureDataDir, MAC_KEY_FILE, readIssuerConfig, readIssuerState, readKey, readMacKey, releaseLock,
  writeIssuerConfig, writeIssuerState, writeKey,
} from './store.ts'

/** Wrong transaction codes an offer survives; the next one voids it. */
export const MAX_TX_CODE_FAILURES = 5
export const TX_CODE_LENGTH = 6

export interface ServiceOptions {
  /** Seconds since the epoch (tests move time). */
  now?: () => number
  /** Randomness for salts and status indices. */
  random?: RandomSource
  /** For the ledger. */
  fetch?: Fetch
  log?: (line: string) => void
}

export interface InitOptions {
  did: string
  name: Localized
  statusListBase: string
  ledger: LedgerTrust
  /** vcts from the built-in catalogue (default: the resident ID). */
  vct?: string[]
  /** Custom schemas, used instead of the catalogue for their vcts. */
  schemas?: CredentialSchema[]
  publicUrl?: string | null
  appOrigin?: string | null
  /** Use this key as key-1 instead of making one. */
  privateJwk?: PrivateJwk
  tunables?: Partial<Pick<IssuerConfig, 'batchSize' | 'listSize' | 'listBits' | 'offerTtlSeconds' | 'accessTokenTtlSeconds' | 'nonceTtlSeconds' | 'statusTtlSeconds' | 'txCodeByDefault'>>
  now?: number
}

/** What the governance root needs to accredit this issuer. */
export interface InitResult {
  did: string
  kid: string
  jwk: PublicJwk
  vct: string[]
  statusListBase: string
  name: Localized
}

export const FIRST_KID = 'key-1'

/**
 * Create an issuer's data directory: key-1 and the MAC key (mode 0600), issuer.json,
 * state.json — in that order. An init that stopped before issuer.json was written left only
 * key files nobody has seen: init again uses them (key-1 must then equal `privateJwk` if one
 * is given).
 */
export async function initIssuer(dataDir: string, o: InitOptions): Promise<InitResult> {
  await ensureDataDir(dataDir)
  const lock = await acquireLock(dataDir)
  try {
    if (existsSync(join(dataDir, ISSUER_CONFIG_FILE))) throw new CivicError('ERR_ISSUER_CONFIG', `${dataDir} already holds an issuer`)
    const vcts = o.vct ?? (o.schemas ? [] : ['urn:civic:resident-id'])
    const schemas = [...(o.schemas ?? [])]
    for (const v of vcts) {
      if (schemas.some((s) => s.vct === v)) continue
      const s = builtinSchema(v)
      if (!s) throw new CivicError('ERR_ISSUER_CONFIG', `no built-in schema for ${v}; give one with --schema`)
      schemas.push(s)
    }
    const config = parseIssuerConfig({
      version: ISSUER_CONFIG_VERSION, did: o.did, name: o.name as unknown as JsonObject, statusListBase: parseStatusListBase(o.statusListBase),
      publicUrl: o.publicUrl ? normalizeUrl(o.publicUrl, 'publicUrl') : null, appOrigin: o.appOrigin ?? null,
      ledger: parseLedgerTrust(o.ledger) as unknown as JsonObject, credentials: schemas as unknown as JsonObject[],
      ...CONFIG_DEFAULTS, ...o.tunables,
    })
    const left = await readKey(dataDir, FIRST_KID).catch((e: unknown) => (e instanceof CivicError && /is missing/.test(e.detail) ? null : Promise.reject(e)))
    if (left && o.privateJwk && (left.d !== o.privateJwk.d || left.kty !== o.privateJwk.kty)) throw new CivicError('ERR_ISSUER_CONFIG', `${dataDir} holds another ${FIRST_KID} from an earlier init`)
    const jwk = left ?? o.privateJwk ?? generatePrivateJwk('ES256')
    if (jwk.kty !== 'EC') throw new CivicError('ERR_ISSUER_CONFIG', 'the issuer signs with ES256: a P-256 key')
    signerFromPrivateJwk(jwk)
    // keys first, then the configuration, then the state that names the key.
    if (!left) await writeKey(dataDir, FIRST_KID, jwk)
    if (!(await readMacKey(dataDir))) await createMacKey(dataDir)
    await writeIssuerConfig(dataDir, config)
    await writeIssuerState(dataDir, emptyState(FIRST_KID, o.now ?? Math.floor(Date.now() / 1000)))
    return { did: config.did, kid: FIRST_KID, jwk: publicJwkOf(jwk), vct: config.credentials.map((c) => c.vct), statusListBase: config.statusListBase, name: config.name }
  } finally {
    await releaseLock(lock)
  }
}

// ── views handed to the admin API and the CLI ────────────────────────────────────────────


export interface CreatedOffer {
  credentialId: string
  offerId: string
  /** The last segment of the offer's `credential_offer_uri` (never the offer id, which is in state.json). */
  offerHandle: string
  configurationId: string
  preAuthorizedCode: string
  txCode: string | null
  expiresAt: number
}



export interface RotationReport {
  oldKid: string
  newKid: string
  added: LedgerRecord
  revoked: LedgerRecord | null
  republished: PublishReport
}


/** 128 random bits as base64url, never starting with `-` or `_` (officers pass ids as `--id <id>`). */
const newId = (): string => {
  for (;;) {
    const id = encodeBase64url(randomBytes(16))
    if (/^[A-Za-z0-9]/.test(id)) return id
  }
}

function view(c: CredentialRecord, offerExpiresAt: number | null): CredentialView {
  return { id: c.id, vct: c.vct, configurationId: c.configurationId, officer: c.officer, status: c.status, createdAt: c.createdAt, issuedAt: c.issuedAt, statusChangedAt: c.statusChangedAt, copies: c.copies.map((x) => ({ ...x })), offerExpiresAt }
}

/** The expiry of each credential's offer still waiting to be collected, by credential id. */
function pendingOfferExpiry(offers: Readonly<Record<string, OfferRecord>>): Map<string, number> {
  const out = new Map<string, number>()
  for (const o of Object.values(offers)) if (o.state === 'offered') out.set(o.credentialId, o.expiresAt)
  return out
}

type Outcome<T> = { value: T } | { error: CivicError }

export class IssuerService {
  readonly dataDir: string
  readonly config: IssuerConfig
  readonly ledger: LedgerClient
  readonly #now: () => number
  readonly #random: RandomSource
  readonly #log: (line: string) => void
  readonly #lockPath: string
  #state: IssuerState
  /** Signers by kid: the current one signs; a new one is added before the state switches to it. */
  readonly #signers = new Map<string, Signer>()
  #queue: Promise<unknown> = Promise.resolve()
  #ledgerQueue: Promise<unknown> = Promise.resolve()
  readonly #mac: SecretMac
  /** Pre-authorized code → offer id, for every offer (tombstones too: a replay is told apart). */
  #codeIndex = new Map<string, string>()
  /** Offer handle → offer id, for every offer (tombstones too: a used offer's URI says so). */
  #handleIndex = new Map<string, string>()
  /** Offer id → its derived code and handle, so a change does not recompute every offer's MACs. */
  #derivedOf = new Map<string, { code: string; handle: string }>()
  /** Access token MAC → offer id. */
  #tokenIndex = new Map<string, string>()
  #closed = false

  private constructor(dataDir: string, config: IssuerConfig, state: IssuerState, signer: Signer, mac: SecretMac, lockPath: string, o: ServiceOptions) {
    this.dataDir = dataDir
    this.config = config
    this.#state = state
    this.#mac = mac
    this.#signers.set(state.currentKid, signer)
    this.#lockPath = lockPath
    this.#now = o.now ?? (() => Math.floor(Date.now() / 1000))
    this.#random = o.random ?? systemRandom
    this.#log = o.log ?? (() => {})
    this.ledger = new LedgerClient(config.ledger, { fetch: o.fetch })
    this.#reindex()
  }

  /**
   * Open a data directory made by initIssuer, taking its lock (ERR_ISSUER_LOCKED if held).
   *
   * A version 1 state is migrated and written back first (state.ts): its pending offers are
   * voided, each with a log line. A key store without the MAC key (made before there was one,
   * or lost) gets a new key, and the offers still pending are voided the same way: their
   * secrets were made under a key that is gone, and are never kept without one.
   */
  static async open(dataDir: string, o: ServiceOptions = {}): Promise<IssuerService> {
    const lock = await acquireLock(dataDir)
    const log = o.log ?? (() => {})
    try {
      const config = await readIssuerConfig(dataDir)
      const now = (o.now ?? (() => Math.floor(Date.now() / 1000)))()
      const stored = await readIssuerState(dataDir, now)
      if (!stored) throw new CivicError('ERR_ISSUER_CONFIG', `${dataDir} has no state.json`)
      let { state } = stored
      const signer = signerFromPrivateJwk(await readKey(dataDir, state.currentKid))
      let macKey = await readMacKey(dataDir)
      const voided: string[] = [...(stored.migration?.voided ?? [])]
      if (!macKey) {
        state = cloneState(state)
        for (const x of Object.values(state.offers)) {
          if (x.state === 'offered' || x.state === 'redeemed') {
            endOffer(state, x, 'void', now)
            if (!voided.includes(x.id)) voided.push(x.id)
          }
        }
      }
      // 1. the state without the secrets it can no longer check (and without their claims);
      if (stored.migration || voided.length > 0) {
        await writeIssuerState(dataDir, state)
        if (stored.migration) log(`state.json migrated from version ${stored.migration.from} to ${state.version}: secrets are now kept as keyed MACs`)
        for (const id of voided) log(`voided pending offer ${id}: its codes were not kept under the current secrets key; make a new offer`)
      }
      // 2. then a new key, durable before any MAC is made under it. A crash between the two
      //    leaves a state with nothing pending and no key: the next open makes the key.
      if (!macKey) {
        macKey = await createMacKey(dataDir)
        log(`made a new secrets key ${MAC_KEY_FILE} in the key store`)
      }
      return new IssuerService(dataDir, config, state, signer, new SecretMac(macKey), lock, o)
    } catch (e) {
      await releaseLock(lock)
      throw e
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.allSettled([this.#queue, this.#ledgerQueue])
    await releaseLock(this.#lockPath)
  }

  now(): number {
    return this.#now()
  }

  get did(): string {
    return this.config.did
  }

  get currentKid(): string {
    return this.#state.currentKid
  }

  get publicJwk(): PublicJwk {
    return this.#signerOf(this.#state.currentKid).publicJwk
  }

  schema(configurationId: string): CredentialSchema | undefined {
    return this.config.credentials.find((c) => c.id === configurationId)
  }

  #signerOf(kid: string): Signer {
    const s = this.#signers.get(kid)
    if (!s) throw new CivicError('ERR_ISSUER_CONFIG', `no private key loaded for ${kid}`)
    return s
  }

  // ── the change queue ───────────────────────────────────────────────────────────────────

  #reindex(): void {
    this.#codeIndex.clear()
    this.#handleIndex.clear()
    this.#tokenIndex.clear()
    const offers = this.#state.offers
    for (const id of this.#derivedOf.keys()) if (!Object.hasOwn(offers, id)) this.#derivedOf.delete(id)
    for (const o of Object.values(offers)) {
      let derived = this.#derivedOf.get(o.id)
      if (derived === undefined) {
        derived = { code: this.#mac.preAuthorizedCode(o.id), handle: this.#mac.offerHandle(o.id) }
        this.#derivedOf.set(o.id, derived)
      }
      this.#codeIndex.set(derived.code, o.id)
      this.#handleIndex.set(derived.handle, o.id)
      if (o.token) this.#tokenIndex.set(o.token.mac, o.id)
    }
  }

  /**
   * Run `fn` on a copy of the state (after sweeping expired offers), write the copy durably,
   * then make it current. A throw from `fn` or the write leaves everything as it was. An
   * `{ error }` outcome is written (it records something) and then thrown.
   */
  #mutate<T>(fn: (draft: IssuerState, now: number) => Outcome<T> | Promise<Outcome<T>>): Promise<T> {
    const run = this.#queue.then(async () => {
      if (this.#closed) throw new CivicError('ERR_ISSUER_STORAGE', 'the issuer service is closed')
      const draft = cloneState(this.#state)
      const now = this.#now()
      sweep(draft, now)
      const outcome = await fn(draft, now)
      await writeIssuerState(this.dataDir, draft)
      this.#state = draft
      this.#reindex()
      if ('error' in outcome) throw outcome.error
      return outcome.value
    })
    this.#queue = run.catch(() => {})
    return run
  }

  /** Forget expired offers' claims now, if any are due (the server calls this on a timer). */
  async sweep(): Promise<void> {
    const probe = cloneState(this.#state)
    if (sweep(probe, this.#now())) await this.#mutate(() => ({ value: undefined }))
  }

  #ledgerTask<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#ledgerQueue.then(fn)
    this.#ledgerQueue = run.catch(() => {})
    return run
  }

  // ── offers ─────────────────────────────────────────────────────────────────────────────

  /**
   * Make an offer for one credential (admin API, CLI). The claims are checked against the
   * schema now (ERR_ISSUER_CLAIMS_INVALID); predicates are computed at issuance.
   */
  async createOffer(o: { configurationId?: unknown; vct?: unknown; claims: unknown; officer?: unknown; txCode?: unknown }): Promise<CreatedOffer> {
    const schema = typeof o.configurationId === 'string' ? this.schema(o.configurationId) : typeof o.vct === 'string' ? this.config.credentials.find((c) => c.vct === o.vct) : undefined
    if (!schema) throw new CivicError('ERR_ISSUER_UNKNOWN_VCT', `this issuer issues ${this.config.credentials.map((c) => c.vct).join(', ')}`)
    if (o.officer !== undefined && o.officer !== null && !isOfficerReference(o.officer)) {
      throw new CivicError('ERR_ISSUER_BAD_REQUEST', 'officer must be a reference of 1..64 letters, digits, spaces or punctuation')
    }
    if (o.txCode !== undefined && typeof o.txCode !== 'boolean') throw new CivicError('ERR_ISSUER_BAD_REQUEST', 'txCode must be a boolean')
    const claims = validateClaims(schema, o.claims, this.#now())
    const withTx = (o.txCode as boolean | undefined) ?? this.config.txCodeByDefault
    const offerId = newId()
    const credentialId = newId()
    const code = this.#mac.preAuthorizedCode(offerId)
    const offerHandle = this.#mac.offerHandle(offerId)
    const txCode = withTx ? String(randomInt(0, 10 ** TX_CODE_LENGTH)).padStart(TX_CODE_LENGTH, '0') : null
    return this.#mutate((draft, now) => {
      const expiresAt = now + this.config.offerTtlSeconds
      draft.offers[offerId] = {
        id: offerId, credentialId, configurationId: schema.id,
        txCodeMac: txCode === null ? null : this.#mac.txCodeMac(offerId, txCode), txCodeLength: txCode === null ? 0 : TX_CODE_LENGTH, txCodeFailures: 0,
        claims, createdAt: now, expiresAt, state: 'offered', token: null,
      }
      draft.credentials[credentialId] = {
        id: credentialId, vct: schema.vct, configurationId: schema.id, officer: (o.officer as string | undefined) ?? null,
        createdAt: now, issuedAt: null, status: 'offered', statusChangedAt: now, copies: [],
      }
      return { value: { credentialId, offerId, offerHandle, configurationId: schema.id, preAuthorizedCode: code, txCode, expiresAt } }
    })
  }

  /**
   * The offer an offer handle names (its id never does: the id is in state.json), checked in
   * constant time against the handle derived for it; null when none.
   */
  #offerByHandle(handle: string): OfferRecord | null {
    if (!OFFER_HANDLE.test(handle)) return null
    const id = this.#handleIndex.get(handle)
    if (id === undefined || !Object.hasOwn(this.#state.offers, id) || !this.#mac.offerHandleMatches(id, handle)) return null
    return this.#state.offers[id]!
  }

  /** A pending offer (for GET /offers/<handle>): its code, config and tx code shape; null when not pending. */
  pendingOffer(handle: string): { code: string; configurationId: string; txCodeLength: number; expiresAt: number } | null {
    const o = this.#offerByHandle(handle)
    if (!o || o.state !== 'offered' || this.#now() >= o.expiresAt) return null
    return { code: this.#mac.preAuthorizedCode(o.id), configurationId: o.configurationId, txCodeLength: o.txCodeLength, expiresAt: o.expiresAt }
  }

  /** Why the offer a handle names is not servable (for a coded 404). */
  offerProblem(handle: string): CivicError {
    return offerError(this.#offerByHandle(handle), this.#now()) ?? new CivicError('ERR_VCI_OFFER_UNKNOWN', 'no such offer')
  }

  // ── the token endpoint's side (OpenID4VCI 1.0 §Token Endpoint, pre-authorized code) ────

  /**
   * Redeem a pre-authorized code for an access token (single use). `txCode` undefined: none
   * sent. `jkt`: the DPoP key thumbprint the token is bound to, or null for a Bearer token.
   */
  async redeem(o: { code: string; txCode: string | undefined; jkt: string | null }): Promise<{ accessToken: string; expiresIn: number }> {
    const offerId = this.#codeIndex.get(o.code)
    if (!offerId) throw new CivicError('ERR_VCI_OFFER_UNKNOWN', 'no offer has this pre-authorized code')
    const accessToken = encodeBase64url(randomBytes(32))
    return this.#mutate<{ accessToken: string; expiresIn: number }>((draft, now) => {
      const offer = Object.hasOwn(draft.offers, offerId) ? draft.offers[offerId]! : null
      const problem = offerError(offer, now)
      if (problem || !offer) return { error: problem ?? new CivicError('ERR_VCI_OFFER_UNKNOWN', 'no such offer') }
      if (offer.txCodeMac !== null) {
        if (o.txCode === undefined) return { error: new CivicError('ERR_VCI_TX_CODE_REQUIRED', 'this offer needs its transaction code') }
        if (!this.#mac.txCodeMatches(offer.id, o.txCode, offer.txCodeMac)) {
          offer.txCodeFailures++
          if (offer.txCodeFailures >= MAX_TX_CODE_FAILURES) voidOffer(draft, offer, now)
          const left = MAX_TX_CODE_FAILURES - offer.txCodeFailures
          return { error: new CivicError('ERR_VCI_TX_CODE_INVALID', left > 0 ? `wrong transaction code (${left} tries left)` : 'wrong transaction code; the offer is now void') }
        }
      } else if (o.txCode !== undefined) {
        return { error: new CivicError('ERR_VCI_TX_CODE_UNEXPECTED', 'this offer has no transaction code') }
      }
      offer.state = 'redeemed'
      offer.txCodeMac = null
      offer.token = { mac: this.#mac.accessTokenMac(accessToken), expiresAt: now + this.config.accessTokenTtlSeconds, jkt: o.jkt }
      return { value: { accessToken, expiresIn: this.config.accessTokenTtlSeconds } }
    })
  }

  /** Check an access token (read only): which offer it redeems, and the DPoP key it is bound to. */
  checkAccessToken(accessToken: string): { offerId: string; configurationId: string; jkt: string | null } {
    const offerId = this.#tokenIndex.get(this.#mac.accessTokenMac(accessToken))
    const offer = offerId ? this.#state.offers[offerId] : undefined
    if (!offer || !offer.token || offer.state !== 'redeemed' || this.#now() >= offer.token.expiresAt) {
      throw new CivicError('ERR_VCI_TOKEN_INVALID', 'the access token is unknown, used or expired')
    }
    return { offerId: offer.id, configurationId: offer.configurationId, jkt: offer.token.jkt }
  }

  // ── the credential endpoint's side (§Credential Endpoint, batch issuance) ──────────────

  /**
   * Issue one copy per holder key (keys already proven and distinct) for the offer the access
   * token redeems. Indices, the credential record and the end of the offer (its claims
   * deleted) are written durably before the credentials are returned.
   */
  async issue(o: { accessToken: string; configurationId: string; holderKeys: PublicJwk[] }): Promise<string[]> {
    if (o.holderKeys.length < 1 || o.holderKeys.length > this.config.batchSize) throw new TypeError('issue: 1..batchSize holder keys')
    const tokenMac = this.#mac.accessTokenMac(o.accessToken)
    return this.#mutate<string[]>(async (draft, now) => {
      const kid = draft.currentKid
      const signer = this.#signerOf(kid)
      const offerId = this.#tokenIndex.get(tokenMac)
      const offer = offerId && Object.hasOwn(draft.offers, offerId) ? draft.offers[offerId]! : null
      if (!offer || !offer.token || offer.token.mac !== tokenMac || offer.state !== 'redeemed' || offer.claims === null) {
        return { error: new CivicError('ERR_VCI_TOKEN_INVALID', 'the access token is unknown, used or expired') }
      }
      if (o.configurationId !== offer.configurationId) return { error: new CivicError('ERR_VCI_UNKNOWN_CONFIGURATION', `the access token covers ${offer.configurationId} only`) }
      const schema = this.schema(offer.configurationId)
      if (!schema) return { error: new CivicError('ERR_VCI_UNKNOWN_CONFIGURATION', `${offer.configurationId} is no longer issued`) }
      const prepared = prepareClaims(schema, offer.claims, now)
      const slots = allocateSlots(draft.lists, o.holderKeys.length, { base: this.config.statusListBase, size: this.config.listSize, bits: this.config.listBits, random: this.#random })
      const credentials: string[] = []
      for (let i = 0; i < slots.length; i++) {
        const { sdJwt } = await issueSdJwtVc({
          iss: this.config.did, vct: schema.vct, iat: prepared.iat, nbf: prepared.nbf, exp: prepared.exp,
          holderJwk: o.holderKeys[i]!, status: { status_list: { idx: slots[i]!.idx, uri: slots[i]!.uri } },
          claims: prepared.claims, frame: prepared.frame, signer, kid: `${this.config.did}#${kid}`, random: this.#random,
        })
        credentials.push(sdJwt)
      }
      const c = draft.credentials[offer.credentialId]!
      c.status = 'valid'
      c.issuedAt = now
      c.statusChangedAt = now
      c.copies = slots
      offer.state = 'issued'
      offer.claims = null
      offer.token = null
      return { value: credentials }
    })
  }

  // ── revocation ─────────────────────────────────────────────────────────────────────────

  /** Revoke, suspend or reinstate every copy of a credential. Idempotent: `changed` says whether anything changed. */
  async setStatus(id: unknown, action: StatusAction): Promise<{ credential: CredentialView; changed: boolean }> {
    if (typeof id !== 'string' || !RECORD_ID.test(id) || !Object.hasOwn(this.#state.credentials, id)) {
      throw new CivicError('ERR_ISSUER_UNKNOWN_CREDENTIAL', `no credential ${String(id).slice(0, 40)}`)
    }
    return this.#mutate<{ credential: CredentialView; changed: boolean }>((draft, now) => {
      const c = draft.credentials[id]!
      const stateError = (why: string) => ({ error: new CivicError('ERR_ISSUER_CREDENTIAL_STATE', `cannot ${action} a credential that is ${c.status}: ${why}`) })
      let changed = false
      const to = (status: CredentialRecord['status'], value: number | null) => {
        if (value !== null) setStatus(draft.lists, c.copies, value)
        c.status = status
        c.statusChangedAt = now
        changed = true
      }
      if (action === 'revoke') {
        if (c.status === 'lapsed') return stateError('it was never issued')
        if (c.status === 'offered') {
          const offer = Object.values(draft.offers).find((x) => x.credentialId === id)
          if (offer) voidOffer(draft, offer, now)
          to('revoked', null)
        } else if (c.status !== 'revoked') to('revoked', STATUS_INVALID)
      } else if (action === 'suspend') {
        if (c.status === 'valid') to('suspended', STATUS_SUSPENDED)
        else if (c.status !== 'suspended') return stateError('only an issued, valid credential can be suspended')
      } else {
        if (c.status === 'suspended') to('valid', STATUS_VALID)
        else if (c.status !== 'valid') return stateError('only a suspended credential can be reinstated')
      }
      return { value: { credential: view(c, c.status === 'offered' ? (pendingOfferExpiry(draft.offers).get(c.id) ?? null) : null), changed } }
    })
  }

  listCredentials(): CredentialView[] {
    const expiry = pendingOfferExpiry(this.#state.offers)
    return Object.values(this.#state.credentials)
      .sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id))
      .map((c) => view(c, c.status === 'offered' ? (expiry.get(c.id) ?? null) : null))
  }

  credential(id: unknown): CredentialView {
    if (typeof id !== 'string' || !RECORD_ID.test(id) || !Object.hasOwn(this.#state.credentials, id)) throw new CivicError('ERR_ISSUER_UNKNOWN_CREDENTIAL', `no credential ${String(id).slice(0, 40)}`)
    const c = this.#state.credentials[id]!
    return view(c, c.status === 'offered' ? (pendingOfferExpiry(this.#state.offers).get(id) ?? null) : null)
  }

  lists() {
    return this.#state.lists.map(summarizeList)
  }

  /** The latest anchored token of the list at `uri`, or null. */
  statusToken(uri: string): string | null {
    return this.#state.lists.find((l) => l.uri === uri)?.published?.token ?? null
  }

  /** Every entry this issuer put on the ledger, newest first. */
  ledgerRecords(): LedgerRecord[] {
    return [...this.#state.ledger].reverse().map((r) => ({ ...r }))
  }

  /** The latest anchor of every list. */
  anchors(): AnchorView[] {
    return this.#state.lists.filter((l) => l.published).map((l) => anchorView(l))
  }

  keys() {
    return this.#state.keys.map((k) => ({ ...k, current: k.kid === this.#state.currentKid }))
  }

  async witnesses(): Promise<WitnessView> {
    const v = await this.ledger.witnesses(this.#now())
    if (!v.ok) throw new CivicError('ERR_ISSUER_LEDGER', `${v.code}: ${v.detail}`)
    return v.value
  }

  // ── publishing (draft-ietf-oauth-status-list §5 token; status anchor on the ledger) ────

  /**
   * Publish every list that changed, was never published, is past half its ttl or was signed
   * by another key (all of them with `force`). One list's failure does not stop the others.
   */
  publish(o: { force?: boolean } = {}): Promise<PublishReport> {
    return this.#ledgerTask(() => this.#publishAll(o.force === true))
  }

  async #publishAll(force: boolean): Promise<PublishReport> {
    const now = this.#now()
    const due = this.#state.lists.filter((l) => publishDue(l, { now, ttl: this.config.statusTtlSeconds, kid: this.#state.currentKid, force })).map((l) => l.uri)
    const report: PublishReport = { published: [], failed: [] }
    for (const uri of due) {
      try {
        report.published.push(await this.#publishList(uri))
      } catch (e) {
        if (!(e instanceof CivicError)) throw e
        this.#log(`publish ${uri}: ${e.code}: ${e.detail}`)
        report.failed.push({ uri, code: e.code, detail: e.detail })
      }
    }
    return report
  }

  async #publishList(uri: string): Promise<AnchorView> {
    const ttl = this.config.statusTtlSeconds
    // 1. Take the next version durably, and make the token and its anchor from the list as it is.
    const made = await this.#mutate(async (draft, now) => {
      const kid = draft.currentKid
      const signer = this.#signerOf(kid)
      const l = draft.lists.find((x) => x.uri === uri)!
      const version = l.nextVersion
      l.nextVersion = version + 1
      const token = await createStatusListToken({ list: StatusList.fromBytes(l.statuses, l.bits), uri, iat: now, exp: now + ttl, ttl, signer, kid: `${this.config.did}#${kid}`, iss: this.config.did })
      const entry = await createStatusAnchorEntry({ issuer: { did: this.config.did, kid, signer }, uri, version, statusListToken: token, iat: now, ttl })
      return { value: { version, token, entry, seq: l.changeSeq, iat: now, kid } }
    })
    // 2. The status log answers once the anchor is in a published, witnessed checkpoint.
    const index = await this.ledger.addEntry('status', made.entry)
    // 3. Check its inclusion offline against the status log's policy before reporting it.
    const inclusion = await this.ledger.inclusion('status', index, made.entry, this.#now())
    // 4. Record it; from here on the new token is served at its URI.
    const kid = made.kid
    return this.#mutate((draft) => {
      const l = draft.lists.find((x) => x.uri === uri)!
      if (!l.published || l.published.version < made.version) {
        l.published = {
          version: made.version, token: made.token, digest: statusListDigest(made.token), iat: made.iat, exp: made.iat + ttl, ttl, kid, seq: made.seq, index,
          inclusionVerified: inclusion.ok, inclusionError: inclusion.ok ? null : `${inclusion.code}: ${inclusion.detail}`,
          checkpointSize: inclusion.ok ? inclusion.value.checkpointSize : null,
        }
      }
      pushLedger(draft, {
        type: 'status-anchor', subject: uri, version: made.version, digest: statusListDigest(made.token), signedBy: kid, iat: made.iat, ttl, index,
        inclusionVerified: inclusion.ok, inclusionError: inclusion.ok ? null : `${inclusion.code}: ${inclusion.detail}`, checkpointSize: inclusion.ok ? inclusion.value.checkpointSize : null,
      })
      return { value: anchorView(l) }
    })
  }

  // ── key rotation ───────────────────────────────────────────────────────────────────────

  rotateKey(o: { keepOld?: boolean } = {}): Promise<RotationReport> {
    return this.#ledgerTask(() => this.#rotate(o.keepOld === true))
  }

  async #rotate(keepOld: boolean): Promise<RotationReport> {
    const oldKid = this.#state.currentKid
    const oldSigner = this.#signerOf(oldKid)
    const pending = this.#state.keys.find((k) => k.state === 'pending')
    let newKid: string
    let newJwk: PrivateJwk
    if (pending) {
      newKid = pending.kid
      newJwk = await readKey(this.dataDir, newKid)
    } else {
      newKid = nextKid(this.#state.keys.map((k) => k.kid))
      newJwk = generatePrivateJwk('ES256')
      // the key file is durable before the state names it
      await writeKey(this.dataDir, newKid, newJwk)
      await this.#mutate((draft, now) => {
        draft.keys.push({ kid: newKid, createdAt: now, state: 'pending', addedIndex: null, revokedIndex: null })
        return { value: undefined }
      })
    }
    const newSigner = signerFromPrivateJwk(newJwk)
    this.#signers.set(newKid, newSigner)
    // 1. Add the new key, signed by the current one.
    const iat = this.#now()
    const addEntry = await createKeyChangeEntry({ signer: { did: this.config.did, kid: oldKid, signer: oldSigner }, subject: this.config.did, action: 'add', kid: newKid, jwk: newSigner.publicJwk, iat })
    const added = await this.#anchorKeyChange('key-add', newKid, oldKid, addEntry, iat)
    // 2. Sign with the new key from now on.
    await this.#mutate((draft) => {
      for (const k of draft.keys) {
        if (k.kid === newKid) {
          k.state = 'active'
          k.addedIndex = added.index
        } else if (k.kid === oldKid) k.state = 'retired'
      }
      draft.currentKid = newKid
      return { value: undefined }
    })
    // 3. Every list re-signed and re-anchored with the new key.
    const republished = await this.#publishAll(true)
    // 4. Revoke the old key, signed by the new one — only once no list is left signed by it.
    let revoked: LedgerRecord | null = null
    if (!keepOld) {
      if (republished.failed.length === 0) revoked = await this.#revokeKey(oldKid)
      else this.#log(`kept ${oldKid}: ${republished.failed.length} list(s) not re-anchored with ${newKid}; publish, then revoke it`)
    }
    this.#log(`rotated ${oldKid} → ${newKid}${keepOld ? ' (old key kept)' : ''}`)
    return { oldKid, newKid, added, revoked, republished }
  }

  /**
   * Revoke a retired key (kept by `keepOld`, or left by a rotation whose republishing failed):
   * refused while a served list token is still signed by it.
   */
  revokeKey(kid: unknown): Promise<LedgerRecord> {
    return this.#ledgerTask(() => this.#revokeKey(kid))
  }

  async #revokeKey(kid: unknown): Promise<LedgerRecord> {
    const k = this.#state.keys.find((x) => x.kid === kid)
    if (!k || k.state !== 'retired') throw new CivicError('ERR_ISSUER_BAD_REQUEST', `${String(kid).slice(0, 64)} is not a retired key of this issuer`)
    const signing = this.#state.lists.filter((l) => l.published?.kid === k.kid).map((l) => l.uri)
    if (signing.length > 0) throw new CivicError('ERR_ISSUER_BAD_REQUEST', `${k.kid} still signs ${signing.length} served list(s): publish first`)
    const current = this.#state.currentKid
    const iat = this.#now()
    const entry = await createKeyChangeEntry({ signer: { did: this.config.did, kid: current, signer: this.#signerOf(current) }, subject: this.config.did, action: 'revoke', kid: k.kid, iat })
    const revoked = await this.#anchorKeyChange('key-revoke', k.kid, current, entry, iat)
    await this.#mutate((draft) => {
      const x = draft.keys.find((y) => y.kid === k.kid)!
      x.state = 'revoked'
      x.revokedIndex = revoked.index
      return { value: undefined }
    })
    // the state saying it is revoked is on disk: the private key can go
    this.#signers.delete(k.kid)
    await deleteKey(this.dataDir, k.kid)
    return revoked
  }

  async #anchorKeyChange(type: 'key-add' | 'key-revoke', subject: string, signedBy: string, entry: Uint8Array, iat: number): Promise<LedgerRecord> {
    // Key changes are registry facts: every client replays the registry log, so none can miss one.
    const index = await this.ledger.addEntry('registry', entry)
    const inclusion = await this.ledger.inclusion('registry', index, entry, this.#now())
    const rec: LedgerRecord = {
      type, subject, version: null, digest: null, signedBy, iat, ttl: null, index,
      inclusionVerified: inclusion.ok, inclusionError: inclusion.ok ? null : `${inclusion.code}: ${inclusion.detail}`, checkpointSize: inclusion.ok ? inclusion.value.checkpointSize : null,
    }
    await this.#mutate((draft) => {
      pushLedger(draft, rec)
      return { value: undefined }
    })
    return rec
  }
}

// ── helpers over a draft ─────────────────────────────────────────────────────────────────

function anchorView(l: ListRecord): AnchorView {
  const p = l.published!
  return { uri: l.uri, version: p.version, digest: p.digest, iat: p.iat, ttl: p.ttl, index: p.index, inclusionVerified: p.inclusionVerified, inclusionError: p.inclusionError, checkpointSize: p.checkpointSize, signedBy: p.kid }
}

function pushLedger(draft: IssuerState, rec: LedgerRecord): void {
  draft.ledger.push(rec)
  if (draft.ledger.length > MAX_LEDGER_RECORDS) draft.ledger.splice(0, draft.ledger.length - MAX_LEDGER_RECORDS)
}

function nextKid(kids: string[]): string {
  const n = kids.reduce((m, k) => Math.max(m, /^key-([0-9]{1,9})$/.exec(k) ? Number(k.slice(4)) : 0), 0)
  return `key-${n + 1}`
}

/** Why an offer cannot be redeemed now, or null. */
function offerError(o: OfferRecord | null, now: number): CivicError | null {
  if (!o) return new CivicError('ERR_VCI_OFFER_UNKNOWN', 'no such offer')
  if (o.state === 'redeemed' || o.state === 'issued') return new CivicError('ERR_VCI_OFFER_USED', 'this offer was already redeemed')
  if (o.state === 'void') return new CivicError('ERR_VCI_OFFER_VOID', 'this offer was cancelled or voided')
  if (o.state === 'expired' || now >= o.expiresAt) return new CivicError('ERR_VCI_OFFER_EXPIRED', 'this offer has expired')
  return null
}


function voidOffer(draft: IssuerState, o: OfferRecord, now: number): void {
  endOffer(draft, o, 'void', now)
}

/** Expire due offers and tokens, drop old tombstones. Returns whether anything changed. */
function sweep(draft: IssuerState, now: number): boolean {
  let changed = false
  for (const o of Object.values(draft.offers)) {
    if (o.state === 'offered' && now >= o.expiresAt) {
      endOffer(draft, o, 'expired', now)
      changed = true
    } else if (o.state === 'redeemed' && (!o.token || now >= o.token.expiresAt)) {
      endOffer(draft, o, 'expired', now)
      changed = true
    } else if ((o.state === 'issued' || o.state === 'expired' || o.state === 'void') && now >= o.expiresAt + TOMBSTONE_SECONDS) {
      delete draft.offers[o.id]
      changed = true
    }
  }
  return changed
}

