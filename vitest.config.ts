/**
 * One vitest run over every workspace project that has a vitest config (packages, apps, cross-package suites).
 * `pnpm test` runs as many files side by side as there are cores (`--maxWorkers=100%`): most files spend their
 * time waiting on the processes they start (the CLI, sandboxes), and vitest's default (cores − 1, applied per
 * project, so not settable here) ran one at a time on 2 cores (measured: 478 s → 293 s). Each project lists
 * test/support/runTempFolder.ts first in its own `globalSetup`: projects do not inherit the root's, which would
 * run after theirs.
 */
import { defineConfig } from "vitest/config"

export default defineConfig({
  test: { projects: ["packages/*/vitest.config.ts", "apps/*/vitest.config.ts", "test/*/vitest.config.ts"] }
})
