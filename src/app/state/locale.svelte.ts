/**
 * The interface language: chosen by the user, remembered in localStorage, otherwise taken
 * from the browser's preferred languages. Storage may be missing or refuse writes
 * (private mode, quota); the choice then lasts for this page only.
 */
import { isLocale, translate, type Entry, type Locale, type StringKey } from '../i18n/strings.ts'

export const LOCALE_STORAGE_KEY = 'civic-wallet.locale'

export function preferredLocale(languages: readonly string[]): Locale {
  for (const tag of languages) {
    const lower = tag.toLowerCase()
    if (lower.startsWith('zh')) return 'zh-CN'
    if (lower.startsWith('en')) return 'en'
  }
  return 'zh-CN'
}

function readStored(storage: Storage | undefined): Locale | undefined {
  try {
    const value = storage?.getItem(LOCALE_STORAGE_KEY)
    return isLocale(value) ? value : undefined
  } catch {
    return undefined
  }
}

function defaultStorage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage
  } catch {
    return undefined
  }
}

function defaultLanguages(): readonly string[] {
  return typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language]
}

export class LocaleState {
  #storage: Storage | undefined
  #current = $state<Locale>('zh-CN')

  constructor(storage: Storage | undefined = defaultStorage(), languages: readonly string[] = defaultLanguages()) {
    this.#storage = storage
    this.#current = readStored(storage) ?? preferredLocale(languages)
    if (typeof window !== 'undefined') {
      window.addEventListener('storage', (event) => {
        if (event.key === LOCALE_STORAGE_KEY && isLocale(event.newValue)) this.#current = event.newValue
      })
    }
  }

  get current(): Locale {
    return this.#current
  }

  set current(value: Locale) {
    this.#current = value
    try {
      this.#storage?.setItem(LOCALE_STORAGE_KEY, value)
    } catch {
      // Storage refused the write: keep the choice in memory for this page.
    }
  }

  get other(): Locale {
    return this.#current === 'zh-CN' ? 'en' : 'zh-CN'
  }

  toggle(): void {
    this.current = this.other
  }

  t(key: StringKey): string {
    return translate(this.#current, key)
  }

  /** A translator over a role's own table (e.g. issuerStrings); it reads the current language at each call. */
  table<K extends string>(strings: Readonly<Record<K, Entry>>): (key: K) => string {
    return (key) => strings[key][this.#current]
  }
}

export const locale = new LocaleState()
