/**
 * The verifier enrolment service's wire: the answers its public and admin listeners give, the
 * shape of an enrolment code, the link a counter is enrolled from, the verifier's officer roles
 * and the links of its console. Shared by the server (service.ts, http.ts), `civic start`, the
 * app's counter role and the verifier console, so the links the supervisor prints and the ones
 * the app reads cannot drift. Officers' sessions, enrolments and audit records are every
 * office's (src/office/wire.ts). Browser-safe: no node:* and no import of the
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

// ── the verifier's officers and its console ───────────────────────────────────────────────

/**
 * A verifier's roles: an `officer` makes counter enrolment codes and sees the counters; a
 * `supervisor` also enrols and disables officers and reads the audit trail.
 */
export type VerifierRole = 'officer' | 'supervisor'
export const VERIFIER_ROLES: readonly VerifierRole[] = ['officer', 'supervisor']

/** GET /admin/info: who the verifier is, where counters reach it, the counters enrolled and how many codes are pending. */
export interface VerifierAdminInfo extends VerifierInfo {
  /** The public URL counters enrol at. */
  url: string
  counters: CounterView[]
  pendingCodes: number
}

/** The verifier console in the app for the verifier whose admin listener is `adminUrl`: `<app>/#/verifier?at=<admin URL>`. */
export function verifierConsoleLink(appOrigin: string, adminUrl: string): string {
  return `${appOrigin.replace(/\/+$/, '')}/#/verifier?at=${encodeURIComponent(adminUrl)}`
}

/** The one-time link that enrols an officer of that verifier: `<app>/#/verifier/enrol?at=<admin URL>&code=<code>`. */
export function officerEnrolmentLink(appOrigin: string, adminUrl: string, code: string): string {
  return `${appOrigin.replace(/\/+$/, '')}/#/verifier/enrol?at=${encodeURIComponent(adminUrl)}&code=${encodeURIComponent(code)}`
}
