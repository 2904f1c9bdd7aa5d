/**
 * `--sort` and `--runtime-filter` (a job file's `sort` and `runtimeFilters`) through the CLI against a loopback
 * sandbox, which applies runtime sorts and filters as ThoughtSpot's data endpoints take them: the rows come in the
 * order asked for and only those that pass, on every page; the manifest's source records what was sent; resume
 * never continues or keeps a file read with other ones; a bad operator or value is a usage error (exit 2) before
 * any request, and a column the cluster does not know is the cluster's error, shown.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { Effect } from "effect"
import Papa from "papaparse"
import { runInProcess } from "./support/inProcess.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-runtime-")
const timeout = { timeout: 60_000 }

const rows = 250
let sandbox: RunningSandbox
/** Data requests the sandbox answered. */
let dataRequests = 0

beforeAll(async () => {
  sandbox = await startSandbox({
    rows,
    log: (line) => {
      if (/\/(searchdata|metadata\/answer\/data|metadata\/liveboard\/data) /.test(line)) dataRequests++
    }
  })
})
afterAll(() => sandbox?.close())

interface ManifestOutput {
  readonly file: string
  readonly source: Record<string, unknown>
  readonly rows_written: number
  readonly warnings: ReadonlyArray<string>
  readonly fingerprint: string
}
const manifestIn = (dir: string): { readonly outputs: ReadonlyArray<ManifestOutput> } =>
  JSON.parse(NodeFs.readFileSync(NodePath.join(dir, "manifest.json"), "utf8")) as {
    readonly outputs: ReadonlyArray<ManifestOutput>
  }

/** The CSV file's header and data rows, as text. */
const csvIn = (file: string) => {
  const [header, ...lines] = Papa.parse<Array<string>>(NodeFs.readFileSync(file, "utf8"), {
    skipEmptyLines: true
  }).data
  return { header: header!, rows: lines }
}

/** `spotpipe <args>` against the sandbox into `dir` (a fresh folder by default). */
const cli = (args: ReadonlyArray<string>, dir = tempDir()) =>
  Effect.gen(function* () {
    const before = dataRequests
    const run = yield* runInProcess([...args, "--out", dir], sandboxEnv(sandbox))
    return { ...run, dir, dataRequests: dataRequests - before }
  })

const orderDetails = (dir: string) => csvIn(NodePath.join(dir, "answer-Order Details.csv"))

describe("--sort and --runtime-filter", () => {
  it.live(
    "answer-sort-orders-every-page-and-is-recorded-in-the-manifest-source",
    () =>
      Effect.gen(function* () {
        const run = yield* cli(["answer", "Order Details", "--page-size", "100", "--sort", "Quantity:desc"])
        expect(run.code, run.stderr).toBe(0)
        const { header, rows: lines } = orderDetails(run.dir)
        const quantity = header.indexOf("Quantity")
        const id = header.indexOf("Order ID")
        expect(lines).toHaveLength(rows)
        const quantities = lines
          .map((row) => row[quantity])
          .filter((q) => q !== "")
          .map(Number)
        expect(quantities.length).toBeGreaterThan(rows / 2)
        expect(quantities).toEqual([...quantities].sort((a, b) => b - a))
        // Read in 3 pages, yet every order once: each page was read in the same order.
        const ids = lines.map((row) => row[id]).filter((v) => v !== "")
        expect(new Set(ids).size).toBe(ids.length)
        expect(ids.length).toBeGreaterThan(rows / 2)
        const output = manifestIn(run.dir).outputs[0]!
        expect(output.source["runtime_sort"]).toEqual({ sortCol1: "Quantity", asc1: false })
        expect(output.source).not.toHaveProperty("runtime_filter")
      }),
    timeout
  )

  it.live(
    "answer-runtime-filter-keeps-exactly-the-rows-that-pass",
    () =>
      Effect.gen(function* () {
        const all = yield* cli(["answer", "Order Details", "--page-size", "100"])
        expect(all.code, all.stderr).toBe(0)
        const every = orderDetails(all.dir)
        const quantity = every.header.indexOf("Quantity")
        const expected = every.rows.filter((row) => row[quantity] !== "" && Number(row[quantity]) > 5)
        const run = yield* cli([
          "answer",
          "Order Details",
          "--page-size",
          "100",
          "--runtime-filter",
          "Quantity GT 5",
          "--sort",
          "Order ID"
        ])
        expect(run.code, run.stderr).toBe(0)
        const filtered = orderDetails(run.dir)
        expect(filtered.rows).toEqual(expected)
        expect(filtered.rows.length).toBeGreaterThan(0)
        expect(filtered.rows.length).toBeLessThan(rows)
        const output = manifestIn(run.dir).outputs[0]!
        expect(output.rows_written).toBe(expected.length)
        expect(output.source["runtime_filter"]).toEqual({ col1: "Quantity", op1: "GT", val1: "5" })
        expect(output.source["runtime_sort"]).toEqual({ sortCol1: "Order ID", asc1: true })
      }),
    timeout
  )

  it.live(
    "liveboard-visualization-takes-the-runtime-sort",
    () =>
      Effect.gen(function* () {
        // Saved sorted by revenue descending; the runtime sort replaces that order.
        const run = yield* cli(["liveboard", "Sales Overview", "--viz", "Revenue by Region", "--sort", "Total Revenue"])
        expect(run.code, run.stderr).toBe(0)
        const { header, rows: lines } = csvIn(
          NodePath.join(run.dir, "liveboard-Sales Overview", "Revenue by Region.csv")
        )
        const revenue = lines.map((row) => Number(row[header.indexOf("Total Revenue")]))
        expect(revenue.length).toBeGreaterThan(1)
        expect(revenue).toEqual([...revenue].sort((a, b) => a - b))
        expect(manifestIn(run.dir).outputs[0]!.source["runtime_sort"]).toEqual({
          sortCol1: "Total Revenue",
          asc1: true
        })
      }),
    timeout
  )

  it.live(
    "search-with-sort-is-a-fixed-order-and-a-query-with-its-own-sort-by-is-refused",
    () =>
      Effect.gen(function* () {
        const run = yield* cli([
          "search",
          "--table",
          "Orders",
          "--query",
          "[Order ID] [Region]",
          "--page-size",
          "100",
          "--sort",
          "Order ID:DESC"
        ])
        expect(run.code, run.stderr).toBe(0)
        // No "no sort by" warning: the runtime sort fixes the order of the pages.
        expect(run.stderr).not.toContain('has no "sort by"')
        const { header, rows: lines } = csvIn(NodePath.join(run.dir, "search-Orders.csv"))
        expect(lines).toHaveLength(rows)
        // Null IDs (the sandbox has some) aside, every ID once and in descending order.
        const ids = lines
          .map((row) => row[header.indexOf("Order ID")]!)
          .filter((id) => id !== "")
          .map(BigInt)
        expect(new Set(ids).size).toBe(ids.length)
        expect(ids).toEqual([...ids].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)))
        expect(manifestIn(run.dir).outputs[0]!.warnings).toEqual([])

        const both = yield* cli([
          "search",
          "--table",
          "Orders",
          "--query",
          "[Order ID] sort by [Order ID]",
          "--sort",
          "Region"
        ])
        expect(both.code).toBe(2)
        expect(both.stderr).toContain(
          '--sort: the search query has its own "sort by", and how ThoughtSpot would combine it with a runtime sort is not documented'
        )
        expect(both.dataRequests).toBe(0)
      }),
    timeout
  )

  it.live(
    "resume-never-keeps-a-file-read-with-another-sort-or-filter",
    () =>
      Effect.gen(function* () {
        const dir = tempDir()
        const args = ["answer", "Order Details", "--sort", "Order ID", "--json"]
        const statusOf = (stdout: string) =>
          (JSON.parse(stdout) as { outputs: ReadonlyArray<{ status: string }> }).outputs[0]!.status
        const first = yield* cli(args, dir)
        expect(first.code, first.stderr).toBe(0)
        const same = yield* cli([...args, "--resume"], dir)
        expect(same.code, same.stderr).toBe(0)
        expect(statusOf(same.stdout)).toBe("skipped")
        const fingerprint = manifestIn(dir).outputs[0]!.fingerprint

        // Another direction: the file is read again, in that order.
        const desc = yield* cli(["answer", "Order Details", "--sort", "Order ID:desc", "--json", "--resume"], dir)
        expect(desc.code, desc.stderr).toBe(0)
        expect(statusOf(desc.stdout)).toBe("written")
        expect(manifestIn(dir).outputs[0]!.fingerprint).not.toBe(fingerprint)
        const details = orderDetails(dir)
        const ids = details.rows
          .map((row) => row[details.header.indexOf("Order ID")]!)
          .filter((v) => v !== "")
          .map(BigInt)
        expect(ids[0]! > ids[ids.length - 1]!).toBe(true)

        // No sort, or a filter added: read again too.
        const unsorted = yield* cli(["answer", "Order Details", "--json", "--resume"], dir)
        expect(statusOf(unsorted.stdout)).toBe("written")
        const filtered = yield* cli(
          ["answer", "Order Details", "--runtime-filter", "Quantity GE 3", "--json", "--resume"],
          dir
        )
        expect(statusOf(filtered.stdout)).toBe("written")
        expect(manifestIn(dir).outputs[0]!.source["runtime_filter"]).toEqual({ col1: "Quantity", op1: "GE", val1: "3" })
      }),
    timeout
  )

  it.live(
    "a-job-file-takes-sort-and-runtimeFilters-and-writes-what-the-command-writes",
    () =>
      Effect.gen(function* () {
        const single = yield* cli([
          "answer",
          "Order Details",
          "--sort",
          "Quantity:desc",
          "--runtime-filter",
          'Order Date BW "2020-01-01" 2030-01-01',
          "--runtime-filter",
          "Quantity LE 4"
        ])
        // The sandbox applies no BW: the request carried it, and its refusal is the cluster's, shown.
        expect(single.code).toBe(1)
        expect(single.stderr).toContain("runtime_filter op1 'BW' is not applied by the sandbox")

        const job = NodePath.join(tempDir(), "job.json")
        const exportOf = (extra: Record<string, unknown>) => ({
          type: "answer",
          id: "Order Details",
          output: "details",
          ...extra
        })
        NodeFs.writeFileSync(
          job,
          JSON.stringify({
            exports: [
              exportOf({
                sort: [{ column: "Order ID", order: "desc" }],
                runtimeFilters: [{ column: "Quantity", op: "LE", values: ["4"] }]
              })
            ]
          })
        )
        const dir = tempDir()
        const run = yield* runInProcess(["run", job, "--out", dir], sandboxEnv(sandbox))
        expect(run.code, run.stderr).toBe(0)
        const command = yield* cli([
          "answer",
          "Order Details",
          "--sort",
          "Order ID:desc",
          "--runtime-filter",
          "Quantity LE 4"
        ])
        expect(command.code, command.stderr).toBe(0)
        const fromJob = NodeFs.readFileSync(NodePath.join(dir, "details.csv"))
        expect(fromJob.equals(NodeFs.readFileSync(NodePath.join(command.dir, "answer-Order Details.csv")))).toBe(true)
        const { header, rows: lines } = csvIn(NodePath.join(dir, "details.csv"))
        const quantities = lines.map((row) => row[header.indexOf("Quantity")]!)
        expect(quantities.length).toBeGreaterThan(0)
        expect(quantities.every((q) => q !== "" && Number(q) <= 4)).toBe(true)
        const ids = lines
          .map((row) => row[header.indexOf("Order ID")]!)
          .filter((v) => v !== "")
          .map(BigInt)
        expect(ids).toEqual([...ids].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)))
        expect(manifestIn(dir).outputs[0]!.source["runtime_filter"]).toEqual({ col1: "Quantity", op1: "LE", val1: "4" })
      }),
    timeout
  )

  it.live(
    "bad-operators-values-and-job-fields-are-usage-errors-before-any-request",
    () =>
      Effect.gen(function* () {
        const refused = [
          [
            ["--runtime-filter", "Region LIKE West"],
            "it names no operator; write COLUMN OP VALUE…, OP one of EQ, NE, LT, LE, GT, GE, CONTAINS, BEGINS_WITH, ENDS_WITH, BW, BW_INC, BW_INC_MIN, BW_INC_MAX, IN, NOT_IN"
          ],
          [["--runtime-filter", "Region eq West"], '"eq" is no operator: operators are upper case (EQ)'],
          [["--runtime-filter", "Region EQ North West"], "EQ takes one value, not 2"],
          [["--runtime-filter", "Order Date BW 2024-01-01"], "BW takes two values (from and to), not 1"],
          [["--runtime-filter", "Region IN"], "IN takes one value or more"],
          [["--runtime-filter", 'Region EQ "West'], "a quote opened at position 11 is not closed"],
          [["--sort", ":desc"], '--sort ":desc" names no column'],
          [
            Array.from({ length: 50 }, () => ["--runtime-filter", "Quantity GT 1"]).flat(),
            "ThoughtSpot applies at most 49 runtime filters"
          ]
        ] as const
        for (const [flags, message] of refused) {
          const run = yield* cli(["answer", "Order Details", ...flags])
          expect(run.code, run.stderr).toBe(2)
          expect(run.stderr).toContain(message)
          expect(run.dataRequests).toBe(0)
        }

        const jobRun = (exports: ReadonlyArray<Record<string, unknown>>) =>
          Effect.gen(function* () {
            const job = NodePath.join(tempDir(), "job.json")
            NodeFs.writeFileSync(job, JSON.stringify({ exports }))
            const before = dataRequests
            const run = yield* runInProcess(["run", job, "--out", tempDir()], sandboxEnv(sandbox))
            expect(run.code, run.stderr).toBe(2)
            expect(dataRequests).toBe(before)
            return run.stderr
          })
        const fields = yield* jobRun([
          { type: "answer", id: "Order Details", runtimeFilters: [{ column: "Region", op: "LIKE", values: ["W%"] }] },
          {
            type: "liveboard",
            id: "Sales Overview",
            runtimeFilters: [{ column: "Order Date", op: "BW", values: ["a"] }]
          },
          { type: "search", table: "Orders", query: "[Order ID]", sort: [{ column: "" }] }
        ])
        expect(fields).toContain(
          "exports[0].runtimeFilters[0].op: must be one of EQ, NE, LT, LE, GT, GE, CONTAINS, BEGINS_WITH, ENDS_WITH, BW, BW_INC, BW_INC_MIN, BW_INC_MAX, IN, NOT_IN (upper case)"
        )
        expect(fields).toContain("exports[1].runtimeFilters[0]: BW takes two values (from and to), not 1")
        expect(fields).toContain("exports[2].sort[0].column: must not be empty")
        const both = yield* jobRun([
          { type: "search", table: "Orders", query: "[Order ID] sort by [Order ID]", sort: [{ column: "Order ID" }] }
        ])
        expect(both).toContain('exports[0].sort: the search query has its own "sort by"')
      }),
    timeout
  )

  it.live(
    "an-unknown-column-is-the-clusters-error-shown",
    () =>
      Effect.gen(function* () {
        const run = yield* cli(["answer", "Order Details", "--sort", "Colour"])
        expect(run.code).toBe(1)
        expect(run.stderr).toContain("unknown column 'Colour'")
      }),
    timeout
  )
})
