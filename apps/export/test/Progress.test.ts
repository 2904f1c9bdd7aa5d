import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { formatProgress, makeTerminalProgress, showsProgress } from "../src/cli/Progress.ts"
import { formatSummary, summaryJson } from "../src/cli/Summary.ts"

describe("progress", () => {
  it("line-shows-rows-rate-pages-and-eta", () => {
    const line = formatProgress({ label: "a.csv", rows: 20_000, pages: 2, elapsedMillis: 2000, total: 50_000 })
    assert.strictEqual(line, "a.csv  20,000/50,000 rows  10,000 rows/s  2 pages  ETA 0:03")
    assert.strictEqual(
      formatProgress({ label: "b", rows: 1, pages: 1, elapsedMillis: 0, total: undefined }),
      "b  1 row  0 rows/s  1 page"
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
        "object            rows  file                     bytes  seconds",
        "---------------  -----  ----------------------  ------  -------",
        "answer Sales     1,200  answer-Sales.csv        53,000     1.23",
        "metadata ANSWER      7  metadata-ANSWER.ndjson     900     0.05",
        "---------------  -----  ----------------------  ------  -------",
        "2 files, 1,207 rows",
        ""
      ].join("\n")
    )
  })

  it("footer-counts-each-result-once-and-names-the-folder", () => {
    // The demo writes every result twice (CSV and NDJSON): its rows count once.
    const text = formatSummary(
      [
        { object: "answer A", rows: 10_000, file: "answer-A.csv", bytes: 1, seconds: 0, result: 0 },
        { object: "answer A", rows: 10_000, file: "answer-A.ndjson", bytes: 1, seconds: 0, result: 0 },
        { object: "answer B", rows: 5, file: "answer-B.csv", bytes: 1, seconds: 0, result: 1 },
        { object: "answer B", rows: 5, file: "answer-B.ndjson", bytes: 1, seconds: 0, result: 1 }
      ],
      { folder: "/data/landing" }
    )
    assert.strictEqual(text.trimEnd().split("\n").at(-1), "4 files (2 results), 10,005 rows in /data/landing")
  })

  it("server-names-in-the-table-are-inert", () => {
    const text = formatSummary([
      { object: "answer \u001b]52;c;eA==\u0007x\u001b[2J", rows: 1, file: "answer-x.csv", bytes: 1, seconds: 0 }
    ])
    assert.notInclude(text, "\u001b")
    assert.include(text, "answer \\u001b]52;c;eA==\\u0007x\\u001b[2J")
  })

  it("json-summary-is-one-object-with-plain-numbers", () => {
    const line = summaryJson(
      [
        {
          object: "answer A",
          rows: 10_000,
          file: "answer-A.csv",
          bytes: 53_000,
          seconds: 1.5,
          result: 0,
          warnings: []
        },
        {
          object: "answer A",
          rows: 10_000,
          file: "answer-A.ndjson",
          bytes: 90_000,
          seconds: 1.5,
          result: 0,
          warnings: ["sampling_ratio is 0.5"]
        }
      ],
      { folder: "/data/landing", warnings: ["the cluster's time_zone is not used"] }
    )
    assert.notInclude(line, "\n")
    assert.deepStrictEqual(JSON.parse(line), {
      summary: {
        files: 2,
        results: 1,
        rows: 10_000,
        documents: 0,
        folder: "/data/landing",
        outputs: [
          { object: "answer A", rows: 10_000, file: "answer-A.csv", bytes: 53_000, seconds: 1.5, warnings: [] },
          {
            object: "answer A",
            rows: 10_000,
            file: "answer-A.ndjson",
            bytes: 90_000,
            seconds: 1.5,
            warnings: ["sampling_ratio is 0.5"]
          }
        ],
        // Always there (empty when a run removed nothing), so a reader finds one shape.
        removed: [],
        // The run's own, and each output's above, as the --json report carries them.
        warnings: ["the cluster's time_zone is not used"]
      }
    })
  })
})

describe("summary of documents", () => {
  // A TML document has no rows: it shows none, and the footer counts documents instead of "0 rows".
  const tml = { object: "tml ANSWER Sales", file: "tml/answer/Sales.tml", bytes: 612, seconds: 0.04 }

  it("documents-show-no-rows-and-the-footer-counts-them", () => {
    const text = formatSummary([tml, { ...tml, object: "tml ANSWER Costs", file: "tml/answer/Costs.tml" }], {
      folder: "/landing"
    })
    const lines = text.trimEnd().split("\n")
    assert.match(lines[2]!, /^tml ANSWER Sales +- +tml\/answer\/Sales\.tml +612 +0\.04$/)
    assert.strictEqual(lines.at(-1), "2 documents in /landing")
  })

  it("a-run-of-tables-and-documents-counts-both", () => {
    const text = formatSummary([{ object: "metadata ANSWER", rows: 7, file: "m.csv", bytes: 9, seconds: 0 }, tml])
    assert.strictEqual(text.trimEnd().split("\n").at(-1), "2 files, 7 rows and 1 document")
    const json = JSON.parse(summaryJson([{ ...tml, warnings: [] }], { warnings: [] })).summary
    assert.deepInclude(json, { files: 1, rows: 0, documents: 1 })
    assert.deepStrictEqual(json.outputs[0].rows, null)
  })
})

describe("progress line", () => {
  it("server-names-in-the-label-are-inert", () => {
    const line = formatProgress({ label: "a\u001b[2J\u009b", rows: 1, pages: 1, elapsedMillis: 0, total: undefined })
    assert.strictEqual(line, "a\\u001b[2J\\u009b  1 row  0 rows/s  1 page")
  })
})

describe("whether the progress line is drawn", () => {
  it("only-on-a-terminal-and-never-with-quiet-or-json-logs", () => {
    assert.isTrue(showsProgress({ quiet: false, format: "text" }, true))
    assert.isFalse(showsProgress({ quiet: false, format: "text" }, false))
    assert.isFalse(showsProgress({ quiet: true, format: "text" }, true))
    // With --log-format json every stderr line is one JSON object: no redrawn line between them.
    assert.isFalse(showsProgress({ quiet: false, format: "json" }, true))
    // --out - on a terminal: the line would be drawn between the data's lines on the same screen.
    assert.isFalse(showsProgress({ quiet: false, format: "text" }, true, true))
    assert.isTrue(showsProgress({ quiet: false, format: "text" }, true, false))
  })
})
