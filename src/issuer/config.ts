/**
 * The issuer's configuration, `<data>/issuer.json` (no secrets; keys live in `<data>/keys/`):
 * its DID and names as accredited on the ledger by the governance root, the credential types
 * it issues (schema.ts), the status list base URI of its accreditation (`statusListBase`), the
 * ledger it publishes to with the trust policy to check that ledger's proofs, and the service's
 * tunables.
 *
 * The ledger is two logs served together (design: registry and status apart): the registry log
 * takes the office's key changes, the status log its status anchors. Each has its own origin and
 * log key; both are cosigned by the same witnesses under the same quorum (the values `civic log
 * verify` takes). A proof is checked against the policy of the log it came from, so a registry
 * checkpoint never passes for a status one.
 *
 * Version 2 is the two-log shape. A version 1 file names one single-log ledger from before
 * registry and status were apart; no such ledger is served any more, and its accreditation and
 * anchors are not on the two logs, so it is refused with what to do rather than read.
 *
 * `parseIssuerConfig` reads it strictly (exact members, typed, bounded); every problem is
 * InputError ERR_ISSUER_CONFIG.
 */
import { isJsonObject, parseJson, type JsonObject } from '../core/bytes/json.ts'
import { readMembers } from '../core/bytes/shape.ts'
import { InputError } from '../core/errors.ts'
import { parseLogPolicy, type LogPolicy } from '../core/log/policy.ts'
import { parseCredentialSchema, type CredentialSchema, type Localized } from './schema.ts'

export const ISSUER_CONFIG_VERSION = 2
export const ISSUER_CONFIG_FILE = 'issuer.json'
/** draft-ietf-oauth-status-list §13.2 (herd privacy): at least 2^17 entries per list. */
export const MIN_LIST_SIZE = 131_072
export const MAX_LIST_SIZE = 1 << 24

/** The two logs of the ledger: key changes go to the registry, status anchors to the status log. */
export type LedgerLog = 'registry' | 'status'
export const LEDGER_LOGS: readonly LedgerLog[] = ['registry', 'status']

export interface LogTrust {
  origin: string
  /** Log verifier keys (`civic ledger info` → that log's vkey). */
  logKeys: string[]
}

export interface LedgerTrust {
  /** The ledger's HTTP base URL; each log lives under `<url>/<log>/` (`add-entry`, `proof/<i>`, `checkpoint`). */
  url: string
  registry: LogTrust
  status: LogTrust
  /** Witness cosignature keys (the same witnesses cosign both logs). */
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

const KEY_TEXT = /^[\x21-\x7e]{1,400}$/

/** What to do with an issuer configuration made for a single-log ledger. */
export const SINGLE_LOG_CONFIG_HELP =
  'it was made for a single-log ledger, from before registry and status were apart; that ledger is no longer served, and the office\'s accreditation and anchors are not on the two logs. ' +
  'Make the office anew in an empty data directory against the two-log ledger (civic issuer init … --ledger <url> --registry-vkey <key> --status-vkey <key> …, the keys civic ledger info prints), have the governance root accredit it on the registry log, and issue its credentials again'

function parseLogTrust(v: unknown, path: string): LogTrust {
  if (!isJsonObject(v)) bad(`${path} is not an object`)
  readMembers(v, path, ['origin', 'logKeys'], [], 'ERR_ISSUER_CONFIG')
  const logKeys = Array.isArray(v.logKeys) ? v.logKeys.map((k, i) => str(k, `${path}.logKeys[${i}]`, KEY_TEXT)) : bad(`${path}.logKeys is not an array`)
  if (logKeys.length === 0) bad(`${path}.logKeys names no log key`)
  return { origin: str(v.origin, `${path}.origin`, /^[\x21-\x7e]{1,200}$/), logKeys }
}

export function parseLedgerTrust(v: unknown): LedgerTrust {
  if (!isJsonObject(v)) bad('ledger is not an object')
  if (Object.hasOwn(v, 'origin') || Object.hasOwn(v, 'logKeys')) bad(`ledger names one log (origin, logKeys): ${SINGLE_LOG_CONFIG_HELP}`)
  readMembers(v, 'ledger', ['url', 'registry', 'status', 'witnessKeys', 'quorum'], [], 'ERR_ISSUER_CONFIG')
  const url = normalizeUrl(str(v.url, 'ledger.url', /^https?:\/\//), 'ledger.url')
  const t: LedgerTrust = {
    url,
    registry: parseLogTrust(v.registry, 'ledger.registry'),
    status: parseLogTrust(v.status, 'ledger.status'),
    witnessKeys: Array.isArray(v.witnessKeys) ? v.witnessKeys.map((k, i) => str(k, `ledger.witnessKeys[${i}]`, KEY_TEXT)) : bad('ledger.witnessKeys is not an array'),
    quorum: int(v.quorum, 'ledger.quorum', 0, 64),
  }
  // Two logs with one origin would let a checkpoint of one pass for the other.
  if (t.registry.origin === t.status.origin) bad('ledger.registry.origin and ledger.status.origin must differ: they are two logs')
  if (t.registry.logKeys.some((k) => t.status.logKeys.includes(k))) bad('ledger.registry and ledger.status must not share a log key')
  for (const log of LEDGER_LOGS) {
    // The ledger names each log's key after its origin: a key named otherwise is the other log's (flags swapped).
    const other = ledgerPolicy(t, log).logKeys.find((k) => k.name !== t[log].origin)
    if (other) bad(`ledger.${log}.logKeys holds a key named ${JSON.stringify(other.name).slice(0, 80)}, not the ${log} log's origin ${t[log].origin}`)
  }
  return t
}

/** The policy that checks one log's checkpoints and proofs. Throws InputError ERR_ISSUER_CONFIG. */
export function ledgerPolicy(t: LedgerTrust, log: LedgerLog): LogPolicy {
  try {
    return parseLogPolicy({ origin: t[log].origin, logKeys: t[log].logKeys, witnessKeys: t.witnessKeys, quorum: t.quorum })
  } catch (e) {
    if (e instanceof InputError) bad(`ledger ${log} log trust policy: ${e.detail}`)
    throw e
  }
}

const MEMBERS = ['version', 'did', 'name', 'statusListBase', 'publicUrl', 'appOrigin', 'ledger', 'credentials', 'batchSize', 'listSize', 'listBits', 'offerTtlSeconds', 'accessTokenTtlSeconds', 'nonceTtlSeconds', 'statusTtlSeconds', 'txCodeByDefault']

export function parseIssuerConfig(v: unknown): IssuerConfig {
  if (!isJsonObject(v)) bad('issuer.json is not an object')
  readMembers(v, 'issuer.json', [], MEMBERS, 'ERR_ISSUER_CONFIG')
  if (v.version === 1) bad(`issuer.json is version 1: ${SINGLE_LOG_CONFIG_HELP}`)
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
