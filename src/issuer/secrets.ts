/**
 * The issuer's secrets at rest (design §8 rule 9): pre-authorized codes, transaction codes and
 * access tokens are kept as keyed MACs (HMAC-SHA-256, RFC 2104) under a 32-byte key stored in
 * the key store beside the signing keys (`<data>/keys/state-mac.key`, mode 0600), never in
 * `state.json`. Whoever reads the state file — a backup, a copy sent with a support request,
 * a stolen disk image without the key store — can neither redeem a pending offer nor brute
 * force its 6-digit transaction code: without the key, a stored value says nothing about the
 * code it was made from, and no guess can be checked offline.
 *
 * - An offer's public handle, the last segment of its `credential_offer_uri`, is not stored
 *   either: it is HMAC(key, "offer-uri" ‖ offer id). The offer id is in the file (offers are
 *   keyed by it) and opens nothing on the public listener; GET /offers/<handle> finds the offer
 *   by its handle alone, so the reader of the file, who has every id, has no URI to fetch.
 * - A pre-authorized code is not stored at all: it is HMAC(key, "pre-authorized-code" ‖ offer
 *   id), so GET /offers/<handle> can serve a pending offer's code and the token endpoint can
 *   find the offer a code belongs to, both from the key alone.
 * - A transaction code is stored as HMAC(key, "tx-code" ‖ offer id ‖ code) and compared in
 *   constant time; the offer id in the message means one offer's value never matches another's.
 * - An access token (random, handed to the wallet once) is stored as HMAC(key, "access-token" ‖
 *   token).
 *
 * Each message starts with its label and a 0x00 byte, so a value of one kind is never a value
 * of another. A different key (a fresh data directory, a lost key file replaced) makes every
 * pending offer and access token unredeemable: codes derived under it differ, stored MACs do not
 * match. Node's HMAC is used here: this module runs only in the issuer service.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { encodeBase64url } from '../core/bytes/base64url.ts'

/** Bytes of the MAC key. */
export const MAC_KEY_BYTES = 32

type Label = 'offer-uri' | 'pre-authorized-code' | 'tx-code' | 'access-token'

/** What an offer handle looks like (a base64url HMAC-SHA-256), checked before any lookup. */
export const OFFER_HANDLE = /^[A-Za-z0-9_-]{43}$/

export class SecretMac {
  readonly #key: Uint8Array

  constructor(key: Uint8Array) {
    if (key.length !== MAC_KEY_BYTES) throw new TypeError(`the MAC key is ${MAC_KEY_BYTES} bytes`)
    this.#key = Uint8Array.from(key)
  }

  #mac(label: Label, ...parts: string[]): string {
    const h = createHmac('sha256', this.#key).update(label).update('\0')
    for (const p of parts) h.update(p).update('\0')
    return encodeBase64url(h.digest())
  }

  /** The handle in an offer's `credential_offer_uri`: derived, never stored. */
  offerHandle(offerId: string): string {
    return this.#mac('offer-uri', offerId)
  }

  /** Constant-time check that `handle` is the handle of `offerId`. */
  offerHandleMatches(offerId: string, handle: string): boolean {
    const a = Buffer.from(this.offerHandle(offerId))
    const b = Buffer.from(handle)
    return a.length === b.length && timingSafeEqual(a, b)
  }

  /** The pre-authorized code of an offer: derived, never stored. */
  preAuthorizedCode(offerId: string): string {
    return this.#mac('pre-authorized-code', offerId)
  }

  /** What the state keeps of an offer's transaction code. */
  txCodeMac(offerId: string, txCode: string): string {
    return this.#mac('tx-code', offerId, txCode)
  }

  /** Constant-time check of a transaction code against its stored MAC. */
  txCodeMatches(offerId: string, txCode: string, stored: string): boolean {
    const a = Buffer.from(this.txCodeMac(offerId, txCode))
    const b = Buffer.from(stored)
    return a.length === b.length && timingSafeEqual(a, b)
  }

  /** What the state keeps of an access token (its index too). */
  accessTokenMac(token: string): string {
    return this.#mac('access-token', token)
  }
}
