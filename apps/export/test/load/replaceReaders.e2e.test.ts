/**
 * What other PostgreSQL sessions see of a `replace` (a new table swapped in just before the commit), on a real
 * multi-backend server: a reader whose transaction took its snapshot before the replace committed (REPEATABLE READ,
 * SERIALIZABLE) and reads the table only after it sees the new rows, whole, never an empty table.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { craftRun } from "./support/CraftedRun.ts"
import { cli, withPostgres } from "./support/loadHelpers.ts"
import { type RealPostgres, startRealPostgres } from "./support/RealPostgres.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-replace-readers-"))
const columns = [
  { name: "id", type: "INT64" },
  { name: "name", type: "VARCHAR" }
]
/** A run of one table, `orders`, with `rows` rows named after `label`. */
const runOf = (label: string, rows: number) =>
  craftRun(NodePath.join(root, label), [
    { file: "orders.csv", columns, rows: Array.from({ length: rows }, (_, i) => [String(i), `${label} ${i}`]) }
  ])
const before = runOf("before", 2)
const after = runOf("after", 3)

let server: RealPostgres | undefined
beforeAll(() => {
  server = startRealPostgres()
}, 60_000)
afterAll(() => {
  server?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

/** A session of its own (an analyst's), ended with `end`. */
const session = async (url = server!.url) => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  return {
    query: async (sql: string) => (await client.query({ text: sql, rowMode: "array" })).rows as Array<Array<unknown>>,
    end: () => client.end()
  }
}

describe("a reader whose snapshot is older than a replace's commit", () => {
  it.each(["REPEATABLE READ", "SERIALIZABLE"])(
    "%s: reading the table after the swap sees the new rows, whole, not an empty table",
    async (isolation) => {
      await withPostgres(server!.url, (q) => q("DROP TABLE IF EXISTS orders, spotpipe_loads"))
      expect((await cli(["load", before, "--into", server!.url, "--quiet"])).code).toBe(0)
      const analyst = await session()
      try {
        await analyst.query(`BEGIN ISOLATION LEVEL ${isolation}`)
        // The snapshot is taken here: before the replace, without reading the table (whose lock the swap waits for).
        expect(await analyst.query("SELECT count(*) FROM spotpipe_loads")).toEqual([["1"]])
        const replaced = await cli(["load", after, "--into", server!.url, "--quiet"])
        expect(replaced.stderr).toBe("")
        expect(replaced.code).toBe(0)
        expect(await analyst.query("SELECT id, name FROM orders ORDER BY id")).toEqual([
          ["0", "after 0"],
          ["1", "after 1"],
          ["2", "after 2"]
        ])
        // The rest of what it reads is still its snapshot's.
        expect(await analyst.query("SELECT count(*) FROM spotpipe_loads")).toEqual([["1"]])
        await analyst.query("COMMIT")
      } finally {
        await analyst.end()
      }
    },
    60_000
  )
})
