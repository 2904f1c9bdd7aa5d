/**
 * Runs the CLI program in this process with a given environment (through `ConfigProvider`, never
 * `process.env`) and captures what it prints, for tests that need the CLI's logic but not a new process.
 *
 * A run here costs a few tens of milliseconds once the test worker has loaded the sources (the projects run with
 * `isolate: false`, so a worker loads them once), against ~0.5 s of CPU for a `spotpipe` process: tests of what
 * the CLI does (its files, manifests, messages, exit codes) run here, and the real process (runCli.ts) is kept for
 * what only a process shows — signals, stdout as a pipe (`--out -`), the launcher and the built bundle, runs
 * side by side, crashes. Not here: `--out -` (data would go to the worker's own stdout), a `cwd` of its own, and
 * anything read from `process.env` or the OS (HOME, TMPDIR) rather than the given environment.
 */
import { NodeServices } from "@effect/platform-node"
import { ConfigProvider, Effect, Layer } from "effect"
import { TestConsole } from "effect/testing"
import { program } from "../../src/cli/Program.ts"
import { noConfig } from "./runCli.ts"

/** Exit code and printed lines of one in-process run. */
export interface InProcessRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** One in-process run of `spotpipe args…` with `env` as the only environment: its exit code and printed lines. */
const runPrinting = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.gen(function* () {
    const code = yield* program(args)
    const stdout = (yield* TestConsole.logLines).map(String)
    const stderr = (yield* TestConsole.errorLines).map(String)
    return { code, stdout, stderr }
  }).pipe(
    Effect.provide(
      Layer.mergeAll(
        NodeServices.layer,
        TestConsole.layer,
        ConfigProvider.layer(ConfigProvider.fromEnv({ env, preserveEmptyStrings: true }))
      )
    )
  )

/**
 * Runs `spotpipe args…` in-process with `env` as the only environment (empty values kept, as `runCli` does); its
 * stdout and stderr are the printed lines joined by newlines.
 */
export const runInProcess = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.map(
    runPrinting(args, env),
    ({ code, stdout, stderr }): InProcessRun => ({ code, stdout: stdout.join("\n"), stderr: stderr.join("\n") })
  )

/**
 * {@link runInProcess} in the shape of `runCli`, for tests written with promises: the environment is `env` and no
 * config file (as `runCli` gives a process), and stdout and stderr read as a process prints them, every line
 * ended by a newline.
 */
export const runCliInProcess = async (
  args: ReadonlyArray<string>,
  options: { readonly env?: Readonly<Record<string, string>> } = {}
): Promise<InProcessRun> => {
  const run = await Effect.runPromise(runPrinting(args, { ...noConfig, ...options.env }))
  const printed = (lines: ReadonlyArray<string>) => lines.map((line) => `${line}\n`).join("")
  return { code: run.code, stdout: printed(run.stdout), stderr: printed(run.stderr) }
}
