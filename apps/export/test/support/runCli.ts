/**
 * Runs the real `spotpipe` process (this Node + the installable package's `bin/spotpipe.js`, built from the
 * current sources for this test run by builtCli.ts) with a clean environment: only what the test passes, plus
 * PATH/HOME and the run's temp folder (`runTemp`), so no THOUGHTSPOT_* variable of the developer's shell leaks in
 * (nor their profiles: see `noConfig`).
 */
import { type ChildProcessByStdio, spawn } from "node:child_process"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import type { Readable } from "node:stream"
import { fileURLToPath } from "node:url"
import { inject } from "vitest"
import type {} from "./builtCli.ts"

/** The CLI entry point: the test run's build of the installed command (launcher and bundle). */
export const mainPath: string = (() => {
  const bin = inject("spotpipeBin")
  if (typeof bin !== "string") {
    throw new Error("no built spotpipe: run the tests with their project's vitest config (globalSetup builtCli.ts)")
  }
  return bin
})()

/** The same build with DuckDB installed beside it (`--format parquet`, DuckDB loads). */
export const mainWithDuckDbPath: string = inject("spotpipeBinWithDuckDb")

/**
 * The CLI with a step probe that SIGKILLs it the n-th time an output reaches a step (test/chaos/src/KillAtStep.ts,
 * bundled for this test run; DuckDB resolves): `runNode([killAtStepPath, "checkpoint-written:2", "run", …])`.
 */
export const killAtStepPath: string = inject("spotpipeKillAtStep")

/**
 * The CLI with a step probe that holds it at a step while a file exists (support/PauseAtStep.ts, bundled for this
 * test run; DuckDB resolves): `runNode([pauseAtStepPath, "page-written", holdFile, "run", …])`.
 */
export const pauseAtStepPath: string = inject("spotpipePauseAtStep")

/** The checkout's launcher of the sources (`pnpm spotpipe`): bin/dev.js. */
export const devPath = NodePath.join(NodePath.dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "dev.js")

/**
 * A config file that does not exist: the developer's own profiles (in HOME's config folder) never reach a test; a
 * test of profiles passes its own `SPOTPIPE_CONFIG`.
 */
export const noConfig = {
  SPOTPIPE_CONFIG: NodePath.join(NodeOs.tmpdir(), "spotpipe-tests-have-no-config", "config.json")
}

/**
 * The test run's temp folder (test/support/runTempFolder.ts) for the processes a test starts with an environment of
 * its own: what they put in `os.tmpdir()` (Node's compile cache of the run's build, for one) goes with the run.
 */
export const runTemp = { TMPDIR: NodeOs.tmpdir() }

/**
 * The environment of a process a test starts: PATH and HOME of this one, the run's temp folder, no config file, and
 * `extra` — never the rest of the developer's shell (its THOUGHTSPOT_* variables above all).
 */
export const cliEnv = (extra: Readonly<Record<string, string>> = {}): Record<string, string> => ({
  PATH: process.env["PATH"] ?? "",
  HOME: process.env["HOME"] ?? "/tmp",
  ...runTemp,
  ...noConfig,
  ...extra
})

/** What a CLI run produced. */
export interface CliRun {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly stdoutBytes: Buffer
}

/** Options for {@link runCli}. */
export interface CliOptions {
  readonly env?: Readonly<Record<string, string>>
  readonly cwd?: string
  /** Kill the process with this signal once stderr/stdout contains the text. */
  readonly killOn?: { readonly text: string; readonly signal: NodeJS.Signals }
  readonly timeoutMillis?: number
  /** Run the build that has DuckDB beside it. */
  readonly withDuckDb?: boolean
  /** Text piped to the process's stdin (else it ends at once). */
  readonly stdin?: string
}

/** Runs `spotpipe args…` and resolves when it exits. */
export const runCli = (args: ReadonlyArray<string>, options: CliOptions = {}): Promise<CliRun> =>
  runNode([options.withDuckDb === true ? mainWithDuckDbPath : mainPath, ...args], options)

/** Runs this Node with `argv` (a script and its arguments), as {@link runCli} runs the CLI. */
export const runNode = (argv: ReadonlyArray<string>, options: CliOptions = {}): Promise<CliRun> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, {
      cwd: options.cwd ?? process.cwd(),
      env: cliEnv(options.env),
      stdio: ["pipe", "pipe", "pipe"]
    })
    child.stdin.end(options.stdin ?? "")
    const out: Array<Buffer> = []
    const err: Array<Buffer> = []
    let killed = false
    const check = () => {
      if (options.killOn === undefined || killed) return
      const seen = Buffer.concat(err).toString("utf8") + Buffer.concat(out).toString("utf8")
      if (seen.includes(options.killOn.text)) {
        killed = true
        child.kill(options.killOn.signal)
      }
    }
    child.stdout.on("data", (chunk: Buffer) => {
      out.push(chunk)
      check()
    })
    child.stderr.on("data", (chunk: Buffer) => {
      err.push(chunk)
      check()
    })
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`${argv.join(" ")} did not finish in time; stderr: ${Buffer.concat(err).toString()}`))
    }, options.timeoutMillis ?? 60_000)
    child.on("error", reject)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      const stdoutBytes = Buffer.concat(out)
      resolve({
        code,
        signal,
        stdout: stdoutBytes.toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        stdoutBytes
      })
    })
  })

/** Waits until `ready()` holds, failing with `what` after 30 s. */
export const waitFor = async (ready: () => boolean, what: () => string) => {
  const deadline = Date.now() + 30_000
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** A CLI process started by {@link startCli}. */
export interface StartedCli {
  readonly child: ChildProcessByStdio<null, Readable, Readable>
  readonly stderr: () => string
  /** Its stdout so far, when started with `collectStdout` (else the test reads `child.stdout` itself). */
  readonly stdout: () => string
  readonly exited: Promise<number | null>
}

/**
 * Starts `spotpipe args…` (the built CLI) as a process of its own, for tests that signal it or close its pipes; a
 * guard kills it if it never ends, so a hang fails instead of stalling.
 */
export const startCli = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  options: { readonly collectStdout?: boolean } = {}
): StartedCli => {
  const child = spawn(process.execPath, [mainPath, ...args], { env, stdio: ["ignore", "pipe", "pipe"] })
  let stderr = ""
  let stdout = ""
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8")
  })
  if (options.collectStdout === true) {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8")
    })
  }
  const guard = setTimeout(() => child.kill("SIGKILL"), 45_000)
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => {
      clearTimeout(guard)
      resolve(code)
    })
  )
  return { child, stderr: () => stderr, stdout: () => stdout, exited }
}
