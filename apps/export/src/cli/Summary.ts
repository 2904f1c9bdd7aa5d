/**
 * The summary printed at the end of a run: object, rows, file, bytes, seconds — one line per output, columns
 * padded to their widest cell so it reads well in a terminal and in CI logs alike — and a footer with the
 * number of files, the rows of each result counted once (the demo writes every result twice, as CSV and NDJSON)
 * and the folder the files went to. Server-controlled text is made inert; counts have thousands separators.
 * With `--log-format json` it is one JSON object instead ({@link summaryJson}).
 */
import { formatCount, inert, jsonLine } from "./TerminalText.ts"

/** One line of the summary. */
export interface SummaryLine {
  readonly object: string
  readonly rows: number
  readonly file: string
  readonly bytes: number
  readonly seconds: number
  /**
   * Which result the file holds (files of one result, e.g. its CSV and NDJSON, share it and their rows count
   * once); each line is its own result when absent.
   */
  readonly result?: number
}

/** Where the files went: the absolute folder, or absent for stdout. */
export interface SummaryOptions {
  readonly folder?: string
}

const headers = ["object", "rows", "file", "bytes", "seconds"] as const
const numeric = [false, true, false, true, true] as const

const plural = (n: number, one: string, many: string) => `${formatCount(n)} ${n === 1 ? one : many}`

/** Results and their rows, each result counted once. */
const totals = (lines: ReadonlyArray<SummaryLine>) => {
  const seen = new Set<number>()
  let results = 0
  let rows = 0
  for (const line of lines) {
    if (line.result !== undefined) {
      if (seen.has(line.result)) continue
      seen.add(line.result)
    }
    results++
    rows += line.rows
  }
  return { results, rows }
}

/** The summary table as text (ending with a newline). */
export const formatSummary = (lines: ReadonlyArray<SummaryLine>, options: SummaryOptions = {}): string => {
  const cells = lines.map((line) => [
    inert(line.object),
    formatCount(line.rows),
    inert(line.file),
    formatCount(line.bytes),
    line.seconds.toFixed(2)
  ])
  const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((row) => [...(row[i] ?? "")].length)))
  const pad = (text: string, i: number) => {
    const fill = " ".repeat(Math.max(0, (widths[i] ?? 0) - [...text].length))
    return numeric[i] ? fill + text : text + fill
  }
  const render = (row: ReadonlyArray<string>) =>
    row
      .map((cell, i) => pad(cell, i))
      .join("  ")
      .trimEnd()
  const rule = widths.map((w) => "-".repeat(w)).join("  ")
  const { results, rows } = totals(lines)
  const files = plural(lines.length, "file", "files")
  const counted = results === lines.length ? files : `${files} (${plural(results, "result", "results")})`
  const where = options.folder === undefined ? "" : ` in ${inert(options.folder)}`
  return [render(headers), rule, ...cells.map(render), rule, `${counted}, ${plural(rows, "row", "rows")}${where}`]
    .map((line) => `${line}\n`)
    .join("")
}

/** The summary as one line of JSON (numbers as plain digits), e.g. for `--log-format json`. */
export const summaryJson = (lines: ReadonlyArray<SummaryLine>, options: SummaryOptions = {}): string => {
  const { results, rows } = totals(lines)
  return jsonLine({
    summary: {
      files: lines.length,
      results,
      rows,
      folder: options.folder ?? null,
      outputs: lines.map((line) => ({
        object: line.object,
        rows: line.rows,
        file: line.file,
        bytes: line.bytes,
        seconds: line.seconds
      }))
    }
  })
}
