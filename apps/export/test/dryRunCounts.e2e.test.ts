/**
 * What `--dry-run` counts, end to end (in-process against a loopback sandbox): each part of a split export shows
 * the rows a run writes to it (its page range of the count its parts were planned with), and the last line names
 * what it cannot count for what it is — metadata listings, audit logs, principals tables, whose rows are counted as
 * they are read — and TML documents, which hold no rows at all.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runInProcess } from "./support/inProcess.ts"
import { sandboxEnv, testSandbox, writeJob } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-dry-run-counts-")
const timeout = { timeout: 60_000 }
const sandbox = testSandbox({ rows: 5000 })

interface Plan {
  readonly outputs: ReadonlyArray<{ readonly file: string; readonly rows: number | null }>
  readonly totals: Record<string, number>
}

const lastLine = (text: string) => text.trimEnd().split("\n").at(-1)!

describe("--dry-run's counts", () => {
  it.live(
    "each-part-of-a-split-export-shows-the-rows-the-run-writes-to-it",
    () =>
      Effect.gen(function* () {
        const env = sandboxEnv(sandbox.sandbox)
        // 5,000 rows in 8 pages of 700, cut into 3 parts of 2, 3 and 3 pages.
        const job = writeJob(tempDir(), {
          exports: [
            { type: "answer", id: "Order Details", pageSize: 700, split: 3 },
            { type: "answer", id: "Revenue by Month" }
          ]
        })
        const out = tempDir()
        const dry = yield* runInProcess(["run", job, "--out", out, "--dry-run", "--json"], env)
        expect(dry.code, dry.stderr).toBe(0)
        const plan = JSON.parse(dry.stdout) as Plan
        const text = yield* runInProcess(["run", job, "--out", out, "--dry-run"], env)
        expect(lastLine(text.stdout)).toBe(
          `dry run: 4 files, 5,073 rows would be written in ${out}; nothing was written`
        )
        const real = yield* runInProcess(["run", job, "--out", out], env)
        expect(real.code, real.stderr).toBe(0)
        const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(out, "manifest.json"), "utf8")) as {
          outputs: ReadonlyArray<{ file: string; rows_written: number }>
        }
        expect(plan.outputs.map((o) => [o.file, o.rows])).toEqual(manifest.outputs.map((o) => [o.file, o.rows_written]))
        expect(plan.outputs.map((o) => o.rows)).toEqual([1400, 2100, 1500, 73])
        expect(plan.totals).toMatchObject({ rows: 5073, rows_unknown: 0, documents: 0 })
      }),
    timeout
  )

  it.live(
    "uncounted-files-and-tml-documents-are-named-for-what-they-are",
    () =>
      Effect.gen(function* () {
        const env = sandboxEnv(sandbox.sandbox)
        const tml = yield* runInProcess(["tml", "--type", "ANSWER", "--dry-run", "--out", tempDir()], env)
        expect(tml.code, tml.stderr).toBe(0)
        expect(lastLine(tml.stdout)).toMatch(/^dry run: 7 files, 7 TML documents would be written in /)
        // A document's rows and columns are none, not unknown.
        expect(tml.stdout).toMatch(/tml\/answer\/Revenue by Month\.tml +- +-\n/)
        const principals = yield* runInProcess(["principals", "--dry-run", "--out", tempDir()], env)
        expect(principals.code, principals.stderr).toBe(0)
        expect(lastLine(principals.stdout)).toMatch(
          /^dry run: 7 files, the rows of 7 principals tables \(counted as they are read\) would be written in /
        )
        const job = writeJob(tempDir(), {
          exports: [
            { type: "answer", id: "Revenue by Month" },
            { type: "metadata", metadataTypes: ["ANSWER"] },
            { type: "audit", since: "2d", until: "1h" },
            { type: "tml", tmlTypes: ["ANSWER"] }
          ]
        })
        const mixed = yield* runInProcess(["run", job, "--out", tempDir(), "--dry-run"], env)
        expect(mixed.code, mixed.stderr).toBe(0)
        expect(lastLine(mixed.stdout)).toMatch(
          /^dry run: 10 files, 73 rows \(besides 1 metadata listing and 1 audit log, whose rows are counted as they are read\) and 7 TML documents would be written in /
        )
        const json = yield* runInProcess(["run", job, "--out", tempDir(), "--dry-run", "--json"], env)
        expect((JSON.parse(json.stdout) as Plan).totals).toEqual({
          files: 10,
          rows: 73,
          rows_unknown: 2,
          documents: 7,
          existing: 0,
          kept: 0
        })
      }),
    timeout
  )
})
