/**
 * L, the limit: every page fetched (100 000 rows each) and `JSON.parse`d, rows discarded. Nothing an exporter
 * does can be faster on one thread, so spotpipe's rate is judged against it. Also the format-only rates: the
 * same rows turned into CSV by papaparse and into NDJSON by the obvious per-row writer, timing only the
 * formatting (parsing is outside the clock).
 */
import Papa from "papaparse"
import { eachPage, type SearchDataBody, type Wire } from "./wire.ts"

/** Rows and seconds of one measured pass. */
export interface Rate {
  readonly rows: number
  readonly seconds: number
}

/** Rows per second of a pass. */
export const rowsPerSecond = (r: Rate): number => r.rows / r.seconds

/** Fetches and parses every page; fails if the rows do not add up. */
export const measureLimit = async (wire: Wire, rows: number): Promise<Rate> => {
  const started = performance.now()
  const seen = await eachPage(wire, rows, (text) => {
    const body = JSON.parse(text) as SearchDataBody
    return body.contents[0]?.returned_data_row_count ?? 0
  })
  const seconds = (performance.now() - started) / 1000
  if (seen !== rows) throw new Error(`the limit pass read ${seen} rows, expected ${rows}`)
  return { rows, seconds }
}

/** Format-only rates over `rows` rows: papaparse CSV (`Papa.unparse` per page) and NDJSON (`JSON.stringify` per row). */
export const measureFormats = async (wire: Wire, rows: number): Promise<{ csv: Rate; ndjson: Rate }> => {
  let csvMs = 0
  let ndjsonMs = 0
  let chars = 0
  const seen = await eachPage(wire, rows, (text) => {
    const content = (JSON.parse(text) as SearchDataBody).contents[0]!
    const names = content.column_names
    const data = content.data_rows
    let t = performance.now()
    // Header on the first page only, as a streaming CSV writer would.
    chars += Papa.unparse({ fields: [...names], data: data as Array<Array<unknown>> }, { header: chars === 0 }).length
    csvMs += performance.now() - t
    t = performance.now()
    const lines: Array<string> = []
    for (const row of data) {
      const object: Record<string, unknown> = {}
      for (let c = 0; c < names.length; c++) object[names[c]!] = row[c]
      lines.push(JSON.stringify(object))
    }
    chars += lines.join("\n").length
    ndjsonMs += performance.now() - t
    return data.length
  })
  if (seen !== rows || chars === 0) throw new Error(`the format pass read ${seen} rows, expected ${rows}`)
  return { csv: { rows, seconds: csvMs / 1000 }, ndjson: { rows, seconds: ndjsonMs / 1000 } }
}
