/**
 * Runs the CLI program in this process with a given environment (through `ConfigProvider`, never
 * `process.env`) and captures what it prints, for tests that need the CLI's logic but not a new process.
 *
 * A run here costs a few tens of milliseconds once the test worker has loaded the sources (the projects run with
 * `isolate: false`, so a worker loads them once), against ~0.5 s of CPU for a `spotpipe` process: tests of what
 * the CLI does (its files, manifests, messages, exit codes) run here, and the real process (runCli.ts) is kept for
 * what only a process shows — signals, stdout as a pipe (a reader that goes away), a terminal, the launcher and the
 * built bundle, runs side by side, crashes. Data for stdout (`--out -`, `spotpipe api`) is captured through the CLI's
 * `Stdout` stream. Not here: a `cwd` of its own, and anything read from `process.env` or the OS (HOME, TMPDIR)
 * rather than the given environment.
 */
import { Writable } from "node:stream"
import { NodeServices } from "@effect/platform-node"
import { ConfigProvider, Effect, Layer } from "effect"
import { TestConsole } from "effect/testing"
import { program } from "../../src/cli/Program.ts"
import { Stdout } from "../../src/output/StdoutWriter.ts"
import { noConfig } from "./runCli.ts"

/** Exit code and printed lines of one in-process run. */
export interface InProcessRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Data the run wrote to stdout (`--out -`, `spotpipe api`), captured as a process's stdout would receive it: each
 * chunk is kept before its write is acknowledged, so every byte is there once the run ends.
 */
const capturedStdout = () => {
  const chunks: Array<Buffer> = []
  const stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      chunks.push(chunk)
      done()
    }
  })
  return { stream, bytes: () => Buffer.concat(chunks) }
}

/**
 * One in-process run of `spotpipe args…` with `env` as the only environment: its exit code, printed lines and the
 * data it wrote to stdout.
 */
const runPrinting = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.suspend(() => {
    const data = capturedStdout()
    return Effect.gen(function* () {
      const code = yield* program(args)
      const stdout = (yield* TestConsole.logLines).map(String)
      const stderr = (yield* TestConsole.errorLines).map(String)
      return { code, stdout, stderr, data: data.bytes() }
    }).pipe(
      Effect.provide(
        Layer.mergeAll(
          NodeServices.layer,
          TestConsole.layer,
          Layer.succeed(Stdout, data.stream),
          ConfigProvider.layer(ConfigProvider.fromEnv({ env, preserveEmptyStrings: true }))
        )
      )
    )
  })

/**
 * Stdout of a run that wrote data there: its bytes, as text. The CLI never prints lines beside data on stdout (they
 * go to stderr); a run that did is a failure here, since the order of the two is not kept.
 */
const bothOnStdout = (lines: ReadonlyArray<string>, data: Buffer): string => {
  if (lines.length > 0) throw new Error(`the run printed lines and wrote data on stdout: ${lines.join(" | ")}`)
  return data.toString("utf8")
}

/**
 * Runs `spotpipe args…` in-process with `env` as the only environment (empty values kept, as `runCli` does); its
 * stdout and stderr are the printed lines joined by newlines.
 */
export const runInProcess = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.map(
    runPrinting(args, env),
    ({ code, stdout, stderr, data }): InProcessRun => ({
      code,
      stdout: data.length > 0 ? bothOnStdout(stdout, data) : stdout.join("\n"),
      stderr: stderr.join("\n")
    })
  )

/**
 * {@link runInProcess} in the shape of `runCli`, for tests written with promises: the environment is `env` and no
 * config file (as `runCli` gives a process), and stdout and stderr read as a process prints them, every line
 * ended by a newline.
 */
export const runCliInProcess = async (
  args: ReadonlyArray<string>,
  options: { readonly env?: Readonly<Record<string, string>> } = {}
): Promise<InProcessRun & { readonly stdoutBytes: Buffer }> => {
  const run = await Effect.runPromise(runPrinting(args, { ...noConfig, ...options.env }))
  const printed = (lines: ReadonlyArray<string>) => lines.map((line) => `${line}\n`).join("")
  const stdoutBytes = run.data.length > 0 ? run.data : Buffer.from(printed(run.stdout), "utf8")
  const stdout = run.data.length > 0 ? bothOnStdout(run.stdout, run.data) : printed(run.stdout)
  return { code: run.code, stdout, stdoutBytes, stderr: printed(run.stderr) }
}
