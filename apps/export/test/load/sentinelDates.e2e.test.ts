/**
 * Warehouse sentinel dates end to end: a slowly-changing-dimension answer whose open-ended rows hold DATE
 * 9999-12-31 and 0001-01-01 and DATE_TIME 9999-12-31 23:59:59 (in both wire forms), sent by a Los Angeles cluster
 * (support/EdgeCluster.ts), exported through the real CLI as CSV, NDJSON and Parquet and loaded into DuckDB and
 * PostgreSQL: every file holds the same values, and every table reads back the same days, instants and times.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { tempFolders } from "../support/tempFolders.ts"
import { type EdgeColumn, startEdgeCluster } from "./support/EdgeCluster.ts"
import { cli, manifestOf, withDuckDb, withPostgres } from "./support/loadHelpers.ts"
import { type RealPostgres, startRealPostgres } from "./support/RealPostgres.ts"

const zone = "America/Los_Angeles"
const folder = tempFolders("spotpipe-sentinel-dates-")

/** Epoch seconds of a wall time read as UTC (years 0–99 kept as they are). */
const wall = (year: number, month: number, day: number, h = 0, m = 0, s = 0): number => {
  const d = new Date(0)
  d.setUTCFullYear(year, month - 1, day)
  d.setUTCHours(h, m, s, 0)
  return d.getTime() / 1000
}

// Los Angeles keeps local mean time (UTC-7:52:58) in year 1 and standard time (UTC-8) at the end of 9999.
const LMT = -(7 * 3600 + 52 * 60 + 58)
const PST = -8 * 3600
const firstDay = wall(1, 1, 1) - LMT // 0001-01-01 00:00 in Los Angeles
const lastDay = wall(9999, 12, 31) - PST // 253402243200: 9999-12-31 00:00 in Los Angeles
const lastSecond = wall(9999, 12, 31, 23, 59, 59) - PST // 10000-01-01T07:59:59Z
const ordinary = wall(2024, 3, 10, 3) + 7 * 3600 // 2024-03-10 03:00 PDT (UTC-7)

const columns: ReadonlyArray<EdgeColumn> = [
  { name: "k", type: "INT64" },
  { name: "valid_from", type: "DATE" },
  { name: "valid_to", type: "DATE" },
  { name: "changed_at", type: "DATE_TIME" },
  { name: "changed_clock", type: "TIME" }
]

/** The rows as the cluster prints them: epoch cells, Custom Calendar cells (one whose end is in year 10000). */
const rows = [
  `[1,${firstDay},${lastDay},${lastSecond},${lastSecond}]`,
  `[2,{"v":{"s":${firstDay}}},{"v":{"s":${lastDay},"e":${lastDay + 86400}}},{"v":{"s":${firstDay}}},${firstDay}]`,
  `[3,${wall(2024, 3, 10) - PST},${lastDay},${ordinary},null]`
]

/** What every file holds: each cell's text in CSV and NDJSON. */
const expectedText = [
  ["1", "0001-01-01", "9999-12-31", "9999-12-31T23:59:59-08:00", "23:59:59"],
  ["2", "0001-01-01", "9999-12-31", "0001-01-01T07:52:58Z", "00:00:00"],
  ["3", "2024-03-10", "9999-12-31", "2024-03-10T10:00:00Z", null]
]

/** What every table holds: days as text, instants as epoch seconds, times as text. */
const expectedValues = [
  ["1", "0001-01-01", "9999-12-31", String(lastSecond), "23:59:59"],
  ["2", "0001-01-01", "9999-12-31", String(firstDay), "00:00:00"],
  ["3", "2024-03-10", "9999-12-31", String(ordinary), null]
]

let postgres: RealPostgres
beforeAll(() => {
  postgres = startRealPostgres()
}, 60_000)
afterAll(() => postgres?.close())

/** An export of "Edges" in `format` into a new folder; the folder. */
const exportAs = async (format: string, ...flags: Array<string>): Promise<string> => {
  const cluster = await startEdgeCluster(columns, rows, zone)
  try {
    const out = NodePath.join(folder(), "run")
    const run = await cli(["answer", "Edges", "--out", out, "--format", format, "--quiet", ...flags], {
      THOUGHTSPOT_HOST: cluster.url,
      THOUGHTSPOT_TOKEN: "sentinel-token"
    })
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    return out
  } finally {
    await cluster.close()
  }
}

/** The text cells of a CSV (no quoted cells here) or NDJSON file. */
const fileText = (run: string, format: string): Array<Array<string | null>> => {
  const output = manifestOf(run).outputs[0]!
  const text = NodeFs.readFileSync(NodePath.join(run, output.file), "utf8")
  if (format === "csv") {
    const [header, ...body] = text.split("\r\n").filter((l) => l !== "")
    expect(header).toBe(columns.map((c) => c.name).join(","))
    return body.map((l) => l.split(",").map((c) => (c === "" ? null : c)))
  }
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => Object.values(JSON.parse(l) as Record<string, unknown>).map((c) => (c === null ? null : String(c))))
}

const select = {
  duckdb: `SELECT CAST(k AS VARCHAR), CAST(valid_from AS VARCHAR), CAST(valid_to AS VARCHAR), CAST(CAST(epoch(changed_at) AS BIGINT) AS VARCHAR), CAST(changed_clock AS VARCHAR) FROM answer_edges ORDER BY k`,
  postgres: `SELECT k::text, valid_from::text, valid_to::text, extract(epoch FROM changed_at)::bigint::text, changed_clock::text FROM answer_edges ORDER BY k`
} as const

/** With `--datetime-offset zone`, DATE_TIME cells carry Los Angeles' offset (in UTC while it was local mean time). */
const withZoneOffsets = expectedText.map((row, r) =>
  row.map((cell, c) =>
    c !== 3 ? cell : ["9999-12-31T23:59:59-08:00", "0001-01-01T07:52:58Z", "2024-03-10T03:00:00-07:00"][r]!
  )
)

describe.each([
  { format: "csv", flags: [], text: expectedText },
  { format: "csv", flags: ["--datetime-offset", "zone"], text: withZoneOffsets },
  { format: "ndjson", flags: [], text: expectedText },
  { format: "parquet", flags: [], text: expectedText },
  { format: "parquet", flags: ["--datetime-offset", "zone"], text: withZoneOffsets }
])("sentinel dates exported as $format $flags", ({ format, flags, text }) => {
  let run: string
  beforeAll(async () => {
    run = await exportAs(format, ...flags)
  }, 60_000)

  it("the file holds the sentinel days and the last second of 9999 exactly", async () => {
    const types = manifestOf(run).outputs[0]!.columns.map((c) => c.type)
    expect(types).toEqual(columns.map((c) => c.type))
    if (format !== "parquet") {
      expect(fileText(run, format)).toEqual(text)
      return
    }
    // Parquet: DuckDB reads the file itself, the days as DATE and the instants as TIMESTAMP WITH TIME ZONE.
    const output = manifestOf(run).outputs[0]!
    const path = NodePath.join(run, output.file).replace(/'/g, "''")
    const read = await withDuckDb(":memory:", (q) =>
      q(select.duckdb.replace("FROM answer_edges", `FROM read_parquet('${path}')`))
    )
    expect(read.map((r) => r.map((c) => (c === null ? null : String(c))))).toEqual(expectedValues)
  })

  it.each(["duckdb", "postgres"] as const)(
    "loaded into %s, the table holds the same days, instants and times",
    async (engine) => {
      const into =
        engine === "duckdb"
          ? `duckdb:${NodePath.join(folder(), "w.duckdb")}`
          : `${postgres.url}&options=-c%20search_path%3D${await (
              async () => {
                const schema = `s${Math.random().toString(36).slice(2, 10)}`
                await withPostgres(postgres.url, (q) => q(`CREATE SCHEMA ${schema}`))
                return schema
              }
            )()}`
      const loaded = await cli(["load", run, "--into", into, "--quiet"])
      expect(loaded.stderr).toBe("")
      expect(loaded.code).toBe(0)
      const read =
        engine === "duckdb"
          ? await withDuckDb(into.slice("duckdb:".length), (q) => q(select.duckdb))
          : await withPostgres(into, (q) => q(select.postgres))
      expect(read.map((r) => r.map((c) => (c === null ? null : String(c))))).toEqual(expectedValues)
    },
    60_000
  )
})
