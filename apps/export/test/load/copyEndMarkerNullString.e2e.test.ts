/**
 * `\.` alone on a line ends PostgreSQL's COPY, so a run whose null string is `\.` could never be loaded there (a
 * one-column row's null ended the data): it is refused as a null string, on the command line and in a job file,
 * before anything is exported.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "vitest"
import { sandboxEnv, testSandbox, writeJob } from "../support/Sandboxes.ts"
import { tempFolders } from "../support/tempFolders.ts"
import { cli } from "./support/loadHelpers.ts"

const tempDir = tempFolders("spotpipe-copy-end-null-")
const sandbox = testSandbox({ rows: 50 })
const why = "a null string must not be \\. (PostgreSQL's COPY reads \\. alone on a line as the end of the data"

describe("the null string \\.", () => {
  it("is refused by --null-string, nothing exported", async () => {
    const out = NodePath.join(tempDir(), "rbm")
    const ran = await cli(
      ["answer", "Revenue by Month", "--null-string", "\\.", "--out", out],
      sandboxEnv(sandbox.sandbox)
    )
    expect(ran.code, ran.stderr).toBe(2)
    expect(ran.stderr).toContain(why)
    expect(NodeFs.existsSync(out)).toBe(false)
  }, 60_000)

  it("is refused in a job file, nothing exported", async () => {
    const dir = tempDir()
    const job = writeJob(dir, { exports: [{ type: "answer", id: "Revenue by Month", nullString: "\\." }] })
    const out = NodePath.join(dir, "out")
    const ran = await cli(["run", job, "--out", out], sandboxEnv(sandbox.sandbox))
    expect(ran.code, ran.stderr).toBe(2)
    expect(ran.stderr).toContain(why)
    expect(NodeFs.existsSync(out)).toBe(false)
  }, 60_000)
})
