/**
 * The issuer's side of the public ledger (src/ledger/http.ts): `POST /add-entry` answers
 * `{"index": n}` once the entry is durable and in a published, witnessed checkpoint;
 * `GET /proof/<n>` gives a c2sp.org/tlog-proof that the issuer checks OFFLINE against the
 * ledger's trust policy (log key and k-of-n witnesses, config.ts) before it reports the entry
 * as included; `GET /checkpoint` shows which witnesses cosigned the latest tree.
 *
 * A refusal by the ledger is CivicError ERR_ISSUER_LEDGER whose detail starts with the
 * ledger's own code (`ERR_REG_VERSION_NOT_INCREASING: …`), so callers can read it.
 */
import { CivicError, fail, ok, type Verdict } from '../core/errors.ts'
import { verifyCheckpointNote, type LogPolicy } from '../core/log/policy.ts'
import { verifyTlogProof } from '../core/log/proof.ts'
import { encodeBase64 } from '../core/log/_encoding.ts'
import { ledgerPolicy, type LedgerTrust } from './config.ts'

export type Fetch = typeof globalThis.fetch

export interface Inclusion {
  index: number
  checkpointSize: number
  cosigners: string[]
}

export interface WitnessView {
  origin: string
  size: number
  rootHash: string
  /** Configured witnesses whose cosignature on the latest checkpoint verified. */
  cosigners: { name: string; keyId: number; timestamp: number }[]
  /** Every configured witness key, and whether it cosigned. */
  witnesses: { key: string; name: string; cosigned: boolean }[]
  quorum: number
}

export class LedgerClient {
  readonly trust: LedgerTrust
  readonly policy: LogPolicy
  readonly #fetch: Fetch
  readonly #timeoutMs: number

  constructor(trust: LedgerTrust, o: { fetch?: Fetch; timeoutMs?: number } = {}) {
    this.trust = trust
    this.policy = ledgerPolicy(trust)
    this.#fetch = o.fetch ?? globalThis.fetch
    this.#timeoutMs = o.timeoutMs ?? 30_000
  }

  #url(path: string): string {
    return `${this.trust.url}/${path}`
  }

  async #request(path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await this.#fetch(this.#url(path), { ...init, redirect: 'error', signal: AbortSignal.timeout(this.#timeoutMs) })
    } catch (e) {
      throw new CivicError('ERR_ISSUER_LEDGER', `the ledger at ${this.trust.url} cannot be reached: ${(e as Error).message}`)
    }
  }

  /** POST one entry; resolves with its log index once the ledger has published it. */
  async addEntry(entry: Uint8Array): Promise<number> {
    const r = await this.#request('add-entry', { method: 'POST', body: entry as Uint8Array<ArrayBuffer>, headers: { 'content-type': 'application/octet-stream' } })
    let body: unknown
    try {
      body = await r.json()
    } catch {
      body = null
    }
    if (r.status === 200 && typeof (body as { index?: unknown })?.index === 'number' && Number.isSafeInteger((body as { index: number }).index)) {
      return (body as { index: number }).index
    }
    const err = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error
    const code = typeof err?.code === 'string' ? err.code : `HTTP ${r.status}`
    const message = typeof err?.message === 'string' ? err.message : 'no error message'
    throw new CivicError('ERR_ISSUER_LEDGER', `${code}: ${message.slice(0, 300)}`)
  }

  /** Fetch `/proof/<index>` and verify it offline for `entry` (never throws on what the ledger sends). */
  async inclusion(index: number, entry: Uint8Array, now: number): Promise<Verdict<Inclusion>> {
    let text: Uint8Array
    try {
      const r = await this.#request(`proof/${index}`)
      if (r.status !== 200) return fail('ERR_LOG_FETCH_FAILED', `GET proof/${index}: HTTP ${r.status}`)
      text = new Uint8Array(await r.arrayBuffer())
    } catch (e) {
      return fail('ERR_LOG_FETCH_FAILED', (e as CivicError).detail ?? String(e))
    }
    const v = verifyTlogProof(text, { entry }, this.policy, now)
    if (!v.ok) return v
    if (v.value.index !== index) return fail('ERR_PROOF_OUT_OF_RANGE', `the proof is for index ${v.value.index}, not ${index}`)
    return ok({ index, checkpointSize: v.value.checkpoint.checkpoint.size, cosigners: v.value.checkpoint.cosigners.map((c) => c.name) })
  }

  /** The latest checkpoint, verified, with who cosigned it. */
  async witnesses(now: number): Promise<Verdict<WitnessView>> {
    let note: Uint8Array
    try {
      const r = await this.#request('checkpoint')
      if (r.status !== 200) return fail('ERR_LOG_FETCH_FAILED', `GET checkpoint: HTTP ${r.status}`)
      note = new Uint8Array(await r.arrayBuffer())
    } catch (e) {
      return fail('ERR_LOG_FETCH_FAILED', (e as CivicError).detail ?? String(e))
    }
    const v = verifyCheckpointNote(note, this.policy, now)
    if (!v.ok) return v
    const cosigners = v.value.cosigners.map((c) => ({ name: c.name, keyId: c.keyId, timestamp: c.timestampSeconds }))
    return ok({
      origin: v.value.checkpoint.origin,
      size: v.value.checkpoint.size,
      rootHash: encodeBase64(v.value.checkpoint.rootHash),
      cosigners,
      witnesses: this.trust.witnessKeys.map((key, i) => {
        const w = this.policy.witnesses[i]!
        return { key, name: w.name, cosigned: cosigners.some((c) => c.name === w.name && c.keyId === w.keyId) }
      }),
      quorum: this.policy.quorum,
    })
  }
}
