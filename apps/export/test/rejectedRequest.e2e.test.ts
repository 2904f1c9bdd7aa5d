/**
 * A column name ThoughtSpot does not know in `--sort`, `--runtime-filter` or `--query`: the sandbox rejects the
 * request (HTTP 400, code 10002) as a cluster does, and spotpipe says so in one line that names the export, says
 * "ThoughtSpot rejected the request" once and the incident id once, with ThoughtSpot's reason; exit 1.
 */
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv, testSandbox } from "./support/Sandboxes.ts"

const sandbox = testSandbox({ rows: 100 })

describe("a column ThoughtSpot does not know", () => {
  it("is said once, with the incident id once", { timeout: 60_000 }, async () => {
    for (const [args, what, reason] of [
      [["answer", "Revenue by Month", "--sort", "Bogus"], 'answer "Revenue by Month"', "unknown column 'Bogus'"],
      [["answer", "Revenue by Month", "--runtime-filter", "Bogus EQ x"], 'answer "Revenue by Month"', "'Bogus'"],
      [["search", "--table", "Orders", "--query", "[Region] [Bogus]"], 'search on "Orders"', "[Bogus]"]
    ] as const) {
      const run = await runCliInProcess([...args, "--dry-run"], { env: sandboxEnv(sandbox.sandbox) })
      expect(run.code, args.join(" ")).toBe(1)
      const line = run.stderr.split("\n")[0]!
      const incident = /incident ([0-9a-f-]{36})/.exec(line)?.[1]
      expect(incident, line).toBeDefined()
      expect(line).toMatch(
        new RegExp(
          `^spotpipe: ThoughtSpot rejected the request for ${what} \\(HTTP 400, code 10002, incident ${incident}\\): \\S`
        )
      )
      expect(line).toContain(reason)
      expect(line.split("rejected the request")).toHaveLength(2)
      expect(line.split(incident!)).toHaveLength(2)
    }
  })
})
