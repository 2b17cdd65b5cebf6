/**
 * Key lookup over the registry, for the SD-JWT and VC-JWT verifiers: no network, ever (design
 * §4: "keys, status and ledger state come from the synced trust cache"). Issuers and verifiers
 * are named by did:web identifiers (W3C CCG did:web) that are resolved ONLY from the registry;
 * nothing here fetches `https://<host>/.well-known/did.json`. The root is a did:key / did:jwk,
 * which vc/resolver.ts resolves by itself.
 *
 * - `registryDidResolver(state, { now })`: a did-resolver method resolver for `did:web`, to pass
 *   as `createResolver({ web: … })` (or take `registryResolver`, which does that). An entity
 *   that is unknown, suspended or outside its validity at `now` resolves to `notFound` (the
 *   message starts with the ERR_REG_* code; suspended ones also carry `deactivated: true`,
 *   DID Core §7.1.3), so verifyVcJwt fails with ERR_DID_NOT_FOUND. The document lists every
 *   current key as a JsonWebKey2020 method `<did>#<kid>`: issuers under assertionMethod;
 *   verifiers under assertionMethod and authentication (they sign request objects).
 *   It says which keys are the entity's; it does not say an issuer may issue a given VC type:
 *   a VC-JWT caller asks checkIssuer(state, iss, { now, vct: <type> }) for that.
 *
 * - `sdJwtIssuerKeyResolver(state, { now })`: a JwsKeyResolver for verifySdJwt. It reads `iss`
 *   and `vct` from the issuer-signed JWT's payload and `kid` from its PROTECTED header (never
 *   the unprotected one), and refuses by throwing InputError with the code, which verifySdJwt
 *   returns as the verdict: ERR_REG_UNKNOWN_ISSUER, ERR_REG_ISSUER_SUSPENDED, ERR_REG_EXPIRED
 *   (outside the accreditation's validity at `now`), ERR_REG_VCT_NOT_ACCREDITED,
 *   ERR_JWS_HEADER_INVALID (kid missing or not `<iss>#<kid>`), ERR_REG_KEY_REVOKED; a kid the
 *   issuer never held gives null (→ ERR_JWS_KEY_UNKNOWN).
 *   The vct check reads the payload before its signature is verified. That is sound: the key
 *   returned is the accredited issuer's, and verifySdJwt then checks the signature with it, so
 *   a payload whose iss/vct were altered fails as ERR_JWS_SIGNATURE_INVALID; and SD-JWT VC keeps
 *   `vct` out of disclosures (verify.ts refuses a disclosed vct), so the vct read here is the
 *   signed one. The refusal codes are about public ledger facts, so answering them before the
 *   signature check tells a forger nothing the ledger does not already say.
 *   A credential signed with a key revoked since is refused whenever it was issued: revocation
 *   removes the key (design decision; issuers re-issue).
 */
import { InputError } from '../errors.ts'
import type { PublicKey } from '../crypto/keys.ts'
import type { CompactJws, JwsKeyResolver } from '../jose/jws.ts'
import { createResolver, type DIDResolutionResult, type DIDResolver, type Resolvable } from '../vc/resolver.ts'
import { publicKeyOf } from './_keys.ts'
import { entityKey } from './rules.ts'
import { checkIssuer, checkVerifier, entityRecord, registryClock, type RegistryState, type StandingOptions } from './state.ts'

const DID_CONTEXT = ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/jws-2020/v1']

function notFound(message: string, deactivated = false): DIDResolutionResult {
  return {
    didResolutionMetadata: { error: 'notFound', message: message.slice(0, 200) },
    didDocument: null,
    didDocumentMetadata: deactivated ? { deactivated: true } : {},
  }
}

/** A did-resolver method resolver for did:web over the registry (see the module comment). */
export function registryDidResolver(state: RegistryState, options: StandingOptions): DIDResolver {
  const clock = registryClock(options)
  return async (did) => {
    const rec = typeof did === 'string' ? entityRecord(state, did) : null
    if (!rec) return notFound(`ERR_REG_UNKNOWN_ENTITY: ${String(did).slice(0, 80)} is not in the registry`)
    const at = { now: clock.now, skewSeconds: clock.skew }
    const standing = rec.role === 'issuer' ? checkIssuer(state, did, at) : checkVerifier(state, did, at)
    if (!standing.ok) return notFound(`${standing.code}: ${standing.detail}`, rec.suspended !== null)
    const ids = rec.keys.map((k) => `${rec.did}#${k.kid}`)
    const didDocument = {
      '@context': DID_CONTEXT,
      id: rec.did,
      verificationMethod: rec.keys.map((k, i) => ({ id: ids[i]!, type: 'JsonWebKey2020', controller: rec.did, publicKeyJwk: { ...k.jwk } })),
      assertionMethod: ids,
      ...(rec.role === 'verifier' ? { authentication: ids } : {}),
    }
    return { didResolutionMetadata: { contentType: 'application/did+ld+json' }, didDocument, didDocumentMetadata: {} } as DIDResolutionResult
  }
}

/** createResolver with did:web served from the registry (did:key and did:jwk built in). */
export function registryResolver(state: RegistryState, options: StandingOptions): Resolvable {
  return createResolver({ web: registryDidResolver(state, options) })
}

/** A JwsKeyResolver for verifySdJwt over the registry (see the module comment for its codes). */
export function sdJwtIssuerKeyResolver(state: RegistryState, options: StandingOptions): JwsKeyResolver {
  return issuerKeyResolver(state, options, true)
}

/**
 * A JwsKeyResolver for other JWS an accredited issuer signs (statuslist+jwt tokens): the
 * issuer's standing and key as for credentials, without the `vct` check.
 */
export function registryIssuerKeyResolver(state: RegistryState, options: StandingOptions): JwsKeyResolver {
  return issuerKeyResolver(state, options, false)
}

function issuerKeyResolver(state: RegistryState, options: StandingOptions, checkVct: boolean): JwsKeyResolver {
  const clock = registryClock(options)
  return (jws: CompactJws): PublicKey | null => {
    const iss = jws.payload.iss
    const standing = checkIssuer(state, iss, { now: clock.now, skewSeconds: clock.skew, ...(checkVct ? { vct: jws.payload.vct } : {}) })
    if (!standing.ok) throw new InputError(standing.code, standing.detail)
    const kid = jws.header.kid
    if (typeof kid !== 'string') throw new InputError('ERR_JWS_HEADER_INVALID', 'kid is required: the DID URL of an accredited issuer key')
    const key = entityKey(standing.value, kid)
    if (key.ok) return publicKeyOf(key.value.jwk)
    if (key.code === 'ERR_JWS_KEY_UNKNOWN') return null
    throw new InputError(key.code, key.detail)
  }
}
