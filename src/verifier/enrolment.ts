/**
 * Links from a running verifier service that `civic start` prints for each demo verifier, so a
 * newcomer has a working counter and a working console in one click each:
 *
 * - a counter enrolment link (a fresh code at each start; unused older ones expire on their own,
 *   24 h);
 * - the one-time link that enrols the verifier's first supervisor with a passkey in the
 *   verifier console, as long as it has none (a newer one replaces an older unused one, so each
 *   start prints the one link that works).
 *
 * The service holds its codes and officers on disk and in memory and hands them out through its
 * admin API, so both are made there with the directory's admin token (made on first need),
 * never by writing its files behind its back.
 */
import { CivicError, isErrorCode } from '../core/errors.ts'
import type { LocalizedText } from '../core/registry/entry.ts'
import { ensureAdminToken } from './admin-token.ts'
import { officerEnrolmentLink, type CreatedEnrolment } from './wire.ts'

export interface CounterEnrolmentOptions {
  /** The verifier's own directory (`<data>/verifier-<id>`), where its admin token is. */
  dir: string
  /** Its admin listener, e.g. http://127.0.0.1:8091/ */
  adminUrl: string
  /** The counter's name, as the attestation will carry it. */
  name: LocalizedText
  /** The purpose ids the code grants (a subset of the registered ones). */
  purposes: string[]
}

export async function newCounterEnrolment(o: CounterEnrolmentOptions): Promise<CreatedEnrolment> {
  const token = await ensureAdminToken(o.dir)
  const base = o.adminUrl.replace(/\/+$/, '')
  let r: Response
  try {
    r = await fetch(`${base}/admin/enrolments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: o.name, purposes: o.purposes }),
      redirect: 'error',
      signal: AbortSignal.timeout(30_000),
    })
  } catch (e) {
    throw new CivicError('ERR_HTTP_INTERNAL', `the verifier's admin API at ${base} cannot be reached: ${(e as Error).message}`)
  }
  const v = (await r.json().catch(() => null)) as (CreatedEnrolment & { error?: { code?: unknown; message?: unknown } }) | null
  if (r.status === 201 && typeof v?.code === 'string') return v
  const code = v?.error?.code
  throw new CivicError(isErrorCode(code) ? code : 'ERR_HTTP_INTERNAL', `counter enrolment code: HTTP ${r.status} ${typeof v?.error?.message === 'string' ? v.error.message : ''}`.trim())
}

export interface FirstSupervisorOptions {
  /** The verifier's own directory (`<data>/verifier-<id>`), where its admin token is. */
  dir: string
  /** Its admin listener, e.g. http://localhost:8091/ — the console reaches it there too. */
  adminUrl: string
  /** The app's origin, e.g. http://localhost:8080 */
  appOrigin: string
  /** The first supervisor's name as enrolled (default "Supervisor"). */
  name?: string
}

/** The first supervisor's one-time enrolment link, or null when the verifier has a supervisor already. */
export async function firstSupervisorLink(o: FirstSupervisorOptions): Promise<string | null> {
  const token = await ensureAdminToken(o.dir)
  const base = o.adminUrl.replace(/\/+$/, '')
  let r: Response
  try {
    r = await fetch(`${base}/admin/officers/enrolments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ role: 'supervisor', name: o.name ?? 'Supervisor', first: true }),
      redirect: 'error',
      signal: AbortSignal.timeout(30_000),
    })
  } catch (e) {
    throw new CivicError('ERR_VERIFIER_UNREACHABLE', `the verifier's admin API at ${base} cannot be reached: ${(e as Error).message}`)
  }
  const v = (await r.json().catch(() => null)) as { code?: unknown; error?: { code?: unknown; message?: unknown } } | null
  if (r.status === 409 && v?.error?.code === 'ERR_VERIFIER_OFFICER_ENROLMENT') return null
  if (r.status === 201 && typeof v?.code === 'string') return officerEnrolmentLink(o.appOrigin, `${base}/`, v.code)
  const code = v?.error?.code
  throw new CivicError(isErrorCode(code) ? code : 'ERR_VERIFIER_UNREACHABLE', `first supervisor enrolment: HTTP ${r.status} ${typeof v?.error?.message === 'string' ? v.error.message : ''}`.trim())
}
