/**
 * The wallet bench page, served from the app's origin (so it writes the app's own `civic-wallet`
 * database): `fill` creates the wallet and stores `n` batches through the wallet's own code
 * (src/wallet/wallet.ts: every copy sealed, one transaction a batch), each batch a copy of a
 * real credential the issuer gave, bound to a key made here; `kdf` times the passphrase KDF as
 * the app runs it (in its Worker) at the vault's parameters.
 */
import { KDF_DEFAULTS } from '../../../src/wallet/kdf-params.ts'
import { workerKdf } from '../../../src/wallet/kdf-worker.ts'
import type { CredentialDisplay, Received } from '../../../src/wallet/vci.ts'
import { Wallet } from '../../../src/wallet/wallet.ts'
import type { JsonObject } from '../../../src/core/bytes/json.ts'

export interface Sample {
  credential: string
  claims: JsonObject
  issuer: string
  configurationId: string
  display: CredentialDisplay
}

async function fill(n: number, copies: number, passphrase: string, sample: Sample): Promise<{ ms: number }> {
  const t0 = performance.now()
  const w = await Wallet.open({ marker: localStorage, kdf: workerKdf, now: () => Math.floor(Date.now() / 1000) })
  await w.create(passphrase)
  const keyPair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair
  const publicJwk = (await crypto.subtle.exportKey('jwk', keyPair.publicKey)) as unknown as Received['copies'][number]['publicJwk']
  for (let i = 0; i < n; i++) {
    const r: Received = {
      issuer: sample.issuer, configurationId: sample.configurationId, display: sample.display,
      copies: Array.from({ length: copies }, () => ({ credential: sample.credential, verified: { claims: sample.claims } as never, keyPair, publicJwk })),
    }
    await w.storeBatch(r)
  }
  w.close()
  return { ms: performance.now() - t0 }
}

async function kdf(runs: number): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await workerKdf('a passphrase for timing', { alg: 'argon2id', ...KDF_DEFAULTS, salt: 'AAAAAAAAAAAAAAAAAAAAAA' })
    out.push(performance.now() - t0)
  }
  return out
}

;(window as unknown as { walletBench: unknown }).walletBench = { fill, kdf }
