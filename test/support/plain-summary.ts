/**
 * Vitest reporter that writes the run's counts as JSON to the file named by
 * CIVIC_SUMMARY_FILE, so test/run.mjs can print one closing line for every
 * layer it ran (type check, unit, e2e).
 */
import { writeFileSync } from 'node:fs'
import type { Reporter, TestModule } from 'vitest/node'

export default class PlainSummary implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
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
