/**
 * Shards whose runs were written by different spotpipe builds: a setting an earlier build recorded for NDJSON parts
 * that never shaped their bytes (the CSV newline) does not keep them apart, and parts that differ as written by
 * different spotpipe versions are refused naming both versions and the shard to run again with this one. An earlier
 * build's manifest is made by rewriting a shard's as it recorded it. Runs are in-process.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { describedOutput, type Manifest, type ManifestOutput } from "../src/output/Manifest.ts"
import { version } from "../src/Version.ts"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { readJson, runShards, wholeFiles } from "./support/shardRuns.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-merge-versions-"))
let sandbox: RunningSandbox
let env: Record<string, string>

const exports = [
  {
    type: "search",
    table: "Orders",
    query: "[Order ID] [Region] [Revenue] sort by [Order ID]",
    format: "ndjson",
    split: 2
  }
]

const writeJob = (name: string, job: unknown) => {
  const path = NodePath.join(root, name)
  NodeFs.writeFileSync(path, JSON.stringify(job))
  return path
}

let job: string
let single: Record<string, Buffer>

/**
 * Both manifests of shard 1's run in `out`, their outputs and the run as `edit` and `run` leave them, each entry
 * described anew.
 */
const asEarlierBuild = (
  out: string,
  edit: (o: ManifestOutput) => ManifestOutput,
  run: (m: Manifest) => Partial<Manifest> = () => ({})
) => {
  const copy = NodePath.join(out, "manifest.shard-1-of-2.json")
  const manifest = readJson(copy) as Manifest
  const earlier: Manifest = {
    ...manifest,
    ...run(manifest),
    outputs: manifest.outputs.map((o) => describedOutput(edit(o)))
  }
  for (const file of [copy, NodePath.join(out, `manifest-${manifest.run_id}.json`)]) {
    NodeFs.writeFileSync(file, JSON.stringify(earlier))
  }
}

const shards = (out: string, jobRun: string) =>
  runShards({ job, count: 2, out: () => out, env, extra: () => ["--job-run", jobRun] })

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 300, seed: 11 })
  env = sandboxEnv(sandbox)
  const out = NodePath.join(root, "single")
  const unsplit = writeJob("unsplit.json", {
    defaults: { pageSize: 70 },
    exports: exports.map(({ split: _, ...e }) => e)
  })
  const run = await runCliInProcess(["run", unsplit, "--out", out, "--quiet"], { env })
  expect(run.code, run.stderr).toBe(0)
  single = wholeFiles(out)
  job = writeJob("job.json", { defaults: { pageSize: 70 }, exports })
}, 60_000)

afterAll(async () => {
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

describe("merge of shards written by different spotpipe builds", () => {
  it("ndjson-parts-whose-earlier-build-recorded-the-csv-newline-merge-byte-for-byte", async () => {
    const out = NodePath.join(root, "newline")
    await shards(out, "n")
    // An earlier build recorded the run's --newline (crlf by default) for NDJSON outputs too; it never shaped them.
    asEarlierBuild(out, (o) => ({ ...o, settings: { ...(o.settings as object), newline: "\r\n" } }))
    const merge = await runCliInProcess(["merge", out, "--quiet"], { env })
    expect(merge.code, merge.stderr).toBe(0)
    expect(wholeFiles(out)).toEqual(single)
  }, 120_000)

  it("parts-that-differ-as-written-by-different-versions-are-refused-naming-both-and-the-shard-to-run-again", async () => {
    const out = NodePath.join(root, "versions")
    await shards(out, "v")
    asEarlierBuild(
      out,
      (o) => ({ ...o, settings: { ...(o.settings as object), writerVersion: "0.0.9" } }),
      () => ({
        spotpipe: "0.0.9"
      })
    )
    const merge = await runCliInProcess(["merge", out], { env })
    expect(merge.code).toBe(1)
    expect(merge.stderr).toContain(
      `search-Orders.ndjson: its parts were written by different spotpipe versions (part 1 by 0.0.9 in shard 1 of 2, part 2 by ${version} in shard 2 of 2), and differ in settings ({"writerVersion":"0.0.9"} and {"writerVersion":"${version}"}): run shard 1 again with this version, ${version} (spotpipe run ${job} --shard 1/2 --job-run v --out ${out} --resume), then merge again; nothing was written`
    )
    expect(NodeFs.existsSync(NodePath.join(out, "search-Orders.ndjson"))).toBe(false)
  }, 120_000)

  it("a-shard-whose-earlier-version-read-the-job-file-as-another-job-is-named-with-both-versions", async () => {
    const out = NodePath.join(root, "job-versions")
    await shards(out, "j")
    // An earlier version that read the same job file as another job (its fingerprint rules differed).
    asEarlierBuild(
      out,
      (o) => o,
      (m) => ({ spotpipe: "0.0.9", job: { file: m.job!.file, fingerprint: "0".repeat(64) } })
    )
    const merge = await runCliInProcess(["merge", out], { env })
    expect(merge.code).toBe(1)
    expect(merge.stderr).toContain(
      `holds a run of shard 1 of 2 of another job: ${job} (fingerprint 000000000000…), the latest runs' ${job} (fingerprint `
    )
    expect(merge.stderr).toContain(
      `; written by spotpipe 0.0.9, the latest runs by ${version}, which read job files differently): run it with this version, ${version}, in job run "j" (spotpipe run ${job} --shard 1/2 --job-run j --out ${out} --resume)`
    )
  }, 120_000)
})
