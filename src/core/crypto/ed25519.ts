/**
 * Raw Ed25519 (RFC 8032) over 32-byte keys, for signed notes and witness cosignatures
 * (c2sp.org/signed-note, c2sp.org/tlog-cosignature), where keys are bare bytes, not JWKs.
 *
 * Verification is strict RFC 8032 §5.1.7: canonical encodings of R and A (no ZIP-215
 * leniency), S < L checked before any curve work, and public keys of small order refused,
 * so one message has one valid signature per key. `verifyEd25519` never throws.
 *
 * The same few keys sign everything a log client checks (the log's key and its witnesses',
 * on every checkpoint). noble's `ed25519.verify` takes key bytes, so it decodes A and computes
 * [k]A from scratch each time (about 1.7 ms here). We keep the decoded points of recently used
 * keys and, from a key's third use, a wNAF table for it, which makes a verification about four
 * times cheaper. Because noble offers no verify over a decoded point, its cofactored
 * equation ([8]([S]B) = [8]R + [8][k]A, the same lines as noble's `verify`) is written out
 * below over noble's own point arithmetic; a differential test holds it equal to
 * `ed25519.verify` on valid, damaged and small-order inputs, on both paths.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { bytesToNumberLE } from '@noble/curves/utils.js'
import { sha512 } from '@noble/hashes/sha2.js'
import { toHex } from '../bytes/compare.ts'
import { systemRandom, type RandomSource } from './hash.ts'

type EdPoint = InstanceType<typeof ed25519.Point>
const Point = ed25519.Point

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

/** A key as last decoded: its point (null when it is not a usable key) and how often it was asked for. */
interface KnownKey {
  readonly point: EdPoint | null
  uses: number
}
const KNOWN = new Map<string, KnownKey>()
const KNOWN_MAX = 64
/** From this use on, a key gets its precomputed table (about 9 ms once, then ~4× faster [k]A). */
const TABLE_FROM_USE = 3
const TABLE_WINDOW = 6

/** The decoded point of a canonical, non-small-order 32-byte key, or null. */
function knownPoint(publicKey: Uint8Array): EdPoint | null {
  const id = toHex(publicKey)
  let k = KNOWN.get(id)
  if (!k) {
    let point: EdPoint | null = null
    try {
      const p = Point.fromBytes(publicKey, false)
      point = p.isSmallOrder() ? null : p
    } catch {
      point = null
    }
    k = { point, uses: 0 }
    if (KNOWN.size >= KNOWN_MAX) KNOWN.delete(KNOWN.keys().next().value!)
    KNOWN.set(id, k)
  }
  if (k.point && ++k.uses === TABLE_FROM_USE) k.point.precompute(TABLE_WINDOW, false)
  return k.point
}

/** True when `publicKey` is 32 bytes encoding a curve point (canonically) not of small order. */
export function isEd25519PublicKey(publicKey: unknown): publicKey is Uint8Array {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) return false
  return knownPoint(publicKey) !== null
}

/** True only when `sig64` is a valid strict RFC 8032 signature of `message` by `publicKey32`. */
export function verifyEd25519(publicKey32: Uint8Array, message: Uint8Array, sig64: Uint8Array): boolean {
  if (!(sig64 instanceof Uint8Array) || sig64.length !== 64 || !(message instanceof Uint8Array)) return false
  if (!(publicKey32 instanceof Uint8Array) || publicKey32.length !== 32) return false
  if (!sBelowL(sig64)) return false
  const A = knownPoint(publicKey32)
  if (!A) return false
  try {
    const r = sig64.subarray(0, 32)
    const R = Point.fromBytes(r, false)
    const SB = Point.BASE.multiplyUnsafe(bytesToNumberLE(sig64.subarray(32)))
    const k = Point.Fn.create(bytesToNumberLE(sha512.create().update(r).update(publicKey32).update(message).digest()))
    return R.add(A.multiplyUnsafe(k)).subtract(SB).clearCofactor().is0()
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
