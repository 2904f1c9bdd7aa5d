/** One vitest run over every workspace project that has a vitest config (packages, apps, cross-package suites). */
import { defineConfig } from "vitest/config"

export default defineConfig({
  test: { projects: ["packages/*/vitest.config.ts", "apps/*/vitest.config.ts", "test/*/vitest.config.ts"] }
})
