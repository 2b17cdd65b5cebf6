/**
 * GETs against the ledger, counted: the engine reports the requests and bytes every sync costs
 * (the bench reads them), and a failed answer becomes a rejection the log code turns into
 * ERR_LOG_FETCH_FAILED.
 */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>

export interface Counter {
  requests: number
  bytes: number
}

/** A GET of paths under `base`, counting into `counter`. Rejects on a network failure or a non-200 answer. */
export function ledgerGetter(fetchFn: FetchLike, base: string, counter: Counter): (path: string) => Promise<Uint8Array> {
  return async (path) => {
    counter.requests++
    const r = await fetchFn(base + path, { headers: { accept: '*/*' } })
    if (r.status !== 200) {
      await r.body?.cancel().catch(() => {})
      throw new Error(`HTTP ${r.status} for ${path}`)
    }
    const b = new Uint8Array(await r.arrayBuffer())
    counter.bytes += b.length
    return b
  }
}

export function defaultFetch(): FetchLike {
  if (typeof fetch !== 'function') throw new TypeError('this environment has no fetch; pass one')
  return (input, init) => fetch(input, init)
}
