// The platform's zlib (src/core/status/_zlib-streams.ts): its output is real zlib, and its
// inflate is streamed and stopped at the cap, so a bomb fed straight to it (without the
// structural scan that list.ts runs first) is still refused fast in bounded memory.
import zlib from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { deflateZlib, inflateZlib } from '../../../src/core/status/_zlib-streams.ts'
import { codeOfAsync, concat, deflate, measure, MiB, rng, sameBytes, zeroBomb } from './_zlib.ts'

describe('deflateZlib / inflateZlib', () => {
  it('makes zlib that an independent decoder (node:zlib) inflates, and inflates zlib it did not make', async () => {
    const next = rng(3)
    for (const n of [1, 2, 1000, 200_000]) {
      const data = Uint8Array.from({ length: n }, () => (next() < 0.05 ? Math.floor(next() * 256) : 0))
      const made = await deflateZlib(data)
      expect(made[0]).toBe(0x78)
      expect(sameBytes(zlib.inflateSync(made), data)).toBe(true)
      expect(sameBytes(await inflateZlib(deflate(data, { level: 9 }), n), data)).toBe(true)
      expect(sameBytes(await inflateZlib(made, n), data)).toBe(true)
    }
  })

  it('stops at the cap: exactly the size passes, one byte less is refused', async () => {
    const data = new Uint8Array(100_000).fill(7)
    const z = deflate(data)
    expect((await inflateZlib(z, 100_000)).length).toBe(100_000)
    expect(await codeOfAsync(inflateZlib(z, 99_999))).toBe('ERR_STATUS_LIST_TOO_LARGE')
  })

  it('maps what the platform decoder refuses to ERR_STATUS_ZLIB_INVALID', async () => {
    const z = deflate(Uint8Array.of(0xb9, 0xa3))
    const badCheck = z.slice()
    badCheck[badCheck.length - 1]! ^= 1
    expect(await codeOfAsync(inflateZlib(badCheck, 16))).toBe('ERR_STATUS_ZLIB_INVALID')
    expect(await codeOfAsync(inflateZlib(z.subarray(0, 5), 16))).toBe('ERR_STATUS_ZLIB_INVALID')
    expect(await codeOfAsync(inflateZlib(Uint8Array.of(0x78, 0xda, 0x07), 16))).toBe('ERR_STATUS_ZLIB_INVALID')
  })

  it('on its own cannot be trusted with trailing bytes (Node 20 ignores them), which is why list.ts scans first', async () => {
    const z = deflate(Uint8Array.of(0xb9, 0xa3))
    const withJunk = inflateZlib(concat(z, Uint8Array.of(1, 2, 3)), 16).then(
      (bytes) => ({ ignored: bytes }),
      (e: unknown) => ({ refused: (e as { code?: string }).code }),
    )
    expect([{ ignored: Uint8Array.of(0xb9, 0xa3) }, { refused: 'ERR_STATUS_ZLIB_INVALID' }]).toContainEqual(await withJunk)
  })

  it('refuses a bomb fed straight to the stream (1.1 GiB of zeros) as soon as the output passes the cap, in bounded memory', async () => {
    const bomb = zeroBomb(1100)
    const r = await measure(() => inflateZlib(bomb.bytes, 16 * MiB))
    expect(r.error).toMatchObject({ code: 'ERR_STATUS_LIST_TOO_LARGE' })
    // Memory, not time, tells whether the output was made: all of it would be over a GiB.
    expect(r.peakGrowthBytes).toBeLessThan(256 * MiB)
  })
})
