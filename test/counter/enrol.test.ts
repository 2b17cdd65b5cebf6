/**
 * The counter's enrolment client against the real verifier service over HTTP: the link's
 * shape, an attestation for this device's key, and the service's refusals (a used code, a
 * made-up one) coming back with the service's own codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseEnrolmentLink, requestAttestation } from '../../src/counter/enrol.ts'
import { startVerifierServer, type VerifierServer } from '../../src/verifier/http.ts'
import type { VerifierService } from '../../src/verifier/service.ts'
import { parseCompactJws } from '../../src/core/jose/jws.ts'
import { COUNTER_NAME, makeVerifierWorld, NOW, type VerifierWorld } from '../verifier/_world.ts'
import { testKey } from '../support/keys.ts'

let world: VerifierWorld
let svc: VerifierService
let server: VerifierServer

beforeAll(async () => {
  world = await makeVerifierWorld()
  svc = await world.open()
  server = await startVerifierServer(svc, { host: '127.0.0.1', port: 0, appOrigin: null })
})
afterAll(async () => {
  await server?.close()
  world?.cleanup()
})

describe('counter enrolment from a link', () => {
  const rows: [string, string][] = [
    ['no verifier', 'code=AAAAAAAAAAAAAAAAAAAAAA'],
    ['an http verifier off this machine', `verifier=${encodeURIComponent('http://verifier.example/')}&code=AAAAAAAAAAAAAAAAAAAAAA`],
    ['a verifier URL with a query', `verifier=${encodeURIComponent('https://verifier.example/?x=1')}&code=AAAAAAAAAAAAAAAAAAAAAA`],
    ['a short code', `verifier=${encodeURIComponent('https://verifier.example/')}&code=abc`],
  ]
  it.each(rows)('refuses a link with %s', (_n, query) => {
    expect(parseEnrolmentLink(query)).toMatchObject({ ok: false, code: 'ERR_EXCH_ATTESTATION_INVALID' })
  })

  it("gets an attestation of this device key once; the code used again, or made up, is refused with the service's code", async () => {
    const { code } = await svc.createEnrolmentCode({ name: COUNTER_NAME, purposes: ['residence-certificate'], now: NOW })
    const link = parseEnrolmentLink(`verifier=${encodeURIComponent(server.url)}&code=${code}`)
    if (!link.ok) throw new Error(link.detail)
    const device = testKey('ES256')
    const att = await requestAttestation(link.value, device.signer.publicJwk)
    if (!att.ok) throw new Error(`${att.code}: ${att.detail}`)
    expect(parseCompactJws(att.value).payload).toMatchObject({ cnf: { jwk: device.signer.publicJwk }, purposes: ['residence-certificate'] })
    expect(await requestAttestation(link.value, device.signer.publicJwk)).toMatchObject({ ok: false, code: 'ERR_VERIFIER_ENROLMENT' })
    expect(await requestAttestation({ verifier: link.value.verifier, code: 'B'.repeat(22) }, device.signer.publicJwk)).toMatchObject({ ok: false, code: 'ERR_VERIFIER_ENROLMENT' })
  })

  it('says when the verifier cannot be reached', async () => {
    expect(await requestAttestation({ verifier: 'http://127.0.0.1:1/', code: 'A'.repeat(22) }, testKey('ES256').signer.publicJwk)).toMatchObject({ ok: false, code: 'ERR_EXCH_ATTESTATION_INVALID' })
  })
})
