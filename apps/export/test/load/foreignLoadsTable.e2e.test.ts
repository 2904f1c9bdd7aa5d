/**
 * A `spotpipe_loads` that spotpipe did not create — a table without the record's columns, or a view — is refused
 * before anything changes (no column added to it, no table loaded), saying to rename it or load elsewhere, in
 * DuckDB and in a real PostgreSQL.
 */
import * as NodePath from "node:path"
import { describe, expect, it } from "vitest"
import { tempFolders } from "../support/tempFolders.ts"
import { cli, withDuckDb, withPostgres } from "./support/loadHelpers.ts"
import { realPostgresAndRun } from "./support/RealPostgres.ts"

const server = realPostgresAndRun("spotpipe-foreign-loads-", 13)
const tempDir = tempFolders("spotpipe-foreign-loads-duckdb-")

/** Loads the run into `into` (whose `spotpipe_loads` is not spotpipe's) and returns stderr after the checks. */
const refused = async (into: string) => {
  const loaded = await cli(["load", server.run, "--into", into])
  expect(loaded.code, loaded.stderr).toBe(1)
  expect(loaded.stderr).toContain("rename it, or load into another")
  expect(loaded.stderr).toContain("nothing was loaded")
  return loaded.stderr
}

describe("a spotpipe_loads spotpipe did not create", () => {
  it("PostgreSQL: a table of other columns is left as it was, and a view is refused", async () => {
    const query = (sql: string) => withPostgres(server.url, (q) => q(sql))
    await query("CREATE TABLE spotpipe_loads (id integer, note text)")
    expect(await refused(server.url)).toContain(
      "the table spotpipe_loads in the target is not spotpipe's record of loads (it has no column manifest_sha256, run_id, file, table_name, mode, rows, loaded_at, spotpipe)"
    )
    expect(
      await query(
        "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'spotpipe_loads'"
      )
    ).toEqual([["id,note"]])
    expect(await query("SELECT count(*)::int FROM pg_tables WHERE schemaname = 'public'")).toEqual([[1]])
    await query("DROP TABLE spotpipe_loads; CREATE VIEW spotpipe_loads AS SELECT 1 AS one")
    expect(await refused(server.url)).toContain("spotpipe_loads in the target is a view")
  }, 60_000)

  it("DuckDB: a table of other columns is left as it was", async () => {
    const file = NodePath.join(tempDir(), "w.duckdb")
    await withDuckDb(file, (q) => q("CREATE TABLE spotpipe_loads (id INTEGER, note VARCHAR)"))
    expect(await refused(`duckdb:${file}`)).toContain("load into another database file")
    expect(
      await withDuckDb(file, (q) =>
        q("SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns")
      )
    ).toEqual([["id,note"]])
  }, 60_000)
})
