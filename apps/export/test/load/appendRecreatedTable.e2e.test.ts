/**
 * `--mode append` skips a file `spotpipe_loads` records as appended to its table only while the table still holds
 * the rows that append added: a table emptied, or dropped and made anew (from the DDL), since then gets the file
 * appended again, with a warning saying why, in DuckDB and in a real PostgreSQL.
 */
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { tableNames } from "../../src/load/Warehouse.ts"
import { sandboxEnv, testSandbox } from "../support/Sandboxes.ts"
import { tempFolders } from "../support/tempFolders.ts"
import { cli, manifestOf, withDuckDb, withPostgres } from "./support/loadHelpers.ts"
import { type RealPostgres, startRealPostgres } from "./support/RealPostgres.ts"

const tempDir = tempFolders("spotpipe-append-recreated-")
const sandbox = testSandbox({ rows: 100 })
let run: string
let table: string
let rows: number
let real: RealPostgres

beforeAll(async () => {
  run = NodePath.join(tempDir(), "rbm")
  const exported = await cli(["answer", "Revenue by Month", "--out", run], sandboxEnv(sandbox.sandbox))
  expect(exported.code, exported.stderr).toBe(0)
  const outputs = manifestOf(run).outputs
  table = tableNames(outputs.map((o) => o.file))[0]!
  rows = outputs[0]!.rows_written
  real = startRealPostgres()
}, 120_000)

afterAll(() => real?.close())

/** Appends the run thrice into `into`, changing the table with `change` after the first: count after each. */
const appended = async (into: string, query: (sql: string) => Promise<Array<Array<unknown>>>, change: string) => {
  const append = () => cli(["load", run, "--into", into, "--mode", "append"])
  const first = await append()
  expect(first.code, first.stderr).toBe(0)
  const count = async () => Number((await query(`SELECT count(*) FROM "${table}"`))[0]![0])
  expect(await count()).toBe(rows)
  await query(change)
  expect(await count()).toBe(0)
  const again = await append()
  expect(again.code, again.stderr).toBe(0)
  expect(again.stderr).toContain(`now holds 0 of the ${rows} rows that load added`)
  expect(again.stdout).toContain(`loaded 1 table, ${rows} rows`)
  expect(await count()).toBe(rows)
  // The table holds that append's rows again: the file is skipped, as before.
  const third = await append()
  expect(third.code, third.stderr).toBe(0)
  expect(third.stderr).toContain(": skipped")
  expect(await count()).toBe(rows)
}

describe("an append recorded into a table that no longer holds its rows", () => {
  it("DuckDB: the table emptied", async () => {
    const file = NodePath.join(tempDir(), "w.duckdb")
    // One session per step: the load opens the file itself in between.
    const query = (sql: string) => withDuckDb(file, (q) => q(sql))
    await appended(`duckdb:${file}`, query, `DELETE FROM "${table}"`)
  }, 120_000)

  it("PostgreSQL: the table dropped and made anew", async () => {
    const query = (sql: string) => withPostgres(real.url, (q) => q(sql))
    await appended(
      real.url,
      query,
      `CREATE TABLE spotpipe_like (LIKE "${table}"); DROP TABLE "${table}"; ALTER TABLE spotpipe_like RENAME TO "${table}"`
    )
  }, 120_000)
})
