/**
 * A PostgreSQL server whose settings differ from the defaults (set for the database or the role, as a DBA may,
 * or in the URL's `options`) loads every value as it does with the defaults: `standard_conforming_strings = off`
 * reads a backslash in a string literal as an escape, so a null string `\N` given to `COPY` as a literal would
 * become `N`; a date style, a time zone and a float setting of the session change no value read from a file.
 * The runs are written by hand (support/CraftedRun.ts).
 */
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { tempFolders } from "../support/tempFolders.ts"
import { type CraftedColumn, craftRun } from "./support/CraftedRun.ts"
import { cli, withPostgres } from "./support/loadHelpers.ts"
import { type RealPostgres, startRealPostgres } from "./support/RealPostgres.ts"

const folder = tempFolders("spotpipe-load-pg-settings-")
let postgres: RealPostgres
beforeAll(() => {
  postgres = startRealPostgres()
}, 60_000)
afterAll(() => postgres?.close())

const columns: ReadonlyArray<CraftedColumn> = [
  { name: "k", type: "INT32" },
  { name: "note", type: "VARCHAR" },
  { name: "day", type: "DATE" },
  { name: "at", type: "DATE_TIME" },
  { name: "ratio", type: "DOUBLE" }
]
const rows = [
  ["1", null, "2024-03-10", "2024-03-10T09:59:59Z", "0.1"],
  ["2", "N", "0001-01-02", "2024-11-03T08:30:00-07:00", "-0"],
  ["3", "\\N", "1969-12-31", "1960-01-01T00:00:00Z", "5e-324"],
  ["4", "a\\tb\\\\c", "9999-12-30", null, null],
  ["5", "", null, "2024-11-03T09:30:00Z", "1e+308"]
]

/** The URL of a new schema, with `settings` (`-c name=value` each) in its options. */
const schemaUrl = (schema: string, settings: ReadonlyArray<string>) =>
  `${postgres.url}&options=${encodeURIComponent([`search_path=${schema}`, ...settings].map((s) => `-c ${s}`).join(" "))}`

const read = (url: string, table: string) =>
  withPostgres(url, (q) =>
    q(
      `SELECT k::text, note, day::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ratio::text FROM ${table} AS t ORDER BY t.k`
    )
  )

describe("a PostgreSQL session with other settings", () => {
  it.each([
    ["standard_conforming_strings=off"],
    ["DateStyle=SQL,DMY", "TimeZone=Asia/Kathmandu", "extra_float_digits=-15", "IntervalStyle=sql_standard"]
  ])(
    "(%s …) loads every value of CSV with --null-string \\N, NDJSON and Parquet as the defaults do",
    async (...settings) => {
      for (const [file, nullString] of [
        ["nulls.csv", "\\N"],
        ["plain.ndjson", undefined],
        ["typed.parquet", undefined]
      ] as const) {
        const run = craftRun(NodePath.join(folder(), "run"), [
          { file, columns, rows, ...(nullString === undefined ? {} : { nullString }) }
        ])
        const schema = `t${Math.random().toString(36).slice(2, 10)}`
        await withPostgres(postgres.url, (q) => q(`CREATE SCHEMA ${schema}`))
        const loaded = await cli(["load", run, "--into", schemaUrl(schema, settings), "--quiet"])
        expect(loaded.stderr).toBe("")
        expect(loaded.code).toBe(0)
        const table = file.slice(0, file.indexOf("."))
        // Read back with the default settings: the values stored, not how this session prints them.
        expect(await read(schemaUrl(schema, []), table)).toEqual(
          rows.map((r) => [
            r[0],
            r[1],
            r[2],
            r[3] === null ? null : `${new Date(r[3]!).toISOString().slice(0, 19)}Z`,
            r[4]
          ])
        )
      }
    },
    60_000
  )
})
