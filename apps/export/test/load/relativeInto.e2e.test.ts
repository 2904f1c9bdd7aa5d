/**
 * A job file's relative `"into": "duckdb:FILE"` is a file of the folder spotpipe runs in, as `--out` is — not of the
 * job file's folder (which may be a read-only mount) — and the load's summary names the database by its full path,
 * so where it went is never a guess. A file in a folder that is not there is refused before any export.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCliInProcess } from "../support/inProcess.ts"
import { runCli } from "../support/runCli.ts"
import { sandboxEnv } from "../support/Sandboxes.ts"
import { withDuckDb } from "./support/loadHelpers.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-relative-into-"))
let sandbox: RunningSandbox

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 100, seed: 5 })
}, 60_000)

afterAll(async () => {
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

describe("a job file's relative duckdb: target", () => {
  it("is the current folder's file, as --out is, and the summary names its full path", async () => {
    const jobs = NodePath.join(root, "jobs")
    const work = NodePath.join(root, "work")
    NodeFs.mkdirSync(jobs)
    NodeFs.mkdirSync(work)
    const job = NodePath.join(jobs, "nightly.json")
    NodeFs.writeFileSync(
      job,
      JSON.stringify({ exports: [{ type: "answer", id: "Revenue by Month" }], load: { into: "duckdb:rel.duckdb" } })
    )
    const ran = await runCli(["run", job, "--out", "landing"], {
      cwd: work,
      env: sandboxEnv(sandbox),
      withDuckDb: true
    })
    expect(ran.stderr).toBe("")
    expect(ran.code).toBe(0)
    const database = NodePath.join(work, "rel.duckdb")
    expect(NodeFs.existsSync(NodePath.join(work, "landing", "manifest.json"))).toBe(true)
    expect(NodeFs.existsSync(database)).toBe(true)
    expect(NodeFs.existsSync(NodePath.join(jobs, "rel.duckdb"))).toBe(false)
    expect(ran.stdout).toContain(` into duckdb:${database} from run `)
    expect(await withDuckDb(database, (q) => q("SELECT count(*)::INTEGER FROM spotpipe_loads"))).toEqual([[1]])
  }, 60_000)

  it("in a folder that is not there is refused before any export", async () => {
    const job = NodePath.join(root, "nofolder.json")
    const missing = NodePath.join(root, "no-such-folder")
    NodeFs.writeFileSync(
      job,
      JSON.stringify({
        exports: [{ type: "answer", id: "Revenue by Month" }],
        load: { into: `duckdb:${NodePath.join(missing, "w.duckdb")}` }
      })
    )
    const out = NodePath.join(root, "nofolder-out")
    const ran = await runCliInProcess(["run", job, "--out", out], { env: sandboxEnv(sandbox) })
    expect(ran.code).toBe(2)
    expect(ran.stderr).toContain(
      `the folder ${missing} is not there, and a load creates the database file, not its folder`
    )
    expect(NodeFs.existsSync(NodePath.join(out, "manifest.json"))).toBe(false)
    expect(NodeFs.existsSync(missing)).toBe(false)
  }, 60_000)
})
