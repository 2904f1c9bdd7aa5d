/**
 * Pages lent to a `PageReader`: the envelope walk finds exactly each `contents[i].data_rows` (a guessed end is
 * confirmed or found again) and refuses any body it is not sure of; through the client, a reader is lent every
 * page with its checked envelope and the span of its rows, the body is reused once the reader is done, a page
 * the reader finds malformed is requested again, and faulty bodies are still retried.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { Effect, Exit, Stream } from "effect"
import { Auth, Pagination, ThoughtSpotClient } from "../src/index.ts"
import { locateDataRows, splitDataRows } from "../src/internal/splitDataRows.ts"
import { dataReply, makeFake, testOptions, useClient, withTime, withTokens } from "./fake.ts"

const bytes = (text: string) => Buffer.from(text, "utf8")
const search = { logicalTableIdentifier: "table-1", queryString: "[n] [label]" }

/** A reader that takes the array by `JSON.parse` of its exact span (found by bracket matching outside strings). */
const spanReader = (body: Uint8Array) => (start: number) => {
  const text = Buffer.from(body).toString("latin1")
  let depth = 0
  let inString = false
  for (let i = start; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === "\\") i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === "[") depth++
    else if (c === "]" && --depth === 0) {
      const rows = JSON.parse(
        Buffer.from(body)
          .subarray(start, i + 1)
          .toString("utf8")
      ) as Array<unknown>
      return { end: i + 1, rowCount: rows.length, rows }
    }
  }
  return undefined
}

describe("splitDataRows", () => {
  it("replaces-each-contents-data-rows-with-an-empty-array", () => {
    const body = bytes(
      '{"x":"data_rows","contents":[{"column_names":["a","b"],"data_rows":[[1,"]"],[2,"\\"["]],"record_offset":0},' +
        '{"column_names":["c"],"note":{"data_rows":[9]},"data_rows":[]}],"data_rows":[[7]]}'
    )
    const seen: Array<ReadonlyArray<string>> = []
    const split = splitDataRows(body, (start, names) => {
      seen.push(names)
      return spanReader(body)(start)
    })
    expect(seen).toEqual([["a", "b"], ["c"]])
    expect(split?.items.map((item) => item?.rowCount)).toEqual([2, 0])
    expect(JSON.parse(split!.envelope)).toEqual({
      x: "data_rows",
      contents: [
        { column_names: ["a", "b"], data_rows: [], record_offset: 0 },
        { column_names: ["c"], note: { data_rows: [9] }, data_rows: [] }
      ],
      data_rows: [[7]]
    })
  })

  it("refuses-bodies-it-is-not-sure-of", () => {
    const read = (body: Uint8Array) => splitDataRows(body, (start) => spanReader(body)(start))
    const cases = [
      '{"contents":[{"data_rows":[[1]],"column_names":["a"]}]}', // names after rows
      '{"contents":[{"column_names":["a"],"data_rows":[[1]],"data_rows":[[2]]}]}', // duplicate key
      '{"contents":[{"column_names":["a"],"data_rows":[[1]]}],"contents":[]}', // duplicate contents
      '{"contents":[{"column_names":"a","data_rows":[[1]]}]}', // names not a list of strings
      '{"contents":[{"column_names":["a"],"data_rows":[[1]]', // cut short
      '{"contents":[{"column_names":["a"],"data_rows":{"0":[1]}}]}', // rows not an array
      '["contents"]'
    ]
    for (const text of cases) expect(read(bytes(text))).toBeUndefined()
    const invalidUtf8 = Buffer.concat([
      bytes('{"contents":[{"column_names":["'),
      Buffer.from([0xff]),
      bytes('"],"data_rows":[]}]}')
    ])
    expect(read(invalidUtf8)).toBeUndefined()
    // Inside `data_rows` the reader decides (a byte-copying reader must refuse or report such text).
    const invalidCell = Buffer.concat([
      bytes('{"contents":[{"column_names":["a"],"data_rows":[["'),
      Buffer.from([0xff]),
      bytes('"]],"record_offset":0}]}')
    ])
    expect(read(invalidCell)?.items[0]?.rowCount).toBe(1)
    expect(
      splitDataRows(bytes('{"contents":[{"column_names":["a"],"data_rows":[[1]]}]}'), () => undefined)
    ).toBeUndefined()
  })
})

describe("locateDataRows", () => {
  const page = (rows: string, tail = "") =>
    `{"contents":[{"available_data_row_count":2,"column_names":["a"],"data_rows":${rows},"record_offset":0,"record_size":2,"returned_data_row_count":2,"sampling_ratio":1${tail}}]}`

  it("a-guessed-end-is-the-exact-end-for-one-page", () => {
    for (const rows of ['[[1],["x]]"]]', "[]", "[ ]", '[[{"v":{"s":1}}],[[1,[2]]]]']) {
      const body = bytes(page(rows))
      const guessed = locateDataRows(body, true)
      expect(guessed?.spans).toEqual(locateDataRows(body, false)?.spans)
      expect(body.subarray(guessed!.spans[0]![0], guessed!.spans[0]![1]).toString()).toBe(rows)
      expect(JSON.parse(guessed!.envelope).contents[0].data_rows).toEqual([])
    }
  })

  it("a-wrong-guess-leaves-an-envelope-that-does-not-parse-or-no-answer", () => {
    // A `]]` in a string after the rows: the guess ends there, and the envelope around it is not JSON.
    const inTail = bytes(page("[[1],[2]]", ',"visualization_name":"a]]}]}"'))
    expect(() => JSON.parse(locateDataRows(inTail, true)!.envelope)).toThrow()
    expect(JSON.parse(locateDataRows(inTail, false)!.envelope).contents[0].visualization_name).toBe("a]]}]}")
    // Two pages in one body (for a request of one page): the guess reaches over both, and rows that do not end
    // there are refused (the client guesses only for requests of one page; the exact walk finds both).
    const two = bytes(`{"contents":[${page("[[1]]").slice(13, -2)},${page("[[2]]").slice(13, -2)}]}`)
    const [start, end] = locateDataRows(two, true)!.spans[0]!
    const lent = { columnNames: ["a"], rowCount: 1, recordOffset: 0, availableRowCount: 2, samplingRatio: 1 }
    const refused = Effect.runSync(Effect.flip(Pagination.parseRows({ ...lent, bytes: two, start, end })))
    expect(refused.malformed).toBe(true)
    expect(locateDataRows(two, false)?.spans).toHaveLength(2)
    // `column_names` may follow the rows here (nothing is read with them).
    const late = bytes('{"contents":[{"data_rows":[[1]],"column_names":["a"]}]}')
    expect(locateDataRows(late, false)?.spans).toEqual([[26, 31]])
  })
})

describe("a page reader through the client", () => {
  let clean: RunningSandbox
  let faulty: RunningSandbox
  beforeAll(async () => {
    clean = await startSandbox({ rows: 25_000, faults: "none" })
    faulty = await startSandbox({
      rows: 25_000,
      faults: { routes: { searchdata: { truncate: 0.2, malformed: 0.2, reset: 0.1 } } }
    })
  })
  afterAll(async () => {
    await clean?.close()
    await faulty?.close()
  })

  const read = <A>(sandbox: RunningSandbox, reader?: Pagination.PageReader<A>) =>
    Effect.runPromiseExit(
      Effect.gen(function* () {
        const client = yield* ThoughtSpotClient.ThoughtSpotClient
        const tables = yield* Stream.runCollect(
          client.searchMetadata({ metadata: [{ identifier: "Orders", type: "LOGICAL_TABLE" }] })
        )
        const request = {
          logicalTableIdentifier: tables[0]!.metadata_id!,
          queryString: "[Order ID] [Customer] [Revenue] [Order Date]",
          pageSize: 10_000
        }
        const pages = reader === undefined ? client.searchData(request) : client.searchData(request, reader)
        return yield* Stream.runCollect(pages as Stream.Stream<Pagination.DataPage<unknown>, unknown>)
      }).pipe(
        Effect.provide(
          ThoughtSpotClient.layerNode({
            host: sandbox.url,
            auth: Auth.password({ username: fixtures.user.username, password: fixtures.user.password }),
            retry: { baseDelayMillis: 1, maxDelayMillis: 5 }
          })
        )
      )
    )

  /** The page's rows as text (a copy: the bytes are only lent). */
  const copyRows = (page: Pagination.PageBytes) =>
    Effect.sync(() => Buffer.from(page.bytes.subarray(page.start, page.end)).toString("utf8"))

  it("a-reader-is-lent-every-page-with-its-envelope-and-the-span-of-its-rows", async () => {
    const parsed = await read(clean)
    const lent: Array<Omit<Pagination.PageBytes, "bytes" | "start" | "end">> = []
    const copied = await read(clean, (page) => {
      const { bytes: _bytes, start: _start, end: _end, ...envelope } = page
      lent.push(envelope)
      return copyRows(page)
    })
    if (Exit.isFailure(parsed) || Exit.isFailure(copied)) throw new Error("both reads must succeed")
    expect(lent.map((p) => [p.columnNames, p.rowCount, p.recordOffset, p.availableRowCount, p.samplingRatio])).toEqual(
      [0, 10_000, 20_000].map((offset) => [
        ["Order ID", "Customer", "Revenue", "Order Date"],
        offset === 20_000 ? 5_000 : 10_000,
        offset,
        25_000,
        1
      ])
    )
    expect(copied.value.map((p) => [p.rowCount, p.recordOffset])).toEqual(
      parsed.value.map((p) => [p.rowCount, p.recordOffset])
    )
    // The span holds exactly the rows the ordinary parse gives (big integers aside, which JSON.parse rounds).
    copied.value.forEach((page, i) => {
      const rows = JSON.parse(page.rows as string) as Array<Array<unknown>>
      const reference = parsed.value[i]!.rows as ReadonlyArray<ReadonlyArray<unknown>>
      expect(rows.map((r) => r.slice(1))).toEqual(reference.map((r) => r.slice(1)))
    })
  })

  it("parse-rows-gives-exactly-the-rows-of-the-parsed-stream", async () => {
    const parsed = await read(clean)
    const viaReader = await read(clean, (page) => Pagination.parseRows(page))
    if (Exit.isFailure(parsed) || Exit.isFailure(viaReader)) throw new Error("both reads must succeed")
    expect(viaReader.value.map((p) => p.rows)).toEqual(parsed.value.map((p) => p.rows))
    // Exact where it matters: the Order IDs beyond 2^53 are bigints, as in the parsed stream.
    const ids = (viaReader.value as ReadonlyArray<Pagination.DataPage<Pagination.Rows>>).flatMap((p) =>
      p.rows.map((r) => r[0])
    )
    expect(ids.some((id) => typeof id === "bigint")).toBe(true)
  })

  it("a-body-is-reused-once-its-reader-is-done-and-rows-stay-exact", async () => {
    const parsed = await read(clean)
    if (Exit.isFailure(parsed)) throw new Error("the read must succeed")
    const expected = parsed.value.map((p) =>
      (p.rows as ReadonlyArray<ReadonlyArray<unknown>>).map((r) => JSON.stringify(r.slice(1)))
    )
    const buffers = new Set<ArrayBufferLike>()
    const kept: Array<Uint8Array> = []
    const copied = await read(clean, (page) => {
      buffers.add(page.bytes.buffer)
      kept.push(page.bytes)
      // Answers later: the body stays lent until the reader's effect ends.
      return Effect.andThen(Effect.yieldNow, copyRows(page))
    })
    if (Exit.isFailure(copied)) throw new Error("the read must succeed")
    // The first page's body is read before the others are asked for, so a later page gets its buffer.
    expect(buffers.size).toBeLessThan(3)
    // A view kept past the reader sees another page's bytes: what the reader copied is its own page.
    expect(new Set(kept.map((b) => b.buffer)).size).toBeLessThan(kept.length)
    expect(
      copied.value.map((p) =>
        (JSON.parse(p.rows as string) as Array<Array<unknown>>).map((r) => JSON.stringify(r.slice(1)))
      )
    ).toEqual(expected)
  })

  it("every-visualization-of-a-liveboard-is-lent-its-own-span", async () => {
    const pagesOf = <A>(reader?: Pagination.PageReader<A>) =>
      Effect.runPromise(
        Effect.gen(function* () {
          const client = yield* ThoughtSpotClient.ThoughtSpotClient
          // No visualization named: the first response holds a page of each (located exactly, no guess).
          const request = { metadataIdentifier: fixtures.liveboards["Order Operations"].id, pageSize: 10_000 }
          const vizzes =
            reader === undefined ? yield* client.liveboardData(request) : yield* client.liveboardData(request, reader)
          return yield* Effect.forEach(vizzes, (viz) =>
            Stream.runCollect(viz.pages as Stream.Stream<Pagination.DataPage<unknown>, unknown>)
          )
        }).pipe(
          Effect.provide(
            ThoughtSpotClient.layerNode({
              host: clean.url,
              auth: Auth.password({ username: fixtures.user.username, password: fixtures.user.password })
            })
          )
        )
      )
    const parsed = await pagesOf()
    const lent = await pagesOf((page) => Pagination.parseRows(page))
    expect(parsed.length).toBeGreaterThan(1)
    expect(lent.map((pages) => pages.map((p) => p.rows))).toEqual(parsed.map((pages) => pages.map((p) => p.rows)))
  })

  it("faulty-bodies-are-retried-under-a-reader-and-give-the-clean-rows", async () => {
    const reader = (page: Pagination.PageBytes) =>
      Effect.map(Pagination.parseRows(page), (rows) =>
        JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? String(v) : v))
      )
    const clean1 = await read(clean, reader)
    const faulty1 = await read(faulty, reader)
    if (Exit.isFailure(clean1) || Exit.isFailure(faulty1)) throw new Error("both reads must succeed")
    expect(faulty1.value.map((p) => p.rows)).toEqual(clean1.value.map((p) => p.rows))
    const injected = faulty.stats().faultsInjected
    expect(injected.truncate + injected.malformed).toBeGreaterThan(0)
  })
})

describe("a reader's verdict", () => {
  it.effect("a-page-the-reader-finds-malformed-is-requested-again", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens((r) => dataReply(r.body, 300)))
      let refused = 0
      const pages = yield* withTime(
        useClient(fake, testOptions(), (c) =>
          Stream.runCollect(
            c.searchData({ ...search, pageSize: 100 }, (page) =>
              page.recordOffset === 100 && refused++ === 0
                ? Effect.fail(new Pagination.BadPage("the rows end early", true))
                : Effect.succeed(page.rowCount)
            )
          )
        )
      )
      expect(pages.map((p) => p.rows)).toEqual([100, 100, 100])
      expect(fake.seen.filter((s) => s.path === "searchdata" && s.body.record_offset === 100)).toHaveLength(2)
    })
  )

  it.effect("a-page-the-reader-cannot-read-exactly-fails-the-stream-without-a-retry", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens((r) => dataReply(r.body, 300)))
      const exit = yield* Effect.exit(
        useClient(fake, testOptions(), (c) =>
          Stream.runCollect(
            c.searchData({ ...search, pageSize: 100 }, (page) =>
              page.recordOffset === 100
                ? Effect.fail(new Pagination.BadPage("a cell cannot be read", false))
                : Effect.succeed(page.rowCount)
            )
          )
        )
      )
      if (Exit.isSuccess(exit)) throw new Error("the read must fail")
      expect(String(exit.cause)).toContain("a cell cannot be read")
      expect(fake.seen.filter((s) => s.path === "searchdata" && s.body.record_offset === 100)).toHaveLength(1)
    })
  )

  it.effect("rows-followed-by-a-string-holding-brackets-are-lent-with-their-exact-span", () =>
    Effect.gen(function* () {
      // The body's last `]]` lies in a string after the rows: the guessed end is refused and the rows found exactly.
      const fake = makeFake(
        withTokens(() => ({
          body: '{"contents":[{"available_data_row_count":2,"column_names":["n","label"],"data_rows":[[1,"a"],[2,"]]"]],"record_offset":0,"record_size":2,"returned_data_row_count":2,"sampling_ratio":1,"visualization_name":"x]]}]}"}]}'
        }))
      )
      const pages = yield* useClient(fake, testOptions(), (c) =>
        Stream.runCollect(c.searchData({ ...search, pageSize: 2 }, (page) => Pagination.parseRows(page)))
      )
      expect(pages.map((p) => p.rows)).toEqual([
        [
          [1, "a"],
          [2, "]]"]
        ]
      ])
    })
  )

  it.effect("rows-that-end-elsewhere-or-miscount-are-refused-by-parse-rows", () =>
    Effect.gen(function* () {
      const body = bytes('{"x":[[1],[2]],"y":1}')
      const lent = {
        columnNames: ["n"],
        rowCount: 2,
        recordOffset: 0,
        availableRowCount: 2,
        samplingRatio: 1,
        bytes: body,
        start: 5
      }
      expect((yield* Pagination.parseRows({ ...lent, end: 14 })).map((r) => r[0])).toEqual([1, 2])
      const early = yield* Effect.flip(Pagination.parseRows({ ...lent, end: 20 }))
      expect(early.malformed).toBe(true)
      const miscounted = yield* Effect.flip(Pagination.parseRows({ ...lent, rowCount: 3, end: 14 }))
      expect(miscounted).toBeInstanceOf(Pagination.BadPage)
      expect(miscounted).toMatchObject({
        _tag: "BadPage",
        malformed: true,
        description: "a data page holds 2 rows but says 3"
      })
    })
  )
})
