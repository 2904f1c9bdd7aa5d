/**
 * Runs the real `spotpipe` CLI (on this Node, the installed command's launcher and bundle, built from the current
 * sources for this test run by apps/export/test/support/builtCli.ts) as a child process with only the
 * environment a test passes (plus PATH/HOME), and can SIGKILL it after a delay or at a named step of the export
 * engine — the crash suite's hammers. A kill at a step runs `KillAtStep.ts`, which adds the step probe as a layer
 * (bundled for the test run beside the package, with DuckDB in reach): the shipped CLI has no such hook.
 */
import { spawn } from "node:child_process"
import { inject } from "vitest"
import type {} from "../../../apps/export/test/support/builtCli.ts"
import { cliEnv } from "../../../apps/export/test/support/runCli.ts"

/** The CLI entry point: the test run's build of the installed command. */
export const mainPath: string = (() => {
  const bin = inject("spotpipeBin")
  if (typeof bin !== "string") {
    throw new Error("no built spotpipe: run the tests with their project's vitest config (globalSetup builtCli.ts)")
  }
  return bin
})()

/** The same build with DuckDB installed beside it (Parquet outputs). */
const withDuckDbPath: string = inject("spotpipeBinWithDuckDb")

/** How a run ended and what it printed. */
export interface ProcessRun {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * The crash suite's entry point: the CLI with a probe that SIGKILLs it at a step (`<step>:<n>`), KillAtStep.ts as
 * the test run bundled it.
 */
export const killAtStepPath: string = inject("spotpipeKillAtStep")

/**
 * Runs `spotpipe args…`; with `killAfterMillis`, SIGKILLs it at that moment if it is still running; with
 * `killAtStep` (`checkpoint-written:4`: the 4th time an output reaches that step), it kills itself there.
 */
export const runSpotpipe = (
  args: ReadonlyArray<string>,
  options: {
    readonly env: Readonly<Record<string, string>>
    readonly killAfterMillis?: number
    readonly killAtStep?: string
    /** Run the build that has DuckDB beside it (a kill at a step always has it). */
    readonly withDuckDb?: boolean
  }
): Promise<ProcessRun> =>
  new Promise((resolve, reject) => {
    const main = options.withDuckDb === true ? withDuckDbPath : mainPath
    const argv = options.killAtStep === undefined ? [main, ...args] : [killAtStepPath, options.killAtStep, ...args]
    const child = spawn(process.execPath, argv, {
      env: cliEnv(options.env),
      stdio: ["ignore", "pipe", "pipe"]
    })
    const out: Array<Buffer> = []
    const err: Array<Buffer> = []
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk))
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk))
    const killer =
      options.killAfterMillis === undefined
        ? undefined
        : setTimeout(() => child.kill("SIGKILL"), options.killAfterMillis)
    const guard = setTimeout(() => child.kill("SIGKILL"), 60_000)
    child.on("error", reject)
    child.on("close", (code, signal) => {
      clearTimeout(guard)
      if (killer !== undefined) clearTimeout(killer)
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8")
      })
    })
  })

/** A small seeded generator (mulberry32): the same seed gives the same kill times. */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
