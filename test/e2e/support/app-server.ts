/**
 * The production build of the app, served on loopback for end-to-end tests: build() into a
 * temporary directory, then the static server `civic start` uses (src/node/static.ts) on
 * 127.0.0.1 with a port the OS picks, so the tests exercise what is deployed.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'
import { closeServer, listen } from '../../../src/node/http.ts'
import { createStaticServer } from '../../../src/node/static.ts'

export const PROJECT_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)))

export interface BuiltApp {
  readonly outDir: string
  remove(): void
}

export interface AppServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly origin: string
  close(): Promise<void>
}

/** Builds the app as `vite build` would, with NODE_ENV=production for the duration. */
export async function buildApp(): Promise<BuiltApp> {
  const outDir = mkdtempSync(join(tmpdir(), 'civic-e2e-dist-'))
  const nodeEnv = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    await build({
      root: PROJECT_ROOT,
      mode: 'production',
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true },
    })
  } catch (error) {
    rmSync(outDir, { recursive: true, force: true })
    throw error
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = nodeEnv
  }
  return {
    outDir,
    remove() {
      rmSync(outDir, { recursive: true, force: true })
    },
  }
}

export async function serveApp(outDir: string): Promise<AppServer> {
  const server = createStaticServer({ dir: outDir })
  const origin = await listen(server, 0, '127.0.0.1')
  let closed = false
  return {
    origin,
    async close() {
      if (closed) return
      closed = true
      await closeServer(server)
    },
  }
}
