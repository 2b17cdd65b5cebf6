/**
 * The string table: complete in both languages, and every entry used somewhere in the app.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { LOCALES, isLocale, strings, translate, type StringKey } from '../../../src/app/i18n/strings.ts'

const APP_DIR = fileURLToPath(new URL('../../../src/app', import.meta.url))
const keys = Object.keys(strings) as StringKey[]

function appSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return appSources(path)
    return /\.(ts|svelte)$/.test(entry.name) && !path.endsWith(join('i18n', 'strings.ts')) ? [readFileSync(path, 'utf8')] : []
  })
}

describe('strings', () => {
  it('has a non-empty text in every locale, different between the two', () => {
    for (const key of keys) {
      for (const locale of LOCALES) expect(translate(locale, key).trim(), `${key} ${locale}`).not.toBe('')
      expect(strings[key]['zh-CN'], key).not.toBe(strings[key].en)
    }
  })

  it('writes the zh-CN column in Chinese, except the name of English itself', () => {
    for (const key of keys) {
      if (key === 'lang.switchTo') continue
      expect(strings[key]['zh-CN'], key).toMatch(/\p{Script=Han}/u)
    }
  })

  it('has no entry that the app never uses', () => {
    const sources = appSources(APP_DIR).join('\n')
    const unused = keys.filter((key) => !sources.includes(`'${key}'`) && !sources.includes(`\`${key}\``))
    expect(unused).toEqual([])
  })
})

describe('isLocale', () => {
  it('accepts exactly the supported locales', () => {
    expect(LOCALES.every(isLocale)).toBe(true)
    for (const value of ['zh', 'zh-cn', 'EN', 'en-US', '', null, 42]) expect(isLocale(value)).toBe(false)
  })
})
