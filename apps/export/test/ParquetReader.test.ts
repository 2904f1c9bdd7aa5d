/**
 * The Parquet reader (a PostgreSQL load's way into a Parquet output) against DuckDB's reading of the same files:
 * files spotpipe's writer makes from generated rows of every kind, files DuckDB itself writes, and the files it
 * must refuse. Also `typedText`, the text a read value is loaded as: `typedCell` reads it back to the same value.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import fc from "fast-check"
import { afterAll, describe, expect, it } from "vitest"
import type { ColumnKind } from "../src/formats/ColumnKinds.ts"
import { csvCell } from "../src/formats/CsvFormat.ts"
import { GROUP_ROWS, type ParquetColumn } from "../src/formats/parquet/ParquetEncoder.ts"
import { decodeHybrid, ParquetReadError, type ParquetValue, readParquet } from "../src/formats/parquet/ParquetReader.ts"
import { StagedParquetWriter } from "../src/formats/parquet/StagedRows.ts"
import { decodeStruct, type ThriftFields } from "../src/formats/parquet/Thrift.ts"
import { typedCell, typedStaging, typedText } from "../src/formats/TypedCells.ts"
import { withDuckDb } from "./load/support/loadHelpers.ts"

const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-parquet-reader-"))
afterAll(() => NodeFs.rmSync(dir, { recursive: true, force: true }))
let files = 0

/** A Parquet file written by spotpipe's writer from staged text rows (null: a null cell). */
const written = (columns: ReadonlyArray<ParquetColumn>, rows: ReadonlyArray<ReadonlyArray<string | null>>) => {
  const file = NodePath.join(dir, `${files++}.parquet`)
  const out: Array<Uint8Array> = []
  const writer = new StagedParquetWriter(columns, (bytes) => out.push(Uint8Array.from(bytes)), "spotpipe test")
  const lines = [
    columns.map((c) => csvCell(c.name, false)),
    ...rows.map((row) =>
      row.map((cell, i) =>
        cell === null
          ? typedStaging.nullString
          : columns[i]!.kind === "text"
            ? csvCell(cell, false, typedStaging.nullString)
            : cell
      )
    )
  ]
  writer.feed(Buffer.from(lines.map((l) => `${l.join(",")}\n`).join(""), "utf8"))
  writer.finish()
  NodeFs.writeFileSync(file, Buffer.concat(out))
  return file
}

/** Every row of the file as the reader gives it (the manifest saying `count` rows), and the bytes it passed on. */
const readAll = async (file: string, columns: ReadonlyArray<ParquetColumn>, count: number) => {
  const rows: Array<Array<ParquetValue | null>> = []
  const seen: Array<Uint8Array> = []
  for await (const group of readParquet(file, columns, count, (bytes) => seen.push(Uint8Array.from(bytes)))) {
    for (let r = 0; r < group.rows; r++) rows.push(group.columns.map((column) => column[r]!))
  }
  return { rows, bytes: Buffer.concat(seen) }
}

/** A fresh in-memory DuckDB for one check. */
const duckdb = <A>(use: (query: (sql: string) => Promise<Array<Array<unknown>>>) => Promise<A>) =>
  withDuckDb(":memory:", use)

/** DuckDB's reading of the file's columns as the reader's values: days, microseconds, bigints. */
const duckdbRows = (file: string, columns: ReadonlyArray<ParquetColumn>) => {
  const select = columns.map(({ name, kind }) => {
    const q = `"${name}"`
    return kind === "date"
      ? `(${q} - DATE '1970-01-01')::INTEGER`
      : kind === "timestamp"
        ? `epoch_us(${q})`
        : kind === "time"
          ? `datediff('microsecond', TIME '00:00:00', ${q})`
          : kind === "text"
            ? `hex(encode(${q}))` // as bytes: DuckDB's Node package decodes text dropping a leading U+FEFF
            : q
  })
  return duckdb((q) => q(`SELECT ${select.join(", ")} FROM read_parquet('${file}') ORDER BY file_row_number`))
}

/** Rows as {@link duckdbRows} gives them: texts as the hex of their UTF-8 bytes. */
const asDuckDb = (rows: ReadonlyArray<ReadonlyArray<ParquetValue | null>>, columns: ReadonlyArray<ParquetColumn>) =>
  rows.map((row) =>
    row.map((value, i) =>
      columns[i]!.kind === "text" && typeof value === "string"
        ? Buffer.from(value, "utf8").toString("hex").toUpperCase()
        : value
    )
  )

const pad = (n: number, width: number) => String(n).padStart(width, "0")
const date = fc
  .tuple(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }))
  .map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`)
const clock = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m, s]) => `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}`)
const fraction = fc.oneof(
  fc.constant(""),
  fc.integer({ min: 0, max: 999_999 }).map((micros) => `.${pad(micros, 6)}`)
)

/** Staged texts of each kind. */
const texts: Readonly<Record<ColumnKind, fc.Arbitrary<string>>> = {
  text: fc.oneof(
    fc.string({ unit: "grapheme", maxLength: 12 }),
    fc.constantFrom("", '"q", r', "\\N", "a\nb", "\ufeff", "\ufeffWest")
  ),
  int64: fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String), fc.constant("9007199254740993")),
  int32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map(String),
  double: fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  boolean: fc.constantFrom("true", "false"),
  date,
  timestamp: fc.tuple(date, clock, fraction).map(([d, t, f]) => `${d}T${t}${f}Z`),
  time: fc.tuple(clock, fraction).map(([t, f]) => `${t}${f}`)
}
const kinds = Object.keys(texts) as Array<ColumnKind>
const columns: ReadonlyArray<ParquetColumn> = kinds.map((kind) => ({ name: `c ${kind}`, kind }))

describe("readParquet", () => {
  it("reads spotpipe's files as DuckDB does, every kind and null, and passes on every byte in order", async () => {
    const row = fc.tuple(...kinds.map((kind) => fc.option(texts[kind], { freq: 5 })))
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 40 }), async (rows) => {
        const file = written(columns, rows)
        const read = await readAll(file, columns, rows.length)
        expect(read.bytes.equals(NodeFs.readFileSync(file))).toBe(true)
        expect(asDuckDb(read.rows, columns)).toEqual(await duckdbRows(file, columns))
      }),
      { numRuns: 25 }
    )
  }, 60_000)

  it("keeps a leading U+FEFF of a text and of a column name (a decoder's default drops it)", async () => {
    const bom: ReadonlyArray<ParquetColumn> = [{ name: "\ufeffRegion", kind: "text" }]
    const rows = [["\ufeff"], ["\ufeffWest"], ["\ufeff\ufeffx"], ["a\ufeff"]]
    const file = written(bom, rows)
    const read = await readAll(file, bom, rows.length)
    expect(read.rows).toEqual(rows)
    expect(asDuckDb(read.rows, bom)).toEqual(await duckdbRows(file, bom))
  })

  it("reads several row groups, a dictionary given up for PLAIN, and texts of every size", async () => {
    const two: ReadonlyArray<ParquetColumn> = [
      { name: "n", kind: "int64" },
      { name: "s", kind: "text" }
    ]
    const rows = Array.from({ length: 2 * GROUP_ROWS + 3 }, (_, i) => [
      i % 999 === 0 ? null : String(i - GROUP_ROWS),
      i % 13 === 0 ? null : i < 40_000 ? `distinct ${i}` : i === GROUP_ROWS + 1 ? "x".repeat(3 << 20) : `v${i % 5}`
    ])
    const file = written(two, rows)
    const read = await readAll(file, two, rows.length)
    expect(read.rows.length).toBe(rows.length)
    expect(read.rows).toEqual(rows.map(([n, s]) => [n === null || n === undefined ? null : BigInt(n), s]))
    const groups = await duckdb((q) => q(`SELECT count(DISTINCT row_group_id) FROM parquet_metadata('${file}')`))
    expect(Number(groups[0]![0])).toBe(3)
  }, 60_000)

  it("reads a file DuckDB wrote (its own pages and dictionaries), uncompressed or zstd", async () => {
    const source = `SELECT i::BIGINT AS n, CASE WHEN i % 3 = 0 THEN NULL ELSE 'v' || (i % 7) END AS s,
        (i / 4)::DOUBLE AS d, DATE '2024-02-28' + (i % 5)::INTEGER AS day FROM range(20000) t(i)`
    const two: ReadonlyArray<ParquetColumn> = [
      { name: "n", kind: "int64" },
      { name: "s", kind: "text" },
      { name: "d", kind: "double" },
      { name: "day", kind: "date" }
    ]
    for (const compression of ["uncompressed", "zstd"]) {
      const file = NodePath.join(dir, `duckdb-${compression}.parquet`)
      await duckdb((q) => q(`COPY (${source}) TO '${file}' (FORMAT parquet, COMPRESSION ${compression})`))
      const read = await readAll(file, two, 20_000)
      expect(read.rows.length).toBe(20_000)
      expect(asDuckDb(read.rows, two)).toEqual(await duckdbRows(file, two))
    }
  }, 60_000)

  it("ends on a damaged file: its rows or an Error, never a hang or another kind of failure", async () => {
    const rows = Array.from({ length: 300 }, (_, i) =>
      kinds.map((kind, k) => (i % (k + 2) === 0 ? null : fc.sample(texts[kind], { seed: i * 8 + k, numRuns: 1 })[0]!))
    )
    const bytes = NodeFs.readFileSync(written(columns, rows))
    const damaged = NodePath.join(dir, "damaged.parquet")
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        async (flips) => {
          const copy = Buffer.from(bytes)
          for (const [at, mask] of flips) copy[at] = copy[at]! ^ mask
          NodeFs.writeFileSync(damaged, copy)
          try {
            const read = await readAll(damaged, columns, rows.length)
            expect(read.bytes.equals(copy)).toBe(true)
          } catch (error) {
            expect(error).toBeInstanceOf(Error)
          }
        }
      ),
      { numRuns: 300 }
    )
  }, 60_000)

  it("refuses a file that is not the manifest's or not one it reads, saying why", async () => {
    const file = written(columns, [kinds.map(() => null)])
    const refusal = async (path: string, expected: ReadonlyArray<ParquetColumn>, count = 1) => {
      try {
        await readAll(path, expected, count)
      } catch (error) {
        expect(error).toBeInstanceOf(ParquetReadError)
        return (error as Error).message
      }
      throw new Error("the file was read")
    }
    const retyped = columns.map((c) => (c.kind === "date" ? { ...c, kind: "int32" as const } : c))
    expect(await refusal(file, retyped)).toContain(`"c date" (date) where the manifest has "c date" (int32)`)
    expect(await refusal(file, columns.slice(1))).toContain("other columns than the 7 the manifest lists")
    const snappy = NodePath.join(dir, "snappy.parquet")
    await duckdb((q) => q(`COPY (SELECT 1::BIGINT AS n) TO '${snappy}' (FORMAT parquet, COMPRESSION snappy)`))
    expect(await refusal(snappy, [{ name: "n", kind: "int64" }])).toContain("codec 1")
    const bytes = NodeFs.readFileSync(file)
    const cut = NodePath.join(dir, "cut.parquet")
    NodeFs.writeFileSync(cut, bytes.subarray(0, bytes.length - 3))
    expect(await refusal(cut, columns)).toContain("does not end as Parquet does")
    expect(await refusal(file, columns, 2)).toContain("it holds 1 rows where the manifest has 2")
  })

  it("refuses a page whose definition levels claim more bytes than it holds, before reading past it", async () => {
    // An uncompressed file from DuckDB, so the first page's bytes can be changed in place: its definition levels'
    // 4-byte length is set to 2^31 − 1 and their first header to 2^24 groups of 8 bit-packed levels. Read as if
    // the page went on, the levels' loop ran over bytes that are not there (for minutes at the largest lengths).
    const file = NodePath.join(dir, "levels.parquet")
    await duckdb((q) =>
      q(
        `COPY (SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE i END::BIGINT AS n FROM range(300) t(i)) TO '${file}' (FORMAT parquet, COMPRESSION uncompressed)`
      )
    )
    const bytes = NodeFs.readFileSync(file)
    const footerLength = bytes.readUInt32LE(bytes.length - 8)
    const footer = decodeStruct(bytes.subarray(bytes.length - 8 - footerLength, bytes.length - 8)).fields
    const group = (footer.get(4) as ReadonlyArray<ThriftFields>)[0]!
    const meta = (group.get(1) as ReadonlyArray<ThriftFields>)[0]!.get(3) as ThriftFields
    const dictionary = meta.get(11)
    // The first data page follows the dictionary page, if there is one.
    let at = typeof dictionary === "number" ? dictionary : (meta.get(9) as number)
    for (;;) {
      const { fields, end } = decodeStruct(bytes, at)
      if (fields.get(1) === 0) {
        bytes.writeUInt32LE(2 ** 31 - 1, end)
        bytes.set([0x81, 0x80, 0x80, 0x10], end + 4) // the varint of 2^24 << 1 | 1
        break
      }
      at = end + (fields.get(3) as number)
    }
    const damaged = NodePath.join(dir, "levels-damaged.parquet")
    NodeFs.writeFileSync(damaged, bytes)
    const n: ReadonlyArray<ParquetColumn> = [{ name: "n", kind: "int64" }]
    expect((await readAll(file, n, 300)).rows.length).toBe(300)
    await expect(readAll(damaged, n, 300)).rejects.toThrow("levels or indices run past the page")
  })
})

describe("decodeHybrid", () => {
  it("reads the format's own examples, and refuses runs that would never end", () => {
    // The specification's bit-packing example: 0 … 7 in 3 bits, one group of 8 (header 1 << 1 | 1).
    expect([...decodeHybrid(Uint8Array.of(0x03, 0x88, 0xc6, 0xfa), 0, 4, 3, 8)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    // In 9 bits: a run of 5 × 300 (two little-endian bytes), then a bit-packed group whose first 3 values are due.
    const mixed = Uint8Array.of(0x0a, 0x2c, 0x01, 0x03, 0x01, 0x00, 0x04, 0, 0, 0, 0, 0, 0)
    expect([...decodeHybrid(mixed, 0, mixed.length, 9, 8)]).toEqual([300, 300, 300, 300, 300, 1, 0, 1])
    for (const empty of [Uint8Array.of(0x00, 0x01), Uint8Array.of(0x01)]) {
      expect(() => decodeHybrid(empty, 0, empty.length, 1, 4)).toThrow(ParquetReadError)
    }
    expect(() => decodeHybrid(Uint8Array.of(0x05, 0xff), 0, 2, 1, 16)).toThrow("end early")
    // An end past the bytes (a damaged length) is refused, not read as if the bytes went on.
    expect(() => decodeHybrid(Uint8Array.of(0x03, 0x88, 0xc6, 0xfa), 0, 2 ** 31, 3, 8)).toThrow("run past the page")
  })
})

describe("typedText", () => {
  it("is read back by typedCell to the same value, for every kind", () => {
    fc.assert(
      fc.property(fc.constantFrom(...kinds.filter((k) => k !== "text" && k !== "double")), fc.nat(), (kind, seed) => {
        const text = fc.sample(texts[kind], { seed, numRuns: 1 })[0]!
        const value = typedCell(kind, text)
        if (value === null || value instanceof Error) throw new Error(`${text} is not a ${kind}`)
        const again = typedText(kind, value as string | number | bigint | boolean)
        expect(typeof again).toBe("string")
        expect(typedCell(kind, again as string)).toEqual(value)
      }),
      { numRuns: 500 }
    )
  })

  it("writes doubles as their shortest exact text, -0, NaN and the infinities included", () => {
    for (const value of [0.1, -0, 1e21, 5e-324, Number.MAX_VALUE, Number.NaN, -Infinity, 2 ** 53 + 2]) {
      const text = typedText("double", value) as string
      expect(Object.is(Number(text), value)).toBe(true)
    }
    expect(typedText("double", -0)).toBe("-0")
  })

  it("writes instants in UTC with their microseconds, and refuses what has no four-digit year", () => {
    expect(typedText("timestamp", -1n)).toBe("1969-12-31T23:59:59.999999Z")
    expect(typedText("timestamp", 1_700_000_000_120_000n)).toBe("2023-11-14T22:13:20.12Z")
    expect(typedText("date", -719_162)).toBe("0001-01-01")
    expect(typedText("date", -719_163)).toBeInstanceOf(Error) // 0000-12-31
    expect(typedText("time", 86_399_999_999n)).toBe("23:59:59.999999")
    expect(typedText("date", 2_932_897)).toBeInstanceOf(Error) // 10000-01-01
    expect(typedText("time", 86_400_000_000n)).toBeInstanceOf(Error)
  })
})
