/** The libraries as a stranger installs them: packed tarballs, npm, a scratch project outside the workspace. */
import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "packaging",
    include: ["test/**/*.test.ts"],
    // A worker keeps the modules it loaded for its next file (see the root vitest.config.ts).
    isolate: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The run's own temp folder: the run leaves nothing in the OS's.
    globalSetup: ["../support/runTempFolder.ts"]
  }
})
