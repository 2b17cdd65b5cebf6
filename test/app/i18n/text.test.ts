/**
 * The text helpers: every code a screen can meet has a text (the tables are total over the
 * issuer's codes and the shared HTTP layer's, the type says so and this checks the catalogue
 * at run time too), anything else is unknown; English plurals; each language's colon.
 */
import { describe, expect, it } from 'vitest'
import { ERROR_CODES, type ErrorCode } from '../../../src/core/errors.ts'
import { strings } from '../../../src/app/i18n/strings.ts'
import { ISSUER_ERROR_TEXT, issuerStrings } from '../../../src/app/i18n/issuer.ts'
import { HTTP_ERROR_TEXT, errorText, fill, labelSeparator } from '../../../src/app/i18n/text.ts'

const codes = Object.keys(ERROR_CODES) as ErrorCode[]

describe('error texts', () => {
  it('name every ERR_ISSUER_ code of the catalogue, each with a text of its own', () => {
    const issuerCodes = codes.filter((c) => c.startsWith('ERR_ISSUER_'))
    expect(issuerCodes.length).toBeGreaterThan(10)
    expect(Object.keys(ISSUER_ERROR_TEXT).sort()).toEqual([...issuerCodes].sort())
    for (const code of issuerCodes) expect(Object.hasOwn(issuerStrings, ISSUER_ERROR_TEXT[code as keyof typeof ISSUER_ERROR_TEXT]), code).toBe(true)
    expect(new Set(Object.values(ISSUER_ERROR_TEXT)).size).toBe(issuerCodes.length)
  })

  it('name every ERR_HTTP_ code in the shell table', () => {
    const httpCodes = codes.filter((c) => c.startsWith('ERR_HTTP_'))
    expect(httpCodes.length).toBeGreaterThan(3)
    expect(Object.keys(HTTP_ERROR_TEXT).sort()).toEqual([...httpCodes].sort())
    for (const code of httpCodes) expect(Object.hasOwn(strings, HTTP_ERROR_TEXT[code as keyof typeof HTTP_ERROR_TEXT]), code).toBe(true)
  })

  it('finds a code in the role table first, then the shell table, else nothing', () => {
    expect(errorText(ISSUER_ERROR_TEXT, 'ERR_ISSUER_LEDGER')).toEqual({ role: 'error.ERR_ISSUER_LEDGER' })
    expect(errorText(ISSUER_ERROR_TEXT, 'ERR_HTTP_TIMEOUT')).toEqual({ shell: 'error.ERR_HTTP_TIMEOUT' })
    expect(errorText(ISSUER_ERROR_TEXT, 'ERR_LEDGER_RATE_LIMITED')).toBeNull()
    // inherited names are not codes
    expect(errorText(ISSUER_ERROR_TEXT, 'toString' as ErrorCode)).toBeNull()
  })
})

describe('fill', () => {
  it('fills placeholders and leaves unknown ones', () => {
    expect(fill('{n} of {k}, {x}', { n: 2, k: 'three' })).toBe('2 of three, {x}')
  })

  it('picks the English singular or plural by the number', () => {
    const t = 'Published {n} status {n|list|lists}.'
    expect(fill(t, { n: 1 })).toBe('Published 1 status list.')
    expect(fill(t, { n: 0 })).toBe('Published 0 status lists.')
    expect(fill(t, { n: 2 })).toBe('Published 2 status lists.')
    expect(fill(issuerStrings['issuer.witnesses.quorum'].en, { n: 1, k: 1 })).toBe('1 witness cosigned (at least 1 is needed).')
    expect(fill(issuerStrings['issuer.witnesses.quorum'].en, { n: 3, k: 2 })).toBe('3 witnesses cosigned (at least 2 are needed).')
  })

  it('leaves no "(s)" plural in any English string', () => {
    for (const [key, e] of Object.entries({ ...strings, ...issuerStrings })) expect(e.en, key).not.toMatch(/\(s\)/)
  })
})

describe('labelSeparator', () => {
  it('is the full-width colon in Chinese and a colon and space in English', () => {
    expect(labelSeparator('zh-CN')).toBe('：')
    expect(labelSeparator('en')).toBe(': ')
  })

  it('no Chinese string uses an ASCII colon', () => {
    for (const [key, e] of Object.entries({ ...strings, ...issuerStrings })) expect(e['zh-CN'], key).not.toMatch(/:/)
  })
})
