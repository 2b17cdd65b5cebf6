// The public library API (src/core/index.ts) used as README shows it: one import, the whole
// issue → present → verify path, and the ledger and registry pieces reachable.
import { describe, expect, it } from 'vitest'
import * as core from '../../src/core/index.ts'

describe('public API', () => {
  it('runs the README example end to end', async () => {
    const { generatePrivateJwk, publicJwkOf, signerFromPrivateJwk, generateCryptoKeyPair, signerFromCryptoKeyPair, PublicKey, issueSdJwtVc, presentSdJwt, verifySdJwt, systemRandom } = core
    const issuerJwk = generatePrivateJwk('ES256')
    const issuer = signerFromPrivateJwk(issuerJwk)
    const holder = await signerFromCryptoKeyPair(await generateCryptoKeyPair())
    const now = Math.floor(Date.now() / 1000)
    const { sdJwt } = await issueSdJwtVc({
      iss: 'did:web:psb.example', vct: 'urn:civic:resident', iat: now, exp: now + 365 * 86400, holderJwk: holder.publicJwk,
      claims: { name: '李伟', birthdate: '1990-05-01', age_over_18: true, address: { city: '成都', district: '武侯' } },
      frame: { _sd: ['name', 'birthdate', 'age_over_18'], _sd_decoy: 2, address: { _sd: ['district'] } },
      signer: issuer, random: systemRandom,
    })
    const presentation = await presentSdJwt(sdJwt, { age_over_18: true }, { keyBinding: { signer: holder, nonce: 'n', aud: 'did:web:hall.example', iat: now } })
    const v = await verifySdJwt(presentation, { issuerKey: PublicKey.fromJwk(publicJwkOf(issuerJwk)), keyBinding: { nonce: 'n', aud: 'did:web:hall.example' }, now })
    if (!v.ok) throw new Error(v.code)
    expect(v.value.claims).toMatchObject({ age_over_18: true, address: { city: '成都' } })
    expect(v.value.claims).not.toHaveProperty('name')
    expect((v.value.claims.address as Record<string, unknown>).district).toBeUndefined()
  })

  it('exports every area the README lists', () => {
    for (const name of ['verifyVcJwt', 'verifyVpJwt', 'syncLog', 'verifyTlogProof', 'LightClient', 'foldEntries', 'sdJwtIssuerKeyResolver', 'ERROR_CODES', 'parseJson', 'decodeBase64url']) {
      expect(typeof (core as Record<string, unknown>)[name], name).not.toBe('undefined')
    }
  })
})
