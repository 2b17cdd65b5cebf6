/**
 * The counter's receipt (design §6 step 4): after the verdict the counter shows a QR code of a
 * JWS signed by its device key — the key its attestation binds, which the wallet already holds
 * from the request it answered — saying which verifier asked, for which purpose, when, for
 * which request (nonce), the credential type, the names of the claims it was shown (never
 * their values) and the verdict. The wallet keeps it in its activity log as signed evidence of
 * what was asked and decided.
 *
 * typ `civic-counter-receipt+jwt`; payload {iss: verifier DID, counter: counter id, nonce,
 * purpose, vct, claims: [names], verdict: 'accepted' | 'refused' | 'unknown' (the status could
 * not be established), code: why, unless accepted,
 * iat}. Each claim name is a claim path as requests write them (request.ts `isClaimPath`:
 * dotted names of letters, digits and `_`), so a value put where a name belongs is refused
 * wherever its characters tell it apart (`李`, `family_name=李`, `1990-05-01`; not a bare
 * `1990`). `verifyReceipt` checks it against the request the wallet answered: signature under
 * that request's counter key, then nonce, verifier and purpose (ERR_EXCH_RECEIPT_MISMATCH for
 * a receipt of another request, ERR_EXCH_RECEIPT_INVALID for anything malformed or unsigned).
 */
import { readShape } from '../bytes/shape.ts'
import type { PublicJwk } from '../crypto/jwk.ts'
import type { Signer } from '../crypto/keys.ts'
import { fail, InputError, isErrorCode, ok, type ErrorCode, type Verdict } from '../errors.ts'
import { checkJwsSignature, parseCompactJws, signCompactJws } from '../jose/jws.ts'
import { publicKeyOf } from '../registry/_keys.ts'
import { isClaimPath } from './request.ts'

export const RECEIPT_TYP = 'civic-counter-receipt+jwt'
export const RECEIPT_MAX_LENGTH = 2048

export interface Receipt {
  verifier: string
  counter: string
  nonce: string
  purpose: string
  vct: string
  claims: string[]
  verdict: 'accepted' | 'refused' | 'unknown'
  code?: ErrorCode
  iat: number
}

/** What the wallet expects a receipt to be about: the request it answered. */
/** The request the receipt must be for, as the wallet read it. */
export interface ReceiptExpectation {
  counterKey: PublicJwk
  verifier: string
  /** The counter id the attestation named. */
  counter: string
  nonce: string
  purpose: string
  vct: string
  /** The claim paths the request asked for: a receipt names only some of them. */
  asked: readonly string[]
}

export async function signReceipt(r: Receipt, counterSigner: Signer): Promise<string> {
  if ((r.verdict !== 'accepted') !== (r.code !== undefined)) throw new TypeError('a receipt carries a code unless accepted')
  const payload: Record<string, unknown> = { iss: r.verifier, counter: r.counter, nonce: r.nonce, purpose: r.purpose, vct: r.vct, claims: [...r.claims], verdict: r.verdict, iat: r.iat }
  if (r.code) payload.code = r.code
  return signCompactJws({ typ: RECEIPT_TYP }, payload, counterSigner)
}

export async function verifyReceipt(text: string, expect: ReceiptExpectation): Promise<Verdict<Receipt>> {
  const I = 'ERR_EXCH_RECEIPT_INVALID'
  try {
    if (typeof text !== 'string' || text.length > RECEIPT_MAX_LENGTH) return fail(I, `not a receipt of at most ${RECEIPT_MAX_LENGTH} characters`)
    let jws
    try {
      jws = parseCompactJws(text, { typ: RECEIPT_TYP, maxLength: RECEIPT_MAX_LENGTH })
    } catch (e) {
      if (e instanceof InputError) return fail(I, `${e.code}: ${e.detail}`)
      throw e
    }
    const sig = await checkJwsSignature(jws, publicKeyOf(expect.counterKey))
    if (!sig.ok) return fail(I, `not signed by the counter that asked (${sig.code})`)
    const p = readShape(jws.payload, { iss: 'text', counter: 'text', nonce: 'text', purpose: 'text', vct: 'text', claims: 'array', verdict: 'text', code: 'text?', iat: 'uint' }, 'receipt', I)
    if (p.claims.length > 64 || !p.claims.every((c) => isClaimPath(c) && c.length <= 128)) return fail(I, 'receipt.claims is not a list of claim names')
    if (p.verdict !== 'accepted' && p.verdict !== 'refused' && p.verdict !== 'unknown') return fail(I, 'receipt.verdict is not accepted, refused or unknown')
    if ((p.verdict !== 'accepted') !== (p.code !== undefined) || (p.code !== undefined && !isErrorCode(p.code))) return fail(I, 'a receipt names its code from the catalogue unless accepted')
    if (p.nonce !== expect.nonce) return fail('ERR_EXCH_RECEIPT_MISMATCH', 'the receipt is for another request (nonce)')
    if (p.iss !== expect.verifier) return fail('ERR_EXCH_RECEIPT_MISMATCH', 'the receipt names another verifier')
    if (p.purpose !== expect.purpose) return fail('ERR_EXCH_RECEIPT_MISMATCH', 'the receipt names another purpose')
    if (p.counter !== expect.counter) return fail('ERR_EXCH_RECEIPT_MISMATCH', 'the receipt names another counter')
    if (p.vct !== expect.vct) return fail('ERR_EXCH_RECEIPT_MISMATCH', 'the receipt names another credential type')
    const asked = new Set(expect.asked)
    if (!p.claims.every((c) => asked.has(c as string))) return fail('ERR_EXCH_RECEIPT_MISMATCH', 'the receipt names a claim the request did not ask for')
    const out: Receipt = { verifier: p.iss, counter: p.counter, nonce: p.nonce, purpose: p.purpose, vct: p.vct, claims: p.claims as string[], verdict: p.verdict, iat: p.iat }
    if (p.code !== undefined) out.code = p.code as ErrorCode
    return ok(out)
  } catch (e) {
    if (e instanceof InputError) return fail(e.code, e.detail)
    throw e
  }
}
