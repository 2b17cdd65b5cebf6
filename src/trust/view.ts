/**
 * From the stored records to what the engine reads: the light client's state, the fold, the
 * checkpoint views. The store is the device's own, written by this engine with the fold and the
 * checkpoint it matches in one transaction. A sync (in its Worker) takes the fold back with the
 * kernel's strict parseRegistryState before it builds on it; opening checks only that the
 * records belong together (version, root, sizes), because a strict parse of a national
 * registry costs far more than the warm open may (≈ 90 µs per issuer), and IndexedDB gives back
 * exactly what was written or nothing. A damaged or foreign record is refused either way, and
 * the engine then starts over from the network. Signatures on the stored notes are read again
 * only for the cosigners' times, never re-judged against the clock.
 */
import { InputError } from '../core/errors.ts'
import { checkpointTime } from '../core/log/freshness.ts'
import { emptyLightClientState, parseLightClientState, type LightClientState } from '../core/log/light-client.ts'
import { verifyCheckpointNote } from '../core/log/policy.ts'
import type { SyncEdge } from '../core/log/sync.ts'
import { createRegistryState, parseRegistryState, REGISTRY_STATE_VERSION, type RegistryState } from '../core/registry/state.ts'
import type { StoredCheckpoint, StoredTrust } from '../store/trust.ts'
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
    logs[c.origin] = { origin: c.origin, size: c.size, rootHash: c.rootHash, checkpointNote: c.checkpointNote }
  }
  const client = Object.keys(logs).length ? parseLightClientState({ ...emptyLightClientState(), logs }) : emptyLightClientState()
  const fold = !s.registry ? createRegistryState(config.root) : strict ? parseRegistryState(s.registry) : trusted(s.registry)
  if (fold.root.did !== config.root) throw new InputError('ERR_REG_STATE_INVALID', 'the stored registry has another root')
  const edge = s.edge ?? { size: 0, hashes: [] }
  const size = s.checkpoints.registry?.size ?? 0
  if (fold.size !== size || edge.size !== size) throw new InputError('ERR_REG_STATE_INVALID', `the stored fold (${fold.size}), edge (${edge.size}) and checkpoint (${size}) disagree`)
  const held = s.bundles.reduce((n, b) => n + b.entries.length, 0)
  if (held !== size) throw new InputError('ERR_REG_STATE_INVALID', `the store holds ${held} registry entries, the checkpoint ${size}`)
  return { client, fold, edge }
}

export function checkpointView(config: TrustConfig, log: LogName, c: StoredCheckpoint | undefined): CheckpointView | null {
  if (!c) return null
  const policy = config[log]
  const v = verifyCheckpointNote(c.checkpointNote, policy, 'no-clock')
  const cosigners = v.ok ? v.value.cosigners.map((x) => ({ name: x.name, keyId: x.keyId, time: x.timestampSeconds })) : []
  return {
    log, origin: c.origin, size: c.size, rootHash: c.rootHash, note: c.checkpointNote, cosigners,
    witnessedAt: v.ok ? checkpointTime(v.value, policy.quorum) : null, verifiedAt: c.verifiedAt,
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

export function entriesOf(s: StoredTrust): RegistryEntryView[] {
  const out: RegistryEntryView[] = []
  for (const b of [...s.bundles].sort((x, y) => x.n - y.n)) {
    b.entries.forEach((bytes, i) => {
      const v = b.views[i]!
      out.push({ index: b.n * 256 + i, type: v.type, iss: v.iss, sub: v.sub, time: v.time, bytes })
    })
  }
  return out
}

/** The stored fold as it is, once it is the kind of record this engine writes. */
function trusted(v: RegistryState): RegistryState {
  const ok = typeof v === 'object' && v !== null && v.version === REGISTRY_STATE_VERSION && typeof v.root?.did === 'string' &&
    Number.isSafeInteger(v.size) && [v.issuers, v.verifiers, v.anchors].every((m) => typeof m === 'object' && m !== null)
  if (!ok) throw new InputError('ERR_REG_STATE_INVALID', 'the stored registry is not a registry this engine wrote')
  return v
}
