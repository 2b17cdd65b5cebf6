/**
 * argon2id off the page's thread: one derivation per message, answered with the 32 bytes or
 * the reason it could not run. The parameters cross as the stored JSON and are read again
 * here, as strictly (kdf.ts parseKdfParams). The passphrase lives in this worker only for the
 * one derivation; the worker is ended after it answers (kdf-worker.ts).
 */
import { InputError } from '../core/errors.ts'
import { argon2idKdf, type KdfParams } from './kdf.ts'

interface Scope {
  onmessage: ((ev: MessageEvent) => void) | null
  postMessage(m: unknown, transfer?: Transferable[]): void
}
const scope = globalThis as unknown as Scope

scope.onmessage = (ev: MessageEvent) => {
  const { passphrase, params } = ev.data as { passphrase: string; params: KdfParams }
  void argon2idKdf(passphrase, params).then(
    (key) => scope.postMessage({ ok: true, key }, [key.buffer]),
    (e: unknown) => scope.postMessage({ ok: false, code: e instanceof InputError ? e.code : null, detail: e instanceof Error ? e.message : String(e) }),
  )
}
