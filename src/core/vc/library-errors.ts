/**
 * The one table that turns did-jwt / did-jwt-vc exceptions into our stable codes.
 *
 * These libraries signal failure only by throwing `Error`/`TypeError` whose message starts
 * with a prefix (did-jwt `JWT_ERROR`, did-jwt-vc `VC_ERROR`). Matching those prefixes is the
 * one place in the kernel where message text drives control flow, and it is the library's
 * text, never ours. Our own strict checks run first, so in practice these rows are a second
 * line of defence; anything unlisted fails closed as ERR_VC_INVALID / ERR_VP_INVALID.
 *
 * | library message (prefix / contains)                        | thrown by                      | VC code                  | VP code                  |
 * |-------------------------------------------------------------|--------------------------------|--------------------------|--------------------------|
 * | `invalid_signature`                                         | did-jwt verifyJWT              | ERR_VC_SIGNATURE_INVALID | ERR_VC_SIGNATURE_INVALID |
 * | `no_suitable_keys`                                          | did-jwt resolveAuthenticator   | ERR_JWS_KEY_UNKNOWN      | ERR_JWS_KEY_UNKNOWN      |
 * | `not_supported`                                             | did-jwt (alg has no key types) | ERR_JWS_ALG_NOT_ALLOWED  | ERR_JWS_ALG_NOT_ALLOWED  |
 * | `resolver_error`                                            | did-jwt resolveAuthenticator   | ERR_DID_NOT_FOUND        | ERR_DID_NOT_FOUND        |
 * | `invalid_jwt` + `has expired` / `not valid before` / `not valid yet` | did-jwt time checks   | ERR_VC_EXPIRED           | ERR_VC_EXPIRED           |
 * | `invalid_jwt` (other), `invalid_argument`                   | did-jwt decode / claims        | ERR_VC_INVALID           | ERR_VP_INVALID           |
 * | `invalid_config`                                            | did-jwt audience check         | ERR_VC_INVALID           | ERR_VP_AUD_MISMATCH      |
 * | `auth_error` + `challenge`                                  | did-jwt-vc presentation opts   | ERR_VC_INVALID           | ERR_VP_NONCE_MISMATCH    |
 * | `auth_error` + `domain`                                     | did-jwt-vc presentation opts   | ERR_VC_INVALID           | ERR_VP_AUD_MISMATCH      |
 * | `schema_error`, `format_error`, `unknown credential format` | did-jwt-vc validators/normalize| ERR_VC_INVALID           | ERR_VP_INVALID           |
 * | anything else (incl. non-Error throws)                      | —                              | ERR_VC_INVALID           | ERR_VP_INVALID           |
 */
import { fail, type ErrorCode, type Failure } from '../errors.ts'

export type LibraryContext = 'vc' | 'vp'

interface Row {
  prefix: string
  contains?: string
  vc: ErrorCode
  vp: ErrorCode
}

/** Checked in order; the first matching row wins. */
const TABLE: readonly Row[] = [
  { prefix: 'invalid_signature', vc: 'ERR_VC_SIGNATURE_INVALID', vp: 'ERR_VC_SIGNATURE_INVALID' },
  { prefix: 'no_suitable_keys', vc: 'ERR_JWS_KEY_UNKNOWN', vp: 'ERR_JWS_KEY_UNKNOWN' },
  { prefix: 'not_supported', vc: 'ERR_JWS_ALG_NOT_ALLOWED', vp: 'ERR_JWS_ALG_NOT_ALLOWED' },
  { prefix: 'resolver_error', vc: 'ERR_DID_NOT_FOUND', vp: 'ERR_DID_NOT_FOUND' },
  { prefix: 'invalid_jwt', contains: 'has expired', vc: 'ERR_VC_EXPIRED', vp: 'ERR_VC_EXPIRED' },
  { prefix: 'invalid_jwt', contains: 'not valid before', vc: 'ERR_VC_EXPIRED', vp: 'ERR_VC_EXPIRED' },
  { prefix: 'invalid_jwt', contains: 'not valid yet', vc: 'ERR_VC_EXPIRED', vp: 'ERR_VC_EXPIRED' },
  { prefix: 'invalid_jwt', vc: 'ERR_VC_INVALID', vp: 'ERR_VP_INVALID' },
  { prefix: 'invalid_argument', vc: 'ERR_VC_INVALID', vp: 'ERR_VP_INVALID' },
  { prefix: 'invalid_config', vc: 'ERR_VC_INVALID', vp: 'ERR_VP_AUD_MISMATCH' },
  { prefix: 'auth_error', contains: 'challenge', vc: 'ERR_VC_INVALID', vp: 'ERR_VP_NONCE_MISMATCH' },
  { prefix: 'auth_error', contains: 'domain', vc: 'ERR_VC_INVALID', vp: 'ERR_VP_AUD_MISMATCH' },
  { prefix: 'schema_error', vc: 'ERR_VC_INVALID', vp: 'ERR_VP_INVALID' },
  { prefix: 'format_error', vc: 'ERR_VC_INVALID', vp: 'ERR_VP_INVALID' },
  { prefix: 'unknown credential format', vc: 'ERR_VC_INVALID', vp: 'ERR_VP_INVALID' },
]

/** Map whatever did-jwt / did-jwt-vc threw to a failure verdict. Never throws. */
export function failFromLibrary(e: unknown, context: LibraryContext): Failure {
  const message = e instanceof Error ? e.message : typeof e === 'string' ? e : ''
  for (const row of TABLE) {
    if (message.startsWith(row.prefix) && (row.contains === undefined || message.includes(row.contains))) {
      return fail(row[context], `did-jwt-vc (${context}): ${clip(message)}`)
    }
  }
  return fail(context === 'vc' ? 'ERR_VC_INVALID' : 'ERR_VP_INVALID', `did-jwt-vc (${context}): ${clip(message) || 'unknown error'}`)
}

/** Library messages may echo the whole token; keep details short. */
function clip(s: string): string {
  return s.length > 160 ? `${s.slice(0, 160)}…` : s
}
