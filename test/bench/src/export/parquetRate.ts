/**
 * The Parquet path alone, per page and per stage: fetches three real 100 000-row Orders pages from an in-process
 * sandbox once, then times, on the same pages, the plain parse Parquet pages take (`Pagination.parseRows`),
 * rendering and typing the cells (the Parquet plans, in the export's slices), and laying the typed rows out and
 * encoding them (`makeParquetFormat`: row groups, dictionaries, zstd). Only CPU per page is measured — no network,
 * no disk. Run on its own:
 *
 *   npx -y pnpm@12.4.2 exec node --expose-gc test/bench/src/export/parquetRate.ts
 *
 * `PARQUET_ROUNDS=n` sets the timed rounds (default 5).
 */
import { loadavg } from "node:os"
import { Pagination } from "@spotpipe/core"
import { resolveTimeZone } from "@spotpipe/decode"
import { startSandbox } from "@spotpipe/sandbox"
import { Effect } from "effect"
import { parquetPlans } from "../../../../apps/export/src/formats/ParquetCells.ts"
import { makeParquetFormat } from "../../../../apps/export/src/formats/ParquetFormat.ts"
import type { RenderedPage } from "../../../../apps/export/src/formats/RowFormat.ts"
import { isRenderFailure, makeRowRenderer } from "../../../../apps/export/src/formats/RowRenderer.ts"
import { planColumns } from "../../../../apps/export/src/plan/ColumnPlanner.ts"
import { openWire, pageSize } from "./wire.ts"

const ordersTypes: Readonly<Record<string, string>> = {
  "Order ID": "INT64",
  Region: "VARCHAR",
  Product: "VARCHAR",
  Customer: "VARCHAR",
  Quantity: "INT64",
  Revenue: "DOUBLE",
  Returned: "BOOL",
  "Order Date": "DATE",
  "Shipped At": "DATE_TIME",
  "Ship Time": "TIME"
}
const PAGES = 3
const ROUNDS = Number(process.env.PARQUET_ROUNDS ?? 5)
const sliceRows = 4096
const collect = (globalThis as { gc?: () => void }).gc
const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const cpu = <A>(f: () => A): [A, number] => {
  const started = process.cpuUsage()
  const a = f()
  const used = process.cpuUsage(started)
  return [a, (used.user + used.system) / 1000]
}

const sandbox = await startSandbox({ rows: PAGES * pageSize, requireUserAgent: false })
const texts: Array<string> = []
try {
  const wire = await openWire(sandbox.url)
  try {
    for (let p = 0; p < PAGES; p++) texts.push(await wire.page(p * pageSize))
  } finally {
    wire.close()
  }
} finally {
  await sandbox.close()
}
const first = JSON.parse(texts[0]!) as { contents: Array<{ column_names: Array<string> }> }
const names = first.contents[0]!.column_names
const zone = resolveTimeZone(sandbox.timezone)
if (zone instanceof Error) throw zone
const plans = parquetPlans(
  planColumns(
    names,
    names.map((name) => ordersTypes[name] ?? null),
    { timeZone: zone, offset: "utc" }
  )
)
const renderer = makeRowRenderer(plans, false)
const pages: Array<Pagination.PageBytes> = texts.map((text) => {
  const bytes = Buffer.from(text, "utf8")
  const start = bytes.indexOf("[", bytes.indexOf('"data_rows":'))
  const end = bytes.lastIndexOf("]", bytes.indexOf('"returned_data_row_count"')) + 1
  return {
    bytes,
    start,
    end,
    columnNames: names,
    rowCount: pageSize,
    recordOffset: 0,
    availableRowCount: PAGES * pageSize,
    samplingRatio: 1
  }
})
const parse = (page: Pagination.PageBytes) => Effect.runSync(Pagination.parseRows(page))
parse(pages[0]!)

const stages = { parse: [] as Array<number>, type: [] as Array<number>, encode: [] as Array<number> }
let outBytes = 0
for (let round = -1; round < ROUNDS; round++) {
  const format = makeParquetFormat({
    columns: renderer.columns.map((c) => c.name),
    types: renderer.columns.map((c) => c.type)
  })
  let written = 0
  for (const page of pages) {
    collect?.()
    const [rows, parseMs] = cpu(() => parse(page))
    let typeMs = 0
    let encodeMs = 0
    for (let at = 0; at < rows.length; at += sliceRows) {
      const [rendered, t] = cpu(() => renderer.render(rows.slice(at, at + sliceRows), at))
      if (isRenderFailure(rendered)) throw rendered.error
      const [bytes, e] = cpu(() => format.page(rendered as RenderedPage))
      typeMs += t
      encodeMs += e
      written += bytes.length
    }
    if (round >= 0) {
      stages.parse.push(parseMs)
      stages.type.push(typeMs)
      stages.encode.push(encodeMs)
    }
  }
  const [last, e] = cpu(() => format.end())
  written += last.length
  if (round >= 0) stages.encode[stages.encode.length - 1]! += e
  outBytes = written
}
const load = loadavg()[0]!
for (const [stage, times] of Object.entries(stages)) {
  console.log(
    `${stage.padEnd(7)} ${median(times).toFixed(1).padStart(7)} ms/page (best ${Math.min(...times).toFixed(1)})`
  )
}
const total = median(stages.parse) + median(stages.type) + median(stages.encode)
console.log(
  `total   ${total.toFixed(1).padStart(7)} ms/page; file ${(outBytes / 2 ** 20).toFixed(1)} MiB for ${PAGES} pages`
)
console.log(`${PAGES} pages of ${pageSize} rows, ${ROUNDS} rounds; load average ${load.toFixed(2)} at the end`)
