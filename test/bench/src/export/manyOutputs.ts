/**
 * A nightly job's other shape: many small outputs rather than one large one. `spotpipe run` of a job file of
 * `MANY_BENCH_EXPORTS` saved-answer exports (default 30: the sandbox's three answers of 147 to 10 000 rows, in
 * turn) against its embedded sandbox (`--sandbox`, whose start is part of every run), once per format, taking turns
 * for `MANY_BENCH_ROUNDS` rounds (default 3); prints every run and the median wall time per format. What it shows
 * is what each output costs beyond its rows — for Parquet, a thread per output or one per run. With
 * `MANY_BENCH_BASELINE=<an earlier checkout, installed>` that build runs too, taking turns. Run on its own:
 *
 *   npx -y pnpm@12.4.2 bundle && npx -y pnpm@12.4.2 exec node test/bench/src/export/manyOutputs.ts
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import * as NodeFlags from "../../../../apps/export/src/cli/NodeFlags.ts"
import { runNode } from "./childRun.ts"
import { cliMain } from "./spotpipeRun.ts"

const exportsPerJob = Number(process.env.MANY_BENCH_EXPORTS ?? 30)
const rounds = Number(process.env.MANY_BENCH_ROUNDS ?? 3)
const baseline = process.env.MANY_BENCH_BASELINE
const answers = ["Weekly Shipments", "Revenue by Region and Product", "Sampled Orders"]
const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const dir = mkdtempSync(join(tmpdir(), "spotpipe-bench-many-"))
const builds = [
  { label: "this build", cli: cliMain },
  ...(baseline === undefined || baseline === ""
    ? []
    : [{ label: "baseline", cli: resolve(baseline, "apps/export/bin/spotpipe.js") }])
]
const cases = ["csv", "parquet"].flatMap((format) => builds.map((build) => ({ ...build, format })))
const walls = cases.map((): Array<number> => [])
try {
  for (const format of ["csv", "parquet"]) {
    const exports = Array.from({ length: exportsPerJob }, (_, i) => ({
      type: "answer",
      id: answers[i % answers.length],
      output: `answer-${i + 1}`
    }))
    writeFileSync(join(dir, `${format}.json`), JSON.stringify({ defaults: { format }, exports }))
  }
  for (let round = 1; round <= rounds; round++) {
    for (const [i, { label, cli, format }] of cases.entries()) {
      const out = join(dir, "out")
      rmSync(out, { recursive: true, force: true })
      const run = await runNode(
        [...NodeFlags.leanMemory, cli, "run", join(dir, `${format}.json`), "--sandbox", "--out", out, "--quiet"],
        { env: NodeFlags.leanMemoryEnv, timeoutMs: 600_000 }
      )
      const files = run.code === 0 ? readdirSync(out).filter((f) => f.startsWith("answer-")).length : 0
      if (run.code !== 0 || files !== exportsPerJob) {
        throw new Error(`${label} ${format}: exit ${run.code ?? run.signal}, ${files} files: ${run.stderrTail.trim()}`)
      }
      walls[i]!.push(run.wallMs / 1000)
      console.log(`round ${round}: ${label} ${format} ${(run.wallMs / 1000).toFixed(2)} s`)
    }
  }
  for (const [i, { label, format }] of cases.entries()) {
    const each = walls[i]!
    console.log(
      `median ${label} ${format}: ${median(each).toFixed(2)} s for ${exportsPerJob} outputs ` +
        `(${Math.min(...each).toFixed(2)}–${Math.max(...each).toFixed(2)})`
    )
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
