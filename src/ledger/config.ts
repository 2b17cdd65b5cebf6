/**
 * A ledger's configuration, kept in `<data>/ledger.json` (mode 0600: it holds the logs' signing
 * keys). Format 2: one ledger program serves TWO plain C2SP tlog-tiles logs, each with its own
 * origin and Ed25519 log key, under one governance root and one set of witnesses and quorum:
 *
 *   { "version": 2, "name": "<name>",
 *     "registry": { "origin": "<name>/registry", "logKey": "PRIVATE+KEY+<name>/registry+…" },
 *     "status":   { "origin": "<name>/status",   "logKey": "PRIVATE+KEY+<name>/status+…" },
 *     "root": "did:key:…", "witnesses": [{ "url", "vkey" }], "quorum": k, "url"?: "…" }
 *
 * The registry log (accreditations, registrations, key changes, suspensions) is what every
 * client replays; the status log (status anchors only) is what clients never replay, checking
 * one anchor at a time by its inclusion proof. Keeping them apart is what lets a phone's sync
 * cost grow with the registry and not with the number of status lists (design §5).
 *
 * Format 1 (a single `origin`/`logKey`, no `version`) described one log holding both kinds of
 * entry. It is refused, never read as half of a format-2 ledger: the two cannot be mixed
 * without re-sequencing every entry into a new tree, which would be a new log to every witness
 * and client anyway. The same holds for a data directory laid out as a single log
 * (`assertNoSingleLogLayout`). Created on the first `civic ledger serve` (or `init`); names,
 * origins and keys never change after.
 */
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { CivicError } from '../core/errors.ts'
import { isJsonObject, parseJsonObject } from '../core/bytes/json.ts'
import { readShape, type ShapeFailure } from '../core/bytes/shape.ts'
import { encodeUtf8 } from '../core/bytes/utf8.ts'
import { formatVerifierKey, generateNoteKeys, parseSignerKey, parseVerifierKey, SIG_TYPE_COSIGNATURE_V1, type SignerKey, type VerifierKey } from '../core/log/note.ts'
import { writeFileDurably } from '../node/durable.ts'

export const CONFIG_FILE = 'ledger.json'
export const CONFIG_VERSION = 2

/** The two logs of a ledger. */
export type LogName = 'registry' | 'status'
export const LOG_NAMES: readonly LogName[] = ['registry', 'status']

export interface LogKeyConfig {
  origin: string
  /** `PRIVATE+KEY+…` signed-note key of the log; its key name is the origin. */
  logKey: string
}

export interface LedgerConfig {
  version: typeof CONFIG_VERSION
  /** The ledger's name; the logs' origins are `<name>/registry` and `<name>/status`. */
  name: string
  registry: LogKeyConfig
  status: LogKeyConfig
  /** Governance root: a did:key DID whose signatures accredit issuers and register verifiers. */
  root: string
  witnesses: { url: string; vkey: string }[]
  quorum: number
  /** Where the ledger was last served (for `civic ledger info`). */
  url?: string
}

export interface ParsedLedgerConfig extends LedgerConfig {
  signers: Record<LogName, SignerKey>
  witnessKeys: VerifierKey[]
}

/** Why a format-1 file or a single-log directory is refused, and what to do. */
export const SINGLE_LOG_REFUSAL =
  'holds a single-log ledger from before the registry and status logs were apart; this version keeps them as two logs ' +
  '(registry and status) and does not read or convert the old one. Start from an empty data directory ' +
  '(and, for PostgreSQL, an empty database), then publish the registry entries again'

function bad(detail: string): never {
  throw new CivicError('ERR_LEDGER_CONFIG', detail)
}

const CONFIG_ERROR: ShapeFailure = { code: 'ERR_LEDGER_CONFIG', error: (code, detail) => new CivicError(code, detail) }
const CONFIG_SHAPE = { version: 'uint', name: 'text', registry: 'object', status: 'object', root: 'text', witnesses: 'array', quorum: 'uint', url: 'string?' } as const

export function parseLedgerConfig(text: string): ParsedLedgerConfig {
  let o
  try {
    o = parseJsonObject(text, { maxLength: 1 << 16, maxDepth: 4 }, CONFIG_FILE)
  } catch (e) {
    bad(`${CONFIG_FILE}: ${(e as CivicError).detail ?? String(e)}`)
  }
  if (isJsonObject(o) && !('version' in o) && ('origin' in o || 'logKey' in o)) bad(`${CONFIG_FILE} ${SINGLE_LOG_REFUSAL}`)
  const { version, name, registry, status, root, witnesses, quorum, url } = readShape(o, CONFIG_SHAPE, CONFIG_FILE, CONFIG_ERROR)
  if (version !== CONFIG_VERSION) bad(`${CONFIG_FILE}: version ${version} is not ${CONFIG_VERSION}`)
  const logs = {} as Record<LogName, LogKeyConfig>
  const signers = {} as Record<LogName, SignerKey>
  for (const [log, v] of [['registry', registry], ['status', status]] as const) {
    const c = readShape(v, { origin: 'text', logKey: 'text' }, `${CONFIG_FILE}.${log}`, CONFIG_ERROR)
    if (c.origin !== `${name}/${log}`) bad(`${CONFIG_FILE}: the ${log} log's origin must be ${name}/${log}`)
    let signer: SignerKey
    try {
      signer = parseSignerKey(c.logKey)
    } catch (e) {
      bad(`${CONFIG_FILE}.${log}: ${(e as CivicError).detail}`)
    }
    if (signer.name !== c.origin) bad(`${CONFIG_FILE}: the ${log} log key's name must be its origin`)
    logs[log] = { origin: c.origin, logKey: c.logKey }
    signers[log] = signer
  }
  const ws = witnesses.map((w, i) => {
    const { url, vkey } = readShape(w, { url: 'string', vkey: 'string' }, `${CONFIG_FILE}.witnesses[${i}]`, CONFIG_ERROR)
    return { url, vkey }
  })
  if (quorum > ws.length) bad(`${CONFIG_FILE}: quorum must be 0..${ws.length}`)
  let witnessKeys: VerifierKey[]
  try {
    witnessKeys = ws.map((w) => parseVerifierKey(w.vkey))
  } catch (e) {
    bad(`${CONFIG_FILE}: ${(e as CivicError).detail}`)
  }
  if (witnessKeys.some((k) => k.type !== SIG_TYPE_COSIGNATURE_V1)) bad(`${CONFIG_FILE}: witness keys must be cosignature/v1 keys`)
  const cfg: ParsedLedgerConfig = { version: CONFIG_VERSION, name, registry: logs.registry, status: logs.status, root, witnesses: ws, quorum, signers, witnessKeys }
  if (url !== undefined) cfg.url = url
  return cfg
}

/** The config of `dataDir`, null when it has none; ERR_LEDGER_CONFIG for a bad or format-1 file or a single-log layout. */
export async function readLedgerConfig(dataDir: string): Promise<ParsedLedgerConfig | null> {
  let text: string | null = null
  try {
    text = await readFile(join(dataDir, CONFIG_FILE), 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') bad(`cannot read ${CONFIG_FILE}: ${(e as NodeJS.ErrnoException).code}`)
  }
  const cfg = text === null ? null : parseLedgerConfig(text)
  await assertNoSingleLogLayout(dataDir)
  return cfg
}

/**
 * Refuses (ERR_LEDGER_CONFIG) a data directory laid out as one log: `log/` (the single log's
 * directory) or a top-level `checkpoint` or `tile/`.
 */
export async function assertNoSingleLogLayout(dataDir: string): Promise<void> {
  for (const name of ['log', 'checkpoint', 'tile']) {
    const there = await stat(join(dataDir, name)).then(() => true, (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' || e.code === 'ENOTDIR' ? false : bad(`cannot read ${dataDir}: ${e.code}`)))
    if (there) bad(`${dataDir} ${SINGLE_LOG_REFUSAL} (found ${name})`)
  }
}

/** The file's text; the same members in the same order as the format comment above. */
export function formatLedgerConfig(cfg: LedgerConfig): string {
  const { name, registry, status, root, witnesses, quorum, url } = cfg
  return JSON.stringify({
    version: CONFIG_VERSION, name,
    registry: { origin: registry.origin, logKey: registry.logKey }, status: { origin: status.origin, logKey: status.logKey },
    root, witnesses: witnesses.map((w) => ({ url: w.url, vkey: w.vkey })), quorum, ...(url ? { url } : {}),
  }, null, 2) + '\n'
}

export async function writeLedgerConfig(dataDir: string, cfg: LedgerConfig): Promise<void> {
  const text = formatLedgerConfig(cfg)
  parseLedgerConfig(text)
  await writeFileDurably(dataDir, CONFIG_FILE, encodeUtf8(text), 0o600)
}

/** A new ledger named `name` (e.g. `civic-wallet.local/ledger`): two fresh log keys, no witnesses yet. */
export function newLedgerConfig(name: string, root: string): LedgerConfig {
  const key = (log: LogName): LogKeyConfig => ({ origin: `${name}/${log}`, logKey: generateNoteKeys(`${name}/${log}`).signerKey })
  return { version: CONFIG_VERSION, name, registry: key('registry'), status: key('status'), root, witnesses: [], quorum: 0 }
}

/** The `<origin>+<id>+<key>` verifier key of one of the ledger's logs. */
export function logVerifierKey(cfg: ParsedLedgerConfig, log: LogName): string {
  return formatVerifierKey(cfg.signers[log])
}
