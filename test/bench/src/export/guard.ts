/**
 * The guard for a change on the data path: the same `spotpipe search` export (the Orders query, 100 000-row pages,
 * defaults otherwise) from an earlier build and from this checkout, against one sandbox process of `GUARD_ROWS`
 * rows (default 10 000 000), taking turns for `GUARD_ROUNDS` rounds (default 3), CSV and NDJSON; prints every run
 * and the medians of wall time and peak RSS. Ratios to L move with the machine; this compares builds on one.
 *
 *   GUARD_BASELINE=<a checkout of the earlier commit, installed> npx -y pnpm@12.4.2 exec node test/bench/src/export/guard.ts
 *
 * `GUARD_CURRENT=dev` runs this checkout's sources (`bin/dev.js`, as `pnpm spotpipe`) instead of its bundle; the
 * baseline runs its own `apps/export/bin/spotpipe.js` (build its bundle first, e.g. by its install).
 */
import { loadavg } from "node:os"
import { join, resolve } from "node:path"
import { startSandboxProcess } from "./sandboxProcess.ts"
import { cliMain, runSpotpipe } from "./spotpipeRun.ts"
import { pageSize } from "./wire.ts"

const baseline = process.env.GUARD_BASELINE
if (baseline === undefined || baseline === "") {
  console.error("guard: set GUARD_BASELINE to a checkout of the earlier commit (installed, so its bundle is built)")
  process.exit(2)
}
const rows = Number(process.env.GUARD_ROWS ?? 10_000_000)
const rounds = Number(process.env.GUARD_ROUNDS ?? 3)
const current = process.env.GUARD_CURRENT === "dev" ? join(cliMain, "..", "dev.js") : cliMain
const builds = [
  { label: "before", cli: resolve(baseline, "apps/export/bin/spotpipe.js") },
  { label: "after", cli: current }
] as const
const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const MiB = 2 ** 20

const sandbox = await startSandboxProcess({ rows })
const seconds = new Map<string, Array<number>>()
const rss = new Map<string, Array<number>>()
try {
  const load = loadavg()[0]!
  for (let round = 1; round <= rounds; round++) {
    for (const format of ["csv", "ndjson"] as const) {
      for (const { label, cli } of builds) {
        const run = await runSpotpipe({ url: sandbox.url, rows, format, pageSize, cli, timeoutMs: 900_000 })
        if (run.failure !== undefined) throw new Error(`${format} ${label}: ${run.failure}`)
        const key = `${format} ${label}`
        seconds.set(key, [...(seconds.get(key) ?? []), run.wallMs / 1000])
        rss.set(key, [...(rss.get(key) ?? []), run.peakRssBytes / MiB])
        console.log(
          `round ${round} ${key}: ${(run.wallMs / 1000).toFixed(2)} s, peak RSS ${(run.peakRssBytes / MiB).toFixed(0)} MiB`
        )
      }
    }
  }
  for (const [key, values] of seconds) {
    const peaks = rss.get(key)!
    console.log(
      `median ${key}: ${median(values).toFixed(2)} s, peak RSS ${Math.min(...peaks).toFixed(0)}–${Math.max(...peaks).toFixed(0)} MiB`
    )
  }
  console.log(
    `${rows} rows, ${rounds} rounds; load average ${load.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after`
  )
} finally {
  await sandbox.stop()
}
