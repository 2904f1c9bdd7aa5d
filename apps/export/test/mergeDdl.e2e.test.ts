/**
 * `--ddl` with a sharded run: each shard writes `ddl/` for its own manifest, so a folder the shards share held the
 * last shard's DDL alone. The merged run gets DDL for its own manifest — the tables of an unsplit run of the job —
 * in every dialect the shards wrote (or `merge --ddl` asks for), and a DDL that cannot be written is refused before
 * anything is. Runs are in-process.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { readJson, runShards } from "./support/shardRuns.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-merge-ddl-"))
let sandbox: RunningSandbox
let env: Record<string, string>

const exports = [
  { type: "answer", id: "Order Details", sort: [{ column: "Order ID" }], split: 2 },
  { type: "answer", id: "Revenue by Month", format: "ndjson" },
  { type: "metadata", metadataTypes: ["ANSWER"] }
]

const writeJob = (name: string, job: unknown) => {
  const path = NodePath.join(root, name)
  NodeFs.writeFileSync(path, JSON.stringify(job))
  return path
}

let job: string
/** The DDL files of a single unsplit run of the job, without their header line (it names the run). */
let single: Record<string, string>

/** A folder's DDL files, each without the header line of the SQL ones. */
const ddlOf = (dir: string): Record<string, string> =>
  Object.fromEntries(
    NodeFs.readdirSync(NodePath.join(dir, "ddl")).map((name) => {
      const text = NodeFs.readFileSync(NodePath.join(dir, "ddl", name), "utf8")
      return [name, name.endsWith(".sql") ? text.slice(text.indexOf("\n") + 1) : text]
    })
  )

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 300, seed: 7 })
  env = sandboxEnv(sandbox)
  const out = NodePath.join(root, "single")
  const unsplit = writeJob("unsplit.json", {
    defaults: { pageSize: 70, columnNames: "snake" },
    exports: exports.map(({ split: _, ...e }) => e)
  })
  const run = await runCliInProcess(["run", unsplit, "--out", out, "--quiet", "--ddl", "postgres,bigquery"], { env })
  expect(run.code, run.stderr).toBe(0)
  single = ddlOf(out)
  job = writeJob("job.json", { defaults: { pageSize: 70, columnNames: "snake" }, exports })
}, 60_000)

afterAll(async () => {
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

describe("merge and --ddl", () => {
  it("the-merged-run-gets-the-ddl-of-its-whole-manifest-in-the-dialects-the-shards-wrote", async () => {
    const out = NodePath.join(root, "shared")
    await runShards({
      job,
      count: 2,
      out: () => out,
      env,
      extra: () => ["--job-run", "d", "--ddl", "postgres,bigquery"]
    })
    const merge = await runCliInProcess(["merge", out, "--json"], { env })
    expect(merge.code, merge.stderr).toBe(0)
    expect(ddlOf(out)).toEqual(single)
    const manifest = readJson(NodePath.join(out, "manifest.json"))
    expect(NodeFs.readFileSync(NodePath.join(out, "ddl", "postgres.sql"), "utf8")).toMatch(
      new RegExp(`^-- spotpipe run ${manifest.run_id}: `)
    )
    expect(JSON.parse(merge.stdout).merge.ddl).toEqual(["ddl/postgres.sql", "ddl/bigquery.json"])
  }, 120_000)

  it("shards-in-folders-of-their-own-give-the-merged-folder-the-ddl-of-the-merged-files", async () => {
    await runShards({
      job,
      count: 2,
      out: (i) => NodePath.join(root, `own-${i}`),
      env,
      extra: () => ["--job-run", "o", "--ddl", "duckdb"]
    })
    const landing = NodePath.join(root, "own-landing")
    const merge = await runCliInProcess(
      ["merge", NodePath.join(root, "own-1"), NodePath.join(root, "own-2"), "--out", landing],
      {
        env
      }
    )
    expect(merge.code, merge.stderr).toBe(0)
    // The merged run lists the joined file only (the others stay in the shard folders): its DDL has that table.
    const ddl = NodeFs.readFileSync(NodePath.join(landing, "ddl", "duckdb.sql"), "utf8")
    expect([...ddl.matchAll(/^CREATE TABLE "([^"]+)"/gm)].map((m) => m[1])).toEqual(["answer_order_details"])
    expect(merge.stdout).toContain("its DDL: ddl/duckdb.sql")
  }, 120_000)

  it("merge-ddl-asks-for-it-and-a-ddl-that-cannot-be-written-is-refused-before-anything-is", async () => {
    const out = NodePath.join(root, "asked")
    await runShards({ job, count: 2, out: () => out, env, extra: () => ["--job-run", "a"] })
    const asked = await runCliInProcess(["merge", out, "--ddl", "bigquery", "--quiet"], { env })
    expect(asked.code, asked.stderr).toBe(0)
    expect(ddlOf(out)).toEqual({ "bigquery.json": single["bigquery.json"] })
    // Cells with a ' that is not in the data: no table holds the data from them, so no DDL, and no merge.
    const escaped = NodePath.join(root, "escaped")
    await runShards({ job, count: 2, out: () => escaped, env, extra: () => ["--job-run", "e", "--escape-formulae"] })
    const before = NodeFs.readdirSync(escaped).sort()
    const refused = await runCliInProcess(["merge", escaped, "--ddl", "postgres"], { env })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(
      "--ddl: the merged run's DDL cannot be written: answer-Order Details.csv, metadata-answer.csv were exported with --escape-formulae: "
    )
    expect(refused.stderr).toContain("; nothing was written")
    expect(NodeFs.readdirSync(escaped).sort()).toEqual(before)
  }, 120_000)
})
