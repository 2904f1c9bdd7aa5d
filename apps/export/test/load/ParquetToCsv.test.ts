/**
 * A Parquet output loaded into PostgreSQL (PGlite over the wire protocol) through the engine's own `copy`: every
 * value comes back as written — null apart from an empty string, quotes, commas and line breaks in text, INT64
 * beyond 2^53, -0 and the other doubles, dates, UTC instants and times to the microsecond.
 */
import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { columnKindOf } from "../../src/formats/ColumnKinds.ts"
import { csvCell } from "../../src/formats/CsvFormat.ts"
import { StagedParquetWriter } from "../../src/formats/parquet/StagedRows.ts"
import { typedStaging } from "../../src/formats/TypedCells.ts"
import { openPostgres } from "../../src/load/PostgresEngine.ts"
import type { LoadOutput } from "../../src/load/RunManifest.ts"
import { withPostgres } from "./support/loadHelpers.ts"
import { type PgliteServer, startPgliteServer } from "./support/PgliteServer.ts"

const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-parquet-load-"))
let server: PgliteServer
beforeAll(async () => {
  server = await startPgliteServer()
}, 60_000)
afterAll(async () => {
  await server?.close()
  NodeFs.rmSync(dir, { recursive: true, force: true })
})

const columns = [
  { name: "text", type: "VARCHAR" },
  { name: "int64", type: "INT64" },
  { name: "int32", type: "INT32" },
  { name: "double", type: "DOUBLE" },
  { name: "bool", type: "BOOL" },
  { name: "date", type: "DATE" },
  { name: "instant", type: "DATE_TIME" },
  { name: "time", type: "TIME" }
] as const

/** The staged text of each row (null: a null cell). */
const rows: ReadonlyArray<ReadonlyArray<string | null>> = [
  ["", "9007199254740993", "-2147483648", "-0", "true", "0001-01-01", "1969-12-31T23:59:59.999999Z", "00:00:00"],
  [
    'say "hi", twice\nand "\\N"',
    "-9223372036854775808",
    "7",
    "0.1",
    "false",
    "9999-12-31",
    "2024-02-29T23:30:00.5+05:30",
    "23:59:59.000001"
  ],
  [null, null, null, null, null, null, null, null],
  ["é😀,", "9223372036854775807", "0", "1e+21", "true", "2000-02-29", "2262-04-11T23:47:16Z", "12:00:00.25"]
]

/** What PostgreSQL gives back through the SELECT below: instants in UTC with six fraction digits. */
const readBack = (row: ReadonlyArray<string | null>): Array<string | null> =>
  row.map((cell, i) => {
    if (cell === null || i !== 6) return cell
    const [head, fraction = ""] = (cell === "2024-02-29T23:30:00.5+05:30" ? "2024-02-29T18:00:00.5Z" : cell)
      .replace("Z", "")
      .split(".")
    return `${head}.${fraction.padEnd(6, "0")}Z`
  })

const parquetOutput = (): LoadOutput => {
  const path = NodePath.join(dir, "tricky.parquet")
  const out: Array<Uint8Array> = []
  const kinds = columns.map((c) => ({ name: c.name, kind: columnKindOf(c.type) }))
  const writer = new StagedParquetWriter(kinds, (bytes) => out.push(Uint8Array.from(bytes)), "spotpipe test")
  const staged = [
    columns.map((c) => c.name),
    ...rows.map((cells) =>
      cells.map((cell, i) =>
        cell === null ? typedStaging.nullString : i === 0 ? csvCell(cell, false, typedStaging.nullString) : cell
      )
    )
  ]
  writer.feed(Buffer.from(staged.map((r) => `${r.join(",")}\n`).join(""), "utf8"))
  writer.finish()
  const bytes = Buffer.concat(out)
  NodeFs.writeFileSync(path, bytes)
  return {
    file: "tricky.parquet",
    path,
    format: "parquet",
    columns,
    rows: rows.length,
    bytes: bytes.length,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    nullString: undefined,
    escapedFormulae: false,
    table: "tricky"
  }
}

describe("a Parquet output loaded into PostgreSQL", () => {
  it("gives back every value as written", async () => {
    const output = parquetOutput()
    const engine = await openPostgres(server.url, "pglite", { password: undefined, passFile: undefined })
    try {
      await engine.exec("BEGIN")
      expect(await engine.copy("tricky", output, "create")).toBe(rows.length)
      await engine.exec("COMMIT")
    } finally {
      await engine.close()
    }
    const read = await withPostgres(server.url, (q) =>
      q(`SELECT text, int64::text, int32::text, double::text, bool::text, date::text,
            to_char(instant AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), time::text
          FROM tricky ORDER BY int32 NULLS LAST`)
    )
    const expected = rows.map(readBack)
    const order = (r: ReadonlyArray<unknown>) => (r[2] === null ? Number.POSITIVE_INFINITY : Number(r[2]))
    expect(read.map((r) => r.map((c) => (c === null ? null : String(c))))).toEqual(
      [...expected].sort((a, b) => order(a) - order(b))
    )
  }, 60_000)
})
