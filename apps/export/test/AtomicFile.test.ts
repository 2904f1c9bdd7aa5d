import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, PlatformError } from "effect"
import { countingWriter, fileError, replaceFile } from "../src/output/AtomicFile.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-atomic-")

describe("replaceFile", () => {
  it.effect("replaces-a-file-whole-and-leaves-no-temp-file", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const target = NodePath.join(dir, "manifest.json")
      NodeFs.writeFileSync(target, "old\n")
      yield* replaceFile(target, "new\n")
      assert.strictEqual(NodeFs.readFileSync(target, "utf8"), "new\n")
      assert.deepStrictEqual(NodeFs.readdirSync(dir), ["manifest.json"])
      assert.strictEqual(NodeFs.statSync(target).mode & 0o777, 0o644)
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-failure-before-the-rename-keeps-the-old-file-and-removes-the-temp-file", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const target = NodePath.join(dir, "state.json")
      NodeFs.writeFileSync(target, "old\n")
      let tempSeen = false
      const beforeRename = Effect.suspend(() => {
        // The new text is complete on disk beside the target, not yet in its place.
        tempSeen = NodeFs.readdirSync(dir).some((f) => /^\.state\.json\.\d+-[0-9a-f]{8}\.tmp$/.test(f))
        return Effect.die(new Error("stopped before the rename"))
      })
      const exit = yield* Effect.exit(replaceFile(target, "new\n", { mode: 0o600, beforeRename }))
      assert.isTrue(exit._tag === "Failure")
      assert.isTrue(tempSeen)
      assert.strictEqual(NodeFs.readFileSync(target, "utf8"), "old\n")
      assert.deepStrictEqual(NodeFs.readdirSync(dir), ["state.json"])
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-directory-that-cannot-be-written-is-an-error-naming-the-target", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const target = NodePath.join(dir, "missing", "manifest.json")
      const error = yield* Effect.flip(replaceFile(target, "x"))
      assert.include(error.message, target)
    }).pipe(Effect.provide(NodeServices.layer))
  )
})

describe("countingWriter", () => {
  it.effect("counts-and-hashes-text-and-bytes-as-they-pass", () =>
    Effect.gen(function* () {
      const seen: Array<Uint8Array> = []
      const counting = countingWriter((bytes) => Effect.sync(() => void seen.push(bytes)))
      yield* counting.writer.write("héllo ")
      yield* counting.writer.write(Buffer.from("world"))
      yield* counting.writer.write("")
      const result = counting.result()
      assert.strictEqual(result.bytes, Buffer.byteLength("héllo world"))
      assert.strictEqual(Buffer.concat(seen).toString("utf8"), "héllo world")
      assert.strictEqual(result.sha256, createHash("sha256").update("héllo world", "utf8").digest("hex"))
    })
  )
})

describe("fileError", () => {
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
