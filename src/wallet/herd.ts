/**
 * Herd privacy (draft-ietf-oauth-status-list §12.x, "limiting the issuer's observability"):
 * whoever checks a credential's status reads a whole list, so the holder hides among every
 * other credential on it — unless the list is small, or unless the issuer keeps a list aside
 * for this holder. What the wallet can see of either, from what it holds:
 *
 * - `small`: a held list has fewer entries than HERD_SIZE (2^17, the draft's advice).
 * - `unregistered`: a list outside the status list base the issuer registered on the ledger.
 *   The ledger anchors only lists under that base (src/ledger/status-gate.ts), so such a list
 *   is never among the public ones: only this holder's credentials need point at it, and every
 *   check of it goes to the issuer. That is the one "list of its own" a wallet can prove; a
 *   list of its own under the registered base looks like any other from one wallet.
 */
import type { StatusRef } from './wallet.ts'

/** Entries a status list needs to give the herd privacy the Token Status List advises. */
export const HERD_SIZE = 131_072

export type HerdConcern =
  | { kind: 'small'; uri: string; entries: number }
  | { kind: 'unregistered'; uri: string; base: string }

/**
 * The first concern about a credential's status lists, or null when there is none to show.
 * `lists`: the held lists' sizes by URI; `base`: the issuer's registered statusListBase
 * (null when the registry does not know the issuer now, or it registered none).
 */
export function herdConcern(refs: readonly StatusRef[], lists: ReadonlyMap<string, number>, base: string | null): HerdConcern | null {
  if (base !== null) {
    const outside = refs.find((r) => !r.uri.startsWith(base))
    if (outside) return { kind: 'unregistered', uri: outside.uri, base }
  }
  let small: { kind: 'small'; uri: string; entries: number } | null = null
  for (const r of refs) {
    const entries = lists.get(r.uri)
    if (entries !== undefined && entries < HERD_SIZE && entries < (small?.entries ?? HERD_SIZE)) small = { kind: 'small', uri: r.uri, entries }
  }
  return small
}
