/**
 * A merge that runs out of disk space publishes nothing: every merged file and the manifest are staged beside their
 * targets before any is renamed into place, so a full disk leaves neither a merged file without its manifest nor a
 * temp file, and says so as a run does (`disk full while writing …`). The disk fills through the file system layer
 * (writes fail with ENOSPC past a byte budget); the shards' runs are real, in-process.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { NodeFileSystem, NodePath as NodePathLayer } from "@effect/platform-node"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { Effect, Exit, FileSystem, Layer, PlatformError } from "effect"
import { mergeRuns } from "../src/output/Merge.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { copyFolder, runShards } from "./support/shardRuns.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-merge-disk-full-"))
let sandbox: RunningSandbox
const shards = NodePath.join(root, "shards")

/** The real file system, except that writes fail with ENOSPC once `budget` bytes were written in all. */
const diskFullAfter = (budget: number) =>
  Layer.effect(
    FileSystem.FileSystem,
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      let written = 0
      const open: FileSystem.FileSystem["open"] = (path, options) =>
        Effect.map(fs.open(path, options), (file) => {
          const writeAll: FileSystem.File["writeAll"] = (bytes) => {
            written += bytes.length
            return written <= budget
              ? file.writeAll(bytes)
              : Effect.fail(
                  PlatformError.systemError({
                    _tag: "Unknown",
                    module: "FileSystem",
                    method: "writeAll",
                    cause: Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" })
                  })
                )
          }
          return Object.assign(Object.create(file) as FileSystem.File, { writeAll })
        })
      return { ...fs, open }
    })
  ).pipe(Layer.provide(NodeFileSystem.layer))

const merge = (dir: string, budget: number) =>
  Effect.runPromiseExit(
    mergeRuns({
      runs: [dir],
      out: dir,
      force: false,
      version: "test",
      jobFingerprintAt: () => Effect.succeed(undefined)
    }).pipe(Effect.provide(Layer.mergeAll(diskFullAfter(budget), NodePathLayer.layer)))
  )

/** The bytes of the part files in `dir`: what the merged files take. */
const partBytes = (dir: string) =>
  NodeFs.readdirSync(dir)
    .filter((name) => /\.part-\d{4}-of-\d{4}\./.test(name))
    .reduce((n, name) => n + NodeFs.statSync(NodePath.join(dir, name)).size, 0)

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 600 })
  const job = NodePath.join(root, "job.json")
  NodeFs.writeFileSync(
    job,
    JSON.stringify({
      defaults: { format: "csv", pageSize: 100 },
      exports: [
        { type: "answer", id: "Order Details", split: 2, output: "od" },
        { type: "search", table: "Orders", query: "[Order ID] [Revenue]", split: 2, output: "orders" }
      ]
    })
  )
  await runShards({ job, count: 2, out: () => shards, env: sandboxEnv(sandbox) })
}, 60_000)

afterAll(async () => {
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

describe("merge on a full disk", () => {
  for (const [name, budget] of [
    ["the-second-merged-file", (dir: string) => Math.floor(partBytes(dir) * 0.75)],
    ["the-manifest", (dir: string) => partBytes(dir) + 10]
  ] as const) {
    it(`a-disk-that-fills-while-staging-${name}-publishes-nothing-and-says-disk-full`, async () => {
      const dir = copyFolder(shards, NodePath.join(root, name))
      const before = NodeFs.readdirSync(dir).sort()
      const exit = await merge(dir, budget(dir))
      expect(Exit.isFailure(exit)).toBe(true)
      const error = Exit.isFailure(exit) ? JSON.stringify(exit.cause) : ""
      expect(error).toContain('"kind":"DiskFull"')
      expect(error).toMatch(/disk full while writing \S+: free some space \(or choose another --out\) and run again/)
      // Nothing published, no temp file left: the folder is as the shards left it.
      expect(NodeFs.readdirSync(dir).sort()).toEqual(before)
      // With room, the same folder merges.
      const room = await merge(dir, Number.MAX_SAFE_INTEGER)
      expect(Exit.isSuccess(room)).toBe(true)
      expect(NodeFs.existsSync(NodePath.join(dir, "od.csv"))).toBe(true)
      expect(NodeFs.existsSync(NodePath.join(dir, "manifest.json"))).toBe(true)
    }, 60_000)
  }
})
