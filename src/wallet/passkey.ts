/**
 * Passkey unlock in the browser: a passkey made for this wallet with the WebAuthn PRF extension
 * (a secret the authenticator derives from a salt, never leaving it otherwise), whose 32-byte
 * output wraps the wallet's data key (vault.ts: HKDF-SHA-256 → AES-GCM). There is no server:
 * the challenge is random and nobody verifies the signature — what unlocks is the PRF output,
 * which only that authenticator, after user verification, can give for that salt.
 *
 * PRF is missing on many platforms, and a browser may make a passkey whose authenticator has
 * none: support is detected (`passkeySupport`), then confirmed by the answer itself — a passkey
 * that gives no PRF output is refused, and the passphrase stays the way in.
 *
 * Written against navigator.credentials directly rather than @simplewebauthn/browser: that
 * library serialises for a relying-party server; here the one thing needed is the PRF output,
 * as bytes, in the page.
 */
import { decodeBase64url, encodeBase64url } from '../core/bytes/base64url.ts'
import { fail, ok, type Verdict } from '../core/errors.ts'

export type PasskeySupport = 'yes' | 'no' | 'maybe'

interface PrfResults {
  prf?: { enabled?: boolean; results?: { first?: BufferSource } }
}

const random = (n: number): Uint8Array<ArrayBuffer> => crypto.getRandomValues(new Uint8Array(n))
const bytes = (b: BufferSource | undefined): Uint8Array | null =>
  b === undefined ? null : b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength)

/** Whether this browser can make a passkey with PRF: 'maybe' where it cannot say before trying. */
export async function passkeySupport(): Promise<PasskeySupport> {
  const PKC = (globalThis as { PublicKeyCredential?: { getClientCapabilities?: () => Promise<Record<string, boolean>> } }).PublicKeyCredential
  if (!PKC || !navigator.credentials?.create || !globalThis.isSecureContext) return 'no'
  try {
    const caps = await PKC.getClientCapabilities?.()
    if (caps && 'extension:prf' in caps) return caps['extension:prf'] ? 'yes' : 'no'
  } catch {
    // no capability report: try and see
  }
  return 'maybe'
}

export interface MadePasskey {
  credentialId: string
  prfSalt: Uint8Array
  prfOutput: Uint8Array
}

/** Makes a passkey for this wallet and asks it for its PRF output. ERR_WALLET_PASSKEY_REFUSED when it gives none or the user declines. */
export async function makePasskey(o: { rpName: string; userName: string; displayName: string }): Promise<Verdict<MadePasskey>> {
  const salt = random(32)
  let cred: PublicKeyCredential | null
  try {
    cred = (await navigator.credentials.create({
      publicKey: {
        rp: { name: o.rpName },
        user: { id: random(16), name: o.userName, displayName: o.displayName },
        challenge: random(32),
        pubKeyCredParams: [{ type: 'public-key', alg: -7 }, { type: 'public-key', alg: -257 }],
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
        timeout: 120_000,
        extensions: { prf: { eval: { first: salt } } } as AuthenticationExtensionsClientInputs,
      },
    })) as PublicKeyCredential | null
  } catch (e) {
    return fail('ERR_WALLET_PASSKEY_REFUSED', `no passkey was made: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`)
  }
  if (!cred) return fail('ERR_WALLET_PASSKEY_REFUSED', 'no passkey was made')
  const credentialId = encodeBase64url(new Uint8Array(cred.rawId))
  const made = cred.getClientExtensionResults() as PrfResults
  if (made.prf?.enabled === false) return fail('ERR_WALLET_PASSKEY_REFUSED', 'this passkey cannot derive a secret (no PRF): use the passphrase')
  const first = bytes(made.prf?.results?.first)
  if (first && first.length >= 32) return ok({ credentialId, prfSalt: salt, prfOutput: first })
  // Some authenticators give the PRF output only when asked for it with an assertion.
  const got = await passkeyPrf([{ credentialId, prfSalt: encodeBase64url(salt) }])
  return got.ok ? ok({ credentialId, prfSalt: salt, prfOutput: got.value.prfOutput }) : got
}

/** Asks one of the wallet's passkeys for its PRF output. ERR_WALLET_PASSKEY_REFUSED when declined or none answers. */
export async function passkeyPrf(passkeys: readonly { credentialId: string; prfSalt: string }[]): Promise<Verdict<{ credentialId: string; prfOutput: Uint8Array }>> {
  if (passkeys.length === 0) return fail('ERR_WALLET_PASSKEY_REFUSED', 'no passkey unlocks this wallet')
  let cred: PublicKeyCredential | null
  try {
    cred = (await navigator.credentials.get({
      publicKey: {
        challenge: random(32),
        allowCredentials: passkeys.map((p) => ({ type: 'public-key' as const, id: decodeBase64url(p.credentialId) as Uint8Array<ArrayBuffer> })),
        userVerification: 'required',
        timeout: 120_000,
        extensions: { prf: { evalByCredential: Object.fromEntries(passkeys.map((p) => [p.credentialId, { first: decodeBase64url(p.prfSalt) as Uint8Array<ArrayBuffer> }])) } } as AuthenticationExtensionsClientInputs,
      },
    })) as PublicKeyCredential | null
  } catch (e) {
    return fail('ERR_WALLET_PASSKEY_REFUSED', `the passkey did not answer: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`)
  }
  if (!cred) return fail('ERR_WALLET_PASSKEY_REFUSED', 'the passkey did not answer')
  const out = bytes((cred.getClientExtensionResults() as PrfResults).prf?.results?.first)
  if (!out || out.length < 32) return fail('ERR_WALLET_PASSKEY_REFUSED', 'the passkey gave no PRF output: use the passphrase')
  return ok({ credentialId: encodeBase64url(new Uint8Array(cred.rawId)), prfOutput: out })
}
