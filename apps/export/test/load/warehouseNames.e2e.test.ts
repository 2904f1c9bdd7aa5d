/**
 * Warehouse names across runs, exported from a sandbox and loaded into one DuckDB file one run after the other: a
 * table or column name belongs to one name in every run, so a later run never takes an earlier one's table, and an
 * append never puts one column's values into another's; a list column written two ways (CSV `a;b`, NDJSON JSON
 * arrays) is refused as a type change, in DuckDB and PostgreSQL; a merge key that is not the file's column name
 * says which one it may be.
 * Names with no ASCII letters come from a renaming proxy in front of the sandbox (its columns are English).
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { nameHash } from "../../src/plan/Names.ts"
import { type RenamingProxy, startRenamingProxy } from "../support/RenamingProxy.ts"
import { sandboxEnv } from "../support/Sandboxes.ts"
import { tempFolders } from "../support/tempFolders.ts"
import { cli, manifestOf, withDuckDb, withPostgres } from "./support/loadHelpers.ts"
import { type RealPostgres, startRealPostgres } from "./support/RealPostgres.ts"

const folder = tempFolders("spotpipe-load-names-")
let sandbox: RunningSandbox
let proxy: RenamingProxy
let env: Record<string, string>
let renamedEnv: Record<string, string>
type Query = (sql: string) => Promise<Array<Array<unknown>>>

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 2_000, seed: fixtures.golden.seed, timezone: "UTC" })
  env = sandboxEnv(sandbox)
  // Two text columns of one type, shown with names that have no ASCII letter.
  proxy = await startRenamingProxy(sandbox.url, [
    ["Product", "製品"],
    ["Customer", "顧客"]
  ])
  renamedEnv = sandboxEnv(proxy)
}, 60_000)

afterAll(async () => {
  await proxy?.close()
  await sandbox?.close()
})

const exported = async (args: ReadonlyArray<string>, environment: Record<string, string> = env) => {
  const dir = folder()
  const run = await cli([...args, "--out", dir, "--quiet"], environment)
  expect(run.code, run.stderr).toBe(0)
  return dir
}

describe("runs loaded one after the other into one database", () => {
  it("keep a table each for results whose names differ only in letters with no ASCII base", async () => {
    const revenue = await exported(["answer", "Revenue by Month", "--output-name", "answer-収益"])
    const shipments = await exported(["answer", "Weekly Shipments", "--output-name", "answer-出荷"])
    const database = NodePath.join(folder(), "w.duckdb")
    for (const run of [revenue, shipments]) {
      const loaded = await cli(["load", run, "--into", `duckdb:${database}`, "--quiet"])
      expect(loaded.code, loaded.stderr).toBe(0)
    }
    const rowsOf = (dir: string) => manifestOf(dir).outputs[0]!.rows_written
    await withDuckDb(database, async (q) => {
      const tables = await q(
        "SELECT table_name FROM information_schema.tables WHERE table_name <> 'spotpipe_loads' ORDER BY 1"
      )
      const names = [`answer_${nameHash("answer-収益")}`, `answer_${nameHash("answer-出荷")}`]
      expect(tables.map((r) => r[0])).toEqual([...names].sort())
      expect(await q(`SELECT count(*)::INTEGER FROM "${names[0]}"`)).toEqual([[rowsOf(revenue)]])
      expect(await q(`SELECT count(*)::INTEGER FROM "${names[1]}"`)).toEqual([[rowsOf(shipments)]])
    })
  }, 120_000)

  it("refuse a file whose name gives the table of another file's rows, in every mode", async () => {
    // "West Revenue" and "West-Revenue" are one table name; each run has one of them, so no run could tell them apart.
    const first = await exported(["answer", "Revenue by Month", "--output-name", "West Revenue"])
    const second = await exported(["answer", "Weekly Shipments", "--output-name", "West-Revenue"])
    const database = NodePath.join(folder(), "w.duckdb")
    const loaded = await cli(["load", first, "--into", `duckdb:${database}`, "--quiet"])
    expect(loaded.code, loaded.stderr).toBe(0)
    for (const mode of ["replace", "append"]) {
      const refused = await cli(["load", second, "--into", `duckdb:${database}`, "--mode", mode, "--quiet"])
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain(
        "West-Revenue.csv loads into table west_revenue, which holds the rows of West Revenue.csv, another file whose name gives the same table name"
      )
    }
    // The same file again still loads into it.
    const again = await cli(["load", first, "--into", `duckdb:${database}`, "--quiet"])
    expect(again.code, again.stderr).toBe(0)
    await withDuckDb(database, async (q) => {
      expect(await q("SELECT count(*)::INTEGER FROM west_revenue")).toEqual([
        [manifestOf(first).outputs[0]!.rows_written]
      ])
    })
  }, 120_000)

  it("append snake-named columns by their own names whatever their order in each run", async () => {
    const query = (order: string) => ["search", "--table", "Orders", "--query", `[Region] ${order}`]
    const snake = ["--column-names", "snake", "--output-name", "orders"]
    const forward = await exported([...query("[製品] [顧客]"), ...snake], renamedEnv)
    const reversed = await exported([...query("[顧客] [製品]"), ...snake], renamedEnv)
    const product = `column_${nameHash("製品")}`
    const customer = `column_${nameHash("顧客")}`
    expect(manifestOf(forward).outputs[0]!.columns.map((c) => c.name)).toEqual(["region", product, customer])
    expect(manifestOf(reversed).outputs[0]!.columns.map((c) => c.name)).toEqual(["region", customer, product])
    const database = NodePath.join(folder(), "w.duckdb")
    const first = await cli(["load", forward, "--into", `duckdb:${database}`, "--quiet"])
    expect(first.code, first.stderr).toBe(0)
    const second = await cli(["load", reversed, "--into", `duckdb:${database}`, "--mode", "append", "--quiet"])
    expect(second.code, second.stderr).toBe(0)
    await withDuckDb(database, async (q) => {
      // Both runs hold the same rows: every row is in the table twice (a swapped product and customer would make
      // each row of the second run a row of its own).
      const rows = Number((await q(`SELECT count(*) FROM orders`))[0]![0])
      expect(rows).toBe(2 * manifestOf(forward).outputs[0]!.rows_written)
      const once = await q(
        `SELECT count(*)::INTEGER FROM (SELECT region, "${product}", "${customer}", count(*) AS n FROM orders GROUP BY ALL) WHERE n <> 2`
      )
      expect(once).toEqual([[0]])
    })
  }, 120_000)
})

describe("a list column written two ways", () => {
  let postgres: RealPostgres
  beforeAll(() => {
    postgres = startRealPostgres()
  }, 60_000)
  afterAll(() => postgres?.close())

  /** Each engine: a fresh target and a query on it. */
  const targets = {
    duckdb: async () => {
      const file = NodePath.join(folder(), "w.duckdb")
      return { into: `duckdb:${file}`, open: <A>(use: (q: Query) => Promise<A>) => withDuckDb(file, use) }
    },
    postgres: async () => {
      // A schema of its own per test, so that tests never see each other's tables.
      const schema = `t${Math.random().toString(36).slice(2, 10)}`
      await withPostgres(postgres.url, (q) => q(`CREATE SCHEMA ${schema}`))
      const url = `${postgres.url}&options=-c%20search_path%3D${schema}`
      return { into: url, open: <A>(use: (q: Query) => Promise<A>) => withPostgres(url, use) }
    }
  }

  it.each([
    ["csv", "ndjson", "duckdb"],
    ["ndjson", "csv", "duckdb"],
    ["csv", "ndjson", "postgres"],
    ["ndjson", "csv", "postgres"]
  ] as const)(
    "metadata tags from %s, then from %s into one %s table, are refused",
    async (firstFormat, thenFormat, engine) => {
      const first = await exported(["metadata", "--type", "ANSWER", "--format", firstFormat])
      const then = await exported(["metadata", "--type", "ANSWER", "--format", thenFormat])
      const target = await targets[engine]()
      const loaded = await cli(["load", first, "--into", target.into, "--quiet"])
      expect(loaded.code, loaded.stderr).toBe(0)
      const csvTags = "VARCHAR (a list as CSV writes it: a;b)"
      const ndjsonTags = "lists as JSON arrays (VARCHAR[], as NDJSON writes them)"
      const [inTable, inFile] = firstFormat === "csv" ? [csvTags, ndjsonTags] : [ndjsonTags, csvTags]
      for (const mode of [
        ["--mode", "append"],
        ["--mode", "merge", "--key", "id"]
      ]) {
        const refused = await cli(["load", then, "--into", target.into, ...mode])
        expect(refused.code).toBe(1)
        expect(refused.stderr).toContain("nothing was loaded")
        expect(refused.stderr).toContain(
          `metadata.${thenFormat} cannot be added to table metadata: "tags" holds ${inTable} in the table and ${inFile} in the file, and one column never mixes two ways of writing a list`
        )
      }
      // Lists written the table's way are added.
      const same = await exported(["metadata", "--type", "ANSWER", "--format", firstFormat])
      const appended = await cli(["load", same, "--into", target.into, "--mode", "append", "--quiet"])
      expect(appended.code, appended.stderr).toBe(0)
      await target.open(async (q) => {
        const tags = await q(`SELECT DISTINCT tags FROM metadata WHERE name = 'Revenue by Month'`)
        expect(tags).toEqual([[firstFormat === "csv" ? "Finance;Certified" : '["Finance","Certified"]']])
      })
    },
    120_000
  )
})

describe("a merge key that is not a column of the file", () => {
  it("names the column it may be and lists the file's columns", async () => {
    const snake = await exported(["answer", "Revenue by Month", "--column-names", "snake"])
    const database = NodePath.join(folder(), "w.duckdb")
    const renamed = await cli([
      "load",
      snake,
      "--into",
      `duckdb:${database}`,
      "--mode",
      "merge",
      "--key",
      "Month(Order Date)"
    ])
    expect(renamed.code).toBe(1)
    expect(renamed.stderr).toContain(
      `answer-Revenue by Month.csv has no key column "Month(Order Date)" (the result's column "Month(Order Date)" is "month_order_date" in the file, exported with --column-names snake: --key month_order_date): its columns are "month_order_date", "total_revenue"`
    )
    const plain = await exported(["search", "--table", "Orders", "--query", "[Product] [Revenue]"])
    const cased = await cli(["load", plain, "--into", `duckdb:${database}`, "--mode", "merge", "--key", "product"])
    expect(cased.code).toBe(1)
    expect(cased.stderr).toContain(
      `search-Orders.csv has no key column "product" (did you mean "Product"?): its columns are "Product", "Total Revenue" (a key is a column's name exactly as the file has it)`
    )
    expect(NodeFs.existsSync(database)).toBe(false)
  }, 120_000)
})
