/**
 * Where a spotpipe export spends its time: one run under `node --cpu-prof`, summarized as the functions with
 * the most self time (the figures BENCHMARKS.md quotes). Used when `EXPORT_BENCH_PROFILE=1`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { runSpotpipe, type SpotpipeRunOptions } from "./spotpipeRun.ts"

/** One line of a profile summary. */
export interface HotFunction {
  /** `name file:line`, paths relative to the repository. */
  readonly where: string
  readonly selfMs: number
  readonly share: number
}

interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  }>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

/** Sums self time per function of a `.cpuprofile`; returns the `top` largest and the total, ms. */
export const summarizeProfile = (profile: CpuProfile, top: number): { hot: Array<HotFunction>; totalMs: number } => {
  const where = new Map<number, string>()
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame
    const file = url.replace(/^.*?\/(node_modules\/\.pnpm\/|packages\/|apps\/)/, "$1").replace(/^.*node_modules\//, "")
    where.set(node.id, `${functionName || "(anonymous)"} ${file === "" ? "" : `${file}:${lineNumber + 1}`}`.trim())
  }
  const self = new Map<string, number>()
  let total = 0
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0
    total += dt
    const key = where.get(profile.samples[i]!) ?? "?"
    self.set(key, (self.get(key) ?? 0) + dt)
  }
  const hot = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([w, us]) => ({ where: w, selfMs: us / 1000, share: us / total }))
  return { hot, totalMs: total / 1000 }
}

/** Runs one export under `--cpu-prof` and summarizes it. */
export const profileSpotpipe = async (options: SpotpipeRunOptions, top: number) => {
  const dir = mkdtempSync(join(tmpdir(), "spotpipe-bench-prof-"))
  try {
    const run = await runSpotpipe({ ...options, nodeFlags: ["--cpu-prof", `--cpu-prof-dir=${dir}`] })
    if (run.failure !== undefined) throw new Error(`the profiled export failed: ${run.failure}`)
    const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"))
    if (file === undefined) throw new Error("node wrote no CPU profile")
    return summarizeProfile(JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile, top)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
