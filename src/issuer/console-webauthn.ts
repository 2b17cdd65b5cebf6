/**
 * The issuer console's passkey step in the browser: every office's (src/office/webauthn.ts),
 * failing with ERR_ISSUER_PASSKEY.
 */
import { browserPasskeyDoor, type PasskeyDoor } from '../office/webauthn.ts'

export type { PasskeyDoor }

export const browserPasskeys: PasskeyDoor = browserPasskeyDoor('ERR_ISSUER_PASSKEY')
