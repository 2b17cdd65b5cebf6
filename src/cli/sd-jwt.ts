/**
 * `civic sd-jwt issue | present | verify`: SD-JWT VC for scripts and back offices.
 * Exit status: 0 done/accepted, 1 rejected, 2 usage error.
 */
import { parseArgs } from 'node:util'
import { isJsonObject, type JsonObject } from '../core/bytes/json.ts'
import { systemRandom } from '../core/crypto/hash.ts'
import { didKeyFromJwk } from '../core/crypto/did.ts'
import { parsePublicJwk, type PublicJwk } from '../core/crypto/jwk.ts'
import { PublicKey, signerFromPrivateJwk } from '../core/crypto/keys.ts'
import { parseDisclosureFrame, parsePresentationFrame } from '../core/sdjwt/frame.ts'
import { issueSdJwt } from '../core/sdjwt/issue.ts'
import { presentSdJwt } from '../core/sdjwt/present.ts'
import { verifySdJwt, SD_JWT_VC_PLAIN_CLAIMS } from '../core/sdjwt/verify.ts'
import { issueSdJwtVc } from '../core/sdjwt/vc.ts'
import { intOption, printJson, readJsonFile, readStdin, UsageError } from './io.ts'

export const SD_JWT_USAGE = `civic sd-jwt issue   --issuer-key <private JWK file> --claims <json file> [--sd <frame file>]
                     [--holder-jwk <public JWK file>] [--vct <type>] [--iss <id>] [--iat N] [--exp N]
civic sd-jwt present --holder-key <private JWK file> --disclose <frame file> --nonce N --aud A [--iat N]  < SD-JWT
civic sd-jwt verify  --issuer-jwk <public JWK file> [--nonce N --aud A | --no-kb] [--now N]
                     [--profile sd-jwt-vc|sd-jwt]  < SD-JWT[+KB]`

const now = (): number => Math.floor(Date.now() / 1000)

function need(v: string | undefined, name: string): string {
  if (v === undefined || v === '') throw new UsageError(`--${name} is required`)
  return v
}

function args(argv: string[], options: NonNullable<Parameters<typeof parseArgs>[0]>['options']) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
}

async function issue(argv: string[]): Promise<number> {
  const o = args(argv, {
    'issuer-key': { type: 'string' }, claims: { type: 'string' }, sd: { type: 'string' }, 'holder-jwk': { type: 'string' },
    vct: { type: 'string' }, iss: { type: 'string' }, iat: { type: 'string' }, exp: { type: 'string' },
  })
  const signer = signerFromPrivateJwk(readJsonFile(need(o['issuer-key'] as string, 'issuer-key'), 'issuer key'))
  const claimsIn = readJsonFile(need(o.claims as string, 'claims'), 'claims')
  if (!isJsonObject(claimsIn)) throw new UsageError('the claims file must hold a JSON object')
  const frame = o.sd ? parseDisclosureFrame(readJsonFile(o.sd as string, 'frame')) : undefined
  const holderJwk: PublicJwk | undefined = o['holder-jwk'] ? parsePublicJwk(readJsonFile(o['holder-jwk'] as string, 'holder JWK')) : undefined
  // Registered claims may come from the claims file; flags win.
  const claims: JsonObject = { ...claimsIn }
  const take = (k: string): unknown => {
    const v = claims[k]
    delete claims[k]
    return v
  }
  const registered = Object.fromEntries(SD_JWT_VC_PLAIN_CLAIMS.map((k) => [k, take(k)]))
  const vct = (o.vct as string | undefined) ?? (registered.vct as string | undefined)
  const iat = intOption(o.iat as string | undefined, 'iat') ?? (registered.iat as number | undefined) ?? now()
  const exp = intOption(o.exp as string | undefined, 'exp') ?? (registered.exp as number | undefined)
  const iss = (o.iss as string | undefined) ?? (registered.iss as string | undefined) ?? didKeyFromJwk(signer.publicJwk)
  if (vct !== undefined) {
    const issued = await issueSdJwtVc({
      iss, vct, iat, exp, nbf: registered.nbf as number | undefined, holderJwk,
      status: isJsonObject(registered.status) ? registered.status : undefined,
      claims, frame, signer, random: systemRandom,
    })
    process.stdout.write(`${issued.sdJwt}\n`)
    return 0
  }
  // Without a vct: a plain RFC 9901 SD-JWT carrying the claims as given.
  const plain: JsonObject = { iss, iat, ...(exp !== undefined ? { exp } : {}), ...(holderJwk ? { cnf: { jwk: { ...holderJwk } } } : {}), ...claims }
  const issued = await issueSdJwt({ claims: plain, frame, signer, random: systemRandom })
  process.stdout.write(`${issued.sdJwt}\n`)
  return 0
}

async function present(argv: string[]): Promise<number> {
  const o = args(argv, { 'holder-key': { type: 'string' }, disclose: { type: 'string' }, nonce: { type: 'string' }, aud: { type: 'string' }, iat: { type: 'string' } })
  const signer = signerFromPrivateJwk(readJsonFile(need(o['holder-key'] as string, 'holder-key'), 'holder key'))
  const frame = parsePresentationFrame(readJsonFile(need(o.disclose as string, 'disclose'), 'frame'))
  const nonce = need(o.nonce as string, 'nonce')
  const aud = need(o.aud as string, 'aud')
  const iat = intOption(o.iat as string | undefined, 'iat') ?? now()
  const input = await readStdin()
  const out = await presentSdJwt(input, frame, { keyBinding: { signer, nonce, aud, iat } })
  process.stdout.write(`${out}\n`)
  return 0
}

async function verify(argv: string[]): Promise<number> {
  const o = args(argv, {
    'issuer-jwk': { type: 'string' }, nonce: { type: 'string' }, aud: { type: 'string' }, 'no-kb': { type: 'boolean' },
    now: { type: 'string' }, profile: { type: 'string' },
  })
  const profile = (o.profile as string | undefined) ?? 'sd-jwt-vc'
  if (profile !== 'sd-jwt-vc' && profile !== 'sd-jwt') throw new UsageError('--profile is sd-jwt-vc or sd-jwt')
  const noKb = o['no-kb'] === true
  if (noKb && (o.nonce !== undefined || o.aud !== undefined)) throw new UsageError('--no-kb goes without --nonce and --aud')
  if (!noKb && (o.nonce === undefined || o.aud === undefined)) throw new UsageError('key binding is required: give --nonce and --aud, or --no-kb')
  const key = PublicKey.fromJwk(readJsonFile(need(o['issuer-jwk'] as string, 'issuer-jwk'), 'issuer JWK'))
  const input = await readStdin()
  const v = await verifySdJwt(input, {
    issuerKey: key,
    keyBinding: noKb ? 'not-required' : { nonce: o.nonce as string, aud: o.aud as string },
    now: intOption(o.now as string | undefined, 'now') ?? now(),
    profile,
  })
  if (v.ok) {
    printJson({ ok: true, claims: v.value.claims })
    return 0
  }
  printJson({ ok: false, code: v.code, detail: v.detail })
  return 1
}

export async function sdJwtCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === 'issue') return issue(rest)
  if (sub === 'present') return present(rest)
  if (sub === 'verify') return verify(rest)
  throw new UsageError(sub ? `unknown command sd-jwt ${sub}` : 'sd-jwt needs a command')
}

