/**
 * One verifier's counter enrolment (Node; design §6 step 0): the verifier hands an official a
 * one-time code, the official's counter device sends it with its public key, and the verifier
 * answers with a counter attestation (src/core/exchange/request.ts) signed by the key it
 * registered on the ledger, binding that device key to the verifier and the purposes the code
 * grants.
 *
 * Who the verifier is — id, DID, names, the registered kid and purposes — is given by the
 * caller (`civic verifier serve` takes it from the demo's table, src/cli/demo.ts, the very
 * table the governance root registered on the ledger), so there is no second copy of the
 * registration to drift from it.
 *
 * Data directory (`<data>` is the system's data directory, as `civic start` lays it out):
 *
 *   <data>/verifier-<id>.jwk         the verifier's registered signing key (P-256 private JWK,
 *                                    kid `counter-1`), made by the demo seed, mode 0600. Read
 *                                    once at open into a Signer; never copied, logged or served.
 *   <data>/verifier-<id>/            this service's own directory (mode 0700):
 *     codes/<sha256>.json            a pending enrolment code: its SHA-256 (hex, the file's
 *                                    name; the code itself is on no disk), the counter name and
 *                                    purposes it grants, createdAt, expiresAt. Written durably
 *                                    (temp file, fsync, rename, directory fsync), mode 0600;
 *                                    removed once used or expired.
 *     used/<sha256>.json             the code used: the counter it enrolled (id, name,
 *                                    purposes, the device key's thumbprint, the attestation's
 *                                    jti, iat, exp). Created exclusively — written and fsynced
 *                                    under a temp name, then hard-linked to its name, which
 *                                    fails if it exists — so a code is used once across
 *                                    restarts and across processes sharing the directory.
 *     admin-token                    the admin listener's bearer token (admin-token.ts)
 *
 * Codes are 128 random bits and live 24 hours by default (at most 7 days). One code per file
 * means no state is held in memory and none is read at start: the files are the truth, so a
 * restart or a second process on the directory cannot resurrect a used code or lose a new one.
 *
 * Enrolment, in this order: the code's form and the device key (P-256 only, parsePublicJwk)
 * are checked first, so a bad key leaves the code unused; then the code is looked up (unknown,
 * used, expired: ERR_VERIFIER_ENROLMENT); the attestation is signed; then the code is used up
 * durably; only then is the attestation returned. A crash after the code is used and before
 * the answer leaves a used code and a counter without its attestation: the official asks for a
 * new code — the safe direction.
 *
 * Guessing is not rate-limited: a code is 128 bits, and a wrong one costs a hash and a failed
 * open (no write, no signature), within the HTTP layer's connection cap.
 */
import { createHash, randomBytes } from 'node:crypto'
import { link, mkdir, readdir, readFile, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { CivicError, InputError } from '../core/errors.ts'
import { parseJson } from '../core/bytes/json.ts'
import { readShape } from '../core/bytes/shape.ts'
import { jwkThumbprint, parsePrivateJwk, parsePublicJwk, type EcPublicJwk } from '../core/crypto/jwk.ts'
import { signerFromPrivateJwk, type Signer } from '../core/crypto/keys.ts'
import { ATTESTATION_MAX_SECONDS, signCounterAttestation } from '../core/exchange/request.ts'
import type { LocalizedText, VerifierPurpose } from '../core/registry/entry.ts'
import { fsyncDir, tempName, writeFileDurably, writeSynced } from '../node/durable.ts'
import { COUNTER_NAME_MAX, ENROLMENT_CODE, type CounterView, type EnrolAnswer, type VerifierInfo } from './wire.ts'

/** Seconds an enrolment code lives unless its maker says otherwise. */
export const CODE_SECONDS = 24 * 60 * 60
/** The longest life a code may be given. */
export const CODE_MAX_SECONDS = 7 * 24 * 60 * 60
const CODES_DIR = 'codes'
const USED_DIR = 'used'
const HASH_FILE = /^([0-9a-f]{64})\.json$/
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

/** The verifier's own directory under the system's data directory. */
export const verifierDir = (dataDir: string, id: string): string => join(dataDir, `verifier-${id}`)
/** The file name of a verifier's registered signing key in the system's data directory. */
export const verifierKeyFileName = (id: string): string => `verifier-${id}.jwk`

export interface VerifierIdentity {
  /** Short id (`service-hall`): its directory's name and its id in the app's config. */
  id: string
  did: string
  name: LocalizedText
  /** The fragment of its registered key (`<did>#<kid>`), `counter-1` in the demo. */
  kid: string
  purposes: readonly VerifierPurpose[]
}

export interface VerifierServiceOptions {
  /** The system's data directory (holding `verifier-<id>.jwk`). */
  dataDir: string
  identity: VerifierIdentity
  /** Seconds an attestation lives (default and at most ATTESTATION_MAX_SECONDS, 7 days). */
  attestationSeconds?: number
  /** The clock in seconds (default: the system clock). */
  now?: () => number
}

export interface CreatedCode {
  code: string
  expiresAt: number
  name: LocalizedText
  purposes: string[]
}

interface CodeFile {
  version: 1
  name: LocalizedText
  purposes: string[]
  createdAt: number
  expiresAt: number
}

interface UsedFile extends CounterView {
  version: 1
}

const sha256Hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex')
const json = (v: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(v)}\n`)

function bad(detail: string): never {
  throw new CivicError('ERR_VERIFIER_BAD_REQUEST', detail)
}

function refused(detail: string): never {
  throw new CivicError('ERR_VERIFIER_ENROLMENT', detail)
}

/** A counter's name as given: exactly {zh-CN, en}, each 1–120 characters with no control character. */
export function parseCounterName(v: unknown): LocalizedText {
  const n = readShape(v, { 'zh-CN': 'text', en: 'text' }, 'name', 'ERR_VERIFIER_BAD_REQUEST')
  for (const l of ['zh-CN', 'en'] as const) {
    if (n[l].length > COUNTER_NAME_MAX) bad(`name.${l} is longer than ${COUNTER_NAME_MAX} characters`)
    if (CONTROL.test(n[l]) || n[l].trim() !== n[l]) bad(`name.${l} holds a control character or surrounding spaces`)
  }
  return { 'zh-CN': n['zh-CN'], en: n.en }
}

/** Our own file, read strictly: one that does not fit is a fault of this service (thrown plainly, so it is logged). */
function readOwn<T>(text: string, path: string, read: (v: unknown) => T): T {
  try {
    return read(parseJson(text, { maxLength: 64 * 1024, maxDepth: 8 }, path))
  } catch (e) {
    if (e instanceof CivicError) throw new Error(`${path}: ${e.code}: ${e.detail}`, { cause: e })
    throw e
  }
}

function readCodeFile(v: unknown): CodeFile {
  const f = readShape(v, { version: 'uint', name: 'object', purposes: 'array', createdAt: 'uint', expiresAt: 'uint' }, 'code', 'ERR_VERIFIER_BAD_REQUEST')
  if (f.version !== 1 || !f.purposes.every((p) => typeof p === 'string')) throw new TypeError('not a code file of version 1')
  return { version: 1, name: parseCounterName(f.name), purposes: f.purposes as string[], createdAt: f.createdAt, expiresAt: f.expiresAt }
}

function readUsedFile(v: unknown): UsedFile {
  const f = readShape(v, { version: 'uint', counter: 'object', purposes: 'array', keyThumbprint: 'text', attestationId: 'text', enrolledAt: 'uint', exp: 'uint' }, 'used', 'ERR_VERIFIER_BAD_REQUEST')
  const c = readShape(f.counter, { id: 'text', name: 'object' }, 'used.counter', 'ERR_VERIFIER_BAD_REQUEST')
  if (f.version !== 1 || !f.purposes.every((p) => typeof p === 'string')) throw new TypeError('not a used-code file of version 1')
  return { version: 1, counter: { id: c.id, name: parseCounterName(c.name) }, purposes: f.purposes as string[], keyThumbprint: f.keyThumbprint, attestationId: f.attestationId, enrolledAt: f.enrolledAt, exp: f.exp }
}

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | null)?.code

export class VerifierService {
  readonly id: string
  readonly did: string
  readonly name: LocalizedText
  readonly kid: string
  readonly purposes: readonly VerifierPurpose[]
  /** This service's own directory, `<data>/verifier-<id>`. */
  readonly dir: string
  readonly now: () => number
  readonly #signer: Signer
  readonly #attestationSeconds: number

  private constructor(o: VerifierServiceOptions, signer: Signer) {
    this.id = o.identity.id
    this.did = o.identity.did
    this.name = o.identity.name
    this.kid = o.identity.kid
    this.purposes = o.identity.purposes
    this.dir = verifierDir(o.dataDir, o.identity.id)
    this.now = o.now ?? (() => Math.floor(Date.now() / 1000))
    this.#signer = signer
    this.#attestationSeconds = o.attestationSeconds ?? ATTESTATION_MAX_SECONDS
  }

  /**
   * Reads the signing key and makes the service's directories. The key must be the verifier's
   * P-256 private JWK (ERR_JWK_INVALID otherwise); a missing key file is the caller's to name
   * (`civic verifier serve` says so before it opens).
   */
  static async open(o: VerifierServiceOptions): Promise<VerifierService> {
    const s = o.attestationSeconds
    if (s !== undefined && (!Number.isSafeInteger(s) || s < 60 || s > ATTESTATION_MAX_SECONDS)) throw new RangeError('attestationSeconds must be 60..ATTESTATION_MAX_SECONDS')
    if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(o.identity.id)) throw new RangeError('a verifier id is 1–32 lower-case letters, digits and hyphens')
    if (o.identity.purposes.length === 0) throw new RangeError('a verifier registers at least one purpose')
    const keyPath = join(o.dataDir, verifierKeyFileName(o.identity.id))
    const text = await readFile(keyPath, 'utf8')
    let jwk
    try {
      jwk = parsePrivateJwk(parseJson(text, { maxLength: 4096, maxDepth: 2 }, verifierKeyFileName(o.identity.id)))
    } catch (e) {
      // Never the key's text in a message: only what is wrong with it.
      if (e instanceof InputError) throw new CivicError('ERR_JWK_INVALID', `${keyPath} is not a private JWK: ${e.code}`)
      throw e
    }
    if (jwk.kty !== 'EC') throw new CivicError('ERR_JWK_INVALID', `${keyPath} is not a P-256 key (counter attestations are ES256)`)
    const svc = new VerifierService(o, signerFromPrivateJwk(jwk))
    await mkdir(svc.dir, { recursive: true, mode: 0o700 })
    await mkdir(join(svc.dir, CODES_DIR), { mode: 0o700 }).catch((e) => (errno(e) === 'EEXIST' ? undefined : Promise.reject(e)))
    await mkdir(join(svc.dir, USED_DIR), { mode: 0o700 }).catch((e) => (errno(e) === 'EEXIST' ? undefined : Promise.reject(e)))
    return svc
  }

  info(): VerifierInfo {
    return { did: this.did, id: this.id, name: this.name, purposes: this.purposes.map((p) => ({ ...p, claims: [...p.claims] })) }
  }

  /** The purposes `v` names: a non-empty set of ids this verifier registered (ERR_EXCH_PURPOSE_UNKNOWN for another). */
  #grantedPurposes(v: unknown): string[] {
    if (!Array.isArray(v) || v.length === 0 || v.length > 32 || !v.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 128)) bad('purposes is not a list of 1 to 32 purpose ids')
    if (new Set(v).size !== v.length) bad('purposes names a purpose twice')
    for (const p of v as string[]) {
      if (!this.purposes.some((r) => r.id === p)) throw new CivicError('ERR_EXCH_PURPOSE_UNKNOWN', `${this.did} has registered no purpose ${p.slice(0, 64)}`)
    }
    return [...(v as string[])]
  }

  /**
   * A new one-time code for a counter named `name`, granting `purposes` (a subset of the
   * registered ones). The code is returned once; only its hash is kept. Expired codes are swept
   * on the way.
   */
  async createEnrolmentCode(o: { name: unknown; purposes: unknown; now: number; ttlSeconds?: number }): Promise<CreatedCode> {
    const ttl = o.ttlSeconds ?? CODE_SECONDS
    if (!Number.isSafeInteger(ttl) || ttl < 1 || ttl > CODE_MAX_SECONDS) throw new RangeError('ttlSeconds must be 1..CODE_MAX_SECONDS')
    const name = parseCounterName(o.name)
    const purposes = this.#grantedPurposes(o.purposes)
    await this.sweep(o.now)
    const code = randomBytes(16).toString('base64url')
    const file: CodeFile = { version: 1, name, purposes, createdAt: o.now, expiresAt: o.now + ttl }
    // One file per code, whole or absent (temp, fsync, rename, directory fsync): a crash leaves
    // the code unmade (its maker saw no answer) or made.
    await writeFileDurably(join(this.dir, CODES_DIR), `${sha256Hex(code)}.json`, json(file), 0o600)
    return { code, expiresAt: file.expiresAt, name, purposes }
  }

  /**
   * Enrols the counter key sent with `code`: its attestation, once the code is used up on disk.
   * Refuses a key that is not a P-256 public JWK (ERR_JWK_INVALID, ERR_KEY_WEAK), and a code
   * that is unknown, used or expired (ERR_VERIFIER_ENROLMENT); a refusal uses nothing up.
   */
  async enrol(o: { code: unknown; counterKey: unknown; now: number }): Promise<EnrolAnswer> {
    if (typeof o.code !== 'string' || !ENROLMENT_CODE.test(o.code)) refused('no such enrolment code')
    const key = parsePublicJwk(o.counterKey)
    if (key.kty !== 'EC') throw new InputError('ERR_JWK_INVALID', 'a counter key is a P-256 key (ES256)')
    const hash = sha256Hex(o.code)
    const codePath = join(this.dir, CODES_DIR, `${hash}.json`)
    const usedPath = join(this.dir, USED_DIR, `${hash}.json`)
    let text: string
    try {
      text = await readFile(codePath, 'utf8')
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw e
      const used = await readFile(usedPath).then(() => true, () => false)
      refused(used ? 'this enrolment code was used already' : 'no such enrolment code (or it expired and was swept)')
    }
    const pending = readOwn(text, codePath, readCodeFile)
    if (pending.expiresAt <= o.now) refused(`this enrolment code expired at ${pending.expiresAt}`)
    // The registration may have lost a purpose since the code was made: grant only what stands.
    const purposes = pending.purposes.filter((p) => this.purposes.some((r) => r.id === p))
    if (purposes.length === 0) throw new CivicError('ERR_EXCH_PURPOSE_UNKNOWN', 'none of the purposes this code grants is registered any more')

    const counter = { id: `counter-${randomBytes(5).toString('hex')}`, name: pending.name }
    const jti = randomBytes(16).toString('base64url')
    const exp = o.now + this.#attestationSeconds
    // Signed before the code is used, so a signing failure leaves the code usable.
    const attestation = await signCounterAttestation({ verifier: this.did, counter, counterKey: key as EcPublicJwk, purposes, iat: o.now, exp, jti }, this.#signer, this.kid)

    const record: UsedFile = { version: 1, counter, purposes, keyThumbprint: jwkThumbprint(key), attestationId: jti, enrolledAt: o.now, exp }
    const tmp = tempName(usedPath)
    try {
      await writeSynced(tmp, json(record), 0o600)
      // crash here: the code is still pending; the temp file is never read
      try {
        await link(tmp, usedPath) // exclusive: a second use of the code fails here
      } catch (e) {
        if (errno(e) === 'EEXIST') refused('this enrolment code was used already')
        throw e
      }
      // crash here: the link may not be on disk yet; the directory fsync makes the use durable
      await fsyncDir(join(this.dir, USED_DIR))
    } finally {
      await unlink(tmp).catch(() => {})
    }
    // The code is used up: its pending file goes (a crash before leaves it, and the used file
    // still refuses it; the sweep removes it once it expires).
    await unlink(codePath).then(() => fsyncDir(join(this.dir, CODES_DIR))).catch(() => {})
    return { attestation, verifier: this.did, counter, purposes, exp }
  }

  /** Removes pending codes expired at `now`; returns how many. */
  async sweep(now: number): Promise<number> {
    const dir = join(this.dir, CODES_DIR)
    let removed = 0
    for (const n of await readdir(dir)) {
      if (!HASH_FILE.test(n)) continue
      const path = join(dir, n)
      const text = await readFile(path, 'utf8').catch((e) => (errno(e) === 'ENOENT' ? null : Promise.reject(e)))
      if (text === null) continue
      if (readOwn(text, path, readCodeFile).expiresAt > now) continue
      await unlink(path).catch((e) => (errno(e) === 'ENOENT' ? undefined : Promise.reject(e)))
      removed++
    }
    if (removed > 0) await fsyncDir(dir)
    return removed
  }

  /** How many codes are pending (expired ones not yet swept included). */
  async pendingCodes(): Promise<number> {
    return (await readdir(join(this.dir, CODES_DIR))).filter((n) => HASH_FILE.test(n)).length
  }

  /** The counters enrolled, oldest first. */
  async counters(): Promise<CounterView[]> {
    const dir = join(this.dir, USED_DIR)
    const out: CounterView[] = []
    for (const n of await readdir(dir)) {
      if (!HASH_FILE.test(n)) continue
      const path = join(dir, n)
      const { version: _v, ...view } = readOwn(await readFile(path, 'utf8'), path, readUsedFile)
      out.push(view)
    }
    return out.sort((a, b) => a.enrolledAt - b.enrolledAt || a.counter.id.localeCompare(b.counter.id))
  }
}
