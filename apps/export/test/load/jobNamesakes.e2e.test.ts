/**
 * Two exports of a job file that share a default name (two searches on one table) keep their files when the job
 * file lists them the other way round, and a `spotpipe load --mode replace` of each run into one DuckDB file keeps
 * each table's rows: a file's name follows the export's identity, never its place in the job, and every shard of a
 * sharded run names it alike. Runs are in-process.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "vitest"
import { tableNames } from "../../src/load/Warehouse.ts"
import { runCliInProcess } from "../support/inProcess.ts"
import { manifestIn, sandboxEnv, testSandbox, writeJob } from "../support/Sandboxes.ts"
import { runShards } from "../support/shardRuns.ts"
import { tempFolders } from "../support/tempFolders.ts"
import { withDuckDb } from "./support/loadHelpers.ts"

const tempDir = tempFolders("spotpipe-job-namesakes-")
const sandbox = testSandbox({ rows: 200 })

const regions = { type: "search", table: "Orders", query: "[Region] [Revenue]" }
const orders = { type: "search", table: "Orders", query: "[Order ID]" }

interface Output {
  readonly file: string
  readonly columns: ReadonlyArray<{ readonly name: string }>
}

/** The job's two exports run in `order` into a folder of their own: each file by its first column. */
const run = async (dir: string, order: ReadonlyArray<object>) => {
  const out = NodePath.join(dir, order === ordered ? "ordered" : "swapped")
  const job = writeJob(dir, { exports: order }, order === ordered ? "ordered" : "swapped")
  const ran = await runCliInProcess(["run", job, "--out", out], { env: sandboxEnv(sandbox.sandbox) })
  expect(ran.code, ran.stderr).toBe(0)
  const outputs = manifestIn<{ outputs: ReadonlyArray<Output> }>(out).outputs
  return { out, files: new Map(outputs.map((o) => [o.columns[0]!.name, o.file])) }
}

const readManifest = (path: string) =>
  JSON.parse(NodeFs.readFileSync(path, "utf8")) as { readonly outputs: ReadonlyArray<Output> }

const ordered = [regions, orders]
const swapped = [orders, regions]

describe("namesake exports of a job file", () => {
  it("keep their files and tables when the job file lists them the other way round", async () => {
    const dir = tempDir()
    const first = await run(dir, ordered)
    const second = await run(dir, swapped)
    expect([...first.files.keys()].sort()).toEqual(["Order ID", "Region"])
    expect(second.files).toEqual(first.files)
    // Neither keeps the plain name, which another job could give to the other.
    for (const file of first.files.values()) expect(file).toMatch(/^search-Orders \[[0-9a-f]{8}\]\.csv$/)
    const database = NodePath.join(dir, "w.duckdb")
    const table = new Map([...first.files].map(([column, file]) => [column, tableNames([file])[0]!]))
    const contents = () =>
      withDuckDb(database, async (q) => ({
        regions: JSON.stringify(await q(`SELECT "Region" FROM "${table.get("Region")}" ORDER BY ALL`)),
        orders: JSON.stringify(await q(`SELECT "Order ID"::VARCHAR FROM "${table.get("Order ID")}" ORDER BY ALL`))
      }))
    const load = async (out: string) => {
      const loaded = await runCliInProcess(["load", out, "--into", `duckdb:${database}`, "--mode", "replace"])
      expect(loaded.code, loaded.stderr).toBe(0)
    }
    await load(first.out)
    const before = await contents()
    expect(before.regions).not.toBe(before.orders)
    await load(second.out)
    expect(await contents()).toEqual(before)
  }, 120_000)

  it("get the same names on every shard of a sharded run", async () => {
    const dir = tempDir()
    const whole = await run(dir, ordered)
    const job = writeJob(dir, { exports: ordered }, "sharded")
    const out = (i: number) => NodePath.join(dir, `shard-${i}`)
    await runShards({ job, count: 2, out, env: sandboxEnv(sandbox.sandbox) })
    const sharded = new Map(
      [1, 2].flatMap((i) =>
        readManifest(NodePath.join(out(i), `manifest.shard-${i}-of-2.json`)).outputs.map(
          (o) => [o.columns[0]!.name, o.file] as const
        )
      )
    )
    expect(sharded).toEqual(whole.files)
  }, 120_000)
})
