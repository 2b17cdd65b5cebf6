// The kernel's one strict shape reader: declared members only, each of its kind, the caller's code.
import { describe, expect, expectTypeOf, it } from 'vitest'
import { readMembers, readShape } from '../../../src/core/bytes/shape.ts'
import { CivicError, InputError } from '../../../src/core/errors.ts'
import type { JsonObject, JsonValue } from '../../../src/core/bytes/json.ts'

const SHAPE = { name: 'text', note: 'string?', size: 'uint', ratio: 'number?', on: 'boolean?', meta: 'object?', list: 'array?', any: 'json?' } as const
const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (e) {
    return e
  }
  throw new Error('did not throw')
}

describe('readShape', () => {
  it('returns the object itself, typed: required members, optional ones possibly undefined', () => {
    const v = { name: 'a', size: 3, meta: { x: 1 } }
    const o = readShape(v, SHAPE, 'thing', 'ERR_REG_SCHEMA')
    expect(o).toBe(v)
    expectTypeOf(o.name).toEqualTypeOf<string>()
    expectTypeOf(o.size).toEqualTypeOf<number>()
    expectTypeOf(o.note).toEqualTypeOf<string | undefined>()
    expectTypeOf(o.meta).toEqualTypeOf<JsonObject | undefined>()
    expectTypeOf(o.list).toEqualTypeOf<JsonValue[] | undefined>()
    expectTypeOf(o.any).toEqualTypeOf<JsonValue | undefined>()
  })

  it.each<[string, unknown, string]>([
    ['not an object', [], 'thing: not an object'],
    ['null', null, 'thing: not an object'],
    ['a required member missing', { name: 'a' }, 'thing: member size is missing'],
    ['an unknown member', { name: 'a', size: 1, extra: 1 }, 'thing: member "extra" is not in the schema'],
    ['__proto__ as an own member', JSON.parse('{"name":"a","size":1,"__proto__":{}}'), 'thing: member "__proto__" is not in the schema'],
    ['text empty', { name: '', size: 1 }, 'thing.name: not a non-empty string'],
    ['uint negative', { name: 'a', size: -1 }, 'thing.size: not a non-negative integer'],
    ['uint fractional', { name: 'a', size: 1.5 }, 'thing.size: not a non-negative integer'],
    ['uint beyond 2^53', { name: 'a', size: 2 ** 53 }, 'thing.size: not a non-negative integer'],
    ['uint as a string', { name: 'a', size: '1' }, 'thing.size: not a non-negative integer'],
    ['optional string of another kind', { name: 'a', size: 1, note: 5 }, 'thing.note: not a string'],
    ['number not finite', { name: 'a', size: 1, ratio: Infinity }, 'thing.ratio: not a number'],
    ['boolean as 0', { name: 'a', size: 1, on: 0 }, 'thing.on: not true or false'],
    ['object as an array', { name: 'a', size: 1, meta: [] }, 'thing.meta: not an object'],
    ['array as an object', { name: 'a', size: 1, list: {} }, 'thing.list: not an array'],
  ])('%s → InputError with the caller\'s code', (_, v, detail) => {
    const e = thrown(() => readShape(v, SHAPE, 'thing', 'ERR_REG_SCHEMA'))
    expect(e).toBeInstanceOf(InputError)
    expect(e).toMatchObject({ code: 'ERR_REG_SCHEMA', detail })
  })

  it('throws the caller\'s own error class when asked', () => {
    const e = thrown(() => readShape({}, SHAPE, 'ledger.json', { code: 'ERR_LEDGER_CONFIG', error: (c, d) => new CivicError(c, d) }))
    expect(e).toBeInstanceOf(CivicError)
    expect(e).not.toBeInstanceOf(InputError)
    expect(e).toMatchObject({ code: 'ERR_LEDGER_CONFIG', detail: 'ledger.json: member name is missing' })
  })
})

describe('readMembers', () => {
  it('checks the member set only', () => {
    expect(readMembers({ a: 'anything', b: [1] }, 'x', ['a'], ['b'], 'ERR_LOG_STATE_INVALID')).toEqual({ a: 'anything', b: [1] })
    expect(thrown(() => readMembers({ b: 1 }, 'x', ['a'], ['b'], 'ERR_LOG_STATE_INVALID'))).toMatchObject({ code: 'ERR_LOG_STATE_INVALID', detail: 'x: member a is missing' })
    expect(thrown(() => readMembers({ a: 1, c: 1 }, 'x', ['a'], ['b'], 'ERR_LOG_STATE_INVALID'))).toMatchObject({ detail: 'x: member "c" is not in the schema' })
  })
})
