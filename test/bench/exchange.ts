/**
 * P3: the counter answer's size. A real resident ID from the running issuer (over HTTP, with
 * real key proofs), presented with 4 claims (name, city, district, age_over_18) and a KB-JWT
 * as the wallet does it; then sealed as the wallet seals it — binary pack with the preset
 * dictionary, JWE ECDH-ES + A128GCM to a fresh ephemeral key, the binary envelope — and put in
 * one QR frame. The figure: the frame's bytes ÷ the compact SD-JWT+KB's length (goal ≤ 0.7), and
 * the QR version that frame needs at ECC M in byte mode (goal ≤ 25). No staple.
 */
import 'fake-indexeddb/auto'
import { encode } from 'uqr'
import { generateEcdhKeyPair, signerFromCryptoKeyPair } from '../../src/core/crypto/keys.ts'
import { sealAnswer } from '../../src/core/exchange/answer.ts'
import { splitFrames } from '../../src/core/exchange/frames.ts'
import { packAnswer } from '../../src/core/exchange/pack.ts'
import { sdJwtIssuerKeyResolver } from '../../src/core/registry/resolvers.ts'
import { presentSdJwt } from '../../src/core/sdjwt/present.ts'
import { readOffer, receive } from '../../src/wallet/vci.ts'
import { consoleOffer, makeIssuerWorld, syncRegistry } from '../issuer/_world.ts'
import type { Figure } from './measure.ts'

/** Byte capacity of QR version 25 at ECC M (test/core/exchange/frames.test.ts measures it with uqr). */
const V25_M_BYTES = 997

function qrVersion(bytes: Uint8Array): number {
  return encode(Array.from(bytes), { ecc: 'M', border: 4, boostEcc: false }).version
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
    const note = `compact SD-JWT+KB ${presentation.length} B (${presentation.split('~').length - 2} disclosures) → packed ${packed.length} B → sealed ${sealed.length} B → ${frames.length} frame(s) ${frameBytes} B, QR v${versions.join('+')}-M`
    return [
      { id: 'P3', what: '4-claim answer bytes in its QR frame ÷ compact SD-JWT+KB, no staple', value: frameBytes / presentation.length, op: '<=', goal: 0.7, note },
      { id: 'P3q', what: 'QR version of that answer at ECC M (one code)', value: frames.length === 1 ? versions[0]! : 41, op: '<=', goal: 25, note: frames.length === 1 ? 'one frame' : `${frames.length} frames: not one code` },
    ]
  } finally {
    await iw.cleanup()
  }
}
