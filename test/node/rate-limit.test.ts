// Rate limits that rotating the source address does not dodge: buckets keyed by network
// (IPv4 /24, IPv6 /56, IPv4-mapped IPv6 as IPv4), the least recently used bucket dropped when the
// table is full (not the whole table), and a real ledger limiting junk posted from 40 loopback
// addresses (Linux routes all of 127/8 to lo).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { request } from 'node:http'
import { networkKey, RateLimiter } from '../../src/node/rate-limit.ts'
import type { LedgerService } from '../../src/ledger/service.ts'
import { makeWorld, type World } from '../ledger/_ledger.ts'

describe('networkKey', () => {
  it.each([
    ['127.0.0.2', 'loopback'],
    ['127.0.0.41', 'loopback'],
    ['127.0.1.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', '10.1.2.0/24'],
    ['10.1.3.3', '10.1.3.0/24'],
    ['::ffff:127.0.0.9', 'loopback'],
    ['::ffff:7f00:9', 'loopback'],
    ['::ffff:10.1.2.3', '10.1.2.0/24'],
    ['128.0.0.1', '128.0.0.0/24'],
    ['2001:db8:1:2300::1', '2001:0db8:0001:2300::/56'],
    ['2001:db8:1:23ff:ffff::1', '2001:0db8:0001:2300::/56'],
    ['2001:db8:1:2400::1', '2001:0db8:0001:2400::/56'],
    ['::1', 'loopback'],
    ['::2', '0000:0000:0000:0000::/56'],
    ['fe80::1%eth0', 'fe80:0000:0000:0000::/56'],
    ['not an address', 'not an address'],
  ])('%s → %s', (a, k) => expect(networkKey(a)).toBe(k))
  it('undefined is one key', () => expect(networkKey(undefined)).toBe('?'))
})

describe('RateLimiter', () => {
  it('refills at the rate, bursts to twice it', () => {
    let t = 0
    const l = new RateLimiter(2, () => t)
    expect([1, 2, 3, 4, 5].map(() => l.take('a'))).toEqual([true, true, true, true, false])
    t = 0.5
    expect([l.take('a'), l.take('a')]).toEqual([true, false])
  })

  it('drops the least recently used bucket when full, keeping an active one', () => {
    let t = 0
    const l = new RateLimiter(1, () => t, 3)
    expect([l.take('busy'), l.take('busy')]).toEqual([true, true])
    expect(l.take('busy')).toBe(false)
    // a flood of new keys passes through; 'busy' is used between them, so it stays
    for (let i = 0; i < 100; i++) {
      l.take(`new-${i}`)
      if (i % 2 === 0) expect(l.take('busy')).toBe(false)
    }
    expect(l.size).toBe(3)
    // a clear-all table would have forgotten busy's empty bucket and let it through
    expect(l.take('busy')).toBe(false)
  })
})

describe('the ledger over rotated loopback addresses', () => {
  let world: World
  let ledger: LedgerService
  beforeAll(async () => {
    world = await makeWorld({ witnesses: 1, quorum: 1 })
    ledger = await world.start({ limits: { perAddressPerSecond: 5 } })
  })
  afterAll(async () => world?.cleanup())

  const postFrom = (localAddress: string): Promise<number> => new Promise((resolve, reject) => {
    const u = new URL(ledger.url)
    const req = request({ host: '127.0.0.1', port: u.port, path: '/status/add-entry', method: 'POST', localAddress, agent: false, headers: { 'content-type': 'application/octet-stream' } }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode!))
    })
    req.on('error', reject)
    req.end('junk')
  })

  it('40 source addresses posting junk are limited as one network', async () => {
    const statuses: number[] = []
    for (let round = 0; round < 5; round++) {
      statuses.push(...await Promise.all(Array.from({ length: 40 }, (_, i) => postFrom(`127.0.0.${i + 2}`))))
    }
    const limited = statuses.filter((s) => s === 429).length
    // 200 posts against one bucket of 10 (+5/s): nearly all limited; per exact address none would be
    expect(limited).toBeGreaterThan(150)
    expect(statuses.filter((s) => s !== 429).every((s) => s === 400)).toBe(true)
  }, 60_000)
})
