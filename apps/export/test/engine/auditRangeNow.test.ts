/**
 * An audit export's range is checked against the run's one start time, the "now" its `30d` was counted from: time
 * that passes while the run plans (here: a lookup of another export that takes a while, on a test clock) does not
 * make `30d` "more than 30 days before now".
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { NodeServices } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Stream } from "effect"
import { TestClock } from "effect/testing"
import type { Cluster, MetadataObject } from "../../src/cluster/Cluster.ts"
import type { ExportError } from "../../src/ExportError.ts"
import { runExports } from "../../src/engine/Engine.ts"
import { silentProgress } from "../../src/engine/ExportJob.ts"
import { parseJobFile } from "../../src/plan/JobFile.ts"
import { tempFolders } from "../support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-audit-range-now-")

const answer: MetadataObject = {
  type: "ANSWER",
  id: "A",
  name: "A",
  visualizations: [{ id: "A", name: "A", columns: [{ name: "n", type: "INT64" }] }],
  columns: []
}

/** A cluster whose lookups take 5 ms of the test clock; its answer has one row and its audit log no event. */
const slowLookups: Cluster<ExportError> = {
  host: "http://127.0.0.1:9",
  timeZone: Effect.succeedNone,
  find: () => Effect.as(TestClock.adjust("5 millis"), [answer]),
  list: () => Effect.succeed([answer]),
  metadataPages: () => Stream.empty,
  auditPages: () => Stream.empty,
  answerPages: () => Stream.make({ columnNames: ["n"], rows: [[1]], availableRowCount: 1, samplingRatio: 1 }),
  liveboardPages: () => Stream.empty,
  searchPages: () => Stream.empty
}

describe("an audit export's range", () => {
  it.effect("30d-is-checked-against-the-time-it-was-counted-from", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2026-06-01T12:00:00Z"))
      const parsed = parseJobFile(
        JSON.stringify({
          exports: [
            { type: "answer", id: "A" },
            { type: "audit", since: "30d", until: "1h" }
          ]
        }),
        "job.json"
      )
      if (Exit.isFailure(parsed)) return yield* Effect.die(parsed.cause)
      const job = parsed.value
      const dir = tempDir()
      const result = yield* runExports(job.exports, slowLookups, {
        command: "run",
        destination: { _tag: "Directory", path: dir },
        job: { file: "job.json", fingerprint: job.fingerprint },
        givenIn: "job file",
        keepState: true,
        onFailure: "record",
        resume: false,
        force: false,
        // One export after the other: the answer's lookup is planned before the audit export.
        exportsAtOnce: 1,
        workers: 0,
        overlappingPages: false,
        shard: { index: 1, count: 1 },
        timeZone: "UTC",
        newline: "\r\n",
        escapeFormulae: false,
        periodEnd: false,
        strict: false,
        offset: "utc",
        version: "0.0.0-test",
        progress: silentProgress
      })
      expect(result.failures.map((f) => f.error.message)).toEqual([])
      const audit = result.outputs.find((o) => o.output.source.type === "SECURITY_AUDIT")!.output
      expect(audit.source.query).toContain("2026-05-02T12:00:00.000Z")
      expect(audit.warnings ?? []).toEqual([])
      expect(NodeFs.readFileSync(NodePath.join(dir, "manifest.json"), "utf8")).not.toContain("more than 30 days")
    }).pipe(Effect.provide(NodeServices.layer))
  )
})
