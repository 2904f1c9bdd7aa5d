/** The table a batch run prints at its end: counts of one are singular (`1 file, 1 row, 1 byte`), others plural. */
import { describe, expect, it } from "@effect/vitest"
import { alreadyCompleteLine, batchSummaryJson, formatBatchSummary } from "../src/cli/BatchSummary.ts"
import type { Manifest } from "../src/output/Manifest.ts"

/** A manifest with what the summary reads: each export's status and its outputs' rows, bytes and resume. */
const manifestOf = (
  exports: ReadonlyArray<{
    name: string
    outputs: ReadonlyArray<[number, number]>
    format?: string
    resume?: string
    status?: string
  }>
) =>
  ({
    shard: null,
    exports: exports.map((e) => ({ export: e.name, status: e.status ?? "succeeded", error: null, files: [] })),
    outputs: exports.flatMap((e) =>
      e.outputs.map(([rows, bytes]) => ({
        export: e.name,
        format: e.format ?? "csv",
        rows_written: rows,
        bytes,
        resume: e.resume ?? "written"
      }))
    )
  }) as unknown as Manifest

describe("the batch summary", () => {
  it("counts-of-one-are-singular", () => {
    const text = formatBatchSummary(
      manifestOf([
        { name: "metadata-answer", outputs: [[1, 1]] },
        { name: "answer-Sales", outputs: [[0, 20]] },
        {
          name: "audit-log",
          outputs: [
            [1_500, 90_000],
            [2, 3]
          ]
        }
      ])
    )
    expect(text.split("\n").slice(0, 3)).toEqual([
      "ok      metadata-answer: 1 file, 1 row, 1 byte",
      "ok      answer-Sales: 1 file, 0 rows, 20 bytes",
      "ok      audit-log: 2 files, 1,502 rows, 90,003 bytes"
    ])
  })

  it("an-export-of-tml-documents-counts-documents-not-rows", () => {
    const text = formatBatchSummary(
      manifestOf([
        {
          name: "tml",
          format: "yaml",
          outputs: [
            [0, 300],
            [0, 200]
          ]
        },
        { name: "tml-one", format: "json", outputs: [[0, 1]] }
      ])
    )
    expect(text.split("\n").slice(0, 2)).toEqual([
      "ok      tml: 2 documents, 500 bytes",
      "ok      tml-one: 1 document, 1 byte"
    ])
  })

  it("a-resumed-run-that-found-every-export-complete-says-so-and-how-to-export-anew", () => {
    const skipped = manifestOf([
      { name: "answer-Sales", outputs: [[3, 30]], resume: "skipped" },
      { name: "tml", format: "yaml", outputs: [[0, 10]], resume: "skipped" }
    ])
    const text = formatBatchSummary(skipped)
    expect(text.split("\n").slice(2, 4)).toEqual(["2 of 2 exports succeeded", alreadyCompleteLine])
    expect(alreadyCompleteLine).toContain("--force instead of --resume, or with a new --job-run")
    expect(JSON.parse(batchSummaryJson(skipped)).summary.already_complete).toBe(true)
    // Not when anything was exported anew, an export failed, or an export wrote no file.
    for (const manifest of [
      manifestOf([
        { name: "a", outputs: [[3, 30]], resume: "skipped" },
        { name: "b", outputs: [[3, 30]], resume: "continued" }
      ]),
      manifestOf([{ name: "a", outputs: [[3, 30]] }]),
      manifestOf([
        { name: "a", outputs: [[3, 30]], resume: "skipped" },
        { name: "b", outputs: [], status: "failed" }
      ]),
      manifestOf([
        { name: "a", outputs: [[3, 30]], resume: "skipped" },
        { name: "b", outputs: [] }
      ])
    ]) {
      expect(formatBatchSummary(manifest)).not.toContain("already complete")
      expect(JSON.parse(batchSummaryJson(manifest)).summary.already_complete).toBe(false)
    }
  })
})
