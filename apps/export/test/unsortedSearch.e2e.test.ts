/**
 * A search whose query has no `sort by`, read in several pages, through the CLI against a loopback sandbox: each
 * page is a query of its own on the cluster, so such a result can hold repeated rows and miss others. It is a
 * warning on stderr, in the manifest and in the `--json` report; with `--strict` (or `"strict": true` in a job) the
 * export fails on its first page, before anything is written or the second page is asked for. A result that fits
 * one page, and a query that sorts, give no warning. A dry run checks it with the run's page size, as the run does.
 * (Which queries count as sorted: SearchOrder.test.ts; the
 * sandbox runs no query with a `sort by` inside a quoted value.)
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runInProcess } from "./support/inProcess.ts"
import { filesIn, manifestIn as readManifest, sandboxEnv, testSandbox, writeJob } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-unsorted-")
const timeout = { timeout: 60_000 }

const rows = 250
const sandbox = testSandbox({ rows })
/** Data pages the sandbox served (`searchdata` requests answered). */
const dataRequests = () => sandbox.requests("searchdata")

const warning =
  'search on "Orders": the search query has no "sort by" and its 250 rows are read in 3 pages of 100: each page is a query of its own on the cluster, so without a fixed order rows can be repeated or missing; add a sort by on columns that make each row unique (… sort by [Order ID])'
const warningText = warning.slice('search on "Orders": '.length)

interface Manifest {
  readonly outputs: ReadonlyArray<{ readonly warnings: ReadonlyArray<string>; readonly rows_written: number }>
  readonly exports: ReadonlyArray<{ readonly status: string; readonly error?: string }>
}
const manifestIn = (dir: string) => readManifest<Manifest>(dir)

/** `spotpipe search` of `query` on the sandbox's Orders into a fresh folder, with `more` flags. */
const search = (query: string, ...more: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const dir = tempDir()
    const before = dataRequests()
    const run = yield* runInProcess(
      ["search", "--table", "Orders", "--query", query, "--timezone", "UTC", "--out", dir, ...more],
      sandboxEnv(sandbox.sandbox)
    )
    return { ...run, dir, dataRequests: dataRequests() - before }
  })

/** `spotpipe run` of a job with one search export (`extra`: its settings) into a fresh folder. */
const runJob = (query: string, extra: Record<string, unknown>, ...more: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const dir = tempDir()
    const job = writeJob(tempDir(), {
      exports: [{ type: "search", table: "Orders", query, timezone: "UTC", ...extra }]
    })
    const run = yield* runInProcess(["run", job, "--out", dir, ...more], sandboxEnv(sandbox.sandbox))
    return { ...run, dir }
  })

describe("a search without sort by", () => {
  it.live(
    "read-in-several-pages-is-a-warning-on-stderr-in-the-manifest-and-in-the-json-report",
    () =>
      Effect.gen(function* () {
        const run = yield* search("[Order ID] [Region]", "--page-size", "100", "--json")
        expect(run.code, run.stderr).toBe(0)
        expect(run.stderr).toContain(warning)
        const output = manifestIn(run.dir).outputs[0]!
        expect(output.rows_written).toBe(rows)
        expect(output.warnings).toEqual([warningText])
        const report = JSON.parse(run.stdout) as { outputs: ReadonlyArray<{ warnings: ReadonlyArray<string> }> }
        expect(report.outputs[0]!.warnings).toEqual([warningText])
      }),
    timeout
  )

  it.live(
    "that-fits-one-page-gives-no-warning-even-with-strict",
    () =>
      Effect.gen(function* () {
        // Exactly one full page, and an aggregated result of a few rows at the default page size.
        for (const [query, more] of [
          ["[Order ID] [Region]", ["--page-size", String(rows)]],
          ["[Region] [Revenue]", []]
        ] as const) {
          const run = yield* search(query, ...more, "--strict")
          expect(run.code, run.stderr).toBe(0)
          expect(run.stderr).not.toContain("sort by")
          expect(manifestIn(run.dir).outputs[0]!.warnings).toEqual([])
        }
      }),
    timeout
  )

  it.live(
    "with-strict-fails-on-its-first-page-before-asking-for-the-second-and-writes-nothing",
    () =>
      Effect.gen(function* () {
        const run = yield* search("[Order ID] [Region]", "--page-size", "100", "--strict")
        expect(run.code, run.stderr).toBe(1)
        expect(run.stderr.trim().split("\n")).toHaveLength(1)
        expect(run.stderr).toContain(warning)
        expect(run.stderr).toContain("without --strict it is exported with this warning")
        expect(run.dataRequests).toBe(1)
        // No file of the export anywhere in the folder, partial or published.
        expect([...filesIn(run.dir).keys()].filter((f) => f.includes("Orders"))).toEqual([])
      }),
    timeout
  )
})

describe("a dry run of a search without sort by", () => {
  it.live(
    "checks-the-run's-pages-not-its-own-one-row-pages-and-with-strict-fails-as-the-run-does",
    () =>
      Effect.gen(function* () {
        const run = yield* search("[Order ID] [Region]", "--page-size", "100", "--strict", "--dry-run")
        expect(run.code).toBe(1)
        expect(run.stderr).toContain(`${warning} (without --strict it is exported with this warning)`)
        // A result that fits the run's one page has no order to lose, though the dry run reads one-row pages.
        const fits = yield* search("[Order ID] [Region]", "--page-size", String(rows), "--strict", "--dry-run")
        expect(fits.code, fits.stderr).toBe(0)
        expect(fits.stderr).not.toContain("sort by")
      }),
    timeout
  )
})

describe("a search with sort by", () => {
  it.live(
    "read-in-several-pages-gives-no-warning-even-with-strict",
    () =>
      Effect.gen(function* () {
        const run = yield* search("[Order ID] [Region] SORT  BY [Order ID]", "--page-size", "100", "--strict")
        expect(run.code, run.stderr).toBe(0)
        expect(run.stderr).not.toContain("sort by")
        const output = manifestIn(run.dir).outputs[0]!
        expect(output.rows_written).toBe(rows)
        expect(output.warnings).toEqual([])
      }),
    timeout
  )
})

describe("a job's search without sort by", () => {
  it.live(
    "is-a-warning-and-with-strict-in-the-job-a-failed-export",
    () =>
      Effect.gen(function* () {
        const warned = yield* runJob("[Order ID] [Region]", { pageSize: 100 }, "--quiet")
        expect(warned.code, warned.stderr).toBe(0)
        expect(warned.stderr).toContain(warning)
        expect(manifestIn(warned.dir).outputs[0]!.warnings).toEqual([warningText])

        const strict = yield* runJob("[Order ID] [Region]", { pageSize: 100, strict: true }, "--quiet")
        expect(strict.code, strict.stderr).toBe(1)
        expect(strict.stderr).toContain(warning)
        const failed = manifestIn(strict.dir)
        expect(failed.outputs).toEqual([])
        expect(failed.exports[0]!.status).toBe("failed")
        expect(failed.exports[0]!.error).toContain(warningText)

        const sorted = yield* runJob("[Order ID] [Region] sort by [Order ID]", { pageSize: 100, strict: true })
        expect(sorted.code, sorted.stderr).toBe(0)
        expect(manifestIn(sorted.dir).outputs[0]!.warnings).toEqual([])
      }),
    timeout
  )
})

describe("a split search without sort by", () => {
  it.live(
    "warns-in-every-part-and-once-in-the-merged-file",
    () =>
      Effect.gen(function* () {
        const run = yield* runJob("[Order ID] [Region]", { pageSize: 100, split: 2, format: "ndjson" }, "--quiet")
        expect(run.code, run.stderr).toBe(0)
        const parts = manifestIn(run.dir).outputs
        expect(parts.map((p) => p.warnings)).toEqual([[warningText], [warningText]])
        const merged = yield* runInProcess(["merge", run.dir, "--quiet"], {})
        expect(merged.code, merged.stderr).toBe(0)
        const output = manifestIn(run.dir).outputs.find((o) => o.rows_written === rows)
        expect(output?.warnings).toEqual([warningText])
      }),
    timeout
  )
})
