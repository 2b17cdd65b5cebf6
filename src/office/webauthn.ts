/**
 * A console's passkey step, in the browser: the one module that imports
 * @simplewebauthn/browser. It turns an admin API's WebAuthn options (JSON) into
 * navigator.credentials calls and their results back into JSON for the server to verify.
 * Whatever goes wrong in the browser (the officer cancels, no passkey of this office on the
 * device, no WebAuthn at all) becomes the office's passkey code (ERR_ISSUER_PASSKEY,
 * ERR_VERIFIER_PASSKEY); the server decides the rest.
 */
import { browserSupportsWebAuthn, startAuthentication, startRegistration } from '@simplewebauthn/browser'
import { CivicError, type ErrorCode } from '../core/errors.ts'

export interface PasskeyDoor {
  /** Make a new passkey from creation options; the registration response JSON. */
  create(options: Record<string, unknown>): Promise<unknown>
  /** Use a passkey with request options; the authentication response JSON. */
  get(options: Record<string, unknown>): Promise<unknown>
}

/** The browser's passkeys, failing with `code`. */
export function browserPasskeyDoor(code: ErrorCode): PasskeyDoor {
  const failed = (e: unknown): never => {
    const name = e instanceof Error ? e.name : ''
    const message = e instanceof Error ? e.message : String(e)
    throw new CivicError(code, `${name}: ${message}`.slice(0, 300))
  }
  return {
    async create(options) {
      if (!browserSupportsWebAuthn()) failed(new Error('this browser has no WebAuthn'))
      try {
        return await startRegistration({ optionsJSON: options as never })
      } catch (e) {
        failed(e)
      }
    },
    async get(options) {
      if (!browserSupportsWebAuthn()) failed(new Error('this browser has no WebAuthn'))
      try {
        return await startAuthentication({ optionsJSON: options as never })
      } catch (e) {
        failed(e)
      }
    },
  }
}
