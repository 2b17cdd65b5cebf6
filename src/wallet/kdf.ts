/**
 * The passphrase KDF: argon2id (RFC 9106) through hash-wasm, the one module that imports it.
 *
 * hash-wasm rather than @noble/hashes' argon2id: in Chromium it is 3–3.5× faster at the
 * vault's parameters (≈ 0.3 s against ≈ 1.1 s), and both give the same bytes (the test checks the
 * reference implementation's answer against both). It needs CSP `'wasm-unsafe-eval'`, which the
 * app's static server sends. In the browser it runs in a Worker (kdf.worker.ts) so that the
 * 64 MiB of memory-hard work never blocks the page. Its parameters (kdf-params.ts) are stored beside the ciphertext they protect and read
 * back strictly.
 */
import { argon2id } from 'hash-wasm'
import { decodeBase64url } from '../core/bytes/base64url.ts'
import { parseKdfParams, type Kdf } from './kdf-params.ts'

export { KDF_DEFAULTS, KDF_FLOOR, parseKdfParams, type Kdf, type KdfParams } from './kdf-params.ts'

/** argon2id in this thread (Node, a Worker). */
export const argon2idKdf: Kdf = async (passphrase, params) => {
  const p = parseKdfParams(params)
  if (typeof passphrase !== 'string') throw new TypeError('passphrase must be a string')
  return argon2id({
    password: passphrase.normalize('NFC'), salt: decodeBase64url(p.salt), iterations: p.t, parallelism: p.p, memorySize: p.m,
    hashLength: 32, outputType: 'binary',
  })
}
