/**
 * The service counter as reactive state (src/counter/counter.ts underneath): opening the
 * counter on this device, enrolling it from its verifier's link, one transaction at a time —
 * a purpose picked, its request shown, the answer's frames collected from the camera, the
 * verdict, then the receipt — and the audit trail for supervisors.
 *
 * - The counter reads the trust engine's local fold and status cache only (no network while
 *   verifying); the engine syncs when the official asks, or in the background when online.
 * - What the answer disclosed lives in `verdict` until the official closes it; `finish()`
 *   drops it from this state (and from the domain's verdict), keeps the signed audit record
 *   and shows the receipt. Nothing of it is written to storage.
 * - Frames are collected in any order; a frame of another answer is said, not mixed in.
 */
import { CivicError, fail, InputError, type ErrorCode, type Verdict } from '../../core/errors.ts'
import type { LocalizedText } from '../../core/registry/entry.ts'
import { FrameCollector } from '../../core/exchange/frames.ts'
import { Counter, type CounterTrust, type CounterVerdict, type Enrolment } from '../../counter/counter.ts'
import { parseEnrolmentLink, requestAttestation } from '../../counter/enrol.ts'
import { trust, type TrustState } from './trust.svelte.ts'

export type CounterStatus = 'idle' | 'opening' | 'unenrolled' | 'ready' | 'failed'
export type CounterStep = 'purposes' | 'request' | 'verdict' | 'receipt'

export interface Problem {
  code: ErrorCode | null
  detail: string
}

/** The enrolment as screens show it (plain values). */
export interface EnrolmentView {
  verifier: { did: string; name: LocalizedText }
  counter: { id: string; name: LocalizedText }
  purposes: { id: string; name: LocalizedText; vct: string; claims: string[] }[]
  exp: number
}

export type CounterView = { name: 'counter' } | { name: 'enrol'; query: string }

/** `#/counter` and `#/counter/enrol?verifier=…&code=…`. */
export function parseCounterView(hash: string): CounterView {
  const m = /^#\/counter\/enrol\?(.*)$/.exec(hash)
  return m ? { name: 'enrol', query: m[1]! } : { name: 'counter' }
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000)

function enrolmentView(e: Enrolment): EnrolmentView {
  return {
    verifier: { did: e.verifier.did, name: { ...e.verifier.name } },
    counter: { id: e.counter.id, name: { ...e.counter.name } },
    purposes: e.purposes.map((p) => ({ id: p.id, name: { ...p.name }, vct: p.vct, claims: [...p.claims] })),
    exp: e.exp,
  }
}

function failure(e: unknown): Problem {
  if (e instanceof CivicError) return { code: e.code, detail: e.detail }
  if (e instanceof TypeError) throw e
  return { code: 'ERR_STORE_UNAVAILABLE', detail: e instanceof Error ? e.message : String(e) }
}

export class CounterApp {
  readonly #trust: TrustState
  readonly #dbName: string | undefined
  #counter: Counter | null = null
  #collector = new FrameCollector()

  #status = $state<CounterStatus>('idle')
  #problem = $state.raw<Problem | null>(null)
  #enrolment = $state.raw<EnrolmentView | null>(null)
  #step = $state<CounterStep>('purposes')
  #request = $state.raw<{ text: string; nonce: string; purposeId: string; exp: number } | null>(null)
  #progress = $state.raw<{ received: number; count: number } | null>(null)
  #scanProblem = $state.raw<Problem | null>(null)
  #verdict = $state.raw<CounterVerdict | null>(null)
  #receipt = $state<string | null>(null)
  #busy = $state(false)

  constructor(o: { trust?: TrustState; dbName?: string } = {}) {
    this.#trust = o.trust ?? trust
    this.#dbName = o.dbName
  }

  get status(): CounterStatus { return this.#status }
  get problem(): Problem | null { return this.#problem }
  get enrolment(): EnrolmentView | null { return this.#enrolment }
  get step(): CounterStep { return this.#step }
  get request(): { text: string; nonce: string; purposeId: string; exp: number } | null { return this.#request }
  get progress(): { received: number; count: number } | null { return this.#progress }
  get scanProblem(): Problem | null { return this.#scanProblem }
  get verdict(): CounterVerdict | null { return this.#verdict }
  get receipt(): string | null { return this.#receipt }
  get busy(): boolean { return this.#busy }
  /** The ledger copy the counter judges by: when it last synced, and whether it is syncing now. */
  get ledger(): { lastSyncAt: number | null; syncing: boolean } {
    return { lastSyncAt: this.#trust.snapshot?.lastSyncAt ?? null, syncing: this.#trust.syncing }
  }

  /** Sync the ledger copy (network); verification itself never waits on it. */
  sync(): Promise<void> {
    return this.#trust.sync()
  }

  /** The trust engine's reads as the counter domain wants them. */
  #reads(): CounterTrust | null {
    const r = this.#trust.reads
    if (!r) return null
    return {
      verifierRegistration: (did, o) => r.verifierRegistration(did, o),
      issuerStanding: (did, o) => r.issuerStanding(did, o),
      credentialKeys: (o) => r.credentialKeys(o),
      status: (uri, idx, o) => r.status(uri, idx, o),
      judgeStaple: (s, uri, idx, o) => r.judgeStaple(s, uri, idx, o),
    }
  }

  /** Opens the counter (trust engine first: verification reads only its local copy). */
  async open(): Promise<void> {
    if (this.#status === 'opening' || this.#status === 'ready' || this.#status === 'unenrolled') return
    this.#status = 'opening'
    await this.#trust.open()
    const reads = this.#reads()
    if (!reads) {
      this.#problem = { code: this.#trust.problem?.code ?? 'ERR_TRUST_CONFIG', detail: this.#trust.problem?.detail ?? 'the ledger copy is not open' }
      this.#status = 'failed'
      return
    }
    try {
      this.#counter = await Counter.open({ trust: reads, now: nowSeconds(), ...(this.#dbName ? { dbName: this.#dbName } : {}) })
      const e = await this.#counter.enrolment({ now: nowSeconds() })
      if (e && e.ok) this.#enrolment = enrolmentView(e.value)
      else if (e && !e.ok) this.#problem = { code: e.code, detail: e.detail }
      this.#status = e?.ok ? 'ready' : 'unenrolled'
    } catch (e) {
      this.#problem = failure(e)
      this.#status = 'failed'
    }
  }

  /** Enrols from the link's query (`verifier`, `code`). */
  async enrol(query: string): Promise<Verdict<void>> {
    const c = this.#counter
    if (!c || this.#busy) throw new TypeError('the counter cannot enrol now')
    const link = parseEnrolmentLink(query)
    if (!link.ok) return this.#refuse(link)
    this.#busy = true
    try {
      // The attestation is checked against the registry: a first enrolment waits for the first sync.
      if (!this.#trust.synced) await this.#trust.sync()
      const att = await requestAttestation(link.value, c.publicJwk)
      if (!att.ok) return this.#refuse(att)
      const e = await c.enrol(att.value, { now: nowSeconds() })
      if (!e.ok) return this.#refuse(e)
      this.#enrolment = enrolmentView(e.value)
      this.#problem = null
      this.#status = 'ready'
      return { ok: true, value: undefined }
    } catch (e) {
      const p = failure(e)
      return this.#refuse({ ok: false, code: p.code ?? 'ERR_STORE_UNAVAILABLE', detail: p.detail })
    } finally {
      this.#busy = false
    }
  }

  #refuse(f: { ok: false; code: ErrorCode; detail: string }): Verdict<void> {
    this.#problem = { code: f.code, detail: f.detail }
    return fail(f.code, f.detail)
  }

  /** Shows the request QR for a purpose; `optional` claims the citizen may leave out. */
  async ask(purposeId: string, optional: readonly string[] = []): Promise<Verdict<void>> {
    const c = this.#counter
    if (!c || this.#status !== 'ready' || this.#busy) throw new TypeError('the counter cannot ask now')
    this.#busy = true
    try {
      const r = await c.request(purposeId, { now: nowSeconds(), optional })
      if (!r.ok) return this.#refuse(r)
      this.#request = { text: r.value.text, nonce: r.value.nonce, purposeId, exp: r.value.exp }
      this.#collector.reset()
      this.#progress = null
      this.#scanProblem = null
      this.#step = 'request'
      return { ok: true, value: undefined }
    } finally {
      this.#busy = false
    }
  }

  /** One scanned frame of the answer; verifies once all are in. True while more frames are wanted. */
  async frame(bytes: Uint8Array): Promise<boolean> {
    const c = this.#counter
    if (!c || this.#step !== 'request') return false
    try {
      const p = this.#collector.add(bytes)
      this.#progress = { received: p.received, count: p.count }
      this.#scanProblem = null
      if (!p.complete) return true
      const message = this.#collector.join()
      this.#busy = true
      this.#verdict = await c.verify(message, { now: nowSeconds() })
      this.#step = 'verdict'
      return false
    } catch (e) {
      if (!(e instanceof InputError)) throw e
      this.#scanProblem = { code: e.code, detail: e.detail }
      // A frame of another answer: start again from it if the official scans on.
      if (e.code === 'ERR_QR_INTEGRITY') this.#collector.reset()
      return true
    } finally {
      this.#busy = false
    }
  }

  /** The official closes the verdict: the claims go, the audit record is kept, the receipt shows. */
  async finish(): Promise<void> {
    const c = this.#counter
    const v = this.#verdict
    if (!c || !v) throw new TypeError('no verdict to close')
    this.#busy = true
    try {
      const { receipt } = await c.finish(v)
      this.#verdict = null
      this.#request = null
      this.#progress = null
      this.#receipt = receipt
      this.#step = 'receipt'
    } catch (e) {
      this.#problem = failure(e)
    } finally {
      this.#busy = false
    }
  }

  /** Back to the purposes for the next citizen (the request, if one was open, is dropped). */
  next(): void {
    if (this.#verdict) throw new TypeError('close the verdict first')
    this.#request = null
    this.#progress = null
    this.#receipt = null
    this.#scanProblem = null
    this.#collector.reset()
    this.#step = 'purposes'
  }

  async exportAudit(): Promise<string> {
    if (!this.#counter) throw new TypeError('the counter is not open')
    return this.#counter.exportAudit()
  }
}

/** The app's one counter. */
export const counter = new CounterApp()
