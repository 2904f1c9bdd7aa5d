import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "integration",
    include: ["test/**/*.test.ts"],
    // A worker keeps the modules it loaded for its next file (see the root vitest.config.ts).
    isolate: false,
    // These start the CLI (and pnpm): vitest's 5 s default is too short with two test files sharing 2 cores.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Builds the installable CLI once per run for the tests that start it.
    // The run's own temp folder first (../support/runTempFolder.ts), so the build lands in it too.
    globalSetup: ["../support/runTempFolder.ts", "../../apps/export/test/support/builtCli.ts"]
  }
})
