/**
 * A folder that cannot be written is said by one rule, wherever it is found: a file where the resume state's folder
 * goes, a read-only disk under `merge --out` (whose folder the output lock creates), a lock file that cannot be
 * written. Never an errno's name or Node's own text.
 */
import { spawn } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { NodePath as EffectNodePath, NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, FileSystem, Layer, PlatformError } from "effect"
import { fileProblem } from "../src/output/OutputFolder.ts"
import { lockFileName, lockOutputDirectory } from "../src/output/OutputLock.ts"
import { runCliInProcess } from "./support/inProcess.ts"
import { cliEnv, mainPath } from "./support/runCli.ts"
import { sandboxEnv, testSandbox, writeJob } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-output-path-")
const sandbox = testSandbox({ rows: 100, seed: 5 })

describe("a file where a folder goes", () => {
  it("is-said-as-a-part-of-the-path-being-a-file-also-for-the-resume-state", async () => {
    expect(fileProblem("/d/.spotpipe-state", "EEXIST")).toBe(
      "cannot write to /d/.spotpipe-state: a part of that path is a file, not a folder; move the file away or pass another folder to --out"
    )
    const root = tempDir()
    const out = NodePath.join(root, "out")
    NodeFs.mkdirSync(out)
    NodeFs.writeFileSync(NodePath.join(out, ".spotpipe-state"), "x\n")
    const job = writeJob(root, { exports: [{ type: "answer", id: "Revenue by Month" }] })
    const run = await runCliInProcess(["run", job, "--out", out, "--resume"], { env: sandboxEnv(sandbox.sandbox) })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(
      `cannot write to ${NodePath.join(out, ".spotpipe-state")}: a part of that path is a file, not a folder; move the file away`
    )
    expect(run.stderr).not.toMatch(/EEXIST|check that its folder still exists/)
  }, 60_000)
})

/**
 * The real file system on a read-only disk below `root`: making a folder there fails as Node's recursive mkdir fails
 * there (ENOENT), and asking whether it can be written says EROFS.
 */
const readOnlyBelow = (root: string) =>
  Layer.effect(
    FileSystem.FileSystem,
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const refuse = (method: string, code: string, path: string) =>
        Effect.fail(
          PlatformError.systemError({
            _tag: code === "ENOENT" ? "NotFound" : "Unknown",
            module: "FileSystem",
            method,
            pathOrDescriptor: path,
            cause: Object.assign(new Error(`${code}: ${method} '${path}'`), { code })
          })
        )
      const below = (path: string) => NodePath.resolve(path).startsWith(`${root}${NodePath.sep}`) || path === root
      const makeDirectory: FileSystem.FileSystem["makeDirectory"] = (path, options) =>
        below(path) ? refuse("makeDirectory", "ENOENT", path) : fs.makeDirectory(path, options)
      const access: FileSystem.FileSystem["access"] = (path, options) =>
        below(path) && options?.writable === true ? refuse("access", "EROFS", path) : fs.access(path, options)
      return { ...fs, makeDirectory, access }
    })
  ).pipe(Layer.provide(NodeFileSystem.layer))

describe("an output folder on a read-only disk that the lock creates (merge --out)", () => {
  const root = tempDir()
  it.effect("is-said-to-be-read-only-as-a-run's-out-check-says", () =>
    Effect.gen(function* () {
      const error = yield* Effect.scoped(lockOutputDirectory(NodePath.join(root, "merged"), {})).pipe(Effect.flip)
      expect(error.message).toBe(
        `cannot write to ${root}: the file system is read-only; pass a folder on a writable disk to --out`
      )
    }).pipe(Effect.provide(Layer.mergeAll(readOnlyBelow(root), EffectNodePath.layer)))
  )
})

describe("a lock file that cannot be written", () => {
  it("says-why-in-words-not-node's-errno-text", async () => {
    const out = tempDir()
    // A file size limit of 0: creating the lock works, writing its holder fails (EFBIG).
    const run = await new Promise<{ readonly code: number | null; readonly stderr: string }>((resolve) => {
      const child = spawn(
        "sh",
        ["-c", 'ulimit -f 0; exec "$0" "$@"', process.execPath, mainPath, "answer", "Revenue by Month", "--out", out],
        { env: cliEnv(sandboxEnv(sandbox.sandbox)), stdio: ["ignore", "pipe", "pipe"] }
      )
      const err: Array<Buffer> = []
      child.stderr.on("data", (chunk: Buffer) => err.push(chunk))
      child.stdout.resume()
      child.on("close", (code) => resolve({ code, stderr: Buffer.concat(err).toString("utf8") }))
    })
    expect(run.code, run.stderr).toBe(1)
    expect(run.stderr).toContain(
      `cannot create ${NodePath.join(out, lockFileName)}: the file would be larger than this file system or this process's file-size limit (ulimit -f) allows`
    )
    expect(run.stderr).not.toMatch(/EFBIG|file too large/)
  }, 60_000)
})
