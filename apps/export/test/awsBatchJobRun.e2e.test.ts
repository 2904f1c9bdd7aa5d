/**
 * In a child of an AWS Batch array job (`AWS_BATCH_JOB_ARRAY_INDEX` set), `spotpipe run` without `--job-run` or
 * `SPOTPIPE_JOB_RUN` takes the job run from `AWS_BATCH_JOB_ID` (`<array job id>:<index>`): the array job's id, one
 * per submission, so its children merge and the next night's do not mix with them. It says so on stderr. A job that
 * is no array's child has no job run from AWS Batch (separate submissions per shard would never merge), the flag
 * and the variable still win, and an id that is not `<array job id>:<index>` is a usage error.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { Effect } from "effect"
import { runInProcess } from "./support/inProcess.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-aws-batch-")
let sandbox: RunningSandbox
let job: string

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 50, seed: 3 })
  job = NodePath.join(tempDir(), "nightly.json")
  NodeFs.writeFileSync(
    job,
    JSON.stringify({
      exports: [
        { type: "answer", id: "Revenue by Month" },
        { type: "search", table: "Orders", query: "[Region] [Revenue]" }
      ]
    })
  )
})

afterAll(async () => {
  await sandbox?.close()
})

const arrayJob = "8c2f4e6a-1b3d-4f5e-9a7c-0d2e4f6a8b1c"

/** A child job of the array job: its id and index, and the array's size. */
const child = (index: number, extra: Record<string, string> = {}) => ({
  ...sandboxEnv(sandbox),
  AWS_BATCH_JOB_ID: `${arrayJob}:${index}`,
  AWS_BATCH_JOB_ARRAY_INDEX: String(index),
  AWS_BATCH_JOB_ARRAY_SIZE: "2",
  ...extra
})

/** The manifest shard `i` of 2 wrote into `out`. */
const shardManifest = (out: string, i: number) =>
  JSON.parse(NodeFs.readFileSync(NodePath.join(out, `manifest.shard-${i}-of-2.json`), "utf8"))

describe("the job run of an AWS Batch array job", () => {
  it.live("is-the-array-job-id-recorded-by-every-child-and-said-on-stderr", () =>
    Effect.gen(function* () {
      const out = tempDir()
      for (const index of [0, 1]) {
        const run = yield* runInProcess(["run", job, "--out", out, "--shard", "auto"], child(index))
        expect(run.code, run.stderr).toBe(0)
        expect(run.stderr).toContain(
          `spotpipe: job run ${arrayJob} (from AWS_BATCH_JOB_ID: the id of the AWS Batch array job, shared by its child jobs and their retries; --job-run or SPOTPIPE_JOB_RUN would name another)`
        )
        expect(shardManifest(out, index + 1).job_run).toBe(arrayJob)
      }
    })
  )

  it.live("is-none-in-a-job-that-is-no-arrays-child", () =>
    Effect.gen(function* () {
      const out = tempDir()
      // One submission per shard: each has an id of its own, which would never match the other shards'.
      const run = yield* runInProcess(["run", job, "--out", out, "--shard", "1/2"], {
        ...sandboxEnv(sandbox),
        AWS_BATCH_JOB_ID: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
      })
      expect(run.code, run.stderr).toBe(0)
      expect(run.stderr).not.toContain("job run")
      expect(shardManifest(out, 1).job_run).toBeUndefined()
    })
  )

  it.live("gives-way-to-the-flag-and-the-variable", () =>
    Effect.gen(function* () {
      const flagged = tempDir()
      const byFlag = yield* runInProcess(
        ["run", job, "--out", flagged, "--shard", "auto", "--job-run", "night-3", "--verbose"],
        child(0)
      )
      expect(byFlag.code, byFlag.stderr).toBe(0)
      expect(byFlag.stderr).toContain("spotpipe: job run night-3 (from --job-run)")
      expect(shardManifest(flagged, 1).job_run).toBe("night-3")
      const variable = tempDir()
      const byVariable = yield* runInProcess(
        ["run", job, "--out", variable, "--shard", "auto", "--verbose"],
        child(0, { SPOTPIPE_JOB_RUN: "night-4" })
      )
      expect(byVariable.code, byVariable.stderr).toBe(0)
      expect(byVariable.stderr).toContain("spotpipe: job run night-4 (from SPOTPIPE_JOB_RUN)")
      expect(byVariable.stderr).not.toContain(arrayJob)
      expect(shardManifest(variable, 1).job_run).toBe("night-4")
    })
  )

  it.live("is-refused-when-the-child-job-id-does-not-end-in-its-index", () =>
    Effect.gen(function* () {
      for (const id of [arrayJob, `${arrayJob}:1`]) {
        const out = tempDir()
        const run = yield* runInProcess(
          ["run", job, "--out", out, "--shard", "auto"],
          child(0, { AWS_BATCH_JOB_ID: id })
        )
        expect(run.code, run.stderr).toBe(2)
        expect(run.stderr).toContain(
          `AWS_BATCH_JOB_ID is ${JSON.stringify(id)}, but a child of an AWS Batch array job (AWS_BATCH_JOB_ARRAY_INDEX is "0") has the id <array job id>:0, whose array job id would be its job run: give the job run with --job-run ID (or SPOTPIPE_JOB_RUN)`
        )
        expect(NodeFs.readdirSync(out)).toEqual([])
      }
    })
  )
})
