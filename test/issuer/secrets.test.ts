// Secrets at rest (src/issuer/secrets.ts, state.ts, store.ts, service.ts; design §8 rule 9): a
// copy of state.json redeems nothing. The offer handle GET /offers/<handle> answers and the
// pre-authorized code it serves are not in the file (no offer id or other string in it opens an
// offer, even one without a transaction code), the transaction code is kept as an HMAC under
// a key that is in the key store and not in the file (a million guesses against it with the old
// unkeyed hash find nothing), access
// tokens likewise; an issuer opened with the copied state but another key refuses the token
// request and the token. A version 1 state (code in clear, SHA-256 hashes) is migrated: its
// pending offers voided with a log line, no clear code or old hash kept.
import { afterAll, describe, expect, it } from 'vitest'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeBase64url } from '../../src/core/bytes/base64url.ts'
import { generatePrivateJwk, publicJwkOf } from '../../src/core/crypto/jwk.ts'
import { initIssuer, IssuerService } from '../../src/issuer/service.ts'
import { startIssuerServer } from '../../src/issuer/http.ts'
import { SecretMac } from '../../src/issuer/secrets.ts'
import { offerUris } from '../../src/issuer/vci.ts'
import { ISSUER_STATE_VERSION, parseIssuerState, parseStoredIssuerState } from '../../src/issuer/state.ts'
import { createMacKey, KEYS_DIR, MAC_KEY_FILE, STATE_FILE } from '../../src/issuer/store.ts'
import { CITIZEN, PSB, PSB_NAME, STATUS_BASE, unreachableTrust } from './_world.ts'

const dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'civic-issuer-secrets-'))
  dirs.push(d)
  return d
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const trust = unreachableTrust()
const init = (dir: string) => initIssuer(dir, { did: PSB, name: PSB_NAME, statusListBase: STATUS_BASE, ledger: trust })
const codeOf = (p: Promise<unknown>) => p.then(() => 'no error', (e) => (e as { code?: string }).code)
const GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code'

async function tokenRequest(base: string, form: Record<string, string>) {
  const r = await fetch(`${base}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() })
  return { status: r.status, json: (await r.json()) as Record<string, any> }
}

/** The state directory an attacker would assemble: everything but the MAC key. */
function copyWithoutMacKey(from: string): string {
  const to = tempDir()
  mkdirSync(join(to, KEYS_DIR), { mode: 0o700 })
  for (const f of ['issuer.json', STATE_FILE]) copyFileSync(join(from, f), join(to, f))
  copyFileSync(join(from, KEYS_DIR, 'key-1.jwk'), join(to, KEYS_DIR, 'key-1.jwk'))
  return to
}

describe('secrets at rest', () => {
  it('keeps the MAC key in the key store, mode 0600, and nowhere in the state', async () => {
    const d = tempDir()
    await init(d)
    const path = join(d, KEYS_DIR, MAC_KEY_FILE)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    const text = readFileSync(path, 'utf8')
    expect(text).toMatch(/^[A-Za-z0-9_-]{43}\n$/)
    expect(decodeBase64url(text.trim())).toHaveLength(32)
    expect(readFileSync(join(d, STATE_FILE), 'utf8')).not.toContain(text.trim())
    // a second key is never written over the first
    expect(await codeOf(createMacKey(d))).toBe('ERR_ISSUER_STORAGE')
    // a key file that is not one stops the service
    writeFileSync(path, 'short\n')
    expect(await codeOf(IssuerService.open(d))).toBe('ERR_ISSUER_CONFIG')
  })

  it('a copied state.json redeems nothing: the code is not in it, the tx code is a MAC under a key not in it', async () => {
    const d = tempDir()
    await init(d)
    const svc = await IssuerService.open(d)
    const server = await startIssuerServer(svc, {})
    try {
      const offer = await svc.createOffer({ configurationId: 'resident-id', claims: CITIZEN, txCode: true })
      const served = await fetch(`${server.url}/offers/${offer.offerHandle}`)
      expect(served.status).toBe(200)
      const code = ((await served.json()) as any).grants[GRANT]['pre-authorized_code'] as string
      expect(code).toBe(offer.preAuthorizedCode)
      const tx = offer.txCode!
      expect(tx).toMatch(/^[0-9]{6}$/)

      // what the reader of the file has
      const text = readFileSync(join(d, STATE_FILE), 'utf8')
      expect(text).not.toContain(code)
      expect(text).not.toContain(offer.offerHandle)
      const stored = JSON.parse(text).offers[offer.offerId]
      expect(Object.keys(stored).sort()).toEqual(['claims', 'configurationId', 'createdAt', 'credentialId', 'expiresAt', 'id', 'state', 'token', 'txCodeFailures', 'txCodeLength', 'txCodeMac'])
      // the stored value is HMAC-SHA-256 under the key store's key, which the file does not hold
      const keyText = readFileSync(join(d, KEYS_DIR, MAC_KEY_FILE), 'utf8').trim()
      expect(text).not.toContain(keyText)
      const mac = new SecretMac(decodeBase64url(keyText))
      expect(stored.txCodeMac).toBe(mac.txCodeMac(offer.offerId, tx))
      expect(mac.preAuthorizedCode(offer.offerId)).toBe(code)
      expect(mac.offerHandle(offer.offerId)).toBe(offer.offerHandle)
      // every one of the 10^6 codes, hashed as the file used to hold them, matches nothing
      const b64 = (s: string) => createHash('sha256').update(s).digest('base64url')
      let hits = 0
      for (let i = 0; i < 1_000_000; i++) {
        const guess = String(i).padStart(6, '0')
        if (b64(`${offer.offerId}:${guess}`) === stored.txCodeMac || b64(guess) === stored.txCodeMac) hits++
      }
      expect(hits).toBe(0)
      // …while with the key, the right code is checked at once: the MAC is what is missing
      expect(mac.txCodeMatches(offer.offerId, tx, stored.txCodeMac)).toBe(true)

      // an issuer opened with the copied state and another key refuses the token request
      const copy = copyWithoutMacKey(d)
      await createMacKey(copy)
      const other = await IssuerService.open(copy)
      const otherServer = await startIssuerServer(other, {})
      try {
        const r = await tokenRequest(otherServer.url, { grant_type: GRANT, 'pre-authorized_code': code, tx_code: tx })
        expect(r.status).toBe(400)
        expect(r.json.code).toBe('ERR_VCI_OFFER_UNKNOWN')
        // the officer's URI names nothing there: its handle was derived under the other key
        expect((await fetch(`${otherServer.url}/offers/${offer.offerHandle}`)).status).toBe(404)
        // the code it derives for that offer is another one, and the true tx code does not match under its key
        const otherMac = new SecretMac(decodeBase64url(readFileSync(join(copy, KEYS_DIR, MAC_KEY_FILE), 'utf8').trim()))
        const theirs = ((await (await fetch(`${otherServer.url}/offers/${otherMac.offerHandle(offer.offerId)}`)).json()) as any).grants[GRANT]['pre-authorized_code']
        expect(theirs).not.toBe(code)
        const r2 = await tokenRequest(otherServer.url, { grant_type: GRANT, 'pre-authorized_code': theirs, tx_code: tx })
        expect(r2.json.code).toBe('ERR_VCI_TX_CODE_INVALID')
      } finally {
        await otherServer.close()
        await other.close()
      }

      // the issuer with its own key still redeems it; its access token is not in the file either
      const ok = await tokenRequest(server.url, { grant_type: GRANT, 'pre-authorized_code': code, tx_code: tx })
      expect(ok.status).toBe(200)
      const accessToken = ok.json.access_token as string
      const after = readFileSync(join(d, STATE_FILE), 'utf8')
      expect(after).not.toContain(accessToken)
      expect(JSON.parse(after).offers[offer.offerId].token.mac).toBe(mac.accessTokenMac(accessToken))
      expect(JSON.parse(after).offers[offer.offerId].txCodeMac).toBeNull()
      const copy2 = copyWithoutMacKey(d)
      await createMacKey(copy2)
      const third = await IssuerService.open(copy2)
      try {
        expect(() => third.checkAccessToken(accessToken)).toThrow(expect.objectContaining({ code: 'ERR_VCI_TOKEN_INVALID' }))
        expect(await codeOf(third.issue({ accessToken, configurationId: 'resident-id', holderKeys: [publicJwkOf(generatePrivateJwk('ES256'))] }))).toBe('ERR_VCI_TOKEN_INVALID')
      } finally {
        await third.close()
      }
      expect(svc.checkAccessToken(accessToken).offerId).toBe(offer.offerId)
    } finally {
      await server.close()
      await svc.close()
    }
  })

  it('a copied state.json opens no offer without a transaction code: no id or other string in it fetches a code or a token', async () => {
    const d = tempDir()
    await init(d)
    const svc = await IssuerService.open(d)
    const server = await startIssuerServer(svc, {})
    try {
      const offer = await svc.createOffer({ configurationId: 'resident-id', claims: CITIZEN, txCode: false })
      // what the reader of the copied file has: every id-like string in it, every offer and credential id
      const copied = readFileSync(join(d, STATE_FILE), 'utf8')
      const state = JSON.parse(copied)
      const candidates = new Set<string>([
        ...(copied.match(/[A-Za-z0-9_-]{8,64}/g) ?? []),
        ...Object.keys(state.offers), ...Object.values<any>(state.offers).map((o) => o.id),
        ...Object.keys(state.credentials), offer.offerId, offer.credentialId,
      ])
      expect(candidates.has(offer.offerId)).toBe(true)
      let tried = 0
      for (const x of candidates) {
        const r = await fetch(`${server.url}/offers/${encodeURIComponent(x)}`)
        const body = (await r.json()) as any
        expect(r.status, `GET /offers/${x}`).not.toBe(200)
        expect(JSON.stringify(body)).not.toContain(offer.preAuthorizedCode)
        // whatever came back, and the string itself, as a pre-authorized code
        const code = body?.grants?.[GRANT]?.['pre-authorized_code']
        for (const c of [x, ...(typeof code === 'string' ? [code] : [])]) {
          const t = await tokenRequest(server.url, { grant_type: GRANT, 'pre-authorized_code': c })
          expect(t.status, `POST /token with ${c}`).toBe(400)
          expect(t.json.access_token).toBeUndefined()
        }
        tried++
      }
      expect(tried).toBeGreaterThan(3)
      // the officer's URI still works: its handle is not in the file, and is not the offer id
      const ref = new URL(decodeURIComponent(offerUris(server.url, offer).byReference.split('credential_offer_uri=')[1]!))
      const handle = ref.pathname.slice('/offers/'.length)
      expect(handle).not.toBe(offer.offerId)
      expect(copied).not.toContain(handle)
      const served = await fetch(ref)
      expect(served.status).toBe(200)
      const code = ((await served.json()) as any).grants[GRANT]['pre-authorized_code'] as string
      expect(code).toBe(offer.preAuthorizedCode)
      const ok = await tokenRequest(server.url, { grant_type: GRANT, 'pre-authorized_code': code })
      expect(ok.status).toBe(200)
      expect(typeof ok.json.access_token).toBe('string')
    } finally {
      await server.close()
      await svc.close()
    }
  })

  it('a state whose MAC key is gone: a new key, and the pending offers voided with a log line', async () => {
    const d = tempDir()
    await init(d)
    const a = await IssuerService.open(d)
    const offer = await a.createOffer({ configurationId: 'resident-id', claims: CITIZEN, txCode: false })
    await a.close()
    const before = readFileSync(join(d, KEYS_DIR, MAC_KEY_FILE), 'utf8')
    unlinkSync(join(d, KEYS_DIR, MAC_KEY_FILE))
    const lines: string[] = []
    const b = await IssuerService.open(d, { log: (l) => lines.push(l) })
    try {
      expect(readFileSync(join(d, KEYS_DIR, MAC_KEY_FILE), 'utf8')).not.toBe(before)
      expect(lines.some((l) => l.includes(`voided pending offer ${offer.offerId}`))).toBe(true)
      expect(b.credential(offer.credentialId).status).toBe('lapsed')
      expect(readFileSync(join(d, STATE_FILE), 'utf8')).not.toContain('李伟')
      expect(await codeOf(b.redeem({ code: offer.preAuthorizedCode, txCode: undefined, jkt: null }))).toBe('ERR_VCI_OFFER_UNKNOWN')
    } finally {
      await b.close()
    }
  })
})

describe('state version 1 → 2', () => {
  /** The same issuer's state as version 1 wrote it: code in clear, unkeyed SHA-256 hashes. */
  function asVersion1(v2: any, clear: Record<string, { code: string; txCode: string | null; accessToken?: string }>): string {
    const b64 = (s: string) => createHash('sha256').update(s).digest('base64url')
    const offers: Record<string, unknown> = {}
    for (const [id, o] of Object.entries<any>(v2.offers)) {
      const c = clear[id]!
      const { txCodeMac: _m, token, ...rest } = o
      offers[id] = {
        ...rest, code: o.state === 'offered' ? c.code : null, codeHash: b64(c.code),
        txCodeHash: o.state === 'offered' && c.txCode ? b64(`${id}:${c.txCode}`) : null,
        token: token ? { hash: b64(c.accessToken!), expiresAt: token.expiresAt, jkt: token.jkt } : null,
      }
    }
    return JSON.stringify({ ...v2, version: 1, offers })
  }

  it('voids pending offers with a log line, keeps tombstones without the old hashes, and bumps the version', async () => {
    const d = tempDir()
    await init(d)
    const a = await IssuerService.open(d)
    const pending = await a.createOffer({ configurationId: 'resident-id', claims: CITIZEN, txCode: true })
    const redeemed = await a.createOffer({ configurationId: 'resident-id', claims: CITIZEN, txCode: false })
    const { accessToken } = await a.redeem({ code: redeemed.preAuthorizedCode, txCode: undefined, jkt: null })
    const issued = await a.createOffer({ configurationId: 'resident-id', claims: CITIZEN, txCode: false })
    const t = await a.redeem({ code: issued.preAuthorizedCode, txCode: undefined, jkt: null })
    await a.issue({ accessToken: t.accessToken, configurationId: 'resident-id', holderKeys: [publicJwkOf(generatePrivateJwk('ES256'))] })
    await a.close()
    const v1 = asVersion1(JSON.parse(readFileSync(join(d, STATE_FILE), 'utf8')), {
      [pending.offerId]: { code: pending.preAuthorizedCode, txCode: pending.txCode },
      [redeemed.offerId]: { code: redeemed.preAuthorizedCode, txCode: null, accessToken },
      [issued.offerId]: { code: issued.preAuthorizedCode, txCode: null },
    })
    expect(v1).toContain(pending.preAuthorizedCode) // the clear code, as version 1 kept it

    // parseIssuerState stays strict: version 1 is not the current layout
    expect(() => parseIssuerState(v1)).toThrow(expect.objectContaining({ code: 'ERR_ISSUER_STORAGE' }))
    expect(() => parseStoredIssuerState(v1.replace('"version":1', '"version":3'), 0)).toThrow(expect.objectContaining({ code: 'ERR_ISSUER_STORAGE' }))
    // …and so is the version 1 reader: a member of the new layout in an old file is refused
    const mixed = JSON.parse(v1)
    mixed.offers[pending.offerId].txCodeMac = null
    expect(() => parseStoredIssuerState(JSON.stringify(mixed), 0)).toThrow(expect.objectContaining({ code: 'ERR_ISSUER_STORAGE' }))

    writeFileSync(join(d, STATE_FILE), v1)
    const lines: string[] = []
    const b = await IssuerService.open(d, { log: (l) => lines.push(l) })
    try {
      expect(lines).toContain(`state.json migrated from version 1 to ${ISSUER_STATE_VERSION}: secrets are now kept as keyed MACs`)
      for (const o of [pending, redeemed]) expect(lines.some((l) => l.startsWith(`voided pending offer ${o.offerId}:`))).toBe(true)
      expect(lines.some((l) => l.includes(issued.offerId))).toBe(false)
      const text = readFileSync(join(d, STATE_FILE), 'utf8')
      const s = JSON.parse(text)
      expect(s.version).toBe(2)
      for (const secret of [pending.preAuthorizedCode, redeemed.preAuthorizedCode, issued.preAuthorizedCode, '李伟']) expect(text).not.toContain(secret)
      expect(text).not.toMatch(/"code"|"codeHash"|"txCodeHash"|"hash"/)
      expect(s.offers[pending.offerId]).toMatchObject({ state: 'void', claims: null, txCodeMac: null, token: null })
      expect(s.offers[redeemed.offerId]).toMatchObject({ state: 'void', token: null })
      expect(s.offers[issued.offerId]).toMatchObject({ state: 'issued' })
      expect(b.credential(pending.credentialId).status).toBe('lapsed')
      expect(b.credential(redeemed.credentialId).status).toBe('lapsed')
      expect(b.credential(issued.credentialId).status).toBe('valid')
      expect(() => b.checkAccessToken(accessToken)).toThrow(expect.objectContaining({ code: 'ERR_VCI_TOKEN_INVALID' }))
      expect(await codeOf(b.redeem({ code: pending.preAuthorizedCode, txCode: pending.txCode!, jkt: null }))).toBe('ERR_VCI_OFFER_VOID')
    } finally {
      await b.close()
    }
    // written back once: the next open migrates nothing
    const again: string[] = []
    const c = await IssuerService.open(d, { log: (l) => again.push(l) })
    await c.close()
    expect(again).toEqual([])
    expect(existsSync(join(d, KEYS_DIR, MAC_KEY_FILE))).toBe(true)
  })
})
