/**
 * The wallet bench page's build (index.html and the wallet code it loads, with the KDF Worker).
 * `npm run bench` builds it into the built app's `bench-wallet/` folder, so it runs on the
 * app's origin and fills the app's own database.
 */
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

export default defineConfig({
  root: dirname(fileURLToPath(import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: { target: 'es2022', emptyOutDir: true, reportCompressedSize: false },
  worker: { format: 'es' },
})
