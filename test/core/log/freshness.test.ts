import { describe, expect, it } from 'vitest'
import { checkpointTime } from '../../../src/core/log/freshness.ts'

const at = (...times: number[]) => ({ cosigners: times.map((t, i) => ({ name: `w${i}`, keyId: i, timestampSeconds: t })) })

describe('checkpointTime', () => {
  it('is the quorum-th newest cosignature time', () => {
    expect(checkpointTime(at(100, 300, 200), 1)).toBe(300)
    expect(checkpointTime(at(100, 300, 200), 2)).toBe(200)
    expect(checkpointTime(at(100, 300, 200), 3)).toBe(100)
  })
  it('is null for quorum 0 and when fewer cosignatures than the quorum verified', () => {
    expect(checkpointTime(at(100), 0)).toBeNull()
    expect(checkpointTime(at(100), 2)).toBeNull()
  })
  it('refuses a quorum that is not a whole number', () => {
    expect(() => checkpointTime(at(1), -1)).toThrow(TypeError)
    expect(() => checkpointTime(at(1), 1.5)).toThrow(TypeError)
  })
})
