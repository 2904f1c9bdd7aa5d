/**
 * `spotpipe demo` where DuckDB is installed (as in a checkout): it writes every result as CSV, NDJSON and Parquet
 * and loads the Parquet files into `demo.duckdb` in its folder — one table per result, with the rows the manifest
 * lists — and a second demo replaces those tables rather than adding to them; a warning about a result (the
 * sampled answer, written three times) is said once; the README shows its summary's figures. The demos run
 * in-process: the installed command's demo is test/packaging's.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { DuckDBInstance } from "@duckdb/node-api"
import { afterAll, describe, expect, it } from "vitest"
import manifest from "../../package.json" with { type: "json" }
import { duckDbPackage } from "../../src/load/DuckDbEngine.ts"
import { runCliInProcess } from "../support/inProcess.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-demo-load-"))
afterAll(() => NodeFs.rmSync(root, { recursive: true, force: true }))

const tablesOf = async (database: string) => {
  const instance = await DuckDBInstance.create(database)
  const connection = await instance.connect()
  try {
    const reader = await connection.runAndReadAll(
      "SELECT table_name, estimated_size FROM duckdb_tables() WHERE table_name <> 'spotpipe_loads' ORDER BY 1"
    )
    const rows = new Map<string, number>()
    for (const [name] of reader.getRows()) {
      const counted = await connection.runAndReadAll(`SELECT count(*) FROM "${String(name)}"`)
      rows.set(String(name), Number(counted.getRows()[0]![0]))
    }
    return rows
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

describe("the demo", () => {
  it("loads its parquet files into demo.duckdb, one table per result, and a second demo replaces them", async () => {
    const out = NodePath.join(root, "demo")
    const first = await runCliInProcess(["demo", "--out", out, "--log-format", "json"])
    expect(first.code, first.stderr).toBe(0)
    const written = JSON.parse(NodeFs.readFileSync(NodePath.join(out, "manifest.json"), "utf8")) as {
      outputs: ReadonlyArray<{ format: string; rows_written: number; warnings: ReadonlyArray<string> }>
    }
    const parquet = written.outputs.filter((o) => o.format === "parquet")
    expect(parquet.length).toBeGreaterThan(10)
    const loaded = await tablesOf(NodePath.join(out, "demo.duckdb"))
    expect(loaded.size).toBe(parquet.length)
    expect([...loaded.values()].reduce((a, b) => a + b, 0)).toBe(parquet.reduce((n, o) => n + o.rows_written, 0))
    expect(first.stderr).toContain(`"loaded ${parquet.length} tables`)
    // The sampled answer is written as three files: each entry keeps its warning, the terminal hears it once.
    const sampled = "sampling_ratio is 0.5: ThoughtSpot returned a sample"
    expect(written.outputs.filter((o) => o.warnings.some((w) => w.includes(sampled))).length).toBe(3)
    expect(first.stderr.split(sampled).length - 1).toBe(1)
    // The README's terminal-output section shows this summary's footer.
    const summary = JSON.parse(first.stdout).summary as { files: number; results: number; rows: number }
    const readme = NodeFs.readFileSync(new URL("../../README.md", import.meta.url), "utf8").replace(/\s+/g, " ")
    expect(readme).toContain(
      `\`${summary.files} files (${summary.results} results), ${summary.rows.toLocaleString("en-US")} rows in /abs/path/spotpipe-demo\``
    )

    const second = await runCliInProcess(["demo", "--out", out, "--quiet"])
    expect(second.code, second.stderr).toBe(0)
    expect(await tablesOf(NodePath.join(out, "demo.duckdb"))).toEqual(loaded)
  }, 120_000)

  it("names the DuckDB package the app is built with in what it asks users to install", () => {
    expect(duckDbPackage).toBe(`@duckdb/node-api@${manifest.dependencies["@duckdb/node-api"]}`)
  })
})
