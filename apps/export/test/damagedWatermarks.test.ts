/**
 * The incremental runs' state (`.spotpipe-state/watermarks.json`, `started.json`) damaged or in the way: a file cut
 * anywhere is refused as damaged (or read whole), never taken for another point to continue from; something that is
 * not a readable file there is named, never taken for a missing file (which a run would then replace, dropping every
 * other export's watermark).
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { NodeServices } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { stateDirName } from "../src/output/OutputLock.ts"
import { makeExport } from "../src/plan/JobFile.ts"
import { lastWatermark, recordWatermarks, watermarkId, watermarksFileName } from "../src/plan/Watermark.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-damaged-watermarks-")
const host = "https://a.example"

const audit = (key: string) =>
  makeExport({
    index: 0,
    key,
    what: `audit ${key}`,
    spec: { type: "audit", since: "last" },
    format: "csv",
    timezone: undefined,
    pageSize: 10,
    strict: false
  })

const last = (dir: string, key: string) => lastWatermark(dir, audit(key), "audit", "since", undefined, host)

/** A folder whose state holds the watermarks of exports `a` and `b`. */
const recorded = () =>
  Effect.gen(function* () {
    const dir = tempDir()
    yield* recordWatermarks(dir, [
      [watermarkId(audit("a")), { kind: "audit", value: "2026-12-01T00:00:00.000Z", run_id: "r1", host }],
      [watermarkId(audit("b")), { kind: "audit", value: "2026-12-02T00:00:00.000Z", run_id: "r1", host }]
    ])
    return dir
  })

describe("damaged incremental state", () => {
  it.effect("watermarks-cut-at-any-length-are-refused-as-damaged-or-read-whole", () =>
    Effect.gen(function* () {
      const dir = yield* recorded()
      const file = NodePath.join(dir, stateDirName, watermarksFileName)
      const whole = NodeFs.readFileSync(file)
      for (let length = 0; length < whole.length; length++) {
        NodeFs.writeFileSync(file, whole.subarray(0, length))
        const exit = yield* Effect.exit(last(dir, "a"))
        if (Exit.isSuccess(exit)) expect(exit.value).toBe("2026-12-01T00:00:00.000Z")
        else expect(String(exit.cause)).toContain(`${file} is damaged`)
      }
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-folder-in-place-of-the-watermarks-is-named-not-taken-for-no-earlier-run", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const file = NodePath.join(dir, stateDirName, watermarksFileName)
      NodeFs.mkdirSync(file, { recursive: true })
      const message = yield* Effect.flip(last(dir, "a")).pipe(Effect.map((e) => e.message))
      expect(message).toBe(
        `cannot read ${file} (EISDIR), where the incremental runs' state is kept: a folder of that name is in the way; move it away, then run again`
      )
      // Recording fails the same way; nothing is replaced.
      const recording = yield* Effect.flip(
        recordWatermarks(dir, [
          [watermarkId(audit("c")), { kind: "audit", value: "2026-12-03T00:00:00.000Z", run_id: "r2" }]
        ])
      ).pipe(Effect.map((e) => e.message))
      expect(recording).toContain(`cannot read ${file} (EISDIR)`)
      expect(NodeFs.statSync(file).isDirectory()).toBe(true)
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-torn-watermarks-file-is-replaced-by-the-next-successful-run-with-its-own-entries", () =>
    Effect.gen(function* () {
      const dir = yield* recorded()
      const file = NodePath.join(dir, stateDirName, watermarksFileName)
      NodeFs.writeFileSync(file, NodeFs.readFileSync(file).subarray(0, 40))
      yield* recordWatermarks(dir, [
        [watermarkId(audit("c")), { kind: "audit", value: "2026-12-03T00:00:00.000Z", run_id: "r2", host }]
      ])
      expect(yield* last(dir, "c")).toBe("2026-12-03T00:00:00.000Z")
      const gone = yield* Effect.flip(last(dir, "a")).pipe(Effect.map((e) => e.message))
      expect(gone).toContain("needs an earlier successful run of this export")
    }).pipe(Effect.provide(NodeServices.layer))
  )
})
