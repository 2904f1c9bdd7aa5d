/**
 * The nightly layout of the merge tests: one sandbox restarted on its port with more rows each "night" (one cluster
 * whose data grew), a job of an incremental search and an answer, shards run with `--resume` into one folder.
 * {@link nightlyLayout} registers the hooks that start the first night and clean up.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, expect } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./inProcess.ts"
import { sandboxEnv } from "./Sandboxes.ts"

/** The job's exports: `orders_inc` (incremental by Order ID from `since`) and `rbm`. */
export const nightlyExports = (since: string) => [
  {
    type: "search",
    table: "Orders",
    query: "[Order ID] [Revenue] sort by [Order ID]",
    output: "orders_inc",
    sinceColumn: "Order ID",
    since
  },
  { type: "answer", id: "Revenue by Month", output: "rbm" }
]
export const nightlyDefaults = { format: "csv", pageSize: 500 }
/** A split export beside them: the same rows in two parts, whole in `orders_full` once merged. */
export const nightlySplit = {
  type: "search",
  table: "Orders",
  query: "[Order ID] [Revenue] [Order ID] >= 9007199254740000 sort by [Order ID]",
  split: 2,
  pageSize: 100,
  output: "orders_full"
}

/** The lines of a CSV file that are not empty (its header included). */
export const csvLines = (file: string) =>
  NodeFs.readFileSync(file, "utf8")
    .split("\r\n")
    .filter((l) => l !== "").length

/** A test file's nights, in a folder of its own (`prefix`). */
export const nightlyLayout = (prefix: string) => {
  const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), prefix))
  let sandbox: RunningSandbox | undefined
  let rowsNow = 0
  /** The environment of the sandbox holding `rows` rows: restarted on the same port. */
  const night = async (rows: number) => {
    if (sandbox === undefined || rowsNow !== rows) {
      const port = sandbox === undefined ? undefined : Number(new URL(sandbox.url).port)
      await sandbox?.close()
      sandbox = await startSandbox({ rows, ...(port === undefined ? {} : { port }) })
      rowsNow = rows
    }
    return sandboxEnv(sandbox)
  }
  const writeJob = (name: string, job: unknown) => {
    const path = NodePath.join(root, name)
    NodeFs.writeFileSync(path, JSON.stringify(job))
    return path
  }
  const shardRun = (job: string, out: string, jobRun: string, i: number, env: Record<string, string>) =>
    runCliInProcess(["run", job, "--shard", `${i}/2`, "--job-run", jobRun, "--out", out, "--resume", "--quiet"], {
      env
    })
  /** Each of `shards` run in turn; each must exit 0 and say nothing of starting over. */
  const runNight = async (job: string, out: string, jobRun: string, env: Record<string, string>, shards = [1, 2]) => {
    for (const i of shards) {
      const run = await shardRun(job, out, jobRun, i, env)
      expect(run.code, run.stderr).toBe(0)
      expect(run.stderr).not.toMatch(/starting over/)
    }
  }
  beforeAll(async () => {
    await night(1000)
  }, 60_000)
  afterAll(async () => {
    await sandbox?.close()
    NodeFs.rmSync(root, { recursive: true, force: true })
  })
  return { root, night, writeJob, shardRun, runNight }
}
