/** Caps applied to an SD-JWT before any hashing or signature work (RFC 9901 §10 leaves them to us). */
export interface SdJwtLimits {
  /** Longest accepted SD-JWT (+KB), in characters. */
  maxLength: number
  /** Most disclosures accepted in one SD-JWT. */
  maxDisclosures: number
  /** Deepest nesting of objects, arrays and disclosures inside disclosures. */
  maxDepth: number
}

export const DEFAULT_SD_JWT_LIMITS: SdJwtLimits = { maxLength: 256 * 1024, maxDisclosures: 512, maxDepth: 24 }
