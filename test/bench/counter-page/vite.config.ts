/**
 * The counter bench page's build: test/bench/counter-page/index.html and the counter with the
 * trust engine it reads (and the engine's sync Worker), nothing of the app around it.
 * `npm run bench` builds it into a temporary directory and serves it with the app's own static
 * server (src/node/static.ts).
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
