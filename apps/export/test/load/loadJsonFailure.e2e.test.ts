/**
 * `spotpipe load --json` reports on stdout how the load went, also when it fails: one object with
 * `"load":{"status":"failed","error"}` (the words of the error line on stderr) and exit 1, as a job's load is
 * reported in `run --json`; a load that succeeds says `"status":"succeeded"` beside its tables.
 */
import * as NodePath from "node:path"
import { describe, expect, it } from "vitest"
import { sandboxEnv, testSandbox } from "../support/Sandboxes.ts"
import { tempFolders } from "../support/tempFolders.ts"
import { cli } from "./support/loadHelpers.ts"

const tempDir = tempFolders("spotpipe-load-json-failure-")
const sandbox = testSandbox({ rows: 200 })

describe("load --json", () => {
  it("a failed load prints its report with the error and exits 1", async () => {
    const dir = tempDir()
    const run = NodePath.join(dir, "run")
    const exported = await cli(["answer", "Revenue by Month", "--out", run, "--quiet"], sandboxEnv(sandbox.sandbox))
    expect(exported.code, exported.stderr).toBe(0)
    const into = `duckdb:${NodePath.join(dir, "w.duckdb")}`
    const failed = await cli(["load", run, "--into", into, "--mode", "merge", "--key", "Bogus", "--json"])
    expect(failed.code).toBe(1)
    expect(failed.stdout.trimEnd().split("\n")).toHaveLength(1)
    const report = JSON.parse(failed.stdout)
    expect(Object.keys(report.load)).toEqual(["status", "error"])
    expect(report.load.status).toBe("failed")
    expect(report.load.error).toContain('has no key column "Bogus"')
    expect(failed.stderr).toContain(report.load.error.split("\n")[0])

    const loaded = await cli(["load", run, "--into", into, "--json"])
    expect(loaded.code, loaded.stderr).toBe(0)
    expect(JSON.parse(loaded.stdout).load.status).toBe("succeeded")
  }, 60_000)
})
