/**
 * A result column whose name starts with U+FEFF, and texts that start with it: the files keep them (a byte order
 * mark is only one at a file's start), and so does a load into DuckDB, whichever format it reads. DuckDB's Node
 * package decodes text dropping a leading U+FEFF, so the load reads the table's names as bytes to check them.
 */
import * as NodePath from "node:path"
import { describe, expect, it } from "vitest"
import { tempFolders } from "../support/tempFolders.ts"
import { startEdgeCluster } from "./support/EdgeCluster.ts"
import { cli, withDuckDb } from "./support/loadHelpers.ts"

const folder = tempFolders("spotpipe-bom-load-")

describe("a leading U+FEFF", () => {
  it.each(["csv", "ndjson", "parquet"])(
    "in a column name and in texts is loaded into DuckDB as it is (%s)",
    async (format) => {
      const cluster = await startEdgeCluster(
        [
          { name: "\ufeffRegion", type: "VARCHAR" },
          { name: "n", type: "INT64" }
        ],
        ['["\\ufeff",1]', '["\\ufeffWest",2]', '["\\ufeff\\ufeffx",3]'],
        "UTC"
      )
      const dir = folder()
      const out = NodePath.join(dir, "run")
      try {
        const exported = await cli(["answer", "Edges", "--out", out, "--format", format, "--quiet"], {
          THOUGHTSPOT_HOST: cluster.url,
          THOUGHTSPOT_TOKEN: "bom-token"
        })
        expect(exported.stderr).toBe("")
        expect(exported.code).toBe(0)
      } finally {
        await cluster.close()
      }
      const database = NodePath.join(dir, "w.duckdb")
      const loaded = await cli(["load", out, "--into", `duckdb:${database}`, "--quiet"])
      expect(loaded.stderr).toBe("")
      expect(loaded.code).toBe(0)
      const [names, rows] = await withDuckDb(database, async (q) => [
        await q(
          "SELECT hex(encode(column_name)) FROM information_schema.columns WHERE table_name = 'answer_edges' ORDER BY ordinal_position"
        ),
        await q('SELECT hex(encode("\ufeffRegion")), n FROM answer_edges ORDER BY n')
      ])
      expect(names).toEqual([["EFBBBF526567696F6E"], ["6E"]])
      expect(rows).toEqual([
        ["EFBBBF", 1n],
        ["EFBBBF57657374", 2n],
        ["EFBBBFEFBBBF78", 3n]
      ])
    },
    60_000
  )
})
