/**
 * A CSV null string that a number, boolean, date or time cell is also written as (`--null-string 0`): such cells
 * are written unquoted, so a null and the value were one text, and a load read the value as NULL. The export now
 * refuses such a null string (exit 2, flag and job file alike); a run an earlier version wrote with one is refused
 * by the load when the file has a column of such cells, naming it, and loaded as it is when all its columns are text
 * (a text equal to the null string is quoted).
 */
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { writeJob } from "../support/Sandboxes.ts"
import { tempFolders } from "../support/tempFolders.ts"
import { craftRun } from "./support/CraftedRun.ts"
import { startEdgeCluster } from "./support/EdgeCluster.ts"
import { cli, editedRun, withDuckDb, withPostgres } from "./support/loadHelpers.ts"
import { type RealPostgres, startRealPostgres } from "./support/RealPostgres.ts"

const folder = tempFolders("spotpipe-load-null-strings-")
let postgres: RealPostgres
beforeAll(() => {
  postgres = startRealPostgres()
}, 60_000)
afterAll(() => postgres?.close())

/** Each engine's `--into` for a new target, and a query on it. */
const targets = {
  duckdb: () => {
    const file = NodePath.join(folder(), "w.duckdb")
    return { into: `duckdb:${file}`, read: (sql: string) => withDuckDb(file, (q) => q(sql)) }
  },
  postgres: async () => {
    const schema = `t${Math.random().toString(36).slice(2, 10)}`
    await withPostgres(postgres.url, (q) => q(`CREATE SCHEMA ${schema}`))
    const url = `${postgres.url}&options=-c%20search_path%3D${schema}`
    return { into: url, read: (sql: string) => withPostgres(url, (q) => q(sql)) }
  }
} as const

describe("a null string a value of another type is written as", () => {
  it.each(["0", "-1", "1.5", "NaN", "Infinity", "true", "false", "1970-01-01", "00:00:00"])(
    "--null-string %j is refused before any request, and in a job file",
    async (text) => {
      // No cluster listens there: a usage error comes first.
      const env = { THOUGHTSPOT_HOST: "http://127.0.0.1:9", THOUGHTSPOT_TOKEN: "x" }
      const out = NodePath.join(folder(), "run")
      const flag = await cli(["answer", "Edges", "--out", out, "--null-string", text, "--quiet"], env)
      expect(flag.code).toBe(2)
      expect(flag.stderr).toContain(
        "--null-string is refused: a null string must not be text a number, true/false, a date or a time is written as"
      )
      const job = writeJob(folder(), { exports: [{ type: "answer", id: "Edges", nullString: text }] })
      const run = await cli(["run", job, "--out", out, "--quiet"], env)
      expect(run.code).toBe(2)
      expect(run.stderr).toContain("a null string must not be text a number, true/false, a date or a time")
    }
  )

  it("--null-string with such text inside (N0, -, a1) is taken, and its nulls load as NULL", async () => {
    const cluster = await startEdgeCluster(
      [
        { name: "n", type: "INT64" },
        { name: "s", type: "VARCHAR" }
      ],
      ['[0,"N0"]', "[null,null]"],
      "UTC"
    )
    try {
      for (const text of ["N0", "-", "a1"]) {
        const out = NodePath.join(folder(), "run")
        const env = { THOUGHTSPOT_HOST: cluster.url, THOUGHTSPOT_TOKEN: "x" }
        const exported = await cli(["answer", "Edges", "--out", out, "--null-string", text, "--quiet"], env)
        expect(exported.stderr).toBe("")
        const target = targets.duckdb()
        const loaded = await cli(["load", out, "--into", target.into, "--quiet"])
        expect(loaded.stderr).toBe("")
        expect(await target.read("SELECT CAST(n AS VARCHAR), s FROM answer_edges ORDER BY n")).toEqual([
          ["0", "N0"],
          [null, null]
        ])
      }
    } finally {
      await cluster.close()
    }
  }, 60_000)

  it.each(["duckdb", "postgres"] as const)(
    "a run written with one by an earlier version is refused by a load into %s, which loads its text-only file",
    async (engine) => {
      // As an earlier version wrote it: the INT64 0 unquoted, the same text as the null beside it.
      const crafted = craftRun(NodePath.join(folder(), "crafted"), [
        {
          file: "counts.csv",
          columns: [
            { name: "k", type: "INT32" },
            { name: "n", type: "INT64" }
          ],
          rows: [
            ["1", "0"],
            ["2", null]
          ],
          nullString: "0"
        }
      ])
      const run = editedRun(crafted, NodePath.join(folder(), "run"), "counts.csv", (t) => t.replace('"0"', "0"))
      const target = await targets[engine]()
      const refused = await cli(["load", run, "--into", target.into, "--quiet"])
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain(
        `nothing was loaded:\n  counts.csv was exported with --null-string "0", which is also how a value of its column "k" (INT32) may be written, unquoted: its nulls and such values cannot be told apart; export it again with --null-string '\\N'`
      )
      const texts = craftRun(NodePath.join(folder(), "texts"), [
        {
          file: "names.csv",
          columns: [
            { name: "s", type: "VARCHAR" },
            { name: "t", type: "VARCHAR" }
          ],
          rows: [
            ["0", null],
            ["x", "0"]
          ],
          nullString: "0"
        }
      ])
      const loaded = await cli(["load", texts, "--into", target.into, "--quiet"])
      expect(loaded.stderr).toBe("")
      expect(await target.read("SELECT s, t FROM names ORDER BY s")).toEqual([
        ["0", null],
        ["x", "0"]
      ])
    },
    60_000
  )
})
