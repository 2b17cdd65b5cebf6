/**
 * Choosing, remembering and falling back for the interface language.
 */
import { describe, expect, it } from 'vitest'
import { strings } from '../../../src/app/i18n/strings.ts'
import { LOCALE_STORAGE_KEY, LocaleState, preferredLocale } from '../../../src/app/state/locale.svelte.ts'

class MemoryStorage implements Storage {
  #items = new Map<string, string>()
  failWrites = false
  get length(): number {
    return this.#items.size
  }
  clear(): void {
    this.#items.clear()
  }
  getItem(key: string): string | null {
    return this.#items.get(key) ?? null
  }
  key(index: number): string | null {
    return [...this.#items.keys()][index] ?? null
  }
  removeItem(key: string): void {
    this.#items.delete(key)
  }
  setItem(key: string, value: string): void {
    if (this.failWrites) throw new DOMException('quota', 'QuotaExceededError')
    this.#items.set(key, value)
  }
}

describe('preferredLocale', () => {
  it.each([
    [['zh-CN'], 'zh-CN'],
    [['zh-TW', 'en'], 'zh-CN'],
    [['en-US', 'zh-CN'], 'en'],
    [['fr-FR', 'en-GB'], 'en'],
    [['fr-FR'], 'zh-CN'],
    [[], 'zh-CN'],
  ] as const)('%j → %s', (languages, expected) => {
    expect(preferredLocale(languages)).toBe(expected)
  })
})

describe('LocaleState', () => {
  it('follows the browser languages when nothing is stored', () => {
    expect(new LocaleState(new MemoryStorage(), ['en-US']).current).toBe('en')
    expect(new LocaleState(new MemoryStorage(), ['zh-CN']).current).toBe('zh-CN')
  })

  it('prefers the stored choice, and ignores a stored value that is not a locale', () => {
    const storage = new MemoryStorage()
    storage.setItem(LOCALE_STORAGE_KEY, 'zh-CN')
    expect(new LocaleState(storage, ['en-US']).current).toBe('zh-CN')
    storage.setItem(LOCALE_STORAGE_KEY, 'klingon')
    expect(new LocaleState(storage, ['en-US']).current).toBe('en')
  })

  it('stores the choice when toggled and translates with it', () => {
    const storage = new MemoryStorage()
    const locale = new LocaleState(storage, ['en'])
    expect(locale.t('app.name')).toBe(strings['app.name'].en)
    locale.toggle()
    expect(locale.current).toBe('zh-CN')
    expect(locale.other).toBe('en')
    expect(storage.getItem(LOCALE_STORAGE_KEY)).toBe('zh-CN')
    expect(locale.t('app.name')).toBe(strings['app.name']['zh-CN'])
  })

  it('keeps the choice in memory when storage refuses the write or is missing', () => {
    const storage = new MemoryStorage()
    storage.failWrites = true
    const locale = new LocaleState(storage, ['en'])
    locale.current = 'zh-CN'
    expect(locale.current).toBe('zh-CN')
    expect(storage.getItem(LOCALE_STORAGE_KEY)).toBeNull()

    const bare = new LocaleState(undefined, ['zh-CN'])
    bare.toggle()
    expect(bare.current).toBe('en')
  })
})
