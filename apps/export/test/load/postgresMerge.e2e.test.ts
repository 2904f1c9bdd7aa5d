/**
 * A merge into a real PostgreSQL server by a key of two columns, nulls included: the rows are those IS NOT DISTINCT
 * FROM semantics give (a null key value matches a null), and the server deletes the replaced rows with a hash or
 * merge join, never a nested loop over the whole table (which never finishes on tables of a few hundred thousand
 * rows). The plans are read from the server's log, which auto_explain writes for every statement.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { craftRun } from "./support/CraftedRun.ts"
import { cli, withPostgres } from "./support/loadHelpers.ts"
import { type RealPostgres, startRealPostgres } from "./support/RealPostgres.ts"

const columns = [
  { name: "Id", type: "VARCHAR" },
  { name: "Part", type: "INT64" },
  { name: "Amount", type: "VARCHAR" }
]

/** Row `i`'s key: both columns, or one of them null, or (row 3 alone) both. */
const keyOf = (i: number): [string | null, string | null] =>
  i === 3 ? [null, null] : i % 5 === 1 ? [null, String(i)] : i % 5 === 2 ? [`id${i}`, null] : [`id${i}`, String(i)]

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, n) => from + n)

describe("a PostgreSQL merge by a key with nulls", () => {
  let postgres: RealPostgres
  const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-pg-merge-"))
  beforeAll(async () => {
    postgres = startRealPostgres()
    await withPostgres(postgres.url, async (query) => {
      // Loaded here too: ALTER SYSTEM knows auto_explain's settings only once it is.
      await query("LOAD 'auto_explain'")
      await query("ALTER SYSTEM SET session_preload_libraries = 'auto_explain'")
      await query("ALTER SYSTEM SET auto_explain.log_min_duration = 0")
      await query("SELECT pg_reload_conf()")
    })
  }, 60_000)
  afterAll(() => {
    postgres?.close()
    NodeFs.rmSync(root, { recursive: true, force: true })
  })

  it("replaces the rows whose key matches, null for null, with a join the server hashes or merges", async () => {
    const base = range(0, 20_000)
    const merged = [3, ...range(16_000, 21_000)]
    const first = craftRun(NodePath.join(root, "first"), [
      { file: "sales.csv", columns, rows: base.map((i) => [...keyOf(i), `a${i}`]) }
    ])
    const second = craftRun(NodePath.join(root, "second"), [
      { file: "sales.csv", columns, rows: merged.map((i) => [...keyOf(i), `b${i}`]) }
    ])
    const loaded = await cli(["load", first, "--into", postgres.url, "--quiet"])
    expect(loaded.stderr).toBe("")
    const merging = await cli(["load", second, "--into", postgres.url, "--mode", "merge", "--key", "Id,Part"])
    expect(merging.stderr).toBe("")
    expect(merging.code).toBe(0)

    const wanted = new Map(base.map((i) => [JSON.stringify(keyOf(i)), `a${i}`]))
    for (const i of merged) wanted.set(JSON.stringify(keyOf(i)), `b${i}`)
    const rows = await withPostgres(postgres.url, (query) => query(`SELECT "Id", "Part"::text, "Amount" FROM "sales"`))
    const have = new Map(rows.map((r) => [JSON.stringify([r[0], r[1]]), r[2]]))
    expect(rows.length).toBe(wanted.size)
    expect([...have].sort()).toEqual([...wanted].sort())

    // Each DELETE that compares a key value is a hash or merge join; only the one of the key null in every column
    // (one staged row at most, as a repeated key is refused) has nothing to join on.
    const plans = NodeFs.readFileSync(postgres.log, "utf8")
      .split(/\n(?=\S)/)
      .filter((entry) => /Query Text: DELETE FROM/.test(entry))
    expect(plans.length).toBe(4)
    const joining = plans.filter((p) => /Query Text: DELETE FROM.* = /.test(p))
    expect(joining.length).toBe(3)
    for (const plan of joining) {
      expect(plan).toMatch(/Hash Join|Merge Join/)
      expect(plan).not.toMatch(/Nested Loop/)
    }
  }, 120_000)
})
