/**
 * `spotpipe load --evolve`: an append or merge into a table whose columns differ from the file's, into DuckDB
 * (@duckdb/node-api) and a real PostgreSQL server (support/RealPostgres.ts), through the CLI, on runs of the same
 * search exported from the sandbox with other `--query` columns. Without the flag such a load is refused, naming
 * it; with it the file's new columns are added, the table's others are NULL in the new rows, column order does not
 * matter, and both are reported and recorded. A changed type and a merge key the table lacks are refused even so,
 * and a load that fails after adding columns leaves the table as it was.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { Cause, Exit } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { parseJobFile } from "../../src/plan/JobFile.ts"
import { sandboxEnv } from "../support/Sandboxes.ts"
import { cli, csvRows, manifestOf, rowSet, tableRows, withDuckDb, withPostgres } from "./support/loadHelpers.ts"
import { type RealPostgres, startRealPostgres } from "./support/RealPostgres.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-evolve-"))
/** `[Region] [Revenue]` of Orders, one row per region: the columns Region, Total Revenue. */
const narrow = NodePath.join(root, "narrow")
/** `[Quantity] [Region]`: Total Quantity new, Total Revenue gone, the columns in another order. */
const wider = NodePath.join(root, "wider")
/** The narrow query in the other order: another file (its rows appended again), of the narrow columns. */
const reversed = NodePath.join(root, "reversed")
const table = "orders"
let sandbox: RunningSandbox
let postgres: RealPostgres

beforeAll(async () => {
  postgres = startRealPostgres()
  sandbox = await startSandbox({ rows: 500, seed: 11 })
  for (const [dir, query] of [
    [narrow, "[Region] [Revenue] sort by [Region]"],
    [wider, "[Quantity] [Region] sort by [Region]"],
    [reversed, "[Region] [Revenue] sort by [Region] descending"]
  ] as const) {
    const exported = await cli(
      ["search", "--table", "Orders", "--query", query, "--output-name", table, "--out", dir, "--quiet"],
      sandboxEnv(sandbox)
    )
    expect(exported.stderr).toBe("")
    expect(exported.code).toBe(0)
  }
}, 120_000)

afterAll(async () => {
  await sandbox?.close()
  postgres?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

type Query = (sql: string) => Promise<Array<Array<unknown>>>
const outputOf = (dir: string) => manifestOf(dir).outputs[0]!
const fileRows = (dir: string) => csvRows(NodePath.join(dir, outputOf(dir).file))

let targets = 0
/** A fresh target per test: a DuckDB file, or a PostgreSQL schema first on the search path. */
const engines = [
  {
    name: "duckdb" as const,
    target: () => {
      const file = NodePath.join(root, `t${++targets}.duckdb`)
      return { into: `duckdb:${file}`, open: <A>(use: (q: Query) => Promise<A>) => withDuckDb(file, use) }
    }
  },
  {
    name: "postgres" as const,
    target: () => {
      const schema = `t${++targets}`
      const into = `${postgres.url}&options=-c%20search_path%3D${schema}`
      return {
        into,
        open: async <A>(use: (q: Query) => Promise<A>) => {
          await withPostgres(postgres.url, (q) => q(`CREATE SCHEMA IF NOT EXISTS ${schema}`))
          return withPostgres(into, use)
        }
      }
    }
  }
]

describe.each(engines)("into $name, a table whose columns differ from the file's", (engine) => {
  const load = (into: string, dir: string, ...flags: Array<string>) => cli(["load", dir, "--into", into, ...flags], {})
  const columnsOf = (q: Query) =>
    q(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '${table}' ORDER BY ordinal_position`
    ).then((rows) => rows.map((r) => `${r[0]} ${String(r[1]).toLowerCase()}`))
  const count = (q: Query, from = table) => q(`SELECT count(*) FROM "${from}"`).then((r) => Number(r[0]![0]))
  const sql =
    engine.name === "duckdb" ? { bigint: "bigint", double: "double" } : { bigint: "bigint", double: "double precision" }

  it("is refused by append without --evolve, the message naming it, and left as it was", async () => {
    const target = engine.target()
    await target.open(async () => {})
    expect((await load(target.into, narrow, "--mode", "append", "--quiet")).code).toBe(0)
    const refused = await load(target.into, wider, "--mode", "append")
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`nothing was loaded:\n  table ${table} exists with other columns`)
    expect(refused.stderr).toContain(
      `or with --evolve to add "Total Quantity" to the table and leave its "Total Revenue" NULL in the new rows`
    )
    await target.open(async (q) => {
      expect(await columnsOf(q)).toEqual(
        ["Region varchar", `Total Revenue ${sql.double}`].map((c) =>
          engine.name === "postgres" ? c.replace("varchar", "text") : c
        )
      )
      expect(await count(q)).toBe(outputOf(narrow).rows_written)
    })
  }, 60_000)

  it("append --evolve adds the file's new column and leaves the one it lacks NULL, reported and recorded", async () => {
    const target = engine.target()
    await target.open(async () => {})
    expect((await load(target.into, narrow, "--mode", "append", "--quiet")).code).toBe(0)
    const evolved = await load(target.into, wider, "--mode", "append", "--evolve", "--json", "--quiet")
    // A column the file lacks is a warning, also with --quiet.
    expect(evolved.stderr).toContain(
      `${outputOf(wider).file} has no column "Total Revenue" of table ${table}: NULL (or the column's default) in the ${outputOf(wider).rows_written} rows loaded (--evolve)`
    )
    expect(evolved.code).toBe(0)
    const report = JSON.parse(evolved.stdout)
    expect(report.load.tables).toMatchObject([
      {
        table,
        rows: outputOf(wider).rows_written,
        added_columns: [{ name: "Total Quantity", type: "BIGINT" }],
        null_columns: ["Total Revenue"]
      }
    ])
    // The narrow columns again, in another file: now Total Quantity is the table's column it lacks.
    const text = await load(target.into, reversed, "--mode", "append", "--evolve")
    expect(text.stderr).toContain(`has no column "Total Quantity" of table ${table}`)
    expect(text.stdout).toContain(
      `\n${table}: "Total Quantity" is not in ${outputOf(reversed).file}: NULL (or the column's default) in its ${outputOf(reversed).rows_written} rows`
    )
    await target.open(async (q) => {
      expect(await columnsOf(q)).toEqual([
        `Region ${engine.name === "postgres" ? "text" : "varchar"}`,
        `Total Revenue ${sql.double}`,
        `Total Quantity ${sql.bigint}`
      ])
      const all = [
        { name: "Region", type: "VARCHAR" },
        { name: "Total Revenue", type: "DOUBLE" },
        { name: "Total Quantity", type: "INT64" }
      ]
      const types = all.map((c) => c.type)
      // Each file's rows under its own names, NULL in the other's column.
      const expected = [
        ...fileRows(narrow).map(([region, revenue]) => [region ?? null, revenue ?? null, null]),
        ...fileRows(wider).map(([quantity, region]) => [region ?? null, null, quantity ?? null]),
        ...fileRows(reversed).map(([region, revenue]) => [region ?? null, revenue ?? null, null])
      ]
      expect(rowSet(await tableRows(q, engine.name, table, all), types)).toEqual(rowSet(expected, types))
      const recorded = await q(
        `SELECT file, columns_added, columns_null FROM spotpipe_loads WHERE table_name = '${table}' ORDER BY loaded_at`
      )
      expect(recorded).toEqual([
        [outputOf(narrow).file, "[]", "[]"],
        [outputOf(wider).file, '["Total Quantity"]', '["Total Revenue"]'],
        [outputOf(narrow).file, "[]", '["Total Quantity"]']
      ])
    })
  }, 60_000)

  it("merge --evolve replaces the rows of the file's keys by name, the table's other column NULL in them", async () => {
    const target = engine.target()
    await target.open(async () => {})
    expect((await load(target.into, narrow, "--mode", "merge", "--key", "Region", "--quiet")).code).toBe(0)
    const merged = await load(target.into, wider, "--mode", "merge", "--key", "Region", "--evolve", "--json")
    expect(merged.stderr).toContain(`has no column "Total Revenue" of table ${table}`)
    expect(merged.code).toBe(0)
    expect(JSON.parse(merged.stdout).load.tables).toMatchObject([
      { added_columns: [{ name: "Total Quantity", type: "BIGINT" }], null_columns: ["Total Revenue"] }
    ])
    await target.open(async (q) => {
      const all = [
        { name: "Region", type: "VARCHAR" },
        { name: "Total Revenue", type: "DOUBLE" },
        { name: "Total Quantity", type: "INT64" }
      ]
      const types = all.map((c) => c.type)
      // Every region is in both files: each row is now the wider file's.
      const expected = fileRows(wider).map(([quantity, region]) => [region ?? null, null, quantity ?? null])
      expect(rowSet(await tableRows(q, engine.name, table, all), types)).toEqual(rowSet(expected, types))
    })
  }, 60_000)

  it("a merge key the table lacks is refused with --evolve too (its rows could not be matched)", async () => {
    const target = engine.target()
    await target.open(async () => {})
    expect((await load(target.into, narrow, "--mode", "append", "--quiet")).code).toBe(0)
    const refused = await load(target.into, wider, "--mode", "merge", "--key", "Total Quantity", "--evolve")
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`the table has no column "Total Quantity" of the merge key`)
    await target.open(async (q) => expect(await count(q)).toBe(outputOf(narrow).rows_written))
  }, 60_000)

  it("a column whose type differs is refused with --evolve too, naming both types, never cast", async () => {
    const target = engine.target()
    // Revenue as text in the table (DOUBLE in the file), with a row of its own.
    await target.open((q) =>
      q(
        `CREATE TABLE ${table} ("Region" ${engine.name === "postgres" ? "TEXT" : "VARCHAR"}, "Total Revenue" VARCHAR); INSERT INTO ${table} VALUES ('mine', 'x')`
      )
    )
    const refused = await load(target.into, narrow, "--mode", "append", "--evolve")
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(
      `(a load never casts a value: "Total Revenue" is ${engine.name === "postgres" ? "character varying" : "VARCHAR"} in the table and ${engine.name === "postgres" ? "double precision" : "DOUBLE"} (DOUBLE) in the file)`
    )
    await target.open(async (q) => expect(await q(`SELECT * FROM ${table}`)).toEqual([["mine", "x"]]))
  }, 60_000)

  it("an INTEGER column the file has as INT64 is refused, the column not widened", async () => {
    const target = engine.target()
    const text = engine.name === "postgres" ? "TEXT" : "VARCHAR"
    await target.open((q) => q(`CREATE TABLE ${table} ("Region" ${text}, "Total Quantity" INTEGER)`))
    const refused = await load(target.into, wider, "--mode", "append", "--evolve")
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(
      `"Total Quantity" is ${engine.name === "postgres" ? "integer" : "INTEGER"} in the table and ${engine.name === "postgres" ? "bigint" : "BIGINT"} (INT64) in the file`
    )
    await target.open(async (q) => {
      expect(await columnsOf(q)).toEqual([`Region ${text.toLowerCase()}`, "Total Quantity integer"])
      expect(await count(q)).toBe(0)
    })
  }, 60_000)

  it("a column of the table the file lacks takes its DEFAULT where the table sets one", async () => {
    const target = engine.target()
    const text = engine.name === "postgres" ? "TEXT" : "VARCHAR"
    await target.open((q) =>
      q(`CREATE TABLE ${table} ("Region" ${text}, "Total Revenue" ${sql.double}, source ${text} DEFAULT 'nightly')`)
    )
    const loaded = await load(target.into, narrow, "--mode", "append", "--evolve")
    expect(loaded.code).toBe(0)
    expect(loaded.stdout).toContain(`"source" is not in ${outputOf(narrow).file}: NULL (or the column's default)`)
    await target.open(async (q) => expect(await q(`SELECT DISTINCT source FROM ${table}`)).toEqual([["nightly"]]))
  }, 60_000)

  it("a load that fails after adding columns leaves the table as it was, the columns not added", async () => {
    const target = engine.target()
    await target.open(async () => {})
    expect((await load(target.into, narrow, "--mode", "append", "--quiet")).code).toBe(0)
    // Revenue may not be NULL, which the wider file's rows would leave it: the insert fails after the ALTER.
    await target.open((q) => q(`ALTER TABLE ${table} ALTER COLUMN "Total Revenue" SET NOT NULL`))
    const failed = await load(target.into, wider, "--mode", "append", "--evolve")
    expect(failed.code).toBe(1)
    expect(failed.stderr).toContain(`(table ${table} was left as it was)`)
    await target.open(async (q) => {
      expect(await columnsOf(q)).toEqual([
        `Region ${engine.name === "postgres" ? "text" : "varchar"}`,
        `Total Revenue ${sql.double}`
      ])
      expect(await count(q)).toBe(outputOf(narrow).rows_written)
      expect(await count(q, "spotpipe_loads")).toBe(1)
    })
  }, 60_000)

  it('a job file\'s load with "evolve": true evolves the table the run loads into', async () => {
    const target = engine.target()
    await target.open(async () => {})
    expect((await load(target.into, narrow, "--mode", "append", "--quiet")).code).toBe(0)
    const job = NodePath.join(root, `job-${targets}.json`)
    NodeFs.writeFileSync(
      job,
      JSON.stringify({
        exports: [{ type: "search", table: "Orders", query: "[Quantity] [Region] sort by [Region]", output: table }],
        load: { into: target.into, mode: "append", evolve: true }
      })
    )
    const ran = await cli(["run", job, "--out", NodePath.join(root, `job-${targets}`), "--json"], sandboxEnv(sandbox))
    expect(ran.code).toBe(0)
    expect(JSON.parse(ran.stdout).load.tables).toMatchObject([
      { added_columns: [{ name: "Total Quantity", type: "BIGINT" }], null_columns: ["Total Revenue"] }
    ])
    await target.open(async (q) =>
      expect(await count(q)).toBe(outputOf(narrow).rows_written + outputOf(wider).rows_written)
    )
  }, 60_000)

  it('is refused in a job without "evolve", the message naming the job file\'s keys, not the flags', async () => {
    const target = engine.target()
    await target.open(async () => {})
    expect((await load(target.into, narrow, "--mode", "append", "--quiet")).code).toBe(0)
    const job = NodePath.join(root, `job-refused-${targets}.json`)
    NodeFs.writeFileSync(
      job,
      JSON.stringify({
        exports: [{ type: "search", table: "Orders", query: "[Quantity] [Region] sort by [Region]", output: table }],
        load: { into: target.into, mode: "append" }
      })
    )
    const ran = await cli(["run", job, "--out", NodePath.join(root, `job-refused-${targets}`)], sandboxEnv(sandbox))
    expect(ran.code).toBe(1)
    expect(ran.stderr).toContain(
      `load with "mode": "replace" in the job file's "load", or into another database, or with "evolve": true in the job file's "load" to add "Total Quantity" to the table`
    )
    expect(ran.stderr).not.toContain("--evolve")
    expect(ran.stderr).not.toContain("--mode")
  }, 60_000)

  it("with the same columns in another order is appended by name without --evolve", async () => {
    const target = engine.target()
    const text = engine.name === "postgres" ? "TEXT" : "VARCHAR"
    await target.open((q) => q(`CREATE TABLE ${table} ("Total Revenue" ${sql.double}, "Region" ${text})`))
    const loaded = await load(target.into, narrow, "--mode", "append", "--json")
    expect(loaded.stderr).toBe("")
    expect(JSON.parse(loaded.stdout).load.tables).toMatchObject([{ added_columns: [], null_columns: [] }])
    await target.open(async (q) => {
      const columns = [
        { name: "Region", type: "VARCHAR" },
        { name: "Total Revenue", type: "DOUBLE" }
      ]
      const types = columns.map((c) => c.type)
      expect(rowSet(await tableRows(q, engine.name, table, columns), types)).toEqual(rowSet(fileRows(narrow), types))
    })
  }, 60_000)

  it("names that differ only in case are one column to DuckDB and two to PostgreSQL (its quoted names)", async () => {
    const target = engine.target()
    const text = engine.name === "postgres" ? "TEXT" : "VARCHAR"
    await target.open((q) => q(`CREATE TABLE ${table} (region ${text}, "TOTAL REVENUE" ${sql.double})`))
    const loaded = await load(target.into, narrow, "--mode", "append", "--evolve", "--json")
    // DuckDB: the same columns, so nothing to warn of; PostgreSQL: its region and "TOTAL REVENUE" are NULL.
    if (engine.name === "duckdb") expect(loaded.stderr).toBe("")
    else expect(loaded.stderr).toContain(`has no columns "region", "TOTAL REVENUE" of table ${table}`)
    const [evolved] = JSON.parse(loaded.stdout).load.tables
    if (engine.name === "duckdb") {
      expect(evolved).toMatchObject({ added_columns: [], null_columns: [] })
      await target.open(async (q) => expect(await columnsOf(q)).toEqual(["region varchar", "TOTAL REVENUE double"]))
    } else {
      expect(evolved).toMatchObject({
        added_columns: [
          { name: "Region", type: "TEXT" },
          { name: "Total Revenue", type: "DOUBLE PRECISION" }
        ],
        null_columns: ["region", "TOTAL REVENUE"]
      })
    }
    await target.open(async (q) => expect(await count(q)).toBe(outputOf(narrow).rows_written))
  }, 60_000)

  it("a spotpipe_loads record of an earlier version gains the columns that record evolution", async () => {
    const target = engine.target()
    await target.open(async () => {})
    expect((await load(target.into, narrow, "--mode", "append", "--quiet")).code).toBe(0)
    await target.open((q) =>
      q("ALTER TABLE spotpipe_loads DROP COLUMN columns_added; ALTER TABLE spotpipe_loads DROP COLUMN columns_null")
    )
    expect((await load(target.into, wider, "--mode", "append", "--evolve", "--quiet")).code).toBe(0)
    await target.open(async (q) =>
      expect(await q("SELECT columns_added, columns_null FROM spotpipe_loads ORDER BY loaded_at")).toEqual([
        [null, null],
        ['["Total Quantity"]', '["Total Revenue"]']
      ])
    )
  }, 60_000)

  it("--evolve with --mode replace is a usage error", async () => {
    const refused = await load(engine.target().into, narrow, "--evolve")
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("--evolve is for --mode append or merge")
  })
})

describe('a job file\'s "evolve"', () => {
  it("is refused without an append or merge mode, as --evolve is", () => {
    const parsed = parseJobFile(
      JSON.stringify({ exports: [{ type: "answer", id: "x" }], load: { into: "duckdb:w.duckdb", evolve: true } }),
      "job.json"
    )
    expect(Exit.isFailure(parsed) && String(Cause.squash(parsed.cause))).toContain(
      '"evolve" is for "mode": "append" or "merge"'
    )
  })
})
