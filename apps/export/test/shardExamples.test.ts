/**
 * The deployment examples in `examples/` are runs spotpipe accepts: each Kubernetes manifest and AWS Batch
 * definition is parsed, its command line and environment taken as the scheduler would hand them to a container
 * (Kubernetes `$(VAR)` expansion, AWS Batch `Ref::` parameters and child job ids, the index variable of every pod or
 * child job), with only the cluster (a sandbox), the secret's value and the mounted folders swapped for local ones —
 * and then run, in this process, once per index. The shards exit 0, record the one job run the example gives them,
 * and their files together are a single run's.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { Effect } from "effect"
import { parse as parseYaml } from "yaml"
import { runInProcess } from "./support/inProcess.ts"
import { filesIn } from "./support/Sandboxes.ts"

const examples = fileURLToPath(new URL("../examples/", import.meta.url))
const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-examples-"))
let sandbox: RunningSandbox

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 300, seed: 5 })
})

afterAll(async () => {
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

/** The data files of a folder (manifests and resume state differ by run). */
const dataFiles = (dir: string): Record<string, Buffer> =>
  Object.fromEntries(
    [...filesIn(dir)].filter(([name]) => !NodePath.basename(name).startsWith("manifest") && !name.startsWith("."))
  )

/** A container's command as the scheduler runs it: `spotpipe` and its arguments. */
const argsOf = (command: ReadonlyArray<string>): ReadonlyArray<string> => {
  expect(command[0]).toBe("spotpipe")
  return command.slice(1)
}

/** The value after `flag` in `args`. */
const flagValue = (args: ReadonlyArray<string>, flag: string): string | undefined => {
  const at = args.indexOf(flag)
  return at === -1 ? undefined : args[at + 1]
}

/** Folders the examples mount, replaced by local ones: the job file's, and the landing volume. */
const localPath = (landing: string) => (arg: string) =>
  arg.startsWith("/etc/spotpipe/")
    ? NodePath.join(examples, NodePath.basename(arg))
    : arg.startsWith("/landing/")
      ? NodePath.join(landing, arg.slice("/landing/".length))
      : arg

/** The credentials of the examples' environment, pointed at the sandbox. */
const credentials = (env: Record<string, string>): Record<string, string> => {
  expect(env["THOUGHTSPOT_HOST"]).toMatch(/^https:\/\//)
  expect(env["THOUGHTSPOT_USERNAME"]).toBeDefined()
  return {
    ...env,
    THOUGHTSPOT_HOST: sandbox.url,
    THOUGHTSPOT_USERNAME: fixtures.user.username,
    THOUGHTSPOT_PASSWORD: fixtures.user.password
  }
}

/**
 * Runs every shard (one environment each) and checks that together they write what one unsharded run writes, each
 * recording `jobRun`.
 */
const runShards = (
  args: ReadonlyArray<string>,
  shards: ReadonlyArray<Record<string, string>>,
  out: string,
  jobRun: string
) =>
  Effect.gen(function* () {
    for (const env of shards) {
      const run = yield* runInProcess(args, env)
      expect(run.code, run.stderr).toBe(0)
    }
    const single = NodePath.join(root, `${NodePath.basename(out)}-single`)
    const whole = yield* runInProcess(["run", NodePath.join(examples, "nightly.json"), "--out", single, "--quiet"], {
      ...shards[0]!,
      JOB_COMPLETION_INDEX: "",
      AWS_BATCH_JOB_ARRAY_INDEX: ""
    })
    expect(whole.code, whole.stderr).toBe(0)
    expect(Object.keys(dataFiles(out)).length).toBeGreaterThan(5)
    expect(dataFiles(out)).toEqual(dataFiles(single))
    const count = shards.length
    for (let i = 1; i <= count; i++) {
      const manifest = JSON.parse(
        NodeFs.readFileSync(NodePath.join(out, `manifest.shard-${i}-of-${count}.json`), "utf8")
      )
      expect(manifest.shard).toEqual({ index: i, count })
      expect(manifest.job_run).toBe(jobRun)
    }
  })

interface Container {
  readonly command: ReadonlyArray<string>
  readonly env: ReadonlyArray<{
    readonly name: string
    readonly value?: string
    readonly valueFrom?: { readonly secretKeyRef?: unknown; readonly fieldRef?: { readonly fieldPath: string } }
  }>
}

/** An Indexed Job's pods: its container's command with `$(VAR)` expanded, and each pod's environment. */
const indexedPods = (spec: Record<string, unknown>, landing: string, fieldValues: Record<string, string>) => {
  expect(spec["completionMode"]).toBe("Indexed")
  const completions = spec["completions"] as number
  expect(spec["parallelism"]).toBe(completions)
  // A replacement pod (same host name and pid) must not start while the pod it replaces still writes.
  expect(spec["podReplacementPolicy"]).toBe("Failed")
  const container = (spec["template"] as { spec: { containers: ReadonlyArray<Container> } }).spec.containers[0]!
  const env: Record<string, string> = {}
  for (const variable of container.env) {
    if (variable.value !== undefined) env[variable.name] = variable.value
    else if (variable.valueFrom?.fieldRef !== undefined) {
      const value = fieldValues[variable.valueFrom.fieldRef.fieldPath]
      expect(value, variable.valueFrom.fieldRef.fieldPath).toBeDefined()
      env[variable.name] = value!
    } else expect(variable.valueFrom?.secretKeyRef, variable.name).toBeDefined()
  }
  // Kubernetes expands $(VAR) in a container's command from its environment.
  const args = argsOf(container.command)
    .map((arg) => arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (_, name: string) => env[name] ?? `$(${name})`))
    .map(localPath(landing))
  // Kubernetes has no variable for the count: `--shard auto/N` must name the Job's completions.
  expect(flagValue(args, "--shard")).toBe(`auto/${completions}`)
  const shards = Array.from({ length: completions }, (_, index) => ({
    ...credentials(env),
    JOB_COMPLETION_INDEX: String(index)
  }))
  return { args, shards }
}

describe("deployment examples", () => {
  it.live(
    "kubernetes-indexed-job-runs-as-4-shards",
    () =>
      Effect.gen(function* () {
        const manifest = parseYaml(NodeFs.readFileSync(NodePath.join(examples, "kubernetes-indexed-job.yaml"), "utf8"))
        expect(manifest.kind).toBe("Job")
        const landing = NodePath.join(root, "k8s")
        const uid = "3f0c2a9e-7d41-4b8e-9a52-1c6e0f4d8b27"
        const { args, shards } = indexedPods(manifest.spec, landing, {
          "metadata.labels['batch.kubernetes.io/controller-uid']": uid
        })
        expect(shards).toHaveLength(4)
        yield* runShards(args, shards, flagValue(args, "--out")!, uid)
      }),
    60_000
  )

  it.live(
    "kubernetes-cronjob-runs-each-night-into-its-jobs-folder",
    () =>
      Effect.gen(function* () {
        const manifest = parseYaml(NodeFs.readFileSync(NodePath.join(examples, "kubernetes-cronjob.yaml"), "utf8"))
        expect(manifest.kind).toBe("CronJob")
        expect(manifest.spec.concurrencyPolicy).toBe("Forbid")
        const landing = NodePath.join(root, "cron")
        const { args, shards } = indexedPods(manifest.spec.jobTemplate.spec, landing, {
          "metadata.labels['batch.kubernetes.io/job-name']": "spotpipe-nightly-29421240"
        })
        const out = flagValue(args, "--out")!
        expect(out).toBe(NodePath.join(landing, "spotpipe-nightly-29421240"))
        yield* runShards(args, shards, out, "spotpipe-nightly-29421240")
      }),
    60_000
  )

  it.live(
    "aws-batch-array-job-runs-as-its-size-of-shards",
    () =>
      Effect.gen(function* () {
        const definition = JSON.parse(
          NodeFs.readFileSync(NodePath.join(examples, "aws-batch-job-definition.json"), "utf8")
        )
        const submit = JSON.parse(NodeFs.readFileSync(NodePath.join(examples, "aws-batch-submit-job.json"), "utf8"))
        expect(submit.jobDefinition).toBe(definition.jobDefinitionName)
        const size = submit.arrayProperties.size as number
        expect(size).toBeGreaterThan(1)
        // AWS Batch replaces `Ref::name` with the submission's parameters, else the definition's defaults.
        const parameters: Record<string, string> = { ...definition.parameters, ...submit.parameters }
        const landing = NodePath.join(root, "batch")
        const args = argsOf(definition.containerProperties.command)
          .map((arg) => (arg.startsWith("Ref::") ? parameters[arg.slice(5)]! : arg))
          .map(localPath(landing))
        // The count comes from AWS_BATCH_JOB_ARRAY_SIZE, which AWS Batch sets in every child job.
        expect(flagValue(args, "--shard")).toBe("auto")
        const env: Record<string, string> = Object.fromEntries(
          (definition.containerProperties.environment as ReadonlyArray<{ name: string; value: string }>).map((v) => [
            v.name,
            v.value
          ])
        )
        expect(definition.containerProperties.secrets.map((s: { name: string }) => s.name)).toEqual([
          "THOUGHTSPOT_PASSWORD"
        ])
        // Each child job's id is the array job's and its index; the array job's id, one per submission, is the job run.
        expect(args).not.toContain("--job-run")
        const arrayJobId = "5e0b7c1a-93d4-4f2e-8b6a-2c7d9e1f0a34"
        const shards = Array.from({ length: size }, (_, index) => ({
          ...credentials(env),
          AWS_BATCH_JOB_ID: `${arrayJobId}:${index}`,
          AWS_BATCH_JOB_ARRAY_INDEX: String(index),
          AWS_BATCH_JOB_ARRAY_SIZE: String(size)
        }))
        yield* runShards(args, shards, flagValue(args, "--out")!, arrayJobId)
      }),
    60_000
  )
})
