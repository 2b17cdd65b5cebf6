// @vitest-environment happy-dom
/**
 * The app shell mounted in a DOM: status, routing by hash (each role's screen arriving lazily,
 * with the focus on its heading once it is there), the language toggle and the offline
 * indicator; and the lazy screen's loading and failure states.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Component } from 'svelte'
import { strings } from '../../src/app/i18n/strings.ts'
import { LOCALE_STORAGE_KEY } from '../../src/app/state/locale.svelte.ts'

interface Mounted {
  target: HTMLElement
  flush(): void
  text(testId: string): string
  heading(): string
  destroy(): void
}

/** Imports the app and the Svelte runtime afresh, so module-level state starts from this test's storage. */
async function mountApp(): Promise<Mounted> {
  const { flushSync, mount, unmount } = await import('svelte')
  const { default: App } = await import('../../src/app/App.svelte')
  const target = document.createElement('div')
  document.body.append(target)
  const app = mount(App, { target })
  flushSync()
  return {
    target,
    flush: flushSync,
    text: (testId) => target.querySelector(`[data-testid="${testId}"]`)?.textContent?.trim() ?? '',
    heading: () => target.querySelector('main h1')?.textContent?.trim() ?? '',
    destroy() {
      void unmount(app)
      target.remove()
    },
  }
}

function go(app: Mounted, hash: string): void {
  window.location.hash = hash
  window.dispatchEvent(new HashChangeEvent('hashchange'))
  app.flush()
}

/** Wait until `selector` is in the app (a role's screen arrives a moment after the route changes). */
async function arrived(app: Mounted, selector: string): Promise<Element> {
  return vi.waitFor(() => {
    app.flush()
    const el = app.target.querySelector(selector)
    if (!el) throw new Error(`${selector} not there yet`)
    return el
  }, { timeout: 10_000, interval: 10 })
}

let mounted: Mounted | undefined

beforeEach(() => {
  vi.resetModules()
  localStorage.clear()
  localStorage.setItem(LOCALE_STORAGE_KEY, 'en')
  window.location.hash = ''
})

afterEach(() => {
  mounted?.destroy()
  mounted = undefined
})

describe('App', () => {
  it('shows ready once mounted, with the home screen and a card per role', async () => {
    mounted = await mountApp()
    const status = mounted.target.querySelector('[data-testid="app-status"]')
    expect(status?.getAttribute('data-state')).toBe('ready')
    expect(mounted.text('app-status')).toBe(strings['status.ready'].en)
    expect(mounted.heading()).toBe(strings['home.title'].en)
    expect(mounted.target.querySelectorAll('[data-testid^="role-card-"]')).toHaveLength(4)
    expect(document.title).toBe(strings['app.name'].en)
  })

  it('renders the screen the hash names, and a not-found screen otherwise', async () => {
    mounted = await mountApp()
    for (const role of ['wallet', 'counter', 'issuer', 'explorer'] as const) {
      go(mounted, `#/${role}`)
      await arrived(mounted, `[data-testid="route-${role}"]`)
      expect(mounted.heading()).toBe(strings[`${role}.title`].en)
      // once the screen is there, the focus is on its heading
      await vi.waitFor(() => expect(document.activeElement?.tagName).toBe('H1'), { timeout: 5_000, interval: 10 })
      expect(document.activeElement?.textContent?.trim()).toBe(strings[`${role}.title`].en)
      const current = mounted.target.querySelector('nav a[aria-current="page"]')
      expect(current?.getAttribute('href')).toBe(`#/${role}`)
    }
    go(mounted, '#/elsewhere')
    expect(mounted.heading()).toBe(strings['notFound.title'].en)
    go(mounted, '#/')
    expect(mounted.heading()).toBe(strings['home.title'].en)
  })

  it('switches every string with the language toggle and remembers the choice', async () => {
    mounted = await mountApp()
    go(mounted, '#/counter')
    await arrived(mounted, '[data-testid="route-counter"]')
    const toggle = mounted.target.querySelector<HTMLButtonElement>('[data-testid="language-toggle"]')
    expect(toggle).not.toBeNull()

    toggle?.click()
    mounted.flush()
    expect(mounted.heading()).toBe(strings['counter.title']['zh-CN'])
    expect(mounted.text('app-status')).toBe(strings['status.ready']['zh-CN'])
    expect(document.documentElement.lang).toBe('zh-CN')
    expect(localStorage.getItem(LOCALE_STORAGE_KEY)).toBe('zh-CN')
    expect(mounted.target.textContent).not.toContain(strings['counter.summary'].en)
    expect(mounted.target.textContent).toContain(strings['counter.summary']['zh-CN'])

    toggle?.click()
    mounted.flush()
    expect(mounted.heading()).toBe(strings['counter.title'].en)
    expect(document.documentElement.lang).toBe('en')
    expect(localStorage.getItem(LOCALE_STORAGE_KEY)).toBe('en')
  })

  it('starts in the language stored on this device', async () => {
    localStorage.setItem(LOCALE_STORAGE_KEY, 'zh-CN')
    mounted = await mountApp()
    expect(mounted.heading()).toBe(strings['home.title']['zh-CN'])
  })

  it('turns the offline indicator on when the service worker reports offline-ready', async () => {
    mounted = await mountApp()
    const { pwa } = await import('../../src/app/state/pwa.svelte.ts')
    expect(mounted.target.querySelector('[data-testid="offline-ready"]')).toBeNull()
    expect(mounted.target.querySelector('[data-testid="offline-pending"]')).not.toBeNull()
    pwa.markOfflineReady()
    mounted.flush()
    expect(mounted.text('offline-ready')).toBe(strings['offline.ready'].en)
    expect(mounted.target.querySelector('[data-testid="offline-pending"]')).toBeNull()
  })

  it('offers a waiting new version and takes it only when asked', async () => {
    mounted = await mountApp()
    const { pwa } = await import('../../src/app/state/pwa.svelte.ts')
    expect(mounted.target.querySelector('[data-testid="update-ready"]')).toBeNull()
    let applied = 0
    pwa.markUpdateReady(async () => void applied++)
    mounted.flush()
    expect(mounted.target.querySelector('[data-testid="update-ready"]')?.textContent).toContain(strings['update.ready'].en)
    expect(applied).toBe(0)
    const button = mounted.target.querySelector<HTMLButtonElement>('[data-testid="update-apply"]')!
    expect(button.textContent).toBe(strings['update.apply'].en)
    button.click()
    await Promise.resolve()
    expect(applied).toBe(1)
  })
})

describe('LazyScreen', () => {
  async function mountLazy(load: () => Promise<{ default: Component }>): Promise<Mounted> {
    const { flushSync, mount, unmount } = await import('svelte')
    const { default: LazyScreen } = await import('../../src/app/components/LazyScreen.svelte')
    const target = document.createElement('div')
    document.body.append(target)
    const app = mount(LazyScreen, { target, props: { load } })
    flushSync()
    return {
      target,
      flush: flushSync,
      text: (testId) => target.querySelector(`[data-testid="${testId}"]`)?.textContent?.trim() ?? '',
      heading: () => target.querySelector('h1')?.textContent?.trim() ?? '',
      destroy() {
        void unmount(app)
        target.remove()
      },
    }
  }

  it('says it is opening the screen while the chunk arrives', async () => {
    let arrive: (m: { default: Component }) => void = () => {}
    const { default: NotFound } = await import('../../src/app/components/NotFound.svelte')
    mounted = await mountLazy(() => new Promise((resolve) => (arrive = resolve)))
    expect(mounted.text('screen-loading')).toBe(strings['screen.loading'].en)
    arrive({ default: NotFound as Component })
    await arrived(mounted, '[data-testid="route-not-found"]')
    expect(mounted.target.querySelector('[data-testid="screen-loading"]')).toBeNull()
  })

  it('says when the screen cannot be fetched, and fetches it again on retry', async () => {
    const { default: NotFound } = await import('../../src/app/components/NotFound.svelte')
    let calls = 0
    mounted = await mountLazy(() => {
      calls++
      return calls === 1 ? Promise.reject(new TypeError('Failed to fetch dynamically imported module')) : Promise.resolve({ default: NotFound as Component })
    })
    const failed = await arrived(mounted, '[data-testid="screen-failed"]')
    expect(failed.getAttribute('role')).toBe('alert')
    expect(mounted.heading()).toBe(strings['screen.failed.title'].en)
    expect(failed.textContent).toContain(strings['screen.failed.body'].en)
    failed.querySelector('button')!.click()
    await arrived(mounted, '[data-testid="route-not-found"]')
    expect(calls).toBe(2)
    expect(mounted.target.querySelector('[data-testid="screen-failed"]')).toBeNull()
  })

  it('says so when the screen is missing because the device is offline', async () => {
    mounted = await mountLazy(() => Promise.reject(new TypeError('Failed to fetch dynamically imported module')))
    window.dispatchEvent(new Event('offline'))
    const failed = await arrived(mounted, '[data-testid="screen-failed"]')
    try {
      await vi.waitFor(() => expect(failed.textContent).toContain(strings['screen.failed.offline'].en), { timeout: 2_000, interval: 10 })
    } finally {
      window.dispatchEvent(new Event('online'))
    }
  })
})
