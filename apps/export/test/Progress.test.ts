import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { formatProgress, makeTerminalProgress } from "../src/Progress.ts"
import { formatSummary } from "../src/Summary.ts"

describe("progress", () => {
  it("line-shows-rows-rate-pages-and-eta", () => {
    const line = formatProgress({ label: "a.csv", rows: 20_000, pages: 2, elapsedMillis: 2000, total: 50_000 })
    assert.strictEqual(line, "a.csv  20,000/50,000 rows  10,000 rows/s  2 pages  ETA 0:03")
    assert.strictEqual(
      formatProgress({ label: "b", rows: 1, pages: 1, elapsedMillis: 0, total: undefined }),
      "b  1 rows  0 rows/s  1 page"
    )
  })

  it.effect("redraws-at-most-every-200-ms-by-the-clock", () =>
    Effect.gen(function* () {
      const writes: Array<string> = []
      const progress = makeTerminalProgress((text) => Effect.sync(() => void writes.push(text)))
      yield* progress.start("x.csv")
      yield* progress.page(100, 1000)
      yield* progress.page(100, 1000)
      assert.strictEqual(writes.length, 1)
      yield* TestClock.adjust("1 second")
      yield* progress.page(100, 1000)
      assert.strictEqual(writes.length, 2)
      assert.include(writes[1]!, "300/1,000 rows  300 rows/s  3 pages  ETA 0:02")
      yield* progress.finish
      assert.strictEqual(writes[2], "\r\u001b[2K")
    })
  )
})

describe("summary", () => {
  it("table-lists-object-rows-file-bytes-seconds-with-a-total", () => {
    const text = formatSummary([
      { object: "answer Sales", rows: 1200, file: "answer-Sales.csv", bytes: 53_000, seconds: 1.234 },
      { object: "metadata ANSWER", rows: 7, file: "metadata-ANSWER.ndjson", bytes: 900, seconds: 0.05 }
    ])
    assert.strictEqual(
      text,
      [
        "object           rows  file                    bytes  seconds",
        "---------------  ----  ----------------------  -----  -------",
        "answer Sales     1200  answer-Sales.csv        53000     1.23",
        "metadata ANSWER     7  metadata-ANSWER.ndjson    900     0.05",
        "---------------  ----  ----------------------  -----  -------",
        "2 files, 1207 rows",
        ""
      ].join("\n")
    )
  })
})
