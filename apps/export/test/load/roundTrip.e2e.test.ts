/**
 * The adversarial round trip: one answer holding the edge values of every column type, exported through the real
 * CLI from a loopback cluster (support/EdgeCluster.ts: the values in the spelling a cluster prints them) as CSV
 * (with and without `--null-string`), NDJSON and Parquet, then loaded into DuckDB and a real PostgreSQL server;
 * every cell read back must be the exported file's cell, as the manifest types it (a double by its value, `-0`
 * included; an instant by its UTC second; everything else by its text), and each file's reading must be what the
 * cluster sent.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { sqlType } from "../../src/load/Warehouse.ts"
import { tempFolders } from "../support/tempFolders.ts"
import { type EdgeColumn, startEdgeCluster } from "./support/EdgeCluster.ts"
import { cli, manifestOf, withDuckDb, withPostgres } from "./support/loadHelpers.ts"
import { type RealPostgres, startRealPostgres } from "./support/RealPostgres.ts"

const zone = "America/Los_Angeles"
const folder = tempFolders("spotpipe-round-trip-")

/** The zone's offset from UTC at epoch second `t`, in seconds (local mean time before 1883 included). */
const offsetAt = (t: number): number => {
  const name = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" })
    .formatToParts(new Date(t * 1000))
    .find((p) => p.type === "timeZoneName")!.value
  const m = /^GMT(?:([+-])(\d\d):(\d\d)(?::(\d\d))?)?$/.exec(name)!
  if (m[1] === undefined) return 0
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0))
}

/** Epoch seconds of midnight of `day` (`YYYY-MM-DD`) in the zone: a DATE cell as the cluster sends it. */
const midnight = (day: string): number => {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number]
  const utc = new Date(0)
  utc.setUTCFullYear(y, m - 1, d)
  const wall = utc.getTime() / 1000
  // Twice: the offset at the guess, then at the instant it gives.
  const first = wall - offsetAt(wall)
  return wall - offsetAt(first)
}

/** Epoch seconds of a UTC instant (`2024-03-10T09:59:59Z`). */
const instant = (text: string): number => Date.parse(text) / 1000

const longText = `${"long ".repeat(420_000)}end` // over DuckDB's 2,000,000-byte CSV line

/** The days of the DATE column: before 1970, near both ends of years 0001–9999 (the very ends: sentinelDates.e2e), a leap day. */
const civilDays = ["1969-07-20", "0001-01-02", "9999-12-30", "1900-03-01", "2024-02-29", "1970-01-01"]

/** The instants of the DATE_TIME column, in UTC. */
const instants = [
  "2024-03-10T09:59:59Z", // 01:59:59 PST, the second before the clocks spring forward
  "2024-03-10T10:00:00Z", // 03:00:00 PDT
  "2024-11-03T08:30:00Z", // the first 01:30 (PDT)
  "2024-11-03T09:30:00Z", // the second 01:30 (PST)
  "1960-01-01T00:00:00Z",
  "0001-01-02T00:00:00Z"
]

/** One column of the answer, with its cells as the cluster prints them (JSON texts; rows past the end are null). */
interface EdgeCells extends EdgeColumn {
  readonly cells: ReadonlyArray<string>
}

const edges: ReadonlyArray<EdgeCells> = [
  {
    name: "i64",
    type: "INT64",
    cells: ["-9223372036854775808", "9223372036854775807", "9007199254740993", "-9007199254740993", "0", "null"]
  },
  { name: "i32", type: "INT32", cells: ["-2147483648", "2147483647", "0", "null"] },
  {
    name: "dbl",
    type: "DOUBLE",
    cells: [
      "-0",
      "1e308",
      "5e-324",
      "0.1",
      // Integers beyond 2^53 as a cluster prints a DOUBLE's value (see `exactDoubles` for Parquet).
      "9007199254740993",
      "-1.7976931348623157e308",
      "123456789012345678901234567890",
      "2.5",
      "null"
    ]
  },
  { name: "flag", type: "BOOL", cells: ["true", "false", "null"] },
  {
    name: "text",
    type: "VARCHAR",
    cells: [
      '""',
      "null",
      '"\\\\N"',
      '"NULL"',
      '"null"',
      '"  lead"',
      '"trail  "',
      '" "',
      '"a,b"',
      '"say \\"hi\\""',
      '"cr\\rx"',
      '"lf\\nx"',
      '"crlf\\r\\nx"',
      '"tab\\tx"',
      '"\\\\."',
      '"😀 𝄞 🇩🇪"',
      '"=1+2"',
      '"-3"',
      JSON.stringify(longText)
    ]
  },
  {
    // Text columns a cluster fills with other JSON values: written as their JSON text, loaded as that text.
    name: "note",
    type: "VARCHAR",
    cells: [
      "1.50",
      "12345678901234567890",
      "123456789012345678901234567890",
      "true",
      '{"a":[1.50,2]}',
      "-0",
      "[]",
      "1e-7",
      "0.000001",
      "1e21",
      "-1.5e-7"
    ]
  },
  {
    name: "day",
    type: "DATE",
    cells: civilDays.map((d) => String(midnight(d))).concat("null")
  },
  {
    name: "at",
    type: "DATE_TIME",
    cells: instants.map((t) => String(instant(t))).concat("null")
  },
  { name: "clock", type: "TIME", cells: ["0", "86399", "43200", "null"] },
  {
    name: "period",
    type: "DATE",
    cells: [
      `{"v":{"s":${midnight("2024-01-01")},"e":${midnight("2024-04-01")}}}`,
      `{"v":{"s":${midnight("1999-12-26")}}}`,
      "null"
    ]
  }
]

/**
 * The DOUBLE cells a double holds exactly, for Parquet, which refuses the others ("more digits than a double
 * holds"): the doubles the two longer integers denote.
 */
const exactDoubles: Readonly<Record<string, string>> = {
  "9007199254740993": "9007199254740992",
  "123456789012345678901234567890": "1.2345678901234568e+29"
}

const height = Math.max(...edges.map((c) => c.cells.length))
const columns: ReadonlyArray<EdgeColumn> = [{ name: "k", type: "INT64" }, ...edges]

/** The data rows as JSON texts; `exact`: the DOUBLE cells a double holds exactly. */
const rowsOf = (exact: boolean): ReadonlyArray<string> =>
  Array.from({ length: height }, (_, r) => {
    const cells = edges.map((c) => {
      const cell = c.cells[r] ?? "null"
      return exact && c.type === "DOUBLE" ? (exactDoubles[cell] ?? cell) : cell
    })
    return `[${[String(r + 1), ...cells].join(",")}]`
  })

type Cell = string | null

/** A CSV file's rows, each cell with whether it was quoted (a null string is a null only unquoted). */
const readCsv = (text: string): Array<Array<{ text: string; quoted: boolean }>> => {
  const out: Array<Array<{ text: string; quoted: boolean }>> = []
  let row: Array<{ text: string; quoted: boolean }> = []
  let i = 0
  while (i < text.length) {
    let cell = ""
    let quoted = false
    if (text[i] === '"') {
      quoted = true
      i++
      for (;;) {
        const q = text.indexOf('"', i)
        cell += text.slice(i, q)
        i = q + 1
        if (text[i] === '"') {
          cell += '"'
          i++
        } else break
      }
    } else {
      while (i < text.length && text[i] !== "," && text[i] !== "\r" && text[i] !== "\n") cell += text[i++]
    }
    row.push({ text: cell, quoted })
    if (text[i] === ",") i++
    else {
      if (text[i] === "\r") i++
      if (text[i] === "\n") i++
      out.push(row)
      row = []
    }
  }
  return out
}

/** The cells of an exported file as text (`null`: null), in the manifest's column order. */
const fileCells = (
  path: string,
  format: string,
  names: ReadonlyArray<string>,
  nullString?: string
): Array<Array<Cell>> => {
  const text = NodeFs.readFileSync(path, "utf8")
  if (format === "csv") {
    const [header, ...body] = readCsv(text)
    expect(header!.map((c) => c.text)).toEqual(names)
    return body.map((r) =>
      r.map((c) =>
        nullString === undefined ? (c.text === "" ? null : c.text) : !c.quoted && c.text === nullString ? null : c.text
      )
    )
  }
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((line) => {
      const parsed = (
        JSON.parse as (t: string, r: (k: string, v: unknown, c: { source?: string }) => unknown) => unknown
      )(line, (_k, v, c) => (typeof v === "number" ? c.source : v)) as Record<string, unknown>
      expect(Object.keys(parsed)).toEqual(names)
      return names.map((n) => (parsed[n] === null ? null : String(parsed[n])))
    })
}

/** An instant's text (`…Z` or with an offset) as its UTC second, `YYYY-MM-DDTHH:MM:SSZ`. */
const utcSecond = (text: string): string => {
  const date = new Date(text)
  expect(Number.isNaN(date.getTime()), text).toBe(false)
  return `${date.toISOString().slice(0, 19)}Z`
}

/** A cell as comparable text for its column's type: doubles by value (`-0` kept), instants by their UTC second. */
const comparable = (type: string, cell: Cell): string | null => {
  if (cell === null) return null
  if (type === "DOUBLE") {
    const value = Number(cell)
    return Object.is(value, -0) ? "-0" : String(value)
  }
  if (type === "DATE_TIME") return utcSecond(cell)
  return cell
}

/** SQL reading a column as text: instants as their UTC second, the rest cast to text. */
const asText = (dialect: "duckdb" | "postgres", name: string, type: string): string => {
  const q = `"${name.replace(/"/g, '""')}"`
  if (type === "DATE_TIME") {
    return dialect === "duckdb"
      ? `strftime(${q} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ')`
      : `to_char(${q} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`
  }
  return dialect === "duckdb" ? `CAST(${q} AS VARCHAR)` : `${q}::text`
}

let postgres: RealPostgres
beforeAll(() => {
  postgres = startRealPostgres()
}, 60_000)
afterAll(() => postgres?.close())

/** An export of "Edges" from a cluster sending `rows`, into a new folder with `flags`; the folder. */
const exportEdges = async (rows: ReadonlyArray<string>, ...flags: Array<string>): Promise<string> => {
  const cluster = await startEdgeCluster(columns, rows, zone)
  try {
    const out = NodePath.join(folder(), "run")
    const run = await cli(["answer", "Edges", "--out", out, "--period-end", "--quiet", ...flags], {
      THOUGHTSPOT_HOST: cluster.url,
      THOUGHTSPOT_TOKEN: "round-trip-token"
    })
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    return out
  } finally {
    await cluster.close()
  }
}

/** A fresh target of each engine, and a query on it. */
const targets = {
  duckdb: async () => {
    const file = NodePath.join(folder(), "w.duckdb")
    return {
      into: `duckdb:${file}`,
      open: <A>(use: (q: (sql: string) => Promise<Array<Array<unknown>>>) => Promise<A>) => withDuckDb(file, use)
    }
  },
  postgres: async () => {
    const schema = `t${Math.random().toString(36).slice(2, 10)}`
    await withPostgres(postgres.url, (q) => q(`CREATE SCHEMA ${schema}`))
    const url = `${postgres.url}&options=-c%20search_path%3D${schema}`
    return {
      into: url,
      open: <A>(use: (q: (sql: string) => Promise<Array<Array<unknown>>>) => Promise<A>) => withPostgres(url, use)
    }
  }
} as const

const exports = [
  { label: "CSV", flags: ["--format", "csv"] },
  { label: "CSV with --null-string \\N", flags: ["--format", "csv", "--null-string", "\\N"] },
  {
    label: "CSV with --null-string NULL and zone offsets",
    flags: ["--format", "csv", "--null-string", "NULL", "--datetime-offset", "zone"]
  },
  { label: "NDJSON", flags: ["--format", "ndjson"] },
  { label: "NDJSON with zone offsets", flags: ["--format", "ndjson", "--datetime-offset", "zone"] },
  {
    label: "CSV with --null-string \\N, snake column names and slug file names",
    flags: ["--format", "csv", "--null-string", "\\N", "--column-names", "snake", "--file-names", "slug"]
  },
  { label: "Parquet", flags: ["--format", "parquet"] },
  { label: "Parquet with zone offsets", flags: ["--format", "parquet", "--datetime-offset", "zone"] }
] as const

/** Cells of each row as the cluster sent them: text as it is, numbers as their digits. */
const sentCells = (rows: ReadonlyArray<string>, names: ReadonlyArray<string>, name: string): Array<Cell> =>
  rows.map((r) => {
    const row = (JSON.parse as (t: string, r: (k: string, v: unknown, c: { source?: string }) => unknown) => unknown)(
      r,
      (_k, v, c) => (typeof v === "number" ? c.source : v)
    ) as Array<unknown>
    const cell = row[names.indexOf(name)]
    return cell === null || cell === undefined ? null : typeof cell === "object" ? JSON.stringify(cell) : String(cell)
  })

describe.each(exports)("edge values exported as $label", ({ flags }) => {
  const parquet = flags[1] === "parquet"
  const rows = rowsOf(parquet)
  let run: string
  /** The file the table is compared with: the export's own, or for Parquet an NDJSON export of the same rows. */
  let reference: string
  beforeAll(async () => {
    run = await exportEdges(rows, ...flags)
    reference = parquet ? await exportEdges(rows, ...flags.slice(2), "--format", "ndjson") : run
  }, 60_000)

  it.each(["duckdb", "postgres"] as const)(
    "loaded into %s, every cell reads back as the file's",
    async (engine) => {
      const manifest = manifestOf(reference)
      const output = manifest.outputs[0]!
      const names = output.columns.map((c) => c.name)
      const types = output.columns.map((c) => c.type ?? "VARCHAR")
      expect(manifestOf(run).outputs[0]!.columns).toEqual(output.columns)
      // An empty null string is the CSV default (an empty field is a null).
      const nullString = (output as { null_string?: string }).null_string || undefined
      const file = fileCells(NodePath.join(reference, output.file), output.format, names, nullString)
      const target = await targets[engine]()
      const loaded = await cli(["load", run, "--into", target.into, "--quiet"])
      expect(loaded.stderr).toBe("")
      expect(loaded.code).toBe(0)
      const table = await target.open((q) =>
        q(`SELECT ${names.map((n, i) => asText(engine, n, types[i]!)).join(", ")} FROM answer_edges AS t ORDER BY t.k`)
      )
      const read = table.map((r) => r.map((c) => (c === null ? null : String(c))))
      const canon = (cells: ReadonlyArray<ReadonlyArray<Cell>>) =>
        cells.map((r) => r.map((c, i) => comparable(types[i]!, c)))
      // Every differing cell named, so that a failure says which value of which type went wrong.
      const differ = (a: ReadonlyArray<ReadonlyArray<Cell>>, b: ReadonlyArray<ReadonlyArray<Cell>>) =>
        b.flatMap((row, r) =>
          row.flatMap((c, i) =>
            a[r]?.[i] === c
              ? []
              : [
                  `row ${r + 1}, ${names[i]}: ${JSON.stringify(a[r]?.[i])?.slice(0, 60)} for ${JSON.stringify(c)?.slice(0, 60)}`
                ]
          )
        )
      expect(read).toHaveLength(rows.length)
      expect(differ(canon(read), canon(file))).toEqual([])
      // And the table holds what the cluster sent: integers to the last digit, text to the last character (CSV
      // without a null string writes an empty string as a null does), each double the one its digits stand for
      // (9007199254740993 is 9007199254740992: the column is a double), dates and times as the zone reads them.
      const emptyIsNull = output.format === "csv" && nullString === undefined
      const column = (name: string) => read.map((r) => r[names.indexOf(name)] ?? null)
      for (const name of ["i64", "i32", "text"]) {
        const sent = sentCells(rows, ["k", ...edges.map((c) => c.name)], name)
        expect(column(name)).toEqual(sent.map((c) => (emptyIsNull && c === "" ? null : c)))
      }
      const doubles = sentCells(rows, ["k", ...edges.map((c) => c.name)], "dbl")
      expect(column("dbl").map((c) => comparable("DOUBLE", c))).toEqual(doubles.map((c) => comparable("DOUBLE", c)))
      expect(column("day").slice(0, 7)).toEqual([...civilDays, null])
      expect(column("at").slice(0, 7)).toEqual([...instants, null])
      // Epoch 0 is 16:00 the day before in Los Angeles.
      expect(column("clock").slice(0, 4)).toEqual(["16:00:00", "15:59:59", "04:00:00", null])
      expect(column("period").slice(0, 3)).toEqual(["2024-01-01", "1999-12-26", null])
      // `period (end)`, or `period_end` with snake names.
      const end = names.find((n) => n.startsWith("period") && n !== "period")!
      expect(column(end).slice(0, 3)).toEqual(["2024-04-01", null, null])
    },
    60_000
  )

  it.each(["duckdb", "postgres"] as const)(
    "merged into %s twice by the text key (a null, an empty string, \\N and NULL among its values): one row per key",
    async (engine) => {
      const target = await targets[engine]()
      const merge = () => cli(["load", run, "--into", target.into, "--mode", "merge", "--key", "text", "--quiet"])
      const first = await merge()
      if (flags[1] === "csv" && !(flags as ReadonlyArray<string>).includes("--null-string")) {
        // An empty string and a null are one empty field: the key repeats, which a merge refuses.
        expect(first.code).toBe(1)
        expect(first.stderr).toContain(
          '1 key value appears on more than one row (text = null (2 rows)), so a merge by "text" is ambiguous; 2 rows have a null "text"'
        )
        return
      }
      expect(first.stderr).toBe("")
      expect((await merge()).stderr).toBe("")
      const keys = await target.open((q) => q(`SELECT text, count(*) FROM answer_edges GROUP BY text ORDER BY min(k)`))
      expect(keys.map((r) => [r[0] === null ? null : String(r[0]).slice(0, 20), Number(r[1])])).toEqual(
        sentCells(rows, ["k", ...edges.map((c) => c.name)], "text").map((c) => [c === null ? null : c.slice(0, 20), 1])
      )
    },
    60_000
  )
})

describe("a table a user created with narrower types", () => {
  let run: string
  beforeAll(async () => {
    run = await exportEdges(rowsOf(false), "--format", "ndjson")
  }, 60_000)

  // Each type holds fewer values than the file's (or other ones): never cast into, whatever the values.
  const narrower = {
    duckdb: { i64: "INTEGER", dbl: "FLOAT", at: "TIMESTAMP", clock: "VARCHAR" },
    postgres: { i64: "integer", dbl: "real", at: "timestamp", text: "varchar(5)" }
  } as const

  it.each(["duckdb", "postgres"] as const)(
    "in %s: append and merge refuse it, naming every such column, and leave it empty",
    async (engine) => {
      const target = await targets[engine]()
      const types: Record<string, string> = narrower[engine]
      const manifest = manifestOf(run)
      // The load's own types but for the narrower ones.
      const definition = manifest.outputs[0]!.columns.map(
        (c) => `"${c.name}" ${types[c.name] ?? sqlType(engine, c.type)}`
      )
      await target.open((q) => q(`CREATE TABLE answer_edges (${definition.join(", ")})`))
      for (const mode of [["append"], ["merge", "--key", "k"]]) {
        const refused = await cli(["load", run, "--into", target.into, "--mode", ...mode, "--quiet"])
        expect(refused.code).toBe(1)
        expect(refused.stderr).toContain("nothing was loaded")
        expect(refused.stderr).toContain("a load never casts a value")
        const retyped = [...refused.stderr.matchAll(/"(\w+)" is \S/g)].map((m) => m[1])
        expect(retyped.sort()).toEqual(Object.keys(types).sort())
      }
      expect(await target.open((q) => q("SELECT count(*)::int FROM answer_edges"))).toEqual([[0]])
    },
    60_000
  )
})

describe("a text holding U+0000 (NUL), exported", () => {
  const nulColumns: ReadonlyArray<EdgeColumn> = [
    { name: "k", type: "INT64" },
    { name: "t", type: "VARCHAR" }
  ]
  it.each(["csv", "ndjson", "parquet"])(
    "as %s: DuckDB loads it as it is, PostgreSQL refuses it naming the row and column",
    async (format) => {
      const cluster = await startEdgeCluster(nulColumns, ['[1,"x"]', '[2,"a\\u0000b"]'], zone)
      const out = NodePath.join(folder(), "run")
      try {
        const exported = await cli(["answer", "Edges", "--out", out, "--format", format, "--quiet"], {
          THOUGHTSPOT_HOST: cluster.url,
          THOUGHTSPOT_TOKEN: "round-trip-token"
        })
        expect(exported.stderr).toBe("")
      } finally {
        await cluster.close()
      }
      const duck = await targets.duckdb()
      expect((await cli(["load", out, "--into", duck.into, "--quiet"])).stderr).toBe("")
      expect(await duck.open((q) => q("SELECT t FROM answer_edges ORDER BY k"))).toEqual([["x"], ["a\u0000b"]])
      const pg = await targets.postgres()
      const refused = await cli(["load", out, "--into", pg.into, "--quiet"])
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain(
        `answer-Edges.${format}: row 2, column "t": a text holds the character U+0000 (NUL), which PostgreSQL's text cannot store`
      )
      expect(
        await pg.open((q) =>
          q(
            "SELECT count(*)::int FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'answer_edges'"
          )
        )
      ).toEqual([[0]])
    },
    60_000
  )
})
