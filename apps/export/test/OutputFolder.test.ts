/**
 * The output-folder check: what it says for each file-system refusal a user can cause, and what it creates.
 * Permission and read-only refusals cannot be staged here (tests may run as root, and mounting needs privileges),
 * so their messages are checked through `folderProblem`, which the check uses for every errno code.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { checkOutputFolder, createOutputFolder, fileProblem, folderProblem } from "../src/output/OutputFolder.ts"
import { UsageError } from "../src/UsageError.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-folder-")

describe("folderProblem", () => {
  it("says-which-path-what-happened-and-what-to-do-for-every-refusal-a-user-can-cause", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["ENOTDIR", "cannot write to /data/x: it is a file, not a folder; pass a folder to --out"],
      ["EACCES", "cannot write to /data/x: permission denied; pass a folder you can write to --out"],
      ["EPERM", "cannot write to /data/x: permission denied"],
      ["EROFS", "cannot write to /data/x: the file system is read-only; pass a folder on a writable disk to --out"],
      ["ENOSPC", "cannot write to /data/x: the disk is full"],
      ["ENAMETOOLONG", "the path is too long; pass a shorter path to --out"],
      ["EWHATEVER", "cannot write to /data/x (EWHATEVER); pass another folder to --out"]
    ]
    for (const [code, says] of cases) {
      const message = folderProblem("/data/x", code)
      assert.include(message, says)
      assert.notMatch(message, /BadResource|FileSystem\.|PlatformError/)
    }
  })
})

describe("fileProblem", () => {
  it("names-what-is-in-the-way-of-an-output-file-and-what-to-do", () => {
    assert.include(fileProblem("/d/a.csv", "ENOTDIR"), "cannot write to /d/a.csv: a part of that path is a file")
    assert.include(fileProblem("/d/a.csv", "EISDIR"), "a folder of that name is in the way")
    assert.include(fileProblem("/d/a.csv", "EROFS"), "the file system is read-only")
    assert.include(fileProblem("/d/a.csv", "EACCES"), "permission denied")
    assert.include(fileProblem("/d/a.csv", "EFBIG"), "larger than this file system or this process's file-size limit")
    assert.include(fileProblem("/d/a.csv", "EBUSY"), "cannot write to /d/a.csv (EBUSY): check that its folder")
  })
})

describe("checkOutputFolder", () => {
  it.effect("plans-the-missing-levels-outermost-first-and-creates-them", () =>
    Effect.gen(function* () {
      const base = tempDir()
      const target = NodePath.join(base, "a", "b")
      const plan = yield* checkOutputFolder(target)
      assert.deepStrictEqual(plan.missing, [NodePath.join(base, "a"), target])
      // The check leaves nothing behind (its probe folder is gone again).
      assert.deepStrictEqual(NodeFs.readdirSync(base), [])
      yield* createOutputFolder(plan)
      assert.isTrue(NodeFs.statSync(target).isDirectory())
      // An existing folder needs nothing.
      assert.deepStrictEqual((yield* checkOutputFolder(target)).missing, [])
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("refuses-a-file-or-a-path-below-one-with-a-usage-error", () =>
    Effect.gen(function* () {
      const file = NodePath.join(tempDir(), "f")
      NodeFs.writeFileSync(file, "x")
      const direct = yield* Effect.flip(checkOutputFolder(file))
      assert.instanceOf(direct, UsageError)
      assert.strictEqual(direct.message, folderProblem(file, "ENOTDIR"))
      const below = yield* Effect.flip(checkOutputFolder(NodePath.join(file, "sub"), "--out"))
      assert.include(below.message, `${file} is a file, not a folder`)
    }).pipe(Effect.provide(NodeServices.layer))
  )
})
