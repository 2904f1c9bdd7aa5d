/**
 * `spotpipe run` whose every export failed: the error says so, and claims no "others" that were written. A job
 * with a `load` and a failed export says that its load was not run. The runs are in-process: the CLI's logic is
 * the subject.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "../support/inProcess.ts"
import { sandboxEnv } from "../support/Sandboxes.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-all-failed-"))
let sandbox: RunningSandbox
let env: Record<string, string>

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 100, seed: 3 })
  env = sandboxEnv(sandbox)
})

afterAll(async () => {
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

const run = async (name: string, ids: ReadonlyArray<string>, load?: { readonly into: string }) => {
  const job = NodePath.join(root, `${name}.json`)
  NodeFs.writeFileSync(
    job,
    JSON.stringify({ exports: ids.map((id) => ({ type: "answer", id })), ...(load === undefined ? {} : { load }) })
  )
  return runCliInProcess(["run", job, "--out", NodePath.join(root, name), "--quiet"], { env })
}

describe("spotpipe run with no export succeeding", () => {
  it("the-only-export-failing-is-told-as-such-without-others", async () => {
    const one = await run("one", ["No Such Answer"])
    expect(one.code).toBe(1)
    expect(one.stderr).toMatch(
      /the run's only export failed \(see .*, do what the failure says, then rerun with --resume, which keeps what was written\): /
    )
    expect(one.stderr).not.toMatch(/the others/)
    const two = await run("two", ["No Such Answer", "Nor This One"])
    expect(two.code).toBe(1)
    expect(two.stderr).toMatch(
      /all 2 exports failed \(see .*, do what each failure says, then rerun with --resume, which keeps what was written\): /
    )
    expect(two.stderr).not.toMatch(/the others/)
  }, 60_000)

  it("a-job-with-a-load-says-its-load-was-not-run-when-an-export-failed", async () => {
    // A nightly job with a `load`: one export fails, the others are written. The warehouse must not get half a
    // night, and the error line must say that nothing was loaded (not only that files were written).
    // The target is tried before the exports, so it is one that can be used: a DuckDB file, which a load that
    // were attempted would create with the table of the export that was written.
    const database = NodePath.join(root, "nightly.duckdb")
    const into = `duckdb:${database}`
    const half = await run("half", ["Revenue by Month", "No Such Answer"], { into })
    expect(half.code).toBe(1)
    expect(half.stderr).toMatch(/1 of 2 exports failed \(the others were written/)
    expect(half.stderr).toContain(`the job's load into ${into} was not run`)
    expect(NodeFs.existsSync(database)).toBe(false)
    const none = await run("none", ["No Such Answer"], { into })
    expect(none.code).toBe(1)
    expect(none.stderr).toContain(`the job's load into ${into} was not run`)
  }, 60_000)
})
