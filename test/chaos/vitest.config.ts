/** The chaos, bad-input and crash suites: seeded, reproducible, loopback only. */
import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "chaos",
    include: ["test/**/*.test.ts"],
    // A worker keeps the modules it loaded for its next file (see the root vitest.config.ts).
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Builds the installable CLI once per run for the suites that start it (src/SpotpipeProcess.ts).
    // The run's own temp folder first (../support/runTempFolder.ts), so the build lands in it too.
    globalSetup: ["../support/runTempFolder.ts", "../../apps/export/test/support/builtCli.ts"]
  }
})
