/**
 * spotpipe's own Parquet writer (formats/parquet) over staged CSV text, read back by DuckDB: every kind's texts —
 * the usual forms read from the bytes and the rest — give the values `typedCell` (the one reading of a typed cell)
 * gives; text keeps its bytes (through a dictionary, or PLAIN once a row group has too many distinct texts), null
 * stays null; pieces of any size give the same file; row groups split large results; each chunk's least and
 * greatest value are DuckDB's own min and max of its rows; text cut inside a row is refused.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { DuckDBInstance } from "@duckdb/node-api"
import fc from "fast-check"
import { afterAll, describe, expect, it } from "vitest"
import type { ColumnKind } from "../src/formats/ColumnKinds.ts"
import { csvCell } from "../src/formats/CsvFormat.ts"
import { GROUP_ROWS } from "../src/formats/parquet/ParquetEncoder.ts"
import { StagedParquetWriter } from "../src/formats/parquet/StagedRows.ts"
import { rangeOf, TEXT_BOUND_BYTES } from "../src/formats/parquet/Statistics.ts"
import { typedCell, typedStaging } from "../src/formats/TypedCells.ts"

const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-staged-rows-"))
afterAll(() => NodeFs.rmSync(dir, { recursive: true, force: true }))
let files = 0

type Column = { readonly name: string; readonly kind: ColumnKind }

/** The Parquet bytes of `staged`, fed in pieces of the given sizes (whole when none). */
const encode = (columns: ReadonlyArray<Column>, staged: string, pieces: ReadonlyArray<number> = []) => {
  const out: Array<Uint8Array> = []
  const writer = new StagedParquetWriter(columns, (bytes) => out.push(Uint8Array.from(bytes)), "spotpipe test")
  const bytes = Buffer.from(staged, "utf8")
  let at = 0
  for (const size of pieces) {
    if (at >= bytes.length) break
    writer.feed(bytes.subarray(at, Math.min(bytes.length, at + size)))
    at += size
  }
  if (at < bytes.length) writer.feed(bytes.subarray(at))
  const rows = writer.finish()
  return { rows, bytes: Buffer.concat(out) }
}

/** DuckDB's rows for `sql`, in a fresh in-memory database. */
const query = async (sql: string) => {
  const instance = await DuckDBInstance.create(":memory:")
  const connection = await instance.connect()
  try {
    return (await connection.runAndReadAll(sql)).getRowsJS()
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

/**
 * Checks each column chunk's statistics against DuckDB's own `min`/`max` of the rows of its row group: equal
 * (doubles as numbers, a zero bound being -0.0 or +0.0 as the format asks), or absent where the column has
 * no non-null value there or a text bound is longer than the writer writes. Returns the chunks checked.
 */
const expectExactStatistics = async (file: string, columnNames: ReadonlyArray<string>, groupRows: number) => {
  const stats = await query(
    `SELECT row_group_id::INTEGER, path_in_schema, stats_min_value, stats_max_value FROM parquet_metadata('${file}')`
  )
  for (const [group, column, min, max] of stats) {
    const name = String(column).replaceAll('"', '""')
    const [least, greatest, type] = (
      await query(
        `SELECT min("${name}")::VARCHAR, max("${name}")::VARCHAR, typeof(any_value("${name}"))
       FROM read_parquet('${file}', file_row_number = true)
       WHERE file_row_number // ${groupRows} = ${group}`
      )
    )[0] as [string | null, string | null, string]
    if (least === null || greatest === null) {
      expect([min, max]).toEqual([null, null])
    } else if (
      type === "VARCHAR" &&
      Math.max(Buffer.byteLength(least), Buffer.byteLength(greatest)) > TEXT_BOUND_BYTES
    ) {
      expect([min, max]).toEqual([null, null])
    } else if (type === "DOUBLE") {
      // `+ 0` folds -0.0 into +0.0 (toEqual tells them apart): which zero a bound holds is checked on its own below.
      const number = (text: unknown) => Number(text) + 0
      expect([number(min), number(max)]).toEqual([number(least), number(greatest)])
    } else {
      expect([min, max]).toEqual([least, greatest])
    }
  }
  expect(new Set(stats.map((s) => s[1])).size).toBe(columnNames.length)
  return stats.length
}

/** `bytes` as a Parquet file of its own. */
const fileOf = (bytes: Uint8Array) => {
  const file = NodePath.join(dir, `${files++}.parquet`)
  NodeFs.writeFileSync(file, bytes)
  return file
}

/** DuckDB's rows of `SELECT select FROM` the Parquet file `bytes`. */
const readBack = (bytes: Uint8Array, select: string) => query(`SELECT ${select} FROM read_parquet('${fileOf(bytes)}')`)

const staged = (columns: ReadonlyArray<Column>, rows: ReadonlyArray<ReadonlyArray<string | null>>) =>
  [columns.map((c) => csvCell(c.name, false)), ...rows.map((row) => row.map((cell) => cell ?? typedStaging.nullString))]
    .map((row) => `${row.join(",")}\n`)
    .join("")

const pad = (n: number, width: number) => String(Math.abs(n)).padStart(width, "0")
const dateText = fc
  .record({
    y: fc.integer({ min: 1, max: 9999 }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 31 })
  })
  .map(({ y, m, d }) => {
    const last = new Date(Date.UTC(2000, m, 0)).getUTCDate() // days in month m of a leap year
    const day = Math.min(d, m === 2 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)) ? 28 : last)
    return `${pad(y, 4)}-${pad(m, 2)}-${pad(day, 2)}`
  })
const fraction = fc.oneof(
  fc.constant(""),
  fc
    .integer({ min: 0, max: 999_999 })
    .chain((micros) => fc.integer({ min: 1, max: 6 }).map((digits) => `.${pad(micros, 6).slice(0, digits)}`)),
  fc.integer({ min: 0, max: 999_999 }).map((micros) => `.${pad(micros, 6)}000`)
)
const clock = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m, s]) => `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}`)
const zone = fc.oneof(
  fc.constant("Z"),
  fc
    .tuple(fc.constantFrom("+", "-"), fc.integer({ min: 0, max: 18 }), fc.constantFrom(0, 30, 45))
    .map(([sign, h, m]) => `${sign}${pad(h, 2)}:${pad(m, 2)}`)
)

/** Each kind's staged texts: the usual forms and the others `typedCell` reads. */
const texts: Readonly<Record<ColumnKind, fc.Arbitrary<string>>> = {
  text: fc.oneof(
    fc.string({ unit: "grapheme", maxLength: 20 }),
    fc.constantFrom("a,b", 'say "hi"', "two\nlines", " edge ", "\\N", "", "x".repeat(70), 'é😀,\n"'.repeat(30))
  ),
  int64: fc.oneof(
    fc.integer({ min: -1000, max: 1000 }).map(String),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
    fc.bigInt({ min: 2n ** 53n, max: 10n ** 18n - 1n }).map((n) => String(-n)),
    fc.constantFrom("-9223372036854775808", "9223372036854775807", "999999999999999999", "1000000000", "-0")
  ),
  int32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map(String),
  double: fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
    fc.integer({ min: -9_999_999, max: 9_999_999 }).map((cents) => String(cents / 100))
  ),
  boolean: fc.constantFrom("true", "false"),
  date: dateText,
  timestamp: fc.tuple(dateText, clock, fraction, zone).map(([d, t, f, z]) => `${d}T${t}${f}${z}`),
  time: fc.tuple(clock, fraction).map(([t, f]) => `${t}${f}`)
}
const kinds = Object.keys(texts) as Array<ColumnKind>
const columns: ReadonlyArray<Column> = kinds.map((kind) => ({ name: `c ${kind}`, kind }))

/** A cell as DuckDB gives it back with the `select` below: days, microseconds, as JavaScript values. */
const expected = (kind: ColumnKind, text: string | null): unknown => {
  if (text === null) return null
  if (kind === "text") return text
  if (kind === "double") return Number(text)
  const value = typedCell(kind, text)
  if (value instanceof Error) throw value
  return kind === "date" ? BigInt(value as number) : value
}
const select = [
  `"c text"`,
  `"c int64"`,
  `"c int32"`,
  `"c double"`,
  `"c boolean"`,
  `"c date" - DATE '1970-01-01'`,
  `epoch_us("c timestamp")`,
  `datediff('microsecond', TIME '00:00:00', "c time")`
].join(", ")

describe("StagedParquetWriter", () => {
  it("reads every kind's texts as typedCell does, keeps text's bytes and nulls, in pieces of any size", async () => {
    const row = fc.tuple(...kinds.map((kind) => fc.option(texts[kind], { freq: 6 })))
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 40 }),
        async (rows, pieces) => {
          const text = staged(
            columns,
            rows.map((cells) =>
              cells.map((cell, i) =>
                cell === null ? null : kinds[i] === "text" ? csvCell(cell, false, typedStaging.nullString) : cell
              )
            )
          )
          const whole = encode(columns, text)
          const cut = encode(columns, text, pieces)
          expect(cut.bytes.equals(whole.bytes)).toBe(true)
          expect(whole.rows).toBe(rows.length)
          const read = await readBack(whole.bytes, select)
          expect(read).toEqual(rows.map((cells) => cells.map((cell, i) => expected(kinds[i]!, cell))))
          await expectExactStatistics(
            fileOf(whole.bytes),
            columns.map((c) => c.name),
            GROUP_ROWS
          )
        }
      ),
      { numRuns: 25 }
    )
  }, 60_000)

  it("types each column: INT64, INT32, DOUBLE, BOOLEAN, VARCHAR, DATE, TIMESTAMP WITH TIME ZONE, TIME", async () => {
    const { bytes } = encode(columns, staged(columns, []))
    const schema = await query(`DESCRIBE SELECT * FROM read_parquet('${fileOf(bytes)}')`)
    expect(schema.map((r) => r[1])).toEqual([
      "VARCHAR",
      "BIGINT",
      "INTEGER",
      "DOUBLE",
      "BOOLEAN",
      "DATE",
      "TIMESTAMP WITH TIME ZONE",
      "TIME"
    ])
  })

  it("splits a large result into row groups, and a text longer than the read buffer is read whole", async () => {
    const two: ReadonlyArray<Column> = [
      { name: "n", kind: "int64" },
      { name: "s", kind: "text" }
    ]
    const count = 2 * GROUP_ROWS + 5
    const long = "x".repeat(5 << 20)
    const rows = Array.from({ length: count }, (_, i) => [
      i % 1000 === 0 ? null : String(i),
      i === GROUP_ROWS ? long : i % 7 === 0 ? null : `v${i % 13}`
    ])
    const { bytes, rows: written } = encode(two, staged(two, rows), [1 << 20, 3, 1 << 22])
    expect(written).toBe(count)
    const read = await readBack(
      bytes,
      "count(*)::INTEGER, count(*) FILTER (s IS NULL)::INTEGER, sum(n)::VARCHAR, max(length(s))::INTEGER"
    )
    const [total, nulls, sum, longest] = read[0]!
    expect([total, nulls, longest]).toEqual([count, rows.filter((r) => r[1] === null).length, long.length])
    expect(sum).toBe(String(rows.reduce((n, r) => n + (r[0] === null ? 0 : Number(r[0])), 0)))
    const groups = await query(`SELECT count(DISTINCT row_group_id)::INTEGER FROM parquet_metadata('${fileOf(bytes)}')`)
    expect(groups[0]![0]).toBe(3)
    // Each group's own bounds (the second group's text has none: its 5 MiB text is no bound to write), and a
    // query that skips groups by them still counts every matching row.
    const file = fileOf(bytes)
    expect(await expectExactStatistics(file, ["n", "s"], GROUP_ROWS)).toBe(6)
    const above = GROUP_ROWS + 17
    const matching = await query(
      `SELECT count(*)::INTEGER FROM read_parquet('${file}') WHERE n > ${above} AND s >= 'v12'`
    )
    expect(matching[0]![0]).toBe(
      rows.filter(([n, s]) => n != null && Number(n) > above && s != null && s >= "v12").length
    )
  }, 60_000)

  it("ends a row group once its values pass 48 MiB, also when a few long texts get there in far fewer rows", async () => {
    const one: ReadonlyArray<Column> = [{ name: "s", kind: "text" }]
    // 1 MiB texts, each its own (no dictionary holds them): 48 of them reach the limit.
    const rows = Array.from({ length: 60 }, (_, i) => [`${String(i).padStart(2, "0")}${"y".repeat((1 << 20) - 2)}`])
    const { bytes, rows: written } = encode(one, staged(one, rows))
    expect(written).toBe(60)
    const groups = await query(
      `SELECT row_group_num_rows::INTEGER FROM parquet_metadata('${fileOf(bytes)}') ORDER BY row_group_id`
    )
    expect(groups.map((g) => g[0])).toEqual([48, 12])
    const read = await readBack(bytes, "count(*)::INTEGER, min(left(s, 2)), max(left(s, 2))")
    expect(read[0]).toEqual([60, "00", "59"])
  }, 60_000)

  it("keeps every text in place when a row group has more distinct texts than a dictionary holds", async () => {
    const one: ReadonlyArray<Column> = [{ name: "s", kind: "text" }]
    // 40 000 distinct texts in the first row group (the dictionary gives up at 32 768), few in the next; of one
    // length and alphabet, so that their hash slots meet and entries that differ in one byte are compared.
    const rows = Array.from({ length: GROUP_ROWS + 1000 }, (_, i) => [
      i % 11 === 0 ? null : i < 40_000 ? (i % 35_000).toString(7).padStart(6, "0") : `again ${i % 3}`
    ])
    const { bytes } = encode(one, staged(one, rows), [65_536, 7, 300_001])
    const read = await readBack(bytes, "s")
    expect(read).toEqual(rows)
  }, 60_000)

  it("bounds doubles without NaN and with a zero as -0.0 least and +0.0 greatest, texts as unsigned bytes", () => {
    const doubles = (...values: Array<number>) => {
      const range = rangeOf("double", new Uint8Array(Float64Array.from(values).buffer), values.length * 8)
      return range && [range.min, range.max].map((b) => new DataView(b.buffer).getFloat64(0, true))
    }
    expect(doubles(Number.NaN, 2, -1, Number.NaN)).toEqual([-1, 2])
    expect(doubles(Number.NaN)).toBeUndefined()
    const [least, greatest] = doubles(0, 0)!
    expect([Object.is(least, -0), Object.is(greatest, 0)]).toEqual([true, true])
    expect(doubles(-0, 3)!.map((v) => Object.is(v, -0))).toEqual([true, false])
    expect(doubles(-Infinity, 1)).toEqual([-Infinity, 1])
    // Length-prefixed texts: "é" (C3 A9) sorts after "z" by its bytes, "ab" after "a".
    const texts = (...values: Array<string>) => {
      const parts = values.flatMap((v) => {
        const text = Buffer.from(v)
        const length = Buffer.alloc(4)
        length.writeUInt32LE(text.length)
        return [length, text]
      })
      const range = rangeOf("text", new Uint8Array(Buffer.concat(parts)), Buffer.concat(parts).length)
      return range && [Buffer.from(range.min).toString(), Buffer.from(range.max).toString()]
    }
    expect(texts("z", "é", "ab", "a", "")).toEqual(["", "é"])
    expect(texts("b", "x".repeat(TEXT_BOUND_BYTES))).toEqual(["b", "x".repeat(TEXT_BOUND_BYTES)])
    expect(texts("b", "x".repeat(TEXT_BOUND_BYTES + 1))).toBeUndefined()
  })

  it("refuses text that ends inside a row, and a cell its column cannot hold, naming row and column", () => {
    const one: ReadonlyArray<Column> = [{ name: "n", kind: "int64" }]
    expect(() => encode(one, "n\n1\n2")).toThrow("ends inside a row")
    expect(() => encode(one, "n\n1\n1.5\n")).toThrow('row 2, column "n"')
    expect(() => encode([{ name: "d", kind: "date" }], "d\n2021-02-29\n")).toThrow('row 1, column "d"')
    expect(() => encode([{ name: "t", kind: "text" }, ...one], 't,n\n"a,1\n')).toThrow("ends inside a row")
  })
})
