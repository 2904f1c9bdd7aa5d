/**
 * The bad-input corpus against the client: bodies no documented cluster sends — malformed JSON, missing and
 * extra fields, wrong types, NaN, huge numbers, row-count mismatches, HTML error pages, empty bodies, the wrong
 * Content-Type, an enormous single row, and a period that ends before it starts. Each gives a typed error
 * that names what was wrong (or, where tolerance is the documented choice, the exact data); none crashes.
 */
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Auth, ThoughtSpotClient, ThoughtSpotError } from "@spotpipe/core"
import { decodeCompactRows, isDateCellError } from "@spotpipe/decode"
import { Effect, Exit, Stream } from "effect"
import { type CannedResponse, type CannedServer, startCannedServer } from "../src/CannedServer.ts"

const token = "tok-3f9c1e-not-to-be-printed"
let server: CannedServer | undefined

afterEach(async () => {
  await server?.close()
  server = undefined
})

const json = (body: unknown, status = 200): CannedResponse => ({
  status,
  contentType: "application/json",
  body: typeof body === "string" ? body : JSON.stringify(body)
})

const page = (overrides: Record<string, unknown> = {}) => ({
  contents: [
    {
      available_data_row_count: 2,
      column_names: ["Region", "Revenue"],
      data_rows: [
        ["West", 10.5],
        ["East", 7]
      ],
      record_offset: 0,
      record_size: 10,
      returned_data_row_count: 2,
      sampling_ratio: 1,
      ...overrides
    }
  ]
})

/** Reads an answer from a server that always answers `response`; returns every row or the failure. */
const readAnswer = async (response: CannedResponse, pageSize = 10) => {
  server = await startCannedServer(() => response)
  const url = server.url
  return Effect.runPromiseExit(
    Effect.gen(function* () {
      const client = yield* ThoughtSpotClient.ThoughtSpotClient
      const pages = yield* Stream.runCollect(client.answerData({ metadataIdentifier: "Sales", pageSize }))
      return pages.flatMap((p) => p.rows)
    }).pipe(
      Effect.provide(
        ThoughtSpotClient.layerNode({
          host: url,
          auth: Auth.bearerToken(token),
          retry: { maxAttempts: 2, baseDelayMillis: 1, maxDelayMillis: 5 }
        })
      )
    )
  )
}

const typedFailure = <A>(exit: Exit.Exit<A, unknown>): ThoughtSpotError.ThoughtSpotError => {
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${JSON.stringify(exit.value)}`)
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (reason === undefined || reason._tag !== "Fail")
    throw new Error(`expected a typed failure, got ${String(exit.cause)}`)
  if (!(reason.error instanceof ThoughtSpotError.ThoughtSpotError))
    throw new Error(`not a ThoughtSpotError: ${reason.error}`)
  expect(reason.error.message).not.toContain(token)
  return reason.error
}

const rowsOf = <A>(exit: Exit.Exit<A, unknown>): A => {
  if (Exit.isFailure(exit)) throw new Error(`expected success, got ${String(exit.cause)}`)
  return exit.value
}

describe("bad input from the server", () => {
  const cases: ReadonlyArray<readonly [string, CannedResponse, string, RegExp]> = [
    ["malformed-json", json('{"contents": [{"column_names": ["a"'), "ResponseDecode", /not valid JSON/],
    ["nan-literal", json(JSON.stringify(page()).replace("10.5", "NaN")), "ResponseDecode", /not valid JSON/],
    [
      "missing-field",
      json({ contents: [{ ...page().contents[0], column_names: undefined }] }),
      "ResponseDecode",
      /documented fields/
    ],
    ["missing-contents", json({ data: [] }), "ResponseDecode", /no `contents`/],
    ["wrong-type", json(page({ available_data_row_count: "2" })), "ResponseDecode", /documented fields/],
    [
      "rows-not-arrays",
      json(page({ data_rows: [{ Region: "West" }, { Region: "East" }] })),
      "ResponseDecode",
      /not an array/
    ],
    [
      "returned-count-mismatch",
      json(page({ returned_data_row_count: 3 })),
      "ResponseDecode",
      /holds 2 rows but says 3/
    ],
    [
      "html-200",
      { status: 200, contentType: "text/html", body: "<html><body>Login</body></html>" },
      "ResponseDecode",
      /json/i
    ],
    ["html-502", { status: 502, contentType: "text/html", body: "<html><h1>Bad Gateway</h1></html>" }, "Server", /502/],
    ["html-404", { status: 404, contentType: "text/html", body: "<html>Not Found</html>" }, "NotFound", /404/],
    ["empty-body", { status: 200, contentType: "application/json", body: "" }, "ResponseDecode", /JSON/],
    ["empty-error-body", { status: 500, body: "" }, "Server", /500/],
    ["json-null", json("null"), "ResponseDecode", /contents/]
  ]
  for (const [name, response, reason, message] of cases) {
    it(`${name}-is-a-typed-${reason}-error`, async () => {
      const error = typedFailure(await readAnswer(response))
      expect(error.reason._tag).toBe(reason)
      expect(error.message).toMatch(message)
      expect(error.operation).toBe("answerData")
    })
  }

  it("fewer-rows-than-announced-is-incomplete", async () => {
    const error = typedFailure(await readAnswer(json(page({ available_data_row_count: 5 })), 10))
    expect(error.reason._tag).toBe("Incomplete")
    expect(error.message).toMatch(/2 rows where 5 were due/)
  })

  it("more-rows-than-a-page-holds-is-incomplete", async () => {
    const error = typedFailure(await readAnswer(json(page({ available_data_row_count: 2 })), 1))
    expect(error.reason._tag).toBe("Incomplete")
    expect(error.message).toMatch(/more than the 1 announced/)
  })

  it("a-row-longer-than-the-column-list-is-refused", async () => {
    const error = typedFailure(
      await readAnswer(
        json(
          page({
            data_rows: [
              ["West", 1, "extra"],
              ["East", 2]
            ]
          })
        )
      )
    )
    expect(error.reason._tag).toBe("ResponseDecode")
  })

  it("unknown-extra-fields-are-tolerated-and-the-data-is-exact", async () => {
    // ThoughtSpot adds fields between releases; an unknown key is not an error.
    const rows = rowsOf(await readAnswer(json({ ...page({ new_field: { x: 1 } }), debug_info: "x" })))
    expect(rows).toEqual([
      ["West", 10.5],
      ["East", 7]
    ])
  })

  it("huge-integers-stay-exact", async () => {
    const big = "123456789012345678901234567890"
    const exact = rowsOf(await readAnswer(json(JSON.stringify(page()).replace("10.5", big))))
    expect(exact[0]![1]).toBe(BigInt(big))
    const negative = rowsOf(await readAnswer(json(JSON.stringify(page()).replace("10.5", `-${big}`))))
    expect(negative[0]![1]).toBe(-BigInt(big))
  })

  it("a-number-that-overflows-a-double-is-refused-not-nulled", async () => {
    const error = typedFailure(await readAnswer(json(JSON.stringify(page()).replace("10.5", "1e400"))))
    expect(error.reason._tag).toBe("ResponseDecode")
    expect(error.message).toMatch(/does not fit a double/)
    // An exponent that stays in range is data, not an error.
    expect(rowsOf(await readAnswer(json(JSON.stringify(page()).replace("10.5", "1.5e300"))))[0]![1]).toBe(1.5e300)
  })

  it("wrong-content-type-with-a-json-body-is-refused", async () => {
    const error = typedFailure(
      await readAnswer({ status: 200, contentType: "text/plain", body: JSON.stringify(page()) })
    )
    expect(error.reason._tag).toBe("ResponseDecode")
    expect(error.message).toMatch(/content.type/i)
  })

  it("an-enormous-single-row-is-read-whole-without-a-crash", async () => {
    const cell = "x".repeat(24 * 1024 * 1024)
    const rows = rowsOf(
      await readAnswer(
        json(
          page({
            data_rows: [
              ["West", 1],
              [cell, 2]
            ]
          })
        )
      )
    )
    expect((rows[1]![0] as string).length).toBe(cell.length)
  })

  it("a-period-that-ends-before-it-starts-is-a-typed-date-error-naming-the-cell", async () => {
    const rows = rowsOf(
      await readAnswer(
        json(
          page({
            column_names: ["Region", "Order Date"],
            data_rows: [
              ["West", { v: { s: 1_600_000_000 } }],
              ["East", { v: { s: 1_600_000_000, e: 1_500_000_000 } }]
            ]
          })
        )
      )
    )
    const decoded = decodeCompactRows(rows, [
      { name: "Region", type: "VARCHAR" },
      { name: "Order Date", type: "DATE" }
    ])
    expect(isDateCellError(decoded)).toBe(true)
    if (isDateCellError(decoded)) expect(decoded.message).toMatch(/Order Date/)
  })

  it("a-bad-metadata-search-body-is-a-typed-error", async () => {
    server = await startCannedServer(() => json({ not: "an array" }))
    const url = server.url
    const exit = await Effect.runPromiseExit(
      Effect.gen(function* () {
        const client = yield* ThoughtSpotClient.ThoughtSpotClient
        return yield* Stream.runCollect(client.searchMetadata({ metadata: [{ type: "ANSWER" }] } as never))
      }).pipe(
        Effect.provide(
          ThoughtSpotClient.layerNode({ host: url, auth: Auth.bearerToken(token), retry: { maxAttempts: 1 } })
        )
      )
    )
    expect(typedFailure(exit).reason._tag).toBe("ResponseDecode")
  })
})
