/**
 * The worker pool on its own: pages come back as the main thread's transcoder writes them, spread over the
 * workers, and a worker that cannot do a page declines it (the page then goes the ordinary way) rather than
 * failing the export.
 */
import { describe, expect, it } from "@effect/vitest"
import { resolveTimeZone } from "@spotpipe/decode"
import { Effect } from "effect"
import { planColumns } from "../src/ColumnPlanner.ts"
import { makeRowRenderer } from "../src/RowRenderer.ts"
import { makeRowsTranscoder } from "../src/RowsTranscoder.ts"
import { makeTranscodePool, type TranscodeSpec } from "../src/TranscodePool.ts"

const spec: TranscodeSpec = {
  names: ["Order Date", "Customer", "n"],
  types: ["DATE", "VARCHAR", "INT64"],
  timeZone: "America/Los_Angeles",
  offset: "utc",
  periodEnd: true,
  formats: ["csv", "ndjson"],
  newline: "\r\n",
  escapeFormulae: true
}
const rows = Array.from({ length: 2000 }, (_, i) => [1_600_000_000 + i * 86_400, `=name, ${i} "q"`, 2 ** 60 + i])
const body = Buffer.from(
  `{"data_rows":${JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}}`,
  "utf8"
)
const start = body.indexOf("[")

const inline = () => {
  const timeZone = resolveTimeZone(spec.timeZone)
  if (timeZone instanceof Error) throw timeZone
  const types = new Map(spec.names.map((n, i) => [n, spec.types[i] ?? null]))
  const renderer = makeRowRenderer(
    planColumns(spec.names, (n) => types.get(n) ?? null, { timeZone, offset: "utc" }),
    true
  )
  return spec.formats.map((format) =>
    makeRowsTranscoder({
      format,
      columns: renderer.columns.map((c) => c.name),
      sources: renderer.sources,
      formatters: renderer.formatters,
      plainText: renderer.plainText,
      width: 3,
      newline: spec.newline,
      escapeFormulae: spec.escapeFormulae
    }).transcode(body, start)
  )
}

describe("transcode pool", () => {
  it.live("pages-come-back-as-the-main-thread-writes-them", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const pool = yield* makeTranscodePool(2)
        const key = pool.plan(spec)
        const results = yield* Effect.all(
          Array.from({ length: 4 }, () => pool.run(key, body, start)),
          { concurrency: "unbounded" }
        )
        const expected = inline()
        for (const result of results) {
          expect(result?.rowCount).toBe(2000)
          expect(result?.end).toBe(body.length - 1)
          expect(result?.chunks.map((chunks) => Buffer.concat(chunks).toString("utf8"))).toEqual(
            expected.map((e) => Buffer.concat(e!.chunks).toString("utf8"))
          )
        }
      })
    )
  )

  it.live("a-page-a-worker-cannot-do-is-declined-not-failed", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const pool = yield* makeTranscodePool(1)
        const broken = pool.plan({ ...spec, timeZone: "Nowhere/Atlantis" })
        expect(yield* pool.run(broken, body, start)).toBeUndefined()
        const malformed = Buffer.from('{"data_rows":[[1600000000,"a",1],[2', "utf8")
        expect(yield* pool.run(pool.plan(spec), malformed, malformed.indexOf("["))).toBeUndefined()
        // The worker is still there for the next page.
        expect((yield* pool.run(pool.plan(spec), body, start))?.rowCount).toBe(2000)
      })
    )
  )
})
