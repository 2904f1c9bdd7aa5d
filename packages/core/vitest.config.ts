import { defineProject } from "vitest/config"

export default defineProject({
  // The sandbox suites read a million rows under faults: with two test files sharing 2 cores, vitest's 5 s
  // default is too short for them; a test that hangs still fails.
  test: {
    name: "core",
    include: ["test/**/*.test.ts"],
    // A worker keeps the modules it loaded for its next file (see the root vitest.config.ts).
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The run's own temp folder: the run leaves nothing in the OS's.
    globalSetup: ["../../test/support/runTempFolder.ts"]
  }
})
