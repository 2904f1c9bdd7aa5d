/**
 * Parquet cells and files without a server: rendered cells checked against their typed column exactly (or
 * refused), a cell a typed column cannot hold failing the job with its row and column — from parsed rows and from
 * response bytes alike, strings in typed columns included, which DuckDB would otherwise convert —, and the staged
 * CSV a job writes turned into Parquet by DuckDB and read back (the same rows give the same bytes), and pages read
 * from response bytes giving the very file the same rows give already parsed.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { DuckDBInstance } from "@duckdb/node-api"
import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import type { Pagination } from "@spotpipe/core"
import { parseJsonExact } from "@spotpipe/core/json"
import { resolveTimeZone, type TimeZone } from "@spotpipe/decode"
import { Effect, Stream } from "effect"
import fc from "fast-check"
import type { DataPage, PageDecoder } from "../src/cluster/Cluster.ts"
import { type JobSpec, runJob, silentProgress } from "../src/engine/ExportJob.ts"
import {
  makeParquetWorkers,
  type ParquetWorkers,
  parquetFailure,
  parquetTarget,
  startParquetWriter
} from "../src/engine/ParquetFile.ts"
import { columnKindOf } from "../src/formats/ColumnKinds.ts"
import { StagedParquetWriter } from "../src/formats/parquet/StagedRows.ts"
import { typedCell } from "../src/formats/TypedCells.ts"
import type { ChunkWriter } from "../src/output/AtomicFile.ts"
import { planColumns } from "../src/plan/ColumnPlanner.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-parquet-unit-")

const zone = (name: string): TimeZone => {
  const z = resolveTimeZone(name)
  if (z instanceof Error) throw z
  return z
}

/** The Parquet file a job's staged CSV `bytes` give (as the engine's worker writes it), and its bytes. */
const toParquet = (
  bytes: Uint8Array,
  columns: ReadonlyArray<{ readonly name: string; readonly type: string | null }>
) =>
  Effect.sync(() => {
    const dir = tempDir()
    const file = NodePath.join(dir, "t.parquet")
    const pieces: Array<Uint8Array> = []
    const writer = new StagedParquetWriter(
      columns.map((c) => ({ name: c.name, kind: columnKindOf(c.type) })),
      (piece) => pieces.push(Uint8Array.from(piece)),
      "spotpipe test"
    )
    writer.feed(bytes)
    const rows = writer.finish()
    NodeFs.writeFileSync(file, Buffer.concat(pieces))
    return { file, rows, bytes: NodeFs.readFileSync(file) }
  })

/** The rows DuckDB reads back, `SELECT columns`, from the Parquet file `file`. */
const readBack = (file: string, columns: string) =>
  Effect.promise(async () => {
    const db = await DuckDBInstance.create(":memory:")
    const connection = await db.connect()
    try {
      return (await connection.runAndReadAll(`SELECT ${columns} FROM read_parquet('${file}')`)).getRowsJS()
    } finally {
      connection.closeSync()
    }
  })

/** Runs `job` to Parquet: its staged CSV turned into a file by DuckDB, the rows read back. */
const parquetOf = (job: JobSpec<never, never>, columns = "*") =>
  Effect.gen(function* () {
    const out = memory()
    const result = yield* runJob(job, [{ format: "parquet", writer: out.writer }])
    const written = yield* toParquet(out.bytes(), result.columns)
    assert.strictEqual(written.rows, result.rows)
    return { result, staged: out.bytes(), ...written, read: yield* readBack(written.file, columns) }
  })

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
    // A copy: the transcoders reuse a chunk once it is written.
    write: (chunk) => Effect.sync(() => void chunks.push(Buffer.from(chunk)))
  }
  return { writer, bytes: () => Buffer.concat(chunks) }
}

const types: Record<string, string> = {
  Day: "DATE",
  At: "DATE_TIME",
  Qty: "INT64",
  Price: "DOUBLE",
  Name: "VARCHAR",
  Ok: "BOOL"
}
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

/**
 * The local midnight in Los Angeles of a day number (days since 1970-01-01), the instant a DATE cell is: the offset
 * at the day's UTC midnight, corrected by the offset at the instant found (the clocks change at 02:00 or midday).
 */
const laMidnight = (day: number): number => {
  const la = zone("America/Los_Angeles")
  return day * 86_400 - la.offsetSeconds(day * 86_400 - la.offsetSeconds(day * 86_400))
}

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

  it.effect("pages-read-back-by-duckdb-typed-and-the-same-rows-give-the-same-bytes", () =>
    Effect.gen(function* () {
      const perPage = 2000
      const pages: Array<DataPage> = []
      for (let p = 0; p < 3; p++) {
        const rows: Array<ReadonlyArray<unknown>> = []
        for (let i = 0; i < perPage; i++) {
          const n = p * perPage + i
          rows.push([
            n % 7 === 0 ? null : `name ${n}`,
            // A DATE is a midnight in Los Angeles: days 1992-01-01 … 1992-03-30, before the clocks change.
            n % 5 === 0 ? { v: { s: 709974000, e: 717922800 } } : 694252800 + 86400 * (n % 90),
            n % 11 === 0 ? null : 1625759921 + n,
            9007199254740993n + BigInt(n),
            n / 4
          ])
        }
        pages.push({ columnNames, rows })
      }
      const first = yield* parquetOf(
        spec(pages),
        `"Name", "Day"::VARCHAR, "Day (end)"::VARCHAR, epoch_us("At")::VARCHAR, "Qty"::VARCHAR, "Price"`
      )
      const second = yield* parquetOf(spec(pages))
      assert.strictEqual(first.result.rows, 3 * perPage)
      assert.isTrue(first.bytes.equals(second.bytes))
      assert.strictEqual(first.bytes.subarray(0, 4).toString("latin1"), "PAR1")
      const rows = first.read
      assert.strictEqual(rows.length, 3 * perPage)
      assert.deepStrictEqual(rows[0], [null, "1992-07-01", "1992-10-01", null, "9007199254740993", 0])
      assert.deepStrictEqual(rows[1], ["name 1", "1992-01-02", null, "1625759922000000", "9007199254740994", 0.25])
      const schema = yield* readBack(first.file, "*").pipe(
        Effect.andThen(() =>
          Effect.promise(async () => {
            const db = await DuckDBInstance.create(":memory:")
            const connection = await db.connect()
            try {
              const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${first.file}')`)
              return described.getRowsJS().map((r) => `${r[0]} ${r[1]}`)
            } finally {
              connection.closeSync()
            }
          })
        )
      )
      assert.deepStrictEqual(schema, [
        "Name VARCHAR",
        "Day DATE",
        "Day (end) DATE",
        "At TIMESTAMP WITH TIME ZONE",
        "At (end) TIMESTAMP WITH TIME ZONE",
        "Qty BIGINT",
        "Price DOUBLE"
      ])
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
      const job = { ...spec([]), pages: fromBytes('[[9.007199254740993e15,"a"],[-0.0,"b"]]', names) }
      const { read } = yield* parquetOf(job, `"Qty"`)
      assert.deepStrictEqual(read, [[9007199254740993n], [0n]])
    })
  )

  it.effect("a-negative-zero-double-is--0-in-csv-ndjson-and-parquet-alike-and-0-in-an-int64-column", () =>
    Effect.gen(function* () {
      const names = ["Price", "Qty"]
      const json = "[[-0,-0],[-0.0,-0.0],[-0e3,0],[0,1]]"
      // Read from the response bytes (the transcoder) and from parsed rows (the ordinary path).
      const fromRows = {
        ...spec([
          {
            columnNames: names,
            rows: [
              [-0, 0n],
              [0, 1n]
            ]
          }
        ])
      }
      for (const job of [{ ...spec([]), pages: fromBytes(json, names) }, fromRows]) {
        const csv = memory()
        const ndjson = memory()
        const parquet = memory()
        yield* runJob(job, [
          { format: "csv", writer: csv.writer },
          { format: "ndjson", writer: ndjson.writer }
        ])
        const result = yield* runJob(job, [{ format: "parquet", writer: parquet.writer }])
        const zeros = job === fromRows ? 1 : 3
        assert.strictEqual(
          csv.bytes().toString("utf8"),
          `Price,Qty\r\n${"-0,0\r\n".repeat(zeros)}0,1\r\n`,
          "CSV writes a negative zero -0 (an INT64 0)"
        )
        const lines = ndjson.bytes().toString("utf8").trimEnd().split("\n")
        assert.deepStrictEqual(lines, [...Array<string>(zeros).fill('{"Price":-0,"Qty":0}'), '{"Price":0,"Qty":1}'])
        assert.isTrue(Object.is(JSON.parse(lines[0]!).Price, -0))
        const written = yield* toParquet(parquet.bytes(), result.columns)
        const read = yield* readBack(written.file, `signbit("Price"), "Qty"`)
        assert.deepStrictEqual(read, [...Array<unknown>(zeros).fill([true, 0n]), [false, 1n]])
        // DuckDB reads the CSV's -0 as a negative zero too.
        const file = NodePath.join(tempDir(), "t.csv")
        NodeFs.writeFileSync(file, csv.bytes())
        const loaded = yield* Effect.promise(async () => {
          const db = await DuckDBInstance.create(":memory:")
          const connection = await db.connect()
          try {
            const sql = `SELECT signbit("Price") FROM read_csv('${file}', header = true, columns = {'Price': 'DOUBLE', 'Qty': 'BIGINT'})`
            return (await connection.runAndReadAll(sql)).getRowsJS()
          } finally {
            connection.closeSync()
          }
        })
        assert.deepStrictEqual(loaded, [...Array<unknown>(zeros).fill([true]), [false]])
      }
    })
  )

  it.effect("an-object-cell-in-a-text-column-keeps-its-numbers-as-sent", () =>
    Effect.gen(function* () {
      const names = ["Name", "Qty"]
      const job = { ...spec([]), pages: fromBytes('[[{"x":1.50,"y":[2E3]},7]]', names) }
      const { read } = yield* parquetOf(job, `"Name", "Qty"`)
      assert.deepStrictEqual(read, [['{"x":1.50,"y":[2E3]}', 7n]])
    })
  )

  const fromPages =
    (jsons: ReadonlyArray<string>, names: ReadonlyArray<string>) =>
    (decoder: PageDecoder): Stream.Stream<DataPage> =>
      Stream.fromIterable(jsons).pipe(
        Stream.mapEffect((json) => Effect.orDie(decoder(lend(json, names)))),
        Stream.map((rows): DataPage => ({ columnNames: names, rows }))
      )

  it.effect(
    "pages-read-from-bytes-give-the-file-the-same-rows-give-parsed",
    () =>
      Effect.gen(function* () {
        const names = ["Name", "Day", "At", "Qty", "Price", "Ok"]
        const orNull = <A>(value: fc.Arbitrary<A>) => fc.option(value, { nil: null, freq: 8 })
        const row = fc.tuple(
          orNull(fc.string({ maxLength: 12 })),
          orNull(fc.integer({ min: -700_000, max: 2_900_000 }).map(laMidnight)),
          orNull(fc.integer({ min: -60_000_000_000, max: 250_000_000_000 })),
          orNull(fc.maxSafeInteger()),
          // JSON has no -0 (it reads back as 0), NaN or infinities; a double beyond 2^53 may print as an integer
          // that is not exactly the double (refused when read from bytes, as it must be).
          orNull(fc.double({ min: -1e15, max: 1e15, noNaN: true }).map((x) => (Object.is(x, -0) ? 0 : x))),
          orNull(fc.boolean())
        )
        const page = fc
          .integer({ min: 0, max: 3000 })
          .chain((length) => fc.array(row, { minLength: length, maxLength: length }))
        const pages = fc.array(page, { minLength: 1, maxLength: 3 })
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(pages, async (pageRows) => {
              const parsed = memory()
              const read = memory()
              const asRows = pageRows.map((rows): DataPage => ({ columnNames: names, rows }))
              const job = {
                ...spec([]),
                pages: fromPages(
                  pageRows.map((rows) => JSON.stringify(rows)),
                  names
                )
              }
              await Effect.runPromise(runJob({ ...spec(asRows) }, [{ format: "parquet", writer: parsed.writer }]))
              await Effect.runPromise(runJob(job, [{ format: "parquet", writer: read.writer }]))
              return parsed.bytes().equals(read.bytes())
            }),
            { numRuns: 20 }
          )
        )
      }),
    60_000
  )

  it.effect(
    "pages-read-from-bytes-read-back-by-duckdb-as-sent",
    () =>
      Effect.gen(function* () {
        const names = ["Name", "Qty", "Price", "Ok"]
        const sizes = [995, 1010, 7, 2003]
        let n = 0
        const pageRows = sizes.map((size) =>
          Array.from({ length: size }, () => {
            const i = n++
            return [
              i % 7 === 0 ? null : `n${i}`,
              i % 5 === 0 ? null : (i % 2 === 0 ? -1 : 1) * (2 ** 52 + i),
              i % 3 === 0 ? null : i / 8 - 1000,
              i % 4 === 0 ? null : i % 3 === 1
            ]
          })
        )
        const job = {
          ...spec([]),
          pages: fromPages(
            pageRows.map((rows) => JSON.stringify(rows)),
            names
          )
        }
        const { read: rows } = yield* parquetOf(job)
        const expected = pageRows
          .flat()
          .map(([name, qty, price, ok]) => [name, qty === null ? null : BigInt(qty as number), price, ok])
        assert.strictEqual(rows.length, expected.length)
        assert.deepStrictEqual(rows as Array<Array<unknown>>, expected)
      }),
    30_000
  )

  it.effect("a-cell-that-cannot-be-written-on-a-later-page-read-from-bytes-names-its-row-over-the-result", () =>
    Effect.gen(function* () {
      const names = ["Qty", "Name"]
      const job = { ...spec([]), pages: fromPages(['[[1,"a"],[2,"b"],[3,"c"]]', '[[4,"d"],[4.5,"e"]]'], names) }
      const error = yield* Effect.flip(runJob(job, [{ format: "parquet", writer: memory().writer }]))
      assert.strictEqual(error.kind, "BadData")
      assert.include(error.message, 'row 5, column "Qty"')
      assert.include(error.message, "4.5")
    })
  )

  // What DuckDB's casts would change without a word ("1.5" → 2 in BIGINT, "yes" → true, a 17-digit integer to the
  // nearest double) never reaches it: a typed column copies only what it holds, the rest is checked and refused.
  for (const [label, names, json, column, shows] of [
    ["a-string-in-an-int64-column", ["Qty", "Name"], '[[1,"a"],["1.5","b"]]', "Qty", "1.5"],
    ["a-boolean-in-an-int64-column", ["Qty", "Name"], '[[1,"a"],[true,"b"]]', "Qty", "true"],
    ["a-string-in-a-boolean-column", ["Ok", "Name"], '[[true,"a"],["yes","b"]]', "Ok", "yes"],
    ["a-number-in-a-boolean-column", ["Ok", "Name"], '[[false,"a"],[1,"b"]]', "Ok", "1"],
    ["a-string-in-a-double-column", ["Price", "Name"], '[[1.5,"a"],["2.5","b"]]', "Price", "2.5"],
    [
      "an-integer-a-double-cannot-hold",
      ["Price", "Name"],
      '[[1.5,"a"],[12345678901234567,"b"]]',
      "Price",
      "12345678901234567"
    ]
  ] as const) {
    for (const [path, pagesOf] of [
      ["from-bytes", (text: string) => fromBytes(text, names)],
      [
        "parsed",
        (text: string) => () =>
          Stream.succeed<DataPage>({ columnNames: names, rows: parseJsonExact(text) as Pagination.Rows })
      ]
    ] as const) {
      it.effect(`${label}-is-refused-${path}`, () =>
        Effect.gen(function* () {
          const job = { ...spec([]), pages: pagesOf(json) }
          const error = yield* Effect.flip(runJob(job, [{ format: "parquet", writer: memory().writer }]))
          assert.strictEqual(error.kind, "BadData")
          assert.include(error.message, `row 2, column "${column}"`)
          assert.include(error.message, shows)
        })
      )
    }
  }

  it.effect(
    "what-typed-columns-hold-exactly-passes-from-bytes-and-text-keeps-null-empty-and-the-null-string-apart",
    () =>
      Effect.gen(function* () {
        const names = ["Name", "Qty", "Price", "Ok"]
        const json =
          '[[null,"12",9007199254740992,"true"],["",-9223372036854775808,123456789012345,false],' +
          '["\\\\N",null,1e300,null],["a,\\"b\\"\\nc",7,-0.5,true]]'
        const { read } = yield* parquetOf({ ...spec([]), pages: fromBytes(json, names) })
        assert.deepStrictEqual(read, [
          [null, 12n, 9007199254740992, true],
          ["", -(2n ** 63n), 123456789012345, false],
          ["\\N", null, 1e300, null],
          ['a,"b"\nc', 7n, -0.5, true]
        ])
      })
  )

  /**
   * Runs one of `workers` (by default a pool of its own) over the staged text `staged` of a one-column INT64
   * output, in a fresh folder, and ends the file.
   */
  const writeStaged = (staged: string, rows: number, workers?: ParquetWorkers) =>
    Effect.gen(function* () {
      const dir = tempDir()
      const partial = NodePath.join(dir, "t.partial")
      NodeFs.writeFileSync(partial, staged)
      const result = yield* Effect.result(
        Effect.scoped(
          Effect.gen(function* () {
            const writer = yield* startParquetWriter(
              { what: 'answer "Test"', file: "t.parquet" },
              partial,
              [{ name: "Qty", type: "INT64" }],
              workers ?? (yield* makeParquetWorkers())
            )
            yield* writer.advance(4)
            return yield* writer.finish(Buffer.byteLength(staged), rows)
          })
        )
      )
      return { error: result._tag === "Failure" ? result.failure : undefined, dir, partial }
    }).pipe(Effect.provide(NodeServices.layer))

  /** `workers`, noting the thread of every worker it hands out (and, in `taken`, the worker itself). */
  const noting = (
    workers: ParquetWorkers,
    threads: Array<number>,
    taken: Array<{ readonly threadId: number }> = []
  ): ParquetWorkers => ({
    ...workers,
    take: () => {
      const worker = workers.take()
      threads.push(worker.threadId)
      taken.push(worker)
      return worker
    }
  })

  it.effect("one-worker-writes-output-after-output-and-each-file-holds-only-its-own-rows", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const threads: Array<number> = []
        const workers = noting(yield* makeParquetWorkers({ warm: true }), threads)
        const first = yield* writeStaged("Qty\n1\n2\n", 2, workers)
        const second = yield* writeStaged("Qty\n30\n", 1, workers)
        assert.strictEqual(first.error, undefined)
        assert.strictEqual(second.error, undefined)
        assert.strictEqual(threads.length, 2)
        assert.strictEqual(threads[1], threads[0])
        assert.deepStrictEqual(yield* readBack(first.partial, "Qty"), [[1n], [2n]])
        assert.deepStrictEqual(yield* readBack(second.partial, "Qty"), [[30n]])
      })
    )
  )

  it.effect("a-worker-whose-output-failed-is-stopped-and-the-next-output-gets-a-new-one", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const threads: Array<number> = []
        const taken: Array<{ readonly threadId: number }> = []
        const workers = noting(yield* makeParquetWorkers(), threads, taken)
        const failed = yield* writeStaged("Qty\n1\nabc\n", 2, workers)
        assert.strictEqual(failed.error?.kind, "BadData")
        // Stopped when its output ended, not left running until the run's end (a thread gone reads -1).
        assert.strictEqual(taken[0]?.threadId, -1)
        const next = yield* writeStaged("Qty\n5\n", 1, workers)
        assert.strictEqual(next.error, undefined)
        assert.notStrictEqual(threads[1], threads[0])
        assert.deepStrictEqual(yield* readBack(next.partial, "Qty"), [[5n]])
      })
    )
  )

  it.effect(
    "a-staged-cell-its-column-cannot-hold-fails-the-output-and-leaves-the-staged-file-and-nothing-beside-it",
    () =>
      Effect.gen(function* () {
        // Not what the typed writer stages (it refuses such a cell first): the Parquet side refuses it too.
        const { error, dir, partial } = yield* writeStaged("Qty\n1\nabc\n", 2)
        assert.strictEqual(error?.kind, "BadData")
        assert.include(error?.message, 'answer "Test": t.parquet could not be written as Parquet: row 2, column "Qty"')
        assert.notInclude(error?.message, "\n")
        assert.deepStrictEqual(NodeFs.readdirSync(dir), ["t.partial"])
        assert.strictEqual(NodeFs.readFileSync(partial, "utf8"), "Qty\n1\nabc\n")
      })
  )

  it.effect("a-parquet-file-the-file-system-refuses-says-what-is-in-the-way-as-every-output-write-does", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const partial = NodePath.join(dir, "t.partial")
      NodeFs.writeFileSync(partial, "Qty\n1\n")
      NodeFs.mkdirSync(parquetTarget(partial))
      const error = yield* Effect.flip(
        Effect.scoped(
          Effect.gen(function* () {
            const writer = yield* startParquetWriter(
              { what: 'answer "Test"', file: "t.parquet" },
              partial,
              [{ name: "Qty", type: "INT64" }],
              yield* makeParquetWorkers()
            )
            return yield* writer.finish(6, 1)
          })
        )
      ).pipe(Effect.provide(NodeServices.layer))
      assert.strictEqual(error.kind, "Io")
      assert.include(error.message, "cannot write to t.parquet: a folder of that name is in the way")
      assert.notInclude(error.message, "could not be written as Parquet")
    })
  )

  it("a-parquet-file-over-the-file-size-limit-says-so-not-to-check-the-folder", () => {
    const error = parquetFailure(
      { what: 'answer "Test"', file: "t.parquet" },
      { _tag: "Failed", message: "EFBIG: file too large, write", code: "EFBIG" }
    )
    assert.strictEqual(error.kind, "Io")
    assert.include(error.message, "file-size limit (ulimit -f)")
    assert.notInclude(error.message, "check that its folder still exists")
    const full = parquetFailure(
      { what: 'answer "Test"', file: "t.parquet" },
      { _tag: "Failed", message: "x", code: "ENOSPC" }
    )
    assert.strictEqual(full.kind, "DiskFull")
  })

  it.effect("a-row-count-other-than-the-exports-fails-the-output-and-writes-nothing-beside-the-staged-file", () =>
    Effect.gen(function* () {
      const { error, dir } = yield* writeStaged("Qty\n1\n2\n", 3)
      assert.strictEqual(error?.kind, "Incomplete")
      assert.include(error?.message, "2 rows were written to t.parquet but 3 were exported")
      assert.deepStrictEqual(NodeFs.readdirSync(dir), ["t.partial"])
    })
  )
})
