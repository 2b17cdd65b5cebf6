/**
 * Launching Debian's Chromium through playwright-core for end-to-end tests: a fresh profile
 * per launch, no network outside loopback, and a close() that removes the profile.
 */
import { spawnSync } from 'node:child_process'
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
  /** A profile directory to use (and keep on close), for a test that restarts the browser on the same data. */
  profile?: string
}

export interface BrowserSession {
  readonly context: BrowserContext
  /** The tab the persistent context opened with. */
  readonly page: Page
  readonly userDataDir: string
  close(): Promise<void>
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<BrowserSession> {
  const userDataDir = options.profile ?? mkdtempSync(join(tmpdir(), 'civic-e2e-profile-'))
  const keep = options.profile !== undefined
  let context: BrowserContext
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      locale: options.locale ?? 'en-US',
      args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
    })
  } catch (error) {
    if (!keep) rmSync(userDataDir, { recursive: true, force: true })
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
        if (!keep) rmSync(userDataDir, { recursive: true, force: true })
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

/**
 * SIGKILL every Chromium process of the profile `userDataDir` (a crash, not a close: nothing is
 * flushed or shut down). Returns how many processes were killed.
 */
export function killBrowser(userDataDir: string): number {
  const r = spawnSync('pgrep', ['-f', '--', `--user-data-dir=${userDataDir}`], { encoding: 'utf8' })
  const pids = r.stdout.split('\n').map((l) => Number(l.trim())).filter((n) => Number.isInteger(n) && n > 0 && n !== process.pid)
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  return pids.length
}
