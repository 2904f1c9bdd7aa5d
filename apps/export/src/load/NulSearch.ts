/**
 * Where a file holds U+0000 (NUL), which PostgreSQL's text cannot store: PostgreSQL refuses the whole `COPY` with
 * an encoding error whose line is not the file's row (it counts from where it checked a chunk) and names no column.
 * Read on that failure only, so a load pays nothing for it: the first row and column holding a NUL, as the file's
 * own reader sees them (CSV: quoted line breaks are a cell's, the header is not a row; NDJSON: a line is a row;
 * Parquet: the values of its text columns).
 */
import * as NodeFs from "node:fs"
import * as NodeReadline from "node:readline"
import { columnKindOf } from "../formats/ColumnKinds.ts"
import { readParquet } from "../formats/parquet/ParquetReader.ts"
import type { LoadOutput } from "./RunManifest.ts"

/** A cell holding U+0000: its row (1 = the first row of data) and column name (`undefined`: not known). */
export interface NulCell {
  readonly row: number
  readonly column: string | undefined
}

const QUOTE = 34
const COMMA = 44
const LF = 10

/** The first CSV cell with a NUL byte: row 0 is the header. */
const inCsv = async (output: LoadOutput): Promise<NulCell | undefined> => {
  let quoted = false
  let row = 0
  let field = 0
  for await (const chunk of NodeFs.createReadStream(output.path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!
      if (byte === QUOTE) quoted = !quoted
      else if (byte === 0) return { row, column: output.columns[field]?.name }
      else if (!quoted && byte === COMMA) field++
      else if (!quoted && byte === LF) {
        row++
        field = 0
      }
    }
  }
  return undefined
}

/** The first NDJSON line with a NUL in a value (escaped as `\u0000`, or a raw byte). */
const inNdjson = async (output: LoadOutput): Promise<NulCell | undefined> => {
  const lines = NodeReadline.createInterface({ input: NodeFs.createReadStream(output.path), crlfDelay: Infinity })
  let row = 0
  try {
    for await (const line of lines) {
      row++
      if (!line.includes("\0") && !/\\u0000/i.test(line)) continue
      let record: Record<string, unknown> | undefined
      try {
        record = JSON.parse(line) as Record<string, unknown>
      } catch {
        record = undefined
      }
      const column = output.columns.find((c) => {
        const value = record?.[c.name]
        return typeof value === "string" ? value.includes("\0") : JSON.stringify(value ?? null).includes("\\u0000")
      })
      if (column !== undefined || record === undefined) return { row, column: column?.name }
    }
  } finally {
    lines.close()
  }
  return undefined
}

/** The first value of a Parquet text column with a NUL. */
const inParquet = async (output: LoadOutput): Promise<NulCell | undefined> => {
  const kinds = output.columns.map((c) => columnKindOf(c.type))
  let row = 0
  for await (const group of readParquet(
    output.path,
    output.columns.map((c, i) => ({ name: c.name, kind: kinds[i]! })),
    output.rows,
    () => {}
  )) {
    for (let r = 0; r < group.rows; r++) {
      const c = group.columns.findIndex((cells, i) => kinds[i] === "text" && String(cells[r] ?? "").includes("\0"))
      if (c !== -1) return { row: row + r + 1, column: output.columns[c]!.name }
    }
    row += group.rows
  }
  return undefined
}

/** The first cell of `output`'s file that holds U+0000, or `undefined` when it has none (or cannot be read). */
export const findNul = (output: LoadOutput): Promise<NulCell | undefined> =>
  (output.format === "csv" ? inCsv(output) : output.format === "ndjson" ? inNdjson(output) : inParquet(output)).catch(
    () => undefined
  )
