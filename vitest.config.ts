/**
 * One vitest run over every workspace project that has a vitest config (packages, apps, cross-package suites).
 * `pnpm test` runs as many files side by side as there are cores (`--maxWorkers=100%`): most files spend their
 * time waiting on the processes they start (the CLI, sandboxes), and vitest's default (cores − 1, applied per
 * project, so not settable here) ran one at a time on 2 cores (measured: 478 s → 293 s). Every project sets
 * `isolate: false`: a worker keeps the modules it has loaded (Effect, the sources, the sandbox) from one test file
 * to the next instead of loading and compiling them again for each, which made the unit tests of apps/export take
 * 99 s instead of 38 s. Test files therefore leave no global state behind (they restore `process.env` and close
 * what they start), and tests of the CLI's logic run it in the worker (apps/export/test/support/inProcess.ts).
 * Each project lists test/support/runTempFolder.ts first in its own `globalSetup`: projects do not inherit the
 * root's, which would run after theirs.
 */
import { defineConfig } from "vitest/config"

export default defineConfig({
  test: { projects: ["packages/*/vitest.config.ts", "apps/*/vitest.config.ts", "test/*/vitest.config.ts"] }
})
