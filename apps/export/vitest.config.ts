import { defineProject } from "vitest/config"

export default defineProject({
  // Builds the installable CLI once per run for the tests that start it (test/support/runCli.ts).
  test: { name: "export", include: ["test/**/*.test.ts"], globalSetup: ["test/support/builtCli.ts"] }
})
