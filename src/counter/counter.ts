/**
 * The service counter (design §6): the official's device, offline after its last sync.
 *
 * - Its own key: a non-extractable ECDSA P-256 key pair made once and kept in IndexedDB
 *   (src/store/counter.ts). The verifier enrols it: a counter attestation binding that key to
 *   the verifier and its purposes (src/core/exchange/request.ts); `enrol` checks the
 *   attestation against the registry and that it binds this device's key before keeping it.
 * - A request per citizen: a fresh nonce and a fresh ephemeral ECDH key (memory only), signed
 *   with the device key, valid five minutes at most.
 * - An answer: the pending request whose key decrypts it is the one answered (a counter has few
 *   open at once); verified with no network — registry keys, KB to this nonce and client id,
 *   exactly the claims asked, status from the trust engine's cache or from the list the wallet
 *   stapled (proven against the ledger's witnessed checkpoint; the newer anchor decides). Each request is answered
 *   once: a second answer to it is ERR_EXCH_REPLAY while the counter still holds it, and
 *   ERR_EXCH_NONCE_UNKNOWN after it expired or the page was reloaded (its key is gone). Only an
 *   answer whose credential and key binding verify uses the request up: junk encrypted to the
 *   request's key (anyone who saw its QR can) is refused without spending the citizen's turn.
 *   The answer must use the one content encryption the request offered (A128GCM).
 * - The verdict: `accepted` (green), `refused` (red, with the code), or `unknown` (the status
 *   could not be established from what the counter holds; with the code). It carries the
 *   disclosed claims for the official to see; `finish` drops them and writes a signed audit
 *   record — time, purpose, credential type, verdict, code, nonce; no claim — and a signed
 *   receipt for the citizen.
 */
import { generateCryptoKeyPair, signerFromCryptoKeyPair, generateEcdhKeyPair, type Signer } from '../core/crypto/keys.ts'
import { sameJwk, type PublicJwk } from '../core/crypto/jwk.ts'
import { CivicError, fail, InputError, ok, type ErrorCode, type Verdict } from '../core/errors.ts'
import type { JwsKeyResolver } from '../core/jose/jws.ts'
import { parseCompactJws, signCompactJws } from '../core/jose/jws.ts'
import type { LocalizedText, VerifierPurpose } from '../core/registry/entry.ts'
import type { IssuerRecord, VerifierRecord } from '../core/registry/state.ts'
import { openAnswer, verifyAnswer, type PresentedCredential } from '../core/exchange/answer.ts'
import type { JweEnc } from '../core/jose/jwe.ts'
import { signReceipt } from '../core/exchange/receipt.ts'
import { readStaple, type Staple } from '../core/exchange/staple.ts'
import {
  CLIENT_ID_PREFIX, REQUEST_MAX_SECONDS, requestNonce, signCounterRequest, verifyCounterRequest,
  type CounterInfo, type RequestedClaimPath,
} from '../core/exchange/request.ts'
import { CounterRepository, type StoredEnrolment } from '../store/counter.ts'

export const AUDIT_TYP = 'civic-counter-audit+jwt'

/** What the counter reads of the trust engine (src/trust's TrustEngine has all of it). */
export interface CounterTrust {
  verifierRegistration(did: string, o: { now: number }): Verdict<VerifierRecord>
  issuerStanding(did: string, o: { now: number }): Verdict<IssuerRecord>
  credentialKeys(o: { now: number }): JwsKeyResolver
  status(uri: string, index: number, o: { now: number }): StatusLike
  /** A stapled list proven with no network (src/trust/status.ts `judgeStapled`). */
  judgeStaple(staple: Staple, uri: string, index: number, o: { now: number }): Promise<StatusLike>
}

export interface StatusLike {
  state: 'valid' | 'invalid' | 'suspended' | 'unknown'
  code: ErrorCode | null
  detail: string
  anchoredAt: number | null
  /** The anchor's version the verdict rests on (null when unknown). */
  version: number | null
}

export interface Enrolment {
  verifier: VerifierRecord
  counter: CounterInfo
  purposes: VerifierPurpose[]
  exp: number
}

export interface OpenRequest {
  /** The request object: the text of the request QR code. */
  text: string
  nonce: string
  purpose: VerifierPurpose
  exp: number
}

export type Outcome = 'accepted' | 'refused' | 'unknown'

export interface CounterVerdict {
  outcome: Outcome
  code: ErrorCode | null
  detail: string
  nonce: string | null
  purpose: { id: string; name: LocalizedText } | null
  /** The credential, when the answer got as far as a verified presentation. */
  credential: (PresentedCredential & { issuerName: LocalizedText | null }) | null
  /** `stapled`: the verdict rests on the status the wallet stapled, not on the counter's own copy. */
  status: { state: 'valid' | 'invalid' | 'suspended' | 'unknown' | 'none'; anchoredAt: number | null; stapled: boolean } | null
  at: number
}

interface Pending {
  nonce: string
  clientId: string
  purpose: VerifierPurpose
  claims: RequestedClaimPath[]
  iat: number
  exp: number
  key: CryptoKey
  /** The one content encryption the request offered. */
  enc: JweEnc
  answered: boolean
}

/** What a counter request offers for the answer's content encryption. */
const ANSWER_ENC: JweEnc = 'A128GCM'

const SKEW = 60
const KEEP_EXPIRED_SECONDS = 600

export class Counter {
  readonly #repo: CounterRepository
  readonly #trust: CounterTrust
  readonly #random: (n: number) => Uint8Array
  readonly #signer: Signer
  #enrolment: StoredEnrolment | null
  #pending: Pending[] = []

  private constructor(repo: CounterRepository, trust: CounterTrust, random: (n: number) => Uint8Array, signer: Signer, enrolment: StoredEnrolment | null) {
    this.#repo = repo
    this.#trust = trust
    this.#random = random
    this.#signer = signer
    this.#enrolment = enrolment
  }

  /** Opens the counter's store, making the device key on first use. ERR_STORE_UNAVAILABLE, ERR_STORE_QUOTA. */
  static async open(o: { trust: CounterTrust; now: number; dbName?: string; random?: (n: number) => Uint8Array }): Promise<Counter> {
    const repo = await CounterRepository.open(o.dbName)
    let device = await repo.device()
    if (!device) {
      const pair = await generateCryptoKeyPair()
      await repo.putDevice({ privateKey: pair.privateKey, publicKey: pair.publicKey, createdAt: o.now })
      device = await repo.device()
      if (!device) throw new CivicError('ERR_STORE_UNAVAILABLE', 'the counter key was not kept')
    }
    const signer = await signerFromCryptoKeyPair(device)
    const random = o.random ?? ((n: number) => crypto.getRandomValues(new Uint8Array(n)))
    return new Counter(repo, o.trust, random, signer, await repo.enrolment())
  }

  close(): void {
    this.#pending = []
    this.#repo.close()
  }

  /** The device's public key: what the verifier enrols. */
  get publicJwk(): PublicJwk {
    return this.#signer.publicJwk
  }

  /**
   * Keeps an attestation the verifier signed for this device, once it checks out under the
   * registry: ERR_EXCH_ATTESTATION_INVALID, ERR_REG_*, ERR_EXCH_COUNTER_UNENROLLED (it binds
   * another key).
   */
  async enrol(attestation: string, o: { now: number }): Promise<Verdict<Enrolment>> {
    const probe = await this.#probe(attestation, o.now)
    if (!probe.ok) return probe
    await this.#repo.putEnrolment({ attestation, verifier: probe.value.verifier.did, counterId: probe.value.counter.id, exp: probe.value.exp, enrolledAt: o.now })
    this.#enrolment = await this.#repo.enrolment()
    return probe
  }

  /** The enrolment as the registry judges it now (it may have expired, or the verifier been suspended). */
  async enrolment(o: { now: number }): Promise<Verdict<Enrolment> | null> {
    if (!this.#enrolment) return null
    return this.#probe(this.#enrolment.attestation, o.now)
  }

  /** A self-signed request under the attestation proves the attestation binds this key, with the request checks the wallet makes. */
  async #probe(attestation: string, now: number): Promise<Verdict<Enrolment>> {
    let payload
    try {
      payload = parseCompactJws(attestation, { maxLength: 6000 }).payload
    } catch {
      return fail('ERR_EXCH_ATTESTATION_INVALID', 'not a counter attestation')
    }
    const purposes = Array.isArray(payload.purposes) ? payload.purposes.filter((x): x is string => typeof x === 'string') : []
    const standing = this.#trust.verifierRegistration(String(payload.iss), { now })
    if (!standing.ok) return standing
    const registered = standing.value.purposes.filter((p) => purposes.includes(p.id))
    if (registered.length === 0) return fail('ERR_EXCH_PURPOSE_UNKNOWN', 'the attestation grants no purpose the verifier registered')
    const purpose = registered.find((p) => p.retention.days === 0)
    if (!purpose) return fail('ERR_EXCH_PURPOSE_RETAINS', 'every purpose the attestation grants keeps data; a counter keeps nothing')
    const ephemeral = await generateEcdhKeyPair()
    const text = await signCounterRequest({
      attestation, verifier: standing.value.did, purpose: purpose.id, vct: purpose.vct,
      claims: purpose.claims.map((path) => ({ path, required: true })),
      nonce: requestNonce(this.#random), iat: now, exp: now + 60, responseKey: ephemeral.publicJwk,
    }, this.#signer)
    const v = await verifyCounterRequest(text, { now, verifier: (did) => this.#trust.verifierRegistration(did, { now }) })
    if (!v.ok) return v
    if (!sameJwk(v.value.counterKey, this.#signer.publicJwk)) return fail('ERR_EXCH_COUNTER_UNENROLLED', 'the attestation binds another device key')
    const granted = v.value.verifier.purposes.filter((p) => purposes.includes(p.id) && p.retention.days === 0)
    return ok({ verifier: v.value.verifier, counter: v.value.counter, purposes: granted, exp: Number(payload.exp) })
  }

  /**
   * A request for one of the enrolled purposes: `optional` names the purpose's claims the
   * citizen may leave out. ERR_EXCH_COUNTER_UNENROLLED when not enrolled (or not for it).
   */
  async request(purposeId: string, o: { now: number; optional?: readonly string[]; lifetime?: number }): Promise<Verdict<OpenRequest>> {
    const en = await this.enrolment(o)
    if (!en) return fail('ERR_EXCH_COUNTER_UNENROLLED', 'this counter is not enrolled')
    if (!en.ok) return en
    const purpose = en.value.purposes.find((p) => p.id === purposeId)
    if (!purpose) return fail('ERR_EXCH_COUNTER_UNENROLLED', `this counter is not enrolled for ${purposeId.slice(0, 64)}`)
    const lifetime = o.lifetime ?? REQUEST_MAX_SECONDS
    if (lifetime <= 0 || lifetime > REQUEST_MAX_SECONDS) throw new RangeError('a request lives at most REQUEST_MAX_SECONDS')
    const ephemeral = await generateEcdhKeyPair()
    const nonce = requestNonce(this.#random)
    const optional = new Set(o.optional ?? [])
    const claims = purpose.claims.map((path) => ({ path, required: !optional.has(path) }))
    const exp = o.now + lifetime
    const text = await signCounterRequest({
      attestation: this.#enrolment!.attestation, verifier: en.value.verifier.did, purpose: purpose.id, vct: purpose.vct,
      claims, nonce, iat: o.now, exp, responseKey: ephemeral.publicJwk, enc: ANSWER_ENC,
    }, this.#signer)
    this.#forgetExpired(o.now)
    this.#pending.push({ nonce, clientId: `${CLIENT_ID_PREFIX}${en.value.verifier.did}`, purpose, claims, iat: o.now, exp, key: ephemeral.privateKey, enc: ANSWER_ENC, answered: false })
    return ok({ text, nonce, purpose, exp })
  }

  /** Requests are held for a while past their expiry, so that a late answer is told it came too late. */
  #forgetExpired(now: number): void {
    this.#pending = this.#pending.filter((p) => now - SKEW < p.exp + KEEP_EXPIRED_SECONDS)
  }

  /** Judges the bytes of an answer (the joined QR frames). Never throws on what they hold. */
  async verify(bytes: Uint8Array, o: { now: number }): Promise<CounterVerdict> {
    const refused = (code: ErrorCode, detail: string, p: Pending | null, credential: CounterVerdict['credential'] = null): CounterVerdict => ({
      outcome: 'refused', code, detail, nonce: p?.nonce ?? null, purpose: p ? { id: p.purpose.id, name: p.purpose.name } : null, credential, status: null, at: o.now,
    })
    this.#forgetExpired(o.now)
    let pending: Pending | null = null
    let content = null
    let lastFailure: { code: ErrorCode; detail: string } = { code: 'ERR_EXCH_NONCE_UNKNOWN', detail: 'this counter holds no open request' }
    for (const p of [...this.#pending].reverse()) {
      const opened = await openAnswer(bytes, p.key, { enc: p.enc })
      if (opened.ok) {
        pending = p
        content = opened.value
        break
      }
      // Not this request's key: the answer may be for another one; anything else is the answer's own fault.
      lastFailure = opened.code === 'ERR_EXCH_JWE_DECRYPT' ? { code: 'ERR_EXCH_NONCE_UNKNOWN', detail: 'the answer is for a request this counter no longer holds (expired, or made before a reload)' } : opened
      if (opened.code !== 'ERR_EXCH_JWE_DECRYPT') break
    }
    if (!pending || !content) return refused(lastFailure.code, lastFailure.detail, null)
    if (pending.answered) return refused('ERR_EXCH_REPLAY', 'this request was answered already: an answer is accepted once', pending)
    if (o.now - SKEW >= pending.exp) return refused('ERR_EXCH_REQUEST_EXPIRED', `the request expired at ${pending.exp}`, pending)
    const v = await verifyAnswer(content, { nonce: pending.nonce, clientId: pending.clientId, vct: pending.purpose.vct, claims: pending.claims }, { now: o.now, issuerKeys: this.#trust.credentialKeys({ now: o.now }) })
    // Used up only by an answer whose credential and key binding verify: anyone who saw the
    // request QR can encrypt junk to its key, and that must not spend the citizen's turn.
    if (!v.ok) return refused(v.code, v.detail, pending)
    pending.answered = true
    const issuer = this.#trust.issuerStanding(v.value.iss, { now: o.now })
    const credential = { ...v.value, issuerName: issuer.ok ? { ...issuer.value.name } : null }
    const base = { nonce: pending.nonce, purpose: { id: pending.purpose.id, name: pending.purpose.name }, credential, at: o.now }
    if (!v.value.status) return { ...base, outcome: 'accepted', code: null, detail: '', status: { state: 'none', anchoredAt: null, stapled: false } }
    let staple: Staple | null
    try {
      staple = readStaple(content.extras)
    } catch (e) {
      if (!(e instanceof InputError)) throw e
      return refused(e.code, e.detail, pending, credential)
    }
    const s = await this.#statusOf(v.value.status, staple, o.now)
    const status = { state: s.state, anchoredAt: s.anchoredAt, stapled: s.stapled }
    if (s.state === 'valid') return { ...base, outcome: 'accepted', code: null, detail: '', status }
    if (s.state === 'invalid') return { ...base, outcome: 'refused', code: 'ERR_STATUS_REVOKED', detail: 'the issuer revoked this credential', status }
    if (s.state === 'suspended') return { ...base, outcome: 'refused', code: 'ERR_STATUS_SUSPENDED', detail: 'the issuer suspended this credential', status }
    return { ...base, outcome: 'unknown', code: s.code, detail: s.detail, status }
  }

  /**
   * The status the counter holds, or the stapled one where that rests on a newer anchor (or the
   * held one is unknown): the newest proven word of the issuer decides.
   */
  async #statusOf(ref: { uri: string; idx: number }, staple: Staple | null, now: number): Promise<StatusLike & { stapled: boolean }> {
    const held = this.#trust.status(ref.uri, ref.idx, { now })
    if (!staple) return { ...held, stapled: false }
    const stapled = await this.#trust.judgeStaple(staple, ref.uri, ref.idx, { now })
    if (held.state === 'unknown' && (stapled.state !== 'unknown' || held.version === null)) return { ...stapled, stapled: true }
    if (stapled.state !== 'unknown' && (stapled.version ?? 0) > (held.version ?? 0)) return { ...stapled, stapled: true }
    return { ...held, stapled: false }
  }

  /**
   * The official closes the verdict: the claims go (the caller drops its copy too), a signed
   * audit record without them is kept, and the receipt for the citizen is returned (null when
   * the answer never reached a request of this counter).
   */
  async finish(v: CounterVerdict): Promise<{ receipt: string | null }> {
    const en = this.#enrolment
    const verdict = { verifier: en?.verifier ?? '', counter: en?.counterId ?? '', purpose: v.purpose?.id ?? null, vct: v.credential?.vct ?? null, outcome: v.outcome, code: v.code, nonce: v.nonce, at: v.at }
    const jws = await signCompactJws({ typ: AUDIT_TYP }, verdict, this.#signer)
    await this.#repo.addAudit({ jws, at: v.at })
    const claimNames = v.credential?.claims.map((c) => c.path) ?? []
    if (v.credential) v.credential.claims = []
    if (!en || !v.nonce || !v.purpose) return { receipt: null }
    const receipt = await signReceipt({
      verifier: en.verifier, counter: en.counterId, nonce: v.nonce, purpose: v.purpose.id, vct: v.credential?.vct ?? this.#pendingVct(v.nonce),
      claims: claimNames, verdict: v.outcome, ...(v.outcome !== 'accepted' ? { code: v.code ?? 'ERR_EXCH_REQUEST_INVALID' } : {}), iat: v.at,
    }, this.#signer)
    return { receipt }
  }

  #pendingVct(nonce: string): string {
    return this.#pending.find((p) => p.nonce === nonce)?.purpose.vct ?? ''
  }

  /** The audit trail as JSON lines of signed records, for supervisors. */
  async exportAudit(): Promise<string> {
    return (await this.#repo.audit()).map((a) => JSON.stringify({ at: a.at, record: a.jws })).join('\n')
  }

  /** Every stored record (tests look for claims that must not be there). */
  dump(): Promise<Record<string, unknown[]>> {
    return this.#repo.dump()
  }
}
