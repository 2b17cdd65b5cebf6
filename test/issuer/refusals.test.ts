// What the OpenID4VCI endpoints refuse, each with its OAuth error and our code (issue 4): reused,
// expired and voided offers, transaction codes, bad / missing / expired / replayed nonces,
// proofs with a wrong aud, a foreign signature, a stale iat or the wrong typ, duplicate holder
// keys, more proofs than batch_size, unknown configurations, missing / invalid / used access
// tokens, DPoP misuse. A refused credential request changes nothing: the same access token
// still gets its batch afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes, createHash } from 'node:crypto'
import { encodeBase64url } from '../../src/core/bytes/base64url.ts'
import { signCompactJws } from '../../src/core/jose/jws.ts'
import { PRE_AUTHORIZED_GRANT } from '../../src/issuer/vci.ts'
import { MAX_TX_CODE_FAILURES } from '../../src/issuer/service.ts'
import {
  CITIZEN, holders, keyProof, makeIssuerWorld, nonce, postForm, postJson, redeemedOffer, requestCredentials,
  type Holder, type IssuerWorld,
} from './_world.ts'

let iw: IssuerWorld
beforeAll(async () => {
  // access tokens outlive nonces here, so a nonce can expire under a valid token
  iw = await makeIssuerWorld({ tunables: { accessTokenTtlSeconds: 3600, nonceTtlSeconds: 120 } })
})
afterAll(async () => iw?.cleanup())

const token = (form: Record<string, string>, headers: Record<string, string> = {}) => postForm(`${iw.base}/token`, form, headers)
const grant = (code: string, extra: Record<string, string> = {}) => token({ grant_type: PRE_AUTHORIZED_GRANT, 'pre-authorized_code': code, ...extra })
const refused = (r: { status: number; json: any }, status: number, error: string, code: string) => {
  expect({ status: r.status, error: r.json.error, code: r.json.code }).toEqual({ status, error, code })
}

describe('token endpoint', () => {
  it('redeems once; a reused offer is refused; unknown parameters are ignored', async () => {
    const o = await iw.svc.createOffer({ vct: 'urn:civic:resident-id', claims: CITIZEN, txCode: false })
    const first = await grant(o.preAuthorizedCode, { resource: iw.base, user_pin: 'x', client_id: 'wallet', scope: 'resident-id' })
    expect(first.status).toBe(200)
    expect(first.json).toMatchObject({ token_type: 'Bearer', expires_in: iw.svc.config.accessTokenTtlSeconds })
    expect(first.headers.get('cache-control')).toBe('no-store')
    refused(await grant(o.preAuthorizedCode), 400, 'invalid_grant', 'ERR_VCI_OFFER_USED')
    refused(await grant('never-issued-code'), 400, 'invalid_grant', 'ERR_VCI_OFFER_UNKNOWN')
    // the offer document is gone once redeemed
    const doc = await fetch(`${iw.base}/offers/${o.offerHandle}`)
    expect(doc.status).toBe(404)
    expect((await doc.json()).code).toBe('ERR_VCI_OFFER_USED')
  })

  it('refuses an expired offer, and has forgotten its claims', async () => {
    const o = await iw.svc.createOffer({ vct: 'urn:civic:resident-id', claims: CITIZEN, txCode: false })
    expect((await fetch(`${iw.base}/offers/${o.offerHandle}`)).status).toBe(200)
    iw.clock.advance(iw.svc.config.offerTtlSeconds)
    try {
      refused(await grant(o.preAuthorizedCode), 400, 'invalid_grant', 'ERR_VCI_OFFER_EXPIRED')
      expect(((await (await fetch(`${iw.base}/offers/${o.offerHandle}`)).json()) as any).code).toBe('ERR_VCI_OFFER_EXPIRED')
      expect(iw.svc.credential(o.credentialId).status).toBe('lapsed')
    } finally {
      iw.clock.advance(-iw.svc.config.offerTtlSeconds)
    }
  })

  it('checks the transaction code: missing, wrong, unexpected; voids the offer after too many wrong ones', async () => {
    const o = await iw.svc.createOffer({ vct: 'urn:civic:resident-id', claims: CITIZEN, txCode: true })
    const wrong = o.txCode === '000000' ? '000001' : '000000'
    refused(await grant(o.preAuthorizedCode), 400, 'invalid_request', 'ERR_VCI_TX_CODE_REQUIRED')
    refused(await grant(o.preAuthorizedCode, { tx_code: wrong }), 400, 'invalid_grant', 'ERR_VCI_TX_CODE_INVALID')
    // the right code still works after one mistake
    expect((await grant(o.preAuthorizedCode, { tx_code: o.txCode! })).status).toBe(200)

    const p = await iw.svc.createOffer({ vct: 'urn:civic:resident-id', claims: CITIZEN, txCode: true })
    for (let i = 0; i < MAX_TX_CODE_FAILURES; i++) refused(await grant(p.preAuthorizedCode, { tx_code: wrong }), 400, 'invalid_grant', 'ERR_VCI_TX_CODE_INVALID')
    refused(await grant(p.preAuthorizedCode, { tx_code: p.txCode! }), 400, 'invalid_grant', 'ERR_VCI_OFFER_VOID')
    expect(iw.svc.credential(p.credentialId).status).toBe('lapsed')

    const q = await iw.svc.createOffer({ vct: 'urn:civic:resident-id', claims: CITIZEN, txCode: false })
    refused(await grant(q.preAuthorizedCode, { tx_code: '123456' }), 400, 'invalid_request', 'ERR_VCI_TX_CODE_UNEXPECTED')
  })

  it('refuses other grants, duplicate parameters and non-form bodies', async () => {
    refused(await token({ grant_type: 'authorization_code', code: 'x' }), 400, 'unsupported_grant_type', 'ERR_VCI_GRANT_UNSUPPORTED')
    refused(await token({ grant_type: PRE_AUTHORIZED_GRANT }), 400, 'invalid_request', 'ERR_VCI_REQUEST_INVALID')
    const dup = await fetch(`${iw.base}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=${encodeURIComponent(PRE_AUTHORIZED_GRANT)}&pre-authorized_code=a&pre-authorized_code=b` })
    refused({ status: dup.status, json: await dup.json() }, 400, 'invalid_request', 'ERR_VCI_REQUEST_INVALID')
    refused(await postJson(`${iw.base}/token`, { grant_type: PRE_AUTHORIZED_GRANT }), 400, 'invalid_request', 'ERR_VCI_REQUEST_INVALID')
  })
})

describe('credential endpoint', () => {
  let at: string
  beforeAll(async () => {
    at = (await redeemedOffer(iw)).accessToken
  })

  const send = async (hs: Holder[], proofs: string[], o: { configurationId?: string; auth?: string } = {}) =>
    postJson(`${iw.base}/credential`, { credential_configuration_id: o.configurationId ?? 'resident-id', proofs: { jwt: proofs } }, o.auth === undefined ? { authorization: `Bearer ${at}` } : o.auth ? { authorization: o.auth } : {})

  it('refuses bad, missing, expired and replayed nonces', async () => {
    const [h] = holders(1)
    refused(await requestCredentials(iw, at, [h!], { nonce: 'not-a-nonce-of-ours' }), 400, 'invalid_nonce', 'ERR_VCI_NONCE_INVALID')
    refused(await send([h!], [await keyProof(h!, { aud: iw.base, iat: iw.clock.now })]), 400, 'invalid_proof', 'ERR_VCI_NONCE_MISSING')
    // a nonce-shaped value with a forged MAC
    const n = await nonce(iw)
    const forged = encodeBase64url(Buffer.from(n, 'base64url').map((b, i) => (i === 39 ? b ^ 1 : b)))
    refused(await requestCredentials(iw, at, [h!], { nonce: forged }), 400, 'invalid_nonce', 'ERR_VCI_NONCE_INVALID')
    // expired
    const old = await nonce(iw)
    iw.clock.advance(iw.svc.config.nonceTtlSeconds)
    try {
      const proof = await keyProof(h!, { aud: iw.base, iat: iw.clock.now, nonce: old })
      refused(await send([h!], [proof]), 400, 'invalid_nonce', 'ERR_VCI_NONCE_INVALID')
    } finally {
      iw.clock.advance(-iw.svc.config.nonceTtlSeconds)
    }
    // replayed: a nonce that served one credential request (here a refused one that got as far as the nonce check)
    const used = await nonce(iw)
    const [a, b] = holders(2)
    const dupes = await Promise.all([a!, a!].map((x) => keyProof(x, { aud: iw.base, iat: iw.clock.now, nonce: used })))
    refused(await send([a!, a!], dupes), 400, 'invalid_proof', 'ERR_VCI_HOLDER_KEY_DUPLICATE')
    refused(await requestCredentials(iw, at, [b!], { nonce: used }), 400, 'invalid_nonce', 'ERR_VCI_NONCE_REPLAYED')
  })

  it('refuses proofs with a wrong aud, a foreign signature, a stale iat, the wrong typ, a kid beside the jwk', async () => {
    const [h, other] = holders(2)
    refused(await requestCredentials(iw, at, [h!], { aud: 'https://another-issuer.example' }), 400, 'invalid_proof', 'ERR_VCI_PROOF_AUD_MISMATCH')
    const n = () => nonce(iw)
    const foreign = await signCompactJws({ typ: 'openid4vci-proof+jwt', jwk: h!.signer.publicJwk }, { aud: iw.base, iat: iw.clock.now, nonce: await n() }, other!.signer)
    refused(await send([h!], [foreign]), 400, 'invalid_proof', 'ERR_VCI_PROOF_INVALID')
    refused(await send([h!], [await keyProof(h!, { aud: iw.base, iat: iw.clock.now - 3600, nonce: await n() })]), 400, 'invalid_proof', 'ERR_VCI_PROOF_INVALID')
    refused(await send([h!], [await keyProof(h!, { aud: iw.base, iat: iw.clock.now, nonce: await n() }, { typ: 'JWT' })]), 400, 'invalid_proof', 'ERR_VCI_PROOF_INVALID')
    refused(await send([h!], [await keyProof(h!, { aud: iw.base, iat: iw.clock.now, nonce: await n() }, { kid: 'did:example:1#k' })]), 400, 'invalid_proof', 'ERR_VCI_PROOF_INVALID')
    const withD = await signCompactJws({ typ: 'openid4vci-proof+jwt', jwk: h!.jwk }, { aud: iw.base, iat: iw.clock.now, nonce: await n() }, h!.signer)
    refused(await send([h!], [withD]), 400, 'invalid_proof', 'ERR_VCI_PROOF_INVALID')
  })

  it('refuses duplicate holder keys, too many proofs, other proof types and unknown configurations', async () => {
    const hs = holders(11)
    const n = await nonce(iw)
    const dup = await Promise.all([hs[0]!, hs[1]!, hs[0]!].map((h) => keyProof(h, { aud: iw.base, iat: iw.clock.now, nonce: n })))
    refused(await send(hs, dup), 400, 'invalid_proof', 'ERR_VCI_HOLDER_KEY_DUPLICATE')
    refused(await requestCredentials(iw, at, hs), 400, 'invalid_credential_request', 'ERR_VCI_BATCH_TOO_LARGE')
    refused(await requestCredentials(iw, at, hs.slice(0, 1), { configurationId: 'passport' }), 400, 'unknown_credential_configuration', 'ERR_VCI_UNKNOWN_CONFIGURATION')
    refused(await requestCredentials(iw, at, hs.slice(0, 1), { configurationId: 'social-insurance' }), 400, 'unknown_credential_configuration', 'ERR_VCI_UNKNOWN_CONFIGURATION')
    refused(await requestCredentials(iw, at, hs.slice(0, 1), { body: (b) => ({ ...b, proofs: { ldp_vp: [{}] } }) }), 400, 'invalid_proof', 'ERR_VCI_PROOF_INVALID')
    refused(await requestCredentials(iw, at, hs.slice(0, 1), { body: (b) => ({ credential_configuration_id: b.credential_configuration_id }) }), 400, 'invalid_proof', 'ERR_VCI_PROOF_INVALID')
    refused(await requestCredentials(iw, at, hs.slice(0, 1), { body: (b) => ({ proofs: b.proofs }) }), 400, 'invalid_credential_request', 'ERR_VCI_REQUEST_INVALID')
  })

  it('refuses missing and invalid access tokens with 401 and WWW-Authenticate', async () => {
    const [h] = holders(1)
    const none = await send([h!], [await keyProof(h!, { aud: iw.base, iat: iw.clock.now, nonce: await nonce(iw) })], { auth: '' })
    refused(none, 401, 'invalid_token', 'ERR_VCI_TOKEN_INVALID')
    expect(none.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"')
    refused(await requestCredentials(iw, 'bm90LWEtdG9rZW4', [h!]), 401, 'invalid_token', 'ERR_VCI_TOKEN_INVALID')
    refused(await send([h!], [], { auth: `Basic ${at}` }), 401, 'invalid_token', 'ERR_VCI_TOKEN_INVALID')
  })

  it('after every refusal above, the same access token still gets its whole batch — once', async () => {
    const hs = holders(10)
    const ok = await requestCredentials(iw, at, hs)
    expect(ok.status).toBe(200)
    expect(ok.json.credentials).toHaveLength(10)
    refused(await requestCredentials(iw, at, holders(1)), 401, 'invalid_token', 'ERR_VCI_TOKEN_INVALID')
  })
})

describe('DPoP-bound access tokens', () => {
  const [dpopKey, otherKey] = holders(2)
  const dpopProof = async (h: Holder, o: { htu: string; htm?: string; ath?: string; jti?: string; iat?: number }) =>
    signCompactJws({ typ: 'dpop+jwt', jwk: h.signer.publicJwk }, { htm: o.htm ?? 'POST', htu: o.htu, iat: o.iat ?? iw.clock.now, jti: o.jti ?? encodeBase64url(randomBytes(16)), ...(o.ath ? { ath: o.ath } : {}) }, h.signer)
  const ath = (t: string) => encodeBase64url(createHash('sha256').update(t).digest())

  it('binds the token to the DPoP key: refuses a proof for another endpoint, a Bearer use, no proof, another key, no ath, a replayed proof', async () => {
    const o = await iw.svc.createOffer({ vct: 'urn:civic:resident-id', claims: CITIZEN, txCode: false })
    refused(await token({ grant_type: PRE_AUTHORIZED_GRANT, 'pre-authorized_code': o.preAuthorizedCode }, { dpop: await dpopProof(dpopKey!, { htu: `${iw.base}/credential` }) }), 400, 'invalid_dpop_proof', 'ERR_VCI_DPOP_INVALID')
    const good = await dpopProof(dpopKey!, { htu: `${iw.base}/token` })
    const t = await token({ grant_type: PRE_AUTHORIZED_GRANT, 'pre-authorized_code': o.preAuthorizedCode }, { dpop: good })
    expect(t.json).toMatchObject({ token_type: 'DPoP' })
    const at = t.json.access_token as string
    const hs = holders(2)
    const proofs = async () => {
      const n = await nonce(iw)
      return Promise.all(hs.map((h) => keyProof(h, { aud: iw.base, iat: iw.clock.now, nonce: n })))
    }
    const body = async () => ({ credential_configuration_id: 'resident-id', proofs: { jwt: await proofs() } })
    refused(await postJson(`${iw.base}/credential`, await body(), { authorization: `Bearer ${at}` }), 401, 'invalid_dpop_proof', 'ERR_VCI_DPOP_INVALID')
    refused(await postJson(`${iw.base}/credential`, await body(), { authorization: `DPoP ${at}` }), 401, 'invalid_dpop_proof', 'ERR_VCI_DPOP_INVALID')
    refused(await postJson(`${iw.base}/credential`, await body(), { authorization: `DPoP ${at}`, dpop: await dpopProof(otherKey!, { htu: `${iw.base}/credential`, ath: ath(at) }) }), 401, 'invalid_dpop_proof', 'ERR_VCI_DPOP_INVALID')
    refused(await postJson(`${iw.base}/credential`, await body(), { authorization: `DPoP ${at}`, dpop: await dpopProof(dpopKey!, { htu: `${iw.base}/credential` }) }), 401, 'invalid_dpop_proof', 'ERR_VCI_DPOP_INVALID')
    const proof = await dpopProof(dpopKey!, { htu: `${iw.base}/credential`, ath: ath(at) })
    const r = await postJson(`${iw.base}/credential`, await body(), { authorization: `DPoP ${at}`, dpop: proof })
    expect(r.status).toBe(200)
    expect(r.json.credentials).toHaveLength(2)
    // the same DPoP proof again (jti seen)
    const o2 = await iw.svc.createOffer({ vct: 'urn:civic:resident-id', claims: CITIZEN, txCode: false })
    refused(await token({ grant_type: PRE_AUTHORIZED_GRANT, 'pre-authorized_code': o2.preAuthorizedCode }, { dpop: good }), 400, 'invalid_dpop_proof', 'ERR_VCI_DPOP_INVALID')
  })
})

describe('credential ids', () => {
  // An id starting with "-" could not follow `--id` on a command line (the option parser takes
  // it for an option); a plain base64url id starts with "-" or "_" one time in 32.
  it('never start with - or _', async () => {
    for (let i = 0; i < 200; i++) {
      const o = await iw.svc.createOffer({ vct: 'urn:civic:resident-id', claims: CITIZEN, txCode: false })
      expect(o.credentialId).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{21}$/)
      expect(o.offerId).toMatch(/^[A-Za-z0-9]/)
    }
  })
})
