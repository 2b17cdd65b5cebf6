/** Token buckets per key (an address or an issuer): `rate` per second, bursts of 2 × rate. */
export class RateLimiter {
  readonly #rate: number
  readonly #burst: number
  readonly #buckets = new Map<string, { tokens: number; at: number }>()
  readonly #now: () => number

  constructor(ratePerSecond: number, now: () => number = () => performance.now() / 1000) {
    this.#rate = ratePerSecond
    this.#burst = ratePerSecond * 2
    this.#now = now
  }

  /** Take one token for `key`; false when its bucket is empty. */
  take(key: string): boolean {
    const t = this.#now()
    const b = this.#buckets.get(key) ?? { tokens: this.#burst, at: t }
    b.tokens = Math.min(this.#burst, b.tokens + (t - b.at) * this.#rate)
    b.at = t
    if (this.#buckets.size > 10_000) this.#buckets.clear() // bounded memory under address floods
    const ok = b.tokens >= 1
    if (ok) b.tokens -= 1
    this.#buckets.set(key, b)
    return ok
  }
}
