/**
 * The admin API's wire: the request and answer shapes, and the input limits, that the issuer's
 * server (admin.ts, service.ts, schema.ts, officers.ts) and the console (console-client.ts)
 * share. One definition, imported by both sides, so the console's early checks cannot drift
 * from the rules the server enforces. Browser-safe: no node:* and no import of the server's
 * modules — the server's modules take these types from here.
 */

// ── credential types (issuer.json's schemas, GET /admin/info) ──

export type ClaimType = 'string' | 'date'

export interface Localized {
  'zh-CN': string
  en: string
}

export interface ClaimSchema {
  name: string
  type: ClaimType
  required: boolean
  /** Selectively disclosable (RFC 9901 §4.2). */
  sd: boolean
  display: Localized
}

/**
 * A boolean claim the issuer computes: "at least `years` old". Embedded only when its value
 * holds from the issuance day to `exp` (schema.ts's module comment says why); always selectively disclosable.
 */
export interface AgePredicate {
  name: string
  /** A `date` claim of the same schema. */
  from: string
  years: number
  sd: boolean
  display: Localized
}

export interface CredentialSchema {
  /** The OpenID4VCI credential_configuration_id. */
  id: string
  vct: string
  display: Localized
  /** Days a credential is valid, counted from 00:00 UTC of the issuance day; never cut by a claim. */
  validityDays: number
  claims: ClaimSchema[]
  predicates: AgePredicate[]
}

// ── keys, credentials, anchors (the views the admin API answers with) ──

export type KeyState = 'pending' | 'active' | 'retired' | 'revoked'

export type CredentialStatus = 'offered' | 'valid' | 'suspended' | 'revoked' | 'lapsed'

export interface LedgerRecord {
  type: 'status-anchor' | 'key-add' | 'key-revoke'
  /** status-anchor: the list URI; key changes: the kid. */
  subject: string
  version: number | null
  digest: string | null
  /** Fragment of the key that signed the entry. */
  signedBy: string
  iat: number
  ttl: number | null
  /** Index in the log the entry went to: the status log for a status anchor, the registry log for a key change. */
  index: number
  inclusionVerified: boolean
  inclusionError: string | null
  /** Size of that log's verified checkpoint that proved the inclusion, or null. */
  checkpointSize: number | null
}

export interface CredentialView {
  id: string
  vct: string
  configurationId: string
  officer: string | null
  status: CredentialStatus
  createdAt: number
  issuedAt: number | null
  statusChangedAt: number
  copies: { uri: string; idx: number }[]
  /** While the offer waits to be collected: when it expires (seconds); null once issued, lapsed or cancelled. */
  offerExpiresAt: number | null
}

export interface AnchorView {
  uri: string
  version: number
  digest: string
  iat: number
  ttl: number
  /** Index in the ledger's status log. */
  index: number
  inclusionVerified: boolean
  inclusionError: string | null
  /** Size of the verified status checkpoint that proved the inclusion, or null. */
  checkpointSize: number | null
  /** Fragment of the key that signed token and anchor. */
  signedBy: string
}

export interface PublishReport {
  published: AnchorView[]
  failed: { uri: string; code: string; detail: string }[]
}

export type StatusAction = 'revoke' | 'suspend' | 'reinstate'

// ── limits ───────────────────────────────────────────────────────────────────────────────

/** The longest string claim, in UTF-16 code units. */
export const MAX_CLAIM_LENGTH = 200

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

// ── roles ────────────────────────────────────────────────────────────────────────────────

/** clerk: issue and view. supervisor: also revoke, suspend, reinstate, publish, rotate, revoke keys, manage officers, read the audit trail. */
export type OfficerRole = 'clerk' | 'supervisor'
export const OFFICER_ROLES: readonly OfficerRole[] = ['clerk', 'supervisor']

// ── issuing ──────────────────────────────────────────────────────────────────────────────

export interface KeyView {
  kid: string
  createdAt: number
  state: KeyState
  addedIndex: number | null
  revokedIndex: number | null
  current: boolean
}

/** GET /admin/info */
export interface IssuerInfo {
  did: string
  name: Localized
  /** The Credential Issuer Identifier. */
  issuer: string
  statusListBase: string
  ledger: string
  batchSize: number
  currentKid: string
  keys: KeyView[]
  credentialTypes: CredentialSchema[]
}

/** POST /admin/offers */
export interface OfferRequest {
  configurationId: string
  claims: Record<string, string>
  officer?: string
  txCode?: boolean
}

/** POST /admin/offers → 201 */
export interface OfferView {
  credentialId: string
  offerId: string
  configurationId: string
  /** openid-credential-offer://?credential_offer_uri=… */
  offerUri: string
  offerUriByValue: string
  /** The QR of offerUri as SVG markup, made by the issuer's own server. */
  qrSvg: string
  txCode: string | null
  /** Seconds since the epoch. */
  expiresAt: number
}

/** GET /admin/anchors */
export interface AnchorsView {
  anchors: AnchorView[]
  /** Every entry this issuer put on the ledger, newest first. */
  ledger: LedgerRecord[]
}

/** POST /admin/credentials/<id>/revoke|suspend|reinstate */
export interface StatusChange {
  credential: CredentialView
  changed: boolean
}

// ── officers, sessions, audit ────────────────────────────────────────────────────────────

/** Who acted: an officer, or the admin token (`id: "admin-token"`, role supervisor). */
export interface OfficerView {
  id: string
  name: string
  role: OfficerRole
}

/** GET /admin/session, and the answer of a sign-in or an enrolment. */
export interface SessionView {
  officer: OfficerView
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
export interface SignedIn extends SessionView {
  secret: string
}

/** GET /admin/officers: officers and the enrolments not yet used. */
export interface OfficersView {
  officers: (OfficerView & { createdAt: number; passkeys: number; disabled: boolean })[]
  enrolments: EnrolmentView[]
}

export interface EnrolmentView {
  id: string
  name: string
  role: OfficerRole
  createdAt: number
  expiresAt: number
}

/** POST /admin/officers/enrolments {role, name, first?} → 201: the one time the code is seen. */
export interface CreatedEnrolment extends EnrolmentView {
  /** The one-time secret the enrolment link carries; the server keeps only its hash. */
  code: string
}

/** POST /admin/enrol/options {code} → what the officer is about to become, and the WebAuthn creation options. */
export interface EnrolOptions {
  name: string
  role: OfficerRole
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
 * process ended meanwhile). Never claims or other citizen data.
 */
export interface AuditRecord {
  /** Ties an action's "started" record to its outcome (actions only). */
  id?: string
  at: number
  officer: OfficerView | null
  action: string
  /** Ids the action touched: credential, list uri, kid, officer, enrolment. */
  target: Record<string, string>
  outcome: string
}

/** GET /admin/audit → newest first. */
export interface AuditView {
  records: AuditRecord[]
}

/** The enrolment link's route in the app: `<appOrigin>/#/issuer/enrol?issuer=<id>&code=<code>`. */
export function enrolmentLink(appOrigin: string, issuerId: string, code: string): string {
  return `${appOrigin.replace(/\/+$/, '')}/#/issuer/enrol?issuer=${encodeURIComponent(issuerId)}&code=${encodeURIComponent(code)}`
}
