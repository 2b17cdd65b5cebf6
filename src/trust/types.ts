/**
 * What the trust engine shows the roles. Times are seconds. Everything is plain
 * data made by the engine: a UI may hold it in `$state.raw` and never needs to copy it.
 */
import type { ErrorCode } from '../core/errors.ts'
import type { MisbehaviourEvidence } from '../core/log/light-client.ts'
import type { RegistryEntry } from '../core/registry/entry.ts'
import type { IssuerRecord, VerifierRecord } from '../core/registry/state.ts'

export type LogName = 'registry' | 'status'

export interface CheckpointView {
  log: LogName
  origin: string
  size: number
  /** Standard base64 of the root hash (as in the checkpoint). */
  rootHash: string
  /** The signed, cosigned note as verified. */
  note: string
  /** The configured witnesses whose cosignatures verified, with their timestamps. */
  cosigners: { name: string; keyId: number; time: number }[]
  /** checkpointTime: when a quorum of witnesses had cosigned this tree (null: quorum 0). */
  witnessedAt: number | null
  /** When this client last verified it as the log's current checkpoint. */
  verifiedAt: number
}

export interface TrustSnapshot {
  /** A registry checkpoint has been verified and folded (reads mean something). */
  ready: boolean
  registry: CheckpointView | null
  status: CheckpointView | null
  /** After each sync that moved a log, oldest first. */
  history: { at: number; registrySize: number; statusSize: number }[]
  issuers: IssuerRecord[]
  verifiers: VerifierRecord[]
  /** Misbehaviour seen (rollback, fork, inconsistent), oldest first; `log` names which log. */
  evidence: (MisbehaviourEvidence & { log: LogName })[]
  lastSyncAt: number | null
  /** Every configured witness, with its newest verified cosignature on either log. */
  witnesses: { name: string; keyId: number; lastCosignedAt: number | null }[]
}

export interface RegistryEntryView {
  index: number
  type: RegistryEntry['type']
  /** Who signed it (the root DID, or the entity). */
  iss: string
  /** Whom it is about (null for a status anchor). */
  sub: string | null
  /** The entry's own time: validFrom of an accreditation or registration, else iat. */
  time: number
  /** The entry exactly as in the log. */
  bytes: Uint8Array
}

export interface SyncProgressView {
  log: LogName
  /** New entries received so far / in all (0 / 0 for the status log, which is never replayed). */
  entries: number
  totalEntries: number
  /** Bytes received so far for this log. */
  bytes: number
}

export interface LogSyncReport {
  ok: boolean
  size: number
  /** New entries folded (registry only). */
  newEntries: number
  bytes: number
  requests: number
  /** The tree grew. */
  changed: boolean
  /** Same tree, newer witness cosignatures. */
  refreshed: boolean
  code?: ErrorCode
  detail?: string
}

export interface SyncReport {
  at: number
  registry: LogSyncReport
  status: LogSyncReport
  /** Both logs together. */
  bytes: number
  requests: number
}

/** A status list the engine holds: its latest anchor, proven, and the anchored token. */
export interface StatusListView {
  uri: string
  iss: string
  version: number
  /** Status log index of the anchor. */
  index: number
  iat: number
  ttl: number
  /** When the anchor (or the token, whichever first) goes stale. */
  staleAt: number
  /** Entries in the list. */
  size: number
  fetchedAt: number
}

export interface StatusFreshness {
  /** Seconds after which this verdict can no longer be given (null when nothing is held). */
  staleAt: number | null
  /** When a witness quorum had cosigned the registry view that judged it. */
  registryAt: number | null
  /** The anchor's iat and version, when one is held. */
  anchoredAt: number | null
  version: number | null
}

export type StatusVerdict =
  | ({ state: 'valid' | 'invalid' | 'suspended'; code: null; detail: '' } & StatusFreshness)
  | ({ state: 'unknown'; code: ErrorCode; detail: string } & StatusFreshness)
