/**
 * The sync of the trust engine off the page's thread: it opens the same IndexedDB database,
 * runs the same sync as in process (sync.ts) and writes its result there; the page reloads
 * from the store when told it is done. The configuration crosses as the plain JSON it was read
 * from and is read again here, as strictly.
 */
import { CivicError, fail } from '../core/errors.ts'
import { TrustRepository } from '../store/trust.ts'
import { parseTrustConfig } from './config.ts'
import { runSync } from './sync.ts'

interface Scope {
  onmessage: ((ev: MessageEvent) => void) | null
  postMessage(m: unknown): void
}
const scope = globalThis as unknown as Scope

scope.onmessage = (ev: MessageEvent) => {
  const { dbName, source, now } = ev.data as { dbName: string; source: unknown; now: number }
  void (async () => {
    const config = parseTrustConfig(source)
    if (!config.ok) return scope.postMessage({ type: 'done', verdict: config })
    let repo: TrustRepository | undefined
    try {
      repo = await TrustRepository.open(dbName)
      const verdict = await runSync(repo, config.value, {
        fetch: (input, init) => fetch(input, init), now,
        onProgress: (progress) => scope.postMessage({ type: 'progress', progress }),
      })
      scope.postMessage({ type: 'done', verdict })
    } catch (e) {
      scope.postMessage({ type: 'done', verdict: e instanceof CivicError ? fail(e.code, e.detail) : fail('ERR_STORE_UNAVAILABLE', String(e)) })
    } finally {
      repo?.close()
    }
  })()
}
