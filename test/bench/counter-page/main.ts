/**
 * The counter bench page, driven by test/bench/counter.ts through `window.counterBench`: the
 * service counter (src/counter/counter.ts) over the trust engine (src/trust), as the app's
 * counter state wires them (src/app/state/counter.svelte.ts), and nothing of the app around.
 *
 * - `open` syncs the engine over HTTP from the ledger named by the config (registry, status
 *   checkpoint), refreshes the status list of the citizen's credential (anchor, proof, token)
 *   and opens the counter on its own IndexedDB, making its device key.
 * - `enrol` keeps the verifier's attestation; `ask` makes a request (fresh nonce and ECDH key).
 * - `answer` times what the counter does once it holds all frames of an answer: the frames
 *   collected and joined, then `Counter.verify` (decrypt, unpack, SD-JWT VC + KB-JWT under the
 *   registry's key, nonce, status from the engine's cache or the staple, the verdict). The
 *   frames arrive as base64url and are decoded, then the page idles `idleMs` (the floor runs
 *   after the same idle, so both start from the same state) before the clock starts; `finish`
 *   (the audit record and the receipt, when the official closes the verdict) runs after it stops.
 * - `phases` splits that time by step, for the note: the same calls `Counter.verify` makes
 *   (openAnswer, verifyAnswer, the engine's reads), each timed apart, repeated on one answer
 *   sealed to a key this page holds (`makePhaseKey`), after the same idle or back to back.
 * - `floor` times the bare crypto the verdict cannot avoid, on keys imported beforehand: one
 *   ECDH P-256 derive, then an AES-GCM decrypt of the answer's size, then its ES256
 *   verifications side by side, and the Ed25519 verifications of a staple's checkpoint; each
 *   run after the same idle as an answer, or back to back.
 */
import { decodeBase64url } from '../../../src/core/bytes/base64url.ts'
import { verifyEd25519 } from '../../../src/core/crypto/ed25519.ts'
import { openAnswer, verifyAnswer, type AnswerContent } from '../../../src/core/exchange/answer.ts'
import { FrameCollector } from '../../../src/core/exchange/frames.ts'
import { readStaple } from '../../../src/core/exchange/staple.ts'
import { generateEcdhKeyPair } from '../../../src/core/crypto/keys.ts'
import { Counter, type CounterTrust, type CounterVerdict } from '../../../src/counter/counter.ts'
import { parseTrustConfig, TrustEngine } from '../../../src/trust/index.ts'
import { ed25519 } from '@noble/curves/ed25519.js'

export interface OpenResult {
  counterJwk: unknown
  /** The status of the credential's index as the engine holds it after the refresh. */
  status: string
  syncMs: number
  /** Whether the page is cross-origin isolated (performance.now() at 5 µs, else 100 µs). */
  isolated: boolean
}

export interface AnswerResult {
  ms: number
  outcome: CounterVerdict['outcome']
  code: string | null
  status: CounterVerdict['status']
  claims: number
}

/** What one floor run works on, from the real answer (base64url throughout). */
export interface FloorInput {
  enc: 'A128GCM' | 'A256GCM'
  /** Length of the answer's ciphertext (without the tag) and of its AAD (the protected header). */
  ciphertextBytes: number
  aadBytes: number
  /** Each ES256 verification the verdict makes: the public key, the signing input, the signature. */
  es256: { jwk: JsonWebKey; input: string; sig: string; what: string }[]
  /** Each Ed25519 verification: the 32-byte key, the message, the signature. */
  ed25519: { pub: string; msg: string; sig: string; what: string }[]
}

interface Prepared {
  ecdh: { priv: CryptoKey; peer: CryptoKey; peerJwk: JsonWebKey }
  aes: { key: CryptoKey; iv: Uint8Array<ArrayBuffer>; aad: Uint8Array<ArrayBuffer>; ct: Uint8Array<ArrayBuffer> }
  es256: { key: CryptoKey; jwk: JsonWebKey; input: Uint8Array<ArrayBuffer>; sig: Uint8Array<ArrayBuffer> }[]
  ed25519: { pub: Uint8Array; msg: Uint8Array; sig: Uint8Array }[]
}

const subtle = crypto.subtle
const te = new TextEncoder()
const ECDSA = { name: 'ECDSA', hash: 'SHA-256' } as const
const nowSeconds = (): number => Math.floor(Date.now() / 1000)
const bytes = (b64: string): Uint8Array<ArrayBuffer> => new Uint8Array(decodeBase64url(b64))

let engine: TrustEngine | null = null
let counter: Counter | null = null
const prepared = new Map<string, Prepared>()
let phaseKey: CryptoKey | null = null

async function open(source: unknown, db: string, uri: string, idx: number): Promise<OpenResult> {
  const c = parseTrustConfig(source)
  if (!c.ok) throw new Error(`${c.code}: ${c.detail}`)
  const t0 = performance.now()
  const e = await TrustEngine.open(c.value, { dbName: `${db}-trust` })
  const report = await e.sync()
  if (!report.ok) throw new Error(`sync: ${report.code}: ${report.detail}`)
  const r = await e.refreshStatus(uri)
  if (!r.ok) throw new Error(`status refresh: ${r.code}: ${r.detail}`)
  const syncMs = performance.now() - t0
  const s = e.status(uri, idx, { now: nowSeconds() })
  engine = e
  // The engine's reads as the app's counter state hands them to the counter.
  const reads: CounterTrust = {
    verifierRegistration: (did, o) => e.verifierRegistration(did, o),
    issuerStanding: (did, o) => e.issuerStanding(did, o),
    credentialKeys: (o) => e.credentialKeys(o),
    status: (u, i, o) => e.status(u, i, o),
    judgeStaple: (st, u, i, o) => e.judgeStaple(st, u, i, o),
  }
  counter = await Counter.open({ trust: reads, now: nowSeconds(), dbName: `${db}-counter` })
  return { counterJwk: counter.publicJwk, status: s.state === 'unknown' ? `unknown (${s.code})` : s.state, syncMs, isolated: globalThis.crossOriginIsolated === true }
}

function theCounter(): Counter {
  if (!counter) throw new Error('the counter is not open')
  return counter
}

async function enrol(attestation: string): Promise<string> {
  const e = await theCounter().enrol(attestation, { now: nowSeconds() })
  return e.ok ? 'ok' : `${e.code}: ${e.detail}`
}

async function ask(purposeId: string): Promise<{ text: string; nonce: string }> {
  const r = await theCounter().request(purposeId, { now: nowSeconds() })
  if (!r.ok) throw new Error(`${r.code}: ${r.detail}`)
  return { text: r.value.text, nonce: r.value.nonce }
}

const idle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function answer(frames: string[], idleMs: number): Promise<AnswerResult> {
  const c = theCounter()
  const scanned = frames.map(bytes)
  const now = nowSeconds()
  await idle(idleMs)
  const t0 = performance.now()
  const collector = new FrameCollector()
  for (const f of scanned) collector.add(f)
  const v = await c.verify(collector.join(), { now })
  const ms = performance.now() - t0
  const result = { ms, outcome: v.outcome, code: v.code, status: v.status, claims: v.credential?.claims.length ?? 0 }
  await c.finish(v)
  return result
}

/** A response key for `phases` (the counter's own keys stay inside it). */
async function makePhaseKey(): Promise<unknown> {
  const k = await generateEcdhKeyPair()
  phaseKey = k.privateKey
  return k.publicJwk
}

export interface PhaseTimes {
  /** ms per step, median of the runs. */
  frames: number
  open: number
  verify: number
  status: number
}

/** verify()'s steps, each timed apart over `runs` repetitions on one answer, each after `idleMs` of idle (median per step). */
async function phases(frames: string[], asked: { nonce: string; clientId: string; vct: string; claims: string[] }, runs: number, idleMs: number): Promise<PhaseTimes> {
  const e = engine
  if (!e || !phaseKey) throw new Error('not open')
  const key = phaseKey
  const scanned = frames.map(bytes)
  const claims = asked.claims.map((path) => ({ path, required: true }))
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  const t = { frames: [] as number[], open: [] as number[], verify: [] as number[], status: [] as number[] }
  for (let i = 0; i < runs; i++) {
    const now = nowSeconds()
    if (idleMs > 0) await idle(idleMs)
    const t0 = performance.now()
    const collector = new FrameCollector()
    for (const f of scanned) collector.add(f)
    const message = collector.join()
    const t1 = performance.now()
    const opened = await openAnswer(message, key)
    const t2 = performance.now()
    if (!opened.ok) throw new Error(`${opened.code}: ${opened.detail}`)
    const content: AnswerContent = opened.value
    const v = await verifyAnswer(content, { nonce: asked.nonce, clientId: asked.clientId, vct: asked.vct, claims }, { now, issuerKeys: e.credentialKeys({ now }) })
    const t3 = performance.now()
    if (!v.ok || !v.value.status) throw new Error(v.ok ? 'no status reference' : `${v.code}: ${v.detail}`)
    e.issuerStanding(v.value.iss, { now })
    const held = e.status(v.value.status.uri, v.value.status.idx, { now })
    const staple = readStaple(content.extras)
    const stapled = staple ? await e.judgeStaple(staple, v.value.status.uri, v.value.status.idx, { now }) : held
    const t4 = performance.now()
    if (held.state !== 'valid' || stapled.state !== 'valid') throw new Error(`status ${held.state} / ${stapled.state}`)
    t.frames.push(t1 - t0)
    t.open.push(t2 - t1)
    t.verify.push(t3 - t2)
    t.status.push(t4 - t3)
  }
  return { frames: median(t.frames), open: median(t.open), verify: median(t.verify), status: median(t.status) }
}

async function prepare(name: string, f: FloorInput): Promise<void> {
  // The counter's side of ECDH: a non-extractable key as a request makes; the peer's point imported once.
  const mine = (await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits'])) as CryptoKeyPair
  const theirs = (await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits'])) as CryptoKeyPair
  const peerJwk = await subtle.exportKey('jwk', theirs.publicKey)
  const peer = await subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: peerJwk.x, y: peerJwk.y }, { name: 'ECDH', namedCurve: 'P-256' }, false, [])
  const key = await subtle.importKey('raw', crypto.getRandomValues(new Uint8Array(f.enc === 'A128GCM' ? 16 : 32)), 'AES-GCM', false, ['encrypt', 'decrypt'])
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const aad = crypto.getRandomValues(new Uint8Array(f.aadBytes))
  const ct = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 }, key, crypto.getRandomValues(new Uint8Array(f.ciphertextBytes))))
  const es256 = await Promise.all(f.es256.map(async (x) => {
    const jwk = { kty: x.jwk.kty, crv: x.jwk.crv, x: x.jwk.x, y: x.jwk.y }
    return { key: await subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']), jwk, input: te.encode(x.input), sig: bytes(x.sig) }
  }))
  const ed = f.ed25519.map((x) => ({ pub: bytes(x.pub), msg: bytes(x.msg), sig: bytes(x.sig) }))
  for (const [i, x] of es256.entries()) if (!(await subtle.verify(ECDSA, x.key, x.sig, x.input))) throw new Error(`the floor's ES256 input ${f.es256[i]!.what} does not verify`)
  for (const [i, x] of ed.entries()) if (!verifyEd25519(x.pub, x.msg, x.sig)) throw new Error(`the floor's Ed25519 input ${f.ed25519[i]!.what} does not verify`)
  prepared.set(name, { ecdh: { priv: mine.privateKey, peer, peerJwk: { kty: 'EC', crv: 'P-256', x: peerJwk.x, y: peerJwk.y } }, aes: { key, iv, aad, ct }, es256, ed25519: ed })
}

/** One run of the floor: derive, decrypt, then every ES256 verification dispatched at once and the Ed25519 ones while they are pending. */
async function floorOnce(p: Prepared): Promise<number> {
  const t0 = performance.now()
  await subtle.deriveBits({ name: 'ECDH', public: p.ecdh.peer }, p.ecdh.priv, 256)
  await subtle.decrypt({ name: 'AES-GCM', iv: p.aes.iv, additionalData: p.aes.aad, tagLength: 128 }, p.aes.key, p.aes.ct)
  const pending = p.es256.map((x) => subtle.verify(ECDSA, x.key, x.sig, x.input))
  let ok = true
  for (const x of p.ed25519) ok = verifyEd25519(x.pub, x.msg, x.sig) && ok
  for (const r of await Promise.all(pending)) ok = r && ok
  const ms = performance.now() - t0
  if (!ok) throw new Error('a floor verification failed')
  return ms
}

/** `runs` floor runs, each after `idleMs` of idle (0: back to back). */
async function floor(name: string, runs: number, idleMs: number): Promise<number[]> {
  const p = prepared.get(name)
  if (!p) throw new Error(`no floor ${name} prepared`)
  const out: number[] = []
  for (let i = 0; i < runs; i++) {
    if (idleMs > 0) await idle(idleMs)
    out.push(await floorOnce(p))
  }
  return out
}

/** The floor's parts one by one, each awaited alone (ms per operation, median of `runs`): for the note. */
async function parts(name: string, runs: number): Promise<{ ecdh: number; aes: number; es256: number; es256All: number; ed25519: number; ed25519All: number; ed25519Noble: number; importEcdh: number; importEs256: number }> {
  const p = prepared.get(name)
  if (!p) throw new Error(`no floor ${name} prepared`)
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  const time = async (fn: () => Promise<unknown> | unknown): Promise<number> => {
    const xs: number[] = []
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now()
      await fn()
      xs.push(performance.now() - t0)
    }
    return median(xs)
  }
  const es = p.es256[0]
  const ed = p.ed25519[0]
  return {
    ecdh: await time(() => subtle.deriveBits({ name: 'ECDH', public: p.ecdh.peer }, p.ecdh.priv, 256)),
    aes: await time(() => subtle.decrypt({ name: 'AES-GCM', iv: p.aes.iv, additionalData: p.aes.aad, tagLength: 128 }, p.aes.key, p.aes.ct)),
    es256: es ? await time(() => subtle.verify(ECDSA, es.key, es.sig, es.input)) : 0,
    es256All: await time(() => Promise.all(p.es256.map((x) => subtle.verify(ECDSA, x.key, x.sig, x.input)))),
    ed25519: ed ? await time(() => verifyEd25519(ed.pub, ed.msg, ed.sig)) : 0,
    ed25519All: await time(() => p.ed25519.every((x) => verifyEd25519(x.pub, x.msg, x.sig))),
    ed25519Noble: ed ? await time(() => ed25519.verify(ed.sig, ed.msg, ed.pub, { zip215: false })) : 0,
    importEcdh: await time(() => subtle.importKey('jwk', p.ecdh.peerJwk, { name: 'ECDH', namedCurve: 'P-256' }, false, [])),
    importEs256: es ? await time(() => subtle.importKey('jwk', es.jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])) : 0,
  }
}

function close(): void {
  counter?.close()
  engine?.close()
  counter = null
  engine = null
}

const bench = { open, enrol, ask, answer, makePhaseKey, phases, prepare, floor, parts, close }

declare global {
  interface Window {
    counterBench: typeof bench
  }
}

window.counterBench = bench
