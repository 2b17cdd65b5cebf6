/**
 * P8: reading one status out of a national-size status list: a statuslist+jwt of 2^20
 * entries of 2 bits (VALID / INVALID / SUSPENDED), with about 1% revoked and 0.1% suspended at
 * seeded random places, decoded from the compressed token (payload JSON, base64url `lst`, the
 * structural zlib scan and the platform inflate: list.ts) and one index looked up. The note
 * gives the whole token verification as a device does it (signature, claims, then the same
 * decode) beside it.
 */
import { decodeBase64url } from '../../src/core/bytes/base64url.ts'
import { decodeUtf8 } from '../../src/core/bytes/utf8.ts'
import { parseJsonObject } from '../../src/core/bytes/json.ts'
import { StatusList, STATUS_INVALID, STATUS_SUSPENDED, decodeStatusList } from '../../src/core/status/list.ts'
import { createStatusListToken, verifyStatusListToken } from '../../src/core/status/token.ts'
import { testKey } from '../support/keys.ts'
import { measure, type Figure } from './measure.ts'

const ENTRIES = 2 ** 20
const URI = 'https://psb.gov.example/status/7'

/** xorshift32 in [0, n): the same list every run. */
function seeded(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1
  return (n) => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return Math.floor(((s >>> 0) / 2 ** 32) * n)
  }
}

export async function benchStatusList(): Promise<Figure[]> {
  const list = StatusList.create(ENTRIES, 2)
  const pick = seeded(20)
  for (let i = 0; i < ENTRIES / 100; i++) list.set(pick(ENTRIES), STATUS_INVALID)
  for (let i = 0; i < ENTRIES / 1000; i++) list.set(pick(ENTRIES), STATUS_SUSPENDED)
  const key = testKey('ES256')
  const now = Math.floor(Date.now() / 1000)
  const token = await createStatusListToken({ list, uri: URI, iat: now, ttl: 3600, signer: key.signer })
  const probe = pick(ENTRIES)
  const expected = list.get(probe)

  const decode = async () => {
    const payload = parseJsonObject(decodeUtf8(decodeBase64url(token.split('.')[1]!, 'payload')), { maxLength: token.length }, 'payload')
    const got = await decodeStatusList(payload.status_list)
    if (got.size !== ENTRIES || got.get(probe) !== expected) throw new Error('status list decoded wrong')
  }
  const verify = async () => {
    const v = await verifyStatusListToken(token, { key: key.publicKey, uri: URI, now })
    if (!v.ok || v.value.list.get(probe) !== expected) throw new Error(`status list token does not verify: ${v.ok ? 'wrong status' : v.code}`)
  }
  const t = await measure({ decode, verify }, 9, 10)
  const lst = (JSON.parse(decodeUtf8(decodeBase64url(token.split('.')[1]!, 'payload'))) as { status_list: { lst: string } }).status_list.lst
  return [
    {
      id: 'P8', what: 'status list of 2^20 entries: decode from the token + one lookup (ms)', value: t.decode / 1000, op: '<=', goal: 10,
      note: `2 bits per entry (${ENTRIES / 4} bytes inflated), ${Math.round((lst.length * 3) / 4)} bytes compressed, ${token.length}-character token; the whole verification (ES256 signature, claims, decode, lookup) ${(t.verify / 1000).toFixed(2)} ms`,
    },
  ]
}
