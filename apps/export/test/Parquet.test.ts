/**
 * Parquet cells and files without a server: rendered cells turned into typed values exactly (or refused), a
 * cell a typed column cannot hold failing the job with its row and column, and the bytes a job writes read back
 * by DuckDB (row groups across pages, the same bytes for the same rows).
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { DuckDBInstance } from "@duckdb/node-api"
import { assert, describe, it } from "@effect/vitest"
import type { Pagination } from "@spotpipe/core"
import { resolveTimeZone, type TimeZone } from "@spotpipe/decode"
import { Effect, Stream } from "effect"
import { type DataPage, type JobSpec, type PageDecoder, runJob, silentProgress } from "../src/engine/ExportJob.ts"
import { typedCell } from "../src/formats/ParquetCells.ts"
import { rowGroupRows } from "../src/formats/ParquetFormat.ts"
import type { ChunkWriter } from "../src/output/AtomicFile.ts"
import { planColumns } from "../src/plan/ColumnPlanner.ts"

const zone = (name: string): TimeZone => {
  const z = resolveTimeZone(name)
  if (z instanceof Error) throw z
  return z
}

describe("typedCell", () => {
  it("converts-canonical-text-and-numbers-exactly", () => {
    assert.strictEqual(typedCell("int64", 9007199254740993n), 9007199254740993n)
    assert.strictEqual(typedCell("int64", 42), 42n)
    assert.strictEqual(typedCell("int64", "-9223372036854775808"), -(2n ** 63n))
    assert.strictEqual(typedCell("int32", 2147483647), 2147483647)
    assert.strictEqual(typedCell("double", 0.1), 0.1)
    assert.strictEqual(typedCell("double", 9007199254740992n), 9007199254740992)
    assert.strictEqual(typedCell("boolean", false), false)
    assert.strictEqual(typedCell("text", 12.5), "12.5")
    assert.strictEqual(typedCell("text", 123456789012345678901234567890n), "123456789012345678901234567890")
    assert.strictEqual(typedCell("date", "1970-01-01"), 0)
    assert.strictEqual(typedCell("date", "0001-01-01"), -719162)
    assert.strictEqual(typedCell("date", "2024-02-29"), 19782)
    assert.strictEqual(typedCell("timestamp", "2021-07-08T15:58:41Z"), 1625759921_000000n)
    assert.strictEqual(typedCell("timestamp", "2021-07-08T21:28:41+05:30"), 1625759921_000000n)
    assert.strictEqual(typedCell("timestamp", "2021-07-08T08:58:41.123456-07:00"), 1625759921_123456n)
    assert.strictEqual(typedCell("time", "23:59:59"), 86399_000000n)
    for (const kind of ["int64", "int32", "double", "boolean", "text", "date", "timestamp", "time"] as const) {
      assert.strictEqual(typedCell(kind, null), null)
    }
  })

  it("refuses-what-the-typed-column-cannot-hold-exactly", () => {
    const refused = (value: unknown) => assert.instanceOf(value, Error)
    refused(typedCell("double", 9007199254740993n)) // beyond a double's exact integers
    refused(typedCell("int64", "12a"))
    refused(typedCell("int64", "9223372036854775808"))
    refused(typedCell("int64", 1.5))
    refused(typedCell("int32", 2147483648))
    refused(typedCell("double", '{"v":1}'))
    refused(typedCell("boolean", "yes"))
    refused(typedCell("date", "2023-02-29"))
    refused(typedCell("date", "1992-Q1"))
    refused(typedCell("timestamp", "2021-07-08T15:58:41.1234567Z"))
    refused(typedCell("timestamp", "2021-07-08 15:58:41"))
    refused(typedCell("time", "24:00:00"))
  })
})

const memory = () => {
  const chunks: Array<Uint8Array> = []
  const writer: ChunkWriter = {
    write: (chunk) => Effect.sync(() => void chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk))
  }
  return { writer, bytes: () => Buffer.concat(chunks) }
}

const types: Record<string, string> = { Day: "DATE", At: "DATE_TIME", Qty: "INT64", Price: "DOUBLE", Name: "VARCHAR" }
const spec = (pages: ReadonlyArray<DataPage>): JobSpec<never, never> => ({
  what: 'answer "Test"',
  pages: () => Stream.fromIterable(pages),
  plan: (names) =>
    planColumns(
      names,
      names.map((n) => types[n] ?? null),
      { timeZone: zone("America/Los_Angeles"), offset: "utc" }
    ),
  emptyColumns: ["Day"],
  newline: "\r\n",
  escapeFormulae: false,
  periodEnd: true,
  progress: silentProgress
})

const columnNames = ["Name", "Day", "At", "Qty", "Price"]

describe("runJob to Parquet", () => {
  it.effect("a-cell-a-typed-column-cannot-hold-fails-the-job-naming-row-and-column", () =>
    Effect.gen(function* () {
      const out = memory()
      const pages: ReadonlyArray<DataPage> = [
        { columnNames, rows: [["a", 694252800, 1625759921, 1n, 1.5]] },
        { columnNames, rows: [["b", 694252800, 1625759921, 2n, 9007199254740993n]] }
      ]
      const error = yield* Effect.flip(runJob(spec(pages), [{ format: "parquet", writer: out.writer }]))
      assert.strictEqual(error.kind, "BadData")
      assert.include(error.message, 'row 2, column "Price"')
      assert.include(error.message, "9007199254740993")
    })
  )

  it.effect("pages-become-row-groups-read-back-by-duckdb-and-the-same-rows-give-the-same-bytes", () =>
    Effect.gen(function* () {
      // Three pages of more than a row group's worth together, so the file holds several row groups.
      const perPage = Math.ceil(rowGroupRows / 2) + 1
      const pages: Array<DataPage> = []
      for (let p = 0; p < 3; p++) {
        const rows: Array<ReadonlyArray<unknown>> = []
        for (let i = 0; i < perPage; i++) {
          const n = p * perPage + i
          rows.push([
            n % 7 === 0 ? null : `name ${n}`,
            n % 5 === 0 ? { v: { s: 709974000, e: 717922800 } } : 694252800 + 86400 * (n % 1000),
            n % 11 === 0 ? null : 1625759921 + n,
            9007199254740993n + BigInt(n),
            n / 4
          ])
        }
        pages.push({ columnNames, rows })
      }
      const first = memory()
      const second = memory()
      const result = yield* runJob(spec(pages), [{ format: "parquet", writer: first.writer }])
      yield* runJob(spec(pages), [{ format: "parquet", writer: second.writer }])
      assert.strictEqual(result.rows, 3 * perPage)
      assert.isTrue(first.bytes().equals(second.bytes()))

      const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-parquet-unit-"))
      const file = NodePath.join(dir, "t.parquet")
      NodeFs.writeFileSync(file, first.bytes())
      const rows = yield* Effect.promise(async () => {
        const db = await DuckDBInstance.create(":memory:")
        const connection = await db.connect()
        try {
          const groups = await connection.runAndReadAll(
            `SELECT count(DISTINCT row_group_id)::INTEGER FROM parquet_metadata('${file}')`
          )
          const read = await connection.runAndReadAll(
            `SELECT "Name", "Day"::VARCHAR, "Day (end)"::VARCHAR, epoch_us("At")::VARCHAR, "Qty"::VARCHAR, "Price" ` +
              `FROM read_parquet('${file}')`
          )
          return { groups: groups.getRowsJS()[0]![0], rows: read.getRowsJS() }
        } finally {
          connection.closeSync()
        }
      })
      assert.isAbove(rows.groups as number, 1)
      assert.strictEqual(rows.rows.length, 3 * perPage)
      assert.deepStrictEqual(rows.rows[0], [null, "1992-07-01", "1992-10-01", null, "9007199254740993", 0])
      assert.deepStrictEqual(rows.rows[1], ["name 1", "1992-01-02", null, "1625759922000000", "9007199254740994", 0.25])
    })
  )

  // Pages read from response bytes, as the core client lends them: Parquet parses them without keeping each
  // number's spelling, except where the spelling decides the value written.
  const lend = (json: string, names: ReadonlyArray<string>): Pagination.PageBytes => {
    const bytes = Buffer.from(json)
    const rowCount = (JSON.parse(json) as Array<unknown>).length
    return {
      columnNames: names,
      rowCount,
      recordOffset: 0,
      availableRowCount: rowCount,
      samplingRatio: 1,
      bytes,
      start: 0,
      end: bytes.length
    }
  }
  const fromBytes =
    (json: string, names: ReadonlyArray<string>) =>
    (decoder: PageDecoder): Stream.Stream<DataPage> =>
      Stream.fromEffect(Effect.orDie(decoder(lend(json, names)))).pipe(
        Stream.map((rows): DataPage => ({ columnNames: names, rows }))
      )

  it.effect("a-number-that-would-become-0-fails-the-job-as-csv-does", () =>
    Effect.gen(function* () {
      const names = ["Name", "Price"]
      const job = { ...spec([]), pages: fromBytes('[["a",1.5],["b",1e-400]]', names) }
      const error = yield* Effect.flip(runJob(job, [{ format: "parquet", writer: memory().writer }]))
      assert.strictEqual(error.kind, "BadData")
      assert.include(error.message, 'row 2, column "Price"')
      assert.include(error.message, "1e-400")
    })
  )

  it.effect("an-int64-spelled-with-an-exponent-is-written-exactly-as-csv-does", () =>
    Effect.gen(function* () {
      const names = ["Qty", "Name"]
      const out = memory()
      const job = { ...spec([]), pages: fromBytes('[[9.007199254740993e15,"a"],[-0.0,"b"]]', names) }
      yield* runJob(job, [{ format: "parquet", writer: out.writer }])
      const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-parquet-unit-"))
      const file = NodePath.join(dir, "t.parquet")
      NodeFs.writeFileSync(file, out.bytes())
      const rows = yield* Effect.promise(async () => {
        const db = await DuckDBInstance.create(":memory:")
        const connection = await db.connect()
        try {
          return (await connection.runAndReadAll(`SELECT "Qty" FROM read_parquet('${file}')`)).getRowsJS()
        } finally {
          connection.closeSync()
        }
      })
      assert.deepStrictEqual(rows, [[9007199254740993n], [0n]])
    })
  )

  it.effect("an-object-cell-in-a-text-column-keeps-its-numbers-as-sent", () =>
    Effect.gen(function* () {
      const names = ["Name", "Qty"]
      const out = memory()
      const job = { ...spec([]), pages: fromBytes('[[{"x":1.50,"y":[2E3]},7]]', names) }
      yield* runJob(job, [{ format: "parquet", writer: out.writer }])
      const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-parquet-unit-"))
      const file = NodePath.join(dir, "t.parquet")
      NodeFs.writeFileSync(file, out.bytes())
      const rows = yield* Effect.promise(async () => {
        const db = await DuckDBInstance.create(":memory:")
        const connection = await db.connect()
        try {
          return (await connection.runAndReadAll(`SELECT "Name", "Qty" FROM read_parquet('${file}')`)).getRowsJS()
        } finally {
          connection.closeSync()
        }
      })
      assert.deepStrictEqual(rows, [['{"x":1.50,"y":[2E3]}', 7n]])
    })
  )
})
