/**
 * The preset DEFLATE dictionary of packed answers (pack.ts; RFC 1951 §3.2 lets a stream refer
 * back into bytes both sides agree on before it starts). An answer is about a kilobyte, too
 * short for DEFLATE to find much to repeat inside it; what every answer repeats is the same
 * JSON, which the pack carries decoded (JOSE headers, SD-JWT VC member names, our `vct`
 * values, the demo system's DIDs and status URIs, the resident-ID claim names), so here it
 * is, written out the way our issuer and wallet write it (JSON.stringify: no spaces, members
 * in the order issue.ts, vc.ts and kb.ts set them).
 *
 * Order matters: a match costs more bits the farther back it reaches, so what every answer
 * holds, and holds first, comes last (the issuer header ends the dictionary, right before the
 * body that starts with it); other issuers, other types and the stapled extras come first.
 * The 32 KiB window leaves room to spare. Claim values are left out (a list of city names
 * would fit the test citizen, not the population). Measured on a 4-claim resident-ID answer
 * with KB (1,639 characters): 0.44 of the compact length with this dictionary, 0.58 without.
 *
 * Version: this is the dictionary of pack version 1. Changing a single byte changes what
 * every pack means: it takes a new PACK_VERSION (and a reader that keeps the old dictionary for
 * as long as old wallets answer). The test pins its SHA-256.
 */
import { encodeUtf8 } from '../bytes/utf8.ts'

const SEGMENTS = [
  // Stapled extras, opaque to the pack but text as the wallet staples them: a tlog-proof of the
  // status anchor (log/proof.ts), and the statuslist+jwt, whose header and the start of whose
  // payload are the same base64url for every token of an issuer (3-byte aligned prefixes).
  'c2sp.org/tlog-proof@v1\nindex ',
  'eyJhbGciOiJFUzI1NiIsInR5cCI6InN0YXR1c2xpc3Qrand0Iiwia2lkIjoiZGlkOndlYjpwc2IuZ292LmV4YW1wbGUja2V5',
  '.eyJpc3MiOiJkaWQ6d2ViOnBzYi5nb3YuZXhhbXBsZSIsInN1YiI6Imh0dHBzOi8vcHNiLmdvdi5leGFtcGxlL3N0YXR1',
  // The other issuer and its type.
  '{"alg":"ES256","typ":"dc+sd-jwt","kid":"did:web:hrss.gov.example#key-1"}',
  '{"iss":"did:web:hrss.gov.example","iat":17',
  ',"vct":"urn:civic:social-insurance","nbf":17',
  '"uri":"https://hrss.gov.example/status/',
  '","insured_since","20',
  '","contribution_city","',
  // Verifiers of the demo system, as the KB-JWT's aud (the request's client_id).
  ',"aud":"verifier_attestation:did:web:kangjian-pharmacy.example","nonce":"',
  // Claims an answer may carry besides the resident-ID ones.
  '","given_name","',
  '","family_name","',
  '","nationality","CN"]',
  '","address",{"',
  '","age_over_60",true]',
  '","age_over_60",false]',
  '","age_over_18",false]',
  // The KB-JWT (kb.ts: iat, aud, nonce, sd_hash).
  '{"alg":"ES256","typ":"kb+jwt"}',
  '{"iat":18',
  ',"aud":"verifier_attestation:did:web:service-hall.city.example","nonce":"',
  '","sd_hash":"',
  // Disclosures: [salt, name, value] (a plain `[salt, value]` for array elements).
  '","age_over_18",true]',
  '","district","',
  '","city","',
  '","birth_date","19',
  '","name","',
  '["',
  // The issuer-signed payload (vc.ts: iss, iat, vct, nbf, exp, cnf, status; then _sd, _sd_alg).
  '"],"_sd_alg":"sha-256"}',
  '"}},"_sd":["',
  ',"uri":"https://psb.gov.example/status/',
  '"}},"status":{"status_list":{"idx":',
  ',"cnf":{"jwk":{"kty":"EC","crv":"P-256","x":"',
  '","y":"',
  ',"vct":"urn:civic:resident-id","nbf":17',
  ',"exp":18',
  '{"iss":"did:web:psb.gov.example","iat":17',
  // The issuer header, first in every body.
  '{"alg":"ES256","typ":"dc+sd-jwt","kid":"did:web:psb.gov.example#key-1"}',
]

/** The dictionary of pack version 1, as UTF-8 bytes. */
export const PACK_DICTIONARY: Uint8Array = encodeUtf8(SEGMENTS.join(''))
