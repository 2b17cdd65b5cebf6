/**
 * The issuer's side of the public ledger (src/ledger/http.ts), which serves two logs under one
 * base URL: the registry log at `<url>/registry/` (the office's key changes) and the status log
 * at `<url>/status/` (its status anchors). For each:
 *
 * - `POST <log>/add-entry` answers exactly `{"index": n}` once the entry is durable and in a
 *   published, witnessed checkpoint of that log; anything else is a refusal or a fault;
 * - `GET <log>/proof/<n>` gives a c2sp.org/tlog-proof that the issuer checks OFFLINE against
 *   THAT log's trust policy (its origin and log key, the shared k-of-n witnesses, config.ts)
 *   before it reports the entry as included: a proof from the other log fails on its origin;
 * - `GET <log>/checkpoint` shows which witnesses cosigned the latest tree.
 *
 * A refusal by the ledger is CivicError ERR_ISSUER_LEDGER whose detail starts with the
 * ledger's own code (`ERR_REG_VERSION_NOT_INCREASING: …`), so callers can read it.
 */
import { CivicError, fail, ok, type Verdict } from '../core/errors.ts'
import { isJsonObject, parseJson } from '../core/bytes/json.ts'
import { decodeUtf8 } from '../core/bytes/utf8.ts'
import { verifyCheckpointNote, type LogPolicy } from '../core/log/policy.ts'
import { verifyTlogProof } from '../core/log/proof.ts'
import { encodeBase64 } from '../core/log/_encoding.ts'
import { LEDGER_LOGS, ledgerPolicy, type LedgerLog, type LedgerTrust } from './config.ts'

export type Fetch = typeof globalThis.fetch

export interface Inclusion {
  log: LedgerLog
  index: number
  checkpointSize: number
  cosigners: string[]
}

/** One log's latest checkpoint, verified, with who cosigned it. */
export interface LogWitnessView {
  log: LedgerLog
  origin: string
  size: number
  rootHash: string
  /** Configured witnesses whose cosignature on the latest checkpoint verified. */
  cosigners: { name: string; keyId: number; timestamp: number }[]
  /** Every configured witness key, and whether it cosigned. */
  witnesses: { key: string; name: string; cosigned: boolean }[]
}

/**
 * Both logs' latest checkpoints (`logs`: registry, then status) under the shared quorum. The
 * top-level members repeat the status log's view: the log this office's anchors land in, the
 * one a reader of its publishing looks at first.
 */
export interface WitnessView extends Omit<LogWitnessView, 'log'> {
  quorum: number
  logs: LogWitnessView[]
}

/** The most an add-entry answer may hold; it is `{"index": n}`. */
const MAX_ANSWER_BYTES = 64 * 1024

export class LedgerClient {
  readonly trust: LedgerTrust
  readonly policies: Readonly<Record<LedgerLog, LogPolicy>>
  readonly #fetch: Fetch
  readonly #timeoutMs: number

  constructor(trust: LedgerTrust, o: { fetch?: Fetch; timeoutMs?: number } = {}) {
    this.trust = trust
    this.policies = { registry: ledgerPolicy(trust, 'registry'), status: ledgerPolicy(trust, 'status') }
    this.#fetch = o.fetch ?? globalThis.fetch
    this.#timeoutMs = o.timeoutMs ?? 30_000
  }

  #url(log: LedgerLog, path: string): string {
    return `${this.trust.url}/${log}/${path}`
  }

  async #request(log: LedgerLog, path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await this.#fetch(this.#url(log, path), { ...init, redirect: 'error', signal: AbortSignal.timeout(this.#timeoutMs) })
    } catch (e) {
      throw new CivicError('ERR_ISSUER_LEDGER', `the ledger's ${log} log at ${this.trust.url}/${log}/ cannot be reached: ${(e as Error).message}`)
    }
  }

  /** POST one entry to `log`; resolves with its index in that log once the ledger has published it. */
  async addEntry(log: LedgerLog, entry: Uint8Array): Promise<number> {
    const r = await this.#request(log, 'add-entry', { method: 'POST', body: entry as Uint8Array<ArrayBuffer>, headers: { 'content-type': 'application/octet-stream' } })
    let body: unknown = null
    try {
      const bytes = new Uint8Array(await r.arrayBuffer())
      if (bytes.length <= MAX_ANSWER_BYTES) body = parseJson(decodeUtf8(bytes), { maxLength: MAX_ANSWER_BYTES, maxDepth: 4 }, `${log}/add-entry answer`)
    } catch {
      body = null
    }
    if (r.status === 200) {
      // exactly {"index": n}: an answer with more, or another kind of index, is not an index.
      if (isJsonObject(body) && Object.keys(body).length === 1 && typeof body.index === 'number' && Number.isSafeInteger(body.index) && body.index >= 0) return body.index
      throw new CivicError('ERR_ISSUER_LEDGER', `ERR_LEDGER_UNAVAILABLE: the ${log} log answered add-entry with 200 but not {"index": n}`)
    }
    const err = isJsonObject(body) && isJsonObject(body.error) ? body.error : null
    const code = typeof err?.code === 'string' && /^ERR_[A-Z0-9_]{1,60}$/.test(err.code) ? err.code : `HTTP ${r.status}`
    const message = typeof err?.message === 'string' ? err.message : 'no error message'
    throw new CivicError('ERR_ISSUER_LEDGER', `${code}: ${message.slice(0, 300)}`)
  }

  /** Fetch `<log>/proof/<index>` and verify it offline for `entry` against that log's policy (never throws on what the ledger sends). */
  async inclusion(log: LedgerLog, index: number, entry: Uint8Array, now: number): Promise<Verdict<Inclusion>> {
    let text: Uint8Array
    try {
      const r = await this.#request(log, `proof/${index}`)
      if (r.status !== 200) return fail('ERR_LOG_FETCH_FAILED', `GET ${log}/proof/${index}: HTTP ${r.status}`)
      text = new Uint8Array(await r.arrayBuffer())
    } catch (e) {
      return fail('ERR_LOG_FETCH_FAILED', (e as CivicError).detail ?? String(e))
    }
    const v = verifyTlogProof(text, { entry }, this.policies[log], now)
    if (!v.ok) return v
    if (v.value.index !== index) return fail('ERR_PROOF_OUT_OF_RANGE', `the ${log} log's proof is for index ${v.value.index}, not ${index}`)
    return ok({ log, index, checkpointSize: v.value.checkpoint.checkpoint.size, cosigners: v.value.checkpoint.cosigners.map((c) => c.name) })
  }

  /** One log's latest checkpoint, verified against its policy, with who cosigned it. */
  async checkpoint(log: LedgerLog, now: number): Promise<Verdict<LogWitnessView>> {
    let note: Uint8Array
    try {
      const r = await this.#request(log, 'checkpoint')
      if (r.status !== 200) return fail('ERR_LOG_FETCH_FAILED', `GET ${log}/checkpoint: HTTP ${r.status}`)
      note = new Uint8Array(await r.arrayBuffer())
    } catch (e) {
      return fail('ERR_LOG_FETCH_FAILED', (e as CivicError).detail ?? String(e))
    }
    const policy = this.policies[log]
    const v = verifyCheckpointNote(note, policy, now)
    if (!v.ok) return v
    const cosigners = v.value.cosigners.map((c) => ({ name: c.name, keyId: c.keyId, timestamp: c.timestampSeconds }))
    return ok({
      log,
      origin: v.value.checkpoint.origin,
      size: v.value.checkpoint.size,
      rootHash: encodeBase64(v.value.checkpoint.rootHash),
      cosigners,
      witnesses: this.trust.witnessKeys.map((key, i) => {
        const w = policy.witnesses[i]!
        return { key, name: w.name, cosigned: cosigners.some((c) => c.name === w.name && c.keyId === w.keyId) }
      }),
    })
  }

  /** Both logs' latest checkpoints; the first log that fails decides the verdict. */
  async witnesses(now: number): Promise<Verdict<WitnessView>> {
    const logs: LogWitnessView[] = []
    for (const log of LEDGER_LOGS) {
      const v = await this.checkpoint(log, now)
      if (!v.ok) return fail(v.code, `${log} log: ${v.detail}`)
      logs.push(v.value)
    }
    const { log: _log, ...status } = logs.find((l) => l.log === 'status')!
    return ok({ ...status, quorum: this.trust.quorum, logs })
  }
}
