/**
 * An NDJSON row longer than DuckDB's `read_json` takes by default (its `maximum_object_size`, 16 MiB, lets rows up
 * to about 32 MiB through) loads whole into DuckDB: the table is loaded again, told the longest row. The run is
 * written here as spotpipe writes one (the sandbox has no cell that long): an NDJSON file and its manifest.
 */
import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { cli, withDuckDb } from "./support/loadHelpers.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-load-long-row-"))
afterAll(() => NodeFs.rmSync(root, { recursive: true, force: true }))

/** A run of one NDJSON output `rows` (id, note), with its manifest. */
const ndjsonRun = (dir: string, rows: ReadonlyArray<{ id: number; note: string | null }>) => {
  NodeFs.mkdirSync(dir, { recursive: true })
  const file = "answer-Notes.ndjson"
  const bytes = Buffer.from(rows.map((row) => `${JSON.stringify(row)}\n`).join(""), "utf8")
  NodeFs.writeFileSync(NodePath.join(dir, file), bytes)
  const manifest = {
    run_id: "long-row",
    exports: [{ export: "answer-Notes", status: "succeeded", error: null }],
    outputs: [
      {
        file,
        format: "ndjson",
        columns: [
          { name: "id", type: "INT64" },
          { name: "note", type: "VARCHAR" }
        ],
        rows_written: rows.length,
        bytes: bytes.length,
        sha256: createHash("sha256").update(bytes).digest("hex")
      }
    ]
  }
  NodeFs.writeFileSync(NodePath.join(dir, "manifest.json"), JSON.stringify(manifest))
  return dir
}

describe("an NDJSON row over 32 MiB loaded into DuckDB", () => {
  it("is loaded whole, with the rows beside it", async () => {
    // 34 MB of text with a character of two bytes in UTF-8 and one JSON escapes, so the cell is read, not copied.
    const long = `é"${"long cell ".repeat(3_400_000)}`
    const run = ndjsonRun(NodePath.join(root, "run"), [
      { id: 1, note: "short" },
      { id: 2, note: long },
      { id: 3, note: null }
    ])
    const database = NodePath.join(root, "long.duckdb")
    const loaded = await cli(["load", run, "--into", `duckdb:${database}`, "--quiet"])
    expect(loaded.stderr).toBe("")
    expect(loaded.code).toBe(0)
    await withDuckDb(database, async (q) => {
      const rows = await q(`SELECT id, length(note), md5(note) FROM answer_notes ORDER BY id`)
      expect(rows.map((r) => r.map((c) => (c === null ? null : String(c))))).toEqual([
        ["1", "5", createHash("md5").update("short").digest("hex")],
        ["2", String(long.length), createHash("md5").update(long).digest("hex")],
        ["3", null, null]
      ])
    })
  }, 30_000)
})
