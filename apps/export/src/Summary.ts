/**
 * The summary table printed at the end of a run: object, rows, file, bytes, seconds — one line per output,
 * columns padded to their widest cell so it reads well in a terminal and in CI logs alike.
 */

/** One line of the summary. */
export interface SummaryLine {
  readonly object: string
  readonly rows: number
  readonly file: string
  readonly bytes: number
  readonly seconds: number
}

const headers = ["object", "rows", "file", "bytes", "seconds"] as const
const numeric = [false, true, false, true, true] as const

/** The summary table as text (ending with a newline). */
export const formatSummary = (lines: ReadonlyArray<SummaryLine>): string => {
  const cells = lines.map((line) => [
    line.object,
    String(line.rows),
    line.file,
    String(line.bytes),
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
  const total = lines.reduce((sum, line) => sum + line.rows, 0)
  return [
    render(headers),
    rule,
    ...cells.map(render),
    rule,
    `${lines.length} ${lines.length === 1 ? "file" : "files"}, ${total} rows`
  ]
    .map((line) => `${line}\n`)
    .join("")
}
