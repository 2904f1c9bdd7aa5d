/**
 * Sharded runs as a scheduler starts them: four real `spotpipe run --shard auto/4` processes at once, told apart
 * only by `JOB_COMPLETION_INDEX` (a Kubernetes Indexed Job), against ONE sandbox that rate-limits per client
 * address as ThoughtSpot does (100 requests/s, burst 10; every process here comes from 127.0.0.1). Their files
 * together are a single run's, byte for byte, and the sandbox refused no request (each shard keeps to its share of
 * the limit). A shard killed mid-run and started again with `--resume` completes its part. The shards are real
 * processes (side by side, each its own client, one killed); the single run they are compared with runs in-process.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { killAtStepPath, runCli, runNode } from "./support/runCli.ts"
import { filesIn, sandboxEnv } from "./support/Sandboxes.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-shard-e2e-"))
let sandbox: RunningSandbox
let env: Record<string, string>

// Small pages make many requests: 4 × 300 pages. Four shards at the client's full rate (100/s each) were refused
// about 100 requests by this sandbox on a 2-core machine; at their share (25/s each) none may be.
const job = {
  defaults: { pageSize: 20 },
  exports: [
    { type: "answer", id: "Order Details" },
    { type: "search", table: "Orders", query: "[Order ID] [Region] [Revenue]" },
    { type: "search", table: "Orders", query: "[Order ID] [Quantity]", format: "ndjson" },
    { type: "answer", id: "Order Details", format: "ndjson", output: "order-details-ndjson" },
    { type: "liveboard", id: "Sales Overview" },
    { type: "metadata", metadataTypes: ["ANSWER", "LIVEBOARD"] },
    { type: "answer", id: "Revenue by Month" },
    { type: "search", table: "Orders", query: "[Region] [Revenue]" }
  ]
}
const jobFile = NodePath.join(root, "nightly.json")

/** The data files of a folder (manifests and resume state differ by run). */
const dataFiles = (dir: string): Record<string, Buffer> =>
  Object.fromEntries(
    [...filesIn(dir)].filter(([name]) => !NodePath.basename(name).startsWith("manifest") && !name.startsWith("."))
  )

const shardEnv = (index: number) => ({ ...env, JOB_COMPLETION_INDEX: String(index) })

let single: Record<string, Buffer>

beforeAll(async () => {
  // The sandbox's default rate limit: ThoughtSpot's 100 requests/s per client address, burst 10.
  sandbox = await startSandbox({ rows: 6_000, seed: 11 })
  env = sandboxEnv(sandbox)
  NodeFs.writeFileSync(jobFile, JSON.stringify(job))
  const out = NodePath.join(root, "single")
  const run = await runCliInProcess(["run", jobFile, "--out", out, "--quiet"], { env })
  expect(run.code, run.stderr).toBe(0)
  single = dataFiles(out)
  expect(Object.keys(single).length).toBeGreaterThan(8)
}, 120_000)

afterAll(async () => {
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

describe("--shard auto", () => {
  it("four-indexed-job-pods-against-one-cluster-write-the-single-run-and-trip-no-rate-limit", async () => {
    const out = NodePath.join(root, "indexed")
    const before = sandbox.stats()
    const runs = await Promise.all(
      [0, 1, 2, 3].map((index) =>
        runCli(["run", jobFile, "--out", out, "--quiet", "--shard", "auto/4"], {
          env: shardEnv(index),
          timeoutMillis: 120_000
        })
      )
    )
    for (const run of runs) expect(run.code, run.stderr).toBe(0)
    const after = sandbox.stats()
    expect(after.rateLimited - before.rateLimited).toBe(0)
    expect(after.byStatus["429"] ?? 0).toBe(before.byStatus["429"] ?? 0)
    expect(dataFiles(out)).toEqual(single)
    // Each shard recorded which part it was, from the variable.
    const shards = [1, 2, 3, 4].map(
      (i) => JSON.parse(NodeFs.readFileSync(NodePath.join(out, `manifest.shard-${i}-of-4.json`), "utf8")).shard
    )
    expect(shards).toEqual([1, 2, 3, 4].map((index) => ({ index, count: 4 })))
  }, 120_000)

  it("a-shard-killed-mid-run-completes-with-resume", async () => {
    const out = NodePath.join(root, "killed")
    const args = ["run", jobFile, "--out", out, "--quiet", "--shard", "auto/4"]
    // Shard 1 (index 0) owns "Order Details" (300 pages), its first export: one export at a time, it is killed
    // after that output's third checkpoint.
    const killed = await runNode([killAtStepPath, "checkpoint-written:3", ...args, "--concurrency", "1"], {
      env: shardEnv(0),
      timeoutMillis: 120_000
    })
    expect(killed.signal, killed.stderr).toBe("SIGKILL")
    expect(NodeFs.existsSync(NodePath.join(out, "answer-Order Details.csv"))).toBe(false)
    const runs = await Promise.all(
      [0, 1, 2, 3].map((index) => runCli([...args, "--resume"], { env: shardEnv(index), timeoutMillis: 120_000 }))
    )
    for (const run of runs) expect(run.code, run.stderr).toBe(0)
    const resumed = JSON.parse(NodeFs.readFileSync(NodePath.join(out, "manifest.shard-1-of-4.json"), "utf8")) as {
      outputs: ReadonlyArray<{ file: string; resume: string }>
    }
    expect(resumed.outputs.find((o) => o.file === "answer-Order Details.csv")?.resume).toBe("continued")
    expect(dataFiles(out)).toEqual(single)
  }, 120_000)
})
