/**
 * C2SP signed notes (c2sp.org/signed-note): strict parse and format, verifier keys
 * `<name>+<hex key ID>+<base64(type ‖ public key)>`, signer keys
 * `PRIVATE+KEY+<name>+<hex key ID>+<base64(type ‖ seed)>` (the golang.org/x/mod/sumdb/note
 * encodings the spec's "vkeys" refer to), Ed25519 note signatures (type 0x01), and
 * verification against a set of trusted keys where unknown signatures are ignored.
 *
 * Key types: 0x01 Ed25519 note signatures live here; 0x04 timestamped witness cosignatures
 * (c2sp.org/tlog-cosignature) live in cosignature.ts and plug in through `NoteVerifier`.
 */
import { failFrom, fail, InputError, ok, type Verdict } from '../errors.ts'
import { sha256, type RandomSource } from '../crypto/hash.ts'
import { ed25519PublicKey, generateEd25519, isEd25519PublicKey, signEd25519, verifyEd25519 } from '../crypto/ed25519.ts'
import { decodeUtf8, encodeUtf8 } from '../bytes/utf8.ts'
import { concatBytes, decodeBase64, encodeBase64 } from './_encoding.ts'

/** Signature type identifier bytes — signed-note §"Signature types". */
export const SIG_TYPE_ED25519 = 0x01
export const SIG_TYPE_COSIGNATURE_V1 = 0x04
export type NoteKeyType = typeof SIG_TYPE_ED25519 | typeof SIG_TYPE_COSIGNATURE_V1

/**
 * signed-note §Format: "Verifiers SHOULD apply a maximum limit to the number of signatures
 * … but MUST accept at least up to 16". 100 as golang.org/x/mod/sumdb/note does.
 */
export const MAX_NOTE_SIGNATURES = 100
/** A cap on the whole note, checked before anything is decoded. */
export const MAX_NOTE_BYTES = 256 * 1024

const EM_DASH_PREFIX = '\u2014 ' // "em dash (U+2014), space (U+0020)"

export interface NoteSignature {
  /** The key name on the signature line. */
  name: string
  /** The uint32 key ID: the first four signature bytes, big-endian. */
  keyId: number
  /** The signature proper (the bytes after the key ID). */
  signature: Uint8Array
}

export interface Note {
  /** The note text, including its final newline, excluding the blank separator line. */
  text: string
  /** UTF-8 of `text`: the signed message. */
  textBytes: Uint8Array
  signatures: NoteSignature[]
}

export interface NoteLimits {
  maxBytes?: number
  maxSignatures?: number
}

/**
 * signed-note §Format: key names "MUST be non-empty and MUST NOT contain any Unicode spaces
 * or plus (U+002B) characters"; control characters are refused too, as no note may hold them.
 */
export function isValidKeyName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && !/[\p{White_Space}+\u0000-\u001f\p{Surrogate}]/u.test(name)
}

function malformed(detail: string): never {
  throw new InputError('ERR_NOTE_MALFORMED', detail)
}

/** Parse a signed note strictly (signed-note §Format); throws InputError with an ERR_NOTE_* code. */
export function parseNote(input: Uint8Array | string, limits: NoteLimits = {}): Note {
  const maxBytes = limits.maxBytes ?? MAX_NOTE_BYTES
  const maxSignatures = limits.maxSignatures ?? MAX_NOTE_SIGNATURES
  let s: string
  if (typeof input === 'string') {
    if (input.length > maxBytes) throw new InputError('ERR_NOTE_TOO_LARGE', `note longer than ${maxBytes} bytes`)
    if (/\p{Surrogate}/u.test(input)) malformed('note text holds a lone surrogate')
    s = input
    if (encodeUtf8(s).length > maxBytes) throw new InputError('ERR_NOTE_TOO_LARGE', `note longer than ${maxBytes} bytes`)
  } else if (input instanceof Uint8Array) {
    if (input.length > maxBytes) throw new InputError('ERR_NOTE_TOO_LARGE', `note of ${input.length} bytes is longer than ${maxBytes}`)
    try {
      s = decodeUtf8(input, 'note') // "Signed notes MUST be valid UTF-8"
    } catch {
      malformed('note is not valid UTF-8')
    }
  } else {
    throw new TypeError('input must be a Uint8Array or a string')
  }
  // "… and MUST NOT contain any ASCII control characters (those below U+0020) other than newline."
  const ctl = /[\u0000-\u0009\u000b-\u001f]/.exec(s)
  if (ctl) malformed(ctl[0] === '\r' ? 'note contains a carriage return (CRLF line ends are not allowed)' : `note contains control character U+${ctl[0].charCodeAt(0).toString(16).padStart(4, '0')}`)
  // "the text is separated from the signatures by the last empty line in the note"
  const split = s.lastIndexOf('\n\n')
  if (split < 0) malformed('no blank line separates the text from the signatures')
  const text = s.slice(0, split + 1)
  const block = s.slice(split + 2)
  if (block.length === 0) malformed('a note needs at least one signature line')
  if (!block.endsWith('\n')) malformed('the last signature line does not end with a newline')
  const lines = block.slice(0, -1).split('\n')
  if (lines.length > maxSignatures) throw new InputError('ERR_NOTE_TOO_MANY_SIGNATURES', `${lines.length} signatures, more than ${maxSignatures}`)
  const signatures = lines.map(parseSignatureLine)
  return { text, textBytes: encodeUtf8(text), signatures }
}

/** `— <key name> base64(32-bit key ID || signature)` — signed-note §Signatures. */
function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(EM_DASH_PREFIX)) malformed('a signature line does not start with an em dash and a space')
  const rest = line.slice(EM_DASH_PREFIX.length)
  const sp = rest.indexOf(' ')
  if (sp < 0) malformed('a signature line has no space between key name and signature')
  const name = rest.slice(0, sp)
  const b64 = rest.slice(sp + 1)
  if (!isValidKeyName(name)) malformed('a signature line has an invalid key name')
  const raw = decodeBase64(b64)
  if (!raw) malformed(`the signature of ${name} is not canonical base64`)
  if (raw.length < 5) malformed(`the signature of ${name} is shorter than a key ID and one byte`)
  const keyId = new DataView(raw.buffer, raw.byteOffset, 4).getUint32(0, false)
  return { name, keyId, signature: raw.slice(4) }
}

function signatureLine(sig: NoteSignature): string {
  const raw = new Uint8Array(4 + sig.signature.length)
  new DataView(raw.buffer).setUint32(0, sig.keyId >>> 0, false)
  raw.set(sig.signature, 4)
  return `${EM_DASH_PREFIX}${sig.name} ${encodeBase64(raw)}\n`
}

function assertNoteText(text: string): void {
  if (!text.endsWith('\n')) throw new InputError('ERR_NOTE_MALFORMED', 'note text must end with a newline')
  if (/[\u0000-\u0009\u000b-\u001f\p{Surrogate}]/u.test(text)) throw new InputError('ERR_NOTE_MALFORMED', 'note text holds control characters')
}

/** The signed note for `text` and its signatures (signed-note §Format). Throws InputError if it could not parse back. */
export function formatNote(text: string, signatures: readonly NoteSignature[]): string {
  assertNoteText(text)
  if (signatures.length === 0) throw new InputError('ERR_NOTE_MALFORMED', 'a note needs at least one signature')
  let out = text + '\n'
  for (const sig of signatures) {
    if (!isValidKeyName(sig.name)) throw new InputError('ERR_NOTE_MALFORMED', 'invalid key name')
    if (!Number.isInteger(sig.keyId) || sig.keyId < 0 || sig.keyId > 0xffffffff) throw new RangeError('keyId must be a uint32')
    if (sig.signature.length < 1) throw new InputError('ERR_NOTE_MALFORMED', 'empty signature')
    out += signatureLine(sig)
  }
  return out
}

// ── keys ─────────────────────────────────────────────────────────────────────────────────

/** key ID = SHA-256(key name || 0x0A || signature type || public key)[:4], big-endian — signed-note §Signatures. */
export function noteKeyId(name: string, type: number, publicKey: Uint8Array): number {
  const h = sha256(concatBytes(encodeUtf8(name), Uint8Array.of(0x0a, type), publicKey))
  return new DataView(h.buffer, h.byteOffset, 4).getUint32(0, false)
}

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0')

/** A parsed verifier key (public data). */
export interface VerifierKey {
  name: string
  type: NoteKeyType
  keyId: number
  publicKey: Uint8Array
}

/** A parsed signer key. Holds the secret seed: never log it. */
export interface SignerKey extends VerifierKey {
  secretKey: Uint8Array
}

function keyInvalid(detail: string): never {
  throw new InputError('ERR_NOTE_KEY_INVALID', detail)
}

function keyMaterial(b64: string, what: string): { type: NoteKeyType; key: Uint8Array } {
  const raw = decodeBase64(b64)
  if (!raw || raw.length === 0) keyInvalid(`${what}: key data is not canonical base64`)
  const type = raw[0]!
  if (type !== SIG_TYPE_ED25519 && type !== SIG_TYPE_COSIGNATURE_V1) keyInvalid(`${what}: unsupported signature type 0x${type.toString(16).padStart(2, '0')}`)
  const key = raw.slice(1)
  if (key.length !== 32) keyInvalid(`${what}: an Ed25519 key is 32 bytes, not ${key.length}`)
  return { type, key }
}

function keyHashField(hash16: string | undefined, what: string): number {
  if (hash16 === undefined || !/^[0-9a-f]{8}$/.test(hash16)) keyInvalid(`${what}: the key ID must be 8 lower-case hex digits`)
  return parseInt(hash16, 16)
}

/** `<name>+<hash>+<keydata>` split and each part checked (the key ID is matched by the caller). */
function keyFields(text: string, what: string, form: string): { name: string; keyId: number; type: NoteKeyType; key: Uint8Array } {
  const i = text.indexOf('+')
  const j = i < 0 ? -1 : text.indexOf('+', i + 1)
  if (j < 0) keyInvalid(`${what}: expected ${form}`)
  const name = text.slice(0, i)
  if (!isValidKeyName(name)) keyInvalid(`${what}: invalid key name`)
  const keyId = keyHashField(text.slice(i + 1, j), what)
  return { name, keyId, ...keyMaterial(text.slice(j + 1), what) }
}

/**
 * Parse a verifier key `<name>+<hash>+<keydata>` (Ed25519 0x01 or cosignature/v1 0x04); the
 * key ID must match the key (signed-note §Signatures). Throws InputError ERR_NOTE_KEY_INVALID.
 */
export function parseVerifierKey(vkey: string): VerifierKey {
  if (typeof vkey !== 'string' || vkey.length > 1024) keyInvalid('verifier key: not a string of sane length')
  const { name, keyId, type, key } = keyFields(vkey, 'verifier key', '<name>+<hash>+<key>')
  if (!isEd25519PublicKey(key)) keyInvalid('verifier key: not a usable Ed25519 public key (non-canonical, off the curve or of small order)')
  if (noteKeyId(name, type, key) !== keyId) keyInvalid('verifier key: the key ID does not match the key')
  return { name, type, keyId, publicKey: key }
}

export function formatVerifierKey(key: Pick<VerifierKey, 'name' | 'type' | 'publicKey'>): string {
  if (!isValidKeyName(key.name)) throw new InputError('ERR_NOTE_KEY_INVALID', 'invalid key name')
  return `${key.name}+${hex8(noteKeyId(key.name, key.type, key.publicKey))}+${encodeBase64(concatBytes(Uint8Array.of(key.type), key.publicKey))}`
}

/** Parse a signer key `PRIVATE+KEY+<name>+<hash>+<keydata>`; the key ID must match the derived public key. */
export function parseSignerKey(skey: string): SignerKey {
  if (typeof skey !== 'string' || skey.length > 1024) keyInvalid('signer key: not a string of sane length')
  if (!skey.startsWith('PRIVATE+KEY+')) keyInvalid('signer key: must start with PRIVATE+KEY+')
  const { name, keyId, type, key } = keyFields(skey.slice('PRIVATE+KEY+'.length), 'signer key', 'PRIVATE+KEY+<name>+<hash>+<key>')
  const publicKey = ed25519PublicKey(key)
  if (noteKeyId(name, type, publicKey) !== keyId) keyInvalid('signer key: the key ID does not match the key')
  return { name, type, keyId, publicKey, secretKey: key }
}

export function formatSignerKey(key: SignerKey): string {
  if (!isValidKeyName(key.name)) throw new InputError('ERR_NOTE_KEY_INVALID', 'invalid key name')
  return `PRIVATE+KEY+${key.name}+${hex8(noteKeyId(key.name, key.type, key.publicKey))}+${encodeBase64(concatBytes(Uint8Array.of(key.type), key.secretKey))}`
}

/** A new key pair for `name`; randomness comes in as an argument (the system CSPRNG by default). */
export function generateNoteKeys(name: string, type: NoteKeyType = SIG_TYPE_ED25519, random?: RandomSource): { signerKey: string; verifierKey: string } {
  if (!isValidKeyName(name)) throw new InputError('ERR_NOTE_KEY_INVALID', 'invalid key name')
  const { secretKey, publicKey } = generateEd25519(random)
  const key: SignerKey = { name, type, keyId: noteKeyId(name, type, publicKey), publicKey, secretKey }
  return { signerKey: formatSignerKey(key), verifierKey: formatVerifierKey(key) }
}

// ── signing and verifying ────────────────────────────────────────────────────────────────

/** What a verifier learnt from a good signature (cosignatures carry a timestamp). */
export interface SignatureInfo {
  timestampSeconds?: number
}

/** One trusted key, able to check a signature over a note's text. Never throws. */
export interface NoteVerifier {
  readonly name: string
  readonly keyId: number
  readonly type: NoteKeyType
  verify(text: Uint8Array, signature: Uint8Array): Verdict<SignatureInfo>
}

/** Something that signs note text for one key. */
export interface NoteSigner {
  readonly name: string
  readonly keyId: number
  sign(text: Uint8Array): Uint8Array
}

/** A verifier of Ed25519 note signatures (type 0x01) — signed-note §"Ed25519 signatures". */
export function ed25519NoteVerifier(key: VerifierKey): NoteVerifier {
  if (key.type !== SIG_TYPE_ED25519) throw new TypeError('not an Ed25519 note key (type 0x01)')
  const { name, keyId, publicKey } = key
  return {
    name,
    keyId,
    type: SIG_TYPE_ED25519,
    verify(text, signature) {
      if (signature.length !== 64) return fail('ERR_NOTE_SIGNATURE_INVALID', `Ed25519 signature by ${name} is ${signature.length} bytes, not 64`)
      return verifyEd25519(publicKey, text, signature) ? ok({}) : fail('ERR_NOTE_SIGNATURE_INVALID', `signature by ${name} does not verify`)
    },
  }
}

/** A signer of Ed25519 note signatures (type 0x01). */
export function ed25519NoteSigner(key: SignerKey): NoteSigner {
  if (key.type !== SIG_TYPE_ED25519) throw new TypeError('not an Ed25519 note key (type 0x01)')
  const { name, keyId, secretKey } = key
  return { name, keyId, sign: (text) => signEd25519(secretKey, text) }
}

/**
 * Sign `text` with each signer, keeping `existing` signatures except those by the same
 * key (name and key ID), which the new ones replace; existing ones come first.
 */
export function signNote(text: string, signers: readonly NoteSigner[], existing: readonly NoteSignature[] = []): string {
  assertNoteText(text)
  const textBytes = encodeUtf8(text)
  const fresh = signers.map((s) => ({ name: s.name, keyId: s.keyId, signature: s.sign(textBytes) }))
  const replaced = new Set(fresh.map((s) => `${s.name}\n${s.keyId}`))
  return formatNote(text, [...existing.filter((s) => !replaced.has(`${s.name}\n${s.keyId}`)), ...fresh])
}

export interface VerifiedSignature {
  verifier: NoteVerifier
  signature: NoteSignature
  info: SignatureInfo
}

/**
 * Check every signature of `note` made by a key in `verifiers` (signed-note §Signatures):
 * signatures whose (name, key ID) pair no verifier has are ignored, even when one of the two
 * matches; a known key's signature that fails rejects the whole note (the spec's SHOULD).
 * Returns the verified signatures, one per key, possibly none.
 */
export function verifyNoteSignatures(note: Note, verifiers: readonly NoteVerifier[]): Verdict<VerifiedSignature[]> {
  const known = new Map<string, NoteVerifier>()
  for (const v of verifiers) {
    const k = `${v.name}\n${v.keyId}`
    if (known.has(k)) throw new TypeError(`two trusted keys share name and key ID ${v.name}+${hex8(v.keyId)}`)
    known.set(k, v)
  }
  const out = new Map<NoteVerifier, VerifiedSignature>()
  for (const signature of note.signatures) {
    const verifier = known.get(`${signature.name}\n${signature.keyId}`)
    if (!verifier) continue
    const r = verifier.verify(note.textBytes, signature.signature)
    if (!r.ok) return r
    if (!out.has(verifier)) out.set(verifier, { verifier, signature, info: r.value })
  }
  return ok([...out.values()])
}

/** Parse `input` and verify it; at least one trusted key must have signed (else ERR_NOTE_UNVERIFIED). */
export function openNote(input: Uint8Array | string, verifiers: readonly NoteVerifier[], limits?: NoteLimits): Verdict<{ note: Note; verified: VerifiedSignature[] }> {
  let note: Note
  try {
    note = parseNote(input, limits)
  } catch (e) {
    return failFrom(e)
  }
  const v = verifyNoteSignatures(note, verifiers)
  if (!v.ok) return v
  if (v.value.length === 0) return fail('ERR_NOTE_UNVERIFIED', 'no signature from a trusted key')
  return ok({ note, verified: v.value })
}
