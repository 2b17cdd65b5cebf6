/**
 * P1 and P2: the cost of verifying a 5-claim SD-JWT VC + KB presentation, against the crypto
 * floor (its two ES256 verifications with WebCrypto on pre-imported keys) and against
 * @sd-jwt/core 0.19.0 given the same WebCrypto verifier callbacks. Our side imports the
 * holder's key from cnf.jwk on every verification, as a counter meeting a new citizen must;
 * so does the peer's kbVerifier.
 */
import { webcrypto } from 'node:crypto'
import { issueSdJwtVc } from '../../src/core/sdjwt/vc.ts'
import { presentSdJwt } from '../../src/core/sdjwt/present.ts'
import { verifySdJwt } from '../../src/core/sdjwt/verify.ts'
import { systemRandom } from '../../src/core/crypto/hash.ts'
import { decodeBase64url } from '../../src/core/bytes/base64url.ts'
import { testKey } from '../support/keys.ts'
import { ecdsa, importVerifyKey, peer } from '../support/sdjwt-peer.ts'
import { measure, type Figure } from './measure.ts'

const subtle = webcrypto.subtle as unknown as SubtleCrypto
const te = new TextEncoder()

export async function benchSdJwt(): Promise<Figure[]> {
  const now = Math.floor(Date.now() / 1000)
  const issuer = testKey('ES256')
  const holder = testKey('ES256')
  const claims = { given_name: 'Li', family_name: 'Wei', birthdate: '1990-05-01', age_over_18: true, city: 'Chengdu' }
  const issued = await issueSdJwtVc({
    iss: 'https://psb.example', vct: 'urn:civic:resident', iat: now - 60, exp: now + 86400, holderJwk: holder.signer.publicJwk,
    claims, frame: { _sd: Object.keys(claims) }, signer: issuer.signer, random: systemRandom,
  })
  const presentation = await presentSdJwt(issued.sdJwt, Object.fromEntries(Object.keys(claims).map((k) => [k, true])), {
    keyBinding: { signer: holder.signer, nonce: 'n', aud: 'https://hall.example', iat: now },
  })
  const options = { issuerKey: issuer.publicKey, keyBinding: { nonce: 'n', aud: 'https://hall.example' }, now } as const
  const check = await verifySdJwt(presentation, options)
  if (!check.ok || Object.keys(check.value.claims).length !== 10) throw new Error(`bench presentation does not verify: ${JSON.stringify(check)}`)

  // Floor: the two signatures alone, keys imported beforehand.
  const [jwt] = presentation.split('~')
  const kb = presentation.slice(presentation.lastIndexOf('~') + 1)
  const split = (t: string) => ({ input: te.encode(t.slice(0, t.lastIndexOf('.'))), sig: decodeBase64url(t.slice(t.lastIndexOf('.') + 1)) })
  const a = split(jwt!)
  const b = split(kb)
  const issuerKey = await importVerifyKey(issuer.signer.publicJwk)
  const holderKey = await importVerifyKey(holder.signer.publicJwk)
  const floor = async () => {
    const [x, y] = await Promise.all([subtle.verify(ecdsa, issuerKey, a.sig, a.input), subtle.verify(ecdsa, holderKey, b.sig, b.input)])
    if (!x || !y) throw new Error('floor failed')
  }
  const ours = async () => {
    const v = await verifySdJwt(presentation, options)
    if (!v.ok) throw new Error(v.code)
  }
  const sd = peer({ issuerVerify: issuerKey })
  const theirs = async () => {
    const r = await sd.verify(presentation, { keyBindingNonce: 'n' })
    // The library leaves aud to the caller (see stack notes); check it as a caller must.
    if (r.kb?.payload.aud !== 'https://hall.example') throw new Error('aud')
  }
  const point = new Uint8Array(65)
  point[0] = 4
  point.set(decodeBase64url(holder.signer.publicJwk.kty === 'EC' ? holder.signer.publicJwk.x : ''), 1)
  point.set(decodeBase64url(holder.signer.publicJwk.kty === 'EC' ? holder.signer.publicJwk.y : ''), 33)
  const holderImport = async () => {
    await subtle.importKey('raw', point, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
  }
  const t = await measure({ floor, ours, theirs, holderImport })
  return [
    { id: 'P1', what: 'verify/floor', value: t.ours / t.floor, op: '<=', goal: 1.3, note: `ours ${t.ours.toFixed(0)} µs, two WebCrypto ES256 verifications ${t.floor.toFixed(0)} µs, importing the holder's cnf.jwk (which the floor does beforehand) ${t.holderImport.toFixed(0)} µs` },
    { id: 'P2', what: 'verify/@sd-jwt/core', value: t.ours / t.theirs, op: '<=', goal: 1.0, note: `@sd-jwt/core ${t.theirs.toFixed(0)} µs` },
  ]
}
