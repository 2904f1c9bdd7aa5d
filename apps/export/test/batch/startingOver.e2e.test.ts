/**
 * The lines a `--resume` logs for an output it starts over, end to end (in-process against a loopback sandbox):
 * each names the output's file (one answer may be written to several) and, in a run over several Orgs, the Org;
 * every such line has the same shape, whatever its cause.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runInProcess } from "../support/inProcess.ts"
import { sandboxEnv, testSandbox, writeJob } from "../support/Sandboxes.ts"
import { tempFolders } from "../support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-starting-over-")
const timeout = { timeout: 60_000 }
const sandbox = testSandbox({ rows: 300 })

const restartLines = (stderr: string) => stderr.split("\n").filter((line) => line.includes("starting over"))

describe("a resume that starts an output over", () => {
  it.live(
    "names-the-damaged-file-among-three-of-one-answer",
    () =>
      Effect.gen(function* () {
        const answer = { type: "answer", id: "Order Details" }
        const job = writeJob(tempDir(), {
          exports: [
            answer,
            { ...answer, format: "ndjson", output: "od-nd" },
            { ...answer, format: "parquet", output: "od-pq" }
          ]
        })
        const out = tempDir()
        const env = sandboxEnv(sandbox.sandbox)
        const first = yield* runInProcess(["run", job, "--out", out], env)
        expect(first.code, first.stderr).toBe(0)
        NodeFs.truncateSync(NodePath.join(out, "od-nd.ndjson"), 1000)
        const resumed = yield* runInProcess(["run", job, "--out", out, "--resume"], env)
        expect(resumed.code, resumed.stderr).toBe(0)
        expect(restartLines(resumed.stderr)).toEqual([
          "spotpipe: warning: od-nd.ndjson: the output file differs from the SHA-256 its manifest recorded: starting over"
        ])
        // A deliberate change of a setting: the same shape, as information.
        const relabelled = yield* runInProcess(["run", job, "--out", out, "--resume", "--job-run", "night-2"], env)
        expect(relabelled.code, relabelled.stderr).toBe(0)
        expect(restartLines(relabelled.stderr).sort()).toEqual(
          ["answer-Order Details.csv", "od-nd.ndjson", "od-pq.parquet"].map(
            (file) =>
              `spotpipe: ${file}: the job run (--job-run) changed since its output was written (none → night-2): starting over`
          )
        )
      }),
    timeout
  )

  it.live(
    "names-the-org-of-the-file-in-a-run-over-several-orgs",
    () =>
      Effect.gen(function* () {
        const job = writeJob(tempDir(), { exports: [{ type: "metadata", metadataTypes: ["ANSWER"] }] })
        const out = tempDir()
        const env = sandboxEnv(sandbox.sandbox)
        const first = yield* runInProcess(["run", job, "--out", out, "--orgs", "all"], env)
        expect(first.code, first.stderr).toBe(0)
        const folders = NodeFs.readdirSync(out).filter((f) => f.startsWith("org-0-"))
        expect(folders).toHaveLength(1)
        const [file] = NodeFs.readdirSync(NodePath.join(out, folders[0]!))
        NodeFs.appendFileSync(NodePath.join(out, folders[0]!, file!), "x")
        const resumed = yield* runInProcess(["run", job, "--out", out, "--orgs", "all", "--resume"], env)
        expect(resumed.code, resumed.stderr).toBe(0)
        expect(restartLines(resumed.stderr)).toEqual([
          `spotpipe: warning: ${folders[0]}/${file} (Org "Primary"): the output file differs from the SHA-256 its manifest recorded: starting over`
        ])
      }),
    timeout
  )
})
