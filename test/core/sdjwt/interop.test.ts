// Interop both ways with @sd-jwt/core 0.19.0 (an independent implementation): its SD-JWT+KB
// verifies with ours, ours verifies with it — same claims either way.
import { describe, expect, it } from 'vitest'
import { issueSdJwtVc } from '../../../src/core/sdjwt/vc.ts'
import { presentSdJwt } from '../../../src/core/sdjwt/present.ts'
import { verifySdJwt } from '../../../src/core/sdjwt/verify.ts'
import { importSignKey, importVerifyKey, peer } from '../../support/sdjwt-peer.ts'
import { seededRandom, testKey } from '../../support/keys.ts'

const NOW = Math.floor(Date.now() / 1000)
const AUD = 'https://counter.example/hall-1'
const NONCE = 'nonce-8a1c'
const claims = { given_name: 'Li', family_name: 'Wei', birthdate: '1990-05-01', age_over_18: true, address: { city: 'Chengdu', district: 'Wuhou' } }

describe('interop with @sd-jwt/core 0.19.0', () => {
  const issuer = testKey('ES256')
  const holder = testKey('ES256')

  it('its SD-JWT VC + KB verifies with ours', async () => {
    const sd = peer({ issuerVerify: await importVerifyKey(issuer.signer.publicJwk), issuerSign: await importSignKey(issuer.jwk), holderSign: await importSignKey(holder.jwk) })
    const issued = await sd.issue(
      { iss: 'https://issuer.example', vct: 'urn:civic:resident', iat: NOW - 60, cnf: { jwk: holder.signer.publicJwk }, ...claims },
      { _sd: ['given_name', 'family_name', 'birthdate', 'age_over_18', 'address'], address: { _sd: ['district'] } } as any,
      { header: { typ: 'dc+sd-jwt' } },
    )
    const presented = await sd.present(issued, { age_over_18: true, address: { district: true } } as any, { kb: { payload: { aud: AUD, nonce: NONCE, iat: NOW } } })
    const v = await verifySdJwt(presented, { issuerKey: issuer.publicKey, keyBinding: { nonce: NONCE, aud: AUD }, now: NOW })
    if (!v.ok) throw new Error(`${v.code}: ${v.detail}`)
    expect(v.value.claims).toMatchObject({ age_over_18: true, address: { district: 'Wuhou' }, vct: 'urn:civic:resident' })
    expect(v.value.claims).not.toHaveProperty('given_name')
    expect(v.value.claims).not.toHaveProperty('birthdate')
    expect(v.value.kb).toMatchObject({ aud: AUD, nonce: NONCE })
    // and our verdict refuses it when presented to someone else
    const other = await verifySdJwt(presented, { issuerKey: issuer.publicKey, keyBinding: { nonce: NONCE, aud: 'https://elsewhere.example' }, now: NOW })
    expect(other).toMatchObject({ ok: false, code: 'ERR_KB_AUD_MISMATCH' })
  })

  it('ours verifies with it', async () => {
    const issued = await issueSdJwtVc({
      iss: 'https://issuer.example', vct: 'urn:civic:resident', iat: NOW - 60, holderJwk: holder.signer.publicJwk,
      claims, frame: { _sd: ['given_name', 'family_name', 'birthdate', 'age_over_18', 'address'], _sd_decoy: 3, address: { _sd: ['district'] } },
      signer: issuer.signer, random: seededRandom(22),
    })
    const presented = await presentSdJwt(issued.sdJwt, { age_over_18: true, address: { district: true } }, {
      keyBinding: { signer: holder.signer, nonce: NONCE, aud: AUD, iat: NOW },
    })
    const sd = peer({ issuerVerify: await importVerifyKey(issuer.signer.publicJwk) })
    const r = await sd.verify(presented, { keyBindingNonce: NONCE })
    expect(r.payload).toStrictEqual({
      iss: 'https://issuer.example', iat: NOW - 60, vct: 'urn:civic:resident', cnf: { jwk: holder.signer.publicJwk },
      age_over_18: true, address: { city: 'Chengdu', district: 'Wuhou' },
    })
    expect(r.kb?.payload).toMatchObject({ aud: AUD, nonce: NONCE, iat: NOW })
    expect(r.header).toMatchObject({ typ: 'dc+sd-jwt', alg: 'ES256' })
  })

  it('it rejects ours after tampering, as ours does', async () => {
    const issued = await issueSdJwtVc({
      iss: 'https://issuer.example', vct: 'urn:civic:resident', iat: NOW - 60, holderJwk: holder.signer.publicJwk,
      claims, frame: { _sd: ['given_name', 'age_over_18'] }, signer: issuer.signer, random: seededRandom(22),
    })
    const presented = await presentSdJwt(issued.sdJwt, { age_over_18: true }, { keyBinding: { signer: holder.signer, nonce: NONCE, aud: AUD, iat: NOW } })
    const parts = presented.split('~')
    const all = `${parts[0]}~${issued.disclosures.map((d) => d.encoded).join('~')}~${parts[parts.length - 1]}`
    const sd = peer({ issuerVerify: await importVerifyKey(issuer.signer.publicJwk) })
    await expect(sd.verify(all, { keyBindingNonce: NONCE })).rejects.toThrow()
    const ours = await verifySdJwt(all, { issuerKey: issuer.publicKey, keyBinding: { nonce: NONCE, aud: AUD }, now: NOW })
    expect(ours).toMatchObject({ ok: false, code: 'ERR_KB_SD_HASH_MISMATCH' })
  })
})
