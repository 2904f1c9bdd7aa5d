/**
 * A mistyped `--since-column` (the built CLI, in-process, against a loopback sandbox): a search and an answer refuse
 * it alike, as the usage error it is (exit 2), listing the columns and the closest ones.
 */
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv, testSandbox } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 120_000 }

const shared = testSandbox({ rows: 100 })
const tempDir = tempFolders("spotpipe-incremental-column-typo-")

describe("a mistyped --since-column", () => {
  it("is-a-usage-error-with-the-closest-columns-on-a-search-and-an-answer-alike", timeout, async () => {
    const env = sandboxEnv(shared.sandbox)
    const since = ["--since-column", "Order Dte", "--since", "2025-01-01", "--out", tempDir()]
    const search = await runCliInProcess(["search", "--table", "Orders", "--query", "[Order ID] [Revenue]", ...since], {
      env
    })
    const answer = await runCliInProcess(["answer", "Order Details", ...since], { env })
    for (const run of [search, answer]) {
      expect(run.code, run.stderr).toBe(2)
      expect(run.stderr).toContain('--since-column "Order Dte" is not a column of')
      expect(run.stderr).toContain('"Shipped At"')
      expect(run.stderr).toContain('; did you mean "Order Date" or "Order ID"?')
    }
  })
})
