/**
 * `--output-name` is the file name without the extension spotpipe adds, as a job file's `"output"` is: a name
 * ending in the format's extension is refused in the same words before any request (it wrote `m.csv.csv`).
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runInProcess } from "./support/inProcess.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-output-name-")

describe("--output-name with the format's extension", () => {
  it.live("is-refused-as-the-job-files-output-is-and-nothing-is-written", () =>
    Effect.gen(function* () {
      const out = NodePath.join(tempDir(), "o")
      for (const [format, name] of [
        ["csv", "m.csv"],
        ["ndjson", "M.NDJSON"],
        ["parquet", "m.parquet"]
      ] as const) {
        const run = yield* runInProcess(
          ["answer", "Revenue by Month", "--sandbox", "--format", format, "--output-name", name, "--out", out],
          {}
        )
        expect(run.code, run.stderr).toBe(2)
        const extension = `.${format}`
        expect(run.stderr.trimEnd()).toBe(
          `spotpipe: --output-name is the file name without its extension, which spotpipe adds (it would write a file ending in ${extension}${extension}): leave "${extension}" out`
        )
      }
      expect(NodeFs.existsSync(out)).toBe(false)
      // Another extension is part of the name.
      const kept = yield* runInProcess(
        ["answer", "Revenue by Month", "--sandbox", "--output-name", "m.ndjson", "--out", out, "--quiet"],
        {}
      )
      expect(kept.code, kept.stderr).toBe(0)
      expect(NodeFs.readdirSync(out).filter((f) => !f.startsWith("."))).toContain("m.ndjson.csv")
    })
  )
})
