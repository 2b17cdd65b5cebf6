/**
 * Test-only zlib material, made with node:zlib (an independent encoder, and the oracle the
 * scanner is compared with): the decompression bomb, streams for every block type, and a
 * memory probe.
 */
import zlib from 'node:zlib'
import { CivicError } from '../../../src/core/errors.ts'
import { concatBytes } from '../../../src/core/bytes/compare.ts'

export const MiB = 1 << 20

export const concat = concatBytes

/**
 * A valid zlib stream of `mib` MiB of zeros, about 1 KB per MiB (DEFLATE's best ratio is
 * 1032:1, so 1 GiB cannot take less than about 1 MB). Built from one segment: 1 MiB of zeros
 * deflated and ended with a full flush (byte-aligned, no reference to earlier data), repeated,
 * then an empty final stored block and the Adler-32 of the whole (for zeros: a = 1, b = n).
 */
export function zeroBomb(mib: number): { bytes: Uint8Array; inflatedSize: number } {
  const segment = zlib.deflateRawSync(Buffer.alloc(MiB), { level: 9, finishFlush: zlib.constants.Z_FULL_FLUSH })
  const n = mib * MiB
  const adler = new Uint8Array(4)
  new DataView(adler.buffer).setUint32(0, (((n % 65521) << 16) | 1) >>> 0)
  const parts: Uint8Array[] = [Uint8Array.of(0x78, 0xda)]
  for (let i = 0; i < mib; i++) parts.push(segment)
  parts.push(Uint8Array.of(0x01, 0x00, 0x00, 0xff, 0xff), adler)
  return { bytes: concat(...parts), inflatedSize: n }
}

export const deflate = (data: Uint8Array, options: zlib.ZlibOptions = {}): Uint8Array => new Uint8Array(zlib.deflateSync(data, options))

/** node:zlib's verdict on a stream: its output, or its error code (Z_DATA_ERROR, Z_BUF_ERROR). */
export function nodeInflate(data: Uint8Array): { ok: true; size: number } | { ok: false; code: string; message: string } {
  try {
    return { ok: true, size: zlib.inflateSync(data).length }
  } catch (e) {
    const err = e as { code?: string; message?: string }
    return { ok: false, code: String(err.code), message: String(err.message) }
  }
}

/**
 * Run `f` while sampling process memory (ArrayBuffers and RSS) every few milliseconds; returns
 * its result or error, how long it took, and the largest growth seen.
 */
export async function measure<T>(f: () => Promise<T>): Promise<{ result?: T; error?: unknown; ms: number; peakGrowthBytes: number }> {
  const base = process.memoryUsage()
  let peak = 0
  const sample = (): void => {
    const m = process.memoryUsage()
    peak = Math.max(peak, m.arrayBuffers - base.arrayBuffers, m.rss - base.rss)
  }
  const timer = setInterval(sample, 2)
  const start = performance.now()
  try {
    const result = await f()
    return { result, ms: performance.now() - start, peakGrowthBytes: (sample(), peak) }
  } catch (error) {
    return { error, ms: performance.now() - start, peakGrowthBytes: (sample(), peak) }
  } finally {
    clearInterval(timer)
  }
}

/** A seeded xorshift32 (reproducible random lists). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 0x100000000
  }
}

/** The stable code a promise rejects with, or undefined when it resolves (anything else rethrows). */
export async function codeOfAsync(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p
  } catch (e) {
    if (e instanceof CivicError) return e.code
    throw e
  }
  return undefined
}

/** Byte equality that stays fast for megabytes (vitest's deep equality walks element by element). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
}
