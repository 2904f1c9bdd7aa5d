/**
 * A job file's incremental exports refused in its own words, end to end (`spotpipe run job.json` against a loopback
 * sandbox): every refusal of a `sinceColumn`/`since`/`until` names the export's position and the job file's key
 * (`exports[2].sinceColumn`), and its advice says what to write in the job file (`"query": "…"`,
 * `"visualizations": ["…"]`, a run with `"since": "last"`) — never a flag its user did not write. The same
 * refusals of a single command keep naming its flags. The job's run is a process of the built CLI, as users run it;
 * the single commands run in-process.
 */
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { runCli } from "./support/runCli.ts"
import { sandboxEnv, testSandbox, writeJob } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 120_000 }

const shared = testSandbox({ rows: 300 })

const tempDir = tempFolders("spotpipe-incremental-job-file-")

/** The flags of the settings a job file gives by its keys. */
const flags = /--since-column|--since\b|--until|--query|--viz|--runtime-filter|--modified-since/

describe("a job file's incremental exports", () => {
  it("are refused naming each export's position and key, with advice in the job file's words", timeout, async () => {
    const dir = tempDir()
    const job = writeJob(dir, {
      exports: [
        { type: "answer", id: "Order Details", sinceColumn: "Order Number", since: "1", output: "a" },
        { type: "liveboard", id: "Order Operations", sinceColumn: "Order Date", since: "2025-01-01", output: "b" },
        {
          type: "search",
          table: "Orders",
          query: "[Order Date].monthly [Revenue]",
          sinceColumn: "Order Date",
          since: "2025-01-01",
          output: "c"
        },
        { type: "answer", id: "Order Details", sinceColumn: "Quantity", since: "many", output: "d" },
        { type: "answer", id: "Order Details", sinceColumn: "Order ID", since: "last", output: "e" },
        { type: "search", table: "Orders", query: "[Region] [Revenue] top 5", sinceColumn: "Region", since: "A" },
        { type: "audit", since: "2d", until: "2099-01-01T00:00:00Z" }
      ]
    })
    // As users run it: a process of the built CLI.
    const run = await runCli(["run", job, "--out", dir], { env: sandboxEnv(shared.sandbox) })
    expect(run.code, run.stderr).toBe(1)
    // Each failed export on its own line (stdout), the first again in the closing line (stderr).
    const said = `${run.stdout}\n${run.stderr}`
    expect(said).toContain('exports[0].sinceColumn "Order Number" is not a column of its result')
    expect(said).toContain(
      'exports[1].sinceColumn reads one visualization per export, and this one would read 3 ("Order Timeline", "Daily Quantity", "Shipments by Quarter"): name one with "visualizations": ["…"]'
    )
    expect(said).toContain('exports[2].sinceColumn "Order Date" would cut the first one')
    expect(said).toContain(`a run with "since": "last", starting inside the last period`)
    expect(said).toContain(`("query": "[Order Date].monthly [Revenue] [Order Date] >= '…'")`)
    expect(said).toContain('exports[3].since "many" is not a number')
    expect(said).toContain('exports[4].since "last" needs an earlier successful run of this export')
    expect(said).toContain("give exports[4].since a starting point for the first run")
    expect(said).toContain('exports[5].sinceColumn "Region" would write those of each run\'s rows')
    expect(said).toContain("leave exports[5].sinceColumn out")
    expect(said).toContain(`exports[6].until 2099-01-01T00:00:00.000Z is in the future`)
    expect(said).toContain(`the next run with "since": "last" would start after them; leave exports[6].until out`)
    expect(said).not.toMatch(flags)
  })

  it("a single command's same refusals name its flags", timeout, async () => {
    const env = sandboxEnv(shared.sandbox)
    const search = await runCliInProcess(
      [
        "search",
        "--table",
        "Orders",
        "--query",
        "[Order Date].monthly [Revenue]",
        "--out",
        tempDir(),
        "--since-column",
        "Order Date",
        "--since",
        "2025-01-01"
      ],
      { env }
    )
    expect(search.code).toBe(2)
    expect(search.stderr).toContain('--since-column "Order Date" would cut the first one')
    expect(search.stderr).toContain("a --since last run, starting inside the last period")
    expect(search.stderr).toContain(`(--query "[Order Date].monthly [Revenue] [Order Date] >= '…'")`)
    const liveboard = await runCliInProcess(
      ["liveboard", "Order Operations", "--out", tempDir(), "--since-column", "Order Date", "--since", "2025-01-01"],
      { env }
    )
    expect(liveboard.code).toBe(2)
    expect(liveboard.stderr).toContain('name one with --viz "…" (one export per visualization)')
    expect(liveboard.stderr).not.toContain('"visualizations"')
  })
})
