/**
 * Service worker registration: the only importer of `virtual:pwa-register` (which wraps
 * workbox-window). Reports into the PWA state; the app renders without it.
 *
 * A new version waits until the user takes it (`onNeedRefresh` → the status bar's offer →
 * `update(true)`: workbox-window tells the waiting worker to skip waiting, and the page reloads
 * once it controls). Offline readiness is reported in two ways: the first install reports `onOfflineReady`
 * once its precache is complete, and on later visits a registration that already has an
 * active worker means the precache was installed before.
 */
import { registerSW } from 'virtual:pwa-register'
import { pwa } from '../state/pwa.svelte.ts'

export function registerPwa(): void {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) {
    pwa.markUnavailable()
    return
  }
  const update = registerSW({
    immediate: true,
    onNeedRefresh() {
      pwa.markUpdateReady(() => update(true))
    },
    onOfflineReady() {
      pwa.markOfflineReady()
    },
    onRegisteredSW(_url, registration) {
      if (registration?.active) pwa.markOfflineReady()
    },
    onRegisterError(error: unknown) {
      pwa.markUnavailable(error)
    },
  })
}
