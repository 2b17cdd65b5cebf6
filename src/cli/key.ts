/**
 * `civic key generate`: a new signing key as a private JWK, for `civic sd-jwt issue
 * --issuer-key` and for scripts. The private key is written only to the file named by `--out`
 * (created with mode 0600, never overwritten); standard output gets one JSON line with the
 * public JWK, its RFC 7638 thumbprint and its did:key, so nothing secret reaches a terminal
 * log or a pipe.
 */
import { openSync, writeSync, closeSync, fsyncSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { didKeyFromJwk } from '../core/crypto/did.ts'
import { generatePrivateJwk, jwkThumbprint, publicJwkOf, JWS_ALGS, type JwsAlg } from '../core/crypto/jwk.ts'
import { CivicError } from '../core/errors.ts'
import { printJson, UsageError } from './io.ts'

export const KEY_USAGE = 'civic key generate --out <private JWK file> [--alg ES256|EdDSA] [--public-out <public JWK file>]'

/** Writes `text` to a new file (refusing an existing one) with `mode`, flushed to disk. */
function writeNewFile(path: string, text: string, mode: number): void {
  let fd: number
  try {
    fd = openSync(path, 'wx', mode)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error'
    throw new CivicError('ERR_CLI_FILE', code === 'EEXIST' ? `${path} exists; a key file is never overwritten` : `cannot create ${path}: ${code}`)
  }
  try {
    writeSync(fd, text)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

export async function keyCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  if (sub !== 'generate') throw new UsageError(sub ? `unknown key command ${sub}` : 'civic key needs a command')
  let o
  try {
    o = parseArgs({ args: rest, options: { out: { type: 'string' }, alg: { type: 'string' }, 'public-out': { type: 'string' } }, strict: true }).values
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  if (!o.out) throw new UsageError('--out is required: the private key goes to a file, never to standard output')
  const alg = (o.alg ?? 'ES256') as JwsAlg
  if (!JWS_ALGS.includes(alg)) throw new UsageError('--alg must be ES256 or EdDSA')
  const jwk = generatePrivateJwk(alg)
  const pub = publicJwkOf(jwk)
  writeNewFile(o.out, `${JSON.stringify(jwk)}\n`, 0o600)
  if (o['public-out']) writeNewFile(o['public-out'], `${JSON.stringify(pub)}\n`, 0o644)
  printJson({ ok: true, alg, file: o.out, jwk: pub, thumbprint: jwkThumbprint(pub), did: didKeyFromJwk(pub) })
  return 0
}
