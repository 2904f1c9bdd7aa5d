/**
 * Runs {@link program} on the process arguments with Node services, and exits with its code (130 when
 * interrupted by Ctrl-C or SIGTERM, after cleanup has removed any temp file). Loaded by `bin/spotpipe.js`, from
 * source or as the entry of the bundle in `dist/`.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Cause, Effect, Exit } from "effect"
import { ExitCode } from "./Failure.ts"
import { program } from "./Program.ts"

NodeRuntime.runMain(program(process.argv.slice(2)).pipe(Effect.provide(NodeServices.layer)), {
  disableErrorReporting: true,
  teardown: (exit, onExit) =>
    onExit(
      Exit.isSuccess(exit)
        ? Number(exit.value)
        : Cause.hasInterruptsOnly(exit.cause)
          ? ExitCode.interrupted
          : ExitCode.failed
    )
})
