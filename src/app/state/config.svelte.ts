/**
 * Where the services are: `civic-config.json`, served next to index.html by `civic start`
 * (never precached by the service worker, so it is always the running system's):
 *
 *   { "ledger":  { "url", "root", "registry": { "origin", "vkey" }, "status": { "origin", "vkey" },
 *                  "witnesses": [vkey…], "quorum" },
 *     "issuers": [ { "id", "did", "name": { "zh-CN", "en" }, "adminUrl" } ],
 *     "statusMirrors": { "<https status list base>": "<mirror URL>" } }
 *
 * The ledger member and statusMirrors are what the trust engine trusts: they are read by its
 * own strict reader (src/trust parseTrustConfig, through parseLogPolicy), and a file whose
 * trust part does not parse is `invalid` as a whole.
 *
 * `adminUrl` is the issuer service's base URL (its admin API is under `<adminUrl>/admin/`; a
 * URL that already ends in /admin is accepted too). The text is read by the kernel's strict
 * JSON parser (a member named twice is refused: two readers could take different values).
 * Top-level members this app does not read are ignored, unlike the kernel's stored records: a
 * cached older build of the app must keep working against a newer server's file (the ledger
 * member is the exception: what the device trusts is read exactly).
 *
 * Under plain `vite dev` there is no such file: the status is then `missing` and each screen
 * says so plainly. A file that is there but does not fit is `invalid`; no answer at all
 * (offline, server gone) is `unreachable`.
 */
import { parseJson } from '../../core/bytes/json.ts'
import { parseTrustConfig, type TrustConfig, type TrustConfigSource } from '../../trust/config.ts'

/** The ledger member as read (plain JSON): two logs, shared witnesses and quorum. */
export type LedgerConfig = TrustConfigSource['ledger']

export interface IssuerEntry {
  id: string
  did: string
  name: { 'zh-CN': string; en: string }
  adminUrl: string
}

export interface CivicConfig {
  ledger: LedgerConfig
  /** https status list base → mirror URL (empty when the file names none). */
  statusMirrors: Record<string, string>
  /** The ledger member and statusMirrors, parsed for the trust engine. */
  trust: TrustConfig
  issuers: IssuerEntry[]
}

export type ConfigStatus = 'idle' | 'loading' | 'ready' | 'missing' | 'invalid' | 'unreachable'

export type ConfigFetch = (input: string, init?: RequestInit) => Promise<Response>

export const CONFIG_FILE = 'civic-config.json'
const MAX_CONFIG_CHARS = 256 * 1024

type Parsed = { ok: true; value: CivicConfig } | { ok: false; detail: string }

class Bad extends Error {}

function need(cond: boolean, what: string): asserts cond {
  if (!cond) throw new Bad(what)
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isText = (v: unknown, max = 2000): v is string => typeof v === 'string' && v.length > 0 && v.length <= max
const isHttpUrl = (v: unknown): v is string => {
  if (!isText(v)) return false
  try {
    const u = new URL(v)
    return u.protocol === 'http:' || u.protocol === 'https:'
  } catch {
    return false
  }
}

/** Read civic-config.json's value; never throws. */
export function parseCivicConfig(v: unknown): Parsed {
  try {
    need(isObj(v), 'the file is not a JSON object')
    const trust = parseTrustConfig(v)
    need(trust.ok, trust.ok ? '' : trust.detail)
    need(Array.isArray(v.issuers) && v.issuers.length <= 64, 'issuers is not a list')
    const ids = new Set<string>()
    const issuers = v.issuers.map((x, i): IssuerEntry => {
      need(isObj(x), `issuers[${i}] is not an object`)
      need(isText(x.id, 64) && !ids.has(x.id), `issuers[${i}].id is missing or repeated`)
      ids.add(x.id)
      need(isText(x.did, 400) && x.did.startsWith('did:'), `issuers[${i}].did is not a DID`)
      const n = x.name
      need(isObj(n) && isText(n['zh-CN'], 200) && isText(n.en, 200), `issuers[${i}].name must be { "zh-CN", "en" }`)
      need(isHttpUrl(x.adminUrl), `issuers[${i}].adminUrl is not an http(s) URL`)
      return { id: x.id, did: x.did, name: { 'zh-CN': n['zh-CN'], en: n.en }, adminUrl: x.adminUrl }
    })
    const { ledger, statusMirrors } = trust.value.source
    return { ok: true, value: { ledger, statusMirrors, trust: trust.value, issuers } }
  } catch (e) {
    if (e instanceof Bad) return { ok: false, detail: e.message }
    throw e
  }
}

function defaultUrl(): string {
  return `${import.meta.env.BASE_URL ?? '/'}${CONFIG_FILE}`
}

function defaultFetch(): ConfigFetch | undefined {
  return typeof fetch === 'function' ? (input, init) => fetch(input, init) : undefined
}

export class ConfigState {
  readonly url: string
  readonly #fetch: ConfigFetch | undefined
  #status = $state<ConfigStatus>('idle')
  #value = $state.raw<CivicConfig | null>(null)
  #detail = $state('')
  #loading: Promise<void> | null = null

  constructor(o: { url?: string; fetch?: ConfigFetch } = {}) {
    this.url = o.url ?? defaultUrl()
    this.#fetch = o.fetch ?? defaultFetch()
  }

  get status(): ConfigStatus {
    return this.#status
  }

  get value(): CivicConfig | null {
    return this.#value
  }

  get issuers(): readonly IssuerEntry[] {
    return this.#value?.issuers ?? []
  }

  /** Why the file is missing, invalid or unreachable (for people, in English; the status is what the UI shows). */
  get detail(): string {
    return this.#detail
  }

  /** Load the file once; `reload` asks again (after `civic start` was started, say). */
  load(o: { reload?: boolean } = {}): Promise<void> {
    if (this.#loading && !o.reload && this.#status !== 'unreachable') return this.#loading
    this.#loading = this.#read()
    return this.#loading
  }

  async #read(): Promise<void> {
    this.#status = 'loading'
    const f = this.#fetch
    if (!f) return this.#settle('unreachable', null, 'this environment has no fetch')
    let r: Response
    try {
      r = await f(this.url, { cache: 'no-store', credentials: 'same-origin', headers: { accept: 'application/json' } })
    } catch (e) {
      return this.#settle('unreachable', null, e instanceof Error ? e.message : String(e))
    }
    // A dev server answers an unknown path with 404, or with index.html.
    const type = r.headers.get('content-type') ?? ''
    if (r.status === 404 || (r.ok && !/\bjson\b/i.test(type))) return this.#settle('missing', null, `${this.url}: HTTP ${r.status} ${type}`.trim())
    if (!r.ok) return this.#settle('unreachable', null, `${this.url}: HTTP ${r.status}`)
    let json: unknown
    try {
      const text = await r.text()
      if (text.length > MAX_CONFIG_CHARS) return this.#settle('invalid', null, 'the file is too large')
      json = parseJson(text, { maxLength: MAX_CONFIG_CHARS, maxDepth: 16 }, CONFIG_FILE)
    } catch (e) {
      return this.#settle('invalid', null, e instanceof Error ? e.message : String(e))
    }
    const parsed = parseCivicConfig(json)
    if (!parsed.ok) return this.#settle('invalid', null, parsed.detail)
    this.#settle('ready', parsed.value, '')
  }

  #settle(status: ConfigStatus, value: CivicConfig | null, detail: string): void {
    this.#value = value
    this.#detail = detail
    this.#status = status
  }
}

export const civicConfig = new ConfigState()
