/**
 * Where a console keeps its officers' session secrets (src/office/client.ts): the tab's
 * sessionStorage, which is per origin (a page on another localhost port cannot read it, though
 * it receives the session cookie) and survives a reload; memory where there is none. Each
 * console has its own key prefix, and each office its own key under it (by its admin URL).
 */
import { memorySessionSecrets, type SessionSecrets } from '../../office/client.ts'

export function browserSessionSecrets(prefix: string): SessionSecrets {
  let storage: Storage | null = null
  try {
    storage = typeof sessionStorage === 'undefined' ? null : sessionStorage
  } catch {
    storage = null // storage refused by the browser's settings
  }
  if (!storage) return memorySessionSecrets()
  const s = storage
  return {
    get: (base) => {
      try {
        return s.getItem(prefix + base)
      } catch {
        return null
      }
    },
    set: (base, v) => {
      try {
        if (v === null) s.removeItem(prefix + base)
        else s.setItem(prefix + base, v)
      } catch {
        // a full or refused storage: the session lasts until the page is reloaded
      }
    },
  }
}
