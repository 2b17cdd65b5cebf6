/**
 * Enrolling a counter device at its verifier: the enrolment link the verifier's officer (or
 * `civic start`) gives names the verifier's enrolment service and a one-time code; the counter
 * sends the code with its device's public key and gets back the counter attestation, which it
 * checks against the registry before keeping it (counter.ts `enrol`). Nothing secret leaves
 * the device: the key is non-extractable, only its public half is sent.
 */
import { fail, ok, isErrorCode, type Verdict } from '../core/errors.ts'
import type { PublicJwk } from '../core/crypto/jwk.ts'

export interface EnrolmentLink {
  /** The verifier's enrolment service (https, or http on loopback). */
  verifier: string
  code: string
}

/** Reads `#/counter/enrol?verifier=…&code=…` (the query after the route). ERR_EXCH_ATTESTATION_INVALID for anything else. */
export function parseEnrolmentLink(query: string): Verdict<EnrolmentLink> {
  const q = new URLSearchParams(query)
  const verifier = q.get('verifier') ?? ''
  const code = q.get('code') ?? ''
  let url: URL
  try {
    url = new URL(verifier)
  } catch {
    return fail('ERR_EXCH_ATTESTATION_INVALID', 'the enrolment link names no verifier service')
  }
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]'
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) || url.search || url.hash || url.username) return fail('ERR_EXCH_ATTESTATION_INVALID', 'the verifier service must be an https URL (http only on this machine)')
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(code)) return fail('ERR_EXCH_ATTESTATION_INVALID', 'the enrolment code is not one')
  return ok({ verifier: url.href.endsWith('/') ? url.href : `${url.href}/`, code })
}

/** Asks the verifier for an attestation of this device key. Its refusal comes back with its code. */
export async function requestAttestation(link: EnrolmentLink, jwk: PublicJwk, o: { fetch?: typeof fetch } = {}): Promise<Verdict<string>> {
  const f = o.fetch ?? fetch
  let r: Response
  try {
    r = await f(new URL('enrol', link.verifier), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: link.code, jwk }) })
  } catch (e) {
    return fail('ERR_EXCH_ATTESTATION_INVALID', `the verifier could not be reached: ${e instanceof Error ? e.message : String(e)}`)
  }
  let body: unknown
  try {
    body = await r.json()
  } catch {
    return fail('ERR_EXCH_ATTESTATION_INVALID', `the verifier answered HTTP ${r.status} without JSON`)
  }
  const b = (body ?? {}) as { attestation?: unknown; error?: { code?: unknown; message?: unknown } }
  if (!r.ok) {
    // The services' error shape: {"error": {"code", "message"}}.
    const code = isErrorCode(b.error?.code) ? b.error.code : 'ERR_EXCH_ATTESTATION_INVALID'
    return fail(code, `the verifier refused: HTTP ${r.status} ${String(b.error?.message ?? '')}`.trim())
  }
  if (typeof b.attestation !== 'string') return fail('ERR_EXCH_ATTESTATION_INVALID', 'the verifier answered without an attestation')
  return ok(b.attestation)
}
