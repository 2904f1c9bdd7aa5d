import { describe, expect, it } from "vitest"
import { readRunManifest } from "../../src/load/RunManifest.ts"
import { cli, withPostgres } from "./support/loadHelpers.ts"
import { realPostgresAndRun } from "./support/RealPostgres.ts"

const server = realPostgresAndRun("spotpipe-search-path-", 9)
const run = server.run

describe("a load into a search path whose first schema lacks the table a later one has", () => {
  it("creates the table in the first schema in every mode and leaves the other schema's table as it was", async () => {
    const { table, rows } = readRunManifest(run).outputs[0]!
    const query = (sql: string) => withPostgres(server.url, (q) => q(sql))
    await query("CREATE SCHEMA staging")
    await query(`CREATE TABLE public."${table}" (note text)`)
    await query(`INSERT INTO public."${table}" VALUES ('kept')`)
    const into = `${server.url}&options=-c%20search_path%3Dstaging,public`
    for (const flags of [[], ["--mode", "append"], []]) {
      const loaded = await cli(["load", run, "--into", into, "--quiet", ...flags], {})
      expect(loaded.stderr).toBe("")
      expect(loaded.code).toBe(0)
      expect(await query(`SELECT note FROM public."${table}"`)).toEqual([["kept"]])
    }
    expect(await query(`SELECT count(*)::int FROM staging."${table}"`)).toEqual([[rows]])
  }, 60_000)
})
