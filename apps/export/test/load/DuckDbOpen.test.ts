/**
 * Opening a DuckDB database file that another process is creating this moment: DuckDB makes the file before it
 * writes the header, and a second load that opened it in between was told it is "not a valid DuckDB database
 * file" (three loads into one new file at once met it). A file made moments ago is opened again for a short while;
 * an invalid file that is not new is refused at once, as before.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { openDuckDb } from "../../src/load/DuckDbEngine.ts"
import { withDuckDb } from "./support/loadHelpers.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-duckdb-open-"))
afterAll(() => NodeFs.rmSync(root, { recursive: true, force: true }))

describe("opening a DuckDB database file", () => {
  it("that is being created (empty a moment, then a database) opens once it is one", async () => {
    const ready = NodePath.join(root, "ready.duckdb")
    await withDuckDb(ready, (q) => q("CREATE TABLE t AS SELECT 42 AS answer"))
    const file = NodePath.join(root, "creating.duckdb")
    NodeFs.writeFileSync(file, "")
    const opening = openDuckDb(file)
    // The creating process writes the database a moment later (here: a finished one put in its place).
    await new Promise((resolve) => setTimeout(resolve, 300))
    NodeFs.renameSync(ready, file)
    const engine = await opening
    await engine.close()
    expect(await withDuckDb(file, (q) => q("SELECT answer FROM t"))).toEqual([[42]])
  }, 30_000)

  it("that is no database and not new is refused at once", async () => {
    const file = NodePath.join(root, "old.duckdb")
    NodeFs.writeFileSync(file, "not a database")
    const past = new Date(Date.now() - 60_000)
    NodeFs.utimesSync(file, past, past)
    await expect(openDuckDb(file)).rejects.toThrow(/not a valid DuckDB database file/)
    expect(NodeFs.readFileSync(file, "utf8")).toBe("not a database")
  }, 30_000)
})
