/**
 * The platform's zlib: CompressionStream / DecompressionStream with format 'deflate', which is
 * the zlib format (RFC 1950 header and Adler-32 around DEFLATE, RFC 1951) that Token Status
 * List requires (draft-ietf-oauth-status-list §4.1 step 4). No library: browsers, workers and
 * Node ≥ 18 all have it.
 *
 * Input goes in slices while the output is read at the same time, and the reader stops and
 * cancels both sides the moment the output passes its cap. So even a stream that inflates to
 * gigabytes costs at most the cap plus what one slice inflates to (about 1032 times 16 KiB,
 * DEFLATE's largest ratio), whatever the platform buffers internally.
 */
import { InputError } from '../errors.ts'
import { concatBytes } from '../bytes/compare.ts'

const SLICE = 16 * 1024

/**
 * Push `input` through `stream`, handing each output chunk to `sink`. Returns false (having
 * cancelled the stream) as soon as more than `cap` bytes came out; rejects with the
 * platform's error when the transform fails.
 */
async function pipe(stream: GenericTransformStream, input: Uint8Array, cap: number, sink: (chunk: Uint8Array, at: number) => void): Promise<boolean> {
  const writer = (stream.writable as WritableStream<Uint8Array>).getWriter()
  const reader = (stream.readable as ReadableStream<Uint8Array>).getReader()
  const feeding = (async () => {
    for (let i = 0; i < input.length; i += SLICE) {
      await writer.ready
      await writer.write(input.subarray(i, i + SLICE))
    }
    await writer.close()
  })()
  // A failure of the transform reaches the reader as well; the feeder's copy is not needed.
  feeding.catch(() => {})
  let length = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return true
      if (length + value.byteLength > cap) return false
      sink(value, length)
      length += value.byteLength
    }
  } finally {
    // Cancelling the readable side errors the writable side too, which ends the feeder.
    await reader.cancel().catch(() => {})
    await writer.abort().catch(() => {})
  }
}

/** zlib-compress `data` (the platform picks the level; the draft only recommends the highest). */
export async function deflateZlib(data: Uint8Array): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  const bound = data.length + (data.length >>> 10) + 64
  const done = await pipe(new CompressionStream('deflate'), data, bound, (c) => {
    chunks.push(c)
  })
  if (!done) throw new RangeError('deflate output above its bound')
  return concatBytes(...chunks)
}

/**
 * Inflate one zlib stream to at most `cap` bytes. Throws InputError ERR_STATUS_LIST_TOO_LARGE
 * as soon as the output passes `cap`, ERR_STATUS_ZLIB_INVALID when the platform's decoder
 * refuses the data (corrupt, truncated, wrong Adler-32; trailing bytes only on platforms that
 * notice them, which is why callers scan first).
 */
export async function inflateZlib(data: Uint8Array, cap: number): Promise<Uint8Array> {
  let out = new Uint8Array(Math.min(cap, 1 << 16))
  let length = 0
  let done: boolean
  try {
    done = await pipe(new DecompressionStream('deflate'), data, cap, (chunk, at) => {
      if (at + chunk.byteLength > out.length) {
        const grown = new Uint8Array(Math.min(cap, Math.max(out.length * 2, at + chunk.byteLength)))
        grown.set(out.subarray(0, at))
        out = grown
      }
      out.set(chunk, at)
      length = at + chunk.byteLength
    })
  } catch (e) {
    throw new InputError('ERR_STATUS_ZLIB_INVALID', 'the platform zlib decoder refused lst', { cause: e })
  }
  if (!done) throw new InputError('ERR_STATUS_LIST_TOO_LARGE', `lst inflates to more than ${cap} bytes`)
  return out.subarray(0, length)
}
