/**
 * A dry run refuses what the real run with the same arguments refuses, in the same words, and leaves the folder as
 * it was: files a job's load would refuse (a merge key column one lacks) and column names --ddl's dialects cannot
 * take, which the real run says only after every export was written; files that exist already without --force or
 * --resume, and --escape-formulae with a load, which the run refuses before it reads any data.
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

  it("refuses-escape-formulae-with-a-load-before-any-export-in-a-dry-run-as-in-the-run", timeout, async () => {
    const root = tempDir()
    const job = writeJob(root, {
      exports: [{ type: "answer", id: "Revenue by Month" }],
      load: { into: `duckdb:${NodePath.join(root, "w.duckdb")}` }
    })
    const given = ["run", job, "--out", NodePath.join(root, "out"), "--escape-formulae"]
    const env = sandboxEnv(served.sandbox)
    const said =
      "spotpipe: --escape-formulae writes CSV cells starting with = + - @ with a ' that is not in the data, so the job's load would refuse the CSV files once exported: drop --escape-formulae (it is for files opened in a spreadsheet), or export NDJSON or Parquet; nothing was exported"
    for (const run of [
      await runCliInProcess([...given, "--dry-run"], { env }),
      await runCliInProcess([...given, "--quiet"], { env })
    ]) {
      expect(run.code).toBe(2)
      expect(run.stderr.trimEnd().split("\n").at(-1)).toBe(said)
    }
    expect(NodeFs.readdirSync(root).sort()).toEqual(["job.json"])
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

describe("a dry run into a folder that holds the files already", () => {
  for (const [command, args] of [
    ["answer", (_dir: string) => ["answer", "Revenue by Month"]],
    ["run", (dir: string) => ["run", writeJob(dir, { exports: [{ type: "answer", id: "Revenue by Month" }] })]]
  ] as const) {
    it(`${command}-fails-as-the-run-would-and-passes-with-force-or-resume`, timeout, async () => {
      const root = tempDir()
      const out = NodePath.join(root, "out")
      NodeFs.mkdirSync(out)
      NodeFs.writeFileSync(NodePath.join(out, "answer-Revenue by Month.csv"), "old")
      const env = sandboxEnv(served.sandbox)
      const given = [...args(root), "--out", out]

      const dry = await runCliInProcess([...given, "--dry-run", "--json"], { env })
      expect(dry.code).toBe(1)
      // The plan is printed all the same, the file marked.
      expect(JSON.parse(dry.stdout)).toMatchObject({ outputs: [{ file: "answer-Revenue by Month.csv", exists: true }] })
      const real = await runCliInProcess(given, { env })
      expect(real.code).toBe(1)
      expect(dry.stderr).toContain("already exists: pass --force to replace it")
      expect(dry.stderr).toBe(real.stderr)
      expect(NodeFs.readFileSync(NodePath.join(out, "answer-Revenue by Month.csv"), "utf8")).toBe("old")

      for (const flag of ["--force", "--resume"]) {
        const allowed = await runCliInProcess([...given, flag, "--dry-run"], { env })
        expect(allowed.code, allowed.stderr).toBe(0)
      }
    })
  }
})

describe("a dry run with --ddl", () => {
  /** The dialect's line of a refusal of the DDL: `bigquery: table …: "…" (…)`. */
  const refusedNames = (text: string) => /bigquery: table [^;.]*\)/.exec(text)?.[0]

  // Each command with the arguments that name columns as the result does, and as snake_case identifiers.
  const answer = { type: "answer", id: "Revenue by Month" }
  for (const [command, args] of [
    [
      "answer",
      (_dir: string, snake: boolean) => ["answer", "Revenue by Month", ...(snake ? ["--column-names", "snake"] : [])]
    ],
    [
      "run",
      (dir: string, snake: boolean) => [
        "run",
        writeJob(dir, { exports: [snake ? { ...answer, columnNames: "snake" } : answer] }, snake ? "snake" : "job")
      ]
    ]
  ] as const) {
    it(`${command}-names-the-columns-a-dialect-cannot-take-as-the-run-would-after-its-export`, timeout, async () => {
      const root = tempDir()
      const out = NodePath.join(root, "out")
      const env = sandboxEnv(served.sandbox)
      const rest = ["--out", out, "--ddl", "bigquery"]
      const given = [...args(root, false), ...rest]

      const dry = await runCliInProcess([...given, "--dry-run"], { env })
      expect(dry.code).toBe(1)
      expect(dry.stderr).toContain("spotpipe: dry run: --ddl: a run would write the export, but no DDL")
      expect(refusedNames(dry.stderr)).toBe(
        'bigquery: table answer_revenue_by_month: "Month(Order Date)" (the characters "(" ")")'
      )
      expect(NodeFs.existsSync(out)).toBe(false)
      // With names every dialect takes, the dry run passes.
      const snake = await runCliInProcess([...args(root, true), ...rest, "--dry-run"], { env })
      expect(snake.code, snake.stderr).toBe(0)

      const real = await runCliInProcess([...given, "--quiet"], { env })
      expect(real.code).toBe(1)
      expect(refusedNames(real.stderr)).toBe(refusedNames(dry.stderr))
    })
  }
})
