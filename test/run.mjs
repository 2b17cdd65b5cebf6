#!/usr/bin/env node
// `npm test`: every layer of the project's tests, then one closing line
// `N passed, N failed` that counts all of them. Exit status is non-zero when
// anything failed, was skipped, or did not run.
//   layer 1: svelte-check (types of src/ and test/), counted as one check
//   layer 2: vitest project `unit` (node + fake-indexeddb), two files at a time
//   layer 3: vitest project `e2e` (built app in Debian Chromium through
//            playwright-core), one file at a time
//
// Every layer runs in its own process group under a deadline. A layer that
// overruns is stopped (SIGTERM, then SIGKILL), the test files it was still in
// are named, and it counts as failed: the run always ends, and always says why.
// When a layer ends, whatever it left running in its group is stopped too, so
// no stray process keeps the terminal or a CI log pipe open.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statfsSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'

const bin = (name) => join('node_modules', '.bin', name)
const minutes = (name, fallback) => {
  const v = Number(process.env[name])
  return Number.isFinite(v) && v > 0 ? v : fallback
}
const CHECK_DEADLINE_MIN = minutes('CIVIC_CHECK_DEADLINE_MIN', 10)
const VITEST_DEADLINE_MIN = minutes('CIVIC_TEST_DEADLINE_MIN', 30)

let passed = 0
let failed = 0
let skipped = 0

const stamp = () => new Date().toISOString().slice(11, 19)

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal)
  } catch {
    // the group is already gone
  }
}

/** Run one layer in its own process group; resolves with { code, signal, timedOut }. */
function runLayer(command, args, { env, deadlineMin, onDeadline }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env, detached: true })
    let timedOut = false
    let hard
    const deadline = setTimeout(() => {
      timedOut = true
      onDeadline?.()
      killGroup(child.pid, 'SIGTERM')
      hard = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 15_000)
    }, deadlineMin * 60_000)
    const forward = (sig) => () => {
      killGroup(child.pid, sig)
      process.exit(130)
    }
    const onInt = forward('SIGINT')
    const onTerm = forward('SIGTERM')
    process.on('SIGINT', onInt)
    process.on('SIGTERM', onTerm)
    child.on('error', (error) => {
      console.error(`${command}: ${error.message}`)
    })
    child.on('close', (code, signal) => {
      clearTimeout(deadline)
      clearTimeout(hard)
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      killGroup(child.pid, 'SIGKILL') // stragglers of this layer
      resolve({ code, signal, timedOut })
    })
  })
}

// One line of facts about the machine first, so a log cut short still tells where it ran.
const freeGb = (() => {
  try {
    const f = statfsSync(tmpdir())
    return `${((f.bavail * f.bsize) / 2 ** 30).toFixed(1)} GiB free in ${tmpdir()}`
  } catch {
    return `${tmpdir()} unreadable`
  }
})()
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
console.log(
  `== ${process.version}, ${availableParallelism()} CPUs, uid ${process.getuid?.() ?? '?'}, ${freeGb}, ` +
    `${existsSync(chromium) ? chromium : `no ${chromium}`}, PG_BIN=${process.env.PG_BIN || '(unset)'}, ` +
    `deadlines ${CHECK_DEADLINE_MIN}+${VITEST_DEADLINE_MIN} min  [${new Date().toISOString()}]`,
)
console.log(`== type check (svelte-check)  [${stamp()}]`)
const check = await runLayer(bin('svelte-check'), ['--tsconfig', './tsconfig.json', '--fail-on-warnings', '--output', 'human'], {
  env: process.env,
  deadlineMin: CHECK_DEADLINE_MIN,
  onDeadline: () => console.error(`svelte-check did not finish within ${CHECK_DEADLINE_MIN} min: stopped`),
})
if (check.code === 0) passed++
else failed++

const extra = process.argv.slice(2)
// Unit files two at a time where the host has two CPUs (they are CPU-bound and short-lived:
// servers, PostgreSQL, argon2id); then e2e files one at a time, each with its own system and
// Chromium, never beside a unit file. Arguments after `npm test --` go to both layers; a layer
// they select nothing in passes with no tests (and counts none).
const layers = [
  { project: 'unit', workers: Math.max(1, Math.min(2, availableParallelism())) },
  { project: 'e2e', workers: 1 },
]
let deadlineLeft = VITEST_DEADLINE_MIN
for (const layer of layers) {
  console.log(`== vitest ${layer.project} (${layer.workers} at a time)  [${stamp()}]`)
  const dir = mkdtempSync(join(tmpdir(), 'civic-test-'))
  const summaryFile = join(dir, 'summary.json')
  const progressFile = join(dir, 'running.json')
  const running = () => {
    try {
      return JSON.parse(readFileSync(progressFile, 'utf8'))
    } catch {
      return []
    }
  }
  const started = Date.now()
  const args = ['run', '--project', layer.project, `--maxWorkers=${layer.workers}`, '--reporter=default', '--reporter=./test/support/plain-summary.ts', ...(extra.length ? ['--passWithNoTests'] : []), ...extra]
  const vt = await runLayer(bin('vitest'), args, {
    env: { ...process.env, CIVIC_SUMMARY_FILE: summaryFile, CIVIC_PROGRESS_FILE: progressFile },
    deadlineMin: Math.max(1, deadlineLeft),
    onDeadline: () => {
      const files = running()
      console.error(`vitest did not finish within ${VITEST_DEADLINE_MIN} min: stopped.`)
      console.error(files.length ? `still running: ${files.join(', ')}` : 'no test file was running (stuck outside the tests)')
    },
  })
  deadlineLeft -= (Date.now() - started) / 60_000
  if (!vt.timedOut && existsSync(summaryFile)) {
    const s = JSON.parse(readFileSync(summaryFile, 'utf8'))
    passed += s.passed
    failed += s.failed
    skipped += s.skipped
    if (vt.code !== 0 && s.failed === 0) failed++ // vitest failed for a reason outside any test
  } else {
    if (!vt.timedOut) console.error(`vitest ${layer.project} wrote no summary: counted as one failure`)
    failed += Math.max(1, running().length)
  }
  rmSync(dir, { recursive: true, force: true })
  if (vt.timedOut) break
}

console.log('')
console.log(skipped ? `${passed} passed, ${failed} failed, ${skipped} skipped` : `${passed} passed, ${failed} failed`)
process.exit(failed > 0 || skipped > 0 ? 1 : 0)
