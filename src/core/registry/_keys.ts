/**
 * PublicKey objects for registry keys, imported once (internal). A PublicKey caches its
 * WebCrypto import, so verifying many entries or credentials under one issuer key pays the
 * import once. Keys come only from the registry state (already strictly parsed), never from a
 * token. The cache is bounded and simply cleared when full.
 */
import { canonicalJwkJson, type PublicJwk } from '../crypto/jwk.ts'
import { PublicKey } from '../crypto/keys.ts'

const MAX_CACHED = 1024
const cache = new Map<string, PublicKey>()

export function publicKeyOf(jwk: PublicJwk): PublicKey {
  const id = canonicalJwkJson(jwk)
  let key = cache.get(id)
  if (!key) {
    if (cache.size >= MAX_CACHED) cache.clear()
    key = PublicKey.fromJwk(jwk)
    cache.set(id, key)
  }
  return key
}
