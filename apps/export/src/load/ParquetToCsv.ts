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
import { civilDate } from "@spotpipe/decode"
import { type ColumnKind, columnKindOf } from "../formats/ColumnKinds.ts"
import { ParquetReadError, type ParquetValue, readParquet } from "../formats/parquet/ParquetReader.ts"
import { typedText } from "../formats/TypedCells.ts"
import { fileHash } from "./FileCheck.ts"
import type { LoadOutput } from "./RunManifest.ts"

/** Text handed on at a time. */
const CHUNK_CHARS = 1 << 20

const MICROS_PER_DAY = 86_400_000_000n

/**
 * An instant outside years 0001–9999 in UTC, in the ISO form PostgreSQL reads for it (`10000-01-01T00:59:59Z`,
 * `0001-12-31T18:30:00Z BC`): such instants are in the files as a time with an offset (`9999-12-31T23:59:59-01:00`),
 * and PostgreSQL holds them; `typedText` writes only years 0001–9999.
 */
export const wideInstantText = (micros: number | bigint): string => {
  const value = BigInt(micros)
  const remainder = ((value % MICROS_PER_DAY) + MICROS_PER_DAY) % MICROS_PER_DAY
  const days = Number((value - remainder) / MICROS_PER_DAY)
  const { year, month, day } = civilDate(days)
  const two = (n: number) => String(n).padStart(2, "0")
  const time = typedText("time", Number(remainder)) as string
  const date = `${String(year > 0 ? year : 1 - year).padStart(4, "0")}-${two(month)}-${two(day)}`
  return `${date}T${time}Z${year > 0 ? "" : " BC"}`
}

/** The CSV field of one value of a column of `kind`. */
const field = (kind: ColumnKind, value: ParquetValue | null): string => {
  if (value === null) return ""
  if (kind === "text") return `"${(value as string).replace(/"/g, '""')}"`
  const text = typedText(kind, value)
  if (text instanceof Error) {
    if (kind === "timestamp") return wideInstantText(value as number | bigint)
    throw text
  }
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
      output.rows,
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
