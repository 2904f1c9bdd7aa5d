/** Paged streams: order, bounded prefetch, page checks, Incomplete, sampling warnings, metadata paging. */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import type { PageBytes } from "../src/Pagination.ts"
import { failureOf } from "./exits.ts"
import { dataReply, makeFake, type Reply, testOptions, useClient, withTime, withTokens } from "./fake.ts"

const search = { logicalTableIdentifier: "table-1", queryString: "[n] [label]" }

/** A liveboard "lb" whose visualizations (named as their ids, upper-cased) have `totals` rows each. */
const liveboardFake = (totals: Readonly<Record<string, number>>) =>
  makeFake(
    withTokens((r) => {
      if (r.path !== "metadata/liveboard/data") return { status: 404 }
      const ids = (r.body.visualization_identifiers as ReadonlyArray<string> | undefined) ?? Object.keys(totals)
      const contents = ids.map((id) => ({
        ...(dataReply(r.body, totals[id]!).body as { contents: Array<object> }).contents[0],
        visualization_id: id,
        visualization_name: id.toUpperCase()
      }))
      return { body: { metadata_id: "lb", contents } } satisfies Reply
    })
  )

describe("data pages", () => {
  it.effect("pages-arrive-in-order-with-bounded-prefetch", () =>
    Effect.gen(function* () {
      // later pages answer faster than earlier ones: the output must still be in order
      const fake = makeFake(
        withTokens((r) =>
          r.path === "searchdata"
            ? { ...dataReply(r.body, 1_050), delayMillis: 1_000 - Number(r.body.record_offset) / 2 }
            : { status: 404 }
        )
      )
      const pages = yield* withTime(
        useClient(fake, testOptions({ prefetch: 3, concurrency: 8 }), (c) =>
          Stream.runCollect(c.searchData({ ...search, pageSize: 100 }))
        ),
        10
      )
      expect(pages.map((p) => p.recordOffset)).toEqual(Array.from({ length: 11 }, (_, i) => i * 100))
      expect(pages.map((p) => p.pageIndex)).toEqual(Array.from({ length: 11 }, (_, i) => i))
      expect(pages.every((p) => p.pageCount === 11 && p.availableRowCount === 1_050)).toBe(true)
      const rows = pages.flatMap((p) => p.rows)
      expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 1_050 }, (_, i) => i))
      expect(pages[0]!.columnNames).toEqual(["n", "label"])
      // first page alone, then at most `prefetch` pages in flight
      expect(fake.flight.peak).toBe(3)
      const requests = fake.seen.filter((s) => s.path === "searchdata")
      expect(requests.map((s) => s.body.record_size)).toEqual(Array(11).fill(100))
      expect(requests[0]!.body).toMatchObject({
        logical_table_identifier: "table-1",
        query_string: "[n] [label]",
        data_format: "COMPACT",
        record_offset: 0
      })
    })
  )

  it.effect("default-page-size-is-10000-and-above-100000-is-refused", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens((r) => dataReply(r.body, 25_000)))
      const pages = yield* useClient(fake, testOptions(), (c) => Stream.runCollect(c.searchData(search)))
      expect(pages.map((p) => p.rows.length)).toEqual([10_000, 10_000, 5_000])
      const refused = makeFake(withTokens((r) => dataReply(r.body, 10)))
      const exit = yield* Effect.exit(
        useClient(refused, testOptions(), (c) => Stream.runCollect(c.searchData({ ...search, pageSize: 100_001 })))
      )
      const error = failureOf(exit)
      expect(error.reason._tag).toBe("BadRequest")
      expect(error.message).toContain("from 1 to 100000")
      expect(refused.seen.filter((s) => s.path === "searchdata")).toHaveLength(0)
    })
  )

  it.effect("empty-result-gives-one-page-with-the-columns", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens((r) => dataReply(r.body, 0)))
      const pages = yield* useClient(fake, testOptions(), (c) => Stream.runCollect(c.searchData(search)))
      expect(pages).toHaveLength(1)
      expect(pages[0]).toMatchObject({ columnNames: ["n", "label"], rows: [], availableRowCount: 0, pageCount: 1 })
    })
  )

  it.effect("short-page-before-the-end-fails-incomplete", () =>
    Effect.gen(function* () {
      const fake = makeFake(
        withTokens((r) =>
          r.body.record_offset === 200 ? dataReply(r.body, 500, { rowsOverride: 40 }) : dataReply(r.body, 500)
        )
      )
      const received: Array<number> = []
      const exit = yield* Effect.exit(
        useClient(fake, testOptions(), (c) =>
          c
            .searchData({ ...search, pageSize: 100 })
            .pipe(Stream.runForEach((p) => Effect.sync(() => received.push(p.rows.length))))
        )
      )
      const error = failureOf(exit)
      expect(error.reason).toMatchObject({ _tag: "Incomplete", expectedRows: 500, receivedRows: 240 })
      expect(error.message).toContain("short page at offset 200")
      expect(received).toEqual([100, 100]) // nothing after the gap
    })
  )

  it.effect("a-server-that-caps-rows-per-request-is-told-apart-by-the-page-size-to-use", () =>
    Effect.gen(function* () {
      // A cluster that answers at most 40 rows per request, whatever record_size asks for.
      const fake = makeFake(
        withTokens((r) =>
          dataReply(r.body, 500, {
            rowsOverride: Math.max(0, Math.min(40, Number(r.body.record_size), 500 - Number(r.body.record_offset)))
          })
        )
      )
      const error = failureOf(
        yield* Effect.exit(
          useClient(fake, testOptions(), (c) => Stream.runCollect(c.searchData({ ...search, pageSize: 100 })))
        )
      )
      expect(error.reason).toMatchObject({ _tag: "Incomplete", expectedRows: 500, receivedRows: 40 })
      expect(error.message).toContain("short page at offset 0: 40 rows where 100 were due")
      expect(error.message).toContain("use a page size of at most 40")
      // At that size every page is whole.
      const pages = yield* useClient(fake, testOptions(), (c) =>
        Stream.runCollect(c.searchData({ ...search, pageSize: 40 }))
      )
      expect(pages.reduce((n, p) => n + p.rows.length, 0)).toBe(500)
    })
  )

  it.effect("changing-total-fails-incomplete-saying-the-data-changed-and-to-read-it-again-from-the-start", () =>
    Effect.gen(function* () {
      // Shrunk or grown, sorted or not: the data changed during the read, which no sort clause prevents.
      const sorted = { ...search, queryString: "[n] [label] sort by [n]" }
      for (const [request, later] of [
        [search, 301],
        [search, 250],
        [sorted, 250]
      ] as const) {
        const fake = makeFake(withTokens((r) => dataReply(r.body, r.body.record_offset === 0 ? 300 : later)))
        const error = failureOf(
          yield* Effect.exit(
            useClient(fake, testOptions(), (c) => Stream.runCollect(c.searchData({ ...request, pageSize: 100 })))
          )
        )
        expect(error.reason._tag).toBe("Incomplete")
        expect(error.reason.description).toBe(
          `the result changed while paging: 300 rows announced, then ${later} at offset 100: the data changed during the read; read it again from the start`
        )
        expect(error.message).not.toContain("sort")
      }
    })
  )

  it.effect("page-contradicting-its-row-count-is-retried", () =>
    Effect.gen(function* () {
      let broken = true
      const fake = makeFake(
        withTokens((r) => {
          const reply = dataReply(r.body, 150)
          if (r.body.record_offset === 100 && broken) {
            broken = false
            const body = reply.body as { contents: Array<{ returned_data_row_count: number }> }
            body.contents[0]!.returned_data_row_count = 60
          }
          return reply
        })
      )
      const pages = yield* withTime(
        useClient(fake, testOptions(), (c) => Stream.runCollect(c.searchData({ ...search, pageSize: 100 })))
      )
      expect(pages.flatMap((p) => p.rows)).toHaveLength(150)
      expect(fake.seen.filter((s) => s.path === "searchdata")).toHaveLength(3)
    })
  )

  it.effect("pages-fetched-ahead-are-parsed-only-when-their-turn-comes", () =>
    Effect.gen(function* () {
      // Page 3 (offset 200) arrives broken once: parsed as it arrived, it would be requested again at once; parsed
      // when its turn comes, only after the consumer has held page 1 for 500 ms.
      let broken = true
      const fake = makeFake(
        withTokens((r) => {
          if (r.body.record_offset === 200 && broken) {
            broken = false
            return {
              body: '{"contents":[{"available_data_row_count":1000,"column_names":["n","label"],"data_rows":[[2'
            }
          }
          return dataReply(r.body, 1_000)
        })
      )
      let requestsAtSecond = 0
      const consumed: Array<number> = []
      yield* withTime(
        useClient(fake, testOptions({ prefetch: 3, concurrency: 8 }), (c) =>
          c.searchData({ ...search, pageSize: 100 }).pipe(
            Stream.runForEach((page) =>
              Effect.gen(function* () {
                // let the prefetch run ahead while the consumer holds a page
                yield* Effect.sleep(500)
                if (page.pageIndex === 1) requestsAtSecond = fake.seen.filter((s) => s.path === "searchdata").length
                consumed.push(page.recordOffset)
              })
            )
          )
        ),
        50
      )
      // While the consumer holds page 1, pages 2‥4 have been requested (the first page is fetched alone).
      expect(requestsAtSecond).toBe(5)
      expect(consumed).toEqual(Array.from({ length: 10 }, (_, i) => i * 100))
      const at200 = fake.seen.filter((s) => s.path === "searchdata" && s.body.record_offset === 200)
      expect(at200).toHaveLength(2)
      // Requested again only once the consumer was done with page 1 (500 ms): at most one page is parsed beyond
      // the one the consumer holds. Read as it arrived, it would have been requested again at once.
      expect(at200[1]!.at - at200[0]!.at).toBeGreaterThanOrEqual(500)
    })
  )

  it.effect("page-fetched-ahead-with-a-broken-body-is-requested-again", () =>
    Effect.gen(function* () {
      let broken = true
      const fake = makeFake(
        withTokens((r) => {
          if (r.body.record_offset === 200 && broken) {
            broken = false
            return { body: '{"contents":[{"available_data_row_count":500,"column_names":["n","label"],"data_rows":[[2' }
          }
          return dataReply(r.body, 500)
        })
      )
      const pages = yield* withTime(
        useClient(fake, testOptions({ prefetch: 3, concurrency: 8 }), (c) =>
          Stream.runCollect(c.searchData({ ...search, pageSize: 100 }))
        )
      )
      expect(pages.flatMap((p) => p.rows).map((r) => r[0])).toEqual(Array.from({ length: 500 }, (_, i) => i))
      const at200 = fake.seen.filter((s) => s.path === "searchdata" && s.body.record_offset === 200)
      expect(at200).toHaveLength(2)
    })
  )

  it.effect("sampling-ratio-below-one-is-a-visible-warning", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens((r) => dataReply(r.body, 150, { samplingRatio: 0.25 })))
      const pages = yield* useClient(fake, testOptions(), (c) =>
        Stream.runCollect(c.searchData({ ...search, pageSize: 100 }))
      )
      expect(pages[0]!.samplingRatio).toBe(0.25)
      expect(pages[0]!.warnings).toEqual([
        { _tag: "Sampled", samplingRatio: 0.25, message: expect.stringContaining("sampling_ratio 0.25") }
      ])
      const complete = makeFake(withTokens((r) => dataReply(r.body, 150)))
      const clean = yield* useClient(complete, testOptions(), (c) => Stream.runCollect(c.searchData(search)))
      expect(clean[0]!.warnings).toEqual([])
    })
  )

  it.effect("big-integers-reach-the-caller-exactly", () =>
    Effect.gen(function* () {
      const body = `{"contents":[{"available_data_row_count":2,"column_names":["Order ID","Note"],"data_rows":[[9007199254740993,"9007199254740993"],[-12345678901234567890,null]],"record_offset":0,"record_size":10000,"returned_data_row_count":2,"sampling_ratio":1}]}`
      const fake = makeFake(withTokens(() => ({ body })))
      const pages = yield* useClient(fake, testOptions(), (c) => Stream.runCollect(c.searchData(search)))
      expect(pages[0]!.rows).toEqual([
        [9007199254740993n, "9007199254740993"],
        [-12345678901234567890n, null]
      ])
    })
  )

  it.effect("answer-data-pages", () =>
    Effect.gen(function* () {
      const fake = makeFake(
        withTokens((r) =>
          r.path === "metadata/answer/data"
            ? { body: { metadata_id: "a-1", metadata_name: "A", ...(dataReply(r.body, 250).body as object) } }
            : { status: 404 }
        )
      )
      const pages = yield* useClient(fake, testOptions(), (c) =>
        Stream.runCollect(
          c.answerData({ metadataIdentifier: "a-1", pageSize: 100, runtimeFilter: { col1: "n", op1: "GT", val1: 3 } })
        )
      )
      expect(pages.map((p) => p.rows.length)).toEqual([100, 100, 50])
      expect(fake.seen.find((s) => s.path === "metadata/answer/data")!.body).toMatchObject({
        metadata_identifier: "a-1",
        runtime_filter: { col1: "n", op1: "GT", val1: 3 }
      })
    })
  )

  it.effect("liveboard-page-stream-run-again-refetches-its-first-page", () =>
    Effect.gen(function* () {
      const vizPage = (body: Record<string, unknown>) => ({
        ...(dataReply(body, 250, { columns: ["n", "label"] }).body as { contents: Array<object> }).contents[0],
        visualization_id: "viz-a",
        visualization_name: "VIZ-A"
      })
      const fake = makeFake(
        withTokens((r) =>
          r.path === "metadata/liveboard/data"
            ? ({ body: { metadata_id: "lb", contents: [vizPage(r.body)] } } satisfies Reply)
            : { status: 404 }
        )
      )
      const runs = yield* useClient(fake, testOptions(), (c) =>
        Effect.gen(function* () {
          const [viz] = yield* c.liveboardData({ metadataIdentifier: "lb", pageSize: 100 })
          const first = yield* Stream.runCollect(viz!.pages)
          const second = yield* Stream.runCollect(viz!.pages)
          return [first, second].map((pages) => pages.map((p) => [p.recordOffset, p.rows.length]))
        })
      )
      // the first page is not kept after the first run (memory), so the second run fetches it again
      expect(runs).toEqual([
        [
          [0, 100],
          [100, 100],
          [200, 50]
        ],
        [
          [0, 100],
          [100, 100],
          [200, 50]
        ]
      ])
      const offsets = fake.seen.filter((r) => r.path === "metadata/liveboard/data").map((r) => r.body.record_offset)
      expect(offsets).toEqual([0, 100, 200, 0, 100, 200])
    })
  )

  it.effect("liveboard-visualizations-page-independently", () =>
    Effect.gen(function* () {
      const totals: Record<string, number> = { "viz-a": 250, "viz-b": 30 }
      const vizPage = (body: Record<string, unknown>, id: string) => {
        const content = (
          dataReply(body, totals[id]!, { columns: [`${id}-n`, `${id}-label`] }).body as { contents: Array<object> }
        ).contents[0]
        return { ...content, visualization_id: id, visualization_name: id.toUpperCase() }
      }
      const fake = makeFake(
        withTokens((r) => {
          if (r.path !== "metadata/liveboard/data") return { status: 404 }
          const ids = (r.body.visualization_identifiers as ReadonlyArray<string> | undefined) ?? ["viz-a", "viz-b"]
          return {
            body: { metadata_id: "lb", metadata_name: "LB", contents: ids.map((id) => vizPage(r.body, id)) }
          } satisfies Reply
        })
      )
      const result = yield* useClient(fake, testOptions(), (c) =>
        Effect.gen(function* () {
          const vizzes = yield* c.liveboardData({ metadataIdentifier: "lb", pageSize: 100 })
          return yield* Effect.forEach(vizzes, (v) =>
            Effect.map(Stream.runCollect(v.pages), (pages) => ({
              id: v.visualizationId,
              name: v.visualizationName,
              columns: v.columnNames,
              rows: pages.flatMap((p) => p.rows).length,
              pageViz: pages.map((p) => p.visualizationId)
            }))
          )
        })
      )
      expect(result).toEqual([
        {
          id: "viz-a",
          name: "VIZ-A",
          columns: ["viz-a-n", "viz-a-label"],
          rows: 250,
          pageViz: ["viz-a", "viz-a", "viz-a"]
        },
        { id: "viz-b", name: "VIZ-B", columns: ["viz-b-n", "viz-b-label"], rows: 30, pageViz: ["viz-b"] }
      ])
      const later = fake.seen.filter((s) => s.path === "metadata/liveboard/data").slice(1)
      expect(later.map((s) => [s.body.visualization_identifiers, s.body.record_offset])).toEqual([
        [["viz-a"], 100],
        [["viz-a"], 200]
      ])
    })
  )
})

describe("data pages from a start offset", () => {
  it.effect("search-from-start-offset-requests-no-page-before-it", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens((r) => (r.path === "searchdata" ? dataReply(r.body, 1_050) : { status: 404 })))
      const pages = yield* useClient(fake, testOptions(), (c) =>
        Stream.runCollect(c.searchData({ ...search, pageSize: 100, startOffset: 700 }))
      )
      const offsets = fake.seen.filter((s) => s.path === "searchdata").map((s) => s.body.record_offset)
      expect(offsets).toEqual([700, 800, 900, 1_000])
      expect(pages.map((p) => [p.recordOffset, p.pageIndex, p.rows.length])).toEqual([
        [700, 7, 100],
        [800, 8, 100],
        [900, 9, 100],
        [1_000, 10, 50]
      ])
      expect(pages.every((p) => p.pageCount === 11 && p.availableRowCount === 1_050)).toBe(true)
      expect(pages.flatMap((p) => p.rows).map((r) => r[0])).toEqual(Array.from({ length: 350 }, (_, i) => 700 + i))
    })
  )

  it.effect("answer-from-start-offset-checks-pages-from-there", () =>
    Effect.gen(function* () {
      const answer = (body: Record<string, unknown>, options: Parameters<typeof dataReply>[2] = {}): Reply => ({
        body: { metadata_id: "a-1", metadata_name: "A", ...(dataReply(body, 500, options).body as object) }
      })
      const fake = makeFake(
        withTokens((r) =>
          r.path !== "metadata/answer/data"
            ? { status: 404 }
            : r.body.record_offset === 300
              ? answer(r.body, { rowsOverride: 40 })
              : answer(r.body)
        )
      )
      const received: Array<number> = []
      const exit = yield* Effect.exit(
        useClient(fake, testOptions(), (c) =>
          c
            .answerData({ metadataIdentifier: "a-1", pageSize: 100, startOffset: 200 })
            .pipe(Stream.runForEach((p) => Effect.sync(() => received.push(p.recordOffset))))
        )
      )
      const error = failureOf(exit)
      expect(error.reason).toMatchObject({ _tag: "Incomplete", expectedRows: 500, receivedRows: 340 })
      expect(error.message).toContain("short page at offset 300")
      expect(received).toEqual([200])
      const offsets = fake.seen.filter((s) => s.path === "metadata/answer/data").map((s) => s.body.record_offset)
      expect(offsets.every((o) => Number(o) >= 200)).toBe(true)
    })
  )

  it.effect("start-offset-past-the-end-fails-incomplete-not-an-empty-result", () =>
    Effect.gen(function* () {
      // A resume point beyond a result that shrank: loud, never a phantom empty page.
      for (const [total, startOffset] of [
        [250, 300],
        [250, 1_000],
        [0, 100]
      ] as const) {
        const fake = makeFake(withTokens((r) => dataReply(r.body, total)))
        const exit = yield* Effect.exit(
          useClient(fake, testOptions(), (c) =>
            Stream.runCollect(c.searchData({ ...search, pageSize: 100, startOffset }))
          )
        )
        const error = failureOf(exit)
        expect(error.reason).toMatchObject({ _tag: "Incomplete", expectedRows: total, receivedRows: 0 })
        expect(error.message).toContain(
          `start offset ${startOffset} is past the end of the result, which has ${total} rows`
        )
        expect(fake.seen.filter((s) => s.path === "searchdata")).toHaveLength(1)
      }
    })
  )

  it.effect("start-offset-at-the-end-gives-one-empty-page-as-the-last", () =>
    Effect.gen(function* () {
      // Every page was read before (the last one full): one empty page with the columns and the total, whose
      // index is the last of the stream.
      const fake = makeFake(withTokens((r) => dataReply(r.body, 300)))
      const pages = yield* useClient(fake, testOptions(), (c) =>
        Stream.runCollect(c.searchData({ ...search, pageSize: 100, startOffset: 300 }))
      )
      expect(pages.map((p) => [p.recordOffset, p.rows.length, p.availableRowCount, p.pageIndex, p.pageCount])).toEqual([
        [300, 0, 300, 3, 4]
      ])
      expect(pages[0]!.columnNames).toEqual(["n", "label"])
      expect(fake.seen.filter((s) => s.path === "searchdata")).toHaveLength(1)
      // An empty result read from its start is one empty page, page 1 of 1.
      const empty = makeFake(withTokens((r) => dataReply(r.body, 0)))
      const only = yield* useClient(empty, testOptions(), (c) =>
        Stream.runCollect(c.searchData({ ...search, pageSize: 100, startOffset: 0 }))
      )
      expect(only.map((p) => [p.recordOffset, p.rows.length, p.pageIndex, p.pageCount])).toEqual([[0, 0, 0, 1]])
    })
  )

  it.effect("liveboard-visualization-shorter-than-the-start-offset-fails-incomplete", () =>
    Effect.gen(function* () {
      const fake = liveboardFake({ "viz-a": 250, "viz-b": 80 })
      const exit = yield* Effect.exit(
        useClient(fake, testOptions(), (c) =>
          Effect.gen(function* () {
            const vizzes = yield* c.liveboardData({ metadataIdentifier: "lb", pageSize: 100, startOffset: 100 })
            return yield* Effect.forEach(vizzes, (v) => Stream.runCollect(v.pages))
          })
        )
      )
      const error = failureOf(exit)
      expect(error.reason).toMatchObject({ _tag: "Incomplete", expectedRows: 80, receivedRows: 0 })
      expect(error.message).toContain(`"VIZ-B": start offset 100 is past the end of the result, which has 80 rows`)
    })
  )

  it.effect("start-offset-not-a-multiple-of-the-page-size-is-refused", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens((r) => dataReply(r.body, 250)))
      for (const startOffset of [150, -100, 1.5, Number.NaN]) {
        const exit = yield* Effect.exit(
          useClient(fake, testOptions(), (c) =>
            Stream.runCollect(c.searchData({ ...search, pageSize: 100, startOffset }))
          )
        )
        const error = failureOf(exit)
        expect(error.reason._tag).toBe("BadRequest")
        expect(error.message).toContain("multiple of the page size (100)")
      }
      expect(fake.seen.filter((s) => s.path === "searchdata")).toHaveLength(0)
    })
  )

  it.effect("liveboard-visualizations-from-start-offset", () =>
    Effect.gen(function* () {
      const fake = liveboardFake({ "viz-a": 250, "viz-b": 130 })
      const result = yield* useClient(fake, testOptions(), (c) =>
        Effect.gen(function* () {
          const vizzes = yield* c.liveboardData({ metadataIdentifier: "lb", pageSize: 100, startOffset: 100 })
          return yield* Effect.forEach(vizzes, (v) =>
            Effect.map(Stream.runCollect(v.pages), (pages) => pages.map((p) => [v.visualizationId, p.recordOffset]))
          )
        })
      )
      expect(result).toEqual([
        [
          ["viz-a", 100],
          ["viz-a", 200]
        ],
        [["viz-b", 100]]
      ])
      const offsets = fake.seen.filter((s) => s.path === "metadata/liveboard/data").map((s) => s.body.record_offset)
      expect(offsets).toEqual([100, 200])
    })
  )

  it.effect("liveboard-answer-without-a-requested-visualization-fails-incomplete", () =>
    Effect.gen(function* () {
      // The server leaves out one of the visualizations asked for: its rows must not vanish without a word.
      const totals: Record<string, number> = { "viz-a": 30, "viz-b": 20 }
      const answering = (dropped: string) =>
        makeFake(
          withTokens((r) => {
            if (r.path !== "metadata/liveboard/data") return { status: 404 }
            // Asked for by id or by name (the id upper-cased): answered with both.
            const ids = (r.body.visualization_identifiers as ReadonlyArray<string>)
              .map((asked) => asked.toLowerCase())
              .filter((id) => id !== dropped)
            const contents = ids.map((id) => ({
              ...(dataReply(r.body, totals[id]!).body as { contents: Array<object> }).contents[0],
              visualization_id: id,
              visualization_name: id.toUpperCase()
            }))
            return { body: { metadata_id: "lb", contents } } satisfies Reply
          })
        )
      for (const asked of [["viz-a", "viz-b"], ["viz-b"]]) {
        const exit = yield* Effect.exit(
          useClient(answering("viz-b"), testOptions(), (c) =>
            c.liveboardData({ metadataIdentifier: "lb", visualizationIdentifiers: asked, pageSize: 100 })
          )
        )
        const error = failureOf(exit)
        expect(error.reason._tag).toBe("Incomplete")
        expect(error.message).toContain(`has no visualization "viz-b"`)
      }
      // Asked for by name or by id, in any case, every visualization answered: read as before.
      const vizzes = yield* useClient(answering("none"), testOptions(), (c) =>
        c.liveboardData({ metadataIdentifier: "lb", visualizationIdentifiers: ["VIZ-A", "Viz-B"], pageSize: 100 })
      )
      expect(vizzes.map((v) => v.visualizationId)).toEqual(["viz-a", "viz-b"])
    })
  )
})

describe("metadata search", () => {
  it.effect("reads-until-a-page-brings-nothing-new-not-a-short-one", () =>
    Effect.gen(function* () {
      // 7 objects; the page at offset 2 is short (2 of 3) but not the end. Each later page starts one object
      // before where the previous one ended, with that object.
      const objects = Array.from({ length: 7 }, (_, i) => ({
        metadata_type: "ANSWER",
        metadata_id: `a-${i}`,
        metadata_name: `A${i}`,
        x: 1
      }))
      const fake = makeFake(
        withTokens((r) => {
          if (r.path !== "metadata/search") return { status: 404 }
          const offset = Number(r.body.record_offset)
          return { body: objects.slice(offset, offset + (offset === 2 ? 2 : Number(r.body.record_size))) }
        })
      )
      const items = yield* useClient(fake, testOptions(), (c) =>
        Stream.runCollect(c.searchMetadata({ metadata: [{ type: "ANSWER" }], include_details: true }, { pageSize: 3 }))
      )
      expect(items.map((i) => i.metadata_id)).toEqual(objects.map((o) => o.metadata_id))
      const bodies = fake.seen.filter((s) => s.path === "metadata/search").map((s) => s.body)
      expect(bodies.map((b) => [b.record_offset, b.record_size])).toEqual([
        [0, 3],
        [2, 3],
        [3, 3],
        [5, 3],
        [6, 3]
      ])
      expect(bodies[0]).toMatchObject({ metadata: [{ type: "ANSWER" }], include_details: true })
    })
  )

  it.effect("a-server-that-ignores-record-offset-fails-instead-of-looping", () =>
    Effect.gen(function* () {
      const samePage = [0, 1, 2].map((i) => ({
        metadata_type: "ANSWER",
        metadata_id: `a-${i}`,
        metadata_name: `A${i}`
      }))
      const fake = makeFake(withTokens((r) => (r.path === "metadata/search" ? { body: samePage } : { status: 404 })))
      const error = yield* useClient(fake, testOptions(), (c) =>
        Stream.runCollect(c.searchMetadata({ metadata: [{ type: "ANSWER" }] }, { pageSize: 3 })).pipe(Effect.flip)
      )
      expect(error.reason._tag).toBe("Incomplete")
      expect(error.message).toContain("ignore paging")
      expect(fake.seen.filter((s) => s.path === "metadata/search")).toHaveLength(2)
    })
  )

  it.effect("a-page-size-below-one-is-refused-before-any-request", () =>
    Effect.gen(function* () {
      // A server may answer record_size 0 with an empty page, which would read as "no objects".
      const fake = makeFake(withTokens((r) => (r.path === "metadata/search" ? { body: [] } : { status: 404 })))
      for (const pageSize of [0, -5, 2.5, Number.NaN]) {
        const error = failureOf(
          yield* Effect.exit(
            useClient(fake, testOptions(), (c) =>
              Stream.runCollect(c.searchMetadata({ metadata: [{ type: "ANSWER" }] }, { pageSize }))
            )
          )
        )
        expect(error.reason._tag).toBe("BadRequest")
        expect(error.message).toContain("the page size (the pageSize option) must be a whole number of at least 1")
      }
      expect(fake.seen.filter((s) => s.path === "metadata/search")).toHaveLength(0)
    })
  )

  it.effect("an-object-listed-again-on-a-later-page-fails-instead-of-being-duplicated", () =>
    Effect.gen(function* () {
      // Page 2 starts with page 1's last object, as it should, but lists an object of page 1 again further on.
      const answer = (i: number) => ({ metadata_type: "ANSWER", metadata_id: `a-${i}`, metadata_name: `A${i}` })
      const pagesServed: Record<number, ReadonlyArray<object>> = {
        0: [answer(0), answer(1), answer(2)],
        2: [answer(2), answer(0), answer(3)]
      }
      const fake = makeFake(
        withTokens((r) =>
          r.path === "metadata/search" ? { body: pagesServed[Number(r.body.record_offset)] ?? [] } : { status: 404 }
        )
      )
      const error = yield* useClient(fake, testOptions(), (c) =>
        Stream.runCollect(c.searchMetadata({ metadata: [{ type: "ANSWER" }] }, { pageSize: 3 })).pipe(Effect.flip)
      )
      expect(error.reason._tag).toBe("Incomplete")
      expect(error.message).toContain("ANSWER a-0 came at position 1 and again at position 4")
    })
  )

  it.effect("objects-without-an-id-are-all-kept-but-a-page-may-not-end-on-one", () =>
    Effect.gen(function* () {
      // Objects without an id cannot be told apart: two of the same name are both kept. Nothing could show that
      // the page after one follows it, so a page ending on one is refused.
      const listed = [
        { metadata_type: "TAG", metadata_name: "t" },
        { metadata_type: "TAG", metadata_name: "t" },
        { metadata_type: "TAG", metadata_id: "x-1", metadata_name: "x" }
      ]
      const tags = makeFake(
        withTokens((r) => {
          if (r.path !== "metadata/search") return { status: 404 }
          const offset = Number(r.body.record_offset)
          return { body: listed.slice(offset, offset + Number(r.body.record_size)) }
        })
      )
      const items = yield* useClient(tags, testOptions(), (c) =>
        Stream.runCollect(c.searchMetadata({ metadata: [{ type: "TAG" }] }, { pageSize: 3 }))
      )
      expect(items.map((i) => i.metadata_name)).toEqual(["t", "t", "x"])
      const error = yield* useClient(tags, testOptions(), (c) =>
        Stream.runCollect(c.searchMetadata({ metadata: [{ type: "TAG" }] }, { pageSize: 2 })).pipe(Effect.flip)
      )
      expect(error.reason._tag).toBe("Incomplete")
      expect(error.message).toContain("the item at position 2 ends a page and has no id")
      expect(error.message).toContain("read it with another page size")
    })
  )
})

describe("repeated pages", () => {
  /** 6 rows in pages of 2; `rowsAt(offset)` gives a page's rows as JSON text. */
  const pagesOf = (rowsAt: (offset: number) => string) =>
    makeFake(
      withTokens((r) => {
        const offset = Number(r.body.record_offset)
        return {
          body: `{"contents":[{"available_data_row_count":6,"column_names":["n","label"],"data_rows":${rowsAt(offset)},"record_offset":${offset},"record_size":2,"returned_data_row_count":2,"sampling_ratio":1}]}`
        }
      })
    )
  const distinct = (offset: number) => `[[${offset},"r${offset}"],[${offset + 1},"r${offset + 1}"]]`
  /** Page 2 (offset 2) is page 1 again. */
  const repeatsFirst = (offset: number) => distinct(offset === 2 ? 0 : offset)
  const message =
    "page 2 (rows 3–4) is byte-identical to page 1: the server may have repeated a page; rows may be missing"

  it.effect("a-page-byte-identical-to-the-previous-one-is-a-warning-on-that-page", () =>
    Effect.gen(function* () {
      const pages = yield* useClient(pagesOf(repeatsFirst), testOptions(), (c) =>
        Stream.runCollect(c.searchData({ ...search, pageSize: 2 }))
      )
      expect(pages.map((p) => p.warnings)).toEqual([[], [{ _tag: "RepeatedPage", repeats: 0, message }], []])
    })
  )

  it.effect("a-repeated-page-lent-to-a-reader-is-caught-too", () =>
    Effect.gen(function* () {
      const copies = (page: PageBytes) =>
        Effect.sync(() => Buffer.from(page.bytes.subarray(page.start, page.end)).toString())
      const pages = yield* useClient(pagesOf(repeatsFirst), testOptions(), (c) =>
        Stream.runCollect(c.searchData({ ...search, pageSize: 2 }, copies))
      )
      expect(pages.map((p) => p.rows)).toEqual([distinct(0), distinct(0), distinct(4)])
      expect(pages[1]!.warnings).toEqual([{ _tag: "RepeatedPage", repeats: 0, message }])
    })
  )

  it.effect("a-repeated-page-fails-incomplete-when-asked-to", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        useClient(pagesOf(repeatsFirst), testOptions(), (c) =>
          Stream.runCollect(c.answerData({ metadataIdentifier: "a-1", pageSize: 2, repeatedPage: "fail" }))
        )
      )
      const error = failureOf(exit) as { readonly reason: { readonly _tag: string; readonly message: string } }
      expect(error.reason._tag).toBe("Incomplete")
      expect(error.reason.message).toContain(message)
    })
  )

  it.effect("pages-that-differ-only-in-one-byte-or-repeat-a-page-further-back-are-not-flagged", () =>
    Effect.gen(function* () {
      // Same length as page 1, one digit different; then page 1 again after page 2 (only neighbours are compared).
      const rowsAt = (offset: number) =>
        offset === 4 ? distinct(0) : offset === 2 ? `[[0,"r0"],[1,"r2"]]` : distinct(0)
      const pages = yield* useClient(pagesOf(rowsAt), testOptions(), (c) =>
        Stream.runCollect(c.searchData({ ...search, pageSize: 2, repeatedPage: "fail" }))
      )
      expect(pages.map((p) => p.warnings)).toEqual([[], [], []])
    })
  )

  it.effect("identical-pages-from-a-start-offset-compare-only-pages-read", () =>
    Effect.gen(function* () {
      // Pages 2 and 3 identical, read from offset 2: page 3 is flagged as repeating page 2.
      const same = () => `[[7,"x"],[7,"x"]]`
      const pages = yield* useClient(pagesOf(same), testOptions(), (c) =>
        Stream.runCollect(c.searchData({ ...search, pageSize: 2, startOffset: 2 }))
      )
      expect(pages.map((p) => p.warnings.map((w) => w.message))).toEqual([
        [],
        ["page 3 (rows 5–6) is byte-identical to page 2: the server may have repeated a page; rows may be missing"]
      ])
    })
  )
})
