/**
 * Names and values at the edges, loaded from CSV, NDJSON and Parquet into a real PostgreSQL server (Debian's
 * binaries in a throw-away cluster on a Unix socket, see support/RealPostgres.ts) and into DuckDB: every name and
 * value comes back exactly as the file holds it, or the load is refused before any table is touched (a name an
 * engine would cut or cannot take) or with the file, row and column of the value (U+0000 in PostgreSQL). The runs
 * are written by hand (support/CraftedRun.ts): the sandbox sends none of these names or values.
 */
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { tableNames } from "../../src/load/Warehouse.ts"
import { tempFolders } from "../support/tempFolders.ts"
import { type CraftedColumn, type CraftedOutput, craftRun } from "./support/CraftedRun.ts"
import { cli, withDuckDb, withPostgres } from "./support/loadHelpers.ts"
import { type RealPostgres, startRealPostgres } from "./support/RealPostgres.ts"

const folder = tempFolders("spotpipe-load-edges-")
let postgres: RealPostgres
beforeAll(() => {
  postgres = startRealPostgres()
}, 60_000)
afterAll(() => postgres?.close())

const formats = ["csv", "ndjson", "parquet"] as const
type Format = (typeof formats)[number]
type Query = (sql: string) => Promise<Array<Array<unknown>>>

/** Each engine: its `--into`, a fresh target per test, and a query on it. */
const engines = [
  {
    name: "duckdb" as const,
    target: async () => {
      const file = NodePath.join(folder(), "w.duckdb")
      return { into: `duckdb:${file}`, open: <A>(use: (q: Query) => Promise<A>) => withDuckDb(file, use) }
    }
  },
  {
    name: "postgres" as const,
    target: async () => {
      // A schema of its own per test, so that tests never see each other's tables.
      const schema = `t${Math.random().toString(36).slice(2, 10)}`
      await withPostgres(postgres.url, (q) => q(`CREATE SCHEMA ${schema}`))
      const url = `${postgres.url}&options=-c%20search_path%3D${schema}`
      return { into: url, open: <A>(use: (q: Query) => Promise<A>) => withPostgres(url, use) }
    }
  }
]

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`

/** A crafted run of `outputs` in a new folder, loaded into `into`. */
const load = (into: string, outputs: ReadonlyArray<CraftedOutput>, ...flags: Array<string>) =>
  cli(["load", craftRun(NodePath.join(folder(), "run"), outputs), "--into", into, "--quiet", ...flags])

describe.each(engines)("into $name", (engine) => {
  it.each(formats)(
    "names that are SQL words or hold quotes, dots, commas, edge spaces and line breaks, from %s, are the columns' names exactly",
    async (format) => {
      const names = [
        "select",
        "order",
        'say "hi"',
        "a.b",
        "a,b",
        " edge ",
        "line\nbreak",
        "line\r\nbreak",
        "rowid",
        "Über",
        "über",
        // 63 bytes of UTF-8 in 21 characters: PostgreSQL's longest name, kept whole.
        "€".repeat(21)
      ]
      const columns: Array<CraftedColumn> = [
        { name: "k", type: "INT64" },
        ...names.map((name) => ({ name, type: "VARCHAR" }))
      ]
      const rows = [1, 2].map((k) => [String(k), ...names.map((_, i) => `${k}:${i}`)])
      const target = await engine.target()
      const loaded = await load(target.into, [{ file: `odd.${format}`, columns, rows }])
      expect(loaded.stderr).toBe("")
      expect(loaded.code).toBe(0)
      await target.open(async (q) => {
        const listed = await q(
          `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'odd' ORDER BY ordinal_position`
        )
        expect(listed.map((r) => r[0])).toEqual(columns.map((c) => c.name))
        // Each column read by its own name holds its own values.
        const read = await q(
          `SELECT ${columns.map((c) => `CAST(${quote(c.name)} AS VARCHAR)`).join(", ")} FROM odd ORDER BY k`
        )
        expect(read).toEqual(rows)
      })
    },
    60_000
  )

  it.each(["\r\n", "\n"] as const)(
    "a CSV file whose lines end in %j, with names holding CR, LF and CRLF, loads every row under those names",
    async (newline) => {
      const names = ["k", "cr\rname", "lf\nname", "crlf\r\nname"]
      const columns = names.map((name) => ({ name, type: "VARCHAR" }))
      const rows = [
        ["1", "a", "b\nc", "d"],
        ["2", "e\r\nf", "g", "h\ri"]
      ]
      const target = await engine.target()
      const loaded = await load(target.into, [{ file: "breaks.csv", columns, rows, newline }])
      expect(loaded.stderr).toBe("")
      expect(loaded.code).toBe(0)
      const read = await target.open((q) => q(`SELECT ${names.map(quote).join(", ")} FROM breaks AS t ORDER BY t.k`))
      expect(read).toEqual(rows)
    },
    60_000
  )

  it.each(formats)(
    "two columns named alike but for case (Revenue, revenue), from %s: PostgreSQL keeps both, DuckDB refuses before loading anything",
    async (format) => {
      const target = await engine.target()
      const columns = [
        { name: "Revenue", type: "INT64" },
        { name: "revenue", type: "INT64" }
      ]
      const loaded = await load(target.into, [{ file: `cased.${format}`, columns, rows: [["1", "2"]] }])
      if (engine.name === "duckdb") {
        expect(loaded.code).toBe(1)
        expect(loaded.stderr).toContain(
          `nothing was loaded:\n  cased.${format}: the columns "Revenue" and "revenue" are one name to DuckDB, which ignores case: export with --column-names snake (in a job file: "columnNames": "snake"), or load into PostgreSQL`
        )
        return
      }
      expect(loaded.stderr).toBe("")
      await target.open(async (q) => {
        expect(await q(`SELECT "Revenue"::text, "revenue"::text FROM cased`)).toEqual([["1", "2"]])
      })
    },
    60_000
  )

  it("a merge by key columns named with a SQL word, a quote and a dot replaces the rows of their keys, a null key included", async () => {
    const target = await engine.target()
    const columns = [
      { name: "order", type: "INT64" },
      { name: 'say "hi".x', type: "VARCHAR" },
      { name: "value", type: "VARCHAR" }
    ]
    const key = ["--mode", "merge", "--key", "order", "--key", 'say "hi".x']
    const first = await load(
      target.into,
      [
        {
          file: "m.csv",
          columns,
          rows: [
            ["1", "a", "old"],
            [null, "b", "old"],
            ["2", "c", "kept"]
          ]
        }
      ],
      ...key
    )
    expect(first.stderr).toBe("")
    const second = await load(
      target.into,
      [
        {
          file: "m.csv",
          columns,
          rows: [
            ["1", "a", "new"],
            [null, "b", "new"],
            ["3", "d", "added"]
          ]
        }
      ],
      ...key
    )
    expect(second.stderr).toBe("")
    const read = await target.open((q) =>
      q(`SELECT CAST("order" AS VARCHAR), "say ""hi"".x", "value" FROM m AS t ORDER BY t."order" NULLS FIRST`)
    )
    expect(read).toEqual([
      [null, "b", "new"],
      ["1", "a", "new"],
      ["2", "c", "kept"],
      ["3", "d", "added"]
    ])
  }, 60_000)

  it("files whose names share their first 63 characters load into tables of their own, the names recorded", async () => {
    const stem = "Quarterly revenue by region and product line for the board of directors"
    const files = [`answer-${stem} A.csv`, `answer-${stem} B.csv`]
    const tables = tableNames(files)
    expect(new Set(tables).size).toBe(2)
    for (const table of tables) expect(Buffer.byteLength(table, "utf8")).toBeLessThanOrEqual(63)
    const target = await engine.target()
    const columns = [{ name: "k", type: "INT64" }]
    const loaded = await load(target.into, [
      { file: files[0]!, columns, rows: [["1"]] },
      { file: files[1]!, columns, rows: [["2"], ["3"]] }
    ])
    expect(loaded.stderr).toBe("")
    await target.open(async (q) => {
      for (const [i, table] of tables.entries()) {
        expect(await q(`SELECT CAST(count(*) AS VARCHAR) FROM ${quote(table)}`)).toEqual([[String(i + 1)]])
      }
      const recorded = await q(`SELECT file, table_name FROM spotpipe_loads ORDER BY file`)
      expect(recorded).toEqual(files.map((file, i) => [file, tables[i]]))
    })
  }, 60_000)

  it("a column with an empty name is refused before any table is loaded", async () => {
    const target = await engine.target()
    const refused = await load(target.into, [
      { file: "a.csv", columns: [{ name: "k", type: "INT64" }], rows: [["1"]] },
      { file: "b.csv", columns: [{ name: "", type: "INT64" }], rows: [["1"]] }
    ])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(
      `nothing was loaded:\n  b.csv: a column has an empty name, which no SQL table can have: export with --column-names snake (in a job file: "columnNames": "snake")`
    )
    if (engine.name === "postgres") {
      await target.open(async (q) => {
        expect(
          await q(`SELECT count(*)::int FROM information_schema.tables WHERE table_schema = current_schema()`)
        ).toEqual([[0]])
      })
    }
  }, 60_000)
})

describe("into DuckDB, a table of the database's own whose name differs from the load's only in case", () => {
  const columns = [
    { name: "k", type: "INT64" },
    { name: "note", type: "VARCHAR" }
  ]
  const edges = [{ file: "edges.csv", columns, rows: [["1", "a"]] }]
  /** A DuckDB file holding the table (or view) `Edges` of other columns, with one row of its own. */
  const databaseWithEdges = async (kind: "TABLE" | "VIEW") => {
    const target = await engines[0]!.target()
    await target.open((q) =>
      q(
        kind === "TABLE"
          ? `CREATE TABLE "Edges" (id VARCHAR, x VARCHAR); INSERT INTO "Edges" VALUES ('mine', 'mine')`
          : `CREATE VIEW "EDGES" AS SELECT 'mine' AS id`
      )
    )
    return target
  }

  it("is the table the load's name means: append and merge refuse its other columns and leave it as it was", async () => {
    for (const flags of [
      ["--mode", "append"],
      ["--mode", "merge", "--key", "k"]
    ]) {
      const target = await databaseWithEdges("TABLE")
      const refused = await load(target.into, edges, ...flags)
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain(
        "nothing was loaded:\n  table edges exists with other columns (id VARCHAR, x VARCHAR) than edges.csv (k BIGINT, note VARCHAR): load with --mode replace, or into another database"
      )
      expect(await target.open((q) => q(`SELECT * FROM "Edges"`))).toEqual([["mine", "mine"]])
    }
  }, 60_000)

  it("replace replaces it", async () => {
    const target = await databaseWithEdges("TABLE")
    const loaded = await load(target.into, edges)
    expect(loaded.stderr).toBe("")
    expect(await target.open((q) => q(`SELECT CAST(k AS VARCHAR), note FROM edges`))).toEqual([["1", "a"]])
  }, 60_000)

  it("a view of that name is refused in every mode", async () => {
    for (const flags of [[], ["--mode", "append"]]) {
      const target = await databaseWithEdges("VIEW")
      const refused = await load(target.into, edges, ...flags)
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain("edges.csv loads into a table named edges, which is a view in the target")
    }
  }, 60_000)
})

describe("into PostgreSQL, names it would cut or cannot take", () => {
  it("are refused before any table is loaded, each one named (a name's length in bytes of UTF-8)", async () => {
    const target = await engines[1]!.target()
    const long = `${"x".repeat(63)}a`
    const longer = `${"x".repeat(63)}b`
    // 22 characters, 66 bytes: over the limit in bytes though not in characters.
    const euros = "€".repeat(22)
    const refused = await load(target.into, [
      { file: "a.csv", columns: [{ name: "k", type: "INT64" }], rows: [["1"]] },
      {
        file: "b.ndjson",
        columns: [long, longer, euros].map((name) => ({ name, type: "INT64" })),
        rows: [["1", "2", "3"]]
      },
      {
        file: "c.parquet",
        columns: ["xmin", "ctid", "Xmin"].map((name) => ({ name, type: "INT64" })),
        rows: [["1", "2", "3"]]
      }
    ])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(
      `nothing was loaded:\n  b.ndjson: columns "${long}" (64 bytes), "${longer}" (64 bytes), "${euros}" (66 bytes) are longer than PostgreSQL's 63-byte identifiers (it would be cut): export with --column-names snake (in a job file: "columnNames": "snake") (short names, mapped to these in the manifest)\n  c.parquet: "xmin", "ctid" are names of columns every PostgreSQL table has, which a table cannot take for its own (--column-names snake keeps it): rename the column in ThoughtSpot, or load into DuckDB`
    )
    await target.open(async (q) => {
      expect(
        await q(`SELECT count(*)::int FROM information_schema.tables WHERE table_schema = current_schema()`)
      ).toEqual([[0]])
    })
  }, 60_000)
})

/** A long text: 1,700,000 characters, 2,500,000 bytes of UTF-8 (over DuckDB's default CSV line of 2,000,000). */
const longText = "é".repeat(800_000) + "x".repeat(900_000)

const valueColumns: ReadonlyArray<CraftedColumn> = [
  { name: "k", type: "INT32" },
  { name: "big", type: "INT64" },
  { name: "small", type: "INT32" },
  { name: "ratio", type: "DOUBLE" },
  { name: "day", type: "DATE" },
  { name: "at", type: "DATE_TIME" },
  { name: "clock", type: "TIME" },
  { name: "flag", type: "BOOL" },
  { name: "note", type: "VARCHAR" }
]

/**
 * Each row as written, and `at` as the microseconds since the epoch it stands for. NaN and the infinities are in
 * CSV only: JSON has no spelling for them, and spotpipe's Parquet writer takes only the numbers JSON can send.
 */
const valueRows: ReadonlyArray<{
  readonly cells: ReadonlyArray<string | null>
  readonly micros: string | null
  /** The formats that hold it (default: all). */
  readonly in?: ReadonlyArray<Format>
}> = [
  {
    cells: [
      "1",
      "9223372036854775807",
      "2147483647",
      "0.5",
      "0001-01-01",
      "2024-02-29T23:30:00.5+05:30",
      "23:59:59.999999",
      "true",
      ""
    ],
    micros: "1709229600500000"
  },
  {
    cells: [
      "2",
      "-9223372036854775808",
      "-2147483648",
      "0.1",
      "9999-12-31",
      "0001-01-01T00:00:00Z",
      "00:00:00",
      "false",
      "\\N"
    ],
    micros: "-62135596800000000"
  },
  {
    cells: [
      "3",
      "9007199254740993",
      "0",
      "1.7976931348623157e+308",
      "0999-03-04",
      "9999-12-31T23:59:59.999999Z",
      "12:00:00.25",
      null,
      "NULL"
    ],
    micros: "253402300799999999"
  },
  {
    cells: [
      "4",
      "-9007199254740993",
      null,
      "5e-324",
      "0099-12-31",
      "0999-06-15T12:00:00-08:00",
      null,
      "true",
      'é😀 "quoted", and\r\na line'
    ],
    micros: "-30627432000000000"
  },
  // After 9999-12-31 in UTC, and before 0001-01-01: written with an offset, held by both engines.
  {
    cells: ["5", null, "1", "-1.5e-7", "1000-01-01", "9999-12-31T23:59:59-01:00", null, null, longText],
    micros: "253402304399000000"
  },
  {
    cells: ["6", "0", "2", "123456.789", "1582-10-10", "0001-01-01T00:00:00+05:30", "01:02:03", "false", null],
    micros: "-62135616600000000"
  },
  {
    cells: ["7", "1", "3", "NaN", "2000-02-29", "1969-12-31T23:59:59.999999Z", null, null, " x "],
    micros: "-1",
    in: ["csv"]
  },
  { cells: ["8", "2", "4", "Infinity", "2000-03-01", null, null, null, "y"], micros: null, in: ["csv"] },
  {
    cells: ["9", "3", "5", "-Infinity", "1970-01-01", "1970-01-01T00:00:00Z", null, null, "z"],
    micros: "0",
    in: ["csv"]
  },
  // Not in NDJSON: its export writes a double -0 as 0 (JavaScript's shortest text), and DuckDB's JSON reader reads
  // the integer literal -0 as 0.
  { cells: ["10", "4", "6", "-0", "2001-01-01", null, null, null, "\\."], micros: null, in: ["csv", "parquet"] }
]

/** Each column as text in each engine's SQL: integers, dates, times and booleans cast, instants as epoch microseconds. */
const readValues = (dialect: "duckdb" | "postgres") =>
  `SELECT ${valueColumns
    .map(({ name }) => {
      const column = quote(name)
      if (name === "at")
        return dialect === "duckdb"
          ? `CAST(epoch_us(${column}) AS VARCHAR)`
          : `(extract(epoch FROM ${column}) * 1000000)::bigint::text`
      return `CAST(${column} AS VARCHAR)`
    })
    .join(", ")} FROM edges AS e ORDER BY e.k`

/** A double as text, the same for both engines (DuckDB writes `-0.0`, `nan`, `inf`; PostgreSQL `-0`, `NaN`, `Infinity`). */
const doubleText = (text: string): string => {
  const value = /^-?inf$/i.test(text)
    ? Number(text.replace(/inf$/i, "Infinity"))
    : /^nan$/i.test(text)
      ? Number.NaN
      : Number(text)
  return Object.is(value, -0) ? "-0" : String(value)
}

describe.each(engines)("values at the edges into $name", (engine) => {
  it("from CSV written with --null-string \\N: a null, an empty string and the texts \\N and NULL stay apart", async () => {
    const columns = [
      { name: "k", type: "INT32" },
      { name: "note", type: "VARCHAR" },
      { name: "n", type: "INT64" }
    ]
    const rows = [
      ["1", null, null],
      ["2", "", "0"],
      ["3", "\\N", "-1"],
      ["4", "NULL", null],
      ["5", " ", "2"]
    ]
    const target = await engine.target()
    const loaded = await load(target.into, [{ file: "nulls.csv", columns, rows, nullString: "\\N" }])
    expect(loaded.stderr).toBe("")
    const read = await target.open((q) =>
      q(`SELECT CAST(k AS VARCHAR), note, CAST(n AS VARCHAR) FROM nulls AS t ORDER BY t.k`)
    )
    expect(read).toEqual(rows)
  }, 60_000)

  it.each(formats)(
    "from %s come back exactly",
    async (format: Format) => {
      const rows = valueRows.filter((r) => r.in === undefined || r.in.includes(format))
      const target = await engine.target()
      const loaded = await load(target.into, [
        { file: `edges.${format}`, columns: valueColumns, rows: rows.map((r) => r.cells) }
      ])
      expect(loaded.stderr).toBe("")
      expect(loaded.code).toBe(0)
      const read = await target.open((q) => q(readValues(engine.name)))
      const ratio = valueColumns.findIndex((c) => c.name === "ratio")
      const at = valueColumns.findIndex((c) => c.name === "at")
      const flag = valueColumns.findIndex((c) => c.name === "flag")
      const note = valueColumns.findIndex((c) => c.name === "note")
      const expected = rows.map((r) =>
        r.cells.map((cell, i) => {
          if (i === at) return r.micros
          if (cell === null) return null
          // CSV writes an empty string and a null alike (an empty field): it loads as NULL.
          if (i === note && cell === "" && format === "csv") return null
          if (i === ratio) return doubleText(cell)
          return cell
        })
      )
      const got = read.map((row) =>
        row.map((cell, i) => {
          if (cell === null) return null
          const text = String(cell)
          if (i === ratio) return doubleText(text)
          if (i === flag) return text === "t" ? "true" : text === "f" ? "false" : text
          return text
        })
      )
      expect(got).toEqual(expected)
    },
    120_000
  )

  it.each(formats)(
    "from %s, a one-column file whose text is \\. (PostgreSQL's end of COPY data, alone on a line) loads every row",
    async (format: Format) => {
      const target = await engine.target()
      const rows = [["a"], ["\\."], ["b"]]
      const loaded = await load(target.into, [
        { file: `dot.${format}`, columns: [{ name: "note", type: "VARCHAR" }], rows }
      ])
      expect(loaded.stderr).toBe("")
      // Every row, compared as a set.
      expect((await target.open((q) => q(`SELECT note FROM dot`))).map(String).sort()).toEqual(["\\.", "a", "b"])
    },
    60_000
  )

  it.each(formats)(
    "from %s, a text holding U+0000 is kept by DuckDB and refused by PostgreSQL naming the file, row and column",
    async (format: Format) => {
      const columns = [
        { name: "k", type: "INT32" },
        { name: "note", type: "VARCHAR" },
        { name: "other", type: "VARCHAR" }
      ]
      const rows = [
        ["1", "ok", "x"],
        ["2", "two\nlines", "y"],
        ["3", 'a, "b"', "c\u0000d"],
        ["4", "e", "f"]
      ]
      const target = await engine.target()
      const loaded = await load(target.into, [{ file: `nul.${format}`, columns, rows }])
      if (engine.name === "duckdb") {
        expect(loaded.stderr).toBe("")
        await target.open(async (q) => {
          expect(await q(`SELECT CAST(k AS VARCHAR), note, other FROM nul ORDER BY k`)).toEqual(rows)
        })
        return
      }
      expect(loaded.code).toBe(1)
      expect(loaded.stderr.trim().split("\n")).toHaveLength(1)
      expect(loaded.stderr).toContain(
        `: nul.${format}: row 3, column "other": a text holds the character U+0000 (NUL), which PostgreSQL's text cannot store: load into DuckDB, or correct the value at the source (table nul was left as it was)`
      )
    },
    60_000
  )
})
