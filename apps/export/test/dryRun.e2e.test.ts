/**
 * `--dry-run`, end to end (the built CLI against a loopback sandbox): every export command and `run` resolve
 * their names, read one row of each result and print the files a run would write with the rows and columns it
 * would write — the same figures a real run's manifest then records — and leave the output folder exactly as
 * it was: no folder, lock, state directory, partial file or manifest. Runs are in-process (runCliInProcess), the dry
 * run with `--out -` included, but one real process: a metadata dry run as installed.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { runCli } from "./support/runCli.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 90_000 }
const tempDir = tempFolders("spotpipe-dry-run-")

/** Every entry under `dir`, folders and hidden files included, sorted. */
const entriesIn = (dir: string): ReadonlyArray<string> =>
  (NodeFs.readdirSync(dir, { recursive: true }) as Array<string>).sort()

let sandbox: RunningSandbox
let env: Record<string, string>

beforeAll(async () => {
  sandbox = await startSandbox({ rows: fixtures.golden.rows, seed: fixtures.golden.seed })
  env = sandboxEnv(sandbox)
})

afterAll(async () => {
  await sandbox?.close()
})

interface PlanOutput {
  readonly file: string
  readonly rows: number | null
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: string | null }>
  readonly exists: boolean
}

/** The dry run's plan (`--json`) and a real run's manifest for the same arguments: they must agree. */
const planAndRun = async (args: ReadonlyArray<string>) => {
  const root = tempDir()
  const out = NodePath.join(root, "not", "yet")
  const dry = await runCliInProcess([...args, "--out", out, "--dry-run", "--json"], { env })
  expect(dry.code, dry.stderr).toBe(0)
  expect(entriesIn(root)).toEqual([])
  const plan = JSON.parse(dry.stdout) as { dry_run: boolean; outputs: ReadonlyArray<PlanOutput> }
  expect(plan.dry_run).toBe(true)
  const real = await runCliInProcess([...args, "--out", out], { env })
  expect(real.code, real.stderr).toBe(0)
  const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(out, "manifest.json"), "utf8")) as {
    outputs: ReadonlyArray<{ file: string; rows_written: number; columns: PlanOutput["columns"] }>
  }
  return { plan: plan.outputs, manifest: manifest.outputs }
}

describe("--dry-run on the export commands", () => {
  it("answer-dry-run-writes-nothing-and-predicts-the-files-rows-and-columns-the-run-writes", timeout, async () => {
    const { plan, manifest } = await planAndRun([
      "answer",
      "Revenue by Month",
      "--period-end",
      "--column-names",
      "snake",
      "--format",
      "ndjson"
    ])
    expect(plan.map((o) => o.file)).toEqual(manifest.map((o) => o.file))
    expect(plan.map((o) => o.rows)).toEqual(manifest.map((o) => o.rows_written))
    expect(plan.map((o) => o.columns)).toEqual(manifest.map((o) => o.columns))
    expect(plan[0]!.columns.map((c) => c.name)).toEqual(["month_order_date", "month_order_date_end", "total_revenue"])
  })

  it("parquet-dry-run-predicts-the-typed-columns-the-run-writes", timeout, async () => {
    const { plan, manifest } = await planAndRun(["answer", "Order Details", "--format", "parquet", "--period-end"])
    expect(plan.map((o) => [o.file, o.rows, o.columns])).toEqual(
      manifest.map((o) => [o.file, o.rows_written, o.columns])
    )
  })

  it("liveboard-dry-run-lists-every-visualization-file-with-the-rows-the-run-writes", timeout, async () => {
    const { plan, manifest } = await planAndRun(["liveboard", "Sales Overview"])
    expect(plan.length).toBeGreaterThan(1)
    expect(plan.map((o) => [o.file, o.rows, o.columns])).toEqual(
      manifest.map((o) => [o.file, o.rows_written, o.columns])
    )
  })

  it("search-dry-run-predicts-the-search-result", timeout, async () => {
    const { plan, manifest } = await planAndRun([
      "search",
      "--table",
      "Orders",
      "--query",
      "[Region] [Revenue]",
      "--format",
      "ndjson"
    ])
    expect(plan.map((o) => [o.file, o.rows, o.columns])).toEqual(
      manifest.map((o) => [o.file, o.rows_written, o.columns])
    )
  })

  it("metadata-dry-run-names-the-file-and-columns-and-leaves-its-rows-unknown", timeout, async () => {
    const out = tempDir()
    const run = await runCli(["metadata", "--type", "ANSWER", "--out", out, "--dry-run"], { env })
    expect(run.code, run.stderr).toBe(0)
    expect(entriesIn(out)).toEqual([])
    expect(run.stdout).toMatch(/metadata\.csv +\? +11: type, id, name, subtype, .*, created_ms, modified_ms/)
    expect(run.stdout).toContain("nothing was written")
  })

  it("dry-run-text-is-a-table-with-rows-and-columns-and-marks-files-that-exist", timeout, async () => {
    const out = tempDir()
    NodeFs.writeFileSync(NodePath.join(out, "answer-Revenue by Month.csv"), "old")
    const before = entriesIn(out)
    const run = await runCliInProcess(["answer", "Revenue by Month", "--out", out, "--dry-run"], { env })
    // The run would refuse the file that exists: so does its dry run, once the plan is printed.
    expect(run.code, run.stderr).toBe(1)
    expect(run.stderr).toContain("already exists: pass --force to replace it")
    expect(entriesIn(out)).toEqual(before)
    expect(NodeFs.readFileSync(NodePath.join(out, "answer-Revenue by Month.csv"), "utf8")).toBe("old")
    expect(run.stdout).toMatch(/answer-Revenue by Month\.csv \(exists\) +\d+ +2: Month\(Order Date\), Total Revenue/)
    expect(run.stdout).toContain("1 file exists already (the run needs --force or --resume)")
  })

  it("dry-run-of-a-missing-answer-fails-like-the-run-with-did-you-mean", timeout, async () => {
    const out = tempDir()
    const run = await runCliInProcess(["answer", "Revenue by Mnth", "--out", out, "--dry-run"], { env })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('did you mean "Revenue by Month"')
    expect(entriesIn(out)).toEqual([])
  })

  it("dry-run-with-log-format-json-prints-the-plan-as-json", timeout, async () => {
    const out = tempDir()
    const run = await runCliInProcess(["answer", "Sampled Orders", "--out", out, "--dry-run", "--log-format", "json"], {
      env
    })
    expect(run.code, run.stderr).toBe(0)
    expect(entriesIn(out)).toEqual([])
    expect(JSON.parse(run.stdout)).toMatchObject({ dry_run: true, outputs: [{ file: "answer-Sampled Orders.csv" }] })
    for (const line of run.stderr
      .trimEnd()
      .split("\n")
      .filter((l) => l !== "")) {
      expect(() => JSON.parse(line), line).not.toThrow()
    }
  })

  it("dry-run-to-stdout-prints-the-plan-and-no-data", timeout, async () => {
    const run = await runCliInProcess(["answer", "Revenue by Month", "--out", "-", "--dry-run"], { env })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^object +file +rows +columns/)
    expect(run.stdout).toContain("to stdout; nothing was written")
  })
})

describe("--dry-run on spotpipe run", () => {
  const job = (exports: ReadonlyArray<unknown>) => {
    const dir = tempDir()
    const file = NodePath.join(dir, "job.json")
    NodeFs.writeFileSync(file, JSON.stringify({ exports }))
    return file
  }

  it("run-dry-run-plans-every-export-and-leaves-the-folder-untouched", timeout, async () => {
    const out = tempDir()
    const jobFile = job([
      { type: "answer", id: "Revenue by Month" },
      { type: "liveboard", id: "Sales Overview", visualizations: ["Revenue by Region"] },
      { type: "metadata", metadataTypes: ["LIVEBOARD"] }
    ])
    const run = await runCliInProcess(["run", jobFile, "--out", out, "--dry-run", "--json"], { env })
    expect(run.code, run.stderr).toBe(0)
    expect(entriesIn(out)).toEqual([])
    const plan = JSON.parse(run.stdout)
    expect(plan.outputs.map((o: PlanOutput) => o.file)).toEqual([
      "answer-Revenue by Month.csv",
      "liveboard-Sales Overview/Revenue by Region.csv",
      "metadata-liveboard.csv"
    ])
    const [answer, viz, metadata] = plan.outputs as ReadonlyArray<PlanOutput>
    expect(answer!.rows).toBeGreaterThan(1)
    expect(viz!.rows).toBeGreaterThan(1)
    expect(metadata!.rows).toBe(null)
    expect(plan.failures).toEqual([])
  })

  it("run-dry-run-lists-the-exports-it-cannot-plan-and-fails", timeout, async () => {
    const out = tempDir()
    const jobFile = job([
      { type: "answer", id: "Revenue by Month" },
      { type: "answer", id: "No Such Answer" }
    ])
    const run = await runCliInProcess(["run", jobFile, "--out", out, "--dry-run"], { env })
    expect(run.code).toBe(1)
    expect(entriesIn(out)).toEqual([])
    expect(run.stdout).toContain("answer-Revenue by Month.csv")
    expect(run.stdout).toMatch(/FAILED +export 2 .*No Such Answer/)
    expect(run.stderr).toContain("dry run: 1 of the job's exports cannot be planned")
  })
})
