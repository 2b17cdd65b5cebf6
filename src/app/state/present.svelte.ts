/**
 * Answering a service counter, as reactive state over the wallet (wallet.svelte.ts): the
 * counter's request read from its QR code and verified offline against the ledger registry
 * (src/core/exchange/request.ts), the card that can answer and the consent plan
 * (src/wallet/consent.ts), then — on the citizen's word — one unused copy presented with its own
 * key, the answer sealed to the request's key with the status stapled when the wallet holds it,
 * split into QR frames; the copy is marked used and the presentation logged before the first
 * frame shows. Last, the counter's receipt is scanned, verified under the counter key the
 * request named, and kept with the log entry.
 *
 * Accessible mode: fewer bytes per frame (so larger modules at the same size on screen), more
 * frames; the same answer re-split, not a new presentation.
 */
import type { ErrorCode } from '../../core/errors.ts'
import { sealAnswer } from '../../core/exchange/answer.ts'
import { splitFrames } from '../../core/exchange/frames.ts'
import { verifyReceipt } from '../../core/exchange/receipt.ts'
import { verifyCounterRequest, type CounterRequest } from '../../core/exchange/request.ts'
import { stapleParts } from '../../core/exchange/staple.ts'
import { consentPlan, type ConsentPlan } from '../../wallet/consent.ts'
import { wallet as theWallet, type Card, type WalletApp } from './wallet.svelte.ts'

export type PresentStep = 'scan' | 'consent' | 'answer' | 'receipt' | 'done'

/** Byte capacity of QR version 25 at ECC M: one frame a phone shows and a counter camera reads. */
export const FRAME_BYTES = 997
/** Accessible mode: version 15 at ECC M, larger modules. */
export const FRAME_BYTES_ACCESSIBLE = 412

export interface Problem {
  code: ErrorCode | null
  detail: string
}

export interface RequestView {
  request: CounterRequest
  card: Card
  plan: ConsentPlan
  /** Cards of the asked type that could answer (the first is chosen). */
  candidates: number
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000)

export class PresentFlow {
  readonly #wallet: WalletApp
  #sealed: Uint8Array | null = null
  #entryId: string | null = null

  #step = $state<PresentStep>('scan')
  #problem = $state.raw<Problem | null>(null)
  #view = $state.raw<RequestView | null>(null)
  #frames = $state.raw<Uint8Array[]>([])
  #accessible = $state(false)
  #stapled = $state(false)
  #receipt = $state.raw<{ verdict: 'accepted' | 'refused' | 'unknown'; code?: string; claims: string[] } | null>(null)
  #busy = $state(false)

  constructor(wallet: WalletApp) {
    this.#wallet = wallet
  }

  get step(): PresentStep {
    return this.#step
  }
  get problem(): Problem | null {
    return this.#problem
  }
  get view(): RequestView | null {
    return this.#view
  }
  get frames(): readonly Uint8Array[] {
    return this.#frames
  }
  get accessible(): boolean {
    return this.#accessible
  }
  get stapled(): boolean {
    return this.#stapled
  }
  get receipt(): { verdict: 'accepted' | 'refused' | 'unknown'; code?: string; claims: string[] } | null {
    return this.#receipt
  }
  get busy(): boolean {
    return this.#busy
  }

  reset(): void {
    this.#step = 'scan'
    this.#problem = null
    this.#view = null
    this.#frames = []
    this.#sealed = null
    this.#entryId = null
    this.#receipt = null
    this.#stapled = false
  }

  #fail(code: ErrorCode | null, detail: string): void {
    this.#problem = { code, detail }
  }

  /** The request QR's text: verified offline, the card chosen, the consent plan made. */
  async readRequest(text: string): Promise<void> {
    const p = this.#wallet.presenting()
    if (!p || this.#busy) return this.#fail('ERR_TRUST_CONFIG', 'the wallet is locked or its ledger copy is not open')
    this.#busy = true
    this.#problem = null
    try {
      const now = nowSeconds()
      const r = await verifyCounterRequest(text.trim(), { now, verifier: (did) => p.reads.verifierRegistration(did, { now }) })
      if (!r.ok) return this.#fail(r.code, r.detail)
      const cards = this.#wallet.cards.filter((c) => c.vct === r.value.vct && c.usable > 0)
      if (cards.length === 0) return this.#fail('ERR_WALLET_REQUEST_INVALID', `no credential of type ${r.value.vct} with an unused copy is on this device`)
      const card = cards[0]!
      const plan = consentPlan({ verifier: { ok: true, value: r.value.verifier }, purposeId: r.value.purpose.id, vct: r.value.vct, claims: r.value.claims }, card, { never: this.#wallet.rules })
      if (!plan.ok) return this.#fail(plan.code, plan.detail)
      this.#view = { request: r.value, card, plan: plan.value, candidates: cards.length }
      this.#step = 'consent'
    } finally {
      this.#busy = false
    }
  }

  /** The citizen shares `claims`: a copy is presented, sealed, logged, and its frames shown. */
  async share(claims: string[], o: { staple: boolean }): Promise<void> {
    const p = this.#wallet.presenting()
    const v = this.#view
    if (!p || !v || this.#step !== 'consent' || this.#busy) return
    this.#busy = true
    this.#problem = null
    try {
      const now = nowSeconds()
      if (now >= v.request.exp + 60) return this.#fail('ERR_EXCH_REQUEST_EXPIRED', 'the counter\'s request has expired: ask for a new one')
      const copy = await p.wallet.presentCopy(v.card.batch, claims, { nonce: v.request.nonce, aud: v.request.clientId, iat: now })
      if (!copy.ok) return this.#fail(copy.code, copy.detail)
      if (!copy.value) return this.#fail('ERR_WALLET_REQUEST_INVALID', 'no unused copy of this credential is left: get it issued again')
      const held = o.staple && copy.value.status ? p.reads.staple(copy.value.status.uri) : null
      const extras = held ? stapleParts(held) : []
      const sealed = await sealAnswer({ presentation: copy.value.presentation, extras }, v.request)
      // The copy is spent and the presentation logged before anything is shown.
      const entry = await p.wallet.recordPresentation(copy.value.copyId, {
        at: now, verifier: { did: v.request.verifier.did, name: { ...v.request.verifier.name } }, purpose: { id: v.request.purpose.id, name: { ...v.request.purpose.name } }, claims,
      })
      if (!entry) return this.#fail('ERR_WALLET_REQUEST_INVALID', 'that copy was used meanwhile: try again')
      this.#sealed = sealed
      this.#entryId = entry
      this.#stapled = held !== null
      this.#frames = splitFrames(sealed, { frameBytes: this.#accessible ? FRAME_BYTES_ACCESSIBLE : FRAME_BYTES })
      this.#step = 'answer'
      await this.#wallet.reload()
    } catch (e) {
      const c = e as { code?: ErrorCode; detail?: string }
      if (typeof c.code === 'string') return this.#fail(c.code, c.detail ?? '')
      throw e
    } finally {
      this.#busy = false
    }
  }

  /** Larger modules, more frames (or back): the same sealed answer, split again. */
  setAccessible(on: boolean): void {
    this.#accessible = on
    if (this.#sealed) this.#frames = splitFrames(this.#sealed, { frameBytes: on ? FRAME_BYTES_ACCESSIBLE : FRAME_BYTES })
  }

  /** On to scanning the counter's receipt. */
  scanReceipt(): void {
    if (this.#step === 'answer') this.#step = 'receipt'
  }

  /** The receipt QR's text: verified under the counter key of the request answered, kept in the log. */
  async readReceipt(text: string): Promise<void> {
    const p = this.#wallet.presenting()
    const v = this.#view
    if (!p || !v || !this.#entryId || this.#busy) return
    this.#busy = true
    this.#problem = null
    try {
      const r = await verifyReceipt(text.trim(), {
        counterKey: v.request.counterKey, verifier: v.request.verifier.did, counter: v.request.counter.id, nonce: v.request.nonce,
        purpose: v.request.purpose.id, vct: v.request.vct, asked: v.request.claims.map((c) => c.path),
      })
      if (!r.ok) return this.#fail(r.code, r.detail)
      const receipt = { verdict: r.value.verdict, claims: r.value.claims, iat: r.value.iat, jws: text.trim(), ...(r.value.code ? { code: r.value.code } : {}) }
      const kept = await p.wallet.attachReceipt(this.#entryId, receipt)
      if (!kept.ok) return this.#fail(kept.code, kept.detail)
      this.#receipt = { verdict: receipt.verdict, claims: receipt.claims, ...(receipt.code ? { code: receipt.code } : {}) }
      this.#step = 'done'
      await this.#wallet.reload()
    } finally {
      this.#busy = false
    }
  }
}

/** The wallet's one presentation flow. */
export const present = new PresentFlow(theWallet)
