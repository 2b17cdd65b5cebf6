/**
 * The one catalogue of stable error codes (`ERR_<AREA>_<REASON>`).
 *
 * Three kinds of failure, each handled one way:
 * - programmer errors (our own code passed an impossible value) throw TypeError/RangeError;
 * - bad external input met by a `parse*` function throws `InputError` with a code;
 * - verification outcomes are returned as a `Verdict`, never thrown.
 *
 * Codes are never renamed or reused; callers branch on `code`, never on message text.
 * Each code's line here is its documentation; README's error table lists the same set.
 */

export const ERROR_CODES = {
  // bytes/
  ERR_B64_INVALID: 'base64url text that is not canonical: padding, + or /, a bad length, or non-zero trailing bits',
  ERR_UTF8_INVALID: 'bytes that are not well-formed UTF-8',
  ERR_JSON_SYNTAX: 'text that is not one strict JSON value (RFC 8259, I-JSON strings)',
  ERR_JSON_DUPLICATE_KEY: 'a JSON object with the same member name twice',
  ERR_JSON_TOO_DEEP: 'JSON nested deeper than the cap',
  ERR_JSON_TOO_LARGE: 'JSON text longer than the cap',
  ERR_JSON_NOT_OBJECT: 'a JSON value that must be an object is not one',

  // crypto/
  ERR_JWK_INVALID: 'a JWK that is not a well-formed P-256 or Ed25519 key',
  ERR_KEY_WEAK: 'a public key that is a small-order or otherwise unusable point',
  ERR_KEY_ALG_MISMATCH: 'a key used with an algorithm it is not for',
  ERR_DID_INVALID: 'a DID or DID URL that is malformed',
  ERR_DID_UNSUPPORTED: 'a DID method or key type this resolver does not handle',
  ERR_DID_NOT_FOUND: 'a DID or verification method the resolver does not know',

  // jose/
  ERR_JWS_MALFORMED: 'a compact JWS that is not three base64url parts with JSON header and payload',
  ERR_JWS_TOO_LARGE: 'a JWS longer than the cap',
  ERR_JWS_ALG_NOT_ALLOWED: 'alg outside the allow-list {ES256, EdDSA}: none, HS*, RS* and unknown values',
  ERR_JWS_CRIT_UNSUPPORTED: 'a crit header naming an extension this verifier does not implement',
  ERR_JWS_HEADER_INVALID: 'a protected header member of the wrong type, or b64=false',
  ERR_JWS_TYP_MISMATCH: 'typ is missing or not the one this use requires',
  ERR_JWS_SIGNATURE_MALFORMED: 'a signature of the wrong length or with a value out of range',
  ERR_JWS_SIGNATURE_INVALID: 'a signature that does not verify under the trusted key',
  ERR_JWS_KEY_UNKNOWN: 'no trusted key was found for the signer',

  // sdjwt/
  ERR_SDJWT_TOO_LARGE: 'an SD-JWT longer than the cap',
  ERR_SDJWT_TOO_MANY_DISCLOSURES: 'more disclosures than the cap',
  ERR_SDJWT_TOO_DEEP: 'disclosures or objects nested deeper than the cap',
  ERR_SDJWT_MALFORMED: 'an SD-JWT that is not <JWS>~<disclosure>~…~[<KB-JWT>]',
  ERR_SDJWT_DISCLOSURE_MALFORMED: 'a disclosure that is not [salt, name, value] or [salt, value]',
  ERR_SDJWT_DISCLOSURE_DUPLICATE: 'the same disclosure given twice',
  ERR_SDJWT_DISCLOSURE_UNREFERENCED: 'a disclosure whose digest appears nowhere in the payload or other disclosures',
  ERR_SDJWT_DISCLOSURE_KIND: 'an array-element disclosure referenced from _sd, or a property disclosure from {"...": d}',
  ERR_SDJWT_DIGEST_DUPLICATE: 'the same digest appearing twice in the payload and disclosures',
  ERR_SDJWT_RESERVED_NAME: 'a disclosed claim named _sd or ...',
  ERR_SDJWT_CLAIM_COLLISION: 'a disclosed claim name that already exists at its level',
  ERR_SDJWT_SD_ALG: '_sd_alg missing where required, not a string, or not sha-256',
  ERR_SDJWT_SD_INVALID: '_sd that is not an array of digest strings, or a malformed {"...": digest} element',
  ERR_SDJWT_PRESENT_UNKNOWN: 'a presentation frame naming a claim the credential does not have',
  ERR_SDJWT_FRAME_INVALID: 'a disclosure frame that does not fit the claims it describes',

  // Key Binding JWT
  ERR_KB_REQUIRED: 'key binding is required and the presentation has no KB-JWT',
  ERR_KB_MALFORMED: 'a KB-JWT whose header or payload lacks typ kb+jwt, iat, nonce, aud or sd_hash',
  ERR_KB_NO_CNF: 'the credential has no cnf.jwk to bind the presentation to',
  ERR_KB_SIGNATURE_INVALID: 'a KB-JWT not signed by the key in cnf.jwk',
  ERR_KB_SD_HASH_MISMATCH: 'sd_hash does not cover this presentation',
  ERR_KB_NONCE_MISMATCH: 'the KB-JWT nonce is not the one the verifier issued',
  ERR_KB_AUD_MISMATCH: 'the KB-JWT aud is not this verifier',
  ERR_KB_IAT_OUT_OF_WINDOW: 'the KB-JWT iat is in the future or older than the allowed window',

  // SD-JWT VC profile and time claims
  ERR_SDVC_CLAIM_MISSING: 'a claim SD-JWT VC requires (iss, vct) is missing, or status is not an object',
  ERR_SDVC_CLAIM_DISCLOSABLE: 'a claim that must never be selectively disclosable was disclosed',
  ERR_TIME_CLAIM_INVALID: 'iat, nbf or exp that is not a finite, non-negative number of seconds before the year 10000',
  ERR_TIME_EXPIRED: 'exp is in the past (beyond the allowed skew)',
  ERR_TIME_NOT_YET_VALID: 'nbf or iat is in the future (beyond the allowed skew)',

  // vc/
  ERR_VC_INVALID: 'a VC-JWT that fails did-jwt-vc validation (shape, context, type)',
  ERR_VC_SIGNATURE_INVALID: 'a VC-JWT or VP-JWT whose signature does not verify under the DID key',
  ERR_VC_EXPIRED: 'a VC-JWT or VP-JWT past exp or before nbf',
  ERR_VP_NONCE_MISMATCH: 'a VP-JWT without the expected nonce',
  ERR_VP_AUD_MISMATCH: 'a VP-JWT without the expected aud',
  ERR_VP_HOLDER_MISMATCH: 'an embedded VC whose subject is not the VP holder',
  ERR_VP_CREDENTIAL_INVALID: 'an embedded VC that does not verify',
  ERR_VP_INVALID: 'a VP-JWT that fails validation (shape, context, type, holder, credential list)',

  // log/
  ERR_NOTE_TOO_LARGE: 'a signed note longer than the cap',
  ERR_NOTE_MALFORMED: 'a signed note that is not UTF-8 text ending in a newline, a blank line and "— <name> <base64>" signature lines (c2sp.org/signed-note)',
  ERR_NOTE_TOO_MANY_SIGNATURES: 'a signed note with more signature lines than the cap',
  ERR_NOTE_KEY_INVALID: 'a note verifier or signer key string that is malformed, of an unsupported type, or whose key ID does not match',
  ERR_NOTE_SIGNATURE_INVALID: 'a note signature from a trusted key that does not verify',
  ERR_NOTE_UNVERIFIED: 'a note with no verified signature from a trusted log key',
  ERR_LOG_CHECKPOINT_MALFORMED: 'a checkpoint body that is not origin, decimal size, base64 32-byte root hash and non-empty extension lines (c2sp.org/tlog-checkpoint)',
  ERR_LOG_SIZE_UNSUPPORTED: 'a tree size, index or timestamp above 2^53 - 1, the largest this implementation handles',
  ERR_LOG_ORIGIN_MISMATCH: 'a checkpoint for another log than the one expected',
  ERR_LOG_COSIGNATURE_MALFORMED: 'a cosignature that is not an 8-byte timestamp below 2^63 followed by a 64-byte Ed25519 signature',
  ERR_LOG_COSIGNATURE_INVALID: 'a cosignature from a configured witness that does not verify',
  ERR_LOG_COSIGNATURE_FUTURE: 'a cosignature timestamped further in the future than the allowed skew',
  ERR_LOG_QUORUM_NOT_MET: 'fewer valid cosignatures from configured witnesses than the quorum requires',
  ERR_LOG_TILE_PATH_INVALID: 'a path that is not tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>] in canonical form',
  ERR_LOG_TILE_MALFORMED: 'a hash tile whose length is not 32 bytes times its width',
  ERR_LOG_BUNDLE_MALFORMED: 'an entry bundle that is not exactly its width of big-endian uint16 length-prefixed entries',
  ERR_LOG_TILE_MISMATCH: 'a tile hash that differs from the hash recomputed from the entries or tiles below it',
  ERR_LOG_ROOT_MISMATCH: 'a tree whose recomputed root hash differs from the checkpoint root hash',
  ERR_LOG_FETCH_FAILED: 'a tile or entry bundle that could not be fetched',
  ERR_LOG_MISBEHAVIOUR: 'a validly signed and witnessed checkpoint that rolls back, forks or is not proven consistent with the trusted one (evidence kept)',
  ERR_LOG_STATE_INVALID: 'stored light-client state that is not in the expected shape',
  ERR_LOG_EVIDENCE_INVALID: 'a misbehaviour evidence file or item that is malformed or does not prove the contradiction it claims',
  ERR_LOG_INCLUSION_INVALID: 'an entry whose bytes are not the leaf at its index under the trusted checkpoint (changed, or not in the log)',
  ERR_PROOF_MALFORMED: 'a tlog-proof text or a proof hash that is not well-formed',
  ERR_PROOF_OUT_OF_RANGE: 'an index, tree size or subtree the proof cannot speak about (index beyond size, sizes reversed, empty tree)',
  ERR_PROOF_WRONG_LENGTH: 'a Merkle proof with too many or too few hashes',
  ERR_PROOF_ROOT_MISMATCH: 'a Merkle proof whose recomputed root hash differs from the expected one',

  // ledger/ (server side)
  ERR_LEDGER_LOCKED: 'another sequencer already holds this log',
  ERR_LEDGER_STORAGE: 'the storage backend failed; the request changed nothing',
  ERR_LEDGER_CORRUPT: 'stored log data does not match its checkpoint',
  ERR_LEDGER_CONFIG: 'the ledger data directory or its configuration is missing or invalid',
  ERR_LEDGER_BODY_TOO_LARGE: 'a request body larger than an entry may be',
  ERR_LEDGER_RATE_LIMITED: 'too many requests from one issuer or address; retry later',
  ERR_LEDGER_NOT_FOUND: 'no such tile, entry or proof',
  ERR_LEDGER_UNAVAILABLE: 'the log cannot sequence now (witness quorum not reached, shutting down); retry later',
  ERR_LEDGER_WRONG_LOG: 'an entry of a kind the other log keeps (status anchors go to the status log, everything else to the registry log)',
  ERR_WITNESS_UNKNOWN_LOG: 'a witness asked to cosign a log it does not follow',
  ERR_WITNESS_CONFLICT: 'a checkpoint whose old size is not the size the witness knows',
  ERR_WITNESS_BAD_REQUEST: 'an add-checkpoint request that is not well-formed',

  // registry/
  ERR_REG_ENTRY_TOO_LARGE: 'a ledger entry longer than 65,535 bytes (the tlog-tiles entry bundle limit)',
  ERR_REG_UNKNOWN_TYPE: 'a ledger entry whose typ, or VC type, is none of the registry entry types',
  ERR_REG_SCHEMA: 'a ledger entry whose header or payload is not exactly its type\'s shape: a member missing, extra, of the wrong type or out of range',
  ERR_REG_NOT_AUTHORIZED: 'an entry signed without authority for it: an accreditation, registration or suspension not by the root, a key change by another entity, an entity revoking its own last key, an anchor for a status list the issuer does not own',
  ERR_REG_UNKNOWN_ISSUER: 'an issuer DID with no accreditation in the registry',
  ERR_REG_UNKNOWN_VERIFIER: 'a verifier DID with no registration in the registry',
  ERR_REG_UNKNOWN_ENTITY: 'a key change or suspension about a DID the registry neither accredits nor registers',
  ERR_REG_ROLE_CONFLICT: 'an accreditation for a DID registered as a verifier, or a registration for an accredited issuer',
  ERR_REG_ISSUER_SUSPENDED: 'an issuer whose accreditation the root has revoked',
  ERR_REG_VERIFIER_SUSPENDED: 'a verifier whose registration the root has revoked',
  ERR_REG_EXPIRED: 'an issuer or verifier used outside its accreditation or registration validity, or an entry it signed dated outside it',
  ERR_REG_VCT_NOT_ACCREDITED: 'a credential type (vct) the issuer is not accredited for',
  ERR_REG_VERSION_NOT_INCREASING: 'a status anchor whose version is lower than the last one anchored for its status list URI',
  ERR_REG_REPLAY: 'an entry that repeats a fact already in the registry: a seen accreditation or registration id, an anchored version, a key already added or revoked, a suspension already made',
  ERR_REG_STALE: 'an accreditation or registration not newer than the record or suspension it would supersede, or a suspension naming a superseded one',
  ERR_REG_KEY_REVOKED: 'a revoked key: something signed with it, or an attempt to bring it back',
  ERR_REG_KEY_UNKNOWN: 'a key change revoking a kid the entity does not hold',
  ERR_REG_KID_REUSED: 'a key change adding a kid or public key the entity has used before, or a kid bound to another key than before',
  ERR_REG_LIMIT: 'an entry that would take an entity past a registry limit (keys held, key history, credential ids)',
  ERR_REG_STATE_INVALID: 'stored registry state that is not in the expected shape',

  // issuer/
  ERR_ISSUER_CONFIG: 'the issuer data directory or its configuration is missing or invalid',
  ERR_ISSUER_LOCKED: 'another process already holds this issuer data directory',
  ERR_ISSUER_STORAGE: 'the issuer state could not be read or written; the request changed nothing',
  ERR_ISSUER_UNKNOWN_VCT: 'a credential type (vct or configuration id) this issuer does not issue',
  ERR_ISSUER_CLAIMS_INVALID: 'claims that do not fit the credential type\'s schema: unknown, missing, mistyped, too long, or computed by the issuer',
  ERR_ISSUER_UNKNOWN_CREDENTIAL: 'no offered or issued credential with this id',
  ERR_ISSUER_CREDENTIAL_STATE: 'a status change the credential\'s state does not allow: reinstating a revoked credential, suspending one not yet issued',
  ERR_ISSUER_CAPACITY: 'the issuer has no free status list entries left',
  ERR_ISSUER_LEDGER: 'the ledger refused an entry or could not be reached (the detail starts with the ledger\'s code)',
  ERR_ISSUER_BAD_REQUEST: 'an admin API request that is not well-formed JSON of the expected shape',
  ERR_ISSUER_FORBIDDEN: 'an admin API request from outside loopback or from an origin other than the configured console',
  ERR_ISSUER_NOT_FOUND: 'no such issuer endpoint, offer or status list',
  ERR_ISSUER_UNAUTHENTICATED: 'an admin API request without a live officer session or the admin token (or a sign-in or enrolment that did not verify)',
  ERR_ISSUER_ROLE: 'an admin API action the signed-in officer\'s role does not allow (clerks issue and view; supervisors also revoke, publish, rotate and manage officers)',
  ERR_ISSUER_ENROLMENT: 'an officer enrolment link that is unknown, already used or expired',
  ERR_ISSUER_RATE_LIMITED: 'too many sign-in, enrolment or failed admin API requests from one network; retry later',
  ERR_ISSUER_PASSKEY: 'the browser did not complete the passkey step (cancelled, timed out, no passkey of this office, or no passkey support)',
  ERR_ISSUER_UNREACHABLE: 'the issuer\'s admin API could not be reached, or answered with something that is not its JSON',
  ERR_VCI_REQUEST_INVALID: 'a token or credential request that is malformed or lacks a required parameter (OpenID4VCI invalid_request, invalid_credential_request)',
  ERR_VCI_GRANT_UNSUPPORTED: 'a token request with a grant type other than the pre-authorized code',
  ERR_VCI_OFFER_UNKNOWN: 'a pre-authorized code or offer this issuer never made, or forgot a day after its expiry',
  ERR_VCI_OFFER_USED: 'a pre-authorized code that was already redeemed: offers are single-use',
  ERR_VCI_OFFER_EXPIRED: 'an offer, or the access token it gave, that expired before the credentials were issued',
  ERR_VCI_OFFER_VOID: 'an offer cancelled by the issuer, or voided after too many wrong transaction codes',
  ERR_VCI_TX_CODE_REQUIRED: 'the offer needs a transaction code and none was sent',
  ERR_VCI_TX_CODE_UNEXPECTED: 'a transaction code sent for an offer that has none',
  ERR_VCI_TX_CODE_INVALID: 'a wrong transaction code',
  ERR_VCI_TOKEN_INVALID: 'a credential request without a valid, unexpired, unused access token',
  ERR_VCI_DPOP_INVALID: 'a DPoP proof that is malformed, badly signed, stale, replayed, made for another request, or not by the key the access token is bound to',
  ERR_VCI_UNKNOWN_CONFIGURATION: 'a credential_configuration_id the issuer does not have, or that the access token does not cover',
  ERR_VCI_PROOF_INVALID: 'a key proof that is not a valid openid4vci-proof+jwt: typ, alg, header jwk, signature or iat',
  ERR_VCI_PROOF_AUD_MISMATCH: 'a key proof whose aud is not this Credential Issuer',
  ERR_VCI_NONCE_MISSING: 'a key proof without a c_nonce from the nonce endpoint',
  ERR_VCI_NONCE_INVALID: 'a key proof with a c_nonce this issuer did not give, or that expired',
  ERR_VCI_NONCE_REPLAYED: 'a key proof with a c_nonce already used by an earlier credential request',
  ERR_VCI_HOLDER_KEY_DUPLICATE: 'a batch whose key proofs do not each use a distinct holder key',
  ERR_VCI_BATCH_TOO_LARGE: 'more key proofs in one credential request than batch_size allows',

  // status/
  ERR_STATUS_LIST_MALFORMED: 'a status_list that is not exactly {bits, lst[, aggregation_uri]} with lst a string, or whose byte array is empty',
  ERR_STATUS_BITS_INVALID: 'status_list bits other than 1, 2, 4 or 8',
  ERR_STATUS_LIST_TOO_LARGE: 'a status list whose lst, or the byte array it inflates to, is larger than the cap (a decompression bomb is refused before it is inflated)',
  ERR_STATUS_ZLIB_INVALID: 'lst that is not one valid zlib stream (RFC 1950 around DEFLATE, RFC 1951): a bad header, a preset dictionary, an invalid block, code or distance, or a wrong Adler-32',
  ERR_STATUS_ZLIB_TRUNCATED: 'lst whose zlib stream ends before its final block and Adler-32 check value',
  ERR_STATUS_ZLIB_TRAILING_DATA: 'lst with bytes after the end of its zlib stream',
  ERR_STATUS_TOKEN_INVALID: 'a status list token (statuslist+jwt) without sub or status_list, or with sub, iss or ttl of the wrong type',
  ERR_STATUS_URI_MISMATCH: 'a status list token whose sub is not the URI the credential\'s status names',
  ERR_STATUS_STALE: 'a status list token or a status anchor older than its ttl: fetch a fresh list or sync the ledger',
  ERR_STATUS_REF_INVALID: 'a credential status claim that is not {status_list: {idx, uri}} with idx a non-negative integer and uri an absolute URI',
  ERR_STATUS_LIST_MISSING: 'no status list token for the credential was at hand',
  ERR_STATUS_NOT_ANCHORED: 'a status list URI with no anchor on the ledger, or a token whose SHA-256 is not the digest anchored for it',
  ERR_STATUS_ISSUER_MISMATCH: 'a status list anchored by another issuer than the credential\'s, or a token whose iss is another issuer',
  ERR_STATUS_INDEX_OUT_OF_RANGE: 'a credential status idx at or beyond the end of its status list',
  ERR_STATUS_VALUE_UNSUPPORTED: 'a status value other than VALID (0), INVALID (1) and SUSPENDED (2): application-specific (3, 12 to 15) or unregistered',
  ERR_STATUS_REVOKED: 'a credential its issuer revoked: INVALID in the status list the ledger anchors',
  ERR_STATUS_SUSPENDED: 'a credential its issuer suspended: SUSPENDED in the status list the ledger anchors',

  // trust/ and store/ (the device's verified copy of the ledger)
  ERR_TRUST_CONFIG: 'a trust configuration (civic-config.json\'s ledger member and statusMirrors) that is not exactly its shape, or whose keys, origins or quorum do not parse',
  ERR_TRUST_REGISTRY_BEHIND: 'a status anchor newer than the registry view that judges it (the registry checkpoint was witnessed more than 300 s before the anchor\'s iat): sync the registry',
  ERR_STORE_UNAVAILABLE: 'the device\'s IndexedDB cannot be opened or was closed under us (absent, blocked by another tab on an older version, or a newer version of the app owns it)',
  ERR_STORE_QUOTA: 'the device\'s storage quota is used up; the transaction wrote nothing',

  // wallet/ (the citizen's vault)
  ERR_WALLET_VAULT_INVALID: 'a stored vault record that is not exactly its shape, or whose key derivation parameters are not argon2id within the floor and ceiling',
  ERR_WALLET_PASSPHRASE_WRONG: 'a passphrase that does not open this wallet',
  ERR_WALLET_PASSPHRASE_WEAK: 'a new passphrase shorter than the wallet\'s minimum of 8 characters; no wallet was made',
  ERR_WALLET_THROTTLED: 'an unlock attempt made before the wait that grows after each wrong passphrase is over; it was not tried',
  ERR_WALLET_PASSKEY_REFUSED: 'a passkey that is not one that unlocks this wallet, or whose PRF answer does not open it',
  ERR_WALLET_RECORD_INVALID: 'an encrypted wallet record that does not open under the wallet\'s key: changed, swapped for another record, or not one',
  ERR_WALLET_OFFER_INVALID: 'an offer link or credential offer that is not an OpenID4VCI 1.0 pre-authorized offer of one credential configuration from an https issuer',
  ERR_WALLET_ISSUER_UNREACHABLE: 'the issuer could not be reached (network, offline)',
  ERR_WALLET_ISSUANCE_REFUSED: 'the issuer refused a step of issuance, or answered something this wallet cannot use (its error and code are in the detail)',
  ERR_WALLET_TX_CODE_NEEDED: 'an offer that needs the transaction code the officer gave, and none was entered',
  ERR_WALLET_REQUEST_INVALID: 'a request the wallet will not answer: its verifier is not registered now, its purpose is not one of the verifier\'s, it asks for another credential type, or a claim it needs is not in the credential',
  ERR_WALLET_BACKUP_INVALID: 'a file that is not a Civic Wallet backup, or whose contents, once opened, are not exactly a backup\'s shape',
  ERR_WALLET_CREDENTIAL_INVALID: 'a received credential that does not verify under the registry, is not bound to the key that asked for it, or is not the type offered',

  // exchange/ (the counter: request, answer, QR frames, receipt)
  ERR_QR_FRAME_MALFORMED: 'a QR frame that is not a Civic exchange frame: another magic or version, a short header, a count of zero, a number not below the count, a total below the count, or a payload not of its balanced length',
  ERR_QR_FRAME_TOO_LARGE: 'a QR frame, a frame count or a message to split beyond the caps',
  ERR_QR_FRAME_FOREIGN: 'a frame of another message (its message id, count or size differ), or a frame number seen before with other bytes',
  ERR_QR_FRAMES_INCOMPLETE: 'frames are missing: the message cannot be joined yet',
  ERR_QR_INTEGRITY: 'joined frames whose integrity check (truncated SHA-256 of the whole message) does not match',
  ERR_EXCH_PACK_INVALID: 'a packed presentation that does not unpack: another version, bad lengths, corrupt or oversized deflate data, or bytes left over',
  ERR_EXCH_JWE_INVALID: 'an encrypted answer outside the one JWE profile allowed: alg other than ECDH-ES, enc other than A128GCM or A256GCM, zip, crit, or an epk that is not a P-256 point',
  ERR_EXCH_JWE_DECRYPT: 'an encrypted answer that does not decrypt under the request\'s key: made for another request, or changed',
  ERR_EXCH_REQUEST_INVALID: 'a counter request that is not a well-formed request object signed by the counter key with its attestation',
  ERR_EXCH_REQUEST_EXPIRED: 'a counter request past its expiry, or issued in the future',
  ERR_EXCH_REQUEST_LIFETIME: 'a counter request valid for longer than five minutes',
  ERR_EXCH_ATTESTATION_INVALID: 'a counter attestation that is malformed, expired, or not signed by a key its verifier registered on the ledger',
  ERR_EXCH_COUNTER_UNENROLLED: 'a request not signed by the counter key its attestation binds, or for a purpose the attestation does not grant',
  ERR_EXCH_PURPOSE_UNKNOWN: 'a request naming a purpose its verifier has not registered',
  ERR_EXCH_PURPOSE_RETAINS: 'a counter request for a purpose whose registration keeps data: counters keep nothing',
  ERR_EXCH_OVERASKING: 'a request for claims beyond its registered purpose: not answered unless the holder allows each such claim',
  ERR_EXCH_DCQL_INVALID: 'a DCQL query outside what the counter exchange accepts: one dc+sd-jwt credential, its type, claim paths of names',
  ERR_EXCH_NONCE_UNKNOWN: 'an answer to a request this counter did not make, or no longer holds',
  ERR_EXCH_REPLAY: 'an answer to a request that was already answered: a request\'s nonce is used once',
  ERR_EXCH_CLAIM_MISSING: 'an answer that does not disclose a claim the request requires',
  ERR_EXCH_CLAIM_UNASKED: 'an answer that discloses a claim the request did not ask for',
  ERR_EXCH_STAPLE_INVALID: 'stapled status that is not a staple: another tag, a bad index, or parts missing or left over',
  ERR_EXCH_RECEIPT_INVALID: 'a receipt that is malformed or not signed by the counter key its attestation binds',
  ERR_EXCH_RECEIPT_MISMATCH: 'a receipt for another request: another nonce, verifier or purpose',
  ERR_POLICY_HOLDER_RULE: 'a request that needs a claim the holder\'s own rules never share',

  // verifier/ (a verifier's counter enrolment service)
  ERR_VERIFIER_ENROLMENT: 'a counter enrolment code that is unknown, already used or expired: ask the verifier for a new one',
  ERR_VERIFIER_BAD_REQUEST: 'a request to a verifier\'s service that is not JSON of the expected shape: members missing or unknown, a counter name that is empty or too long, a list of purposes that is not a set of ids',
  ERR_VERIFIER_FORBIDDEN: 'a request to a verifier\'s service from a browser origin other than the app\'s, or an admin request from outside loopback, to a host name other than a loopback one, with the admin token from a browser page, or while the token file is readable by others',
  ERR_VERIFIER_UNAUTHENTICATED: 'a verifier admin request without a live officer session or the verifier\'s admin token (or an officer\'s sign-in or enrolment that did not verify)',
  ERR_VERIFIER_ROLE: 'a verifier admin action the signed-in officer\'s role does not allow (officers make counter enrolment codes and see the counters; supervisors also manage officers and read the audit trail)',
  ERR_VERIFIER_OFFICER_ENROLMENT: 'a verifier officer\'s enrolment link that is unknown, already used or expired (or a first supervisor\'s once the verifier has one)',
  ERR_VERIFIER_RATE_LIMITED: 'too many sign-in, enrolment or failed admin requests to a verifier from one network; retry later',
  ERR_VERIFIER_CAPACITY: 'a verifier has as many officers or pending officer enrolments as it keeps',
  ERR_VERIFIER_STORAGE: 'a verifier\'s officers or audit trail could not be read or written; the request changed nothing',
  ERR_VERIFIER_CONFIG: 'a verifier\'s officers file that does not fit, or passkeys asked for while its console origin is not set',
  ERR_VERIFIER_PASSKEY: 'the browser did not complete the passkey step for a verifier\'s console (cancelled, timed out, no passkey of this verifier, or no passkey support)',
  ERR_VERIFIER_UNREACHABLE: 'a verifier\'s admin API could not be reached, or answered with something that is not its JSON',

  // node/http (every service's HTTP layer)
  ERR_HTTP_BAD_REQUEST: 'a request whose target is malformed: not an absolute path, a bad percent-encoding, invalid UTF-8 or control characters once decoded',
  ERR_HTTP_NOT_FOUND: 'no resource at this path',
  ERR_HTTP_METHOD_NOT_ALLOWED: 'a known path asked with a method it does not answer (the Allow header lists those it does)',
  ERR_HTTP_BODY_TOO_LARGE: 'a request body larger than the endpoint accepts',
  ERR_HTTP_HEADERS_TOO_LARGE: 'request headers larger than the server accepts',
  ERR_HTTP_TIMEOUT: 'a request whose headers or body did not arrive in time; the connection is closed',
  ERR_HTTP_INTERNAL: 'the server failed while answering (its log says why); retry later',

  // cli/
  ERR_CLI_USAGE: 'a command line that does not fit the command',
  ERR_CLI_FILE: 'a file named on the command line that cannot be read',
} as const

export type ErrorCode = keyof typeof ERROR_CODES

export function isErrorCode(x: unknown): x is ErrorCode {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, x)
}

/** Base of every coded error. `detail` is for people; it never holds secrets or key bytes. */
export class CivicError extends Error {
  readonly code: ErrorCode
  readonly detail: string
  constructor(code: ErrorCode, detail: string, options?: { cause?: unknown }) {
    super(`${code}: ${detail}`, options)
    this.name = new.target.name
    this.code = code
    this.detail = detail
  }
}

/** Bad external input met by a parser. */
export class InputError extends CivicError {}

/** The result of verifying something an attacker may have made. */
export type Verdict<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; detail: string }
export type Failure = { ok: false; code: ErrorCode; detail: string }

export const fail = (code: ErrorCode, detail: string): Failure => ({ ok: false, code, detail })
export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value })

/** Turn a thrown InputError into a failure verdict; anything else is our bug and rethrows. */
export function failFrom(e: unknown): Failure {
  if (e instanceof CivicError) return fail(e.code, e.detail)
  throw e
}
