/**
 * Hash routing for the app shell: which screen is showing, and the links to the others.
 * Routes live in the fragment (#/wallet), so every screen is served by the one cached
 * index.html and deep links work offline.
 */

export const ROLES = ['wallet', 'counter', 'issuer', 'explorer'] as const
export type Role = (typeof ROLES)[number]
/**
 * Screens beyond the four roles, opened from a link rather than the navigation: the verifier
 * console (`#/verifier?at=<its admin URL>`, printed by `civic start` for each verifier).
 */
export const CONSOLES = ['verifier'] as const
export type Console = (typeof CONSOLES)[number]
export type RouteName = 'home' | Role | Console | 'not-found'

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value)
}

export function isConsole(value: unknown): value is Console {
  return typeof value === 'string' && (CONSOLES as readonly string[]).includes(value)
}

/** Maps a location hash ('', '#/', '#/wallet', '#/wallet/…') to a route; never throws. */
export function parseRoute(hash: string): RouteName {
  const path = hash.replace(/^#/, '').replace(/[?].*$/, '')
  const first = path.split('/').filter((s) => s !== '')[0]
  if (first === undefined) return 'home'
  return isRole(first) || isConsole(first) ? first : 'not-found'
}

export function formatRoute(route: 'home' | Role): string {
  return route === 'home' ? '#/' : `#/${route}`
}

export class Router {
  #hash = $state('')

  constructor(target: Window | undefined = typeof window === 'undefined' ? undefined : window) {
    if (!target) return
    this.#hash = target.location.hash
    target.addEventListener('hashchange', () => {
      this.#hash = target.location.hash
    })
  }

  get current(): RouteName {
    return parseRoute(this.#hash)
  }
}

export const router = new Router()
