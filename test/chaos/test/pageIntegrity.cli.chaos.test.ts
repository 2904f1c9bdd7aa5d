/**
 * Data the protocol allows but no sound export can take silently, through the real CLI against a loopback
 * server: a server that repeats page 1 as page 2 (a warning in the manifest and on stderr, or a failure with
 * `--strict`), a cell nested deeper than the supported depth (a typed one-line failure, not a stack overflow),
 * and a date column holding a cell that is no date (a message whose advice the CLI user can follow). Runs are
 * in-process (the CLI program, given only its environment), but for one real `spotpipe` process as installed.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "../../../apps/export/test/support/inProcess.ts"
import { answerOf, answerTml, json } from "../src/CannedAnswer.ts"
import { type CannedResponse, startCannedServer } from "../src/CannedServer.ts"
import { readTree } from "../src/OutputTree.ts"
import { runSpotpipe } from "../src/SpotpipeProcess.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-integrity-cli-"))
const token = "tok-integrity-3b9f-never-printed"

afterAll(() => NodeFs.rmSync(root, { recursive: true, force: true }))

const answer = answerOf([
  ["Region", "VARCHAR"],
  ["Order Date", "DATE"]
])

/** A data page at `offset` holding `rows` (an array, or its JSON text) of a result of `total` rows. */
const dataPage = (offset: number, rows: ReadonlyArray<ReadonlyArray<unknown>> | string, total: number) => {
  const dataRows = typeof rows === "string" ? rows : JSON.stringify(rows)
  const rowCount = typeof rows === "string" ? (JSON.parse(rows) as ReadonlyArray<unknown>).length : rows.length
  return {
    status: 200,
    contentType: "application/json",
    body: `{"contents":[{"available_data_row_count":${total},"column_names":["Region","Order Date"],"data_rows":${dataRows},"record_offset":${offset},"record_size":2,"returned_data_row_count":${rowCount},"sampling_ratio":1}]}`
  } satisfies CannedResponse
}

/**
 * Runs spotpipe with `args` (`OUT` stands for a fresh output directory) against a server answering `rowsAt`:
 * in-process, or as the installed command's process.
 */
const runAgainst = async (
  rowsAt: (offset: number) => ReadonlyArray<ReadonlyArray<unknown>> | string,
  total: number,
  args: ReadonlyArray<string>,
  how: "in-process" | "process" = "in-process"
) => {
  const server = await startCannedServer((path, body) => {
    const offset = (body as { record_offset?: number } | undefined)?.record_offset ?? 0
    if (path.endsWith("/metadata/search")) return json(offset === 0 ? [answer] : [])
    if (path.endsWith("/system")) return json({ time_zone: "UTC" })
    // Saved with a fixed order, so that a result read in several pages is checked for repeats only.
    if (path.endsWith("/metadata/tml/export")) return answerTml("[Region] [Order Date] sort by [Region]")
    return dataPage(offset, rowsAt(offset), total)
  })
  const out = NodePath.join(root, `out-${Math.random().toString(36).slice(2)}`)
  try {
    const argv = args.map((a) => (a === "OUT" ? out : a))
    const env = { THOUGHTSPOT_HOST: server.url, THOUGHTSPOT_TOKEN: token }
    const run = how === "process" ? await runSpotpipe(argv, { env }) : await runCliInProcess(argv, { env })
    expect(run.stdout + run.stderr).not.toContain(token)
    expect(run.stderr).not.toMatch(/\n\s+at /)
    return { run, tree: NodeFs.existsSync(out) ? readTree(out) : new Map<string, Buffer>() }
  } finally {
    await server.close()
  }
}

const writeJob = (name: string, job: unknown): string => {
  const file = NodePath.join(root, name)
  NodeFs.writeFileSync(file, JSON.stringify(job))
  return file
}

// Order Date cells are midnights in UTC, the runs' data time zone (a DATE is its day's midnight there).
const firstRows = [
  ["West", 1_599_955_200],
  ["East", 1_600_041_600]
]
/** Page 1 again wherever page 2 is asked for: 4 rows announced, rows 3–4 never served. */
const repeatsPageOne = () => firstRows
const repeated =
  "page 2 (rows 3–4) is byte-identical to page 1: the server may have repeated a page; rows may be missing"

interface Manifest {
  readonly outputs: ReadonlyArray<{ readonly warnings: ReadonlyArray<string>; readonly rows_written: number }>
  readonly exports?: ReadonlyArray<{ readonly status: string; readonly error?: string }>
}
const manifestOf = (tree: Map<string, Buffer>): Manifest =>
  JSON.parse(tree.get("manifest.json")!.toString("utf8")) as Manifest

const answerArgs = ["answer", "Sales", "--page-size", "2", "--timezone", "UTC", "--out", "OUT"]

describe("a repeated page", () => {
  it("repeated-page-is-a-warning-in-the-manifest-and-on-stderr-with-exit-0", async () => {
    const { run, tree } = await runAgainst(repeatsPageOne, 4, answerArgs)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toContain(repeated)
    const output = manifestOf(tree).outputs[0]!
    expect(output.rows_written).toBe(4)
    expect(output.warnings).toContain(repeated)
  }, 30_000)

  it("repeated-page-with-strict-fails-with-exit-1-and-no-output-file", async () => {
    const { run, tree } = await runAgainst(repeatsPageOne, 4, [...answerArgs, "--strict"])
    expect(run.code, run.stderr).toBe(1)
    expect(run.stderr.trim().split("\n")).toHaveLength(1)
    expect(run.stderr).toContain(repeated)
    expect([...tree.keys()].filter((f) => f.endsWith(".csv"))).toEqual([])
  }, 30_000)

  it("repeated-page-in-a-job-is-a-warning-and-with-strict-a-failed-export", async () => {
    const job = writeJob("repeat.json", { exports: [{ type: "answer", id: "Sales", timezone: "UTC", pageSize: 2 }] })
    const warned = await runAgainst(repeatsPageOne, 4, ["run", job, "--out", "OUT", "--quiet"])
    expect(warned.run.code, warned.run.stderr).toBe(0)
    expect(warned.run.stderr).toContain(repeated)
    expect(manifestOf(warned.tree).outputs[0]!.warnings).toContain(repeated)

    const strict = await runAgainst(repeatsPageOne, 4, ["run", job, "--out", "OUT", "--quiet", "--strict"])
    expect(strict.run.code, strict.run.stderr).toBe(1)
    expect(strict.run.stderr).toContain(repeated)
    expect(manifestOf(strict.tree).exports![0]!.status).toBe("failed")
    expect(manifestOf(strict.tree).exports![0]!.error).toContain(repeated)

    const strictJob = writeJob("repeat-strict.json", {
      defaults: { strict: true },
      exports: [{ type: "answer", id: "Sales", timezone: "UTC", pageSize: 2 }]
    })
    const fromFile = await runAgainst(repeatsPageOne, 4, ["run", strictJob, "--out", "OUT", "--quiet"])
    expect(fromFile.run.code, fromFile.run.stderr).toBe(1)
    expect(fromFile.run.stderr).toContain(repeated)
  }, 60_000)

  it("pages-that-differ-give-no-warning-even-with-strict", async () => {
    const { run, tree } = await runAgainst(
      (offset) =>
        offset === 0
          ? firstRows
          : [
              ["North", 1_599_955_200],
              ["South", 1_600_041_600]
            ],
      4,
      [...answerArgs, "--strict"]
    )
    expect(run.code, run.stderr).toBe(0)
    expect(manifestOf(tree).outputs[0]!.warnings).toEqual([])
  }, 30_000)
})

describe("a deeply nested cell", () => {
  const depth = 200_000
  const deep = `[[${"[".repeat(depth)}${"]".repeat(depth)},1599955200]]`
  const says =
    'a cell in row 1, column "Region" is nested deeper than 1000 levels: spotpipe does not export such values'

  for (const workers of ["0", "1"]) {
    for (const format of ["csv", "ndjson"]) {
      it(`a-cell-nested-200000-deep-is-a-typed-one-line-failure-${format}-workers-${workers}`, async () => {
        const { run, tree } = await runAgainst(
          () => deep,
          1,
          ["answer", "Sales", "--timezone", "UTC", "--format", format, "--workers", workers, "--out", "OUT"],
          // One real process: a cell this deep must not overflow the installed command's stack.
          workers === "0" && format === "csv" ? "process" : "in-process"
        )
        expect(run.code, run.stderr).toBe(1)
        expect(run.stderr.trim().split("\n")).toHaveLength(1)
        expect(run.stderr).toContain(says)
        expect(run.stderr).not.toContain("call stack")
        expect([...tree.keys()].filter((f) => f.endsWith(`.${format}`))).toEqual([])
      }, 30_000)
    }
  }
})

describe("a date column holding no date", () => {
  it("a-bad-date-cell-names-the-cell-and-gives-advice-the-cli-user-can-follow", async () => {
    const { run } = await runAgainst(
      () => [
        ["West", "abc"],
        ["East", 1_600_041_600]
      ],
      2,
      ["answer", "Sales", "--timezone", "UTC", "--out", "OUT"]
    )
    expect(run.code, run.stderr).toBe(1)
    expect(run.stderr.trim().split("\n")).toHaveLength(1)
    expect(run.stderr).toContain(
      'spotpipe: answer "Sales": row 1, column "Order Date": cell "abc" is not a ThoughtSpot date (epoch seconds or {"v":{"s":…}}): it is a string; if the column is not a date, the column\'s type in metadata may be wrong: report it'
    )
    // No advice the CLI user cannot follow (decode's lenient mode is not a CLI option).
    expect(run.stderr).not.toMatch(/lenient|\bmode\b/)
  }, 30_000)
})
