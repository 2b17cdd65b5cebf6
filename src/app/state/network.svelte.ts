/**
 * Whether the browser believes it is online. Only informative: nothing in the app waits
 * for the network to show a screen or reach a verdict.
 */

export class NetworkState {
  #online = $state(true)

  constructor(target: Window | undefined = typeof window === 'undefined' ? undefined : window) {
    if (!target) return
    this.#online = target.navigator.onLine
    target.addEventListener('online', () => {
      this.#online = true
    })
    target.addEventListener('offline', () => {
      this.#online = false
    })
  }

  get online(): boolean {
    return this.#online
  }
}

export const network = new NetworkState()
