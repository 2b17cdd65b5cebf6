/**
 * The verifier console's client of a verifier's admin API (http.ts), for the browser: the
 * officers' half every office's console shares (src/office/client.ts: sign-in with a passkey,
 * the session cookie with its secret in the `x-civic-session` header, enrolment, officers, the
 * audit trail) and the verifier's own calls — who it is and what it registered, the counters
 * enrolled, a new counter enrolment code. No node:*, the fetch function is passed in; every
 * failure is a CivicError with the server's code, or ERR_VERIFIER_UNREACHABLE when it cannot be
 * reached or answers with something that is not its JSON. Answers are read at the edge, once:
 * only the members the console shows travel further.
 *
 * Also here: the check a counter's name meets before it is sent (`counterNameProblem`, the
 * service's own rule: 1..120 characters each language, no control character, no surrounding
 * space); the server stays the authority.
 */
import type { LocalizedText, VerifierPurpose } from '../core/registry/entry.ts'
import { OfficeClient, type Fetch, type SessionSecrets } from '../office/client.ts'
import { COUNTER_NAME_MAX, ENROLMENT_CODE, VERIFIER_ROLES, type CounterView, type CreatedEnrolment, type VerifierAdminInfo, type VerifierRole } from './wire.ts'

export type { CounterView, CreatedEnrolment, VerifierAdminInfo, VerifierRole }

/** A purpose as the console shows it: what the registration says, the citizen's "why" and retention when it carries them. */
export type ConsolePurpose = Pick<VerifierPurpose, 'id' | 'name' | 'vct' | 'claims'> & { why: LocalizedText | null; retention: LocalizedText | null }

/** GET /admin/info as the console reads it. */
export interface ConsoleInfo extends Omit<VerifierAdminInfo, 'purposes'> {
  purposes: ConsolePurpose[]
}

const VERIFIER_CLIENT = { roles: VERIFIER_ROLES, unreachable: 'ERR_VERIFIER_UNREACHABLE', unauthenticated: 'ERR_VERIFIER_UNAUTHENTICATED', notFound: 'ERR_HTTP_NOT_FOUND' } as const

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

export type CounterNameProblem = 'required' | 'long' | 'space' | 'unsafe'

/** Why one language's counter name would be refused (service.ts parseCounterName), or null. */
export function counterNameProblem(value: string): CounterNameProblem | null {
  if (value === '') return 'required'
  if (value.length > COUNTER_NAME_MAX) return 'long'
  if (value.trim() !== value) return 'space'
  if (CONTROL.test(value)) return 'unsafe'
  return null
}

type Obj = Record<string, unknown>

export class VerifierConsoleClient extends OfficeClient<VerifierRole> {
  /** `adminUrl`: the verifier's admin listener (or its /admin). */
  constructor(adminUrl: string, o: { fetch: Fetch; timeoutMs?: number; secrets?: SessionSecrets }) {
    super(VERIFIER_CLIENT, adminUrl, o)
  }

  #localized(v: unknown, what: string): LocalizedText {
    const { obj, str } = this.read
    const o = obj(v, what)
    return { 'zh-CN': str(o, 'zh-CN', what), en: str(o, 'en', what) }
  }

  #counter(v: unknown, what: string): CounterView {
    const { obj, str, int, arr } = this.read
    const o = obj(v, what)
    const c = obj(o.counter, `${what}.counter`)
    return {
      counter: { id: str(c, 'id', `${what}.counter`), name: this.#localized(c.name, `${what}.counter.name`) },
      purposes: arr(o, 'purposes', what, (p, w) => (typeof p === 'string' ? p : this.read.malformed(w))),
      keyThumbprint: str(o, 'keyThumbprint', what), attestationId: str(o, 'attestationId', what), enrolledAt: int(o, 'enrolledAt', what), exp: int(o, 'exp', what),
    }
  }

  #purpose(v: unknown, what: string): ConsolePurpose {
    const { obj, str, arr } = this.read
    const o = obj(v, what)
    const retention = o.retention === undefined ? null : obj(o.retention, `${what}.retention`)
    return {
      id: str(o, 'id', what), name: this.#localized(o.name, `${what}.name`), vct: str(o, 'vct', what),
      claims: arr(o, 'claims', what, (c, w) => (typeof c === 'string' ? c : this.read.malformed(w))),
      why: o.why === undefined ? null : this.#localized(o.why, `${what}.why`),
      retention: retention === null || retention.promise === undefined ? null : this.#localized(retention.promise, `${what}.retention.promise`),
    }
  }

  /** Who the verifier is, what it registered, the counters enrolled, how many codes wait. */
  async info(): Promise<ConsoleInfo> {
    const { obj, str, int, arr } = this.read
    const o: Obj = obj(await this.call('GET', 'info'), 'info')
    return {
      did: str(o, 'did', 'info'), id: str(o, 'id', 'info'), name: this.#localized(o.name, 'info.name'), url: str(o, 'url', 'info'),
      purposes: arr(o, 'purposes', 'info', (v, w) => this.#purpose(v, w)),
      counters: arr(o, 'counters', 'info', (v, w) => this.#counter(v, w)),
      pendingCodes: int(o, 'pendingCodes', 'info'),
    }
  }

  /** A one-time code for a counter named `name`, granting `purposes`: the code once, and the link the official opens on the counter. */
  async createCounterEnrolment(name: LocalizedText, purposes: string[]): Promise<CreatedEnrolment> {
    const { obj, str, int, arr, malformed } = this.read
    const o = obj(await this.call('POST', 'enrolments', { name, purposes }), 'enrolment')
    const code = str(o, 'code', 'enrolment')
    if (!ENROLMENT_CODE.test(code)) malformed('enrolment.code')
    const link = o.link === null ? null : str(o, 'link', 'enrolment')
    if (link !== null && !/^https?:\/\/[^\s]+#\/counter\/enrol\?/.test(link)) malformed('enrolment.link')
    return {
      code, link, expiresAt: int(o, 'expiresAt', 'enrolment'), name: this.#localized(o.name, 'enrolment.name'),
      purposes: arr(o, 'purposes', 'enrolment', (p, w) => (typeof p === 'string' ? p : malformed(w))),
    }
  }
}

/** The verifier console's admin URL from `at` (an http(s) URL), or null when it is none. */
export function parseAdminUrl(at: string | null): string | null {
  if (at === null || at.length > 300) return null
  try {
    const u = new URL(at)
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password || u.search || u.hash) return null
    return u.href
  } catch {
    return null
  }
}
