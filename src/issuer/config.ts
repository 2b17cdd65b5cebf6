/**
 * The issuer's configuration, `<data>/issuer.json` (no secrets; keys live in `<data>/keys/`):
 * its DID and names as accredited on the ledger by the governance root, the credential types
 * it issues (schema.ts), the status list base URI of its accreditation (`statusListBase`), the
 * ledger it anchors to with the trust policy to check that ledger's proofs (log key, witness
 * keys, quorum: the same values `civic log verify` takes), and the service's tunables.
 *
 * `parseIssuerConfig` reads it strictly (exact members, typed, bounded); every problem is
 * InputError ERR_ISSUER_CONFIG.
 */
import { isJsonObject, parseJson, type JsonObject } from '../core/bytes/json.ts'
import { readMembers } from '../core/bytes/shape.ts'
import { InputError } from '../core/errors.ts'
import { parseLogPolicy, type LogPolicy } from '../core/log/policy.ts'
import { parseCredentialSchema, type CredentialSchema, type Localized } from './schema.ts'

export const ISSUER_CONFIG_VERSION = 1
export const ISSUER_CONFIG_FILE = 'issuer.json'
/** draft-ietf-oauth-status-list §13.2 (herd privacy): at least 2^17 entries per list. */
export const MIN_LIST_SIZE = 131_072
export const MAX_LIST_SIZE = 1 << 24

export interface LedgerTrust {
  /** The ledger's HTTP base URL (`/add-entry`, `/proof/<i>`, `/checkpoint`). */
  url: string
  origin: string
  /** Log verifier keys (`civic ledger info` → vkey). */
  logKeys: string[]
  /** Witness cosignature keys. */
  witnessKeys: string[]
  quorum: number
}

export interface IssuerConfig {
  version: typeof ISSUER_CONFIG_VERSION
  /** did:web, as accredited. */
  did: string
  name: Localized
  /** https prefix ending in `/`, from the accreditation; list n is `<statusListBase><n>`. */
  statusListBase: string
  /** The Credential Issuer Identifier (OpenID4VCI 1.0 §Credential Issuer Identifier); null: the address `serve` listens on. */
  publicUrl: string | null
  /** The console's origin allowed by CORS on /admin/ (e.g. http://127.0.0.1:8080); null: none. */
  appOrigin: string | null
  ledger: LedgerTrust
  credentials: CredentialSchema[]
  /** Copies per credential request (OpenID4VCI `batch_credential_issuance.batch_size`). */
  batchSize: number
  listSize: number
  /** Status bits per entry: 2 allows VALID / INVALID / SUSPENDED. */
  listBits: 1 | 2 | 4 | 8
  offerTtlSeconds: number
  accessTokenTtlSeconds: number
  nonceTtlSeconds: number
  /** Status list token ttl and exp - iat; also the ttl of its anchor. */
  statusTtlSeconds: number
  /** Offers carry a transaction code unless the caller says otherwise. */
  txCodeByDefault: boolean
}

export const CONFIG_DEFAULTS = {
  batchSize: 10,
  listSize: MIN_LIST_SIZE,
  listBits: 2 as const,
  offerTtlSeconds: 900,
  accessTokenTtlSeconds: 300,
  nonceTtlSeconds: 300,
  statusTtlSeconds: 86_400,
  txCodeByDefault: true,
}

const DID_WEB = /^did:web:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+(?:%3A[0-9]{1,5})?(?::[A-Za-z0-9._-]{1,64})*$/
const HTTPS_BASE = /^https:\/\/[A-Za-z0-9\-._~:/@!$&'()*+,;=%]{1,400}\/$/
const HTTP_URL = /^https?:\/\/[A-Za-z0-9\-._~:@[\]]+(?::[0-9]{1,5})?(?:\/[A-Za-z0-9\-._~/%]*)?$/
const ORIGIN = /^https?:\/\/[A-Za-z0-9\-._~[\]:]+$/

function bad(detail: string): never {
  throw new InputError('ERR_ISSUER_CONFIG', detail)
}

function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(`${path} must be an integer ${min}..${max}`)
  return v
}

function str(v: unknown, path: string, re: RegExp): string {
  if (typeof v !== 'string' || !re.test(v)) bad(`${path} is missing or not of the expected form`)
  return v
}

/** A URL without a trailing slash, query or fragment (an issuer identifier, a ledger base). */
export function normalizeUrl(v: string, path: string): string {
  const u = v.endsWith('/') ? v.slice(0, -1) : v
  if (!HTTP_URL.test(u)) bad(`${path} must be an http(s) URL without query or fragment`)
  return u
}

/** The path prefix under which the issuer serves its status lists (`/status/` for https://host/status/). */
export function statusPathPrefix(base: string): string {
  const u = new URL(base)
  return u.pathname
}

export function parseStatusListBase(v: unknown): string {
  const base = str(v, 'statusListBase', HTTPS_BASE)
  if (/%2e/i.test(base) || /\/\.{1,2}\//.test(base.slice(8)) || base.slice(8).includes('//') || base.includes('?') || base.includes('#')) bad('statusListBase has dot segments, an empty segment, a query or a fragment')
  const path = statusPathPrefix(base)
  if (path === '/' || /^\/(?:admin|offers|token|nonce|credential|\.well-known)(?:\/|$)/.test(path)) bad('statusListBase must have a path of its own (e.g. /status/) that no issuer endpoint uses')
  return base
}

export function parseLedgerTrust(v: unknown): LedgerTrust {
  if (!isJsonObject(v)) bad('ledger is not an object')
  readMembers(v, 'ledger', [], ['url', 'origin', 'logKeys', 'witnessKeys', 'quorum'], 'ERR_ISSUER_CONFIG')
  const url = normalizeUrl(str(v.url, 'ledger.url', /^https?:\/\//), 'ledger.url')
  const t: LedgerTrust = {
    url,
    origin: str(v.origin, 'ledger.origin', /^[\x21-\x7e]{1,200}$/),
    logKeys: Array.isArray(v.logKeys) ? v.logKeys.map((k, i) => str(k, `ledger.logKeys[${i}]`, /^[\x21-\x7e]{1,400}$/)) : bad('ledger.logKeys is not an array'),
    witnessKeys: Array.isArray(v.witnessKeys) ? v.witnessKeys.map((k, i) => str(k, `ledger.witnessKeys[${i}]`, /^[\x21-\x7e]{1,400}$/)) : bad('ledger.witnessKeys is not an array'),
    quorum: int(v.quorum, 'ledger.quorum', 0, 64),
  }
  ledgerPolicy(t)
  return t
}

/** The policy that checks the ledger's checkpoints and proofs. Throws InputError ERR_ISSUER_CONFIG. */
export function ledgerPolicy(t: LedgerTrust): LogPolicy {
  try {
    return parseLogPolicy({ origin: t.origin, logKeys: t.logKeys, witnessKeys: t.witnessKeys, quorum: t.quorum })
  } catch (e) {
    if (e instanceof InputError) bad(`ledger trust policy: ${e.detail}`)
    throw e
  }
}

const MEMBERS = ['version', 'did', 'name', 'statusListBase', 'publicUrl', 'appOrigin', 'ledger', 'credentials', 'batchSize', 'listSize', 'listBits', 'offerTtlSeconds', 'accessTokenTtlSeconds', 'nonceTtlSeconds', 'statusTtlSeconds', 'txCodeByDefault']

export function parseIssuerConfig(v: unknown): IssuerConfig {
  if (!isJsonObject(v)) bad('issuer.json is not an object')
  readMembers(v, 'issuer.json', [], MEMBERS, 'ERR_ISSUER_CONFIG')
  if (v.version !== ISSUER_CONFIG_VERSION) bad(`issuer.json version must be ${ISSUER_CONFIG_VERSION}`)
  const did = str(v.did, 'did', DID_WEB)
  const name = v.name
  if (!isJsonObject(name) || typeof name['zh-CN'] !== 'string' || typeof name.en !== 'string' || Object.keys(name).length !== 2 || !name['zh-CN'] || !name.en) bad('name must be { "zh-CN", "en" }')
  if (!Array.isArray(v.credentials) || v.credentials.length === 0 || v.credentials.length > 64) bad('credentials must list 1..64 credential schemas')
  const credentials = v.credentials.map((c, i) => parseCredentialSchema(c, `credentials[${i}]`))
  if (new Set(credentials.map((c) => c.id)).size !== credentials.length || new Set(credentials.map((c) => c.vct)).size !== credentials.length) bad('credential ids and vcts must be distinct')
  const listBits = v.listBits
  if (listBits !== 1 && listBits !== 2 && listBits !== 4 && listBits !== 8) bad('listBits must be 1, 2, 4 or 8')
  if (typeof v.txCodeByDefault !== 'boolean') bad('txCodeByDefault must be a boolean')
  if (typeof v.listSize === 'number' && v.listSize % (8 / listBits) !== 0) bad(`listSize must be a multiple of ${8 / listBits} for ${listBits}-bit statuses`)
  const publicUrl = v.publicUrl === null ? null : normalizeUrl(str(v.publicUrl, 'publicUrl', /^https?:\/\//), 'publicUrl')
  const appOrigin = v.appOrigin === null ? null : str(v.appOrigin, 'appOrigin', ORIGIN)
  return {
    version: ISSUER_CONFIG_VERSION,
    did,
    name: { 'zh-CN': name['zh-CN'] as string, en: name.en as string },
    statusListBase: parseStatusListBase(v.statusListBase),
    publicUrl,
    appOrigin,
    ledger: parseLedgerTrust(v.ledger),
    credentials,
    batchSize: int(v.batchSize, 'batchSize', 2, 100),
    listSize: int(v.listSize, 'listSize', MIN_LIST_SIZE, MAX_LIST_SIZE),
    listBits,
    offerTtlSeconds: int(v.offerTtlSeconds, 'offerTtlSeconds', 1, 30 * 86_400),
    accessTokenTtlSeconds: int(v.accessTokenTtlSeconds, 'accessTokenTtlSeconds', 1, 3600),
    nonceTtlSeconds: int(v.nonceTtlSeconds, 'nonceTtlSeconds', 1, 3600),
    statusTtlSeconds: int(v.statusTtlSeconds, 'statusTtlSeconds', 60, 366 * 86_400),
    txCodeByDefault: v.txCodeByDefault,
  }
}

export function parseIssuerConfigText(text: string): IssuerConfig {
  let v
  try {
    v = parseJson(text, { maxLength: 1 << 20, maxDepth: 16 }, ISSUER_CONFIG_FILE)
  } catch (e) {
    if (e instanceof InputError) bad(`${ISSUER_CONFIG_FILE}: ${e.detail}`)
    throw e
  }
  return parseIssuerConfig(v)
}

export function formatIssuerConfig(c: IssuerConfig): string {
  return `${JSON.stringify(c as unknown as JsonObject, null, 2)}\n`
}
