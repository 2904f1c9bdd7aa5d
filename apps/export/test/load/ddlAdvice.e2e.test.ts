/**
 * What `--ddl` says to do about column names a dialect cannot take works when done, in the same folder: after a
 * command that wrote its files, the same command with `--column-names snake --force`; after a job, the job file's
 * `"columnNames": "snake"` and the run again with `--force`; after a dry run, which wrote nothing, no `--force`.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "vitest"
import { sandboxEnv, testSandbox, writeJob } from "../support/Sandboxes.ts"
import { tempFolders } from "../support/tempFolders.ts"
import { cli } from "./support/loadHelpers.ts"

const tempDir = tempFolders("spotpipe-ddl-advice-")
const sandbox = testSandbox({ rows: 200 })

describe("--ddl's advice about column names", () => {
  it("after a command: the same command with --column-names snake --force writes the DDL", async () => {
    const env = sandboxEnv(sandbox.sandbox)
    const out = NodePath.join(tempDir(), "dq")
    const command = ["liveboard", "Sales Overview", "--ddl", "bigquery", "--out", out]
    const dry = await cli([...command, "--dry-run"], env)
    expect(dry.code).toBe(1)
    expect(dry.stderr).toContain("run the same command again with --column-names snake: ")
    const refused = await cli(command, env)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('"Month(Order Date)" (the characters "(" ")")')
    expect(refused.stderr).toContain(
      "run the same command again with --column-names snake --force (which replaces the files just written)"
    )
    const again = await cli([...command, "--column-names", "snake", "--force", "--quiet"], env)
    expect(again.code, again.stderr).toBe(0)
    expect(NodeFs.existsSync(NodePath.join(out, "ddl", "bigquery.json"))).toBe(true)
  }, 60_000)

  it("after a job: the job file's columnNames snake and the run again with --force writes the DDL", async () => {
    const env = sandboxEnv(sandbox.sandbox)
    const dir = tempDir()
    const out = NodePath.join(dir, "out")
    const exports = [{ type: "answer", id: "Revenue by Month" }]
    const job = writeJob(dir, { exports })
    const refused = await cli(["run", job, "--out", out, "--ddl", "bigquery"], env)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(
      `set "columnNames": "snake" in the job file's "defaults" (or in these exports), then run it again with --force (which replaces the files just written)`
    )
    expect(refused.stderr).not.toContain("--column-names")
    writeJob(dir, { defaults: { columnNames: "snake" }, exports })
    const again = await cli(["run", job, "--out", out, "--ddl", "bigquery", "--force", "--quiet"], env)
    expect(again.code, again.stderr).toBe(0)
    expect(NodeFs.existsSync(NodePath.join(out, "ddl", "bigquery.json"))).toBe(true)
  }, 60_000)
})
