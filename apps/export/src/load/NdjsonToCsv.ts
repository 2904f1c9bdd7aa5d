/**
 * NDJSON lines as CSV rows for PostgreSQL's `COPY … (FORMAT csv)`, exactly: numbers keep their source text (an
 * INT64 beyond 2^53 is never rounded through a double), a null is an unquoted empty field (NULL) and every string
 * is quoted (so an empty string stays an empty string), objects and arrays as their JSON text. A line whose keys
 * are not the manifest's columns is refused with its line number, never loaded shifted or short.
 */
import { Transform, type TransformCallback } from "node:stream"
import { StringDecoder } from "node:string_decoder"

// Node 22+ (V8 ≥ 11.4): a reviver sees each value's source text, and JSON.rawJSON keeps it through stringify.
type Reviver = (this: unknown, key: string, value: unknown, context: { readonly source?: string }) => unknown
const json = JSON as unknown as {
  parse(text: string, reviver: Reviver): unknown
  rawJSON(text: string): object
  isRawJSON(value: unknown): boolean
}
const keepSource: Reviver = (_key, value, context) =>
  typeof value === "number" && context.source !== undefined ? json.rawJSON(context.source) : value

const quote = (text: string): string => `"${text.replace(/"/g, '""')}"`

/** The CSV field of one NDJSON value. */
const field = (value: unknown): string => {
  if (value === null) return ""
  if (typeof value === "string") return quote(value)
  if (typeof value === "boolean") return value ? "true" : "false"
  if (json.isRawJSON(value)) return JSON.stringify(value)
  return quote(JSON.stringify(value))
}

/** A line of NDJSON (one object with exactly `columns`' keys) as one CSV row with a `\n`. */
export const ndjsonLineToCsv = (line: string, columns: ReadonlyArray<string>, lineNumber: number): string => {
  const row = json.parse(line, keepSource)
  if (typeof row !== "object" || row === null || Array.isArray(row)) {
    throw new Error(`line ${lineNumber} is not a JSON object`)
  }
  const record = row as Record<string, unknown>
  const keys = Object.keys(record)
  if (keys.length !== columns.length) {
    throw new Error(`line ${lineNumber} has ${keys.length} keys where the manifest lists ${columns.length} columns`)
  }
  let out = ""
  for (let i = 0; i < columns.length; i++) {
    const name = columns[i]!
    if (!Object.hasOwn(record, name)) throw new Error(`line ${lineNumber} has no "${name}"`)
    out += (i === 0 ? "" : ",") + field(record[name])
  }
  return `${out}\n`
}

/** A stream that turns NDJSON bytes into CSV rows (see {@link ndjsonLineToCsv}); blank lines are refused. */
export const ndjsonToCsv = (columns: ReadonlyArray<string>): Transform => {
  const decoder = new StringDecoder("utf8")
  let carry = ""
  let lineNumber = 0
  const convert = (text: string, final: boolean): string => {
    const lines = (carry + text).split("\n")
    carry = final ? "" : lines.pop()!
    let out = ""
    for (const raw of lines) {
      lineNumber++
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw
      if (line === "") throw new Error(`line ${lineNumber} is empty`)
      out += ndjsonLineToCsv(line, columns, lineNumber)
    }
    return out
  }
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      try {
        callback(null, convert(decoder.write(chunk), false))
      } catch (error) {
        callback(error as Error)
      }
    },
    flush(callback: TransformCallback) {
      try {
        const rest = carry + decoder.end()
        carry = ""
        callback(null, rest === "" ? "" : convert(rest, true))
      } catch (error) {
        callback(error as Error)
      }
    }
  })
}
