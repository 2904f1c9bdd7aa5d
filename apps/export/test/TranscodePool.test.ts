/**
 * The worker pool on its own: a page cut after a row and transcoded in two parts (this thread's before the cut,
 * the worker's after it) gives the bytes of one transcode of the whole page; rows the worker cannot do, a worker
 * holding two parts already and a worker that cannot start all give the part back (the caller then transcodes
 * the page whole) rather than failing or losing rows; written chunks go back to the worker.
 */
import { describe, expect, it } from "@effect/vitest"
import { resolveTimeZone } from "@spotpipe/decode"
import { Effect } from "effect"
import { cutRows, makeTranscodePool, type TranscodeSpec } from "../src/engine/TranscodePool.ts"
import { makeRowRenderer } from "../src/formats/RowRenderer.ts"
import { makeRowsTranscoder, type RowsTranscoder } from "../src/formats/RowsTranscoder.ts"
import { planColumns } from "../src/plan/ColumnPlanner.ts"

const spec: TranscodeSpec = {
  names: ["Order Date", "Customer", "n"],
  types: ["DATE", "VARCHAR", "INT64"],
  timeZone: "Asia/Kolkata",
  offset: "utc",
  periodEnd: true,
  formats: ["csv", "ndjson"],
  newline: "\r\n",
  escapeFormulae: true
}
const bodyOf = (rows: ReadonlyArray<ReadonlyArray<unknown>>) =>
  Buffer.from(`{"data_rows":${JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? v.toString() : v))},"x":1}`)
const rows = Array.from({ length: 2000 }, (_, i) => [
  1_599_935_400 + i * 86_400, // a DATE: a midnight in Kolkata (2020-09-13 on; no clock changes there)
  `=name, ${i} "q"`,
  2n ** 60n + BigInt(i)
])
const body = bodyOf(rows)
const start = body.indexOf("[")
const arrayEnd = body.lastIndexOf("]") + 1

const transcoders = (): ReadonlyArray<RowsTranscoder> => {
  const timeZone = resolveTimeZone(spec.timeZone)
  if (timeZone instanceof Error) throw timeZone
  const renderer = makeRowRenderer(planColumns(spec.names, spec.types, { timeZone, offset: "utc" }), true)
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
    })
  )
}
const text = (chunks: ReadonlyArray<Uint8Array>) => Buffer.concat(chunks).toString("utf8")
const whole = (bytes: Uint8Array, at: number) => transcoders().map((t) => text(t.transcode(bytes, at)!.chunks))

describe("transcode pool", () => {
  it("a-cut-falls-after-a-row-with-about-the-share-asked-after-it", () => {
    const cut = cutRows(body, start, arrayEnd - start, 0.3)!
    expect(body.subarray(cut - 1, cut + 2).toString()).toBe("],[")
    expect(Math.abs(arrayEnd - cut - 0.3 * (arrayEnd - start))).toBeLessThan(100)
    // Past the last row there is nothing to cut.
    expect(cutRows(body, start, arrayEnd - start, 0.0001)).toBeUndefined()
  })

  it.live("two-parts-of-a-page-give-the-bytes-of-one-transcode", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const pool = yield* makeTranscodePool(1)
        const key = pool.plan(spec)
        const expected = whole(body, start)
        for (const share of [0.2, 0.55, 0.9]) {
          const cut = cutRows(body, start, arrayEnd - start, share)!
          const theirs = (yield* pool.offer(key, body, cut)!)!
          // This thread's part, as the export job reads it: the array closed at the cut.
          const closed = Buffer.from(body)
          closed[cut] = 0x5d
          const mine = transcoders().map((t) => t.transcode(closed, start)!)
          expect(mine[0]!.end).toBe(cut + 1)
          expect(theirs.end).toBe(arrayEnd)
          expect(mine[0]!.rowCount + theirs.rowCount).toBe(2000)
          expect(mine.map((m, i) => text(m.chunks) + text(theirs.chunks[i]!))).toEqual(expected)
        }
        expect(pool.counts()).toMatchObject({ offered: 3, taken: 3, done: 3, returned: 0 })
        expect(pool.counts().workerMsPerMB).toBeGreaterThan(0)
        // Both sides measured: the next share follows their speeds, within its bounds.
        pool.measured(1_000_000, 50)
        expect(pool.share(1_000_000)).toBeGreaterThanOrEqual(0.2)
        expect(pool.share(1_000_000)).toBeLessThanOrEqual(0.85)
        // A much slower side gets the smaller part, within the bounds.
        pool.measured(1_000_000, 1_000_000)
        expect(pool.share(1_000_000)).toBeGreaterThan(0.5)
      })
    )
  )

  /** Feeds a pool pages on which this thread transcodes as fast as the worker, then pages with other work too. */
  const evenThenBusy = (overlappingPages: boolean) =>
    Effect.gen(function* () {
      let busy = 0
      const pool = yield* makeTranscodePool(1, { busyMillis: () => busy, overlappingPages })
      const key = pool.plan(spec)
      yield* pool.offer(key, body, cutRows(body, start, arrayEnd - start, 0.5)!)!
      const workerMsPerByte = pool.counts().workerMsPerMB / 1e6
      // A page on which this thread only transcodes, as fast as the worker: an even cut.
      pool.share(1_000_000)
      pool.measured(500_000, 500_000 * workerMsPerByte)
      busy += 500_000 * workerMsPerByte
      const even = pool.share(1_000_000)
      // Pages on which this thread also spends as long again on other work (receiving, hashing, writing).
      for (let page = 0; page < 8; page++) {
        pool.measured(500_000, 500_000 * workerMsPerByte)
        busy += 500_000 * workerMsPerByte + 1_000_000 * workerMsPerByte * 0.5
        pool.share(1_000_000)
      }
      return { even, busy: pool.share(1_000_000), otherMsPerMB: pool.counts().otherMsPerMB }
    })

  it.live("with-pages-in-flight-this-threads-other-work-moves-the-cut-toward-the-worker", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { even, busy, otherMsPerMB } = yield* evenThenBusy(true)
        expect(even).toBeGreaterThan(0.35)
        expect(even).toBeLessThan(0.65)
        // Other work of half the worker's time per byte: about (0.5 + 1) / 2 = 0.75, within the bound.
        expect(busy).toBeGreaterThan(even + 0.1)
        expect(busy).toBeLessThanOrEqual(0.95)
        expect(otherMsPerMB).toBeGreaterThan(0)
      })
    )
  )

  it.live("with-one-page-in-flight-the-parts-stay-equal-in-time", () =>
    Effect.scoped(
      Effect.gen(function* () {
        // The other work then happens while the worker waits anyway: it does not move the cut.
        const { even, busy, otherMsPerMB } = yield* evenThenBusy(false)
        expect(otherMsPerMB).toBeGreaterThan(0)
        expect(busy).toBeCloseTo(even, 2)
      })
    )
  )

  it.live("rows-a-worker-cannot-do-are-given-back-and-the-worker-stays", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const pool = yield* makeTranscodePool(1)
        const cut = cutRows(body, start, arrayEnd - start, 0.5)!
        const broken = pool.plan({ ...spec, timeZone: "Nowhere/Atlantis" })
        expect(yield* pool.offer(broken, body, cut)!).toBeUndefined()
        const narrow = bodyOf([
          [1_600_000_000, "a"],
          [1_600_000_000, "b"]
        ])
        const narrowCut = narrow.indexOf("],[") + 1
        expect(yield* pool.offer(pool.plan(spec), narrow, narrowCut)!).toBeUndefined()
        const cutShort = body.subarray(0, arrayEnd - 10)
        expect(yield* pool.offer(pool.plan(spec), cutShort, cut)!).toBeUndefined()
        // A date its renderer refuses (the renderer makes a decode error, which the worker survives).
        const badDate = bodyOf([
          [1_600_000_000, "a", 1],
          [1.5, "b", 2]
        ])
        expect(yield* pool.offer(pool.plan(spec), badDate, badDate.indexOf("],[") + 1)!).toBeUndefined()
        expect(pool.counts().returned).toBe(4)
        // The worker is still there for the next page.
        expect((yield* pool.offer(pool.plan(spec), body, cut)!)?.rowCount).toBeGreaterThan(0)
      })
    )
  )

  it.live("a-worker-holds-two-parts-at-most", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const pool = yield* makeTranscodePool(1)
        const key = pool.plan(spec)
        const cut = cutRows(body, start, arrayEnd - start, 0.5)!
        const first = pool.offer(key, body, cut)
        const second = pool.offer(key, body, cut)
        expect(first).toBeDefined()
        expect(second).toBeDefined()
        expect(pool.offer(key, body, cut)).toBeUndefined()
        const [a, b] = yield* Effect.all([first!, second!])
        expect(b?.chunks.map(text)).toEqual(a?.chunks.map(text))
        // Free again once it answered.
        expect(pool.offer(key, body, cut)).toBeDefined()
        expect(pool.counts()).toMatchObject({ offered: 4, taken: 3 })
      })
    )
  )

  it.live("a-worker-that-cannot-start-gives-parts-back-and-then-takes-none", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const pool = yield* makeTranscodePool(1, {
          workerUrl: new URL("./fixtures/no-such-worker.ts", import.meta.url)
        })
        const cut = cutRows(body, start, arrayEnd - start, 0.5)!
        const key = pool.plan(spec)
        expect(yield* pool.offer(key, body, cut)!).toBeUndefined()
        expect(pool.offer(key, body, cut)).toBeUndefined()
      })
    )
  )

  it.live("written-chunks-go-back-to-the-worker", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const pool = yield* makeTranscodePool(1)
        const key = pool.plan(spec)
        const cut = cutRows(body, start, arrayEnd - start, 0.5)!
        const result = (yield* pool.offer(key, body, cut)!)!
        const written = result.chunks.map(text)
        const chunk = result.chunks[0]![0]!
        expect(chunk.byteLength).toBeGreaterThan(0)
        pool.recycle(result)
        // Transferred, not copied: the buffer now belongs to the worker again, which fills it anew.
        expect(chunk.byteLength).toBe(0)
        expect((yield* pool.offer(key, body, cut)!)?.chunks.map(text)).toEqual(written)
      })
    )
  )
})
