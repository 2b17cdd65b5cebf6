/**
 * Global setup of the e2e project: the app is built once (`vite build`, production) for every
 * e2e file, instead of once per `civic start` — each system copies this build into its own data
 * directory (`civic start --prebuilt`) and writes its own civic-config.json there; the offline
 * test serves it as it is. Removed when the e2e run ends.
 */
import type { TestProject } from 'vitest/node'
import { buildApp } from './app-server.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    civicAppBuild: string
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const app = await buildApp()
  project.provide('civicAppBuild', app.outDir)
  return () => app.remove()
}
