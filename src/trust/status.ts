/**
 * Status of (list URI, index), established from what the device holds. A status
 * is `valid`, `invalid` or `suspended` only if ALL of these hold, else `unknown` with a code:
 *  - the list's latest anchor we were shown is inclusion-proven under a status checkpoint that
 *    verified (log key + witness quorum) and is consistent with the trusted status checkpoint
 *    (checked when it was fetched, `proveAnchor`);
 *  - the anchor verifies against the local registry fold NOW (accredited, not suspended, a
 *    current key, under statusListBase): a key revoked or an issuer suspended since voids it;
 *  - now < anchor.iat + anchor.ttl, and the token is inside its own ttl and exp;
 *  - the registry view is at least as new as the anchor: registry checkpointTime + 300 s ≥ iat;
 *  - the token's SHA-256 is the anchor's digest and the token verified (issuer key, sub = uri).
 * Bound: a server can show a list at most ttl old, and can hide a key revocation or a
 * suspension at most ttl + 300 s, as long as a witness quorum is honest (k > n/2 intersects).
 */
import { decodeBase64url, encodeBase64url } from '../core/bytes/base64url.ts'
import { parseJson } from '../core/bytes/json.ts'
import { readShape } from '../core/bytes/shape.ts'
import { decodeUtf8, encodeUtf8 } from '../core/bytes/utf8.ts'
import { PublicKey } from '../core/crypto/keys.ts'
import { CivicError, fail, failFrom, ok, type ErrorCode, type Verdict } from '../core/errors.ts'
import { parseCompactJws } from '../core/jose/jws.ts'
import { decodeBase64, encodeBase64 } from '../core/log/_encoding.ts'
import type { LightClient, MisbehaviourEvidence } from '../core/log/light-client.ts'
import { proveConsistency, verifyConsistency } from '../core/log/merkle.ts'
import { parseTlogProof, verifyTlogProof } from '../core/log/proof.ts'
import { tileHashReader } from '../core/log/tiles.ts'
import { checkAnchorAuthority, verifyStatusAnchor } from '../core/registry/anchor.ts'
import { parseEntry, type StatusAnchorEntry } from '../core/registry/entry.ts'
import { entityKey } from '../core/registry/rules.ts'
import { issuerAccreditation, type RegistryState } from '../core/registry/state.ts'
import { statusListDigest } from '../core/registry/digest.ts'
import { decodeStatusList, STATUS_INVALID, STATUS_SUSPENDED, STATUS_VALID, type StatusList } from '../core/status/list.ts'
import { verifyStatusListToken } from '../core/status/token.ts'
import type { StoredStatusList } from '../store/trust.ts'
import type { TrustConfig } from './config.ts'
import type { StatusListView, StatusVerdict } from './types.ts'

/** The registry view must be witnessed no more than this before an anchor's iat. */
export const REGISTRY_LAG_SECONDS = 300
const MAX_ANCHOR_ANSWER = 256 * 1024

/** A held list, decoded once (the token's signature was verified when it was fetched). */
export interface LiveList {
  rec: StoredStatusList
  anchor: StatusAnchorEntry
  list: StatusList
  tokenKid: string
  tokenIat: number
  tokenTtl: number | null
  tokenExp: number | null
}

/** Decode a stored list; null when the record does not parse (it is then fetched again). */
export async function liveList(rec: StoredStatusList): Promise<LiveList | null> {
  try {
    const anchor = parseEntry(rec.entry)
    if (anchor.type !== 'status-anchor' || anchor.uri !== rec.uri) return null
    const jws = parseCompactJws(decodeUtf8(rec.token, 'status list token'), { maxLength: 1 << 26 })
    const p = jws.payload
    const kid = jws.header.kid
    if (typeof kid !== 'string' || typeof p.iat !== 'number') return null
    const list = await decodeStatusList(p.status_list, { maxBytes: 64 * 1024 * 1024 })
    return {
      rec, anchor, list, tokenKid: kid, tokenIat: p.iat,
      tokenTtl: typeof p.ttl === 'number' ? p.ttl : null, tokenExp: typeof p.exp === 'number' ? p.exp : null,
    }
  } catch (e) {
    if (e instanceof CivicError) return null
    throw e
  }
}

export function listView(l: LiveList): StatusListView {
  return {
    uri: l.rec.uri, iss: l.anchor.iss, version: l.anchor.version, index: l.rec.index, iat: l.anchor.iat, ttl: l.anchor.ttl,
    staleAt: staleAt(l), size: l.list.size, fetchedAt: l.rec.fetchedAt,
  }
}

function staleAt(l: LiveList): number {
  let t = l.anchor.iat + l.anchor.ttl
  if (l.tokenTtl !== null) t = Math.min(t, l.tokenIat + l.tokenTtl)
  if (l.tokenExp !== null) t = Math.min(t, l.tokenExp)
  return t
}

/** The status of `idx` on `uri`, synchronously, from the held list and the fold. */
export function judgeStatus(l: LiveList | undefined, fold: RegistryState, registryAt: number | null, uri: string, idx: number, now: number): StatusVerdict {
  const fresh = { staleAt: l ? staleAt(l) : null, registryAt, anchoredAt: l?.anchor.iat ?? null, version: l?.anchor.version ?? null }
  const unknown = (code: ErrorCode, detail: string): StatusVerdict => ({ state: 'unknown', code, detail, ...fresh })
  const u = uri.slice(0, 120)
  if (!l) return unknown('ERR_STATUS_NOT_ANCHORED', `no proven anchor of ${u} is held (refresh the status)`)
  const auth = checkAnchorAuthority(fold, l.anchor)
  if (!auth.ok) return unknown(auth.code, `the anchor of ${u}: ${auth.detail}`)
  const rec = issuerAccreditation(fold, l.anchor.iss)!
  const tokenKey = entityKey(rec, l.tokenKid)
  if (!tokenKey.ok) return unknown(tokenKey.code, `the status list token of ${u}: ${tokenKey.detail}`)
  if (now >= l.anchor.iat + l.anchor.ttl) return unknown('ERR_STATUS_STALE', `the anchor of ${u} (version ${l.anchor.version}) went stale at ${l.anchor.iat + l.anchor.ttl}`)
  if (l.tokenTtl !== null && now >= l.tokenIat + l.tokenTtl) return unknown('ERR_STATUS_STALE', `the status list token of ${u} went stale at ${l.tokenIat + l.tokenTtl}`)
  if (l.tokenExp !== null && now >= l.tokenExp) return unknown('ERR_TIME_EXPIRED', `the status list token of ${u} expired at ${l.tokenExp}`)
  if (registryAt === null || registryAt + REGISTRY_LAG_SECONDS < l.anchor.iat) {
    return unknown('ERR_TRUST_REGISTRY_BEHIND', `the registry view (witnessed at ${registryAt ?? 'no time'}) is older than the anchor of ${u} (iat ${l.anchor.iat}): sync the registry`)
  }
  if (!Number.isSafeInteger(idx) || idx < 0 || idx >= l.list.size) return unknown('ERR_STATUS_INDEX_OUT_OF_RANGE', `idx ${idx} is beyond the ${l.list.size} entries of ${u}`)
  const value = l.list.get(idx)
  const state = value === STATUS_VALID ? 'valid' : value === STATUS_INVALID ? 'invalid' : value === STATUS_SUSPENDED ? 'suspended' : null
  if (!state) return unknown('ERR_STATUS_VALUE_UNSUPPORTED', `status 0x${value.toString(16).padStart(2, '0')} at idx ${idx} is not VALID, INVALID or SUSPENDED`)
  return { state, code: null, detail: '', ...fresh }
}

export interface ProveAnchorOptions {
  config: TrustConfig
  client: LightClient
  fold: RegistryState
  uri: string
  now: number
  getStatus: (path: string) => Promise<Uint8Array>
  getToken: (url: string) => Promise<Uint8Array>
  /** What is held for the URI: an older version offered is refused, the same token is not fetched again. */
  held: StoredStatusList | undefined
}

export interface ProvenAnchor {
  rec: StoredStatusList
  /** Evidence found on the way (a proof checkpoint contradicting the trusted one). */
  evidence: MisbehaviourEvidence[]
}

/**
 * Fetch and prove the latest anchor of `uri` and its token. Moves the status light client
 * forward when the proof's checkpoint is newer (with a consistency proof from the tiles).
 * Codes: ERR_LOG_FETCH_FAILED, ERR_PROOF_*, the light client's, verifyStatusAnchor's,
 * ERR_REG_VERSION_NOT_INCREASING (older than held), ERR_STATUS_NOT_ANCHORED, the token's.
 */
export async function proveAnchor(o: ProveAnchorOptions): Promise<Verdict<ProvenAnchor> & { evidence?: MisbehaviourEvidence[] }> {
  const evidence: MisbehaviourEvidence[] = []
  const origin = o.config.status.origin
  let answer: { index: number; entry: Uint8Array; proof: string }
  try {
    const bytes = await o.getStatus(`anchor/${encodeBase64url(encodeUtf8(o.uri))}`)
    if (bytes.length > MAX_ANCHOR_ANSWER) return fail('ERR_LOG_FETCH_FAILED', 'the anchor answer is too large')
    const v = readShape(parseJson(decodeUtf8(bytes, 'anchor answer'), { maxLength: MAX_ANCHOR_ANSWER, maxDepth: 4 }, 'anchor answer'), { index: 'uint', entry: 'text', proof: 'text' }, 'anchor answer', 'ERR_PROOF_MALFORMED')
    answer = { index: v.index, entry: decodeBase64url(v.entry, 'anchor entry'), proof: v.proof }
  } catch (e) {
    if (e instanceof CivicError) return failFrom(e)
    const m = e instanceof Error ? e.message : String(e)
    return fail(/HTTP 404/.test(m) ? 'ERR_STATUS_NOT_ANCHORED' : 'ERR_LOG_FETCH_FAILED', `the anchor of ${o.uri.slice(0, 120)}: ${m}`)
  }
  let proof
  try {
    proof = parseTlogProof(answer.proof)
  } catch (e) {
    return failFrom(e)
  }
  if (proof.index !== answer.index) return fail('ERR_PROOF_MALFORMED', `the proof is for index ${proof.index}, the answer names ${answer.index}`)
  const proven = verifyTlogProof(proof, { entry: answer.entry }, o.config.status, o.now)
  if (!proven.ok) return proven
  const cp = proven.value.checkpoint.checkpoint

  // The proof's checkpoint must be consistent with the trusted status checkpoint.
  const trusted = o.client.trusted(origin)
  if (!trusted || cp.size >= trusted.size) {
    let consistency: Uint8Array[] = []
    if (trusted && trusted.size > 0 && cp.size > trusted.size) {
      try {
        consistency = await proveConsistency(trusted.size, cp.size, tileHashReader(cp.size, o.getStatus))
      } catch (e) {
        return fail('ERR_LOG_FETCH_FAILED', `status tiles for the consistency proof: ${(e as Error).message}`)
      }
    }
    const before = o.client.evidence.length
    const moved = o.client.update(proof.checkpointNote, consistency, o.now)
    if (!moved.ok) return { ...moved, evidence: o.client.evidence.slice(before) }
  } else {
    // An older tree: it must be a prefix of the trusted one.
    let consistency: Uint8Array[]
    try {
      consistency = await proveConsistency(cp.size, trusted.size, tileHashReader(trusted.size, o.getStatus))
    } catch (e) {
      return fail('ERR_LOG_FETCH_FAILED', `status tiles for the consistency proof: ${(e as Error).message}`)
    }
    const c = verifyConsistency({ size1: cp.size, size2: trusted.size, proof: consistency, root1: cp.rootHash, root2: decodeBase64(trusted.rootHash)! })
    if (!c.ok) {
      // Kept as the smaller tree "trusted" and the larger "offered": both are validly signed, and
      // this is the order in which the consistency proof that fails is checked.
      evidence.push({
        kind: 'inconsistent', origin, trustedNote: proof.checkpointNote, offeredNote: trusted.checkpointNote,
        consistencyProof: consistency.map(encodeBase64), detail: `the anchor proof's size ${cp.size} is not proven consistent with the trusted size ${trusted.size} (${c.code})`,
        observedAtSeconds: o.now,
      })
      return { ...fail('ERR_LOG_MISBEHAVIOUR', `${origin}: the anchor proof's checkpoint is not a prefix of the trusted one`), evidence }
    }
  }

  const anchor = await verifyStatusAnchor(o.fold, answer.entry, { now: o.now })
  if (!anchor.ok) return anchor
  const a = anchor.value
  if (a.uri !== o.uri) return fail('ERR_STATUS_NOT_ANCHORED', `the ledger answered with an anchor of ${a.uri.slice(0, 120)}`)
  if (o.held) {
    const heldVersion = o.held.version
    if (a.version < heldVersion) return fail('ERR_REG_VERSION_NOT_INCREASING', `offered version ${a.version} of ${o.uri.slice(0, 120)}, version ${heldVersion} is already held`)
  }

  let token: Uint8Array
  if (o.held && statusListDigest(o.held.token) === a.digest) token = o.held.token
  else {
    try {
      token = await o.getToken(o.uri)
    } catch (e) {
      return fail('ERR_STATUS_LIST_MISSING', `the status list ${o.uri.slice(0, 120)}: ${(e as Error).message}`)
    }
  }
  const t = await checkAnchoredToken(o.fold, a, token, o.uri, o.now)
  if (!t.ok) return t
  return ok({ rec: { uri: o.uri, index: answer.index, entry: answer.entry, proof: answer.proof, token, version: a.version, fetchedAt: o.now }, evidence })
}

/** The token is the one anchored (digest), signed by the anchoring issuer's current key, for this URI. */
async function checkAnchoredToken(fold: RegistryState, a: StatusAnchorEntry, token: Uint8Array, uri: string, now: number): Promise<Verdict<true>> {
  if (statusListDigest(token) !== a.digest) return fail('ERR_STATUS_NOT_ANCHORED', `the token served for ${uri.slice(0, 120)} is not the one anchored (version ${a.version})`)
  let text: string
  try {
    text = decodeUtf8(token, 'status list token')
  } catch (e) {
    return failFrom(e)
  }
  const rec = issuerAccreditation(fold, a.iss)!
  const t = await verifyStatusListToken(text, {
    uri, now, maxBytes: 64 * 1024 * 1024,
    key: (jws) => {
      const kid = jws.header.kid
      if (typeof kid !== 'string') return null
      const k = entityKey(rec, kid)
      return k.ok ? PublicKey.fromJwk(k.value.jwk) : null
    },
  })
  if (!t.ok) return t
  if (t.value.iss !== undefined && t.value.iss !== a.iss) return fail('ERR_STATUS_ISSUER_MISMATCH', `the token's iss is ${t.value.iss.slice(0, 120)}, the anchor's ${a.iss}`)
  return ok(true)
}

/** What a wallet staples to an answer: a held list's anchor, its tlog-proof and the token. */
export interface StapledList {
  index: number
  entry: Uint8Array
  proof: string
  token: Uint8Array
}

/**
 * A stapled list, proven with no network: the proof's checkpoint verifies under the status
 * log's key and witness quorum (the witnesses vouch that it is on the one append-only log;
 * with no network there are no tiles for a consistency proof against the trusted checkpoint),
 * the entry is included, it is an anchor of `uri` that verifies against the fold now, and the
 * token is the one anchored. A staple past its anchor's ttl is unknown with ERR_STATUS_STALE
 * (before the token's own exp, which ends with it, is looked at). Then judged as a held list
 * is (ttl, registry lag, index).
 */
export async function judgeStapled(s: StapledList, o: { config: TrustConfig; fold: RegistryState; registryAt: number | null; uri: string; idx: number; now: number }): Promise<StatusVerdict> {
  const unknown = (code: ErrorCode, detail: string): StatusVerdict => ({ state: 'unknown', code, detail, staleAt: null, registryAt: o.registryAt, anchoredAt: null, version: null })
  let proof
  try {
    proof = parseTlogProof(s.proof)
  } catch (e) {
    const f = failFrom(e)
    return unknown(f.code, `the stapled proof: ${f.detail}`)
  }
  if (proof.index !== s.index) return unknown('ERR_PROOF_MALFORMED', `the stapled proof is for index ${proof.index}, the staple names ${s.index}`)
  const proven = verifyTlogProof(proof, { entry: s.entry }, o.config.status, o.now)
  if (!proven.ok) return unknown(proven.code, `the stapled proof: ${proven.detail}`)
  const anchor = await verifyStatusAnchor(o.fold, s.entry, { now: o.now })
  if (!anchor.ok) return unknown(anchor.code, `the stapled anchor: ${anchor.detail}`)
  if (anchor.value.uri !== o.uri) return unknown('ERR_STATUS_NOT_ANCHORED', `the stapled anchor is of ${anchor.value.uri.slice(0, 120)}, not ${o.uri.slice(0, 120)}`)
  // Age first: a staple past its anchor's ttl says so, whatever else its token's own clock says.
  if (o.now >= anchor.value.iat + anchor.value.ttl) return unknown('ERR_STATUS_STALE', `the stapled anchor of ${o.uri.slice(0, 120)} (version ${anchor.value.version}) went stale at ${anchor.value.iat + anchor.value.ttl}`)
  const t = await checkAnchoredToken(o.fold, anchor.value, s.token, o.uri, o.now)
  if (!t.ok) return unknown(t.code, `the stapled token: ${t.detail}`)
  const live = await liveList({ uri: o.uri, index: s.index, entry: s.entry, proof: s.proof, token: s.token, version: anchor.value.version, fetchedAt: o.now })
  if (!live) return unknown('ERR_STATUS_TOKEN_INVALID', 'the stapled token does not decode')
  return judgeStatus(live, o.fold, o.registryAt, o.uri, o.idx, o.now)
}
