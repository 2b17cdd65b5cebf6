#!/usr/bin/env node
// `npm test`: every layer of the project's tests, then one closing line
// `N passed, N failed` that counts all of them. Exit status is non-zero when
// anything failed, was skipped, or did not run.
//   layer 1: svelte-check (types of src/ and test/), counted as one check
//   layer 2: vitest, projects `unit` (node + fake-indexeddb) and `e2e`
//            (built app in Debian Chromium through playwright-core)
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const bin = (name) => join('node_modules', '.bin', name)
let passed = 0
let failed = 0
let skipped = 0

console.log('== type check (svelte-check)')
const check = spawnSync(bin('svelte-check'), ['--tsconfig', './tsconfig.json', '--fail-on-warnings', '--output', 'human'], { stdio: 'inherit' })
if (check.status === 0) passed++
else failed++

console.log('== vitest (unit + e2e)')
const dir = mkdtempSync(join(tmpdir(), 'civic-test-'))
const summaryFile = join(dir, 'summary.json')
const extra = process.argv.slice(2)
const vt = spawnSync(bin('vitest'), ['run', '--reporter=default', '--reporter=./test/support/plain-summary.ts', ...extra], {
  stdio: 'inherit',
  env: { ...process.env, CIVIC_SUMMARY_FILE: summaryFile },
})
try {
  const s = JSON.parse(readFileSync(summaryFile, 'utf8'))
  passed += s.passed
  failed += s.failed
  skipped += s.skipped
  if (vt.status !== 0 && s.failed === 0) failed++ // vitest failed for a reason outside any test
} catch {
  console.error('vitest wrote no summary: counted as one failure')
  failed++
}
rmSync(dir, { recursive: true, force: true })

console.log('')
console.log(skipped ? `${passed} passed, ${failed} failed, ${skipped} skipped` : `${passed} passed, ${failed} failed`)
process.exit(failed > 0 || skipped > 0 ? 1 : 0)
