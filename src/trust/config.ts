/**
 * What the trust engine trusts, read from civic-config.json:
 *
 *   { "ledger": { "url", "root", "registry": { "origin", "vkey" }, "status": { "origin", "vkey" },
 *                 "witnesses": [cosignature vkey…], "quorum" },
 *     "statusMirrors": { "<https list base>": "<mirror URL>" }, …other members of the file… }
 *
 * Read strictly before anything reaches a light client: the `ledger` member has exactly these
 * members, every key goes through parseLogPolicy (note key types, no key twice, quorum within
 * 0..n), both logs share the witnesses and quorum and have distinct origins, and the root is a
 * self-certifying DID the registry fold accepts. Other members of the file (issuers, …) are
 * not this reader's and are left alone.
 *
 * A status list URI is fetched from its mirror when one is configured for its base (an https
 * base ending in `/`, mapped to an http(s) URL ending in `/`; the longest base wins), else from
 * the URI itself. A mirror can only serve bytes whose SHA-256 the issuer anchored.
 */
import { isJsonObject } from '../core/bytes/json.ts'
import { readShape } from '../core/bytes/shape.ts'
import { CivicError, fail, ok, type Verdict } from '../core/errors.ts'
import { parseLogPolicy, type LogPolicy } from '../core/log/policy.ts'
import { rootRecord } from '../core/registry/state.ts'

export interface TrustConfigSource {
  ledger: {
    url: string
    root: string
    registry: { origin: string; vkey: string }
    status: { origin: string; vkey: string }
    witnesses: string[]
    quorum: number
  }
  statusMirrors: Record<string, string>
}

export interface StatusMirror {
  /** An https status list base, ending in `/`. */
  base: string
  /** Where lists under it are fetched from, ending in `/`. */
  mirror: string
}

export interface TrustConfig {
  /** The ledger's base URL, ending in `/` (`<url>registry/…`, `<url>status/…`). */
  url: string
  /** The governance root DID. */
  root: string
  registry: LogPolicy
  status: LogPolicy
  /** Longest base first. */
  statusMirrors: readonly StatusMirror[]
  /** The plain JSON it was read from (crosses to a Worker, names the store's ledger). */
  source: TrustConfigSource
}

const MAX_MIRRORS = 256
const LEDGER_SHAPE = { url: 'text', root: 'text', registry: 'object', status: 'object', witnesses: 'array', quorum: 'uint' } as const
const LOG_SHAPE = { origin: 'text', vkey: 'text' } as const

function bad(detail: string): never {
  throw new CivicError('ERR_TRUST_CONFIG', detail)
}

function httpUrl(v: string, path: string, schemes: readonly string[]): string {
  let u: URL
  try {
    u = new URL(v)
  } catch {
    bad(`${path}: not a URL`)
  }
  if (!schemes.includes(u.protocol)) bad(`${path}: must be ${schemes.join(' or ')}`)
  if (u.search || u.hash || u.username || u.password) bad(`${path}: no query, fragment or credentials`)
  if (u.href !== v) bad(`${path}: not in normal form (${u.href})`)
  if (!v.endsWith('/')) bad(`${path}: must end with /`)
  return v
}

/**
 * civic-config.json's value → TrustConfig. Never throws; ERR_TRUST_CONFIG (a key that does
 * not parse keeps its own code's detail in the message).
 */
export function parseTrustConfig(v: unknown): Verdict<TrustConfig> {
  try {
    if (!isJsonObject(v)) bad('the configuration is not a JSON object')
    const l = readShape(v.ledger, LEDGER_SHAPE, 'ledger', 'ERR_TRUST_CONFIG')
    const url = httpUrl(l.url, 'ledger.url', ['http:', 'https:'])
    try {
      if (rootRecord(l.root).did !== l.root) bad('ledger.root: not a bare did:key or did:jwk')
    } catch (e) {
      if (e instanceof CivicError && e.code !== 'ERR_TRUST_CONFIG') bad(`ledger.root: ${e.detail}`)
      throw e
    }
    if (!l.witnesses.every((w) => typeof w === 'string')) bad('ledger.witnesses: not a list of keys')
    const witnessKeys = l.witnesses as string[]
    const policy = (name: 'registry' | 'status'): LogPolicy => {
      const p = readShape(l[name], LOG_SHAPE, `ledger.${name}`, 'ERR_TRUST_CONFIG')
      try {
        return parseLogPolicy({ origin: p.origin, logKeys: [p.vkey], witnessKeys, quorum: l.quorum })
      } catch (e) {
        if (e instanceof CivicError) bad(`ledger.${name}: ${e.code}: ${e.detail}`)
        throw e
      }
    }
    const registry = policy('registry')
    const status = policy('status')
    if (registry.origin === status.origin) bad('ledger: the registry and status logs need distinct origins')
    const m = v.statusMirrors ?? {}
    if (!isJsonObject(m)) bad('statusMirrors: not an object')
    const entries = Object.entries(m)
    if (entries.length > MAX_MIRRORS) bad(`statusMirrors: more than ${MAX_MIRRORS}`)
    const statusMirrors = entries.map(([base, mirror]): StatusMirror => {
      if (typeof mirror !== 'string') bad(`statusMirrors[${JSON.stringify(base).slice(0, 80)}]: not a URL`)
      return { base: httpUrl(base, 'statusMirrors key', ['https:']), mirror: httpUrl(mirror, `statusMirrors[${JSON.stringify(base).slice(0, 80)}]`, ['http:', 'https:']) }
    }).sort((a, b) => b.base.length - a.base.length)
    const source: TrustConfigSource = {
      ledger: {
        url, root: l.root,
        registry: { origin: registry.origin, vkey: (l.registry as { vkey: string }).vkey },
        status: { origin: status.origin, vkey: (l.status as { vkey: string }).vkey },
        witnesses: [...witnessKeys], quorum: l.quorum,
      },
      statusMirrors: Object.fromEntries(statusMirrors.map((x) => [x.base, x.mirror])),
    }
    return ok({ url, root: l.root, registry, status, statusMirrors, source })
  } catch (e) {
    if (e instanceof CivicError) return fail('ERR_TRUST_CONFIG', e.detail)
    throw e
  }
}

/** Where a status list token is fetched from: its mirror, or the URI itself. */
export function statusListUrl(config: Pick<TrustConfig, 'statusMirrors'>, uri: string): string {
  const m = config.statusMirrors.find((x) => uri.startsWith(x.base))
  return m ? m.mirror + uri.slice(m.base.length) : uri
}

/** The ledger a store belongs to: state from another root or other log keys is never reused. */
export function ledgerIdentity(config: TrustConfig): string {
  const l = config.source.ledger
  return JSON.stringify([l.root, l.registry.origin, l.registry.vkey, l.status.origin, l.status.vkey])
}
