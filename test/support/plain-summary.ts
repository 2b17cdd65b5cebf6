/**
 * Vitest reporter behind test/run.mjs:
 * - writes the run's counts as JSON to CIVIC_SUMMARY_FILE, so the runner can print one
 *   closing line for every layer it ran (type check, unit, e2e);
 * - keeps CIVIC_PROGRESS_FILE listing the test files in progress, so a run stopped at its
 *   deadline can name where it was;
 * - every two minutes prints which files are still running and for how long, so a slow or
 *   stuck file shows in a CI log while it happens.
 */
import { writeFileSync } from 'node:fs'
import { relative } from 'node:path'
import type { Reporter, TestModule } from 'vitest/node'

const HEARTBEAT_MS = 120_000

export default class PlainSummary implements Reporter {
  private readonly started = new Map<string, number>()
  private heartbeat: ReturnType<typeof setInterval> | undefined

  private name(m: TestModule): string {
    return `${m.project.name}:${relative(process.cwd(), m.moduleId)}`
  }

  private writeProgress(): void {
    const out = process.env.CIVIC_PROGRESS_FILE
    if (out) writeFileSync(out, JSON.stringify([...this.started.keys()]))
  }

  onTestRunStart(): void {
    this.heartbeat = setInterval(() => {
      if (this.started.size === 0) return
      const now = Date.now()
      const list = [...this.started].map(([name, t0]) => `${name} (${Math.round((now - t0) / 1000)} s)`)
      process.stdout.write(`… still running: ${list.join(', ')}\n`)
    }, HEARTBEAT_MS)
    this.heartbeat.unref()
  }

  onTestModuleStart(m: TestModule): void {
    this.started.set(this.name(m), Date.now())
    this.writeProgress()
  }

  onTestModuleEnd(m: TestModule): void {
    this.started.delete(this.name(m))
    this.writeProgress()
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    clearInterval(this.heartbeat)
    let passed = 0
    let failed = 0
    let skipped = 0
    let brokenFiles = 0
    for (const m of testModules) {
      if (m.state() === 'failed' && [...m.children.allTests()].length === 0) brokenFiles++
      for (const t of m.children.allTests()) {
        const s = t.result().state
        if (s === 'passed') passed++
        else if (s === 'failed') failed++
        else skipped++
      }
    }
    // A file that fails to load, and an unhandled error, count as failures.
    failed += brokenFiles + unhandledErrors.length
    const out = process.env.CIVIC_SUMMARY_FILE
    if (out) writeFileSync(out, JSON.stringify({ passed, failed, skipped }))
  }
}
