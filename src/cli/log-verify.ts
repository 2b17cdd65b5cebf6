/**
 * `civic log verify <url|dir> --origin O --vkey K [--witness K …] [--quorum k] [--now N|no-clock]`:
 * an auditor's check of a whole tiled log — the checkpoint (log signature, witness quorum), every
 * tile and entry bundle, and the recomputed root. One JSON line; exit 0 only when all of it holds.
 * Cosignatures dated in the future do not count: the clock is the system's unless `--now` gives
 * seconds, or `--now no-clock` opts out by name (an archive read long after the fact).
 */
import { readFile, readdir, stat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { parseArgs } from 'node:util'
import { fail, failFrom, InputError, type Verdict } from '../core/errors.ts'
import { encodeBase64 } from '../core/bytes/base64.ts'
import type { CosignatureClock } from '../core/log/cosignature.ts'
import { parseLogPolicy, verifyCheckpointNote, type LogPolicy } from '../core/log/policy.ts'
import { treeHash } from '../core/log/merkle.ts'
import { bytesEqual } from '../core/bytes/compare.ts'
import {
  entryBundlePath, parseEntryBundle, parseHashTile, parseTilePath, tileHashReader, tilePath, verifyTiledLog,
  TILE_WIDTH, type TileFetcher, type TilePathRef,
} from '../core/log/tiles.ts'
import { intOption, printJson, UsageError } from './io.ts'

export const LOG_VERIFY_USAGE = 'civic log verify <url|dir> --origin O --vkey K [--witness K …] [--quorum k] [--now N|no-clock]'

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

/**
 * The log a positional names: a URL as it is; a directory that holds a checkpoint as it is; a
 * ledger's data directory (`civic ledger serve --data`, `<start data>/ledger`) by the log it
 * keeps in `log/`.
 */
async function logLocation(where: string): Promise<string> {
  if (/^https?:\/\//i.test(where)) return where
  const has = (p: string) => stat(p).then((s) => s.isFile(), () => false)
  if (!(await has(join(where, 'checkpoint'))) && (await has(join(where, 'log', 'checkpoint')))) return join(where, 'log')
  return where
}

export async function logCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  if (sub !== 'verify') throw new UsageError(sub ? `unknown command log ${sub}` : 'log needs a command')
  let parsed
  try {
    parsed = parseArgs({
      args: rest, allowPositionals: true, strict: true,
      options: { origin: { type: 'string' }, vkey: { type: 'string', multiple: true }, witness: { type: 'string', multiple: true }, quorum: { type: 'string' }, now: { type: 'string' } },
    })
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  const { values: o, positionals } = parsed
  if (positionals.length !== 1) throw new UsageError('give exactly one log: a URL or a directory')
  if (!o.origin || !o.vkey?.length) throw new UsageError('--origin and --vkey are required')
  const witnesses = o.witness ?? []
  const quorum = intOption(o.quorum, 'quorum') ?? witnesses.length
  // Cosignatures are judged at the system clock unless --now says otherwise (seconds, or no-clock).
  const now = o.now === 'no-clock' ? 'no-clock' : (intOption(o.now, 'now') ?? Math.floor(Date.now() / 1000))
  const v = await verifyLog(await logLocation(positionals[0]!), { origin: o.origin, logKeys: o.vkey, witnessKeys: witnesses, quorum }, now)
  if (v.ok) {
    printJson({ ok: true, ...v.value })
    return 0
  }
  printJson({ ok: false, code: v.code, detail: v.detail })
  return 1
}
