/**
 * What other PostgreSQL sessions see of a `replace` (a new table swapped in just before the commit), on a real
 * multi-backend server: a reader whose transaction took its snapshot before the replace committed (REPEATABLE READ,
 * SERIALIZABLE) and reads the table only after it sees the new rows, whole, never an empty table. And a load whose
 * role reads with REPEATABLE READ by default still takes turns with another load of the table: two appends of one
 * file at once add it once.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { mainPath, runNode } from "../support/runCli.ts"
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

describe("a role whose transactions are REPEATABLE READ by default", () => {
  it("two appends of one file at once add it once: the second reads what the first committed", async () => {
    await withPostgres(server!.url, (q) =>
      q(
        "DROP TABLE IF EXISTS orders, spotpipe_loads; DROP SCHEMA IF EXISTS loader CASCADE; DROP ROLE IF EXISTS loader; CREATE ROLE loader LOGIN; ALTER ROLE loader SET default_transaction_isolation = 'repeatable read'; CREATE SCHEMA loader AUTHORIZATION loader"
      )
    )
    const url = server!.url.replace("user=postgres", "user=loader")
    expect((await cli(["load", before, "--into", url, "--quiet"])).code).toBe(0)
    // Another load of the table holds its turn while both appends start and wait for it, their transactions begun.
    const turn = await session(url)
    try {
      await turn.query(
        "BEGIN; SELECT pg_advisory_xact_lock(hashtext('spotpipe load'), hashtext(current_schema() || '.orders'))"
      )
      const appends = [0, 1].map(() => runNode([mainPath, "load", before, "--into", url, "--mode", "append"]))
      // Asked from a session of its own: a transaction sees pg_stat_activity as it was when it first looked.
      await withPostgres(server!.url, async (q) => {
        for (;;) {
          const [[waiting]] = (await q(
            "SELECT count(*) FROM pg_stat_activity WHERE usename = 'loader' AND wait_event_type = 'Lock'"
          )) as [[string]]
          if (waiting === "2") return
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
      })
      await turn.query("COMMIT")
      const ended = await Promise.all(appends)
      for (const e of ended) expect(e.code, e.stderr).toBe(0)
      expect(
        ended.filter((e) => e.stderr.includes("orders.csv: already appended to orders by the load of"))
      ).toHaveLength(1)
    } finally {
      await turn.end()
    }
    await withPostgres(url, async (q) => {
      expect(await q("SELECT count(*) FROM orders")).toEqual([["4"]])
      expect(await q("SELECT mode FROM spotpipe_loads ORDER BY loaded_at")).toEqual([["replace"], ["append"]])
    })
  }, 60_000)
})
