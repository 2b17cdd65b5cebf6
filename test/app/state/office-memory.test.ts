// @vitest-environment happy-dom
/**
 * The office an officer last chose, remembered on this device: only its id, read back after a
 * reload; storage that refuses reads or writes leaves the console working without the memory.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { OFFICE_STORAGE_KEY, rememberOffice, rememberedOffice } from '../../../src/app/state/office-memory.ts'

beforeEach(() => localStorage.clear())
afterEach(() => vi.unstubAllGlobals())

describe('office memory', () => {
  it('remembers the last office chosen, by id only', () => {
    expect(rememberedOffice()).toBeNull()
    rememberOffice('psb')
    rememberOffice('hrss')
    expect(rememberedOffice()).toBe('hrss')
    expect(localStorage.getItem(OFFICE_STORAGE_KEY)).toBe('hrss')
    expect(localStorage.length).toBe(1)
  })

  it('ignores a stored value that cannot be an office id', () => {
    localStorage.setItem(OFFICE_STORAGE_KEY, '')
    expect(rememberedOffice()).toBeNull()
    localStorage.setItem(OFFICE_STORAGE_KEY, 'x'.repeat(65))
    expect(rememberedOffice()).toBeNull()
  })

  it('keeps working when storage refuses', () => {
    // A browser in private mode or over quota: every access throws.
    const refusing = {
      getItem: () => { throw new DOMException('denied', 'SecurityError') },
      setItem: () => { throw new DOMException('quota', 'QuotaExceededError') },
    }
    vi.stubGlobal('localStorage', refusing)
    expect(() => rememberOffice('psb')).not.toThrow()
    expect(rememberedOffice()).toBeNull()
  })
})
