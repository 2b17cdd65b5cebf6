// Herd privacy as the card warns of it: a list below 2^17 entries, and a list outside the base
// the issuer registered (which the ledger never anchors, so it may be the holder's own).
import { describe, expect, it } from 'vitest'
import { HERD_SIZE, herdConcern } from '../../src/wallet/herd.ts'

const base = 'https://psb.gov.example/status/'
const ref = (uri: string, idx = 7) => ({ uri, idx })

describe('herdConcern', () => {
  it('says nothing of lists at the advised size under the registered base', () => {
    const lists = new Map([[`${base}1`, HERD_SIZE], [`${base}2`, 2 * HERD_SIZE]])
    expect(herdConcern([ref(`${base}1`), ref(`${base}2`)], lists, base)).toBeNull()
  })

  it('names the smallest list below the advised size', () => {
    const lists = new Map([[`${base}1`, HERD_SIZE - 1], [`${base}2`, 1024], [`${base}3`, HERD_SIZE]])
    expect(herdConcern([ref(`${base}1`), ref(`${base}2`), ref(`${base}3`)], lists, base)).toEqual({ kind: 'small', uri: `${base}2`, entries: 1024 })
  })

  it('cannot judge the size of a list it does not hold yet', () => {
    expect(herdConcern([ref(`${base}1`)], new Map(), base)).toBeNull()
  })

  it('warns of a list outside the registered base before its size, held or not', () => {
    const own = 'https://psb.gov.example/holders/5f3a/status'
    expect(herdConcern([ref(`${base}1`), ref(own)], new Map([[own, 1 << 20], [`${base}1`, 16]]), base)).toEqual({ kind: 'unregistered', uri: own, base })
    expect(herdConcern([ref(own)], new Map(), base)).toEqual({ kind: 'unregistered', uri: own, base })
    // A look-alike host is outside the base too.
    expect(herdConcern([ref('https://psb.gov.example.evil/status/1')], new Map(), base)).toMatchObject({ kind: 'unregistered' })
  })

  it('without a registered base (issuer unknown now) judges sizes only', () => {
    const own = 'https://elsewhere.example/l'
    expect(herdConcern([ref(own)], new Map([[own, 10]]), null)).toEqual({ kind: 'small', uri: own, entries: 10 })
  })
})
