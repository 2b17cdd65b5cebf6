/**
 * From the stored records to what the engine reads: the light client's state, the fold, the
 * checkpoint views. The store is the device's own, written by this engine with the fold and the
 * checkpoint it matches in one transaction. A sync (in its Worker) takes the fold back with the
 * kernel's strict parseRegistryState before it builds on it; opening checks only that the
 * records belong together (version, root, sizes), because a strict parse of a national
 * registry costs far more than the warm open may (≈ 90 µs per issuer), and IndexedDB gives back
 * exactly what was written or nothing. A damaged or foreign record is refused either way, and
 * the engine then starts over from the network. The cosigners and their times are kept with each
 * checkpoint as they were verified (`stamped`), so opening verifies no signature either.
 */
import { InputError } from '../core/errors.ts'
import { checkpointTime } from '../core/log/freshness.ts'
import { emptyLightClientState, parseLightClientState, type LightClientState, type TrustedLogState } from '../core/log/light-client.ts'
import { verifyCheckpointNote } from '../core/log/policy.ts'
import type { SyncEdge } from '../core/log/sync.ts'
import { createRegistryState, parseRegistryState, REGISTRY_STATE_VERSION, type RegistryState } from '../core/registry/state.ts'
import { TILE_WIDTH } from '../core/log/tiles.ts'
import type { StoredBundle, StoredCheckpoint, StoredTrust } from '../store/trust.ts'
import type { TrustConfig } from './config.ts'
import type { CheckpointView, LogName, RegistryEntryView, TrustSnapshot } from './types.ts'

export interface Restored {
  client: LightClientState
  fold: RegistryState
  edge: SyncEdge
}

/**
 * The verified state the records hold. `strict`: the fold is parsed record by record (a sync),
 * else checked for version, root and size (opening). Throws InputError when the records
 * disagree or do not parse.
 */
export function restore(config: TrustConfig, s: StoredTrust, strict = true): Restored {
  const logs: LightClientState['logs'] = {}
  for (const name of ['registry', 'status'] as const) {
    const c = s.checkpoints[name]
    if (!c) continue
    if (c.origin !== config[name].origin) throw new InputError('ERR_LOG_STATE_INVALID', `the stored ${name} checkpoint is for ${c.origin}`)
    if (!Array.isArray(c.cosigners) || !(c.witnessedAt === null || Number.isSafeInteger(c.witnessedAt))) throw new InputError('ERR_LOG_STATE_INVALID', `the stored ${name} checkpoint carries no verified cosigners`)
    logs[c.origin] = { origin: c.origin, size: c.size, rootHash: c.rootHash, checkpointNote: c.checkpointNote }
  }
  const client = Object.keys(logs).length ? parseLightClientState({ ...emptyLightClientState(), logs }) : emptyLightClientState()
  const fold = !s.registry ? createRegistryState(config.root) : strict ? parseRegistryState(s.registry) : trusted(s.registry)
  if (fold.root.did !== config.root) throw new InputError('ERR_REG_STATE_INVALID', 'the stored registry has another root')
  const edge = s.edge ?? { size: 0, hashes: [] }
  const size = s.checkpoints.registry?.size ?? 0
  if (fold.size !== size || edge.size !== size) throw new InputError('ERR_REG_STATE_INVALID', `the stored fold (${fold.size}), edge (${edge.size}) and checkpoint (${size}) disagree`)
  // Bundles 0 … ⌈size/256⌉ − 1, each full but the last: their keys here, their lengths in entriesOf.
  const bundles = Math.ceil(size / TILE_WIDTH)
  if (s.bundleKeys.length < bundles || s.bundleKeys.slice(0, bundles).some((k, i) => k !== i)) {
    throw new InputError('ERR_REG_STATE_INVALID', `the store holds registry bundles ${s.bundleKeys.length ? `${s.bundleKeys[0]}…${s.bundleKeys[s.bundleKeys.length - 1]}` : 'none'}, the checkpoint needs 0…${bundles - 1}`)
  }
  return { client, fold, edge }
}

/**
 * A checkpoint the light client just trusted, as the store keeps it: with the cosigners that
 * verified under the policy and when a quorum had cosigned, so that opening re-verifies nothing.
 */
export function stamped(config: TrustConfig, log: LogName, trusted: TrustedLogState, now: number): StoredCheckpoint {
  const policy = config[log]
  const v = verifyCheckpointNote(trusted.checkpointNote, policy, 'no-clock')
  if (!v.ok) throw new TypeError(`a trusted ${log} checkpoint that does not verify: ${v.code}`)
  const cosigners = v.value.cosigners.map((x) => ({ name: x.name, keyId: x.keyId, time: x.timestampSeconds }))
  return { ...trusted, verifiedAt: now, cosigners, witnessedAt: checkpointTime(v.value, policy.quorum) }
}

export function checkpointView(config: TrustConfig, log: LogName, c: StoredCheckpoint | undefined): CheckpointView | null {
  if (!c) return null
  return {
    log, origin: c.origin, size: c.size, rootHash: c.rootHash, note: c.checkpointNote, cosigners: c.cosigners.map((x) => ({ ...x })),
    witnessedAt: c.witnessedAt, verifiedAt: c.verifiedAt,
  }
}

export function snapshotOf(config: TrustConfig, s: StoredTrust, fold: RegistryState): TrustSnapshot {
  const registry = checkpointView(config, 'registry', s.checkpoints.registry)
  const status = checkpointView(config, 'status', s.checkpoints.status)
  const witnesses = config.registry.witnesses.map((w) => {
    const times = [registry, status].flatMap((cp) => cp?.cosigners.filter((c) => c.name === w.name && c.keyId === w.keyId).map((c) => c.time) ?? [])
    return { name: w.name, keyId: w.keyId, lastCosignedAt: times.length ? Math.max(...times) : null }
  })
  return {
    ready: registry !== null,
    registry,
    status,
    history: s.history.map((h) => ({ at: h.at, registrySize: h.registrySize, statusSize: h.statusSize })),
    issuers: Object.values(fold.issuers),
    verifiers: Object.values(fold.verifiers),
    evidence: s.evidence.map((e) => ({ ...e })),
    lastSyncAt: s.lastSyncAt,
    witnesses,
  }
}

/**
 * The first `size` registry entries from the stored bundles (ascending from bundle 0). More may
 * be stored (another tab synced further); fewer, or a gap, is a damaged store: InputError.
 */
export function entriesOf(bundles: readonly StoredBundle[], size: number): RegistryEntryView[] {
  const out: RegistryEntryView[] = []
  for (const b of bundles) {
    if (out.length >= size) break
    if (b.n * TILE_WIDTH !== out.length || b.entries.length !== b.views.length) throw new InputError('ERR_REG_STATE_INVALID', `registry bundle ${b.n} does not follow entry ${out.length}`)
    for (let i = 0; i < b.entries.length && out.length < size; i++) {
      const v = b.views[i]!
      out.push({ index: out.length, type: v.type, iss: v.iss, sub: v.sub, time: v.time, bytes: b.entries[i]! })
    }
    if (out.length < size && b.entries.length !== TILE_WIDTH) throw new InputError('ERR_REG_STATE_INVALID', `registry bundle ${b.n} holds ${b.entries.length} entries`)
  }
  if (out.length !== size) throw new InputError('ERR_REG_STATE_INVALID', `the store holds ${out.length} registry entries, the checkpoint ${size}`)
  return out
}

/** The stored fold as it is, once it is the kind of record this engine writes. */
function trusted(v: RegistryState): RegistryState {
  const ok = typeof v === 'object' && v !== null && v.version === REGISTRY_STATE_VERSION && typeof v.root?.did === 'string' &&
    Number.isSafeInteger(v.size) && [v.issuers, v.verifiers, v.anchors].every((m) => typeof m === 'object' && m !== null)
  if (!ok) throw new InputError('ERR_REG_STATE_INVALID', 'the stored registry is not a registry this engine wrote')
  return v
}
