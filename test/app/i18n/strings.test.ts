/**
 * The string tables (the shell's and each role's): complete in both languages, and every entry
 * used somewhere in the app.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { LOCALES, isLocale, strings, translate, type Entry, type StringKey } from '../../../src/app/i18n/strings.ts'
import { issuerStrings } from '../../../src/app/i18n/issuer.ts'

const APP_DIR = fileURLToPath(new URL('../../../src/app', import.meta.url))
const keys = Object.keys(strings) as StringKey[]
const TABLES: Record<string, Readonly<Record<string, Entry>>> = { strings, issuerStrings }
const all = Object.entries(TABLES).flatMap(([table, t]) => Object.entries(t).map(([key, entry]) => ({ table, key, entry })))

function appSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return appSources(path)
    if (!/\.(ts|svelte)$/.test(entry.name) || path.endsWith(join('i18n', 'strings.ts'))) return []
    // A role's table file also maps error codes to keys: that use counts, the table itself does not.
    return [readFileSync(path, 'utf8').replace(/export const \w+Strings = \{[\s\S]*?\n\} as const/, '')]
  })
}

describe('strings', () => {
  it('translates every shell key in every locale', () => {
    for (const key of keys) for (const locale of LOCALES) expect(translate(locale, key), `${key} ${locale}`).toBe(strings[key][locale])
  })

  it('has a non-empty text in every locale, different between the two, in every table', () => {
    expect(all.length).toBeGreaterThan(100)
    for (const { table, key, entry } of all) {
      for (const locale of LOCALES) expect(entry[locale].trim(), `${table} ${key} ${locale}`).not.toBe('')
      expect(entry['zh-CN'], key).not.toBe(entry.en)
    }
  })

  it('writes the zh-CN column in Chinese, except the name of English itself', () => {
    for (const { key, entry } of all) {
      if (key === 'lang.switchTo') continue
      // A pure pattern ('{text}（{code}）') has no words to translate, only each language's punctuation.
      if (!/\p{L}/u.test(entry['zh-CN'].replace(/\{[a-zA-Z|]+\}/g, ''))) {
        expect(entry['zh-CN'], key).not.toBe(entry.en)
        continue
      }
      expect(entry['zh-CN'], key).toMatch(/\p{Script=Han}/u)
    }
  })

  it('keys are unique across the tables', () => {
    expect(new Set(all.map((e) => e.key)).size).toBe(all.length)
  })

  it('has no entry that the app never uses', () => {
    const sources = appSources(APP_DIR).join('\n')
    const unused = all.map((e) => e.key).filter((key) => !sources.includes(`'${key}'`) && !sources.includes(`\`${key}\``))
    expect(unused).toEqual([])
  })
})

describe('isLocale', () => {
  it('accepts exactly the supported locales', () => {
    expect(LOCALES.every(isLocale)).toBe(true)
    for (const value of ['zh', 'zh-cn', 'EN', 'en-US', '', null, 42]) expect(isLocale(value)).toBe(false)
  })
})
