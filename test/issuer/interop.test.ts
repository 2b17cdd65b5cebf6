// @vitest-environment node
// Interop (issue 4): the OpenWallet Foundation's OpenID4VCI client (@openid4vc/openid4vci 0.4.6,
// an independent implementation) obtains a batch of 10 from our issuer over real HTTP:
// credential_offer_uri → issuer and AS metadata (detected as OpenID4VCI 1.0) → token with
// tx_code and DPoP → nonce endpoint → one credential request with proofs.jwt[10], WebCrypto
// P-256 holder keys. Every copy verifies, is bound to its own holder key, has its own salts
// and its own random index in a list of ≥ 131,072 entries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Openid4vciClient, setGlobalConfig } from '@openid4vc/openid4vci'
import { clientAuthenticationAnonymous } from '@openid4vc/oauth2'
import { encodeBase64url } from '../../src/core/bytes/base64url.ts'
import { PublicKey, signerFromCryptoKeyPair } from '../../src/core/crypto/keys.ts'
import { sameJwk, type PublicJwk } from '../../src/core/crypto/jwk.ts'
import { verifySdJwt } from '../../src/core/sdjwt/verify.ts'
import { presentSdJwt } from '../../src/core/sdjwt/present.ts'
import { sdJwtIssuerKeyResolver } from '../../src/core/registry/resolvers.ts'
import { verifyStatusListToken } from '../../src/core/status/token.ts'
import { MIN_LIST_SIZE } from '../../src/issuer/config.ts'
import { CITIZEN, makeIssuerWorld, PSB, syncRegistry, type IssuerWorld } from './_world.ts'

let iw: IssuerWorld
beforeAll(async () => {
  setGlobalConfig({ allowInsecureUrls: true })
  iw = await makeIssuerWorld()
})
afterAll(async () => iw?.cleanup())

const subtle = globalThis.crypto.subtle
const b64 = (b: Uint8Array | ArrayBuffer | string) => encodeBase64url(typeof b === 'string' ? new TextEncoder().encode(b) : new Uint8Array(b as ArrayBuffer))

/** WebCrypto P-256 keys, found again by their public JWK when the client asks for a signature. */
const keys = new Map<string, CryptoKeyPair>()
async function newKey(): Promise<PublicJwk> {
  const pair = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])
  const { kty, crv, x, y } = await subtle.exportKey('jwk', pair.publicKey)
  const jwk = { kty, crv, x, y } as PublicJwk
  keys.set(x!, pair)
  return jwk
}

const callbacks = {
  fetch,
  hash: (data: Uint8Array, alg: string) => new Uint8Array(createHash(alg.replace('-', '').toLowerCase()).update(data).digest()),
  generateRandom: (n: number) => new Uint8Array(randomBytes(n)),
  clientAuthentication: clientAuthenticationAnonymous(),
  signJwt: async (signer: any, { header, payload }: { header: object; payload: object }) => {
    const pair = keys.get(signer.publicJwk.x)!
    const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`
    // raw r‖s from WebCrypto is already JWS ES256 (high-S half the time: valid JOSE, our verifier accepts it)
    const sig = await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, new TextEncoder().encode(input))
    return { jwt: `${input}.${b64(sig)}`, signerJwk: signer.publicJwk }
  },
}

describe('OpenID4VCI interop: @openid4vc/openid4vci 0.4.6 as the wallet', () => {
  it('obtains a batch of 10 one-time copies, each bound to its own key with its own status index', async () => {
    const admin = await fetch(`${iw.admin}/admin/offers`, {
      method: 'POST', headers: { ...iw.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ vct: 'urn:civic:resident-id', claims: CITIZEN, officer: 'PSB-0042' }),
    })
    expect(admin.status).toBe(201)
    const offer = await admin.json() as { offerUri: string; txCode: string; credentialId: string; qrSvg: string }
    expect(offer.offerUri).toMatch(/^openid-credential-offer:\/\/\?credential_offer_uri=/)
    expect(offer.txCode).toMatch(/^[0-9]{6}$/)
    expect(offer.qrSvg).toMatch(/^<svg/)

    const client = new Openid4vciClient({ callbacks })
    const credentialOffer = await client.resolveCredentialOffer(offer.offerUri)
    const md = await client.resolveIssuerMetadata(credentialOffer.credential_issuer)
    expect(md.originalDraftVersion).toBe('V1')
    expect(md.credentialIssuer.batch_credential_issuance?.batch_size).toBe(10)

    const dpopKey = await newKey()
    const { accessTokenResponse, dpop } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
      credentialOffer, issuerMetadata: md, txCode: offer.txCode,
      dpop: { signer: { method: 'jwk', alg: 'ES256', publicJwk: dpopKey } as any },
    })
    expect(accessTokenResponse.token_type).toBe('DPoP')

    const { c_nonce } = await client.requestNonce({ issuerMetadata: md })
    const holderKeys = await Promise.all(Array.from({ length: 10 }, newKey))
    const proofs = await Promise.all(holderKeys.map(async (publicJwk) => (await client.createCredentialRequestJwtProof({
      issuerMetadata: md, credentialConfigurationId: 'resident-id', nonce: c_nonce,
      signer: { method: 'jwk', alg: 'ES256', publicJwk } as any,
    })).jwt))
    const { credentialResponse } = await client.retrieveCredentials({
      issuerMetadata: md, accessToken: accessTokenResponse.access_token, credentialConfigurationId: 'resident-id',
      proofs: { jwt: proofs }, dpop,
    })
    const copies = (credentialResponse.credentials ?? []).map((c: any) => c.credential as string)
    expect(copies).toHaveLength(10)

    // every copy verifies with the issuer key, both directly and as the ledger says it
    const issuerKey = PublicKey.fromJwk(iw.init.jwk)
    const registry = await syncRegistry(iw)
    const seen = { idx: new Set<string>(), nameDisclosures: new Set<string>(), cnf: new Set<string>() }
    for (const [i, sdJwt] of copies.entries()) {
      const v = await verifySdJwt(sdJwt, { issuerKey, keyBinding: 'not-required', now: iw.clock.now })
      if (!v.ok) throw new Error(`${v.code}: ${v.detail}`)
      const viaLedger = await verifySdJwt(sdJwt, { issuerKey: sdJwtIssuerKeyResolver(registry, { now: iw.clock.now }), keyBinding: 'not-required', now: iw.clock.now })
      expect(viaLedger.ok).toBe(true)
      const c = v.value.claims as any
      expect(c).toMatchObject({ iss: PSB, vct: 'urn:civic:resident-id', name: '李伟', birth_date: '1990-05-01', age_over_18: true, age_over_60: false, city: '成都', district: '武侯' })
      expect(v.value.header.kid).toBe(`${PSB}#key-1`)
      // its own holder key: the i-th proof's key
      expect(sameJwk(c.cnf.jwk, holderKeys[i]!)).toBe(true)
      seen.cnf.add(c.cnf.jwk.x)
      // its own index in a big list
      expect(c.status.status_list.uri).toMatch(/^https:\/\/psb\.gov\.example\/status\/[0-9]+$/)
      seen.idx.add(`${c.status.status_list.uri}#${c.status.status_list.idx}`)
      // its own salts: the disclosure of `name` differs from every other copy's
      const nameDisclosure = v.value.disclosed.find((d) => d.path.length === 1 && d.path[0] === 'name')!
      seen.nameDisclosures.add(nameDisclosure.disclosure.digest)
      // every subject claim is selectively disclosable: none is in the signed payload itself
      const payload = JSON.parse(Buffer.from(sdJwt.split('~')[0]!.split('.')[1]!, 'base64url').toString())
      for (const k of ['name', 'birth_date', 'age_over_18', 'age_over_60', 'city', 'district']) expect(payload).not.toHaveProperty(k)
    }
    expect(seen.cnf.size).toBe(10)
    expect(seen.idx.size).toBe(10)
    expect(seen.nameDisclosures.size).toBe(10)

    // the list holds ≥ 131,072 entries (checked on the published token itself)
    const pub = await fetch(`${iw.admin}/admin/publish`, { method: 'POST', headers: { ...iw.auth, 'content-type': 'application/json' }, body: '{}' })
    expect(pub.status).toBe(200)
    const uri = (JSON.parse(Buffer.from(copies[0]!.split('~')[0]!.split('.')[1]!, 'base64url').toString()) as any).status.status_list.uri as string
    const token = await (await fetch(`${iw.base}${new URL(uri).pathname}`)).text()
    const t = await verifyStatusListToken(token, { key: issuerKey, uri, now: iw.clock.now })
    if (!t.ok) throw new Error(`${t.code}: ${t.detail}`)
    expect(t.value.list.size).toBeGreaterThanOrEqual(MIN_LIST_SIZE)

    // a copy works as a key-bound presentation with its own WebCrypto key
    const pair = keys.get(holderKeys[3]!.x)!
    const presentation = await presentSdJwt(copies[3]!, { age_over_18: true }, { keyBinding: { signer: await signerFromCryptoKeyPair(pair), nonce: 'n-1', aud: 'did:web:pharmacy.example', iat: iw.clock.now } })
    const pv = await verifySdJwt(presentation, { issuerKey, keyBinding: { nonce: 'n-1', aud: 'did:web:pharmacy.example' }, now: iw.clock.now })
    expect(pv.ok && (pv.value.claims as any).age_over_18).toBe(true)
    expect(pv.ok && (pv.value.claims as any).name).toBeUndefined()

    // the issuer keeps nothing about the citizen: the offer's claims are gone from its state
    const state = readFileSync(join(iw.dataDir, 'state.json'), 'utf8')
    expect(state).not.toContain('李伟')
    expect(state).not.toContain('1990-05-01')
    const cred = iw.svc.credential(offer.credentialId)
    expect(cred).toMatchObject({ status: 'valid', officer: 'PSB-0042', vct: 'urn:civic:resident-id' })
    expect(cred.copies).toHaveLength(10)
  })
})
