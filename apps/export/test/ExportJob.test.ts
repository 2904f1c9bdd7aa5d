import { assert, describe, it } from "@effect/vitest"
import type { Pagination } from "@spotpipe/core"
import { resolveTimeZone, type TimeZone } from "@spotpipe/decode"
import { Effect, Stream } from "effect"
import type { DataPage, PageDecoder } from "../src/cluster/Cluster.ts"
import { type JobSpec, runJob, silentProgress } from "../src/engine/ExportJob.ts"
import { makeTranscodePool, type TranscodePool } from "../src/engine/TranscodePool.ts"
import type { ChunkWriter } from "../src/output/AtomicFile.ts"
import { planColumns, typesByPosition } from "../src/plan/ColumnPlanner.ts"

const zone = (name: string): TimeZone => {
  const z = resolveTimeZone(name)
  if (z instanceof Error) throw z
  return z
}

const memory = () => {
  const chunks: Array<string> = []
  const writer: ChunkWriter = {
    write: (chunk) =>
      Effect.sync(() => void chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8")))
  }
  return { writer, text: () => chunks.join("") }
}

const types: Record<string, string> = { Day: "DATE", At: "DATE_TIME", Qty: "INT64", Name: "VARCHAR" }

const spec = (
  pages: ReadonlyArray<DataPage>,
  overrides: Partial<JobSpec<never, never>> = {}
): JobSpec<never, never> => ({
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
  periodEnd: false,
  progress: silentProgress,
  ...overrides
})

const columnNames = ["Name", "Day", "At", "Qty"]
// 694252800 = 1992-01-01T08:00:00Z = local midnight in Los Angeles.
const page1: DataPage = {
  columnNames,
  rows: [['a, "b"', 694252800, 1625759921, 9007199254740993n]],
  availableRowCount: 2,
  samplingRatio: 1
}
const page2: DataPage = {
  columnNames,
  rows: [[null, { v: { s: 709974000, e: 717922800 } }, null, 1]],
  availableRowCount: 2,
  samplingRatio: 1
}

describe("runJob", () => {
  it.effect("pages-are-rendered-in-the-data-timezone-into-every-sink", () =>
    Effect.gen(function* () {
      const csv = memory()
      const ndjson = memory()
      const result = yield* runJob(spec([page1, page2]), [
        { format: "csv", writer: csv.writer },
        { format: "ndjson", writer: ndjson.writer }
      ])
      assert.strictEqual(
        csv.text(),
        'Name,Day,At,Qty\r\n"a, ""b""",1992-01-01,2021-07-08T15:58:41Z,9007199254740993\r\n,1992-07-01,,1\r\n'
      )
      assert.strictEqual(
        ndjson.text(),
        '{"Name":"a, \\"b\\"","Day":"1992-01-01","At":"2021-07-08T15:58:41Z","Qty":9007199254740993}\n' +
          '{"Name":null,"Day":"1992-07-01","At":null,"Qty":1}\n'
      )
      assert.deepStrictEqual(
        { rows: result.rows, pages: result.pages, available: result.availableRowCount, warnings: result.warnings },
        { rows: 2, pages: 2, available: 2, warnings: [] }
      )
      assert.deepStrictEqual(
        result.columns.map((c) => [c.name, c.type]),
        [
          ["Name", "VARCHAR"],
          ["Day", "DATE"],
          ["At", "DATE_TIME"],
          ["Qty", "INT64"]
        ]
      )
    })
  )

  it.effect("a-continued-job-appends-its-pages-without-a-header-and-counts-on", () =>
    Effect.gen(function* () {
      const whole = memory()
      yield* runJob(spec([page1, page2]), [{ format: "csv", writer: whole.writer }])
      const head = memory()
      yield* runJob(spec([page1]), [{ format: "csv", writer: head.writer }])
      const tail = memory()
      const result = yield* runJob(spec([page2], { continues: { rows: 1, pages: 1 } }), [
        { format: "csv", writer: tail.writer }
      ])
      // the first run's text plus the continuation is the uninterrupted run's text
      assert.strictEqual(head.text() + tail.text(), whole.text())
      assert.isFalse(tail.text().startsWith("Name,"))
      assert.deepStrictEqual(
        { rows: result.rows, pages: result.pages, warnings: result.warnings },
        { rows: 2, pages: 2, warnings: [] }
      )
    })
  )

  it.effect("period-end-companion-carries-the-custom-calendar-end", () =>
    Effect.gen(function* () {
      const out = memory()
      const result = yield* runJob(spec([page2], { periodEnd: true }), [{ format: "csv", writer: out.writer }])
      assert.strictEqual(out.text(), "Name,Day,Day (end),At,At (end),Qty\r\n,1992-07-01,1992-10-01,,,1\r\n")
      assert.deepStrictEqual(result.columns[2], { name: "Day (end)", type: "DATE", end_of: "Day" })
    })
  )

  it.effect("period-end-adds-no-companion-to-a-time-column", () =>
    Effect.gen(function* () {
      // A time of day is no period: its companion would always be null.
      const out = memory()
      const page: DataPage = { columnNames: ["Day", "T"], rows: [[{ v: { s: 709948800, e: 717897600 } }, 64240]] }
      const typed = { Day: "DATE", T: "TIME" } as Record<string, string>
      const plan = (names: ReadonlyArray<string>) =>
        planColumns(
          names,
          names.map((n) => typed[n] ?? null),
          { timeZone: zone("UTC"), offset: "utc" }
        )
      yield* runJob(spec([page], { periodEnd: true, plan }), [{ format: "csv", writer: out.writer }])
      assert.strictEqual(out.text(), "Day,Day (end),T\r\n1992-07-01,1992-10-01,17:50:40\r\n")
    })
  )

  it.effect("a-sample-or-short-result-is-written-with-warnings", () =>
    Effect.gen(function* () {
      const out = memory()
      const result = yield* runJob(spec([{ ...page1, availableRowCount: 5, samplingRatio: 0.25 }]), [
        { format: "csv", writer: out.writer }
      ])
      assert.strictEqual(result.samplingRatio, 0.25)
      assert.strictEqual(result.warnings.length, 2)
      assert.include(result.warnings[0]!, "sampling_ratio is 0.25")
      assert.include(result.warnings[1]!, "1 rows written but available_data_row_count is 5")
    })
  )

  it.effect("timestamp-and-time-columns-render-in-the-data-zone-with-either-offset-style", () =>
    Effect.gen(function* () {
      const page: DataPage = {
        columnNames: ["Ts", "T"],
        rows: [
          [1625759921, 1625759921],
          [null, { v: { s: 0 } }]
        ]
      }
      const typed = { Ts: "TIMESTAMP", T: "TIME" } as Record<string, string>
      const run = (offset: "utc" | "zone") => {
        const out = memory()
        return Effect.map(
          runJob(
            spec([page], {
              plan: (names) =>
                planColumns(
                  names,
                  names.map((n) => typed[n] ?? null),
                  { timeZone: zone("America/Los_Angeles"), offset }
                )
            }),
            [{ format: "csv", writer: out.writer }]
          ),
          () => out.text()
        )
      }
      // 1625759921 = 2021-07-08T15:58:41Z = 08:58:41 PDT; epoch 0 = 16:00:00 PST on 1969-12-31.
      assert.strictEqual(yield* run("utc"), "Ts,T\r\n2021-07-08T15:58:41Z,08:58:41\r\n,16:00:00\r\n")
      assert.strictEqual(yield* run("zone"), "Ts,T\r\n2021-07-08T08:58:41-07:00,08:58:41\r\n,16:00:00\r\n")
    })
  )

  it.effect("a-column-metadata-does-not-describe-is-written-as-received-with-a-warning", () =>
    Effect.gen(function* () {
      const out = memory()
      const page: DataPage = {
        columnNames: ["Mystery", "Qty"],
        rows: [
          [{ v: { s: 0 } }, 1],
          [7, 2]
        ]
      }
      const result = yield* runJob(spec([page]), [{ format: "csv", writer: out.writer }])
      assert.strictEqual(out.text(), "Mystery,Qty\r\n1970-01-01T00:00:00Z,1\r\n7,2\r\n")
      assert.deepStrictEqual(result.warnings, [
        'column "Mystery" has no type in the metadata: written as received (Custom Calendar cells as RFC 3339 instants)'
      ])
    })
  )

  it.effect("no-pages-still-writes-the-header", () =>
    Effect.gen(function* () {
      const out = memory()
      const result = yield* runJob(spec([]), [{ format: "csv", writer: out.writer }])
      assert.strictEqual(out.text(), "Day\r\n")
      assert.strictEqual(result.rows, 0)
    })
  )

  it.effect("columns-changing-between-pages-fail-the-job", () =>
    Effect.gen(function* () {
      const out = memory()
      const error = yield* Effect.flip(
        runJob(spec([page1, { ...page2, columnNames: ["Name", "Day", "Qty", "At"] }]), [
          { format: "csv", writer: out.writer }
        ])
      )
      assert.strictEqual(error.kind, "Incomplete")
      assert.include(error.message, "changed while paging")
    })
  )

  it.effect("an-invalid-date-cell-fails-naming-row-and-column", () =>
    Effect.gen(function* () {
      const out = memory()
      const bad: DataPage = { columnNames, rows: [["x", 1.5, null, 1]] }
      const error = yield* Effect.flip(runJob(spec([page1, bad]), [{ format: "ndjson", writer: out.writer }]))
      assert.strictEqual(error.kind, "BadData")
      assert.include(error.message, 'row 2, column "Day"')
    })
  )

  // Pages read from response bytes, as the core client lends them, with or without a worker pool.
  const lend = (body: Buffer, names: ReadonlyArray<string>): Pagination.PageBytes => {
    const start = body.indexOf("[")
    const end = body.lastIndexOf("]") + 1
    const rowCount = (JSON.parse(body.subarray(start, end).toString()) as Array<unknown>).length
    return {
      columnNames: names,
      rowCount,
      recordOffset: 0,
      availableRowCount: rowCount,
      samplingRatio: 1,
      bytes: body,
      start,
      end
    }
  }
  /** A page the decoder transcodes from the bytes (a page it declines fails the test). */
  const transcoded = (decoder: PageDecoder, body: Buffer, names: ReadonlyArray<string>) =>
    Effect.map(Effect.orDie(decoder(lend(body, names))), (rows): DataPage => {
      if (Array.isArray(rows)) throw new Error("the page was declined")
      return { columnNames: names, rows }
    })
  const bodyPage = (rows: ReadonlyArray<ReadonlyArray<unknown>>) =>
    Buffer.from(`{"data_rows":${JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? v.toString() : v))},"n":1}`)
  const fromBodies =
    (bodies: ReadonlyArray<Buffer>) =>
    (decoder: PageDecoder): Stream.Stream<DataPage> =>
      Stream.fromIterable(bodies).pipe(
        // Two pages at a time, as the client prefetches: the second finds the worker busy now and then.
        Stream.mapEffect((body) => transcoded(decoder, body, columnNames), { concurrency: 2 })
      )
  const largePages = Array.from({ length: 6 }, (_, p) =>
    bodyPage(
      Array.from({ length: 6000 }, (_, i) => [
        // Every fifth name holds a `],[`, so some cuts fall inside a string and go back to this thread.
        i % 5 === 0 ? `n${i}],[x` : `name "${p}", ${i}`,
        694252800 + (i % 90) * 86400, // a DATE: a midnight in Los Angeles (1992-01-01 … 1992-03-30, no DST change)
        i % 7 === 0 ? null : 1625759921 + i,
        9007199254740993n + BigInt(i)
      ])
    )
  )
  const runBodies = (pool: TranscodePool | undefined) =>
    Effect.gen(function* () {
      const csv = memory()
      const ndjson = memory()
      const offload =
        pool === undefined ? {} : { offload: { pool, timeZone: "America/Los_Angeles", offset: "utc" as const } }
      const result = yield* runJob({ ...spec([]), pages: fromBodies(largePages), ...offload }, [
        { format: "csv", writer: csv.writer },
        { format: "ndjson", writer: ndjson.writer }
      ])
      return { csv: csv.text(), ndjson: ndjson.text(), rows: result.rows }
    })

  it.live("pages-shared-with-a-worker-are-written-byte-for-byte-as-this-thread-writes-them", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const here = yield* runBodies(undefined)
        const pool = yield* makeTranscodePool(1)
        const shared = yield* runBodies(pool)
        assert.strictEqual(here.rows, 36_000)
        assert.strictEqual(shared.rows, 36_000)
        assert.isTrue(shared.csv === here.csv, "CSV differs")
        assert.isTrue(shared.ndjson === here.ndjson, "NDJSON differs")
        // The worker really did rows (a worker that fails to load would pass the comparison unnoticed).
        assert.isAbove(pool.counts().done, 0)
      })
    )
  )

  it.live("a-cut-inside-a-string-leaves-the-page-to-this-thread", () =>
    Effect.scoped(
      Effect.gen(function* () {
        // One row, so its only `],[` is the one near the end of its long cell: every cut falls inside it.
        const page = bodyPage([[`${"y".repeat(400_000)}],[z`, 694252800, null, 1]])
        const write = (pool: TranscodePool | undefined) =>
          Effect.gen(function* () {
            const csv = memory()
            const offload =
              pool === undefined ? {} : { offload: { pool, timeZone: "America/Los_Angeles", offset: "utc" as const } }
            const result = yield* runJob({ ...spec([]), pages: fromBodies([page]), ...offload }, [
              { format: "csv", writer: csv.writer }
            ])
            return { text: csv.text(), rows: result.rows }
          })
        const pool = yield* makeTranscodePool(1)
        const here = yield* write(undefined)
        const shared = yield* write(pool)
        assert.strictEqual(shared.rows, 1)
        assert.isTrue(shared.text === here.text, "output differs")
        assert.strictEqual(pool.counts().taken, 1)
      })
    )
  )

  it.live("a-cell-that-cannot-be-written-on-a-page-read-from-bytes-names-its-row-in-the-whole-result", () =>
    Effect.scoped(
      Effect.gen(function* () {
        // Page 3 of 6000-row pages, its 5500th row (in the worker's part of the page when shared): result row 17500.
        const pages = largePages.slice(0, 3).map((body, p) => {
          if (p < 2) return body
          const text = body.toString("utf8")
          const qty = `${9007199254740993n + 5499n}`
          return Buffer.from(text.replace(`"${qty}"]`, `${qty}.5]`))
        })
        for (const pool of [undefined, yield* makeTranscodePool(1)]) {
          const offload =
            pool === undefined ? {} : { offload: { pool, timeZone: "America/Los_Angeles", offset: "utc" as const } }
          const error = yield* Effect.flip(
            runJob({ ...spec([]), pages: fromBodies(pages), ...offload }, [{ format: "csv", writer: memory().writer }])
          )
          assert.strictEqual(error.kind, "BadData")
          assert.strictEqual(
            error.message,
            'answer "Test": row 17500, column "Qty": 9007199254746492.5 is not an integer, but the column is INT64; it cannot be written without changing it: correct the value at the source'
          )
        }
      })
    )
  )

  it.effect("a-lent-page-whose-rows-miscount-or-end-elsewhere-is-malformed", () =>
    Effect.gen(function* () {
      const body = Buffer.from('{"data_rows":[["a",694252800,1625759921,1],["b",694252800,1625759921,2]],"x":[[3]]}')
      const start = body.indexOf("[")
      const rowsEnd = body.indexOf("]]") + 2
      const lent = {
        columnNames,
        recordOffset: 0,
        availableRowCount: 2,
        samplingRatio: 1,
        bytes: body,
        start
      }
      const cases: ReadonlyArray<readonly [Pagination.PageBytes, string]> = [
        // The envelope says 3 rows, the array holds 2: damaged in transit, to be requested again.
        [{ ...lent, rowCount: 3, end: rowsEnd }, "a data page holds 2 rows but says 3"],
        // The rows end before the span does: not one array there (the exact parse says so).
        [{ ...lent, rowCount: 2, end: body.length - 1 }, "not valid JSON"]
      ]
      for (const [page, says] of cases) {
        const out = memory()
        const error = yield* Effect.flip(
          runJob(
            {
              ...spec([]),
              pages: (decoder) => Stream.fromEffect(decoder(page)).pipe(Stream.map((rows) => ({ columnNames, rows })))
            },
            [{ format: "csv", writer: out.writer }]
          )
        )
        assert.strictEqual(error._tag, "BadPage")
        assert.isTrue((error as Pagination.BadPage).malformed)
        assert.include((error as Pagination.BadPage).description, says)
      }
      // The same page with the right span and count is written.
      const out = memory()
      yield* runJob(
        {
          ...spec([]),
          pages: (decoder) =>
            Stream.fromEffect(decoder({ ...lent, rowCount: 2, end: rowsEnd })).pipe(
              Stream.map((rows) => ({ columnNames, rows }))
            )
        },
        [{ format: "csv", writer: out.writer }]
      )
      assert.include(out.text(), "a,1992-01-01")
    })
  )

  it.effect("repeated-column-names-keep-their-own-types-and-get-distinct-output-names", () =>
    Effect.gen(function* () {
      // Two columns named Ts: a DATE_TIME then a DATE (types by position), and a column already named "Ts (2)".
      const names = ["Ts", "Ts", "Ts (2)"]
      const listed = [
        { name: "Ts", type: "DATE_TIME" },
        { name: "Ts", type: "DATE" },
        { name: "Ts (2)", type: "VARCHAR" }
      ]
      // The DATE cell is 2021-07-08's midnight in UTC, the data time zone here.
      const body = Buffer.from('{"data_rows":[[1625759921,1625702400,"x"]]}')
      const parsed: DataPage = { columnNames: names, rows: [[1625759921, 1625702400, "x"]] }
      const fromBytes = (decoder: PageDecoder): Stream.Stream<DataPage> =>
        Stream.fromEffect(transcoded(decoder, body, names))
      const typed = {
        plan: (columns: ReadonlyArray<string>) =>
          planColumns(columns, typesByPosition(listed)(columns), { timeZone: zone("UTC"), offset: "utc" })
      }
      for (const pages of [() => Stream.make(parsed), fromBytes]) {
        const csv = memory()
        const ndjson = memory()
        const result = yield* runJob({ ...spec([]), ...typed, pages }, [
          { format: "csv", writer: csv.writer },
          { format: "ndjson", writer: ndjson.writer }
        ])
        assert.strictEqual(csv.text(), "Ts,Ts (3),Ts (2)\r\n2021-07-08T15:58:41Z,2021-07-08,x\r\n")
        assert.strictEqual(ndjson.text(), '{"Ts":"2021-07-08T15:58:41Z","Ts (3)":"2021-07-08","Ts (2)":"x"}\n')
        assert.deepStrictEqual(result.columns, [
          { name: "Ts", type: "DATE_TIME" },
          { name: "Ts (3)", source_name: "Ts", type: "DATE" },
          { name: "Ts (2)", type: "VARCHAR" }
        ])
      }
    })
  )

  it.live("a-worker-that-cannot-start-leaves-every-page-to-this-thread", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const here = yield* runBodies(undefined)
        const pool = yield* makeTranscodePool(1, {
          workerUrl: new URL("./fixtures/no-such-worker.ts", import.meta.url)
        })
        const shared = yield* runBodies(pool)
        assert.isTrue(shared.csv === here.csv && shared.ndjson === here.ndjson, "output differs")
        assert.strictEqual(pool.counts().done, 0)
      })
    )
  )
})
