/**
 * Launching Debian's Chromium through playwright-core for end-to-end tests: a fresh profile
 * per launch, no network outside loopback, and a close() that removes the profile.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost',
]

export interface LaunchOptions {
  /** Browser locale, which sets navigator.languages; defaults to en-US. */
  locale?: string
  /** Extra Chromium switches, appended to CHROMIUM_ARGS. */
  args?: readonly string[]
}

export interface BrowserSession {
  readonly context: BrowserContext
  /** The tab the persistent context opened with. */
  readonly page: Page
  readonly userDataDir: string
  close(): Promise<void>
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<BrowserSession> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'civic-e2e-profile-'))
  let context: BrowserContext
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      locale: options.locale ?? 'en-US',
      args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
    })
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true })
    throw error
  }
  context.setDefaultTimeout(15_000)
  const page = context.pages()[0] ?? (await context.newPage())
  let closed = false
  return {
    context,
    page,
    userDataDir,
    async close() {
      if (closed) return
      closed = true
      try {
        await context.close()
      } finally {
        rmSync(userDataDir, { recursive: true, force: true })
      }
    },
  }
}

/** Records the URL of every request the context makes, pages and service workers alike. */
export function recordRequests(context: BrowserContext): string[] {
  const urls: string[] = []
  context.on('request', (request) => {
    urls.push(request.url())
  })
  return urls
}

/** URLs whose origin is neither `origin` nor an in-page scheme (data:, blob:). */
export function foreignRequests(urls: readonly string[], origin: string): string[] {
  return urls.filter((url) => {
    if (url.startsWith('data:') || url.startsWith('blob:')) return false
    try {
      return new URL(url).origin !== origin
    } catch {
      return true
    }
  })
}
