/**
 * Runs the CLI program in this process with a given environment (through `ConfigProvider`, never
 * `process.env`) and captures what it prints, for tests that need the CLI's logic but not a new process.
 */
import { NodeServices } from "@effect/platform-node"
import { ConfigProvider, Effect, Layer } from "effect"
import { TestConsole } from "effect/testing"
import { program } from "../../src/cli/Program.ts"

/** Exit code and printed lines of one in-process run. */
export interface InProcessRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs `spotpipe args…` in-process with `env` as the only environment (empty values kept, as `runCli` does). */
export const runInProcess = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.gen(function* () {
    const code = yield* program(args)
    const stdout = (yield* TestConsole.logLines).map(String).join("\n")
    const stderr = (yield* TestConsole.errorLines).map(String).join("\n")
    return { code, stdout, stderr } satisfies InProcessRun
  }).pipe(
    Effect.provide(
      Layer.mergeAll(
        NodeServices.layer,
        TestConsole.layer,
        ConfigProvider.layer(ConfigProvider.fromEnv({ env, preserveEmptyStrings: true }))
      )
    )
  )
