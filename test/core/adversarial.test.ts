// The hostile-input table (design §7, style-anchors §11): every row is one attack on
// verifySdJwt (or on verifyCompactJws / PublicKey.fromJwk / parseJson where it says so), built
// so that the signature is VALID and only the hostile property is under test, and each row
// names the exact code it must produce. Verifiers must return a verdict and never throw;
// nothing may pollute Object.prototype. Positive rows (code 'ok') pin what must still verify
// (high-S ECDSA, WebCrypto signatures, `__proto__` claims).
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { decodeBase64url, encodeBase64url } from '../../src/core/bytes/base64url.ts'
import { parseJson, type JsonObject } from '../../src/core/bytes/json.ts'
import { encodeUtf8 } from '../../src/core/bytes/utf8.ts'
import { sha256B64 } from '../../src/core/crypto/hash.ts'
import { canonicalJwkJson } from '../../src/core/crypto/jwk.ts'
import { generateCryptoKeyPair, PublicKey, signerFromCryptoKeyPair, type Signer } from '../../src/core/crypto/keys.ts'
import { failFrom, ok, type ErrorCode, type Verdict } from '../../src/core/errors.ts'
import { verifyCompactJws } from '../../src/core/jose/jws.ts'
import { verifySdJwt, type VerifySdJwtOptions } from '../../src/core/sdjwt/verify.ts'
import { testKey } from '../support/keys.ts'
import { concatBytes } from '../../src/core/bytes/compare.ts'

// ─── keys, clock, verifier expectations ─────────────────────────────────────────────────────

const NOW = 1_800_000_000
const NONCE = 'n-0S6_WzA2Mj'
const AUD = 'https://counter.example.gov'
const ISS = 'https://issuer.example.gov'
const VCT = 'urn:civic:residence:1'

const issuer = testKey('ES256')
const edIssuer = testKey('EdDSA')
const holder = testKey('ES256')
const attacker = testKey('ES256')
const webIssuerSigner = await signerFromCryptoKeyPair(await generateCryptoKeyPair())
const webIssuerKey = PublicKey.fromJwk(webIssuerSigner.publicJwk)

const OPTIONS: VerifySdJwtOptions = { issuerKey: issuer.publicKey, keyBinding: { nonce: NONCE, aud: AUD }, now: NOW }

/** P-256 group order n and Ed25519 group order L. */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n
const ED25519_L = 2n ** 252n + 27742317777372353535851937790883648493n
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

// ─── bytes and numbers ──────────────────────────────────────────────────────────────────────

const enc = (text: string): string => encodeBase64url(encodeUtf8(text))
const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v))
const concat = concatBytes
const beToBig = (b: Uint8Array): bigint => b.reduce((n, x) => (n << 8n) | BigInt(x), 0n)
const bigToBe = (n: bigint, len = 32): Uint8Array => {
  const out = new Uint8Array(len)
  for (let i = len - 1; i >= 0; i--, n >>= 8n) out[i] = Number(n & 255n)
  return out
}
const withR = (sig: Uint8Array, r: bigint) => concat(bigToBe(r), sig.subarray(32))
const withS = (sig: Uint8Array, s: bigint) => concat(sig.subarray(0, 32), bigToBe(s))
const sOf = (sig: Uint8Array) => beToBig(sig.subarray(32))
const isHighS = (sig: Uint8Array) => sOf(sig) > P256_N >> 1n

/** s' = n − s: the other valid ECDSA signature over the same message (it must verify in JOSE). */
function flipS(sig: Uint8Array): Uint8Array {
  return withS(sig, P256_N - sOf(sig))
}

/** Raw r‖s → ASN.1 DER SEQUENCE { INTEGER r, INTEGER s } (what some libraries emit). */
function derOf(raw: Uint8Array): Uint8Array {
  const int = (b: Uint8Array) => {
    let i = 0
    while (i < b.length - 1 && b[i] === 0) i++
    const v = b[i]! & 0x80 ? concat(Uint8Array.of(0), b.subarray(i)) : b.subarray(i)
    return concat(Uint8Array.of(0x02, v.length), v)
  }
  const body = concat(int(raw.subarray(0, 32)), int(raw.subarray(32)))
  return concat(Uint8Array.of(0x30, body.length), body)
}

/** Ed25519 S (little-endian, second half) + L: the same S modulo L, so only S < L refuses it. */
function edSPlusL(sig: Uint8Array): Uint8Array {
  const le = sig.slice(32).reverse()
  return concat(sig.subarray(0, 32), bigToBe(beToBig(le) + ED25519_L).reverse())
}

/** The same text with its last base64url character's unused low bit set: decodes leniently to the same bytes. */
function dirtyTrailingBits(b64: string): string {
  if (b64.length % 4 === 0) throw new Error('test setup: no unused bits in a multiple of 4 characters')
  const last = B64URL.indexOf(b64[b64.length - 1]!)
  return b64.slice(0, -1) + B64URL[last | 1]!
}

/**
 * The first of `tries` candidates `make(0)`, `make(1)`, … that `fits`; a test-setup error when
 * none does. Every search for a fitting input is bounded, so no run can loop forever.
 */
function firstFitting<T>(tries: number, make: (i: number) => T, fits: (t: T) => boolean): T {
  for (let i = 0; i < tries; i++) {
    const t = make(i)
    if (fits(t)) return t
  }
  throw new Error(`test setup: none of ${tries} candidates fits`)
}

async function firstFittingAsync<T>(tries: number, make: (i: number) => Promise<T>, fits: (t: T) => boolean): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const t = await make(i)
    if (fits(t)) return t
  }
  throw new Error(`test setup: none of ${tries} candidates fits`)
}

/** base64url → base64 alphabet (`-`→`+`, `_`→`/`); the input must contain at least one of them. */
function toStdAlphabet(b64: string): string {
  if (!/[-_]/.test(b64)) throw new Error('test setup: nothing to swap')
  return b64.replaceAll('-', '+').replaceAll('_', '/')
}

/**
 * A valid credential JWS whose signature is respelled in the base64 alphabet (same bytes).
 * ES256 signatures are deterministic (RFC 6979), so the payload varies instead of retrying one:
 * an 86-character signature lacks both - and _ with odds (62/64)^86 ≈ 1/15; all 64 never do.
 */
async function stdAlphabetSignature(signer: Signer): Promise<string> {
  const sigOf = (t: string) => t.slice(t.lastIndexOf('.') + 1)
  const t = await firstFittingAsync(64, (n) => jws({ header: VC_HEADER, payload: vc({ n }), signer }), (t) => /[-_]/.test(sigOf(t)))
  return `${t.slice(0, t.length - sigOf(t).length)}${toStdAlphabet(sigOf(t))}`
}

// ─── tokens ─────────────────────────────────────────────────────────────────────────────────

interface JwsParts {
  /** Header object (alg defaults to the signer's) or exact JSON text. */
  header?: Record<string, unknown> | string
  /** Payload object or exact JSON text. */
  payload: unknown
  signer?: Signer
  /** Exact base64url text of the header / payload instead of encoding the above. */
  rawHeader?: string
  rawPayload?: string
  /** Rewrites the (valid) signature bytes. */
  sig?: (sig: Uint8Array) => Uint8Array
}

/** A compact JWS whose signature is valid over exactly the text produced (unless `sig` rewrites it). */
async function jws(p: JwsParts): Promise<string> {
  const signer = p.signer ?? issuer.signer
  const h = p.rawHeader ?? enc(typeof p.header === 'string' ? p.header : JSON.stringify({ alg: signer.alg, ...p.header }))
  const b = p.rawPayload ?? enc(text(p.payload))
  const input = `${h}.${b}`
  const sig = await signer.sign(encodeUtf8(input))
  return `${input}.${encodeBase64url(p.sig ? p.sig(sig) : sig)}`
}

const VC_HEADER = { typ: 'dc+sd-jwt' }

/** An SD-JWT VC payload with everything the profile requires. */
const vc = (extra: Record<string, unknown> = {}): JsonObject =>
  ({ iss: ISS, vct: VCT, iat: NOW - 60, cnf: { jwk: { ...holder.signer.publicJwk } }, ...extra }) as unknown as JsonObject

/** vc() as JSON text with `members` (JSON text) appended: for what JSON.stringify cannot write. */
const rawVc = (members: string): string => `${JSON.stringify(vc()).slice(0, -1)},${members}}`

const without = (o: JsonObject, ...names: string[]): JsonObject => {
  const c = { ...o }
  for (const n of names) delete c[n]
  return c
}

let saltCounter = 0
/** A disclosure, base64url of the JSON array (or of exact JSON text). */
const disclose = (...arr: unknown[]): string => enc(JSON.stringify([`salt-${++saltCounter}`, ...arr]))
const discloseText = (json: string): string => enc(json)
const digest = (d: string): string => sha256B64(d)
const sd = (...ds: string[]): string[] => ds.map(digest).sort()

interface KbParts {
  header?: Record<string, unknown> | string
  payload?: unknown
  signer?: Signer
  nonce?: string
  aud?: string
  iat?: number
  /** What sd_hash is computed over; default the presentation it is appended to. */
  hashOver?: string
  sig?: (sig: Uint8Array) => Uint8Array
}

/** Appends a KB-JWT (valid for NONCE, AUD, NOW unless told otherwise) to `presentation`. */
async function withKb(presentation: string, k: KbParts = {}): Promise<string> {
  const payload = k.payload ?? { iat: k.iat ?? NOW, aud: k.aud ?? AUD, nonce: k.nonce ?? NONCE, sd_hash: sha256B64(k.hashOver ?? presentation) }
  return presentation + (await jws({ header: k.header ?? { typ: 'kb+jwt' }, payload, signer: k.signer ?? holder.signer, sig: k.sig }))
}

interface Presentation extends Partial<JwsParts> {
  disclosures?: string[]
  /** false: no KB-JWT; otherwise the KB-JWT's parts. */
  kb?: false | KbParts
}

/** `<issuer JWT>~<D1>~…~<Dn>~<KB-JWT>`, each part valid unless a field says otherwise. */
async function present(p: Presentation = {}): Promise<string> {
  const jwt = await jws({ header: VC_HEADER, payload: vc(), ...p })
  const presentation = `${jwt}~${(p.disclosures ?? []).map((d) => `${d}~`).join('')}`
  return p.kb === false ? presentation : withKb(presentation, p.kb)
}

/** A presentation whose payload references exactly `disclosures` from its top-level `_sd`. */
const presentDisclosed = (disclosures: string[], extra: Record<string, unknown> = {}, p: Presentation = {}) =>
  present({ payload: vc({ ...extra, _sd: sd(...disclosures) }), disclosures, ...p })

/** A JWS "signed" with HMAC-SHA256 under `secret`: what an alg-confusion attacker sends. */
function hmacJws(header: Record<string, unknown>, payload: unknown, secret: Uint8Array | string): string {
  const input = `${enc(JSON.stringify(header))}.${enc(text(payload))}`
  return `${input}.${encodeBase64url(createHmac('sha256', secret).update(input).digest())}`
}

/** Signs with `signer` until the signature is high-S (WebCrypto makes one about half the time). */
async function highSJws(signer: Signer): Promise<string> {
  for (let i = 0; i < 128; i++) {
    const t = await jws({ header: VC_HEADER, payload: vc(), signer })
    if (isHighS(decodeBase64url(t.slice(t.lastIndexOf('.') + 1)))) return t
  }
  throw new Error('test setup: no high-S signature in 128 tries')
}

/** Header text with `extra` members padded so the base64url holds `-`/`_` (or leaves unused bits). */
function headerB64Where(test: (b64: string) => boolean, extra: Record<string, unknown> = {}): string {
  return firstFitting(64, (i) => enc(JSON.stringify({ alg: 'ES256', ...VC_HEADER, ...extra, kid: '?'.repeat(i) })), test)
}

const deep = (n: number, leaf = '1'): string => '['.repeat(n) + leaf + ']'.repeat(n)
const ED25519_IDENTITY = encodeBase64url(Uint8Array.of(1, ...new Uint8Array(31)))

// ─── the table ──────────────────────────────────────────────────────────────────────────────

type Target = 'sdjwt' | 'jws' | 'jwk' | 'json'

interface Row {
  name: string
  make: () => Promise<string> | string
  /** What the row attacks (default verifySdJwt). For 'jws', options.issuerKey and options.typ apply. */
  target?: Target
  options?: Partial<VerifySdJwtOptions>
  /** The exact code, or 'ok' for input that must verify. */
  code: ErrorCode | 'ok'
  /** Extra checks on the verified value of an 'ok' row. */
  check?: (value: any) => void
}

const rows: Row[] = [
  // Baselines: the builders below make valid presentations; each attack changes one thing.
  { name: 'baseline: ES256 SD-JWT VC + KB verifies', make: () => presentDisclosed([disclose('given_name', 'Ada')]), code: 'ok',
    check: (v) => expect(v.claims.given_name).toBe('Ada') },
  { name: 'baseline: EdDSA issuer', make: () => present({ header: { ...VC_HEADER }, signer: edIssuer.signer }), options: { issuerKey: edIssuer.publicKey }, code: 'ok' },
  { name: 'baseline: plain compact JWS', target: 'jws', make: () => jws({ payload: { a: 1 } }), code: 'ok' },

  // alg: none in every casing (with a real signature attached, and the canonical empty one).
  ...['none', 'None', 'NONE', 'nOnE'].map((alg): Row => ({
    name: `alg "${alg}" (with a valid ES256 signature attached)`, make: () => present({ header: { ...VC_HEADER, alg } }), code: 'ERR_JWS_ALG_NOT_ALLOWED',
  })),
  { name: 'alg "none" on a plain JWS', target: 'jws', make: () => jws({ header: { alg: 'none' }, payload: { a: 1 } }), code: 'ERR_JWS_ALG_NOT_ALLOWED' },
  // An unsecured JWS (RFC 7515 §A.5) has an empty third part: refused by shape before its header is read.
  { name: 'alg "none" unsecured JWS with an empty signature', target: 'jws', make: () => `${enc('{"alg":"none"}')}.${enc('{"a":1}')}.`, code: 'ERR_JWS_ALG_NOT_ALLOWED' },
  { name: 'ES256 JWS with an empty signature', target: 'jws', make: () => `${enc('{"alg":"ES256"}')}.${enc('{"a":1}')}.`, code: 'ERR_JWS_MALFORMED' },
  { name: 'alg "none" KB-JWT', make: () => present({ kb: { header: { alg: 'none', typ: 'kb+jwt' } } }), code: 'ERR_JWS_ALG_NOT_ALLOWED' },
  ...['HS256', 'RS256', 'PS256', 'ES256K', 'ES384', 'es256', 'Ed25519', 'EdDSA ', ''].map((alg): Row => ({
    name: `alg ${JSON.stringify(alg)} is not on the allow-list`, make: () => present({ header: { ...VC_HEADER, alg } }), code: 'ERR_JWS_ALG_NOT_ALLOWED',
  })),
  { name: 'alg missing', make: () => present({ header: JSON.stringify(VC_HEADER) }), code: 'ERR_JWS_HEADER_INVALID' },
  { name: 'alg as an array', make: () => present({ header: { ...VC_HEADER, alg: ['ES256'] } }), code: 'ERR_JWS_HEADER_INVALID' },
  { name: 'alg EdDSA while the trusted issuer key is ES256', make: () => present({ signer: edIssuer.signer }), code: 'ERR_KEY_ALG_MISMATCH' },

  // HMAC with the issuer's public key as the secret (alg confusion).
  { name: 'HS256 keyed with the issuer public JWK JSON', make: () => hmacJws({ alg: 'HS256', ...VC_HEADER }, vc(), JSON.stringify(issuer.signer.publicJwk)) + '~', code: 'ERR_JWS_ALG_NOT_ALLOWED' },
  { name: 'HS256 keyed with the issuer canonical JWK', make: () => hmacJws({ alg: 'HS256', ...VC_HEADER }, vc(), canonicalJwkJson(issuer.signer.publicJwk)) + '~', code: 'ERR_JWS_ALG_NOT_ALLOWED' },
  { name: 'HS256 keyed with the issuer x coordinate bytes', make: () => hmacJws({ alg: 'HS256', ...VC_HEADER }, vc(), decodeBase64url(issuer.signer.publicJwk.x)) + '~', code: 'ERR_JWS_ALG_NOT_ALLOWED' },
  { name: 'HS256 plain JWS keyed with the public JWK', target: 'jws', make: () => hmacJws({ alg: 'HS256' }, { a: 1 }, JSON.stringify(issuer.signer.publicJwk)), code: 'ERR_JWS_ALG_NOT_ALLOWED' },

  // ES256 signature values: out of range, wrong length, DER; high-S must verify.
  { name: 'ES256 r = 0', make: () => present({ sig: (s) => withR(s, 0n) }), code: 'ERR_JWS_SIGNATURE_MALFORMED' },
  { name: 'ES256 s = 0', make: () => present({ sig: (s) => withS(s, 0n) }), code: 'ERR_JWS_SIGNATURE_MALFORMED' },
  { name: 'ES256 r = 0 and s = 0', make: () => present({ sig: () => new Uint8Array(64) }), code: 'ERR_JWS_SIGNATURE_MALFORMED' },
  { name: 'ES256 r = n', make: () => present({ sig: (s) => withR(s, P256_N) }), code: 'ERR_JWS_SIGNATURE_MALFORMED' },
  { name: 'ES256 s = n', make: () => present({ sig: (s) => withS(s, P256_N) }), code: 'ERR_JWS_SIGNATURE_MALFORMED' },
  { name: 'ES256 r = n + 1 (r > n)', make: () => present({ sig: (s) => withR(s, P256_N + 1n) }), code: 'ERR_JWS_SIGNATURE_MALFORMED' },
  { name: 'ES256 s = n + 1 (s > n)', make: () => present({ sig: (s) => withS(s, P256_N + 1n) }), code: 'ERR_JWS_SIGNATURE_MALFORMED' },
  { name: 'ES256 r = 2^256 − 1', make: () => present({ sig: (s) => withR(s, 2n ** 256n - 1n) }), code: 'ERR_JWS_SIGNATURE_MALFORMED' },
  { name: 'ES256 s = 2^256 − 1', make: () => present({ sig: (s) => withS(s, 2n ** 256n - 1n) }), code: 'ERR_JWS_SIGNATURE_MALFORMED' },
  { name: 'ES256 signature of 63 bytes', make: () => present({ sig: (s) => s.subarray(0, 63) }), code: 'ERR_JWS_SIGNATURE_MALFORMED' },
  { name: 'ES256 signature of 65 bytes', make: () => present({ sig: (s) => concat(s, Uint8Array.of(0)) }), code: 'ERR_JWS_SIGNATURE_MALFORMED' },
  { name: 'ES256 signature of 65 bytes (leading zero)', make: () => present({ sig: (s) => concat(Uint8Array.of(0), s) }), code: 'ERR_JWS_SIGNATURE_MALFORMED' },
  { name: 'ES256 signature DER-encoded instead of r‖s', make: () => present({ sig: derOf }), code: 'ERR_JWS_SIGNATURE_MALFORMED' },
  { name: 'ES256 signature over other bytes (one bit flipped)', make: () => present({ sig: (s) => { const c = s.slice(); c[40] = c[40]! ^ 1; return c } }), code: 'ERR_JWS_SIGNATURE_INVALID' },
  { name: 'ES256 high-S (s\' = n − s) verifies', make: () => present({ sig: (s) => { const f = flipS(s); expect(isHighS(f)).toBe(true); return f } }), code: 'ok' },
  { name: 'ES256 high-S on a plain JWS verifies', target: 'jws', make: () => jws({ payload: { a: 1 }, sig: flipS }), code: 'ok' },
  { name: 'ES256 high-S KB-JWT verifies', make: () => present({ kb: { sig: (s) => { const f = flipS(s); expect(isHighS(f)).toBe(true); return f } } }), code: 'ok' },
  { name: 'ES256 high-S signature made by WebCrypto verifies', make: async () => withKb(`${await highSJws(webIssuerSigner)}~`), options: { issuerKey: webIssuerKey }, code: 'ok' },
  { name: 'ES256 WebCrypto signature, low-S twin, verifies', make: async () => withKb(`${await jws({ header: VC_HEADER, payload: vc(), signer: webIssuerSigner, sig: (s) => (isHighS(s) ? flipS(s) : s) })}~`), options: { issuerKey: webIssuerKey }, code: 'ok' },

  // Ed25519: S must be below L (RFC 8032 §5.1.7); small-order public keys are refused.
  { name: 'Ed25519 S + L', make: () => present({ signer: edIssuer.signer, sig: edSPlusL }), options: { issuerKey: edIssuer.publicKey }, code: 'ERR_JWS_SIGNATURE_MALFORMED' },
  { name: 'Ed25519 S = 2^256 − 1', make: () => present({ signer: edIssuer.signer, sig: (s) => concat(s.subarray(0, 32), new Uint8Array(32).fill(255)) }), options: { issuerKey: edIssuer.publicKey }, code: 'ERR_JWS_SIGNATURE_MALFORMED' },
  { name: 'Ed25519 signature of 63 bytes', make: () => present({ signer: edIssuer.signer, sig: (s) => s.subarray(0, 63) }), options: { issuerKey: edIssuer.publicKey }, code: 'ERR_JWS_SIGNATURE_MALFORMED' },
  { name: 'Ed25519 identity point 01 00…00 as a public key', target: 'jwk', make: () => JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: ED25519_IDENTITY }), code: 'ERR_KEY_WEAK' },
  { name: 'Ed25519 order-8 point as a public key', target: 'jwk', make: () => JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: encodeBase64url(Buffer.from('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', 'hex')) }), code: 'ERR_KEY_WEAK' },
  { name: 'cnf.jwk is the Ed25519 identity point', make: () => present({ payload: vc({ cnf: { jwk: { kty: 'OKP', crv: 'Ed25519', x: ED25519_IDENTITY } } }) }), code: 'ERR_KEY_WEAK' },
  { name: 'cnf.jwk carries a private key d', make: () => present({ payload: vc({ cnf: { jwk: holder.jwk } }) }), code: 'ERR_JWK_INVALID' },
  { name: 'P-256 JWK whose point is not on the curve', target: 'jwk', make: () => JSON.stringify({ ...holder.signer.publicJwk, y: holder.signer.publicJwk.x }), code: 'ERR_JWK_INVALID' },

  // crit and b64.
  { name: 'crit naming an unknown extension', make: () => present({ header: { ...VC_HEADER, crit: ['urn:civic:x'], 'urn:civic:x': true } }), code: 'ERR_JWS_CRIT_UNSUPPORTED' },
  { name: 'crit naming exp (a registered claim)', make: () => present({ header: { ...VC_HEADER, crit: ['exp'], exp: NOW } }), code: 'ERR_JWS_CRIT_UNSUPPORTED' },
  { name: 'crit b64 with b64 false (RFC 7797)', make: () => present({ header: { ...VC_HEADER, b64: false, crit: ['b64'] } }), code: 'ERR_JWS_CRIT_UNSUPPORTED' },
  { name: 'b64 false without crit', make: () => present({ header: { ...VC_HEADER, b64: false } }), code: 'ERR_JWS_HEADER_INVALID' },
  { name: 'crit empty array', make: () => present({ header: { ...VC_HEADER, crit: [] } }), code: 'ERR_JWS_HEADER_INVALID' },
  { name: 'crit as a string', make: () => present({ header: { ...VC_HEADER, crit: 'b64' } }), code: 'ERR_JWS_HEADER_INVALID' },
  { name: 'crit in the KB-JWT header', make: () => present({ kb: { header: { typ: 'kb+jwt', crit: ['urn:civic:x'] } } }), code: 'ERR_JWS_CRIT_UNSUPPORTED' },
  { name: 'crit on a plain JWS', target: 'jws', make: () => jws({ header: { crit: ['b64'], b64: false }, payload: { a: 1 } }), code: 'ERR_JWS_CRIT_UNSUPPORTED' },

  // Keys named by the header are never trusted: the attacker's own valid signature fails under the trusted key.
  { name: 'header jwk = the attacker key that signed', make: () => present({ signer: attacker.signer, header: { ...VC_HEADER, jwk: attacker.signer.publicJwk } }), code: 'ERR_JWS_SIGNATURE_INVALID' },
  { name: 'header jku → attacker JWKS', make: () => present({ signer: attacker.signer, header: { ...VC_HEADER, jku: 'https://attacker.example/jwks.json' } }), code: 'ERR_JWS_SIGNATURE_INVALID' },
  { name: 'header x5u → attacker certificate', make: () => present({ signer: attacker.signer, header: { ...VC_HEADER, x5u: 'https://attacker.example/cert.pem' } }), code: 'ERR_JWS_SIGNATURE_INVALID' },
  { name: 'header x5c with an attacker chain', make: () => present({ signer: attacker.signer, header: { ...VC_HEADER, x5c: [Buffer.from('attacker certificate').toString('base64')] } }), code: 'ERR_JWS_SIGNATURE_INVALID' },
  { name: 'header kid naming the real issuer key', make: () => present({ signer: attacker.signer, header: { ...VC_HEADER, kid: 'issuer-key-1' } }), options: { issuerKey: (j) => ({ 'issuer-key-1': issuer.publicKey })[j.header.kid as string] ?? null }, code: 'ERR_JWS_SIGNATURE_INVALID' },
  { name: 'header kid pointing to a key the registry does not have', make: () => present({ signer: attacker.signer, header: { ...VC_HEADER, kid: 'https://attacker.example/key' } }), options: { issuerKey: (j) => ({ 'issuer-key-1': issuer.publicKey })[j.header.kid as string] ?? null }, code: 'ERR_JWS_KEY_UNKNOWN' },
  { name: 'header jwk on a plain JWS', target: 'jws', make: () => jws({ signer: attacker.signer, header: { jwk: attacker.signer.publicJwk }, payload: { a: 1 } }), code: 'ERR_JWS_SIGNATURE_INVALID' },
  { name: 'KB-JWT signed by the attacker with its jwk in the header', make: () => present({ kb: { signer: attacker.signer, header: { typ: 'kb+jwt', jwk: attacker.signer.publicJwk } } }), code: 'ERR_KB_SIGNATURE_INVALID' },

  // Duplicate JSON members (also when only an escape tells them apart).
  { name: 'duplicate member in the header', make: () => present({ header: '{"alg":"ES256","typ":"dc+sd-jwt","typ":"JWT"}' }), code: 'ERR_JSON_DUPLICATE_KEY' },
  { name: 'duplicate alg in the header (ES256, then none)', make: () => present({ header: '{"alg":"ES256","typ":"dc+sd-jwt","alg":"none"}' }), code: 'ERR_JSON_DUPLICATE_KEY' },
  { name: '\\u0061-escaped duplicate alg in the header', make: () => present({ header: '{"alg":"ES256","typ":"dc+sd-jwt","\\u0061lg":"none"}' }), code: 'ERR_JSON_DUPLICATE_KEY' },
  { name: 'duplicate member in the payload', make: () => present({ payload: rawVc(`"vct":"urn:civic:other"`) }), code: 'ERR_JSON_DUPLICATE_KEY' },
  { name: '\\u0061-escaped duplicate in the payload', make: () => present({ payload: rawVc(`"a":1,"\\u0061":2`) }), code: 'ERR_JSON_DUPLICATE_KEY' },
  { name: 'escaped duplicate of iss in the payload', make: () => present({ payload: rawVc(`"\\u0069ss":"https://attacker.example"`) }), code: 'ERR_JSON_DUPLICATE_KEY' },
  { name: 'duplicate member in a nested payload object', make: () => present({ payload: rawVc(`"address":{"city":"A","city":"B"}`) }), code: 'ERR_JSON_DUPLICATE_KEY' },
  { name: 'duplicate member inside a disclosure value', make: () => { const d = discloseText('["s1","address",{"city":"A","\\u0063ity":"B"}]'); return presentDisclosed([d]) }, code: 'ERR_SDJWT_DISCLOSURE_MALFORMED' },
  { name: 'duplicate member in the KB-JWT payload', make: () => present({ kb: { payload: '{"iat":1800000000,"aud":"https://counter.example.gov","nonce":"x","nonce":"n-0S6_WzA2Mj","sd_hash":"x"}' } }), code: 'ERR_JSON_DUPLICATE_KEY' },
  { name: 'duplicate member in the KB-JWT header', make: () => present({ kb: { header: '{"alg":"ES256","typ":"kb+jwt","typ":"JWT"}' } }), code: 'ERR_JSON_DUPLICATE_KEY' },
  { name: 'duplicate member in the JSON serialization', make: async () => {
    const [h, p, s] = (await jws({ header: VC_HEADER, payload: vc() })).split('.')
    return `{"payload":"${p}","protected":"${h}","signature":"${s}","signature":"${s}"}`
  }, options: { keyBinding: 'not-required' }, code: 'ERR_JSON_DUPLICATE_KEY' },
  { name: 'duplicate member for parseJson', target: 'json', make: () => '{"a":1,"b":{"c":2},"\\u0061":3}', code: 'ERR_JSON_DUPLICATE_KEY' },

  // Non-canonical base64url: one byte string, one spelling.
  { name: 'signature with = padding', make: async () => { const t = await jws({ header: VC_HEADER, payload: vc() }); return withKb(`${t}==~`) }, code: 'ERR_B64_INVALID' },
  { name: 'signature in the base64 alphabet (+ /)', make: async () => withKb(`${await stdAlphabetSignature(issuer.signer)}~`), code: 'ERR_B64_INVALID' },
  { name: 'signature with non-zero trailing bits', make: async () => { const t = await jws({ header: VC_HEADER, payload: vc() }); return withKb(`${dirtyTrailingBits(t)}~`) }, code: 'ERR_B64_INVALID' },
  { name: 'signature with white space', make: async () => { const t = await jws({ header: VC_HEADER, payload: vc() }); return withKb(`${t.slice(0, -10)} ${t.slice(-10)}~`) }, code: 'ERR_B64_INVALID' },
  { name: 'header with = padding (signed as sent)', make: () => { const h = headerB64Where((b) => b.length % 4 === 3); return present({ rawHeader: `${h}=` }) }, code: 'ERR_B64_INVALID' },
  { name: 'header in the base64 alphabet (signed as sent)', make: () => present({ rawHeader: toStdAlphabet(headerB64Where((b) => /[-_]/.test(b))) }), code: 'ERR_B64_INVALID' },
  { name: 'header with non-zero trailing bits (signed as sent)', make: () => present({ rawHeader: dirtyTrailingBits(headerB64Where((b) => b.length % 4 !== 0)) }), code: 'ERR_B64_INVALID' },
  { name: 'payload with non-zero trailing bits (signed as sent)', make: () => {
    const p = firstFitting(8, (i) => enc(JSON.stringify(vc({ pad: 'x'.repeat(i) }))), (p) => p.length % 4 !== 0)
    return present({ rawPayload: dirtyTrailingBits(p) })
  }, code: 'ERR_B64_INVALID' },
  { name: 'disclosure with = padding (digest over the padded text)', make: () => {
    const d = firstFitting(8, (i) => disclose('given_name', 'A'.repeat(i)), (d) => d.length % 4 !== 0)
    return presentDisclosed([d + '='.repeat(4 - (d.length % 4))])
  }, code: 'ERR_SDJWT_DISCLOSURE_MALFORMED' },
  { name: 'disclosure with non-zero trailing bits (digest over the text as sent)', make: () => {
    const d = firstFitting(8, (i) => disclose('given_name', 'A'.repeat(i)), (d) => d.length % 4 !== 0)
    return presentDisclosed([dirtyTrailingBits(d)])
  }, code: 'ERR_SDJWT_DISCLOSURE_MALFORMED' },
  { name: 'disclosure in the base64 alphabet', make: () => {
    const d = firstFitting(64, (i) => disclose('given_name', '?'.repeat(i)), (d) => /[-_]/.test(d))
    return presentDisclosed([toStdAlphabet(d)])
  }, code: 'ERR_SDJWT_DISCLOSURE_MALFORMED' },

  // Size and count caps, checked before any work.
  { name: '10 MB input', make: async () => `${await jws({ header: VC_HEADER, payload: vc() })}~${'A'.repeat(10 * 1024 * 1024)}~`, code: 'ERR_SDJWT_TOO_LARGE' },
  { name: '10 MB of ~', make: () => '~'.repeat(10 * 1024 * 1024), code: 'ERR_SDJWT_TOO_LARGE' },
  { name: '10,000 ~', make: async () => `${await jws({ header: VC_HEADER, payload: vc() })}${'~'.repeat(10_000)}`, code: 'ERR_SDJWT_TOO_MANY_DISCLOSURES' },
  { name: '513 real, referenced disclosures (cap 512)', make: () => {
    const ds = Array.from({ length: 513 }, (_, i) => disclose(`c${i}`, i))
    return presentDisclosed(ds)
  }, code: 'ERR_SDJWT_TOO_MANY_DISCLOSURES' },
  { name: 'JWS beyond the cap for verifyCompactJws', target: 'jws', make: () => jws({ payload: { pad: 'x'.repeat(70_000) } }), code: 'ERR_JWS_TOO_LARGE' },
  { name: 'no ~ at all', make: () => jws({ header: VC_HEADER, payload: vc() }), code: 'ERR_SDJWT_MALFORMED' },
  { name: 'empty disclosure between ~~', make: async () => withKb(`${await jws({ header: VC_HEADER, payload: vc() })}~~`), code: 'ERR_SDJWT_MALFORMED' },
  { name: 'KB-JWT smuggled in as a disclosure', make: async () => { const p = await present(); return `${p}~` }, code: 'ERR_SDJWT_DISCLOSURE_MALFORMED' },
  { name: 'garbage after the last ~', make: async () => `${await jws({ header: VC_HEADER, payload: vc() })}~garbage`, code: 'ERR_JWS_MALFORMED' },
  { name: 'empty input', make: () => '', code: 'ERR_SDJWT_MALFORMED' },

  // Nesting and strings.
  { name: 'payload nested 1,000 deep', make: () => present({ payload: rawVc(`"deep":${deep(1000)}`) }), code: 'ERR_JSON_TOO_DEEP' },
  { name: 'header nested 1,000 deep', make: () => present({ header: `{"alg":"ES256","typ":"dc+sd-jwt","x":${deep(1000)}}` }), code: 'ERR_JSON_TOO_DEEP' },
  { name: 'disclosure value nested 1,000 deep', make: () => presentDisclosed([discloseText(`["s","deep",${deep(1000)}]`)]), code: 'ERR_SDJWT_TOO_DEEP' },
  { name: 'KB-JWT payload nested 1,000 deep', make: () => present({ kb: { payload: `{"x":${deep(1000)}}` } }), code: 'ERR_JSON_TOO_DEEP' },
  { name: 'disclosures nested in disclosures 40 deep', make: () => {
    let inner = disclose('leaf', 1)
    const all = [inner]
    for (let i = 0; i < 40; i++) {
      inner = disclose(`n${i}`, { _sd: [digest(inner)] })
      all.push(inner)
    }
    return present({ payload: vc({ _sd: [digest(inner)] }), disclosures: all.reverse() })
  }, code: 'ERR_SDJWT_TOO_DEEP' },
  { name: 'parseJson 1,000 deep', target: 'json', make: () => deep(1000), code: 'ERR_JSON_TOO_DEEP' },
  { name: 'parseJson 1,000,000 [ (no stack overflow)', target: 'json', make: () => '['.repeat(1_000_000), code: 'ERR_JSON_TOO_DEEP' },
  { name: 'lone high surrogate escape in the payload', make: () => present({ payload: rawVc(`"name":"\\ud800"`) }), code: 'ERR_JSON_SYNTAX' },
  { name: 'lone low surrogate escape in the payload', make: () => present({ payload: rawVc(`"name":"\\udc00x"`) }), code: 'ERR_JSON_SYNTAX' },
  { name: 'lone surrogate escape in a member name', make: () => present({ payload: rawVc(`"\\ud83d":1`) }), code: 'ERR_JSON_SYNTAX' },
  { name: 'lone surrogate escape in the header', make: () => present({ header: '{"alg":"ES256","typ":"dc+sd-jwt","kid":"\\udfff"}' }), code: 'ERR_JSON_SYNTAX' },
  { name: 'lone surrogate escape in a disclosure', make: () => presentDisclosed([discloseText('["s","name","\\ud800"]')]), code: 'ERR_SDJWT_DISCLOSURE_MALFORMED' },
  { name: 'parseJson high surrogate followed by a non-low escape', target: 'json', make: () => '"\\ud800\\u0041"', code: 'ERR_JSON_SYNTAX' },
  { name: 'payload bytes are UTF-8 of a surrogate (ED A0 80)', make: () => present({ rawPayload: encodeBase64url(concat(encodeUtf8(rawVc('"name":"').slice(0, -1)), Uint8Array.of(0xed, 0xa0, 0x80), encodeUtf8('"}'))) }), code: 'ERR_UTF8_INVALID' },
  { name: 'payload with a UTF-8 BOM', make: () => present({ rawPayload: encodeBase64url(concat(Uint8Array.of(0xef, 0xbb, 0xbf), encodeUtf8(JSON.stringify(vc())))) }), code: 'ERR_JSON_SYNTAX' },
  { name: 'payload is an array', make: () => present({ payload: [vc()] }), code: 'ERR_JSON_NOT_OBJECT' },

  // RFC 9901 §7.1 MUST-rejects.
  { name: 'unreferenced disclosure', make: () => present({ disclosures: [disclose('given_name', 'Ada')] }), code: 'ERR_SDJWT_DISCLOSURE_UNREFERENCED' },
  { name: 'disclosure referenced only from inside an undisclosed disclosure', make: () => {
    const inner = disclose('city', 'Oslo')
    const outer = disclose('address', { _sd: [digest(inner)] })
    return present({ payload: vc({ _sd: [digest(outer)] }), disclosures: [inner] })
  }, code: 'ERR_SDJWT_DISCLOSURE_UNREFERENCED' },
  { name: 'the same disclosure twice', make: () => { const d = disclose('given_name', 'Ada'); return present({ payload: vc({ _sd: [digest(d)] }), disclosures: [d, d] }) }, code: 'ERR_SDJWT_DISCLOSURE_DUPLICATE' },
  { name: 'the same digest twice in one _sd', make: () => { const d = disclose('given_name', 'Ada'); return present({ payload: vc({ _sd: [digest(d), digest(d)] }), disclosures: [d] }) }, code: 'ERR_SDJWT_DIGEST_DUPLICATE' },
  { name: 'the same decoy digest twice', make: () => present({ payload: vc({ _sd: [sha256B64('decoy'), sha256B64('decoy')] }) }), code: 'ERR_SDJWT_DIGEST_DUPLICATE' },
  { name: 'the same digest in _sd at two levels', make: () => { const d = disclose('city', 'Oslo'); return present({ payload: vc({ _sd: [digest(d)], address: { _sd: [digest(d)] } }), disclosures: [d] }) }, code: 'ERR_SDJWT_DIGEST_DUPLICATE' },
  { name: 'the same digest in an array twice', make: () => { const d = disclose('NO'); return present({ payload: vc({ nationalities: [{ '...': digest(d) }, { '...': digest(d) }] }), disclosures: [d] }) }, code: 'ERR_SDJWT_DIGEST_DUPLICATE' },
  { name: 'a digest in the payload and inside a disclosure', make: () => {
    const inner = disclose('city', 'Oslo')
    const outer = disclose('address', { _sd: [digest(inner)] })
    return present({ payload: vc({ _sd: sd(outer, inner) }), disclosures: [outer, inner] })
  }, code: 'ERR_SDJWT_DIGEST_DUPLICATE' },
  { name: '_sd as a disclosed claim name', make: () => presentDisclosed([disclose('_sd', [sha256B64('x')])]), code: 'ERR_SDJWT_RESERVED_NAME' },
  { name: '... as a disclosed claim name', make: () => presentDisclosed([disclose('...', sha256B64('x'))]), code: 'ERR_SDJWT_RESERVED_NAME' },
  { name: 'disclosed name colliding with a plain claim', make: () => presentDisclosed([disclose('given_name', 'Mallory')], { given_name: 'Ada' }), code: 'ERR_SDJWT_CLAIM_COLLISION' },
  { name: 'two disclosures with the same name at one level', make: () => presentDisclosed([disclose('given_name', 'Ada'), disclose('given_name', 'Mallory')]), code: 'ERR_SDJWT_CLAIM_COLLISION' },
  { name: 'disclosed name colliding inside a nested object', make: () => { const d = disclose('city', 'Evil'); return present({ payload: vc({ address: { city: 'Oslo', _sd: [digest(d)] } }), disclosures: [d] }) }, code: 'ERR_SDJWT_CLAIM_COLLISION' },
  { name: '_sd_alg sha-512 (unsupported)', make: () => presentDisclosed([disclose('given_name', 'Ada')], { _sd_alg: 'sha-512' }), code: 'ERR_SDJWT_SD_ALG' },
  { name: '_sd_alg SHA-256 (names are case-sensitive)', make: () => presentDisclosed([disclose('given_name', 'Ada')], { _sd_alg: 'SHA-256' }), code: 'ERR_SDJWT_SD_ALG' },
  { name: '_sd_alg not a string', make: () => presentDisclosed([disclose('given_name', 'Ada')], { _sd_alg: 256 }), code: 'ERR_SDJWT_SD_ALG' },
  { name: '_sd_alg null', make: () => presentDisclosed([disclose('given_name', 'Ada')], { _sd_alg: null }), code: 'ERR_SDJWT_SD_ALG' },
  { name: 'disclosure that is a JSON object', make: () => presentDisclosed([discloseText('{"salt":"s","name":"given_name","value":"Ada"}')]), code: 'ERR_SDJWT_DISCLOSURE_MALFORMED' },
  { name: 'disclosure that is a JSON string', make: () => presentDisclosed([discloseText('"given_name"')]), code: 'ERR_SDJWT_DISCLOSURE_MALFORMED' },
  { name: 'disclosure that is an empty array', make: () => presentDisclosed([discloseText('[]')]), code: 'ERR_SDJWT_DISCLOSURE_MALFORMED' },
  { name: 'disclosure of 1 element', make: () => presentDisclosed([discloseText('["salt"]')]), code: 'ERR_SDJWT_DISCLOSURE_MALFORMED' },
  { name: 'disclosure of 4 elements', make: () => presentDisclosed([discloseText('["salt","given_name","Ada","extra"]')]), code: 'ERR_SDJWT_DISCLOSURE_MALFORMED' },
  { name: 'disclosure with a non-string salt', make: () => presentDisclosed([discloseText('[12345,"given_name","Ada"]')]), code: 'ERR_SDJWT_DISCLOSURE_MALFORMED' },
  { name: 'disclosure with a null salt', make: () => presentDisclosed([discloseText('[null,"given_name","Ada"]')]), code: 'ERR_SDJWT_DISCLOSURE_MALFORMED' },
  { name: 'disclosure with a non-string name', make: () => presentDisclosed([discloseText('["salt",7,"Ada"]')]), code: 'ERR_SDJWT_DISCLOSURE_MALFORMED' },
  { name: 'disclosure with invalid JSON inside', make: () => presentDisclosed([discloseText('["salt","given_name","Ada",]')]), code: 'ERR_SDJWT_DISCLOSURE_MALFORMED' },
  { name: 'disclosure that is not UTF-8', make: () => presentDisclosed([encodeBase64url(concat(encodeUtf8('["s","n","'), Uint8Array.of(0xc0, 0xaf), encodeUtf8('"]')))]), code: 'ERR_SDJWT_DISCLOSURE_MALFORMED' },
  { name: 'array-element disclosure referenced from _sd', make: () => presentDisclosed([disclose('NO')]), code: 'ERR_SDJWT_DISCLOSURE_KIND' },
  { name: 'property disclosure referenced from {"...": d}', make: () => { const d = disclose('given_name', 'Ada'); return present({ payload: vc({ nationalities: [{ '...': digest(d) }] }), disclosures: [d] }) }, code: 'ERR_SDJWT_DISCLOSURE_KIND' },
  { name: '_sd that is a string', make: () => present({ payload: vc({ _sd: sha256B64('x') }) }), code: 'ERR_SDJWT_SD_INVALID' },
  { name: '_sd that is an object', make: () => present({ payload: vc({ _sd: { 0: sha256B64('x') } }) }), code: 'ERR_SDJWT_SD_INVALID' },
  { name: '_sd holding a number', make: () => present({ payload: vc({ _sd: [42] }) }), code: 'ERR_SDJWT_SD_INVALID' },
  { name: '{"...": d, "x": 1} in an array', make: () => { const d = disclose('NO'); return present({ payload: vc({ nationalities: [{ '...': digest(d), x: 1 }] }), disclosures: [d] }) }, code: 'ERR_SDJWT_SD_INVALID' },
  { name: '{"...": 5} in an array', make: () => present({ payload: vc({ nationalities: [{ '...': 5 }] }) }), code: 'ERR_SDJWT_SD_INVALID' },
  { name: '"..." as an ordinary member name', make: () => present({ payload: vc({ address: { '...': sha256B64('x') } }) }), code: 'ERR_SDJWT_SD_INVALID' },

  // Key binding (RFC 9901 §7.3).
  { name: 'KB missing when required', make: () => present({ kb: false }), code: 'ERR_KB_REQUIRED' },
  { name: 'KB stripped from a KB presentation', make: async () => { const p = await presentDisclosed([disclose('given_name', 'Ada')]); return p.slice(0, p.lastIndexOf('~') + 1) }, code: 'ERR_KB_REQUIRED' },
  { name: 'KB replayed to another audience', make: () => present(), options: { keyBinding: { nonce: NONCE, aud: 'https://other-counter.example' } }, code: 'ERR_KB_AUD_MISMATCH' },
  { name: 'KB made for another audience', make: () => present({ kb: { aud: 'https://attacker.example' } }), code: 'ERR_KB_AUD_MISMATCH' },
  { name: 'KB with a wrong nonce', make: () => present({ kb: { nonce: 'an-old-nonce' } }), code: 'ERR_KB_NONCE_MISMATCH' },
  { name: 'KB iat in the future (beyond skew)', make: () => present({ kb: { iat: NOW + 61 } }), code: 'ERR_KB_IAT_OUT_OF_WINDOW' },
  { name: 'KB iat too old', make: () => present({ kb: { iat: NOW - 300 - 61 } }), code: 'ERR_KB_IAT_OUT_OF_WINDOW' },
  { name: 'KB iat as a string', make: () => present({ kb: { payload: { iat: String(NOW), aud: AUD, nonce: NONCE, sd_hash: 'x' } } }), code: 'ERR_KB_MALFORMED' },
  { name: 'KB without sd_hash', make: () => present({ kb: { payload: { iat: NOW, aud: AUD, nonce: NONCE } } }), code: 'ERR_KB_MALFORMED' },
  { name: 'KB signed by the issuer, not the cnf.jwk key', make: () => present({ kb: { signer: issuer.signer } }), code: 'ERR_KB_SIGNATURE_INVALID' },
  { name: 'KB signed by an EdDSA key while cnf.jwk is ES256', make: () => present({ kb: { signer: edIssuer.signer } }), code: 'ERR_KB_SIGNATURE_INVALID' },
  { name: 'KB typ JWT', make: () => present({ kb: { header: { typ: 'JWT' } } }), code: 'ERR_KB_MALFORMED' },
  { name: 'KB typ missing', make: () => present({ kb: { header: {} } }), code: 'ERR_KB_MALFORMED' },
  { name: 'KB typ dc+sd-jwt', make: () => present({ kb: { header: { typ: 'dc+sd-jwt' } } }), code: 'ERR_KB_MALFORMED' },
  { name: 'KB present but the credential has no cnf', make: () => present({ payload: without(vc(), 'cnf') }), code: 'ERR_KB_NO_CNF' },
  { name: 'KB opt-out still checks a KB that is present', make: () => present({ kb: { signer: attacker.signer } }), options: { keyBinding: 'not-required' }, code: 'ERR_KB_SIGNATURE_INVALID' },
  { name: 'sd_hash after a disclosure is removed', make: async () => {
    const a = disclose('given_name', 'Ada'), b = disclose('family_name', 'Lovelace')
    const full = await presentDisclosed([a, b], {}, { kb: false })
    const kb = (await withKb(full)).slice(full.length)
    return full.replace(`${b}~`, '') + kb
  }, code: 'ERR_KB_SD_HASH_MISMATCH' },
  { name: 'sd_hash after a disclosure is added', make: async () => {
    const a = disclose('given_name', 'Ada'), b = disclose('family_name', 'Lovelace')
    const jwt = await jws({ header: VC_HEADER, payload: vc({ _sd: sd(a, b) }) })
    const kb = (await withKb(`${jwt}~${a}~`)).slice(`${jwt}~${a}~`.length)
    return `${jwt}~${a}~${b}~${kb}`
  }, code: 'ERR_KB_SD_HASH_MISMATCH' },
  { name: 'sd_hash after disclosures are reordered', make: async () => {
    const a = disclose('given_name', 'Ada'), b = disclose('family_name', 'Lovelace')
    const jwt = await jws({ header: VC_HEADER, payload: vc({ _sd: sd(a, b) }) })
    const kb = (await withKb(`${jwt}~${a}~${b}~`)).slice(`${jwt}~${a}~${b}~`.length)
    return `${jwt}~${b}~${a}~${kb}`
  }, code: 'ERR_KB_SD_HASH_MISMATCH' },
  { name: 'sd_hash over the issuer JWT alone', make: async () => { const jwt = await jws({ header: VC_HEADER, payload: vc() }); return withKb(`${jwt}~`, { hashOver: jwt }) }, code: 'ERR_KB_SD_HASH_MISMATCH' },

  // SD-JWT VC profile: claims that must stay plain, required claims, typ.
  ...(['iss', 'vct', 'cnf', 'exp', 'status', 'iat', 'nbf', 'vct#integrity'] as const).map((name): Row => ({
    name: `SD-JWT VC: ${name} made selectively disclosable`,
    make: () => {
      const value = ({ iss: ISS, vct: VCT, cnf: { jwk: holder.signer.publicJwk }, exp: NOW + 3600, status: { status_list: { idx: 7, uri: 'https://issuer.example.gov/status/1' } }, iat: NOW - 60, nbf: NOW - 60, 'vct#integrity': 'sha256-x' })[name]
      const d = disclose(name, value)
      return present({ payload: { ...without(vc(), name), _sd: [digest(d)] }, disclosures: [d] })
    },
    code: 'ERR_SDVC_CLAIM_DISCLOSABLE',
  })),
  { name: 'SD-JWT VC: status.status_list made selectively disclosable (the holder could withhold it)', make: () => {
    const d = disclose('status_list', { idx: 7, uri: 'https://issuer.example.gov/status/1' })
    return present({ payload: vc({ status: { _sd: [digest(d)] } }), disclosures: [d] })
  }, code: 'ERR_SDVC_CLAIM_DISCLOSABLE' },
  { name: 'SD-JWT VC: cnf.jwk made selectively disclosable', make: () => {
    const d = disclose('jwk', { ...holder.signer.publicJwk })
    return present({ payload: vc({ cnf: { _sd: [digest(d)] } }), disclosures: [d] })
  }, code: 'ERR_SDVC_CLAIM_DISCLOSABLE' },
  { name: 'SD-JWT VC: vct missing', make: () => present({ payload: without(vc(), 'vct') }), code: 'ERR_SDVC_CLAIM_MISSING' },
  { name: 'SD-JWT VC: iss missing', make: () => present({ payload: without(vc(), 'iss') }), code: 'ERR_SDVC_CLAIM_MISSING' },
  { name: 'SD-JWT VC: vct a number', make: () => present({ payload: vc({ vct: 1 }) }), code: 'ERR_SDVC_CLAIM_MISSING' },
  { name: 'SD-JWT VC: iss empty', make: () => present({ payload: vc({ iss: '' }) }), code: 'ERR_SDVC_CLAIM_MISSING' },
  { name: 'SD-JWT VC: status not an object', make: () => present({ payload: vc({ status: 'revoked?' }) }), code: 'ERR_SDVC_CLAIM_MISSING' },
  { name: 'SD-JWT VC: typ vc+sd-jwt', make: () => present({ header: { typ: 'vc+sd-jwt' } }), code: 'ERR_JWS_TYP_MISMATCH' },
  { name: 'SD-JWT VC: typ JWT', make: () => present({ header: { typ: 'JWT' } }), code: 'ERR_JWS_TYP_MISMATCH' },
  { name: 'SD-JWT VC: typ missing', make: () => present({ header: {} }), code: 'ERR_JWS_TYP_MISMATCH' },
  { name: 'SD-JWT VC: typ not a string', make: () => present({ header: { typ: ['dc+sd-jwt'] } }), code: 'ERR_JWS_HEADER_INVALID' },
  { name: 'SD-JWT VC: typ application/DC+SD-JWT is the same media type', make: () => present({ header: { typ: 'application/DC+SD-JWT' } }), code: 'ok' },

  // Time claims.
  { name: 'exp as a string', make: () => present({ payload: rawVc(`"exp":"${NOW + 3600}"`) }), code: 'ERR_TIME_CLAIM_INVALID' },
  { name: 'exp null (NaN after JSON)', make: () => present({ payload: rawVc('"exp":null') }), code: 'ERR_TIME_CLAIM_INVALID' },
  { name: 'exp 1e400 (Infinity after parse)', make: () => present({ payload: rawVc('"exp":1e400') }), code: 'ERR_TIME_CLAIM_INVALID' },
  { name: 'exp -1e400 (−Infinity after parse)', make: () => present({ payload: rawVc('"exp":-1e400') }), code: 'ERR_TIME_CLAIM_INVALID' },
  { name: 'exp negative', make: () => present({ payload: vc({ exp: -1 }) }), code: 'ERR_TIME_CLAIM_INVALID' },
  { name: 'exp beyond the year 9999', make: () => present({ payload: vc({ exp: 253402300800 }) }), code: 'ERR_TIME_CLAIM_INVALID' },
  { name: 'exp an object', make: () => present({ payload: vc({ exp: { $date: NOW } }) }), code: 'ERR_TIME_CLAIM_INVALID' },
  { name: 'iat as a string', make: () => present({ payload: vc({ iat: 'yesterday' }) }), code: 'ERR_TIME_CLAIM_INVALID' },
  { name: 'nbf 1e400', make: () => present({ payload: rawVc('"nbf":1e400') }), code: 'ERR_TIME_CLAIM_INVALID' },
  { name: 'expired', make: () => present({ payload: vc({ exp: NOW - 3600 }) }), code: 'ERR_TIME_EXPIRED' },
  { name: 'nbf in the future', make: () => present({ payload: vc({ nbf: NOW + 3600 }) }), code: 'ERR_TIME_NOT_YET_VALID' },
  { name: 'iat in the future', make: () => present({ payload: vc({ iat: NOW + 3600 }) }), code: 'ERR_TIME_NOT_YET_VALID' },

  // __proto__ stays an ordinary own claim and pollutes nothing.
  { name: '__proto__ as a disclosed claim name verifies as an own data property', make: () => presentDisclosed([disclose('__proto__', { polluted: true })]), code: 'ok',
    check: (v) => expectOwnProto(v.claims) },
  { name: '__proto__ as a plain payload member verifies as an own data property', make: () => present({ payload: rawVc('"__proto__":{"polluted":true}') }), code: 'ok',
    check: (v) => expectOwnProto(v.claims) },
  { name: '__proto__ disclosed inside a nested object', make: () => { const d = disclose('__proto__', { polluted: true }); return present({ payload: vc({ address: { _sd: [digest(d)] } }), disclosures: [d] }) }, code: 'ok',
    check: (v) => expectOwnProto(v.claims.address) },
  { name: '__proto__ disclosed and plain at one level collide', make: () => { const d = disclose('__proto__', { polluted: true }); return present({ payload: rawVc(`"__proto__":{"x":1},"_sd":["${digest(d)}"]`), disclosures: [d] }) }, code: 'ERR_SDJWT_CLAIM_COLLISION' },
  { name: 'constructor and prototype as disclosed names verify', make: () => presentDisclosed([disclose('constructor', { prototype: { polluted: true } }), disclose('prototype', { polluted: true })]), code: 'ok' },
  { name: '__proto__ in parseJson', target: 'json', make: () => '{"__proto__":{"polluted":true}}', code: 'ok', check: (v) => expectOwnProto(v) },

  // JSON serialization (RFC 9901 §8).
  { name: 'general JSON serialization with a second signature by the attacker', make: async () => {
    const [h, p, s] = (await jws({ header: VC_HEADER, payload: vc() })).split('.')
    const [h2, , s2] = (await jws({ header: VC_HEADER, payload: vc(), signer: attacker.signer })).split('.')
    return JSON.stringify({ payload: p, signatures: [{ protected: h, signature: s }, { protected: h2, signature: s2 }] })
  }, options: { keyBinding: 'not-required' }, code: 'ERR_JWS_SIGNATURE_INVALID' },
  { name: 'JSON serialization: disclosures in a second signature header', make: async () => {
    const d = disclose('given_name', 'Ada')
    const [h, p, s] = (await jws({ header: VC_HEADER, payload: vc({ _sd: [digest(d)] }) })).split('.')
    return JSON.stringify({ payload: p, signatures: [{ protected: h, signature: s }, { protected: h, signature: s, header: { disclosures: [d] } }] })
  }, options: { keyBinding: 'not-required' }, code: 'ERR_SDJWT_MALFORMED' },
]

function expectOwnProto(o: object): void {
  expect(Object.getPrototypeOf(o)).toBe(Object.prototype)
  const desc = Object.getOwnPropertyDescriptor(o, '__proto__')
  expect(desc).toMatchObject({ enumerable: true, writable: true })
  expect(desc!.value).toStrictEqual({ polluted: true })
}

function verdictOf<T>(f: () => T): Verdict<T> {
  try {
    return ok(f())
  } catch (e) {
    return failFrom(e) // rethrows anything that is not a coded error: a bug, and the row fails
  }
}

async function run(row: Row, input: string): Promise<Verdict<unknown>> {
  switch (row.target ?? 'sdjwt') {
    case 'sdjwt':
      return verifySdJwt(input, { ...OPTIONS, ...row.options })
    case 'jws':
      return verifyCompactJws(input, row.options?.issuerKey ?? issuer.publicKey, { typ: row.options?.typ })
    case 'jwk':
      return verdictOf(() => PublicKey.fromJwk(parseJson(input)))
    case 'json':
      return verdictOf(() => parseJson(input))
  }
}

describe('hostile-input builders end by themselves', () => {
  it('the base64-alphabet signature is found for any issuer key (one in fifteen signs vc() without - or _)', async () => {
    for (let k = 0; k < 48; k++) {
      const t = await stdAlphabetSignature(testKey('ES256').signer)
      expect(t.slice(t.lastIndexOf('.') + 1)).toMatch(/^[A-Za-z0-9+/]{86}$/)
      expect(t.slice(t.lastIndexOf('.') + 1)).toMatch(/[+/]/)
    }
  })

  it('a search with no fitting candidate is a setup error, not a hang', () => {
    expect(() => firstFitting(5, (i) => i, () => false)).toThrow('none of 5 candidates')
    expect(firstFitting(5, (i) => i * 10, (x) => x > 15)).toBe(20)
  })
})

describe('hostile inputs', () => {
  it('row names are unique', () => {
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length)
  })

  it.each(rows)('$name → $code', async (row) => {
    const input = await row.make()
    let verdict: Verdict<unknown>
    try {
      verdict = await run(row, input)
    } catch (e) {
      throw new Error(`threw instead of returning a verdict: ${String(e)}`)
    }
    if (row.code === 'ok') {
      if (!verdict.ok) throw new Error(`expected to verify, got ${verdict.code}: ${verdict.detail}`)
      row.check?.(verdict.value)
    } else {
      if (verdict.ok) throw new Error(`accepted; expected ${row.code}`)
      expect(verdict.code, verdict.detail).toBe(row.code)
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
  })
})
