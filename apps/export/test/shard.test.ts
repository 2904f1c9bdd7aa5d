/**
 * `--shard auto` and each shard's request rate: the index and count read from a Kubernetes Indexed Job's or an
 * AWS Batch array job's variables, every missing, malformed or conflicting value refused with what to do (also
 * through the real command line, in-process, before any request), and a shard's default share of the per-client
 * rate limit.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Shard from "../src/plan/Shard.ts"
import { runInProcess } from "./support/inProcess.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-shard-")

const resolve = (text: string, env: Record<string, string>) => {
  const spec = Shard.parseShardSpec(text)
  if (spec._tag === "Error") return spec
  return Shard.resolveShard(spec.shard, (name) => env[name])
}

const refused = (text: string, env: Record<string, string>): string => {
  const result = resolve(text, env)
  if (result._tag === "Ok") throw new Error(`${text} with ${JSON.stringify(env)} was accepted`)
  return result.message
}

describe("--shard auto", () => {
  it("kubernetes-index-from-0-is-shard-index-plus-1-of-n", () => {
    expect(resolve("auto/4", { JOB_COMPLETION_INDEX: "0" })).toEqual({ _tag: "Ok", shard: { index: 1, count: 4 } })
    expect(resolve("AUTO / 4", { JOB_COMPLETION_INDEX: "3" })).toEqual({ _tag: "Ok", shard: { index: 4, count: 4 } })
  })

  it("aws-batch-index-and-size", () => {
    const env = { AWS_BATCH_JOB_ARRAY_INDEX: "2", AWS_BATCH_JOB_ARRAY_SIZE: "5" }
    expect(resolve("auto", env)).toEqual({ _tag: "Ok", shard: { index: 3, count: 5 } })
    expect(resolve("auto/5", env)).toEqual({ _tag: "Ok", shard: { index: 3, count: 5 } })
  })

  it("a-fixed-shard-ignores-the-environment", () => {
    expect(resolve("2/3", { JOB_COMPLETION_INDEX: "x" })).toEqual({ _tag: "Ok", shard: { index: 2, count: 3 } })
  })

  it("kubernetes-without-n-says-to-write-auto-n", () => {
    expect(refused("auto", { JOB_COMPLETION_INDEX: "1" })).toMatch(
      /Kubernetes sets the shard's index \(JOB_COMPLETION_INDEX\) but no variable with the number of shards: write --shard auto\/N with N the Job's completions/
    )
    expect(refused("auto", { AWS_BATCH_JOB_ARRAY_INDEX: "1" })).toMatch(
      /AWS_BATCH_JOB_ARRAY_INDEX is set but AWS_BATCH_JOB_ARRAY_SIZE is not: write --shard auto\/N/
    )
  })

  it("missing-malformed-conflicting-and-out-of-range-values-are-refused-with-what-to-do", () => {
    expect(refused("auto/4", {})).toMatch(
      /reads the shard's index from JOB_COMPLETION_INDEX \(a Kubernetes Indexed Job\) or AWS_BATCH_JOB_ARRAY_INDEX \(an AWS Batch array job\), but neither is set: .*--shard i\/n/
    )
    expect(refused("auto/4", { JOB_COMPLETION_INDEX: "-1" })).toMatch(
      /JOB_COMPLETION_INDEX is "-1", not a whole number from 0/
    )
    expect(refused("auto/4", { JOB_COMPLETION_INDEX: "1.5" })).toMatch(/not a whole number/)
    expect(refused("auto/4", { JOB_COMPLETION_INDEX: "1", AWS_BATCH_JOB_ARRAY_INDEX: "2" })).toMatch(
      /JOB_COMPLETION_INDEX is 1 but AWS_BATCH_JOB_ARRAY_INDEX is 2, so which shard this is cannot be told: unset one/
    )
    // The same index from both is no conflict.
    expect(resolve("auto/4", { JOB_COMPLETION_INDEX: "1", AWS_BATCH_JOB_ARRAY_INDEX: "1" })).toEqual({
      _tag: "Ok",
      shard: { index: 2, count: 4 }
    })
    expect(refused("auto/4", { AWS_BATCH_JOB_ARRAY_INDEX: "1", AWS_BATCH_JOB_ARRAY_SIZE: "5" })).toMatch(
      /--shard auto\/4 says 4 shards but AWS_BATCH_JOB_ARRAY_SIZE is 5: .*--shard auto\/5/
    )
    expect(refused("auto", { AWS_BATCH_JOB_ARRAY_INDEX: "1", AWS_BATCH_JOB_ARRAY_SIZE: "many" })).toMatch(
      /AWS_BATCH_JOB_ARRAY_SIZE is "many", not a number of shards/
    )
    expect(refused("auto/4", { JOB_COMPLETION_INDEX: "4" })).toMatch(
      /JOB_COMPLETION_INDEX is 4, but with 4 shards the index runs from 0 to 3/
    )
    for (const bad of ["auto/0", "auto/x", "auto/", "auto/10001"]) {
      expect(refused(bad, { JOB_COMPLETION_INDEX: "0" }), bad).toMatch(/--shard auto\/N needs N, the number of shards/)
    }
    expect(refused("automatic", {})).toMatch(/--shard must be i\/n .* or auto\/N/)
  })

  it("a-shard-sends-its-share-of-the-per-client-limit-unless-a-rate-is-given", () => {
    expect(Shard.clientRequestsPerSecond).toBe(100)
    expect(Shard.requestsPerSecondOf(Shard.whole, undefined)).toBe(100)
    expect(Shard.requestsPerSecondOf({ index: 2, count: 4 }, undefined)).toBe(25)
    expect(Shard.requestsPerSecondOf({ index: 2, count: 4 }, 60)).toBe(60)
  })
})

describe("--shard auto on the command line", () => {
  const dir = tempDir()
  const job = NodePath.join(dir, "job.json")
  NodeFs.writeFileSync(job, JSON.stringify({ exports: [{ type: "answer", id: "Revenue by Month" }] }))
  // Nothing listens there: a usage error must come before any request.
  const env = { THOUGHTSPOT_HOST: "http://127.0.0.1:9", THOUGHTSPOT_USERNAME: "u", THOUGHTSPOT_PASSWORD: "p" }
  const run = (args: ReadonlyArray<string>, extra: Record<string, string> = {}) =>
    runInProcess(["run", job, "--out", NodePath.join(dir, "out"), ...args], { ...env, ...extra })

  it.effect("auto-alone-on-kubernetes-is-a-usage-error-before-any-request", () =>
    Effect.gen(function* () {
      const result = yield* run(["--shard", "auto"], { JOB_COMPLETION_INDEX: "2" })
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(/write --shard auto\/N with N the Job's completions/)
      expect(result.stderr).not.toMatch(/127\.0\.0\.1:9/)
      expect(NodeFs.existsSync(NodePath.join(dir, "out"))).toBe(false)
    })
  )

  it.effect("conflicting-indexes-are-a-usage-error", () =>
    Effect.gen(function* () {
      const result = yield* run(["--shard", "auto/4"], { JOB_COMPLETION_INDEX: "0", AWS_BATCH_JOB_ARRAY_INDEX: "3" })
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(/JOB_COMPLETION_INDEX is 0 but AWS_BATCH_JOB_ARRAY_INDEX is 3/)
    })
  )

  it.effect("a-bad-auto-count-or-rate-is-refused-by-its-flag", () =>
    Effect.gen(function* () {
      const count = yield* run(["--shard", "auto/zero"], { JOB_COMPLETION_INDEX: "0" })
      expect(count.code).toBe(2)
      expect(count.stderr).toMatch(/--shard auto\/N needs N/)
      for (const bad of ["0", "-5", "fast", "10001"]) {
        const rate = yield* run(["--rate-limit", bad])
        expect(rate.code, bad).toBe(2)
        expect(rate.stderr).toMatch(/--rate-limit .* is not a number of requests per second above 0/)
      }
    })
  )
})
