/**
 * JWE for encrypted answers (RFC 7516, ECDH-ES direct key agreement, RFC 7518 §4.6): the one
 * importer of `jose`, which does the key agreement, Concat KDF and AES-GCM in WebCrypto.
 *
 * One profile, nothing else: `alg` ECDH-ES, `enc` A128GCM or A256GCM, `epk` a P-256 point,
 * an empty encrypted key. jose accepts more by default (`zip: "DEF"` up to 250 kB, other
 * algorithms, any `crit` it implements), so this module reads the protected header itself
 * first, strictly — members alg, enc, epk and, for remote answers, kid/apu/apv, each of its
 * type; no zip, no crit; the epk through parsePublicJwk, which checks the point is on the
 * curve — and then hands jose only the algorithms allowed, with compressed plaintext refused.
 *
 * A QR code carries bytes, not text: `jweToBinary` turns a compact JWE of this profile into
 *
 *   byte 0       envelope version (1)
 *   byte 1       enc: 1 = A128GCM, 2 = A256GCM
 *   bytes 2–65   epk x ‖ y (32 + 32)
 *   bytes 66–77  IV (12)
 *   bytes 78–93  tag (16)
 *   bytes 94–    ciphertext
 *
 * and `jweFromBinary` rebuilds the exact compact form: the protected header is written in the
 * one member order jose writes it ({"alg","enc","epk":{"x","crv","kty","y"}}), which is the
 * order the sender's header is checked to have, so the rebuilt header — the AAD — is the one
 * that was encrypted under. 94 bytes of envelope against 230–260 characters of compact
 * header, IV and tag. Only headers without kid/apu/apv have a binary form.
 */
import { compactDecrypt, CompactEncrypt, importJWK } from 'jose'
import { decodeBase64url, encodeBase64url } from '../bytes/base64url.ts'
import { isJsonObject, parseJsonObject } from '../bytes/json.ts'
import { decodeUtf8, encodeUtf8 } from '../bytes/utf8.ts'
import { parsePublicJwk, type EcPublicJwk } from '../crypto/jwk.ts'
import { fail, InputError, ok, type Verdict } from '../errors.ts'

export type JweEnc = 'A128GCM' | 'A256GCM'
export const JWE_ENCS: readonly JweEnc[] = ['A128GCM', 'A256GCM']

export const JWE_LIMITS = {
  /** A compact JWE longer than this is refused before any parsing. */
  maxCompactLength: 96 * 1024,
  /** The protected header, as base64url text. */
  maxHeaderLength: 1024,
} as const

const ENVELOPE_VERSION = 1
const ENC_BYTE: Record<JweEnc, number> = { A128GCM: 1, A256GCM: 2 }
const IV_BYTES = 12
const TAG_BYTES = 16
const ENVELOPE_HEAD = 2 + 64 + IV_BYTES + TAG_BYTES

export interface JweHeader {
  alg: 'ECDH-ES'
  enc: JweEnc
  epk: EcPublicJwk
  kid?: string
  apu?: string
  apv?: string
}

const bad = (detail: string): never => {
  throw new InputError('ERR_EXCH_JWE_INVALID', detail)
}

/** The protected header exactly as jose writes it for this profile (no kid/apu/apv). */
function headerText(enc: JweEnc, epk: EcPublicJwk): string {
  return `{"alg":"ECDH-ES","enc":"${enc}","epk":{"x":"${epk.x}","crv":"P-256","kty":"EC","y":"${epk.y}"}}`
}

/** Reads a protected header (base64url) of the one allowed profile. ERR_EXCH_JWE_INVALID. */
export function parseJweHeader(b64: string): JweHeader {
  if (b64.length > JWE_LIMITS.maxHeaderLength) bad('the protected header is too long')
  let h
  try {
    h = parseJsonObject(decodeUtf8(decodeBase64url(b64, 'JWE header'), 'JWE header'), { maxLength: JWE_LIMITS.maxHeaderLength, maxDepth: 3 }, 'JWE header')
  } catch (e) {
    if (e instanceof InputError) bad(`the protected header: ${e.detail}`)
    throw e
  }
  for (const k of Object.keys(h)) if (!['alg', 'enc', 'epk', 'kid', 'apu', 'apv'].includes(k)) bad(`header member ${k} is not allowed${k === 'zip' ? ' (no compressed plaintext)' : ''}`)
  if (h.alg !== 'ECDH-ES') bad(`alg ${JSON.stringify(h.alg)} is not ECDH-ES`)
  if (!JWE_ENCS.includes(h.enc as JweEnc)) bad(`enc ${JSON.stringify(h.enc)} is not A128GCM or A256GCM`)
  if (!isJsonObject(h.epk)) bad('epk is missing or not an object')
  const epkMembers = Object.keys(h.epk as object).sort().join(',')
  if (epkMembers !== 'crv,kty,x,y') bad(`epk has members ${epkMembers}, not exactly kty, crv, x, y`)
  let epk
  try {
    epk = parsePublicJwk(h.epk)
  } catch (e) {
    if (e instanceof InputError) bad(`epk: ${e.detail}`)
    throw e
  }
  if (epk.kty !== 'EC') bad('epk is not a P-256 key')
  const out: JweHeader = { alg: 'ECDH-ES', enc: h.enc as JweEnc, epk: epk as EcPublicJwk }
  for (const k of ['kid', 'apu', 'apv'] as const) {
    const v = h[k]
    if (v === undefined) continue
    if (typeof v !== 'string' || v.length === 0 || v.length > 512) bad(`${k} must be a non-empty string`)
    out[k] = v as string
  }
  return out
}

/** Encrypts to a P-256 public key; a compact JWE of the profile. Our own input: throws TypeError on a non-P-256 key. */
export async function encryptJwe(plaintext: Uint8Array, recipient: EcPublicJwk, o: { enc?: JweEnc } = {}): Promise<string> {
  if (recipient.kty !== 'EC' || recipient.crv !== 'P-256') throw new TypeError('encryptJwe: the recipient key must be P-256')
  const enc = o.enc ?? 'A128GCM'
  const key = await importJWK({ kty: 'EC', crv: 'P-256', x: recipient.x, y: recipient.y }, 'ECDH-ES')
  const jwe = await new CompactEncrypt(plaintext).setProtectedHeader({ alg: 'ECDH-ES', enc }).encrypt(key)
  const h = jwe.slice(0, jwe.indexOf('.'))
  // The binary envelope rebuilds this header; a jose that writes it otherwise is caught here.
  const parsed = parseJweHeader(h)
  if (encodeBase64url(encodeUtf8(headerText(enc, parsed.epk))) !== h) throw new TypeError('encryptJwe: jose wrote the protected header in another form')
  return jwe
}

/**
 * Decrypts a compact JWE of the profile with the recipient's private ECDH key (non-extractable
 * is fine). A verdict: ERR_EXCH_JWE_INVALID (shape, header), ERR_EXCH_JWE_DECRYPT (the tag
 * does not verify: another key, or changed bytes).
 */
export async function decryptJwe(jwe: string, key: CryptoKey): Promise<Verdict<{ plaintext: Uint8Array; header: JweHeader }>> {
  let header: JweHeader
  try {
    if (typeof jwe !== 'string') bad('not a string')
    if (jwe.length > JWE_LIMITS.maxCompactLength) bad(`longer than ${JWE_LIMITS.maxCompactLength} characters`)
    const parts = jwe.split('.')
    if (parts.length !== 5) bad(`${parts.length} parts, not 5`)
    if (parts[1] !== '') bad('ECDH-ES has no encrypted key')
    header = parseJweHeader(parts[0]!)
    const iv = decodeBase64url(parts[2]!, 'JWE iv')
    const tag = decodeBase64url(parts[4]!, 'JWE tag')
    decodeBase64url(parts[3]!, 'JWE ciphertext')
    if (iv.length !== IV_BYTES) bad(`an IV of ${iv.length} bytes, not ${IV_BYTES}`)
    if (tag.length !== TAG_BYTES) bad(`a tag of ${tag.length} bytes, not ${TAG_BYTES}`)
  } catch (e) {
    if (e instanceof InputError) return fail('ERR_EXCH_JWE_INVALID', e.detail)
    throw e
  }
  try {
    const r = await compactDecrypt(jwe, key, { keyManagementAlgorithms: ['ECDH-ES'], contentEncryptionAlgorithms: [...JWE_ENCS], maxDecompressedLength: 0 })
    return ok({ plaintext: r.plaintext, header })
  } catch (e) {
    const code = (e as { code?: unknown }).code
    if (code === 'ERR_JWE_DECRYPTION_FAILED') return fail('ERR_EXCH_JWE_DECRYPT', 'the answer does not decrypt under this request\'s key')
    if (typeof code === 'string' && code.startsWith('ERR_J')) return fail('ERR_EXCH_JWE_INVALID', `${code}: ${(e as Error).message}`)
    // WebCrypto refusing the key agreement (e.g. a key of another curve passed by the caller) is ours.
    throw e
  }
}

/** The binary envelope of a compact JWE of the profile (module comment). ERR_EXCH_JWE_INVALID. */
export function jweToBinary(jwe: string): Uint8Array {
  const parts = jwe.split('.')
  if (parts.length !== 5 || parts[1] !== '') bad('not a compact ECDH-ES JWE')
  const h = parseJweHeader(parts[0]!)
  if (h.kid !== undefined || h.apu !== undefined || h.apv !== undefined) bad('a header with kid, apu or apv has no binary form')
  if (encodeBase64url(encodeUtf8(headerText(h.enc, h.epk))) !== parts[0]) bad('the protected header is not in its one binary-able form')
  const iv = decodeBase64url(parts[2]!, 'JWE iv')
  const ct = decodeBase64url(parts[3]!, 'JWE ciphertext')
  const tag = decodeBase64url(parts[4]!, 'JWE tag')
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) bad('IV or tag of the wrong length')
  const out = new Uint8Array(ENVELOPE_HEAD + ct.length)
  out[0] = ENVELOPE_VERSION
  out[1] = ENC_BYTE[h.enc]
  out.set(decodeBase64url(h.epk.x), 2)
  out.set(decodeBase64url(h.epk.y), 34)
  out.set(iv, 66)
  out.set(tag, 66 + IV_BYTES)
  out.set(ct, ENVELOPE_HEAD)
  return out
}

/** The compact JWE a binary envelope stands for. ERR_EXCH_JWE_INVALID (version, enc, a point off the curve, too short). */
export function jweFromBinary(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) bad('not bytes')
  if (bytes.length < ENVELOPE_HEAD + 1) bad(`${bytes.length} bytes: shorter than an envelope with any ciphertext`)
  if (bytes.length > JWE_LIMITS.maxCompactLength) bad('too long')
  if (bytes[0] !== ENVELOPE_VERSION) bad(`envelope version ${bytes[0]}, not ${ENVELOPE_VERSION}`)
  const enc = (Object.keys(ENC_BYTE) as JweEnc[]).find((k) => ENC_BYTE[k] === bytes[1])
  if (!enc) bad(`enc byte ${bytes[1]} is neither A128GCM (1) nor A256GCM (2)`)
  let epk
  try {
    epk = parsePublicJwk({ kty: 'EC', crv: 'P-256', x: encodeBase64url(bytes.subarray(2, 34)), y: encodeBase64url(bytes.subarray(34, 66)) }) as EcPublicJwk
  } catch (e) {
    if (e instanceof InputError) bad(`epk: ${e.detail}`)
    throw e
  }
  const header = encodeBase64url(encodeUtf8(headerText(enc!, epk)))
  const iv = encodeBase64url(bytes.subarray(66, 66 + IV_BYTES))
  const tag = encodeBase64url(bytes.subarray(66 + IV_BYTES, ENVELOPE_HEAD))
  return `${header}..${iv}.${encodeBase64url(bytes.subarray(ENVELOPE_HEAD))}.${tag}`
}
