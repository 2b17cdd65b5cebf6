/**
 * P3: the counter answer's size. A real resident ID from the running issuer (over HTTP, with
 * real key proofs), presented with 4 claims (name, city, district, age_over_18) and a KB-JWT
 * as the wallet does it; then sealed as the wallet seals it — binary pack with the preset
 * dictionary, JWE ECDH-ES + A128GCM to a fresh ephemeral key, the binary envelope — and put in
 * one QR frame. The figure: the frame's bytes ÷ the compact SD-JWT+KB's length (goal ≤ 0.7), and
 * the QR version that frame needs at ECC M in byte mode (goal ≤ 25). No staple.
 *
 * P3s: the same answer with stapled status — the issuer's published list of 131,072 entries,
 * its anchor and tlog-proof from the ledger, its token from the issuer — in frames that each
 * fit QR version 25 at ECC M (goal ≤ 3 frames).
 */
import 'fake-indexeddb/auto'
import { qrModules } from '../../src/core/exchange/qr.ts'
import { generateEcdhKeyPair, signerFromCryptoKeyPair } from '../../src/core/crypto/keys.ts'
import { sealAnswer } from '../../src/core/exchange/answer.ts'
import { splitFrames } from '../../src/core/exchange/frames.ts'
import { packAnswer } from '../../src/core/exchange/pack.ts'
import { sdJwtIssuerKeyResolver } from '../../src/core/registry/resolvers.ts'
import { presentSdJwt } from '../../src/core/sdjwt/present.ts'
import { readOffer, receive } from '../../src/wallet/vci.ts'
import { consoleOffer, ledgerGet, makeIssuerWorld, syncRegistry } from '../issuer/_world.ts'
import { decodeBase64url, encodeBase64url } from '../../src/core/bytes/base64url.ts'
import { encodeUtf8 } from '../../src/core/bytes/utf8.ts'
import { stapleParts } from '../../src/core/exchange/staple.ts'
import type { Figure } from './measure.ts'

/** Byte capacity of QR version 25 at ECC M (test/core/exchange/frames.test.ts measures it with uqr). */
const V25_M_BYTES = 997

function qrVersion(bytes: Uint8Array): number {
  return qrModules(bytes).version
}

export async function benchExchange(): Promise<Figure[]> {
  const iw = await makeIssuerWorld()
  try {
    const { offerUri, txCode } = await consoleOffer(iw)
    const offer = await readOffer(offerUri)
    if (!offer.ok) throw new Error(offer.detail)
    const registry = await syncRegistry(iw)
    const r = await receive(offer.value, { count: 1, txCode, issuerKey: sdJwtIssuerKeyResolver(registry, { now: iw.clock.now }), now: () => iw.clock.now })
    if (!r.ok) throw new Error(`${r.code}: ${r.detail}`)
    const copy = r.value.copies[0]!
    const signer = await signerFromCryptoKeyPair(copy.keyPair)
    const nonce = 'q7Vt0bXn2yKc9sWm4aLp1A'
    const presentation = await presentSdJwt(copy.credential, { name: true, city: true, district: true, age_over_18: true }, {
      keyBinding: { signer, nonce, aud: 'verifier_attestation:did:web:service-hall.city.example', iat: iw.clock.now },
    })
    const to = await generateEcdhKeyPair()
    const sealed = await sealAnswer({ presentation }, { responseKey: to.publicJwk, enc: 'A128GCM' })
    const frames = splitFrames(sealed, { frameBytes: V25_M_BYTES })
    const frameBytes = frames.reduce((n, f) => n + f.length, 0)
    const packed = packAnswer({ presentation })
    const versions = frames.map(qrVersion)

    // The staple: publish, then the anchor with its proof from the ledger and the token from the issuer.
    await iw.svc.publish({ force: true })
    const uri = String((copy.verified.claims.status as { status_list: { uri: string } }).status_list.uri)
    const answer = await ledgerGet(iw.ledger.url, `status/anchor/${encodeBase64url(encodeUtf8(uri))}`)
    if (answer.status !== 200) throw new Error(`no anchor of ${uri}: HTTP ${answer.status}`)
    const a = JSON.parse(new TextDecoder().decode(answer.bytes)) as { index: number; entry: string; proof: string }
    const tokenRes = await fetch(new URL(new URL(uri).pathname, iw.base))
    if (!tokenRes.ok) throw new Error(`no token for ${uri}: HTTP ${tokenRes.status}`)
    const token = new Uint8Array(await tokenRes.arrayBuffer())
    const extras = stapleParts({ index: a.index, entry: decodeBase64url(a.entry), proof: a.proof, token })
    const stapled = await sealAnswer({ presentation, extras }, { responseKey: to.publicJwk, enc: 'A128GCM' })
    const stapledFrames = splitFrames(stapled, { frameBytes: V25_M_BYTES })
    const extraBytes = extras.reduce((n, x) => n + x.length, 0)
    const note = `compact SD-JWT+KB ${presentation.length} B (${presentation.split('~').length - 2} disclosures) → packed ${packed.length} B → sealed ${sealed.length} B → ${frames.length} frame(s) ${frameBytes} B, QR v${versions.join('+')}-M`
    return [
      { id: 'P3', what: '4-claim answer bytes in its QR frame ÷ compact SD-JWT+KB, no staple', value: frameBytes / presentation.length, op: '<=', goal: 0.7, note },
      { id: 'P3q', what: 'QR version of that answer at ECC M (one code)', value: frames.length === 1 ? versions[0]! : 41, op: '<=', goal: 25, note: frames.length === 1 ? 'one frame' : `${frames.length} frames: not one code` },
      { id: 'P3s', what: 'the answer with stapled status, QR frames of version 25-M', value: stapledFrames.length, op: '<=', goal: 3, note: `staple ${extraBytes} B (token ${token.length} B, entry ${extras[2]!.length} B, proof ${extras[3]!.length} B) → sealed ${stapled.length} B → frames of ${stapledFrames.map((f) => f.length).join(', ')} B, QR v${stapledFrames.map(qrVersion).join('+')}-M` },
    ]
  } finally {
    await iw.cleanup()
  }
}
