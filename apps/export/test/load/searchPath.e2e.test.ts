/**
 * Loads into PostgreSQL go to the connection's first schema (`current_schema()`), and only there: a table of the
 * same name in a later schema of the search path (`public`, behind `"$user"` or a `search_path` given in the URL)
 * is someone else's and is never dropped, replaced or added to. Against a real PostgreSQL server, where
 * `?options=-c search_path=…` is a setting of the load's own session.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { readRunManifest } from "../../src/load/RunManifest.ts"
import { sandboxEnv } from "../support/Sandboxes.ts"
import { cli, withPostgres } from "./support/loadHelpers.ts"
import { type RealPostgres, startRealPostgres } from "./support/RealPostgres.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-search-path-"))
const run = NodePath.join(root, "run")
let sandbox: RunningSandbox
let postgres: RealPostgres

beforeAll(async () => {
  postgres = startRealPostgres()
  sandbox = await startSandbox({ rows: 500, seed: 9 })
  const exported = await cli(["answer", "Revenue by Month", "--out", run, "--quiet"], sandboxEnv(sandbox))
  expect(exported.stderr).toBe("")
}, 120_000)

afterAll(async () => {
  await sandbox?.close()
  postgres?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

describe("a load into a search path whose first schema lacks the table a later one has", () => {
  it("creates the table in the first schema in every mode and leaves the other schema's table as it was", async () => {
    const { table, rows } = readRunManifest(run).outputs[0]!
    const query = (sql: string) => withPostgres(postgres.url, (q) => q(sql))
    await query("CREATE SCHEMA staging")
    await query(`CREATE TABLE public."${table}" (note text)`)
    await query(`INSERT INTO public."${table}" VALUES ('kept')`)
    const into = `${postgres.url}&options=-c%20search_path%3Dstaging,public`
    for (const flags of [[], ["--mode", "append"], []]) {
      const loaded = await cli(["load", run, "--into", into, "--quiet", ...flags], {})
      expect(loaded.stderr).toBe("")
      expect(loaded.code).toBe(0)
      expect(await query(`SELECT note FROM public."${table}"`)).toEqual([["kept"]])
    }
    expect(await query(`SELECT count(*)::int FROM staging."${table}"`)).toEqual([[rows]])
  }, 60_000)
})
