/**
 * A saved answer or liveboard visualization read in several pages, through the CLI against a loopback sandbox:
 * each page is a query of its own on the cluster, so its order must be fixed by the query it was saved with. Once
 * the first page shows more are coming, spotpipe reads the object's TML (one `metadata/tml/export`) and warns, or
 * with `--strict` fails, exactly as for a search without `sort by`. A result that fits one page, and an export given
 * `--sort`, read no TML. When the TML cannot be read (a user without the privilege, a cluster error) the order is
 * not guessed: a warning says it could not be checked and how to fix it (`--strict`: a failure).
 */

import { describe, expect, it } from "@effect/vitest"
import { fixtures } from "@spotpipe/sandbox"
import { Effect } from "effect"
import { runInProcess } from "./support/inProcess.ts"
import { type RenamingProxy, type Rewrite, startRewritingProxy } from "./support/RenamingProxy.ts"
import {
  filesIn,
  manifestIn as readManifest,
  sandboxEnv,
  type TestSandbox,
  testSandbox,
  writeJob
} from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-unsorted-saved-")
const timeout = { timeout: 60_000 }

const rows = 250
const sandbox = testSandbox({ rows, timezone: "UTC" })
/** A sandbox whose TML export always fails with a server error (HTTP 500). */
const failing = testSandbox({
  rows,
  timezone: "UTC",
  faults: { routes: { "metadata/tml/export": { error500: 1 } }, maxConsecutiveFaults: 1_000 }
})

/**
 * A loopback proxy in front of the sandbox, rewritten by `rewrite`, for `use`; closed after it, whatever happens.
 */
const withProxy = <A, E>(rewrite: Rewrite, use: (proxy: RenamingProxy) => Effect.Effect<A, E>) =>
  Effect.acquireUseRelease(
    Effect.promise(() => startRewritingProxy(sandbox.sandbox.url, rewrite)),
    use,
    (proxy) => Effect.promise(() => proxy.close())
  )

/**
 * Answers `metadata/tml/export` as ThoughtSpot answers a user without the DATADOWNLOADING privilege (403, its nested
 * error body) and passes every other request through: the sandbox's users all hold the privilege.
 */
const noTml: Rewrite = {
  reply: ({ url }) => {
    if (!url.endsWith("/metadata/tml/export")) return undefined
    const debug = JSON.stringify([
      "Error Code: 10023 Incident Id: 0f0e0d0c-0000-4000-8000-000000000001\nError Message: Exporting TML requires the DATADOWNLOADING (Can download data) privilege."
    ])
    const body = JSON.stringify({
      error: {
        message: {
          debug: {
            code: 10023,
            incident_id_guid: "0f0e0d0c-0000-4000-8000-000000000001",
            trace_id_guid: "tracing-disabled",
            debug
          }
        }
      }
    })
    return { status: 403, body }
  }
}

interface Manifest {
  readonly outputs: ReadonlyArray<{
    readonly file: string
    readonly warnings: ReadonlyArray<string>
    readonly rows_written: number
  }>
  readonly exports: ReadonlyArray<{ readonly status: string; readonly error?: string }>
}
const manifestIn = (dir: string) => readManifest<Manifest>(dir)

const fix = 'sort it on columns that make each row unique with --sort (e.g. --sort "Order ID")'
/** The fix as a job file's export at `index` is told it: its key, and what to write there. */
const jobFix = (index: number) =>
  `sort it on columns that make each row unique with exports[${index}].sort (e.g. "sort": [{"column": "Order ID"}])`
const eachPage =
  "each page is a query of its own on the cluster, so without a fixed order rows can be repeated or missing"
const pages = (count: number, size: number) =>
  `its ${count} rows are read in ${Math.ceil(count / size)} pages of ${size}`
const unsortedAnswer = (count: number, size: number, how = fix) =>
  `the saved answer's query has no "sort by" and ${pages(count, size)}: ${eachPage}; ${how}, or save the answer with such a sort by`
const unsortedViz = (count: number, size: number) =>
  `the visualization's saved query has no "sort by" and ${pages(count, size)}: ${eachPage}; ${fix}, or save the visualization with such a sort by`
const unchecked = (why: string) =>
  `whether the saved answer's query has a "sort by" could not be checked (reading its TML (metadata/tml/export) failed: ${why}`
const uncheckedTail = (count: number, size: number) =>
  `), and ${pages(count, size)}: ${eachPage}; ${fix}, which needs no check`

/**
 * `spotpipe <args>` against `target` (by default the sandbox; a proxy in front of it) into a fresh folder, with the
 * TML exports and answer data requests the sandbox `seen` answered meanwhile.
 */
const cli = (
  args: ReadonlyArray<string>,
  target: { readonly url: string } = sandbox.sandbox,
  seen: TestSandbox = sandbox
) =>
  Effect.gen(function* () {
    const dir = tempDir()
    const counts = () => ({
      tml: seen.requests("metadata/tml/export"),
      answerData: seen.requests("metadata/answer/data")
    })
    const before = counts()
    const run = yield* runInProcess([...args, "--out", dir], sandboxEnv(target))
    const after = counts()
    return { ...run, dir, tml: after.tml - before.tml, answerData: after.answerData - before.answerData }
  })

describe("a saved answer without sort by", () => {
  it.live(
    "read-in-several-pages-reads-its-tml-once-and-warns-on-stderr-in-the-manifest-and-in-the-json-report",
    () =>
      Effect.gen(function* () {
        const run = yield* cli(["answer", "Weekly Shipments", "--page-size", "10", "--json"])
        expect(run.code, run.stderr).toBe(0)
        expect(run.tml).toBe(1)
        const output = manifestIn(run.dir).outputs[0]!
        expect(output.rows_written).toBeGreaterThan(10)
        const warning = unsortedAnswer(output.rows_written, 10)
        expect(run.stderr).toContain(`answer "Weekly Shipments": ${warning}`)
        expect(output.warnings).toEqual([warning])
        const report = JSON.parse(run.stdout) as { outputs: ReadonlyArray<{ warnings: ReadonlyArray<string> }> }
        expect(report.outputs[0]!.warnings).toEqual([warning])
      }),
    timeout
  )

  it.live(
    "with-strict-fails-on-its-first-page-before-asking-for-the-second-and-writes-nothing",
    () =>
      Effect.gen(function* () {
        const run = yield* cli(["answer", "Weekly Shipments", "--page-size", "10", "--strict"])
        expect(run.code, run.stderr).toBe(1)
        expect(run.stderr).toContain(`answer "Weekly Shipments": the saved answer's query has no "sort by"`)
        expect(run.stderr).toContain("without --strict it is exported with this warning")
        expect(run.tml).toBe(1)
        // The first page only: the TML was read after it, before the second was asked for.
        expect(run.answerData).toBe(1)
        expect([...filesIn(run.dir).keys()].filter((f) => f.includes("Weekly"))).toEqual([])
      }),
    timeout
  )

  it.live(
    "that-fits-one-page-reads-no-tml-and-gives-no-warning-even-with-strict",
    () =>
      Effect.gen(function* () {
        const run = yield* cli(["answer", "Weekly Shipments", "--strict"])
        expect(run.code, run.stderr).toBe(0)
        expect(run.tml).toBe(0)
        expect(run.stderr).not.toContain("sort by")
        expect(manifestIn(run.dir).outputs[0]!.warnings).toEqual([])
      }),
    timeout
  )

  it.live(
    "given-sort-reads-no-tml-and-gives-no-warning-even-with-strict",
    () =>
      Effect.gen(function* () {
        const run = yield* cli(["answer", "Sampled Orders", "--page-size", "100", "--sort", "Order ID", "--strict"])
        expect(run.code, run.stderr).toBe(0)
        expect(run.tml).toBe(0)
        expect(run.stderr).not.toContain("sort by")
      }),
    timeout
  )

  it.live(
    "in-a-job-is-a-warning-and-with-strict-in-the-job-a-failed-export",
    () =>
      Effect.gen(function* () {
        const folder = tempDir()
        const write = (extra: Record<string, unknown>) =>
          writeJob(folder, { exports: [{ type: "answer", id: "Weekly Shipments", pageSize: 10, ...extra }] })
        const job = write({})
        const warned = yield* cli(["run", job, "--quiet"])
        expect(warned.code, warned.stderr).toBe(0)
        const output = manifestIn(warned.dir).outputs[0]!
        expect(output.warnings).toEqual([unsortedAnswer(output.rows_written, 10, jobFix(0))])

        write({ strict: true })
        const strict = yield* cli(["run", job, "--quiet"])
        expect(strict.code, strict.stderr).toBe(1)
        const failed = manifestIn(strict.dir)
        expect(failed.outputs).toEqual([])
        expect(failed.exports[0]!.status).toBe("failed")
        expect(failed.exports[0]!.error).toContain(unsortedAnswer(output.rows_written, 10, jobFix(0)))
      }),
    timeout
  )
})

describe("a saved answer with sort by", () => {
  it.live(
    "read-in-several-pages-gives-no-warning-even-with-strict",
    () =>
      Effect.gen(function* () {
        const run = yield* cli(["answer", "Order Details", "--page-size", "100", "--strict"])
        expect(run.code, run.stderr).toBe(0)
        expect(run.tml).toBe(1)
        expect(run.stderr).not.toContain("sort by")
        const output = manifestIn(run.dir).outputs[0]!
        expect(output.rows_written).toBe(rows)
        expect(output.warnings).toEqual([])
      }),
    timeout
  )
})

describe("a liveboard read in several pages", () => {
  it.live(
    "reads-its-tml-once-and-warns-of-each-visualization-without-sort-by-that-spans-pages",
    () =>
      Effect.gen(function* () {
        // Order Timeline sorts by [Order ID]; Daily Quantity has no sort by; Shipments by Quarter fits a page.
        const run = yield* cli(["liveboard", "Order Operations", "--page-size", "100"])
        expect(run.code, run.stderr).toBe(0)
        expect(run.tml).toBe(1)
        const outputs = manifestIn(run.dir).outputs
        const of = (name: string) => outputs.find((o) => o.file.endsWith(`/${name}.csv`))!
        const daily = of("Daily Quantity")
        expect(daily.rows_written).toBeGreaterThan(100)
        expect(daily.warnings).toEqual([unsortedViz(daily.rows_written, 100)])
        expect(run.stderr).toContain(
          `visualization "Daily Quantity" of liveboard "Order Operations": ${unsortedViz(daily.rows_written, 100)}`
        )
        expect(of("Order Timeline").rows_written).toBe(rows)
        expect(of("Order Timeline").warnings).toEqual([])
        expect(of("Shipments by Quarter").warnings).toEqual([])
      }),
    timeout
  )
})

describe("a saved answer whose TML cannot be read", () => {
  it.live(
    "by-a-user-without-the-privilege-is-a-warning-that-its-order-could-not-be-checked-sorted-or-not",
    () =>
      Effect.gen(function* () {
        yield* withProxy(noTml, (proxy) =>
          Effect.gen(function* () {
            for (const name of ["Weekly Shipments", "Order Details"]) {
              const run = yield* cli(["answer", name, "--page-size", "100"], proxy)
              expect(run.code, run.stderr).toBe(0)
              const output = manifestIn(run.dir).outputs[0]!
              expect(output.warnings).toHaveLength(1)
              const warning = output.warnings[0]!
              expect(warning).toContain(unchecked("the user lacks the privilege or access this needs (HTTP 403"))
              expect(warning).toContain(
                'Exporting TML requires the DATADOWNLOADING (Can download data) privilege. (it needs view access and the DATADOWNLOADING privilege, "Can download data")'
              )
              expect(warning.endsWith(uncheckedTail(output.rows_written, 100))).toBe(true)
              expect(run.stderr).toContain(`answer "${name}": ${warning}`)
            }
            const strict = yield* cli(["answer", "Order Details", "--page-size", "100", "--strict"], proxy)
            expect(strict.code, strict.stderr).toBe(1)
            expect(strict.stderr).toContain("could not be checked")
            expect(strict.stderr).toContain("without --strict it is exported with this warning")
          })
        )
      }),
    timeout
  )

  it.live(
    "for-an-error-item-in-the-tml-answer-is-a-warning-naming-the-clusters-message",
    () =>
      Effect.gen(function* () {
        // ThoughtSpot answers 200 with the item's own ERROR status, e.g. for an object it cannot export.
        const errorItem: Rewrite = {
          response: (text, request) =>
            request.url.endsWith("/metadata/tml/export")
              ? JSON.stringify([
                  {
                    info: {
                      id: fixtures.answers["Weekly Shipments"].id,
                      status: { status_code: "ERROR", error_message: "Cannot export this answer" }
                    }
                  }
                ])
              : text
        }
        yield* withProxy(errorItem, (proxy) =>
          Effect.gen(function* () {
            const run = yield* cli(["answer", "Weekly Shipments", "--page-size", "10"], proxy)
            expect(run.code, run.stderr).toBe(0)
            const output = manifestIn(run.dir).outputs[0]!
            expect(output.warnings).toHaveLength(1)
            expect(output.warnings[0]).toContain(
              unchecked('the TML of answer "Weekly Shipments": ThoughtSpot answered ERROR: Cannot export this answer')
            )
            expect(output.warnings[0]!.endsWith(uncheckedTail(output.rows_written, 10))).toBe(true)
          })
        )
      }),
    timeout
  )

  it.live(
    "for-a-cluster-error-is-a-warning-that-its-order-could-not-be-checked",
    () =>
      Effect.gen(function* () {
        const run = yield* cli(
          ["answer", "Order Details", "--page-size", "100", "--timeout", "1", "--deadline", "2"],
          failing.sandbox,
          failing
        )
        expect(run.code, run.stderr).toBe(0)
        expect(run.tml).toBeGreaterThanOrEqual(1)
        const output = manifestIn(run.dir).outputs[0]!
        expect(output.rows_written).toBe(rows)
        expect(output.warnings).toHaveLength(1)
        expect(output.warnings[0]).toContain(unchecked("ThoughtSpot server error (HTTP 500"))
        expect(output.warnings[0]!.endsWith(uncheckedTail(rows, 100))).toBe(true)
      }),
    timeout
  )
})
