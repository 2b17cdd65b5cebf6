/**
 * The admin API's wire: the request and answer shapes, and the input limits, that the issuer's
 * server (admin.ts, service.ts, schema.ts, officers.ts) and the console (console-client.ts)
 * share. One definition, imported by both sides, so the console's early checks cannot drift
 * from the rules the server enforces. Browser-safe: no node:* and no import of the server's
 * modules — the server's modules take these types from here.
 */
import { isOfficerReference, OFFICER, SESSION_HEADER, UNSAFE_TEXT } from '../office/wire.ts'
import type * as Office from '../office/wire.ts'

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

// Control and bidi characters (never in a claim, a name or a reference) and the officer
// reference rule are every office's (src/office/wire.ts).
export { isOfficerReference, OFFICER, UNSAFE_TEXT }

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

// ── officers, sessions, audit (every office's wire, src/office/wire.ts, with the issuer's roles) ──

/** Who acted: an officer, or the admin token (`id: "admin-token"`, role supervisor). */
export type OfficerView = Office.OfficerView<OfficerRole>
/** GET /admin/session, and the answer of a sign-in or an enrolment. */
export type SessionView = Office.SessionView<OfficerRole>
/** The answer of a sign-in or an enrolment: the session, and its header secret (given once). */
export type SignedIn = Office.SignedIn<OfficerRole>
/** GET /admin/officers: officers and the enrolments not yet used. */
export type OfficersView = Office.OfficersView<OfficerRole>
export type EnrolmentView = Office.EnrolmentView<OfficerRole>
/** POST /admin/officers/enrolments {role, name, first?} → 201: the one time the code is seen. */
export type CreatedEnrolment = Office.CreatedEnrolment<OfficerRole>
/** POST /admin/enrol/options {code} → what the officer is about to become, and the WebAuthn creation options. */
export type EnrolOptions = Office.EnrolOptions<OfficerRole>
export type SignInOptions = Office.SignInOptions
/** One admin action (never claims or other citizen data). */
export type AuditRecord = Office.AuditRecord<OfficerRole>
/** GET /admin/audit → newest first. */
export type AuditView = Office.AuditView<OfficerRole>
export { SESSION_HEADER }

/** The enrolment link's route in the app: `<appOrigin>/#/issuer/enrol?issuer=<id>&code=<code>`. */
export function enrolmentLink(appOrigin: string, issuerId: string, code: string): string {
  return `${appOrigin.replace(/\/+$/, '')}/#/issuer/enrol?issuer=${encodeURIComponent(issuerId)}&code=${encodeURIComponent(code)}`
}
