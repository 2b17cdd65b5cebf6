/**
 * What the service worker has told us: whether the app shell is cached for offline use.
 * Written only by src/app/pwa/register.ts; read by components.
 */

export type OfflineState = 'pending' | 'ready' | 'unavailable'

export class PwaState {
  #offline = $state<OfflineState>('pending')
  #error = $state.raw<unknown>(undefined)

  get offline(): OfflineState {
    return this.#offline
  }

  get offlineReady(): boolean {
    return this.#offline === 'ready'
  }

  get error(): unknown {
    return this.#error
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
