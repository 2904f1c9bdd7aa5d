/**
 * What `spotpipe run` tells a scheduler when a run ends badly: its `--json` report, exit code and error line. A run
 * whose manifest cannot be written (a full disk) still reports each export's outcome and names the ones that
 * failed. The runs are in-process, over the real file system; the disk-full run's file system fails the manifest's
 * writes with ENOSPC, as a full disk does.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { NodeFileSystem, NodeServices } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, FileSystem, Layer, PlatformError } from "effect"
import { TestConsole } from "effect/testing"
import { program } from "../../src/cli/Program.ts"
import { noConfig } from "../support/runCli.ts"
import { sandboxEnv, testSandbox } from "../support/Sandboxes.ts"
import { tempFolders } from "../support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-run-reports-")
const sandbox = testSandbox({ rows: 100, seed: 3 })

/** The real file system, except that writing a manifest (`manifest….json`, or its temp file) fails with ENOSPC. */
const manifestDiskFull = Layer.effect(
  FileSystem.FileSystem,
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const open: FileSystem.FileSystem["open"] = (path, options) =>
      Effect.map(fs.open(path, options), (file) =>
        !/manifest[^/]*\.json/.test(NodePath.basename(path))
          ? file
          : Object.assign(Object.create(file) as FileSystem.File, {
              writeAll: () =>
                Effect.fail(
                  PlatformError.systemError({
                    _tag: "Unknown",
                    module: "FileSystem",
                    method: "writeAll",
                    cause: Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" })
                  })
                )
            })
      )
    return { ...fs, open }
  })
).pipe(Layer.provide(NodeFileSystem.layer))

/** Runs `spotpipe args…` in-process on `fileSystem`: exit code, stdout and stderr. */
const runOn = (args: ReadonlyArray<string>, fileSystem?: Layer.Layer<FileSystem.FileSystem>) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const code = yield* program(args)
      const stdout = (yield* TestConsole.logLines).map(String)
      const stderr = (yield* TestConsole.errorLines).map(String)
      return { code, stdout, stderr: stderr.join("\n") }
    }).pipe(
      Effect.provide(
        Layer.mergeAll(
          NodeServices.layer,
          ...(fileSystem === undefined ? [] : [fileSystem]),
          TestConsole.layer,
          ConfigProvider.layer(
            ConfigProvider.fromEnv({ env: { ...noConfig, ...sandboxEnv(sandbox.sandbox) }, preserveEmptyStrings: true })
          )
        )
      )
    )
  )

/** A job file of answers by name (`output` names an export's file), in a new folder: its path and that folder. */
const jobOf = (exports: ReadonlyArray<{ readonly id: string; readonly output?: string }>) => {
  const root = tempDir()
  const job = NodePath.join(root, "job.json")
  NodeFs.writeFileSync(job, JSON.stringify({ exports: exports.map((e) => ({ type: "answer", ...e })) }))
  return { root, job, out: NodePath.join(root, "out") }
}

describe("a run whose manifest cannot be written", () => {
  it("still-prints-its-json-report-with-each-export-and-names-the-failed-ones", async () => {
    const { job, out } = jobOf([{ id: "Revenue by Month" }, { id: "No Such Answer", output: "missing" }])
    const run = await runOn(["run", job, "--out", out, "--json"], manifestDiskFull)
    expect(run.code).toBe(1)
    expect(run.stdout).toHaveLength(1)
    const report = JSON.parse(run.stdout[0]!)
    expect(report.status).toBe("failed")
    expect(report.manifest).toBeNull()
    expect(report.manifest_error).toMatch(/^disk full while writing .*manifest-.*\.json: free some space/)
    expect(report.outputs.map((o: { file: string }) => o.file)).toEqual(["answer-Revenue by Month.csv"])
    expect(report.exports.map((e: { export: string; status: string }) => [e.export, e.status])).toEqual([
      ["answer-Revenue by Month", "succeeded"],
      ["missing", "failed"]
    ])
    expect(report.exports[1].error).toContain("No Such Answer")
    expect(report.failures).toHaveLength(1)
    // One line: the manifest's failure, then which exports failed, and how to go on.
    expect(run.stderr.split("\n")).toHaveLength(1)
    expect(run.stderr).toMatch(
      /^spotpipe: disk full while writing .*manifest-.*\.json: .*; the run's manifest was not written, so no manifest lists the file it wrote; 1 of 2 exports failed \(missing: .*No Such Answer.*\); once that is done, rerun with --resume/
    )
    // The file written stays, with its resume state, for --resume to keep.
    expect(NodeFs.existsSync(NodePath.join(out, "answer-Revenue by Month.csv"))).toBe(true)
    expect(NodeFs.readdirSync(out).filter((name) => name.startsWith("manifest"))).toEqual([])
    const resumed = await runOn(["run", job, "--out", out, "--resume", "--json"])
    const again = JSON.parse(resumed.stdout[0]!)
    expect(again.outputs.map((o: { file: string; status: string }) => [o.file, o.status])).toEqual([
      ["answer-Revenue by Month.csv", "skipped"]
    ])
  }, 60_000)

  it("without-json-prints-each-export's-line-and-says-all-were-written", async () => {
    const { job, out } = jobOf([{ id: "Revenue by Month" }])
    const run = await runOn(["run", job, "--out", out], manifestDiskFull)
    expect(run.code).toBe(1)
    expect(run.stdout.join("\n")).toMatch(/^ok {6}answer-Revenue by Month: 1 file, \d+ rows/)
    expect(run.stderr).toMatch(
      /the run's manifest was not written, so no manifest lists the file it wrote; its export was written; once that is done, rerun with --resume/
    )
  }, 60_000)
})

describe("a run refused by another run's lock", () => {
  it("prints-a-json-report-saying-who-holds-the-folder", async () => {
    const { job, out } = jobOf([{ id: "Revenue by Month" }])
    NodeFs.mkdirSync(out)
    // Another pod's run: a live lock of another host, which no run here takes over.
    const holder = {
      pid: 4242,
      hostname: "nightly-pod-2",
      started_at: "2026-12-08T01:00:00.000Z",
      command: "spotpipe run job.json"
    }
    const lock = NodePath.join(out, ".spotpipe.lock")
    NodeFs.writeFileSync(lock, `${JSON.stringify(holder)}\n`)
    const run = await runOn(["run", job, "--out", out, "--json"])
    expect(run.code).toBe(1)
    expect(run.stdout).toHaveLength(1)
    const report = JSON.parse(run.stdout[0]!)
    expect(report.status).toBe("refused")
    expect(report.refused).toEqual({
      reason: "locked",
      lock,
      pid: 4242,
      host: "nightly-pod-2",
      started_at: "2026-12-08T01:00:00.000Z",
      command: "spotpipe run job.json",
      error: expect.stringContaining("is writing to")
    })
    expect(report.outputs).toEqual([])
    expect(run.stderr).toContain("another spotpipe run (pid 4242 on nightly-pod-2")
    expect(NodeFs.readdirSync(out)).toEqual([".spotpipe.lock"])
  }, 60_000)

  it("a-failed-export-is-no-refusal", async () => {
    const { job, out } = jobOf([{ id: "No Such Answer" }])
    const run = await runOn(["run", job, "--out", out, "--json"])
    expect(run.code).toBe(1)
    const report = JSON.parse(run.stdout[0]!)
    expect(report.status).toBe("failed")
    expect(report.refused).toBeUndefined()
  }, 60_000)
})

describe("a --resume run that found every export complete", () => {
  it("says-so-in-its-json-report-and-counts-the-files-kept", async () => {
    const { job, out } = jobOf([{ id: "Revenue by Month" }, { id: "Order Details" }])
    const first = JSON.parse((await runOn(["run", job, "--out", out, "--json"])).stdout[0]!)
    expect(first.already_complete).toBe(false)
    const again = await runOn(["run", job, "--out", out, "--resume", "--json"])
    expect(again.code).toBe(0)
    const report = JSON.parse(again.stdout[0]!)
    expect(report.status).toBe("succeeded")
    expect(report.already_complete).toBe(true)
    expect(report.outputs.map((o: { status: string }) => o.status)).toEqual(["skipped", "skipped"])
  }, 60_000)
})
