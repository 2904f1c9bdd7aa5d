/** The test files' temp folders (support/tempFolders.ts) go once their tests are done, with what is in them. */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { describe, expect, it } from "vitest"
import { runFolderPrefix } from "../../../test/support/runTempFolder.ts"
import { tempFolders } from "./support/tempFolders.ts"

const made: Array<string> = []

describe("the folders of a describe", () => {
  const tempDir = tempFolders("spotpipe-temp-folders-")

  it("are-fresh-folders-in-the-run-s-temp-folder", () => {
    const [a, b] = [tempDir(), tempDir()]
    made.push(a!, b!)
    expect(a).not.toBe(b)
    // The temp folder is the run's own (test/support/runTempFolder.ts), not the OS's.
    expect(NodePath.basename(NodeOs.tmpdir()).startsWith(runFolderPrefix)).toBe(true)
    for (const dir of [a!, b!]) {
      expect(NodePath.dirname(dir)).toBe(NodeOs.tmpdir())
      expect(NodePath.basename(dir).startsWith("spotpipe-temp-folders-")).toBe(true)
      expect(NodeFs.readdirSync(dir)).toEqual([])
    }
    NodeFs.mkdirSync(NodePath.join(a!, "nested", "deeper"), { recursive: true })
    NodeFs.writeFileSync(NodePath.join(a!, "nested", "deeper", "file.csv"), "a\n1\n")
  })

  it("stay-until-the-describe-s-tests-are-done", () => {
    expect(made.length).toBe(2)
    for (const dir of made) expect(NodeFs.existsSync(dir)).toBe(true)
  })
})

describe("after them", () => {
  it("are-gone-with-their-contents", () => {
    expect(made.length).toBe(2)
    for (const dir of made) expect(NodeFs.existsSync(dir)).toBe(false)
  })
})
