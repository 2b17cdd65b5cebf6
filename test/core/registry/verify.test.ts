// verifyEntry: every refusal rule as a table row with the exact code it must produce (design
// §7 "adversarial: a table of bad inputs, each with the code it must produce"). Each row is
// checked twice: verifyEntry returns the failure (never throws), and foldEntries refuses the
// same bytes at the state's next index and leaves the registry as it was.
import { describe, expect, it } from 'vitest'
import { encodeBase64url } from '../../../src/core/bytes/base64url.ts'
import { decodeUtf8, encodeUtf8 } from '../../../src/core/bytes/utf8.ts'
import { didJwkFromJwk, didKeyFromJwk, resolveDidKey } from '../../../src/core/crypto/did.ts'
import { isErrorCode, type ErrorCode } from '../../../src/core/errors.ts'
import {
  createIssuerAccreditationEntry, createKeyChangeEntry, createStatusAnchorEntry, createSuspensionEntry,
  createVerifierRegistrationEntry, type EntrySigner,
} from '../../../src/core/registry/create.ts'
import { MAX_ENTRY_BYTES } from '../../../src/core/registry/entry.ts'
import { foldEntries } from '../../../src/core/registry/fold.ts'
import type { RegistryState } from '../../../src/core/registry/state.ts'
import { verifyEntry } from '../../../src/core/registry/verify.ts'
import { seededRandom, testKey } from '../../support/keys.ts'
import { parts, signRaw, tamperSignature } from '../vc/helpers.ts'
import { purpose } from '../../support/purposes.ts'
import {
  DAY, HALL, NOW, PSB, PSB_LIST, PSB_STATUS_BASE, RESIDENT_ID, SSB, YEAR, after, buildDemo, names, party,
} from './_demo.ts'

const demo = await buildDemo()
const { root, rootKey, rootDid, psb, ssb, hall } = demo
const S0 = demo.state
const rootKid = resolveDidKey(rootDid).kid
const PSB_ACC = 'urn:civic:accreditation:psb:2026'

const b64 = (v: unknown) => encodeBase64url(encodeUtf8(typeof v === 'string' ? v : JSON.stringify(v)))
const bytes = (text: string) => encodeUtf8(text)
const raw = async (header: unknown, payload: unknown, signer = psb.key.signer) => bytes(await signRaw(header, payload, signer))

const anchorHeader = { alg: 'ES256', typ: 'civic-status-anchor+jwt', kid: `${PSB}#key-2026` }
const anchorPayload = (over: Record<string, unknown> = {}) => ({ iss: PSB, uri: PSB_LIST, version: 2, digest: 'n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg', iat: NOW, ttl: 3600, ...over })
const anchor = (over: { version?: number; iat?: number; uri?: string; by?: EntrySigner; token?: string } = {}) =>
  createStatusAnchorEntry({ issuer: over.by ?? psb.as, uri: over.uri ?? PSB_LIST, version: over.version ?? 2, statusListToken: over.token ?? 'token-v2', iat: over.iat ?? NOW, ttl: 3600 })

/** The PSB accreditation (demo entry 0) with its payload edited, re-signed by `signer` (the root by default). */
async function editedAccreditation(edit: (p: Record<string, any>) => void, signer = rootKey.signer, header?: Record<string, unknown>): Promise<Uint8Array> {
  const { header: h, payload } = parts(decodeUtf8(demo.entries[0]!))
  edit(payload)
  return raw(header ?? h, payload, signer)
}
async function editedRegistration(edit: (p: Record<string, any>) => void): Promise<Uint8Array> {
  const { header, payload } = parts(decodeUtf8(demo.entries[3]!))
  edit(payload)
  return raw(header, payload, rootKey.signer)
}

const accredit = (over: Partial<Parameters<typeof createIssuerAccreditationEntry>[0]> = {}) =>
  createIssuerAccreditationEntry({
    root, subject: PSB, id: 'urn:civic:accreditation:psb:2026b', name: names.psb, keys: [{ kid: psb.kid, jwk: psb.key.signer.publicJwk }],
    vct: [RESIDENT_ID], statusListBase: PSB_STATUS_BASE, validFrom: NOW - DAY, validUntil: NOW + YEAR, ...over,
  })

// ─── states the rows start from ─────────────────────────────────────────────────────────────
const psb2027 = testKey('EdDSA')
const psbNext: EntrySigner = { did: PSB, kid: 'key-2027', signer: psb2027.signer }
const addKey2027 = await createKeyChangeEntry({ signer: psb.as, subject: PSB, action: 'add', kid: 'key-2027', jwk: psb2027.signer.publicJwk, iat: NOW - 2 * 3600 })
/** PSB added key-2027 (signed with key-2026). */
const S_added = await after(S0, addKey2027)
/** …then revoked key-2026 (signed with key-2027). */
const S_rotated = await after(S_added, await createKeyChangeEntry({ signer: psbNext, subject: PSB, action: 'revoke', kid: 'key-2026', iat: NOW - 3600 }))
const suspendPsb = await createSuspensionEntry({ root, subject: PSB, revokes: PSB_ACC, iat: NOW - 3600 })
const S_suspended = await after(S0, suspendPsb)
const S_hallSuspended = await after(S0, await createSuspensionEntry({ root, subject: HALL, revokes: 'urn:civic:registration:service-hall:2026', iat: NOW - 3600 }))
/** PSB re-accredited from NOW − 1 day (id …2026b). */
const S_renewed = await after(S0, await accredit())
/** PSB anchored version 5. */
const S_v5 = await after(S0, await anchor({ version: 5 }))
/** A pilot issuer whose accreditation ended yesterday (folding it is fine: it is history). */
const pilot = party('did:web:pilot.gov.example', 'k1')
const S_pilot = await after(S0, await createIssuerAccreditationEntry({
  root, subject: pilot.did, id: 'urn:civic:accreditation:pilot', name: names.psb, keys: [{ kid: 'k1', jwk: pilot.key.signer.publicJwk }],
  vct: [RESIDENT_ID], statusListBase: 'https://pilot.gov.example/status/', validFrom: NOW - 10 * DAY, validUntil: NOW - DAY,
}))
/** An issuer with no statusListBase (it anchors nothing). */
const quiet = party('did:web:archive.gov.example', 'k1')
const S_quiet = await after(S0, await createIssuerAccreditationEntry({
  root, subject: quiet.did, id: 'urn:civic:accreditation:archive', name: names.psb, keys: [{ kid: 'k1', jwk: quiet.key.signer.publicJwk }],
  vct: ['urn:civic:archive-record'], validFrom: NOW - DAY, validUntil: NOW + YEAR,
}))
/** A second issuer whose (mis-configured) base overlaps PSB's, after PSB anchored PSB_LIST. */
const overlap = party('did:web:overlap.gov.example', 'k1')
const S_overlap = await after(S0, await createIssuerAccreditationEntry({
  root, subject: overlap.did, id: 'urn:civic:accreditation:overlap', name: names.psb, keys: [{ kid: 'k1', jwk: overlap.key.signer.publicJwk }],
  vct: [RESIDENT_ID], statusListBase: PSB_STATUS_BASE, validFrom: NOW - DAY, validUntil: NOW + YEAR,
}))
/** PSB holding 16 keys (the cap). */
const many = Array.from({ length: 15 }, (_, i) => ({ kid: `bulk-${i}`, jwk: testKey('EdDSA').signer.publicJwk }))
const S_full = await after(S0, await accredit({ keys: [{ kid: psb.kid, jwk: psb.key.signer.publicJwk }, ...many] }))

const attacker = testKey('ES256')
const otherRoot = testKey('EdDSA')
const otherRootDid = didKeyFromJwk(otherRoot.signer.publicJwk)

/** An anchor padded with an extra member to exactly `total` bytes. */
async function paddedAnchor(total: number): Promise<Uint8Array> {
  for (let m = 0; m < 4; m++) {
    const header = { ...anchorHeader, ...(m ? { x: 'y'.repeat(m) } : {}) }
    const fixed = b64(header).length + 2 + 86 // two dots and an ES256 signature
    const guess = Math.floor(((total - fixed) * 3) / 4) - JSON.stringify(anchorPayload({ pad: '' })).length
    for (let n = guess - 8; n < guess + 8; n++) {
      const payload = anchorPayload({ pad: 'p'.repeat(Math.max(0, n)) })
      if (fixed + b64(payload).length === total) return raw(header, payload)
    }
  }
  throw new Error(`cannot pad to ${total}`)
}

type Row = [string, () => Promise<{ state?: RegistryState; entry: Uint8Array }>, ErrorCode]
const on = (state: RegistryState, entry: Uint8Array | Promise<Uint8Array>) => async () => ({ state, entry: await entry })
const at0 = (entry: Uint8Array | Promise<Uint8Array>) => on(S0, entry)

const rows: Row[] = [
  // unsigned and badly signed
  ['unsigned: bare JSON, no JWS', at0(bytes(JSON.stringify(anchorPayload()))), 'ERR_JWS_MALFORMED'],
  ['unsigned: empty signature part', at0(bytes(`${b64(anchorHeader)}.${b64(anchorPayload())}.`)), 'ERR_JWS_MALFORMED'],
  ['unsigned: alg none', at0(bytes(`${b64({ ...anchorHeader, alg: 'none' })}.${b64(anchorPayload())}.AAAA`)), 'ERR_JWS_ALG_NOT_ALLOWED'],
  ['unsigned: HS256', at0(bytes(`${b64({ ...anchorHeader, alg: 'HS256' })}.${b64(anchorPayload())}.${'A'.repeat(43)}`)), 'ERR_JWS_ALG_NOT_ALLOWED'],
  ['anchor with one signature bit flipped', at0(anchor().then((b) => bytes(tamperSignature(decodeUtf8(b))))), 'ERR_JWS_SIGNATURE_INVALID'],
  ['anchor signed by another key under the PSB kid', at0(raw(anchorHeader, anchorPayload(), attacker.signer)), 'ERR_JWS_SIGNATURE_INVALID'],
  ['anchor with a 3-byte signature', at0(bytes(`${b64(anchorHeader)}.${b64(anchorPayload())}.AAAA`)), 'ERR_JWS_SIGNATURE_MALFORMED'],
  ['accreditation with one signature bit flipped', at0(accredit().then((b) => bytes(tamperSignature(decodeUtf8(b))))), 'ERR_VC_SIGNATURE_INVALID'],

  // authority
  ['accreditation signed by a non-root did:key', at0(accredit({ root: { did: otherRootDid, signer: otherRoot.signer } })), 'ERR_REG_NOT_AUTHORIZED'],
  ['accreditation signed by an accredited issuer (PSB)', at0(editedAccreditation((p) => { p.iss = PSB; p.sub = 'did:web:friend.example'; p.jti = 'urn:x' }, psb.key.signer, { alg: 'ES256', typ: 'JWT', kid: `${PSB}#key-2026` })), 'ERR_REG_NOT_AUTHORIZED'],
  ['accreditation by the root DID under another kid', at0(editedAccreditation((p) => { p.jti = 'urn:x'; p.nbf = NOW - DAY }, rootKey.signer, { alg: 'EdDSA', typ: 'JWT', kid: `${rootDid}#other` })), 'ERR_JWS_KEY_UNKNOWN'],
  ['registration signed by a non-root', at0(createVerifierRegistrationEntry({
    root: { did: otherRootDid, signer: otherRoot.signer }, subject: 'did:web:shop.example', id: 'urn:x', name: names.pharmacy, keys: [{ kid: 'k', jwk: attacker.signer.publicJwk }],
    purposes: [purpose({ id: 'all', name: names.pharmacy, vct: RESIDENT_ID, claims: ['family_name', 'birthdate'] }, { retention: { days: 3650, promise: names.pharmacy } })], validFrom: NOW - DAY, validUntil: NOW + YEAR,
  })), 'ERR_REG_NOT_AUTHORIZED'],
  ['suspension signed by a non-root', at0(createSuspensionEntry({ root: { did: otherRootDid, signer: otherRoot.signer }, subject: PSB, revokes: PSB_ACC, iat: NOW })), 'ERR_REG_NOT_AUTHORIZED'],
  ['suspension of SSB signed by PSB', at0(raw({ alg: 'ES256', typ: 'civic-suspension+jwt', kid: `${PSB}#key-2026` }, { iss: PSB, sub: SSB, revokes: 'urn:civic:accreditation:hrss:2026', iat: NOW })), 'ERR_REG_NOT_AUTHORIZED'],
  ['anchor by an unknown issuer', at0(anchor({ by: party('did:web:fake-bureau.example', 'k1').as, uri: 'https://fake-bureau.example/status/1' })), 'ERR_REG_UNKNOWN_ISSUER'],
  ['anchor by a registered verifier', at0(anchor({ by: hall.as, uri: 'https://service-hall.city.example/status/1' })), 'ERR_REG_NOT_AUTHORIZED'],
  ['anchor outside the issuer’s status list base', at0(anchor({ uri: 'https://hrss.gov.example/status/1' })), 'ERR_REG_NOT_AUTHORIZED'],
  ['anchor under a look-alike prefix of the base', at0(anchor({ uri: 'https://psb.gov.example/status-evil/1' })), 'ERR_REG_NOT_AUTHORIZED'],
  ['anchor by an issuer without a status list base', on(S_quiet, anchor({ by: quiet.as, uri: 'https://archive.gov.example/status/1' })), 'ERR_REG_NOT_AUTHORIZED'],
  ['anchor for a list another issuer anchored', on(S_overlap, anchor({ by: overlap.as, version: 9 })), 'ERR_REG_NOT_AUTHORIZED'],
  ['anchor signed with a revoked key', on(S_rotated, anchor()), 'ERR_REG_KEY_REVOKED'],
  ['anchor signed with a kid the issuer never held', at0(anchor({ by: { ...psb.as, kid: 'key-1999' } })), 'ERR_JWS_KEY_UNKNOWN'],
  ['anchor whose kid names another DID’s key', at0(raw({ ...anchorHeader, kid: `${SSB}#sig-1` }, anchorPayload(), ssb.key.signer)), 'ERR_REG_SCHEMA'],
  ['anchor by a suspended issuer', on(S_suspended, anchor()), 'ERR_REG_ISSUER_SUSPENDED'],
  ['anchor dated after the issuer’s accreditation ended', on(S_pilot, anchor({ by: pilot.as, uri: 'https://pilot.gov.example/status/1' })), 'ERR_REG_EXPIRED'],
  ['key change for PSB signed by SSB', at0(raw({ alg: 'EdDSA', typ: 'civic-key-change+jwt', kid: `${SSB}#sig-1` }, { iss: SSB, sub: PSB, action: 'revoke', kid: 'key-2026', iat: NOW }, ssb.key.signer)), 'ERR_REG_NOT_AUTHORIZED'],
  ['an issuer revoking its own last key', at0(createKeyChangeEntry({ signer: psb.as, subject: PSB, action: 'revoke', kid: 'key-2026', iat: NOW })), 'ERR_REG_NOT_AUTHORIZED'],
  ['key change by a suspended issuer', on(S_suspended, createKeyChangeEntry({ signer: psb.as, subject: PSB, action: 'add', kid: 'key-x', jwk: attacker.signer.publicJwk, iat: NOW })), 'ERR_REG_ISSUER_SUSPENDED'],
  ['key change by a suspended verifier', on(S_hallSuspended, createKeyChangeEntry({ signer: hall.as, subject: HALL, action: 'add', kid: 'counter-2', jwk: attacker.signer.publicJwk, iat: NOW })), 'ERR_REG_VERIFIER_SUSPENDED'],
  ['key change by an issuer dated after its accreditation ended', on(S_pilot, createKeyChangeEntry({ signer: pilot.as, subject: pilot.did, action: 'add', kid: 'k2', jwk: attacker.signer.publicJwk, iat: NOW })), 'ERR_REG_EXPIRED'],
  ['key change for an unknown DID', at0(createKeyChangeEntry({ signer: root, subject: 'did:web:nobody.example', action: 'add', kid: 'k', jwk: attacker.signer.publicJwk, iat: NOW })), 'ERR_REG_UNKNOWN_ENTITY'],
  ['suspension of an unknown DID', at0(createSuspensionEntry({ root, subject: 'did:web:nobody.example', revokes: 'urn:x', iat: NOW })), 'ERR_REG_UNKNOWN_ENTITY'],

  // replay and monotonic versions
  ['the same anchor again', at0(demo.entries[4]!), 'ERR_REG_REPLAY'],
  ['another anchor with an anchored version', at0(anchor({ version: 1, token: 'another-token' })), 'ERR_REG_REPLAY'],
  ['a lower anchor version', on(S_v5, anchor({ version: 3 })), 'ERR_REG_VERSION_NOT_INCREASING'],
  ['the same accreditation again', at0(demo.entries[0]!), 'ERR_REG_REPLAY'],
  ['the same registration again', at0(demo.entries[3]!), 'ERR_REG_REPLAY'],
  ['an older accreditation after a newer one', on(S_renewed, accredit({ id: 'urn:civic:accreditation:psb:2026-old', validFrom: NOW - 20 * DAY })), 'ERR_REG_STALE'],
  ['a re-accreditation dated before the suspension', on(S_suspended, accredit({ validFrom: NOW - 2 * 3600 })), 'ERR_REG_STALE'],
  ['the same suspension again', on(S_suspended, suspendPsb), 'ERR_REG_REPLAY'],
  ['a suspension naming a superseded accreditation', on(S_renewed, createSuspensionEntry({ root, subject: PSB, revokes: PSB_ACC, iat: NOW })), 'ERR_REG_STALE'],
  ['an accreditation for a registered verifier', at0(accredit({ subject: HALL, keys: [{ kid: hall.kid, jwk: hall.key.signer.publicJwk }] })), 'ERR_REG_ROLE_CONFLICT'],
  ['a registration for an accredited issuer', at0(createVerifierRegistrationEntry({
    root, subject: PSB, id: 'urn:x', name: names.psb, keys: [{ kid: psb.kid, jwk: psb.key.signer.publicJwk }],
    purposes: [purpose({ id: 'p', name: names.psb, vct: RESIDENT_ID, claims: ['age_over_18'] })], validFrom: NOW - DAY, validUntil: NOW + YEAR,
  })), 'ERR_REG_ROLE_CONFLICT'],
  ['the same key addition again', on(S_added, addKey2027), 'ERR_REG_REPLAY'],
  ['adding a revoked kid back', on(S_rotated, createKeyChangeEntry({ signer: root, subject: PSB, action: 'add', kid: 'key-2026', jwk: psb.key.signer.publicJwk, iat: NOW })), 'ERR_REG_KEY_REVOKED'],
  ['adding a revoked key under a new kid', on(S_rotated, createKeyChangeEntry({ signer: psbNext, subject: PSB, action: 'add', kid: 'key-2026b', jwk: psb.key.signer.publicJwk, iat: NOW })), 'ERR_REG_KEY_REVOKED'],
  ['binding a held kid to another key', on(S_added, createKeyChangeEntry({ signer: root, subject: PSB, action: 'add', kid: 'key-2027', jwk: attacker.signer.publicJwk, iat: NOW })), 'ERR_REG_KID_REUSED'],
  ['adding a held key under a second kid', on(S_added, createKeyChangeEntry({ signer: root, subject: PSB, action: 'add', kid: 'key-alias', jwk: psb2027.signer.publicJwk, iat: NOW })), 'ERR_REG_KID_REUSED'],
  ['revoking a kid the issuer does not hold', on(S_added, createKeyChangeEntry({ signer: root, subject: PSB, action: 'revoke', kid: 'key-1999', iat: NOW })), 'ERR_REG_KEY_UNKNOWN'],
  ['revoking a revoked kid again', on(S_rotated, createKeyChangeEntry({ signer: root, subject: PSB, action: 'revoke', kid: 'key-2026', iat: NOW })), 'ERR_REG_REPLAY'],
  ['an accreditation bringing back a revoked key', on(S_rotated, accredit({ keys: [{ kid: 'key-2026', jwk: psb.key.signer.publicJwk }] })), 'ERR_REG_KEY_REVOKED'],
  ['an accreditation rebinding a kid', on(S_added, accredit({ keys: [{ kid: 'key-2027', jwk: attacker.signer.publicJwk }] })), 'ERR_REG_KID_REUSED'],
  ['a 17th key', on(S_full, createKeyChangeEntry({ signer: root, subject: PSB, action: 'add', kid: 'one-too-many', jwk: attacker.signer.publicJwk, iat: NOW })), 'ERR_REG_LIMIT'],

  // time sanity (the entry's own time, never expiry)
  ['an anchor dated an hour ahead', at0(anchor({ iat: NOW + 3600 })), 'ERR_TIME_NOT_YET_VALID'],
  ['an accreditation valid from tomorrow', at0(accredit({ validFrom: NOW + DAY })), 'ERR_TIME_NOT_YET_VALID'],

  // size and bytes
  ['65,536 bytes', at0(new Uint8Array(MAX_ENTRY_BYTES + 1).fill(0x41)), 'ERR_REG_ENTRY_TOO_LARGE'],
  ['a 10 MB body', at0(new Uint8Array(10 * 1024 * 1024).fill(0x41)), 'ERR_REG_ENTRY_TOO_LARGE'],
  ['a signed anchor of 65,536 bytes', at0(paddedAnchor(MAX_ENTRY_BYTES + 1)), 'ERR_REG_ENTRY_TOO_LARGE'],
  ['a signed anchor of exactly 65,535 bytes is parsed (and refused for its extra member)', at0(paddedAnchor(MAX_ENTRY_BYTES)), 'ERR_REG_SCHEMA'],
  ['malformed JSON payload, validly signed', at0(raw(anchorHeader, '{"iss":"did:web:psb.gov.example","uri":')), 'ERR_JSON_SYNTAX'],
  ['duplicate member in the payload, validly signed', at0(raw(anchorHeader, JSON.stringify(anchorPayload()).replace('"version":2', '"version":2,"version":3'))), 'ERR_JSON_DUPLICATE_KEY'],
  ['duplicate member in the header, validly signed', at0(raw(JSON.stringify(anchorHeader).replace('"alg":"ES256"', '"alg":"ES256","alg":"ES256"'), anchorPayload())), 'ERR_JSON_DUPLICATE_KEY'],
  ['bytes that are not UTF-8', at0(Uint8Array.of(0x65, 0x79, 0xc3, 0x28)), 'ERR_UTF8_INVALID'],
  ['an unknown typ', at0(raw({ ...anchorHeader, typ: 'civic-status-anchor+JWT' }, anchorPayload())), 'ERR_REG_UNKNOWN_TYPE'],

  // strict schema: nothing about a citizen, nothing the schema does not name
  ['accreditation carrying a citizen record', at0(editedAccreditation((p) => { p.jti = 'urn:x'; p.vc.credentialSubject.holder = { name: '李伟', idNumber: '110101199003071234' } })), 'ERR_REG_SCHEMA'],
  ['accreditation with a top-level credentialSubject', at0(editedAccreditation((p) => { p.jti = 'urn:x'; p.credentialSubject = { id: 'did:jwk:citizen' } })), 'ERR_REG_SCHEMA'],
  ['accreditation with credentialSubject.id', at0(editedAccreditation((p) => { p.jti = 'urn:x'; p.vc.credentialSubject.id = PSB })), 'ERR_REG_SCHEMA'],
  ['accreditation with a second @context', at0(editedAccreditation((p) => { p.jti = 'urn:x'; p.vc['@context'].push('https://example.org/citizen/v1') })), 'ERR_REG_SCHEMA'],
  ['anchor naming a citizen (sub)', at0(raw(anchorHeader, anchorPayload({ sub: didJwkFromJwk(attacker.signer.publicJwk) }))), 'ERR_REG_SCHEMA'],
  ['anchor listing revoked credential ids', at0(raw(anchorHeader, anchorPayload({ revoked: ['urn:uuid:6a4b1c1e-0000-4000-8000-000000000001'] }))), 'ERR_REG_SCHEMA'],
  ['registration purpose with a list of subjects', at0(editedRegistration((p) => { p.jti = 'urn:x'; p.vc.credentialSubject.purposes[0].subjects = ['did:jwk:abc'] })), 'ERR_REG_SCHEMA'],
  ['registration asking for _sd', at0(editedRegistration((p) => { p.jti = 'urn:x'; p.vc.credentialSubject.purposes[0].claims = ['_sd'] })), 'ERR_REG_SCHEMA'],
  ['registration purpose without its why', at0(editedRegistration((p) => { p.jti = 'urn:x'; delete p.vc.credentialSubject.purposes[0].why })), 'ERR_REG_SCHEMA'],
  ['registration purpose without a retention promise', at0(editedRegistration((p) => { p.jti = 'urn:x'; delete p.vc.credentialSubject.purposes[0].retention })), 'ERR_REG_SCHEMA'],
  ['registration purpose keeping data for −1 days', at0(editedRegistration((p) => { p.jti = 'urn:x'; p.vc.credentialSubject.purposes[0].retention.days = -1 })), 'ERR_REG_SCHEMA'],
  ['registration with a verifier-wide retention beside the purposes', at0(editedRegistration((p) => { p.jti = 'urn:x'; p.vc.credentialSubject.retention = { days: 0, promise: names.psb } })), 'ERR_REG_SCHEMA'],
  ['registration purpose without a contact', at0(editedRegistration((p) => { p.jti = 'urn:x'; delete p.vc.credentialSubject.purposes[0].contact })), 'ERR_REG_SCHEMA'],
  ...['javascript:alert(1)', 'data:text/html,<b>x</b>', 'http://verifier.example/privacy', 'mailto:a@b.example?body=x', 'mailto:', 'tel:12345', 'https://', '<a href=x>'].map((contact) =>
    [`registration purpose with the contact ${contact}`, at0(editedRegistration((p) => { p.jti = 'urn:x'; p.vc.credentialSubject.purposes[0].contact = contact })), 'ERR_REG_SCHEMA'] as Row),
  ['key change with a free-text note', at0(raw({ alg: 'ES256', typ: 'civic-key-change+jwt', kid: `${PSB}#key-2026` }, { iss: PSB, sub: PSB, action: 'add', kid: 'k9', jwk: attacker.signer.publicJwk, iat: NOW, note: '张三的手机丢了' })), 'ERR_REG_SCHEMA'],
  ['key revocation carrying a key', at0(raw({ alg: 'EdDSA', typ: 'civic-key-change+jwt', kid: rootKid }, { iss: rootDid, sub: PSB, action: 'revoke', kid: 'key-2026', jwk: psb.key.signer.publicJwk, iat: NOW }, rootKey.signer)), 'ERR_REG_SCHEMA'],
  ['suspension with a reason text', at0(raw({ alg: 'EdDSA', typ: 'civic-suspension+jwt', kid: rootKid }, { iss: rootDid, sub: PSB, revokes: PSB_ACC, iat: NOW, reason: 'complaint by 王芳' }, rootKey.signer)), 'ERR_REG_SCHEMA'],
  ['a header carrying a jwk', at0(raw({ ...anchorHeader, jwk: attacker.signer.publicJwk }, anchorPayload())), 'ERR_REG_SCHEMA'],
  ['a name with a bidi override', at0(editedAccreditation((p) => { p.jti = 'urn:x'; p.vc.credentialSubject.name.en = 'Bureau \u202eevil' })), 'ERR_REG_SCHEMA'],
  ['a key with an alg member', at0(editedAccreditation((p) => { p.jti = 'urn:x'; p.vc.credentialSubject.keys[0].jwk.alg = 'ES256' })), 'ERR_REG_SCHEMA'],
  ['a private key in the key list', at0(editedAccreditation((p) => { p.jti = 'urn:x'; p.vc.credentialSubject.keys[0].jwk = psb.key.jwk })), 'ERR_JWK_INVALID'],
  ['a version that is not an integer', at0(raw(anchorHeader, anchorPayload({ version: 2.5 }))), 'ERR_REG_SCHEMA'],
  ['a digest of 31 bytes', at0(raw(anchorHeader, anchorPayload({ digest: encodeBase64url(new Uint8Array(31)) }))), 'ERR_REG_SCHEMA'],
  ['a status list URI escaping the base with dot segments', at0(raw(anchorHeader, anchorPayload({ uri: `${PSB_STATUS_BASE}../../other/1` }))), 'ERR_REG_SCHEMA'],
  ['a status list URI with an encoded dot segment', at0(raw(anchorHeader, anchorPayload({ uri: `${PSB_STATUS_BASE}%2E%2E/other/1` }))), 'ERR_REG_SCHEMA'],
  ['an http (not https) status list URI', at0(raw(anchorHeader, anchorPayload({ uri: 'http://psb.gov.example/status/resident-id/7' }))), 'ERR_REG_SCHEMA'],
  ['an issuer DID that is not did:web', at0(editedAccreditation((p) => { p.jti = 'urn:x'; p.sub = didJwkFromJwk(attacker.signer.publicJwk) })), 'ERR_REG_SCHEMA'],
]

describe('verifyEntry refuses, with the exact code', () => {
  it.each(rows.map(([name, make, code]) => [name, code, make] as const))('%s → %s', async (_name, code, make) => {
    const { state = S0, entry } = await make()
    const v = await verifyEntry(state, entry, { now: NOW })
    expect(v.ok ? 'accepted' : v.code, v.ok ? '' : v.detail).toBe(code)
    const f = await foldEntries(state, [entry], NOW)
    expect(f).toMatchObject({ ok: false, code, index: state.size })
    if (!f.ok) expect(f.state).toBe(state)
  })

  it('has a row for every registry code a ledger entry can earn', () => {
    const codes = new Set(rows.map((r) => r[2]))
    for (const c of [
      'ERR_REG_ENTRY_TOO_LARGE', 'ERR_REG_UNKNOWN_TYPE', 'ERR_REG_SCHEMA', 'ERR_REG_NOT_AUTHORIZED', 'ERR_REG_UNKNOWN_ISSUER',
      'ERR_REG_UNKNOWN_ENTITY', 'ERR_REG_ROLE_CONFLICT', 'ERR_REG_ISSUER_SUSPENDED', 'ERR_REG_VERIFIER_SUSPENDED', 'ERR_REG_EXPIRED',
      'ERR_REG_VERSION_NOT_INCREASING', 'ERR_REG_REPLAY', 'ERR_REG_STALE', 'ERR_REG_KEY_REVOKED', 'ERR_REG_KEY_UNKNOWN',
      'ERR_REG_KID_REUSED', 'ERR_REG_LIMIT',
    ] as const) expect(codes.has(c), c).toBe(true)
  })
})

describe('verifyEntry accepts what the rules allow', () => {
  it.each([
    ['the next anchor version', S0, () => anchor({ version: 2 })],
    ['a version jump', S_v5, () => anchor({ version: 500 })],
    ['an anchor dated within the skew ahead', S0, () => anchor({ iat: NOW + 200 })],
    ['a rotation signed by the new key', S_added, () => createKeyChangeEntry({ signer: psbNext, subject: PSB, action: 'revoke', kid: 'key-2026', iat: NOW })],
    ['the root revoking an entity’s last key', S0, () => createKeyChangeEntry({ signer: root, subject: PSB, action: 'revoke', kid: 'key-2026', iat: NOW })],
    ['a re-accreditation after a suspension', S_suspended, () => accredit({ validFrom: NOW - 60 })],
    ['a renewal keeping its keys', S_renewed, () => accredit({ id: 'urn:civic:accreditation:psb:2027', validFrom: NOW })],
    ['an accreditation that has since lapsed (history)', S0, () => accredit({ subject: 'did:web:old.gov.example', validFrom: NOW - 3 * YEAR, validUntil: NOW - 2 * YEAR })],
    ['an anchor under the overlapping base for another list', S_overlap, () => anchor({ by: overlap.as, uri: `${PSB_STATUS_BASE}other/1` })],
  ] as const)('%s', async (_n, state, make) => {
    const v = await verifyEntry(state, await make(), { now: NOW })
    expect(v.ok ? 'ok' : `${v.code}: ${v.detail}`).toBe('ok')
  })
})

describe('verifyEntry never throws on attacker bytes', () => {
  it('random bytes, truncations and bit flips of every demo entry give a coded failure', async () => {
    const random = seededRandom(7)
    const inputs: Uint8Array[] = []
    for (let i = 0; i < 40; i++) inputs.push(random(1 + (random(1)[0]! * 4)))
    for (const e of demo.entries) {
      for (const cut of [1, 10, e.length >> 1, e.length - 1]) inputs.push(e.subarray(0, cut))
      for (let i = 0; i < 12; i++) {
        const copy = Uint8Array.from(e)
        const at = (random(2)[0]! << 8 | random(1)[0]!) % copy.length
        copy[at] = copy[at]! ^ (1 << (random(1)[0]! & 7))
        inputs.push(copy)
      }
    }
    for (const input of inputs) {
      const v = await verifyEntry(S0, input, { now: NOW })
      expect(v.ok).toBe(false)
      if (!v.ok) expect(isErrorCode(v.code), v.code).toBe(true)
    }
  })

  it('takes a bad clock or non-bytes as our bug (TypeError)', async () => {
    await expect(verifyEntry(S0, demo.entries[4]!, { now: Date.UTC(2026, 0, 1) })).rejects.toThrow(TypeError)
    await expect(verifyEntry(S0, 'text' as never, { now: NOW })).rejects.toThrow(TypeError)
  })
})
