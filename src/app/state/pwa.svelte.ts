/**
 * What the service worker has told us: whether the app shell is cached for offline use, and
 * whether a new version is installed and waiting. Written only by src/app/pwa/register.ts; read
 * by components. A new version never takes over by itself (a citizen may be in the middle of
 * receiving a credential): the status bar offers it, and it reloads the page when asked.
 */

export type OfflineState = 'pending' | 'ready' | 'unavailable'

export class PwaState {
  #offline = $state<OfflineState>('pending')
  #error = $state.raw<unknown>(undefined)
  #apply = $state.raw<(() => Promise<void>) | null>(null)
  #applying = $state(false)

  get offline(): OfflineState {
    return this.#offline
  }

  get offlineReady(): boolean {
    return this.#offline === 'ready'
  }

  get error(): unknown {
    return this.#error
  }

  /** A new version is waiting. */
  get updateReady(): boolean {
    return this.#apply !== null
  }

  get applying(): boolean {
    return this.#applying
  }

  /** The waiting version takes over and the page reloads into it. */
  async applyUpdate(): Promise<void> {
    const apply = this.#apply
    if (!apply || this.#applying) return
    this.#applying = true
    try {
      await apply()
    } finally {
      this.#applying = false
    }
  }

  markUpdateReady(apply: () => Promise<void>): void {
    this.#apply = apply
  }

  markOfflineReady(): void {
    this.#offline = 'ready'
  }

  markUnavailable(error?: unknown): void {
    if (this.#offline === 'ready') return
    this.#offline = 'unavailable'
    this.#error = error
  }
}

export const pwa = new PwaState()
