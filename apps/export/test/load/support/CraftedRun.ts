/**
 * A finished run written by hand, for load tests of names and values the sandbox never sends: each output's file in
 * the format's own writer (CSV cells as the CSV export writes them, NDJSON cells as the NDJSON export does, Parquet
 * through spotpipe's writer from its staged text) and a manifest listing it with its columns, rows, size and SHA-256,
 * as `spotpipe load` reads it.
 */
import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { columnKindOf } from "../../../src/formats/ColumnKinds.ts"
import { csvCell } from "../../../src/formats/CsvFormat.ts"
import { StagedParquetWriter } from "../../../src/formats/parquet/StagedRows.ts"
import { typedStaging } from "../../../src/formats/TypedCells.ts"

/** A column of a crafted output: its name and ThoughtSpot type. */
export interface CraftedColumn {
  readonly name: string
  readonly type: string
}

/** One output: its file name (its extension says the format), columns and rows of cells as text (`null`: null). */
export interface CraftedOutput {
  readonly file: string
  readonly columns: ReadonlyArray<CraftedColumn>
  readonly rows: ReadonlyArray<ReadonlyArray<string | null>>
  /** CSV: the text written for a null (`--null-string`, recorded as the manifest's `null_string`). */
  readonly nullString?: string
  /** CSV: the line end (`--newline`; default `\r\n`, as the export's). */
  readonly newline?: "\r\n" | "\n"
}

/** The bytes of one output's file. */
const fileBytes = (output: CraftedOutput): Buffer => {
  const kinds = output.columns.map((c) => columnKindOf(c.type))
  if (output.file.endsWith(".csv")) {
    const line = (cells: ReadonlyArray<string | null>) =>
      cells.map((cell) => csvCell(cell, false, output.nullString)).join(",")
    return Buffer.from(
      [output.columns.map((c) => c.name), ...output.rows].map((r) => `${line(r)}${output.newline ?? "\r\n"}`).join(""),
      "utf8"
    )
  }
  if (output.file.endsWith(".ndjson")) {
    // Numbers and booleans bare, everything else a JSON string, as the NDJSON export writes them.
    const bare = new Set(["int64", "int32", "double", "boolean"])
    const line = (cells: ReadonlyArray<string | null>) =>
      `{${cells
        .map((cell, i) => {
          const value = cell === null ? "null" : bare.has(kinds[i]!) ? cell : JSON.stringify(cell)
          return `${JSON.stringify(output.columns[i]!.name)}:${value}`
        })
        .join(",")}}\n`
    return Buffer.from(output.rows.map(line).join(""), "utf8")
  }
  const out: Array<Uint8Array> = []
  const writer = new StagedParquetWriter(
    output.columns.map((c, i) => ({ name: c.name, kind: kinds[i]! })),
    (bytes) => out.push(Uint8Array.from(bytes)),
    "spotpipe test"
  )
  const staged = [
    output.columns.map((c) => csvCell(c.name, false)),
    ...output.rows.map((cells) =>
      cells.map((cell, i) =>
        cell === null
          ? typedStaging.nullString
          : kinds[i] === "text"
            ? csvCell(cell, false, typedStaging.nullString)
            : cell
      )
    )
  ]
  writer.feed(Buffer.from(staged.map((r) => `${r.join(",")}\n`).join(""), "utf8"))
  writer.finish()
  return Buffer.concat(out)
}

/** Writes `outputs` and their manifest into the new folder `dir` (a finished run); returns `dir`. */
export const craftRun = (dir: string, outputs: ReadonlyArray<CraftedOutput>): string => {
  NodeFs.mkdirSync(dir, { recursive: true })
  const listed = outputs.map((output) => {
    const bytes = fileBytes(output)
    const path = NodePath.join(dir, output.file)
    NodeFs.mkdirSync(NodePath.dirname(path), { recursive: true })
    NodeFs.writeFileSync(path, bytes)
    return {
      file: output.file,
      format: NodePath.extname(output.file).slice(1),
      columns: output.columns,
      rows_written: output.rows.length,
      bytes: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      ...(output.nullString === undefined ? {} : { null_string: output.nullString })
    }
  })
  const manifest = {
    run_id: `crafted-${createHash("sha256").update(JSON.stringify(listed)).digest("hex").slice(0, 12)}`,
    exports: outputs.map((o) => ({ export: o.file, status: "succeeded", error: null })),
    outputs: listed
  }
  NodeFs.writeFileSync(NodePath.join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`)
  return dir
}
