/**
 * An issuer office for tests: a real ledger with witnesses (test/ledger/_ledger.ts) serving its
 * two logs, the public security bureau's issuer data directory (initIssuer), its accreditation
 * by the test governance root posted to the registry log, the service and its HTTP server on
 * 127.0.0.1:0. Plus a hand-rolled wallet (our own keys and JWS) for the refusal tests, and a
 * verifier that knows only what it got from the ledger: the registry log synced in full, and
 * the latest anchor of each list looked up by its URI on the status log, proven and judged
 * against that registry.
 */
import { join } from 'node:path'
import { createIssuerAccreditationEntry } from '../../src/core/registry/create.ts'
import { foldEntries } from '../../src/core/registry/fold.ts'
import type { RegistryState } from '../../src/core/registry/state.ts'
import { registryIssuerKeyResolver, sdJwtIssuerKeyResolver } from '../../src/core/registry/resolvers.ts'
import { verifySdJwt } from '../../src/core/sdjwt/verify.ts'
import { LightClient } from '../../src/core/log/light-client.ts'
import { verifyTlogProof } from '../../src/core/log/proof.ts'
import { verifyStatusAnchor } from '../../src/core/registry/anchor.ts'
import { decodeBase64url, encodeBase64url } from '../../src/core/bytes/base64url.ts'
import { encodeUtf8 } from '../../src/core/bytes/utf8.ts'
import { generateNoteKeys } from '../../src/core/log/note.ts'
import { syncLog } from '../../src/core/log/sync.ts'
import { generatePrivateJwk, type PrivateJwk } from '../../src/core/crypto/jwk.ts'
import { signerFromPrivateJwk, type Signer } from '../../src/core/crypto/keys.ts'
import { signCompactJws, type JwsKeyResolver } from '../../src/core/jose/jws.ts'
import { logVerifierKey, type LogName } from '../../src/ledger/config.ts'
import type { LedgerService } from '../../src/ledger/service.ts'
import { ledgerPolicy, type LedgerTrust } from '../../src/issuer/config.ts'
import { initIssuer, IssuerService, type InitOptions, type InitResult } from '../../src/issuer/service.ts'
import { startIssuerServer, type IssuerServer } from '../../src/issuer/http.ts'
import { PRE_AUTHORIZED_GRANT } from '../../src/issuer/vci.ts'
import { ensureAdminToken } from '../../src/issuer/officers.ts'
import { RESIDENT_ID_VCT, SOCIAL_INSURANCE_VCT } from '../../src/issuer/schema.ts'
import { makeWorld, nowSeconds, PSB, type World } from '../ledger/_ledger.ts'

export { PSB, nowSeconds }
export const STATUS_BASE = 'https://psb.gov.example/status/'
export const APP_ORIGIN = 'http://127.0.0.1:8080'
export const PSB_NAME = { 'zh-CN': '某市公安局', en: 'Municipal Public Security Bureau' }
export const CITIZEN = { name: '李伟', birth_date: '1990-05-01', city: '成都', district: '武侯' }

/** A ledger trust policy in the two-log shape for a ledger nobody serves (tests that never reach it). */
export function unreachableTrust(name = 'civic.test/ledger'): LedgerTrust {
  return {
    url: 'http://127.0.0.1:9', registry: { origin: `${name}/registry`, logKeys: [generateNoteKeys(`${name}/registry`).verifierKey] },
    status: { origin: `${name}/status`, logKeys: [generateNoteKeys(`${name}/status`).verifierKey] }, witnessKeys: [], quorum: 0,
  }
}

export interface IssuerWorld {
  world: World
  ledger: LedgerService
  trust: LedgerTrust
  dataDir: string
  init: InitResult
  svc: IssuerService
  server: IssuerServer
  base: string
  /** The admin listener (no trailing slash): the admin API lives under <admin>/admin/. */
  admin: string
  /** The directory's admin token (supervisor rights); postJson sends it to /admin/ URLs. */
  adminToken: string
  /** `{authorization: 'Bearer <admin token>'}` for a hand-made admin request. */
  auth: Record<string, string>
  /** Test clock (seconds); `advance` moves it. */
  clock: { now: number; advance(s: number): void }
  cleanup(): Promise<void>
}

/** The issuer's trust policy for the world's ledger served at `url`: both logs, the world's witnesses and quorum. */
export function worldTrust(world: World, url: string): LedgerTrust {
  const log = (l: LogName) => ({ origin: world.config[l].origin, logKeys: [logVerifierKey(world.config, l)] })
  return { url: url.replace(/\/$/, ''), registry: log('registry'), status: log('status'), witnessKeys: world.witnesses.map((w) => w.verifierKey), quorum: world.config.quorum }
}

/** POST an entry to one log of the ledger at `url`. */
export async function ledgerPost(url: string, log: LogName, body: Uint8Array | string): Promise<{ status: number; json: any }> {
  const r = await fetch(new URL(`${log}/add-entry`, url.endsWith('/') ? url : `${url}/`), { method: 'POST', body: typeof body === 'string' ? body : Buffer.from(body) })
  return { status: r.status, json: await r.json() }
}

/** GET a path (`registry/checkpoint`, `status/proof/3`, …) of the ledger at `url`. */
export async function ledgerGet(url: string, path: string): Promise<{ status: number; bytes: Uint8Array; headers: Headers }> {
  const r = await fetch(new URL(path, url.endsWith('/') ? url : `${url}/`))
  return { status: r.status, bytes: new Uint8Array(await r.arrayBuffer()), headers: r.headers }
}

/** The size of one log's published checkpoint (its second line), unverified: for counting. */
export async function logSize(url: string, log: LogName): Promise<number> {
  const r = await ledgerGet(url, `${log}/checkpoint`)
  if (r.status !== 200) throw new Error(`${log}/checkpoint: HTTP ${r.status}`)
  return Number(new TextDecoder().decode(r.bytes).split('\n')[1])
}

export async function makeIssuerWorld(o: { tunables?: InitOptions['tunables']; accredit?: boolean } = {}): Promise<IssuerWorld> {
  const world = await makeWorld({ witnesses: 3, quorum: 2 })
  const ledger = await world.start()
  const trust = worldTrust(world, ledger.url)
  const dataDir = join(world.dir, 'issuer')
  const clock = { now: nowSeconds(), advance(s: number) { this.now += s } }
  const init = await initIssuer(dataDir, {
    did: PSB, name: PSB_NAME, statusListBase: STATUS_BASE, ledger: trust, vct: [RESIDENT_ID_VCT, SOCIAL_INSURANCE_VCT],
    appOrigin: APP_ORIGIN, tunables: o.tunables, now: clock.now,
  })
  if (o.accredit !== false) {
    const accreditation = await createIssuerAccreditationEntry({
      root: world.root, subject: PSB, id: 'urn:civic:accreditation:psb:issuer-test', name: PSB_NAME,
      keys: [{ kid: init.kid, jwk: init.jwk }], vct: init.vct, statusListBase: STATUS_BASE,
      validFrom: clock.now - 3600, validUntil: clock.now + 365 * 86_400,
    })
    const r = await ledgerPost(ledger.url, 'registry', accreditation)
    if (r.status !== 200) throw new Error(`accreditation refused: ${JSON.stringify(r.json)}`)
  }
  const svc = await IssuerService.open(dataDir, { now: () => clock.now })
  const server = await startIssuerServer(svc, {})
  const adminToken = await ensureAdminToken(dataDir)
  worldAdminToken = adminToken
  return {
    world, ledger, trust, dataDir, init, svc, server, base: server.url, admin: server.adminUrl.replace(/\/$/, ''), clock, adminToken, auth: { authorization: `Bearer ${adminToken}` },
    async cleanup() {
      await server.close()
      await svc.close()
      await world.cleanup()
    },
  }
}

// ── a verifier that knows only the ledger ─────────────────────────────────────────────────

/** Sync the registry log in full from its tiles (witnessed, consistent) and fold it. */
export async function syncRegistryLog(iw: IssuerWorld, now = iw.clock.now): Promise<RegistryState> {
  const policy = ledgerPolicy(iw.trust, 'registry')
  const client = new LightClient([policy])
  const synced = await syncLog({
    // The witnesses cosign on the system clock, whatever the issuer's test clock says.
    origin: policy.origin, now: nowSeconds(), client, edge: { size: 0, hashes: [] },
    fetch: async (path) => {
      const r = await ledgerGet(iw.ledger.url, `registry/${path}`)
      if (r.status !== 200) throw new Error(`registry/${path}: HTTP ${r.status}`)
      return r.bytes
    },
  })
  if (!synced.ok) throw new Error(`sync: ${synced.code}: ${synced.detail}`)
  const folded = await foldEntries(iw.world.root.did, synced.value.entries, now)
  if (!folded.ok) throw new Error(`fold: ${folded.code}: ${folded.detail}`)
  return folded.value
}

export interface ProvenAnchor {
  index: number
  entry: Uint8Array
  /** Size of the status checkpoint the proof is against. */
  checkpointSize: number
}

/**
 * The latest anchor of the list at `uri`, looked up on the status log
 * (`GET status/anchor/<base64url(uri)>`) and its inclusion proven against the status log's
 * policy; null when the ledger has none (404).
 */
export async function latestAnchor(iw: IssuerWorld, uri: string): Promise<ProvenAnchor | null> {
  const r = await ledgerGet(iw.ledger.url, `status/anchor/${encodeBase64url(encodeUtf8(uri))}`)
  if (r.status === 404) return null
  if (r.status !== 200) throw new Error(`status/anchor for ${uri}: HTTP ${r.status}`)
  const v = JSON.parse(new TextDecoder().decode(r.bytes)) as { index: number; entry: string; proof: string }
  const entry = decodeBase64url(v.entry)
  const proven = verifyTlogProof(v.proof, { entry }, ledgerPolicy(iw.trust, 'status'), nowSeconds())
  if (!proven.ok) throw new Error(`status/anchor proof: ${proven.code}: ${proven.detail}`)
  if (proven.value.index !== v.index) throw new Error(`status/anchor: the proof is for ${proven.value.index}, not ${v.index}`)
  return { index: v.index, entry, checkpointSize: proven.value.checkpoint.checkpoint.size }
}

/**
 * What a verifier holds: the registry log folded, plus the latest anchor of each of the office's
 * lists, looked up on the status log, proven, and judged against that registry (accredited
 * issuer, current key, URI under its statusListBase: core/registry/anchor.ts). An anchor the
 * registry does not authorize fails the sync.
 */
export async function syncRegistry(iw: IssuerWorld, now = iw.clock.now): Promise<RegistryState> {
  const registry = await syncRegistryLog(iw, now)
  const anchors = { ...registry.anchors }
  for (const { uri } of iw.svc.lists()) {
    const a = await latestAnchor(iw, uri)
    if (!a) continue
    const v = await verifyStatusAnchor(registry, a.entry, { now })
    if (!v.ok) throw new Error(`anchor of ${uri}: ${v.code}: ${v.detail}`)
    const { iss, version, digest, iat, ttl, signedBy } = v.value
    anchors[uri] = { uri, iss, version, digest, iat, ttl, signedBy }
  }
  return { ...registry, anchors }
}

// ── a hand-rolled wallet ──────────────────────────────────────────────────────────────────

export interface Holder {
  jwk: PrivateJwk
  signer: Signer
}

export function holders(n: number): Holder[] {
  return Array.from({ length: n }, () => {
    const jwk = generatePrivateJwk('ES256')
    return { jwk, signer: signerFromPrivateJwk(jwk) }
  })
}

export function keyProof(h: Holder, payload: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  return signCompactJws({ typ: 'openid4vci-proof+jwt', jwk: h.signer.publicJwk, ...header }, payload, h.signer)
}

export async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; json: any; headers: Headers }> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() })
  return { status: r.status, json: await r.json(), headers: r.headers }
}

/** The admin token of the latest world: every admin route needs a session or the token (the gate's own tests send their own headers). */
let worldAdminToken: string | null = null

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; headers: Headers }> {
  const auth: Record<string, string> = worldAdminToken && new URL(url).pathname.startsWith('/admin/') ? { authorization: `Bearer ${worldAdminToken}` } : {}
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...auth, ...headers }, body: JSON.stringify(body) })
  return { status: r.status, json: await r.json(), headers: r.headers }
}

export async function nonce(iw: IssuerWorld): Promise<string> {
  const r = await fetch(`${iw.base}/nonce`, { method: 'POST' })
  return ((await r.json()) as { c_nonce: string }).c_nonce
}

/** A resident-ID offer for CITIZEN as the console makes it (the admin API, with a transaction code): its link and code. */
export async function consoleOffer(iw: IssuerWorld): Promise<{ offerUri: string; txCode: string }> {
  const r = await postJson(`${iw.admin}/admin/offers`, { vct: 'urn:civic:resident-id', claims: CITIZEN, officer: 'PSB-0042' }, iw.auth)
  if (r.status !== 201) throw new Error(`the offer was refused: HTTP ${r.status} ${JSON.stringify(r.json)}`)
  return r.json as { offerUri: string; txCode: string }
}

/** An offer (no tx code unless asked) redeemed for a Bearer access token. */
export async function redeemedOffer(iw: IssuerWorld, o: { configurationId?: string; claims?: Record<string, string> } = {}): Promise<{ credentialId: string; accessToken: string; configurationId: string }> {
  const created = await iw.svc.createOffer({ configurationId: o.configurationId ?? 'resident-id', claims: o.claims ?? CITIZEN, txCode: false })
  const t = await postForm(`${iw.base}/token`, { grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code', 'pre-authorized_code': created.preAuthorizedCode })
  if (t.status !== 200) throw new Error(`token: ${JSON.stringify(t.json)}`)
  return { credentialId: created.credentialId, accessToken: t.json.access_token, configurationId: created.configurationId }
}

/** A credential request with fresh, valid proofs for `hs` (one nonce), overridable per test. */
export async function requestCredentials(iw: IssuerWorld, accessToken: string, hs: Holder[], o: { configurationId?: string; nonce?: string; aud?: string; body?: (b: any) => any } = {}) {
  const n = o.nonce ?? (await nonce(iw))
  const proofs = await Promise.all(hs.map((h) => keyProof(h, { aud: o.aud ?? iw.base, iat: iw.clock.now, nonce: n })))
  let body: any = { credential_configuration_id: o.configurationId ?? 'resident-id', proofs: { jwt: proofs } }
  if (o.body) body = o.body(body)
  return postJson(`${iw.base}/credential`, body, { authorization: `Bearer ${accessToken}` })
}

/**
 * The wallet's side of OpenID4VCI 1.0's pre-authorized code flow for an offer URI as the console
 * shows it: fetch the offer by reference, redeem the code (with the transaction code when given),
 * prove `copies` fresh holder keys at `now`, and answer how many credentials came back. Any
 * step that does not answer 200 throws with its answer.
 */
export async function collectOffer(offerUri: string, txCode: string | null, copies: number, now = Math.floor(Date.now() / 1000)): Promise<number> {
  const ref = new URL(offerUri).searchParams.get('credential_offer_uri')
  if (!ref) throw new Error('the offer is not by reference')
  const got = await fetch(ref)
  if (got.status !== 200) throw new Error(`offer: ${await got.text()}`)
  const offer = (await got.json()) as { credential_issuer: string; credential_configuration_ids: string[]; grants: Record<string, { 'pre-authorized_code': string }> }
  const form: Record<string, string> = { grant_type: PRE_AUTHORIZED_GRANT, 'pre-authorized_code': offer.grants[PRE_AUTHORIZED_GRANT]!['pre-authorized_code'] }
  if (txCode) form.tx_code = txCode
  const t = await postForm(`${offer.credential_issuer}/token`, form)
  if (t.status !== 200) throw new Error(`token: ${JSON.stringify(t.json)}`)
  const n = (await (await fetch(`${offer.credential_issuer}/nonce`, { method: 'POST' })).json()) as { c_nonce: string }
  const proofs = await Promise.all(holders(copies).map((h) => keyProof(h, { aud: offer.credential_issuer, iat: now, nonce: n.c_nonce })))
  const r = await postJson(`${offer.credential_issuer}/credential`, { credential_configuration_id: offer.credential_configuration_ids[0], proofs: { jwt: proofs } }, { authorization: `Bearer ${t.json.access_token}` })
  if (r.status !== 200) throw new Error(`credential: ${JSON.stringify(r.json)}`)
  return (r.json.credentials as unknown[]).length
}

/** The issuer key a status list token names (header kid `<did>#<kid>`), from the synced registry only. */
export function registryKeyResolver(registry: RegistryState, now: number): JwsKeyResolver {
  return registryIssuerKeyResolver(registry, { now })
}

/** Claims of a credential as verified by the registry's key for its issuer. */
export async function verifiedClaims(sdJwt: string, registry: RegistryState, now: number): Promise<Record<string, any>> {
  const v = await verifySdJwt(sdJwt, { issuerKey: sdJwtIssuerKeyResolver(registry, { now }), keyBinding: 'not-required', now })
  if (!v.ok) throw new Error(`${v.code}: ${v.detail}`)
  return v.value.claims
}
