import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "export",
    include: ["test/**/*.test.ts"],
    // A worker keeps the modules it loaded for its next file (see the root vitest.config.ts).
    isolate: false,
    // Many tests start the CLI and sandboxes: with two test files sharing 2 cores, vitest's 5 s default is too
    // short for the longer ones; a test that hangs still fails.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Builds the installable CLI once per run for the tests that start it (test/support/runCli.ts).
    // The run's own temp folder first (../../test/support/runTempFolder.ts), so the build lands in it too.
    globalSetup: ["../../test/support/runTempFolder.ts", "test/support/builtCli.ts"]
  }
})
