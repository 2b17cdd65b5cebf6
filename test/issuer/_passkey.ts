/**
 * A software passkey for tests in Node: an ES256 key pair, and the WebAuthn registration and
 * authentication responses (JSON, as @simplewebauthn/browser sends them) a platform
 * authenticator would make — attestation "none", user present and verified, a counter that
 * goes up. Built by hand from the WebAuthn Level 3 layouts (authenticator data §6.1, attested
 * credential data §6.5.1, COSE EC2 keys RFC 9053), so the server's verification is checked
 * against an independent encoder rather than against itself.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'

const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url')
const sha256 = (b: Uint8Array | string): Buffer => createHash('sha256').update(b).digest()

// ── a minimal CBOR encoder (RFC 8949): unsigned/negative ints, byte and text strings, maps ──

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n])
  if (n < 256) return Buffer.from([(major << 5) | 24, n])
  if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 255])
  const b = Buffer.alloc(5)
  b[0] = (major << 5) | 26
  b.writeUInt32BE(n, 1)
  return b
}

type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>

function cbor(v: Cbor): Buffer {
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v)
  if (typeof v === 'string') {
    const t = Buffer.from(v, 'utf8')
    return Buffer.concat([head(3, t.length), t])
  }
  if (v instanceof Uint8Array) return Buffer.concat([head(2, v.length), v])
  const parts = [head(5, v.size)]
  for (const [k, x] of v) parts.push(cbor(k), cbor(x))
  return Buffer.concat(parts)
}

const FLAG_UP = 0x01
const FLAG_UV = 0x04
const FLAG_AT = 0x40

export interface SoftPasskey {
  credentialId: string
  /** Registration response for `navigator.credentials.create` with these options. */
  register(options: { challenge: string; rp: { id?: string } }, origin: string): Record<string, unknown>
  /** Authentication response for `navigator.credentials.get` with these options. */
  assert(options: { challenge: string; rpId?: string }, origin: string, o?: { userHandle?: string }): Record<string, unknown>
}

export function softPasskey(): SoftPasskey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' }) as { privateKey: KeyObject; publicKey: KeyObject }
  const jwk = publicKey.export({ format: 'jwk' }) as { x: string; y: string }
  const credId = randomBytes(16)
  let counter = 0
  let userHandle = ''
  const cose = cbor(new Map<Cbor, Cbor>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x, 'base64url')], [-3, Buffer.from(jwk.y, 'base64url')]]))
  const authData = (rpId: string, flags: number, attested: boolean): Buffer => {
    const c = Buffer.alloc(4)
    c.writeUInt32BE(counter)
    const parts = [sha256(rpId), Buffer.from([flags]), c]
    if (attested) {
      const len = Buffer.alloc(2)
      len.writeUInt16BE(credId.length)
      parts.push(Buffer.alloc(16), len, credId, cose)
    }
    return Buffer.concat(parts)
  }
  return {
    credentialId: b64u(credId),
    register(options, origin) {
      const rpId = options.rp.id ?? new URL(origin).hostname
      const clientData = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin, crossOrigin: false }))
      const ad = authData(rpId, FLAG_UP | FLAG_UV | FLAG_AT, true)
      const attestationObject = cbor(new Map<Cbor, Cbor>([['fmt', 'none'], ['attStmt', new Map()], ['authData', ad]]))
      userHandle = (options as { user?: { id?: string } }).user?.id ?? ''
      return {
        id: b64u(credId), rawId: b64u(credId), type: 'public-key', clientExtensionResults: {}, authenticatorAttachment: 'platform',
        response: { clientDataJSON: b64u(clientData), attestationObject: b64u(attestationObject), transports: ['internal'] },
      }
    },
    assert(options, origin, o = {}) {
      const rpId = options.rpId ?? new URL(origin).hostname
      counter += 1
      const clientData = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin, crossOrigin: false }))
      const ad = authData(rpId, FLAG_UP | FLAG_UV, false)
      const signature = sign('sha256', Buffer.concat([ad, sha256(clientData)]), privateKey)
      return {
        id: b64u(credId), rawId: b64u(credId), type: 'public-key', clientExtensionResults: {}, authenticatorAttachment: 'platform',
        response: { clientDataJSON: b64u(clientData), authenticatorData: b64u(ad), signature: b64u(signature), userHandle: o.userHandle ?? userHandle },
      }
    },
  }
}
