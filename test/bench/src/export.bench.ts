/**
 * `pnpm bench export`: spotpipe end to end against the limit and against what users would use instead, on the
 * same machine and the same sandbox data (the Orders model: 10 columns of mixed types, three of them dates).
 * The sandbox runs as its own process on loopback. Measured:
 * - L, the limit: every 100 000-row page fetched and `JSON.parse`d, nothing else;
 * - format-only rates on the same rows: papaparse CSV, per-row `JSON.stringify` NDJSON;
 * - the real `spotpipe search` process to CSV and to NDJSON with date normalization: wall time, rows/s, peak RSS,
 *   with `--workers 0` (everything on the main thread) and `--workers 1` (the default on 2+ cores), and to
 *   Parquet (typed columns, zstd: the pages staged as CSV with the default workers, encoded beside the export);
 * - the official SDK approach (`searchData` paging, rows collected, one `Papa.unparse`) in its own process;
 * - decode alone: 10 M DATE cells vs per-cell `Intl`;
 * - concurrency: 50 ms latency per page, a 2 M-row export at prefetch concurrency 1, 2, 4, 8.
 * Targets are printed PASS/MISS; the bench exits non-zero only if something could not run.
 */
import { loadavg } from "node:os"
import { type ChildResult, rssMethod, runNode } from "./export/childRun.ts"
import { runConcurrency } from "./export/concurrency.ts"
import { decodeCells, measureDecode } from "./export/decodeRate.ts"
import { measureFormats, measureLimit, type Rate, rowsPerSecond } from "./export/limit.ts"
import { profileSpotpipe } from "./export/profile.ts"
import { startSandboxProcess } from "./export/sandboxProcess.ts"
import { runSdk } from "./export/sdkRun.ts"
import { cliMain, runSpotpipe, type SpotpipeRun } from "./export/spotpipeRun.ts"
import { openWire, pageSize, type SearchDataBody } from "./export/wire.ts"

// EXPORT_BENCH_QUICK=1 divides every size by 10: a smoke run of the harness, not a result.
const scale = process.env["EXPORT_BENCH_QUICK"] === "1" ? 10 : 1
const SMALL = 1_000_000 / scale
const LARGE = 10_000_000 / scale
const CONCURRENCY_ROWS = 2_000_000 / scale
// EXPORT_BENCH_PROFILE=1 also profiles one CSV and one NDJSON export of SMALL rows and prints the hottest functions.
const PROFILE = process.env["EXPORT_BENCH_PROFILE"] === "1"
/** Time limit of one export process; the SDK approach at 10 M is the one likely to need it. */
const RUN_TIMEOUT_MS = 300_000

const loadBefore = loadavg()[0]!
const problems: Array<string> = []

/** One measured process or pass, as a table row. */
interface Line {
  readonly label: string
  readonly rows: number
  readonly seconds: number | undefined
  readonly rssBytes: number | undefined
  readonly failure?: string
}

const fromRate = (label: string, r: Rate): Line => ({ label, rows: r.rows, seconds: r.seconds, rssBytes: undefined })
const fromRun = (label: string, rows: number, r: ChildResult & { failure: string | undefined }): Line => ({
  label,
  rows,
  seconds: r.wallMs / 1000,
  rssBytes: r.peakRssBytes > 0 ? r.peakRssBytes : undefined,
  ...(r.failure === undefined ? {} : { failure: r.failure })
})

/** The `--workers` settings measured. */
const WORKERS = [0, 1] as const
type Workers = (typeof WORKERS)[number]

interface SizeResults {
  readonly rows: number
  readonly limit: Line
  readonly lines: ReadonlyArray<Line>
  readonly spotpipe: Record<Workers, { readonly csv: SpotpipeRun; readonly ndjson: SpotpipeRun }>
  readonly parquet: SpotpipeRun
  readonly sdk: ChildResult & { failure: string | undefined }
}

const progress = (text: string) => process.stderr.write(`[export bench] ${text}\n`)

/** Everything measured against one sandbox of `rows` rows. */
const measureSize = async (rows: number, withExtras: boolean) => {
  const sandbox = await startSandboxProcess({ rows })
  try {
    const wire = await openWire(sandbox.url)
    progress(`${rows} rows: limit`)
    const limit = fromRate("L: fetch + JSON.parse only", await measureLimit(wire, rows))
    const extra: Array<Line> = []
    let decode: ReturnType<typeof measureDecode> | undefined
    if (withExtras) {
      progress(`${rows} rows: format-only rates`)
      const formats = await measureFormats(wire, rows)
      extra.push(fromRate("format only: Papa.unparse CSV", formats.csv))
      extra.push(fromRate("format only: JSON.stringify NDJSON", formats.ndjson))
      progress("decode alone")
      const content = (JSON.parse(await wire.page(0)) as SearchDataBody).contents[0]!
      const dateColumn = content.column_names.indexOf("Order Date")
      decode = measureDecode(
        content.data_rows.map((r) => r[dateColumn]),
        "America/Los_Angeles"
      )
    }
    wire.close()
    if (withExtras) {
      // What loading the CLI costs before any data: the floor under every spotpipe peak RSS below.
      const help = await runNode([cliMain, "search", "--help"])
      extra.push({
        label: "spotpipe start-up only (search --help)",
        rows: 0,
        seconds: undefined,
        rssBytes: help.peakRssBytes,
        ...(help.code === 0 ? {} : { failure: `exit ${help.code ?? help.signal}` })
      })
    }
    const spotpipe = {} as Record<Workers, { csv: SpotpipeRun; ndjson: SpotpipeRun }>
    for (const workers of WORKERS) {
      const run = (format: "csv" | "ndjson") => {
        progress(`${rows} rows: spotpipe ${format} --workers ${workers}`)
        return runSpotpipe({ url: sandbox.url, rows, format, pageSize, workers, timeoutMs: RUN_TIMEOUT_MS })
      }
      spotpipe[workers] = { csv: await run("csv"), ndjson: await run("ndjson") }
    }
    progress(`${rows} rows: spotpipe parquet`)
    const parquet = await runSpotpipe({
      url: sandbox.url,
      rows,
      format: "parquet",
      pageSize,
      timeoutMs: RUN_TIMEOUT_MS
    })
    if (parquet.failure !== undefined) problems.push(`spotpipe parquet at ${rows} rows failed: ${parquet.failure}`)
    progress(`${rows} rows: official SDK`)
    const sdk = await runSdk(sandbox.url, rows, RUN_TIMEOUT_MS)
    const profiles: Array<{ format: string; summary: Awaited<ReturnType<typeof profileSpotpipe>> }> = []
    if (withExtras && PROFILE) {
      for (const format of ["csv", "ndjson"] as const) {
        progress(`${rows} rows: profiling spotpipe ${format}`)
        profiles.push({ format, summary: await profileSpotpipe({ url: sandbox.url, rows, format, pageSize }, 15) })
      }
    }
    for (const workers of WORKERS) {
      for (const [name, run] of Object.entries(spotpipe[workers])) {
        if (run.failure !== undefined)
          problems.push(`spotpipe ${name} --workers ${workers} at ${rows} rows failed: ${run.failure}`)
      }
    }
    const results: SizeResults = {
      rows,
      limit,
      lines: [
        limit,
        ...extra,
        ...WORKERS.flatMap((w) => [
          fromRun(`spotpipe search → CSV, --workers ${w}`, rows, spotpipe[w].csv),
          fromRun(`spotpipe search → NDJSON, --workers ${w}`, rows, spotpipe[w].ndjson)
        ]),
        fromRun("spotpipe search → Parquet (zstd)", rows, parquet),
        fromRun("official SDK + Papa.unparse (CSV)", rows, sdk)
      ],
      spotpipe,
      parquet,
      sdk
    }
    return { results, decode, profiles }
  } finally {
    await sandbox.stop()
  }
}

const mega = (n: number) => `${(n / 1e6).toFixed(2)} M`
const mib = (bytes: number | undefined) => (bytes === undefined ? "n/a" : `${(bytes / 2 ** 20).toFixed(0)} MiB`)
const verdict = (ok: boolean) => (ok ? "PASS" : "MISS")
const pad = (cells: ReadonlyArray<string>, widths: ReadonlyArray<number>) =>
  `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`
const table = (head: ReadonlyArray<string>, body: ReadonlyArray<ReadonlyArray<string>>) => {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)))
  console.log(pad(head, widths))
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`)
  for (const r of body) console.log(pad(r, widths))
}
const rateOf = (line: Line) =>
  line.seconds === undefined || line.failure !== undefined ? undefined : line.rows / line.seconds

const runRate = (run: ChildResult & { failure: string | undefined }, rows: number) =>
  run.failure === undefined ? rows / (run.wallMs / 1000) : 0

try {
  const small = await measureSize(SMALL, true)
  const large = await measureSize(LARGE, false)
  progress(`${CONCURRENCY_ROWS} rows with 50 ms latency: concurrency 1, 2, 4, 8`)
  const concurrency = await runConcurrency(CONCURRENCY_ROWS, [1, 2, 4, 8], RUN_TIMEOUT_MS)
  for (const c of concurrency.runs) {
    if (c.run.failure !== undefined) problems.push(`concurrency ${c.concurrency} failed: ${c.run.failure}`)
  }

  console.log(
    `Orders query (10 columns: INT64, VARCHAR ×3, INT64, DOUBLE, BOOL, DATE, DATE_TIME, TIME), pages of ${pageSize} rows,`
  )
  console.log(`sandbox in its own process on loopback; peak RSS = ${rssMethod}.`)
  console.log("Rates of processes are rows / wall time of the whole process (start-up included);")
  console.log("L and the format-only rates run in the bench process (no RSS of their own).\n")
  for (const size of [small.results, large.results]) {
    const limitRate = rateOf(size.limit)!
    console.log(`${mega(size.rows)} rows (L = ${mega(limitRate)} rows/s)`)
    table(
      ["variant", "wall", "rows/s", "× L", "peak RSS", "note"],
      size.lines.map((line) => {
        const rate = rateOf(line)
        return [
          line.label,
          line.seconds === undefined
            ? "—"
            : `${line.failure === undefined ? "" : "failed after "}${line.seconds.toFixed(1)} s`,
          rate === undefined ? "—" : mega(rate),
          rate === undefined ? "—" : `${(rate / limitRate).toFixed(2)}`,
          mib(line.rssBytes),
          line.failure === undefined ? "" : `FAILED: ${line.failure.split("\n")[0]!.slice(0, 120)}`
        ]
      })
    )
    console.log()
  }

  if (small.decode !== undefined) {
    const { decode, intl } = small.decode
    console.log(`decode alone: ${mega(decodeCells)} Order Date cells (DATE, America/Los_Angeles) from a fetched page`)
    table(
      ["renderer", "cells/s", "vs Intl"],
      [
        [
          "@spotpipe/decode makeCellRenderer",
          mega(rowsPerSecond(decode)),
          `${(rowsPerSecond(decode) / rowsPerSecond(intl)).toFixed(1)}×`
        ],
        [`Intl.DateTimeFormat per cell (${intl.rows / 1000} k cells)`, mega(rowsPerSecond(intl)), "1.0×"]
      ]
    )
    console.log()
  }

  for (const { format, summary } of small.profiles) {
    console.log(
      `CPU profile: spotpipe search → ${format.toUpperCase()}, ${mega(SMALL)} rows, ${(summary.totalMs / 1000).toFixed(1)} s sampled; top self time`
    )
    table(
      ["function", "self", "share"],
      summary.hot.map((h) => [h.where, `${h.selfMs.toFixed(0)} ms`, `${(h.share * 100).toFixed(1)} %`])
    )
    console.log()
  }

  const c1 = concurrency.runs.find((c) => c.concurrency === 1)!
  console.log(
    `concurrency: ${mega(CONCURRENCY_ROWS)} rows, CSV, pages of ${concurrency.pageSize} rows, 50 ms latency per data page`
  )
  table(
    ["concurrency", "wall", "rows/s", "speed-up vs 1", "peak RSS"],
    concurrency.runs.map((c) => [
      String(c.concurrency),
      c.run.failure === undefined ? `${(c.run.wallMs / 1000).toFixed(1)} s` : "FAILED",
      mega(runRate(c.run, CONCURRENCY_ROWS)),
      c.run.failure === undefined ? `${(c1.run.wallMs / c.run.wallMs).toFixed(2)}×` : "—",
      mib(c.run.peakRssBytes)
    ])
  )
  console.log()

  // The targets, for each --workers setting.
  const targets: Array<[string, string, boolean]> = []
  for (const workers of WORKERS) {
    const tag = `(--workers ${workers})`
    for (const size of [small.results, large.results]) {
      const l = rateOf(size.limit)!
      for (const [name, run] of Object.entries(size.spotpipe[workers])) {
        const ratio = runRate(run, size.rows) / l
        targets.push([
          `spotpipe ${name.toUpperCase()} ≥ 0.5 × L at ${mega(size.rows)} rows ${tag}`,
          `${ratio.toFixed(2)} × L`,
          ratio >= 0.5
        ])
      }
    }
    const sdkRate1 = runRate(small.results.sdk, SMALL)
    for (const [name, run] of Object.entries(small.results.spotpipe[workers])) {
      const ratio = sdkRate1 > 0 ? runRate(run, SMALL) / sdkRate1 : Number.POSITIVE_INFINITY
      targets.push([
        `spotpipe ${name.toUpperCase()} ≥ 1.5 × SDK rows/s at ${mega(SMALL)} rows ${tag}`,
        `${ratio.toFixed(2)}×`,
        ratio >= 1.5
      ])
    }
    const sdkLarge = large.results.sdk
    for (const [name, run] of Object.entries(large.results.spotpipe[workers])) {
      const label = `spotpipe ${name.toUpperCase()} peak RSS ≥ 10× lower than SDK at ${mega(LARGE)} rows (or SDK fails) ${tag}`
      if (sdkLarge.failure !== undefined) {
        targets.push([
          label,
          `SDK failed (${sdkLarge.failure.split("\n")[0]!.slice(0, 60)}); spotpipe ${run.failure === undefined ? "completed" : "failed"}`,
          run.failure === undefined
        ])
      } else {
        const ratio = sdkLarge.peakRssBytes / run.peakRssBytes
        targets.push([
          label,
          `${mib(sdkLarge.peakRssBytes)} / ${mib(run.peakRssBytes)} = ${ratio.toFixed(1)}×`,
          ratio >= 10 && run.failure === undefined
        ])
      }
    }
    for (const name of ["csv", "ndjson"] as const) {
      const a = small.results.spotpipe[workers][name]
      const b = large.results.spotpipe[workers][name]
      const growth = b.peakRssBytes / a.peakRssBytes - 1
      targets.push([
        `spotpipe ${name.toUpperCase()} peak RSS flat ${mega(SMALL)} → ${mega(LARGE)} rows (within 20 %) ${tag}`,
        `${mib(a.peakRssBytes)} → ${mib(b.peakRssBytes)} (${growth >= 0 ? "+" : ""}${(growth * 100).toFixed(0)} %)`,
        Math.abs(growth) <= 0.2
      ])
      const peak = Math.max(a.peakRssBytes, b.peakRssBytes)
      targets.push([`spotpipe ${name.toUpperCase()} peak RSS < 300 MB ${tag}`, mib(peak), peak < 300e6])
    }
  }
  for (const size of [small.results, large.results]) {
    const ratio = runRate(size.parquet, size.rows) / rateOf(size.limit)!
    targets.push([`spotpipe PARQUET ≥ 0.5 × L at ${mega(size.rows)} rows`, `${ratio.toFixed(2)} × L`, ratio >= 0.5])
  }
  {
    const a = small.results.parquet
    const b = large.results.parquet
    const growth = b.peakRssBytes / a.peakRssBytes - 1
    targets.push([
      `spotpipe PARQUET peak RSS flat ${mega(SMALL)} → ${mega(LARGE)} rows (within 20 %)`,
      `${mib(a.peakRssBytes)} → ${mib(b.peakRssBytes)} (${growth >= 0 ? "+" : ""}${(growth * 100).toFixed(0)} %)`,
      Math.abs(growth) <= 0.2
    ])
    const peak = Math.max(a.peakRssBytes, b.peakRssBytes)
    targets.push(["spotpipe PARQUET peak RSS < 300 MB", mib(peak), peak < 300e6])
  }
  const c4 = concurrency.runs.find((c) => c.concurrency === 4)!
  const speedup = c4.run.failure === undefined && c1.run.failure === undefined ? c1.run.wallMs / c4.run.wallMs : 0
  targets.push(["concurrency 4 ≥ 3× faster than 1 (50 ms latency)", `${speedup.toFixed(2)}×`, speedup >= 3])
  console.log("targets")
  table(
    ["target", "measured", "verdict"],
    targets.map(([t, m, ok]) => [t, m, verdict(ok)])
  )
  console.log(
    `\n1-min load average ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after (figures drop when other work shares the 2 cores).`
  )
} catch (e) {
  console.error(`export bench cannot run: ${e instanceof Error ? e.message : String(e)}`)
  process.exit(1)
}
if (problems.length > 0) {
  console.error(`export bench: spotpipe did not complete every run:\n${problems.join("\n")}`)
  process.exit(1)
}
