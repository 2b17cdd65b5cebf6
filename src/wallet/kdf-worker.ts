/**
 * The passphrase KDF as the browser runs it: each derivation in its own Worker (kdf.worker.ts),
 * so 64 MiB of memory-hard hashing never blocks the page, and the worker — with the passphrase
 * and its memory — is ended as soon as it answers. Where there is no Worker (Node, tests),
 * `pickKdf` runs argon2id in this thread.
 */
import { InputError } from '../core/errors.ts'
import type { Kdf, KdfParams } from './kdf-params.ts'

type Answer = { ok: true; key: Uint8Array } | { ok: false; code: 'ERR_WALLET_VAULT_INVALID' | null; detail: string }

/** argon2id in a fresh Worker. Rejects as the in-thread KDF would (InputError for bad parameters). */
export const workerKdf: Kdf = (passphrase: string, params: KdfParams) =>
  new Promise<Uint8Array>((resolve, reject) => {
    const w = new Worker(new URL('./kdf.worker.ts', import.meta.url), { type: 'module' })
    w.onmessage = (ev: MessageEvent) => {
      w.terminate()
      const a = ev.data as Answer
      if (a.ok) resolve(a.key)
      else reject(a.code ? new InputError(a.code, a.detail) : new Error(`the key derivation failed: ${a.detail}`))
    }
    w.onerror = (ev) => {
      ev.preventDefault()
      w.terminate()
      reject(new Error(`the key derivation worker failed: ${ev.message}`))
    }
    w.postMessage({ passphrase, params: { ...params } })
  })

/** The Worker KDF where the platform has workers, else argon2id in this thread (loaded on first use). */
export function pickKdf(): Kdf {
  if (typeof Worker === 'function') return workerKdf
  return async (passphrase, params) => (await import('./kdf.ts')).argon2idKdf(passphrase, params)
}
