import { assert, describe, it } from "@effect/vitest"
import { Cause } from "effect"
import { ExportError } from "../src/ExportError.ts"
import { fromThoughtSpot, reportFailure, toExportError } from "../src/Failure.ts"
import { UsageError } from "../src/UsageError.ts"

const tsError = (tag: string, message = "server said no") => ({
  _tag: "ThoughtSpotError" as const,
  operation: "answerData",
  reason: { _tag: tag, message }
})

describe("failure lines", () => {
  it("each-thoughtspot-reason-gets-a-line-that-says-what-to-do", () => {
    const expectations: ReadonlyArray<[string, string, string]> = [
      ["Authentication", "Authentication", "THOUGHTSPOT_USERNAME"],
      ["NotFound", "NotFound", "check the GUID or name"],
      ["Forbidden", "Forbidden", "share it with this user"],
      ["RateLimited", "RateLimited", "run again later or lower --concurrency"],
      ["Incomplete", "Incomplete", "run the export again"],
      ["Transport", "Remote", "check --host"],
      ["BadRequest", "Remote", "rejected the request"]
    ]
    for (const [tag, kind, hint] of expectations) {
      const error = fromThoughtSpot(tsError(tag), 'answer "Sales"')
      assert.strictEqual(error.kind, kind, tag)
      assert.include(error.message, hint, tag)
      assert.notInclude(error.message, "\n")
    }
  })

  it("exit-codes-are-2-for-usage-1-for-failures-130-for-interrupts", () => {
    const usage = reportFailure(Cause.fail(new UsageError({ message: "bad flag" })), false)
    assert.deepStrictEqual(usage, { exitCode: 2, lines: ["spotpipe: bad flag"] })
    const failed = reportFailure(Cause.fail(new ExportError({ kind: "DiskFull", message: "disk full" })), false)
    assert.deepStrictEqual(failed, { exitCode: 1, lines: ["spotpipe: disk full"] })
    const verbose = reportFailure(Cause.fail(toExportError(tsError("Server"), "liveboard X")), true)
    assert.strictEqual(verbose.exitCode, 1)
    assert.strictEqual(verbose.lines.length, 2)
    assert.include(verbose.lines[1]!, "ExportError")
    assert.strictEqual(reportFailure(Cause.interrupt(), false).exitCode, 130)
    const defect = reportFailure(Cause.die(new Error("kaboom")), false)
    assert.strictEqual(defect.exitCode, 1)
    assert.include(defect.lines[1]!, "--verbose")
  })
})
