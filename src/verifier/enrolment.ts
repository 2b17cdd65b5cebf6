/**
 * A counter enrolment link from a running verifier service: `civic start` prints one per demo
 * verifier, so a newcomer enrols a counter in one click. The service holds its codes on disk and
 * hands them out through its admin API, so the code is made there with the directory's admin
 * token (made on first need), never by writing its files behind its back. A fresh code at each
 * start; unused older ones expire on their own (24 h).
 */
import { CivicError, isErrorCode } from '../core/errors.ts'
import type { LocalizedText } from '../core/registry/entry.ts'
import { ensureAdminToken } from './admin-token.ts'
import type { CreatedEnrolment } from './wire.ts'

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
