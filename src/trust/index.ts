/**
 * The trust engine's public face: what the wallet, the counter and the explorer
 * read. Nothing else of src/trust or src/store is theirs to import.
 */
export { parseTrustConfig, statusListUrl, type StatusMirror, type TrustConfig, type TrustConfigSource } from './config.ts'
export { TrustEngine, EVIDENCE_FORMAT, type TrustEngineOptions } from './engine.ts'
export { REGISTRY_LAG_SECONDS, type StapledList } from './status.ts'
export type {
  CheckpointView, LogName, LogSyncReport, RegistryEntryView, StatusFreshness, StatusListView, StatusVerdict, SyncProgressView, SyncReport,
  TrustSnapshot,
} from './types.ts'
export type { IssuerRecord, VerifierRecord } from '../core/registry/state.ts'
export type { MisbehaviourEvidence } from '../core/log/light-client.ts'
export type { PublicJwk } from '../core/crypto/jwk.ts'
