/**
 * The wallet's state as the screens use it (fake-indexeddb; the real KDF; no trust engine
 * open): a new device, the wallet created and unlocked; the auto-lock runs out after five
 * minutes without activity, and any activity starts the wait again; locking drops the cards;
 * an unlock with the wrong passphrase says so; the hash routes of the wallet's views.
 */
import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { AUTO_LOCK_MINUTES, parseWalletView, walletHash, WalletApp } from '../../src/app/state/wallet.svelte.ts'
import { TrustState, type ConfigSource } from '../../src/app/state/trust.svelte.ts'

const noConfig: ConfigSource = { status: 'missing', value: null, detail: 'none here', load: async () => {} }
const trust = () => new TrustState({ config: noConfig, open: async () => ({ ok: false, code: 'ERR_TRUST_CONFIG', detail: 'unused' }) })

afterEach(() => {
  vi.useRealTimers()
})

describe('the wallet state', () => {
  it('locks itself after five minutes without activity; activity starts the wait again', async () => {
    const app = new WalletApp({ trust: trust(), dbName: 'wallet-state-autolock' })
    await app.open()
    expect(app.status).toBe('new')
    expect(await app.create('short')).toMatchObject({ ok: false })
    expect(app.status).toBe('new')
    expect(await app.create('a long enough passphrase')).toEqual({ ok: true, value: undefined })
    expect(app.status).toBe('unlocked')
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    app.touch()
    vi.advanceTimersByTime((AUTO_LOCK_MINUTES - 1) * 60_000)
    expect(app.status).toBe('unlocked')
    app.touch()
    vi.advanceTimersByTime((AUTO_LOCK_MINUTES - 1) * 60_000)
    expect(app.status).toBe('unlocked')
    vi.advanceTimersByTime(60_000 + 1)
    expect(app.status).toBe('locked')
    expect(app.cards).toEqual([])
    vi.useRealTimers()
    await app.unlock('not it')
    expect(app.status).toBe('locked')
    expect(app.unlockProblem).toMatchObject({ code: 'ERR_WALLET_PASSPHRASE_WRONG' })
    await app.unlock('a long enough passphrase')
    expect(app.status).toBe('unlocked')
    app.lock()
    expect(app.status).toBe('locked')
  }, 30_000)

  it('reads and writes its routes', () => {
    expect(parseWalletView('#/wallet')).toEqual({ name: 'cards' })
    expect(parseWalletView('#/wallet/settings')).toEqual({ name: 'settings' })
    const offer = 'openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fpsb.gov.example%2Foffer%2F1'
    expect(parseWalletView(walletHash({ name: 'receive', offer }))).toEqual({ name: 'receive', offer })
    expect(parseWalletView('#/wallet/receive')).toEqual({ name: 'receive', offer: null })
    const batch = '00000000-0000-4000-8000-000000000001'
    expect(parseWalletView(walletHash({ name: 'card', batch }))).toEqual({ name: 'card', batch })
    expect(parseWalletView('#/wallet/card/not-a-batch')).toEqual({ name: 'cards' })
  })
})
