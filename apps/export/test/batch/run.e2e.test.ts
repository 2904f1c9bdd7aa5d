/**
 * `spotpipe run` end to end against a loopback sandbox — mixed success and failure, job-file errors, shards whose
 * union is the whole run, connection by named variables, and no secret anywhere. The first test's run is the real
 * process, as users run it; the others run in-process.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runManifestPattern } from "../../src/output/Manifest.ts"
import { runCliInProcess } from "../support/inProcess.ts"
import { runCli } from "../support/runCli.ts"
import { filesIn, sandboxEnv } from "../support/Sandboxes.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-run-e2e-"))
let sandbox: RunningSandbox
let env: Record<string, string>

const writeJob = (name: string, job: unknown) => {
  const path = NodePath.join(root, name)
  NodeFs.writeFileSync(path, typeof job === "string" ? job : JSON.stringify(job))
  return path
}

const files = (dir: string): Record<string, string> =>
  Object.fromEntries([...filesIn(dir)].map(([name, bytes]) => [name, bytes.toString("utf8")]))

const job = {
  defaults: { pageSize: 400 },
  exports: [
    { type: "answer", id: "Order Details" },
    { type: "liveboard", id: "Sales Overview", visualizations: ["Revenue by Region"], output: "../../etc/passwd" },
    { type: "search", table: "Orders", query: "[Region] [Revenue]", format: "ndjson" },
    { type: "answer", id: "Revenue by Month\u0007\n", output: "Bell\u0007Name" },
    { type: "metadata", metadataTypes: ["ANSWER"] }
  ]
}

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 1_500, seed: 3 })
  env = sandboxEnv(sandbox)
})

afterAll(async () => {
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

describe("spotpipe run", () => {
  it("a-failed-export-exits-1-keeps-the-others-and-is-reported-in-the-manifest", async () => {
    const out = NodePath.join(root, "mixed")
    const tokensBefore = sandbox.stats().tokensIssued
    // As users run it: a process of the built CLI, whose every byte printed is checked for the secret.
    const run = await runCli(["run", writeJob("mixed.json", job), "--out", out, "--concurrency", "3"], { env })
    expect(run.code).toBe(1)
    // One client for the whole job: a single token served every export.
    expect(sandbox.stats().tokensIssued - tokensBefore).toBe(1)
    expect(run.stderr).toMatch(/1 of 5 exports failed/)
    expect(run.stderr).toMatch(/no answer "Revenue by Month/)
    // The lookup is the single commands' one: it points at the job file and suggests the closest visible name.
    expect(run.stderr).toMatch(/check the GUID or name in the job file .*did you mean "Revenue by Month"\?/)
    expect(run.stderr).not.toMatch(/\n\s+at /)
    const written = files(out)
    expect(
      Object.keys(written)
        .map((name) => (runManifestPattern.test(name) ? "manifest-<run>.json" : name))
        .sort()
    ).toEqual([
      "_.._etc_passwd/Revenue by Region.csv",
      "answer-Order Details.csv",
      "manifest-<run>.json",
      "manifest.json",
      "metadata-answer.csv",
      "search-Orders.ndjson"
    ])
    const manifest = JSON.parse(written["manifest.json"]!) as {
      exports: ReadonlyArray<{ export: string; status: string }>
      outputs: ReadonlyArray<{ rows_written: number; available_data_row_count: number | null; file: string }>
    }
    expect(manifest.exports.map((e) => e.status)).toEqual([
      "succeeded",
      "succeeded",
      "succeeded",
      "failed",
      "succeeded"
    ])
    expect(manifest.exports[3]!.export).toBe("Bell_Name")
    const details = manifest.outputs.find((o) => o.file === "answer-Order Details.csv")!
    expect(details.rows_written).toBe(1_500)
    for (const [name, text] of Object.entries(written)) {
      expect(text.includes(fixtures.user.password), name).toBe(false)
    }
    expect(run.stdout + run.stderr).not.toContain(fixtures.user.password)
  }, 30_000)

  it("a-refused-rerun-writes-nothing-and-resuming-the-completed-run-fetches-no-data-page", async () => {
    const path = writeJob("complete.json", { ...job, exports: job.exports.filter((_, i) => i !== 3) })
    const out = NodePath.join(root, "complete")
    const first = await runCliInProcess(["run", path, "--out", out, "--quiet"], { env })
    expect(first.code, first.stderr).toBe(0)
    const before = files(out)
    const refused = await runCliInProcess(["run", path, "--out", out, "--quiet"], { env })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/4 outputs of this job already exist .*nothing was written: pass --resume/)
    // The good manifest (and everything else) is untouched: no all-failed manifest replaced it.
    expect(files(out)).toEqual(before)
    // A single command into the same folder replaces manifest.json with its own: resume must still find the job's
    // run among the run manifests.
    const single = await runCliInProcess(
      ["metadata", "--type", "TAG", "--output-name", "tags", "--out", out, "--quiet"],
      {
        env
      }
    )
    expect(single.code, single.stderr).toBe(0)
    expect(JSON.parse(files(out)["manifest.json"]!).command).toBe("metadata")
    const pages = () => sandbox.stats().pagesRendered + sandbox.stats().pageCacheHits
    const pagesBefore = pages()
    const resumed = await runCliInProcess(["run", path, "--out", out, "--quiet", "--resume"], { env })
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(pages() - pagesBefore).toBe(0)
    const latest = JSON.parse(files(out)["manifest.json"]!) as { outputs: ReadonlyArray<{ resume: string }> }
    expect(latest.outputs.map((o) => o.resume)).toEqual(["skipped", "skipped", "skipped", "skipped"])
  }, 30_000)

  it("the-union-of-the-shards-is-the-single-run", async () => {
    const path = writeJob("shards.json", { ...job, exports: job.exports.filter((_, i) => i !== 3) })
    const single = NodePath.join(root, "single")
    expect((await runCliInProcess(["run", path, "--out", single, "--quiet"], { env })).code).toBe(0)
    const sharded = NodePath.join(root, "sharded")
    for (const shard of ["1/3", "2/3", "3/3"]) {
      const run = await runCliInProcess(["run", path, "--out", sharded, "--quiet", "--shard", shard], { env })
      expect(run.code, run.stderr).toBe(0)
    }
    const data = (tree: Record<string, string>) =>
      Object.fromEntries(Object.entries(tree).filter(([name]) => !name.startsWith("manifest")))
    expect(data(files(sharded))).toEqual(data(files(single)))
  }, 30_000)

  it("a-bad-job-file-exits-2-naming-each-bad-field-without-echoing-secrets", async () => {
    const path = writeJob("bad.json", {
      connection: { passwordEnv: "Guest@123!" },
      exports: [{ type: "answer" }, { type: "search", table: "Orders", query: "[Region]", format: "xlsx" }]
    })
    const run = await runCliInProcess(["run", path, "--out", NodePath.join(root, "bad")], { env })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("connection.passwordEnv")
    expect(run.stderr).toContain("exports[0].id: is required")
    expect(run.stderr).toContain("exports[1].format")
    expect(run.stderr).not.toContain("Guest@123!")
    const inline = writeJob("inline.json", {
      connection: { password: "Hunter2-in-a-file" },
      exports: [{ type: "answer", id: "A" }]
    })
    const refused = await runCliInProcess(["run", inline], { env })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("connection.password: secrets must not be written in a job file")
    expect(refused.stderr).not.toContain("Hunter2")
    const twice = writeJob("twice.json", {
      exports: [
        { type: "answer", id: "Order Details", output: "same" },
        { type: "search", table: "Orders", query: "[Region]", output: "Same" }
      ]
    })
    const clash = await runCliInProcess(["run", twice, "--out", NodePath.join(root, "twice")], { env })
    expect(clash.code).toBe(2)
    expect(clash.stderr).toContain('exports[1].output (output "Same"): has the same output name as exports[0]')
    expect(NodeFs.existsSync(NodePath.join(root, "twice"))).toBe(false)
    const shard = await runCliInProcess(["run", writeJob("good.json", job), "--shard", "4/3"], { env })
    expect(shard.code).toBe(2)
    expect(shard.stderr).toMatch(/--shard must be i\/n/)
  }, 30_000)

  it("the-job-file-names-the-variables-that-hold-the-connection", async () => {
    const path = writeJob("named.json", {
      connection: { hostEnv: "NIGHTLY_TS_HOST", usernameEnv: "NIGHTLY_TS_USER", passwordEnv: "NIGHTLY_TS_PW" },
      exports: [{ type: "answer", id: "Revenue by Month" }]
    })
    const out = NodePath.join(root, "named")
    const run = await runCliInProcess(["run", path, "--out", out, "--quiet"], {
      env: {
        NIGHTLY_TS_HOST: sandbox.url,
        NIGHTLY_TS_USER: fixtures.user.username,
        NIGHTLY_TS_PW: fixtures.user.password
      }
    })
    expect(run.code, run.stderr).toBe(0)
    expect(
      Object.keys(files(out))
        .filter((name) => !runManifestPattern.test(name))
        .sort()
    ).toEqual(["answer-Revenue by Month.csv", "manifest.json"])
    const missing = await runCliInProcess(["run", path, "--out", out], { env: { NIGHTLY_TS_HOST: sandbox.url } })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("NIGHTLY_TS_USER")
    const insecure = writeJob("insecure.json", {
      connection: { host: "http://ts.example.com" },
      exports: [{ type: "answer", id: "A" }]
    })
    const refused = await runCliInProcess(["run", insecure, "--out", out], { env })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("--allow-insecure-http")
  }, 30_000)
})
