/**
 * `civic log verify`: an auditor's checks, one JSON line each, exit 0 only when all of it holds.
 *
 *   civic log verify <ledger url|data dir> --registry-vkey K --status-vkey K [--name N] [--witness K …] [--quorum k]
 *     both logs of a ledger (`<url>registry/` and `<url>status/`, or `<dir>/registry` and
 *     `<dir>/status`), each as the plain tlog it is: the checkpoint (log signature, witness
 *     quorum), every tile and entry bundle, and the recomputed root. The origins are the key
 *     names (`<name>/registry`, `<name>/status`); `--name` checks them.
 *   civic log verify <url|dir> --origin O --vkey K [--witness K …] [--quorum k]
 *     any one tiled log (another implementation's too).
 *   civic log verify --evidence <file>
 *     a misbehaviour evidence file, as the trust engine exports it (TrustEngine.exportEvidence):
 *
 *       { "format": "civic-trust-evidence/v1",
 *         "policies": { "<origin>": { "logKeys": ["<vkey>", …], "witnessKeys": ["<vkey>", …], "quorum": k }, … },
 *         "evidence": [ { "kind": "fork" | "rollback" | "inconsistent", "origin": "<origin>",
 *                         "trustedNote": "<checkpoint note>", "offeredNote": "<checkpoint note>",
 *                         "consistencyProof": ["<base64 hash>", …], "detail": "…", "observedAtSeconds"?: n }, … ] }
 *
 *     (each item is core/log/light-client.ts MisbehaviourEvidence; every member exactly as
 *     shown, no others). An item holds when both notes verify under the policy of its origin
 *     (log key and witness quorum) and the contradiction is real: fork — the same size, other
 *     roots; rollback — the offered tree is smaller; inconsistent — the offered tree is larger
 *     and the consistency proof from the trusted one fails. Anything else is
 *     ERR_LOG_EVIDENCE_INVALID (or the note's own code), with the item's index.
 *
 * Cosignatures dated in the future do not count: the clock is the system's unless `--now` gives
 * seconds, or `--now no-clock` opts out by name (an archive read long after the fact).
 */
import { readFile, readdir, stat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { parseArgs } from 'node:util'
import { fail, failFrom, InputError, ok, type Verdict } from '../core/errors.ts'
import { decodeBase64, encodeBase64 } from '../core/bytes/base64.ts'
import { parseJsonObject } from '../core/bytes/json.ts'
import { readShape } from '../core/bytes/shape.ts'
import type { CosignatureClock } from '../core/log/cosignature.ts'
import type { MisbehaviourEvidence } from '../core/log/light-client.ts'
import { parseVerifierKey } from '../core/log/note.ts'
import { parseLogPolicy, verifyCheckpointNote, type LogPolicy } from '../core/log/policy.ts'
import { HASH_SIZE, treeHash, verifyConsistency } from '../core/log/merkle.ts'
import { bytesEqual } from '../core/bytes/compare.ts'
import {
  entryBundlePath, parseEntryBundle, parseHashTile, parseTilePath, tileHashReader, tilePath, verifyTiledLog,
  TILE_WIDTH, type TileFetcher, type TilePathRef,
} from '../core/log/tiles.ts'
import { intOption, printJson, UsageError } from './io.ts'

export const LOG_VERIFY_USAGE = `civic log verify <ledger url|dir> --registry-vkey K --status-vkey K [--name N] [--witness K …] [--quorum k] [--now N|no-clock]
civic log verify <url|dir> --origin O --vkey K [--witness K …] [--quorum k] [--now N|no-clock]
civic log verify --evidence <file> [--now N|no-clock]`

export const EVIDENCE_FORMAT = 'civic-trust-evidence/v1'

function fetcherFor(source: string): TileFetcher {
  if (/^https?:\/\//.test(source)) {
    const base = source.endsWith('/') ? source : `${source}/`
    return async (path) => {
      const r = await fetch(new URL(path, base), { redirect: 'error' })
      if (r.status !== 200) throw new Error(`GET ${path}: HTTP ${r.status}`)
      return new Uint8Array(await r.arrayBuffer())
    }
  }
  return async (path) => new Uint8Array(await readFile(join(source, path)))
}

export async function verifyLog(source: string, policy: Parameters<typeof parseLogPolicy>[0], now: CosignatureClock): Promise<Verdict<Record<string, unknown>>> {
  let p
  try {
    p = parseLogPolicy(policy)
  } catch (e) {
    return failFrom(e)
  }
  const fetcher = fetcherFor(source)
  let note: Uint8Array
  try {
    note = await fetcher('checkpoint')
  } catch (e) {
    return fail('ERR_LOG_FETCH_FAILED', `checkpoint: ${(e as Error).message}`)
  }
  const cp = verifyCheckpointNote(note, p, now)
  if (!cp.ok) return cp
  const { size, rootHash } = cp.value.checkpoint
  const tiles = await verifyTiledLog(fetcher, { size, rootHash })
  if (!tiles.ok) return tiles
  if (!/^https?:\/\//.test(source)) {
    const archive = await verifyArchive(source, size, fetcher, p, now)
    if (!archive.ok) return archive
  }
  return {
    ok: true,
    value: { origin: p.origin, size, root: encodeBase64(rootHash), cosigners: cp.value.cosigners.map((c) => c.name) },
  }
}

/**
 * A log kept as a directory may hold more than the latest tree: the partial tiles and bundles
 * of every earlier size, and earlier checkpoints. Every such file must be a prefix of the
 * verified tree's own tile or bundle, and every `checkpoint.<n>` must verify and commit to the
 * verified tree's first n entries; anything else under the directory's tile/ is refused.
 */
async function verifyArchive(dir: string, size: number, fetch: TileFetcher, policy: LogPolicy, now: CosignatureClock): Promise<Verdict<true>> {
  const reader = tileHashReader(size, fetch)
  const latest = async (ref: TilePathRef): Promise<Uint8Array[]> => {
    const count = ref.kind === 'entries' ? size : Math.floor(size / TILE_WIDTH ** ref.level)
    const width = Math.min(TILE_WIDTH, count - ref.index * TILE_WIDTH)
    if (width < ref.width) throw new InputError('ERR_LOG_TILE_MISMATCH', 'a tile beyond the checkpoint')
    if (ref.kind === 'entries') return parseEntryBundle(await fetch(entryBundlePath({ index: ref.index, width })), width)
    return parseHashTile(await fetch(tilePath({ level: ref.level, index: ref.index, width })), width)
  }
  try {
    for (const file of await walk(join(dir, 'tile'))) {
      const path = `tile/${relative(join(dir, 'tile'), file).split(sep).join('/')}`
      const ref = parseTilePath(path)
      const want = (await latest(ref)).slice(0, ref.width)
      const bytes = new Uint8Array(await readFile(file))
      const got = ref.kind === 'entries' ? parseEntryBundle(bytes, ref.width) : parseHashTile(bytes, ref.width)
      if (!got.every((g, i) => bytesEqual(g, want[i]!))) return fail('ERR_LOG_TILE_MISMATCH', `${path} disagrees with the verified tree`)
    }
    for (const name of await readdir(dir)) {
      const m = /^checkpoint\.(0|[1-9][0-9]*)$/.exec(name)
      if (!m) continue
      const cp = verifyCheckpointNote(new Uint8Array(await readFile(join(dir, name))), policy, now)
      if (!cp.ok) return fail(cp.code, `${name}: ${cp.detail}`)
      const n = cp.value.checkpoint.size
      if (String(n) !== m[1] || n > size) return fail('ERR_LOG_ROOT_MISMATCH', `${name} is a checkpoint of size ${n}`)
      if (!bytesEqual(await treeHash(n, reader), cp.value.checkpoint.rootHash)) return fail('ERR_LOG_ROOT_MISMATCH', `${name} is not a prefix of the verified tree`)
    }
  } catch (e) {
    return failFrom(e)
  }
  return { ok: true, value: true }
}

async function walk(d: string): Promise<string[]> {
  let names: string[]
  try {
    names = await readdir(d)
  } catch {
    return []
  }
  const out: string[] = []
  for (const n of names) {
    const p = join(d, n)
    if ((await stat(p)).isDirectory()) out.push(...(await walk(p)))
    else out.push(p)
  }
  return out
}

export interface LedgerKeys {
  /** The ledger's name: the origins must be `<name>/registry` and `<name>/status`. Default: from the keys. */
  name?: string
  registryKeys: readonly string[]
  statusKeys: readonly string[]
  witnessKeys?: readonly string[]
  quorum?: number
}

/** The origin a log verifier key names (its key name), or a usage error. */
function originOf(keys: readonly string[], flag: string): string {
  if (keys.length === 0) throw new UsageError(`${flag} is required`)
  const names = new Set(keys.map((k) => {
    try {
      return parseVerifierKey(k).name
    } catch (e) {
      throw new UsageError(`${flag}: ${(e as InputError).detail ?? String(e)}`)
    }
  }))
  if (names.size !== 1) throw new UsageError(`${flag}: every key of one log names its origin, and these name ${[...names].join(', ')}`)
  return [...names][0]!
}

/** Where one of a ledger's logs is: `<url>/<log>/` or `<dir>/<log>`. */
function logOf(source: string, log: 'registry' | 'status'): string {
  if (/^https?:\/\//i.test(source)) return new URL(`${log}/`, source.endsWith('/') ? source : `${source}/`).href
  return join(source, log)
}

/** Both logs of a ledger, each as a plain tlog (verifyLog). */
export async function verifyLedger(source: string, keys: LedgerKeys, now: CosignatureClock): Promise<Verdict<{ name: string; registry: Record<string, unknown>; status: Record<string, unknown> }>> {
  let registryOrigin: string
  let statusOrigin: string
  try {
    registryOrigin = originOf(keys.registryKeys, '--registry-vkey')
    statusOrigin = originOf(keys.statusKeys, '--status-vkey')
  } catch (e) {
    return failFrom(e)
  }
  const name = keys.name ?? registryOrigin.replace(/\/registry$/, '')
  if (registryOrigin !== `${name}/registry`) return fail('ERR_LOG_ORIGIN_MISMATCH', `the registry log key names ${registryOrigin}, not ${name}/registry`)
  if (statusOrigin !== `${name}/status`) return fail('ERR_LOG_ORIGIN_MISMATCH', `the status log key names ${statusOrigin}, not ${name}/status`)
  const common = { ...(keys.witnessKeys ? { witnessKeys: keys.witnessKeys } : {}), ...(keys.quorum !== undefined ? { quorum: keys.quorum } : {}) }
  const registry = await verifyLog(logOf(source, 'registry'), { origin: registryOrigin, logKeys: keys.registryKeys, ...common }, now)
  if (!registry.ok) return fail(registry.code, `registry log: ${registry.detail}`)
  const status = await verifyLog(logOf(source, 'status'), { origin: statusOrigin, logKeys: keys.statusKeys, ...common }, now)
  if (!status.ok) return fail(status.code, `status log: ${status.detail}`)
  return ok({ name, registry: registry.value, status: status.value })
}

function badEvidence(detail: string): never {
  throw new InputError('ERR_LOG_EVIDENCE_INVALID', detail)
}

const EVIDENCE_ITEM_SHAPE = {
  kind: 'string', origin: 'text', trustedNote: 'text', offeredNote: 'text', consistencyProof: 'array', detail: 'string', observedAtSeconds: 'uint?',
} as const

/** The file's policies and items, read strictly (InputError ERR_LOG_EVIDENCE_INVALID, ERR_JSON_*, ERR_NOTE_KEY_INVALID). */
export function parseEvidenceFile(text: string): { policies: Map<string, LogPolicy>; evidence: MisbehaviourEvidence[] } {
  const o = readShape(parseJsonObject(text, { maxLength: 16 << 20, maxDepth: 8 }, 'the evidence file'), { format: 'text', policies: 'object', evidence: 'array' }, 'evidence file', 'ERR_LOG_EVIDENCE_INVALID')
  if (o.format !== EVIDENCE_FORMAT) badEvidence(`format ${JSON.stringify(o.format).slice(0, 60)} is not ${EVIDENCE_FORMAT}`)
  const policies = new Map<string, LogPolicy>()
  for (const [origin, v] of Object.entries(o.policies)) {
    const p = readShape(v, { logKeys: 'array', witnessKeys: 'array', quorum: 'uint' }, `policies[${JSON.stringify(origin).slice(0, 80)}]`, 'ERR_LOG_EVIDENCE_INVALID')
    if (!p.logKeys.every((k) => typeof k === 'string') || !p.witnessKeys.every((k) => typeof k === 'string')) badEvidence(`policy of ${origin}: keys are strings`)
    policies.set(origin, parseLogPolicy({ origin, logKeys: p.logKeys as string[], witnessKeys: p.witnessKeys as string[], quorum: p.quorum }))
  }
  const evidence = o.evidence.map((x, i): MisbehaviourEvidence => {
    const e = readShape(x, EVIDENCE_ITEM_SHAPE, `evidence[${i}]`, 'ERR_LOG_EVIDENCE_INVALID')
    if (e.kind !== 'fork' && e.kind !== 'rollback' && e.kind !== 'inconsistent') badEvidence(`evidence[${i}]: kind ${JSON.stringify(e.kind).slice(0, 40)}`)
    if (!e.consistencyProof.every((h) => typeof h === 'string')) badEvidence(`evidence[${i}]: proof hashes are base64 strings`)
    const out: MisbehaviourEvidence = { kind: e.kind, origin: e.origin, trustedNote: e.trustedNote, offeredNote: e.offeredNote, consistencyProof: e.consistencyProof as string[], detail: e.detail }
    if (e.observedAtSeconds !== undefined) out.observedAtSeconds = e.observedAtSeconds
    return out
  })
  return { policies, evidence }
}

export interface EvidenceItemReport {
  index: number
  kind: MisbehaviourEvidence['kind']
  origin: string
  trustedSize: number
  offeredSize: number
}

/** Every item of an evidence file proves what it claims (see the file comment), or why not. */
export function verifyEvidence(text: string, now: CosignatureClock): Verdict<{ format: string; items: EvidenceItemReport[] }> {
  let file
  try {
    file = parseEvidenceFile(text)
  } catch (e) {
    return failFrom(e)
  }
  const items: EvidenceItemReport[] = []
  for (const [index, e] of file.evidence.entries()) {
    const at = `evidence[${index}] (${e.kind}, ${e.origin.slice(0, 80)})`
    const policy = file.policies.get(e.origin)
    if (!policy) return fail('ERR_LOG_EVIDENCE_INVALID', `${at}: the file names no policy for this origin`)
    const trusted = verifyCheckpointNote(e.trustedNote, policy, now)
    if (!trusted.ok) return fail(trusted.code, `${at}: the trusted note: ${trusted.detail}`)
    const offered = verifyCheckpointNote(e.offeredNote, policy, now)
    if (!offered.ok) return fail(offered.code, `${at}: the offered note: ${offered.detail}`)
    const t = trusted.value.checkpoint
    const o = offered.value.checkpoint
    if (e.kind === 'fork') {
      if (o.size !== t.size) return fail('ERR_LOG_EVIDENCE_INVALID', `${at}: a fork needs two trees of one size, not ${t.size} and ${o.size}`)
      if (bytesEqual(o.rootHash, t.rootHash)) return fail('ERR_LOG_EVIDENCE_INVALID', `${at}: both notes commit to the same tree`)
    } else if (e.kind === 'rollback') {
      if (!(o.size < t.size)) return fail('ERR_LOG_EVIDENCE_INVALID', `${at}: the offered tree (${o.size}) is not smaller than the trusted one (${t.size})`)
    } else {
      if (!(o.size > t.size) || t.size === 0) return fail('ERR_LOG_EVIDENCE_INVALID', `${at}: an inconsistency needs a larger offered tree over a non-empty trusted one (${t.size} → ${o.size})`)
      const proof = e.consistencyProof.map((h) => decodeBase64(h))
      const wellFormed = proof.every((h): h is Uint8Array<ArrayBuffer> => h !== null && h.length === HASH_SIZE)
      if (wellFormed && verifyConsistency({ size1: t.size, size2: o.size, proof, root1: t.rootHash, root2: o.rootHash }).ok) {
        return fail('ERR_LOG_EVIDENCE_INVALID', `${at}: the consistency proof holds: the trees are consistent`)
      }
    }
    items.push({ index, kind: e.kind, origin: e.origin, trustedSize: t.size, offeredSize: o.size })
  }
  return ok({ format: EVIDENCE_FORMAT, items })
}

export async function logCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  if (sub !== 'verify') throw new UsageError(sub ? `unknown command log ${sub}` : 'log needs a command')
  let parsed
  try {
    parsed = parseArgs({
      args: rest, allowPositionals: true, strict: true,
      options: {
        origin: { type: 'string' }, vkey: { type: 'string', multiple: true }, name: { type: 'string' },
        'registry-vkey': { type: 'string', multiple: true }, 'status-vkey': { type: 'string', multiple: true },
        witness: { type: 'string', multiple: true }, quorum: { type: 'string' }, now: { type: 'string' }, evidence: { type: 'string' },
      },
    })
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  const { values: o, positionals } = parsed
  // Cosignatures are judged at the system clock unless --now says otherwise (seconds, or no-clock).
  const now = o.now === 'no-clock' ? 'no-clock' : (intOption(o.now, 'now') ?? Math.floor(Date.now() / 1000))
  const report = (v: Verdict<Record<string, unknown>>): number => {
    if (v.ok) {
      printJson({ ok: true, ...v.value })
      return 0
    }
    printJson({ ok: false, code: v.code, detail: v.detail })
    return 1
  }
  if (o.evidence !== undefined) {
    if (positionals.length > 0 || o.origin || o.vkey || o['registry-vkey'] || o['status-vkey'] || o.witness || o.quorum || o.name) {
      throw new UsageError('--evidence takes only the file (and --now): the policies are in it')
    }
    let text: string
    try {
      text = await readFile(o.evidence, 'utf8')
    } catch (e) {
      throw new InputError('ERR_CLI_FILE', `cannot read the evidence file ${o.evidence}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`)
    }
    const v = verifyEvidence(text, now)
    return report(v.ok ? ok({ format: v.value.format, items: v.value.items }) : v)
  }
  if (positionals.length !== 1) throw new UsageError('give exactly one log or ledger: a URL or a directory')
  const witnesses = o.witness ?? []
  const quorum = intOption(o.quorum, 'quorum') ?? witnesses.length
  if (o['registry-vkey'] || o['status-vkey']) {
    if (o.origin || o.vkey) throw new UsageError('--origin/--vkey name one log; --registry-vkey/--status-vkey a ledger: not both')
    const v = await verifyLedger(positionals[0]!, {
      ...(o.name ? { name: o.name } : {}), registryKeys: o['registry-vkey'] ?? [], statusKeys: o['status-vkey'] ?? [], witnessKeys: witnesses, quorum,
    }, now)
    return report(v)
  }
  if (!o.origin || !o.vkey?.length) throw new UsageError('--registry-vkey and --status-vkey (a ledger), or --origin and --vkey (one log), are required')
  return report(await verifyLog(positionals[0]!, { origin: o.origin, logKeys: o.vkey, witnessKeys: witnesses, quorum }, now))
}
