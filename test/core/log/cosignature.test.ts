import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../support/keys.ts'
import { signEd25519 } from '../../../src/core/crypto/ed25519.ts'
import { cosignatureSigner, cosignatureVerifier, cosignedMessage } from '../../../src/core/log/cosignature.ts'
import {
  ed25519NoteSigner, generateNoteKeys, noteKeyId, parseNote, parseSignerKey, SIG_TYPE_COSIGNATURE_V1, SIG_TYPE_ED25519,
} from '../../../src/core/log/note.ts'
import { NOW, witnesses } from './_fixtures.ts'

const BODY = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'
const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const [w] = witnesses(1)
const secret = parseSignerKey(generateNoteKeys('witness0.example', SIG_TYPE_COSIGNATURE_V1, seededRandom(7)).signerKey).secretKey

/** A timestamped_signature with any timestamp and any 64 signature bytes. */
function timestamped(hi: number, lo: number, sig: Uint8Array): Uint8Array {
  const out = new Uint8Array(72)
  const dv = new DataView(out.buffer)
  dv.setUint32(0, hi, false)
  dv.setUint32(4, lo, false)
  out.set(sig, 8)
  return out
}

describe('cosignature/v1 (c2sp.org/tlog-cosignature)', () => {
  it('signs the message of §"Ed25519 signed message" byte for byte', () => {
    expect(new TextDecoder().decode(cosignedMessage(1679315147, enc(BODY)))).toBe(`cosignature/v1\ntime 1679315147\n${BODY}`)
  })

  it('key ID uses type 0x04', () => {
    expect(w!.key.keyId).toBe(noteKeyId(w!.name, 0x04, w!.key.publicKey))
  })

  it('a cosignature is 8-byte big-endian timestamp ‖ 64-byte signature and verifies', () => {
    const sig = w!.signer.sign(enc(BODY))
    expect(sig).toHaveLength(72)
    expect(new DataView(sig.buffer).getUint32(4, false)).toBe(NOW)
    expect(cosignatureVerifier(w!.key, { now: 'no-clock' }).verify(enc(BODY), sig)).toEqual({ ok: true, value: { timestampSeconds: NOW } })
    expect(cosignatureVerifier(w!.key, { now: NOW }).verify(enc(BODY), sig).ok).toBe(true)
  })

  it('covers extension lines', () => {
    const withExt = BODY + 'extension\n'
    const sig = w!.signer.sign(enc(withExt))
    expect(cosignatureVerifier(w!.key, { now: NOW }).verify(enc(withExt), sig).ok).toBe(true)
    expect(cosignatureVerifier(w!.key, { now: NOW }).verify(enc(BODY), sig)).toMatchObject({ ok: false, code: 'ERR_LOG_COSIGNATURE_INVALID' })
  })

  const good = (): Uint8Array => w!.signer.sign(enc(BODY))
  it.each([
    ['71 bytes', () => good().slice(0, 71), { now: NOW }, 'ERR_LOG_COSIGNATURE_MALFORMED'],
    ['73 bytes', () => Uint8Array.of(...good(), 0), { now: NOW }, 'ERR_LOG_COSIGNATURE_MALFORMED'],
    ['a plain 64-byte Ed25519 signature', () => good().slice(8), { now: NOW }, 'ERR_LOG_COSIGNATURE_MALFORMED'],
    ['timestamp 2^63', () => timestamped(0x80000000, 0, good().slice(8)), { now: NOW }, 'ERR_LOG_COSIGNATURE_MALFORMED'],
    ['timestamp 2^64 - 1', () => timestamped(0xffffffff, 0xffffffff, good().slice(8)), { now: NOW }, 'ERR_LOG_COSIGNATURE_MALFORMED'],
    ['timestamp 2^53', () => timestamped(0x200000, 0, signEd25519(secret, cosignedMessage(0, enc(BODY)))), { now: NOW }, 'ERR_LOG_SIZE_UNSUPPORTED'],
    ['timestamp changed after signing', () => timestamped(0, NOW + 1, good().slice(8)), { now: NOW }, 'ERR_LOG_COSIGNATURE_INVALID'],
    ['signature over another body', () => w!.signer.sign(enc(BODY.replace('20852163', '20852164'))), { now: NOW }, 'ERR_LOG_COSIGNATURE_INVALID'],
    ['signature without the cosignature/v1 header (plain note signature)', () => timestamped(0, NOW, signEd25519(secret, enc(BODY))), { now: NOW }, 'ERR_LOG_COSIGNATURE_INVALID'],
    ['zero signature', () => timestamped(0, NOW, new Uint8Array(64)), { now: NOW }, 'ERR_LOG_COSIGNATURE_INVALID'],
    ['dated an hour ahead', () => cosignatureSigner(parseSignerKey(generateNoteKeys('witness0.example', SIG_TYPE_COSIGNATURE_V1, seededRandom(7)).signerKey), () => NOW + 3600).sign(enc(BODY)), { now: NOW }, 'ERR_LOG_COSIGNATURE_FUTURE'],
  ] as const)('%s → %s', (_, make, options, code) => {
    expect(cosignatureVerifier(w!.key, options).verify(enc(BODY), make())).toMatchObject({ ok: false, code })
  })

  it('the future check allows the configured skew', () => {
    const ahead = cosignatureSigner(parseSignerKey(generateNoteKeys('witness0.example', SIG_TYPE_COSIGNATURE_V1, seededRandom(7)).signerKey), () => NOW + 200)
    expect(cosignatureVerifier(w!.key, { now: NOW }).verify(enc(BODY), ahead.sign(enc(BODY))).ok).toBe(true)
    expect(cosignatureVerifier(w!.key, { now: NOW, maxFutureSkewSeconds: 100 }).verify(enc(BODY), ahead.sign(enc(BODY)))).toMatchObject({ ok: false, code: 'ERR_LOG_COSIGNATURE_FUTURE' })
  })

  it('the clock is required: a future-dated cosignature counts only under the named opt-out', () => {
    const ahead = cosignatureSigner(parseSignerKey(generateNoteKeys('witness0.example', SIG_TYPE_COSIGNATURE_V1, seededRandom(7)).signerKey), () => NOW + 3600).sign(enc(BODY))
    // @ts-expect-error the options (and their `now`) are required
    expect(() => cosignatureVerifier(w!.key)).toThrow(TypeError)
    // @ts-expect-error `now` is required
    expect(() => cosignatureVerifier(w!.key, {})).toThrow(TypeError)
    // @ts-expect-error milliseconds-or-seconds confusion aside, a string clock is not one
    expect(() => cosignatureVerifier(w!.key, { now: 'now' })).toThrow(TypeError)
    expect(cosignatureVerifier(w!.key, { now: NOW }).verify(enc(BODY), ahead)).toMatchObject({ ok: false, code: 'ERR_LOG_COSIGNATURE_FUTURE' })
    expect(cosignatureVerifier(w!.key, { now: 'no-clock' }).verify(enc(BODY), ahead)).toEqual({ ok: true, value: { timestampSeconds: NOW + 3600 } })
  })

  it('keys of one type do not serve the other', () => {
    const k = parseSignerKey(generateNoteKeys('x.example', SIG_TYPE_ED25519, seededRandom(2)).signerKey)
    expect(() => cosignatureSigner(k, () => NOW)).toThrow(TypeError)
    expect(() => cosignatureVerifier(k, { now: NOW })).toThrow(TypeError)
    expect(() => ed25519NoteSigner(parseSignerKey(generateNoteKeys('x.example', SIG_TYPE_COSIGNATURE_V1, seededRandom(2)).signerKey))).toThrow(TypeError)
  })

  it('cosignature lines parse as note signatures with the witness name and key ID', () => {
    const note = `${BODY}\n— ${w!.name} ${Buffer.concat([Buffer.from([w!.key.keyId >>> 24, (w!.key.keyId >>> 16) & 255, (w!.key.keyId >>> 8) & 255, w!.key.keyId & 255]), good()]).toString('base64')}\n`
    const sig = parseNote(note).signatures[0]!
    expect(sig).toMatchObject({ name: w!.name, keyId: w!.key.keyId })
    expect(cosignatureVerifier(w!.key, { now: NOW }).verify(enc(BODY), sig.signature).ok).toBe(true)
  })
})
