/**
 * The job file a merge's rerun command names, when merge runs elsewhere than the shards did: a shard records its job
 * file as its command line gave it (relative to the folder it ran in, or a pod's own path), so the command names it
 * from where merge runs — found beside the shards' folder and checked to be the same job — or, when it is not to
 * be found or is another version of the job there, a placeholder to fill in, never a path that fails.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCli } from "./support/runCli.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-merge-jobfile-"))
/** Where the shards ran (`spotpipe run nightly.json --out …`), and another folder merge runs in. */
const work = NodePath.join(root, "work")
const elsewhere = NodePath.join(root, "elsewhere")
let sandbox: RunningSandbox
let env: Record<string, string>

const job = {
  exports: [
    { type: "answer", id: "Revenue by Month", format: "ndjson" },
    { type: "answer", id: "Order Details" }
  ]
}

/** Shard `i` of 2 of nightly.json, run in `work` with a relative job file, into `work/<folder>`. */
const shard = async (i: number, folder: string) => {
  const run = await runCli(["run", "nightly.json", "--out", folder, "--quiet", "--shard", `${i}/2`, "--job-run", "k"], {
    env,
    cwd: work
  })
  expect(run.code, run.stderr).toBe(0)
}

/** `spotpipe merge <folder>` run in `elsewhere`: its refusal for the missing shard 2. */
const refusal = async (folder: string) => {
  const merge = await runCli(["merge", folder], { env, cwd: elsewhere })
  expect(merge.code, merge.stderr).toBe(1)
  return merge.stderr
}

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 40, seed: 3 })
  env = sandboxEnv(sandbox)
  NodeFs.mkdirSync(work)
  NodeFs.mkdirSync(elsewhere)
  NodeFs.writeFileSync(NodePath.join(work, "nightly.json"), JSON.stringify(job))
}, 60_000)

afterAll(async () => {
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

describe("merge run in another folder than the shards", () => {
  it("names-the-shards-job-file-so-that-its-rerun-command-works-from-there", async () => {
    const landing = NodePath.join(work, "landing")
    await shard(1, "landing")
    const stderr = await refusal(landing)
    const command = `spotpipe run ${NodePath.join(work, "nightly.json")} --shard 2/2 --job-run k --out ${landing} --resume`
    expect(stderr).toContain(`(${command})`)
    // Run as printed, from where merge ran: it runs the missing shard, and the merge goes through.
    const rerun = await runCli([...command.split(" ").slice(1), "--quiet"], { env, cwd: elsewhere })
    expect(rerun.code, rerun.stderr).toBe(0)
    const merge = await runCli(["merge", landing, "--quiet"], { env, cwd: elsewhere })
    expect(merge.code, merge.stderr).toBe(0)
  }, 120_000)

  it("names-a-placeholder-when-the-job-file-is-not-to-be-found-or-is-another-version-of-the-job", async () => {
    await shard(1, "gone")
    await shard(1, "edited")
    const file = NodePath.join(work, "nightly.json")
    // The job file is not here (a pod's path, a file moved since): nothing to name but a placeholder.
    NodeFs.renameSync(file, NodePath.join(work, "kept.json"))
    expect(await refusal(NodePath.join(work, "gone"))).toContain(
      `(spotpipe run <path of nightly.json> --shard 2/2 --job-run k --out ${NodePath.join(work, "gone")} --resume)`
    )
    // One of that name that is another job: a rerun of it would run other exports, so it is not named as the job.
    NodeFs.writeFileSync(file, JSON.stringify({ exports: [job.exports[0]] }))
    expect(await refusal(NodePath.join(work, "edited"))).toContain(
      `(spotpipe run <path of nightly.json as the shards ran it; ${file} is another version of the job> --shard 2/2 --job-run k --out ${NodePath.join(work, "edited")} --resume)`
    )
  }, 120_000)
})
