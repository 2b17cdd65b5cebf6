/**
 * The first supervisor of an office: `civic start` prints, for each issuer, a one-time link that
 * enrols the first supervisor with a passkey. Returns null when the office already has one.
 *
 * The issuer process is running and holds its officers in memory, so the enrolment is made
 * through its admin API with the directory's admin token (made on first need), never by
 * writing the officer store behind its back. The server refuses a first-supervisor enrolment
 * once a supervisor exists, and a newer one replaces an older unused one, so each start prints
 * the one link that works.
 */
import { CivicError, isErrorCode } from '../core/errors.ts'
import { enrolmentLink } from './admin-wire.ts'
import { ensureAdminToken } from './officers.ts'

export interface FirstSupervisorOptions {
  /** The issuer's data directory. */
  dataDir: string
  /** The issuer's admin listener, e.g. http://localhost:8087/ */
  adminUrl: string
  /** The console's origin, e.g. http://localhost:8080 */
  appOrigin: string
  /** The issuer's id in the app's config (e.g. psb). */
  issuerId: string
  /** The first supervisor's name as enrolled (default "Supervisor"). */
  name?: string
}

export async function firstSupervisorLink(o: FirstSupervisorOptions): Promise<string | null> {
  const token = await ensureAdminToken(o.dataDir)
  const base = o.adminUrl.replace(/\/+$/, '').replace(/\/admin$/, '')
  let r: Response
  try {
    r = await fetch(`${base}/admin/officers/enrolments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ role: 'supervisor', name: o.name ?? 'Supervisor', first: true }),
      redirect: 'error',
    })
  } catch (e) {
    throw new CivicError('ERR_ISSUER_UNREACHABLE', `the issuer's admin API at ${base} cannot be reached: ${(e as Error).message}`)
  }
  const v = (await r.json().catch(() => null)) as { code?: unknown; error?: { code?: unknown; message?: unknown } } | null
  if (r.status === 409 && v?.error?.code === 'ERR_ISSUER_ENROLMENT') return null
  if (r.status === 201 && typeof v?.code === 'string') return enrolmentLink(o.appOrigin, o.issuerId, v.code)
  const code = v?.error?.code
  throw new CivicError(isErrorCode(code) ? code : 'ERR_ISSUER_UNREACHABLE', `first supervisor enrolment: HTTP ${r.status} ${typeof v?.error?.message === 'string' ? v.error.message : ''}`.trim())
}
