/**
 * Rows read in place by a `RowsDecoder`: the envelope walk finds exactly each `contents[i].data_rows` and
 * refuses any body it is not sure of; through the client, a decoder sees every page (or declines it to the
 * ordinary parse) with the same checks, and faulty bodies are still retried.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { Effect, Exit, Stream } from "effect"
import { Auth, type Pagination, ThoughtSpotClient } from "../src/index.ts"
import { splitDataRows } from "../src/internal/splitDataRows.ts"

const bytes = (text: string) => Buffer.from(text, "utf8")

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

describe("a rows decoder through the client", () => {
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

  const read = <R>(sandbox: RunningSandbox, decoder?: Pagination.RowsDecoder<R>) =>
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
        const pages = decoder === undefined ? client.searchData(request) : client.searchData(request, decoder)
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

  it("a-decoder-reads-every-page-in-place-with-the-same-checks", async () => {
    const parsed = await read(clean)
    let calls = 0
    const decoder: Pagination.RowsDecoder<string> = {
      fromBytes: (body, start, names) => {
        calls++
        expect(names).toEqual(["Order ID", "Customer", "Revenue", "Order Date"])
        const span = spanReader(body)(start)
        return span === undefined
          ? undefined
          : { ...span, rows: Buffer.from(body).subarray(start, span.end).toString() }
      },
      fromRows: () => "parsed"
    }
    const decoded = await read(clean, decoder)
    if (Exit.isFailure(parsed) || Exit.isFailure(decoded)) throw new Error("both reads must succeed")
    expect(calls).toBe(3)
    expect(decoded.value.map((p) => [p.rowCount, p.recordOffset])).toEqual(
      parsed.value.map((p) => [p.rowCount, p.recordOffset])
    )
    // The decoder saw exactly the rows the ordinary parse gives (big integers aside, which JSON.parse rounds).
    decoded.value.forEach((page, i) => {
      const rows = JSON.parse(page.rows as string) as Array<Array<unknown>>
      const reference = parsed.value[i]!.rows as ReadonlyArray<ReadonlyArray<unknown>>
      expect(rows.map((r) => r.slice(1))).toEqual(reference.map((r) => r.slice(1)))
    })
  })

  it("a-decoder-may-answer-later-and-each-page-waits-for-it", async () => {
    const later: Pagination.RowsDecoder<number> = {
      fromBytes: (body, start) =>
        Effect.map(Effect.yieldNow, () => {
          const span = spanReader(body)(start)
          return span === undefined ? undefined : { ...span, rows: span.rowCount }
        }),
      fromRows: () => -1
    }
    const decoded = await read(clean, later)
    if (Exit.isFailure(decoded)) throw new Error("the read must succeed")
    expect(decoded.value.map((p) => [p.rows, p.rowCount, p.recordOffset])).toEqual([
      [10_000, 10_000, 0],
      [10_000, 10_000, 10_000],
      [5_000, 5_000, 20_000]
    ])
  })

  it("a-declined-page-is-parsed-whole-and-given-to-fromRows", async () => {
    const decoded = await read(clean, {
      fromBytes: () => undefined,
      fromRows: (rows, names) => `${rows.length}x${names.length}`
    })
    if (Exit.isFailure(decoded)) throw new Error("the read must succeed")
    expect(decoded.value.map((p) => p.rows)).toEqual(["10000x4", "10000x4", "5000x4"])
  })

  it("bodies-are-reused-only-for-a-decoder-that-copies-what-it-keeps-and-rows-stay-exact", async () => {
    const parsed = await read(clean)
    if (Exit.isFailure(parsed)) throw new Error("the read must succeed")
    const expected = parsed.value.map((p) =>
      (p.rows as ReadonlyArray<ReadonlyArray<unknown>>).map((r) => JSON.stringify(r.slice(1)))
    )
    const readWith = async (copiesBytes: boolean) => {
      const buffers = new Set<ArrayBufferLike>()
      const decoded = await read(clean, {
        fromBytes: (body, start) => {
          buffers.add(body.buffer)
          const span = spanReader(body)(start)
          // What it keeps is a copy (a string), as the promise requires.
          return span === undefined
            ? undefined
            : { ...span, rows: Buffer.from(body).subarray(start, span.end).toString() }
        },
        fromRows: () => "parsed",
        copiesBytes
      })
      if (Exit.isFailure(decoded)) throw new Error("the read must succeed")
      const rows = decoded.value.map((p) =>
        (JSON.parse(p.rows as string) as Array<Array<unknown>>).map((r) => JSON.stringify(r.slice(1)))
      )
      return { buffers: buffers.size, pages: decoded.value.length, rows }
    }
    const reused = await readWith(true)
    const fresh = await readWith(false)
    expect(reused.pages).toBe(3)
    // The first page's body is read before the others are asked for, so a later page gets its buffer.
    expect(reused.buffers).toBeLessThan(3)
    expect(fresh.buffers).toBe(3)
    // Reused memory never shows through: every page holds exactly its own rows.
    expect(reused.rows).toEqual(expected)
    expect(fresh.rows).toEqual(expected)
  })

  it("faulty-bodies-are-retried-under-a-decoder-and-give-the-clean-rows", async () => {
    const decoder: Pagination.RowsDecoder<string> = {
      fromBytes: (body, start) => {
        const span = spanReader(body)(start)
        return span === undefined
          ? undefined
          : { ...span, rows: Buffer.from(body).subarray(start, span.end).toString() }
      },
      fromRows: (rows) => JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? Number(v) : v)),
      // Bodies reused across retries too: a refused body is given back before the request is sent again.
      copiesBytes: true
    }
    const clean1 = await read(clean, decoder)
    const faulty1 = await read(faulty, decoder)
    if (Exit.isFailure(clean1) || Exit.isFailure(faulty1)) throw new Error("both reads must succeed")
    const rowsOf = (pages: ReadonlyArray<Pagination.DataPage<unknown>>) =>
      pages.flatMap((p) => (JSON.parse(p.rows as string) as Array<unknown>).map((r) => JSON.stringify(r)))
    expect(rowsOf(faulty1.value)).toEqual(rowsOf(clean1.value))
    const injected = faulty.stats().faultsInjected
    expect(injected.truncate + injected.malformed).toBeGreaterThan(0)
  })
})
