/**
 * NDJSON lines as CSV rows for PostgreSQL's `COPY … (FORMAT csv)` and DuckDB's `read_csv`, exactly: numbers keep
 * their source text (an INT64 beyond 2^53 is never rounded through a double, `-0` stays `-0`, `1e-7` in a text
 * column stays `1e-7`), a null is an unquoted field of the null text (empty: NULL to `COPY`; DuckDB is given `\N`,
 * since it skips the blank line of a one-column row) and every string is quoted (so an empty string stays an empty
 * string), objects and arrays as their JSON text. A line whose keys are not the manifest's columns is refused with
 * its line number, never loaded shifted or short.
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

/** The CSV field of one NDJSON value (`nullText` for a null). */
const field = (value: unknown, nullText: string): string => {
  if (value === null) return nullText
  if (typeof value === "string") return quote(value)
  if (typeof value === "boolean") return value ? "true" : "false"
  if (json.isRawJSON(value)) return JSON.stringify(value)
  return quote(JSON.stringify(value))
}

/** The same conversion through `JSON.parse` (any key order or spacing); the reference for {@link ndjsonLineToCsv}. */
export const parsedLineToCsv = (
  line: string,
  columns: ReadonlyArray<string>,
  lineNumber: number,
  nullText = ""
): string => {
  let row: unknown
  try {
    row = json.parse(line, keepSource)
  } catch {
    throw new Error(`line ${lineNumber} is not valid JSON`)
  }
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
    out += (i === 0 ? "" : ",") + field(record[name], nullText)
  }
  return `${out}\n`
}

const number = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/
const QUOTE = 34

/** The index just past the JSON string starting at `start` (a `"`), or -1; `escaped[0]` says if it has a `\`. */
const stringEnd = (line: string, start: number, escaped: Array<boolean>): number => {
  let at = start + 1
  escaped[0] = false
  for (;;) {
    const close = line.indexOf('"', at)
    if (close < 0) return -1
    const slash = line.indexOf("\\", at)
    if (slash < 0 || slash > close) return close + 1
    escaped[0] = true
    at = slash + 2
  }
}

/** The index just past the array or object starting at `start`, skipping strings; -1 if it does not close. */
const nestedEnd = (line: string, start: number): number => {
  let depth = 0
  const escaped = [false]
  for (let at = start; at < line.length; at++) {
    const c = line.charCodeAt(at)
    if (c === QUOTE) {
      const end = stringEnd(line, at, escaped)
      if (end < 0) return -1
      at = end - 1
    } else if (c === 91 || c === 123) depth++
    else if (c === 93 || c === 125) {
      depth--
      if (depth === 0) return at + 1
    }
  }
  return -1
}

/**
 * A line of NDJSON (one object with exactly `columns`' keys) as one CSV row with a `\n`. spotpipe writes its keys
 * in column order without spaces, so the line is read in one pass without building an object; any other line
 * (spaces, another key order, a refused shape) goes through {@link parsedLineToCsv}, which converts it the same
 * way or says what is wrong.
 */
export const ndjsonLineToCsv = (
  line: string,
  columns: ReadonlyArray<string>,
  lineNumber: number,
  nullText = ""
): string => {
  const slow = () => parsedLineToCsv(line, columns, lineNumber, nullText)
  if (line.charCodeAt(0) !== 123) return slow()
  const escaped = [false]
  let at = 1
  let out = ""
  for (let c = 0; c < columns.length; c++) {
    if (line.charCodeAt(at) !== QUOTE) return slow()
    const keyEnd = stringEnd(line, at, escaped)
    if (keyEnd < 0) return slow()
    const key = escaped[0] ? (JSON.parse(line.slice(at, keyEnd)) as string) : line.slice(at + 1, keyEnd - 1)
    if (key !== columns[c] || line.charCodeAt(keyEnd) !== 58) return slow()
    at = keyEnd + 1
    const first = line.charCodeAt(at)
    let end: number
    let text: string
    if (first === QUOTE) {
      end = stringEnd(line, at, escaped)
      if (end < 0) return slow()
      const value = escaped[0] ? (JSON.parse(line.slice(at, end)) as string) : line.slice(at + 1, end - 1)
      text = quote(value)
    } else if (first === 91 || first === 123) {
      end = nestedEnd(line, at)
      if (end < 0) return slow()
      text = quote(line.slice(at, end))
    } else {
      end = at
      while (end < line.length) {
        const ch = line.charCodeAt(end)
        if (ch === 44 || ch === 125) break
        end++
      }
      const token = line.slice(at, end)
      if (token === "null") text = nullText
      else if (token === "true" || token === "false") text = token
      else if (number.test(token)) text = token
      else return slow()
    }
    out += c === 0 ? text : `,${text}`
    at = end
    const separator = line.charCodeAt(at)
    if (c < columns.length - 1 ? separator !== 44 : separator !== 125 || at !== line.length - 1) return slow()
    at++
  }
  return columns.length === 0 ? slow() : `${out}\n`
}

/**
 * A stream that turns NDJSON bytes into CSV rows (see {@link ndjsonLineToCsv}), a null as `nullText` (default
 * empty); blank lines and lines longer than `maxLine` are refused. `longestRow` is the length of the longest row
 * written so far, in UTF-16 code units (at most 3 bytes of UTF-8 each).
 */
export const ndjsonToCsv = (
  columns: ReadonlyArray<string>,
  nullText = "",
  /** The longest line read, in UTF-16 code units: about the longest string JavaScript holds. */
  maxLine = 2 ** 29 - 24
): Transform & { readonly longestRow: () => number } => {
  const decoder = new StringDecoder("utf8")
  // The start of a line not ended yet, in pieces: joined once its end comes, so a long line costs its length once
  // (split again with every chunk, a line of 200 MB took 14 s).
  let carry: Array<string> = []
  let carried = 0
  let lineNumber = 0
  let longest = 0
  const convert = (text: string, final: boolean): string => {
    const end = text.indexOf("\n")
    const head = carried + (end < 0 ? text.length : end)
    // A file with no line end (damaged, or zeros after a crash) is not read into memory whole.
    if (head > maxLine) throw new Error(`line ${lineNumber + 1} is longer than ${maxLine} characters`)
    if (!final && end < 0) {
      carried = head
      carry.push(text)
      return ""
    }
    carry.push(text)
    const lines = carry.join("").split("\n")
    carry = final ? [] : [lines.pop()!]
    carried = carry.length === 0 ? 0 : carry[0]!.length
    let out = ""
    for (const raw of lines) {
      lineNumber++
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw
      if (line === "") throw new Error(`line ${lineNumber} is empty`)
      const row = ndjsonLineToCsv(line, columns, lineNumber, nullText)
      if (row.length > longest) longest = row.length
      out += row
    }
    return out
  }
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      try {
        callback(null, convert(decoder.write(chunk), false))
      } catch (error) {
        callback(error as Error)
      }
    },
    flush(callback: TransformCallback) {
      try {
        const rest = carry.join("") + decoder.end()
        carry = []
        carried = 0
        callback(null, rest === "" ? "" : convert(rest, true))
      } catch (error) {
        callback(error as Error)
      }
    }
  })
  return Object.assign(stream, { longestRow: () => longest })
}
