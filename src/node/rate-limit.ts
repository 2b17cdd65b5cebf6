/**
 * Token buckets per key: `rate` per second, bursts of 2 × rate, at most `maxKeys` buckets with
 * the least recently used dropped first.
 *
 * Addresses are keyed by network (`networkKey`): one host can take any address of its IPv4 /24
 * or IPv6 /56 (a home line a whole /56), and a local client any loopback address (all of 127/8
 * and ::1, so loopback is one key), so a bucket per exact
 * address let a client rotate its source and never be limited. Dropping the least recently
 * used bucket, rather than clearing the table when it fills, keeps an active client's bucket
 * while a flood of new keys passes through.
 */
import { isIPv4, isIPv6 } from 'node:net'

export const DEFAULT_MAX_KEYS = 10_000

export class RateLimiter {
  readonly #rate: number
  readonly #burst: number
  readonly #maxKeys: number
  readonly #buckets = new Map<string, { tokens: number; at: number }>()
  readonly #now: () => number

  constructor(ratePerSecond: number, now: () => number = () => performance.now() / 1000, maxKeys = DEFAULT_MAX_KEYS) {
    if (!(ratePerSecond > 0)) throw new RangeError('ratePerSecond must be positive')
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new RangeError('maxKeys must be a positive integer')
    this.#rate = ratePerSecond
    this.#burst = ratePerSecond * 2
    this.#now = now
    this.#maxKeys = maxKeys
  }

  get size(): number {
    return this.#buckets.size
  }

  /** Take one token for `key`; false when its bucket is empty. */
  take(key: string): boolean {
    const t = this.#now()
    const b = this.#buckets.get(key) ?? { tokens: this.#burst, at: t }
    b.tokens = Math.min(this.#burst, b.tokens + Math.max(0, t - b.at) * this.#rate)
    b.at = t
    const ok = b.tokens >= 1
    if (ok) b.tokens -= 1
    // Re-inserting moves the key to the end: the Map's first key is the least recently used.
    this.#buckets.delete(key)
    this.#buckets.set(key, b)
    if (this.#buckets.size > this.#maxKeys) this.#buckets.delete(this.#buckets.keys().next().value!)
    return ok
  }
}

/** The 16 bytes of an IPv6 address (RFC 4291 text, an embedded IPv4 tail allowed), or null. */
function ipv6Bytes(address: string): number[] | null {
  let a = address
  const zone = a.indexOf('%')
  if (zone >= 0) a = a.slice(0, zone)
  if (!isIPv6(a)) return null
  let tail: number[] = []
  const lastColon = a.lastIndexOf(':')
  if (a.slice(lastColon + 1).includes('.')) {
    tail = a.slice(lastColon + 1).split('.').map(Number)
    a = `${a.slice(0, lastColon + 1)}0:0`
  }
  const [head, rest] = a.includes('::') ? a.split('::') as [string, string] : [a, null]
  const h = head ? head.split(':') : []
  const r = rest === null ? [] : rest ? rest.split(':') : []
  const groups = rest === null ? h : [...h, ...Array<string>(8 - h.length - r.length).fill('0'), ...r]
  const bytes = groups.flatMap((g) => {
    const n = parseInt(g, 16)
    return [n >> 8, n & 0xff]
  })
  if (tail.length === 4) bytes.splice(12, 4, ...tail)
  return bytes.length === 16 ? bytes : null
}

/** Every loopback address, IPv4 or IPv6: one host, one key. */
export const LOOPBACK_KEY = 'loopback'

/**
 * The rate-limit key of a client address: `loopback` for 127/8 and ::1, else its IPv4 /24 (an
 * IPv4-mapped IPv6 address counts as IPv4), else its IPv6 /56; anything unparseable is its own key.
 */
export function networkKey(address: string | undefined): string {
  if (!address) return '?'
  const v4 = (a: string): string => (a.startsWith('127.') ? LOOPBACK_KEY : `${a.split('.').slice(0, 3).join('.')}.0/24`)
  if (isIPv4(address)) return v4(address)
  const b = ipv6Bytes(address)
  if (!b) return address
  if (b.slice(0, 15).every((x) => x === 0) && b[15] === 1) return LOOPBACK_KEY
  const mapped = b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff
  if (mapped) return v4(b.slice(12, 16).join('.'))
  const hex = b.slice(0, 7).map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 4)}:${hex.slice(4, 8)}:${hex.slice(8, 12)}:${hex.slice(12, 14)}00::/56`
}
