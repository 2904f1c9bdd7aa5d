import { defineProject } from "vitest/config"

export default defineProject({
  // Builds the installable CLI once per run for the tests that start it.
  test: {
    name: "integration",
    include: ["test/**/*.test.ts"],
    globalSetup: ["../../apps/export/test/support/builtCli.ts"]
  }
})
