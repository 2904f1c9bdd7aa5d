/**
 * A job's load target that the load could not use is said before any export, by the dry run and by the run in the
 * same words, and the run exports nothing: a PostgreSQL server that asks for a password none was given for, one
 * that refuses the connection, a user who may not create the tables a replace makes, a DuckDB path that is a
 * folder. A target that can be used still loads (the check signs in and closes at once).
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { sandboxEnv, testSandbox, writeJob } from "../support/Sandboxes.ts"
import { tempFolders } from "../support/tempFolders.ts"
import { cli, withPostgres } from "./support/loadHelpers.ts"
import { type PasswordFront, startPasswordFront } from "./support/PasswordFront.ts"
import { type PgliteServer, startPgliteServer } from "./support/PgliteServer.ts"
import { startRealPostgres } from "./support/RealPostgres.ts"

const tempDir = tempFolders("spotpipe-load-target-first-")
const sandbox = testSandbox({ rows: 200 })
const secret = "s3cret-of-the-loader"
let server: PgliteServer
let front: PasswordFront

beforeAll(async () => {
  server = await startPgliteServer()
  front = await startPasswordFront(server.port, secret)
}, 60_000)

afterAll(async () => {
  await front?.close()
  await server?.close()
})

/** The dry run and the run of a job loading into `into`: both refused alike, and nothing exported. */
const refusedBeforeExport = async (into: string, env: Record<string, string> = {}) => {
  const dir = tempDir()
  const job = writeJob(dir, { exports: [{ type: "answer", id: "Revenue by Month" }], load: { into } })
  const out = NodePath.join(dir, "out")
  const all = { ...sandboxEnv(sandbox.sandbox), ...env }
  const dry = await cli(["run", job, "--out", out, "--dry-run"], all)
  const ran = await cli(["run", job, "--out", out], all)
  expect(dry.code, dry.stderr).toBe(1)
  expect(ran.code, ran.stderr).toBe(1)
  // The same words, and no export ran: no file, no manifest, no data request.
  expect(ran.stderr).toBe(dry.stderr)
  expect(NodeFs.existsSync(out) ? NodeFs.readdirSync(out) : []).toEqual([])
  return ran.stderr
}

describe("a job's load target is checked before any export", () => {
  it("a server that asks for a password none was given for", async () => {
    const data = sandbox.requests("metadata/answer/data")
    const stderr = await refusedBeforeExport(front.url)
    expect(sandbox.requests("metadata/answer/data")).toBe(data)
    expect(stderr).toContain(`the job's "load" cannot load into ${front.url}, so nothing was exported:`)
    expect(stderr).toContain("the server asks for a password and none was given: set PGPASSWORD")
  }, 60_000)

  it("a server that refuses the connection", async () => {
    const stderr = await refusedBeforeExport("postgresql://u@127.0.0.1:1/db")
    expect(stderr).toContain("cannot connect to PostgreSQL at postgresql://u@127.0.0.1:1/db")
    expect(stderr).toContain("ECONNREFUSED")
  }, 60_000)

  it("a user who may not create the tables a replace makes", async () => {
    // PGlite has one backend for every user: a real server tells its users apart.
    const real = startRealPostgres()
    try {
      await withPostgres(real.url, (q) => q("CREATE ROLE viewer LOGIN"))
      const stderr = await refusedBeforeExport(real.url.replace("user=postgres", "user=viewer"))
      expect(stderr).toContain("the user viewer may not create tables in schema public, which a replace does")
      expect(stderr).toContain("GRANT USAGE, CREATE ON SCHEMA public TO viewer")
    } finally {
      real.close()
    }
  }, 60_000)

  it("a DuckDB path that is a folder", async () => {
    const folder = tempDir()
    const stderr = await refusedBeforeExport(`duckdb:${folder}`)
    expect(stderr).toContain(`${folder} is a folder, not a DuckDB database file`)
  }, 60_000)

  it("a target that can be used loads as before, the password never shown", async () => {
    const dir = tempDir()
    const job = writeJob(dir, { exports: [{ type: "answer", id: "Revenue by Month" }], load: { into: front.url } })
    const ran = await cli(["run", job, "--out", NodePath.join(dir, "out"), "--quiet"], {
      ...sandboxEnv(sandbox.sandbox),
      PGPASSWORD: secret
    })
    expect(ran.code, ran.stderr).toBe(0)
    expect(`${ran.stdout}${ran.stderr}`).not.toContain(secret)
  }, 60_000)
})
