/**
 * Hash parsing and formatting for the app's routes.
 */
import { describe, expect, it } from 'vitest'
import { ROLES, formatRoute, isRole, parseRoute, type RouteName } from '../../../src/app/state/router.svelte.ts'

describe('parseRoute', () => {
  it.each<[string, RouteName]>([
    ['', 'home'],
    ['#', 'home'],
    ['#/', 'home'],
    ['#//', 'home'],
    ['#/wallet', 'wallet'],
    ['#/wallet/', 'wallet'],
    ['#/wallet/credentials/1', 'wallet'],
    ['#/counter?x=1', 'counter'],
    ['#issuer', 'issuer'],
    ['#/explorer', 'explorer'],
    ['#/Wallet', 'not-found'],
    ['#/wallets', 'not-found'],
    ['#/constructor', 'not-found'],
    ['#/__proto__', 'not-found'],
    ['#main', 'not-found'],
  ])('%j → %s', (hash, route) => {
    expect(parseRoute(hash)).toBe(route)
  })
})

describe('formatRoute', () => {
  it('formats a hash that parses back to the same route', () => {
    for (const route of ['home', ...ROLES] as const) expect(parseRoute(formatRoute(route))).toBe(route)
  })
})

describe('isRole', () => {
  it('accepts the four roles only', () => {
    for (const role of ROLES) expect(isRole(role)).toBe(true)
    for (const other of ['home', 'not-found', '', 'WALLET', 1, null, undefined]) expect(isRole(other)).toBe(false)
  })
})
