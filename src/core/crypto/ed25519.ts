/**
 * Raw Ed25519 (RFC 8032) over 32-byte keys, for signed notes and witness cosignatures
 * (c2sp.org/signed-note, c2sp.org/tlog-cosignature), where keys are bare bytes, not JWKs.
 *
 * Verification is strict RFC 8032 §5.1.7: canonical encodings of R and A (no ZIP-215
 * leniency), S < L checked before any curve work, and public keys of small order refused,
 * so one message has one valid signature per key. `verifyEd25519` never throws.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { systemRandom, type RandomSource } from './hash.ts'

/** Ed25519 group order L, little-endian (as S is encoded). */
const L_LE = Uint8Array.from([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
])

/** True when sig[32..64), read little-endian, is below L. */
function sBelowL(sig: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const d = sig[32 + i]! - L_LE[i]!
    if (d !== 0) return d < 0
  }
  return false
}

/** True when `publicKey` is 32 bytes encoding a curve point (canonically) not of small order. */
export function isEd25519PublicKey(publicKey: unknown): publicKey is Uint8Array {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) return false
  try {
    return !ed25519.Point.fromBytes(publicKey, false).isSmallOrder()
  } catch {
    return false
  }
}

/** True only when `sig64` is a valid strict RFC 8032 signature of `message` by `publicKey32`. */
export function verifyEd25519(publicKey32: Uint8Array, message: Uint8Array, sig64: Uint8Array): boolean {
  if (!(sig64 instanceof Uint8Array) || sig64.length !== 64 || !(message instanceof Uint8Array)) return false
  if (!sBelowL(sig64)) return false
  if (!isEd25519PublicKey(publicKey32)) return false
  try {
    return ed25519.verify(sig64, message, publicKey32, { zip215: false })
  } catch {
    return false
  }
}

function assertSecret(secret32: Uint8Array): void {
  if (!(secret32 instanceof Uint8Array) || secret32.length !== 32) throw new TypeError('secret32 must be a 32-byte Uint8Array')
}

/** RFC 8032 §5.1.6 signature (64 bytes) of `message` under the 32-byte seed `secret32`. */
export function signEd25519(secret32: Uint8Array, message: Uint8Array): Uint8Array {
  assertSecret(secret32)
  return ed25519.sign(message, secret32)
}

/** The 32-byte public key of a 32-byte seed (RFC 8032 §5.1.5). */
export function ed25519PublicKey(secret32: Uint8Array): Uint8Array {
  assertSecret(secret32)
  return ed25519.getPublicKey(secret32)
}

/** A new key pair; `random` is the kernel's randomness, passed in (the system CSPRNG by default). */
export function generateEd25519(random: RandomSource = systemRandom): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const secretKey = random(32)
  if (secretKey.length !== 32) throw new RangeError('random source returned the wrong number of bytes')
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) }
}
