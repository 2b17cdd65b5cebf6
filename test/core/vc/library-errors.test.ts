import { describe, expect, it } from 'vitest'
import { failFromLibrary } from '../../../src/core/vc/library-errors.ts'
import type { ErrorCode } from '../../../src/core/errors.ts'

/** Messages as did-jwt 8.0.18 / did-jwt-vc 4.0.16 write them (see their src). */
const ROWS: [message: string, vc: ErrorCode, vp: ErrorCode][] = [
  ['invalid_signature: Signature invalid for JWT', 'ERR_VC_SIGNATURE_INVALID', 'ERR_VC_SIGNATURE_INVALID'],
  ['no_suitable_keys: DID document for did:key:z… does not have public keys for ES256', 'ERR_JWS_KEY_UNKNOWN', 'ERR_JWS_KEY_UNKNOWN'],
  ['not_supported: No supported signature types for algorithm HS256', 'ERR_JWS_ALG_NOT_ALLOWED', 'ERR_JWS_ALG_NOT_ALLOWED'],
  ['resolver_error: Unable to resolve DID document for did:web:x: unsupportedDidMethod, ', 'ERR_DID_NOT_FOUND', 'ERR_DID_NOT_FOUND'],
  ['invalid_jwt: JWT has expired: exp: 1 < now: 2', 'ERR_VC_EXPIRED', 'ERR_VC_EXPIRED'],
  ['invalid_jwt: JWT not valid before nbf: 99', 'ERR_VC_EXPIRED', 'ERR_VC_EXPIRED'],
  ['invalid_jwt: JWT not valid yet (issued in the future) iat: 99', 'ERR_VC_EXPIRED', 'ERR_VC_EXPIRED'],
  ['invalid_jwt: JWT iss or client_id are required', 'ERR_VC_INVALID', 'ERR_VP_INVALID'],
  ['invalid_argument: invalid_jwt: SyntaxError: Unexpected token', 'ERR_VC_INVALID', 'ERR_VP_INVALID'],
  ['invalid_config: JWT audience does not match your DID or callback url', 'ERR_VC_INVALID', 'ERR_VP_AUD_MISMATCH'],
  ['auth_error: Presentation does not contain the mandatory challenge (JWT: nonce) for : n', 'ERR_VC_INVALID', 'ERR_VP_NONCE_MISMATCH'],
  ['auth_error: Presentation does not contain the mandatory domain (JWT: aud) for : a', 'ERR_VC_INVALID', 'ERR_VP_AUD_MISMATCH'],
  ['schema_error: @context is missing default context "https://www.w3.org/2018/credentials/v1"', 'ERR_VC_INVALID', 'ERR_VP_INVALID'],
  ['format_error: "x~y" is not a valid JWT format', 'ERR_VC_INVALID', 'ERR_VP_INVALID'],
  ['unknown credential format', 'ERR_VC_INVALID', 'ERR_VP_INVALID'],
  ['something new in did-jwt 8.1', 'ERR_VC_INVALID', 'ERR_VP_INVALID'],
]

describe('failFromLibrary: the did-jwt / did-jwt-vc error table', () => {
  it.each(ROWS)('%s → %s (vc) / %s (vp)', (message, vc, vp) => {
    expect(failFromLibrary(new Error(message), 'vc')).toMatchObject({ ok: false, code: vc })
    expect(failFromLibrary(new TypeError(message), 'vp')).toMatchObject({ ok: false, code: vp })
  })

  it('matches prefixes only: the same words later in a message do not count', () => {
    expect(failFromLibrary(new Error('boom: invalid_signature'), 'vc').code).toBe('ERR_VC_INVALID')
  })

  it('never throws, even for thrown non-errors, and keeps details short', () => {
    expect(failFromLibrary(undefined, 'vc')).toMatchObject({ ok: false, code: 'ERR_VC_INVALID' })
    expect(failFromLibrary({ message: 'invalid_signature' }, 'vp')).toMatchObject({ ok: false, code: 'ERR_VP_INVALID' })
    const long = failFromLibrary(new Error(`format_error: "${'A'.repeat(10_000)}" is not a valid JWT format`), 'vc')
    expect(long.detail.length).toBeLessThan(200)
  })
})
