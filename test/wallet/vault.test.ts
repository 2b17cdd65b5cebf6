/**
 * The vault: a data key wrapped under the passphrase (argon2id) and under passkeys (PRF →
 * HKDF), records sealed under it and bound to their ids, the stored record read strictly, and
 * the unlock throttle. The KDF is the real one at the floor parameters (the defaults cost
 * ~1 s each here; one test runs them).
 */
import { describe, expect, it } from 'vitest'
import { decodeBase64url, encodeBase64url } from '../../src/core/bytes/base64url.ts'
import { decodeUtf8, encodeUtf8 } from '../../src/core/bytes/utf8.ts'
import { argon2idKdf, KDF_DEFAULTS, KDF_FLOOR } from '../../src/wallet/kdf.ts'
import {
  addPasskey, createVault, FREE_ATTEMPTS, parseVaultRecord, seal, throttle, unlockWithPasskey, unlockWithPassphrase, unseal, type VaultRecord,
} from '../../src/wallet/vault.ts'

const kdf = argon2idKdf
const params = { m: KDF_FLOOR.m, t: KDF_FLOOR.t, p: 1 }
const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill)

describe('the vault', () => {
  it('a new vault uses argon2id at m=64 MiB, t=3, p=1 and opens with its passphrase only', async () => {
    const { record, key } = await createVault('blue river 42', { kdf })
    expect(record.passphrase.kdf).toMatchObject({ alg: 'argon2id', ...KDF_DEFAULTS })
    expect(decodeBase64url(record.passphrase.kdf.salt)).toHaveLength(16)
    expect(key.extractable).toBe(false)
    expect(key.usages.sort()).toEqual(['decrypt', 'encrypt'])
    const again = await unlockWithPassphrase(record, 'blue river 42', { kdf })
    expect(again.ok).toBe(true)
    const sealed = await seal(key, 'credential/1', encodeUtf8('{"given_name":"Wei"}'))
    const opened = await unseal(again.ok ? again.value : key, 'credential/1', sealed)
    expect(opened.ok && decodeUtf8(opened.value)).toBe('{"given_name":"Wei"}')
    expect(await unlockWithPassphrase(record, 'blue river 43', { kdf })).toMatchObject({ ok: false, code: 'ERR_WALLET_PASSPHRASE_WRONG' })
  }, 60_000)

  it('two vaults of the same passphrase share no salt, no wrapped key and no data key', async () => {
    const a = await createVault('same', { kdf, params })
    const b = await createVault('same', { kdf, params })
    expect(a.record.passphrase.kdf.salt).not.toBe(b.record.passphrase.kdf.salt)
    expect(a.record.passphrase.wrapped).not.toBe(b.record.passphrase.wrapped)
    const s = await seal(a.key, 'r', encodeUtf8('x'))
    expect(await unseal(b.key, 'r', s)).toMatchObject({ ok: false, code: 'ERR_WALLET_RECORD_INVALID' })
  }, 60_000)

  it('the stored record holds no data key and no passphrase, and survives JSON', async () => {
    const { record, key } = await createVault('a passphrase nobody guesses', { kdf, params })
    const text = JSON.stringify(record)
    expect(text).not.toContain('a passphrase nobody guesses')
    const back = parseVaultRecord(JSON.parse(text))
    expect(back).toEqual(record)
    const v = await unlockWithPassphrase(back, 'a passphrase nobody guesses', { kdf })
    expect(v.ok).toBe(true)
    // the unlocked key is the same data key: what one sealed, the other opens
    const s = await seal(key, 'settings', encodeUtf8('{}'))
    expect((await unseal(v.ok ? v.value : key, 'settings', s)).ok).toBe(true)
  }, 60_000)

  it('a sealed record opens only under its own id and unchanged', async () => {
    const { key } = await createVault('p', { kdf, params })
    const s = await seal(key, 'credential/a', encodeUtf8('secret claims'))
    expect(s.ct).not.toContain(encodeBase64url(encodeUtf8('secret claims')))
    expect(await unseal(key, 'credential/b', s)).toMatchObject({ ok: false, code: 'ERR_WALLET_RECORD_INVALID' })
    const ct = decodeBase64url(s.ct)
    ct[0]! ^= 1
    expect(await unseal(key, 'credential/a', { ...s, ct: encodeBase64url(ct) })).toMatchObject({ ok: false, code: 'ERR_WALLET_RECORD_INVALID' })
    expect(await unseal(key, 'credential/a', { iv: s.iv } as never)).toMatchObject({ ok: false, code: 'ERR_WALLET_RECORD_INVALID' })
    expect(await unseal(key, 'credential/a', { ...s, iv: '!!' })).toMatchObject({ ok: false, code: 'ERR_WALLET_RECORD_INVALID' })
    expect((await unseal(key, 'credential/a', s)).ok).toBe(true)
  }, 60_000)

  it('a passkey unlocks once added with the passphrase; another passkey or another PRF answer does not', async () => {
    const { record, key } = await createVault('pass', { kdf, params })
    const prf = bytes(32, 7)
    expect(await addPasskey(record, 'wrong', { credentialId: 'cred-1', prfSalt: bytes(32, 1), prfOutput: prf }, { kdf })).toMatchObject({ ok: false, code: 'ERR_WALLET_PASSPHRASE_WRONG' })
    const added = await addPasskey(record, 'pass', { credentialId: 'cred-1', prfSalt: bytes(32, 1), prfOutput: prf }, { kdf })
    if (!added.ok) throw new Error(added.detail)
    const withKey = parseVaultRecord(JSON.parse(JSON.stringify(added.value)))
    expect(withKey.passkeys.map((p) => p.credentialId)).toEqual(['cred-1'])
    const v = await unlockWithPasskey(withKey, 'cred-1', prf)
    expect(v.ok).toBe(true)
    const s = await seal(key, 'r', encodeUtf8('x'))
    expect((await unseal(v.ok ? v.value : key, 'r', s)).ok).toBe(true)
    expect(await unlockWithPasskey(withKey, 'cred-1', bytes(32, 8))).toMatchObject({ ok: false, code: 'ERR_WALLET_PASSKEY_REFUSED' })
    expect(await unlockWithPasskey(withKey, 'cred-2', prf)).toMatchObject({ ok: false, code: 'ERR_WALLET_PASSKEY_REFUSED' })
    // the passphrase still opens it; adding the same credential again replaces its wrap
    expect((await unlockWithPassphrase(withKey, 'pass', { kdf })).ok).toBe(true)
    const again = await addPasskey(withKey, 'pass', { credentialId: 'cred-1', prfSalt: bytes(32, 2), prfOutput: bytes(32, 9) }, { kdf })
    expect(again.ok && again.value.passkeys).toHaveLength(1)
    expect(again.ok && (await unlockWithPasskey(again.value, 'cred-1', prf)).ok).toBe(false)
  }, 60_000)

  it('a stored record that is not exactly its shape is refused with ERR_WALLET_VAULT_INVALID', async () => {
    const { record } = await createVault('p', { kdf, params })
    const bad: [string, unknown][] = [
      ['another version', { ...record, version: 2 }],
      ['no passphrase wrap', { ...record, passphrase: undefined }],
      ['weakened parameters', { ...record, passphrase: { ...record.passphrase, kdf: { ...record.passphrase.kdf, m: 1024 } } }],
      ['a short iv', { ...record, passphrase: { ...record.passphrase, iv: 'AAAA' } }],
      ['a cut wrapped key', { ...record, passphrase: { ...record.passphrase, wrapped: record.passphrase.wrapped.slice(0, 40) } }],
      ['passkeys not a list', { ...record, passkeys: {} }],
      ['a passkey without id', { ...record, passkeys: [{ kind: 'passkey', prfSalt: encodeBase64url(bytes(32, 0)), iv: record.passphrase.iv, wrapped: record.passphrase.wrapped }] }],
      ['null', null],
    ]
    for (const [name, v] of bad) expect(() => parseVaultRecord(v as VaultRecord), name).toThrow(expect.objectContaining({ code: 'ERR_WALLET_VAULT_INVALID' }))
    await expect(unlockWithPassphrase({ ...record, version: 2 } as never, 'p', { kdf })).rejects.toMatchObject({ code: 'ERR_WALLET_VAULT_INVALID' })
  }, 60_000)
})

describe('the unlock throttle', () => {
  it('lets the first attempts through, then doubles the wait from 1 s up to 15 min', () => {
    expect(Array.from({ length: FREE_ATTEMPTS }, (_, i) => throttle(i))).toEqual(Array(FREE_ATTEMPTS).fill(0))
    expect([3, 4, 5, 6, 10].map(throttle)).toEqual([1, 2, 4, 8, 128])
    expect(throttle(13)).toBe(900)
    expect(throttle(1000)).toBe(900)
    expect(() => throttle(-1)).toThrow(RangeError)
    expect(() => throttle(1.5)).toThrow(RangeError)
  })
})
