/**
 * The issuing office an officer last worked for on this device, so the console opens on it
 * again after a reload. Only the office's id from civic-config.json is kept — nothing about
 * the officer or any citizen. Storage may be missing or refuse writes (private mode, quota):
 * the choice then lasts for this page only.
 */

export const OFFICE_STORAGE_KEY = 'civic-wallet.issuer.office'

function storage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage
  } catch {
    return undefined
  }
}

/** The office chosen before on this device, or null. */
export function rememberedOffice(): string | null {
  try {
    const id = storage()?.getItem(OFFICE_STORAGE_KEY)
    return typeof id === 'string' && id.length > 0 && id.length <= 64 ? id : null
  } catch {
    return null
  }
}

export function rememberOffice(id: string): void {
  try {
    storage()?.setItem(OFFICE_STORAGE_KEY, id)
  } catch {
    // Storage refused the write: the choice lasts for this page.
  }
}
