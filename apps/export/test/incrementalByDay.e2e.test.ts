/**
 * Incremental runs of saved answers and liveboard visualizations that show a date by day, end to end (the built CLI
 * against loopback sandboxes), held to a search's rule: a DATE by day (`Day(Order Date)`, bucket DAILY) is read
 * from `--since` on and watermarked as the date it is, since one day of a DATE is its value — the rows written are
 * exactly a full export's rows from that day on, and a `--since last` run after rows were added exactly the full
 * export's from the previous maximum on; a DATE_TIME by day (its cells are dates too, each a day of instants) is
 * refused, exit 2, writing nothing, as is a day of a column whose own type the cluster's description leaves out.
 * Runs are in-process but one, the answer's `--since last` run as users run it (a process of the built CLI).
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { startRewritingProxy } from "./support/RenamingProxy.ts"
import { runCli } from "./support/runCli.ts"
import { linesIn as lines, watermarksIn as marks, sandboxEnv, testSandbox } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 120_000 }

const tempDir = tempFolders("spotpipe-incremental-by-day-")

/** A line's day (`Day(Order Date)`), or null. */
const dayOf = (line: string): string | null => (JSON.parse(line) as Record<string, string | null>)["Day(Order Date)"]!

/** The lines of `rows` whose day is `since` or later. */
const fromDay = (rows: ReadonlyArray<string>, since: string) =>
  rows.filter((line) => {
    const day = dayOf(line)
    return day !== null && day >= since
  })

/** The latest day among `rows`. */
const latestDay = (rows: ReadonlyArray<string>) =>
  rows.map(dayOf).reduce((a, b) => (b !== null && (a === null || b > a) ? b : a))!

/**
 * Two incremental runs of one saved result into a folder, each checked against a full export at its time: the
 * first from the middle day of the full result, then — `grow` adding rows between them — `--since last`, from the
 * first run's maximum. `run(dir, …flags)` exports it as NDJSON into `dir`; `file(dir)` is where.
 */
const twoRuns = async (
  run: (dir: string, ...more: Array<string>) => Promise<{ code: number | null; stderr: string }>,
  file: (dir: string) => string,
  grow: () => void
) => {
  const full = async () => {
    const dir = tempDir()
    const whole = await run(dir)
    expect(whole.code, whole.stderr).toBe(0)
    return lines(file(dir))
  }
  const all = await full()
  const days = [...new Set(all.map(dayOf).filter((d): d is string => d !== null))].sort()
  expect(days.length).toBeGreaterThan(10)
  const since = days[Math.floor(days.length / 2)]!
  const dir = tempDir()
  const since1 = ["--since-column", "Day(Order Date)", "--since", since]
  const first = await run(dir, ...since1)
  expect(first.code, first.stderr).toBe(0)
  expect(first.stderr).not.toContain("grouped into periods")
  const firstRows = lines(file(dir))
  expect(firstRows).toEqual(fromDay(all, since))
  expect(firstRows.length).toBeGreaterThan(0)
  const newest = latestDay(all)
  expect(marks(dir)).toEqual([
    expect.objectContaining({ kind: "column", column: "Day(Order Date)", value: `${newest} America/Los_Angeles` })
  ])

  grow()
  const grown = await full()
  expect(grown).not.toEqual(all)
  const second = await run(dir, "--since-column", "Day(Order Date)", "--since", "last")
  expect(second.code, second.stderr).toBe(0)
  expect(lines(file(dir))).toEqual(fromDay(grown, newest))
  expect(marks(dir)).toEqual([expect.objectContaining({ value: `${latestDay(grown)} America/Los_Angeles` })])
}

describe("a saved answer showing a DATE by day, --since-column", () => {
  it(
    "writes exactly a full export's rows from --since on, then with last exactly those from the maximum the previous run found, rows added between them among them",
    timeout,
    async () => {
      const own = await startSandbox({ rows: 600 })
      try {
        // A row-level answer: each order with its day.
        own.save({ answer: "Orders by Day", query: "[Order ID] [Order Date].daily [Revenue] sort by [Order ID]" })
        const env = sandboxEnv(own)
        await twoRuns(
          // The --since last run as users run it (a process of the built CLI), the others in-process.
          (dir, ...more) =>
            (more.includes("last") ? runCli : runCliInProcess)(
              ["answer", "Orders by Day", "--format", "ndjson", "--out", dir, "--quiet", "--force", ...more],
              { env }
            ),
          (dir) => NodePath.join(dir, "answer-Orders by Day.ndjson"),
          () => own.addRows(60)
        )
      } finally {
        await own.close()
      }
    }
  )
})

describe("a liveboard visualization showing a DATE by day, --since-column", () => {
  it(
    "writes exactly a full export's daily totals from --since on, then with last exactly those from the previous maximum",
    timeout,
    async () => {
      const own = await startSandbox({ rows: 800 })
      try {
        const env = sandboxEnv(own)
        await twoRuns(
          (dir, ...more) =>
            runCliInProcess(
              [
                "liveboard",
                "Order Operations",
                "--viz",
                "Daily Quantity",
                "--format",
                "ndjson",
                "--out",
                dir,
                "--quiet",
                "--force",
                ...more
              ],
              { env }
            ),
          (dir) => NodePath.join(dir, "liveboard-Order Operations", "Daily Quantity.ndjson"),
          () => own.addRows(80)
        )
      } finally {
        await own.close()
      }
    }
  )
})

describe("a date by day that is no DATE", () => {
  const shared = testSandbox({ rows: 200 })
  let saved: RunningSandbox | undefined
  const sandbox = () => {
    if (saved === undefined) {
      saved = shared.sandbox
      saved.save({ answer: "Shipments per Day", query: "[Shipped At].daily [Quantity]" })
      saved.save({ liveboard: "Shipping Days", visualizations: [["Shipped per Day", "[Shipped At].daily [Quantity]"]] })
    }
    return saved
  }

  it("is refused for a DATE_TIME by day, exit 2, in an answer and a liveboard, writing nothing", timeout, async () => {
    const env = sandboxEnv(sandbox())
    for (const [kind, name] of [
      ["answer", "Shipments per Day"],
      ["liveboard", "Shipping Days"]
    ] as const) {
      const dir = tempDir()
      const run = await runCliInProcess(
        [kind, name, "--out", dir, "--since-column", "Day(Shipped At)", "--since", "2025-06-01"],
        { env }
      )
      expect(run.code, run.stderr).toBe(2)
      expect(run.stderr).toContain('--since-column "Day(Shipped At)" shows a DATE_TIME by day')
      expect(run.stderr).toContain("a day of it holds many instants")
      expect(NodeFs.readdirSync(dir)).toEqual([])
    }
    // A search refuses the same column by day.
    const dir = tempDir()
    const search = await runCliInProcess(
      [
        "search",
        "--table",
        "Orders",
        "--query",
        "[Shipped At].'daily' [Quantity]",
        "--out",
        dir,
        "--since-column",
        "Shipped At",
        "--since",
        "2025-06-01"
      ],
      { env }
    )
    expect(search.code, search.stderr).toBe(2)
    expect(NodeFs.readdirSync(dir)).toEqual([])
  })

  it(
    "is refused when the cluster's description does not give the column's own type, exit 2, writing nothing",
    timeout,
    async () => {
      const target = sandbox()
      const proxy = await startRewritingProxy(target.url, {
        response: (text, { url }) =>
          url.includes("metadata/search") ? text.replace(/,"baseDataType":"[A-Z_]*"/g, "") : text
      })
      try {
        const dir = tempDir()
        const run = await runCliInProcess(
          [
            "liveboard",
            "Order Operations",
            "--viz",
            "Daily Quantity",
            "--out",
            dir,
            "--since-column",
            "Day(Order Date)",
            "--since",
            "2025-06-01"
          ],
          { env: { ...sandboxEnv(target), THOUGHTSPOT_HOST: proxy.url } }
        )
        expect(run.code, run.stderr).toBe(2)
        expect(run.stderr).toContain("does not say its own type (baseDataType)")
        expect(NodeFs.readdirSync(dir)).toEqual([])
      } finally {
        await proxy.close()
      }
    }
  )

  it("names the result's column when given the model column it shows by day", timeout, async () => {
    const run = await runCliInProcess(
      [
        "liveboard",
        "Order Operations",
        "--viz",
        "Daily Quantity",
        "--out",
        tempDir(),
        "--since-column",
        "Order Date",
        "--since",
        "2025-06-01"
      ],
      { env: sandboxEnv(sandbox()) }
    )
    expect(run.code, run.stderr).toBe(2)
    // ThoughtSpot describes the column without the name its pages give it.
    expect(run.stderr).toContain('it shows "Order Date" as a total or a period, by another name')
  })
})
