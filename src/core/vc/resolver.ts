/**
 * DID resolution for the VC layer: a did-resolver `Resolver` over the kernel's own did:key
 * and did:jwk code (crypto/did.ts), plus the key lookup our own signature check uses.
 *
 * Why not an off-the-shelf resolver: key-did-resolver pulls in a third copy of noble and
 * multiformats and writes P-256 coordinates that are not always 32 bytes (see stack notes
 * §7); ours reuses the strict parser the rest of the kernel trusts, so a did:key means the
 * same key here as everywhere else.
 *
 * Contracts:
 * - `resolve` never throws and never fetches. Bad input comes back as a DIDResolutionResult
 *   with `didResolutionMetadata.error` (DID Core §7.1.2; names from did-resolver, the DID
 *   Spec Registries and the did:key spec's resolution errors): `invalidDid`, `notFound`,
 *   `unsupportedDidMethod`, `invalidPublicKey`, `unsupportedPublicKeyType`.
 * - The registry is a null-prototype object, so `did:constructor:…` does not find
 *   Object.prototype.constructor (did-resolver looks methods up with a plain `registry[m]`).
 * - Extra methods (`createResolver({ web: … })`, later the ledger-backed registry) cannot
 *   replace did:key or did:jwk, which are self-certifying; an extra resolver that throws is
 *   turned into `notFound`.
 * - Verification methods used for our own signature check must carry `publicKeyJwk`
 *   (P-256 or Ed25519); extension resolvers should return JsonWebKey2020 like didDocumentOf.
 */
import {
  Resolver, parse, type DIDDocument, type DIDResolutionOptions, type DIDResolutionResult, type DIDResolver, type Resolvable,
  type VerificationMethod,
} from 'did-resolver'
import { CivicError, fail, ok, type ErrorCode, type Verdict } from '../errors.ts'
import { didDocumentOf, resolveDidKey } from '../crypto/did.ts'
import { PublicKey } from '../crypto/keys.ts'

export type { Resolvable, DIDResolver, DIDResolutionResult }

const EMPTY = { didDocument: null, didDocumentMetadata: {} } as const
const MAX_DID_URL_LENGTH = 4096

function errorResult(error: string, message: string): DIDResolutionResult {
  return { ...EMPTY, didResolutionMetadata: { error, message: message.slice(0, 200) } }
}

/** Our InputError codes → DID resolution error names. */
function resolutionErrorOf(code: ErrorCode): string {
  switch (code) {
    case 'ERR_DID_NOT_FOUND':
      return 'notFound'
    case 'ERR_DID_UNSUPPORTED':
      return 'unsupportedPublicKeyType'
    case 'ERR_JWK_INVALID':
    case 'ERR_KEY_WEAK':
    case 'ERR_KEY_ALG_MISMATCH':
      return 'invalidPublicKey'
    default:
      return 'invalidDid'
  }
}

/** DID resolution error names → our codes (for any resolver in the registry). */
export function codeOfResolutionError(error: unknown): ErrorCode {
  switch (error) {
    case 'invalidDid':
      return 'ERR_DID_INVALID'
    case 'unsupportedDidMethod':
    case 'methodNotSupported':
    case 'unsupportedPublicKeyType':
      return 'ERR_DID_UNSUPPORTED'
    case 'invalidPublicKey':
    case 'invalidPublicKeyLength':
      return 'ERR_JWK_INVALID'
    default:
      return 'ERR_DID_NOT_FOUND'
  }
}

/** did:key and did:jwk (the method is read from the DID itself by resolveDidKey). */
const localResolver: DIDResolver = async (did) => {
  try {
    if (did.startsWith('did:key:') && !did.startsWith('did:key:z')) {
      // did:key spec: a multibase value that is not base58btc (z) is an invalidDid.
      return errorResult('invalidDid', 'did:key must be base58btc (z…)')
    }
    const key = resolveDidKey(did)
    if (key.did !== did) return errorResult('invalidDid', 'not a bare DID')
    return {
      didResolutionMetadata: { contentType: 'application/did+ld+json' },
      didDocument: didDocumentOf(key) as DIDDocument,
      didDocumentMetadata: {},
    }
  } catch (e) {
    if (e instanceof CivicError) return errorResult(resolutionErrorOf(e.code), e.detail)
    return errorResult('invalidDid', 'unresolvable DID')
  }
}

function guarded(method: string, r: DIDResolver): DIDResolver {
  return async (did, parsed, resolver, options) => {
    try {
      const out = await r(did, parsed, resolver, options)
      if (typeof out !== 'object' || out === null || !('didResolutionMetadata' in out)) return errorResult('notFound', `did:${method} resolver returned no result`)
      return out
    } catch (e) {
      return errorResult('notFound', `did:${method} resolver failed: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
}

/**
 * A Resolver for did:key and did:jwk, plus `extra` methods (name → DIDResolver).
 * Throws TypeError (a programmer error) for a bad method name or an attempt to replace key/jwk.
 */
export function createResolver(extra: Record<string, DIDResolver> = {}): Resolver {
  const registry: Record<string, DIDResolver> = Object.create(null)
  registry.key = localResolver
  registry.jwk = localResolver
  for (const method of Object.keys(extra)) {
    if (!/^[a-z0-9]+$/.test(method)) throw new TypeError(`not a DID method name: ${JSON.stringify(method)}`)
    if (method === 'key' || method === 'jwk') throw new TypeError(`did:${method} is built in and cannot be replaced`)
    const r = extra[method]
    if (typeof r !== 'function') throw new TypeError(`resolver for did:${method} is not a function`)
    registry[method] = guarded(method, r)
  }
  return new LocalFirstResolver(registry)
}

/** did-resolver's Resolver, made total: non-strings and oversized input are invalidDid, a throw is notFound. */
class LocalFirstResolver extends Resolver {
  override async resolve(didUrl: string, options: DIDResolutionOptions = {}): Promise<DIDResolutionResult> {
    if (typeof didUrl !== 'string') return errorResult('invalidDid', 'a DID must be a string')
    if (didUrl.length > MAX_DID_URL_LENGTH) return errorResult('invalidDid', 'DID URL too long')
    try {
      return await super.resolve(didUrl, options)
    } catch (e) {
      return errorResult('notFound', `resolution failed: ${e instanceof Error ? e.message : 'error'}`)
    }
  }
}

let shared: Resolver | undefined
/** The default resolver (did:key, did:jwk), built once. */
export function defaultResolver(): Resolver {
  return (shared ??= createResolver())
}

/** True when `x` is a bare DID (no path, query, params or fragment). Never throws. */
export function isBareDid(x: unknown): x is string {
  if (typeof x !== 'string' || x.length > MAX_DID_URL_LENGTH) return false
  const p = parse(x)
  return p !== null && p.did === x
}

export type ProofPurpose = 'assertionMethod' | 'authentication'

export interface CandidateKey {
  /** Verification method id (absolute DID URL). */
  kid: string
  key: PublicKey
}

function absolute(did: string, id: string): string {
  return id.startsWith('#') ? did + id : id
}

/**
 * The keys that may have signed a JWS from `did` for `purpose` (DID Core §5.3), narrowed by
 * the header `kid` when there is one. Resolves through `resolver` (no network for the built-in
 * methods); a verdict, never a throw.
 *
 * Failure codes: ERR_DID_* from resolution, ERR_JWS_HEADER_INVALID for a kid under another
 * DID, ERR_DID_NOT_FOUND for a kid the document does not list for this purpose,
 * ERR_JWS_KEY_UNKNOWN when no listed method has a usable publicKeyJwk.
 */
export async function keysForProof(resolver: Resolvable, did: string, kid: string | undefined, purpose: ProofPurpose): Promise<Verdict<CandidateKey[]>> {
  let result: DIDResolutionResult
  try {
    result = await resolver.resolve(did, { accept: 'application/did+ld+json' })
  } catch (e) {
    return fail('ERR_DID_NOT_FOUND', `resolver failed: ${e instanceof Error ? e.message.slice(0, 120) : 'error'}`)
  }
  if (typeof result !== 'object' || result === null) return fail('ERR_DID_NOT_FOUND', 'resolver returned no result')
  const meta = (result.didResolutionMetadata ?? {}) as { error?: unknown; message?: unknown }
  if (meta.error !== undefined || result.didDocument == null) {
    const msg = typeof meta.message === 'string' ? `: ${meta.message.slice(0, 120)}` : ''
    return fail(codeOfResolutionError(meta.error), `cannot resolve ${did.slice(0, 80)} (${String(meta.error ?? 'no document')})${msg}`)
  }
  const doc = result.didDocument
  if (typeof doc !== 'object' || doc.id !== did) return fail('ERR_DID_NOT_FOUND', 'resolver returned a document for another DID')

  let wanted: string | undefined
  if (kid !== undefined) {
    wanted = absolute(did, kid)
    if (!wanted.startsWith(did + '#')) return fail('ERR_JWS_HEADER_INVALID', 'kid names a key outside the issuer DID')
  }

  const methods = Array.isArray(doc.verificationMethod) ? doc.verificationMethod : []
  const byId = new Map<string, VerificationMethod>()
  for (const vm of methods) if (vm && typeof vm.id === 'string') byId.set(absolute(did, vm.id), vm)
  const refs = Array.isArray(doc[purpose]) ? doc[purpose] : []
  const listed: { id: string; vm: VerificationMethod }[] = []
  for (const ref of refs) {
    if (typeof ref === 'string') {
      const vm = byId.get(absolute(did, ref))
      if (vm) listed.push({ id: absolute(did, ref), vm })
    } else if (ref && typeof ref === 'object' && typeof ref.id === 'string') {
      listed.push({ id: absolute(did, ref.id), vm: ref })
    }
  }
  const chosen = wanted === undefined ? listed : listed.filter((l) => l.id === wanted)
  if (chosen.length === 0) {
    return wanted === undefined
      ? fail('ERR_JWS_KEY_UNKNOWN', `${did.slice(0, 80)} lists no key for ${purpose}`)
      : fail('ERR_DID_NOT_FOUND', `no ${purpose} verification method ${wanted.slice(0, 120)}`)
  }
  const keys: CandidateKey[] = []
  let lastError: CivicError | undefined
  for (const { id, vm } of chosen) {
    if (vm.publicKeyJwk === undefined) continue
    try {
      keys.push({ kid: id, key: PublicKey.fromJwk(vm.publicKeyJwk) })
    } catch (e) {
      if (e instanceof CivicError) lastError = e
      else throw e
    }
  }
  if (keys.length === 0) {
    return lastError ? fail(lastError.code, lastError.detail) : fail('ERR_JWS_KEY_UNKNOWN', 'no verification method with a publicKeyJwk')
  }
  return ok(keys)
}
