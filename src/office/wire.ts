/**
 * The officers' wire every office shares — an issuing office (src/issuer) and a verifier
 * (src/verifier) alike: who an officer is, a session, an enrolment, an audit record, the
 * session header and the rule an officer's name meets. One definition for the Node side
 * (officers.ts, admin.ts here) and the consoles in the browser (client.ts), so neither side's
 * checks can drift from the other's. Browser-safe: no node:* and no import of a server module.
 *
 * Each office names its own roles (the issuer: clerk and supervisor; a verifier: officer and
 * supervisor); `supervisor` is every office's role that enrols officers and reads the audit
 * trail, and the one its first officer is enrolled as.
 */

/** Control characters and bidirectional formatting/overrides: never in a claim, a name or a reference. */
export const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/

/**
 * An officer reference or an officer's name (a staff number, 王警官, "Li Wei (desk 3)"):
 * 1..64 characters (code points) of letters, marks, digits, punctuation, symbols and spaces,
 * not starting or ending with a space. Control and format characters (bidi overrides among
 * them) are not in these classes, so they are refused.
 */
export const OFFICER = /^(?! )[\p{L}\p{M}\p{N}\p{P}\p{S} ]{1,64}(?<! )$/u

export function isOfficerReference(v: unknown): v is string {
  return typeof v === 'string' && OFFICER.test(v) && !UNSAFE_TEXT.test(v)
}

/** The role every office has: enrols officers, disables them, reads the audit trail. */
export const SUPERVISOR = 'supervisor'

/** An officer enrolment code and a session's secrets: 256 random bits, base64url. */
export const OFFICE_SECRET = /^[A-Za-z0-9_-]{43}$/

/** Officer and enrolment ids: 128 random bits, base64url. */
export const OFFICE_ID = /^[A-Za-z0-9_-]{22}$/

/** Who acted: an officer, or the admin token (`id: "admin-token"`, role supervisor). */
export interface OfficerView<R extends string = string> {
  id: string
  name: string
  role: R
}

/** GET /admin/session, and the answer of a sign-in or an enrolment. */
export interface SessionView<R extends string = string> {
  officer: OfficerView<R>
  /** When the session ends at the latest (seconds); idle sessions end earlier. */
  expiresAt: number
  /** Idle limit in seconds. */
  idleSeconds: number
}

/**
 * The header that carries a session's second secret. The session cookie alone does not
 * authenticate (browsers send it to every localhost port); the console keeps this secret in
 * sessionStorage, which is per origin, and sends it with every admin request.
 */
export const SESSION_HEADER = 'x-civic-session'

/** The answer of a sign-in or an enrolment: the session, and its header secret (given once). */
export interface SignedIn<R extends string = string> extends SessionView<R> {
  secret: string
}

export interface EnrolmentView<R extends string = string> {
  id: string
  name: string
  role: R
  createdAt: number
  expiresAt: number
}

/** GET /admin/officers: officers and the enrolments not yet used. */
export interface OfficersView<R extends string = string> {
  officers: (OfficerView<R> & { createdAt: number; passkeys: number; disabled: boolean })[]
  enrolments: EnrolmentView<R>[]
}

/** POST /admin/officers/enrolments {role, name, first?} → 201: the one time the code is seen. */
export interface CreatedEnrolment<R extends string = string> extends EnrolmentView<R> {
  /** The one-time secret the enrolment link carries; the server keeps only its hash. */
  code: string
}

/** POST /admin/enrol/options {code} → what the officer is about to become, and the WebAuthn creation options. */
export interface EnrolOptions<R extends string = string> {
  name: string
  role: R
  /** PublicKeyCredentialCreationOptionsJSON */
  options: Record<string, unknown>
}

/** POST /admin/session/options → WebAuthn request options (discoverable credentials). */
export interface SignInOptions {
  /** PublicKeyCredentialRequestOptionsJSON */
  options: Record<string, unknown>
}

/**
 * One admin action: when, who (officer id, name and role at the time), what, on which ids, and
 * how it ended (`ok`, the refusal's code, or `started`: taken but no outcome recorded, e.g. the
 * process ended meanwhile). Never claims, codes or other secrets.
 */
export interface AuditRecord<R extends string = string> {
  /** Ties an action's "started" record to its outcome (actions only). */
  id?: string
  at: number
  officer: OfficerView<R> | null
  action: string
  /** What the action touched: ids, names, purposes — never a secret. */
  target: Record<string, string>
  outcome: string
}

/** GET /admin/audit → newest first. */
export interface AuditView<R extends string = string> {
  records: AuditRecord<R>[]
}
