/**
 * An incremental export whose column's maximum lies in the future — a warehouse's "open-ended" 9999-12-31 beside
 * today's rows — end to end (the built CLI against a loopback sandbox, through a proxy that answers the maximum as
 * such a cluster would: the sandbox's dates all lie in the past). The run says that the next `--since last` run
 * starts there and would not read rows added later with earlier dates, on stderr and in the manifest; a maximum
 * of today is no such case.
 */
import { describe, expect, it } from "@effect/vitest"
import { futureWarnings } from "../src/plan/Incremental.ts"
import { commandLineNames } from "../src/plan/SettingNames.ts"
import { startRewritingProxy } from "./support/RenamingProxy.ts"
import { runCli } from "./support/runCli.ts"
import { manifestIn, sandboxEnv, testSandbox, watermarksIn } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const shared = testSandbox({ rows: 400, timezone: "UTC" })
const tempDir = tempFolders("spotpipe-incremental-future-")
const said = "the maximum of [Order Date] is 9999-12-31, in the future: the next --since last run starts there"

describe("search --since-column whose maximum is in the future", () => {
  it("warns that later rows with earlier values would not be read, on stderr and in the manifest", {
    timeout: 120_000
  }, async () => {
    // 9999-12-31 at midnight UTC, as a UTC cluster sends the DATE.
    const proxy = await startRewritingProxy(shared.sandbox.url, {
      response: (text) =>
        text.includes('"column_names":["Maximum Order Date"]')
          ? text.replace(/"data_rows":\[\[\d+\]\]/, '"data_rows":[[253402214400]]')
          : text
    })
    try {
      const dir = tempDir()
      const run = await runCli(
        [
          ...["search", "--table", "Orders", "--query", "[Order ID] [Order Date]", "--out", dir],
          ...["--since-column", "Order Date", "--since", "2025-06-01"]
        ],
        { env: { ...sandboxEnv(shared.sandbox), THOUGHTSPOT_HOST: proxy.url } }
      )
      expect(run.code, run.stderr).toBe(0)
      expect(run.stderr).toContain(said)
      const manifest = manifestIn<{ outputs: Array<{ warnings?: ReadonlyArray<string> }> }>(dir)
      expect(manifest.outputs[0]!.warnings).toEqual([expect.stringContaining(said)])
      expect(watermarksIn(dir)).toEqual([expect.objectContaining({ column: "Order Date", value: "9999-12-31 UTC" })])
    } finally {
      await proxy.close()
    }
  })
})

describe("futureWarnings", () => {
  const now = Date.UTC(2026, 11, 7, 12)
  const warn = (mark: string | undefined, type = "DATE") => futureWarnings(mark, type, "D", now, commandLineNames)
  it("warns of a date or time past tomorrow in any zone, not of today, tomorrow, other types or no maximum", () => {
    expect(warn("9999-12-31")).toHaveLength(1)
    expect(warn("2026-12-10 00:00:00", "DATE_TIME")).toHaveLength(1)
    expect(warn("2026-12-10 00:00:00", "TIMESTAMP")).toHaveLength(1)
    expect(warn("2026-12-07")).toEqual([])
    expect(warn("2026-12-08 23:59:59", "DATE_TIME")).toEqual([])
    expect(warn("2026-12-09")).toEqual([])
    expect(warn("9999", "INT64")).toEqual([])
    expect(warn(undefined)).toEqual([])
  })
})
