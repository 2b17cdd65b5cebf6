/**
 * A verifier's officers: the verifier's use of the officer machinery every office shares
 * (src/office/officers.ts: passkeys, sessions, one-time enrolments, the audit trail), with the
 * verifier's roles (officer, supervisor; wire.ts) and codes (ERR_VERIFIER_…). Its files live in
 * the verifier's own directory beside its codes and admin token:
 *
 *   <data>/verifier-<id>/officers.json   officers and pending officer enrolments (src/office/officers.ts)
 *   <data>/verifier-<id>/audit.log       one JSON line per admin action: who made which counter's
 *                                        enrolment code for which purposes, and when — never the code
 *   <data>/verifier-<id>/admin-token     the bearer token for scripts and `civic start` (admin-token.ts)
 *
 * Passkeys are bound to the app's origin (`civic verifier serve --app-origin`), as the issuer
 * console's are: the verifier console is a screen of the same app.
 */
import type { OfficeKind } from '../office/officers.ts'
import { readAdminToken } from './admin-token.ts'
import { VERIFIER_ROLES, type VerifierRole } from './wire.ts'

export const VERIFIER_OFFICE: OfficeKind<VerifierRole> = {
  roles: VERIFIER_ROLES,
  codes: {
    config: 'ERR_VERIFIER_CONFIG', storage: 'ERR_VERIFIER_STORAGE', badRequest: 'ERR_VERIFIER_BAD_REQUEST', unauthenticated: 'ERR_VERIFIER_UNAUTHENTICATED',
    enrolment: 'ERR_VERIFIER_OFFICER_ENROLMENT', capacity: 'ERR_VERIFIER_CAPACITY', rateLimited: 'ERR_VERIFIER_RATE_LIMITED', notFound: 'ERR_HTTP_NOT_FOUND',
  },
  originSetting: 'civic verifier serve --app-origin',
  readAdminToken,
}
