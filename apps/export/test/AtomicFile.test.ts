import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, FileSystem, PlatformError } from "effect"
import { ExportError } from "../src/ExportError.ts"
import { fileError, flushEvery, publish } from "../src/output/AtomicFile.ts"

const tempDir = () => NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-atomic-"))
const entries = (dir: string) => NodeFs.readdirSync(dir).sort()

describe("publish", () => {
  it.effect("a-successful-write-appears-whole-with-its-size-and-hash", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const target = NodePath.join(dir, "sub", "out.csv")
      const [value, result] = yield* publish(target, { force: false }, (w) =>
        Effect.gen(function* () {
          yield* w.write("a,b\r\n")
          assert.deepStrictEqual(entries(NodePath.join(dir, "sub")).length, 1) // only the temp file so far
          assert.isFalse(NodeFs.existsSync(target))
          yield* w.write("1,é\r\n")
          return 42
        })
      )
      const bytes = NodeFs.readFileSync(target)
      assert.strictEqual(value, 42)
      assert.strictEqual(bytes.toString("utf8"), "a,b\r\n1,é\r\n")
      assert.strictEqual(result.bytes, bytes.length)
      assert.strictEqual(result.sha256, createHash("sha256").update(bytes).digest("hex"))
      assert.deepStrictEqual(entries(NodePath.join(dir, "sub")), ["out.csv"])
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-failed-write-leaves-nothing-at-the-target-and-no-temp-file", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const target = NodePath.join(dir, "out.csv")
      const error = yield* Effect.flip(
        publish(target, { force: false }, (w) =>
          Effect.andThen(w.write("partial"), Effect.fail(new ExportError({ kind: "Remote", message: "boom" })))
        )
      )
      assert.strictEqual(error.message, "boom")
      assert.deepStrictEqual(entries(dir), [])
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.live("an-interrupted-write-leaves-nothing-behind", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const target = NodePath.join(dir, "out.ndjson")
      const fiber = yield* Effect.forkChild(
        publish(target, { force: false }, (w) => Effect.andThen(w.write("{}\n"), Effect.never))
      )
      yield* Effect.yieldNow
      while (entries(dir).length === 0) yield* Effect.sleep("5 millis")
      yield* Fiber.interrupt(fiber)
      assert.deepStrictEqual(entries(dir), [])
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("an-existing-output-is-refused-without-force-and-replaced-with-it", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const target = NodePath.join(dir, "out.csv")
      NodeFs.writeFileSync(target, "old")
      const error = yield* Effect.flip(publish(target, { force: false }, (w) => w.write("new")))
      assert.strictEqual(error.kind, "OutputExists")
      assert.include(error.message, "--force")
      assert.strictEqual(NodeFs.readFileSync(target, "utf8"), "old")
      yield* publish(target, { force: true }, (w) => w.write("new"))
      assert.strictEqual(NodeFs.readFileSync(target, "utf8"), "new")
      assert.deepStrictEqual(entries(dir), ["out.csv"])
    }).pipe(Effect.provide(NodeServices.layer))
  )
})

describe("fileError", () => {
  /** The real file system, with every opened file's `sync` counted (and failing from call `failFrom` on). */
  const countingSyncs = (failFrom = Number.POSITIVE_INFINITY) =>
    Effect.gen(function* () {
      const real = yield* FileSystem.FileSystem
      const syncs = { count: 0 }
      const sync = (file: FileSystem.File) =>
        Effect.suspend(() =>
          ++syncs.count >= failFrom
            ? Effect.fail(
                PlatformError.systemError({
                  _tag: "Unknown",
                  module: "FileSystem",
                  method: "sync",
                  cause: Object.assign(new Error("input/output error"), { code: "EIO" })
                })
              )
            : file.sync
        )
      const fs: FileSystem.FileSystem = {
        ...real,
        open: (path, options) =>
          Effect.map(
            real.open(path, options),
            (file) =>
              new Proxy(file, {
                get: (target, key) => {
                  if (key === "sync") return sync(target)
                  const value = Reflect.get(target, key)
                  return typeof value === "function" ? value.bind(target) : value
                }
              })
          )
      }
      return { fs, syncs }
    })

  const writeMiB = (count: number) => (w: { write: (chunk: Uint8Array) => Effect.Effect<void, ExportError> }) =>
    Effect.gen(function* () {
      const chunk = Buffer.alloc(1 << 20, "x")
      for (let i = 0; i < count; i++) yield* w.write(chunk)
    })

  it.live("a-large-file-is-flushed-as-it-grows-and-published-whole", () =>
    Effect.gen(function* () {
      const { fs, syncs } = yield* countingSyncs()
      const dir = tempDir()
      const target = NodePath.join(dir, "out.ndjson")
      const mib = (3 * flushEvery) / (1 << 20) + 1
      const [, result] = yield* publish(target, { force: false }, writeMiB(mib)).pipe(
        Effect.provideService(FileSystem.FileSystem, fs)
      )
      // Background flushes after each 64 MiB (one at a time, so at least one), and the final one.
      assert.isAtLeast(syncs.count, 2)
      assert.isAtMost(syncs.count, 4)
      assert.strictEqual(result.bytes, mib << 20)
      assert.strictEqual(NodeFs.statSync(target).size, mib << 20)
      assert.deepStrictEqual(entries(dir), ["out.ndjson"])
      NodeFs.rmSync(dir, { recursive: true, force: true })
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.live("a-failed-background-flush-fails-the-write-and-leaves-nothing-behind", () =>
    Effect.gen(function* () {
      const { fs } = yield* countingSyncs(1)
      const dir = tempDir()
      const target = NodePath.join(dir, "out.ndjson")
      const error = yield* Effect.flip(
        publish(target, { force: false }, writeMiB(flushEvery / (1 << 20) + 1)).pipe(
          Effect.provideService(FileSystem.FileSystem, fs)
        )
      )
      // The first background flush failed: the write fails with it (not at the end, not silently).
      assert.strictEqual(error._tag === "ExportError" ? error.kind : undefined, "Io")
      assert.include(error.message, `cannot write to ${target}`)
      assert.deepStrictEqual(entries(dir), [])
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it("enospc-becomes-a-disk-full-message", () => {
    const cause = Object.assign(new Error("no space left on device"), { code: "ENOSPC" })
    const error = fileError(
      "/x/out.csv",
      PlatformError.systemError({ _tag: "Unknown", module: "FileSystem", method: "write", cause })
    )
    assert.strictEqual(error.kind, "DiskFull")
    assert.include(error.message, "disk full while writing /x/out.csv")
    const denied = fileError(
      "/x",
      PlatformError.systemError({ _tag: "PermissionDenied", module: "FileSystem", method: "open" })
    )
    assert.include(denied.message, "permission denied")
  })
})
