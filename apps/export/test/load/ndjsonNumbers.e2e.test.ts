/**
 * NDJSON values DuckDB's JSON reader would change, loaded into DuckDB exactly: a bare `-0` (its reader makes it 0),
 * found wherever it lies in the file, also cut between two of the chunks the file is hashed in, a number in a text
 * column (its reader writes it again its own way: `1e-7` as `1e-07`), also in a file whose row is longer than its
 * reader takes by default, and a list of text whose JSON array escapes a control character (`\u001f`, which the
 * reader writes `\u001F`). The runs are written here as spotpipe writes them (a number bare, keys in column
 * order, no spaces), with their manifests.
 */
import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "vitest"
import { tempFolders } from "../support/tempFolders.ts"
import { cli, withDuckDb } from "./support/loadHelpers.ts"

const folder = tempFolders("spotpipe-load-ndjson-numbers-")

interface Output {
  readonly file: string
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: string }>
  /** The file's lines, each a JSON object as spotpipe writes it. */
  readonly lines: ReadonlyArray<string>
}

/** A run folder holding `outputs` and their manifest. */
const ndjsonRun = (outputs: ReadonlyArray<Output>): string => {
  const dir = NodePath.join(folder(), "run")
  NodeFs.mkdirSync(dir, { recursive: true })
  const listed = outputs.map((o) => {
    const bytes = Buffer.from(o.lines.map((l) => `${l}\n`).join(""), "utf8")
    NodeFs.writeFileSync(NodePath.join(dir, o.file), bytes)
    return {
      file: o.file,
      format: "ndjson",
      columns: o.columns,
      rows_written: o.lines.length,
      bytes: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex")
    }
  })
  const manifest = {
    run_id: "ndjson-numbers",
    exports: outputs.map((o) => ({ export: o.file, status: "succeeded", error: null })),
    outputs: listed
  }
  NodeFs.writeFileSync(NodePath.join(dir, "manifest.json"), JSON.stringify(manifest))
  return dir
}

/** Loads `run` into a new DuckDB file and reads `sql` from it, cells as text. */
const loadAndRead = async (run: string, sql: string, ...flags: Array<string>): Promise<Array<Array<string | null>>> => {
  const database = NodePath.join(folder(), "w.duckdb")
  const loaded = await cli(["load", run, "--into", `duckdb:${database}`, "--quiet", ...flags])
  expect(loaded.stderr).toBe("")
  expect(loaded.code).toBe(0)
  return withDuckDb(database, async (q) =>
    (await q(sql)).map((r) =>
      r.map((c) => (c === null ? null : typeof c === "number" && Object.is(c, -0) ? "-0" : String(c)))
    )
  )
}

const doubles = [
  { name: "k", type: "INT64" },
  { name: "d", type: "DOUBLE" }
]

describe("NDJSON loaded into DuckDB", () => {
  it("a DOUBLE -0 stays -0 and a 0 stays 0, with no number in a text column", async () => {
    // Not side by side: DuckDB 1.5's storage takes a run of zeros of both signs for one value (its own limit).
    const run = ndjsonRun([
      {
        file: "z.ndjson",
        columns: doubles,
        lines: ['{"k":1,"d":-0}', '{"k":2,"d":0.25}', '{"k":3,"d":0}', '{"k":4,"d":-0.5}']
      }
    ])
    // Into a new table, into the one an append creates, and through a merge's staging table.
    for (const flags of [[], ["--mode", "append"], ["--mode", "merge", "--key", "k"]]) {
      expect(await loadAndRead(run, "SELECT k, d, 1 / d FROM z ORDER BY k", ...flags)).toEqual([
        ["1", "-0", "-Infinity"],
        ["2", "0.25", "4"],
        ["3", "0", "Infinity"],
        ["4", "-0.5", "-2"]
      ])
    }
  }, 30_000)

  it("a -0 whose bytes are cut between two chunks of the hash is found", async () => {
    const chunk = 1 << 20
    // Rows of padding so that the second row's `:-0` starts `back` bytes before the first chunk's end.
    const output = (file: string, back: number): Output => {
      const second = '{"k":2,"d":-0}'
      const head = '{"k":1,"d":1.5,"t":"'
      const tail = '"}\n'
      const before = second.indexOf(":-0")
      const pad = chunk - back - before - head.length - tail.length
      return {
        file,
        columns: [...doubles, { name: "t", type: "VARCHAR" }],
        lines: [`${head}${"p".repeat(pad)}"}`, '{"k":2,"d":-0,"t":"x"}']
      }
    }
    const run = ndjsonRun([1, 2, 3].map((back) => output(`seam${back}.ndjson`, back)))
    for (const back of [1, 2, 3]) {
      expect(await loadAndRead(run, `SELECT k, d FROM seam${back} ORDER BY k`)).toEqual([
        ["1", "1.5"],
        ["2", "-0"]
      ])
    }
  }, 30_000)

  it("a number in a text column keeps its text, a string holding the same text too", async () => {
    const numbers = ["1e-7", "0.000001", "-1.5e-7", "1e+21", "123456789012345678901234567890", "-0", "1.5", "7"]
    const lines = numbers.flatMap((n, i) => [
      `{"k":${2 * i + 1},"t":${n},"b":true}`,
      `{"k":${2 * i + 2},"t":${JSON.stringify(n)},"b":false}`
    ])
    const run = ndjsonRun([
      {
        file: "texts.ndjson",
        columns: [
          { name: "k", type: "INT64" },
          { name: "t", type: "VARCHAR" },
          { name: "b", type: "VARCHAR" }
        ],
        lines
      }
    ])
    expect(await loadAndRead(run, "SELECT t, b FROM texts ORDER BY k")).toEqual(
      numbers.flatMap((n) => [
        [n, "true"],
        [n, "false"]
      ])
    )
  }, 30_000)

  it("a list of text (metadata's tags) keeps its JSON array as written, control characters' escapes included", async () => {
    const lists = [["a\u001fb", "\u000b", "é", 'x"y'], [], ["plain", "\\u001F as text"], null]
    const run = ndjsonRun([
      {
        file: "tags.ndjson",
        columns: [
          { name: "k", type: "INT64" },
          { name: "tags", type: "VARCHAR[]" }
        ],
        lines: lists.map((tags, i) => `{"k":${i + 1},"tags":${JSON.stringify(tags)}}`)
      }
    ])
    expect(await loadAndRead(run, "SELECT tags FROM tags ORDER BY k")).toEqual(
      lists.map((tags) => [tags === null ? null : JSON.stringify(tags)])
    )
  }, 30_000)

  it("a row longer than the JSON reader takes by default, with a number in a text column, loads whole", async () => {
    const long = `é"${"long cell ".repeat(3_400_000)}`
    const run = ndjsonRun([
      {
        file: "long.ndjson",
        columns: [
          { name: "k", type: "INT64" },
          { name: "t", type: "VARCHAR" }
        ],
        lines: [`{"k":1,"t":${JSON.stringify(long)}}`, '{"k":2,"t":1e-7}', '{"k":3,"t":null}']
      }
    ])
    expect(
      await loadAndRead(run, "SELECT k, length(t), md5(t), CASE WHEN k = 2 THEN t END FROM long ORDER BY k")
    ).toEqual([
      ["1", String(long.length), createHash("md5").update(long).digest("hex"), null],
      ["2", "4", createHash("md5").update("1e-7").digest("hex"), "1e-7"],
      ["3", null, null, null]
    ])
  }, 60_000)
})
