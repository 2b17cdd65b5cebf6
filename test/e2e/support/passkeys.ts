/**
 * Passkeys in headless Chromium for end-to-end tests: a CDP virtual authenticator (CTAP2,
 * internal transport, resident keys, user verification that always succeeds) attached to one
 * tab. WebAuthn works only on a name (http://localhost), never on an IP address; an
 * authenticator belongs to the one tab it was added to; with none attached,
 * navigator.credentials.create() would wait forever — so every page that signs in gets one.
 */
import type { CDPSession, Page } from 'playwright-core'

export interface VirtualAuthenticator {
  readonly cdp: CDPSession
  readonly authenticatorId: string
  /** How many passkeys the authenticator holds. */
  count(): Promise<number>
}

/** `prf`: the authenticator offers the PRF extension (hmac-secret), as the wallet's passkey unlock needs. */
export async function addVirtualAuthenticator(page: Page, o: { prf?: boolean } = {}): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('WebAuthn.enable', { enableUI: false })
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true, ...(o.prf ? { hasPrf: true } : {}) },
  })
  return {
    cdp,
    authenticatorId,
    async count() {
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId })
      return credentials.length
    },
  }
}

/** The first-supervisor links `civic start` printed, by office name (en). */
export function firstSupervisorLinks(output: string): Map<string, string> {
  const links = new Map<string, string>()
  for (const m of output.matchAll(/first supervisor \(([^)]+)\): (http:\/\/localhost:[0-9]+\/#\/issuer\/enrol\?\S+)/g)) links.set(m[1]!, m[2]!)
  return links
}

/** Open an enrolment link and create the passkey: signed in afterwards. */
export async function enrolFromLink(page: Page, link: string): Promise<void> {
  await page.goto(link)
  await page.getByTestId('enrol-lead').waitFor()
  await page.getByTestId('enrol-button').click()
  await page.getByTestId('officer-bar').waitFor()
}
