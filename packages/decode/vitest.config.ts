import { defineProject } from "vitest/config"

export default defineProject({
  // The run's own temp folder (../../test/support/runTempFolder.ts): the run leaves nothing in the OS's.
  test: {
    name: "decode",
    include: ["test/**/*.test.ts"],
    isolate: false,
    globalSetup: ["../../test/support/runTempFolder.ts"]
  }
})
