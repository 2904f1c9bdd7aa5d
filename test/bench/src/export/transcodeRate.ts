/**
 * The rows transcoder alone, per page: fetches three real 100 000-row Orders pages from an in-process sandbox
 * once, then times `transcode` of them many times (CSV and NDJSON) against `JSON.parse` of the same page text.
 * Only CPU per page is measured — no network, no disk — so changes to the transcoder and the date writers can be
 * compared in seconds. Run on its own:
 *
 *   npx pnpm@12.4.2 exec node test/bench/src/export/transcodeRate.ts
 *
 * `TRANSCODE_ROUNDS=n` sets the timed rounds (default 9). `TRANSCODE_BASELINE=<path of another RowsTranscoder
 * module>` adds that module's figures to the same run (for before → after comparisons, e.g. a copy of the file
 * from an older commit placed beside the current one). `--expose-gc` lets each timing start after a `gc()`.
 * Exits non-zero if it cannot run (sandbox, fetch, or a transcoder that declines an ordinary page).
 */
import { loadavg } from "node:os"
import { resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { resolveTimeZone } from "@spotpipe/decode"
import { startSandbox } from "@spotpipe/sandbox"
import { makeRowRenderer } from "../../../../apps/export/src/formats/RowRenderer.ts"
import { makeRowsTranscoder, type TranscoderOptions } from "../../../../apps/export/src/formats/RowsTranscoder.ts"
import { planColumns } from "../../../../apps/export/src/plan/ColumnPlanner.ts"
import { openWire, pageSize } from "./wire.ts"

/** The Orders model's column types, as `metadata/search` reports them. */
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
const ROUNDS = Number(process.env.TRANSCODE_ROUNDS ?? 9)

/** One measured variant: median and best milliseconds per page. */
export interface TranscodeFigure {
  readonly name: string
  readonly median: number
  readonly best: number
  readonly outBytes: number
}

type Make = (options: TranscoderOptions) => {
  readonly transcode: (bytes: Uint8Array, start: number) => { readonly chunks: ReadonlyArray<Uint8Array> } | undefined
  readonly recycle: (chunks: ReadonlyArray<Uint8Array>) => void
}

/** `gc` when Node runs with `--expose-gc` (as `pnpm bench` starts benches): each timing then starts clean, and
 * `JSON.parse`'s garbage is not charged to the transcoder timed after it. */
const collect = (globalThis as { gc?: () => void }).gc

const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

/**
 * Times every runner over every page, `ROUNDS` times after one warm-up round; CPU ms per page (this process's
 * user + system time, which other processes' load disturbs far less than wall time). Runners take turns within
 * each round, so what load remains and GC spread over all of them alike.
 */
const timePages = (
  pages: number,
  runners: ReadonlyArray<(page: number) => number>
): Array<{ median: number; best: number; out: number }> => {
  const out = runners.map(() => 0)
  const times = runners.map((): Array<number> => [])
  for (let round = -1; round < ROUNDS; round++) {
    for (let r = 0; r < runners.length; r++) {
      for (let p = 0; p < pages; p++) {
        collect?.()
        const started = process.cpuUsage()
        out[r] = runners[r]!(p)
        const used = process.cpuUsage(started)
        if (round >= 0) times[r]!.push((used.user + used.system) / 1000)
      }
    }
  }
  return runners.map((_, r) => ({ median: median(times[r]!), best: Math.min(...times[r]!), out: out[r]! }))
}

/** Fetches the pages and measures `JSON.parse` and each transcoder on them. */
export const measureTranscode = async (
  variants: ReadonlyArray<{ readonly label: string; readonly make: Make }>
): Promise<ReadonlyArray<TranscodeFigure>> => {
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
  const bodies = texts.map((text) => Buffer.from(text, "utf8"))
  const starts = bodies.map((body) => {
    const at = body.indexOf('"data_rows":')
    if (at < 0) throw new Error("a page without data_rows")
    return body.indexOf("[", at)
  })
  const first = JSON.parse(texts[0]!) as { contents: Array<{ column_names: Array<string> }> }
  const names = first.contents[0]!.column_names
  const zone = resolveTimeZone(sandbox.timezone)
  if (zone instanceof Error) throw zone
  const plans = planColumns(
    names,
    names.map((name) => ordersTypes[name] ?? null),
    { timeZone: zone, offset: "utc" }
  )
  const renderer = makeRowRenderer(plans, false)
  const firstOutputs = new Map<string, Buffer>()
  const labels: Array<string> = ["JSON.parse (the page text)"]
  const runners: Array<(page: number) => number> = [
    (p) => (JSON.parse(texts[p]!) as { contents: ReadonlyArray<unknown> }).contents.length
  ]
  for (const { label, make } of variants) {
    for (const format of ["csv", "ndjson"] as const) {
      const transcoder = make({
        format,
        columns: renderer.columns.map((c) => c.name),
        sources: renderer.sources,
        formatters: renderer.formatters,
        plainText: renderer.plainText,
        width: names.length,
        newline: "\r\n",
        escapeFormulae: false
      })
      labels.push(`${label} ${format}`)
      // Every variant must write the same bytes: a fast wrong answer is no answer.
      const check = transcoder.transcode(bodies[0]!, starts[0]!)
      if (check === undefined) throw new Error(`${label} declined an ordinary ${format} page`)
      const written = Buffer.concat(check.chunks)
      transcoder.recycle(check.chunks)
      const expected = firstOutputs.get(format)
      if (expected === undefined) firstOutputs.set(format, written)
      else if (!expected.equals(written))
        throw new Error(`${label} ${format} wrote other bytes than ${variants[0]!.label}`)
      runners.push((p) => {
        const result = transcoder.transcode(bodies[p]!, starts[p]!)
        if (result === undefined) throw new Error(`${label} declined an ordinary ${format} page`)
        let bytes = 0
        for (const c of result.chunks) bytes += c.byteLength
        transcoder.recycle(result.chunks)
        return bytes
      })
    }
  }
  const figures = timePages(PAGES, runners).map(
    (t, i): TranscodeFigure => ({ name: labels[i]!, median: t.median, best: t.best, outBytes: i === 0 ? 0 : t.out })
  )
  return figures
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (isMain) {
  const variants: Array<{ label: string; make: Make }> = [{ label: "current", make: makeRowsTranscoder }]
  const baseline = process.env.TRANSCODE_BASELINE
  if (baseline !== undefined && baseline !== "") {
    const module = (await import(pathToFileURL(resolve(baseline)).href)) as { makeRowsTranscoder: Make }
    variants.unshift({ label: "baseline", make: module.makeRowsTranscoder })
  }
  try {
    const before = loadavg()[0]!
    const figures = await measureTranscode(variants)
    const parse = figures[0]!.median
    const rows = [["variant", "CPU ms/page (median)", "best", "× JSON.parse", "MB out/page"]]
    for (const f of figures) {
      rows.push([
        f.name,
        f.median.toFixed(1),
        f.best.toFixed(1),
        (f.median / parse).toFixed(2),
        f.outBytes === 0 ? "" : (f.outBytes / 1e6).toFixed(1)
      ])
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
    for (const r of rows) console.log(r.map((cell, i) => cell.padEnd(widths[i]!)).join("  "))
    console.log(
      `${PAGES} pages of ${pageSize} rows, ${ROUNDS} rounds; load average ${before.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after`
    )
  } catch (error) {
    console.error(`transcodeRate cannot run: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  }
}
