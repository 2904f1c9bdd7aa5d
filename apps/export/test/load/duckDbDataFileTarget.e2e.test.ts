/**
 * DuckDB opens a CSV, Parquet or JSON file (or a new path named so) as a read-only view of that file: a load into
 * it would report rows saved nowhere. Such a target, and any existing file that is not a DuckDB database, is
 * refused before anything is read (exit 2, saying to give a .duckdb file); the file is left as it was.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { sandboxEnv, testSandbox } from "../support/Sandboxes.ts"
import { tempFolders } from "../support/tempFolders.ts"
import { cli, withDuckDb } from "./support/loadHelpers.ts"

const tempDir = tempFolders("spotpipe-duckdb-data-target-")
const sandbox = testSandbox({ rows: 100 })
const monthly = "answer-Revenue by Month.csv"
let dir: string
let run: string

beforeAll(async () => {
  dir = tempDir()
  run = NodePath.join(dir, "rbm")
  const exported = await cli(["answer", "Revenue by Month", "--out", run], sandboxEnv(sandbox.sandbox))
  expect(exported.code, exported.stderr).toBe(0)
}, 60_000)

const refused = async (file: string) => {
  const before = NodeFs.existsSync(file) ? NodeFs.readFileSync(file) : undefined
  const loaded = await cli(["load", run, "--into", `duckdb:${file}`])
  expect(loaded.code, loaded.stderr).toBe(2)
  expect(loaded.stdout).not.toContain("loaded")
  expect(loaded.stderr).toContain("give a DuckDB database file (e.g. duckdb:warehouse.duckdb)")
  expect(NodeFs.existsSync(file) ? NodeFs.readFileSync(file) : undefined).toEqual(before)
  expect(NodeFs.existsSync(`${file}.wal`)).toBe(false)
  return loaded.stderr
}

describe("a duckdb: target that DuckDB would read, not write", () => {
  it("a copy of a data file, as .csv, .parquet or .json", async () => {
    for (const name of ["other.csv", "other.parquet", "other.json"]) {
      const file = NodePath.join(dir, name)
      NodeFs.copyFileSync(NodePath.join(run, monthly), file)
      expect(await refused(file)).toContain(`duckdb:${file} is there and is not a valid DuckDB database file`)
    }
  }, 60_000)

  it("the run's own data file", async () => {
    expect(await refused(NodePath.join(run, monthly))).toContain("is not a valid DuckDB database file")
  }, 60_000)

  it("a new file named as data", async () => {
    for (const name of ["new.csv", "new.parquet", "new.ndjson", "new.JSONL", "new.csv.gz"]) {
      const file = NodePath.join(dir, name)
      expect(await refused(file)).toContain("DuckDB reads a file of that name as data")
    }
  }, 60_000)

  it("an empty file", async () => {
    const file = NodePath.join(dir, "empty.duckdb")
    NodeFs.writeFileSync(file, "")
    // Older than a database another process is creating this moment.
    NodeFs.utimesSync(file, new Date(0), new Date(0))
    expect(await refused(file)).toContain("is not a valid DuckDB database file")
  }, 60_000)

  it("a database file still loads, created or there before", async () => {
    const file = NodePath.join(dir, "warehouse.duckdb")
    for (let i = 0; i < 2; i++) {
      const loaded = await cli(["load", run, "--into", `duckdb:${file}`])
      expect(loaded.code, loaded.stderr).toBe(0)
    }
    expect(await withDuckDb(file, (q) => q("SELECT count(*)::INTEGER FROM spotpipe_loads"))).toEqual([[2]])
  }, 60_000)
})
