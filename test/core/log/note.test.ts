import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../support/keys.ts'
import { CivicError } from '../../../src/core/errors.ts'
import {
  ed25519NoteSigner, ed25519NoteVerifier, formatNote, formatVerifierKey, generateNoteKeys, MAX_NOTE_SIGNATURES, noteKeyId, openNote,
  parseNote, parseSignerKey, parseVerifierKey, signNote, SIG_TYPE_COSIGNATURE_V1, SIG_TYPE_ED25519, verifyNoteSignatures,
} from '../../../src/core/log/note.ts'
import { codeOf } from '../../support/codes.ts'

// golang.org/x/mod/sumdb/note package documentation example (Ed25519 is deterministic, so the
// signature line is reproduced byte for byte).
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz'
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'
const PETER_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
const PETER_SIG = '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n'
const PETER_NOTE = PETER_TEXT + '\n' + PETER_SIG
const peter = ed25519NoteVerifier(parseVerifierKey(PETER_VKEY))

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
describe('x/mod interop', () => {
  it('parses the signer and verifier keys and reproduces the signed note exactly', () => {
    const sk = parseSignerKey(PETER_SKEY)
    expect(sk).toMatchObject({ name: 'PeterNeumann', type: SIG_TYPE_ED25519, keyId: 0xc74f20a3 })
    expect(formatVerifierKey(sk)).toBe(PETER_VKEY)
    expect(signNote(PETER_TEXT, [ed25519NoteSigner(sk)])).toBe(PETER_NOTE)
  })

  it('opens the signed note with the verifier key', () => {
    const r = openNote(enc(PETER_NOTE), [peter])
    expect(r.ok).toBe(true)
    if (r.ok) {
      expect(r.value.note.text).toBe(PETER_TEXT)
      expect(r.value.verified.map((v) => v.signature.name)).toEqual(['PeterNeumann'])
    }
  })

  it('key ID = SHA-256(name || 0x0A || type || key)[:4]', () => {
    const vk = parseVerifierKey(PETER_VKEY)
    expect(noteKeyId(vk.name, SIG_TYPE_ED25519, vk.publicKey)).toBe(0xc74f20a3)
    expect(noteKeyId(vk.name, SIG_TYPE_COSIGNATURE_V1, vk.publicKey)).not.toBe(0xc74f20a3)
  })
})

describe('parseNote is strict (c2sp.org/signed-note §Format)', () => {
  const sigs = (n: number): string => Array.from({ length: n }, (_, i) => `— k${i} AAAAAAE=\n`).join('')
  it.each([
    ['CRLF line ends', PETER_NOTE.replaceAll('\n', '\r\n'), 'ERR_NOTE_MALFORMED'],
    ['a CR inside the text', 'a\rb\n\n' + PETER_SIG, 'ERR_NOTE_MALFORMED'],
    ['a tab', 'a\tb\n\n' + PETER_SIG, 'ERR_NOTE_MALFORMED'],
    ['a NUL', 'a\u0000b\n\n' + PETER_SIG, 'ERR_NOTE_MALFORMED'],
    ['no blank line before the signatures', PETER_TEXT + PETER_SIG, 'ERR_NOTE_MALFORMED'],
    ['no signature lines', PETER_TEXT + '\n', 'ERR_NOTE_MALFORMED'],
    ['last signature line without newline', PETER_NOTE.slice(0, -1), 'ERR_NOTE_MALFORMED'],
    ['hyphen instead of em dash', PETER_TEXT + '\n' + PETER_SIG.replace('—', '-'), 'ERR_NOTE_MALFORMED'],
    ['en dash instead of em dash', PETER_TEXT + '\n' + PETER_SIG.replace('—', '–'), 'ERR_NOTE_MALFORMED'],
    ['no space after the dash', PETER_TEXT + '\n' + PETER_SIG.replace('— ', '—'), 'ERR_NOTE_MALFORMED'],
    ['empty key name', PETER_TEXT + '\n— ' + PETER_SIG.slice(PETER_SIG.indexOf(' ', 2)), 'ERR_NOTE_MALFORMED'],
    ['key name with plus', PETER_TEXT + '\n' + PETER_SIG.replace('PeterNeumann', 'Peter+Neumann'), 'ERR_NOTE_MALFORMED'],
    ['key name with a no-break space', PETER_TEXT + '\n' + PETER_SIG.replace('PeterNeumann', 'Peter\u00a0Neumann'), 'ERR_NOTE_MALFORMED'],
    ['two spaces before the signature', PETER_TEXT + '\n' + PETER_SIG.replace('PeterNeumann ', 'PeterNeumann  '), 'ERR_NOTE_MALFORMED'],
    ['unpadded base64', PETER_NOTE.replace('AM=\n', 'AM\n'), 'ERR_NOTE_MALFORMED'],
    ['base64 with non-zero trailing bits', PETER_NOTE.replace('AM=\n', 'AN=\n'), 'ERR_NOTE_MALFORMED'],
    ['base64url alphabet', PETER_NOTE.replace('ZJkuBS9UG/Sff', 'ZJkuBS9UG_Sff'), 'ERR_NOTE_MALFORMED'],
    ['signature of only a key ID', PETER_TEXT + '\n— PeterNeumann x08gow==\n', 'ERR_NOTE_MALFORMED'],
    ['a lone surrogate', 'a\ud800\n\n' + PETER_SIG, 'ERR_NOTE_MALFORMED'],
    ['101 signatures', 'text\n\n' + sigs(MAX_NOTE_SIGNATURES + 1), 'ERR_NOTE_TOO_MANY_SIGNATURES'],
    ['a note of 300 KiB', 'x'.repeat(300 * 1024) + '\n\n' + PETER_SIG, 'ERR_NOTE_TOO_LARGE'],
  ])('%s', (_, text, code) => {
    expect(codeOf(() => parseNote(text))).toBe(code)
    // As bytes too, where UTF-8 can carry the text (a lone surrogate cannot be encoded).
    if (new TextDecoder().decode(enc(text)) === text) expect(codeOf(() => parseNote(enc(text)))).toBe(code)
  })

  it.each([
    ['invalid UTF-8', Uint8Array.of(0x61, 0xff, 0x0a, 0x0a, ...enc(PETER_SIG))],
    ['overlong UTF-8 newline', Uint8Array.of(0x61, 0xc0, 0x8a, 0x0a, 0x0a, ...enc(PETER_SIG))],
  ])('%s → ERR_NOTE_MALFORMED', (_, bytes) => {
    expect(codeOf(() => parseNote(bytes))).toBe('ERR_NOTE_MALFORMED')
  })

  it('accepts exactly 100 signatures', () => {
    expect(parseNote('text\n\n' + sigs(MAX_NOTE_SIGNATURES)).signatures).toHaveLength(100)
  })

  it('splits at the last blank line; the text may hold blank lines', () => {
    const n = parseNote('a\n\nb\n\n' + PETER_SIG)
    expect(n.text).toBe('a\n\nb\n')
    expect(n.signatures).toEqual([expect.objectContaining({ name: 'PeterNeumann', keyId: 0xc74f20a3 })])
  })

  it('round-trips through formatNote', () => {
    const n = parseNote(PETER_NOTE)
    expect(formatNote(n.text, n.signatures)).toBe(PETER_NOTE)
  })

  it('formatNote refuses text that would not parse back', () => {
    expect(codeOf(() => formatNote('no newline', parseNote(PETER_NOTE).signatures))).toBe('ERR_NOTE_MALFORMED')
    expect(codeOf(() => formatNote('cr\r\n', parseNote(PETER_NOTE).signatures))).toBe('ERR_NOTE_MALFORMED')
    expect(codeOf(() => formatNote('x\n', []))).toBe('ERR_NOTE_MALFORMED')
  })
})

describe('verifying signatures (c2sp.org/signed-note §Signatures)', () => {
  const other = generateNoteKeys('other.example', SIG_TYPE_ED25519, seededRandom(3))
  const otherSigner = ed25519NoteSigner(parseSignerKey(other.signerKey))
  const otherVerifier = ed25519NoteVerifier(parseVerifierKey(other.verifierKey))
  const twoSigned = signNote(PETER_TEXT, [otherSigner], parseNote(PETER_NOTE).signatures)

  it('ignores signatures by unknown keys but needs one known', () => {
    expect(openNote(twoSigned, [peter]).ok).toBe(true)
    expect(openNote(twoSigned, [otherVerifier]).ok).toBe(true)
    expect(openNote(PETER_NOTE, [otherVerifier])).toMatchObject({ ok: false, code: 'ERR_NOTE_UNVERIFIED' })
    expect(openNote(PETER_NOTE, [])).toMatchObject({ ok: false, code: 'ERR_NOTE_UNVERIFIED' })
  })

  it('ignores a signature sharing only the name, or only the key ID, with a known key', () => {
    const idOnly = PETER_NOTE.replace('PeterNeumann x08', 'PaulNeumann x08')
    expect(openNote(idOnly, [peter])).toMatchObject({ ok: false, code: 'ERR_NOTE_UNVERIFIED' })
    const nameOnly = PETER_NOTE.replace('x08go/ZJkuBS9', 'AAAAAAZJkuBS9')
    expect(parseNote(nameOnly).signatures[0]!.keyId).not.toBe(0xc74f20a3)
    expect(openNote(nameOnly, [peter])).toMatchObject({ ok: false, code: 'ERR_NOTE_UNVERIFIED' })
  })

  it('rejects the note when a known key’s signature fails', () => {
    const bad = PETER_NOTE.replace('BwJnAM=', 'BwJnAA=')
    expect(openNote(bad, [peter])).toMatchObject({ ok: false, code: 'ERR_NOTE_SIGNATURE_INVALID' })
    expect(openNote(PETER_NOTE.replace('problem,', 'problem;'), [peter])).toMatchObject({ ok: false, code: 'ERR_NOTE_SIGNATURE_INVALID' })
  })

  it('rejects a signature of the wrong length and a malleated S + L', () => {
    const n = parseNote(PETER_NOTE)
    const sig = n.signatures[0]!
    const short = { ...n, signatures: [{ ...sig, signature: sig.signature.slice(0, 63) }] }
    expect(verifyNoteSignatures(short, [peter])).toMatchObject({ ok: false, code: 'ERR_NOTE_SIGNATURE_INVALID' })
    // S' = S + L (little-endian add) verifies under lax verifiers; strict RFC 8032 refuses it.
    const L = [0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, ...Array(15).fill(0), 0x10]
    const m = Uint8Array.from(sig.signature)
    let carry = 0
    for (let i = 0; i < 32; i++) {
      const v = m[32 + i]! + L[i]! + carry
      m[32 + i] = v & 0xff
      carry = v >> 8
    }
    expect(carry).toBe(0)
    expect(verifyNoteSignatures({ ...n, signatures: [{ ...sig, signature: m }] }, [peter])).toMatchObject({ ok: false, code: 'ERR_NOTE_SIGNATURE_INVALID' })
  })

  it('counts a key once however often it signed, and checks every copy', () => {
    const n = parseNote(PETER_NOTE)
    const twice = { ...n, signatures: [n.signatures[0]!, n.signatures[0]!] }
    const r = verifyNoteSignatures(twice, [peter])
    expect(r.ok && r.value.length).toBe(1)
    const badCopy = { ...n, signatures: [n.signatures[0]!, { ...n.signatures[0]!, signature: new Uint8Array(64) }] }
    expect(verifyNoteSignatures(badCopy, [peter])).toMatchObject({ ok: false, code: 'ERR_NOTE_SIGNATURE_INVALID' })
  })

  it('signNote replaces an existing signature by the same key and keeps the others', () => {
    const again = signNote(PETER_TEXT, [ed25519NoteSigner(parseSignerKey(PETER_SKEY))], parseNote(twoSigned).signatures)
    expect(parseNote(again).signatures.map((s) => s.name)).toEqual(['other.example', 'PeterNeumann'])
  })
})

describe('keys', () => {
  it('generates key pairs from the randomness passed in', () => {
    const a = generateNoteKeys('log.example/a', SIG_TYPE_ED25519, seededRandom(5))
    const b = generateNoteKeys('log.example/a', SIG_TYPE_ED25519, seededRandom(5))
    expect(a).toEqual(b)
    expect(a.signerKey).toMatch(/^PRIVATE\+KEY\+log\.example\/a\+[0-9a-f]{8}\+A[Q-Za-f]/)
    const w = generateNoteKeys('w.example', SIG_TYPE_COSIGNATURE_V1, seededRandom(5))
    expect(parseVerifierKey(w.verifierKey)).toMatchObject({ type: SIG_TYPE_COSIGNATURE_V1 })
    expect(w.verifierKey).toMatch(/^w\.example\+[0-9a-f]{8}\+B[A-P]/)
  })

  const [name, hash, key] = PETER_VKEY.split('+') as [string, string, string]
  const keyBytes = Buffer.from(key, 'base64')
  const b64 = (b: Uint8Array | number[]): string => Buffer.from(b).toString('base64')
  it.each([
    ['wrong key ID', `${name}+c74f20a4+${key}`],
    ['upper-case key ID', `${name}+C74F20A3+${key}`],
    ['short key ID', `${name}+c74f20a+${key}`],
    ['no key data', `${name}+${hash}+`],
    ['only a name', name],
    ['empty name', `+${hash}+${key}`],
    ['name with a space', `Peter Neumann+${hash}+${key}`],
    ['unknown type 0x02', `${name}+${hash}+${b64([2, ...keyBytes.subarray(1)])}`],
    ['31-byte key', `${name}+${hash}+${b64(keyBytes.subarray(0, 32))}`],
    ['non-canonical base64', `${name}+${hash}+${key}=`],
    ['small-order key (identity)', (() => {
      const pk = new Uint8Array(32)
      pk[0] = 1
      return formatVerifierKey({ name: 'weak', type: SIG_TYPE_ED25519, publicKey: pk })
    })()],
    ['signer key as verifier key', PETER_SKEY],
  ])('verifier key: %s → ERR_NOTE_KEY_INVALID', (_, vkey) => {
    expect(codeOf(() => parseVerifierKey(vkey))).toBe('ERR_NOTE_KEY_INVALID')
  })

  it.each([
    ['missing PRIVATE+KEY', PETER_SKEY.slice('PRIVATE+KEY+'.length)],
    ['wrong key ID', PETER_SKEY.replace('c74f20a3', 'c74f20a4')],
    ['lower-case prefix', PETER_SKEY.replace('PRIVATE+KEY', 'private+key')],
    ['verifier key as signer key', PETER_VKEY],
  ])('signer key: %s → ERR_NOTE_KEY_INVALID', (_, skey) => {
    expect(codeOf(() => parseSignerKey(skey))).toBe('ERR_NOTE_KEY_INVALID')
  })
})
