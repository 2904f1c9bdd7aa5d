/**
 * A dry run refuses what the real run with the same arguments refuses: a job whose merge load names a key column an
 * export's file lacks fails the dry run with the load's own words (the real run says them only after every export
 * was written), and leaves the folder as it was.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { fixtures } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv, testSandbox, writeJob } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 90_000 }
const tempDir = tempFolders("spotpipe-dry-refusal-")
const served = testSandbox({ rows: fixtures.golden.rows, seed: fixtures.golden.seed })

/** A job of two exports of one answer merged into `database`: `lacking` keyed by `key`, `keyed` by the load's key. */
const mergeJob = (dir: string, database: string, key: ReadonlyArray<string>) =>
  writeJob(dir, {
    exports: [
      { type: "answer", id: "Revenue by Month", output: "lacking", loadKey: key },
      { type: "answer", id: "Revenue by Month", output: "keyed" }
    ],
    load: { into: `duckdb:${database}`, mode: "merge", key: ["Month(Order Date)"] }
  })

/** The lines of `text` that say a file lacks a key column. */
const keyLines = (text: string) => text.split("\n").filter((line) => line.includes("has no key column"))

describe("a dry run of a job that loads", () => {
  it("says-the-merge-key-a-file-lacks-as-the-run-would-after-its-exports", timeout, async () => {
    const root = tempDir()
    const database = NodePath.join(root, "w.duckdb")
    const job = mergeJob(root, database, ["Nope"])
    const out = NodePath.join(root, "out")
    const env = sandboxEnv(served.sandbox)

    const dry = await runCliInProcess(["run", job, "--out", out, "--dry-run"], { env })
    expect(dry.code, dry.stderr).toBe(1)
    expect(dry.stderr).toContain(`spotpipe: dry run: the job's "load" would refuse these files`)
    const said = keyLines(dry.stderr)
    expect(said).toEqual([
      '  lacking.csv has no key column "Nope": its columns are "Month(Order Date)", "Total Revenue" (a key is a column\'s name exactly as the file has it); give its export its own "loadKey" and run the job again with --resume'
    ])
    expect(NodeFs.readdirSync(root)).toEqual(["job.json"])

    // The real run writes every file, then its load refuses them in the same words.
    const real = await runCliInProcess(["run", job, "--out", out, "--quiet"], { env })
    expect(real.code).toBe(1)
    expect(keyLines(real.stderr)).toEqual(said)
  })

  it("of-a-merge-whose-every-file-has-its-key-succeeds", timeout, async () => {
    const root = tempDir()
    const job = mergeJob(root, NodePath.join(root, "w.duckdb"), ["Month(Order Date)"])
    const dry = await runCliInProcess(["run", job, "--out", NodePath.join(root, "out"), "--dry-run"], {
      env: sandboxEnv(served.sandbox)
    })
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.stdout).toContain("lacking.csv")
    expect(NodeFs.readdirSync(root)).toEqual(["job.json"])
  })
})
