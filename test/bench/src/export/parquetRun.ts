/**
 * The export bench's Parquet case alone, beside L and CSV: one sandbox process of `PARQUET_BENCH_ROWS` rows
 * (default 1 000 000), then `PARQUET_BENCH_ROUNDS` rounds (default 3) of L (fetch + `JSON.parse`), `spotpipe
 * search --format csv` and `--format parquet` (both with the default workers; Parquet's pages are staged as CSV,
 * which a second worker thread turns into the Parquet file as it grows) and,
 * with `PARQUET_BENCH_BASELINE=<dir>`, the Parquet export of another build (`<dir>/bin/spotpipe.js` beside its
 * `dist/`, e.g. copies of `apps/export/bin` and `apps/export/dist` bundled from an older commit), taking turns so that other load spreads over all of
 * them; prints each run and the medians (× L, peak RSS, CPU seconds of the whole process: on 2 cores shared with the
 * sandbox the wall time cannot fall below half of it). 100 000-row pages, as `pnpm bench export`. Run on its own:
 *
 *   PARQUET_BENCH_ROWS=1000000 npx -y pnpm@12.4.2 exec node test/bench/src/export/parquetRun.ts
 */
import { loadavg } from "node:os"
import { resolve } from "node:path"
import { measureLimit, rowsPerSecond } from "./limit.ts"
import { startSandboxProcess } from "./sandboxProcess.ts"
import { runSpotpipe } from "./spotpipeRun.ts"
import { openWire, pageSize } from "./wire.ts"

const rows = Number(process.env.PARQUET_BENCH_ROWS ?? 1_000_000)
const rounds = Number(process.env.PARQUET_BENCH_ROUNDS ?? 3)
const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const MiB = 2 ** 20

const sandbox = await startSandboxProcess({ rows })
const baseline = process.env.PARQUET_BENCH_BASELINE
const cases: ReadonlyArray<{ label: string; format: "csv" | "parquet"; cli?: string }> = [
  { label: "csv", format: "csv" },
  { label: "parquet", format: "parquet" },
  ...(baseline === undefined || baseline === ""
    ? []
    : [{ label: "parquet (baseline)", format: "parquet" as const, cli: baseline }])
]
const L: Array<number> = []
const rates = cases.map((): Array<number> => [])
const rss = cases.map((): Array<number> => [])
const cpu = cases.map((): Array<number> => [])
try {
  const before = loadavg()[0]!
  for (let round = 0; round < rounds; round++) {
    const wire = await openWire(sandbox.url)
    const limit = rowsPerSecond(await measureLimit(wire, rows))
    wire.close()
    L.push(limit)
    for (const [i, { label, format, cli }] of cases.entries()) {
      const options = { url: sandbox.url, rows, format, pageSize, timeoutMs: 900_000 }
      const run = await runSpotpipe(cli === undefined ? options : { ...options, cli: resolve(cli, "bin/spotpipe.js") })
      if (run.failure !== undefined) throw new Error(`${label}: ${run.failure}`)
      const rate = rows / (run.wallMs / 1000)
      rates[i]!.push(rate / limit)
      rss[i]!.push(run.peakRssBytes)
      if (run.cpuSeconds !== undefined) cpu[i]!.push(run.cpuSeconds)
      const cpuText = run.cpuSeconds === undefined ? "" : `, CPU ${run.cpuSeconds.toFixed(2)} s`
      console.log(
        `round ${round + 1}: L ${(limit / 1e6).toFixed(2)} M/s; ${label} ${(run.wallMs / 1000).toFixed(1)} s, ` +
          `${(rate / limit).toFixed(2)} × L, peak RSS ${(run.peakRssBytes / MiB).toFixed(0)} MiB${cpuText}`
      )
    }
  }
  for (const [i, { label }] of cases.entries()) {
    console.log(
      `median ${label}: ${median(rates[i]!).toFixed(2)} × L (L ${(median(L) / 1e6).toFixed(2)} M/s), ` +
        `peak RSS ${(median(rss[i]!) / MiB).toFixed(0)} MiB (max ${(Math.max(...rss[i]!) / MiB).toFixed(0)})` +
        (cpu[i]!.length === 0 ? "" : `, CPU ${median(cpu[i]!).toFixed(2)} s`)
    )
  }
  console.log(
    `${rows} rows, ${rounds} rounds; load average ${before.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after`
  )
} finally {
  await sandbox.stop()
}
