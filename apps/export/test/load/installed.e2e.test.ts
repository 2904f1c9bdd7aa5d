/**
 * `spotpipe load` as installed: the test run's build of the package (bundle and launcher, in a folder of its own,
 * see support/builtCli.ts). PostgreSQL loads are inside the bundle and work; DuckDB is native and left outside, so
 * there a DuckDB load and `--format parquet` (DuckDB writes Parquet) say what to install instead of a
 * module-resolution stack.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli } from "../support/runCli.ts"
import { type PgliteServer, startPgliteServer } from "./support/PgliteServer.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-load-installed-"))
const run = NodePath.join(root, "run")
let sandbox: RunningSandbox
let server: PgliteServer

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 1_000, seed: 2 })
  server = await startPgliteServer()
  const env = {
    THOUGHTSPOT_HOST: sandbox.url,
    THOUGHTSPOT_USERNAME: fixtures.user.username,
    THOUGHTSPOT_PASSWORD: fixtures.user.password
  }
  const csv = await runCli(["answer", "Order Details", "--out", run, "--quiet"], { env })
  expect(csv.code, csv.stderr).toBe(0)
}, 60_000)

afterAll(async () => {
  await server?.close()
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

describe("the installed spotpipe load", () => {
  it("loads into PostgreSQL", async () => {
    const loaded = await runCli(["load", run, "--into", server.url])
    expect(loaded.stderr).toBe("")
    expect(loaded.code).toBe(0)
    expect(loaded.stdout).toContain("answer_order_details")
    const rows = await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM "answer_order_details"')
    const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(run, "manifest.json"), "utf8"))
    expect(rows.rows[0]!.n).toBe(manifest.outputs[0].rows_written)
  }, 60_000)

  it("says what to install for DuckDB", async () => {
    const refused = await runCli(["load", run, "--into", `duckdb:${NodePath.join(root, "w.duckdb")}`])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("needs the @duckdb/node-api package")
    expect(refused.stderr).toContain("npm install -g @duckdb/node-api@1.5.6-r.1")
    expect(refused.stderr.split("\n").filter((l) => l !== "").length).toBe(1)
  }, 60_000)

  it("refuses --format parquet, which DuckDB writes, before reading any data, and says what to install", async () => {
    const out = NodePath.join(root, "parquet")
    const env = {
      THOUGHTSPOT_HOST: sandbox.url,
      THOUGHTSPOT_USERNAME: fixtures.user.username,
      THOUGHTSPOT_PASSWORD: fixtures.user.password
    }
    const before = sandbox.stats().pagesRendered
    const refused = await runCli(["answer", "Order Details", "--format", "parquet", "--out", out], { env })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("--format parquet (written by DuckDB) needs the @duckdb/node-api package")
    expect(refused.stderr).toContain("npm install -g @duckdb/node-api@1.5.6-r.1")
    expect(NodeFs.existsSync(out)).toBe(false)
    // Refused after the plan (the answer looked up), before any data page.
    expect(sandbox.stats().pagesRendered).toBe(before)
  }, 60_000)
})
