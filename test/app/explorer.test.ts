// @vitest-environment happy-dom
/**
 * The ledger explorer's components mounted in a DOM over a registry of real signed entries
 * (explorer-world.ts): the pictures and their text alternatives and tables, the age of the
 * checkpoint, sync progress, evidence with its export, the directory of issuers and verifiers,
 * and the check in this browser — passing for an entry as stored and failing, with its reason,
 * once a byte is changed. In zh-CN and en.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { flushSync, mount, unmount } from 'svelte'
import { explorerStrings, type ExplorerKey } from '../../src/app/i18n/explorer.ts'
import { locale } from '../../src/app/state/locale.svelte.ts'
import { TrustState, TRUST_CONFIG_STORAGE_KEY, type ConfigSource, type TrustEngineLike } from '../../src/app/state/trust.svelte.ts'
import { ExplorerState } from '../../src/app/state/explorer.svelte.ts'
import Explorer from '../../src/app/roles/explorer/Explorer.svelte'
import { buildWorld, NOW, PSB, CLINIC, HALL, PHARMACY, NAMES, worldEngine, type World } from './explorer-world.ts'
import type { Locale } from '../../src/app/i18n/strings.ts'

const tx = (lang: Locale, k: ExplorerKey) => explorerStrings[k][lang]

let world: World
beforeAll(async () => {
  world = await buildWorld()
})

const TRUST_SOURCE = { ledger: { url: 'http://localhost:1/', quorum: 2 }, statusMirrors: {} }

function config(status: ConfigSource['status'] = 'ready'): ConfigSource {
  return { status, value: status === 'ready' ? (TRUST_SOURCE as never) : null, detail: status === 'ready' ? '' : 'no answer', load: async () => {} }
}

class MemoryStorage {
  #m = new Map<string, string>()
  get length() { return this.#m.size }
  clear() { this.#m.clear() }
  getItem(k: string) { return this.#m.get(k) ?? null }
  key(i: number) { return [...this.#m.keys()][i] ?? null }
  removeItem(k: string) { this.#m.delete(k) }
  setItem(k: string, v: string) { this.#m.set(k, v) }
}

let mounted: Record<string, unknown> | undefined
let target: HTMLElement
afterEach(() => {
  if (mounted) unmount(mounted)
  mounted = undefined
  target?.remove()
  location.hash = ''
})

async function show(engine: TrustEngineLike, o: { lang?: Locale; hash?: string; cfg?: ConfigSource; storage?: Storage; opened?: unknown[] } = {}) {
  locale.current = o.lang ?? 'en'
  location.hash = o.hash ?? '#/explorer'
  const trust = new TrustState({
    config: o.cfg ?? config(),
    storage: o.storage ?? (new MemoryStorage() as Storage),
    open: async (source) => {
      o.opened?.push(source)
      return { ok: true, value: engine }
    },
  })
  const explorer = new ExplorerState(trust, { clock: () => NOW })
  target = document.createElement('div')
  document.body.append(target)
  mounted = mount(Explorer, { target, props: { explorer } })
  await trust.open()
  await trust.entriesRead()
  flushSync()
  return { trust, explorer, el: target }
}

/** Lets a click's async work (the inclusion check) finish, then renders. */
async function settled(): Promise<void> {
  await new Promise((r) => setTimeout(r, 0))
  flushSync()
}

const $ = (el: HTMLElement, testid: string) => el.querySelector<HTMLElement>(`[data-testid="${testid}"]`)

describe('the pictures', () => {
  for (const lang of ['en', 'zh-CN'] as const) {
    it(`${lang}: every chart is an image with a sentence, and its numbers as a table`, async () => {
      const { el } = await show(worldEngine(world), { lang })
      expect(el.querySelector('[data-testid="explorer"]')!.getAttribute('data-trust')).toBe('ready')
      for (const id of ['chart-registry-size', 'chart-status-size', 'chart-by-type', 'chart-by-party', 'chart-timeline']) {
        const chart = $(el, id)
        expect(chart, id).not.toBeNull()
        const img = chart!.querySelector('[role="img"]')!
        expect(img.getAttribute('aria-label')!.length, id).toBeGreaterThan(10)
        expect(chart!.querySelectorAll('details table tbody tr').length, id).toBeGreaterThan(0)
      }
      // Entries by type: 3 accreditations, 2 registrations, 12 key changes, 1 suspension.
      const byType = $(el, 'chart-by-type')!
      expect(byType.querySelector('[data-key="key-change"] .value')!.textContent).toBe('12')
      expect(byType.querySelector('[data-key="suspension"] .value')!.textContent).toBe('1')
      expect(byType.querySelector('[role="img"]')!.getAttribute('aria-label')).toContain(`${tx(lang, 'ex.type.key-change')} 12`)
      // Per party: the PSB (its accreditation and its twelve key changes) first, by name.
      const firstBar = $(el, 'chart-by-party')!.querySelector('.row')!
      expect(firstBar.getAttribute('data-key')).toBe(PSB)
      expect(firstBar.querySelector('.label')!.textContent).toBe(NAMES.psb[lang])
      expect(firstBar.querySelector('.value')!.textContent).toBe('13')
      // The registry's size ends at every entry.
      const reg = $(el, 'chart-registry-size')!
      expect(reg.querySelector('tbody tr:last-child td.num')!.textContent).toBe(String(world.entries.length))
      // The timeline's lanes: accreditations and registrations, key changes, suspensions.
      const rows = [...$(el, 'chart-timeline')!.querySelectorAll('tbody tr')].map((r) => r.querySelector('td.num')!.textContent)
      expect(rows).toEqual(['5', '12', '1'])
      expect($(el, 'recent-events')!.querySelectorAll('li').length).toBe(8)
    })
  }

  it('checkpoints with their cosigners and each witness with its last cosignature', async () => {
    const { el } = await show(worldEngine(world))
    const cp = $(el, 'checkpoint-registry')!
    expect($(cp, 'checkpoint-size')!.textContent).toBe(String(world.entries.length))
    expect(cp.querySelectorAll('[data-testid="cosigner"]').length).toBe(2)
    expect(cp.textContent).toContain('2 witnesses cosigned (at least 2 needed)')
    const witnesses = [...el.querySelectorAll('[data-testid="witness"]')]
    expect(witnesses.map((w) => w.getAttribute('data-cosigned'))).toEqual(['true', 'true', 'false'])
    expect(witnesses[0]!.textContent).toContain('last cosigned 3 minutes ago')
    expect(witnesses[2]!.textContent).toContain(tx('en', 'ex.wit.never'))
  })
})

describe('the age of the checkpoint and the sync', () => {
  it('is always shown: witnessed 3 minutes ago (en) / 3分钟前见证 (zh-CN)', async () => {
    const { el } = await show(worldEngine(world), { hash: '#/explorer/check' })
    expect($(el, 'age-registry')!.textContent).toBe('witnessed 3 minutes ago')
    expect($(el, 'size-registry')!.textContent).toBe(`${world.entries.length} entries`)
    expect($(el, 'freshness')!.getAttribute('data-stale')).toBe('false')
    locale.current = 'zh-CN'
    flushSync()
    expect($(el, 'age-registry')!.textContent).toBe('3分钟前见证')
  })

  it('a checkpoint older than 15 minutes is marked as not recent', async () => {
    const engine = worldEngine(world)
    const snap = engine.snapshot()
    const old = { ...snap, registry: { ...snap.registry!, witnessedAt: NOW - 3600 } }
    const { el } = await show({ ...engine, snapshot: () => old })
    expect($(el, 'freshness')!.getAttribute('data-stale')).toBe('true')
    expect($(el, 'age-registry')!.textContent).toBe('witnessed 1 hour ago')
    expect($(el, 'stale-note')!.textContent).toBe(tx('en', 'ex.fresh.stale'))
  })

  it('shows progress in entries and bytes while a sync runs, and the button again after', async () => {
    const engine = worldEngine(world, { progress: [{ log: 'registry', entries: 400, totalEntries: 1000, bytes: 1_234_567 }] })
    const { el, trust } = await show(engine)
    flushSync()
    const progress = $(el, 'sync-progress')!
    expect(progress.textContent).toContain('Registry log: 400 of 1,000 entries verified, 1.2 MB downloaded')
    expect(progress.querySelector('progress')!.getAttribute('value')).toBe('400')
    expect($(el, 'sync-now')).toBeNull()
    engine.release()
    await trust.sync()
    flushSync()
    expect($(el, 'sync-progress')).toBeNull()
    expect($(el, 'sync-now')).not.toBeNull()
  })
})

describe('evidence of misbehaviour', () => {
  it('is shown first and exported as a file', async () => {
    const engine = worldEngine(world, { evidence: true })
    const { el, explorer } = await show(engine, { lang: 'zh-CN' })
    const evidence = $(el, 'evidence')!
    expect(evidence.getAttribute('role')).toBe('alert')
    // Before the views: the first thing after the freshness bar.
    expect(evidence.previousElementSibling?.getAttribute('data-testid')).toBe('freshness')
    expect(evidence.textContent).toContain(tx('zh-CN', 'ex.evidence.kind.fork'))
    expect($(evidence, 'export-evidence')!.textContent).toBe(tx('zh-CN', 'ex.evidence.export'))
    const file = explorer.evidenceFile()
    expect(file.name).toMatch(/^ledger-evidence-2026-05-28T\d\d-\d\d-\d\dZ\.json$/)
    expect(JSON.parse(file.text)).toEqual({ evidence: [expect.objectContaining({ kind: 'fork' })] })
  })

  it('is absent when there is none', async () => {
    const { el } = await show(worldEngine(world))
    expect($(el, 'evidence')).toBeNull()
  })
})

describe('who is registered', () => {
  for (const lang of ['en', 'zh-CN'] as const) {
    it(`${lang}: every issuer with types, keys and standing; every verifier with each purpose's claims, why, retention promise and contact`, async () => {
      const { el } = await show(worldEngine(world), { lang, hash: '#/explorer/directory' })
      expect($(el, 'directory')).not.toBeNull()
      const issuers = [...el.querySelectorAll<HTMLElement>('[data-testid="issuer"]')]
      expect(issuers.map((i) => i.dataset.did).sort()).toEqual([CLINIC, 'did:web:hrss.gov.example', PSB].sort())
      const psb = issuers.find((i) => i.dataset.did === PSB)!
      expect(psb.querySelector('h3')!.textContent).toBe(NAMES.psb[lang])
      expect(psb.textContent).toContain('urn:civic:resident-id')
      expect([...psb.querySelectorAll('dd code.chip:not(.revoked)')].map((c) => c.textContent)).toContain('key-7')
      expect([...psb.querySelectorAll('code.chip.revoked')].map((c) => c.textContent)).toEqual(['key-1', 'key-2', 'key-3', 'key-4', 'key-5', 'key-6'])
      expect(psb.dataset.standing).toBe('active')
      const clinic = issuers.find((i) => i.dataset.did === CLINIC)!
      expect(clinic.dataset.standing).toBe('suspended')
      expect(clinic.querySelector('.badge')!.textContent).toBe(tx(lang, 'ex.dir.standing.suspended'))

      const verifiers = [...el.querySelectorAll<HTMLElement>('[data-testid="verifier"]')]
      const pharmacy = verifiers.find((v) => v.dataset.did === PHARMACY)!
      expect([...pharmacy.querySelectorAll('[data-testid="purpose"] .claims code')].map((c) => c.textContent)).toEqual(['age_over_18'])
      expect($(pharmacy, 'retention')!.textContent).toContain(lang === 'en' ? 'Keeps a record of the check for 30 days' : '保留核验记录 30 天')
      expect($(pharmacy, 'why')!.textContent).toContain(lang === 'en' ? 'Age check for restricted medicines needs these details' : '处方药购买年龄核验需要这些信息')
      expect(pharmacy.querySelector('[data-testid="contact"] a')!.getAttribute('href')).toBe('https://kangjian-pharmacy.example/privacy')
      const hall = verifiers.find((v) => v.dataset.did === HALL)!
      expect(hall.querySelectorAll('[data-testid="purpose"]').length).toBe(2)
      expect([...hall.querySelectorAll('[data-testid="retention"]')].map((e) => e.textContent!.includes(tx(lang, 'ex.dir.keepsNothing')))).toEqual([true, true])
    })
  }
})

describe('finding a party', () => {
  it('the directory filters by name (either language) or DID, and says how many match', async () => {
    const { el } = await show(worldEngine(world), { lang: 'zh-CN', hash: '#/explorer/directory' })
    const filter = $(el, 'directory-filter') as HTMLInputElement
    filter.value = '药房'
    filter.dispatchEvent(new Event('input', { bubbles: true }))
    flushSync()
    expect([...el.querySelectorAll<HTMLElement>('[data-testid="verifier"]')].map((v) => v.dataset.did)).toEqual([PHARMACY])
    expect(el.querySelectorAll('[data-testid="issuer"]').length).toBe(0)
    expect($(el, 'directory-matches')!.textContent!.trim()).toBe('找到 0 个签发机构、1 个核验方。')
    filter.value = 'PSB.gov'
    filter.dispatchEvent(new Event('input', { bubbles: true }))
    flushSync()
    expect([...el.querySelectorAll<HTMLElement>('[data-testid="issuer"]')].map((v) => v.dataset.did)).toEqual([PSB])
  })

  it('more parties than bars: the rest is a line under the bars and a row of the table, not a bar', async () => {
    const few = await buildWorld({ keyChanges: 1 })
    const manyEntries = few.entries.concat(
      Array.from({ length: 12 }, (_, i) => ({ ...few.entries[0]!, index: few.entries.length + i, sub: `did:web:extra-${i}.example` })),
    )
    const { el } = await show({ ...worldEngine(few), entries: async () => manyEntries })
    const chart = $(el, 'chart-by-party')!
    expect(chart.querySelectorAll('.row').length).toBe(7)
    expect($(chart, 'bar-rest')!.textContent).toMatch(/^\d+ more, with \d+ entries between them\.$/)
    expect(chart.querySelector('tbody tr:last-child td')!.textContent).toMatch(/^\d+ others$/)
  })
})

describe('check it yourself', () => {
  for (const lang of ['en', 'zh-CN'] as const) {
    it(`${lang}: an entry as stored passes; a changed one fails with the reason`, async () => {
      const { el } = await show(worldEngine(world), { lang, hash: '#/explorer/check' })
      const index = $(el, 'entry-index') as HTMLInputElement
      index.value = String(world.suspensionIndex)
      index.dispatchEvent(new Event('input', { bubbles: true }))
      $(el, 'entry-show')!.click()
      flushSync()
      expect($(el, 'entry')!.dataset.index).toBe(String(world.suspensionIndex))
      const bytes = $(el, 'entry-bytes') as HTMLTextAreaElement
      expect(bytes.value).toBe(new TextDecoder().decode(world.entries[world.suspensionIndex]!.bytes))
      $(el, 'check-run')!.click()
      await settled()
      let result = $(el, 'check-result')!
      expect(result.dataset.ok).toBe('true')
      expect(result.textContent).toContain(lang === 'en' ? `entry #${world.suspensionIndex} is in the registry log of size ${world.entries.length}` : `条目 #${world.suspensionIndex} 就在大小为 ${world.entries.length} 的登记账本中`)

      // One character changed (in the signature part of the JWS): the hash differs.
      const text = bytes.value
      const at = text.length - 5
      bytes.value = text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1)
      bytes.dispatchEvent(new Event('input', { bubbles: true }))
      flushSync()
      expect($(el, 'entry-changed')).not.toBeNull()
      expect($(el, 'check-result')).toBeNull()
      $(el, 'check-run')!.click()
      await settled()
      result = $(el, 'check-result')!
      expect(result.dataset.ok).toBe('false')
      expect(result.dataset.code).toBe('ERR_LOG_INCLUSION_INVALID')
      expect($(result, 'problem-text')!.textContent).toBe(tx(lang, 'error.ERR_LOG_INCLUSION_INVALID'))

      // Restored: it passes again.
      $(el, 'check-restore')!.click()
      flushSync()
      expect($(el, 'entry-changed')).toBeNull()
      $(el, 'check-run')!.click()
      await settled()
      expect($(el, 'check-result')!.dataset.ok).toBe('true')
    })
  }

  it('an entry number outside the log is refused in the form', async () => {
    const { el } = await show(worldEngine(world), { hash: '#/explorer/check' })
    const index = $(el, 'entry-index') as HTMLInputElement
    index.value = String(world.entries.length)
    index.dispatchEvent(new Event('input', { bubbles: true }))
    $(el, 'entry-show')!.click()
    flushSync()
    expect(index.getAttribute('aria-invalid')).toBe('true')
  })

  it('the checkpoint facts: the log key, the quorum met, no evidence', async () => {
    const { el } = await show(worldEngine(world), { hash: '#/explorer/check' })
    const facts = [...$(el, 'checkpoint-facts')!.querySelectorAll('li')]
    expect(facts.every((f) => f.classList.contains('ok'))).toBe(true)
    expect(facts.map((f) => f.textContent)).toContain('2 configured witnesses cosigned, the quorum is 2: met')
  })
})

describe('offline', () => {
  it('the configuration read once is remembered: with the file unreachable the engine opens from it', async () => {
    const storage = new MemoryStorage() as Storage
    const opened: unknown[] = []
    const first = await show(worldEngine(world), { storage, opened })
    expect(first.trust.fromMemory).toBe(false)
    expect(JSON.parse(storage.getItem(TRUST_CONFIG_STORAGE_KEY)!)).toEqual(TRUST_SOURCE)
    unmount(mounted!)
    mounted = undefined
    const again = await show(worldEngine(world), { storage, opened, cfg: config('unreachable') })
    expect(again.trust.status).toBe('ready')
    expect(again.trust.fromMemory).toBe(true)
    expect(opened).toEqual([TRUST_SOURCE, TRUST_SOURCE])
    expect($(again.el, 'age-registry')!.textContent).toBe('witnessed 3 minutes ago')
  })

  it('with neither the file nor a remembered copy it says so', async () => {
    const { el, trust } = await show(worldEngine(world), { cfg: config('unreachable') })
    expect(trust.status).toBe('unreachable')
    expect($(el, 'explorer-unreachable')!.textContent).toContain(tx('en', 'ex.config.unreachable'))
  })
})
