/**
 * The passphrase KDF's parameters: what a vault uses, the floor and ceiling a stored record is
 * held to, and their strict reading. Apart from kdf.ts (the argon2id itself, the one importer of
 * hash-wasm) so that the page, which only reads and writes parameters, never bundles the hash.
 *
 * Parameters are stored beside the ciphertext they protect and read back strictly: a record
 * that asks for less than the floor is refused, so nobody who can write the store makes the
 * next unlock cheaper to guess.
 */
import { InputError } from '../core/errors.ts'

export interface KdfParams {
  alg: 'argon2id'
  /** Memory in KiB. */
  m: number
  /** Passes. */
  t: number
  /** Lanes. */
  p: number
  /** 16 random bytes, base64url. */
  salt: string
}

/** What a new vault uses (stack notes, part E: m = 64 MiB, t = 3, p = 1). */
export const KDF_DEFAULTS = { m: 65_536, t: 3, p: 1 } as const
/** The least a stored record may ask for (OWASP's argon2id minimum); the most it may ask for. */
export const KDF_FLOOR = { m: 19_456, t: 2 } as const
const KDF_CEILING = { m: 1_048_576, t: 16, p: 4 } as const

/** Derives 32 bytes from the passphrase under `params`. */
export type Kdf = (passphrase: string, params: KdfParams) => Promise<Uint8Array>

const B64URL = /^[A-Za-z0-9_-]{22}$/

/** Checks stored parameters; InputError ERR_WALLET_VAULT_INVALID otherwise. */
export function parseKdfParams(v: unknown): KdfParams {
  const o = v as Partial<KdfParams> | null
  const bad = (why: string): never => {
    throw new InputError('ERR_WALLET_VAULT_INVALID', `the vault's key derivation parameters ${why}`)
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) bad('are not an object')
  const keys = Object.keys(o!).sort().join(',')
  if (keys !== 'alg,m,p,salt,t') bad(`have the members ${keys}`)
  if (o!.alg !== 'argon2id') bad(`name ${String(o!.alg).slice(0, 20)}, not argon2id`)
  for (const [k, lo, hi] of [['m', KDF_FLOOR.m, KDF_CEILING.m], ['t', KDF_FLOOR.t, KDF_CEILING.t], ['p', 1, KDF_CEILING.p]] as const) {
    const n = o![k]
    if (!Number.isSafeInteger(n) || (n as number) < lo || (n as number) > hi) bad(`set ${k} to ${String(n).slice(0, 20)}, outside ${lo}…${hi}`)
  }
  if (typeof o!.salt !== 'string' || !B64URL.test(o!.salt)) bad('carry no 16-byte base64url salt')
  return { alg: 'argon2id', m: o!.m!, t: o!.t!, p: o!.p!, salt: o!.salt! }
}
