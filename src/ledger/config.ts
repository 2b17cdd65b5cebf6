/**
 * A ledger's configuration, kept in `<data>/ledger.json` (mode 0600: it holds the log's
 * signing key): origin, log key, governance root, witnesses and quorum, the URL it was last
 * served at. Created on the first `civic ledger serve`; the origin and key never change after.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CivicError } from '../core/errors.ts'
import { parseJsonObject } from '../core/bytes/json.ts'
import { readShape, type ShapeFailure } from '../core/bytes/shape.ts'
import { encodeUtf8 } from '../core/bytes/utf8.ts'
import { formatVerifierKey, generateNoteKeys, parseSignerKey, parseVerifierKey, SIG_TYPE_COSIGNATURE_V1, type SignerKey, type VerifierKey } from '../core/log/note.ts'
import { writeFileDurably } from '../node/durable.ts'

export const CONFIG_FILE = 'ledger.json'

export interface LedgerConfig {
  origin: string
  /** `PRIVATE+KEY+…` signed-note key of the log. */
  logKey: string
  /** Governance root: a did:key DID whose signatures accredit issuers and register verifiers. */
  root: string
  witnesses: { url: string; vkey: string }[]
  quorum: number
  /** Where the ledger was last served (for `civic ledger info`). */
  url?: string
}

export interface ParsedLedgerConfig extends LedgerConfig {
  signer: SignerKey
  witnessKeys: VerifierKey[]
}

function bad(detail: string): never {
  throw new CivicError('ERR_LEDGER_CONFIG', detail)
}

const CONFIG_ERROR: ShapeFailure = { code: 'ERR_LEDGER_CONFIG', error: (code, detail) => new CivicError(code, detail) }
const CONFIG_SHAPE = { origin: 'text', logKey: 'text', root: 'text', witnesses: 'array', quorum: 'uint', url: 'string?' } as const

export function parseLedgerConfig(text: string): ParsedLedgerConfig {
  let o
  try {
    o = parseJsonObject(text, { maxLength: 1 << 16, maxDepth: 4 }, CONFIG_FILE)
  } catch (e) {
    bad(`${CONFIG_FILE}: ${(e as CivicError).detail ?? String(e)}`)
  }
  const { origin, logKey, root, witnesses, quorum, url } = readShape(o, CONFIG_SHAPE, CONFIG_FILE, CONFIG_ERROR)
  const ws = witnesses.map((w, i) => {
    const { url, vkey } = readShape(w, { url: 'string', vkey: 'string' }, `${CONFIG_FILE}.witnesses[${i}]`, CONFIG_ERROR)
    return { url, vkey }
  })
  if (quorum > ws.length) bad(`${CONFIG_FILE}: quorum must be 0..${ws.length}`)
  let signer: SignerKey
  let witnessKeys: VerifierKey[]
  try {
    signer = parseSignerKey(logKey)
    witnessKeys = ws.map((w) => parseVerifierKey(w.vkey))
  } catch (e) {
    bad(`${CONFIG_FILE}: ${(e as CivicError).detail}`)
  }
  if (witnessKeys.some((k) => k.type !== SIG_TYPE_COSIGNATURE_V1)) bad(`${CONFIG_FILE}: witness keys must be cosignature/v1 keys`)
  if (signer.name !== origin) bad(`${CONFIG_FILE}: the log key's name must be the origin`)
  const cfg: ParsedLedgerConfig = { origin, logKey, root, witnesses: ws, quorum, signer, witnessKeys }
  if (url !== undefined) cfg.url = url
  return cfg
}

export async function readLedgerConfig(dataDir: string): Promise<ParsedLedgerConfig | null> {
  let text: string
  try {
    text = await readFile(join(dataDir, CONFIG_FILE), 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
    bad(`cannot read ${CONFIG_FILE}: ${(e as NodeJS.ErrnoException).code}`)
  }
  return parseLedgerConfig(text)
}

export async function writeLedgerConfig(dataDir: string, cfg: LedgerConfig): Promise<void> {
  const { origin, logKey, root, witnesses, quorum, url } = cfg
  const text = JSON.stringify({ origin, logKey, root, witnesses, quorum, ...(url ? { url } : {}) }, null, 2) + '\n'
  parseLedgerConfig(text)
  await writeFileDurably(dataDir, CONFIG_FILE, encodeUtf8(text), 0o600)
}

export function newLedgerConfig(origin: string, root: string): LedgerConfig {
  const { signerKey } = generateNoteKeys(origin)
  return { origin, logKey: signerKey, root, witnesses: [], quorum: 0 }
}

export function logVerifierKey(cfg: ParsedLedgerConfig): string {
  return formatVerifierKey(cfg.signer)
}
