/**
 * A Parquet output's rows as CSV rows for PostgreSQL's `COPY … (FORMAT csv)`, exactly: each value as its
 * canonical text (`typedText`, the text the CSV export of the same cell holds: INT64 in full, doubles as their
 * shortest exact text, dates, UTC instants and times to the microsecond), every string quoted (so an empty string
 * stays one) and a null as an unquoted empty field. The file is read once (formats/parquet/ParquetReader.ts) and
 * held to the manifest's size and SHA-256 as it is read: a file changed since the run fails the load at its end,
 * before the table's transaction commits. Errors name the row and column, or what is wrong with the file; the
 * engine prefixes the file's name (after checking it is still the run's).
 */
import { Readable } from "node:stream"
import { type ColumnKind, columnKindOf } from "../formats/ColumnKinds.ts"
import { ParquetReadError, type ParquetValue, readParquet } from "../formats/parquet/ParquetReader.ts"
import { typedText } from "../formats/TypedCells.ts"
import { fileHash } from "./FileCheck.ts"
import type { LoadOutput } from "./RunManifest.ts"

/** Text handed on at a time. */
const CHUNK_CHARS = 1 << 20

/** The CSV field of one value of a column of `kind`. */
const field = (kind: ColumnKind, value: ParquetValue | null): string => {
  if (value === null) return ""
  if (kind === "text") return `"${(value as string).replace(/"/g, '""')}"`
  const text = typedText(kind, value)
  if (text instanceof Error) throw text
  return text
}

async function* rows(output: LoadOutput): AsyncGenerator<string> {
  const kinds = output.columns.map((c) => columnKindOf(c.type))
  const hash = fileHash(output)
  let row = 0
  try {
    for await (const group of readParquet(
      output.path,
      output.columns.map((c, i) => ({ name: c.name, kind: kinds[i]! })),
      hash.update
    )) {
      let text = ""
      for (let r = 0; r < group.rows; r++, row++) {
        for (let c = 0; c < kinds.length; c++) {
          try {
            text += (c === 0 ? "" : ",") + field(kinds[c]!, group.columns[c]![r]!)
          } catch (error) {
            throw new Error(`row ${row + 1}, column "${output.columns[c]!.name}": ${(error as Error).message}`)
          }
        }
        text += "\n"
        if (text.length >= CHUNK_CHARS) {
          yield text
          text = ""
        }
      }
      if (text !== "") yield text
    }
  } catch (error) {
    if (error instanceof ParquetReadError) {
      throw new Error(`it cannot be read as the manifest's Parquet file: ${error.message}`)
    }
    throw error
  }
  const changed = hash.check()
  if (changed !== undefined) throw changed
}

/** A stream of the CSV rows of `output` (a Parquet file), for `COPY … FROM STDIN WITH (FORMAT csv)`. */
export const parquetToCsv = (output: LoadOutput): Readable => Readable.from(rows(output), { objectMode: false })
