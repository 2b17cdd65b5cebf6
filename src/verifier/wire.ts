/**
 * The verifier enrolment service's wire: the answers its public and admin listeners give, the
 * shape of an enrolment code and the link a counter is enrolled from. Shared by the server
 * (service.ts, http.ts), `civic start` and the app's counter role, so the link the supervisor
 * prints and the one the app reads cannot drift. Browser-safe: no node:* and no import of the
 * server's modules.
 */
import type { LocalizedText, VerifierPurpose } from '../core/registry/entry.ts'

/** An enrolment code: 128 random bits, base64url (22 characters). */
export const ENROLMENT_CODE = /^[A-Za-z0-9_-]{22}$/

/** A counter's name as the attestation carries it: each language 1 to 120 characters (request.ts's bound). */
export const COUNTER_NAME_MAX = 120

/** GET /info: who the verifier is, as registered on the ledger. */
export interface VerifierInfo {
  did: string
  /** The verifier's id in the app's config (civic-config.json `verifiers[].id`). */
  id: string
  name: LocalizedText
  /** The purposes it registered: what a counter of it may be enrolled for. */
  purposes: VerifierPurpose[]
}

/** POST /enrol's answer: the counter attestation for the device key sent, and what it says. */
export interface EnrolAnswer {
  /** The counter attestation (compact JWS, typ verifier-attestation+jwt). */
  attestation: string
  /** The verifier's DID (the attestation's iss). */
  verifier: string
  counter: { id: string; name: LocalizedText }
  /** The purpose ids the attestation grants. */
  purposes: string[]
  /** When the attestation expires (seconds): the counter is enrolled again before then. */
  exp: number
}

/** POST /admin/enrolments' answer (201): the code, once; the link the official opens. */
export interface CreatedEnrolment {
  code: string
  /** `<app>/#/counter/enrol?verifier=…&code=…`, or null when the service knows no app origin. */
  link: string | null
  expiresAt: number
  name: LocalizedText
  purposes: string[]
}

/** One enrolled counter, as GET /admin/info lists them (no key material, no code). */
export interface CounterView {
  counter: { id: string; name: LocalizedText }
  purposes: string[]
  /** RFC 7638 thumbprint of the counter's device key. */
  keyThumbprint: string
  /** The attestation's jti. */
  attestationId: string
  enrolledAt: number
  exp: number
}

/**
 * The link that enrols a counter: the app's counter role, the verifier's public URL (where it
 * posts the device key) and the code.
 */
export function counterEnrolmentLink(appOrigin: string, verifierUrl: string, code: string): string {
  return `${appOrigin.replace(/\/+$/, '')}/#/counter/enrol?verifier=${encodeURIComponent(verifierUrl)}&code=${encodeURIComponent(code)}`
}
