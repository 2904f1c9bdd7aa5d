import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "sandbox",
    include: ["test/**/*.test.ts"],
    // A worker keeps the modules it loaded for its next file (see the root vitest.config.ts).
    isolate: false,
    // A few tests start the sandbox's bin from its sources (Node type-stripping Effect's sources, four processes in
    // one test): with two test files sharing 2 cores, vitest's 5 s default is too short on a slow machine; a test
    // that hangs still fails.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The run's own temp folder (../../test/support/runTempFolder.ts): the run leaves nothing in the OS's.
    globalSetup: ["../../test/support/runTempFolder.ts"]
  }
})
