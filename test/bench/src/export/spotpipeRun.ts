/**
 * One real `spotpipe search` process (the CLI as users run it) exporting the Orders query to a fresh directory,
 * with date normalization in the cluster's time zone. The run counts only if its manifest says every row was
 * written.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import * as NodeFlags from "../../../../apps/export/src/cli/NodeFlags.ts"
import { type ChildResult, runNode } from "./childRun.ts"
import { credentials, ordersQuery, ordersTable } from "./wire.ts"

/**
 * The CLI entry point: the installed command's launcher, which runs the bundle (`pnpm bench` rebuilds it first).
 * The runs here start it with `NodeFlags.leanMemory` and `NodeFlags.leanMemoryEnv`, the settings its re-launch
 * would add (bin/leanStart.js), so that no run pays for a second Node start-up.
 */
export const cliMain = join(dirname(fileURLToPath(import.meta.url)), "../../../../apps/export/bin/spotpipe.js")

/** Options of one export run. */
export interface SpotpipeRunOptions {
  readonly url: string
  readonly rows: number
  readonly format: "csv" | "ndjson" | "parquet"
  readonly pageSize: number
  /** `--concurrency`; the CLI's default when absent. */
  readonly concurrency?: number
  /** `--workers`; the CLI's default when absent. */
  readonly workers?: number
  /** Extra Node flags, e.g. `--cpu-prof`. */
  readonly nodeFlags?: ReadonlyArray<string>
  /** Working directory of the process (where `--cpu-prof` writes its profile). */
  readonly cwd?: string
  /** Stop the run after this long. */
  readonly timeoutMs?: number
  /** Another launcher to run instead of {@link cliMain}: an older build's `bin/spotpipe.js`, or `bin/dev.js`. */
  readonly cli?: string
}

/** A run's measurements plus whether it exported every row (`failure` says why not). */
export interface SpotpipeRun extends ChildResult {
  readonly failure: string | undefined
  readonly bytesWritten: number
}

/** The argv of `spotpipe search` for these options (without the Node binary). */
export const spotpipeArgs = (options: SpotpipeRunOptions, out: string): Array<string> => [
  ...NodeFlags.leanMemory,
  ...(options.nodeFlags ?? []),
  options.cli ?? cliMain,
  "search",
  "--host",
  options.url,
  "--username",
  credentials.username,
  "--table",
  ordersTable,
  "--query",
  ordersQuery,
  "--format",
  options.format,
  "--page-size",
  String(options.pageSize),
  ...(options.concurrency === undefined ? [] : ["--concurrency", String(options.concurrency)]),
  ...(options.workers === undefined ? [] : ["--workers", String(options.workers)]),
  "--out",
  out,
  "--quiet"
]

/** Runs the export and checks its manifest; the output directory is removed afterwards. */
export const runSpotpipe = async (options: SpotpipeRunOptions): Promise<SpotpipeRun> => {
  const out = mkdtempSync(join(tmpdir(), "spotpipe-bench-out-"))
  try {
    const result = await runNode(spotpipeArgs(options, out), {
      // The password comes from the environment, as the CLI requires for secrets; the malloc setting is the one
      // `pnpm spotpipe` starts the CLI with (NodeFlags.leanMemoryEnv).
      env: { THOUGHTSPOT_PASSWORD: credentials.password, ...NodeFlags.leanMemoryEnv },
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs })
    })
    if (result.code !== 0) {
      const why = result.timedOut ? "timed out" : `exit ${result.code ?? result.signal}`
      return { ...result, bytesWritten: 0, failure: `${why}: ${result.stderrTail.trim()}` }
    }
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as {
      outputs: ReadonlyArray<{ rows_written: number; bytes: number }>
    }
    const output = manifest.outputs[0]
    if (output?.rows_written !== options.rows) {
      return {
        ...result,
        bytesWritten: 0,
        failure: `manifest says ${output?.rows_written} rows, expected ${options.rows}`
      }
    }
    return { ...result, bytesWritten: output.bytes, failure: undefined }
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}
