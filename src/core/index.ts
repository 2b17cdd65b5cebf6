/**
 * The public library API of the Civic Wallet kernel (documented in README). Pure TypeScript:
 * runs alike in the browser, a worker and Node; clock and randomness come in as arguments.
 */
export { ERROR_CODES, CivicError, InputError, isErrorCode, type ErrorCode, type Verdict, type Failure } from './errors.ts'

export { encodeBase64url, decodeBase64url, isBase64url } from './bytes/base64url.ts'
export { parseJson, parseJsonObject, type JsonValue, type JsonObject, type JsonLimits } from './bytes/json.ts'
export { readShape, type Shape, type ShapeOf, type MemberKind } from './bytes/shape.ts'
export { encodeUtf8, decodeUtf8 } from './bytes/utf8.ts'

export { sha256, systemRandom, type RandomSource } from './crypto/hash.ts'
export {
  parsePublicJwk, parsePrivateJwk, publicJwkOf, jwkThumbprint, generatePrivateJwk,
  type PublicJwk, type PrivateJwk, type JwsAlg,
} from './crypto/jwk.ts'
export { PublicKey, signerFromPrivateJwk, signerFromCryptoKeyPair, generateCryptoKeyPair, type Signer } from './crypto/keys.ts'
export { didKeyFromJwk, didJwkFromJwk, resolveDidKey, type ResolvedKey } from './crypto/did.ts'

export { parseCompactJws, verifyCompactJws, signCompactJws, type CompactJws, type JwsKeyResolver } from './jose/jws.ts'

export { issueSdJwt, type IssueSdJwtInput, type IssuedSdJwt } from './sdjwt/issue.ts'
export { issueSdJwtVc, type IssueSdJwtVcInput } from './sdjwt/vc.ts'
export { presentSdJwt, selectDisclosures, type PresentOptions } from './sdjwt/present.ts'
export { verifySdJwt, SD_JWT_VC_TYP, SD_JWT_VC_PLAIN_CLAIMS, type VerifySdJwtOptions, type VerifiedSdJwt, type SdJwtProfile } from './sdjwt/verify.ts'
export { parseDisclosureFrame, parsePresentationFrame, type DisclosureFrame, type PresentationFrame } from './sdjwt/frame.ts'
export { DEFAULT_SD_JWT_LIMITS, type SdJwtLimits } from './sdjwt/limits.ts'

export { issueVcJwt, verifyVcJwt, type IssueVcInput, type VerifyVcOptions, type VerifiedVc } from './vc/vc-jwt.ts'
export { issueVpJwt, verifyVpJwt, type IssueVpInput, type VerifyVpOptions, type VerifiedVp } from './vc/vp-jwt.ts'
export { createResolver, defaultResolver } from './vc/resolver.ts'

export { encodeBase64, decodeBase64 } from './bytes/base64.ts'
export { bytesEqual } from './bytes/compare.ts'

export { parseNote, formatNote, signNote, parseVerifierKey, formatVerifierKey, generateNoteKeys } from './log/note.ts'
export { parseCheckpoint, formatCheckpoint, type Checkpoint } from './log/checkpoint.ts'
export type { CosignatureClock } from './log/cosignature.ts'
export { parseLogPolicy, verifyCheckpointNote, type LogPolicy, type TrustedCheckpoint } from './log/policy.ts'
export { hashLeaf, verifyInclusion, verifyConsistency, proveInclusion, proveConsistency, CompactRange } from './log/merkle.ts'
export { tilePath, entryBundlePath, parseTilePath, verifyTiledLog, tileHashReader } from './log/tiles.ts'
export { parseTlogProof, formatTlogProof, verifyTlogProof } from './log/proof.ts'
export { LightClient, emptyLightClientState, parseLightClientState, type LightClientState } from './log/light-client.ts'
export { syncLog, type SyncEdge, type SyncProgress, type SyncResult } from './log/sync.ts'

export { parseEntry, type RegistryEntry } from './registry/entry.ts'
export {
  createIssuerAccreditationEntry, createVerifierRegistrationEntry, createStatusAnchorEntry, createKeyChangeEntry,
  createSuspensionEntry, statusListDigest, type EntrySigner,
} from './registry/create.ts'
export {
  createRegistryState, parseRegistryState, checkIssuer, checkVerifier, issuerAccreditation, verifierRegistration,
  statusAnchor, type RegistryState,
} from './registry/state.ts'
export { verifyEntry } from './registry/verify.ts'
export { foldEntry, foldEntries } from './registry/fold.ts'
export { registryDidResolver, registryResolver, sdJwtIssuerKeyResolver } from './registry/resolvers.ts'
